"""``--seeds-coverage``, ``--seeds-coverage-min``, ``--seeds-coverage-baseline``: the pytest glue
of the API coverage ledger (:mod:`pytest_seeds.contract.coverage`).

Where a seed runs (an xdist worker, or the one process), its report carries the operations
it reached (``report.seeds_coverage``, beside the summary's ``seeds_summary``); only the
controller reads every spec under the Swagger root, builds the ledger, writes the files and
applies the gates. A gate that fails makes the run fail as pytest-cov's ``--cov-fail-under``
does: a failure counted once the test loop is over, with the reason in the seeds summary.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_seeds import settings as seeds_config
from pytest_seeds.contract import coverage
from pytest_seeds.output import coverage as coverage_output
from pytest_seeds.output.summary import RunSummary
from pytest_seeds.plugin.items import SeedItem, SeedLintItem
from pytest_seeds.plugin.shards import shard_count
from pytest_seeds.plugin.state import get_settings, swagger_index, write_output
from pytest_seeds.reading.document import Document
from pytest_seeds.running.routing import api_hosts
from pytest_seeds.running.runner import Environment

PLUGIN_NAME = "seeds-coverage"


def wanted(settings: seeds_config.Settings) -> bool:
    """Whether the run builds a ledger: it reads every spec under the root, so only on request."""
    return any(
        value is not None
        for value in (settings.coverage, settings.coverage_min, settings.coverage_baseline)
    )


def report_data(item: pytest.Item, when: str) -> dict[str, Any] | None:
    """What a seed's report carries for the ledger (plain JSON), or None.

    A run: the steps that got an answer, with its status, on the setup and teardown reports
    (the teardown's, made last, holds every step); a seed that got no answer (skipped by its
    ``status``, for want of a token, the API down...) names its front-matter endpoint,
    without a status.
    Lint: every step with each status it expects, on the call report; a seed without a
    readable step names its front-matter endpoint.
    """
    if not isinstance(item, SeedItem | SeedLintItem) or not wanted(get_settings(item.config)):
        return None  # another project's test, or a run without a ledger
    index = swagger_index(item.config)
    if isinstance(item, SeedItem) and when != "call":
        seed = item.head  # its steps may not be typed (a broken step block)
        records = item.run.records if item.run is not None else []
        answered = [
            (r.step, r.status, r.url if isinstance(r.url, str) else None)  # a Secret: unread
            for r in records
            if r.status is not None
        ]
        environment = item.funcargs.get("seeds_environment")
        hosts = api_hosts(environment.target) if isinstance(environment, Environment) else ()
        if not answered:
            hits = coverage.endpoint_hits(index, seed.swagger, seed.endpoint)
        else:
            hits = coverage.seed_hits(index, seed.swagger, seed.endpoint, answered, hosts)
    elif isinstance(item, SeedLintItem) and when == "call" and isinstance(item.target, Document):
        front = item.target.front
        swagger = front["swagger"] if isinstance(front.get("swagger"), str) else None
        endpoint = front["endpoint"] if isinstance(front.get("endpoint"), str) else ""
        expected = [(step, status, None) for step in item.designed for status in step.expect_status]
        if not expected:
            hits = coverage.endpoint_hits(index, swagger, endpoint)
        else:
            hits = coverage.seed_hits(index, swagger, endpoint, expected)
    else:
        return None
    return {"seed": item.location[0], **hits}


class SeedsCoverage:
    """The ledger of a run, on the xdist controller or the single process."""

    def __init__(
        self, config: pytest.Config, settings: seeds_config.Settings, runs: RunSummary
    ) -> None:
        self.config = config
        self.settings = settings
        self.runs = runs  # the summary's: each seed's outcome
        self.hits: dict[str, dict[str, Any]] = {}
        self.ran: set[str] = set()  # the files of the tests reported
        self.ledger: dict[str, Any] | None = None
        self.failures: list[str] = []
        self.notes: list[str] = []  # lines of the seeds summary that fail nothing
        self.written: list[Path] = []
        if settings.coverage is not None and settings.coverage.suffix.lower() == ".md":
            raise pytest.UsageError(
                f"--seeds-coverage: {settings.coverage} names the JSON file; the Markdown "
                "table is written beside it with the suffix .md (e.g. --seeds-coverage coverage.json)"
            )
        if settings.coverage is not None:
            _check_output(config, settings, settings.coverage)
        if settings.coverage_min is not None and not 0 <= settings.coverage_min <= 100:
            raise pytest.UsageError(
                f"--seeds-coverage-min: {settings.coverage_min:g} is not a percentage (0 to 100)"
            )
        self.baseline: dict[str, Any] | None = None
        if settings.coverage_baseline is not None:
            try:
                self.baseline = coverage.read_ledger(settings.coverage_baseline)
            except ValueError as error:
                raise pytest.UsageError(f"--seeds-coverage-baseline: {error}") from None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.ran.add(report.location[0])
        data = getattr(report, "seeds_coverage", None)
        if isinstance(data, dict):
            self.hits[report.nodeid] = data

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Iterator[None]:
        """After the loop (before the session's exit status is set), as pytest-cov's gate."""
        if self.config.option.collectonly:
            return (yield)
        try:
            result = yield
        except (KeyboardInterrupt, session.Interrupted, session.Failed):
            self._finish(interrupted=True)  # -x, --maxfail, Ctrl-C: the ledger of what ran
            raise
        self._finish()
        if self.failures:
            session.testsfailed += 1
        return result

    def _finish(self, interrupted: bool = False) -> None:
        lint = self.settings.lint
        seeds = [
            {**data, "outcome": coverage.DESIGNED if lint else self.runs.outcome(nodeid)}
            for nodeid, data in self.hits.items()
        ]
        index = swagger_index(self.config)
        reached = {hit["spec"] for seed in seeds for hit in seed.get("operations", ())}
        operations = coverage.documented_operations(index, reached)
        unreadable = coverage.unreadable_specs(index)
        ledger = coverage.build_ledger(operations, seeds, "lint" if lint else "run", unreadable)
        if interrupted:
            ledger["interrupted"] = True
        self.ledger = ledger
        path = self.settings.coverage
        if path is not None and write_output(
            self.config, "the coverage ledger", path, lambda: coverage_output.write(ledger, path)
        ):
            self.written = [path, coverage_output.markdown_path(path)]
        gated = self.settings.coverage_min is not None or self.baseline is not None
        if gated and interrupted:
            self.notes.append("coverage gates not applied: the run was interrupted")
        if gated and shard_count(self.config, self.settings) > 1:
            self.notes.append(
                "coverage gates not applied in a shard (its ledger is a part): give "
                "--coverage-min / --coverage-baseline to pytest-seeds merge"
            )
            return
        if interrupted:
            return
        minimum = self.settings.coverage_min
        missed = coverage.shortfall(ledger, minimum) if minimum is not None else None
        if missed is not None:
            self.failures.append(f"FAIL --seeds-coverage-min: {missed}")
        if self.baseline is None:
            return
        lost, gone = coverage.lost_operations(ledger, self.baseline, self._unselected)
        baseline = self.settings.coverage_baseline
        if gone:
            shown = ", ".join(f"{op['method']} {op['path']} ({op['spec']})" for op in gone[:3])
            self.notes.append(
                f"WARNING --seeds-coverage-baseline: {len(gone)} operation(s) covered in "
                f"{baseline} are no longer documented under the Swagger root (not counted as "
                f"lost): {shown}{', ...' if len(gone) > 3 else ''}"
            )
        if lost:
            self.failures.append(
                f"FAIL --seeds-coverage-baseline: {len(lost)} operation(s) covered in "
                f"{baseline} lost their seed:"
            )
            self.failures += [
                f"  {op['method']} {op['path']} ({op['spec']}), covered by {', '.join(op['seeds'])}"
                for op in lost
            ]

    def _unselected(self, seed: str) -> bool:
        """Whether a baseline's seed is still there but was not run (``-k``, ``-m``, a path)."""
        return seed not in self.ran and (self.config.rootpath / seed).exists()

    def lines(self, verbosity: int) -> list[str]:
        """The ledger's lines of the seeds summary (none before it is built)."""
        if self.ledger is None:
            return []
        found = coverage_output.lines(self.ledger, verbosity) + self.notes
        if self.written:
            here = self.config.invocation_params.dir
            found.append(
                "coverage ledger: " + ", ".join(_shown(path, here) for path in self.written)
            )
        return found


def _shown(path: Path, here: Path) -> str:
    return str(path.relative_to(here)) if path.is_relative_to(here) else str(path)


def _check_output(config: pytest.Config, settings: seeds_config.Settings, path: Path) -> None:
    """A usage error when the ledger's files would overwrite the baseline, another output of
    the run, or a Markdown file that is not a ledger table (a seed, a doc)."""
    table = coverage_output.markdown_path(path)
    xml = config.getoption("xmlpath", None)
    others = {
        "--seeds-coverage-baseline": settings.coverage_baseline,
        "--seeds-summary-json": settings.summary_json,
        "--seeds-discrepancies": settings.discrepancies,
        "--junitxml": config.invocation_params.dir / xml if xml else None,
    }
    for option, other in others.items():
        if other is not None and Path(os.path.abspath(other)) in (path, table):
            raise pytest.UsageError(
                f"--seeds-coverage: {path} and {option} name the same file ({other}); "
                "give each its own"
            )
    har = settings.har
    if har is not None and (path.is_relative_to(har) or table.is_relative_to(har)):
        raise pytest.UsageError(
            f"--seeds-coverage: {path} is inside the --seeds-har folder {har}; write it elsewhere"
        )
    if not (table.exists() or table.is_symlink()) or coverage_output.is_table(table):
        return
    raise pytest.UsageError(
        f"--seeds-coverage: {table} exists and is not a coverage table written by "
        f"pytest-seeds (its first line is not '{coverage_output.TITLE}'); the table would "
        "overwrite it: move it, or name another --seeds-coverage file"
    )
