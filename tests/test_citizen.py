"""A good citizen in every pytest run: what the plugin does to runs with, without and beside seeds.

Runs without seeds keep the process as it was (gc, the log record factory, no plugin objects,
no summary); a plain ``pytest`` with ``seeds_dir`` in the ini runs the project's tests and its
seeds; a seed file named on the command line is a seed; a run in which no seed ran (missing
tokens, an empty seeds folder) does not pass.
"""

from __future__ import annotations

import sys

import pytest
from pytest_httpserver import HTTPServer

from tests.helpers import run_seeds, runpytest, seed_doc, wire_args

STATE_TEST = """
import gc
import logging


def test_process_state_is_the_default(request):
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    assert logging.getLogRecordFactory() is logging.LogRecord
    logging.getLogger("unit").warning("a unit test's log line")
"""

NO_SEEDS_PLUGINS = """

def test_no_seeds_plugin_object_is_registered(request):
    names = ("seeds-summary", "seeds-secret-masking", "seeds-node-ids")
    assert [name for name in names if request.config.pluginmanager.get_plugin(name)] == []
"""

# pytest.main in a fresh interpreter, then the process state it left behind
DRIVER = """
import gc, logging, sys
import pytest
code = pytest.main(["-p", "no:cacheprovider", *sys.argv[1:]])
print("AFTER", gc.isenabled(), gc.get_freeze_count(), logging.getLogRecordFactory() is logging.LogRecord)
sys.exit(code)
"""


def run_fresh(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest.main in a new interpreter; its output ends with the process state afterwards."""
    return pytester.run(sys.executable, "-c", DRIVER, "-p", "no:hypothesispytest", *args)


# --- 1. no effect on runs without seeds, nor on the other tests of a mixed run ----------------


def test_a_run_without_seeds_keeps_the_default_process_state(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_state=STATE_TEST + NO_SEEDS_PLUGINS)
    pytester.makefile(".md", notes=seed_doc("GET /v1/notes"))  # Markdown, no seeds folder
    result = run_fresh(pytester, "-rA")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["AFTER True 0 True"])
    assert "seeds summary" not in result.stdout.str()


def test_the_unit_tests_of_a_mixed_run_see_the_default_process_state(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict[str, str]
) -> None:
    pytester.makepyfile(test_state=STATE_TEST)
    (pytester.path / "seeds").mkdir()
    (pytester.path / "seeds" / "a.md").write_text(seed_doc())
    args = ["--seeds-dir=seeds", *wire_args(api), "test_state.py", "seeds"]
    result = run_fresh(pytester, *args, "--log-level=DEBUG")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["AFTER True 0 True"])
    result = run_fresh(pytester, *args, "-n", "2")
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.OK
    assert "!!" not in result.stdout.str()


# --- 2. ini seeds_dir adds seeds to a plain run; seed files named on the command line ---------


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project with ``testpaths = tests``, ``seeds_dir = seeds`` and a Markdown doc folder."""
    pytester.makeini("[pytest]\ntestpaths = tests\nseeds_dir = seeds\n")
    for folder in ("tests", "seeds", "docs"):
        (pytester.path / folder).mkdir()
    (pytester.path / "tests" / "test_unit.py").write_text("def test_unit():\n    pass\n")
    (pytester.path / "seeds" / "a.md").write_text(project_seed("a"))
    (pytester.path / "seeds" / "b.md").write_text(project_seed("b"))
    (pytester.path / "docs" / "page.md").write_text(seed_doc("GET /v1/docs"))
    return pytester


def project_seed(name: str, token: str = "staff") -> str:
    """A seed of ``GET /v1/<name>`` with its domain, using a token type: it lints clean."""
    test = f"- {{id: call, method: GET, path: /v1/{name}, token: {token}}}\n"
    return seed_doc(f"GET /v1/{name}", test, front="domain: demo")


def collected(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if "::" in line and " " not in line.split("::")[0]]


def test_ini_seeds_dir_adds_the_seeds_to_a_plain_run(project: pytest.Pytester) -> None:
    result = runpytest(project, "--collect-only", "-q")
    assert collected(result) == [
        "tests/test_unit.py::test_unit",
        "seeds/a.md::GET /v1/a",
        "seeds/b.md::GET /v1/b",
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--seeds-dir=seeds"], ["seeds/a.md::GET /v1/a", "seeds/b.md::GET /v1/b"]),
        (["seeds"], ["seeds/a.md::GET /v1/a", "seeds/b.md::GET /v1/b"]),
        (["-m", "seed"], ["seeds/a.md::GET /v1/a", "seeds/b.md::GET /v1/b"]),
        (["tests"], ["tests/test_unit.py::test_unit"]),
        (["-m", "not seed"], ["tests/test_unit.py::test_unit"]),
    ],
)
def test_only_the_seeds_or_only_the_tests(
    project: pytest.Pytester, args: list[str], expected: list[str]
) -> None:
    result = runpytest(project, "--collect-only", "-q", *args)
    assert collected(result) == expected
    assert result.ret == pytest.ExitCode.OK


def test_a_seed_file_named_on_the_command_line_is_a_seed(project: pytest.Pytester) -> None:
    result = runpytest(project, "--collect-only", "-q", "docs/page.md", "-o", "seeds_dir=")
    assert collected(result) == ["docs/page.md::GET /v1/docs"]
    result = runpytest(project, "--collect-only", "-q", "docs/page.md::GET /v1/docs")
    assert collected(result) == ["docs/page.md::GET /v1/docs"]


def test_folders_are_seeds_only_when_configured(project: pytest.Pytester) -> None:
    """``pytest .`` and ``pytest docs`` never collect a project's Markdown by surprise."""
    result = runpytest(project, "--collect-only", "-q", ".", "-o", "seeds_dir=")
    assert collected(result) == ["tests/test_unit.py::test_unit"]
    result = runpytest(project, "--collect-only", "-q", "docs")
    assert collected(result) == []


# --- 3. a missing token cannot turn CI green ----------------------------------------------------

NEEDS_ADMIN = "- {id: call, method: GET, path: /v1/things, token: admin}\n"


@pytest.fixture
def staff_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the staff token is configured."""
    monkeypatch.setenv("SEEDS_TOKEN_STAFF", "staff-token-1234")


@pytest.mark.parametrize(
    ("how", "args"),
    [
        ("flag", ["--seeds-missing-token=fail"]),
        ("ini", []),
        ("env", []),
    ],
)
def test_missing_token_fail_fails_the_seed_with_the_skip_message(
    pytester: pytest.Pytester,
    api: HTTPServer,
    staff_only: None,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
    args: list[str],
) -> None:
    if how == "ini":
        pytester.makeini("[pytest]\nseeds_missing_token = fail\n")
    if how == "env":
        monkeypatch.setenv("SEEDS_MISSING_TOKEN", "fail")
    pytester.makefile(".md", admin=seed_doc("GET /v1/admin", NEEDS_ADMIN), ok=seed_doc())
    result = run_seeds(pytester, *wire_args(api), *args)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*no 'admin' token configured: set SEEDS_TOKEN_ADMIN, add it under 'tokens:'*"]
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert [request.path for request, _ in api.log] == ["/v1/things"]  # the staff seed's


def test_the_summary_says_loudly_which_seeds_did_not_run_for_want_of_a_token(
    pytester: pytest.Pytester, api: HTTPServer, staff_only: None
) -> None:
    pytester.makefile(
        ".md",
        a=seed_doc("GET /v1/a", NEEDS_ADMIN),
        b=seed_doc("GET /v1/b", NEEDS_ADMIN.replace("admin", "directory")),
        c=seed_doc("GET /v1/c", NEEDS_ADMIN),
        ok=seed_doc(),
    )
    result = run_seeds(pytester, *wire_args(api))
    result.assert_outcomes(passed=1, skipped=3)
    line = "!! 3 seeds did not run for want of a token: admin (2 seeds), directory (1 seed)"
    result.stdout.fnmatch_lines([f"{line}; set SEEDS_TOKEN_ADMIN, SEEDS_TOKEN_DIRECTORY, or *"])
    quiet = run_seeds(pytester, *wire_args(api), "-q")
    quiet.stdout.fnmatch_lines([f"*{line}*"])
    assert quiet.ret == pytest.ExitCode.OK  # one seed ran


@pytest.mark.parametrize("workers", [[], ["-n", "2"]])
def test_a_run_in_which_no_seed_ran_for_want_of_a_token_does_not_pass(
    pytester: pytest.Pytester, api: HTTPServer, staff_only: None, workers: list[str]
) -> None:
    pytester.makefile(
        ".md", a=seed_doc("GET /v1/a", NEEDS_ADMIN), b=seed_doc("GET /v1/b", NEEDS_ADMIN)
    )
    result = run_seeds(pytester, *wire_args(api), *workers, subprocess=bool(workers))
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines(["*!! no seed ran*2 seeds did not run for want of a token*"])
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    assert api.log == []


@pytest.mark.parametrize("workers", [[], ["-n", "2"]])
def test_a_configured_seeds_folder_without_seeds_does_not_pass(
    project: pytest.Pytester, workers: list[str]
) -> None:
    for seed in ("a.md", "b.md"):
        (project.path / "seeds" / seed).write_text("# notes, not seeds\n")
    result = runpytest(project, *workers, subprocess=bool(workers))
    result.assert_outcomes(passed=1)  # the unit test
    result.stdout.fnmatch_lines(["*!! no seed found in seeds (a seed is a .md file*"])
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    lint = runpytest(project, "--seeds-lint", "seeds")
    lint.stdout.fnmatch_lines(["*!! no seed found in seeds (a seed is a .md file*"])
    assert lint.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_deselecting_the_seeds_on_purpose_passes(
    project: pytest.Pytester, staff_only: None
) -> None:
    (project.path / "seeds" / "a.md").write_text(project_seed("a", "admin"))
    for args in (["-m", "not seed"], ["tests"], ["-k", "unit"]):
        result = runpytest(project, *args)
        result.assert_outcomes(passed=1, deselected=2 if args[0] != "tests" else 0)
        assert result.ret == pytest.ExitCode.OK, args
        assert "!!" not in result.stdout.str()


def test_lint_needs_no_token(project: pytest.Pytester) -> None:
    (project.path / "seeds" / "a.md").write_text(project_seed("a", "admin"))
    result = runpytest(project, "--seeds-lint", "--seeds-dir=seeds")
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.OK
