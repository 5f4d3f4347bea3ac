"""A text with its escapes decoded, and the way back from a place in it to the text.

Servers and serializers write a secret in many ways: JSON (``\\/``, ``\\"``, ``\\u00e9``,
surrogate pairs, decoded as two code units), URL-encoding (``%2F`` or ``%2f``), HTML and XML entities (``&amp;``,
``&eacute;``, ``&#47;``), and any mix of these, nested (JSON in JSON, a URL in a URL). Rather than spell out
every form of every secret, the redactor searches the *decoded* text, and maps what it finds
back to the characters it came from. Each pass decodes one level (at most
:data:`MAX_PASSES`); each costs one regex scan plus a step per escape: linear in the text.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from dataclasses import dataclass

MAX_PASSES = 3
# how many characters of a text one decoded character can come from, over MAX_PASSES passes
# (a UTF-8 byte written %252525XX is 9 characters, four bytes make one character)
MAX_EXPANSION = 36
# each alternative starts with its own character, so that a scan skips to "%", "\\" or "&"
ESCAPE = re.compile(
    r"%[0-9A-Fa-f]{2}(?:%[0-9A-Fa-f]{2})*"  # URL-encoding: a run, as UTF-8
    r"|\\(?:u[0-9A-Fa-f]{4}(?:\\u[0-9A-Fa-f]{4})*|[\\/\"'bfnrt])"  # JSON \u runs, short escapes
    r"|&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});"  # HTML, XML entities
)
# what a cut leaves of an escape at the end of a text (in a decoded text, a UTF-8 sequence
# cut short stays as written)
PARTIAL_ESCAPE_END = re.compile(
    r"(?:\\u[0-9A-Fa-f]{0,3}|\\|(?:%[89A-Fa-f][0-9A-Fa-f]){0,3}(?:%[0-9A-Fa-f]?)?"
    r"|&#?[xX]?[0-9A-Za-z]{0,6})\Z"
)
_SHORT = {"\\": "\\", "/": "/", '"': '"', "'": "'", "b": "\b", "f": "\f", "n": "\n", "r": "\r"}
_SHORT["t"] = "\t"


def _decoded(escape: str) -> str:
    head = escape[0]
    if head == "%":
        return _percent_decoded(escape)
    if head == "&":
        return html.unescape(escape)
    if escape[1] == "u":  # UTF-16 code units, surrogates apart: a cut may split a pair
        return "".join(chr(int(code, 16)) for code in escape.split("\\u")[1:])
    return _SHORT[escape[1]]


def _percent_decoded(run: str) -> str:
    """UTF-8 where it is valid, ISO-8859-1 where it is not; what a cut left of a sequence at
    either end of the run stays as written."""
    data = bytes.fromhex(run.replace("%", ""))
    pieces = []
    start = 0
    leading = True  # no character decoded yet
    while start < len(data):
        try:
            pieces.append(data[start:].decode("utf-8"))
            break
        except UnicodeDecodeError as error:
            bad = start + error.start
            pieces.append(data[start:bad].decode("utf-8"))
            if error.reason == "unexpected end of data":
                pieces.append(run[3 * bad :])
                break
            leading = leading and bad == start and 0x80 <= data[bad] < 0xC0
            pieces.append(run[3 * bad : 3 * bad + 3] if leading else chr(data[bad]))
            start = bad + 1
    return "".join(pieces)


@dataclass(frozen=True)
class View:
    """One decoding pass over a text: the decoded text and where each escape came from."""

    text: str
    starts: list[int]  # where each decoded escape starts in ``text``
    ends: list[int]
    from_starts: list[int]  # where it was in the text decoded
    from_ends: list[int]

    def back(self, start: int, end: int) -> tuple[int, int]:
        """The span of the decoded text's ``[start, end)`` in the text it was decoded from.

        A span that starts or ends inside a decoded escape takes all of the escape.
        """
        first = self._back(start, False)
        return first, self._back(end - 1, True) if end > start else first

    def _back(self, index: int, end: bool) -> int:
        k = bisect_right(self.starts, index) - 1
        if k >= 0 and index < self.ends[k]:
            return self.from_ends[k] if end else self.from_starts[k]
        shift = self.from_ends[k] - self.ends[k] if k >= 0 else 0
        return index + shift + (1 if end else 0)


def decode(text: str) -> View | None:
    """One pass of decoding; None when the text has no escape."""
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    from_starts: list[int] = []
    from_ends: list[int] = []
    last = position = 0
    for match in ESCAPE.finditer(text):
        decoded = _decoded(match.group())
        if decoded == match.group():  # what a cut left of a UTF-8 sequence
            continue
        pieces.append(text[last : match.start()])
        position += match.start() - last
        pieces.append(decoded)
        starts.append(position)
        position += len(decoded)
        ends.append(position)
        from_starts.append(match.start())
        from_ends.append(match.end())
        last = match.end()
    if not starts:
        return None
    pieces.append(text[last:])
    return View("".join(pieces), starts, ends, from_starts, from_ends)


def views(text: str) -> list[View]:
    """Up to :data:`MAX_PASSES` decoding passes, each over the previous one's text."""
    found: list[View] = []
    if "%" not in text and "\\" not in text and "&" not in text:
        return found
    while len(found) < MAX_PASSES:
        view = decode(found[-1].text if found else text)
        if view is None:
            break
        found.append(view)
    return found


def back(found: list[View], start: int, end: int) -> tuple[int, int]:
    """The span in the original text of a span in the last view's text."""
    for view in reversed(found):
        start, end = view.back(start, end)
    return start, end


def decodings(text: str) -> list[str]:
    """The text and what each decoding pass makes of it."""
    return [text, *(view.text for view in views(text))]
