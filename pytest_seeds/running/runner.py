"""Running a seed's steps: render, send, check the status, extract, sleep."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from time import monotonic
from typing import Any, Protocol

from pytest_seeds.http.faults import status_hint
from pytest_seeds.http.transport import Client, Request, Response, TransportError, Upload
from pytest_seeds.http.wire import header_problem
from pytest_seeds.model import FileUpload, Phase, Seed, Step
from pytest_seeds.reading.values import BadValue, json_value
from pytest_seeds.running import expect as expecting
from pytest_seeds.running.auth import step_credentials, token_type, wants_on_behalf_of
from pytest_seeds.running.extract import ExtractError, extract
from pytest_seeds.running.routing import MissingBaseURL, Target, base_url_for
from pytest_seeds.running.templating import Context, TemplateError, as_text
from pytest_seeds.secrets.secret import Secret, Text, join, reveal, reveal_text
from pytest_seeds.secrets.watch import conceal_named, conceal_tokens, secret_if_named
from pytest_seeds.settings import BUILTIN_SCHEMES, HeaderScheme, token_variable

OnBehalfLookup = Callable[[Seed, Step], bool]


class StepObserver(Protocol):
    """Extension point around each step (contract checks, HAR files, request ids)."""

    def before_send(self, run: SeedRun, step: Step, request: Request) -> None:
        """Called with the rendered request; may add headers."""

    def after_response(self, run: SeedRun, record: StepRecord) -> None:
        """Called once the status matched, before extraction; raise StepProblem to fail the step."""

    def after_step(self, run: SeedRun, record: StepRecord) -> None:
        """Called after every step that was attempted, whatever its outcome."""


@dataclass(frozen=True)
class Environment:
    """Everything a seed run needs from outside: where, with what, and how.

    Tokens, and values whose names are secret (``secret_names``: the config file's
    ``secrets:``), are Secrets here whatever was passed in: ``seeds_tokens`` and
    ``seeds_params`` overrides may return plain strings.
    """

    target: Target
    tokens: Mapping[str, Secret]
    params: Mapping[str, Any]
    client: Client
    files_dir: Path | None = None
    swagger_on_behalf_of: OnBehalfLookup | None = None
    observers: tuple[StepObserver, ...] = ()
    secret_names: tuple[str, ...] = ()
    max_sleep: float = 30.0  # seconds; a step's longer sleep is cut to this (--seeds-max-sleep)
    schemes: Mapping[str, HeaderScheme] = field(default_factory=lambda: dict(BUILTIN_SCHEMES))

    def __post_init__(self) -> None:
        object.__setattr__(self, "tokens", conceal_tokens(self.tokens))
        object.__setattr__(self, "params", conceal_named(self.params, self.secret_names))


@dataclass
class StepRecord:
    """One line of a seed run's transcript."""

    step: Step
    method: str
    url: Text = ""
    status: int | None = None
    seconds: float = 0.0
    outcome: str = "ok"  # ok | failed | continued | not run | cut off | interrupted
    problem: str = ""
    notes: list[str] = field(default_factory=list)
    request: Request | None = None
    response: Response | None = field(default=None, repr=False)
    attempts: int = 1  # more when the step polls


class StepFailure(Exception):
    """A step did not do what the seed expects; its record says where and why."""

    def __init__(self, record: StepRecord) -> None:
        self.record = record
        super().__init__(record.problem)


class SeedRun:
    """The state of one seed run: template context and transcript."""

    def __init__(self, seed: Seed, env: Environment, now: datetime | None = None) -> None:
        self.seed = seed
        self.env = env
        self.context = Context(env.params, now)
        self.records: list[StepRecord] = []
        self.failed = False
        self.unavailable: dict[str, str] = {}  # extract name -> skipReason of its failed step

    def run(self, phase: Phase) -> None:
        """Run every step of a phase in order; raise :class:`StepFailure` on an abort."""
        for step in self.seed.phase(phase):
            self.run_step(step)

    def run_step(self, step: Step) -> StepRecord:
        """Run one step; non-abort failures are recorded and the run goes on."""
        record = StepRecord(step, step.method)
        self.records.append(record)
        started = monotonic()
        try:
            request = self.build(step)
            record.url, record.request = request.url, request
            for observer in self.env.observers:
                observer.before_send(self, step, request)
            problem = self._header_problem(step, request)
            if problem:
                record.request = None  # never sent: no curl line reproduces it
                raise StepProblem(problem)
            if step.poll is None:
                response, record.seconds = self.env.client.send(request)
                record.response, record.status = response, response.status
                record.notes += response.notes
            else:
                response = self._poll(step, request, record)
            if response.status not in step.expect_status:
                raise StepProblem(_status_problem(step, response.status))
            self._check(step, record, response)
            self.extract(step, response)
        except (StepProblem, TemplateError, TransportError, ExtractError, MissingBaseURL) as error:
            record.problem = str(error)
            reason = self._skip_reason(error)
            if reason is not None:
                record.outcome = "not run"
                if step.phase is Phase.CLEANUP:
                    return record
                raise SeedSkipped(reason) from None
            if isinstance(error, TransportError):
                record.notes += error.notes
                record.seconds = error.seconds
            if step.phase is Phase.CLEANUP and isinstance(error, TemplateError) and self.failed:
                record.outcome = "not run"
                record.problem += " (an earlier step failed before providing it)"
                return record
            self.failed = self.failed or step.on_fail == "abort"
            record.outcome = "failed" if step.on_fail == "abort" else "continued"
            if step.on_fail == "skip":
                reason = step.skip_reason or f"step '{step.id}' failed: {record.problem}"
                for name in step.extract:
                    if name not in self.context.extracted:
                        self.unavailable.setdefault(name, reason)
            if step.on_fail == "abort":
                raise StepFailure(record) from None
            return record
        except Exception as error:  # a configured value that fails, a bug: this seed fails
            record.problem = f"{type(error).__name__}: {error}"
            record.outcome, self.failed = "failed", True
            raise StepFailure(record) from error
        except BaseException as error:  # Ctrl-C, or a timeout (pytest-timeout) stopped the step
            record.outcome = "interrupted" if isinstance(error, KeyboardInterrupt) else "cut off"
            record.problem = str(error) or type(error).__name__
            record.seconds = monotonic() - started
            raise
        finally:
            for observer in self.env.observers:
                observer.after_step(self, record)
        if step.sleep_ms:
            self._sleep(step, record)
        return record

    def _check(self, step: Step, record: StepRecord, response: Response) -> None:
        """``expect``'s checks, then the observers' (the contract's, a documented schema):
        every failure of the step in one problem."""
        failures = expecting.evaluate(step.checks, response, record.seconds, self.context.render)
        if isinstance(step.schema, Mapping):
            failures += expecting.schema_failures(step.schema, response)
        problems = [expecting.failures_text(failures)] if failures else []
        for observer in self.env.observers:
            try:
                observer.after_response(self, record)
            except StepProblem as problem:
                problems.append(str(problem))
        if problems:
            raise StepProblem("\n".join(problems))

    def _poll(self, step: Step, request: Request, record: StepRecord) -> Response:
        """Send until ``poll.until`` holds; each attempt is a note. Raises StepProblem when
        ``fail_if`` holds or the time budget (at most ``--seeds-max-sleep``) runs out."""
        assert step.poll is not None
        poll, render = step.poll, self.context.render
        budget = poll.timeout_ms / 1000
        if budget > self.env.max_sleep:
            record.notes.append(
                f"polls for {self.env.max_sleep:g} s, not the {poll.timeout_ms} ms the step asks "
                "for: --seeds-max-sleep caps it"
            )
            budget = self.env.max_sleep
        started = time.monotonic()
        while True:
            response, record.seconds = self.env.client.send(request)
            record.response, record.status = response, response.status
            record.notes += response.notes
            tried = f"attempt {record.attempts}: {response.status} ({record.seconds * 1000:.0f} ms)"
            if poll.fail_if is not None and not expecting.condition_failures(
                poll.fail_if, response, record.seconds, render
            ):
                record.notes.append(f"{tried}: fail_if holds")
                raise StepProblem(
                    f"polling stopped after {_attempts(record.attempts)}: fail_if holds"
                )
            unmet = expecting.condition_failures(poll.until, response, record.seconds, render)
            if not unmet:
                record.notes.append(f"{tried}: until holds")
                return response
            record.notes.append(f"{tried}: not yet, {expecting.short(unmet)}")
            elapsed = time.monotonic() - started
            if elapsed + poll.interval_ms / 1000 > budget:
                title = (
                    f"polling gave up after {_attempts(record.attempts)} in {elapsed:.1f} s "
                    f"(timeout_ms {poll.timeout_ms}): until never held"
                )
                raise StepProblem(expecting.failures_text(unmet, title))
            time.sleep(poll.interval_ms / 1000)
            record.attempts += 1

    def _skip_reason(self, error: Exception) -> str | None:
        """The skipReason of the failed ``onFail: skip`` step whose value this error lacks."""
        if not isinstance(error, TemplateError) or error.problem != "is not defined":
            return None
        return self.unavailable.get(error.name.split(".")[0])

    def _header_problem(self, step: Step, request: Request) -> str | None:
        """Why a header of the request cannot be sent (names the header, never the value)."""
        for name, value in request.headers.items():
            found = header_problem(name, str(reveal_text(value)))
            if found is None:
                continue
            problem, hint = found
            if name == "Authorization" and "authorization" not in map(str.lower, step.headers):
                kind = token_type(step)
                hint = (
                    f"the {kind} token holds it; check {token_variable(kind)} or 'tokens:' in "
                    "the --seeds-config file (a token read from a file often ends with a line break)"
                )
            return f"{problem}; hint: {hint}"
        return None

    def _sleep(self, step: Step, record: StepRecord) -> None:
        """The step's ``sleep``, cut to ``--seeds-max-sleep`` (and noted) when longer."""
        seconds, cap = step.sleep_ms / 1000, self.env.max_sleep
        if seconds > cap:
            asked = f"{step.sleep_ms}" if step.sleep_ms < 10**12 else f"{step.sleep_ms:.3g}"
            record.notes.append(
                f"slept {cap:g} s, not the {asked} ms the step asks for: --seeds-max-sleep caps "
                "it (raise it if later steps need the whole wait)"
            )
            seconds = cap
        time.sleep(seconds)

    def build(self, step: Step) -> Request:
        """Render a step into a request: URL, auth, params, headers and body.

        Secrets stay Secrets in the request (a secret in the path makes the URL one).
        """
        where = f"step '{step.id}'"
        render = self.context.render
        path = as_text(render(step.path, f"{where} path"))
        route = reveal_text(path)  # where it goes is decided on the plain path
        base = base_url_for(step, route, self.env.target) if "://" not in route else ""
        url = join([base, "" if route.startswith("/") or not base else "/", path])
        headers = step_credentials(step, self.env.tokens, route, self.env.target, self.env.schemes)
        declared = self.env.swagger_on_behalf_of
        if wants_on_behalf_of(step, declared is not None and declared(self.seed, step)):
            headers["X-On-Behalf-Of"] = as_text(self._business_uid(where))
        headers.update({k: as_text(v) for k, v in render(step.headers, f"{where} headers").items()})
        params = {k: as_text(v) for k, v in render(step.params, f"{where} params").items()}
        request = Request(step.method, url, params=params, headers=headers)
        if step.multipart:
            fields = render(step.form_fields, f"{where} form_fields")
            request.form = {k: as_text(v) for k, v in fields.items()}
            request.files = tuple(self._upload(step, upload) for upload in step.file_fields)
        elif step.body is not None:
            request.json = render(step.body, f"{where} body")
            try:  # the seed's own body is checked when read: this is what templates put in
                json_value(reveal(request.json), "body")
            except BadValue as bad:
                raise StepProblem(f"the body cannot be sent as JSON: {bad.message}") from None
        return request

    def extract(self, step: Step, response: Response) -> None:
        """Store each ``extract`` value for later steps (a Secret when its name is secret)."""
        for name, expression in step.extract.items():
            if "{{" in expression and not expression.lstrip().startswith("$"):
                value = self.context.render(expression, f"extract {name}")
            else:
                try:
                    document = response.json()
                except ValueError as error:
                    raise StepProblem(f"extract '{name}' needs a JSON body, but {error}") from None
                try:
                    value = extract(document, expression)
                except ExtractError as error:
                    raise StepProblem(f"extract '{name}': {error}") from None
            self.context.extracted[name] = secret_if_named(name, value, self.env.secret_names)

    def _business_uid(self, where: str) -> Any:
        for name in ("business_uid", "business_id"):
            if name in self.context:
                return self.context.lookup(name)
        raise TemplateError("business_uid", f"{where} X-On-Behalf-Of header")

    def _upload(self, step: Step, upload: FileUpload) -> Upload:
        bases = [self.seed.path.parent]
        if self.env.files_dir is not None:
            bases.append(self.env.files_dir)
        for base in bases:
            if _inside(base, upload.file_path):
                candidate = (base / upload.file_path).resolve()
                name = upload.filename or candidate.name
                filename = as_text(
                    self.context.render(name, f"step '{step.id}' file_fields filename")
                )
                return Upload(upload.field_name, candidate, filename)
        folders = " or ".join(str(base) for base in bases)
        raise StepProblem(
            f"file_fields '{upload.file_path}' is not a file inside {folders}; "
            "upload files must live in the seed's folder or in --seeds-files-dir"
        )


def _inside(base: Path, relative: str) -> bool:
    """Whether ``base/relative`` is a file inside ``base`` (symbolic links followed)."""
    try:
        candidate = (base / relative).resolve()
        return candidate.is_relative_to(base.resolve()) and candidate.is_file()
    except (OSError, ValueError):  # a name too long, a NUL byte: no such file
        return False


class SeedSkipped(Exception):
    """A step needs a value an earlier ``onFail: skip`` step could not extract: skip the seed."""


class StepProblem(Exception):
    """A check of a step failed; the message says what was wanted and what came."""


def _attempts(count: int) -> str:
    return f"{count} attempt{'s' if count != 1 else ''}"


def _status_problem(step: Step, status: int) -> str:
    wanted = " or ".join(map(str, step.expect_status))
    hint = status_hint(status, step.method)
    return f"expected status {wanted}, received {status}" + (f"; {hint}" if hint else "")
