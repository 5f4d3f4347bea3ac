"""Reading one YAML document safely: the fast path, else the reference loader.

Seeds were written for a JavaScript runner (YAML 1.2): only ``true``/``false``
are booleans, dates stay strings, ``10:30`` is not a sexagesimal number. Python
tags (``!!python/...``) are refused; aliases are bounded so that an alias bomb
cannot blow up memory, and nesting so that no later recursive walk overflows.
"""

from __future__ import annotations

from typing import Any

import yaml

from pytest_seeds.reading import yamlfast
from pytest_seeds.reading.yamlsafe import SeedLoader


def load_yaml(text: str) -> Any:
    """Parse one YAML document safely; raise ``yaml.YAMLError`` with a mark on failure.

    :mod:`~pytest_seeds.reading.yamlfast` builds the data; documents with anchors
    (``&``) or explicit tags go through :class:`SeedLoader`, which bounds aliases and
    refuses Python tags. Both refuse nesting deeper than the same limit.
    """
    try:
        return yamlfast.build(text)
    except yamlfast.Unusual:
        return yaml.load(text, Loader=SeedLoader)


def error_line(error: yaml.YAMLError) -> int | None:
    """The 1-based line a YAML error points at, if it says."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def error_text(error: yaml.YAMLError) -> str:
    """A one-line description of a YAML error, without PyYAML's mark dump."""
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    if problem:
        return f"{context}, {problem}" if context else str(problem)
    return str(error).splitlines()[0]


def error_hint(error: yaml.YAMLError, default: str, text: str = "") -> str:
    """How to fix a YAML error in ``text``: the loader's own hint, tabs, else ``default``."""
    hint = getattr(error, "hint", "")
    if hint:
        return str(hint)
    line = error_line(error)
    rows = text.split("\n")
    row = rows[line - 1] if line and line <= len(rows) else ""
    tabbed = "\t" in row[: len(row) - len(row.lstrip())]
    return "indent with spaces, not tabs" if tabbed or "tab" in error_text(error) else default
