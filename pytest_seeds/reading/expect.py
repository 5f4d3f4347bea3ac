"""A step's ``expect`` and ``poll``, and the keys a step may hold, read at collection.

The key vocabulary is the seed schema's (``seed.schema.json``): :func:`unknown_keys` is the
one check the parser (an error when the seed runs) and lint (``unknown-key``) share.

``expect`` beside ``status``::

    json:     {JSONPath: value}        equality, or {op: value, ...} (CHECK_OPS)
    headers:  {Name: value}            the same, on a response header (name in any case)
    time_ms:  {lt: 2000}               numeric ops on the response time; a number: lte
    schema:   documented | {...}       the Swagger operation's response schema, or inline

``poll``: ``{until: condition, fail_if: condition, interval_ms, timeout_ms}``, a condition
holding ``status``, ``json``, ``headers`` and ``time_ms`` as in ``expect``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pytest_seeds.model import CHECK_OPS, JSON_TYPES, Check, Condition, Poll, did_you_mean
from pytest_seeds.reading import jsonpath, schema
from pytest_seeds.reading.values import BadValue, describe, json_value

NUMERIC_OPS = ("gt", "gte", "lt", "lte")
DOCUMENTED = "documented"
_OPS_HINT = "an operator mapping such as {exists: true}, {gt: 0}, {matches: '^a'}"


@dataclass(frozen=True)
class UnknownKey:
    """A key the seed format does not know, where it stands, and a did-you-mean."""

    key: str
    shown: str  # with its parent's prefix: 'expect.staus'
    node: Mapping[str, Any]
    hint: str


def _nested(raw: Mapping[str, Any]) -> Iterator[tuple[str, Any, str]]:
    yield "", raw, "step"
    yield "expect.", raw.get("expect"), "expect"
    files = raw.get("file_fields")
    for node in files if isinstance(files, list) else ():
        yield "file_fields.", node, "fileField"
    poll = raw.get("poll")
    yield "poll.", poll, "poll"
    if isinstance(poll, Mapping):
        for key in ("until", "fail_if"):
            yield f"poll.{key}.", poll.get(key), "condition"


def unknown_keys(raw: Mapping[str, Any]) -> list[UnknownKey]:
    """Every key of a step, its ``expect``, ``poll`` and ``file_fields`` that the schema
    does not know, in order, each with a did-you-mean (or the known keys)."""
    found = []
    for prefix, node, definition in _nested(raw):
        if not isinstance(node, Mapping):
            continue
        known = schema.keys_of(definition)
        for key in map(str, node):
            if key not in known:
                hint = did_you_mean(key, known) or f"known keys: {', '.join(known)}"
                found.append(UnknownKey(key, f"{prefix}{key}", node, hint))
    return found


def _lines(node: Any) -> Mapping[str, int]:
    return getattr(node, "key_lines", {})


def checks(expect: Mapping[str, Any], where: str = "expect") -> tuple[Check, ...]:
    """The ``json``, ``headers`` and ``time_ms`` checks of an ``expect`` (or a condition)."""
    found: list[Check] = []
    for subject, key in (("json", "json"), ("header", "headers")):
        node = expect.get(key)
        if node is None:
            continue
        if not isinstance(node, Mapping):
            hint = "json: {$.data.id: {exists: true}}" if key == "json" else "headers: {X-A: b}"
            raise BadValue(f"'{where}.{key}' must be a mapping", hint, _lines(expect).get(key, 0))
        for target, value in node.items():
            line = _lines(node).get(target, 0) or _lines(expect).get(key, 0)
            name = f"{where}.{key}.{target}"
            if subject == "json":
                _check_jsonpath(str(target), name, line)
            found += _ops(subject, str(target), value, name, line)
    if expect.get("time_ms") is not None:
        line = _lines(expect).get("time_ms", 0)
        value = expect["time_ms"]
        if not isinstance(value, Mapping):
            value = {"lte": value}
        for op in value:
            if op not in NUMERIC_OPS:
                hint = did_you_mean(str(op), NUMERIC_OPS) or "time_ms: {lt: 2000}"
                raise BadValue(
                    f"'{where}.time_ms' takes {', '.join(NUMERIC_OPS)}, not '{op}'", hint, line
                )
        found += _ops("time", "", value, f"{where}.time_ms", line)
    return tuple(found)


def _check_jsonpath(path: str, name: str, line: int) -> None:
    if not path.strip().startswith("$"):
        raise BadValue(f"'{name}': '{path}' is not a JSONPath", "start it with $: $.data.id", line)
    try:
        jsonpath.parse(path.strip())
    except Exception as error:  # jsonpath-ng raises several kinds
        raise BadValue(
            f"'{name}': '{path}' is not valid JSONPath: {error}", "$.data.items[0].id", line
        ) from None


def _ops(subject: str, target: str, value: Any, name: str, line: int) -> list[Check]:
    if not isinstance(value, Mapping):
        return [Check(subject, target, "eq", json_value(value, name), line)]
    if not value:
        raise BadValue(f"'{name}' holds no operator", _OPS_HINT, line)
    found = []
    for op, operand in value.items():
        op = str(op)
        if op not in CHECK_OPS:
            hint = (
                did_you_mean(op, CHECK_OPS)
                or f"one of {', '.join(CHECK_OPS)}; to compare with a mapping: {{eq: {{...}}}}"
            )
            raise BadValue(f"'{name}': unknown operator '{op}'", hint, line)
        found.append(Check(subject, target, op, _operand(op, operand, f"{name}.{op}", line), line))
    return found


def _templated(value: Any) -> bool:
    return isinstance(value, str) and "{{" in value


def _operand(op: str, value: Any, name: str, line: int) -> Any:
    """The value an operator takes, checked (a template is checked when rendered)."""
    if _templated(value):
        return value
    if op == "exists" and not isinstance(value, bool):
        raise BadValue(f"'{name}' takes true or false, not {describe(value)}", "exists: true", line)
    if op == "type":
        kinds = value if isinstance(value, list) else [value]
        for kind in kinds:
            if kind not in JSON_TYPES:
                hint = did_you_mean(str(kind), JSON_TYPES) or f"one of {', '.join(JSON_TYPES)}"
                raise BadValue(f"'{name}': unknown type {describe(kind)}", hint, line)
        return tuple(kinds) if isinstance(value, list) else value
    if op == "matches":
        if not isinstance(value, str):
            raise BadValue(
                f"'{name}' takes a regular expression, not {describe(value)}",
                "matches: '^[0-9]+$'",
                line,
            )
        try:
            re.compile(value)
        except re.error as error:
            raise BadValue(
                f"'{name}': {value!r} is not a regular expression: {error}",
                "quote it in single quotes",
                line,
            ) from None
    if op == "length" and not (
        isinstance(value, int) and not isinstance(value, bool) and value >= 0
    ):
        raise BadValue(
            f"'{name}' takes a count, 0 or more, not {describe(value)}", "length: 3", line
        )
    if op in NUMERIC_OPS and not _number(value):
        raise BadValue(f"'{name}' takes a number, not {describe(value)}", f"{op}: 0", line)
    return json_value(value, name)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def expect_schema(expect: Mapping[str, Any]) -> Any:
    """``expect.schema``: ``"documented"``, an inline JSON Schema mapping, or None."""
    value = expect.get("schema")
    if value is None or isinstance(value, Mapping):
        return None if value is None else json_value(value, "expect.schema")
    if isinstance(value, str) and value.strip().lower() == DOCUMENTED:
        return DOCUMENTED
    raise BadValue(
        f"'expect.schema' must be 'documented' or a JSON Schema mapping, not {describe(value)}",
        "schema: documented (the Swagger operation's response schema), or schema: {type: object}",
        _lines(expect).get("schema", 0),
    )


def poll(value: Any, statuses: Callable[[Any], tuple[int, ...]]) -> Poll | None:
    """A step's ``poll`` mapping; ``statuses`` reads a ``status`` value (ValueError if bad)."""
    if value is None:
        return None
    hint = "poll: {until: {json: {$.status: done}}, interval_ms: 200, timeout_ms: 5000}"
    if not isinstance(value, Mapping) or not isinstance(value.get("until"), Mapping):
        raise BadValue("'poll' must be a mapping with an 'until' condition", hint)
    numbers = {}
    for key, default in (("interval_ms", 500), ("timeout_ms", 10_000)):
        number = value.get(key, default)
        if number is None:
            number = default
        if not _number(number) or number < 0:
            raise BadValue(
                f"'poll.{key}' must be milliseconds, 0 or more, not {describe(number)}",
                hint,
                _lines(value).get(key, 0),
            )
        numbers[key] = int(number)
    fail_if = value.get("fail_if")
    if fail_if is not None and not isinstance(fail_if, Mapping):
        raise BadValue(
            "'poll.fail_if' must be a condition mapping", hint, _lines(value).get("fail_if", 0)
        )
    return Poll(
        until=_condition(value["until"], "poll.until", statuses),
        fail_if=None if fail_if is None else _condition(fail_if, "poll.fail_if", statuses),
        interval_ms=numbers["interval_ms"],
        timeout_ms=numbers["timeout_ms"],
    )


def _condition(
    node: Mapping[str, Any], where: str, statuses: Callable[[Any], tuple[int, ...]]
) -> Condition:
    status = None
    if node.get("status") is not None:
        try:
            status = statuses(node["status"])
        except ValueError as error:
            raise BadValue(
                f"'{where}.status': {error}", "status: 200", _lines(node).get("status", 0)
            ) from None
    found = checks(node, where)
    if status is None and not found:
        raise BadValue(f"'{where}' holds no condition", "for example {json: {$.status: done}}")
    return Condition(status, found)
