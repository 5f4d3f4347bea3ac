"""The files a run writes: a file that cannot be written, names that are not UTF-8,
permissions, and spec files that cannot be read.

* A report file that cannot be written (its folder is a file, the path is a folder) is one
  line at the end of the run and fails it; never INTERNALERROR, and the seeds are reported.
* A file name that is not UTF-8 (Linux allows any bytes) reaches the JSON reports as a
  ``\\udcXX`` escape: valid JSON, the run goes on.
* New report files get the permissions ``open`` gives (the umask's), a replaced one keeps its.
* A spec file under the Swagger root that is not a regular file (a FIFO), is too deeply
  nested, or has a name the system refuses, is a Swagger problem, never a hang or a crash.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from pytest_seeds.contract.swagger import MAX_SPEC_DEPTH, SpecProblem, SwaggerIndex
from pytest_seeds.output import atomic
from tests.helpers import run_seeds, seed_doc, wire_args

OUTPUTS = {
    "summary": ["--seeds-summary-json", "{out}"],
    "coverage": ["--seeds-coverage", "{out}"],
    "discrepancies": ["--seeds-discrepancies", "{out}"],
}


def _blocked(folder: Path, how: str) -> Path:
    """A report path that cannot be written: under a regular file, or a folder itself."""
    if how == "under-a-file":
        (folder / "blocker").write_text("not a folder")
        return folder / "blocker" / "report.json"
    (folder / "report.json").mkdir()
    return folder / "report.json"


@pytest.mark.parametrize("how", ["under-a-file", "a-folder"])
@pytest.mark.parametrize("output", sorted(OUTPUTS))
def test_a_report_that_cannot_be_written_fails_the_run_in_one_line(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict, output: str, how: str
) -> None:
    pytester.makefile(".md", seed=seed_doc())
    out = _blocked(pytester.path, how)
    args = [arg.format(out=out) for arg in OUTPUTS[output]]
    result = run_seeds(pytester, *wire_args(api), *args, "-p", "no:cacheprovider")
    text = result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED, text
    assert "INTERNALERROR" not in text and "Traceback" not in text
    result.assert_outcomes(passed=1)
    (line,) = [line for line in result.outlines if "pytest-seeds could not write" in line]
    assert str(out) in line


def test_a_har_file_that_cannot_be_written_is_a_warning(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict
) -> None:
    pytester.makefile(".md", seed=seed_doc())
    (pytester.path / "har").mkdir()
    (pytester.path / "har" / "seed.har").mkdir()  # where the seed's HAR file goes
    result = run_seeds(pytester, *wire_args(api), "--seeds-har", "har", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(["*SeedOutputWarning: pytest-seeds could not write the HAR file*"])


@pytest.mark.skipif(sys.platform != "linux", reason="file names of any bytes: Linux")
def test_a_file_name_that_is_not_utf8_reaches_the_reports_escaped(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict
) -> None:
    name = os.fsdecode(b"caf\xe9.md")  # the byte 0xe9 alone is not UTF-8
    (pytester.path / name).write_text(seed_doc(), encoding="utf-8")
    args = ["--seeds-summary-json", "summary.json", "--seeds-coverage", "coverage.json"]
    result = run_seeds(pytester, *wire_args(api), *args, "-p", "no:cacheprovider")
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    result.assert_outcomes(passed=1)
    summary = json.loads((pytester.path / "summary.json").read_text(encoding="utf-8"))
    assert [row["seed"] for row in summary["seeds"]] == [name]  # \udce9, read back the same
    json.loads((pytester.path / "coverage.json").read_text(encoding="utf-8"))


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_a_new_report_gets_the_umasks_permissions_and_a_replaced_one_keeps_its(
    tmp_path: Path,
) -> None:
    new = tmp_path / "new.json"
    atomic.write_json(new, {"a": 1})
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~_umask()
    kept = tmp_path / "kept.md"
    kept.write_text("old")
    kept.chmod(0o640)
    atomic.write_text(kept, "new")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert kept.read_text() == "new"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["kept.md", "new.json"]


def _deep(depth: int) -> str:
    return '{"paths": {}, "x": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda path: os.mkfifo(path), "not a regular file"),
        (lambda path: path.write_text(_deep(MAX_SPEC_DEPTH + 5)), "nested deeper than"),
        (lambda path: path.write_text(_deep(100_000)), "nested deeper than"),
    ],
    ids=["fifo", "deep", "deeper-than-the-parser"],
)
@pytest.mark.timeout(60)
def test_a_spec_file_that_cannot_be_used_is_a_problem_not_a_hang_or_a_crash(
    tmp_path: Path, make: object, message: str
) -> None:
    good = tmp_path / "good.json"
    good.write_text('{"swagger": "2.0", "paths": {"/a": {"get": {"responses": {}}}}}')
    bad = tmp_path / "bad.json"
    make(bad)  # type: ignore[operator]
    index = SwaggerIndex(tmp_path)
    assert [spec.path for spec in index.specs()] == [good]
    (problem,) = index.problems()
    assert isinstance(problem, SpecProblem) and problem.path == bad
    assert message in problem.message


def test_a_swagger_name_the_system_refuses_is_a_lint_finding(pytester: pytest.Pytester) -> None:
    (pytester.path / "specs").mkdir()
    (pytester.path / "specs" / "a.json").write_text(
        '{"swagger": "2.0", "paths": {"/v1/things": {"get": {"responses": {}}}}}'
    )
    pytester.makefile(".md", seed=seed_doc(front=f"swagger: specs/{'x' * 300}.json"))
    result = run_seeds(pytester, "--seeds-lint", "--seeds-swagger-root", "specs")
    text = result.stdout.str() + result.stderr.str()
    assert "Traceback" not in text and "INTERNALERROR" not in text
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*[[]swagger-file[]]*"])


def test_a_warning_the_user_made_an_error_is_told_as_itself(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict
) -> None:
    """``filterwarnings = error``: a seed's warning fails it with the warning's own words,
    not as an unexpected error of pytest-seeds."""
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    going_on = "- id: flaky\n  method: GET\n  path: /status/500\n  onFail: continue\n"
    pytester.makefile(".md", seed=seed_doc(prerequisites=going_on))
    result = run_seeds(pytester, *wire_args(api), "-p", "no:cacheprovider")
    text = result.stdout.str()
    result.assert_outcomes(errors=1)
    assert "SeedStepWarning" in text and "onFail: continue, going on" in text
    assert "a bug in pytest-seeds" not in text and "INTERNALERROR" not in text


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_merge_input_that_is_not_a_regular_file_is_one_line_not_a_hang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    from pytest_seeds import cli

    path = tmp_path / "summary.json"
    if kind == "fifo":
        os.mkfifo(path)  # opening it for reading would wait for a writer
    elif kind == "folder":
        path.mkdir()
    else:
        path = Path("/dev/zero")  # never ends
    assert cli.main(["merge", str(path), "--summary-json", str(tmp_path / "out.json")]) == 2
    err = capsys.readouterr().err
    said = "Is a directory" if kind == "folder" else "not a regular file"
    assert err == f"pytest-seeds merge: {path}: cannot read it: {said}\n", err
    assert not (tmp_path / "out.json").exists()
