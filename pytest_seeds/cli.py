"""The ``pytest-seeds`` command, for what is not a pytest run.

Seeds run with pytest (``pytest --seeds-dir DIR``). ``pytest-seeds sandbox`` starts the
embedded sandbox API and prints the settings that point a run at it; with
``--write-seeds DIR`` it first copies the demo seeds there (see
:mod:`pytest_seeds.sandbox.__main__`). ``pytest-seeds merge`` makes one summary and one
JUnit file of the reports of a run split over machines (see :mod:`pytest_seeds.output.merge`).
"""

from __future__ import annotations

import argparse
import sys
from importlib import metadata
from pathlib import Path

from pytest_seeds.output import merge as merging
from pytest_seeds.output import summary as seeds_summary
from pytest_seeds.sandbox import __main__ as sandbox_command

MERGE_DESCRIPTION = (
    "Merge the reports of the shards of a run (--seeds-summary-json files, JUnit XML files; "
    "each file's kind is read from its content) into one of each kind, and check that every "
    "seed ran in exactly one shard. Exit status: 0 merged; 1 a seed missing or run twice "
    "(the merged files are written all the same); 2 an input that cannot be used "
    "(nothing written)."
)


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
    merge = commands.add_parser(
        "merge", help="merge the reports of a run's shards", description=MERGE_DESCRIPTION
    )
    merge.add_argument("inputs", nargs="+", type=Path, metavar="FILE", help="a shard's report")
    for kind in merging.KINDS:
        merge.add_argument(
            kind.output,
            dest=kind.output,
            type=Path,
            metavar="FILE",
            help=f"write the merged {kind.name} here",
        )
    merge.add_argument("-q", "--quiet", action="store_true", help="the summary on one line")
    args = parser.parse_args(argv)
    if args.command == "merge":
        return run_merge(args)
    return sandbox_command.run(args)


def run_merge(args: argparse.Namespace) -> int:
    """``pytest-seeds merge``: merge, print the summary and the problems, write the files."""
    try:
        merged = merging.merge(args.inputs)
    except merging.InputError as error:
        print(f"pytest-seeds merge: {error}", file=sys.stderr)
        return 2
    outputs = {kind: getattr(args, kind.output) for kind in merging.KINDS}
    absent = [
        kind.output for kind, path in outputs.items() if path and kind.name not in merged.documents
    ]
    if absent:
        print(f"pytest-seeds merge: {', '.join(absent)}: no input of that kind", file=sys.stderr)
        return 2
    summary = merged.documents.get(merging.SUMMARY.name)
    if summary is not None:
        for line in [
            *seeds_summary.lines(summary, -1 if args.quiet else 0),
            *seeds_summary.alerts(summary),
        ]:
            print(line)
    else:
        print("no summary JSON among the inputs: seeds missing or run twice are not checked")
    for problem in merged.problems:
        print(f"!! {problem}")
    for kind, path in outputs.items():
        if path is not None:
            try:
                kind.write(merged.documents[kind.name], path)
            except OSError as error:
                print(f"pytest-seeds merge: {path}: cannot write it: {error}", file=sys.stderr)
                return 2
            print(f"merged {kind.name}: {path}")
    return 1 if merged.problems else 0


if __name__ == "__main__":
    sys.exit(main())
