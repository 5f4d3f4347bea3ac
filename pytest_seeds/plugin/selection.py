"""Which seeds a run has: the seed folders its paths reach, and seed files named as arguments.

``--seeds-dir`` on the command line, with no paths, runs only the seeds; ``seeds_dir`` in the
ini file (or ``SEEDS_DIR``) adds the seed folders to what a plain ``pytest`` collects
(``testpaths``, else the current folder). A ``.md`` file named on the command line is a seed
even without a seed folder; a folder is one only when configured, so ``pytest .`` never
collects a project's Markdown by surprise.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from pytest_seeds.plugin.names import seed_target


def _path_of(argument: str, here: Path) -> Path:
    """The file or folder a command-line argument (a path or a node id) starts from."""
    return Path(os.path.abspath(here / argument.split("::")[0]))


def run_args(args: list[str], dirs: Sequence[Path], here: Path, only_seeds: bool) -> list[str]:
    """The paths of a run given none: the seed folders alone, or added to pytest's own."""
    if only_seeds:
        return [str(folder) for folder in dirs]
    paths = [_path_of(argument, here) for argument in args]
    missing = [folder for folder in dirs if not any(folder.is_relative_to(p) for p in paths)]
    return [*args, *(str(folder) for folder in missing)]


def reached_folders(args: Sequence[str], dirs: Sequence[Path], here: Path) -> list[Path]:
    """The parts of the seed folders the run collects: each folder, or the paths inside it."""
    reached: dict[Path, None] = {}
    for path in (_path_of(argument, here) for argument in args):
        for folder in dirs:
            if path.is_relative_to(folder) or folder.is_relative_to(path):
                reached[max(path, folder, key=lambda p: len(p.parts))] = None
    return list(reached)


def named_seed_files(args: Sequence[str], here: Path) -> list[Path]:
    """The ``.md`` files named by the arguments (``seeds/one.md``, ``one.md::GET /x``)."""
    found = (seed_target(argument, here) for argument in args)
    return [
        Path(os.path.abspath(here / target[0]))
        for target in found
        if target is not None and target[0].lower().endswith(".md")
    ]


def seed_roots(args: Sequence[str], dirs: Sequence[Path], here: Path) -> tuple[Path, ...]:
    """The folders and files whose ``.md`` files are seeds in this run (none: a run without)."""
    return tuple(dict.fromkeys([*reached_folders(args, dirs, here), *named_seed_files(args, here)]))
