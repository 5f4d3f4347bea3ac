"""``--seeds-discrepancies``: a Markdown report, for a docs team, of every answer that
differs from its seed's documented example or from its Swagger schema.

Each seed's test report carries a small JSON-ready mapping (:func:`seed_entry`), so the
report is made the same way in one process and on the xdist controller; grouped by domain,
then by endpoint, each difference with the seed's ``file:line`` (the example's, or the
step's). Everything in it is masked where it is made, and Markdown-safe where it is
written: what comes from a seed or an answer is a code span fenced by more backticks than
it holds, or text whose Markdown and HTML characters are escaped; characters that are not
printable (newlines, lone surrogates) are written as their ``\\n`` / ``\\uXXXX`` escapes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pytest_seeds.contract.drift import printable
from pytest_seeds.contract.driftcheck import DriftFound
from pytest_seeds.contract.observer import NOTE_PREFIX
from pytest_seeds.output.summary import NO_DOMAIN
from pytest_seeds.running.runner import StepRecord
from pytest_seeds.secrets.redact import Redactor

TITLE = "# Documentation discrepancies"
_RESPONSE = NOTE_PREFIX + "response"
_TICKS = re.compile(r"`+")
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:\"'=^$?;@%,/])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def seed_entry(
    location: str,
    endpoint: str,
    domain: str,
    found: Sequence[DriftFound],
    records: Iterable[StepRecord],
    redactor: Redactor,
) -> dict[str, Any] | None:
    """What a seed's report carries for the report (masked), or None when nothing differs."""
    drift = [
        {
            "line": item.example.line,
            "status": item.status,
            "step": item.step.id,
            "step_line": item.step.line,
            "differences": [redactor.text(str(drift)) for drift in item.drifts],
        }
        for item in found
    ]
    contract = [
        {
            "step": record.step.id,
            "step_line": record.step.line,
            "text": printable(redactor.text(text)),
        }
        for record in records
        for text in contract_texts(record)
    ]
    if not drift and not contract:
        return None
    return {
        "seed": location,
        "endpoint": redactor.text(endpoint),
        "domain": domain or NO_DOMAIN,
        "drift": drift,
        "contract": contract,
    }


def contract_texts(record: StepRecord) -> list[str]:
    """The contract findings on a step's answer: its notes (warn) or its failure (strict)."""
    texts = [note for note in record.notes if note.startswith(_RESPONSE)]
    current: list[str] = []
    for line in record.problem.split("\n"):
        if line.startswith(_RESPONSE) or (current and line.startswith("    ")):
            current.append(line)
        elif current:
            texts.append("\n".join(current))
            current = []
    if current:
        texts.append("\n".join(current))
    return texts


def markdown(entries: Iterable[Mapping[str, Any]], seeds_run: int) -> str:
    """The report: a heading per domain, then per endpoint, a list item per difference."""
    rows = sorted(entries, key=lambda e: (e["domain"], e["endpoint"], e["seed"]))
    endpoints = len({(row["domain"], row["endpoint"]) for row in rows})
    lines = [
        TITLE,
        "",
        f"{seeds_run} seed(s) ran; {endpoints} endpoint(s) answered differently from their "
        "documentation."
        if rows
        else f"{seeds_run} seed(s) ran; every answer matches its documented example and schema.",
    ]
    domain = endpoint = None
    for row in rows:
        if row["domain"] != domain:
            domain, endpoint = row["domain"], None
            lines += ["", f"## {_text(domain)}"]
        if row["endpoint"] != endpoint:
            endpoint = row["endpoint"]
            lines += ["", f"### {_code(endpoint)}", ""]
        seed = row["seed"]
        for item in row["drift"]:
            example, step = _code(f"{seed}:{item['line']}"), _code(f"{seed}:{item['step_line']}")
            lines.append(
                f"- {example}: the documented example differs from the {int(item['status'])} "
                f"answer of step {_code(item['step'])} ({step})"
            )
            lines += [f"  - {_code(text)}" for text in item["differences"]]
        for item in row["contract"]:
            first, *rest = item["text"].removeprefix(NOTE_PREFIX).split("\n")
            step = _code(f"{seed}:{item['step_line']}")
            lines.append(f"- {step}: step {_code(item['step'])}: Swagger: {_text(first)}")
            lines += [f"  - {_code(text.strip())}" for text in rest if text.strip()]
    return "\n".join(lines) + "\n"


def _visible(text: object) -> str:
    """Text on one line: each character that is not printable as its escape (``\\n``)."""
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in str(text)
    )


def _code(text: object) -> str:
    """A code span of any text: fenced by one backtick more than its longest run."""
    shown = _visible(text)
    fence = "`" * (1 + max((len(run) for run in _TICKS.findall(shown)), default=0))
    if not shown.strip(" ") or shown[0] == "`" or shown[-1] == "`" or shown[0] == shown[-1] == " ":
        shown = f" {shown} "
    return f"{fence}{shown}{fence}"


def _text(text: object) -> str:
    """Text with every Markdown character escaped and HTML's as entities."""
    shown = _PUNCTUATION.sub(r"\\\1", _visible(text))
    return "".join(_ENTITIES.get(char, char) for char in shown)
