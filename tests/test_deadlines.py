"""Bounded time: a step's request has a deadline over the whole exchange, and sleeps are capped.

``--seeds-timeout`` bounds each attempt as a whole (connecting, sending, the status line and
headers, the whole body, redirects followed), not each socket read: a server that trickles
one byte at a time fails within it. Retries add attempts and waits, each bounded, so a step
takes at most ``(1 + retries + retries-429) x timeout`` plus the waits. Every fault comes from
a real local TCP server (``tests/tcp_servers.py``). Timings are asserted only as generous
upper bounds that prove the step ended (the trickles here would take far longer).
"""

from __future__ import annotations

import re
import socket
import threading
from types import SimpleNamespace
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from pytest_seeds.http.ratelimit import RateLimiter
from pytest_seeds.http.retries import RetryPolicy, SeedRetry
from pytest_seeds.http.transport import Client, Request, TransportError
from pytest_seeds.running import runner
from tests.helpers import run_seeds, seed_doc, wire_args
from tests.tcp_servers import Answer, raw_server, send, silent, trickle

TIMEOUT = "--seeds-timeout=0.5"
NO_BACKOFF = "--seeds-retry-backoff=0"
HEAD_200 = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
SLOW = 0.05  # seconds between two trickled bytes: 10 per timeout of 0.5 s
LONG = 120  # trickled bytes: 6 s of trickle, twelve times the timeout


@pytest.fixture(autouse=True)
def _setup(tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Tokens configured; no proxy between the seeds and the local servers."""
    monkeypatch.setenv("NO_PROXY", "*")


def counted(answer: Answer) -> tuple[Answer, list[int]]:
    """The answer, and a list that grows by one per connection it serves."""
    connections: list[int] = []

    def serve(connection: socket.socket, stop: threading.Event) -> None:
        connections.append(1)
        answer(connection, stop)

    return serve, connections


def run_step(
    pytester: pytest.Pytester, server: HTTPServer, url: str, *args: str, method: str = "GET"
) -> Any:
    """Run one seed whose Test Request step ``call`` sends ``method`` to ``url``; -rA."""
    step = f"- id: call\n  method: {method}\n  path: {url}\n"
    pytester.makefile(".md", seed=seed_doc(f"{method} /x", step))
    return run_seeds(pytester, *wire_args(server), TIMEOUT, "-rA", *args)


def step_ms(result: Any) -> int:
    """The time the transcript reports for step ``call``."""
    match = re.search(r"call  \w+ https?://\S+ -> \S+ \((\d+) ms\)", result.stdout.str())
    assert match, result.stdout.str()
    return int(match.group(1))


BODY_40 = HEAD_200 + b"Content-Length: 40\r\n\r\n"
CHUNKED = HEAD_200 + b"Transfer-Encoding: chunked\r\n\r\n"
UNTIL_CLOSE = HEAD_200 + b"Connection: close\r\n\r\n"


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        pytest.param(
            trickle(b"", b"HTTP/1.1 200 OK\r\n" + b"X-Slow: y\r\n" * LONG, SLOW),
            "the answer of 127.0.0.1:* did not finish within 0.5 s (--seeds-timeout): "
            "* bytes of its status line and headers received, still arriving; the server "
            "sends very slowly*--seeds-timeout*",
            id="status-line-and-headers",
        ),
        pytest.param(
            trickle(b"HTTP/1.1 200 OK\r\n", b"X-Slow: y\r\n" * LONG, SLOW),
            "the answer of 127.0.0.1:* did not finish within 0.5 s (--seeds-timeout): "
            "* bytes of its status line and headers received, still arriving*",
            id="headers",
        ),
        pytest.param(
            trickle(BODY_40, b"x" * 40, SLOW),
            "the server answered 200 and sent its headers, but the body of 40 bytes did not "
            "finish within 0.5 s (--seeds-timeout): * bytes received, still arriving; the "
            "server sends very slowly*",
            id="content-length-body",
        ),
        pytest.param(
            trickle(CHUNKED, b"1\r\nx\r\n" * LONG, SLOW),
            "the server answered 200 and sent its headers, but the body (chunked) did not "
            "finish within 0.5 s (--seeds-timeout): * bytes received, still arriving*",
            id="chunked-body",
        ),
        pytest.param(
            trickle(UNTIL_CLOSE, b"x" * LONG, SLOW),
            "the server answered 200 and sent its headers, but the body did not finish "
            "within 0.5 s (--seeds-timeout): * bytes received, still arriving*",
            id="body-until-close",
        ),
        pytest.param(
            trickle(BODY_40 + b"hello", b"", SLOW),
            "the server answered 200 and sent its headers, but the body of 40 bytes did not "
            "finish within 0.5 s (--seeds-timeout): 5 bytes received, then nothing for * s; "
            "the server may be stuck*",
            id="body-stalls-after-5-bytes",
        ),
        pytest.param(
            trickle(
                b"HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 40\r\n\r\n",
                b"x" * 40,
                SLOW,
            ),
            "the server answered 302 and sent its headers, but the body of 40 bytes did not "
            "finish within 0.5 s (--seeds-timeout): * bytes received, still arriving*",
            id="redirect-body",
        ),
    ],
)
def test_a_trickling_answer_fails_within_the_timeout(
    pytester: pytest.Pytester, httpserver: HTTPServer, answer: Answer, problem: str
) -> None:
    with raw_server(answer) as url:
        result = run_step(pytester, httpserver, url)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["GET /x: step 'call' (Test Request) failed", f"  {problem}"])
    assert step_ms(result) < 3000  # the trickle lasts 6 s; the deadline is 0.5 s


def test_a_server_that_stops_reading_the_request_fails_within_the_timeout(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def seeds_params():
            return {"big": "x" * 40_000_000}  # more than socket buffers hold: sending blocks
        """
    )
    step = "- id: call\n  method: POST\n  path: URL\n  body: {a: '{{big}}'}\n"
    with raw_server(silent) as url:
        pytester.makefile(".md", seed=seed_doc("POST /x", step.replace("URL", url)))
        result = run_seeds(pytester, *wire_args(httpserver), TIMEOUT, "-rA")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "  could not send the request to 127.0.0.1:* within 0.5 s (--seeds-timeout): the "
            "server stopped reading it*"
        ]
    )
    assert step_ms(result) < 5000


def test_a_trickled_tls_handshake_fails_within_the_timeout(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    """A TLS record header announcing 16 KiB, then its bytes one by one."""
    answer = trickle(b"", b"\x16\x03\x03\x40\x00" + b"\x02" * LONG, SLOW)
    with raw_server(answer) as url:
        result = run_step(pytester, httpserver, url.replace("http://", "https://"))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["  the TLS handshake with 127.0.0.1:* did not finish within 0.5 s (--seeds-timeout)*"]
    )
    assert step_ms(result) < 3000


def test_a_redirect_chain_counts_in_one_attempt(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    """Each hop answers within the timeout; the attempt as a whole does not."""
    hops: list[int] = []

    def slow_redirect(connection: socket.socket, stop: threading.Event) -> None:
        hops.append(1)
        if not stop.wait(0.3):
            connection.sendall(
                b"HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n"
                b"Connection: close\r\n\r\n"  # the next hop on a new connection, never this one
            )
        connection.close()

    with raw_server(slow_redirect) as url:
        result = run_step(pytester, httpserver, url)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["  no answer within 0.5 s (--seeds-timeout)*1 redirect followed*"])
    assert len(hops) == 2


def test_trickled_headers_are_retried_and_each_attempt_is_bounded(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    answer, connections = counted(trickle(b"", b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * LONG, SLOW))
    with raw_server(answer) as url:
        result = run_step(pytester, httpserver, url, "--seeds-retries=2", NO_BACKOFF)
    result.assert_outcomes(failed=1)
    assert len(connections) == 3
    result.stdout.fnmatch_lines(
        [
            "  failed    call  GET http://127.0.0.1:*/ -> --- (* ms)",
            "      retried 2x: read timeout, read timeout",
        ]
    )
    assert step_ms(result) < 6000  # three attempts of 0.5 s; one trickle alone lasts 6 s


@pytest.mark.parametrize(("method", "attempts"), [("GET", 3), ("PUT", 3), ("POST", 1)])
def test_a_trickled_body_is_retried_like_any_timeout(
    pytester: pytest.Pytester, httpserver: HTTPServer, method: str, attempts: int
) -> None:
    answer, connections = counted(trickle(BODY_40, b"x" * 40, SLOW))
    with raw_server(answer) as url:
        result = run_step(pytester, httpserver, url, "--seeds-retries=2", NO_BACKOFF, method=method)
    result.assert_outcomes(failed=1)
    assert len(connections) == attempts
    if attempts > 1:
        result.stdout.fnmatch_lines(["      retried 2x: body timeout, body timeout"])
    assert step_ms(result) < 6000


@pytest.mark.parametrize(("method", "attempts"), [("GET", 2), ("POST", 1)])
def test_a_body_cut_off_is_retried_like_a_dropped_connection(
    pytester: pytest.Pytester, httpserver: HTTPServer, method: str, attempts: int
) -> None:
    answer, connections = counted(send(BODY_40 + b"only 11 b.."))
    with raw_server(answer) as url:
        result = run_step(pytester, httpserver, url, "--seeds-retries=1", NO_BACKOFF, method=method)
    result.assert_outcomes(failed=1)
    assert len(connections) == attempts
    result.stdout.fnmatch_lines(
        ["  the server answered 200, then closed the connection before the body of 40 bytes*"]
    )
    if attempts > 1:
        result.stdout.fnmatch_lines(["      retried 1x: body cut off"])


def test_a_retried_answer_whose_body_trickles_is_bounded(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    """The body of a 503 is drained before the retry: that read has the deadline too."""
    head = b"HTTP/1.1 503 Busy\r\nContent-Length: 40\r\n\r\n"
    answer, connections = counted(trickle(head, b"x" * 40, SLOW))
    with raw_server(answer) as url:
        result = run_step(pytester, httpserver, url, "--seeds-retries=1", NO_BACKOFF)
    result.assert_outcomes(failed=1)
    assert len(connections) == 2
    result.stdout.fnmatch_lines(["  the server answered 503 and sent its headers, but the body*"])
    result.stdout.fnmatch_lines(["      retried 1x: 503"])
    assert step_ms(result) < 6000


def test_the_deadline_holds_for_a_client_used_directly() -> None:
    with raw_server(trickle(BODY_40, b"x" * 40, SLOW)) as url:
        client = Client(timeout=0.5)
        with pytest.raises(TransportError) as caught:
            client.send(Request("GET", url))
        client.close()
    assert "did not finish within 0.5 s" in str(caught.value)
    assert caught.value.seconds < 3


# --- one budget of retries per step, waits capped ------------------------------------------------


def test_retries_are_one_budget_per_step_across_redirects(httpserver: HTTPServer) -> None:
    """``--seeds-retries 1`` is one retry for the step, wherever its redirects lead."""
    arrivals = {"/a": 0, "/b": 0}

    def handler(path: str, first: Response, then: Response) -> Any:
        def answer(request: Any) -> Response:
            arrivals[path] += 1
            return first if arrivals[path] == 1 else then

        return answer

    busy = Response("busy", status=503)
    moved = Response(status=302, headers={"Location": "/b"})
    httpserver.expect_request("/a").respond_with_handler(handler("/a", busy, moved))
    httpserver.expect_request("/b").respond_with_handler(handler("/b", busy, Response("ok")))
    client = Client(5, RetryPolicy(retries=1, backoff=0))
    response, _ = client.send(Request("GET", httpserver.url_for("/a")))
    client.close()
    assert response.status == 503
    assert arrivals == {"/a": 2, "/b": 1}
    assert response.notes == ("retried 1x: 503",)


def test_connect_and_read_failures_share_the_retry_budget() -> None:
    from urllib3 import exceptions as u3
    from urllib3.exceptions import MaxRetryError

    retry = SeedRetry.from_policy(RetryPolicy(retries=1), RateLimiter())
    retry = retry.increment("GET", "/x", error=u3.ConnectTimeoutError("connect"))
    with pytest.raises(MaxRetryError):
        retry.increment("GET", "/x", error=u3.ReadTimeoutError(None, "/x", "read"))  # type: ignore[arg-type]


def test_a_backoff_wait_is_capped_like_retry_after() -> None:
    retry = SeedRetry.from_policy(
        RetryPolicy(retries=5, backoff=10, max_retry_after=1), RateLimiter()
    )
    for _ in range(3):
        retry = retry.increment("GET", "/x", response=None, error=None)
        assert retry.get_backoff_time() <= 1


# --- sleep: capped by --seeds-max-sleep -----------------------------------------------------------


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The seconds each step slept (nobody waits)."""
    seconds: list[float] = []
    monkeypatch.setattr(runner, "time", SimpleNamespace(sleep=seconds.append))
    return seconds


@pytest.mark.parametrize(
    ("args", "env", "cap"),
    [([], {}, 30.0), (["--seeds-max-sleep=0.2"], {}, 0.2), ([], {"SEEDS_MAX_SLEEP": "2"}, 2.0)],
)
def test_a_sleep_above_the_cap_sleeps_the_cap_and_says_so(
    pytester: pytest.Pytester,
    api: HTTPServer,
    slept: list[float],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    cap: float,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    test = """
        - {id: long, method: GET, path: /a, sleep: 45000}
        - {id: short, method: GET, path: /b, sleep: 100}
        - {id: huge, method: GET, path: /c, sleep: 1e99}
    """
    pytester.makefile(".md", seed=seed_doc("GET /a", test))
    result = run_seeds(pytester, *wire_args(api), "-rA", *args)
    result.assert_outcomes(passed=1)
    assert slept == [cap, 0.1, cap]
    result.stdout.fnmatch_lines(
        [
            "ok        long  GET http://*/a -> 200 (* ms)",
            f"    slept {cap:g} s, not the 45000 ms the step asks for: --seeds-max-sleep caps it*",
            "ok        short  GET http://*/b -> 200 (* ms)",
            "ok        huge  GET http://*/c -> 200 (* ms)",
            f"    slept {cap:g} s, not the * ms the step asks for*",
        ]
    )


def test_the_cap_is_read_from_the_ini_file(
    pytester: pytest.Pytester, api: HTTPServer, slept: list[float]
) -> None:
    pytester.makeini("[pytest]\nseeds_max_sleep = 0.5\n")
    pytester.makefile(
        ".md", seed=seed_doc("GET /a", "- {id: s, method: GET, path: /a, sleep: 900}")
    )
    run_seeds(pytester, *wire_args(api)).assert_outcomes(passed=1)
    assert slept == [0.5]
