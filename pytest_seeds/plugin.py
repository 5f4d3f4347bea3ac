"""The pytest glue: options, fixtures, collection of seeds into items, reporting.

Everything pytest-specific lives here; parsing, templating, sending and
checking are in modules that never import pytest.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import linecache
import os
import re
import time
import warnings
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from . import atomic, logmask
from . import config as seeds_config
from . import summary as seeds_summary
from .auth import Target, missing_token_reason, missing_tokens
from .contract import NOTE_PREFIX, Contract, ContractObserver
from .document import Document
from .failuretext import FailureText
from .model import KNOWN_STATUSES, SKIP_STATUSES, XFAIL_STATUSES, Phase, Seed, SeedError, Step
from .parser import load_seed
from .ratelimit import worker_share
from .redact import Redactor
from .report import failure_report, transcript
from .requestid import RequestIdHeader, is_header_name
from .retries import RetryPolicy
from .runner import Environment, SeedRun, StepFailure, StepObserver, StepRecord
from .secretwatch import SecretWatch, named_secrets
from .swagger import SwaggerIndex
from .transport import Client

try:
    from pytest_html import extras as html_extras
except ImportError:  # pytest-html is optional
    html_extras = None  # type: ignore[assignment]

SETTINGS_KEY = pytest.StashKey[seeds_config.Settings]()
REDACTOR_KEY = pytest.StashKey[Redactor]()
HAR_NAMES_KEY = pytest.StashKey[dict[Path, str]]()
SWAGGER_TOLD_KEY = pytest.StashKey[set[object]]()
LABEL_MARKS_KEY = pytest.StashKey[dict[str, pytest.MarkDecorator]]()
SWAGGER_INDEX_KEY = pytest.StashKey[SwaggerIndex]()
RESERVED_MARKS = frozenset(
    {
        "skip",
        "skipif",
        "xfail",
        "parametrize",
        "usefixtures",
        "filterwarnings",
        "tryfirst",
        "trylast",
    }
)


class SeedStepWarning(UserWarning):
    """A step failed but its onFail let the seed go on."""


class SeedContractWarning(UserWarning):
    """A request or response differs from its Swagger/OpenAPI operation (--seeds-contract warn)."""


class SeedSwaggerWarning(UserWarning):
    """A Swagger/OpenAPI file could not be used (told once per file and process)."""


# --- options and settings -------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("seeds", "pytest-seeds: run Markdown API seeds")
    for setting in seeds_config.SETTINGS:
        env = f" [env {setting.env}]" if setting.env else ""
        kwargs: dict[str, Any] = {"dest": f"seeds_{setting.name}", "help": setting.help + env}
        if setting.kind == "flag":
            kwargs["action"] = "store_true"
        elif setting.kind == "paths":
            kwargs.update(action="append", default=[], metavar="PATH")
        else:
            kwargs["default"] = None
        if setting.choices:
            kwargs["choices"] = setting.choices
        group.addoption(setting.flag, **kwargs)
        ini_type = {"paths": "paths", "path": "string", "flag": "bool"}.get(setting.kind, "string")
        parser.addini(setting.ini, setting.help, type=ini_type, default=None)


def get_settings(config: pytest.Config) -> seeds_config.Settings:
    """The resolved settings of this run (public: for conftest files)."""
    return config.stash[SETTINGS_KEY]


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    try:
        settings = seeds_config.resolve(
            option=lambda name: config.getoption(f"seeds_{name}"),
            ini=config.getini,
            environ=os.environ,
            invocation_dir=config.invocation_params.dir,
            ini_dir=config.inipath.parent if config.inipath else config.rootpath,
        )
    except seeds_config.ConfigError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[SETTINGS_KEY] = settings
    if settings.request_id_header and not is_header_name(settings.request_id_header):
        raise pytest.UsageError(
            f"--seeds-request-id-header: '{settings.request_id_header}' is not a header name"
        )
    config.addinivalue_line("markers", "seed: a test collected from a seed document")
    missing = [str(path) for path in settings.dirs if not path.exists()]
    if missing:
        raise pytest.UsageError(f"--seeds-dir: no such file or folder: {', '.join(missing)}")
    if settings.dirs and config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args = [str(path) for path in settings.dirs]
    redactor = Redactor(
        [*settings.tokens.values(), *named_secrets(settings.params, settings.secret_names)]
    )
    config.stash[REDACTOR_KEY] = redactor
    config.add_cleanup(logmask.install(redactor))
    config.pluginmanager.register(SecretMasking(redactor), "seeds-secret-masking")
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(SeedsSummary(config, settings), "seeds-summary")


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def seeds_settings(pytestconfig: pytest.Config) -> seeds_config.Settings:
    """The resolved pytest-seeds settings."""
    return get_settings(pytestconfig)


@pytest.fixture(scope="session")
def seeds_target(seeds_settings: seeds_config.Settings) -> Target:
    """Base, fallback and partners URLs of the API under test."""
    return Target(seeds_settings.base_url, seeds_settings.fallback_url, seeds_settings.partners_url)


@pytest.fixture(scope="session")
def seeds_tokens(seeds_settings: seeds_config.Settings) -> dict[str, str]:
    """Tokens by type (staff, app, client, directory, admin, internal)."""
    return dict(seeds_settings.tokens)


@pytest.fixture(scope="session")
def seeds_params(seeds_settings: seeds_config.Settings) -> dict[str, Any]:
    """Configured template values; a callable value is called once per seed run."""
    return dict(seeds_settings.params)


@pytest.fixture(scope="session")
def seeds_client(seeds_settings: seeds_config.Settings) -> Iterator[Client]:
    """The HTTP client shared by the seeds of this process."""
    settings = seeds_settings
    policy = RetryPolicy(
        settings.retries,
        settings.retries_429,
        settings.max_retry_after,
        settings.retry_backoff,
        settings.retry_unsafe,
    )
    client = Client(settings.timeout, policy, worker_share(settings.rate, os.environ))
    yield client
    client.close()


@pytest.fixture(scope="session")
def seeds_environment(request: pytest.FixtureRequest) -> Environment:
    """Target, tokens, values, client and step checks shared by the seeds of this process.

    Built once per process from ``seeds_target``, ``seeds_tokens``, ``seeds_params`` and
    ``seeds_client``, asked for by name here rather than by every seed item (a fixture
    closure per item costs more than the seed's own parsing): overrides of those fixtures
    in a ``conftest.py`` at or above the seed folders apply to every seed of the run.
    """
    config = request.config
    settings = get_settings(config)
    tokens = request.getfixturevalue("seeds_tokens")
    params = request.getfixturevalue("seeds_params")
    redactor = config.stash[REDACTOR_KEY]
    redactor.add([*tokens.values(), *named_secrets(params, settings.secret_names)])
    index = _swagger_index(config)

    def on_behalf_of(seed: Seed, step: Step) -> bool:
        operation = index.find(step.method, step.path, seed.swagger)
        return operation is not None and operation.wants_on_behalf_of()

    return Environment(
        target=request.getfixturevalue("seeds_target"),
        tokens=tokens,
        params=params,
        client=request.getfixturevalue("seeds_client"),
        files_dir=settings.files_dir,
        swagger_on_behalf_of=on_behalf_of,
        observers=_observers(settings, redactor, index),
    )


def _seed_fixtures(seeds_environment) -> None:
    """Names the one fixture a seed item needs; the item runs the seed itself."""


# --- collection -----------------------------------------------------------------------------


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix.lower() != ".md":
        return None
    dirs = get_settings(parent.config).dirs
    if any(file_path == d or file_path.is_relative_to(d) for d in dirs):
        return SeedFile.from_parent(parent, path=file_path)
    return None


class SeedFile(pytest.File):
    """A Markdown file that may be a seed: yields one item, or none for other Markdown."""

    def collect(self) -> Iterator[pytest.Item]:
        if get_settings(self.config).lint:
            from . import lint as seeds_lint  # imported only when linting

            target = seeds_lint.read(self.path)
            if target is not None:
                yield SeedLintItem.from_parent(self, name=_lint_name(target), target=target)
            return
        try:
            seed = load_seed(self.path)
        except SeedError as error:
            yield BrokenSeedItem.from_parent(self, name=self.path.name, error=error)
            return
        if seed is not None:
            yield SeedItem.from_parent(self, seed=seed)


class BrokenSeedItem(pytest.Item):
    """A seed that cannot be read: an error for that file alone."""

    def __init__(self, *, error: SeedError, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error
        self.add_marker("seed")

    def setup(self) -> None:
        raise self.error

    def runtest(self) -> None:
        raise self.error

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, (self.error.line or 1) - 1, f"broken seed {self.path.name}"

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, SeedError):
            return f"broken seed {excinfo.value}"
        return str(super().repr_failure(excinfo))


class SeedLintWarning(UserWarning):
    """A lint finding that does not fail its seed (--seeds-lint)."""


class SeedLintFailure(Exception):
    """The lint errors of one seed (and its warnings), one finding per line."""


def _lint_fixtures(seeds_params) -> None:
    """Names the one fixture lint needs: the configured template values."""


def _lint_name(target: Document | SeedError) -> str:
    endpoint = target.front.get("endpoint") if isinstance(target, Document) else None
    return " ".join(endpoint.split()) if isinstance(endpoint, str) and endpoint.strip() else ""


class SeedLintItem(pytest.Function):
    """One seed checked offline: errors fail the item, warnings are shown; nothing is sent."""

    def __init__(self, *, name: str, target: Document | SeedError, **kwargs: Any) -> None:
        super().__init__(name=name or kwargs["parent"].path.name, callobj=_lint_fixtures, **kwargs)
        self.target = target
        self.add_marker("seed")

    def runtest(self) -> None:
        from . import lint as seeds_lint

        settings = get_settings(self.config)
        index = SwaggerIndex.shared(settings.swagger_root or self.config.rootpath)
        findings = seeds_lint.check(self.target, self.funcargs["seeds_params"], index)
        here = self.config.invocation_params.dir
        errors = [f.text(here) for f in findings if f.severity == seeds_lint.ERROR]
        warned = [f.text(here) for f in findings if f.severity == seeds_lint.WARNING]
        for f in findings:
            if f.severity == seeds_lint.WARNING:
                warnings.warn_explicit(SeedLintWarning(f.detail), None, str(f.path), f.line or 1)
        if _junit_allows_properties(self.config):
            self.user_properties += [("lint_warning", text) for text in warned]
        shown = ["lint warnings:", *warned] if warned else []
        if errors:
            raise SeedLintFailure("\n".join([f"{len(errors)} lint error(s):", *errors, *shown]))
        if shown:  # captured: shown by -rA, and in JUnit <system-out> with junit_logging
            print("\n".join(shown))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"lint {self.name}"

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, SeedLintFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)  # pytest.Function takes no style


def _junit_allows_properties(config: pytest.Config) -> bool:
    """Testcase properties are valid JUnit XML only in the xunit1/legacy families."""
    if not config.getoption("xmlpath", None):
        return False
    return config.getini("junit_family") in ("xunit1", "legacy")


def _label_mark(config: pytest.Config, label: str) -> pytest.MarkDecorator:
    """The mark of a domain or tag, registered once per run (not once per seed)."""
    marks = config.stash.setdefault(LABEL_MARKS_KEY, {})
    if label not in marks:
        name = _mark_name(label)
        config.addinivalue_line("markers", f"{name}: seeds labelled '{label}'")
        marks[label] = getattr(pytest.mark, name)
    return marks[label]


def _mark_name(label: str) -> str:
    name = re.sub(r"[^\w-]+", "_", str(label).strip().lower()).strip("_")
    return f"seed_{name}" if name in RESERVED_MARKS or not name else name


class SeedItem(pytest.Function):
    """One seed: prerequisites run in setup, Test Request steps in the call, Cleanup in teardown."""

    def __init__(self, *, seed: Seed, **kwargs: Any) -> None:
        super().__init__(name=seed.endpoint, callobj=_seed_fixtures, **kwargs)
        self.seed = seed
        self.run: SeedRun | None = None
        self.missing_tokens: list[str] = []
        self.add_marker("seed")
        for label in dict.fromkeys([seed.domain, *seed.tags]):
            if label:
                self.add_marker(_label_mark(self.config, label))
        if _junit_allows_properties(self.config):
            self.user_properties += [
                ("endpoint", seed.endpoint),
                ("domain", seed.domain),
                ("seed", self.nodeid.split("::")[0]),
            ]
        if seed.status in SKIP_STATUSES:
            reason = seed.skip_reason or f"the seed's status is '{seed.status}'"
            self.add_marker(pytest.mark.skip(reason=reason))
        elif seed.status in XFAIL_STATUSES:
            reason = seed.skip_reason or "the seed's status is 'failed'"
            self.add_marker(pytest.mark.xfail(reason=reason, strict=False))

    @classmethod
    def from_parent(cls, parent: pytest.Collector, **kwargs: Any) -> SeedItem:  # type: ignore[override]
        return super().from_parent(parent, **kwargs)  # type: ignore[no-any-return]

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.seed.line - 1, self.seed.endpoint

    def setup(self) -> None:
        if self.seed.status and self.seed.status not in KNOWN_STATUSES:
            raise SeedError(
                self.path,
                self.seed.line,
                f"unknown status '{self.seed.status}'",
                f"use one of {', '.join(KNOWN_STATUSES)}",
            )
        if not self.seed.has_test_request:
            raise SeedError(
                self.path,
                None,
                f"no executable Test Request: {self.seed.no_test_request_reason}",
                "write the request as a ```yaml block with 'steps:' under '## Test Request'",
            )
        super().setup()
        environment: Environment = self.funcargs["seeds_environment"]
        self.missing_tokens = missing_tokens(self.seed, environment.tokens)
        if self.missing_tokens:
            pytest.skip(missing_token_reason(self.missing_tokens))
        self.run = SeedRun(self.seed, self._with_har(environment))
        self.addfinalizer(self._cleanup)
        self._steps(Phase.PREREQUISITE)

    def runtest(self) -> None:
        self._steps(Phase.TEST)

    def _cleanup(self) -> None:
        self._steps(Phase.CLEANUP)

    def _steps(self, phase: Phase) -> None:
        assert self.run is not None
        before = len(self.run.records)
        try:
            self.run.run(phase)
        finally:
            for record in self.run.records[before:]:
                if record.outcome == "continued":
                    warnings.warn(
                        SeedStepWarning(
                            self.redactor.text(
                                f"{self.seed.path}:{record.step.line}: step '{record.step.id}' "
                                f"failed ({record.problem}); onFail: {record.step.on_fail}, going on"
                            )
                        ),
                        stacklevel=1,
                    )
            self._contract_warnings(self.run.records[before:])

    def _contract_warnings(self, records: list[StepRecord]) -> None:
        """Contract notes and unusable Swagger files as warnings (and xunit1 JUnit properties)."""
        for record in records:
            for note in record.notes:
                if note.startswith(NOTE_PREFIX):
                    step = f"{self.seed.path}:{record.step.line}: step '{record.step.id}'"
                    text = self.redactor.text(f"{step}: {note}")
                    warnings.warn(SeedContractWarning(text), stacklevel=1)
                    if _junit_allows_properties(self.config):
                        self.user_properties.append(("contract", text))
        told = self.config.stash.setdefault(SWAGGER_TOLD_KEY, set())
        for problem in _swagger_index(self.config).problems():
            if problem not in told:
                told.add(problem)
                text = f"{problem.path}: {problem.message}"
                warnings.warn(SeedSwaggerWarning(text), stacklevel=1)

    @property
    def redactor(self) -> Redactor:
        """The run's redactor: it knows every secret seen so far in this process."""
        return self.config.stash[REDACTOR_KEY]

    def _with_har(self, environment: Environment) -> Environment:
        """The shared environment, plus a HAR recorder of this seed with ``--seeds-har``."""
        settings = get_settings(self.config)
        if settings.har is None:
            return environment
        from .har import HarRecorder  # imported only when recording

        recorder = HarRecorder(self.seed, self.redactor)
        path = settings.har / self.config.stash[HAR_NAMES_KEY][self.path]
        self.addfinalizer(lambda: recorder.write(path))  # runs after the Cleanup steps
        observers = _observers(settings, self.redactor, _swagger_index(self.config), recorder)
        return dataclasses.replace(environment, observers=observers)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        error = excinfo.value
        if isinstance(error, StepFailure) and self.run is not None:
            return failure_report(self.seed, self.run, error.record, self.redactor)
        if isinstance(error, SeedError):
            return f"{self.seed.endpoint}: {error}"
        return super().repr_failure(excinfo)  # pytest.Function takes no style


def _swagger_index(config: pytest.Config) -> SwaggerIndex:
    """The process's Swagger index, looked up once per run."""
    if SWAGGER_INDEX_KEY not in config.stash:
        root = get_settings(config).swagger_root or config.rootpath
        config.stash[SWAGGER_INDEX_KEY] = SwaggerIndex.shared(root)
    return config.stash[SWAGGER_INDEX_KEY]


def _observers(
    settings: seeds_config.Settings,
    redactor: Redactor,
    index: SwaggerIndex,
    har: StepObserver | None = None,
) -> tuple[StepObserver, ...]:
    """The step observers the settings ask for, in the order they must see each step."""
    observers: list[StepObserver] = []
    if settings.request_id_header:
        observers.append(RequestIdHeader(settings.request_id_header))
    if har is not None:
        observers.append(har)
    if settings.contract != "off":
        observers.append(ContractObserver(Contract.shared(index), settings.contract))
    # last, so that it sees the request as sent
    observers.append(SecretWatch(redactor, settings.secret_names))
    return tuple(observers)


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
        report.seeds_summary = _summary_data(item)
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
        report.longrepr = FailureText(report.longrepr, report.location[0], report.location[1] or 0)


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
        from .har import har_names

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
            warning_message.message = text  # type: ignore[assignment]
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
