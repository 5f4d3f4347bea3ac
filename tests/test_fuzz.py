"""Mutated seeds never crash pytest: no internal error, no traceback from the plugin's modules.

Hypothesis starts from valid seeds written here and deletes, duplicates and changes
characters and lines, or inserts lines that are known to be trouble. Each example runs
in-process with no network: every request goes to a proxy on a closed local port.
"""

from __future__ import annotations

import re
import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import runpytest, seed_doc

SEEDS_PER_RUN = 3

VALID = [
    seed_doc(
        "POST /platform/v1/clients",
        front='domain: clients\ntags: [clients, "fuzz"]\nstatus: verified\nswagger: api.json',
        prerequisites="""
            - id: find
              method: GET
              path: /platform/v1/clients
              params: {per_page: 1, search: "{{random_email}}"}
              extract:
                client_id: "$.data.clients[0].id"
                first: "$.data.items[?(@.type=='x')][1].id || 'none'"
        """,
        test="""
            - id: create
              description: "Create a client"
              method: POST
              path: "/platform/v1/clients/{{client_id}}"
              token: directory
              x_on_behalf_of: true
              headers:
                X-Trace: "{{timestamp | slice: -4}}"
              body:
                first_name: "{{random_firstname}}"
                tags: [a, b, {deep: {deeper: [1, 2.5, true, null]}}]
              expect:
                status: [200, 201]
              onFail: continue
              sleep: 10
        """,
        cleanup="""
            - id: delete
              method: DELETE
              path: "/platform/v1/clients/{{client_id}}"
              expect: {status: 200}
        """,
    ),
    seed_doc(
        "PUT /business/v1/files",
        front="useFallbackApi: true\nexpectedOutcome: 422\nskip_reason: not really",
        test="""
            - id: upload
              method: PUT
              path: /business/v1/files
              content_type: multipart
              form_fields: {name: "{{random_string}}", count: 3}
              file_fields:
                - field_name: file
                  file_path: upload.txt
                  filename: "{{random_string}}.txt"
            - id: partner
              method: GET
              path: /v1/partners/leads
              token: admin
              useFallback: false
        """,
        extra='## Notes\n\n```json\n{"not": "steps"}\n```\n',
    ),
    "---\nendpoint: GET /v3/items\nstatus: skip\n---\n\n## Skip Reason\n\nNo data.\n\n"
    "## Test Request\n\n~~~yaml\nsteps:\n  - {id: one, method: get, path: /v3/items}\n~~~\n",
]

TROUBLE_CHARS = [*":-[]{}#&*!|>'\"`~\n\t \\%@,?", "\u00e9", "\x00", "\ufeff", "{{", "}}"]
TROUBLE_LINES = [
    "---",
    "## Test Request",
    "## Prerequisites",
    "## Cleanup",
    "```yaml",
    "```",
    "steps:",
    "steps: 5",
    "- id: x",
    "method: GET",
    "path: /v1/{{missing.name | nofilter: 1}}",
    'endpoint: "GET /x"',
    "endpoint: [a]",
    "status: failed",
    "status: weird",
    "expectedOutcome: 999",
    "onFail: explode",
    "extract: {v: '$..[['}",
    "file_fields: [{field_name: f, file_path: ../../etc/passwd}]",
    "a: &a [*a, *a]",
    "body: !!binary aGVsbG8=",
    "body: !!set {a, b}",
    "body: !!python/name:os.system",
    'headers: {X-Name: "\u65e5\u672c", X-Bad: "a\\nb"}',
    "expect: {status: [abc]}",
    "sleep: 1e99",
    "params: [1, 2]",
    "token: nobody",
    "content_type: multipart",
    "path: '{{__class__}}'",
]


EDITS = ["cut", "twice", "change", "cut line", "line twice", "insert", "insert", "insert"]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid seed with one to four edits at uniformly random places.

    Few edits keep most documents readable enough to reach the step checks and the run.
    """
    rnd = draw(st.randoms(use_true_random=False))
    text = rnd.choice(VALID)
    for _ in range(rnd.randint(1, 4)):
        lines = text.split("\n")
        at, row = rnd.randrange(max(len(text), 1)), rnd.randrange(len(lines))
        edit = rnd.choice(EDITS)
        if edit == "cut":
            text = text[:at] + text[at + 1 :]
        elif edit == "twice":
            text = text[:at] + text[at : at + 1] * 2 + text[at + 1 :]
        elif edit == "change":
            text = text[:at] + rnd.choice(TROUBLE_CHARS) + text[at + 1 :]
        elif edit == "cut line":
            text = "\n".join(lines[:row] + lines[row + 1 :])
        elif edit == "line twice":
            text = "\n".join(lines[: row + 1] + lines[row:])
        else:  # indented like the line it goes before, so that it often lands in a mapping
            indent = lines[row][: len(lines[row]) - len(lines[row].lstrip(" "))]
            text = "\n".join([*lines[:row], indent + rnd.choice(TROUBLE_LINES), *lines[row:]])
    return text


OUR_TRACEBACK = re.compile(r"pytest_seeds[/\\][\w/\\]+\.py:\d+: in |File \"[^\"]*pytest_seeds[/\\]")


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tokens: dict[str, str]) -> str:
    """Every request goes to a proxy on a closed port: refused at once, no DNS, no network."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{probe.getsockname()[1]}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    return proxy


@settings(  # max_examples: the Hypothesis profile's (tests/conftest.py)
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(documents=st.lists(mutated(), min_size=SEEDS_PER_RUN, max_size=SEEDS_PER_RUN))
def test_mutated_seeds_never_crash_pytest(
    pytester: pytest.Pytester, offline: str, documents: list[str]
) -> None:
    (pytester.path / "upload.txt").write_text("upload")
    for number, text in enumerate(documents):
        (pytester.path / f"seed{number}.md").write_bytes(text.encode("utf-8", "surrogatepass"))
    result = runpytest(
        pytester,
        f"--seeds-dir={pytester.path}",
        "--seeds-base-url=http://api.seeds-fuzz.invalid",
        "--seeds-fallback-url=http://fallback.seeds-fuzz.invalid",
        "--seeds-timeout=0.2",
        "--tb=native",  # tracebacks without pytest's costly source parsing
        "-p",
        "no:cacheprovider",
    )
    output = result.stdout.str() + result.stderr.str()
    assert result.ret != pytest.ExitCode.INTERNAL_ERROR, output
    assert "INTERNALERROR" not in output, output
    assert OUR_TRACEBACK.search(output) is None, output
