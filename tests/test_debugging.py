"""Debugging a failed seed: HAR files, the curl command, the run summary, request ids, HTML."""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from pytest_seeds.sandbox import Sandbox

STAFF = "staff-Debug-SECRET-4b4b"
SCHEMAS = Path(__file__).parent / "data" / "har-schema"


def seed(endpoint: str, domain: str, steps: str, front: str = "", prerequisites: str = "") -> str:
    """A seed document with a Test Request (and optional Prerequisites) step list."""
    text = f'---\nendpoint: "{endpoint}"\ndomain: {domain}\n{front}---\n\n# Seed\n\n'
    if prerequisites:
        text += (
            f"## Prerequisites\n\n```yaml\nsteps:\n{textwrap.indent(prerequisites, '  ')}```\n\n"
        )
    return text + f"## Test Request\n\n```yaml\nsteps:\n{textwrap.indent(steps, '  ')}```\n"


ECHO = "- id: echo\n  method: GET\n  path: /__echo/ok\n  params: {page: 2}\n"
SEEDS = {
    "create_fails.md": seed(
        "POST /platform/v1/clients",
        "clients",
        "- id: create_client\n  method: POST\n  path: /platform/v1/clients\n"
        "  params: {source: 'a b&c'}\n  body: {last_name: \"O'Brien\"}\n  expect: {status: 201}\n",
    ),
    "a/echo_passes.md": seed("GET /echo", "clients", ECHO),
    "b/echo_passes.md": seed("GET /echo/other", "clients", ECHO),
    "needs_admin.md": seed(
        "GET /admin", "platform", ECHO.replace("/ok", "/admin") + "  token: admin\n"
    ),
    "status_skip.md": seed("GET /skip", "platform", ECHO, front="status: skip\n"),
    "prereq_fails.md": seed(
        "GET /pre",
        "scheduling",
        ECHO,
        prerequisites="- id: setup_call\n  method: GET\n  path: /__echo/pre\n  expect: {status: 201}\n",
    ),
    "known_failure.md": seed(
        "GET /known", "scheduling", ECHO + "  expect: {status: 500}\n", front="status: failed\n"
    ),
    "broken.md": '---\nendpoint: "GET /broken"\n---\n\n## Test Request\n\n```yaml\nsteps:\n  - id: x\n```\n',
}
EXPECTED_TOTALS = {"seeds": 8, "passed": 2, "failed": 1, "errors": 2, "skipped": 2, "xfailed": 1}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(tokens={"staff": STAFF, "admin": "admin-Debug-SECRET-0a0a"}) as server:
        yield server


@pytest.fixture
def seeds(pytester: pytest.Pytester, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The seeds above in the pytester folder, with only the staff token configured."""
    for name, text in SEEDS.items():
        path = pytester.path / "seeds" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.setenv("SEEDS_TOKEN_STAFF", STAFF)
    monkeypatch.delenv("SEEDS_TOKEN_ADMIN", raising=False)
    monkeypatch.setenv("SEEDS_BASE_URL", sandbox.url)
    return pytester.path / "seeds"


def har_validator() -> jsonschema.protocols.Validator:
    """A validator of the HAR 1.2 JSON Schema (the har-schema npm package, vendored)."""
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text())))
        for path in SCHEMAS.glob("*.json")
    ]
    schema = json.loads((SCHEMAS / "har.json").read_text())
    validator = jsonschema.validators.validator_for(schema)
    return validator(
        schema,
        registry=Registry().with_resources(resources),
        format_checker=validator.FORMAT_CHECKER,
    )


def curl_commands(lines: list[str]) -> list[str]:
    """The curl commands printed under 'reproduce' in the failure reports."""
    commands = []
    for number, line in enumerate(lines):
        if line.startswith("curl "):
            end = number
            while lines[end].endswith("\\"):
                end += 1
            commands.append("\n".join(lines[number : end + 1]))
    return commands


def run_curl(command: str) -> str:
    """Run a curl command with bash and the staff token in the environment; the status."""
    result = subprocess.run(
        ["bash", "-c", command + " --output /dev/null --write-out '%{http_code}'"],
        env={"PATH": os.environ["PATH"], "SEEDS_TOKEN_STAFF": STAFF},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["one process", "xdist"])
def test_a_failing_seed_leaves_a_har_file_a_curl_command_and_a_summary(
    pytester: pytest.Pytester, seeds: Path, xdist: list[str]
) -> None:
    result = pytester.runpytest_subprocess(
        f"--seeds-dir={seeds}",
        "--seeds-har=har",
        "--seeds-summary-json=summary.json",
        "--seeds-request-id-header=X-Request-Id",
        "-p",
        "no:cacheprovider",
        *xdist,
    )
    result.assert_outcomes(passed=2, failed=1, errors=2, skipped=2, xfailed=1)
    hars = {path.name: path.read_text() for path in (pytester.path / "har").iterdir()}
    summary_text = (pytester.path / "summary.json").read_text()
    output = "\n".join(result.outlines + result.errlines)
    for text in [*hars.values(), summary_text, output]:
        assert text.count(STAFF) == 0

    # HAR: one valid file per seed that sent a request; same-named seeds kept apart
    assert sorted(name for name in hars if not name.startswith("echo_passes")) == [
        "create_fails.har",
        "known_failure.har",
        "prereq_fails.har",
    ]
    assert len([name for name in hars if name.startswith("echo_passes-")]) == 2
    validator = har_validator()
    documents = {name: json.loads(text) for name, text in hars.items()}
    for name, document in documents.items():
        assert list(validator.iter_errors(document)) == [], name
    (entry,) = documents["create_fails.har"]["log"]["entries"]
    assert entry["response"]["status"] == 422
    assert {"name": "Authorization", "value": "Bearer ***"} in entry["request"]["headers"]
    assert json.loads(entry["request"]["postData"]["text"]) == {"last_name": "O'Brien"}
    echoed = [
        json.loads(doc["log"]["entries"][0]["response"]["content"]["text"])["data"]["headers"]
        for name, doc in documents.items()
        if name.startswith("echo_passes")
    ]
    assert all(re.fullmatch(r"echo_passes:echo:[0-9a-f]{6}", h["X-Request-Id"]) for h in echoed)

    # curl: reproduces the failing step's status against the same server
    (command,) = [c for c in curl_commands(result.outlines) if "/platform/v1/clients" in c]
    assert '"$SEEDS_TOKEN_STAFF"' in command
    assert re.search(r"X-Request-Id: create_fails:create_client:[0-9a-f]{6}", command)
    if shutil.which("curl"):
        assert run_curl(command) == "422"

    # summary: counts per domain in the JSON file and at the end of the terminal report
    summary = json.loads(summary_text)
    assert summary["totals"] == EXPECTED_TOTALS
    assert summary["domains"]["clients"] == {**_zero(), "seeds": 3, "passed": 2, "failed": 1}
    assert summary["domains"]["platform"] == {**_zero(), "seeds": 2, "skipped": 2}
    assert summary["domains"]["scheduling"] == {**_zero(), "seeds": 2, "errors": 1, "xfailed": 1}
    assert summary["missing_tokens"] == {"admin": 1}
    failed = {row["seed"]: row["failed_step"] for row in summary["seeds"] if row["failed_step"]}
    assert failed == {
        "seeds/create_fails.md": "create_client",
        "seeds/prereq_fails.md": "setup_call",
        "seeds/known_failure.md": "echo",
    }
    result.stdout.fnmatch_lines(
        [
            "*= seeds summary =*",
            "domain * seeds * passed * failed * errors * skipped * xfailed",
            "clients * 3 * 2 * 1 * 0 * 0 * 0",
            "platform * 2 * 0 * 0 * 0 * 2 * 0",
            "all * 8 * 2 * 1 * 2 * 2 * 1",
            "slowest steps:",
            "*",
            "!! 1 seed did not run for want of a token: admin (1 seed); set SEEDS_TOKEN_ADMIN, *",
        ]
    )


def _zero() -> dict[str, int]:
    return dict.fromkeys(["seeds", "passed", "failed", "errors", "skipped", "xfailed"], 0)


def test_summary_json_differs_between_runs_only_in_timing(
    pytester: pytest.Pytester, seeds: Path
) -> None:
    documents = []
    for number in range(2):
        pytester.runpytest(f"--seeds-dir={seeds}", f"--seeds-summary-json=s{number}.json")
        documents.append(json.loads((pytester.path / f"s{number}.json").read_text()))
    first, second = ({k: v for k, v in doc.items() if k != "timing"} for doc in documents)
    assert first == second
    assert first["totals"]["seeds"] == len(first["seeds"]) == 8  # both runs ran every seed
    assert [row["seed"] for row in first["seeds"]] == sorted(row["seed"] for row in first["seeds"])
    assert set(documents[0]["timing"]) == {"started", "finished", "seconds", "slowest_steps"}


def test_quiet_run_prints_the_summary_on_one_line(pytester: pytest.Pytester, seeds: Path) -> None:
    result = pytester.runpytest(f"--seeds-dir={seeds}", "-q")
    lines = [line for line in result.outlines if line.startswith("seeds:")]
    assert lines == ["seeds: 2 passed, 1 failed, 2 errors, 2 skipped, 1 xfailed in 4 domain(s)"]
    assert result.outlines[-2].startswith("!! 1 seed did not run for want of a token: admin")
    assert not any("seeds summary" in line for line in result.outlines)


def test_no_summary_when_no_seed_ran(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain(): pass")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert not any(re.search("seeds summary|^seeds:", line) for line in result.outlines)


def test_html_report_shows_the_steps_of_a_failed_seed(
    pytester: pytest.Pytester, seeds: Path
) -> None:
    pytest.importorskip("pytest_html")
    pytester.runpytest(f"--seeds-dir={seeds}", "--html=report.html", "--self-contained-html")
    page = (pytester.path / "report.html").read_text()
    blob = re.search(r'data-jsonblob="([^"]*)"', page)
    assert blob is not None
    tests = json.loads(html.unescape(blob.group(1)))["tests"]
    extras = {
        test_id: [extra for row in rows for extra in row["extras"]]
        for test_id, rows in tests.items()
    }
    failed = extras["seeds/create_fails.md::POST /platform/v1/clients"]
    assert [extra["name"] for extra in failed] == ["seed steps"]
    assert "create_client  POST" in _data_uri_text(failed[0]["content"])
    assert extras["seeds/a/echo_passes.md::GET /echo"] == []
    assert STAFF not in page


def _data_uri_text(uri: str) -> str:
    return base64.b64decode(uri.split("base64,", 1)[1]).decode()


def test_request_id_header_is_off_by_default(pytester: pytest.Pytester, seeds: Path) -> None:
    result = pytester.runpytest(f"--seeds-dir={seeds}", "--seeds-har=har")
    entries = json.loads((pytester.path / "har" / "create_fails.har").read_text())["log"]["entries"]
    assert not any(h["name"] == "X-Request-Id" for h in entries[0]["request"]["headers"])
    assert not any("X-Request-Id" in line for line in result.outlines)


def test_a_bad_request_id_header_name_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--seeds-request-id-header=X Bad")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--seeds-request-id-header: 'X Bad' is not a header name*"])
