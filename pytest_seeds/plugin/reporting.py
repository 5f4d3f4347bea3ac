"""Reports: readable failures (setup and teardown too), JUnit text, run summary, masking."""

from __future__ import annotations

import gc
import json
import linecache
import time
import warnings
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from pytest_seeds import settings as seeds_config
from pytest_seeds.model import Phase, SeedError
from pytest_seeds.output import atomic
from pytest_seeds.output import summary as seeds_summary
from pytest_seeds.output.failuretext import FailureText
from pytest_seeds.output.report import transcript
from pytest_seeds.running.runner import StepFailure
from pytest_seeds.secrets.redact import Redactor

try:
    from pytest_html import extras as html_extras
except ImportError:  # pytest-html is optional
    html_extras = None


from pytest_seeds.plugin.items import BrokenSeedItem, SeedItem
from pytest_seeds.plugin.state import (
    HAR_NAMES_KEY,
    REDACTOR_KEY,
    get_settings,
)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Setup and teardown failures of seeds get the same readable report as the call."""
    report = yield
    if (
        call.excinfo is not None
        and call.when != "call"
        and report.failed
        and isinstance(item, SeedItem | BrokenSeedItem)
        and isinstance(call.excinfo.value, StepFailure | SeedError)
    ):
        report.longrepr = item.repr_failure(call.excinfo)
    if report.skipped and isinstance(item, SeedItem) and isinstance(report.longrepr, tuple):
        # a skip raised in setup (missing token) points at the seed, not at this module
        report.longrepr = (str(item.path), item.seed.line, report.longrepr[2])
    if report.failed and isinstance(item, SeedItem | BrokenSeedItem):
        report.seeds_failure = isinstance(report.longrepr, str)  # wrapped at logreport
    if isinstance(item, SeedItem) and item.run is not None and call.when != "setup":
        lines = transcript(item.run, Phase.CLEANUP if call.when == "teardown" else None)
        if lines:
            report.sections.append(
                (f"seed steps ({call.when})", item.redactor.text("\n".join(lines)))
            )
    if isinstance(item, SeedItem | BrokenSeedItem) and call.when == "teardown":
        redactor = item.config.stash[REDACTOR_KEY]
        report.seeds_summary = _masked(_summary_data(item), redactor)
    if html_extras is not None and report.failed and isinstance(item, SeedItem) and item.run:
        text = item.redactor.text("\n".join(transcript(item.run)))
        report.extras = [*getattr(report, "extras", []), html_extras.text(text, name="seed steps")]
    if isinstance(item, SeedItem) and call.when == "teardown":
        item.run = None  # the seed is reported: let its response bodies go
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """A seed's failure text gets its first line as message (JUnit, summary), xdist or not."""
    if getattr(report, "seeds_failure", False) and isinstance(report.longrepr, str):
        # pytest types longrepr as its own classes but only needs toterminal(), as FailureText has
        text = FailureText(report.longrepr, report.location[0], report.location[1] or 0)
        report.longrepr = text  # type: ignore[assignment]


def _masked(value: Any, redactor: Redactor) -> Any:
    """Every text in a JSON-ready value masked (the summary's endpoints, paths, step ids)."""
    if isinstance(value, str):
        return redactor.text(value)
    if isinstance(value, dict):
        return {key: _masked(item, redactor) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item, redactor) for item in value]
    return value


def _summary_data(item: SeedItem | BrokenSeedItem) -> dict[str, Any]:
    if isinstance(item, BrokenSeedItem):
        return seeds_summary.seed_data(item.location[0], f"broken seed {item.path.name}", "")
    records = item.run.records if item.run is not None else ()
    return seeds_summary.seed_data(
        item.location[0], item.seed.endpoint, item.seed.domain, records, item.missing_tokens
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection(session: pytest.Session) -> Iterator[None]:
    """No cyclic garbage collection while collecting; what was collected is then frozen.

    Collection makes many long-lived objects (items, seeds, parsed YAML) and hardly any
    garbage, yet each full collection walks everything made so far: about a fifth of the
    collection time of 10,000 seeds (benchmarks/collection.py: 1.17x -> 0.84x the naive
    collector, peak RSS +6%). Frozen, the collected objects are not walked again while
    the seeds run, and are unfrozen when the run ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return (yield)
    finally:
        if enabled:
            gc.enable()
        if not gc.get_freeze_count():  # else frozen by someone else, e.g. an outer pytest run
            gc.freeze()
            session.config.add_cleanup(gc.unfreeze)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, items: list[pytest.Item]) -> None:
    """Name the HAR files before any deselection, the same way on every xdist worker."""
    if get_settings(session.config).har is not None:
        from pytest_seeds.output.har import har_names

        paths = [item.path for item in items if isinstance(item, SeedItem)]
        session.config.stash[HAR_NAMES_KEY] = har_names(paths, session.config.rootpath)


class SeedsSummary:
    """The run summary, on the xdist controller or the single process."""

    def __init__(self, config: pytest.Config, settings: seeds_config.Settings) -> None:
        self.config = config
        self.settings = settings
        self.runs = seeds_summary.RunSummary()
        self.started = time.time()
        self.result: dict[str, Any] | None = None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        outcome = "xfailed" if hasattr(report, "wasxfail") and report.skipped else report.outcome
        self.runs.add(report.nodeid, report.when, outcome, getattr(report, "seeds_summary", None))

    def pytest_sessionfinish(self) -> None:
        finished = time.time()
        timing = {
            "started": _utc(self.started),
            "finished": _utc(finished),
            "seconds": round(finished - self.started, 3),
        }
        self.result = self.runs.to_json(timing)
        if self.settings.summary_json is not None:
            text = json.dumps(self.result, indent=2, sort_keys=True, ensure_ascii=False)
            atomic.write_text(self.settings.summary_json, text + "\n")

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> Iterator[None]:
        """After pytest's own summaries, short test summary included."""
        yield
        if self.result is None or not self.result["totals"]["seeds"]:
            return
        lines = seeds_summary.lines(self.result, terminalreporter.verbosity)
        if terminalreporter.verbosity >= 0:
            terminalreporter.write_sep("=", "seeds summary")
        for line in lines:
            terminalreporter.write_line(line)


def _utc(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")


class SecretMasking:
    """Masks known secrets in every test and collection report, before anything shows it."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        _mask_report(report, self.redactor)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        _mask_report(report, self.redactor)

    @pytest.hookimpl(tryfirst=True)
    def pytest_warning_recorded(self, warning_message: warnings.WarningMessage) -> None:
        """A warning's text, and the source line it quotes, masked too."""
        text = self.redactor.text(str(warning_message.message))
        if text != str(warning_message.message):
            warning_message.message = text
        line = warning_message.line
        if line is None:
            line = linecache.getline(warning_message.filename, warning_message.lineno)
        warning_message.line = self.redactor.text(line)


def _mask_report(report: pytest.TestReport | pytest.CollectReport, redactor: Redactor) -> None:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # a skip: (path, line, reason)
        report.longrepr = (*longrepr[:2], redactor.text(str(longrepr[2])))
    elif longrepr is not None:
        text = str(longrepr)
        masked = redactor.text(text)
        if masked != text:
            report.longrepr = masked
    if isinstance(getattr(report, "wasxfail", None), str):
        report.wasxfail = redactor.text(report.wasxfail)  # type: ignore[union-attr]
    report.sections = [(title, redactor.text(content)) for title, content in report.sections]
    if isinstance(report, pytest.TestReport) and report.user_properties:  # JUnit (xunit1)
        report.user_properties = [
            (name, redactor.field(name, value) if isinstance(value, str) else value)
            for name, value in report.user_properties
        ]
