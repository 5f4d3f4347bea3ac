"""``--seeds-coverage``, ``--seeds-coverage-min``, ``--seeds-coverage-baseline``: the pytest glue
of the API coverage ledger (:mod:`pytest_seeds.contract.coverage`).

Where a seed runs (an xdist worker, or the one process), its report carries the operations
it reached (``report.seeds_coverage``, beside the summary's ``seeds_summary``); only the
controller reads every spec under the Swagger root, builds the ledger, writes the files and
applies the gates. A gate that fails makes the run fail as pytest-cov's ``--cov-fail-under``
does: a failure counted once the test loop is over, with the reason in the seeds summary.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_seeds import settings as seeds_config
from pytest_seeds.contract import coverage
from pytest_seeds.output import coverage as coverage_output
from pytest_seeds.output.summary import RunSummary
from pytest_seeds.plugin.items import SeedItem, SeedLintItem
from pytest_seeds.plugin.state import get_settings, swagger_index, write_output
from pytest_seeds.reading.document import Document

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
    (the teardown's, made last, holds every step); a seed that sent nothing (skipped by its
    ``status``, for want of a token...) names its front-matter endpoint, without a status.
    Lint: every step with each status it expects, on the call report; a seed without a
    readable step names its front-matter endpoint.
    """
    if not wanted(get_settings(item.config)):
        return None
    index = swagger_index(item.config)
    if isinstance(item, SeedItem) and when != "call":
        seed = item.head  # its steps may not be typed (a broken step block)
        records = item.run.records if item.run is not None else []
        if not records:
            hits = coverage.endpoint_hits(index, seed.swagger, seed.endpoint)
        else:
            answered = [(r.step, r.status) for r in records if r.status is not None]
            hits = coverage.seed_hits(index, seed.swagger, seed.endpoint, answered)
    elif isinstance(item, SeedLintItem) and when == "call" and isinstance(item.target, Document):
        front = item.target.front
        swagger = front["swagger"] if isinstance(front.get("swagger"), str) else None
        endpoint = front["endpoint"] if isinstance(front.get("endpoint"), str) else ""
        expected = [(step, status) for step in item.designed for status in step.expect_status]
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
        self.ledger: dict[str, Any] | None = None
        self.failures: list[str] = []
        self.written: list[Path] = []
        if settings.coverage is not None and settings.coverage.suffix.lower() == ".md":
            raise pytest.UsageError(
                f"--seeds-coverage: {settings.coverage} names the JSON file; the Markdown "
                "table is written beside it with the suffix .md (e.g. --seeds-coverage coverage.json)"
            )
        if settings.coverage_min is not None and settings.coverage_min > 100:
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
        data = getattr(report, "seeds_coverage", None)
        if isinstance(data, dict):
            self.hits[report.nodeid] = data

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Iterator[None]:
        """After the loop (before the session's exit status is set), as pytest-cov's gate."""
        result = yield
        if not self.config.option.collectonly:
            self._finish()
            if self.failures:
                session.testsfailed += 1
        return result

    def _finish(self) -> None:
        lint = self.settings.lint
        seeds = [
            {**data, "outcome": coverage.DESIGNED if lint else self.runs.outcome(nodeid)}
            for nodeid, data in self.hits.items()
        ]
        operations = coverage.documented_operations(swagger_index(self.config))
        ledger = coverage.build_ledger(operations, seeds, "lint" if lint else "run")
        self.ledger = ledger
        path = self.settings.coverage
        if path is not None and write_output(
            self.config, "the coverage ledger", path, lambda: coverage_output.write(ledger, path)
        ):
            self.written = [path, coverage_output.markdown_path(path)]
        minimum = self.settings.coverage_min
        missed = coverage.shortfall(ledger, minimum) if minimum is not None else None
        if missed is not None:
            self.failures.append(f"FAIL --seeds-coverage-min: {missed}")
        lost = coverage.lost_operations(ledger, self.baseline) if self.baseline else []
        if lost:
            baseline = self.settings.coverage_baseline
            self.failures.append(
                f"FAIL --seeds-coverage-baseline: {len(lost)} operation(s) covered in "
                f"{baseline} lost their seed:"
            )
            self.failures += [
                f"  {op['method']} {op['path']} ({op['spec']}), covered by {', '.join(op['seeds'])}"
                for op in lost
            ]

    def lines(self, verbosity: int) -> list[str]:
        """The ledger's lines of the seeds summary (none before it is built)."""
        if self.ledger is None:
            return []
        found = coverage_output.lines(self.ledger, verbosity)
        if self.written:
            here = self.config.invocation_params.dir
            found.append(
                "coverage ledger: " + ", ".join(_shown(path, here) for path in self.written)
            )
        return found


def _shown(path: Path, here: Path) -> str:
    return str(path.relative_to(here)) if path.is_relative_to(here) else str(path)
