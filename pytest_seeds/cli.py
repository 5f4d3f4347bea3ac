"""The ``pytest-seeds`` command, for what is not a pytest run.

Seeds run with pytest (``pytest --seeds-dir DIR``). ``pytest-seeds sandbox`` starts the
embedded sandbox API and prints the settings that point a run at it; with
``--write-seeds DIR`` it first copies the demo seeds there (see
:mod:`pytest_seeds.sandbox.__main__`).
"""

from __future__ import annotations

import argparse
import sys
from importlib import metadata

from pytest_seeds.sandbox import __main__ as sandbox_command


def _version() -> str:
    try:
        return metadata.version("pytest-seeds")
    except metadata.PackageNotFoundError:  # a source checkout that is not installed
        return "(not installed)"


def main(argv: list[str] | None = None) -> int:
    """``pytest-seeds COMMAND ...``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="pytest-seeds",
        description="Tools around pytest-seeds; the seeds run with: pytest --seeds-dir DIR",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sandbox = commands.add_parser(
        "sandbox",
        help="run the sandbox API for the demo seeds",
        description=sandbox_command.DESCRIPTION,
    )
    sandbox_command.add_arguments(sandbox)
    args = parser.parse_args(argv)
    return sandbox_command.run(args)


if __name__ == "__main__":
    sys.exit(main())
