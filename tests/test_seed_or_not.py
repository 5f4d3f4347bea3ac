"""Which Markdown files are seeds: no seed is silently lost.

A ``.md`` file is a seed when its first line is ``---`` and the YAML front matter that follows
(up to a line ``---`` or ``...``) is a mapping with an ``endpoint`` key. A file that looks like a
seed (an ``endpoint`` line at the top, in a front-matter-like block) but is not one is a broken
seed: an error on that file with the line to fix and a hint. Other Markdown is passed over;
a seed whose front matter does not start on the first line is passed over with a warning.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from pytest_seeds.model import SeedError
from pytest_seeds.reading.parser import load_seed
from tests.helpers import run_seeds, runpytest, wire_args

TEST = "\n## Test Request\n\n```yaml\nsteps:\n  - id: a\n    method: GET\n    path: /v1/a\n```\n"
FRONT = "---\nendpoint: GET /v1/a\n---\n"

# name: text; every one of these is a seed that runs (GET /v1/a)
SEEDS = {
    "plain": FRONT + TEST,
    "bom": "\ufeff" + FRONT + TEST,
    "two_boms": "\ufeff\ufeff" + FRONT + TEST,
    "zero_width_space": "\u200b" + FRONT + TEST,
    "crlf": (FRONT + TEST).replace("\n", "\r\n"),
    "cr": (FRONT + TEST).replace("\n", "\r"),
    "fence_trailing_spaces": "---  \nendpoint: GET /v1/a\n--- \t\n" + TEST,
    "four_dashes": "----\nendpoint: GET /v1/a\n----\n" + TEST,
    "dots_close": "---\nendpoint: GET /v1/a\n...\n" + TEST,
    "comment_first": "---\n# generated, do not edit\nendpoint: GET /v1/a\n---\n" + TEST,
    "blank_lines_inside": "---\n\nendpoint: GET /v1/a\n\n---\n" + TEST,
    "space_before_colon": "---\nendpoint : GET /v1/a\n---\n" + TEST,
    "tab_after_colon": "---\nendpoint:\tGET /v1/a\n---\n" + TEST,
    "quoted_key": '---\n"endpoint": GET /v1/a\n---\n' + TEST,
    "flow_mapping": "---\n{endpoint: GET /v1/a, domain: x}\n---\n" + TEST,
    "indented_keys": "---\n  endpoint: GET /v1/a\n  domain: x\n---\n" + TEST,
}

# name: text; none of these is a seed, and nothing is said about them
NOT_SEEDS = {
    "no_front_matter": "# Notes\n\nNo front matter here.\n",
    "front_without_endpoint": "---\ntitle: A template\n---\n" + TEST,
    "prose_after_a_rule": "# Readme\n\n---\n\nendpoint: GET /x is prose after a rule\n",
    "list_without_endpoint": "---\n- a list\n---\n",
    "bad_yaml_without_endpoint": "---\ntitle: [broken yaml\n---\n",
    "inside_a_code_block": "```\n---\nendpoint: GET /v1/a\n---\n```\n",
    "endpoint_nested": "---\nseed:\n  endpoint: GET /v1/a\n---\n" + TEST,
    "empty": "",
    "only_a_rule": "---\n",
}

# name: text; not seeds, as the front matter must start on the first line; a warning says so
NEAR_MISSES = {
    "leading_blank_line": "\n" + FRONT + TEST,
    "leading_spaces_line": "   \n" + FRONT + TEST,
    "leading_comment": "<!-- generated -->\n" + FRONT + TEST,
}
NEAR_MISS_WARNING = "front matter does not start on the first line; not collected as a seed"

# name: (text, line, message, hint): broken seeds, each an error on that file
BROKEN = {
    "no_closing_line": (
        "---\nendpoint: GET /v1/a\ndomain: x\n" + TEST,
        1,
        "the front matter has no closing '---' line",
        "end the front matter with a line that holds only '---'",
    ),
    "no_closing_line_at_all": (
        "---\nendpoint: GET /v1/a\n",
        1,
        "the front matter has no closing '---' line",
        "end the front matter with a line that holds only '---'",
    ),
    "closing_line_with_text": (
        "---\nendpoint: GET /v1/a\n--- end of front matter\n" + TEST,
        1,
        "the front matter has no closing '---' line (line 3 holds more than '---')",
        "end the front matter with a line that holds only '---'",
    ),
    "opening_line_with_text": (
        "--- seed\nendpoint: GET /v1/a\n---\n" + TEST,
        1,
        "the front matter's first line holds more than '---'",
        "start the file with a line that holds only '---'",
    ),
    "no_opening_line": (
        "endpoint: GET /v1/a\ndomain: x\n---\n" + TEST,
        1,
        "the front matter has no opening '---' line",
        "start the file with a line that holds only '---'",
    ),
    "tab_indented": (
        "---\n\tendpoint: GET /v1/a\n---\n" + TEST,
        2,
        "front matter is not valid YAML",
        "indent with spaces, not tabs",
    ),
    "tab_indented_later": (
        "---\nendpoint: GET /v1/a\n\tdomain: x\n---\n" + TEST,
        3,
        "front matter is not valid YAML",
        "indent with spaces, not tabs",
    ),
    "toml": (
        '+++\nendpoint = "GET /v1/a"\n+++\n' + TEST,
        1,
        "TOML front matter ('+++') is not read",
        "write the front matter as YAML between two '---' lines",
    ),
    "json": (
        '{"endpoint": "GET /v1/a"}\n' + TEST,
        1,
        "JSON front matter is not read",
        "write the front matter as YAML between two '---' lines",
    ),
    "front_matter_list": (
        "---\n- endpoint: GET /v1/a\n- domain: x\n---\n" + TEST,
        2,
        "the front matter is a list, not a mapping of keys",
        "write one 'key: value' per line, without '- '",
    ),
    "front_matter_text": (
        "---\nendpoint GET /v1/a\n---\n" + TEST,
        2,
        "the front matter is text, not a mapping of keys",
        "write one 'key: value' per line",
    ),
    "capital_key": (
        "---\ndomain: x\nEndpoint: GET /v1/a\n---\n" + TEST,
        3,
        "front-matter key 'Endpoint' is not 'endpoint'",
        "write it as endpoint: (lower case)",
    ),
    "upper_case_key": (
        "---\nENDPOINT: GET /v1/a\n---\n" + TEST,
        2,
        "front-matter key 'ENDPOINT' is not 'endpoint'",
        "write it as endpoint: (lower case)",
    ),
    "no_break_space_in_key": (
        "---\nendpoint\u00a0: GET /v1/a\n---\n" + TEST,
        2,
        "front-matter key 'endpoint\u00a0' is not 'endpoint'",
        "write it as endpoint: (lower case)",
    ),
    "underscore_key": (
        "---\nend_point: GET /v1/a\n---\n" + TEST,
        2,
        "front-matter key 'end_point' is not 'endpoint'",
        "write it as endpoint: (lower case)",
    ),
    "misspelt_key": (
        "---\nendpoints: GET /v1/a\n---\n" + TEST,
        2,
        "front-matter key 'endpoints' is not 'endpoint'",
        "write it as endpoint: (lower case)",
    ),
    "doubled_opening_line": (
        "---\n---\nendpoint: GET /v1/a\n---\n" + TEST,
        3,
        "'endpoint' on line 3 is outside the front matter (lines 1-2)",
        "remove the extra '---' line above it",
    ),
    "yaml_directive": (
        "---\n%YAML 1.2\n---\nendpoint: GET /v1/a\n---\n" + TEST,
        4,
        "'endpoint' on line 4 is outside the front matter (lines 1-3)",
        "remove the extra '---' line above it",
    ),
}


def load(tmp_path: Path, name: str, text: str) -> object:
    path = tmp_path / f"{name}.md"
    path.write_text(text, encoding="utf-8", newline="")
    try:
        return load_seed(path)
    except SeedError as error:
        return error


@pytest.mark.parametrize("name", list(SEEDS))
def test_seeds(tmp_path: Path, name: str) -> None:
    seed = load(tmp_path, name, SEEDS[name])
    assert not isinstance(seed, SeedError), str(seed)
    assert seed is not None
    assert seed.endpoint == "GET /v1/a"  # type: ignore[attr-defined]
    assert [step.path for step in seed.steps] == ["/v1/a"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", [*NOT_SEEDS, *NEAR_MISSES])
def test_not_seeds(tmp_path: Path, name: str) -> None:
    text = {**NOT_SEEDS, **NEAR_MISSES}[name]
    assert load(tmp_path, name, text) is None


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_seeds(tmp_path: Path, name: str) -> None:
    text, line, message, hint = BROKEN[name]
    error = load(tmp_path, name, text)
    assert isinstance(error, SeedError), f"{name}: {error!r}"
    assert (error.line, error.hint) == (line, hint), str(error)
    assert error.message.startswith(message), str(error)


@pytest.fixture
def folder(pytester: pytest.Pytester) -> pytest.Pytester:
    for name, text in {**SEEDS, **NOT_SEEDS, **NEAR_MISSES}.items():
        (pytester.path / f"{name}.md").write_text(text, encoding="utf-8", newline="")
    for name, (text, *_) in BROKEN.items():
        (pytester.path / f"{name}.md").write_text(text, encoding="utf-8", newline="")
    return pytester


def reported_files(result: pytest.RunResult) -> list[str]:
    """The file of every test report with an outcome (setup errors and skips, calls)."""
    reports = result.reprec.getreports("pytest_runtest_logreport")  # type: ignore[attr-defined]
    return sorted(
        Path(report.nodeid.split("::")[0]).stem
        for report in reports
        if report.when == "call" or (report.when == "setup" and not report.passed)
    )


def test_run(folder: pytest.Pytester, api: HTTPServer, tokens: dict) -> None:
    result = run_seeds(folder, *wire_args(api), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=len(SEEDS), errors=len(BROKEN), warnings=len(NEAR_MISSES))
    assert reported_files(result) == sorted([*SEEDS, *BROKEN])
    for name, (_text, line, message, hint) in BROKEN.items():
        result.stdout.fnmatch_lines(
            [f"*{name}.md:{line}: {glob(message)}*", f"*hint: {glob(hint)}"]
        )
    for name in NEAR_MISSES:
        result.stdout.fnmatch_lines([f"*{name}.md:2: *{NEAR_MISS_WARNING}*"])
    assert "Traceback" not in result.stdout.str()


def test_lint(folder: pytest.Pytester) -> None:
    result = runpytest(
        folder, f"--seeds-dir={folder.path}", "--seeds-lint", "-p", "no:cacheprovider"
    )
    assert reported_files(result) == sorted([*SEEDS, *BROKEN])
    for name, (_text, line, message, _hint) in BROKEN.items():
        result.stdout.fnmatch_lines([f"*{name}.md:{line}: [[]unreadable] {glob(message)}*"])
    for name in NEAR_MISSES:
        result.stdout.fnmatch_lines([f"*{name}.md:2: *{NEAR_MISS_WARNING}*"])


def glob(text: str) -> str:
    """``text`` as an fnmatch pattern that matches it literally."""
    return re.sub(r"[\[\]*?]", lambda match: f"[{match.group()}]", text)


def test_a_near_miss_is_an_error_when_warnings_are(pytester: pytest.Pytester) -> None:
    (pytester.path / "leading_blank_line.md").write_text(NEAR_MISSES["leading_blank_line"])
    result = run_seeds(pytester, "-W", "error::UserWarning", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*leading_blank_line.md:2: {NEAR_MISS_WARNING}"])
