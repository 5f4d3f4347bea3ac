"""One report of each kind from the reports of a run split over machines (shards).

``pytest-seeds merge`` reads each input file, tells its kind from its content (a JSON
document's ``format``, or JUnit XML), merges the files of each kind and writes one file
per kind: run summaries, coverage ledgers (``--seeds-coverage``; the merged one is
written as JSON and as its Markdown table) and JUnit XML. A kind is an entry of
:data:`KINDS` (how to read, merge and write it).

The run summaries are also checked: every seed that any shard had before the split
(``shard.collected``) must be in exactly one shard's report. A seed in none, in two, and
shards that do not add up (``--splits`` differing, a group given twice or missing) are
*problems*; so are, against the merged summary, a JUnit testcase in two files, a seed
without a testcase, and a seed in two coverage ledgers or in none (:func:`merge`); and
the merged ledger under the coverage gates (:func:`coverage_gates`). The merged files
are still written, and the command says which seeds and files, and fails. An input that
cannot be used (unreadable, not JSON or XML, another format, odd values) is an
:class:`InputError`, one line each, and nothing is written.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_seeds import settings as seeds_config
from pytest_seeds.contract import coverage
from pytest_seeds.output import atomic
from pytest_seeds.output import coverage as coverage_files
from pytest_seeds.output import summary as seeds_summary
from pytest_seeds.reading.files import read_limited

# the outcome a seed counts by when two shards ran it: the worse one (as in one run)
WORST_FIRST = ("failed", "errors", "xfailed", "skipped", "passed")
INSTALL_JUNITPARSER = (
    "merging JUnit XML needs junitparser: pip install 'pytest-seeds[shard]' (or junitparser)"
)
MOST_SHARDS = seeds_config.MOST_SHARDS
# JUnit XML's result elements and the outcome they stand for
JUNIT_OUTCOMES = (("Failure", "failed"), ("Error", "errors"), ("Skipped", "skipped"))
MAX_REPORT_BYTES = 1 << 30  # a shard's report larger than this is not one of ours (nor /dev/zero)
_ROW_KEYS = ("seed", "endpoint", "domain", "outcome", "missing_tokens", "worker_crashed")


class InputError(Exception):
    """An input the merge cannot use; the message is one line that names the file."""


@dataclass(frozen=True)
class Kind:
    """A kind of report: what it is called, the option of its merged file, how to merge it.

    ``merge`` takes (file name, document) pairs and returns the merged document and its
    problems (lines); ``write`` writes a merged document.
    """

    name: str
    output: str
    merge: Callable[[Sequence[tuple[str, Any]]], tuple[Any, list[str]]]
    write: Callable[[Any, Path], object]


@dataclass
class Merged:
    """The merged document of each kind given, and the problems found while merging."""

    documents: dict[str, Any]
    problems: list[str]
    notes: list[str] = field(default_factory=list)  # inputs passed over


# --- run summaries --------------------------------------------------------------------------


def _check_summary(document: Any) -> str | None:
    """What makes a JSON document of the summary format unusable, or None."""
    if not isinstance(document.get("seeds"), list):
        return "'seeds' is not a list"
    if document.get("mode", "run") not in seeds_summary.MODES:
        return f"'mode' is not one of {', '.join(seeds_summary.MODES)}"
    for row in document["seeds"]:
        if not isinstance(row, dict) or any(key not in row for key in _ROW_KEYS):
            return f"a seed row lacks one of {', '.join(_ROW_KEYS)}"
        tokens = row["missing_tokens"] if isinstance(row["missing_tokens"], list) else [None]
        texts = [row["seed"], row["endpoint"], row["domain"], *tokens]
        if not all(isinstance(text, str) for text in texts):
            return f"seed {row['seed']!r}: seed, endpoint, domain, missing_tokens are not text"
        if row["outcome"] not in WORST_FIRST:
            return f"seed {row['seed']}: unknown outcome {row['outcome']!r}"
    shard = document.get("shard", {})
    if not (
        isinstance(shard, dict)
        and isinstance(shard.get("collected", []), list)
        and all(isinstance(seed, str) for seed in shard.get("collected", []))
        and _bounded(shard.get("count", 1))
        and (shard.get("group") is None or _bounded(shard.get("group")))
    ):
        return (
            "'shard' is not a mapping of count, group (whole numbers from 1 to "
            f"{MOST_SHARDS}) and a 'collected' list of seeds"
        )
    timing = document.get("timing", {})
    steps = timing.get("slowest_steps", []) if isinstance(timing, dict) else None
    if (
        not isinstance(steps, list)
        or not _timing_fields(timing)
        or not all(
            isinstance(step, dict)
            and isinstance(step.get("ms"), int | float)
            and isinstance(step.get("seed"), str)
            and isinstance(step.get("step"), str)
            for step in steps
        )
    ):
        return (
            "'timing' is not a mapping of started, finished (text), seconds (a number) "
            "and a 'slowest_steps' list of {seed, step, ms}"
        )
    return None


def _bounded(value: Any) -> bool:
    """A shard count or group: a whole number from 1 to :data:`MOST_SHARDS`."""
    return type(value) is int and 1 <= value <= MOST_SHARDS


def _timing_fields(timing: dict[str, Any]) -> bool:
    """The run's start and finish are text (or absent), its seconds a number (or absent)."""
    seconds = timing.get("seconds")
    return all(isinstance(timing.get(key), str | None) for key in ("started", "finished")) and (
        seconds is None or (isinstance(seconds, int | float) and not isinstance(seconds, bool))
    )


def merge_summaries(
    summaries: Sequence[tuple[str, dict[str, Any]]],
) -> tuple[dict[str, Any], list[str]]:
    """One summary from those of the shards, and the problems: seeds missing or run twice.

    A seed run by two shards counts once, by its worse outcome. The order of the inputs
    does not matter. Different environments (``--seeds-env``) cannot be merged.
    """
    environments = _by(summaries, lambda document: str(document.get("environment")))
    if len(environments) > 1:
        raise InputError(f"the summaries are of different environments ({_named(environments)})")
    modes = _by(summaries, lambda document: document.get("mode", "run"))
    if len(modes) > 1:
        raise InputError(
            f"cannot merge the summaries of a run with those of --seeds-lint ({_named(modes)})"
        )
    ran: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    collected: set[str] = set()
    for name, document in summaries:
        for row in document["seeds"]:
            ran[row["seed"]].append((name, row))
        shard = document.get("shard") or {}
        collected.update(shard.get("collected", [row["seed"] for row in document["seeds"]]))
    problems = [
        f"seed {seed} ran in {len(rows)} shards: {', '.join(sorted(name for name, _ in rows))}"
        for seed, rows in sorted(ran.items())
        if len(rows) > 1
    ]
    problems += [
        f"seed {seed} is in no shard's report (collected before the split, never run)"
        for seed in sorted(collected - set(ran))
    ]
    problems += _shard_problems(summaries)
    rows = [_worst([row for _, row in found]) for found in ran.values()]
    counts = {(document.get("shard") or {}).get("count", 1) for _, document in summaries}
    merged = seeds_summary.assemble(
        rows,
        _timing([document.get("timing") or {} for _, document in summaries]),
        summaries[0][1].get("environment") if summaries else None,
        seeds_summary.shard_info(max(counts, default=1), None, collected),
        next(iter(modes), "run"),
    )
    return merged, problems


def _worst(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The row of a seed run more than once: its worse outcome; crashed if a worker ever was."""
    row = min(rows, key=lambda row: (WORST_FIRST.index(row["outcome"]), json.dumps(row)))
    return {**row, "worker_crashed": any(r.get("worker_crashed") for r in rows)}


def _by(
    summaries: Sequence[tuple[str, dict[str, Any]]], key: Callable[[dict[str, Any]], Any]
) -> dict[Any, list[str]]:
    """The names of the summaries by a value of theirs (None values left out), names sorted."""
    found: dict[Any, list[str]] = defaultdict(list)
    for name, document in summaries:
        value = key(document)
        if value is not None:
            found[value].append(name)
    return {value: sorted(names) for value, names in found.items()}


def _named(groups: dict[Any, list[str]]) -> str:
    """``value: file, file; value: file``, values sorted."""
    return "; ".join(f"{value}: {', '.join(names)}" for value, names in sorted(groups.items()))


def _shard_problems(summaries: Sequence[tuple[str, dict[str, Any]]]) -> list[str]:
    """Shards that do not add up: different ``--splits``, a group twice or not at all."""
    counts = _by(summaries, lambda document: (document.get("shard") or {}).get("count", 1))
    if len(counts) > 1:
        return [
            f"the summaries are of runs split in different numbers of shards ({_named(counts)})"
        ]
    (count,) = counts or [1]
    groups = _by(summaries, lambda document: (document.get("shard") or {}).get("group"))
    problems = [
        f"shard {group} of {count} is in {len(names)} files: {', '.join(names)}"
        for group, names in sorted(groups.items())
        if len(names) > 1
    ]
    if sum(len(names) for names in groups.values()) == len(summaries):  # every group known
        problems += [
            f"no summary of shard {group} of {count} among the inputs"
            for group in range(1, count + 1)
            if group not in groups
        ]
    return problems


def _timing(timings: list[dict[str, Any]]) -> dict[str, Any]:
    """The merged run's times: first start, last finish, the longest shard, slowest steps."""
    steps = [step for timing in timings for step in timing.get("slowest_steps", [])]
    slowest = sorted(steps, key=lambda step: (-step["ms"], step["seed"], step["step"]))
    started = [timing["started"] for timing in timings if timing.get("started")]
    finished = [timing["finished"] for timing in timings if timing.get("finished")]
    return {
        "started": min(started, default=None),
        "finished": max(finished, default=None),
        "seconds": max((timing.get("seconds") or 0 for timing in timings), default=0),
        "slowest_steps": slowest[: seeds_summary.SLOWEST_STEPS],
    }


def _write_json(document: dict[str, Any], path: Path) -> None:
    atomic.write_json(path, document)


# --- coverage ledgers -----------------------------------------------------------------------


def _check_coverage(document: Any) -> str | None:
    """What makes a JSON document of the coverage format unusable, or None."""
    try:
        coverage.check_format(document)
    except ValueError as error:
        return str(error)
    return None


def merge_coverage(documents: Sequence[tuple[str, Any]]) -> tuple[Any, list[str]]:
    """One ledger of the shards' ledgers (:func:`~pytest_seeds.contract.coverage.merge_ledgers`)."""
    try:
        return coverage.merge_ledgers([document for _, document in documents]), []
    except ValueError as error:  # run and lint ledgers mixed
        raise InputError(f"the coverage ledgers: {error}") from None


# --- JUnit XML ------------------------------------------------------------------------------


def _junitparser() -> Any:
    try:
        import junitparser
    except ImportError:
        raise InputError(INSTALL_JUNITPARSER) from None
    return junitparser


def _read_junit(name: str, data: bytes) -> Any:
    junitparser = _junitparser()
    try:
        document = junitparser.JUnitXml.fromstring(data)
        for suite in _suites(document):  # numbers that do not parse: here, not when merged
            _ = suite.time, [case.time for case in suite]
    except junitparser.JUnitXmlError:
        raise InputError(f"{name}: not JUnit XML (no <testsuites> or <testsuite>)") from None
    except SyntaxError as error:  # ElementTree's ParseError (lxml's XMLSyntaxError too)
        raise InputError(f"{name}: not XML ({error})") from None
    except (ValueError, TypeError) as error:
        raise InputError(f"{name}: not valid JUnit XML ({error})") from None
    return document


def _suites(document: Any) -> list[Any]:
    """The ``<testsuite>`` elements of a JUnit document (itself, or those it holds)."""
    return [document] if isinstance(document, _junitparser().TestSuite) else list(document)


def _case_rank(case: Any) -> int:
    """A testcase's place in :data:`WORST_FIRST` (an xfail is a skip in JUnit XML)."""
    kinds = {type(entry).__name__ for entry in case.result}
    found = [WORST_FIRST.index(outcome) for kind, outcome in JUNIT_OUTCOMES if kind in kinds]
    return min(found, default=WORST_FIRST.index("passed"))


def _testcase_name(case: Any) -> str:
    """A testcase as its ``classname`` and ``name`` make it (the dotted form of its node id)."""
    return f"{case.classname}.{case.name}" if case.classname else str(case.name)


def merge_junit(documents: Sequence[tuple[str, Any]]) -> tuple[Any, list[str]]:
    """One ``<testsuites>`` holding every shard's ``<testsuite>`` with its own ``time``; a
    testcase in two files is a problem and kept once, by its worse outcome; totals recounted."""
    junitparser = _junitparser()
    merged = junitparser.JUnitXml()
    found: dict[tuple[str, str], list[tuple[str, Any, Any]]] = defaultdict(list)
    times = []
    for name, document in documents:
        for suite in _suites(document):
            owner = None  # the suite kept: not one equal to a suite kept (a file given twice)
            if not any(suite == kept for kept in merged):
                merged.append(suite)
                times.append(suite.time)
                owner = suite
            for case in suite:
                found[(str(case.classname), str(case.name))].append((name, owner, case))
    problems = []
    for cases in found.values():
        if len(cases) > 1:
            names = ", ".join(sorted(name for name, _, _ in cases))
            problems.append(
                f"testcase {_testcase_name(cases[0][2])} is in {len(cases)} JUnit files: {names}"
            )
            keep = min(cases, key=lambda entry: (_case_rank(entry[2]), entry[1] is None))[2]
            for _, suite, case in cases:
                if suite is not None and case is not keep:
                    suite.remove_testcase(case)
    merged.update_statistics()  # counts each suite's testcases, and their time: restored
    for suite, time in zip(merged, times, strict=True):
        if time is not None:
            suite.time = time
    merged.time = round(sum(suite.time or 0 for suite in merged), 3)
    return merged, sorted(problems)


def _write_junit(document: Any, path: Path) -> None:
    text = document.tostring().decode("utf-8")
    atomic.write_text(path, '<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n")


# --- the kinds and the command's engine -----------------------------------------------------

SUMMARY = Kind("summary JSON", "--summary-json", merge_summaries, _write_json)
JUNIT = Kind("JUnit XML", "--junitxml", merge_junit, _write_junit)
COVERAGE = Kind("coverage ledger", "--coverage-json", merge_coverage, coverage_files.write)
KINDS: tuple[Kind, ...] = (SUMMARY, COVERAGE, JUNIT)
# JSON reports by their "format" value: the kind, and a check of a document of that format
JSON_FORMATS: dict[str, tuple[Kind, Callable[[Any], str | None]]] = {
    seeds_summary.FORMAT: (SUMMARY, _check_summary),
    coverage.FORMAT: (COVERAGE, _check_coverage),
}


def read(path: Path) -> tuple[Kind, Any]:
    """The kind of a report file and its document; :class:`InputError` if it is unusable."""
    try:
        data = read_limited(path, MAX_REPORT_BYTES)
    except OSError as error:
        raise InputError(f"{path}: cannot read it: {error.strerror or error}") from None
    if len(data) > MAX_REPORT_BYTES:
        raise InputError(f"{path}: larger than {MAX_REPORT_BYTES >> 20} MiB: not a report")
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return JUNIT, _read_junit(str(path), data)
    try:
        document = json.loads(data)
    except ValueError as error:
        raise InputError(f"{path}: neither JSON nor XML ({error})") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply to be a report") from None
    found = document.get("format") if isinstance(document, dict) else None
    if found not in JSON_FORMATS:
        known = ", ".join(f"'{name}'" for name in JSON_FORMATS)
        what = f"format {found!r}" if isinstance(found, str) else "JSON without a 'format'"
        raise InputError(f"{path}: {what} is not a report this pytest-seeds merges ({known})")
    kind, check = JSON_FORMATS[found]
    trouble = check(document)
    if trouble:
        raise InputError(f"{path}: not a valid {kind.name} file: {trouble}")
    return kind, document


def merge(paths: Sequence[Path]) -> Merged:
    """Read, merge and cross-check every input; :class:`InputError` naming every unusable one,
    a line each. The Markdown table beside a coverage ledger that is an input is passed over."""
    given: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    unusable: dict[Path, InputError] = {}
    ledgers = set()
    for path in paths:
        try:
            kind, document = read(path)
        except InputError as error:
            unusable[path] = error
            continue
        given[kind.name].append((str(path), document))
        if kind is COVERAGE:
            ledgers.add(coverage_files.markdown_path(path))
    notes = [
        f"{path}: the Markdown table of a coverage ledger, passed over"
        for path in sorted(ledgers)
        if path in unusable
    ]
    errors = list(dict.fromkeys(str(e) for path, e in unusable.items() if path not in ledgers))
    if errors:
        raise InputError("\n".join(errors))
    documents, problems = {}, []
    for kind in KINDS:
        if kind.name in given:
            documents[kind.name], found = kind.merge(given[kind.name])
            problems += found
    summary = documents.get(SUMMARY.name)
    if summary is not None and JUNIT.name in documents:
        problems += _junit_seed_problems(summary, documents[JUNIT.name])
    if summary is not None and COVERAGE.name in given:
        problems += _ledger_seed_problems(summary, documents[COVERAGE.name], given[COVERAGE.name])
    return Merged(documents, problems, notes)


def _junit_seed(seed: str) -> str:
    """A seed file as pytest's JUnit XML names it: ``/`` as ``.`` up to the first ``[``."""
    path, bracket, rest = seed.partition("[")
    return path.replace("/", ".") + bracket + rest


def _junit_seed_problems(summary: dict[str, Any], junit: Any) -> list[str]:
    """The summary's seeds without a testcase in the JUnit files (other testcases are fine)."""
    seeds = {_junit_seed(row["seed"]): row["seed"] for row in summary["seeds"]}
    found = set()
    for suite in junit:
        for case in suite:
            name = _testcase_name(case)
            ends = [end for end in range(len(name), 0, -1) if name.startswith((".", "::"), end)]
            seed = next((seeds[name[:end]] for end in ends if name[:end] in seeds), None)
            if seed is not None:  # the longest seed the testcase's name starts with
                found.add(seed)
    return [
        f"seed {seed} ran but has no testcase in the JUnit XML files (a shard's JUnit missing?)"
        for seed in sorted(set(seeds.values()) - found)
    ]


def _ledger_seed_problems(
    summary: dict[str, Any], merged: dict[str, Any], ledgers: Sequence[tuple[str, Any]]
) -> list[str]:
    """Seeds in two coverage ledgers, seeds of the summary in none (and, for ledgers of a run,
    seeds of a ledger the summary does not have)."""
    named: dict[str, list[str]] = defaultdict(list)
    for name, ledger in ledgers:
        seeds = {entry["seed"] for op in ledger["operations"] for entry in op["seeds"]}
        for seed in seeds | {step["seed"] for step in ledger["unmatched"]}:
            named[seed].append(name)
    problems = [
        f"seed {seed} is in {len(names)} coverage ledgers: {', '.join(sorted(names))}"
        for seed, names in sorted(named.items())
        if len(names) > 1
    ]
    ran = {row["seed"] for row in summary["seeds"]}
    problems += [
        f"seed {seed} ran but is in no coverage ledger (a shard's ledger missing?)"
        for seed in sorted(ran - set(named))
    ]
    if merged["mode"] == "run":  # a lint run's summary has no seeds
        problems += [
            f"seed {seed} is in coverage ledger {', '.join(sorted(named[seed]))} but in no summary"
            for seed in sorted(set(named) - ran)
        ]
    return problems


def coverage_gates(
    ledger: dict[str, Any], minimum: float | None, baseline: dict[str, Any] | None
) -> list[str]:
    """The problems of the merged ledger under ``--coverage-min`` and ``--coverage-baseline``
    (the whole run's: a shard's own ledger is only its part)."""
    missed = coverage.shortfall(ledger, minimum) if minimum is not None else None
    problems = [f"--coverage-min: {missed}"] if missed else []
    lost, gone = coverage.lost_operations(ledger, baseline) if baseline is not None else ([], [])
    problems += [
        f"--coverage-baseline: {op['method']} {op['path']} ({op['spec']}) covered in the "
        "baseline is no longer documented (not counted as lost)"
        for op in gone
    ]
    problems += [
        f"--coverage-baseline: {op['method']} {op['path']} ({op['spec']}) lost its seed "
        f"(covered by {', '.join(op['seeds'])} in the baseline)"
        for op in lost
    ]
    return problems
