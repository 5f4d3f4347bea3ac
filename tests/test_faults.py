"""Faults on the wire: each one fails its own seed with a clear paragraph, and the run goes on.

Every fault comes from a real local server: pytest-httpserver (a handler per test, the echo
of ``tests/helpers.py`` for everything else), or a raw TCP server (``tests/tcp_servers.py``)
for answers HTTP servers do not give (silence, stalls, garbage). Each test runs a faulty seed
and a healthy one after it.
"""

from __future__ import annotations

import json
import re

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from pytest_seeds.http import transport
from pytest_seeds.output.report import body_excerpt
from tests.helpers import echo, run_seeds, seed_doc, wire_args
from tests.tcp_servers import (
    closed_port,
    hang_up,
    headers_then_stall,
    not_http,
    raw_server,
    send,
    silent,
)

TIMEOUT = "--seeds-timeout=0.5"


@pytest.fixture(autouse=True)
def _setup(tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Tokens configured; no proxy between the seeds and the local servers."""
    monkeypatch.setenv("NO_PROXY", "*")


def run_faults(
    pytester: pytest.Pytester, server: HTTPServer, faults: dict[str, str], *args: str
) -> pytest.RunResult:
    """Run one seed per fault (its Test Request step's ``path`` and extra YAML), then a
    healthy seed: each fault fails its own seed with its step named, the healthy one passes.

    ``server`` echoes every request the test did not give a handler of its own.
    """
    server.expect_request(re.compile(".*")).respond_with_handler(echo)
    for name, step in faults.items():
        pytester.makefile(".md", **{f"fault_{name}": seed_doc(f"GET /{name}", step)})
    pytester.makefile(".md", healthy=seed_doc())
    result = run_seeds(pytester, *wire_args(server), TIMEOUT, "-rA", *args)
    result.assert_outcomes(passed=1, failed=len(faults))
    for name in faults:
        result.stdout.fnmatch_lines([f"GET /{name}: step 'call' (Test Request) failed"])
    result.stdout.fnmatch_lines(["PASSED healthy.md::GET /v1/things"])
    assert "Traceback" not in result.stdout.str()
    return result


def get(url: str, extra: str = "") -> str:
    """A GET step with id ``call``."""
    return f"- id: call\n  method: GET\n  path: {url}\n{extra}"


def test_no_connection(pytester: pytest.Pytester, httpserver: HTTPServer) -> None:
    port = closed_port()
    faults = {
        "refused": get(f"http://127.0.0.1:{port}/x"),
        "unresolved": get("http://api.seeds-test.invalid/x"),
    }
    result = run_faults(pytester, httpserver, faults)
    result.stdout.fnmatch_lines(
        [f"  connection refused by 127.0.0.1:{port}: nothing listens there; is the server running*"]
    )
    result.stdout.fnmatch_lines(
        ["  the host name 'api.seeds-test.invalid' does not resolve: check the base URL*"]
    )


def test_servers_that_do_not_answer_properly(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    with (
        raw_server(silent) as silent_url,
        raw_server(headers_then_stall) as stall_url,
        raw_server(not_http) as ssh_url,
        raw_server(hang_up) as hang_up_url,
    ):
        faults = {
            "silent": get(silent_url),
            "stall": get(stall_url),
            "ssh": get(ssh_url),
            "hangup": get(hang_up_url),
        }
        result = run_faults(pytester, httpserver, faults)
    for line in (
        "  no answer within 0.5 s (--seeds-timeout): 127.0.0.1:* accepted the connection but*",
        "  the server answered 200 and sent its headers, but the body of 100 bytes did not "
        "finish within 0.5 s (--seeds-timeout): 11 bytes received, then nothing for * s; the "
        "server may be stuck*",
        "  127.0.0.1:* answered with something that is not HTTP ('SSH-2.0-OpenSSH_9.6*",
        "  127.0.0.1:* closed the connection without answering: the server may have crashed*",
    ):
        result.stdout.fnmatch_lines([line])


def test_server_errors(pytester: pytest.Pytester, httpserver: HTTPServer) -> None:
    faults = {str(status): get(f"/status/{status}/x") for status in (500, 502, 503, 504)}
    result = run_faults(pytester, httpserver, faults)
    result.stdout.fnmatch_lines(
        ["  expected status 200, received 500; the server failed on this request; the response*"]
    )
    for status in (502, 503, 504):
        result.stdout.fnmatch_lines(
            [
                f"  expected status 200, received {status}; the server or a gateway in front of "
                "it is unavailable or timed out: try again later, or let --seeds-retries N retry it"
            ]
        )
        result.stdout.fnmatch_lines([f"response body ({status}):", "{", '  "method": "GET",'])


def test_rate_limited_until_the_retries_run_out(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/limited").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "0"}
    )
    result = run_faults(pytester, httpserver, {"limited": get("/limited")}, "--seeds-retries-429=2")
    result.stdout.fnmatch_lines(
        [
            "  expected status 200, received 429; the server is rate-limiting: lower --seeds-rate*",
            "steps:",
            "  failed    call  GET http://*/limited -> 429 (* ms)",
            "      retried 2x: 429, 429",
        ]
    )


def test_bodies_that_extract_cannot_read(pytester: pytest.Pytester, httpserver: HTTPServer) -> None:
    bodies = {
        "html": b"<html>Gateway says no</html>",
        "empty": b"",
        "latin1": b'{"name": "Jos\xe9"}',
    }
    for name, body in bodies.items():
        httpserver.expect_request(f"/{name}").respond_with_data(
            body, content_type="application/json"
        )
    extract = "  extract:\n    thing_id: $.data.id\n"
    faults = {name: get(f"/{name}", extract) for name in bodies}
    result = run_faults(pytester, httpserver, faults)
    needs = "  extract 'thing_id' needs a JSON body, but the body is"
    result.stdout.fnmatch_lines(
        [
            f"{needs} not JSON although its Content-Type is application/json (Expecting value: "
            "line 1 column 1 (char 0))",
            "response body (200):",
            "<html>Gateway says no</html>",
        ]
    )
    result.stdout.fnmatch_lines([f"{needs} empty", "response body (200):", "(empty body)"])
    result.stdout.fnmatch_lines(
        [
            f"{needs} not UTF-8 text (byte 0xe9 at 13), so not JSON",
            "response body (200):",
            '{"name": "Jos\ufffd"}',
        ]
    )


def test_ten_megabyte_body_shows_a_bounded_excerpt(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    body = json.dumps({"items": ["x" * 100] * 100_000}).encode()  # 10 MB of JSON
    httpserver.expect_request("/huge").respond_with_data(
        body, status=500, content_type="application/json"
    )
    xml = pytester.path / "junit.xml"
    result = run_faults(pytester, httpserver, {"huge": get("/huge")}, f"--junitxml={xml}")
    result.stdout.fnmatch_lines([f"... (cut; the body has {len(body)} bytes)"])
    assert len(result.stdout.str()) < 20_000
    assert xml.stat().st_size < 20_000


def test_redirect_loop_and_https_to_a_plain_http_port(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/loop").respond_with_response(
        Response(status=302, headers={"Location": "/loop"})
    )
    faults = {"loop": get("/loop"), "tls": get(f"https://127.0.0.1:{httpserver.port}/x")}
    result = run_faults(pytester, httpserver, faults)
    result.stdout.fnmatch_lines(
        ["  more than 30 redirects (the last one to /loop): a redirect loop; check the base URL*"]
    )
    result.stdout.fnmatch_lines(
        [f"  TLS handshake with 127.0.0.1:{httpserver.port} failed (*): that port seems to speak*"]
    )


def test_body_over_the_cap_is_cut_while_reading(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "MAX_BODY_BYTES", 1000)
    httpserver.expect_request("/big").respond_with_data(b"y" * 100_000)
    client = transport.Client(timeout=5)
    response, _ = client.send(transport.Request("GET", httpserver.url_for("/big")))
    client.close()
    assert response.truncated
    assert len(response.content) == 1000
    assert body_excerpt(response, limit=50).endswith(
        "... (cut; the body is over 1000 bytes, reading stopped there)"
    )


def test_a_redirect_whose_location_is_not_utf8_is_named_as_such(
    pytester: pytest.Pytester,
) -> None:
    answer = b"HTTP/1.1 302 Found\r\nLocation: /final/caf\xe9\r\nContent-Length: 0\r\n\r\n"
    with raw_server(send(answer)) as url:
        pytester.makefile(
            ".md", seed=seed_doc("GET /r", f"- id: r\n  method: GET\n  path: {url}/r\n")
        )
        result = run_seeds(pytester, "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*a redirect's Location header must be ASCII or UTF-8*"])
    result.stdout.no_fnmatch_line("*request body cannot be sent as JSON*")
