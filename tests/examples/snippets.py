"""The README's examples as files: ``readme/`` holds each exactly as the README prints it.

``test_readme_snippets.py`` checks that the README still prints every file of ``readme/`` as
one of its fenced blocks, so the examples the other tests run are the ones users read. Where
the README elides a value (``"…"``, ``{...}``) a test fills it in, in plain sight.
"""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
SNIPPETS = Path(__file__).resolve().parent / "readme"
_FENCED = re.compile(r"^```(\w*)\n(.*?)^```$", re.DOTALL | re.MULTILINE)
_ELIDED = re.compile(r'(\w+)("?): "…"')


def snippet(name: str) -> str:
    """The text of ``readme/<name>``."""
    return (SNIPPETS / name).read_text(encoding="utf-8")


def fenced_blocks(markdown: str) -> list[tuple[str, str]]:
    """(language, text) of every fenced code block of a Markdown document, in order."""
    return [(match.group(1), match.group(2)) for match in _FENCED.finditer(markdown)]


def fill_elided(text: str) -> str:
    """Each elided value ``name: "…"`` (JSON or YAML) becomes ``name: "name-value"``."""
    return _ELIDED.sub(r'\1\2: "\1-value"', text)
