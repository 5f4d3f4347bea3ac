"""The coverage ledger for people: terminal lines, a JSON file and a Markdown table.

``--seeds-coverage PATH`` names the JSON file; the Markdown table is written beside it,
with the suffix ``.md`` (``coverage.json`` -> ``coverage.md``). The ledger itself is built
by :mod:`pytest_seeds.contract.coverage`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_seeds.output import atomic
from pytest_seeds.reading.files import read_limited

TITLE = "# API coverage"  # the table's first line
INTERRUPTED = "interrupted run: the seeds that ran only"


def markdown_path(path: Path) -> Path:
    """Where the Markdown table of the JSON ledger at ``path`` goes."""
    return path.with_suffix(".md")


def is_table(path: Path) -> bool:
    """Whether ``path`` is a regular file whose first line is the ledger table's title."""
    try:
        first = read_limited(path, len(TITLE) + 1)
    except OSError:
        return False
    return first.splitlines()[:1] == [TITLE.encode()]


def write(ledger: Mapping[str, Any], path: Path) -> Path:
    """Write the ledger as JSON at ``path`` and as Markdown beside it; the Markdown's path."""
    atomic.write_json(path, ledger)
    table = markdown_path(path)
    atomic.write_text(table, markdown(ledger))
    return table


def headline(totals: Mapping[str, Any], mode: str = "run") -> str:
    """``operations covered: N of M (p%)``, with what lint or passing seeds add to it."""
    text = (
        f"operations covered: {totals['covered']} of {totals['operations']} ({totals['percent']}%)"
    )
    if mode == "lint":
        return f"{text}, by design (--seeds-lint)"
    return f"{text}, {totals['passed']} by a passing seed"


def lines(ledger: Mapping[str, Any], verbosity: int = 0) -> list[str]:
    """The ledger in the seeds summary: one line, a line per domain with ``-v``."""
    totals = ledger["totals"]
    found = [headline(totals, ledger["mode"])]
    if ledger.get("interrupted"):
        found[0] += f" ({INTERRUPTED})"
    if totals["statuses"]:
        found.append(
            f"documented statuses covered: {totals['covered_statuses']} of "
            f"{totals['statuses']} ({totals['statuses_percent']}%)"
        )
    if verbosity > 0:
        width = max((len(name) for name in ledger["domains"]), default=0)
        found += [
            f"  {name.ljust(width)}  {row['covered']:>4} of {row['operations']:<4} ({row['percent']}%)"
            for name, row in ledger["domains"].items()
        ]
    if ledger["unmatched"] and verbosity > 0:
        found.append(f"steps no documented operation matches: {len(ledger['unmatched'])}")
    unreadable = ledger.get("unreadable", [])
    if unreadable:
        found.append(
            f"spec files under the Swagger root that could not be read: {len(unreadable)}, "
            "their operations not counted" + (":" if verbosity > 0 else " (-v names them)")
        )
    if verbosity > 0:
        found += [f"  {spec['spec']}: {spec['problem']}" for spec in unreadable]
    return found


def _one_line(text: object) -> str:
    """Text on one line with every ``|`` escaped (the backslashes before it doubled), as a
    GFM table splits its rows into cells before anything else."""
    line = " ".join(str(text).splitlines())
    return re.sub(r"(\\*)\|", lambda found: found[1] * 2 + "\\|", line)


def _cell(text: object) -> str:
    """Text in a table cell: one line, no ``|`` or HTML of its own."""
    return _one_line(html.escape(str(text), quote=False))


def _code(text: object) -> str:
    """Text as a code span in a table cell, fenced by more backticks than it holds."""
    shown = _one_line(text)
    ticks = "`" * (max(map(len, re.findall("`+", shown)), default=0) + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") or not shown.strip() else ""
    return f"{ticks}{pad}{shown}{pad}{ticks}"


def _by_seed(entries: list[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """A ledger's seed entries grouped by seed, role and outcome (the ledger's order)."""
    groups: dict[tuple[str, str, str], list[Mapping[str, Any]]] = {}
    for entry in entries:
        groups.setdefault((entry["seed"], entry["role"], entry["outcome"]), []).append(entry)
    return list(groups.values())


def _seed_cell(entries: list[Mapping[str, Any]]) -> str:
    """```seed` test 200, 404 passed``: one seed in one role, with its statuses."""
    first = entries[0]
    statuses = ", ".join(_cell(e["status"]) for e in entries if e["status"] is not None)
    return f"{_code(first['seed'])} {_cell(first['role'])} {statuses + ' ' if statuses else ''}{_cell(first['outcome'])}"


def markdown(ledger: Mapping[str, Any]) -> str:
    """The ledger as Markdown: totals, a row per domain, a row per operation, unmatched steps."""
    totals, run = ledger["totals"], ledger["mode"] == "run"
    out = [
        TITLE,
        "",
        f"{headline(totals, ledger['mode'])}; documented statuses covered: "
        f"{totals['covered_statuses']} of {totals['statuses']} ({totals['statuses_percent']}%)"
        + (f" ({INTERRUPTED})." if ledger.get("interrupted") else "."),
        "",
        "| domain | operations | covered | % |" + (" by a passing seed |" if run else ""),
        "|---|---:|---:|---:|" + ("---:|" if run else ""),
    ]
    out += [
        f"| {_cell(name)} | {row['operations']} | {row['covered']} | {row['percent']} |"
        + (f" {row['passed']} |" if run else "")
        for name, row in ledger["domains"].items()
    ]
    out += [
        "",
        "Statuses in bold are "
        + ("answered to a seed's step." if run else "expected by a seed's step."),
        "",
        "| domain | method | path | spec | documented statuses | seeds (role, status, outcome) |",
        "|---|---|---|---|---|---|",
    ]
    for op in ledger["operations"]:
        statuses = ", ".join(
            f"**{_cell(status)}**" if status in op["covered_statuses"] else _cell(status)
            for status in op["statuses"]
        )
        seeds = "<br>".join(_seed_cell(entries) for entries in _by_seed(op["seeds"]))
        out.append(
            f"| {_cell(op['domain'])} | {_cell(op['method'])} | {_code(op['path'])} "
            f"| {_code(op['spec'])} | {statuses or '—'} | {seeds or '—'} |"
        )
    if ledger.get("unreadable"):
        out += ["", "Spec files under the Swagger root that could not be read (not counted):", ""]
        out += [f"- {_code(u['spec'])}: {_cell(u['problem'])}" for u in ledger["unreadable"]]
    if ledger["unmatched"]:
        out += ["", "Steps no documented operation matches:", ""]
        out += [
            f"- {_code(u['seed'])}: {_cell(u['method'])} {_code(u['path'])}"
            for u in ledger["unmatched"]
        ]
    return "\n".join(out) + "\n"
