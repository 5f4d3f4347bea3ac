"""Turn a seed document into a :class:`~pytest_seeds.model.Seed`, or say what is wrong.

:func:`walk` makes every authoring decision on a document and keeps the errors it finds;
:func:`build_seed` raises the first of them, and lint reports them all. Each field takes
the YAML types :mod:`~pytest_seeds.reading.values` allows it, so that what a seed becomes
can always be sent: anything else is an error on the line of that value.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from pytest_seeds.model import (
    KNOWN_STATUSES,
    NOT_RUN_AS_WRITTEN,
    ON_FAIL_VALUES,
    STEP_METHODS,
    FileUpload,
    Phase,
    Seed,
    SeedError,
    SeedHead,
    Step,
    UnknownKeyError,
)
from pytest_seeds.reading import expect as expecting
from pytest_seeds.reading import values
from pytest_seeds.reading.document import Block, Document, Section, load_document
from pytest_seeds.reading.values import BadValue
from pytest_seeds.reading.yamlload import error_hint, error_line, error_text, load_yaml
from pytest_seeds.reading.yamlsafe import LineDict

STEP_LANGS = ("yaml", "yml")
NO_TEST_REQUEST_HINT = "write the request as a ```yaml block with 'steps:' under '## Test Request'"
_FALLBACK_KEYS = ("useFallbackApi", "useFallback")
_FRONT_TEXT = {  # front-matter keys that hold text, and how to write each
    "domain": "domain: clients",
    "swagger": "swagger: specs/clients.json",
    "status": f"status: one of {', '.join(KNOWN_STATUSES)}",
    "skip_reason": "skip_reason: the reason, in words",
    "skipReason": "skipReason: the reason, in words",
}
_FRONT_KEYS = (*_FRONT_TEXT, "tags", "useFallbackApi", "endpoint")  # the ones read
_TEXT_KEYS = frozenset((*_FRONT_TEXT, "tags"))  # any text is right
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ENDPOINT_HINT = 'write it as endpoint: "GET /platform/v1/clients"'
_BLOCK_HINT = "indent with spaces, not tabs, and quote strings that hold '{{' or ': '"
T = TypeVar("T")


@dataclass(frozen=True)
class RawStep:
    """A step as written, where it stands, and its typed form (or why it does not build)."""

    raw: Mapping[str, Any]
    phase: Phase
    block: Block
    id: str
    line: int
    step: Step | None = None
    error: SeedError | None = None  # why it does not build

    def line_of(self, key: str, node: Any = None) -> int:
        """The file line of ``key`` in ``node`` (default: the step mapping itself)."""
        lines = getattr(self.raw if node is None else node, "key_lines", {})
        return self.block.line + lines[key] if key in lines else self.line


@dataclass(frozen=True)
class StepBlock:
    """A ```yaml block of a phase's section: its steps, or why they cannot be read."""

    block: Block
    phase: Phase
    steps: tuple[RawStep, ...] = ()
    error: SeedError | None = None


@dataclass(frozen=True)
class Walk:
    """What the parser makes of a document, every error kept rather than raised."""

    blocks: tuple[StepBlock, ...]  # the step blocks of the phase sections, in document order
    status: str
    status_error: SeedError | None
    outcome: int | None  # the front matter's expectedOutcome
    outcome_error: SeedError | None
    test_section: Section | None  # the first '## Test Request' section
    no_test_request_reason: str  # empty when the Test Request has steps
    test_request_error: SeedError | None
    front_error: SeedError | None = None  # a front-matter value of the wrong type

    @property
    def steps(self) -> list[RawStep]:
        """Every step as written, in document order."""
        return [raw for item in self.blocks for raw in item.steps]

    def first_error(self) -> SeedError | None:
        """The error that stops the document from building: the front matter's, else the
        first in document order."""
        errors = [self.front_error, self.outcome_error]
        for item in self.blocks:
            errors += [item.error, *(raw.error for raw in item.steps)]
        return next((error for error in errors if error is not None), None)


def load_seed(path: Path) -> Seed | None:
    """Read and parse one file; None when it is not a seed. Raises :class:`SeedError`."""
    document = load_document(path)
    return None if document is None else build_seed(document)


def load_head(path: Path) -> SeedHead | None:
    """Read one file's head; None when it is not a seed. Raises :class:`SeedError`."""
    document = load_document(path)
    return None if document is None else read_head(document)


def read_head(doc: Document) -> SeedHead:
    """Check a document's front matter and read its head (no step is parsed)."""
    front = doc.front
    endpoint = front.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise SeedError(
            doc.path,
            doc.front_lines.get("endpoint"),
            "'endpoint' must be a non-empty string",
            _ENDPOINT_HINT,
        )
    error = front_error(doc)
    if error is not None:
        raise error
    expected_outcome(doc)  # a bad expectedOutcome is the front matter's error, not a step's
    status = _status(doc)
    return SeedHead(
        path=doc.path,
        endpoint=" ".join(endpoint.split()),
        line=doc.front_lines.get("endpoint", 1),
        domain=values.text(front.get("domain"), "'domain'"),
        tags=tuple(tag for tag in values.words(front.get("tags"), "tags") if tag),
        swagger=values.text(front.get("swagger"), "'swagger'") or None,
        status=status,
        skip_reason=skip_reason(doc) if status in NOT_RUN_AS_WRITTEN else "",
    )


def build_seed(doc: Document, head: SeedHead | None = None) -> Seed:
    """Check a document and build its typed seed (``head``: its :func:`read_head`, if read)."""
    head = read_head(doc) if head is None else head
    walked = walk(doc)
    error = walked.first_error()
    if error is not None:
        raise error
    return Seed(
        **{field.name: getattr(head, field.name) for field in dataclasses.fields(SeedHead)},
        steps=tuple(raw.step for raw in walked.steps if raw.step is not None),
        no_test_request_reason=walked.no_test_request_reason,
        problem=walked.status_error or walked.test_request_error,
    )


def _status(doc: Document) -> str:
    return _text_or_empty(doc.front.get("status")).strip().lower()


def walk(doc: Document) -> Walk:
    """Read a document's status, expectedOutcome and steps; errors are kept, not raised."""
    status = _status(doc)
    status_error = None
    if status and status not in KNOWN_STATUSES:  # told on the seed's line: the item's
        status_error = SeedError(
            doc.path,
            doc.front_lines.get("endpoint", 1),
            f"unknown status '{status}'",
            f"use one of {', '.join(KNOWN_STATUSES)}",
        )
    try:
        outcome, outcome_error = expected_outcome(doc), None
    except SeedError as error:
        outcome, outcome_error = None, error
    blocks = tuple(
        _step_block(doc, block, section.phase)
        for section in doc.sections
        if section.phase is not None
        for block in section.blocks
        if block.lang in STEP_LANGS
    )
    test_section = next((s for s in doc.sections if s.phase is Phase.TEST), None)
    has_test = any(item.phase is Phase.TEST and item.steps for item in blocks)
    reason = "" if has_test else _no_test_request_reason(test_section)
    test_error = None
    if reason:
        message = f"no executable Test Request: {reason}"
        test_error = SeedError(doc.path, None, message, NO_TEST_REQUEST_HINT)
    return Walk(
        blocks,
        status,
        status_error,
        outcome,
        outcome_error,
        test_section,
        reason,
        test_error,
        front_error(doc),
    )


def front_error(doc: Document) -> SeedError | None:
    """The first front-matter value of a wrong type, on its line; None when all are right.

    Keys the seed format does not use are not read, so they may hold any value.
    """
    for key in _FRONT_KEYS:
        value = doc.front.get(key)
        if value is None or (type(value) is str and key in _TEXT_KEYS):
            continue  # the common case, quickly
        try:
            _front_value(key, value)
        except BadValue as bad:
            line = doc.front_lines.get(key, doc.front_lines.get("endpoint"))
            return SeedError(doc.path, line, bad.message, bad.hint, key)
    return None


def _front_value(key: str, value: Any) -> None:
    if key in _FRONT_TEXT:
        values.text(value, f"'{key}'", _FRONT_TEXT[key])
    elif key == "tags":
        values.words(value, key)
    elif key == "useFallbackApi":
        values.flag(value, key)
    elif isinstance(value, str) and _CONTROL.search(value):  # the endpoint
        raise BadValue("'endpoint' holds a control character", _ENDPOINT_HINT)


def _text_or_empty(value: Any) -> str:
    try:
        return values.text(value, "")
    except BadValue:  # told by front_error
        return ""


def _step_block(doc: Document, block: Block, phase: Phase) -> StepBlock:
    try:
        raws = block_steps(doc.path, block)
    except SeedError as error:
        return StepBlock(block, phase, error=error)
    steps = []
    for index, raw in enumerate(raws):
        step_id = _text_or_empty(raw.get("id")) or f"{phase.value}-{index + 1}"
        here = RawStep(raw, phase, block, step_id, block.line + _line(raw))
        try:
            here = dataclasses.replace(here, step=build_step(doc.path, here, doc.front))
        except SeedError as error:
            here = dataclasses.replace(here, error=error)
        steps.append(here)
    return StepBlock(block, phase, tuple(steps))


def block_steps(path: Path, block: Block) -> list[Mapping[str, Any]]:
    """The step mappings of a ```yaml block (empty when it holds no ``steps:``)."""
    try:
        data = load_yaml(block.text)
    except yaml.YAMLError as error:
        line = error_line(error)
        last = block.text.rstrip("\n").count("\n") + 1  # an error at the end: its last line
        raise SeedError(
            path,
            block.line + min(line, last) if line else block.line,
            f"the ```{block.lang} block does not parse: {error_text(error)}",
            error_hint(error, _BLOCK_HINT, block.text),
        ) from None
    if not isinstance(data, Mapping) or "steps" not in data:
        return []
    steps = data["steps"]
    if steps is None:
        return []
    if not isinstance(steps, list):
        raise SeedError(
            path,
            block.line + _line(data, "steps"),
            "'steps' must be a list of steps",
            "start each step with '- id: ...'",
        )
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, Mapping):
            raise SeedError(
                path,
                block.line + _line(data, "steps"),
                f"step {number} is a {type(step).__name__}, not a mapping of keys",
                "write each step as a mapping: '- id: ...' then 'method:', 'path:' on their own lines",
            )
    return steps


def build_step(path: Path, here: RawStep, front: Mapping[str, Any]) -> Step:
    """Check one raw step mapping and build a :class:`Step`."""
    raw, phase = here.raw, here.phase

    def fail(key: str, message: str, hint: str = "", line: int = 0) -> SeedError:
        where = here.block.line + line if line else here.line_of(key)
        return SeedError(path, where, f"step '{here.id}': {message}", hint, key)

    def read(key: str, check: Callable[..., T], *args: Any) -> T:
        """The value of ``key`` as ``check`` takes it; its refusal is this step's error."""
        try:
            return check(raw.get(key), *args)
        except BadValue as bad:
            raise fail(key, bad.message, bad.hint, bad.line) from None

    unknown = expecting.unknown_keys(raw)
    if unknown:
        first = unknown[0]
        line = here.line_of(first.key, first.node)
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        message = f"step '{here.id}': unknown key '{first.shown}'{more}"
        raise UnknownKeyError(path, line, message, first.hint, first.shown)
    for key in ("method", "path"):
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise fail(key, f"'{key}' is missing", "every step needs 'method' and 'path'")
    if not isinstance(raw["method"], str):
        message = f"'method' must be an HTTP method, not {values.other(raw['method'])}"
        raise fail("method", message, ", ".join(STEP_METHODS))
    method = raw["method"].strip().upper()
    if method not in STEP_METHODS:
        raise fail("method", f"'{raw['method']}' is not an HTTP method", ", ".join(STEP_METHODS))
    if not isinstance(raw["path"], str):
        raise fail(
            "path", f"'path' must be text, not {values.other(raw['path'])}", "path: /v1/things"
        )
    read("id", values.text, "'id'", "id: create_client")
    expect = raw.get("expect")
    if expect is None:
        expect = {}
    if not isinstance(expect, Mapping):
        raise fail("expect", "'expect' must be a mapping", "expect:\n  status: 200")
    status = expect.get("status")
    if status is None and phase is Phase.TEST:
        status = front.get("expectedOutcome")
    try:
        expect_status = _statuses(status)
    except ValueError as error:
        raise fail(
            "expect", str(error), "status: 200, or a list such as status: [200, 201]"
        ) from None
    try:
        checks = expecting.checks(expect)
        schema = expecting.expect_schema(expect)
    except BadValue as bad:
        raise fail("expect", bad.message, bad.hint, bad.line) from None
    polling = read("poll", expecting.poll, _statuses)
    on_fail = read("onFail", values.text, "'onFail'").strip().lower() or "abort"
    if on_fail not in ON_FAIL_VALUES:
        raise fail(
            "onFail", f"onFail '{raw['onFail']}' is unknown", f"one of {', '.join(ON_FAIL_VALUES)}"
        )
    fields = {
        key: read(key, values.mapping, key, values.single, f"{key}: {{name: value}}")
        for key in ("params", "headers", "form_fields")
    }
    extract = read("extract", values.mapping, "extract", values.jsonpath, "extract: {id: $.id}")
    fallback = [read(key, values.flag, key) for key in _FALLBACK_KEYS]
    fallback.append(front.get("useFallbackApi"))  # checked with the front matter
    content_type = read("content_type", values.text, "'content_type'", "content_type: multipart")
    return Step(
        id=here.id,
        phase=phase,
        method=method,
        path=raw["path"].strip(),
        line=here.line,
        description=read("description", values.text, "'description'"),
        token=read("token", values.text, "'token'", "token: staff").strip().lower() or None,
        params=fields["params"],
        body=read("body", values.json_value, "body"),
        headers=fields["headers"],
        extract=extract,
        expect_status=expect_status,
        on_fail=on_fail,
        skip_reason=read("skipReason", values.text, "'skipReason'").strip(),
        sleep_ms=read("sleep", values.sleep_ms),
        use_fallback=any(value is True for value in fallback),
        x_on_behalf_of=read("x_on_behalf_of", values.flag, "x_on_behalf_of"),
        multipart=content_type.strip().lower() in ("multipart", "multipart/form-data"),
        form_fields=fields["form_fields"],
        file_fields=_uploads(raw.get("file_fields"), fail),
        checks=checks,
        schema=schema,
        poll=polling,
    )


def skip_reason(doc: Document) -> str:
    """Front-matter reason first (either spelling), then a ``## Skip Reason`` section."""
    for key in ("skip_reason", "skipReason"):
        reason = _text_or_empty(doc.front.get(key))
        if reason:
            return " ".join(reason.split())
    for section in doc.sections:
        if section.heading.lower().startswith("skip reason"):
            text = " ".join(" ".join(section.text).split())
            if text:
                return text
    return ""


def expected_outcome(doc: Document) -> int | None:
    value = doc.front.get("expectedOutcome")
    try:
        return _statuses(value)[0] if value is not None else None
    except ValueError:
        raise SeedError(
            doc.path,
            doc.front_lines.get("expectedOutcome"),
            f"expectedOutcome {values.shown(value)} is not an HTTP status",
            "for example expectedOutcome: 422",
        ) from None


def _no_test_request_reason(section: Section | None) -> str:
    """Why a document without a ```yaml Test Request block has nothing to run."""
    if section is None:
        return "it has no '## Test Request' section"
    langs = [block.lang or "plain" for block in section.blocks]
    if any(lang in STEP_LANGS for lang in langs):
        return f"its '## {section.heading}' section (line {section.line}) has no steps"
    if langs:
        return (
            f"its '## {section.heading}' section (line {section.line}) holds a "
            f"```{langs[0]} block, not a ```yaml block with 'steps:'"
        )
    return f"its '## {section.heading}' section (line {section.line}) has no ```yaml steps"


def _statuses(value: Any) -> tuple[int, ...]:
    if value is None:
        return (200,)
    items = value if isinstance(value, list) else [value]
    result = []
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool):
            code = item
        elif isinstance(item, str) and item.strip().isascii() and item.strip().isdigit():
            code = int(item.strip())
        else:
            raise ValueError(f"expected status {values.shown(item)} is not an HTTP status code")
        if not 100 <= code <= 599:
            raise ValueError(f"expected status {values.shown(code)[:20]} is outside 100-599")
        result.append(code)
    if not result:
        raise ValueError("expect.status is an empty list")
    return tuple(result)


_UPLOAD_HINT = "- field_name: file\n  file_path: sample.pdf\n  filename: report.pdf"


def _uploads(value: Any, fail: Callable[..., SeedError]) -> tuple[FileUpload, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise fail("file_fields", "'file_fields' must be a list", _UPLOAD_HINT)
    uploads = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, Mapping) or not item.get("field_name") or not item.get("file_path"):
            raise fail(
                "file_fields",
                "each file_fields item needs 'field_name' and 'file_path'",
                _UPLOAD_HINT,
            )
        lines = getattr(item, "key_lines", {})
        texts = []
        for key in ("field_name", "file_path", "filename"):
            try:
                texts.append(values.text(item.get(key), f"file_fields[{number}].{key}"))
            except BadValue as bad:
                raise fail("file_fields", bad.message, _UPLOAD_HINT, lines.get(key, 0)) from None
        name, file_path, filename = texts
        uploads.append(FileUpload(name, file_path, filename or None))
    return tuple(uploads)


def _line(node: Any, key: str | None = None) -> int:
    """0-based offset of a mapping (or of one of its keys) inside its YAML block."""
    if isinstance(node, LineDict):
        return node.key_lines.get(key, node.line) if key else node.line
    return 1
