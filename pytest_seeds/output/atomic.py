"""Writing report files whole or not at all, safe when several processes write at once."""

from __future__ import annotations

import json
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TextIO


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename.

    A reader never sees half a file, and two xdist workers writing different files
    into one folder never step on each other's temporary files. A file name that is not
    UTF-8 (a lone surrogate in ``text``) is written as its ``\\udcXX`` escape, which JSON
    reads back as the same text.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace(path, lambda stream: stream.write(text), "backslashreplace")


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
    """Replace a file by ``text`` as it is (no newline translation)."""
    _replace(path, lambda stream: stream.write(text), errors, "")


def _replace(
    path: Path,
    write: Callable[[TextIO], object],
    errors: str = "strict",
    newline: str | None = None,
) -> None:
    """Write a temporary file beside ``path`` and rename it over ``path``: a file replaced
    keeps its permissions, a new one gets the ones ``open`` would give it (the umask's)."""
    try:
        mode: int | None = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None
    handle, temporary = _temporary(path)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", errors=errors, newline=newline) as stream:
            write(stream)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _temporary(path: Path) -> tuple[int, str]:
    """A new file beside ``path``, created as ``open`` creates files (mode 0o666 less the
    umask; ``tempfile.mkstemp`` would make it 0o600): its descriptor and name."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        name = str(path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(name, flags, 0o666), name
        except FileExistsError:  # another process's, by a chance in 2**48: another name
            continue
