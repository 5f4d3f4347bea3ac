"""What a person reads when a seed fails: the report, the transcript, and no secrets."""

from __future__ import annotations

import re

import pytest
from pytest_httpserver import HTTPServer

from tests.helpers import SECRETS, line_of, run_seeds, seed_doc, wire_args


@pytest.fixture(autouse=True)
def _tokens(tokens: dict[str, str]) -> None:
    """Every token type is configured for these tests."""


def test_failure_report(pytester: pytest.Pytester, api: HTTPServer) -> None:
    test = """
        - {id: warm, method: GET, path: /status/409/warm, onFail: continue}
        - id: call
          description: Create the thing
          method: POST
          path: /status/409/things
          params: {page: 2}
          body: {name: thing}
        - {id: never, method: GET, path: /v1/never}
    """
    text = seed_doc(
        "POST /v1/things", test, prerequisites="- {id: make, method: GET, path: /v1/make}"
    )
    pytester.makefile(".md", seed=text)
    result = run_seeds(pytester, *wire_args(api))
    result.assert_outcomes(failed=1, warnings=1)
    url = api.url_for("/").rstrip("/")
    result.stdout.fnmatch_lines(
        [
            "POST /v1/things: step 'call' (Test Request) failed",
            "  expected status 200, received 409*",
            f"  seed: seed.md:{line_of(text, 'id: call')}",
            "  step: Create the thing",
            "",
            "steps:",
            f"  ok        make  GET {url}/v1/make -> 200 (* ms)",
            f"  continued warm  GET {url}/status/409/warm -> 409 (* ms)",
            f"  failed    call  POST {url}/status/409/things?page=2 -> 409 (* ms)",
            "",
            "steps that failed and were passed over (onFail):",
            "  warm: expected status 200, received 409* (onFail: continue)",
            "*",
            "response body (409):",
            "{",
            '  "method": "POST",',
            '  "path": "/status/409/things",',
        ]
    )
    assert "never" not in result.stdout.str().split("steps:")[1].split("response body")[0]


def test_a_large_body_is_cut(pytester: pytest.Pytester, api: HTTPServer) -> None:
    big = "y" * 5000
    test = f"- {{id: big, method: POST, path: /status/409/big, body: {{blob: {big}}}}}"
    pytester.makefile(".md", seed=seed_doc("POST /v1/big", test))
    result = run_seeds(pytester, *wire_args(api))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["response body (409):", "{", "*", "... (cut; the body has * bytes)"]
    )
    report = result.stdout.str().split("response body (409):")[1].split("... (cut;")[0]
    assert len(report) <= 2100
    assert big not in report


def test_a_step_that_was_not_sent(pytester: pytest.Pytester, api: HTTPServer) -> None:
    test = "- {id: lost, method: DELETE, path: '/v1/things/{{thing_uid}}'}"
    pytester.makefile(".md", seed=seed_doc("DELETE /v1/things/{uid}", test))
    result = run_seeds(pytester, *wire_args(api))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "  {{thing_uid}} in step 'lost' path is not defined",
            "steps:",
            "  failed    lost  DELETE (not sent) -> ---",
        ]
    )
    assert "response body" not in result.stdout.str()


def test_setup_and_teardown_errors_have_the_same_report(
    pytester: pytest.Pytester, api: HTTPServer
) -> None:
    pytester.makefile(
        ".md",
        a=seed_doc("GET /v1/a", prerequisites="- {id: prep, method: GET, path: /status/403/prep}"),
        b=seed_doc("GET /v1/b", cleanup="- {id: tidy, method: DELETE, path: /status/404/tidy}"),
    )
    result = run_seeds(pytester, *wire_args(api))
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of GET /v1/a*",
            "GET /v1/a: step 'prep' (Prerequisites) failed",
            "  expected status 200, received 403*",
            "steps:",
            "  failed    prep  GET */status/403/prep -> 403 (* ms)",
            "*ERROR at teardown of GET /v1/b*",
            "GET /v1/b: step 'tidy' (Cleanup) failed",
            "  expected status 200, received 404*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_no_token_value_is_ever_printed(pytester: pytest.Pytester, api: HTTPServer) -> None:
    """The echo server sends every Authorization header back in the body; none may leak."""
    failing = "".join(
        f"- {{id: {kind}, method: GET, path: /status/409/{kind}, token: {kind}, onFail: continue}}\n"
        for kind in SECRETS
    )
    pytester.makefile(
        ".md",
        a_fails=seed_doc(
            "GET /v1/a",
            failing
            + "- {id: last, method: GET, path: /status/409/v1/partners/x, token: directory}",
            prerequisites="- {id: who, method: GET, path: /v1/who, extract: {auth: $.headers.Authorization}}",
            cleanup="- {id: tidy, method: DELETE, path: '/status/409/{{auth}}'}",
        ),
        b_passes=seed_doc("GET /v1/b", "- {id: echo, method: GET, path: /v1/echo, token: admin}"),
        c_setup=seed_doc(
            "GET /v1/c",
            prerequisites="- {id: prep, method: GET, path: /status/401/p, token: internal}",
        ),
    )
    xml = pytester.path / "report.xml"
    result = run_seeds(pytester, *wire_args(api), "-rA", "-vv", f"--junitxml={xml}")
    result.assert_outcomes(passed=1, failed=1, errors=2, warnings=len(SECRETS))
    output = result.stdout.str() + result.stderr.str() + xml.read_text()
    assert re.search(r'"Authorization": "(\w+ )?\*\*\*"', output)  # the echo, masked
    sent_headers = " ".join(request.headers["Authorization"] for request, _ in api.log)
    for kind, secret in SECRETS.items():
        assert secret in sent_headers, kind
        assert secret not in output, kind
