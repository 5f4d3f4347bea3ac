"""Documented examples against live answers, in pytest runs: ``--seeds-drift``,
``--seeds-update-examples`` (and its dry run) and ``--seeds-discrepancies``.

The answers come from the echo server (``api``: it answers with the request it got, the
token included, and ``/status/<code>/`` picks the status); serial and under ``-n 2``.
"""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer

from tests.helpers import SECRETS, line_of, run_seeds, seed_doc, wire_args

API_KEY = "apikey-SECRET-5e5e"  # a configured secret value, echoed under a plain name

TEST = """
- id: create
  method: POST
  path: /status/200/things
  body: {note: "{{api_key}}", title: "Demo"}
- id: refused
  method: POST
  path: /status/422/things
  body: {}
  expect: {status: 422}
"""
EXAMPLES = """
## Expected Response (200)

Volatile values are placeholders; `method` is fixed.

<!-- seeds-fixed: $.method -->
```json
{
  "method": "POST",
  "path": "<path>",
  "query": {},
  "json": {"note": "<note>", "title": "Another title"},
  "form": {},
  "files": {},
  "headers": "<headers>"
}
```

Some prose between the examples stays as it is.

## Error Responses

### 422 - Refused
```json
{"method": "POST", "path": "/status/422/things", "json": {}, "files": {}, "headers": "<headers>", "gone": 1}
```
"""


def drifting_seed(end: str = "\n") -> str:
    """A seed whose 200 example is true and whose 422 example has drifted."""
    text = seed_doc("POST /status/{code}/things", TEST, front="domain: things", extra=EXAMPLES)
    return text.replace("\n", end)


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, tokens: dict[str, str]) -> None:
    """Every token, and a secret value (``api_key``: a secret name) the seed sends."""
    monkeypatch.setenv("SEEDS_PARAM_API_KEY", API_KEY)


def seeds(pytester: pytest.Pytester, end: str = "\n") -> dict[str, bytes]:
    """The drifting seed, and a neighbour whose example is true: their bytes as written."""
    neighbour = seed_doc(
        "GET /status/{code}/other",
        "- id: read\n  method: GET\n  path: /status/200/other\n",
        extra="## Expected Response (200)\n\n```json\n"
        '{"method": "GET", "query": {}, "path": "<p>", "json": null, "form": {}, "files": {}, '
        '"headers": "<h>"}\n```\n',
    )
    written = {"drifting": drifting_seed(end), "neighbour": neighbour.replace("\n", end)}
    for name, text in written.items():
        (pytester.path / f"{name}.md").write_bytes(text.encode())
    return {name: text.encode() for name, text in written.items()}


@pytest.mark.usefixtures("configured")
def test_drift_is_a_warning_with_its_json_paths(pytester: pytest.Pytester, api: HTTPServer) -> None:
    before = seeds(pytester)
    result = run_seeds(pytester, *wire_args(api), "-W", "always")
    result.assert_outcomes(passed=2)
    assert {name: (pytester.path / f"{name}.md").read_bytes() for name in before} == before
    lines = drifting_seed().split("\n")
    example = lines.index("### 422 - Refused") + 2
    result.stdout.fnmatch_lines(
        [
            f"*SeedDriftWarning: drifting.md:{line_of(drifting_seed(), 'id: refused')}: step "
            f"'refused': drift: the 422 answer differs from the documented example (line "
            f"{example}; 3 differences)",
            "*$.gone: missing from the answer (documented: number)",
            "*$.query: added in the answer (object)",
            "*$.form: added in the answer (object)",
        ]
    )
    result.stdout.no_fnmatch_line("*step 'create': drift*")  # placeholders, values not fixed
    result.stdout.no_fnmatch_line("*neighbour.md*drift*")


@pytest.mark.usefixtures("configured")
def test_a_value_of_another_json_type_is_drift(pytester: pytest.Pytester, api: HTTPServer) -> None:
    seed = drifting_seed().replace('"title": "Another title"', '"title": ["Another title"]')
    (pytester.path / "drifting.md").write_text(seed)
    result = run_seeds(pytester, *wire_args(api), "-W", "always")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*step 'create': drift: the 200 answer differs from the documented example (line "
            f"{seed.split(chr(10)).index('```json') + 1}; 1 difference)",
            "*$.json.title: type changed: documented array, answered string",
        ]
    )


@pytest.mark.usefixtures("configured")
def test_strict_fails_the_step_and_off_checks_nothing(
    pytester: pytest.Pytester, api: HTTPServer
) -> None:
    seeds(pytester)
    strict = run_seeds(pytester, *wire_args(api), "--seeds-drift=strict")
    strict.assert_outcomes(passed=1, failed=1)
    strict.stdout.fnmatch_lines(["*the 422 answer differs from the documented example*"])
    off = run_seeds(pytester, *wire_args(api), "--seeds-drift=off", "-W", "always")
    off.assert_outcomes(passed=2)
    off.stdout.no_fnmatch_line("*SeedDriftWarning*")


@pytest.mark.usefixtures("configured")
def test_a_fixed_value_that_changed_is_drift(pytester: pytest.Pytester, api: HTTPServer) -> None:
    pytester.makefile(
        ".md",
        drifting=drifting_seed().replace(
            '"method": "POST",\n  "path"', '"method": "PUT",\n  "path"'
        ),
    )
    result = run_seeds(pytester, *wire_args(api), "-W", "always")
    result.stdout.fnmatch_lines(['*$.method: value changed: documented "PUT", answered "POST"'])


@pytest.mark.parametrize("end", ["\n", "\r\n"], ids=["LF", "CRLF"])
@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
@pytest.mark.usefixtures("configured")
def test_update_rewrites_only_the_drifted_example(
    pytester: pytest.Pytester, api: HTTPServer, end: str, workers: list[str]
) -> None:
    before = seeds(pytester, end)
    result = run_seeds(
        pytester, *wire_args(api), "--seeds-update-examples", *workers, subprocess=bool(workers)
    )
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*examples: updated 1 file(s): drifting.md"])
    after = (pytester.path / "drifting.md").read_bytes()
    assert (pytester.path / "neighbour.md").read_bytes() == before["neighbour"]
    old_lines, new_lines = before["drifting"].split(b"\n"), after.split(b"\n")
    fence = old_lines.index(b"### 422 - Refused" + end.encode().rstrip(b"\n")) + 1
    # every byte but the one line of the error example is as it was
    assert old_lines[: fence + 1] == new_lines[: fence + 1]
    assert old_lines[fence + 2 :] == new_lines[fence + 2 :]
    written = new_lines[fence + 1].decode()
    assert written.startswith('{"method": "POST", "path": "/status/422/things", "json": {}, ')
    assert written == (
        '{"method": "POST", "path": "/status/422/things", "json": {}, "files": {}, '
        '"headers": "<headers>", "query": {}, "form": {}}' + end.rstrip("\n")
    )
    for secret in (*SECRETS.values(), API_KEY):
        assert secret.encode() not in after
    again = run_seeds(pytester, *wire_args(api), "--seeds-update-examples", "-W", "always")
    again.stdout.fnmatch_lines(["*examples: updated 0 file(s)"])
    again.stdout.no_fnmatch_line("*SeedDriftWarning*")  # the example is true now


@pytest.mark.usefixtures("configured")
def test_a_new_key_holding_a_secret_is_a_placeholder(
    pytester: pytest.Pytester, api: HTTPServer
) -> None:
    seed = drifting_seed().replace('  "json": {"note": "<note>", "title": "Another title"},\n', "")
    pytester.makefile(".md", drifting=seed.replace(',\n  "headers": "<headers>"', ""))
    result = run_seeds(pytester, *wire_args(api), "--seeds-update-examples")
    result.assert_outcomes(passed=1)
    text = (pytester.path / "drifting.md").read_text()
    assert '"json": {\n    "note": "<note>",\n    "title": "Demo"\n  }' in text  # echoed api_key
    assert '"Authorization": "<Authorization>"' in text  # the echoed token
    for secret in (*SECRETS.values(), API_KEY):
        assert secret not in text


@pytest.mark.usefixtures("configured")
def test_dry_run_shows_the_diff_and_writes_nothing(
    pytester: pytest.Pytester, api: HTTPServer
) -> None:
    before = seeds(pytester)
    result = run_seeds(pytester, *wire_args(api), "--seeds-update-examples-dry-run")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "*seeds documented examples*",
            "--- a/drifting.md",
            "+++ b/drifting.md",
            '-{"method": "POST", "path": "/status/422/things", "json": {}, "files": {}, "headers": "<headers>", "gone": 1}',
            '+{"method": "POST", "path": "/status/422/things", "json": {}, "files": {}, "headers": "<headers>", "query": {}, "form": {}}',
            "examples: would update 1 file(s): drifting.md",
        ]
    )
    assert {name: (pytester.path / f"{name}.md").read_bytes() for name in before} == before
    assert API_KEY not in result.stdout.str() and SECRETS["staff"] not in result.stdout.str()


@pytest.mark.usefixtures("configured")
def test_a_seed_that_did_not_pass_keeps_its_examples(
    pytester: pytest.Pytester, api: HTTPServer
) -> None:
    text = seed_doc(
        "POST /status/{code}/things",
        TEST,
        cleanup="- id: clean\n  method: DELETE\n  path: /status/500/things\n",
        extra=EXAMPLES,
    )
    (pytester.path / "failing.md").write_text(text)
    result = run_seeds(pytester, *wire_args(api), "--seeds-update-examples")
    result.assert_outcomes(passed=1, errors=1)  # the Cleanup failed
    result.stdout.fnmatch_lines(
        ["*examples: updated 0 file(s)", "*1 seed(s) that did not pass keep*"]
    )
    assert (pytester.path / "failing.md").read_text() == text


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
@pytest.mark.usefixtures("configured")
def test_discrepancy_report_by_domain_with_file_and_line(
    pytester: pytest.Pytester, api: HTTPServer, workers: list[str]
) -> None:
    seeds(pytester)
    swagger = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/status/{code}/things": {
                "post": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "object", "required": ["id"]}
                                }
                            },
                        }
                    }
                }
            }
        },
    }
    pytester.makefile(".json", spec=json.dumps(swagger))
    text = (
        (pytester.path / "drifting.md")
        .read_text()
        .replace("domain: things", "domain: things\nswagger: spec.json")
    )
    (pytester.path / "drifting.md").write_text(text)
    report = pytester.path / "out" / "docs.md"
    result = run_seeds(
        pytester,
        *wire_args(api),
        f"--seeds-discrepancies={report}",
        *workers,
        subprocess=bool(workers),
    )
    result.assert_outcomes(passed=2)
    written = report.read_text()
    example = text.split("\n").index("### 422 - Refused") + 2
    assert written.startswith("# Documentation discrepancies\n\n2 seed(s) ran; 1 endpoint(s)")
    assert "\n## things\n\n### `POST /status/{code}/things`\n\n" in written
    assert (
        f"- `drifting.md:{example}`: the documented example differs from the 422 answer of "
        f"step `refused` (`drifting.md:{line_of(text, 'id: refused')}`)\n"
        "  - `$.gone: missing from the answer (documented: number)`\n"
    ) in written
    assert (
        f"- `drifting.md:{line_of(text, 'id: create')}`: step `create`: Swagger: response 200"
        in written
    )
    assert "required" in written
    for secret in (*SECRETS.values(), API_KEY):
        assert secret not in written
    assert "neighbour" not in written


@pytest.mark.usefixtures("configured")
def test_a_fixed_path_that_cannot_be_read_is_a_warning(
    pytester: pytest.Pytester, api: HTTPServer
) -> None:
    seed = drifting_seed().replace("seeds-fixed: $.method", "seeds-fixed: method")
    (pytester.path / "drifting.md").write_text(seed)
    result = run_seeds(pytester, *wire_args(api), "-W", "always")
    result.assert_outcomes(passed=1)
    line = seed.split("\n").index("<!-- seeds-fixed: method -->") + 2
    result.stdout.fnmatch_lines(
        [f"*drift: seeds-fixed above line {line}: 'method' is not a JSONPath (it starts with '$')"]
    )
