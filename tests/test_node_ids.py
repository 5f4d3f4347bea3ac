"""Seed node ids round-trip: ``--lf``, ``--sw``, ``--deselect`` and ids given as arguments.

pytest splits node ids at ``::`` and reads ``[...]`` as parametrization, so item names
percent-encode ``%``, ``[``, ``]`` and runs of colons (``pytest_seeds/plugin/names.py``);
file names are the user's, and a seed file whose name pytest cannot take as an argument
(``[``) is found by the plugin. Which seeds ran is read from the summary JSON (file and
endpoint of each seed), never from the terminal.
"""

from __future__ import annotations

import json
import shlex
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from pytest_seeds.plugin.names import endpoint_of, item_name
from tests.helpers import runpytest, wire_args

PYTEST = tuple(int(part) for part in pytest.__version__.split(".")[:2])

FAIL = "/status/500/x"
PASS = "/ok"
HOSTILE = "[]:%/ ?#{}'\"\\-.*,;=~^$|<>()!&@+é中ß\u00a0"


def seed_text(endpoint: str, path: str, domain: str = "d") -> str:
    """A one-step seed; the endpoint as a JSON string (valid YAML, any character)."""
    return (
        f"---\nendpoint: {json.dumps(endpoint, ensure_ascii=False)}\ndomain: {domain}\n---\n\n"
        f"## Test Request\n\n```yaml\nsteps:\n  - {{id: call, method: GET, path: {path}}}\n```\n"
    )


def write_seeds(folder: Path, seeds: dict[str, tuple[str, str]]) -> None:
    """``{file name: (endpoint, step path)}`` into ``folder`` (emptied first)."""
    for old in [*folder.glob("*.md"), folder / ".pytest_cache", folder / "summary.json"]:
        if old.is_dir():
            shutil.rmtree(old)
        elif old.exists():
            old.unlink()
    for name, (endpoint, path) in seeds.items():
        (folder / name).write_text(seed_text(endpoint, path), encoding="utf-8")


def ran(pytester: pytest.Pytester, api: HTTPServer, *args: str) -> dict[str, str]:
    """Run the seeds of the pytester folder; ``{file name: outcome}`` of those that ran."""
    summary = pytester.path / "summary.json"
    summary.unlink(missing_ok=True)
    result = runpytest(
        pytester,
        f"--seeds-dir={pytester.path}",
        *wire_args(api),
        f"--seeds-summary-json={summary}",
        *args,
    )
    assert result.ret in (0, 1, 2), result.stdout.str() + result.stderr.str()  # 2: --sw stops
    rows = json.loads(summary.read_text())["seeds"] if summary.exists() else []
    return {row["seed"]: row["outcome"] for row in rows}


def collected_ids(pytester: pytest.Pytester) -> list[str]:
    """The node ids pytest prints for the seeds of the pytester folder (``--collect-only -q``)."""
    result = runpytest(
        pytester, f"--seeds-dir={pytester.path}", "--collect-only", "-q", "-p", "no:cacheprovider"
    )
    return [line for line in result.outlines if "::" in line]


# --- the names themselves ---------------------------------------------------------------


hostile_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(HOSTILE),
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
    ),
    min_size=1,
    max_size=40,
)


@given(text=hostile_text)
def test_item_names_are_reversible_and_safe_for_node_ids(text: str) -> None:
    name = item_name(text)
    assert endpoint_of(name) == text
    assert "::" not in name and "[" not in name
    if not any(c in text for c in "%[]") and "::" not in text:
        assert name == text  # readable: only the characters pytest reads are changed


def test_the_escaping_is_percent_encoding_of_four_things() -> None:
    assert item_name("GET /platform/v1/clients/{client_uid}") == (
        "GET /platform/v1/clients/{client_uid}"
    )
    assert item_name("GET /a/[id]") == "GET /a/%5Bid%5D"
    assert item_name("POST /x::y") == "POST /x%3A%3Ay"
    assert item_name("POST /v1/things:batch") == "POST /v1/things:batch"  # one colon stays
    assert item_name("GET /100%") == "GET /100%25"
    assert item_name("GET /café items") == "GET /café items"


# --- through pytest ----------------------------------------------------------------------

HOSTILE_SEEDS = {
    "brackets.md": ("GET /a/[id]", FAIL),
    "colons.md": ("POST /x::y", FAIL),
    "sp ace[1].md": ("GET /café items", FAIL),
    "café ü.md": ("GET /ü/[::1]:80 100%", FAIL),
    "plain_pass.md": ("GET /ok", PASS),
    "plain_fail.md": ("GET /fails", FAIL),
}


@pytest.fixture
def hostile(pytester: pytest.Pytester, tokens: dict) -> pytest.Pytester:
    write_seeds(pytester.path, HOSTILE_SEEDS)
    return pytester


def test_last_failed_reruns_every_failed_seed(hostile: pytest.Pytester, api: HTTPServer) -> None:
    first = ran(hostile, api)
    assert first == {
        name: "passed" if path == PASS else "failed" for name, (_, path) in HOSTILE_SEEDS.items()
    }
    again = ran(hostile, api, "--lf")
    assert again == {name: "failed" for name, outcome in first.items() if outcome == "failed"}
    assert ran(hostile, api, "--lf", "-n", "2") == again


def test_stepwise_goes_on_from_a_seed_with_brackets_and_colons(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict
) -> None:
    seeds = {
        "a_pass.md": ("GET /a", PASS),
        "b sp[1] é.md": ("POST /x::y[z]", FAIL),
        "c_fail.md": ("GET /c", FAIL),
    }
    write_seeds(pytester.path, seeds)
    assert ran(pytester, api, "--sw") == {"a_pass.md": "passed", "b sp[1] é.md": "failed"}
    (pytester.path / "b sp[1] é.md").write_text(seed_text("POST /x::y[z]", PASS))
    # the stepwise run starts at the seed that failed: the one before it is not run again
    assert ran(pytester, api, "--sw") == {"b sp[1] é.md": "passed", "c_fail.md": "failed"}


@pytest.mark.parametrize("form", ["node id", "file and endpoint"])
def test_deselect_a_seed_by_its_id(hostile: pytest.Pytester, api: HTTPServer, form: str) -> None:
    ids = collected_ids(hostile)
    everything = ran(hostile, api)
    for nodeid in ids:
        path, _, name = nodeid.rpartition("::")
        argument = nodeid if form == "node id" else f"{path}::{endpoint_of(name)}"
        left = ran(hostile, api, f"--deselect={argument}", "-p", "no:cacheprovider")
        assert set(everything) - set(left) == {path}, argument


@pytest.mark.parametrize("form", ["node id", "file and endpoint"])
def test_a_seed_s_id_on_the_command_line_runs_that_seed(
    hostile: pytest.Pytester, api: HTTPServer, form: str
) -> None:
    """Each id as a shell passes it (quoted); also the file and the endpoint as written."""
    for nodeid in collected_ids(hostile):
        path, _, name = nodeid.rpartition("::")
        argument = nodeid if form == "node id" else f"{path}::{endpoint_of(name)}"
        command = shlex.join(
            [
                sys.executable,
                "-m",
                "pytest",
                "-p",
                "no:hypothesispytest",
                "-p",
                "no:cacheprovider",
                *wire_args(api),
                f"--seeds-summary-json={hostile.path / 'summary.json'}",
                "--seeds-dir=.",
                argument,
            ]
        )
        result = hostile.run("bash", "-c", command)
        output = result.stdout.str() + result.stderr.str()
        assert result.ret in (0, 1), output
        rows = json.loads((hostile.path / "summary.json").read_text())["seeds"]
        assert [row["seed"] for row in rows] == [path], (argument, output)


@pytest.mark.skipif(
    PYTEST < (9, 2),
    reason="pytest before 9.2 names a JUnit testcase collected from a folder above its file by the file and the endpoint",
)
def test_junit_names_are_the_endpoints_escaped_only_where_pytest_needs_it(
    hostile: pytest.Pytester, api: HTTPServer
) -> None:
    xml = hostile.path / "junit.xml"
    ran(hostile, api, f"--junitxml={xml}")
    names = {case.get("name") for case in ET.parse(xml).getroot().iter("testcase")}
    assert names == {item_name(endpoint) for endpoint, _ in HOSTILE_SEEDS.values()}
    assert "GET /café items" in names and "GET /ok" in names


def test_a_file_name_with_colons_can_be_given_as_an_argument(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict
) -> None:
    """pytest cannot find it again from a node id (--lf, --sw), but an argument can name it."""
    write_seeds(pytester.path, {"[all]::.md": ("GET /x", FAIL), "other.md": ("GET /y", FAIL)})
    (nodeid,) = [i for i in collected_ids(pytester) if i.startswith("[all]")]
    assert ran(pytester, api, nodeid, "-p", "no:cacheprovider") == {"[all]::.md": "failed"}
    assert ran(pytester, api, "[all]::.md", "-p", "no:cacheprovider") == {"[all]::.md": "failed"}


def test_a_seeds_folder_below_a_bracketed_folder(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict
) -> None:
    """--seeds-dir gives pytest absolute paths: a checkout in ``proj[1]/`` was refused whole."""
    folder = pytester.path / "proj[1]" / "seeds"
    folder.mkdir(parents=True)
    write_seeds(folder, {"a.md": ("GET /a", FAIL), "b[2].md": ("GET /b/[id]", PASS)})
    result = runpytest(pytester, f"--seeds-dir={folder}", *wire_args(api), "-rA")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["PASSED proj[[]1]/seeds/b[[]2].md::GET /b/%5Bid%5D"])


# --- hostile names made up by hypothesis, through --lf and an argument -------------------

file_stem = st.text(
    alphabet=st.one_of(
        st.sampled_from(HOSTILE.replace("/", "").replace("\\", "")),
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp", "Zs")),
    ),
    min_size=1,
    max_size=24,
).filter(
    # pytest reads an argument starting with "@" as a file of arguments (a limit of pytest's
    # command line, documented in the README's Node ids section)
    lambda stem: "/" not in stem and "\\" not in stem and "::" not in stem and stem[0] != "@"
)
endpoint = hostile_text.map(lambda text: "GET /" + text).filter(lambda e: e == " ".join(e.split()))


@settings(
    max_examples=max(2, settings.default.max_examples // 40),  # each example runs pytest 4 times
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seeds=st.lists(
        st.tuples(file_stem, endpoint, st.booleans()),
        min_size=2,
        max_size=4,
        unique_by=lambda seed: seed[0].casefold(),
    )
)
def test_made_up_hostile_names_round_trip(
    pytester: pytest.Pytester,
    api: HTTPServer,
    tokens: dict,
    seeds: list[tuple[str, str, bool]],
) -> None:
    files = {f"{stem}.md": (text, FAIL if fails else PASS) for stem, text, fails in seeds}
    write_seeds(pytester.path, files)
    first = ran(pytester, api)
    assert first == {
        name: "failed" if path == FAIL else "passed" for name, (_, path) in files.items()
    }
    failed = {name for name, outcome in first.items() if outcome == "failed"}
    assert set(ran(pytester, api, "--lf")) == (failed or set(files))
    nodeid = collected_ids(pytester)[0]
    assert list(ran(pytester, api, nodeid, "-p", "no:cacheprovider")) == [
        nodeid.rpartition("::")[0]
    ]
