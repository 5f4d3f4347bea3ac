"""The seed File and Item classes: how a seed document becomes and runs as a pytest item."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest

from pytest_seeds import settings as seeds_config
from pytest_seeds.contract.checks import Contract
from pytest_seeds.contract.drift import Concealer, known_texts, printable
from pytest_seeds.contract.driftcheck import NOTE_PREFIX as DRIFT_PREFIX
from pytest_seeds.contract.driftcheck import DriftObserver
from pytest_seeds.contract.observer import NOTE_PREFIX, ContractObserver
from pytest_seeds.model import (
    SKIP_STATUSES,
    XFAIL_STATUSES,
    Phase,
    Seed,
    SeedError,
    SeedHead,
    Step,
)
from pytest_seeds.output.report import CUT_OFF, failure_report, headline
from pytest_seeds.plugin.names import item_name, split_nodeid
from pytest_seeds.plugin.state import (
    HAR_NAMES_KEY,
    LABEL_MARKS_KEY,
    REDACTOR_KEY,
    RESERVED_MARKS,
    SWAGGER_TOLD_KEY,
    SeedContractWarning,
    SeedDriftWarning,
    SeedOutputWarning,
    SeedStepWarning,
    SeedSwaggerWarning,
    contract,
    get_settings,
    junit_allows_properties,
    output_failure,
    swagger_index,
)
from pytest_seeds.reading.document import Document, load_document, near_miss
from pytest_seeds.reading.parser import build_seed, load_head, read_head
from pytest_seeds.running.auth import missing_token_reason, missing_tokens
from pytest_seeds.running.requestid import RequestIdHeader
from pytest_seeds.running.runner import (
    Environment,
    SeedRun,
    SeedSkipped,
    StepFailure,
    StepObserver,
    StepRecord,
)
from pytest_seeds.secrets.names import is_example_secret_name
from pytest_seeds.secrets.redact import Redactor
from pytest_seeds.secrets.watch import SecretWatch

if TYPE_CHECKING:
    from pytest_seeds.output.har import HarRecorder


def _seed_fixtures(seeds_environment: Environment) -> None:
    """Names the one fixture a seed item needs; the item runs the seed itself."""


class SeedNotCollectedWarning(UserWarning):
    """A Markdown file that looks like a seed but is not one, so it is not collected."""

    def __init__(self, error: SeedError) -> None:
        super().__init__(f"{error.message}; hint: {error.hint}")
        self.error = error


CRASH_HINT = "a bug in pytest-seeds or in a conftest.py value; please report it with the seed"


class SeedCrash(Exception):
    """An unexpected exception while a seed ran: that seed's failure, told readably.

    A bug of pytest-seeds, or of a ``conftest.py`` value or observer; the other seeds go on.
    """

    def __init__(self, error: BaseException) -> None:
        super().__init__(f"pytest-seeds stopped on {unexpected(error)}\n  hint: {CRASH_HINT}")


def unexpected(error: BaseException) -> str:
    """``an unexpected KeyError: 'x' (raised in module.function, line N)``."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (raised in {_place(frames[-1])})" if frames else ""
    return f"an unexpected {type(error).__name__}: {error}{where}"


def _place(frame: traceback.FrameSummary) -> str:
    """A frame as ``module.name, line N`` for the plugin's own code, else ``file:line``."""
    parts = Path(frame.filename).with_suffix("").parts
    if "pytest_seeds" in parts:
        module = ".".join(parts[len(parts) - parts[::-1].index("pytest_seeds") - 1 :])
        return f"{module}.{frame.name}, line {frame.lineno}"
    return f"{frame.filename}:{frame.lineno} in {frame.name}"


@contextlib.contextmanager
def _guarded() -> Iterator[None]:
    """Any exception but the plugin's own outcomes becomes a :class:`SeedCrash`."""
    try:
        yield
    except (StepFailure, SeedError, SeedCrash, Warning):  # a warning the user made an error
        raise
    except Exception as error:  # pytest's skip and fail are BaseExceptions: they go through
        raise SeedCrash(error) from error


class SeedFile(pytest.File):
    """A Markdown file that may be a seed: yields one item, or none for other Markdown.

    Nothing a file holds stops the collection: a file that cannot be read, or whose reading
    fails unexpectedly, is a broken seed of its own.
    """

    def collect(self) -> Iterator[pytest.Item]:
        self._document: Document | None = None
        try:
            item = self._item()
        except SeedError as error:
            item = self._broken(error)
        except SeedNotCollectedWarning as warning:  # warnings are errors (-W error)
            item = self._broken(warning.error)
        except Exception as error:
            item = self._broken(_unreadable(self.path, error))
        if item is not None:
            yield item

    def _item(self) -> pytest.Item | None:
        if get_settings(self.config).lint:
            from pytest_seeds import lint as seeds_lint  # imported only when linting

            target = seeds_lint.read(self.path)
            if target is None:
                self._not_a_seed()
                return None
            if isinstance(target, Document):
                swagger_index(self.config).name(target.front.get("swagger"))
            name = self.config.stash[REDACTOR_KEY].text(_seed_name(self.path, target))
            return SeedLintItem.from_parent(self, name=name, target=target)
        self._document = load_document(self.path)
        if self._document is None:
            self._not_a_seed()
            return None
        head = read_head(self._document)
        swagger_index(self.config).name(head.swagger)  # the files a step may be looked up in
        # the steps are typed when the seed runs, in the process that runs it; a seed whose
        # status decides its outcome before it runs is typed now: broken, it is an error
        seed = None if head.runs_as_written else build_seed(self._document, head)
        return SeedItem.from_parent(self, head=head, document=self._document, seed=seed)

    def _broken(self, error: SeedError) -> BrokenSeedItem:
        """A seed that cannot be read, named by its endpoint when its front matter gives one."""
        name = self.config.stash[REDACTOR_KEY].text(_seed_name(self.path, self._document))
        return BrokenSeedItem.from_parent(self, name=name, error=error)

    def _not_a_seed(self) -> None:
        """Other Markdown is passed over; a file that looks like a seed with a warning."""
        told = near_miss(self.path)
        if told is not None:
            warning = SeedNotCollectedWarning(told)
            warnings.warn_explicit(warning, None, str(told.path), told.line or 1)


def _unreadable(path: Path, error: Exception) -> SeedError:
    """A seed whose reading failed unexpectedly (a bug): an error of that seed alone."""
    message = f"pytest-seeds could not read this seed: {unexpected(error)}"
    return SeedError(path, None, message, CRASH_HINT)


def _seed_name(path: Path, target: Document | SeedError | None) -> str:
    """The item name of a seed that lint checks or that cannot run: its endpoint, if readable.

    The same in a lint run and a normal one; a seed's file name when no endpoint can be read.
    """
    endpoint = target.front.get("endpoint") if isinstance(target, Document) else None
    if isinstance(endpoint, str) and endpoint.strip():
        return item_name(" ".join(endpoint.split()))
    return item_name(path.name)


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


def _lint_fixtures(seeds_params: dict[str, Any]) -> None:
    """Names the one fixture lint needs: the configured template values."""


class SeedLintItem(pytest.Function):
    """One seed checked offline: errors fail the item, warnings are shown; nothing is sent."""

    def __init__(self, *, name: str, target: Document | SeedError, **kwargs: Any) -> None:
        super().__init__(name=name, callobj=_lint_fixtures, **kwargs)
        self.target = target
        self.designed: list[Step] = []  # the steps lint could read: the ledger by design
        self.add_marker("seed")

    def runtest(self) -> None:
        from pytest_seeds import lint as seeds_lint

        params = cast(dict[str, Any], self.funcargs["seeds_params"])
        settings = get_settings(self.config)
        try:
            findings, self.designed = seeds_lint.examine(
                self.target,
                params,
                contract(self.config),
                settings.max_sleep,
                tuple(settings.schemes),
            )
        except Exception as error:  # a bug: this seed's failure, the others are still checked
            message = f"lint stopped on {unexpected(error)}\n  hint: {CRASH_HINT}"
            raise SeedLintFailure(message) from error
        here = self.config.invocation_params.dir
        errors = [f.text(here) for f in findings if f.severity == seeds_lint.ERROR]
        warned = [f.text(here) for f in findings if f.severity == seeds_lint.WARNING]
        for f in findings:
            if f.severity == seeds_lint.WARNING:
                warnings.warn_explicit(SeedLintWarning(f.detail), None, str(f.path), f.line or 1)
        if junit_allows_properties(self.config):
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


def label_marks(config: pytest.Config, seed: SeedHead) -> list[pytest.MarkDecorator]:
    """The marks of a seed's domain and tags (each registered once per run)."""
    return [
        _label_mark(config, label) for label in dict.fromkeys([seed.domain, *seed.tags]) if label
    ]


def register_label_markers(config: pytest.Config, roots: Iterable[Path]) -> None:
    """Register the markers of every seed under the roots (for ``pytest --markers``).

    Collection registers them too, seed by seed; this reads every seed without collecting.
    """
    for root in roots:
        for path in [root] if root.is_file() else sorted(root.rglob("*.md")):
            try:
                head = load_head(path)
            except SeedError:
                continue
            if head is not None:
                label_marks(config, head)


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
    """One seed: prerequisites run in setup, Test Request steps in the call, Cleanup in teardown.

    Collection reads the seed's head; its steps are typed from the document read then, when
    the seed first needs them (:attr:`seed`), so each seed's steps are parsed once per run,
    by the process that runs it, and a broken step block is that seed's error.
    """

    def __init__(
        self, *, head: SeedHead, document: Document, seed: Seed | None = None, **kwargs: Any
    ) -> None:
        # the endpoint names the test everywhere (terminal, JUnit, summary): masked, the same
        # way on every xdist worker (only configured secrets and names are known this early)
        name = kwargs["parent"].config.stash[REDACTOR_KEY].text(item_name(head.endpoint))
        super().__init__(name=name, callobj=_seed_fixtures, **kwargs)
        self.head = head
        self.document = document  # read at collection: the steps and the examples come from it
        self._seed = seed
        self.run: SeedRun | None = None
        self.drift: DriftObserver | None = None  # with --seeds-drift and the example updates
        self.missing_tokens: list[str] = []
        self.add_marker("seed")
        for mark in label_marks(self.config, head):
            self.add_marker(mark)
        if junit_allows_properties(self.config):
            self.user_properties += [
                ("endpoint", self.name),
                ("domain", head.domain),
                ("seed", split_nodeid(self.nodeid)[0]),
            ]
        if head.status in SKIP_STATUSES:
            reason = head.skip_reason or f"the seed's status is '{head.status}'"
            self.add_marker(pytest.mark.skip(reason=reason))
        elif head.status in XFAIL_STATUSES:
            reason = head.skip_reason or "the seed's status is 'failed'"
            self.add_marker(pytest.mark.xfail(reason=reason, strict=False))

    @classmethod
    def from_parent(cls, parent: pytest.Collector, **kwargs: Any) -> SeedItem:
        return super().from_parent(parent, **kwargs)

    @property
    def seed(self) -> Seed:
        """The typed seed, built from the collected document on first use; raises
        :class:`SeedError` for a broken step block."""
        if self._seed is None:
            try:
                self._seed = build_seed(self.document, self.head)
            except SeedError:
                raise
            except Exception as error:
                raise _unreadable(self.path, error) from error
        return self._seed

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.head.line - 1, self.name

    def setup(self) -> None:
        if self.seed.problem is not None:  # collected, so that it errors under its endpoint
            raise self.seed.problem
        super().setup()  # the fixtures: a conftest.py's error keeps pytest's own report
        environment = cast(Environment, self.funcargs["seeds_environment"])
        with _guarded():
            self.missing_tokens = missing_tokens(self.seed, environment.tokens)
        if self.missing_tokens:
            settings = get_settings(self.config)
            reason = missing_token_reason(self.missing_tokens, settings.token_env)
            if settings.missing_token == "fail":
                pytest.fail(reason, pytrace=False)
            pytest.skip(reason)
        with _guarded():
            self.run = SeedRun(self.seed, self._observed(environment))
        self.addfinalizer(self._cleanup)
        self._steps(Phase.PREREQUISITE)

    def runtest(self) -> None:
        self._steps(Phase.TEST)

    def _cleanup(self) -> None:
        self._steps(Phase.CLEANUP)

    def _steps(self, phase: Phase) -> None:
        with _guarded():
            self._run_steps(phase)

    def _run_steps(self, phase: Phase) -> None:
        assert self.run is not None
        before = len(self.run.records)
        try:
            self.run.run(phase)
        except SeedSkipped as skipped:
            pytest.skip(str(skipped))
        finally:
            for record in self.run.records[before:]:
                if record.outcome == "continued":
                    _warn(
                        SeedStepWarning(
                            self.redactor.text(
                                f"{self.where(record)}: step '{record.step.id}' "
                                f"failed ({record.problem}); onFail: {record.step.on_fail}, going on"
                            )
                        )
                    )
            self._contract_warnings(self.run.records[before:])

    def _contract_warnings(self, records: list[StepRecord]) -> None:
        """Contract and drift notes, unusable Swagger files as warnings (and xunit1 JUnit
        properties)."""
        for record in records:
            for note in record.notes:
                for prefix, kind, name in _NOTE_WARNINGS:
                    if note.startswith(prefix):
                        step = f"{self.where(record)}: step '{record.step.id}'"
                        text = printable(self.redactor.text(f"{step}: {note}"))
                        _warn(kind(text))
                        if junit_allows_properties(self.config):
                            self.user_properties.append((name, text))
        told = self.config.stash.setdefault(SWAGGER_TOLD_KEY, set())
        for problem in swagger_index(self.config).problems():
            if problem not in told:
                told.add(problem)
                text = f"{problem.path}: {problem.message}"
                _warn(SeedSwaggerWarning(text))

    def where(self, record: StepRecord) -> str:
        """``file:line`` of a step, its file as the node ids show it (relative to the rootdir)."""
        return f"{self.location[0]}:{record.step.line}"

    @property
    def redactor(self) -> Redactor:
        """The run's redactor: it knows every secret seen so far in this process."""
        return self.config.stash[REDACTOR_KEY]

    def _observed(self, environment: Environment) -> Environment:
        """The shared environment, plus this seed's own observers: a HAR recorder with
        ``--seeds-har``, then the check of its documented examples (``--seeds-drift``, the
        example updates; last: it sends nothing, and the watch has learnt the request)."""
        settings = get_settings(self.config)
        if settings.har is not None:
            from pytest_seeds.output.har import HarRecorder  # imported only when recording

            recorder = HarRecorder(self.seed, self.redactor)
            path = settings.har / self.config.stash[HAR_NAMES_KEY][self.path]
            self.addfinalizer(_guard(lambda: _write_har(recorder, path)))  # after the Cleanup
            observers = step_observers(settings, self.redactor, contract(self.config), recorder)
            environment = dataclasses.replace(environment, observers=observers)
        self.drift = self._drift_observer(settings)
        if self.drift is not None:
            observers = (*environment.observers, self.drift)
            environment = dataclasses.replace(environment, observers=observers)
        return environment

    def _drift_observer(self, settings: seeds_config.Settings) -> DriftObserver | None:
        """The check of the seed's documented examples, in the process that runs it (from the
        document its collection read); None when the run asks for none."""
        if not settings.checks_examples:
            return None
        document = self.document

        def conceal(run: SeedRun) -> Concealer:
            return Concealer(
                known=known_texts(run.context.values()),
                secret_name=lambda name: is_example_secret_name(name, settings.secret_names),
                holds_secret=lambda text: self.redactor.text(text) != text,
            )

        writing = settings.update_examples and not settings.update_examples_dry_run
        return DriftObserver(document, settings.drift, conceal, settings.updates_examples, writing)

    def failed_record(self, error: BaseException) -> StepRecord | None:
        """The step a failure tells of: the one that failed, or one a timeout cut off."""
        if isinstance(error, StepFailure):
            return error.record
        if isinstance(error, Exception) or self.run is None:
            return None
        return next((r for r in reversed(self.run.records) if r.outcome in CUT_OFF), None)

    def report(self, record: StepRecord) -> str:
        """The failure report of a step, as ``--tb`` asks (masked)."""
        assert self.run is not None
        style = self.config.getoption("tbstyle", "auto")
        where = self.location[0]
        report = failure_report(self.seed, self.run, record, self.redactor, where, style)
        return printable(report)  # an answer's lone surrogates as escapes

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        error = excinfo.value
        record = self.failed_record(error)
        if record is not None:
            try:
                return self.report(record)
            except Exception as problem:  # the report of one seed never stops the run
                return self._short_report(record, problem)
        if isinstance(error, SeedError) and self._seed is None:  # its steps did not build
            return f"broken seed {error}"
        if isinstance(error, SeedError | SeedCrash):
            return f"{self.head.endpoint}: {error}"
        return super().repr_failure(excinfo)  # pytest.Function takes no style

    def _short_report(self, record: StepRecord, problem: Exception) -> str:
        """The failure without what could not be shown (the full report failed)."""
        lines = [
            headline(self.seed, record),
            f"  {record.problem}",
            f"  seed: {self.where(record)}",
            f"  (the full report could not be built: {type(problem).__name__}: {problem})",
        ]
        text = printable("\n".join(lines))
        try:
            return self.redactor.text(text)
        except Exception:
            return text


def _warn(warning: Warning) -> None:
    """Warn; a warning the warning filters turn into an error fails the seed with its text."""
    try:
        warnings.warn(warning, stacklevel=2)
    except Warning as error:
        pytest.fail(
            f"{error}\n  (a {type(error).__name__} made an error by the warning filters, "
            "e.g. filterwarnings = error)",
            pytrace=False,
        )


def _write_har(recorder: HarRecorder, path: Path) -> None:
    """Write a seed's HAR file; one that cannot be written is a warning, not the seed's error."""
    try:
        recorder.write(path)
    except (OSError, ValueError) as error:  # UnicodeError is a ValueError
        _warn(SeedOutputWarning(output_failure("the HAR file", path, error)))


def _guard(function: Callable[[], object]) -> Callable[[], None]:
    """A finalizer whose unexpected exception is a :class:`SeedCrash`."""

    def guarded() -> None:
        with _guarded():
            function()

    return guarded


_NOTE_WARNINGS = (
    (NOTE_PREFIX, SeedContractWarning, "contract"),
    (DRIFT_PREFIX, SeedDriftWarning, "drift"),
)


def step_observers(
    settings: seeds_config.Settings,
    redactor: Redactor,
    checks: Contract,
    har: StepObserver | None = None,
) -> tuple[StepObserver, ...]:
    """The step observers the settings ask for, in the order they must see each step."""
    observers: list[StepObserver] = []
    if settings.request_id_header:
        observers.append(RequestIdHeader(settings.request_id_header))
    if har is not None:
        observers.append(har)
    # off: only the steps whose expect.schema is 'documented'
    observers.append(ContractObserver(checks, settings.contract))
    # last, so that it sees the request as sent
    observers.append(SecretWatch(redactor, settings.secret_names))
    return tuple(observers)
