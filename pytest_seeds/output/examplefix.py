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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    """The JSON of ``value`` laid out as the old block was: its left margin, its indent
    step (2 when it has none), on one line when it was on one line."""
    lines = [line for line in old.split("\n") if line.strip()]
    margins = [len(line) - len(line.lstrip(" ")) for line in lines]
    base = min(margins, default=0)
    if len(lines) <= 1:
        return " " * base + json.dumps(value, ensure_ascii=False) + "\n"
    steps = sorted({margin - base for margin in margins} - {0})
    text = json.dumps(value, indent=steps[0] if steps else 2, ensure_ascii=False)
    return "".join(" " * base + line + "\n" for line in text.split("\n"))


def rewrite(text: str, updates: Iterable[BlockUpdate]) -> tuple[str, list[int]]:
    """``text`` with the blocks' lines replaced, and the lines of the stale blocks."""
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
        fence_line = lines[start - 1]
        ending = fence_line[len(fence_line.rstrip("\r\n")) :] or "\n"
        lines[start : start + count] = [line + ending for line in update.new.split("\n")[:-1]]
    return "".join(lines), sorted(stale)


def read(path: Path) -> str:
    """A seed file's text, every byte kept (line endings, bytes that are not UTF-8)."""
    return path.read_bytes().decode("utf-8", KEPT)


def write(path: Path, text: str) -> None:
    """Replace a seed file atomically, keeping its permissions and every byte of ``text``."""
    atomic.write_exact(path, text, KEPT)


def diff(name: str, before: str, after: str) -> list[str]:
    """The unified diff of a file's rewrite (lines without their endings)."""
    return [
        line.rstrip("\r\n")
        for line in difflib.unified_diff(
            _LINE.findall(before), _LINE.findall(after), f"a/{name}", f"b/{name}"
        )
    ]
