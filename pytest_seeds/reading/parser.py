"""Turn a seed document into a :class:`~pytest_seeds.model.Seed`, or say what is wrong."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from pytest_seeds.model import (
    ON_FAIL_VALUES,
    STEP_METHODS,
    FileUpload,
    Phase,
    Seed,
    SeedError,
    Step,
)
from pytest_seeds.reading.document import Block, Document, Section, load_document
from pytest_seeds.reading.yamlload import LineDict, error_line, error_text, load_yaml

STEP_LANGS = ("yaml", "yml")
_FALLBACK_KEYS = ("useFallbackApi", "useFallback")


def load_seed(path: Path) -> Seed | None:
    """Read and parse one file; None when it is not a seed. Raises :class:`SeedError`."""
    document = load_document(path)
    return None if document is None else build_seed(document)


def build_seed(doc: Document) -> Seed:
    """Check a raw document and build its typed seed."""
    front = doc.front
    endpoint = front.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise SeedError(
            doc.path,
            doc.front_lines.get("endpoint"),
            "'endpoint' must be a non-empty string",
            'write it as endpoint: "GET /platform/v1/clients"',
        )
    outcome = expected_outcome(doc)  # a bad value is the front matter's fault, not a step's
    steps: list[Step] = []
    for section in doc.sections:
        if section.phase is None:
            continue
        for block in section.blocks:
            if block.lang not in STEP_LANGS:
                continue
            for index, raw in enumerate(block_steps(doc.path, block)):
                steps.append(build_step(doc.path, block, raw, section.phase, index, front))
    has_test = any(step.phase is Phase.TEST for step in steps)
    reason = "" if has_test else no_test_request_reason(doc.sections)
    return Seed(
        path=doc.path,
        endpoint=" ".join(endpoint.split()),
        line=doc.front_lines.get("endpoint", 1),
        domain=str(front.get("domain") or ""),
        tags=tuple(str(tag) for tag in _as_list(front.get("tags"))),
        swagger=str(front["swagger"]) if front.get("swagger") else None,
        status=str(front.get("status") or "").strip().lower(),
        skip_reason=skip_reason(doc),
        expected_outcome=outcome,
        steps=tuple(steps),
        has_test_request=not reason,
        no_test_request_reason=reason,
    )


def block_steps(path: Path, block: Block) -> list[Mapping[str, Any]]:
    """The step mappings of a ```yaml block (empty when it holds no ``steps:``)."""
    try:
        data = load_yaml(block.text)
    except yaml.YAMLError as error:
        line = error_line(error)
        raise SeedError(
            path,
            block.line + line if line else block.line,
            f"the ```{block.lang} block does not parse: {error_text(error)}",
            "indent with spaces, not tabs, and quote strings that hold '{{' or ': '",
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


def build_step(
    path: Path,
    block: Block,
    raw: Mapping[str, Any],
    phase: Phase,
    index: int,
    front: Mapping[str, Any],
) -> Step:
    """Check one raw step mapping and build a :class:`Step`."""
    line = block.line + _line(raw)
    step_id = str(raw.get("id") or f"{phase.value}-{index + 1}")

    def fail(key: str, message: str, hint: str = "") -> SeedError:
        line = block.line + _line(raw, key)
        return SeedError(path, line, f"step '{step_id}': {message}", hint, key)

    for key in ("method", "path"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise fail(key, f"'{key}' is missing", "every step needs 'method' and 'path'")
    method = raw["method"].strip().upper()
    if method not in STEP_METHODS:
        raise fail("method", f"'{raw['method']}' is not an HTTP method", ", ".join(STEP_METHODS))
    expect = raw.get("expect") or {}
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
    on_fail = str(raw.get("onFail") or "abort").strip().lower()
    if on_fail not in ON_FAIL_VALUES:
        raise fail(
            "onFail", f"onFail '{raw['onFail']}' is unknown", f"one of {', '.join(ON_FAIL_VALUES)}"
        )
    for key in ("params", "headers", "extract", "form_fields"):
        if raw.get(key) is not None and not isinstance(raw[key], Mapping):
            raise fail(key, f"'{key}' must be a mapping of names to values")
    try:
        sleep_ms = int(raw.get("sleep") or 0)
    except (TypeError, ValueError):
        raise fail("sleep", "'sleep' must be a number of milliseconds") from None
    return Step(
        id=step_id,
        phase=phase,
        method=method,
        path=raw["path"].strip(),
        line=line,
        description=str(raw.get("description") or ""),
        token=str(raw["token"]).strip().lower() if raw.get("token") else None,
        params=dict(raw.get("params") or {}),
        body=raw.get("body"),
        headers={str(k): v for k, v in (raw.get("headers") or {}).items()},
        extract={str(k): str(v) for k, v in (raw.get("extract") or {}).items()},
        expect_status=expect_status,
        on_fail=on_fail,
        sleep_ms=max(sleep_ms, 0),
        use_fallback=any(
            bool(source.get(key)) for source in (raw, front) for key in _FALLBACK_KEYS
        ),
        x_on_behalf_of=None if raw.get("x_on_behalf_of") is None else bool(raw["x_on_behalf_of"]),
        multipart=str(raw.get("content_type") or "").lower()
        in ("multipart", "multipart/form-data"),
        form_fields=dict(raw.get("form_fields") or {}),
        file_fields=_uploads(raw.get("file_fields"), fail),
        skip_reason=str(raw.get("skipReason") or ""),
    )


def skip_reason(doc: Document) -> str:
    """Front-matter reason first (either spelling), then a ``## Skip Reason`` section."""
    for key in ("skip_reason", "skipReason"):
        if doc.front.get(key):
            return " ".join(str(doc.front[key]).split())
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
            f"expectedOutcome {value!r} is not an HTTP status",
            "for example expectedOutcome: 422",
        ) from None


def no_test_request_reason(sections: list[Section]) -> str:
    """Why a document without a ```yaml Test Request block has nothing to run."""
    for section in sections:
        if section.phase is Phase.TEST:
            langs = [block.lang or "plain" for block in section.blocks]
            if any(lang in STEP_LANGS for lang in langs):
                return f"its '## {section.heading}' section (line {section.line}) has no steps"
            if langs:
                return (
                    f"its '## {section.heading}' section (line {section.line}) holds a "
                    f"```{langs[0]} block, not a ```yaml block with 'steps:'"
                )
            return f"its '## {section.heading}' section (line {section.line}) has no ```yaml steps"
    return "it has no '## Test Request' section"


def _statuses(value: Any) -> tuple[int, ...]:
    if value is None:
        return (200,)
    values = value if isinstance(value, list) else [value]
    result = []
    for item in values:
        if isinstance(item, bool) or not str(item).strip().isdigit():
            raise ValueError(f"expected status {item!r} is not an HTTP status code")
        code = int(str(item).strip())
        if not 100 <= code <= 599:
            raise ValueError(f"expected status {code} is outside 100-599")
        result.append(code)
    if not result:
        raise ValueError("expect.status is an empty list")
    return tuple(result)


def _uploads(value: Any, fail: Any) -> tuple[FileUpload, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise fail("file_fields", "'file_fields' must be a list")
    uploads = []
    for item in value:
        if not isinstance(item, Mapping) or not item.get("field_name") or not item.get("file_path"):
            raise fail(
                "file_fields",
                "each file_fields item needs 'field_name' and 'file_path'",
                "- field_name: file\n  file_path: sample.pdf\n  filename: report.pdf",
            )
        filename = item.get("filename")
        uploads.append(
            FileUpload(str(item["field_name"]), str(item["file_path"]), filename and str(filename))
        )
    return tuple(uploads)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _line(node: Any, key: str | None = None) -> int:
    """0-based offset of a mapping (or of one of its keys) inside its YAML block."""
    if isinstance(node, LineDict):
        return node.key_lines.get(key, node.line) if key else node.line
    return 1
