"""Writing report files whole or not at all, safe when several processes write at once."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename.

    A reader never sees half a file, and two xdist workers writing different files
    into one folder never step on each other's temporary files.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace(path, lambda stream: stream.write(text))


def write_json(path: Path, document: object) -> None:
    """Write a report as JSON: indented, keys sorted, text as it is (not escaped)."""
    write_text(path, json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def rewrite_lines(path: Path, change: Callable[[str], str]) -> None:
    """Replace a text file by its lines passed through ``change``, the same way, line by line.

    Bytes that are not UTF-8 are kept as they were.
    """
    kept = "surrogateescape"
    with path.open(encoding="utf-8", errors=kept, newline="") as source:
        _replace(path, lambda stream: stream.writelines(map(change, source)), kept, "")


def write_exact(path: Path, text: str, errors: str = "strict") -> None:
    """Replace an existing file by ``text`` as it is (no newline translation), keeping the
    file's permissions."""
    mode = path.stat().st_mode & 0o7777
    _replace(path, lambda stream: stream.write(text), errors, "", mode)


def _replace(
    path: Path,
    write: Callable[[TextIO], object],
    errors: str = "strict",
    newline: str | None = None,
    mode: int | None = None,
) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", errors=errors, newline=newline) as stream:
            write(stream)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
