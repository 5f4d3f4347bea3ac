"""The ``pytest-seeds`` command, for what is not a pytest run.

Seeds run with pytest (``pytest --seeds-dir DIR``). ``pytest-seeds sandbox`` starts the
embedded sandbox API and prints the settings that point a run at it; with
``--write-seeds DIR`` it first copies the demo seeds there (see
:mod:`pytest_seeds.sandbox.__main__`). ``pytest-seeds merge`` makes one summary and one
JUnit file of the reports of a run split over machines (see :mod:`pytest_seeds.output.merge`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from importlib import metadata
from pathlib import Path

from pytest_seeds.contract.coverage import read_ledger
from pytest_seeds.output import coverage as coverage_files
from pytest_seeds.output import merge as merging
from pytest_seeds.output import summary as seeds_summary
from pytest_seeds.sandbox import __main__ as sandbox_command

GATES = "--coverage-min/--coverage-baseline"
MERGE_DESCRIPTION = (
    "Merge the reports of the shards of a run (--seeds-summary-json files, --seeds-coverage "
    "ledgers, JUnit XML files; each file's kind is read from its content) into one of each "
    "kind, check that every seed ran in exactly one shard and is in the other kinds once, and "
    "apply the coverage gates to the merged ledger. Exit status: 0 merged; 1 a seed missing "
    "or run twice, or a coverage gate missed (the merged files are written all the same); "
    "2 an input that cannot be used or an output that cannot be written (nothing written)."
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
    merge.add_argument(
        "--coverage-min",
        type=_percent,
        metavar="PERCENT",
        help="fail (exit 1) when the merged ledger covers fewer than PERCENT %% of the operations",
    )
    merge.add_argument(
        "--coverage-baseline",
        type=Path,
        metavar="FILE",
        help="fail (exit 1) when an operation a seed covered in this ledger has none now",
    )
    merge.add_argument("-q", "--quiet", action="store_true", help="the summary on one line")
    args = parser.parse_args(argv)
    if args.command == "merge":
        return run_merge(args)
    return sandbox_command.run(args)


def run_merge(args: argparse.Namespace) -> int:
    """``pytest-seeds merge``: merge, print the summary and the problems, write the files."""
    outputs = {kind: getattr(args, kind.output) for kind in merging.KINDS}
    gated = args.coverage_min is not None or args.coverage_baseline is not None
    errors = _output_errors(outputs, args.inputs)
    try:
        baseline = None if args.coverage_baseline is None else read_ledger(args.coverage_baseline)
    except ValueError as error:
        errors.append(f"--coverage-baseline: {error}")
    try:
        merged = merging.merge(args.inputs)
    except merging.InputError as error:
        errors += str(error).splitlines()
    if not errors:
        wanted = [(kind.output, kind.name) for kind, path in outputs.items() if path]
        wanted += [(GATES, merging.COVERAGE.name)] if gated else []
        absent = [option for option, name in wanted if name not in merged.documents]
        errors += [f"{', '.join(absent)}: no input of that kind"] if absent else []
    if errors:
        for line in errors:
            print(f"pytest-seeds merge: {line}", file=sys.stderr)
        return 2
    for note in merged.notes:
        print(note)
    summary = merged.documents.get(merging.SUMMARY.name)
    if summary is not None:
        for line in [
            *seeds_summary.lines(summary, -1 if args.quiet else 0),
            *seeds_summary.alerts(summary),
        ]:
            print(line)
    else:
        print("no summary JSON among the inputs: seeds missing or run twice are not checked")
    problems = list(merged.problems)
    if gated:
        ledger = merged.documents[merging.COVERAGE.name]
        problems += merging.coverage_gates(ledger, args.coverage_min, baseline)
    for problem in problems:
        print(f"!! {problem}")
    for kind, path in outputs.items():
        if path is not None:
            try:
                kind.write(merged.documents[kind.name], path)
            except OSError as error:
                print(f"pytest-seeds merge: {path}: cannot write it: {error}", file=sys.stderr)
                return 2
            print(f"merged {kind.name}: {path}")
    return 1 if problems else 0


def _percent(text: str) -> float:
    """``--coverage-min``: a percentage from 0 to 100."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage from 0 to 100")
    return value


def _output_errors(outputs: dict[merging.Kind, Path | None], inputs: list[Path]) -> list[str]:
    """What is wrong with the output paths, a line each, found before any file is written:
    two outputs on one path, an output that is an input, a coverage ledger named ``.md``
    (its table's name), a file that cannot be written."""
    files: list[tuple[Path, str]] = []  # each file written, and what writes it
    errors = []
    for kind, path in outputs.items():
        if path is None:
            continue
        files.append((path, kind.output))
        if kind is merging.COVERAGE and path.suffix == ".md":
            errors.append(
                f"{kind.output} {path}: name the JSON ledger (its Markdown table goes beside it, .md)"
            )
        elif kind is merging.COVERAGE:
            files.append(
                (coverage_files.markdown_path(path), f"the Markdown table of {kind.output}")
            )
    written: dict[Path, list[str]] = defaultdict(list)
    for path, what in files:
        written[path.resolve()].append(what)
    sources = {path.resolve() for path in inputs}
    for path, what in files:
        where = path.resolve()
        if where not in written:  # told already
            continue
        trouble = _unwritable(where)
        if len(written[where]) > 1:
            errors.append(f"{path}: written by {' and by '.join(written[where])}")
        elif where in sources:
            errors.append(f"{path}: {what} would overwrite an input")
        elif trouble:
            errors.append(f"{path}: {what}: cannot write it: {trouble}")
        del written[where]
    return errors


def _unwritable(path: Path) -> str | None:
    """Why a file cannot be written at ``path`` (an absolute path), or None."""
    if path.is_dir():
        return "it is a folder"
    folder = next(folder for folder in path.parents if folder.exists())  # "/" exists
    if not folder.is_dir():
        return f"{folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"no permission to write in {folder}"
    return None


if __name__ == "__main__":
    sys.exit(main())
