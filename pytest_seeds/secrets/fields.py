"""Values under secret names in any text, found in one scan and without parsing it.

After a secret name (:func:`pytest_seeds.secrets.names.is_secret_name`) written as

- a JSON or Python mapping key: ``"access_token": "v"``, ``'password': 'v'``, ``"api_key": 123``,
  ``"client_secret": [...]`` or ``{...}`` (every scalar inside, up to the closing bracket or the
  end of the text: a body cut short stays masked);
- a query, form or cookie parameter: ``?access_token=v&...``, ``password=v``, ``key%3Dv``;
- a header or YAML line: ``X-Auth-Token: v`` at the start of a line, or after a quote, ``{``
  or ``,``;
- a URL's password: ``scheme://user:v@host``.

Cost: one regex scan for the words a secret name ends in (and the declared names) followed by
``:`` or ``=``; each hit looks back at most :data:`MAX_NAME` characters for the name, then reads
its value once, and the scan goes on after the value. No character is read twice: linear in the
length of the text, whatever its size or shape (no parse, no depth or node limit).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Iterator

from pytest_seeds.secrets.names import SUFFIXES, Span, is_secret_name, secret_spans

MAX_NAME = 128
_NAME_CHARS = frozenset("_.-")
_KEY_AFTER = re.compile(r"\s*:")
_STRINGS = {
    '"': re.compile(r'"((?:[^"\\\n]|\\.)*)"?'),
    "'": re.compile(r"'((?:[^'\\\n]|\\.)*)'?"),
    '\\"': re.compile(r'\\"((?:(?!\\")[^\n])*)(?:\\")?'),  # JSON in a JSON string
    "\\'": re.compile(r"\\'((?:(?!\\')[^\n])*)(?:\\')?"),
}
_NUMBER = re.compile(r"-?(?:\d|\.\d)[\w.+-]*")
_WORD = re.compile(r"[A-Za-z_]\w*")
# a parameter's value runs from its first character to a space, "&", "#", a quote or "<>" (a
# query value may hold ";,)");
# after an encoded "=" (a URL in a URL), to an encoded "&" too
_PARAMETER = re.compile(r"[^\s&#\"'](?:(?!\\u0026|\\[\"'])[^\s&#\"'<>])*")
_ENCODED_PARAMETER = re.compile(r"[^\s&#\"'](?:(?!%26|\\u0026|\\[\"'])[^\s&#\"'<>])*")
_UNTIL = {
    "entry": re.compile(r"[^,}\]\r\n]*"),
    "line": re.compile(r"[^\r\n]*"),
    "flow": re.compile(r"[^,}\r\n]*"),
    '"': re.compile(r'[^"\r\n]*'),
    "'": re.compile(r"[^'\r\n]*"),
}
_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"?|\'(?:[^\'\\\n]|\\.)*\'?|[\[\]{}]|-?(?:\d|\.\d)[\w.+-]*|[A-Za-z_]\w*|[^\s\w]'
)
_USERINFO = r"(?P<url>://[^\s/?#@:\\\"']{0,256}:)(?=[^\s/?#@\\\"']+@)"
_DELIMITER = re.compile(r"[ \t]*(=>|:|=|%3[dD])")
_LINE_START = re.compile(r"[ \t>*#-]*\Z")


class NamedValues:
    """Finds the values under secret names in texts (declared names too)."""

    def __init__(self, declared: Iterable[str] = ()) -> None:
        self.declared = tuple(sorted({str(name).lower() for name in declared}))
        words = "|".join([SUFFIXES, "authorization", "cookie", *map(re.escape, self.declared)])
        anchor = rf"(?:{words})(?=\\?[\"']?[ \t]*(?::|=|%3[dD]))|{_USERINFO}"
        # searched in the lower-cased text: a case-sensitive scan skips to the words' letters
        self._anchor = re.compile(anchor)
        self._anchor_any_case = re.compile(anchor, re.IGNORECASE)

    def spans(self, text: str) -> list[Span]:
        """Where the secret values are."""
        return [(start, end) for start, end, _ in self.find(text)]

    def values(self, text: str, limit: int) -> list[str]:
        """The secret values (JSON strings decoded), at most ``limit`` of them."""
        found = []
        for start, end, quote in self.find(text):
            value = text[start:end]
            if quote == '"':
                with contextlib.suppress(ValueError):
                    value = str(json.loads(f'"{value}"'))
            if value.strip("*"):
                found.append(value)
                if len(found) >= limit:
                    break
        return found

    def find(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, the quote around it) of each secret value, in order."""
        lowered = text.lower()
        anchor = self._anchor
        if len(lowered) != len(text):  # a character lower-cases to two: search the text itself
            lowered, anchor = text, self._anchor_any_case
        position = 0
        while True:
            hit = anchor.search(lowered, position)
            if hit is None:
                return
            if hit.group("url") is not None:
                end = text.index("@", hit.end())
                yield hit.end(), end, ""
                position = end
                continue
            found, position = self._value(text, hit.start(), hit.end())
            yield from found
            position = max(position, hit.end())

    def _value(self, text: str, start: int, end: int) -> tuple[list[tuple[int, int, str]], int]:
        """The secret value after the name that ends with the word at [start, end)."""
        quote = text[end : end + 2] if text[end : end + 1] == "\\" else text[end : end + 1]
        quote = quote if quote in _STRINGS else ""
        name_start = -1
        if quote:
            opening = text.rfind(quote, max(0, start - MAX_NAME), start)
            if opening >= 0 and "\n" not in text[opening:start]:
                name_start = opening + len(quote)
            else:
                quote = ""
        if not quote:
            name_start = start
            while name_start > max(0, start - MAX_NAME) and (
                text[name_start - 1].isalnum() or text[name_start - 1] in _NAME_CHARS
            ):
                name_start -= 1
        name = text[name_start:end]
        if not is_secret_name(name, self.declared):
            return [], end
        delimiter = _DELIMITER.match(text, end + len(quote))
        if delimiter is None:
            return [], end
        position = delimiter.end()
        kind: str | None = "entry"
        if not quote and delimiter.group(1) == "=":
            kind = "parameter"
        elif not quote and delimiter.group(1) != "=>":
            kind = "encoded" if delimiter.group(1) != ":" else self._line_kind(text, name_start)
        if kind is None:
            return [], end
        blank = " \t\r\n" if kind == "entry" else " \t"
        while position < len(text) and text[position] in blank:
            position += 1
        return self._read(text, position, name, kind, quote)

    @staticmethod
    def _line_kind(text: str, name_start: int) -> str | None:
        """How a ``name: value`` pair ends: at the line's end, a quote, or ``,`` and ``}``."""
        line_start = text.rfind("\n", 0, name_start) + 1
        before = text[line_start:name_start]
        if _LINE_START.match(before):
            return "line"
        last = before.rstrip()[-1:]
        if last in ("'", '"'):
            return last
        if last in ("{", ","):
            return "flow"
        return None

    def _read(
        self, text: str, position: int, name: str, kind: str, key_quote: str
    ) -> tuple[list[tuple[int, int, str]], int]:
        head = text[position : position + 1]
        if head in ("{", "[") and kind not in ("parameter", "encoded"):
            return _scalars(text, position)
        if len(key_quote) == 2 and text.startswith(key_quote, position):
            quote = key_quote  # an escaped quote: JSON in a JSON string
        else:
            quote = head if head in ('"', "'") else ""
        if quote:
            string = _STRINGS[quote].match(text, position)
            if string is not None:
                start, end = string.span(1)
                spans = secret_spans(name, text[start:end])
                return [(start + a, start + b, quote) for a, b in spans if b > a], string.end()
        if kind == "entry":
            number = _NUMBER.match(text, position)
            if number is not None:
                return [(number.start(), number.end(), "")], number.end()
            if _WORD.match(text, position):
                return [], position  # true, false, null, None: no secret
        until = {"parameter": _PARAMETER, "encoded": _ENCODED_PARAMETER}.get(kind) or _UNTIL[kind]
        bare = until.match(text, position)
        if bare is None or bare.end() == position:
            return [], position
        start, value = position, bare.group()
        spans = secret_spans(name, value)
        return [(start + a, start + b, "") for a, b in spans if b > a], bare.end()


def _scalars(text: str, start: int) -> tuple[list[tuple[int, int, str]], int]:
    """Every scalar of the JSON (or Python) container at ``start``: strings, numbers; not keys."""
    found: list[tuple[int, int, str]] = []
    depth = 0
    for token in _TOKEN.finditer(text, start):
        first = token.group()[0]
        if first in "[{":
            depth += 1
        elif first in "]}":
            depth -= 1
            if depth <= 0:
                return found, token.end()
        elif first in "\"'":
            if _KEY_AFTER.match(text, token.end()):
                continue
            closed = len(token.group()) > 1 and token.group().endswith(first)
            inner_end = token.end() - 1 if closed else token.end()
            if inner_end > token.start() + 1:
                found.append((token.start() + 1, inner_end, first))
        elif (first.isdigit() or first in "-.") and _NUMBER.fullmatch(token.group()):
            found.append((token.start(), token.end(), ""))
    return found, len(text)
