"""Split a seed's Markdown into front matter, sections and fenced code blocks.

This is the raw view of a document (with line numbers): :mod:`pytest_seeds.reading.parser`
turns it into a :class:`~pytest_seeds.model.Seed`, and lint inspects it.

Which files are seeds: a ``.md`` file is a seed when its first line is ``---`` (after a
byte-order mark; trailing spaces and CR LF line ends are fine) and the lines up to the next
``---`` or ``...`` line are YAML whose top level has an ``endpoint`` key. A file that
*looks like* a seed but is not one is a broken seed (:class:`SeedError`, with the line to fix):
an ``endpoint`` key, in any case or spelling (``Endpoint:``, ``end_point =``, ``- endpoint:``),
at the top of the file (its first line) or in its first front-matter-like block (the lines
after a first line of dashes or ``+++``) when that block is not closed, not YAML, not a
mapping, or has the key misspelt; or an ``endpoint:`` line right after the front matter.
Any other Markdown is not a seed. :func:`near_miss` tells why a file that is not a seed
still looks like one (its front matter does not start on the first line).
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pytest_seeds.model import Phase, SeedError
from pytest_seeds.reading.yamlload import error_hint, error_line, error_text, load_yaml
from pytest_seeds.reading.yamlsafe import LineDict

MAX_SEED_BYTES = 2 * 1024 * 1024
_MARKER = re.compile(r"\n(?: {0,3}(`{3,}|~{3,})[^\S\n]*([\w+-]*)|## (.*))")
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"  # byte-order marks, zero-width characters
_OPENING = re.compile(r"-{3,}[ \t]*")  # the whole first line
_CLOSING = re.compile(r"^(?:-{3,}|\.\.\.)[ \t]*$", re.MULTILINE)
_CONTENT = re.compile(r"^(?:#|```|~~~)", re.MULTILINE)  # a heading or a fence: the body
# an endpoint key in any case or spelling: endpoint:, Endpoint =, - end_point:, "endpoint":
_ENDPOINT_KEY = r"""^[ \t]*(?:-[ \t]+)?[{\["']*[ \t]*end[-_ ]?points?["']?"""
_KEY_LINE = re.compile(_ENDPOINT_KEY + r"[ \t\u00a0]*[:=]", re.IGNORECASE | re.MULTILINE)
_WORD_LINE = re.compile(_ENDPOINT_KEY + r"\b", re.IGNORECASE | re.MULTILINE)
_ENDPOINT_LINE = re.compile(r"^endpoint[ \t]*:")
_JSON_START = re.compile(r"""^[ \t]*\{[ \t]*["']endpoint["']""", re.IGNORECASE)
_TOML = "write the front matter as YAML between two '---' lines"
_OPEN_HINT = "start the file with a line that holds only '---'"
_CLOSE_HINT = "end the front matter with a line that holds only '---'"
_QUOTE_HINT = "quote values that contain ': ' or start with '{', '[', '*', '&' or '!'"


@dataclass
class Block:
    """A fenced code block: its language, text and the line of its opening fence."""

    lang: str
    text: str
    line: int


@dataclass
class Section:
    """A level-2 section and the code blocks inside it."""

    heading: str
    line: int
    blocks: list[Block] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    @property
    def phase(self) -> Phase | None:
        return phase_of(self.heading)


@dataclass
class Document:
    """A seed document in raw form; its sections are split when first read."""

    path: Path
    front: dict[str, Any]
    front_lines: dict[str, int]
    text: str  # the whole file, newlines normalized: line n is text.split("\n")[n - 1]
    body_at: int = 0  # where the Markdown body starts in ``text``, after the front matter
    body_line: int = 1  # its line

    @functools.cached_property
    def sections(self) -> list[Section]:
        """The level-2 sections of the body, with their fenced blocks."""
        return split_sections(self.text[self.body_at :], self.body_line)


def phase_of(heading: str) -> Phase | None:
    """The phase a level-2 heading introduces, if any."""
    title = heading.strip().lower()
    if title.startswith("prerequisite"):
        return Phase.PREREQUISITE
    if title.startswith("test request"):
        return Phase.TEST
    if title.startswith(("cleanup", "teardown", "clean up")):
        return Phase.CLEANUP
    return None


def load_document(path: Path) -> Document | None:
    """Read one file's raw document; None when it is not a seed. Raises :class:`SeedError`.

    A file over ``MAX_SEED_BYTES`` is an error when its first 4 KiB say it is a seed.
    """
    try:
        with path.open("rb") as handle:  # a huge file is never read whole
            size = os.fstat(handle.fileno()).st_size  # read(n) allocates n bytes first
            data = handle.read(min(size, MAX_SEED_BYTES) + 1)
            if len(data) > size:  # it grew, or it has no size (a pipe)
                data += handle.read(MAX_SEED_BYTES + 1 - len(data))
    except OSError as error:
        raise SeedError(path, None, f"the file cannot be read ({error.strerror})") from None
    if len(data) > MAX_SEED_BYTES:
        if _KEY_LINE.search(data[:4096].decode("utf-8", "replace")):
            raise SeedError(
                path,
                None,
                f"the file is larger than {MAX_SEED_BYTES // 1024} KiB",
                "a seed describes one endpoint; split it or move data out of it",
            )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SeedError(path, None, f"the file is not UTF-8 text ({error.reason})") from None
    return read_document(path, text)


def read_document(path: Path, text: str) -> Document | None:
    """Read a Markdown text; None when it is not a seed. Raises :class:`SeedError` when it
    looks like a seed but is not one (see the module's documentation)."""
    text = normalized(text)
    first, _, rest = text.partition("\n")
    if _OPENING.fullmatch(first):
        return _with_front_matter(path, text, rest)
    if first.startswith(("--", "+++")):
        block = rest[: _next(re.compile(rf"^{re.escape(first[:2])}", re.MULTILINE), rest)]
        if _KEY_LINE.search(block):
            if first.startswith("+"):
                raise SeedError(path, 1, "TOML front matter ('+++') is not read", _TOML)
            said = "is '--', not '---'" if first.rstrip() == "--" else "holds more than '---'"
            raise SeedError(path, 1, f"the front matter's first line {said}", _OPEN_HINT)
    elif _JSON_START.match(first):
        raise SeedError(path, 1, "JSON front matter is not read", _TOML)
    elif _KEY_LINE.match(first):
        raise SeedError(path, 1, "the front matter has no opening '---' line", _OPEN_HINT)
    return None


def normalized(text: str) -> str:
    """A file's text as documents hold it: no leading BOM, every line ending a LF."""
    return text.lstrip(_INVISIBLE).replace("\r\n", "\n").replace("\r", "\n")


def _next(pattern: re.Pattern[str], text: str) -> int:
    """Where ``pattern`` first matches in ``text``, or where the Markdown body starts."""
    found = pattern.search(text) or _CONTENT.search(text)
    return found.start() if found else len(text)


def _with_front_matter(path: Path, text: str, rest: str) -> Document | None:
    """The document of a file whose first line is ``---``; ``rest`` follows that line."""
    close = _CLOSING.search(rest)
    if close is None:
        head = rest[: _next(_CONTENT, rest)]
        if not _KEY_LINE.search(head):
            return None
        rows = enumerate(head.split("\n"), start=2)
        near = next((number for number, row in rows if row.startswith(("---", "..."))), 0)
        said = f" (line {near} holds more than '---')" if near else ""
        raise SeedError(path, 1, f"the front matter has no closing '---' line{said}", _CLOSE_HINT)
    fm = rest[: close.start()]
    close_line = 1 + fm.count("\n") + 1
    try:
        front = load_yaml(fm)
    except yaml.YAMLError as error:
        if _KEY_LINE.search(fm):
            line = error_line(error)
            raise SeedError(
                path,
                line + 1 if line else 2,
                f"front matter is not valid YAML: {error_text(error)}",
                error_hint(error, _QUOTE_HINT, fm),
            ) from None
        front = None
    if isinstance(front, LineDict):
        if "endpoint" in front:
            body_at = len(text) - len(rest) + close.end() + 1
            front_lines = {key: line + 1 for key, line in front.key_lines.items()}
            return Document(path, dict(front), front_lines, text, body_at, close_line + 1)
        _misspelt_endpoint(path, front)
    elif front is not None:
        found = _WORD_LINE.search(fm)
        if found:
            kind = "a list" if isinstance(front, list) else "text"
            hint = "write one 'key: value' per line" + (
                ", without '- '" if kind == "a list" else ""
            )
            line = 2 + fm.count("\n", 0, found.start())
            raise SeedError(path, line, f"the front matter is {kind}, not a mapping of keys", hint)
    _endpoint_after(path, rest[close.end() + 1 :], close_line)
    return None


def _misspelt_endpoint(path: Path, front: LineDict) -> None:
    for key in front:
        if re.sub(r"[\W_]+", "", key.lower()) in ("endpoint", "endpoints"):
            raise SeedError(
                path,
                front.key_lines[key] + 1,
                f"front-matter key '{key}' is not 'endpoint'",
                "write it as endpoint: (lower case)",
            )


def _endpoint_after(path: Path, body: str, close_line: int) -> None:
    """An ``endpoint:`` line right after the front matter: an extra ``---`` above it."""
    stripped = body.lstrip("\n")
    if _ENDPOINT_LINE.match(stripped):
        line = close_line + 1 + len(body) - len(stripped)
        raise SeedError(
            path,
            line,
            f"'endpoint' on line {line} is outside the front matter (lines 1-{close_line})",
            "remove the extra '---' line above it",
        )


def near_miss(path: Path) -> SeedError | None:
    """Why a file that is not a seed looks like one, or None: its front matter does not start
    on the first line (blank lines or a comment stand above it). Told, never raised."""
    try:
        with path.open("rb") as handle:
            text = normalized(handle.read(65536).decode("utf-8", "replace"))
    except OSError:
        return None
    lines = text.split("\n")
    number, comment = 0, False
    while number < len(lines):  # blank lines and HTML comments
        line = lines[number].strip()
        if comment or line.startswith("<!--"):
            comment = "-->" not in line
        elif line:
            break
        number += 1
    if number == 0 or number >= len(lines) or not _OPENING.fullmatch(lines[number].rstrip()):
        return None
    rest = "\n".join(lines[number + 1 :])
    if not _KEY_LINE.search(rest[: _next(_CLOSING, rest)]):
        return None
    return SeedError(
        path,
        number + 1,
        "front matter does not start on the first line; not collected as a seed",
        "remove the lines above the first '---'",
    )


def split_sections(body: str, first_line: int) -> list[Section]:
    """Level-2 sections with their fenced blocks; headings inside fences do not count.

    Regexes find the lines that open a fence or a section and the line that closes
    a fence; the text between them is taken in slices rather than line by line.
    Positions are in ``"\\n" + body``, so that every line starts after a newline.
    """
    doc = "\n" + body
    sections: list[Section] = [Section("", first_line)]
    position, line = 1, first_line
    for found in _MARKER.finditer(doc):
        start = found.start() + 1
        if start < position:  # a line inside a block already read
            continue
        line += doc.count("\n", position, start)
        sections[-1].text.extend(doc[position:start].split("\n")[:-1])
        position = doc.find("\n", start) + 1  # 0: the document ends on this line
        fence = found.group(1)
        if fence is None:
            sections.append(Section(found.group(3).strip(), line))
            line += 1
        else:
            lang = found.group(2).lower()
            close = _closing_fence(fence).search(doc, position - 1) if position else None
            if close is None:  # an unclosed block runs to the end
                text = doc[position:] if position else ""
                sections[-1].blocks.append(Block(lang, text + "\n", line))
                return sections
            end = close.start() + 1
            sections[-1].blocks.append(Block(lang, doc[position:end] or "\n", line))
            position = doc.find("\n", end) + 1
            line += doc.count("\n", start, position)
        if not position:
            return sections
    sections[-1].text.extend(doc[position:].split("\n"))
    return sections


@functools.lru_cache(maxsize=16)
def _closing_fence(fence: str) -> re.Pattern[str]:
    """A line of at least as many of the fence's characters, and nothing else."""
    return re.compile(rf"\n[^\S\n]*{re.escape(fence[0])}{{{len(fence)},}}[^\S\n]*(?=\n|\Z)")
