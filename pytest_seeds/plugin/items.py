"""The seed File and Item classes: how a seed document becomes and runs as a pytest item."""

from __future__ import annotations

import dataclasses
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from pytest_seeds import settings as seeds_config
from pytest_seeds.contract.checks import Contract
from pytest_seeds.contract.observer import NOTE_PREFIX, ContractObserver
from pytest_seeds.model import SKIP_STATUSES, XFAIL_STATUSES, Phase, Seed, SeedError
from pytest_seeds.output.report import failure_report
from pytest_seeds.plugin.state import (
    HAR_NAMES_KEY,
    LABEL_MARKS_KEY,
    REDACTOR_KEY,
    RESERVED_MARKS,
    SWAGGER_TOLD_KEY,
    SeedContractWarning,
    SeedStepWarning,
    SeedSwaggerWarning,
    contract,
    get_settings,
    junit_allows_properties,
    swagger_index,
)
from pytest_seeds.reading.document import Document
from pytest_seeds.reading.parser import load_seed
from pytest_seeds.running.auth import missing_token_reason, missing_tokens
from pytest_seeds.running.requestid import RequestIdHeader
from pytest_seeds.running.runner import Environment, SeedRun, StepFailure, StepObserver, StepRecord
from pytest_seeds.secrets.redact import Redactor
from pytest_seeds.secrets.watch import SecretWatch


def _seed_fixtures(seeds_environment: Environment) -> None:
    """Names the one fixture a seed item needs; the item runs the seed itself."""


class SeedFile(pytest.File):
    """A Markdown file that may be a seed: yields one item, or none for other Markdown."""

    def collect(self) -> Iterator[pytest.Item]:
        if get_settings(self.config).lint:
            from pytest_seeds import lint as seeds_lint  # imported only when linting

            target = seeds_lint.read(self.path)
            if target is not None:
                name = self.config.stash[REDACTOR_KEY].text(_lint_name(target))
                yield SeedLintItem.from_parent(self, name=name, target=target)
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


def _lint_fixtures(seeds_params: dict[str, Any]) -> None:
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
        from pytest_seeds import lint as seeds_lint

        params = cast(dict[str, Any], self.funcargs["seeds_params"])
        findings = seeds_lint.check(self.target, params, contract(self.config))
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
        # the endpoint names the test everywhere (terminal, JUnit, summary): masked, the same
        # way on every xdist worker (only configured secrets and names are known this early)
        name = kwargs["parent"].config.stash[REDACTOR_KEY].text(seed.endpoint)
        super().__init__(name=name, callobj=_seed_fixtures, **kwargs)
        self.seed = seed
        self.run: SeedRun | None = None
        self.missing_tokens: list[str] = []
        self.add_marker("seed")
        for label in dict.fromkeys([seed.domain, *seed.tags]):
            if label:
                self.add_marker(_label_mark(self.config, label))
        if junit_allows_properties(self.config):
            self.user_properties += [
                ("endpoint", self.name),
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
    def from_parent(cls, parent: pytest.Collector, **kwargs: Any) -> SeedItem:
        return super().from_parent(parent, **kwargs)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.seed.line - 1, self.name

    def setup(self) -> None:
        if self.seed.problem is not None:  # collected, so that it errors under its endpoint
            raise self.seed.problem
        super().setup()
        environment = cast(Environment, self.funcargs["seeds_environment"])
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
                    if junit_allows_properties(self.config):
                        self.user_properties.append(("contract", text))
        told = self.config.stash.setdefault(SWAGGER_TOLD_KEY, set())
        for problem in swagger_index(self.config).problems():
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
        from pytest_seeds.output.har import HarRecorder  # imported only when recording

        recorder = HarRecorder(self.seed, self.redactor)
        path = settings.har / self.config.stash[HAR_NAMES_KEY][self.path]
        self.addfinalizer(lambda: recorder.write(path))  # runs after the Cleanup steps
        observers = step_observers(settings, self.redactor, contract(self.config), recorder)
        return dataclasses.replace(environment, observers=observers)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        error = excinfo.value
        if isinstance(error, StepFailure) and self.run is not None:
            return failure_report(self.seed, self.run, error.record, self.redactor)
        if isinstance(error, SeedError):
            return f"{self.seed.endpoint}: {error}"
        return super().repr_failure(excinfo)  # pytest.Function takes no style


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
    if settings.contract != "off":
        observers.append(ContractObserver(checks, settings.contract))
    # last, so that it sees the request as sent
    observers.append(SecretWatch(redactor, settings.secret_names))
    return tuple(observers)
