"""Seed node ids that round-trip: ``--lf``, ``--sw``, ``--deselect``, command-line arguments.

A seed item is named by its endpoint. pytest splits node ids at ``::`` and reads ``[...]``
as parametrization (``NodeId.parse``, command-line arguments), so an endpoint such as
``GET /a/[id]`` or ``POST /x::y`` would not find its item again. Item names are the
endpoint with four things percent-encoded, as in URLs: ``%`` (``%25``), ``[`` (``%5B``),
``]`` (``%5D``) and each colon of a run of two or more (``%3A``). Every other endpoint,
the usual ones included, is its own name. :func:`endpoint_of` reverses :func:`item_name`.

File names are the user's: :class:`SeedNodeIds` finds the seed files and folders whose
path pytest refuses as an argument (``[``, ``::``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

_UNSAFE = re.compile(r"[%\[\]]|:{2,}")
_ESCAPED = re.compile(r"%(25|5B|5D|3A)")


def item_name(text: str) -> str:
    """The item name of an endpoint (or a file name): no ``::``, no ``[``, reversible."""
    return _UNSAFE.sub(lambda match: "".join(f"%{ord(c):02X}" for c in match.group()), text)


def endpoint_of(name: str) -> str:
    """The text an item name was made from (:func:`item_name` reversed)."""
    return _ESCAPED.sub(lambda match: chr(int(match.group(1), 16)), name)


def split_nodeid(nodeid: str) -> tuple[str, str | None]:
    """A seed's node id as (file path relative to the rootdir, item name or None).

    Item names never hold ``::``, so the last one separates them; a file name may hold one.
    """
    path, separator, name = nodeid.rpartition("::")
    return (path, name) if separator else (nodeid, None)


def _is_pytest_safe(text: str) -> bool:
    return "[" not in text and "::" not in text


def seed_target(argument: str, here: Path) -> tuple[str, str | None] | None:
    """(seed file or folder, item name or None) that ``argument`` names, else None.

    The file is the shortest prefix ending at a ``::`` (or the whole argument) that is an
    existing ``.md`` file: a file name may hold ``::``, as an endpoint may.
    """
    ends = [match.start() for match in re.finditer("::", argument)] + [len(argument)]
    for end in ends:
        path = argument[:end]
        if path.lower().endswith(".md") and (here / path).is_file():
            return path, argument[end + 2 :] if end < len(argument) else None
    return (argument, None) if (here / argument).is_dir() else None


def _safe_folder(path: str) -> str:
    """The nearest folder above ``path`` that pytest takes as an argument."""
    folder = os.path.dirname(path)
    while not _is_pytest_safe(folder):
        folder = os.path.dirname(folder)
    return folder or "."


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path))


@dataclass
class _Selection:
    """A command-line argument as pytest reads it: a path, names below it, parametrization."""

    path: Path
    names: tuple[str, ...]
    params: str | None

    @classmethod
    def parse(cls, argument: str, here: Path) -> _Selection:
        base, bracket, rest = argument.partition("[")
        path, *names = base.split("::")
        return cls(_absolute(here / path), tuple(names), bracket + rest or None)

    def related(self, path: Path) -> bool:
        return path.is_relative_to(self.path) or self.path.is_relative_to(path)

    def covers(self, item: pytest.Item) -> bool:
        if not self.names:
            return _absolute(item.path).is_relative_to(self.path)
        chain = item.listchain()
        file_at = max(
            (i for i, node in enumerate(chain) if isinstance(node, pytest.File)), default=0
        )
        names = [node.name for node in chain[file_at + 1 :]]
        if _absolute(item.path) != self.path or len(names) < len(self.names):
            return False
        *head, last = self.names
        name = names[len(head)]
        return names[: len(head)] == head and (
            name == last + self.params if self.params else name.split("[")[0] == last
        )


class SeedNodeIds:
    """Seed ids that pytest would refuse or misread: on the command line and in --deselect.

    pytest refuses an argument whose path holds ``[`` ("path cannot contain []
    parametrization") or ``::``, and reads ``[...]`` and ``::`` after the file as
    parametrization and nesting. Such an argument naming a seed file or folder
    (``sp ace[1].md``, ``sp ace[1].md::GET /x``, ``a.md::GET /a/[id]``: the endpoint as
    written, or its item name) is given to pytest as the nearest folder above it that
    pytest accepts; in that folder only the paths leading to what was asked for (or to
    another argument) are collected, and then only the items asked for are kept. Every
    process does the same, xdist workers included. ``--deselect`` also takes a seed's file
    and endpoint as written (``a.md::GET /a/[id]``), as before item names were escaped.
    """

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        here = config.invocation_params.dir
        self.arguments: list[str] = []
        self.wanted: dict[Path, set[str] | None] = {}  # file or folder -> item names
        self.folders: list[Path] = []  # given to pytest in their place
        self.others: list[_Selection] = []  # the arguments given to pytest as they are
        for argument in config.args:
            found = seed_target(argument, here)
            if found is None or (_is_pytest_safe(found[0]) and _is_pytest_safe(found[1] or "")):
                self.arguments.append(argument)
                self.others.append(_Selection.parse(argument, here))
                continue
            path, name = found
            target = _absolute(here / path)
            names = self.wanted.get(target, set())
            self.wanted[target] = (
                None if name is None or names is None else {*names, name, item_name(name)}
            )
            folder = _safe_folder(path)
            self.folders.append(_absolute(here / folder))
            if folder not in self.arguments:
                self.arguments.append(folder)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_collection(self) -> Iterator[None]:
        """Collect from the arguments pytest accepts, then give the run its own back."""
        if not self.wanted:
            return (yield)
        given = self.config.args
        self.config.args = self.arguments
        try:
            return (yield)
        finally:
            self.config.args = given

    def pytest_ignore_collect(self, collection_path: Path) -> bool | None:
        if not self.wanted:
            return None
        path = _absolute(collection_path)
        if not any(path.is_relative_to(folder) and path != folder for folder in self.folders):
            return None
        if any(
            path.is_relative_to(target) or target.is_relative_to(path) for target in self.wanted
        ):
            return None
        if any(other.related(path) for other in self.others):
            return None
        return True

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        if self.wanted:
            items[:] = [item for item in items if self._asked_for(item)]
        prefixes = tuple(self.config.getoption("deselect", None) or ())
        if prefixes:
            written = [(item, _as_written(item)) for item in items]
            dropped = [item for item, text in written if text and text.startswith(prefixes)]
            if dropped:  # pytest itself deselects by node id
                self.config.hook.pytest_deselected(items=dropped)
                gone = {id(item) for item in dropped}
                items[:] = [item for item in items if id(item) not in gone]

    def _asked_for(self, item: pytest.Item) -> bool:
        path = _absolute(item.path)
        if not any(path.is_relative_to(folder) for folder in self.folders):
            return True
        for target, names in self.wanted.items():
            if path == target and (names is None or item.name in names):
                return True
            if names is None and path.is_relative_to(target):
                return True
        return any(other.covers(item) for other in self.others)


def _as_written(item: pytest.Item) -> str:
    """A seed's id with its endpoint as written; "" when that is its node id, or no seed."""
    path, name = split_nodeid(item.nodeid)
    if name is None or item.get_closest_marker("seed") is None:
        return ""
    written = f"{path}::{endpoint_of(name)}"
    return "" if written == item.nodeid else written
