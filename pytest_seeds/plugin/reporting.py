"""Reports: readable failures (setup and teardown too), JUnit text, run summary, masking."""

from __future__ import annotations

import linecache
import logging
import os
import sys
import time
import warnings
from collections.abc import Generator, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pytest_seeds import settings as seeds_config
from pytest_seeds.model import Phase, SeedError
from pytest_seeds.output import atomic
from pytest_seeds.output import summary as seeds_summary
from pytest_seeds.output.failuretext import FailureText
from pytest_seeds.output.report import transcript
from pytest_seeds.reading.parser import load_head
from pytest_seeds.secrets import logmask
from pytest_seeds.secrets.redact import Redactor
from pytest_seeds.secrets.secret import secrets_in
from pytest_seeds.secrets.watch import conceal_named, conceal_tokens

try:
    from pytest_html import extras as html_extras
except ImportError:  # pytest-html is optional
    html_extras = None


from pytest_seeds.plugin import coverage as seeds_coverage
from pytest_seeds.plugin import examples
from pytest_seeds.plugin.items import (
    BrokenSeedItem,
    SeedCrash,
    SeedItem,
    SeedLintItem,
    SeedLintWarning,
)
from pytest_seeds.plugin.names import endpoint_of, split_nodeid
from pytest_seeds.plugin.selection import reached_folders
from pytest_seeds.plugin.shards import (
    BEFORE_SPLIT_KEY,
    SEEDS_BEFORE_SPLIT,
    shard_count,
    shard_group,
)
from pytest_seeds.plugin.state import (
    HAR_NAMES_KEY,
    OUTPUT_FAILURES_KEY,
    REDACTOR_KEY,
    SEED_ROOTS_KEY,
    SEEDS_COLLECTED_KEY,
    get_settings,
    is_seed_path,
    output_failure,
    swagger_index,
    write_output,
)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Setup and teardown failures of seeds get the same readable report as the call.

    What the plugin adds to a report never breaks it: should a part fail, it is left out.
    """
    report = yield
    try:  # before the seed's report lets its run go
        hits = seeds_coverage.report_data(item, call.when)
    except Exception as error:  # the report stays pytest's own, with a note
        report.sections.append(("seed coverage", f"could not be completed: {error!r}"))
    else:
        if hits is not None:
            report.seeds_coverage = _masked(hits, item.config.stash[REDACTOR_KEY])
    if isinstance(item, SeedItem | BrokenSeedItem):
        try:
            _seed_report(item, call, report)
        except Exception as error:  # the report stays pytest's own, with a note
            report.sections.append(("seed report", f"could not be completed: {error!r}"))
    return report


def _seed_report(item: SeedItem | BrokenSeedItem, call: pytest.CallInfo[None], report: Any) -> None:
    error = call.excinfo.value if call.excinfo is not None else None
    record = item.failed_record(error) if isinstance(item, SeedItem) and error else None
    readable = record is not None or isinstance(error, SeedError | SeedCrash)
    if call.excinfo is not None and call.when != "call" and report.failed and readable:
        report.longrepr = item.repr_failure(call.excinfo)
    if report.skipped and isinstance(item, SeedItem) and isinstance(report.longrepr, tuple):
        # a skip raised in setup (missing token) points at the seed, not at this module
        report.longrepr = (str(item.path), item.head.line, report.longrepr[2])
    if report.failed and isinstance(report.longrepr, str):  # wrapped at logreport
        line = record.step.line if record else (report.location[1] or 0) + 1
        report.seeds_failure = [report.location[0], line, item.config.getoption("tbstyle", "auto")]
    if call.when != "call":
        # the setup report's copy names the seed if its worker dies before the teardown
        report.seeds_summary = _masked(_summary_data(item), item.config.stash[REDACTOR_KEY])
    if not isinstance(item, SeedItem):
        return
    if call.when == "call":
        data = examples.report_data(item)
        if data is not None:
            setattr(report, examples.REPORT_KEY, data)
    if item.run is not None and call.when != "setup":
        lines = transcript(item.run, Phase.CLEANUP if call.when == "teardown" else None)
        if lines and record is None:  # a failure's report holds the transcript already
            report.sections.append(
                (f"seed steps ({call.when})", item.redactor.text("\n".join(lines)))
            )
    if html_extras is not None and report.failed and item.run:
        text = item.redactor.text("\n".join(transcript(item.run)))
        report.extras = [*getattr(report, "extras", []), html_extras.text(text, name="seed steps")]
    if call.when == "teardown":
        item.run = item.drift = None  # the seed is reported: let its response bodies go


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> Iterator[None]:
    """A file of the run that could not be written fails the run; it is told in the seeds
    summary (innermost wrapper: every file is written by then, the summary not yet shown)."""
    result = yield
    failed = session.config.stash.get(OUTPUT_FAILURES_KEY, [])
    if failed and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    return result


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """A seed's failure text gets its first line as message (JUnit, summary), xdist or not."""
    failure = getattr(report, "seeds_failure", None)
    if failure and isinstance(report.longrepr, str):
        # pytest types longrepr as its own classes but only needs toterminal(), as FailureText has
        report.longrepr = FailureText(report.longrepr, *failure)  # type: ignore[assignment]


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
        item.location[0], item.head.endpoint, item.head.domain, records, item.missing_tokens
    )


def pytest_itemcollected(item: pytest.Item) -> None:
    """Count the seeds collected (before any deselection): a seed folder may hold none."""
    if isinstance(item, SeedItem | BrokenSeedItem | SeedLintItem):
        item.config.stash[SEEDS_COLLECTED_KEY] = item.config.stash.get(SEEDS_COLLECTED_KEY, 0) + 1


def pytest_collection_finish(session: pytest.Session) -> None:
    """The count, also for the xdist controller, which collects nothing itself."""
    config = session.config
    count = config.stash.setdefault(SEEDS_COLLECTED_KEY, 0)
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[SEEDS_COLLECTED] = count


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, items: list[pytest.Item]) -> None:
    """Name the HAR files before any deselection, the same way on every xdist worker."""
    if get_settings(session.config).har is not None:
        from pytest_seeds.output.har import har_names

        paths = [item.path for item in items if isinstance(item, SeedItem)]
        session.config.stash[HAR_NAMES_KEY] = har_names(paths, session.config.rootpath)


# The phase of the report pytest-xdist's controller makes for the item a worker was
# running when it died ("worker 'gw0' crashed while running ..."; DSession.handle_crashitem)
XDIST_CRASH = "???"
SEEDS_COLLECTED = "seeds_collected"  # the workeroutput key: how many seeds a worker collected


class SeedsSummary:
    """The run summary, on the xdist controller or the single process.

    Built from the reports the controller sees, one entry per test id. A seed whose xdist
    worker died is an error: in the summary, in the terminal (pytest-xdist would count it
    as failed) and in JUnit XML (where xdist's report already is an error).

    A run that passed although no seed ran (all skipped, some for want of a token; or no
    seed in the seed folders it collected from) exits with code 5, "no tests ran", and
    says why. Seeds deselected (``-m``, ``-k``, ``--deselect``) are left out on purpose.
    """

    def __init__(self, config: pytest.Config, settings: seeds_config.Settings) -> None:
        self.config = config
        self.settings = settings
        self.roots = config.stash[SEED_ROOTS_KEY]
        self.runs = seeds_summary.RunSummary()
        self.started = time.time()
        self.result: dict[str, Any] | None = None
        self.alerts: list[str] = []
        self.failed_run = False  # the alerts turned a passing run into exit code 5
        self.session: pytest.Session | None = None

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if self.settings.env is not None:  # the JUnit file says which environment ran
            _junit_property(self.config, "seeds_environment", self.settings.env)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        outcome = "xfailed" if hasattr(report, "wasxfail") and report.skipped else report.outcome
        when = report.when
        if when == XDIST_CRASH or getattr(report, "seeds_worker_crashed", False):
            when = seeds_summary.CRASHED  # type: ignore[assignment]
        self.runs.add(report.nodeid, when, outcome, getattr(report, "seeds_summary", None))

    @pytest.hookimpl(optionalhook=True)
    def pytest_handlecrashitem(self, crashitem: str, report: pytest.TestReport) -> None:
        """A seed's worker died: its error is the phase's it died in, when pytest has one.

        Before its setup report: a setup error. After its call report: a teardown error
        (the Cleanup), which JUnit XML then counts once, as it does a failing Cleanup.
        In the call, xdist's phase ``???`` stays (an error: :meth:`pytest_report_teststatus`).
        """
        if self._seed_path(crashitem) is None:
            return
        report.seeds_worker_crashed = True  # type: ignore[attr-defined]
        report.location = (report.location[0], None, endpoint_of(split_nodeid(crashitem)[1] or ""))
        phases = self.runs.phases(crashitem)
        if "call" in phases:
            report.when = "teardown"
        elif "setup" not in phases:
            report.when = "setup"

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_teststatus(
        self, report: pytest.TestReport | pytest.CollectReport
    ) -> tuple[str, str, str] | None:
        if report.when == XDIST_CRASH and report.failed and self._seed_path(report.nodeid):
            return "error", "E", "ERROR"
        return None

    def _seed_path(self, nodeid: str) -> Path | None:
        """The seed file of a test id, or None when the test is not a seed (or lint ran)."""
        path_text, name = split_nodeid(nodeid)
        if name is None or self.settings.lint:
            return None
        path = Path(os.path.normpath(self.config.rootpath / path_text))
        return path if is_seed_path(path, self.roots) else None

    def _describe(self, nodeid: str) -> dict[str, Any] | None:
        """Seed data read on the controller, for a seed whose worker sent none (crashed)."""
        path = self._seed_path(nodeid)
        if path is None:
            return None
        path_text, name = split_nodeid(nodeid)
        try:
            head = load_head(path)
        except SeedError:
            return seeds_summary.seed_data(path_text, f"broken seed {path.name}", "")
        except OSError:
            head = None
        if head is None:  # changed since: its node id still names the endpoint
            return seeds_summary.seed_data(path_text, endpoint_of(name or ""), "")
        return seeds_summary.seed_data(path_text, head.endpoint, head.domain)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """An xdist worker's count of the seeds it collected (each collects them all), and
        the seeds it had before a split (the same in every worker)."""
        workeroutput = getattr(node, "workeroutput", {})
        count = workeroutput.get(SEEDS_COLLECTED)
        if count is not None:
            known = self.config.stash.get(SEEDS_COLLECTED_KEY, 0)
            self.config.stash[SEEDS_COLLECTED_KEY] = max(count, known)
        if SEEDS_BEFORE_SPLIT in workeroutput:
            self.config.stash[BEFORE_SPLIT_KEY] = workeroutput[SEEDS_BEFORE_SPLIT]

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.session = session
        self._summarize()
        assert self.result is not None
        empty = self._empty_folders()
        self.alerts = seeds_summary.alerts(self.result, empty)
        if self.settings.lint and self.config.stash.get(SEEDS_COLLECTED_KEY, 0):
            _swagger_root_warning(self.config)
        if session.exitstatus == pytest.ExitCode.OK and (
            empty or seeds_summary.none_ran(self.result)
        ):
            session.exitstatus = pytest.ExitCode.NO_TESTS_COLLECTED
            self.failed_run = True

    def _empty_folders(self) -> list[str]:
        """The seed folders the run collected from, if it found no seed there."""
        if self.config.stash.get(SEEDS_COLLECTED_KEY, None) != 0:  # None: not known
            return []
        here = self.config.invocation_params.dir
        folders = reached_folders(self.config.args, self.settings.dirs, here)
        return [os.path.relpath(folder, here) for folder in folders]

    def _summarize(self) -> None:
        for nodeid in self.runs.unnamed():
            data = self._describe(nodeid)
            if data is not None:
                self.runs.name(nodeid, data)
        finished = time.time()
        timing = {
            "started": _utc(self.started),
            "finished": _utc(finished),
            "seconds": round(finished - self.started, 3),
        }
        redactor = self.config.stash[REDACTOR_KEY]
        before_split = self.config.stash.get(BEFORE_SPLIT_KEY, None)
        if before_split is None:  # no worker reported it (each crashed): the seeds reported
            before_split = [row["seed"] for row in self.runs.seeds()]
        shard = seeds_summary.shard_info(
            shard_count(self.config, self.settings),
            shard_group(self.config),
            (redactor.text(seed) for seed in before_split),
        )
        mode = "lint" if self.settings.lint else "run"
        self.result = self.runs.to_json(timing, self.settings.env, shard, mode)
        path = self.settings.summary_json
        if path is not None:
            write_output(
                self.config, "the summary", path, lambda: atomic.write_json(path, self.result)
            )

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> Iterator[None]:
        """After pytest's own summaries, short test summary included."""
        yield
        if self.config.getoption("tbstyle", "auto") != "no":
            for text in self._interrupted():
                terminalreporter.write_sep("!", "seed interrupted", red=True)
                terminalreporter.write_line(text)
        for failure in self.config.stash.get(OUTPUT_FAILURES_KEY, []):
            terminalreporter.write_line(failure, red=True, bold=True)
        if self.result is None:
            return
        verbosity = terminalreporter.verbosity
        ledger = self.config.pluginmanager.get_plugin(seeds_coverage.PLUGIN_NAME)
        lines = (
            seeds_summary.lines(self.result, verbosity) if self.result["totals"]["seeds"] else []
        )
        lines += ledger.lines(verbosity) if ledger is not None else []
        if lines and verbosity >= 0:
            terminalreporter.write_sep("=", "seeds summary")
        for line in lines:
            terminalreporter.write_line(line)
        for alert in self.alerts:
            terminalreporter.write_line(
                alert, red=self.failed_run, yellow=not self.failed_run, bold=True
            )
        for failure in ledger.failures if ledger is not None else ():
            terminalreporter.write_line(failure, red=True, bold=True)

    def _interrupted(self) -> Iterator[str]:
        """The report of each seed a Ctrl-C stopped in the middle of a step."""
        for item in self.session.items if self.session is not None else ():
            if isinstance(item, SeedItem) and item.run is not None:
                cut = (r for r in item.run.records if r.outcome == "interrupted")
                record = next(cut, None)
                if record is not None:
                    yield item.report(record)


def _junit_property(config: pytest.Config, name: str, value: str) -> None:
    """A property of the JUnit testsuite (valid in every junit_family); nothing without
    ``--junitxml``. It goes where the ``record_testsuite_property`` fixture puts one: to the
    plugin pytest registers for ``--junitxml``, found through the plugin manager (a fixture
    cannot be asked for on the xdist controller, which writes the file)."""
    for plugin in config.pluginmanager.get_plugins():
        add = getattr(plugin, "add_global_property", None)
        if callable(add):
            add(name, value)
            return


def _swagger_root_warning(config: pytest.Config) -> None:
    """Lint's ``swagger-root`` warning, once per run (not once per seed)."""
    from pytest_seeds import lint as seeds_lint

    finding = seeds_lint.root_finding(swagger_index(config))
    if finding is not None:
        warnings.warn_explicit(SeedLintWarning(finding.detail), None, str(finding.path), 0)


def _utc(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


# pytest's log handlers (attributes of its LoggingPlugin, registered as "logging-plugin")
LOG_HANDLERS = ("caplog_handler", "report_handler", "log_cli_handler", "log_file_handler")


class SecretMasking:
    """Masks known secrets in every report, warning, terminal line and internal error.

    The second line of defence: pytest-seeds' own values are Secrets, but frames inside
    requests and urllib3, a conftest's variables and a server's answers hold plain text.
    """

    def __init__(self, redactor: Redactor, secret_names: tuple[str, ...] = ()) -> None:
        self.redactor = redactor
        self.secret_names = secret_names

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: pytest.FixtureDef[Any]) -> Generator[None, Any, Any]:
        """Learn the values of ``seeds_tokens`` and ``seeds_params`` (overrides too) when set up.

        An override may return plain strings, and a test may use them before any seed runs.
        """
        value = yield
        if isinstance(value, Mapping) and fixturedef.argname == "seeds_tokens":
            self.redactor.add(secrets_in(conceal_tokens(value)))
        elif isinstance(value, Mapping) and fixturedef.argname == "seeds_params":
            self.redactor.add(secrets_in(conceal_named(value, self.secret_names)))
        return value

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Mask what pytest writes to the terminal and its log handlers from now on."""
        self._mask_terminal(session.config)
        self._mask_logs(session.config)

    def _mask_logs(self, config: pytest.Config) -> None:
        """Mask the records pytest's own log handlers write, until the run ends.

        Captured logs of a report, ``caplog``, live ``log_cli`` output and ``--log-file``:
        a filter on each (their names are the logging plugin's attributes) masks a record
        before it is written; the process's loggers and record factory stay untouched.
        """
        plugin = config.pluginmanager.get_plugin("logging-plugin")
        handlers = [getattr(plugin, name, None) for name in LOG_HANDLERS]
        found = [handler for handler in handlers if isinstance(handler, logging.Handler)]
        config.add_cleanup(logmask.install(self.redactor, found))

    def _mask_terminal(self, config: pytest.Config) -> None:
        """Tracebacks pytest prints itself bypass the reports: Ctrl-C with ``--full-trace``
        (the arguments of every frame, those in requests and urllib3 included), INTERNALERROR.
        pytest offers no hook for terminal text, so the writer's ``write`` is wrapped.
        """
        if config.pluginmanager.get_plugin("terminalreporter") is None:
            return
        writer = config.get_terminal_writer()
        write = writer.write

        def masked(msg: str, **kwargs: Any) -> None:
            write(self.redactor.text(msg), **kwargs)

        writer.write = masked  # type: ignore[method-assign]

    @pytest.hookimpl(tryfirst=True)
    def pytest_internalerror(self, excrepr: Any) -> None:
        """An internal error's text, masked for every writer of it (terminal, JUnit, stderr).

        Its text is made by ``toterminal``, the one method every writer calls.
        """
        text = str(excrepr)
        masked = self.redactor.text(text)
        if masked != text:
            excrepr.toterminal = lambda writer: writer.line(masked)

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


def mask_debug_log(config: pytest.Config) -> None:
    """Mask pytest's ``--debug`` log with every secret known at the end of the run.

    pytest writes it through ``config.trace.root.setwriter(file.write)``; wrapping that
    writer needs the writer in use, which only pluggy's private ``TagTracer._writer`` holds.
    So the file is masked once pytest has closed it: this is a cleanup registered before
    pytest's own (cleanups run last-registered first); were it to run first, the masked file
    replaces the path and pytest's last lines go to the replaced one, lost but not shown.
    Until then, and if the process is killed, the file holds what pytest traced:
    pytest-seeds' own values (settings, fixtures, environment, requests) are Secrets there;
    other code's plain values (a conftest's, requests') are not.
    """
    if not config.stash.get(SEED_ROOTS_KEY, ()):  # a run without seeds is left as it was
        return
    name = config.getoption("debug", None)
    redactor = config.stash.get(REDACTOR_KEY, None)
    path = config.invocation_params.dir / name if isinstance(name, str) else None
    if redactor is not None and path is not None and path.is_file():
        try:
            atomic.rewrite_lines(path, redactor.text)
        except OSError as error:  # after the run: told on stderr, as pytest tells of the file
            sys.stderr.write(output_failure("the masked debug log", path, error) + "\n")


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
