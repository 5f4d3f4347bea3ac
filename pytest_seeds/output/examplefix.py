"""``--seeds-update-examples``: documented example blocks rewritten in place.

The process that ran a seed makes each new block text (:func:`block_text`) and sends it
with the block's line and old text; the one process that writes (the xdist controller, or
the only process) rewrites each file once (:func:`rewrite`): only the lines between the
block's fences, with the file's own line endings and the block's indentation; every other
byte stays. A block whose text is no longer what the run read is left alone (stale).
"""

from __future__ import annotations

import difflib
import json
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_seeds.contract.drift import printable
from pytest_seeds.output import atomic

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*")
KEPT = "surrogateescape"  # bytes that are not UTF-8 are kept as they were


@dataclass(frozen=True)
class BlockUpdate:
    """The new text of a fenced block whose opening fence is on ``line`` (from 1)."""

    line: int
    old: str  # the block's lines as the run read them, each ending in "\n"
    new: str


def block_text(old: str, value: Any) -> str:
    """The JSON of ``value`` written as the old block's JSON was: every part whose value did
    not change is its old text; other objects and lists are on one line where the old ones
    were, else one item a line, with the block's left margin and indent step (2 without one).
    Text UTF-8 cannot encode (lone surrogates of an answer) is written as its ``\\uXXXX``
    escape, which JSON reads back as the same text.
    """
    lines = [line for line in old.split("\n") if line.strip()]
    margins = [len(line) - len(line.lstrip(" ")) for line in lines]
    base = min(margins, default=0)
    steps = sorted({margin - base for margin in margins} - {0})
    try:
        node = _parse(old, _skip(old, 0))[0]
    except (ValueError, IndexError, RecursionError):  # not JSON after all, too deep: anew
        node = None
    layout = _Layout(old, " " * (steps[0] if steps else 2), len(lines) <= 1)
    return " " * base + layout.render(value, node, " " * base) + "\n"


@dataclass
class _Node:
    """A JSON value of the old block, where its text is, and its parts."""

    value: Any
    start: int
    end: int
    parts: dict[Any, _Node]  # keys of an object, indexes of a list


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def _skip(text: str, position: int) -> int:
    found = _SPACE.match(text, position)
    return found.end() if found else position


def _parse(text: str, start: int) -> tuple[_Node, int]:
    """The value at ``start`` (no space before it) and where it ends."""
    opening = text[start]
    if opening not in "[{":
        value, end = _DECODER.raw_decode(text, start)
        return _Node(value, start, end, {}), end
    closing = "]" if opening == "[" else "}"
    parts: dict[Any, _Node] = {}
    position = _skip(text, start + 1)
    while text[position] != closing:
        key: Any = len(parts)
        if opening == "{":
            key, position = _DECODER.raw_decode(text, position)
            position = _skip(text, _skip(text, position) + 1)  # past the colon
        parts[key], position = _parse(text, position)
        position = _skip(text, position)
        if text[position] == ",":
            position = _skip(text, position + 1)
    end = position + 1
    items = {k: part.value for k, part in parts.items()}
    value = items if opening == "{" else list(items.values())
    return _Node(value, start, end, parts), end


@dataclass
class _Layout:
    text: str  # the old block
    step: str  # one indent
    inline: bool  # the whole block on one line

    def render(self, value: Any, node: _Node | None, margin: str) -> str:
        if node is not None and _same(value, node.value):
            return self.text[node.start : node.end]
        if not isinstance(value, dict | list) or not value:
            return _json(value)
        inline = self.inline or (node is not None and "\n" not in self.text[node.start : node.end])
        items = value.items() if isinstance(value, dict) else enumerate(value)
        inner = margin if inline else margin + self.step
        parts = []
        for key, item in items:
            old = (
                node.parts.get(key) if node is not None and _same_kind(node.value, value) else None
            )
            flat = inline and old is None
            text = _json(item) if flat else self.render(item, old, inner)
            name = _json(key) + ": " if isinstance(value, dict) else ""
            parts.append(name + text)
        opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
        if inline:
            return opening + ", ".join(parts) + closing
        return f"{opening}\n{inner}" + f",\n{inner}".join(parts) + f"\n{margin}{closing}"


def _json(value: Any) -> str:
    """A value as JSON text, its characters as they are but those UTF-8 cannot encode."""
    return printable(json.dumps(value, ensure_ascii=False))


def _same(one: Any, other: Any) -> bool:
    """Equal as JSON values, types included (``1`` is not ``true``, nor ``1.0``)."""
    return json.dumps(one, sort_keys=True) == json.dumps(other, sort_keys=True)


def _same_kind(one: Any, other: Any) -> bool:
    return isinstance(one, dict) == isinstance(other, dict) and isinstance(one, list) == isinstance(
        other, list
    )


def rewrite(text: str, updates: Iterable[BlockUpdate]) -> tuple[str, list[int]]:
    """``text`` with the blocks' lines replaced (each new line ends as the old line at its
    place did, or the last one), and the lines of the stale blocks."""
    lines = _LINE.findall(text)
    stale: list[int] = []
    for update in sorted(updates, key=lambda u: u.line, reverse=True):
        start, count = update.line, update.old.count("\n")
        body = lines[start : start + count]
        closing = lines[start + count] if start + count < len(lines) else ""
        fence = _FENCE.match(lines[start - 1]) if 0 < start <= len(lines) else None
        if (
            fence is None
            or "".join(line.rstrip("\r\n") + "\n" for line in body) != update.old
            or _FENCE.fullmatch(closing.rstrip("\r\n")) is None
            or closing.strip()[0] != fence.group(1)[0]
        ):
            stale.append(update.line)
            continue
        endings = [_ending(line) for line in body] or [_ending(lines[start - 1])]
        lines[start : start + count] = [
            line + endings[min(index, len(endings) - 1)]
            for index, line in enumerate(update.new.split("\n")[:-1])
        ]
    return "".join(lines), sorted(stale)


def _ending(line: str) -> str:
    """A line's ending (LF for the last line of a file without one)."""
    return line[len(line.rstrip("\r\n")) :] or "\n"


def read(path: Path) -> str:
    """A seed file's text, every byte kept (line endings, bytes that are not UTF-8)."""
    return path.read_bytes().decode("utf-8", KEPT)


def write(path: Path, text: str) -> None:
    """Replace a seed file atomically, keeping its permissions and every byte of ``text``."""
    atomic.write_exact(path, text, KEPT)


def writable(path: Path) -> bool:
    """Whether a seed file may be rewritten: its owner may write it (read-only stays)."""
    return bool(path.stat().st_mode & stat.S_IWUSR)


def diff(name: str, before: str, after: str) -> list[str]:
    """The unified diff of a file's rewrite (lines without their endings)."""
    return [
        line.rstrip("\r\n")
        for line in difflib.unified_diff(
            _LINE.findall(before), _LINE.findall(after), f"a/{name}", f"b/{name}"
        )
    ]
