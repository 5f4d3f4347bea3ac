"""The API coverage ledger: built from a run (serial or xdist alike) or from lint, its gates,
and the merge of several ledgers.

Plugin runs use a small OpenAPI file written by the tests and the echo API of the ``api``
fixture (``/status/<code>`` answers with that status).
"""

from __future__ import annotations

import json
import os
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from pytest_seeds.contract import coverage as contract_coverage
from pytest_seeds.contract.coverage import (
    FORMAT,
    build_ledger,
    check_format,
    documented_operations,
    lost_operations,
    merge_ledgers,
    needed,
    percent,
    read_ledger,
    shortfall,
    spec_domain,
)
from pytest_seeds.contract.swagger import SwaggerIndex
from pytest_seeds.output.coverage import markdown
from tests.helpers import runpytest, seed_doc, wire_args
from tests.tcp_servers import closed_port

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "things", "version": "1"},
    "paths": {
        "/v1/things": {
            "get": {"responses": {"200": {"description": "ok"}}},
            "post": {
                "responses": {"201": {"description": "made"}, "default": {"description": "?"}}
            },
        },
        "/v1/things/{id}": {
            "get": {"responses": {"200": {"description": "ok"}}},
            "delete": {"responses": {"204": {"description": "gone"}}},
        },
        "/v1/status/{code}": {
            "get": {"responses": {"200": {"description": "ok"}, "404": {"description": "no"}}}
        },
    },
}
SWAGGER = "domain: things\nswagger: things/api.json"
SEEDS = {
    "things": seed_doc(
        front=SWAGGER,
        prerequisites="- id: make\n  method: POST\n  path: /v1/things\n  body: {name: a}\n",
    ),
    "thing_skip": seed_doc(
        "GET /v1/things/{id}",
        "- id: get\n  method: GET\n  path: /v1/things/1\n",
        front=f"{SWAGGER}\nstatus: skip",
    ),
    "status": seed_doc(
        "GET /v1/status/{code}",
        "- id: missing\n  method: GET\n  path: /v1/status/404\n  expect: {status: 404}\n"
        "- id: nowhere\n  method: GET\n  path: /v1/nowhere\n",
        front=SWAGGER,
    ),
}
FAILING = seed_doc(
    "DELETE /v1/things/{id}",
    "- id: remove\n  method: DELETE\n  path: /v1/things/1\n  expect: {status: 204}\n",
    front=SWAGGER,
)


@pytest.fixture
def project(pytester: pytest.Pytester, tokens: dict[str, str]) -> Path:
    """The OpenAPI file under ``api/`` (the Swagger root) and the seeds under ``seeds/``."""
    spec = pytester.path / "api" / "things" / "api.json"
    spec.parent.mkdir(parents=True)
    spec.write_text(json.dumps(SPEC))
    for name, text in SEEDS.items():
        (pytester.path / "seeds").mkdir(exist_ok=True)
        (pytester.path / "seeds" / f"{name}.md").write_text(text)
    return pytester.path


def run(
    pytester: pytest.Pytester, api: HTTPServer | None, *args: str, subprocess: bool = False
) -> Any:
    wire = wire_args(api) if api is not None else []
    return runpytest(
        pytester,
        "--seeds-dir=seeds",
        "--seeds-swagger-root=api",
        *wire,
        *args,
        subprocess=subprocess,
    )


def ledger_of(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def seeds_by_operation(ledger: dict[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    return {
        f"{op['method']} {op['path']}": [
            (s["seed"], s["role"], s["status"], s["outcome"]) for s in op["seeds"]
        ]
        for op in ledger["operations"]
    }


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_the_ledger_says_which_seed_exercised_each_operation_and_how_it_ended(
    pytester: pytest.Pytester, project: Path, api: HTTPServer, workers: list[str]
) -> None:
    (project / "seeds" / "failing.md").write_text(FAILING)
    result = run(pytester, api, "--seeds-coverage=out/coverage.json", *workers, subprocess=True)
    result.assert_outcomes(passed=2, failed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*= seeds summary =*",
            "operations covered: 5 of 5 (100.0%), 3 by a passing seed",
            "documented statuses covered: 3 of 7 (42.8%)",
            "coverage ledger: out/coverage.json, out/coverage.md",
        ]
    )
    ledger = ledger_of(project / "out" / "coverage.json")
    assert ledger["format"] == FORMAT and ledger["mode"] == "run"
    assert seeds_by_operation(ledger) == {
        "GET /v1/status/{code}": [("seeds/status.md", "test", 404, "passed")],
        "GET /v1/things": [("seeds/things.md", "test", 200, "passed")],
        "POST /v1/things": [("seeds/things.md", "step", 200, "passed")],
        "DELETE /v1/things/{id}": [("seeds/failing.md", "test", 200, "failed")],
        "GET /v1/things/{id}": [("seeds/thing_skip.md", "test", None, "skipped")],
    }
    covered = {
        f"{op['method']} {op['path']}": op["covered_statuses"] for op in ledger["operations"]
    }
    assert covered["POST /v1/things"] == ["default"]  # 200 falls under 'default'
    assert covered["GET /v1/status/{code}"] == ["404"]
    assert covered["DELETE /v1/things/{id}"] == []  # 200 is not documented for it
    assert ledger["unmatched"] == [
        {"seed": "seeds/status.md", "method": "GET", "path": "/v1/nowhere"}
    ]
    assert ledger["domains"] == {
        "things": {"operations": 5, "covered": 5, "percent": 100.0, "passed": 3}
    }
    table = (project / "out" / "coverage.md").read_text()
    assert table == markdown(ledger)
    row = "| things | GET | `/v1/status/{code}` | `things/api.json` | 200, **404** | `seeds/status.md` test 404 passed |"
    assert row in table.splitlines()


def test_serial_and_xdist_runs_write_the_same_ledger(
    pytester: pytest.Pytester, project: Path, api: HTTPServer
) -> None:
    run(pytester, api, "--seeds-coverage=serial.json", subprocess=True)
    run(pytester, api, "--seeds-coverage=xdist.json", "-n", "2", subprocess=True)
    assert ledger_of(project / "serial.json") == ledger_of(project / "xdist.json")


def test_per_domain_lines_with_verbose_and_no_ledger_without_the_options(
    pytester: pytest.Pytester, project: Path, api: HTTPServer
) -> None:
    result = run(pytester, api, "--seeds-coverage-min=0", "-v")
    result.stdout.fnmatch_lines(
        [
            "operations covered: 4 of 5 (80.0%), 3 by a passing seed",
            "documented statuses covered: 3 of 7 (42.8%)",
            "  things     4 of 5    (80.0%)",
            "steps no documented operation matches: 1",
        ]
    )
    assert result.ret == 0
    plain = run(pytester, api)
    assert "operations covered" not in plain.stdout.str()


def test_minimum_gate_fails_the_run_and_says_by_how_much(
    pytester: pytest.Pytester, project: Path, api: HTTPServer
) -> None:
    result = run(pytester, api, "--seeds-coverage-min=90")
    result.assert_outcomes(passed=2, skipped=1)  # every seed passed: the gate fails the run
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "FAIL --seeds-coverage-min: 4 of 5 operations covered (80.0%), below the minimum "
            "of 90%: 1 more operation needs a seed"
        ]
    )
    assert run(pytester, api, "--seeds-coverage-min=80").ret == pytest.ExitCode.OK


@pytest.mark.parametrize("shards", [["--seeds-shards=2"], ["--splits=2", "--group=1"]])
def test_a_shard_does_not_judge_the_gates_on_its_part(
    pytester: pytest.Pytester, project: Path, api: HTTPServer, shards: list[str]
) -> None:
    """The merge judges them on the whole (``pytest-seeds merge --coverage-min``)."""
    result = run(pytester, api, "--seeds-coverage-min=90", "--seeds-coverage=c.json", *shards)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert "FAIL --seeds-coverage-min" not in result.stdout.str()
    result.stdout.fnmatch_lines(["coverage gates not applied in a shard*pytest-seeds merge"])
    assert ledger_of(project / "c.json")["totals"]["operations"] == 5


def test_baseline_gate_names_the_operations_that_lost_their_seed(
    pytester: pytest.Pytester, project: Path, api: HTTPServer
) -> None:
    assert run(pytester, api, "--seeds-coverage=base.json").ret == pytest.ExitCode.OK
    assert run(pytester, api, "--seeds-coverage-baseline=base.json").ret == pytest.ExitCode.OK
    (project / "seeds" / "things.md").unlink()
    result = run(pytester, api, "--seeds-coverage-baseline=base.json", "-n", "2", subprocess=True)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "FAIL --seeds-coverage-baseline: 2 operation(s) covered in *base.json lost their seed:",
            "  GET /v1/things (things/api.json), covered by seeds/things.md",
            "  POST /v1/things (things/api.json), covered by seeds/things.md",
        ]
    )


def test_lint_mode_counts_what_the_steps_mean_to_send(
    pytester: pytest.Pytester, project: Path
) -> None:
    stepless = seed_doc("DELETE /v1/things/{id}", None, front=SWAGGER)  # no Test Request
    (project / "seeds" / "stepless.md").write_text(stepless)
    result = run(pytester, None, "--seeds-lint", "--seeds-coverage=lint.json")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["operations covered: 5 of 5 (100.0%), by design (--seeds-lint)"])
    ledger = ledger_of(project / "lint.json")
    assert ledger["mode"] == "lint"
    by_operation = seeds_by_operation(ledger)
    assert by_operation["GET /v1/status/{code}"] == [("seeds/status.md", "test", 404, "designed")]
    # a skipped seed's steps are read by lint all the same
    assert by_operation["GET /v1/things/{id}"] == [("seeds/thing_skip.md", "test", 200, "designed")]
    # a seed without a readable step names its endpoint
    assert by_operation["DELETE /v1/things/{id}"] == [
        ("seeds/stepless.md", "test", None, "designed")
    ]
    xdist = run(
        pytester, None, "--seeds-lint", "--seeds-coverage=lint2.json", "-n", "2", subprocess=True
    )
    xdist.assert_outcomes(passed=3, failed=1)
    assert ledger_of(project / "lint2.json") == ledger


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seeds-coverage=out.md"], "*--seeds-coverage: *out.md names the JSON file*"),
        (["--seeds-coverage-min=101"], "*--seeds-coverage-min: 101 is not a percentage (0 to 100)"),
        (
            ["--seeds-coverage-baseline=none.json"],
            "*--seeds-coverage-baseline: cannot read *none.json*",
        ),
        (
            ["--seeds-coverage-baseline=seeds/things.md"],
            "*--seeds-coverage-baseline: *things.md is not JSON*",
        ),
        (["--seeds-coverage-min=nan"], "*--seeds-coverage-min: nan is not a percentage*"),
        (["--seeds-coverage-min=inf"], "*--seeds-coverage-min: inf is not a percentage*"),
        (
            ["--seeds-coverage=same.json", "--seeds-coverage-baseline=same.json"],
            "*--seeds-coverage: *same.json and --seeds-coverage-baseline name the same file*",
        ),
        (
            ["--seeds-coverage=out/c.json", "--seeds-summary-json=out/c.md"],
            "*--seeds-coverage: *c.json and --seeds-summary-json name the same file*",
        ),
        (
            ["--seeds-coverage=out/c.json", "--junitxml=out/c.json"],
            "*--seeds-coverage: *c.json and --junitxml name the same file*",
        ),
        (
            ["--seeds-coverage=har/c.json", "--seeds-har=har"],
            "*--seeds-coverage: *c.json is inside the --seeds-har folder*",
        ),
        (
            ["--seeds-coverage=seeds/things.json"],
            "*--seeds-coverage: *things.md exists and is not a coverage table written by*",
        ),
    ],
)
def test_wrong_coverage_options_are_usage_errors(
    pytester: pytest.Pytester, project: Path, args: list[str], message: str
) -> None:
    result = run(pytester, None, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


@pytest.mark.parametrize(
    ("spec", "domain"),
    [
        ("swagger/scheduling/legacy/a.json", "scheduling"),
        ("seeds/swagger/sales/b.yaml", "sales"),
        ("sales/b.yaml", "sales"),
        ("swagger/api.json", "(no domain)"),
        ("api.json", "(no domain)"),
    ],
)
def test_an_operation_s_domain_is_the_folder_of_its_spec(spec: str, domain: str) -> None:
    assert spec_domain(spec) == domain


# --- merging ledgers --------------------------------------------------------------------------

OPERATIONS = [
    {"spec": spec, "method": method, "path": path, "domain": "d", "statuses": ["200", "4XX"]}
    for spec in ("a.json", "b/c.yaml")
    for method in ("GET", "POST")
    for path in ("/x", "/x/{id}")
]
HITS = st.fixed_dictionaries(
    {
        "spec": st.sampled_from(["a.json", "b/c.yaml", "elsewhere.json"]),
        "method": st.sampled_from(["GET", "POST"]),
        "path": st.sampled_from(["/x", "/x/{id}"]),
        "status": st.sampled_from([None, 200, 404, 500]),
        "role": st.sampled_from(["test", "step"]),
    }
)
SEED_RUNS = st.lists(
    st.fixed_dictionaries(
        {
            "seed": st.sampled_from([f"s{n}.md" for n in range(5)]),
            "outcome": st.sampled_from(["passed", "failed", "skipped"]),
            "operations": st.lists(HITS, max_size=4),
            "unmatched": st.lists(
                st.fixed_dictionaries(
                    {"method": st.just("GET"), "path": st.sampled_from(["/y", "/z"])}
                ),
                max_size=2,
            ),
        }
    ),
    max_size=8,
)
LEDGERS = SEED_RUNS.map(lambda seeds: build_ledger(OPERATIONS, seeds, "run"))


@given(st.lists(LEDGERS, min_size=1, max_size=4), st.randoms())
def test_merging_is_order_independent(ledgers: list[dict[str, Any]], random: Any) -> None:
    shuffled = list(ledgers)
    random.shuffle(shuffled)
    assert merge_ledgers(shuffled) == merge_ledgers(ledgers)


@given(LEDGERS, LEDGERS)
def test_merging_is_idempotent(one: dict[str, Any], other: dict[str, Any]) -> None:
    merged = merge_ledgers([one, other])
    assert merge_ledgers([one]) == one
    assert merge_ledgers([merged, one, other]) == merged


@given(SEED_RUNS, st.data())
def test_merging_the_ledgers_of_a_split_run_gives_the_whole_run_s(
    seeds: list[dict[str, Any]], data: st.DataObject
) -> None:
    shards = data.draw(st.lists(st.integers(0, 2), min_size=len(seeds), max_size=len(seeds)))
    parts = [[s for s, shard in zip(seeds, shards, strict=True) if shard == n] for n in range(3)]
    merged = merge_ledgers([build_ledger(OPERATIONS, part, "run") for part in parts])
    assert merged == build_ledger(OPERATIONS, seeds, "run")


def test_merging_refuses_other_files_and_mixed_modes() -> None:
    run_ledger = build_ledger(OPERATIONS, [], "run")
    with pytest.raises(ValueError, match="run ledger with a lint ledger"):
        merge_ledgers([run_ledger, build_ledger(OPERATIONS, [], "lint")])
    with pytest.raises(ValueError, match="not a coverage ledger"):
        merge_ledgers([run_ledger, {"format": "pytest-seeds summary 1"}])
    with pytest.raises(ValueError, match="no coverage ledger"):
        merge_ledgers([])


def test_gates_on_a_built_ledger() -> None:
    hit = {"spec": "a.json", "method": "GET", "path": "/x", "status": 200, "role": "test"}
    seed = {"seed": "s.md", "outcome": "passed", "operations": [hit]}
    before = build_ledger(OPERATIONS, [seed], "run")
    assert before["totals"]["covered"] == 1 and before["totals"]["operations"] == 8
    assert shortfall(before, 12.5) is None
    assert shortfall(before, 13) == (
        "1 of 8 operations covered (12.5%), below the minimum of 13%: 1 more operation needs a seed"
    )
    assert shortfall(build_ledger([], [], "run"), 50) is not None  # nothing documented
    now = build_ledger(OPERATIONS, [], "run")
    lost = [{"spec": "a.json", "method": "GET", "path": "/x", "seeds": ["s.md"]}]
    assert lost_operations(now, before) == (lost, [])
    assert lost_operations(before, before) == ([], [])
    gone = build_ledger([op for op in OPERATIONS if op["path"] != "/x"], [], "run")
    assert lost_operations(gone, before) == ([], lost)  # no longer documented: not lost, said
    assert lost_operations(now, before, lambda seed: seed == "s.md") == ([], [])  # deselected


def test_an_operation_whose_spec_was_renamed_or_moved_is_found_by_method_and_path() -> None:
    hit = {"spec": "a.json", "method": "GET", "path": "/x", "status": 200, "role": "test"}
    before = build_ledger(
        OPERATIONS, [{"seed": "s.md", "outcome": "passed", "operations": [hit]}], "run"
    )
    moved = [{**op, "spec": f"api/{op['spec']}"} for op in OPERATIONS if op["spec"] == "a.json"]
    lost = [{"spec": "a.json", "method": "GET", "path": "/x", "seeds": ["s.md"]}]
    assert lost_operations(build_ledger(moved, [], "run"), before) == (lost, [])
    elsewhere = {**hit, "spec": "api/a.json"}
    after = build_ledger(
        moved, [{"seed": "s.md", "outcome": "passed", "operations": [elsewhere]}], "run"
    )
    assert lost_operations(after, before) == ([], [])


# --- baselines that are not ledgers -----------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)


def _or_json(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(valid, valid, valid, JSON)


SEED_ENTRIES = st.fixed_dictionaries(
    {
        "seed": _or_json(st.just("s.md")),
        "role": _or_json(st.sampled_from(["test", "step"])),
        "status": _or_json(st.sampled_from([None, 200, 404])),
        "outcome": _or_json(st.just("passed")),
    }
)
LEDGER_LIKE = st.fixed_dictionaries(
    {
        "format": _or_json(st.just(FORMAT)),
        "mode": _or_json(st.sampled_from(["run", "lint"])),
        "operations": _or_json(
            st.lists(
                _or_json(
                    st.fixed_dictionaries(
                        {
                            key: _or_json(st.just(value))
                            for key, value in OPERATIONS[0].items()
                            if key != "statuses"
                        }
                        | {
                            "statuses": _or_json(st.lists(_or_json(st.just("200")), max_size=2)),
                            "seeds": _or_json(st.lists(SEED_ENTRIES, max_size=2)),
                        }
                    )
                ),
                max_size=3,
            )
        ),
        "unmatched": _or_json(
            st.lists(_or_json(st.fixed_dictionaries({"seed": st.just("s.md")})), max_size=2)
        ),
    }
)


@given(LEDGER_LIKE)
def test_a_document_is_refused_with_a_value_error_or_usable_by_every_reader(
    document: dict[str, Any],
) -> None:
    try:
        check_format(document)
    except ValueError:
        with pytest.raises(ValueError):
            merge_ledgers([document])
        return
    merged = merge_ledgers([document])
    assert lost_operations(merged, document)[0] == []
    lost_operations(build_ledger([], [], document["mode"]), document)
    markdown(merged)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'{"format": "pytest-seeds coverage 1", "mode": "run", "operations": [1, "x"],'
            b' "unmatched": []}',
            "*: an operation lacks spec, method, path, domain*",
        ),
        (b"[" * 100_000 + b"]" * 100_000, "*is JSON nested too deeply to be a ledger"),
        (b'{"format": ' + b"[" * 5000 + b"]" * 5000 + b"}", "*nested too deeply*"),
        (b'{"format": ["x"]}', "*not a coverage ledger of format*(format: 'list')"),
    ],
    ids=["operations", "deep", "deep-format", "format-list"],
)
def test_a_malformed_baseline_is_a_usage_error_before_the_run(
    pytester: pytest.Pytester, project: Path, content: bytes, message: str
) -> None:
    (project / "base.json").write_bytes(content)
    result = run(pytester, None, "--seeds-coverage-baseline=base.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*--seeds-coverage-baseline: {message}"])


def test_a_baseline_that_is_no_regular_file_or_too_large_is_refused_unread(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = project / "fifo.json"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer
    for path in (fifo, Path("/dev/zero")):
        with pytest.raises(ValueError, match="is not a regular file"):
            read_ledger(path)
    big = project / "big.json"
    big.write_text(json.dumps(build_ledger(OPERATIONS, [], "run")))
    monkeypatch.setattr(contract_coverage, "MAX_LEDGER_BYTES", big.stat().st_size - 1)
    with pytest.raises(ValueError, match="is larger than"):
        read_ledger(big)


# --- the minimum gate's arithmetic ------------------------------------------------------------

COUNTS = st.integers(1, 100_000).flatmap(
    lambda whole: st.tuples(st.integers(0, whole), st.just(whole))
)


def totals_of(covered: int, whole: int) -> dict[str, Any]:
    return {"totals": {"operations": whole, "covered": covered, "percent": percent(covered, whole)}}


@given(COUNTS)
def test_the_percent_is_rounded_down_and_says_100_only_when_all_are_covered(
    counts: tuple[int, int],
) -> None:
    covered, whole = counts
    shown = percent(covered, whole)
    assert (shown == 100.0) == (covered == whole)
    exact, tenths = Fraction(covered * 100, whole), Fraction(repr(shown))
    assert exact - Fraction(1, 10) < tenths <= exact and tenths * 10 == int(tenths * 10)


@given(COUNTS, st.floats(0, 100))
def test_the_gate_asks_for_the_fewest_operations_that_reach_the_minimum(
    counts: tuple[int, int], minimum: float
) -> None:
    covered, whole = counts
    more = needed(covered, whole, minimum)
    assert more >= 0
    assert needed(covered + more, whole, minimum) == 0
    if more:
        assert needed(covered + more - 1, whole, minimum) == 1
        assert Fraction(100 * (covered + more - 1), whole) < Fraction(minimum)
    assert (shortfall(totals_of(covered, whole), minimum) is None) == (more == 0)


@given(COUNTS)
def test_a_minimum_computed_from_a_ledger_s_own_ratio_is_met(counts: tuple[int, int]) -> None:
    covered, whole = counts
    assert shortfall(totals_of(covered, whole), 100 * covered / whole) is None
    assert shortfall(totals_of(covered, whole), covered * 100.0 / whole) is None
    if covered:
        assert shortfall(totals_of(covered - 1, whole), 100 * covered / whole) is not None


# --- partial runs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stop", [["-x"], ["--maxfail=1"], ["-x", "-n", "2"]], ids=["x", "maxfail", "xdist"]
)
def test_a_stopped_run_writes_the_ledger_of_what_ran_marked_partial_and_skips_the_gates(
    pytester: pytest.Pytester, project: Path, api: HTTPServer, stop: list[str]
) -> None:
    (project / "seeds" / "failing.md").write_text(FAILING)
    ledger_path = project / "out" / "c.json"
    assert run(pytester, api, f"--seeds-coverage={ledger_path}").ret == pytest.ExitCode.TESTS_FAILED
    assert "interrupted" not in ledger_of(ledger_path)  # a whole run's ledger, then overwritten
    args = ("--seeds-coverage=out/c.json", "--seeds-coverage-min=100", "-p", "no:randomly")
    result = run(pytester, api, *args, *stop, subprocess=True)
    assert result.ret in (pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.INTERRUPTED)  # xdist: 2
    result.stdout.fnmatch_lines(
        [
            "operations covered: * (interrupted run: the seeds that ran only)",
            "coverage gates not applied: the run was interrupted",
        ]
    )
    assert "FAIL --seeds-coverage-min" not in result.stdout.str()
    ledger = ledger_of(ledger_path)
    assert ledger["interrupted"] is True
    if "-n" not in stop:  # under xdist the other worker may finish its seeds before the stop
        assert ledger["totals"]["covered"] < 5
    assert "(interrupted run" in (project / "out" / "c.md").read_text().splitlines()[2]
    assert merge_ledgers([ledger, build_ledger([], [], "run")])["interrupted"] is True


def test_a_seed_that_got_no_answer_still_names_its_endpoint(
    pytester: pytest.Pytester, project: Path
) -> None:
    (project / "seeds" / "unsent.md").write_text(
        seed_doc(
            "GET /v1/things/{id}",
            "- id: get\n  method: GET\n  path: '/v1/{{nowhere}}'\n",
            front=SWAGGER,
        )
    )
    down = f"--seeds-base-url=http://127.0.0.1:{closed_port()}"
    result = run(pytester, None, down, "--seeds-coverage=c.json")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    by_operation = seeds_by_operation(ledger_of(project / "c.json"))
    assert by_operation["GET /v1/status/{code}"] == [("seeds/status.md", "test", None, "failed")]
    assert by_operation["GET /v1/things"] == [("seeds/things.md", "test", None, "errors")]
    assert ("seeds/unsent.md", "test", None, "failed") in by_operation["GET /v1/things/{id}"]


def test_the_baseline_gate_counts_only_the_seeds_this_run_selected(
    pytester: pytest.Pytester, project: Path, api: HTTPServer
) -> None:
    assert run(pytester, api, "--seeds-coverage=base.json").ret == pytest.ExitCode.OK
    for selection in (["-k", "status"], ["-m", "not seeds"], ["seeds/status.md"]):
        partial = run(pytester, api, "--seeds-coverage-baseline=base.json", *selection)
        assert "FAIL --seeds-coverage-baseline" not in partial.stdout.str(), selection
    (project / "seeds" / "things.md").unlink()  # gone: its operations are lost, -k or not
    result = run(pytester, api, "--seeds-coverage-baseline=base.json", "-k", "status")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        ["FAIL --seeds-coverage-baseline: 2 operation(s) covered in *base.json lost their seed:"]
    )


# --- the Markdown table -----------------------------------------------------------------------

ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["a|b", "a\\|b", "`x`", "x``y", "404\n| new | row |", "a\rb", "<b>x<", "\\", "|"]
)


def gfm_cells(row: str) -> list[str]:
    """The cells of a GFM table row as the table extension splits it (``\\x`` is one char)."""
    assert row.startswith("| ") and row.endswith(" |"), row
    cells, cell, chars = [], "", iter(row[1:-1])
    for char in chars:
        if char == "\\":
            cell += char + next(chars, "")
        elif char == "|":
            cells.append(cell)
            cell = ""
        else:
            cell += char
    return [*cells, cell]


@given(
    st.fixed_dictionaries(
        {key: ANY_TEXT for key in ("spec", "method", "path", "domain")}
        | {"statuses": st.lists(ANY_TEXT, max_size=3)}
    ),
    st.lists(st.tuples(ANY_TEXT, ANY_TEXT, st.sampled_from([None, 200])), max_size=3),
)
def test_any_text_in_any_cell_keeps_the_table_s_rows_and_columns(
    op: dict[str, Any], seeds: list[tuple[str, str, int | None]]
) -> None:
    hit = {**{key: op[key] for key in ("spec", "method", "path")}, "role": "test"}
    runs = [
        {"seed": seed, "outcome": outcome, "operations": [{**hit, "status": status}]}
        for seed, outcome, status in seeds
    ]
    runs.append({"seed": op["path"], "outcome": "passed", "unmatched": [op], "operations": []})
    ledger = build_ledger([op], runs, "run", [{"spec": op["spec"], "problem": op["path"]}])
    lines = markdown(ledger).split("\n")
    header = lines.index(
        "| domain | method | path | spec | documented statuses | seeds (role, status, outcome) |"
    )
    assert lines[header + 3] == ""  # one row for the one operation, then the next part
    cells = gfm_cells(lines[header + 2])
    assert len(cells) == 6
    for cell in (cells[2], cells[3]):  # the code spans: one fence each side, none inside
        fence = len(cell.strip()) - len(cell.strip().lstrip("`"))
        assert cell.strip().endswith("`" * fence) and "`" * fence not in cell.strip()[fence:-fence]
    items = [line for line in lines if line.startswith("- ")]
    assert len(items) == 2  # the unreadable spec and the unmatched step: a line each
    rows = [line for line in lines if line.startswith("| ")]
    assert [len(gfm_cells(row)) for row in rows] == [5, 5, 6, 6]  # domains, then operations


# --- what the ledger documents ------------------------------------------------------------------


def test_unreadable_specs_are_listed_and_named_never_dropped(
    pytester: pytest.Pytester, project: Path
) -> None:
    api = project / "api"
    (api / "broken.json").write_text('{"paths": {')
    (api / "broken.yaml").write_text("paths: [\n")
    (api / "dangling.json").symlink_to(api / "nowhere.json")
    (api / "fixture.json").write_text('{"a": 1}')  # well-formed, no spec: passed over
    (project / "seeds" / "other.md").write_text(
        seed_doc("GET /v1/x", "- id: x\n  method: GET\n  path: /v1/x\n", front="swagger: gone.json")
    )
    result = run(pytester, None, "--seeds-lint", "--seeds-coverage=c.json")
    result.stdout.fnmatch_lines(
        [
            "spec files under the Swagger root that could not be read: 3, their operations "
            "not counted (-v names them)"
        ]
    )
    unreadable = ledger_of(project / "c.json")["unreadable"]
    assert [(u["spec"], u["problem"].split(":")[0]) for u in unreadable] == [
        ("broken.json", "not valid JSON"),
        ("broken.yaml", "not valid YAML"),
        ("dangling.json", "Swagger file not found"),
    ]
    verbose = run(pytester, None, "--seeds-lint", "--seeds-coverage-min=0", "-v")
    verbose.stdout.fnmatch_lines(
        ["*could not be read: 3, their operations not counted:", "  broken.json: not valid JSON*"]
    )
    assert "- `broken.yaml`: not valid YAML" in (project / "c.md").read_text()


def test_a_spec_the_seeds_reach_through_a_link_or_dots_is_in_the_ledger(
    pytester: pytest.Pytester, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("shared") / "linked"
    (project / "api" / "things").rename(elsewhere)
    (project / "api" / "things").symlink_to(elsewhere, target_is_directory=True)
    (project / "api" / "legacy").mkdir()
    dotted = f"domain: things\nswagger: {project / 'api' / 'legacy' / '..' / 'things' / 'api.json'}"
    (project / "seeds" / "dotted.md").write_text(
        seed_doc(
            "GET /v1/things/{id}", "- id: one\n  method: GET\n  path: /v1/things/1\n", front=dotted
        )
    )
    run(pytester, None, "--seeds-lint", "--seeds-coverage=c.json")
    ledger = ledger_of(project / "c.json")
    assert {op["spec"] for op in ledger["operations"]} == {"things/api.json"}
    assert ledger["totals"]["operations"] == 5 and ledger["totals"]["covered"] == 4
    assert ("seeds/dotted.md", "test", 200, "designed") in seeds_by_operation(ledger)[
        "GET /v1/things/{id}"
    ]
    assert ledger["unmatched"] == [
        {"seed": "seeds/status.md", "method": "GET", "path": "/v1/nowhere"}
    ]


def test_a_status_written_as_a_number_and_as_text_is_one_documented_status(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.0.3\npaths:\n  /x:\n    get:\n      responses:\n"
        "        201: {description: a}\n        '201': {description: b}\n"
        "        default: {description: c}\n"
    )
    operations = documented_operations(SwaggerIndex(tmp_path))
    assert [op["statuses"] for op in operations] == [["201", "default"]]


STATUSES = st.lists(st.sampled_from(["200", "201", "404", "4XX", "default"]), max_size=4)


@given(st.lists(st.tuples(STATUSES, SEED_RUNS), min_size=1, max_size=4), st.randoms())
def test_merging_unions_the_statuses_shards_documented(
    shards: list[tuple[list[str], list[dict[str, Any]]]], random: Any
) -> None:
    ledgers = [
        build_ledger([{**op, "statuses": statuses} for op in OPERATIONS], seeds, "run")
        for statuses, seeds in shards
    ]
    merged = merge_ledgers(ledgers)
    random.shuffle(ledgers)
    assert merge_ledgers(ledgers) == merged
    union = sorted({status for statuses, _ in shards for status in statuses})
    assert all(op["statuses"] == union for op in merged["operations"])
    assert merged["totals"]["statuses"] == len(union) * len(OPERATIONS)


def test_the_baseline_gate_holds_when_the_swagger_root_changes_and_warns_of_undocumented(
    pytester: pytest.Pytester, project: Path, api: HTTPServer
) -> None:
    assert run(pytester, api, "--seeds-coverage=base.json").ret == pytest.ExitCode.OK
    (project / "seeds" / "things.md").unlink()
    spec = project / "api" / "things" / "api.json"
    spec.write_text(json.dumps({**SPEC, "paths": {**SPEC["paths"], "/v1/status/{code}": {}}}))
    result = run(pytester, api, "--seeds-coverage-baseline=base.json", "--seeds-swagger-root=.")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "WARNING --seeds-coverage-baseline: 1 operation(s) covered in *base.json are no "
            "longer documented under the Swagger root (not counted as lost): "
            "GET /v1/status/{code} (things/api.json)",
            "FAIL --seeds-coverage-baseline: 2 operation(s) covered in *base.json lost their seed:",
            "  GET /v1/things (things/api.json), covered by seeds/things.md",
        ]
    )


def test_a_step_whose_path_is_a_template_counts_by_the_url_it_sent(
    pytester: pytest.Pytester, project: Path, api: HTTPServer
) -> None:
    (project / "seeds" / "follow.md").write_text(
        seed_doc(
            "DELETE /v1/things/{id}",
            "- id: remove\n  method: DELETE\n  path: '{{loc}}'\n",
            front=SWAGGER,
            prerequisites="- id: look\n  method: GET\n  path: /v1/things/7\n"
            "  extract: {loc: $.path}\n",
        )
    )
    run(pytester, api, "--seeds-coverage=c.json")
    ledger = ledger_of(project / "c.json")
    by_operation = seeds_by_operation(ledger)
    assert by_operation["DELETE /v1/things/{id}"] == [("seeds/follow.md", "test", 200, "passed")]
    assert not [u for u in ledger["unmatched"] if u["seed"] == "seeds/follow.md"]


def test_a_step_sent_to_another_host_covers_no_operation(
    pytester: pytest.Pytester, project: Path, api: HTTPServer
) -> None:
    """The same path on another host is another API: the step is unmatched, whatever the
    documented paths say (``localhost`` is another host name than the API's 127.0.0.1)."""
    elsewhere = f"http://localhost:{api.port}/v1/things/7"
    (project / "seeds" / "elsewhere.md").write_text(
        seed_doc(
            "DELETE /v1/things/{id}",
            f"- id: other\n  method: GET\n  path: {elsewhere}\n",
            front=SWAGGER,
        )
    )
    result = run(pytester, api, "--seeds-coverage=c.json")
    result.assert_outcomes(passed=3, skipped=1)
    ledger = ledger_of(project / "c.json")
    covered = seeds_by_operation(ledger)["GET /v1/things/{id}"]
    assert [entry[0] for entry in covered] == ["seeds/thing_skip.md"]  # not elsewhere.md
    assert {"seed": "seeds/elsewhere.md", "method": "GET", "path": elsewhere} in ledger["unmatched"]
