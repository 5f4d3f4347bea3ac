"""A seed whose xdist worker dies is counted once, as an error, by every report of the run.

The worker dies for real (``os._exit(1)`` or ``SIGKILL``) in the middle of a seed: a
configured template value that kills the process when a step renders it, or a conftest
hook. The terminal (``-rA`` lines and the final counts), the JUnit XML, the seeds summary
and ``--seeds-summary-json`` must then name the same seeds with the same outcome class.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from tests.helpers import run_seeds, seed_doc, wire_args

PYTEST = tuple(int(part) for part in pytest.__version__.split(".")[:2])

CONFTEST = """
import os
import signal

import pytest


def _exit_now():
    os._exit(1)


@pytest.fixture(scope="session")
def seeds_params(seeds_params):
    return {**seeds_params, "crash_worker": _exit_now}


def pytest_runtest_call(item):
    if item.path.name == "crash_kill.md":
        os.kill(os.getpid(), signal.SIGKILL)
"""

OK = "- {id: call, method: GET, path: /v1/ok}"
ALWAYS = {
    "passes": (seed_doc("GET /v1/passes", OK, front="domain: d"), "passed"),
    "fails": (
        seed_doc(
            "GET /v1/fails", "- {id: call, method: GET, path: /status/500/x}", front="domain: d"
        ),
        "failed",
    ),
    "setup_error": (
        seed_doc(
            "GET /v1/setup/error",
            OK,
            front="domain: d",
            prerequisites="- {id: prep, method: GET, path: /status/403/prep}",
        ),
        "error",
    ),
    "skipped": (seed_doc("GET /v1/skipped", OK, front="domain: d\nstatus: skip"), "skipped"),
}
CRASHES = {
    # the worker dies while the Test Request renders its path (after the setup report)
    "crash_call": seed_doc(
        "GET /v1/crash/call",
        "- {id: call, method: GET, path: '/v1/{{crash_worker}}'}",
        front="domain: d",
    ),
    # the worker dies in the Prerequisites: the controller never hears of this seed
    "crash_setup": seed_doc(
        "GET /v1/crash/setup",
        OK,
        front="domain: d",
        prerequisites="- {id: prep, method: GET, path: '/v1/{{crash_worker}}'}",
    ),
    # SIGKILL from a conftest hook while the seed's call runs
    "crash_kill": seed_doc("GET /v1/crash/kill", OK, front="domain: other"),
}

CLASS = {
    "passed": "passed",
    "failure": "failed",
    "error": "error",
    "skipped": "skipped",
    "failed": "failed",
    "errors": "error",
}


def junit_outcomes(path: Path) -> tuple[dict[str, str], dict[str, int]]:
    """Each testcase's outcome class by name, and the suite's totals."""
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None
    cases: dict[str, str] = {}
    for case in suite.iter("testcase"):
        name = case.get("name", "")
        assert name not in cases, f"testcase {name} written twice"
        tags = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        cases[name] = CLASS[tags[0]] if tags else "passed"
    totals = {key: int(suite.get(key, "0")) for key in ("tests", "errors", "failures", "skipped")}
    return cases, totals


def terminal_outcomes(lines: list[str]) -> tuple[dict[str, str], Counter[str]]:
    """Outcome class by node id from ``-rA`` lines (skips counted), and the final counts."""
    by_id: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for line in lines:
        match = re.match(r"(PASSED|FAILED|ERROR) (.+?)(?: - .*)?$", line)
        if match:
            nodeid = match.group(2)
            assert nodeid not in by_id, f"{nodeid} reported twice: {line}"
            by_id[nodeid] = {"PASSED": "passed", "FAILED": "failed", "ERROR": "error"}[
                match.group(1)
            ]
    final = lines[-1]
    for number, word in re.findall(r"(\d+) (passed|failed|errors?|skipped)", final):
        counts[CLASS.get(word, "error" if word.startswith("error") else word)] += int(number)
    return by_id, counts


def summary_table(lines: list[str]) -> dict[str, int]:
    """The ``all`` row of the seeds summary table."""
    start = next(i for i, line in enumerate(lines) if "seeds summary" in line)
    header = lines[start + 1].split()
    row = next(line for line in lines[start:] if line.startswith("all "))
    return dict(zip(header[1:], map(int, row.split()[1:]), strict=True))


def run_with_crashes(
    pytester: pytest.Pytester, api: HTTPServer, crashing: list[str], *extra: str
) -> tuple[Any, Path, Path]:
    pytester.makeconftest(CONFTEST)
    pytester.makefile(".md", **{name: text for name, (text, _) in ALWAYS.items()})
    for name in crashing:
        pytester.makefile(".md", **{name: CRASHES[name]})
    xml, summary = pytester.path / "junit.xml", pytester.path / "summary.json"
    result = run_seeds(
        pytester,
        *wire_args(api),
        "-n",
        "2",
        "-rA",
        f"--junitxml={xml}",
        f"--seeds-summary-json={summary}",
        *extra,
        subprocess=True,
    )
    return result, xml, summary


@pytest.mark.parametrize(
    "crashing",
    [["crash_call"], ["crash_setup"], ["crash_call", "crash_setup", "crash_kill"]],
    ids=["in the call", "in the setup", "several crashes"],
)
def test_a_crashed_worker_s_seed_is_counted_once_everywhere(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict, crashing: list[str]
) -> None:
    result, xml, summary_path = run_with_crashes(pytester, api, crashing)
    lines = result.outlines
    assert sum("crashed while running" in line for line in lines) >= len(crashing)

    expected = {f"{name}.md": outcome for name, (_, outcome) in ALWAYS.items()}
    expected.update({f"{name}.md": "error" for name in crashing})
    # the seeds summary JSON: one row per seed, the crashed ones errors with 'worker crashed'
    summary = json.loads(summary_path.read_text())
    rows = {row["seed"]: row for row in summary["seeds"]}
    assert {seed: CLASS[row["outcome"]] for seed, row in rows.items()} == expected
    for name in crashing:
        assert rows[f"{name}.md"]["worker_crashed"] is True
        assert rows[f"{name}.md"]["endpoint"] == CRASHES[name].split('"')[1]
        assert rows[f"{name}.md"]["domain"] == ("other" if name == "crash_kill" else "d")
    assert not any(row["worker_crashed"] for seed, row in rows.items() if seed[:-3] not in crashing)
    totals = Counter(expected.values())
    assert summary["totals"] == {
        "seeds": len(expected),
        "passed": totals["passed"],
        "failed": totals["failed"],
        "errors": totals["error"],
        "skipped": totals["skipped"],
        "xfailed": 0,
    }
    # the seeds summary in the terminal: the same totals, and the crashed seeds named
    table = summary_table(lines)
    assert table == {key: value for key, value in summary["totals"].items()}
    for name in crashing:
        assert any(line.startswith("worker crashed:") and f"{name}.md" in line for line in lines), (
            name
        )

    # JUnit: one testcase per seed, same outcome class
    cases, junit_totals = junit_outcomes(xml)
    endpoints = {row["endpoint"]: seed for seed, row in rows.items()}
    assert {endpoints[name]: outcome for name, outcome in cases.items()} == expected
    assert junit_totals == {
        "tests": len(expected),
        "errors": totals["error"],
        "failures": totals["failed"],
        "skipped": totals["skipped"],
    }

    # the terminal: each seed once in the -rA lines, and pytest's final counts agree
    by_id, counts = terminal_outcomes(lines)
    assert {nodeid.split("::")[0]: outcome for nodeid, outcome in by_id.items()} == {
        seed: outcome for seed, outcome in expected.items() if outcome != "skipped"
    }
    assert counts == +totals


@pytest.mark.skipif(
    PYTEST < (9, 1),
    reason="pytest before 9.1 counts a crash in teardown as a second JUnit testcase of the same seed",
)
def test_a_worker_that_dies_in_cleanup_makes_its_passed_seed_an_error(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict
) -> None:
    """Like a failing Cleanup step: pytest shows the passed call and the error."""
    pytester.makefile(
        ".md",
        crash_cleanup=seed_doc(
            "GET /v1/crash/cleanup",
            OK,
            front="domain: d",
            cleanup="- {id: undo, method: GET, path: '/v1/{{crash_worker}}'}",
        ),
    )
    result, xml, summary_path = run_with_crashes(pytester, api, [])
    summary = json.loads(summary_path.read_text())
    rows = {row["seed"]: row for row in summary["seeds"]}
    assert rows["crash_cleanup.md"]["outcome"] == "errors"
    assert rows["crash_cleanup.md"]["worker_crashed"] is True
    assert summary["totals"]["errors"] == 2
    cases, junit_totals = junit_outcomes(xml)
    assert cases["GET /v1/crash/cleanup"] == "error"
    assert junit_totals["tests"] == len(cases) == 5  # one testcase, counted once
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of GET /v1/crash/cleanup*",
            "worker 'gw*' crashed while running 'crash_cleanup.md::GET /v1/crash/cleanup'",
        ]
    )
    result.stdout.fnmatch_lines(["ERROR crash_cleanup.md::GET /v1/crash/cleanup - *crashed*"])
    assert result.outlines[-1].startswith("=") and "2 passed" in result.outlines[-1]
