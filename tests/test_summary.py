"""The run summary's counting rules and the HAR file names, without pytest runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_seeds.output.har import har_names
from pytest_seeds.output.summary import CRASHED, RunSummary, alerts, lines, none_ran, seed_data


@pytest.mark.parametrize(
    ("phases", "outcome"),
    [
        ({"setup": "passed", "call": "passed", "teardown": "passed"}, "passed"),
        ({"setup": "passed", "call": "passed", "teardown": "failed"}, "errors"),
        ({"setup": "passed", "call": "failed", "teardown": "failed"}, "failed"),
        ({"setup": "failed", "teardown": "passed"}, "errors"),
        ({"setup": "skipped", "teardown": "passed"}, "skipped"),
        ({"setup": "passed", "call": "xfailed", "teardown": "passed"}, "xfailed"),
        ({"setup": "passed", "crashed": "failed"}, "errors"),  # its xdist worker died
        ({"setup": "passed", "call": "failed", "crashed": "failed"}, "failed"),
    ],
)
def test_a_seed_counts_once_by_its_worst_phase(phases: dict[str, str], outcome: str) -> None:
    runs = RunSummary()
    for when, result in phases.items():
        data = seed_data("s.md", "GET /x", "sales") if when in ("setup", "teardown") else None
        runs.add("s.md::GET /x", when, result, data)
    runs.add("test_plain.py::test", "call", "failed", None)  # not a seed: not counted
    summary = runs.to_json({})
    assert summary["totals"]["seeds"] == 1
    assert summary["totals"][outcome] == 1
    assert summary["domains"]["sales"][outcome] == 1


def test_summary_rows_are_sorted_whatever_the_order_reports_arrive_in() -> None:
    names = ["b.md", "a.md", "c.md"]
    summaries = []
    for order in (names, names[::-1]):
        runs = RunSummary()
        for name in order:
            runs.add(name, "teardown", "passed", seed_data(name, "GET /x", "", (), ["admin"]))
        summaries.append(runs.to_json({}))
    assert summaries[0] == summaries[1]
    assert [row["seed"] for row in summaries[0]["seeds"]] == sorted(names)
    assert summaries[0]["missing_tokens"] == {"admin": 3}
    assert lines(summaries[0], verbosity=-1) == ["seeds: 3 passed in 1 domain(s)"]


def test_alerts_name_the_missing_tokens_and_say_when_no_seed_ran() -> None:
    runs = RunSummary()
    for name, tokens in (("a.md", ["admin"]), ("b.md", ["admin", "directory"])):
        runs.add(name, "setup", "skipped", seed_data(name, "GET /x", "", (), tokens))
    summary = runs.to_json({})
    assert none_ran(summary)
    assert alerts(summary, ["seeds/empty"]) == [
        "!! no seed found in seeds/empty (a seed is a .md file whose front matter has an 'endpoint')",
        "!! no seed ran: 2 seeds did not run for want of a token: admin (2 seeds), directory "
        "(1 seed); set SEEDS_TOKEN_ADMIN, SEEDS_TOKEN_DIRECTORY, or add the tokens under "
        "'tokens:' in the --seeds-config file",
    ]
    runs.add("c.md", "call", "passed", seed_data("c.md", "GET /y", ""))
    summary = runs.to_json({})
    assert not none_ran(summary)
    assert alerts(summary)[0].startswith("!! 2 seeds did not run for want of a token: ")


def test_har_names_use_the_file_stem_and_tell_same_named_seeds_apart(tmp_path: Path) -> None:
    paths = [tmp_path / "a" / "x.md", tmp_path / "b" / "x.md", tmp_path / "a" / "y.md"]
    names = har_names(paths, tmp_path)
    assert names[paths[2]] == "y.har"
    assert names[paths[0]] != names[paths[1]]
    assert all(names[path].startswith("x-") and names[path].endswith(".har") for path in paths[:2])
    assert har_names(reversed(paths), tmp_path) == names


def test_quiet_line_says_one_error_like_pytest() -> None:
    runs = RunSummary()
    runs.add("s.md", "setup", "failed", None)
    runs.add("s.md", "teardown", "passed", seed_data("s.md", "GET /x", "sales"))
    assert lines(runs.to_json({}), verbosity=-1) == ["seeds: 1 error in 1 domain(s)"]


def test_a_seed_whose_worker_died_before_reporting_is_named_afterwards() -> None:
    runs = RunSummary()
    runs.add("crash.md::GET /x", CRASHED, "failed", None)  # no setup report came
    runs.add("test_plain.py::test", "call", "passed", None)
    assert runs.unnamed() == ["crash.md::GET /x", "test_plain.py::test"]
    runs.name("crash.md::GET /x", seed_data("crash.md", "GET /x", "sales"))
    summary = runs.to_json({})
    assert summary["totals"]["errors"] == summary["totals"]["seeds"] == 1
    assert summary["seeds"][0]["worker_crashed"] is True
    assert lines(summary, verbosity=-1) == ["seeds: 1 error in 1 domain(s); worker crashed: 1"]
    assert "worker crashed: crash.md (GET /x)" in lines(summary)
