"""Split a seed's Markdown into front matter, sections and fenced code blocks.

This is the raw view of a document (with line numbers): :mod:`pytest_seeds.reading.parser`
turns it into a :class:`~pytest_seeds.model.Seed`, and lint inspects it.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from pytest_seeds.model import Phase, SeedError
from pytest_seeds.reading.yamlload import error_line, error_text, load_yaml
from pytest_seeds.reading.yamlsafe import LineDict

MAX_SEED_BYTES = 2 * 1024 * 1024
_MARKER = re.compile(r"\n(?: {0,3}(`{3,}|~{3,})[^\S\n]*([\w+-]*)|## (.*))")
_ENDPOINT_LINE = re.compile(r"^endpoint\s*:", re.MULTILINE)


class _FrontMatter(YAMLHandler):
    """python-frontmatter's YAML handler, reading with the seed loader."""

    def load(self, fm: str, **kwargs: object) -> Any:
        return load_yaml(fm)


_FRONT_MATTER = _FrontMatter()


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
    """A seed document in raw form."""

    path: Path
    front: dict[str, Any]
    front_lines: dict[str, int]
    sections: list[Section]
    text: str  # the whole file, newlines normalized: line n is text.split("\n")[n - 1]


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
        if _ENDPOINT_LINE.search(data[:4096].decode("utf-8", "replace")):
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
    """Read a Markdown text; None when it is not a seed (no ``endpoint`` in front matter)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    boundary = _FRONT_MATTER.FM_BOUNDARY.match(text)
    if boundary is None:
        return None
    try:
        fm, body = _FRONT_MATTER.split(text)
    except ValueError:
        return None
    fm_line = text.count("\n", 0, boundary.end()) + 1
    try:
        front = _FRONT_MATTER.load(fm)
    except yaml.YAMLError as error:
        if not _ENDPOINT_LINE.search(fm):
            return None
        line = error_line(error)
        raise SeedError(
            path,
            fm_line + line - 1 if line else fm_line,
            f"front matter is not valid YAML: {error_text(error)}",
            "quote values that contain ': ' or start with '{', '[', '*', '&' or '!'",
        ) from None
    if not isinstance(front, LineDict) or "endpoint" not in front:
        return None
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    front_lines = {key: fm_line + line - 1 for key, line in front.key_lines.items()}
    return Document(path, dict(front), front_lines, split_sections(body, body_line), text)


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
