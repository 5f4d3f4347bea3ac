"""The run summary: seeds per domain and outcome, missing tokens, slowest steps, alerts.

Each seed's setup and teardown reports carry a small JSON-ready mapping (:func:`seed_data`),
so the summary is built the same way in one process and on the xdist controller, one entry
per test id. A seed counts once, by its worst outcome: failed (Test Request) > error
(Prerequisites, Cleanup, a broken document, or its xdist worker crashed) > xfailed >
skipped > passed. A seed whose worker died before it sent a report has no mapping: the
plugin supplies one (:meth:`RunSummary.unnamed`, :meth:`RunSummary.name`). The JSON
document (:func:`assemble`) is also what ``pytest-seeds merge`` makes of the summaries of
a run's shards, each of which says which part it was (:func:`shard_info`).
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pytest_seeds.running.runner import StepRecord
from pytest_seeds.settings import token_variable

OUTCOMES = ("passed", "failed", "errors", "skipped", "xfailed")
SLOWEST_STEPS = 5
FORMAT = "pytest-seeds summary 1"
MODES = ("run", "lint")  # the summary's "mode": seeds run, or checked (--seeds-lint)
NO_DOMAIN = "(no domain)"
CRASHED = "crashed"  # the phase of the report xdist makes for an item whose worker died


def seed_data(
    location: str,
    endpoint: str,
    domain: str,
    records: Iterable[StepRecord] = (),
    missing_tokens: Iterable[str] = (),
) -> dict[str, Any]:
    """What a seed's test report carries for the summary (plain JSON types only)."""
    records = list(records)
    failed = [record.step.id for record in records if record.outcome == "failed"]
    return {
        "seed": location,
        "endpoint": endpoint,
        "domain": domain or NO_DOMAIN,
        "missing_tokens": sorted(missing_tokens),
        "failed_step": failed[0] if failed else None,
        "steps": [
            [record.step.id, round(record.seconds * 1000, 1)]
            for record in records
            if record.status is not None
        ],
    }


@dataclass
class _Seed:
    data: dict[str, Any] | None = None
    phases: dict[str, str] = field(default_factory=dict)  # when -> passed/failed/skipped/xfailed

    @property
    def outcome(self) -> str:
        if self.phases.get("call") == "failed":
            return "failed"
        if "failed" in (self.phases.get("setup"), self.phases.get("teardown")):
            return "errors"
        if CRASHED in self.phases:
            return "errors"
        if "xfailed" in self.phases.values():
            return "xfailed"
        if "skipped" in self.phases.values():
            return "skipped"
        return "passed"


class RunSummary:
    """Collects the reports of a run, one :class:`_Seed` per test id."""

    def __init__(self) -> None:
        self._seeds: dict[str, _Seed] = {}

    def add(self, nodeid: str, when: str, outcome: str, data: dict[str, Any] | None) -> None:
        """One test report: phase (or :data:`CRASHED`), outcome (``xfailed`` for an expected
        failure), seed data (None: keep what an earlier report of this test carried)."""
        entry = self._seeds.setdefault(nodeid, _Seed())
        entry.phases[when] = outcome
        if data is not None:
            entry.data = data

    def phases(self, nodeid: str) -> dict[str, str]:
        """The phases reported so far for a test id, with their outcomes."""
        entry = self._seeds.get(nodeid)
        return dict(entry.phases) if entry is not None else {}

    def outcome(self, nodeid: str) -> str:
        """A reported test id's outcome, as the summary counts it."""
        return self._seeds[nodeid].outcome

    def unnamed(self) -> list[str]:
        """Test ids reported without seed data: other tests, or seeds whose worker died first."""
        return [nodeid for nodeid, entry in self._seeds.items() if entry.data is None]

    def name(self, nodeid: str, data: dict[str, Any]) -> None:
        """Seed data for a test id that had none (see :meth:`unnamed`)."""
        self._seeds[nodeid].data = data

    def seeds(self) -> list[dict[str, Any]]:
        """One row per seed, sorted by file: seed, endpoint, domain, outcome, failed step."""
        rows = [
            {**entry.data, "outcome": entry.outcome, "worker_crashed": CRASHED in entry.phases}
            for entry in self._seeds.values()
            if entry.data is not None
        ]
        return sorted(rows, key=lambda row: (row["seed"], row["endpoint"]))

    def to_json(
        self,
        timing: dict[str, Any],
        environment: str | None = None,
        shard: dict[str, Any] | None = None,
        mode: str = "run",
    ) -> dict[str, Any]:
        """The machine-readable summary; everything but ``timing`` is the same for equal runs.

        ``environment``: the config file's environment the run used (``--seeds-env``), or None;
        ``shard``: which part of a sharded run this was (:func:`shard_info`); ``mode``: one of
        :data:`MODES`.
        """
        rows = self.seeds()
        slowest = [
            {"seed": seed, "step": step, "ms": -ms}
            for ms, seed, step in heapq.nsmallest(
                SLOWEST_STEPS,
                ((-ms, row["seed"], step) for row in rows for step, ms in row["steps"]),
            )
        ]
        return assemble(
            [{k: v for k, v in row.items() if k != "steps"} for row in rows],
            {**timing, "slowest_steps": slowest},
            environment,
            shard or shard_info(1, None, (row["seed"] for row in rows)),
            mode,
        )


def shard_info(count: int, group: int | None, collected: Iterable[str]) -> dict[str, Any]:
    """The summary's ``shard``: how many parts the run was split into (1: not split), which
    one this was (None: not known, or all of them), and every seed the run had before the
    split (its file, as ``seeds[].seed``): a merge of the parts checks each ran once."""
    return {"count": count, "group": group, "collected": sorted(set(collected))}


def assemble(
    rows: list[dict[str, Any]],
    timing: dict[str, Any],
    environment: str | None,
    shard: dict[str, Any],
    mode: str = "run",
) -> dict[str, Any]:
    """The summary document of seed rows (without steps), sorted: totals, domains, tokens."""
    rows = sorted(rows, key=lambda row: (row["seed"], row["endpoint"]))
    domains: dict[str, Counter[str]] = {}
    for row in rows:
        domains.setdefault(row["domain"], Counter())[row["outcome"]] += 1
    return {
        "format": FORMAT,
        "mode": mode,
        "environment": environment,
        "totals": _counts(Counter(row["outcome"] for row in rows)),
        "domains": {name: _counts(domains[name]) for name in sorted(domains)},
        "missing_tokens": dict(
            sorted(Counter(kind for row in rows for kind in row["missing_tokens"]).items())
        ),
        "seeds": rows,
        "shard": shard,
        "timing": timing,
    }


def _counts(counter: Counter[str]) -> dict[str, int]:
    return {"seeds": sum(counter.values()), **{name: counter[name] for name in OUTCOMES}}


def _seeds(count: int) -> str:
    return f"{count} seed{'s' if count != 1 else ''}"


def none_ran(summary: dict[str, Any]) -> bool:
    """Whether the run's seeds were all skipped, some of them for want of a token."""
    totals = summary["totals"]
    return bool(summary["missing_tokens"]) and totals["seeds"] == totals["skipped"]


def alerts(summary: dict[str, Any], empty_folders: Iterable[str] = ()) -> list[str]:
    """What a run must not hide (``!!`` lines): folders without seeds, seeds that did not run.

    A seed did not run when a token type it uses is not configured (skipped, or failed with
    ``--seeds-missing-token fail``); ``empty_folders`` are seed folders the run collected
    from that hold no seed.
    """
    found = [
        f"!! no seed found in {folder} (a seed is a .md file whose front matter has an 'endpoint')"
        for folder in empty_folders
    ]
    missing = summary["missing_tokens"]
    if missing:
        count = sum(1 for row in summary["seeds"] if row["missing_tokens"])
        kinds = ", ".join(f"{kind} ({_seeds(number)})" for kind, number in missing.items())
        names = ", ".join(token_variable(kind) for kind in missing)
        text = (
            f"{_seeds(count)} did not run for want of a token: {kinds}; set {names}, "
            "or add the tokens under 'tokens:' in the --seeds-config file"
        )
        found.append(f"!! no seed ran: {text}" if none_ran(summary) else f"!! {text}")
    return found


def lines(summary: dict[str, Any], verbosity: int = 0) -> list[str]:
    """The summary for the terminal: a table per domain, or one line with ``-q``."""
    totals = summary["totals"]
    crashed = [
        f"{row['seed']} ({row['endpoint']})" for row in summary["seeds"] if row["worker_crashed"]
    ]
    if verbosity < 0:
        counts = ", ".join(
            f"{totals[name]} {'error' if name == 'errors' and totals[name] == 1 else name}"
            for name in OUTCOMES
            if totals[name]
        )
        text = f"seeds: {counts or 'none ran'} in {len(summary['domains'])} domain(s)"
        if summary.get("environment"):
            text += f" (environment {summary['environment']})"
        return [text + (f"; worker crashed: {len(crashed)}" if crashed else "")]
    width = max(len(name) for name in [*summary["domains"], "domain", "all"])
    columns = ("seeds", *OUTCOMES)
    header = "domain".ljust(width) + "".join(f"{name:>9}" for name in columns)
    rows = [*summary["domains"].items(), ("all", totals)]
    table = [header] + [
        name.ljust(width) + "".join(f"{counts[column]:>9}" for column in columns)
        for name, counts in rows
    ]
    # an error each: the seed may have sent requests before its worker died
    table += [f"worker crashed: {seed}" for seed in crashed]
    if summary.get("environment"):
        table.append(f"seeds environment: {summary['environment']}")
    slowest = summary["timing"]["slowest_steps"]
    if slowest:
        table.append("slowest steps:")
        table += [f"  {step['ms']:>6.0f} ms  {step['seed']}  {step['step']}" for step in slowest]
    return table
