"""Pull values out of JSON responses with JSONPath (jsonpath-ng).

Beyond standard JSONPath, three forms found in real seeds are read the way
their authors meant them:

* ``$.items[?(@.type=='x')][1].id`` — ``[N]`` right after a filter is the N-th
  match (standard JSONPath would index inside each match);
* ``$.a.b | [0]`` — a trailing ``| [0]`` takes the first match (the default);
* ``$.a.b || 'fallback'`` — a literal used when the path matches nothing (``&&`` and
  ``||`` inside a filter are the logical operators of jsonpath-ng >= 1.13).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from pytest_seeds.reading import jsonpath

_NTH_AFTER_FILTER = re.compile(r"^(.*\[\?\(.*\)\])\[(-?\d+)\](.*)$")
_FALLBACK = re.compile(r"""^(.*?)\s*\|\|\s*('[^']*'|"[^"]*"|[^\s'"()\[\]]+)\s*$""")
_FIRST = re.compile(r"^(.*?)\s*\|\s*\[0\]\s*$")


class ExtractError(Exception):
    """A JSONPath that does not parse, or that matches nothing."""


@dataclass(frozen=True)
class Query:
    """A parsed extract expression."""

    source: str
    path: Any
    nth: int | None = None
    rest: Any = None
    fallback: Any = None
    has_fallback: bool = False


@functools.lru_cache(maxsize=4096)
def compile_query(expression: str) -> Query:
    """Parse an extract expression once; raise :class:`ExtractError` if it is not JSONPath."""
    text = expression.strip()
    fallback, has_fallback = None, False
    match = _FALLBACK.match(text)
    if match:
        text, fallback, has_fallback = match.group(1), _literal(match.group(2)), True
    match = _FIRST.match(text)
    if match:
        text = match.group(1)
    if not text.startswith("$"):
        raise ExtractError(f"'{expression}' is not a JSONPath (it must start with '$')")
    nth = rest = None
    match = _NTH_AFTER_FILTER.match(text)
    if match:
        text, nth = match.group(1), int(match.group(2))
        rest = _compile("$" + match.group(3), expression) if match.group(3) else None
    return Query(expression, _compile(text, expression), nth, rest, fallback, has_fallback)


def _compile(text: str, expression: str) -> Any:
    # jsonpath-ng is imported by the first extract compiled: lint, or a seed run
    from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError

    try:
        return jsonpath.parse(text)
    except (
        JsonPathLexerError,
        JsonPathParserError,
        ValueError,
        TypeError,
        AttributeError,
    ) as error:
        raise ExtractError(f"'{expression}' is not valid JSONPath: {error}") from None


def _literal(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def find_all(document: Any, expression: str) -> list[Any]:
    """Every value the expression finds in a JSON document (its fallback not applied)."""
    query = compile_query(expression)
    values = [match.value for match in query.path.find(document)]
    if query.nth is not None:
        values = values[query.nth : query.nth + 1 or None] if values else []
        if values and query.rest is not None:
            values = [match.value for match in query.rest.find(values[0])]
    return values


def extract(document: Any, expression: str) -> Any:
    """The first value the expression finds in a JSON document."""
    query = compile_query(expression)
    values = find_all(document, expression)
    if values:
        return values[0]
    if query.has_fallback:
        return query.fallback
    raise ExtractError(f"'{expression}' matched nothing in the response")
