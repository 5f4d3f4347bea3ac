"""Checking what a response holds: a step's ``expect`` checks and ``poll`` conditions.

Pytest-free: :func:`evaluate` returns every check that does not hold, as a
:class:`Failure` (where, what was expected, what came); :func:`failures_text` writes them
in pytest's diff style (``- expected`` / ``+ received``), each value bounded. Secrets stay
masked: a rendered operand that is a Secret is compared revealed and shown masked.

A JSONPath that matches one value is checked against it; one that matches several is
checked against the list of them; one that matches nothing fails every check but
``exists: false``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pytest_seeds.http.transport import Response
from pytest_seeds.model import Check, Condition
from pytest_seeds.running.extract import ExtractError, find_all
from pytest_seeds.secrets.secret import Secret, reveal

SHOWN_CHARS = 200  # a value in a report is cut to this
MAX_FAILURES = 50  # a report lists at most this many failures of one step
_SYMBOLS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "ne": "not"}


class _Missing:
    def __repr__(self) -> str:
        return "(nothing: no such value)"


MISSING: Any = _Missing()
Render = Callable[[Any, str], Any]


@dataclass(frozen=True)
class Failure:
    """A check that does not hold: where (a JSONPath, a header, time_ms, a schema path)."""

    where: str
    op: str
    expected: Any
    received: Any


def evaluate(
    checks: tuple[Check, ...], response: Response, seconds: float, render: Render
) -> list[Failure]:
    """The checks that do not hold for this response (``render`` fills in templates)."""
    failures: list[Failure] = []
    document: Any = MISSING
    for check in checks:
        expected = render(check.value, f"expect {check.target or check.subject}")
        if check.subject == "json":
            if document is MISSING:
                try:
                    document = response.json()
                except ValueError:
                    document = None
                    failures.append(Failure("body", "json", "a JSON body", _text(response)))
            if document is None:
                continue
            where = check.target
            try:
                found = find_all(document, check.target)
            except ExtractError as error:
                failures.append(Failure(where, check.op, "a valid JSONPath", str(error)))
                continue
            received = MISSING if not found else found[0] if len(found) == 1 else found
        elif check.subject == "header":
            where = f"header {check.target}"
            received = _header(response.headers, check.target)
        else:
            where, received = "time_ms", round(seconds * 1000)
        problem = _holds(check.op, expected, received, check.subject == "header")
        if problem is not None:
            failures.append(Failure(where, check.op, problem, received))
    return failures


def condition_failures(
    condition: Condition, response: Response, seconds: float, render: Render
) -> list[Failure]:
    """What of a ``poll`` condition does not hold (empty: it holds)."""
    failures = []
    if condition.status is not None and response.status not in condition.status:
        wanted = " or ".join(map(str, condition.status))
        failures.append(Failure("status", "eq", wanted, response.status))
    return failures + evaluate(condition.checks, response, seconds, render)


def schema_failures(schema: Mapping[str, Any], response: Response) -> list[Failure]:
    """Where the response body breaks an inline JSON Schema (2020-12)."""
    from jsonschema import Draft202012Validator  # heavy: only when a step asks
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        return [Failure("schema", "schema", "a valid JSON Schema", error.message)]
    try:
        body = response.json()
    except ValueError:
        return [Failure("body", "json", "a JSON body", _text(response))]
    errors = sorted(Draft202012Validator(schema).iter_errors(body), key=lambda e: list(e.path))
    return [
        Failure(
            "schema " + _jsonpath(error.absolute_path),
            "schema",
            f"{error.validator}: {_shown(error.validator_value)}",
            error.instance,
        )
        for error in errors[:MAX_FAILURES]
    ]


def failures_text(failures: list[Failure], title: str = "") -> str:
    """``N expectations failed:`` then, for each, its place and ``- expected`` / ``+ received``."""
    count = len(failures)
    head = title or f"{count} expectation{'s' if count != 1 else ''} failed"
    lines = [f"{head}:"]
    for failure in failures[:MAX_FAILURES]:
        expected = (
            failure.expected if isinstance(failure.expected, str) else _shown(failure.expected)
        )
        lines += [
            f"    {failure.where} ({failure.op})",
            f"    - {expected}",
            f"    + {_shown(failure.received)}",
        ]
    if count > MAX_FAILURES:
        lines.append(f"    ... and {count - MAX_FAILURES} more")
    return "\n".join(lines)


def short(failures: list[Failure]) -> str:
    """One line: the first failure (for a poll attempt's note)."""
    first = failures[0]
    more = f" (+{len(failures) - 1})" if len(failures) > 1 else ""
    expected = first.expected if isinstance(first.expected, str) else _shown(first.expected)
    return f"{first.where}: wanted {expected[:80]}, got {_shown(first.received)[:80]}{more}"


def _holds(op: str, expected: Any, received: Any, header: bool) -> str | None:
    """None when ``received`` passes ``op expected``, else what was expected, in words."""
    plain = reveal(expected)
    if op == "exists":
        wanted = plain is True or str(plain).strip().lower() == "true"
        return None if (received is not MISSING) == wanted else ("present" if wanted else "absent")
    if received is MISSING:
        return _wanted(op, expected)
    ok = False
    if op in ("eq", "ne"):
        same = str(_header_text(plain)) == received if header else _equal(plain, received)
        ok = same if op == "eq" else not same
    elif op == "type":
        kinds = plain if isinstance(plain, list | tuple) else [plain]
        ok = any(_is_type(received, str(kind)) for kind in kinds)
    elif op == "matches":
        text = received if isinstance(received, str) else json.dumps(received)
        try:
            ok = re.search(str(plain), text) is not None
        except re.error as error:
            return f"a regular expression; {plain!r} is not one: {error}"
    elif op == "contains":
        if isinstance(received, list):
            ok = any(_equal(plain, item) for item in received)
        elif isinstance(received, str | Mapping):
            ok = str(plain) in received
    elif op == "length":
        if isinstance(received, list | str | Mapping):
            ok = len(received) == _number(plain)
    else:
        left, right = _number(received), _number(plain)
        if left is not None and right is not None:
            ok = {
                "gt": left > right,
                "gte": left >= right,
                "lt": left < right,
                "lte": left <= right,
            }[op]
    return None if ok else _wanted(op, expected)


def _wanted(op: str, expected: Any) -> str:
    shown = _shown(expected)
    if op == "eq":
        return shown
    if op in _SYMBOLS:
        return f"{_SYMBOLS[op]} {shown}"
    return f"{op} {shown}"


def _equal(left: Any, right: Any) -> bool:
    """JSON equality: true is not 1, 1 is 1.0, mappings and lists compared item by item."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return left.keys() == right.keys() and all(_equal(left[k], right[k]) for k in left)
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return len(left) == len(right) and all(map(_equal, left, right))
    return (
        bool(type(left) is type(right) or (_is_number(left) and _is_number(right)))
        and left == right
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: Any) -> float | None:
    if _is_number(value):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):  # a header, a template's text
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _is_type(value: Any, kind: str) -> bool:
    return {
        "string": isinstance(value, str),
        "number": _is_number(value),
        "integer": _is_number(value) and float(value).is_integer(),
        "boolean": isinstance(value, bool),
        "array": isinstance(value, list),
        "object": isinstance(value, Mapping),
        "null": value is None,
    }.get(kind, False)


def _header(headers: Mapping[str, str], name: str) -> Any:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return MISSING


def _header_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def _jsonpath(path: Any) -> str:
    text = "$"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _text(response: Response) -> str:
    return response.content[:SHOWN_CHARS].decode("utf-8", errors="replace") or "(empty body)"


def _shown(value: Any) -> str:
    """A value as JSON (a Secret masked), cut to SHOWN_CHARS."""
    if isinstance(value, Secret) or value is MISSING:
        text = repr(value) if value is MISSING else str(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "... (cut)"
