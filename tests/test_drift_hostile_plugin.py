"""Documented examples against hostile answers, in pytest runs, serial and under ``-n 2``.

An answer holding lone surrogates (``"\\udc80"`` escapes) is a clean drift, never an
INTERNALERROR; the update writes it escaped and the report is written. The dry run keeps
strict's failures; with ``filterwarnings = error`` a drift fails with its own text and the
update still works; a symlinked seed is written through its link; a read-only one is left.
"""

from __future__ import annotations

import json
import os
import stat

import pytest
from pytest_httpserver import HTTPServer

from tests.helpers import run_seeds, seed_doc

RAW = '{"\\udc80": 1, "a": "x", "b": "\\ud800", "c": "`|<img src=x>"}'
SEED = seed_doc(
    "GET /odd",
    "- id: call\n  method: GET\n  path: /odd\n",
    front="domain: things",
    extra='## Expected Response (200)\n\n```json\n{"a": "x"}\n```\n',
)


@pytest.fixture
def odd(httpserver: HTTPServer) -> HTTPServer:
    """A server whose answer holds lone surrogates, backticks, a pipe and HTML."""
    httpserver.expect_request("/odd").respond_with_data(RAW, content_type="application/json")
    return httpserver


def args(server: HTTPServer) -> list[str]:
    return [f"--seeds-base-url={server.url_for('/')}", "-W", "always"]


@pytest.fixture(params=[[], ["-n", "2"]], ids=["serial", "xdist"])
def workers(request: pytest.FixtureRequest) -> list[str]:
    return list(request.param)


@pytest.mark.usefixtures("tokens")
def test_unencodable_answers_are_clean_drift_updates_and_reports(
    pytester: pytest.Pytester, odd: HTTPServer, workers: list[str]
) -> None:
    (pytester.path / "odd.md").write_text(SEED)
    (pytester.path / "other.md").write_text(
        seed_doc("GET /odd", "- id: call\n  method: GET\n  path: /odd\n")
    )
    sub = bool(workers)
    strict = run_seeds(pytester, *args(odd), "--seeds-drift", "strict", *workers, subprocess=sub)
    assert strict.ret == 1
    strict.assert_outcomes(passed=1, failed=1)
    assert '$["\\udc80"]: added in the answer (number)' in strict.stdout.str()
    assert "INTERNALERROR" not in strict.stdout.str() + strict.stderr.str()
    report = pytester.path / "report.md"
    update = run_seeds(
        pytester,
        *args(odd),
        "--seeds-update-examples",
        "--seeds-discrepancies",
        str(report),
        *workers,
        subprocess=sub,
    )
    assert update.ret == 0
    update.assert_outcomes(passed=2)
    assert "INTERNALERROR" not in update.stdout.str() + update.stderr.str()
    assert "Traceback" not in update.stdout.str() + update.stderr.str()
    update.stdout.fnmatch_lines(["*examples: updated 1 file(s): odd.md", "*1 seed(s) drifted*"])
    update.stdout.no_fnmatch_line("*SeedDriftWarning*")  # told in the summary while updating
    text = (pytester.path / "odd.md").read_bytes().decode("utf-8")  # UTF-8, or this fails
    block = text.split("```json\n")[-1].split("```")[0]
    assert json.loads(block) == json.loads(RAW)
    assert "\\udc80" in block and "\\ud800" in block
    assert '$["\\udc80"]' in report.read_text("utf-8")
    again = run_seeds(pytester, *args(odd), "--seeds-drift", "strict", *workers, subprocess=sub)
    again.assert_outcomes(passed=2)  # the updated example is true


@pytest.mark.usefixtures("tokens")
def test_the_dry_run_keeps_strict_failures(pytester: pytest.Pytester, odd: HTTPServer) -> None:
    (pytester.path / "odd.md").write_text(SEED)
    dry = ["--seeds-drift", "strict", "--seeds-update-examples-dry-run"]
    result = run_seeds(pytester, *args(odd), *dry)
    result.assert_outcomes(failed=1)
    assert (pytester.path / "odd.md").read_text() == SEED


@pytest.mark.usefixtures("tokens")
def test_drift_made_an_error_by_the_warning_filters_fails_with_its_text(
    pytester: pytest.Pytester, odd: HTTPServer
) -> None:
    (pytester.path / "odd.md").write_text(SEED)
    pytester.makeini("[pytest]\nfilterwarnings =\n    error\n")
    base = f"--seeds-base-url={odd.url_for('/')}"
    result = run_seeds(pytester, base)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*drift: the 200 answer differs*", "*made an error by the warning filters*"]
    )
    result.stdout.no_fnmatch_line("*a bug in pytest-seeds*")
    update = run_seeds(pytester, base, "--seeds-update-examples")
    update.assert_outcomes(passed=1)
    update.stdout.fnmatch_lines(["*examples: updated 1 file(s): odd.md"])


@pytest.mark.usefixtures("tokens")
def test_a_symlinked_seed_is_written_through_and_a_read_only_one_is_left(
    pytester: pytest.Pytester, odd: HTTPServer
) -> None:
    seeds, real = pytester.path / "seeds", pytester.path / "real"
    seeds.mkdir()
    real.mkdir()
    (real / "target.md").write_text(SEED)
    (seeds / "link.md").symlink_to(real / "target.md")
    (seeds / "locked.md").write_text(SEED)
    (seeds / "locked.md").chmod(0o444)
    run = pytester.runpytest(
        "-p", "no:hypothesispytest", f"--seeds-dir={seeds}", *args(odd), "--seeds-update-examples"
    )
    run.assert_outcomes(passed=2)
    run.stdout.fnmatch_lines(
        ["*locked.md: not updated: read-only", "*updated 1 file(s): real?target.md"]
    )
    assert (seeds / "link.md").is_symlink()
    assert (real / "target.md").read_text() != SEED
    assert (seeds / "locked.md").read_text() == SEED
    assert stat.S_IMODE(os.stat(seeds / "locked.md").st_mode) == 0o444


@pytest.mark.usefixtures("tokens")
def test_an_interrupted_run_updates_nothing(pytester: pytest.Pytester, odd: HTTPServer) -> None:
    (pytester.path / "a.md").write_text(SEED)
    (pytester.path / "b.md").write_text(SEED)
    pytester.makeconftest(
        "def pytest_runtest_setup(item):\n"
        "    if item.path.name == 'b.md':\n"
        "        raise KeyboardInterrupt\n"
    )
    result = run_seeds(pytester, *args(odd), "--seeds-update-examples", subprocess=True)
    result.stdout.fnmatch_lines(["*examples: not updated: the run was interrupted"])
    assert (pytester.path / "a.md").read_text() == SEED


FLIP = seed_doc(
    "GET /flip/{id}",
    "- id: one\n  method: GET\n  path: /flip/1\n- id: two\n  method: GET\n  path: /flip/2\n",
    extra='## Expected Response (200)\n\n```json\n{"id": 1, "name": "x", "old": 1}\n```\n',
)


@pytest.mark.parametrize(
    ("second", "converges"),
    [({"id": 2, "name": "y"}, True), ({"id": 2, "name": "x", "details": {"a": 1}}, False)],
    ids=["same-shape", "other-shape"],
)
@pytest.mark.usefixtures("tokens")
def test_answers_of_several_steps_update_an_example_once_or_not_at_all(
    pytester: pytest.Pytester, httpserver: HTTPServer, second: dict[str, object], converges: bool
) -> None:
    httpserver.expect_request("/flip/1").respond_with_json({"id": 1, "name": "x"})
    httpserver.expect_request("/flip/2").respond_with_json(second)
    (pytester.path / "flip.md").write_text(FLIP)
    first = run_seeds(pytester, *args(httpserver), "--seeds-update-examples")
    first.assert_outcomes(passed=1)
    if converges:
        first.stdout.fnmatch_lines(["*examples: updated 1 file(s): flip.md"])
        assert '{"id": 1, "name": "x"}' in (pytester.path / "flip.md").read_text()
        again = run_seeds(pytester, *args(httpserver), "--seeds-update-examples")
        again.stdout.fnmatch_lines(["*examples: updated 0 file(s)"])
    else:
        first.stdout.fnmatch_lines(
            ["*flip.md:*: not updated: the answers of steps 'one', 'two' make different examples*"]
        )
        assert (pytester.path / "flip.md").read_text() == FLIP


@pytest.mark.usefixtures("tokens")
def test_a_file_edited_during_the_run_is_not_updated(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/mod").respond_with_json({"a": 1, "new": 2})
    seed = seed_doc(
        "GET /mod",
        "- id: call\n  method: GET\n  path: /mod\n",
        extra='## Expected Response (200)\n\n```json\n{"a": 1}\n```\n\n'
        '## Error Responses\n\n### 404 - Gone\n\n```json\n{"a": 1}\n```\n',
    )
    (pytester.path / "mod.md").write_text(seed)
    pytester.makeconftest(
        "import re\n"
        "def pytest_runtest_teardown(item):\n"
        "    text = item.path.read_text()\n"
        "    item.path.write_text(re.sub(r'## Expected Response \\(200\\)\\n\\n```json\\n.*?```\\n', '', text, flags=re.S))\n"
    )
    result = run_seeds(pytester, *args(httpserver), "--seeds-update-examples")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*mod.md: not updated: the file changed during the run"])
    text = (pytester.path / "mod.md").read_text()
    assert "Expected Response (200)" not in text  # the edit of the run
    assert '"new"' not in text  # the 404 example did not get the 200 answer
