"""Masking of secrets in everything pytest-seeds prints or writes.

A :class:`Redactor` masks, in any text:

- every known secret value (tokens, configured and extracted secrets, secrets seen on the
  wire) in every form a server or serializer writes it: as is, JSON-escaped (``\\/``,
  ``\\uXXXX``), URL-encoded (either hex case, ``+`` for space), as HTML entities, any mix of
  these nested up to three levels deep (:mod:`pytest_seeds.secrets.escapes`), base64 and
  base64url at any offset of a longer blob, and UTF-8 read as ISO-8859-1;
- every value under a secret name, known or not (:mod:`pytest_seeds.secrets.fields`);
- the piece of a known secret next to a cut somebody else made (``...``, ``…``), or at the
  end of a text that was cut (a body cut at the size limit);

and :meth:`Redactor.cut` masks before it cuts. Values shorter than ``MIN_SECRET_LENGTH``, and
booleans, are not masked.

Cost, linear in a text's length: one scan for names (:mod:`fields`) in the text and in its
last decoding, and per decoding level (none without ``%``, ``\\`` or ``&``; three at most) one
scan per group of secrets. The forms of the known secrets (n in all) are kept in at most
log2(n) + 1 groups of sizes 1, 2, 4..., each compiled into one trie-shaped regex: at worst
groups x the longest form's length steps per character, about one per group in practice.
Adding secrets recompiles each form O(log n) times over a run, not once per secret added.
"""

from __future__ import annotations

import base64
import math
import re
import threading
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from typing import Any

from pytest_seeds.secrets import escapes
from pytest_seeds.secrets.fields import NamedValues
from pytest_seeds.secrets.names import Span, is_secret_name, secret_spans
from pytest_seeds.secrets.secret import MASK, Secret

MIN_SECRET_LENGTH = 4
MIN_BASE64_CHARS = 6
_CUT = re.compile(r"\.\.\.+|…")
_DOTS = re.compile(r"\.\.\.+")  # the same, faster, for a text without "…"
_BASE64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_")
_ESCAPE_REST = frozenset("0123456789abcdefABCDEFu%")  # what a cut leaves of an escape
_URLSAFE = str.maketrans("+/", "-_")


def secret_text(value: Any) -> str | None:
    """The text a secret value is written as: strings as they are, numbers as JSON writes them;
    a :class:`Secret` as its value."""
    if isinstance(value, Secret):
        value = value.reveal()
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return repr(value)


class Redactor:
    """Replaces every secret, wherever and however it appears in a text, with ``***``.

    Secrets can be added while a run goes on (:meth:`add`); ``names`` are the names declared
    secret (``secrets:`` in the config file), besides those secret by the name rule.
    """

    def __init__(self, secrets: Iterable[Any] = (), names: Iterable[str] = ()) -> None:
        self.fields = NamedValues(names)
        self._known: set[str] = set()
        self._literals: set[str] = set()
        self._base64: set[str] = set()
        self._groups: tuple[_Group, ...] = ()
        self._longest = 0
        self._spaced = False  # a secret holds a space: a piece at a cut may end or start with one
        self._lock = threading.Lock()
        self.add(secrets)

    @property
    def names(self) -> tuple[str, ...]:
        """The names declared secret."""
        return self.fields.declared

    @property
    def reach(self) -> int:
        """The most characters one secret can take in a text, in any of its forms."""
        return self._longest * escapes.MAX_EXPANSION + 64

    def add(self, secrets: Iterable[Any]) -> None:
        """Mask these values (strings and numbers of at least 4 characters) from now on."""
        new = set()
        for secret in secrets:
            text = secret_text(secret)
            if text is not None and len(text) >= MIN_SECRET_LENGTH and text not in self._known:
                new.add(text)
        if not new:  # the usual case: every step sends the same token
            return
        with self._lock:
            new -= self._known
            self._known |= new
            plain: set[str] = set()
            encoded: set[str] = set()
            for secret in new:
                forms, base64_forms = _forms(secret)
                plain |= forms
                encoded |= base64_forms
            literals = (plain | encoded) - self._literals
            if not literals:
                return
            self._literals |= literals
            self._base64 |= encoded - plain
            self._longest = max(self._longest, *map(len, literals))
            self._spaced = self._spaced or any(
                not part.isprintable() or " " in part for part in literals
            )
            groups = list(self._groups)
            while groups and len(groups[-1].literals) <= len(literals):
                literals |= groups.pop().literals
            groups.append(_Group(frozenset(literals)))
            self._groups = tuple(groups)

    def text(self, text: str, *, cut_end: bool = False, cuts: bool = True) -> str:
        """The text with every secret replaced by ``***``.

        ``cut_end``: the text was cut at its end; ``cuts``: look for pieces of secrets at
        ``...`` (texts others may have cut before masking: reports, logs; not a raw body).
        """
        if not text:
            return text
        spans = self._spans(text, cut_end, cuts)
        return _render(text, spans) if spans else text

    def cut(self, text: str, limit: int, *, cut_end: bool = False) -> str:
        """The first ``limit`` characters of the text, masked before the cut.

        A secret that starts before the cut is masked whole, so no piece of it is left at the
        cut; the text is read up to :attr:`reach` characters past ``limit``, not to its end.
        """
        window = text[: limit + self.reach]
        spans = self._spans(window, cut_end or len(window) < len(text), cuts=True)
        return _render(window, spans, limit)

    def headers(self, headers: Mapping[str, Any]) -> dict[str, str]:
        """Headers with the values of secret-named ones masked (scheme and cookie names kept)."""
        return {name: self.field(name, value) for name, value in headers.items()}

    def field(self, name: str, value: Any) -> str:
        """A named value (header, query parameter, form field) as it may be shown."""
        text = str(value)
        if is_secret_name(name, self.names):
            text = _render(text, secret_spans(name, text))
        return self.text(text)

    def _spans(self, text: str, cut_end: bool, cuts: bool) -> list[Span]:
        """Names in the text and in its last decoding; secrets and pieces at cuts in it and in
        each decoding (a pass may join what it decoded with the text after it: ``%25`` ``41``)."""
        groups = self._groups
        spans = self.fields.spans(text) + self._at_cuts(text, groups, cut_end, cuts)
        for group in groups:
            spans += self._matches(group, text)
        found = escapes.views(text)
        for level, view in enumerate(found, 1):
            inner = [span for group in groups for span in self._matches(group, view.text)]
            inner += self._at_cuts(view.text, groups, cut_end, cuts)
            if level == len(found):
                inner += self.fields.spans(view.text)
            spans += [escapes.back(found[:level], start, end) for start, end in inner]
        return spans

    def _matches(self, group: _Group, text: str) -> list[Span]:
        spans = []
        for match in group.pattern.finditer(text):
            start, end = match.span()
            if match.group() in self._base64:  # the characters it shares with its neighbours
                if start > 0 and text[start - 1] in _BASE64_CHARS:
                    start -= 1
                if end < len(text) and text[end] in _BASE64_CHARS:
                    end += 1
                while end < len(text) and text[end] == "=" and text[end - 2 : end] != "==":
                    end += 1
            spans.append((start, end))
        return spans

    def _at_cuts(
        self, text: str, groups: tuple[_Group, ...], cut_end: bool, cuts: bool
    ) -> list[Span]:
        """The pieces of known secrets next to a cut (``...``, ``…``, the end of a cut text).

        The piece before a cut must be the start of a secret, the piece after it the end of
        one, each at least ``MIN_SECRET_LENGTH`` characters (what a cut leaves of an escape
        goes with it). Each character is looked at for one cut only: linear in the text.
        """
        if not groups or not (cut_end or "..." in text or "…" in text):
            return []
        marks = []
        if cuts:
            pattern = _CUT if "…" in text else _DOTS
            marks = [match.span() for match in pattern.finditer(text)]
        if cut_end:
            marks.append((len(text), len(text)))
        spans: list[Span] = []
        previous = 0
        for number, (start, end) in enumerate(marks):
            if start > previous and (self._spaced or not text[start - 1].isspace()):
                partial = escapes.PARTIAL_ESCAPE_END.search(text, max(previous, start - 16), start)
                found = []
                for before in dict.fromkeys([start, partial.start() if partial else start]):
                    low = max(previous, before - self._longest)
                    found += [group.piece_before(text, low, before) for group in groups]
                first = min((index for index in found if index is not None), default=None)
                if first is not None:
                    spans.append((first, start))
            following = marks[number + 1][0] if number + 1 < len(marks) else len(text)
            if end < following and (self._spaced or not text[end].isspace()):
                high = min(following, end + self._longest + 12)
                last = None
                for skip in range(12):  # past what a cut left of an escape (%9F%98%80, u00e9)
                    if skip and text[end + skip - 1 : end + skip] not in _ESCAPE_REST:
                        break
                    for group in groups:
                        stop = group.piece_after(text, end + skip, high)
                        if stop is not None and (last is None or stop > last):
                            last = stop
                if last is not None:
                    spans.append((end, last))
            previous = end
        return spans


class _Group:
    """Secrets' forms compiled together: one trie-shaped regex (and, on demand, their ends)."""

    def __init__(self, literals: frozenset[str]) -> None:
        self.literals = literals
        self.pattern = _compile(sorted(literals))
        self._ends: tuple[re.Pattern[str], re.Pattern[str], list[str], list[str]] | None = None

    def piece_before(self, text: str, low: int, end: int) -> int | None:
        """Where the longest piece in ``text[low:end]`` that ends at ``end`` and starts a secret starts."""
        heads, _, forward, _ = self._cut_ends()
        for match in heads.finditer(text, low, end):
            piece = text[match.start() : end]
            index = bisect_left(forward, piece)
            if index < len(forward) and forward[index].startswith(piece):
                return match.start()
        return None

    def piece_after(self, text: str, start: int, high: int) -> int | None:
        """Where the longest piece in ``text[start:high]`` that starts there and ends a secret ends."""
        _, tails, _, backward = self._cut_ends()
        last = None
        for match in tails.finditer(text, start, high):
            stop = match.start() + MIN_SECRET_LENGTH
            piece = text[start:stop][::-1]
            index = bisect_left(backward, piece)
            if index < len(backward) and backward[index].startswith(piece):
                last = stop
        return last

    def _cut_ends(self) -> tuple[re.Pattern[str], re.Pattern[str], list[str], list[str]]:
        if self._ends is None:
            heads = {literal[:MIN_SECRET_LENGTH] for literal in self.literals}
            tails = {literal[-MIN_SECRET_LENGTH:] for literal in self.literals}
            self._ends = (
                re.compile(f"(?=(?:{_trie(sorted(heads))}))"),
                re.compile(f"(?=(?:{_trie(sorted(tails))}))"),
                sorted(self.literals),
                sorted(literal[::-1] for literal in self.literals),
            )
        return self._ends


def _render(text: str, spans: Iterable[Span], stop: int | None = None) -> str:
    """The text with each span replaced by ``***`` (spans that touch as one), cut at ``stop``."""
    stop = len(text) if stop is None else min(stop, len(text))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces: list[str] = []
    position = 0
    for start, end in merged:
        if start >= stop:
            break
        pieces += [text[position:start], MASK]
        position = end
        if position >= stop:
            return "".join(pieces)
    pieces.append(text[position:stop])
    return "".join(pieces)


def _forms(secret: str) -> tuple[set[str], set[str]]:
    """A secret's forms in decoded text (see :mod:`escapes`): plain ones, and base64 ones.

    Plain: the secret, what decoding makes of it (a secret may hold ``%41``), ``+`` for its
    spaces, its UTF-8 read as ISO-8859-1, its UTF-16 code units. Base64: base64 and base64url of its UTF-8 at each
    of the three offsets a longer blob may put it at, the characters it alone decides.
    """
    texts = escapes.decodings(secret)
    data = secret.encode("utf-8", "surrogatepass")
    if not secret.isascii():  # read as ISO-8859-1, as http.client reads headers
        texts.append(data.decode("latin-1"))
    for text in list(texts):  # as UTF-16 code units, as JSON escapes them: a cut may split a pair
        if any(ord(char) > 0xFFFF for char in text):
            units = text.encode("utf-16-be", "surrogatepass")
            texts.append(
                "".join(chr(int.from_bytes(units[i : i + 2])) for i in range(0, len(units), 2))
            )
    plain = {form for text in texts for form in (text, text.replace(" ", "+"))}
    # as a Python repr shows it, str and bytes (a traceback's locals, --showlocals)
    plain |= {repr(secret)[1:-1], repr(data)[2:-1]}
    encoded = set()
    for offset in range(3):
        blob = base64.b64encode(b"\0" * offset + data + b"\0\0").decode()
        middle = blob[(8 * offset + 5) // 6 : 8 * (offset + len(data)) // 6]
        encoded |= {middle, middle.translate(_URLSAFE)}
    return (
        {form for form in plain if len(form) >= MIN_SECRET_LENGTH},
        {form for form in encoded if len(form) >= MIN_BASE64_CHARS},
    )


def _compile(words: list[str]) -> re.Pattern[str]:
    try:
        return re.compile(_trie(words))
    except (RecursionError, re.error, OverflowError):  # secrets that nest too deep for a trie
        return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))


def _trie(words: list[str]) -> str:
    """A regex for sorted, distinct, non-empty words, shaped as their trie (longest first).

    Matching costs at most the longest word's length at each place of a text, whatever the
    number of words; the alternatives at each branch start with distinct characters.
    """

    def branch(low: int, high: int, depth: int) -> str:
        parts = []
        ends = len(words[low]) == depth
        index = low + 1 if ends else low
        while index < high:
            char = words[index][depth]
            last = index
            while last + 1 < high and words[last + 1][depth] == char:
                last += 1
            first, other = words[index], words[last]
            common = depth + 1
            while common < min(len(first), len(other)) and first[common] == other[common]:
                common += 1
            parts.append(re.escape(words[index][depth:common]) + branch(index, last + 1, common))
            index = last + 1
        if not parts:
            return ""
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        return f"(?:{body})?" if ends else body

    return branch(0, len(words), 0) if words else "(?!)"
