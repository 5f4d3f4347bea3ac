"""The values a seed's fields accept, checked once, when the seed is collected.

YAML can make values that no request can carry: binary data (``!!binary``), NaN and
infinities, sets (``!!set``), ordered maps (``!!omap``, ``!!pairs``), integers of hundreds
of digits. Each field says here what it takes; anything else raises :class:`BadValue`,
which the parser turns into a :class:`~pytest_seeds.model.SeedError` on the line of the
value, with a hint. Mapping keys are text already (``yamlsafe``).

==================  =========================================================================
field               accepts
==================  =========================================================================
text                text; a number or true/false as written (``5`` is ``"5"``); null: none
flag                true or false; null: not set
JSON value          null, true/false, finite numbers (64-bit integers), text, lists, mappings
single value        null, true/false, a finite number, text (one query parameter, header,
                    form field)
==================  =========================================================================
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Mapping
from typing import Any

MIN_INT, MAX_INT = -(2**63), 2**64 - 1  # a JSON number an API can read as an integer
JSON_CANNOT = "which JSON cannot carry"


class BadValue(Exception):
    """A value of the wrong type: the message, a hint, and the block line of the value.

    ``line`` is the 1-based line inside the YAML text where the value's key is, when a
    nested mapping knows it; 0 when only the field's own key line is known.
    """

    def __init__(self, message: str, hint: str = "", line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.line = line


def describe(value: Any) -> str:
    """What a value is, in the words of a seed's author."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, float):
        if math.isnan(value):
            return "not a number (.nan)"
        if math.isinf(value):
            return "infinite (.inf)" if value > 0 else "infinite (-.inf)"
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, bytes | bytearray):
        return "binary data (!!binary)"
    if isinstance(value, set | frozenset):
        return "a set (!!set)"
    if isinstance(value, tuple) or _ordered_map(value):  # PyYAML's !!omap and !!pairs
        return "an ordered map (!!omap or !!pairs)"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _ordered_map(value: Any) -> bool:
    """PyYAML makes ``!!omap`` and ``!!pairs`` a list of (key, value) tuples."""
    return isinstance(value, list) and bool(value) and all(isinstance(i, tuple) for i in value)


def other(value: Any) -> str:
    """What a value is, after "must be ..., not": ``the text 'yes'``, ``.nan``, ``a list``."""
    if isinstance(value, float) and not math.isfinite(value):
        return shown(value)
    return describe(value)


def shown(value: Any) -> str:
    """A value as it stands in the seed: numbers plain, text quoted, other types described."""
    if isinstance(value, float) and not math.isfinite(value):
        return describe(value).rsplit(" ", 1)[-1].strip("()")  # .nan, .inf, -.inf
    if isinstance(value, bool):
        return describe(value)
    if isinstance(value, int | float):
        return repr(value)
    return repr(value) if isinstance(value, str) else describe(value)


def text(value: Any, name: str, hint: str = "") -> str:
    """A text field: text, or a number or true/false as written; null is empty."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return str(value)
    raise BadValue(f"{name} must be text, not {other(value)}", hint or f"{name}: some text")


def words(value: Any, name: str) -> tuple[str, ...]:
    """A list of words (``tags``), or one word; null is none."""
    hint = f"{name}: [clients, smoke]"
    if isinstance(value, list):
        return tuple(text(item, f"{name}[{number}]", hint) for number, item in enumerate(value, 1))
    try:
        return (text(value, name, hint),) if value is not None else ()
    except BadValue:
        raise BadValue(f"'{name}' must be a list of words, not {other(value)}", hint) from None


def flag(value: Any, name: str) -> bool | None:
    """true or false; None when not set."""
    if value is None or isinstance(value, bool):
        return value
    raise BadValue(
        f"'{name}' must be true or false, not {other(value)}", f"{name}: true, or {name}: false"
    )


def number_problem(value: Any) -> str:
    """Why a number cannot be sent, or ""."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int) and not MIN_INT <= value <= MAX_INT:
        return f"the number {value}, which has more than 64 bits"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{describe(value)}, {JSON_CANNOT}"
    return ""


_NUMBER_HINTS = {
    True: "quote it to send it as text",
    False: "write a finite number, or quote it to send text",
}


def json_value(value: Any, where: str) -> Any:
    """A JSON value (a request body): the value itself, checked all the way down."""
    _check_json(value, where, 0)
    return value


def _check_json(value: Any, where: str, line: int) -> None:
    if value is None or isinstance(value, str | bool):
        return
    if isinstance(value, int | float):
        problem = number_problem(value)
        if problem:
            raise BadValue(f"{where} is {problem}", _NUMBER_HINTS[isinstance(value, int)], line)
        return
    if isinstance(value, list) and not _ordered_map(value):
        for number, item in enumerate(value):
            _check_json(item, f"{where}[{number}]", line)
        return
    if isinstance(value, Mapping):
        lines = getattr(value, "key_lines", {})
        for key, item in value.items():
            _check_json(item, f"{where}.{key}", lines.get(key, line))
        return
    raise BadValue(f"{where} is {describe(value)}, {JSON_CANNOT}", _hint_for(value), line)


def _hint_for(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return (
            "send text (drop the !!binary tag), or upload bytes with content_type: multipart "
            "and file_fields"
        )
    if isinstance(value, set | frozenset):
        return "write a list: [a, b]"
    if isinstance(value, tuple) or _ordered_map(value):
        return "write a plain mapping: its keys keep their order"
    return "write null, true/false, a number, text, a list or a mapping"


def single(value: Any, where: str, line: int = 0) -> Any:
    """One value of a query parameter, header or form field: text, number, true/false, null."""
    if isinstance(value, list | Mapping):
        raise BadValue(
            f"{where} is {describe(value)}, not one value",
            "write text, a number or true/false (quote it to send text as written)",
            line,
        )
    _check_json(value, where, line)
    return value


def mapping(
    value: Any, name: str, item: Callable[[Any, str, int], Any], hint: str = ""
) -> dict[str, Any]:
    """A mapping of names to values, each checked by ``item``; null is empty."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise BadValue(f"'{name}' must be a mapping of names to values", hint)
    lines = getattr(value, "key_lines", {})
    return {str(key): item(v, f"{name}.{key}", lines.get(key, 0)) for key, v in value.items()}


def jsonpath(value: Any, where: str, line: int) -> str:
    """An ``extract`` value: JSONPath text (or a template)."""
    if isinstance(value, str):
        return value
    raise BadValue(
        f"{where} must be JSONPath text, not {other(value)}",
        "for example extract: {client_id: $.data.id}",
        line,
    )


def sleep_ms(value: Any) -> int:
    """Milliseconds to wait after a step: a finite number of 0 or more (a fraction is cut off),
    or text that is one (``"250"``); null is 0. A run sleeps at most ``--seeds-max-sleep``."""
    if value is None:
        return 0
    number = value
    if isinstance(value, str) and value.strip().isascii():
        with contextlib.suppress(ValueError):
            number = float(value)
    is_number = isinstance(number, int | float) and not isinstance(number, bool)
    if is_number and not number_problem(number) and number >= 0:
        return int(number)
    raise BadValue(
        f"'sleep' must be a number of milliseconds, 0 or more, not {other(value)}",
        "for example sleep: 500 (half a second)",
    )
