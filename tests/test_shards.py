"""A run split over machines (shards) with pytest-split, and ``pytest-seeds merge``.

The README's shard recipe (section "Shards"), read from the README itself, runs as 4
local processes of ``-n 2`` each (``-n auto`` in the README; this machine has 2 CPUs)
against one sandbox, after the durations run the recipe stores ``.test_durations``
with; the merge of their reports must name every seed once, with its outcome, and
equal the whole run's summary. Then: inputs that repeat or leave out a shard, inputs
that cannot be used, the shard count and the rate, and the merge of summaries as a
property (split then merge is the whole; the order of the inputs does not matter).
"""

from __future__ import annotations

import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_seeds import cli
from pytest_seeds.contract import coverage as coverage_ledger
from pytest_seeds.output import merge as merging
from pytest_seeds.output import summary as seeds_summary
from pytest_seeds.sandbox import DEMO_TOKENS, Sandbox
from tests.conftest import CHECKOUT
from tests.helpers import run_seeds, runpytest

README = CHECKOUT / "README.md"
SEEDS = 240
SHARDS = 4
FAILING, SKIPPED, XFAILED = 7, 13, 21  # seed numbers with those outcomes; the others pass
OUTCOME = {FAILING: "failed", SKIPPED: "skipped", XFAILED: "xfailed"}


def seed_text(number: int) -> str:
    """A seed that lists the sandbox's directories; some fail, skip or xfail on purpose."""
    status = {SKIPPED: "skip\nskip_reason: Not on this shard's watch", XFAILED: "failed"}
    expect = 418 if number in (FAILING, XFAILED) else 200
    return f"""---
endpoint: "GET /shard/{number}"
domain: domain_{number % 3}
status: {status.get(number, "verified")}
---

# Seed {number}

## Test Request

```yaml
steps:
  - id: list_{number}
    method: GET
    path: /v3/business_administration/directories
    token: admin
    params: {{per_page: 2, copy: {number}}}
    expect:
      status: {expect}
```
"""


def write_seeds(folder: Path, count: int) -> None:
    """The seeds, and the sandbox's Swagger files (the coverage ledger's operations)."""
    shutil.copytree(CHECKOUT / "seeds" / "swagger", folder / "swagger")
    for number in range(count):
        path = folder / "seeds" / f"group_{number % 5}" / f"seed_{number:03}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(seed_text(number), encoding="utf-8")


def seed_file(number: int) -> str:
    return f"seeds/group_{number % 5}/seed_{number:03}.md"


def child_env(sandbox: Sandbox) -> dict[str, str]:
    """The shards' environment: this checkout, the sandbox's URLs, every demo token."""
    skip = ("SEEDS_", "PYTEST_XDIST_")  # this suite's own -n worker is not the shards'
    env = {name: value for name, value in os.environ.items() if not name.startswith(skip)}
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(CHECKOUT), os.environ.get("PYTHONPATH")])),
        SEEDS_BASE_URL=sandbox.url,
        SEEDS_FALLBACK_URL=sandbox.fallback_url,
        SEEDS_PARTNERS_URL=sandbox.partners_url,
        **{f"SEEDS_TOKEN_{kind.upper()}": token for kind, token in DEMO_TOKENS.items()},
    )
    return env


# --- the README's recipe ----------------------------------------------------------------------


def readme_recipe() -> dict[str, Any]:
    """The commands of the README's shard section: durations, GitHub's and GitLab's shard
    command, and the merge (the same in both)."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Shards") : text.index("### Node ids")]
    lines = [line.strip().removeprefix("- ").removeprefix("run: ") for line in section.splitlines()]
    durations = [line.split("#")[0].strip() for line in lines if "--store-durations" in line]
    shard_lines = [line for line in lines if line.startswith("pytest --seeds-dir seeds -n auto --")]
    merges = {line for line in lines if line.startswith("pytest-seeds merge ")}
    (github,) = [line for line in shard_lines if "matrix.group" in line]
    (gitlab,) = [line for line in shard_lines if "CI_NODE_INDEX" in line]
    (merge,) = merges
    return {"durations": durations[-1], "github": github, "gitlab": gitlab, "merge": merge}


def as_local(command: str, **variables: str) -> list[str]:
    """A README command as this test runs it: variables filled in, ``-n 2``, this Python."""
    for name, value in variables.items():
        command = command.replace(f"${name}", value)
    args = shlex.split(command)
    args = ["2" if arg == "auto" and args[i - 1] == "-n" else arg for i, arg in enumerate(args)]
    program, *rest = args
    module = {"pytest": ["pytest"], "pytest-seeds": ["pytest_seeds"]}[program]
    return [sys.executable, "-m", *module, *rest]


def expand(args: list[str], cwd: Path) -> list[str]:
    """Shell globs of the merge command, expanded as the shell would in ``cwd``."""
    found = []
    for arg in args:
        matches = sorted(glob.glob(arg, root_dir=cwd)) if set("*?[") & set(arg) else []
        found += matches or [arg]
    return found


def test_the_github_and_gitlab_recipes_run_the_same_shards() -> None:
    recipe = readme_recipe()
    github = recipe["github"].replace("${{ matrix.group }}", "$CI_NODE_INDEX")
    assert github.replace("--splits 4", "--splits $CI_NODE_TOTAL") == recipe["gitlab"]


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The whole run (storing durations), then the 4 shards at once, as the README says."""
    folder = tmp_path_factory.mktemp("sharded")
    write_seeds(folder, SEEDS)
    recipe = readme_recipe()
    with Sandbox() as sandbox:
        env = child_env(sandbox)
        # the README's durations command; its summary is the whole run to compare with
        whole = [*as_local(recipe["durations"]), "--seeds-summary-json", "whole.json"]
        whole += ["--seeds-coverage", "whole-coverage.json"]
        done = subprocess.run(whole, cwd=folder, env=env, capture_output=True, text=True)
        assert done.returncode == 1, done.stdout + done.stderr  # the failing seed
        shards = [
            subprocess.Popen(
                as_local(recipe["gitlab"], CI_NODE_TOTAL=str(SHARDS), CI_NODE_INDEX=str(group)),
                cwd=folder,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for group in range(1, SHARDS + 1)
        ]
        outputs = [shard.communicate()[0] for shard in shards]
        requests = len(sandbox.requests)
    for shard, output in zip(shards, outputs, strict=True):
        assert shard.returncode in (0, 1), output
    yield {"folder": folder, "recipe": recipe, "outputs": outputs, "requests": requests}


def merge_command(sharded: dict[str, Any], *replace: tuple[str, str]) -> list[str]:
    command = sharded["recipe"]["merge"]
    for old, new in replace:
        command = command.replace(old, new)
    return expand(as_local(command), sharded["folder"])


def run_merge(
    sharded: dict[str, Any], *replace: tuple[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        merge_command(sharded, *replace),
        cwd=sharded["folder"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(CHECKOUT)},
    )


def test_every_seed_is_reported_once_with_its_outcome(sharded: dict[str, Any]) -> None:
    folder = sharded["folder"]
    done = run_merge(sharded)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "!!" not in done.stdout
    summary = json.loads((folder / "seeds-summary.json").read_text())
    rows = summary["seeds"]
    assert sorted(row["seed"] for row in rows) == sorted(seed_file(n) for n in range(SEEDS))
    for row in rows:
        number = int(re.search(r"seed_(\d+)", row["seed"]).group(1))
        assert row["outcome"] == OUTCOME.get(number, "passed"), row
    assert summary["totals"] == {
        "seeds": SEEDS,
        "passed": SEEDS - 3,
        "failed": 1,
        "errors": 0,
        "skipped": 1,
        "xfailed": 1,
    }
    assert summary["shard"]["count"] == SHARDS
    assert "domain_0" in done.stdout and "seeds" in done.stdout  # the terminal summary
    # each shard ran a part, and all the shards together sent one request per seed that ran
    parts = [json.loads((folder / f"reports/summary-{g}.json").read_text()) for g in (1, 2, 3, 4)]
    assert all(0 < len(part["seeds"]) < SEEDS for part in parts)
    assert [part["shard"]["group"] for part in parts] == [1, 2, 3, 4]
    # each shard noted every seed before pytest-split kept its group: the check's ground
    assert all(len(part["shard"]["collected"]) == SEEDS for part in parts)
    assert sharded["requests"] == 2 * (SEEDS - 1)  # the whole run, then the shards; one skipped

    root = ET.parse(folder / "seeds.xml").getroot()
    assert root.tag == "testsuites"
    assert [root.get(name) for name in ("tests", "failures", "errors", "skipped")] == [
        str(SEEDS),
        "1",
        "0",
        "2",  # the skipped seed and the xfailed one
    ]
    cases = list(root.iter("testcase"))
    names = [f"{case.get('classname')}::{case.get('name')}" for case in cases]
    assert len(names) == len(set(names)) == SEEDS
    failed = [case.get("name") for case in cases if case.find("failure") is not None]
    skipped = [case.get("name") for case in cases if case.find("skipped") is not None]
    assert failed == [f"GET /shard/{FAILING}"]
    assert sorted(skipped) == sorted([f"GET /shard/{SKIPPED}", f"GET /shard/{XFAILED}"])


def test_the_merged_summary_is_the_whole_runs(sharded: dict[str, Any]) -> None:
    folder = sharded["folder"]
    assert run_merge(sharded).returncode == 0
    merged = json.loads((folder / "seeds-summary.json").read_text())
    whole = json.loads((folder / "whole.json").read_text())
    assert whole["shard"] == {"count": 1, "group": None, "collected": merged["shard"]["collected"]}
    for document in (merged, whole):
        document.pop("timing")
        document["shard"].pop("count")
    assert merged == whole


def test_the_merged_coverage_is_the_whole_runs(sharded: dict[str, Any]) -> None:
    folder = sharded["folder"]
    assert run_merge(sharded).returncode == 0
    merged = json.loads((folder / "coverage.json").read_text())
    whole = json.loads((folder / "whole-coverage.json").read_text())
    assert merged == whole
    (operation,) = [op for op in merged["operations"] if op["seeds"]]
    assert operation["method"] == "GET" and operation["path"].endswith("/directories")
    # every seed that sent its request; the skipped one names its (undocumented) endpoint
    assert len({entry["seed"] for entry in operation["seeds"]}) == SEEDS - 1
    assert merged["unmatched"] == [
        {"seed": seed_file(SKIPPED), "method": "GET", "path": f"/shard/{SKIPPED}"}
    ]
    assert (folder / "coverage.md").read_text() == (folder / "whole-coverage.md").read_text()
    parts = [json.loads((folder / f"reports/coverage-{g}.json").read_text()) for g in (1, 2, 3, 4)]
    assert all(part["totals"]["covered"] > 0 for part in parts)


def test_the_stored_durations_name_every_seed_by_its_node_id(sharded: dict[str, Any]) -> None:
    durations = json.loads((sharded["folder"] / ".test_durations").read_text())
    assert sorted(durations) == sorted(f"{seed_file(n)}::GET /shard/{n}" for n in range(SEEDS))


def test_a_shard_given_twice_is_a_duplicate(sharded: dict[str, Any]) -> None:
    done = run_merge(
        sharded, ("reports/summary-*.json", "reports/summary-*.json reports/summary-2.json")
    )
    assert done.returncode == 1, done.stderr
    problems = [line for line in done.stdout.splitlines() if line.startswith("!!")]
    part = json.loads((sharded["folder"] / "reports/summary-2.json").read_text())
    assert (
        problems[-1]
        == "!! shard 2 of 4 is in 2 files: reports/summary-2.json, reports/summary-2.json"
    )
    assert problems[:-1] == [
        f"!! seed {row['seed']} ran in 2 shards: reports/summary-2.json, reports/summary-2.json"
        for row in part["seeds"]
    ]
    merged = json.loads((sharded["folder"] / "seeds-summary.json").read_text())
    assert merged["totals"]["seeds"] == SEEDS  # each seed counts once all the same


def test_a_shard_left_out_leaves_its_seeds_missing(sharded: dict[str, Any]) -> None:
    done = run_merge(sharded, ("reports/summary-*.json", "reports/summary-[124].json"))
    assert done.returncode == 1, done.stderr
    problems = [line for line in done.stdout.splitlines() if line.startswith("!!")]
    part = json.loads((sharded["folder"] / "reports/summary-3.json").read_text())
    seeds = sorted(row["seed"] for row in part["seeds"])
    assert problems == [
        *(
            f"!! seed {seed} is in no shard's report (collected before the split, never run)"
            for seed in seeds
        ),
        "!! no summary of shard 3 of 4 among the inputs",
        *(
            f"!! seed {seed} is in coverage ledger reports/coverage-3.json but in no summary"
            for seed in seeds
        ),
    ]


# --- shard count, durations, rate -------------------------------------------------------------

LIMITER_CONFTEST = """
import json
from pathlib import Path
import pytest

@pytest.fixture(scope="session")
def seeds_client(seeds_client, pytestconfig):
    worker = getattr(pytestconfig, "workerinput", {}).get("workerid", "main")
    limiter = seeds_client.limiter
    record = {"kind": type(limiter).__name__, "interval": limiter.interval}
    Path(f"limiter-{worker}.json").write_text(json.dumps(record))
    return seeds_client
"""


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with Sandbox() as server:
        for name, value in child_env(server).items():
            if name.startswith("SEEDS_"):
                monkeypatch.setenv(name, value)
        yield server


def limiters(pytester: pytest.Pytester) -> dict[str, dict[str, Any]]:
    return {
        path.stem.removeprefix("limiter-"): json.loads(path.read_text())
        for path in pytester.path.glob("limiter-*.json")
    }


@pytest.mark.parametrize(
    ("args", "env", "kind", "interval"),
    [
        (["--splits", "4", "--group", "2", "-n", "2"], {}, "SharedRateLimiter", 0.5),
        (["--splits", "4", "--group", "1"], {}, "RateLimiter", 0.5),
        (["--seeds-shards", "4"], {}, "RateLimiter", 0.5),
        ([], {"SEEDS_SHARDS": "2"}, "RateLimiter", 0.25),
        (["-p", "no:pytest-split"], {}, "RateLimiter", 0.125),
        ([], {}, "RateLimiter", 0.125),
    ],
    ids=["splits-xdist", "splits", "seeds-shards", "SEEDS_SHARDS", "no-pytest-split", "one-shard"],
)
def test_each_shard_keeps_to_its_share_of_the_rate(
    pytester: pytest.Pytester,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    kind: str,
    interval: float,
) -> None:
    """--seeds-rate 8 over 4 shards: 2 a second for a shard (0.5 s apart), its workers sharing it."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    write_seeds(pytester.path, 8)
    pytester.makeconftest(LIMITER_CONFTEST)
    result = runpytest(pytester, "--seeds-dir=seeds", "--seeds-rate=8", *args, subprocess=True)
    assert result.ret in (0, 1), result.stdout.str()
    found = limiters(pytester)
    assert found and all(
        record == {"kind": kind, "interval": interval} for record in found.values()
    )
    assert set(found) <= ({"gw0", "gw1"} if "-n" in args else {"main"})
    assert 0 < len(sandbox.requests) <= 8  # the shard's part of the seeds (or all), no retries


def test_shard_counts_that_disagree_are_a_usage_error(pytester: pytest.Pytester) -> None:
    write_seeds(pytester.path, 2)
    result = run_seeds(pytester, "--seeds-shards=3", "--splits=4", "--group=1")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--seeds-shards 3 and pytest-split's --splits 4 disagree*"])


def test_a_shard_count_from_the_environment_is_named_so(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_seeds(pytester.path, 2)
    monkeypatch.setenv("SEEDS_SHARDS", "3")
    result = run_seeds(pytester, "--splits=4", "--group=1")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*SEEDS_SHARDS=3 (environment) and pytest-split's --splits 4*"])


@pytest.mark.parametrize("shards", ["10001", "99999999999999999999"])
def test_a_shard_count_beyond_the_bound_is_a_usage_error(
    pytester: pytest.Pytester, shards: str
) -> None:
    write_seeds(pytester.path, 2)
    result = run_seeds(pytester, f"--seeds-shards={shards}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"*--seeds-shards (ini seeds_shards, env SEEDS_SHARDS): {shards} is more than 10000*"]
    )


def test_stored_durations_decide_the_groups(pytester: pytest.Pytester) -> None:
    """One seed's long stored duration gets a group of its own: durations apply to seeds."""
    write_seeds(pytester.path, 6)
    ids = [f"{seed_file(n)}::GET /shard/{n}" for n in range(6)]
    (pytester.path / ".test_durations").write_text(
        json.dumps({node: 100.0 if n == 3 else 1.0 for n, node in enumerate(ids)})
    )
    args = ["--splits=2", "--splitting-algorithm=least_duration", "--collect-only", "-q"]
    groups = []
    for group in (1, 2):
        result = run_seeds(pytester, *args, f"--group={group}", "--durations-path=.test_durations")
        groups.append(sorted(line for line in result.outlines if "::" in line))
    assert [ids[3]] in groups
    assert sorted(groups[0] + groups[1]) == sorted(ids)


# --- the merge's inputs ---------------------------------------------------------------------


def summary_file(path: Path, **change: Any) -> Path:
    runs = seeds_summary.RunSummary()
    runs.add("a.md::GET /a", "setup", "passed", seeds_summary.seed_data("a.md", "GET /a", "d"))
    path.write_text(json.dumps({**runs.to_json({}), **change}))
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "neither JSON nor XML (Expecting value: line 1 column 1 (char 0))"),
        (b"{not json", "neither JSON nor XML (Expecting property name enclosed in double quotes"),
        (b"[1, 2]", "JSON without a 'format' is not a report this pytest-seeds merges"),
        (
            b'{"format": "pytest-seeds summary 2"}',
            "format 'pytest-seeds summary 2' is not a report this pytest-seeds merges "
            "('pytest-seeds summary 1', 'pytest-seeds coverage 1')",
        ),
        (
            b'{"format": "pytest-seeds coverage 1", "mode": "run", "operations": {}}',
            "not a valid coverage ledger file: a coverage ledger needs 'mode' (run or lint), "
            "'operations' and 'unmatched'",
        ),
        (
            b'{"format": "pytest-seeds coverage 1", "mode": "lint", "unmatched": [],'
            b' "operations": [{"spec": "a.json", "method": "GET", "path": "/a", "domain": "",'
            b' "statuses": ["200"], "seeds": [{"seed": "a.md", "role": "x", "status": 1,'
            b' "outcome": "designed"}]}]}',
            "not a valid coverage ledger file: an operation lacks spec, method, path, domain, "
            "statuses or its seeds",
        ),
        (
            b'{"format": "pytest-seeds coverage 1", "mode": "run", "operations": [],'
            b' "unmatched": [{"seed": 1}]}',
            "not a valid coverage ledger file: an unmatched step lacks seed, method or path",
        ),
        (
            b'{"format": "pytest-seeds summary 1", "seeds": {}}',
            "not a valid summary JSON file: 'seeds' is not a list",
        ),
        (
            b'{"format": "pytest-seeds summary 1", "seeds": [{"seed": "a.md"}]}',
            "not a valid summary JSON file: a seed row lacks one of seed, endpoint",
        ),
        (b"[" * 100_000, "JSON nested too deeply to be a report"),
        (b"\xff\xfe{}", "neither JSON nor XML ("),
        (b"<testsuites><testcase", "not XML ("),
        (b"<html></html>", "not JUnit XML (no <testsuites> or <testsuite>)"),
        (
            b'<testsuite name="x" tests="1"><testcase classname="t" name="x" time="abc"/>'
            b"</testsuite>",
            "not valid JUnit XML (could not convert string to float: 'abc')",
        ),
        (b'<testsuite name="x" time="1s"/>', "not valid JUnit XML (could not convert"),
        *(
            (
                json.dumps({"format": "pytest-seeds summary 1", "seeds": [], **change}).encode(),
                f"not a valid summary JSON file: {message}",
            )
            for change, message in [
                ({"mode": "test"}, "'mode' is not one of run, lint"),
                ({"timing": {"seconds": "abc"}}, "'timing' is not a mapping of started"),
                ({"timing": {"started": 5}}, "'timing' is not a mapping of started"),
                ({"timing": {"seconds": True}}, "'timing' is not a mapping of started"),
                ({"shard": {"count": 10**9}}, "'shard' is not a mapping of count, group"),
                ({"shard": {"count": 0}}, "'shard' is not a mapping of count, group"),
                ({"shard": {"count": 2, "group": 10**9}}, "'shard' is not a mapping of count"),
            ]
        ),
    ],
    ids=[
        "empty",
        "not-json",
        "list",
        "version",
        "coverage",
        "coverage-seed",
        "coverage-unmatched",
        "seeds",
        "row",
        "deep",
        "binary",
        "broken-xml",
        "html",
        "junit-time",
        "junit-suite-time",
        "mode",
        "seconds-text",
        "started-number",
        "seconds-bool",
        "huge-count",
        "zero-count",
        "huge-group",
    ],
)
def test_an_unusable_input_is_one_line_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    good = summary_file(tmp_path / "good.json")
    bad = tmp_path / "bad.input"
    bad.write_bytes(content)
    out = tmp_path / "merged.json"
    assert cli.main(["merge", str(good), str(bad), "--summary-json", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pytest-seeds merge: {bad}: {message}"), err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("missing", ["nowhere.json", "."], ids=["no-file", "a-folder"])
def test_an_unreadable_input_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], missing: str
) -> None:
    path = tmp_path / missing
    assert cli.main(["merge", str(path)]) == 2
    err = capsys.readouterr().err
    assert re.fullmatch(rf"pytest-seeds merge: {re.escape(str(path))}: cannot read it: .+\n", err)


def test_summaries_of_different_environments_are_not_merged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = summary_file(tmp_path / "a.json", environment="staging")
    second = summary_file(tmp_path / "b.json", environment="production")
    assert cli.main(["merge", str(first), str(second)]) == 2
    err = capsys.readouterr().err
    assert err == (
        "pytest-seeds merge: the summaries are of different environments "
        f"(production: {second}; staging: {first})\n"
    )


def test_shards_of_different_splits_are_a_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = summary_file(tmp_path / "a.json", shard={"count": 4, "group": 1, "collected": []})
    second = summary_file(tmp_path / "b.json", shard={"count": 3, "group": 2, "collected": []})
    assert cli.main(["merge", str(second), str(first)]) == 1
    assert capsys.readouterr().out.splitlines()[-2:] == [
        f"!! seed a.md ran in 2 shards: {first}, {second}",
        f"!! the summaries are of runs split in different numbers of shards (3: {second}; 4: {first})",
    ]


def test_an_output_without_its_input_kind_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = summary_file(tmp_path / "good.json")
    assert cli.main(["merge", str(good), "--junitxml", str(tmp_path / "x.xml")]) == 2
    assert capsys.readouterr().err == "pytest-seeds merge: --junitxml: no input of that kind\n"


def test_without_junitparser_the_merge_says_what_to_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    xml = tmp_path / "seeds.xml"
    xml.write_text('<testsuites><testsuite name="pytest" tests="0"/></testsuites>')
    monkeypatch.setitem(sys.modules, "junitparser", None)  # import junitparser: ImportError
    assert cli.main(["merge", str(xml)]) == 2
    assert capsys.readouterr().err == f"pytest-seeds merge: {merging.INSTALL_JUNITPARSER}\n"


# --- the merge of summaries as a property ------------------------------------------------------

PHASE_OF = {
    "passed": ("call", "passed"),
    "failed": ("call", "failed"),
    "errors": ("setup", "failed"),
    "skipped": ("setup", "skipped"),
    "xfailed": ("call", "xfailed"),
}
seed_rows = st.lists(
    st.tuples(
        st.sampled_from(sorted(PHASE_OF)),
        st.sampled_from(["clients", "jobs", "(no domain)"]),
        st.lists(st.integers(0, 3000).map(lambda tenths: tenths / 10), max_size=3),
        st.lists(st.sampled_from(["admin", "staff"]), max_size=2, unique=True),
    ),
    min_size=1,
    max_size=15,
)


def run_of(
    rows: list[tuple[str, str, list[float], list[str]]], numbers: list[int]
) -> seeds_summary.RunSummary:
    """A run's summary of the given seeds (by number), as the plugin builds it."""
    runs = seeds_summary.RunSummary()
    for number in numbers:
        outcome, domain, steps, tokens = rows[number]
        data = {
            "seed": f"seeds/s{number:02}.md",
            "endpoint": f"GET /s/{number}",
            "domain": domain,
            "missing_tokens": tokens,
            "failed_step": "call" if outcome == "failed" else None,
            "steps": [[f"step_{k}", ms] for k, ms in enumerate(steps)],
        }
        runs.add(f"seeds/s{number:02}.md::GET /s/{number}", "setup", "passed", data)
        runs.add(f"seeds/s{number:02}.md::GET /s/{number}", *PHASE_OF[outcome], None)
    return runs


def shard_summaries(
    rows: list[Any], groups: list[int], shards: int
) -> list[tuple[str, dict[str, Any]]]:
    every = [f"seeds/s{number:02}.md" for number in range(len(rows))]
    return [
        (
            f"summary-{group}.json",
            run_of(rows, [n for n in range(len(rows)) if groups[n] == group]).to_json(
                {
                    "started": f"2026-01-01T00:00:0{group}",
                    "finished": "2026-01-01T00:01:00",
                    "seconds": group,
                },
                None,
                seeds_summary.shard_info(shards, group, every),
            ),
        )
        for group in range(1, shards + 1)
    ]


@given(seed_rows, st.integers(1, 4), st.data())
def test_split_then_merged_is_the_whole_run(
    rows: list[Any], shards: int, data: st.DataObject
) -> None:
    groups = data.draw(st.lists(st.integers(1, shards), min_size=len(rows), max_size=len(rows)))
    whole = run_of(rows, list(range(len(rows)))).to_json({"seconds": 9})
    merged, problems = merging.merge_summaries(shard_summaries(rows, groups, shards))
    assert problems == []
    assert merged["timing"]["slowest_steps"] == whole["timing"]["slowest_steps"]
    assert merged["shard"] == {**whole["shard"], "count": shards}
    for document in (merged, whole):
        document.pop("timing")
        document.pop("shard")
    assert merged == whole


@given(seed_rows, st.integers(1, 4), st.data())
def test_the_order_of_the_inputs_does_not_matter(
    rows: list[Any], shards: int, data: st.DataObject
) -> None:
    groups = data.draw(st.lists(st.integers(1, shards), min_size=len(rows), max_size=len(rows)))
    summaries = shard_summaries(rows, groups, shards)
    shuffled = data.draw(st.permutations(summaries))
    assert merging.merge_summaries(shuffled) == merging.merge_summaries(summaries)


@given(seed_rows, st.data())
def test_a_seed_in_two_shards_is_named_and_counted_once(
    rows: list[Any], data: st.DataObject
) -> None:
    twice = data.draw(st.integers(0, len(rows) - 1))
    first, second = shard_summaries(rows, [1] * len(rows), 2)
    second[1]["seeds"] = [
        row for row in first[1]["seeds"] if row["seed"] == f"seeds/s{twice:02}.md"
    ]
    merged, problems = merging.merge_summaries([first, second])
    assert problems == [
        f"seed seeds/s{twice:02}.md ran in 2 shards: summary-1.json, summary-2.json"
    ]
    assert merged["totals"]["seeds"] == len(rows)


def test_ledgers_of_a_run_and_of_lint_are_not_merged(tmp_path: Path) -> None:
    paths = []
    for mode in ("run", "lint"):
        path = tmp_path / f"{mode}.json"
        ledger = {
            "format": "pytest-seeds coverage 1",
            "mode": mode,
            "operations": [],
            "unmatched": [],
        }
        path.write_text(json.dumps(ledger))
        paths.append(str(path))
    out = tmp_path / "merged.json"
    assert cli.main(["merge", *paths, "--coverage-json", str(out)]) == 2
    assert not out.exists()


# --- every kind checked against the summaries, as a property ----------------------------------

JUNIT_RESULT = {
    "passed": "",
    "failed": "<failure/>",
    "errors": "<error/>",
    "skipped": "<skipped/>",
    "xfailed": "<skipped/>",
}
OPERATION = {"spec": "api.json", "method": "GET", "path": "/s", "domain": "d", "statuses": ["200"]}
PLAIN_TESTS = (
    '<testsuite name="pytest" time="1" timestamp="plain" hostname="h">'
    '<testcase classname="tests.test_api" name="test_plain" time="1"/></testsuite>'
)


def junit_of(rows: list[Any], numbers: list[int], group: int, outcome: str | None = None) -> str:
    """A shard's JUnit XML as pytest writes it for the seeds given (by number)."""
    cases = "".join(
        f'<testcase classname="seeds.s{n:02}.md" name="GET /s/{n}" time="0.5">'
        f"{JUNIT_RESULT[outcome or rows[n][0]]}</testcase>"
        for n in numbers
    )
    return (
        f'<testsuite name="pytest" tests="{len(numbers)}" time="{group}.25" '
        f'timestamp="t{group}{outcome}" hostname="h">{cases}</testsuite>'
    )


def ledger_of(rows: list[Any], numbers: list[int]) -> dict[str, Any]:
    """A shard's coverage ledger: even seeds hit the documented operation, odd ones do not."""
    hit = {**OPERATION, "status": 200, "role": "test"}
    seeds = [
        {
            "seed": f"seeds/s{n:02}.md",
            "outcome": rows[n][0],
            "operations": [hit] if n % 2 == 0 else [],
            "unmatched": [] if n % 2 == 0 else [{"method": "GET", "path": f"/s/{n}"}],
        }
        for n in numbers
    ]
    return coverage_ledger.build_ledger([OPERATION], seeds, "run")


def shard_files(folder: Path, rows: list[Any], groups: list[int], shards: int) -> list[Path]:
    """Each shard's summary, ledger and JUnit XML (and a JUnit file of plain tests)."""
    paths = []
    for name, document in shard_summaries(rows, groups, shards):
        group = int(name.split("-")[1].split(".")[0])
        numbers = [n for n in range(len(rows)) if groups[n] == group]
        for path, text in [
            (folder / name, json.dumps(document)),
            (folder / f"coverage-{group}.json", json.dumps(ledger_of(rows, numbers))),
            (folder / f"seeds-{group}.xml", junit_of(rows, numbers, group)),
        ]:
            path.write_text(text)
            paths.append(path)
    (folder / "plain.xml").write_text(PLAIN_TESTS)
    return [*paths, folder / "plain.xml"]


def merged_cases(junit: Any) -> list[tuple[str, str]]:
    return [(case.classname, case.name) for suite in junit for case in suite]


@given(seed_rows, st.integers(1, 4), st.data())
def test_complete_shards_merge_without_a_problem(
    rows: list[Any], shards: int, data: st.DataObject
) -> None:
    groups = data.draw(st.lists(st.integers(1, shards), min_size=len(rows), max_size=len(rows)))
    with tempfile.TemporaryDirectory() as folder:
        merged = merging.merge(shard_files(Path(folder), rows, groups, shards))
    assert merged.problems == []
    junit = merged.documents[merging.JUNIT.name]
    assert sorted(merged_cases(junit)) == sorted(
        [
            *((f"seeds.s{n:02}.md", f"GET /s/{n}") for n in range(len(rows))),
            ("tests.test_api", "test_plain"),
        ]
    )
    assert junit.tests == len(rows) + 1
    assert sorted(suite.time for suite in junit) == sorted(
        [1, *(g + 0.25 for g in range(1, shards + 1))]
    )


@given(seed_rows, st.integers(2, 4), st.sampled_from(["coverage", "seeds"]), st.data())
def test_a_shards_file_left_out_names_its_seeds(
    rows: list[Any], shards: int, kind: str, data: st.DataObject
) -> None:
    groups = data.draw(st.lists(st.integers(1, shards), min_size=len(rows), max_size=len(rows)))
    group = data.draw(st.sampled_from(sorted(set(groups))))
    with tempfile.TemporaryDirectory() as folder:
        paths = shard_files(Path(folder), rows, groups, shards)
        left_out = Path(folder) / f"{kind}-{group}.{'json' if kind == 'coverage' else 'xml'}"
        merged = merging.merge([path for path in paths if path != left_out])
    where = "is in no coverage ledger" if kind == "coverage" else "has no testcase in the JUnit"
    seeds = [f"seeds/s{n:02}.md" for n in range(len(rows)) if groups[n] == group]
    assert len(merged.problems) == len(seeds)
    assert all(
        problem.startswith(f"seed {seed} ran but {where}")
        for seed, problem in zip(seeds, merged.problems, strict=True)
    )


@given(seed_rows, st.integers(1, 4), st.sampled_from(sorted(JUNIT_RESULT)), st.data())
def test_a_seed_in_two_junit_files_is_named_and_kept_once_by_its_worse_outcome(
    rows: list[Any], shards: int, outcome: str, data: st.DataObject
) -> None:
    groups = data.draw(st.lists(st.integers(1, shards), min_size=len(rows), max_size=len(rows)))
    twice = data.draw(st.integers(0, len(rows) - 1))
    with tempfile.TemporaryDirectory() as folder:
        paths = shard_files(Path(folder), rows, groups, shards)
        again = Path(folder) / "again.xml"  # another shard's suite that ran the seed too
        again.write_text(junit_of(rows, [twice], 9, outcome))
        merged = merging.merge([*paths, again])
    group = groups[twice]
    assert merged.problems == [
        f"testcase seeds.s{twice:02}.md.GET /s/{twice} is in 2 JUnit files: "
        + ", ".join(sorted([str(again), str(Path(folder) / f"seeds-{group}.xml")]))
    ]
    junit = merged.documents[merging.JUNIT.name]
    assert junit.tests == len(rows) + 1
    kept = [case for suite in junit for case in suite if case.name == f"GET /s/{twice}"]
    assert len(kept) == 1
    worse = min(rows[twice][0], outcome, key=merging.WORST_FIRST.index)
    assert {type(entry).__name__ for entry in kept[0].result} == (
        {"Failure"}
        if worse == "failed"
        else {"Error"}
        if worse == "errors"
        else {"Skipped"}
        if worse in ("skipped", "xfailed")
        else set()
    )


@given(seed_rows, st.integers(2, 4), st.data())
def test_a_seed_in_two_ledgers_is_named(rows: list[Any], shards: int, data: st.DataObject) -> None:
    groups = data.draw(st.lists(st.integers(1, shards), min_size=len(rows), max_size=len(rows)))
    twice = data.draw(st.integers(0, len(rows) - 1))
    with tempfile.TemporaryDirectory() as folder:
        paths = shard_files(Path(folder), rows, groups, shards)
        again = Path(folder) / "again.json"
        again.write_text(json.dumps(ledger_of(rows, [twice])))
        merged = merging.merge([*paths, again])
    assert merged.problems == [
        f"seed seeds/s{twice:02}.md is in 2 coverage ledgers: "
        + ", ".join(sorted([str(again), str(Path(folder) / f"coverage-{groups[twice]}.json")]))
    ]


# --- outputs, inputs, coverage gates on the merge ----------------------------------------------


@pytest.fixture
def shard_reports(tmp_path: Path) -> list[Path]:
    rows = [("passed", "d", [], []), ("failed", "d", [], [])]
    return shard_files(tmp_path, rows, [1, 2], 2)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--summary-json", "same.json", "--coverage-json", "same.json"],
            "same.json: written by --summary-json and by --coverage-json",
        ),
        (
            ["--coverage-json", "cov.json", "--summary-json", "cov.md"],
            "cov.md: written by --summary-json and by the Markdown table of --coverage-json",
        ),
        (["--coverage-json", "cov.md"], "--coverage-json cov.md: name the JSON ledger"),
        (["--junitxml", "seeds-1.xml"], "seeds-1.xml: --junitxml would overwrite an input"),
        (["--junitxml", "folder.xml"], "folder.xml: --junitxml: cannot write it: it is a folder"),
        (["--junitxml", "plain.xml/x.xml"], "plain.xml/x.xml: --junitxml: cannot write it: "),
    ],
    ids=["same-path", "beside-the-ledger", "md-ledger", "an-input", "a-folder", "under-a-file"],
)
def test_outputs_that_cannot_be_written_are_refused_before_any_is_written(
    shard_reports: list[Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    options: list[str],
    message: str,
) -> None:
    folder = shard_reports[0].parent
    monkeypatch.chdir(folder)
    (folder / "folder.xml").mkdir()
    before = sorted(folder.rglob("*"))
    good = ["--summary-json", "new/summary.json", "--coverage-json", "new/coverage.json"]
    args = [*good, *options] if "--junitxml" in options else options
    assert cli.main(["merge", *map(str, shard_reports), *args]) == 2
    assert capsys.readouterr().err.startswith(f"pytest-seeds merge: {message}")
    assert sorted(folder.rglob("*")) == before


def test_every_unusable_input_is_named_and_ledger_tables_are_passed_over(
    shard_reports: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = shard_reports[0].parent
    for ledger in folder.glob("coverage-*.json"):
        (folder / f"{ledger.stem}.md").write_text("| operation |\n")
    (folder / "empty.json").write_text("")
    (folder / "notes.md").write_text("# notes\n")
    inputs = sorted(folder.iterdir())
    assert cli.main(["merge", *map(str, inputs)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"pytest-seeds merge: {folder / 'empty.json'}: neither JSON nor XML "
        "(Expecting value: line 1 column 1 (char 0))",
        f"pytest-seeds merge: {folder / 'notes.md'}: neither JSON nor XML "
        "(Expecting value: line 1 column 1 (char 0))",
    ]
    usable = [path for path in inputs if path.name not in ("empty.json", "notes.md")]
    assert cli.main(["merge", *map(str, usable)]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == [
        f"{folder / f'coverage-{group}.md'}: the Markdown table of a coverage ledger, passed over"
        for group in (1, 2)
    ]


@pytest.mark.parametrize(
    ("gates", "problems"),
    [
        (["--coverage-min", "50"], []),
        (
            ["--coverage-min", "60"],
            [
                "!! --coverage-min: 1 of 2 operations covered (50.0%), below the minimum of 60%: "
                "1 more operation needs a seed"
            ],
        ),
        (
            ["--coverage-baseline", "baseline.json"],
            [
                "!! --coverage-baseline: GET /gone (api.json) lost its seed (covered by "
                "seeds/old.md in the baseline)"
            ],
        ),
    ],
    ids=["min-met", "min-missed", "baseline-lost"],
)
def test_the_coverage_gates_judge_the_merged_ledger(
    shard_reports: list[Path],
    capsys: pytest.CaptureFixture[str],
    gates: list[str],
    problems: list[str],
) -> None:
    """Shard 1's ledger covers 1 of 2 operations, shard 2's none: the merge judges 1 of 2."""
    folder = shard_reports[0].parent
    gone = {**OPERATION, "path": "/gone"}
    baseline = coverage_ledger.build_ledger(
        [OPERATION, gone],
        [
            {
                "seed": "seeds/old.md",
                "outcome": "passed",
                "operations": [{**gone, "status": 200, "role": "test"}],
            }
        ],
        "run",
    )
    (folder / "baseline.json").write_text(json.dumps(baseline))
    for ledger in folder.glob("coverage-*.json"):  # the operation /gone: documented, no seed now
        document = json.loads(ledger.read_text())
        document["operations"].append({**gone, "seeds": [], "covered_statuses": []})
        ledger.write_text(json.dumps(document))
    gates = [gate.replace("baseline.json", str(folder / "baseline.json")) for gate in gates]
    status = cli.main(["merge", *map(str, shard_reports), *gates])
    out = capsys.readouterr().out.splitlines()
    assert [line for line in out if line.startswith("!!")] == problems
    assert status == (1 if problems else 0)


def test_summaries_of_a_run_and_of_lint_are_not_merged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = summary_file(tmp_path / "run.json")
    lint = summary_file(tmp_path / "lint.json", mode="lint", seeds=[])
    out = tmp_path / "merged.json"
    assert cli.main(["merge", str(run), str(lint), "--summary-json", str(out)]) == 2
    assert capsys.readouterr().err == (
        "pytest-seeds merge: cannot merge the summaries of a run with those of --seeds-lint "
        f"(lint: {lint}; run: {run})\n"
    )
    assert not out.exists()


@pytest.mark.parametrize("lint", [False, True], ids=["run", "lint"])
def test_the_summary_says_whether_seeds_ran_or_were_linted(
    pytester: pytest.Pytester, lint: bool
) -> None:
    write_seeds(pytester.path, 2)
    options = ["--seeds-lint"] if lint else ["--seeds-base-url=http://127.0.0.1:9"]
    run_seeds(pytester, *options, "--seeds-summary-json=summary.json", "-p", "no:xdist")
    summary = json.loads((pytester.path / "summary.json").read_text())
    assert summary["mode"] == ("lint" if lint else "run")
