"""Retries (urllib3's Retry on the session) and the rate limit, against real local servers.

Only 429 is retried by default; connection failures, timeouts and 502/503/504 need
``--seeds-retries``; POST and PATCH are never repeated once they may have reached the server
unless ``--seeds-retry-unsafe`` says so. Every retry shows in the step transcript.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pytest_seeds.http.ratelimit import RateLimiter, worker_share
from pytest_seeds.http.retries import RetryPolicy, SeedRetry
from pytest_seeds.http.transport import Client
from pytest_seeds.http.transport import Request as SeedRequest
from tests.helpers import FakeClock, run_seeds, runpytest, seed_doc, wire_args
from tests.tcp_servers import closed_port, raw_server, silent

NO_BACKOFF = "--seeds-retry-backoff=0"


@pytest.fixture(autouse=True)
def _tokens(tokens: dict[str, str]) -> None:
    """Every token type is configured for these tests."""


def answers(server: HTTPServer, path: str, *replies: Response, method: str = "GET") -> list[float]:
    """Serve ``replies`` in turn on ``path`` (the last one for good); the arrival times."""
    arrivals: list[float] = []

    def reply(response: Response) -> Any:
        def handler(request: Request) -> Response:
            arrivals.append(time.monotonic())
            return response

        return handler

    for response in replies[:-1]:
        server.expect_oneshot_request(path, method=method).respond_with_handler(reply(response))
    server.expect_request(path, method=method).respond_with_handler(reply(replies[-1]))
    return arrivals


def status(code: int, **headers: str) -> Response:
    return Response(f'{{"status": {code}}}', status=code, headers=headers)


OK = status(200)


def step(method: str, path: str) -> str:
    return f"- id: call\n  method: {method}\n  path: {path}\n"


def run(pytester: pytest.Pytester, server: HTTPServer, *args: str, **seeds: str) -> Any:
    for name, test in seeds.items():
        pytester.makefile(".md", **{name: seed_doc(f"GET /{name}", test)})
    return run_seeds(pytester, *wire_args(server), "--seeds-timeout=2", "-rA", *args)


def test_only_429_is_retried_by_default(pytester: pytest.Pytester, httpserver: HTTPServer) -> None:
    limited = answers(httpserver, "/limited", status(429, **{"Retry-After": "0"}), OK)
    busy = answers(httpserver, "/busy", status(503), OK)
    result = run(
        pytester, httpserver, a_limited=step("GET", "/limited"), b_busy=step("GET", "/busy")
    )
    result.assert_outcomes(passed=1, failed=1)
    assert (len(limited), len(busy)) == (2, 1)
    result.stdout.fnmatch_lines(
        ["ok        call  GET http://*/limited -> 200 (* ms)", "    retried 1x: 429"]
    )
    result.stdout.fnmatch_lines(["  expected status 200, received 503; *--seeds-retries N*"])


def test_server_busy_is_retried_with_backoff_when_asked(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    arrivals = answers(httpserver, "/busy", status(503), status(502), status(504), OK, method="PUT")
    result = run(pytester, httpserver, "--seeds-retries=3", NO_BACKOFF, busy=step("PUT", "/busy"))
    result.assert_outcomes(passed=1)
    assert len(arrivals) == 4
    result.stdout.fnmatch_lines(
        ["ok        call  PUT http://*/busy -> 200 (* ms)", "    retried 3x: 503, 502, 504"]
    )


def test_retries_run_out(pytester: pytest.Pytester, httpserver: HTTPServer) -> None:
    arrivals = answers(httpserver, "/down", status(503))
    result = run(pytester, httpserver, "--seeds-retries=2", NO_BACKOFF, down=step("GET", "/down"))
    result.assert_outcomes(failed=1)
    assert len(arrivals) == 3
    result.stdout.fnmatch_lines(
        ["  failed    call  GET http://*/down -> 503 (* ms)", "      retried 2x: 503, 503"]
    )


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_unsafe_methods_are_not_repeated_once_they_reached_the_server(
    pytester: pytest.Pytester, httpserver: HTTPServer, method: str
) -> None:
    busy = answers(httpserver, "/busy", status(503), OK, method=method)
    limited = answers(
        httpserver, "/limited", status(429, **{"Retry-After": "0"}), OK, method=method
    )
    result = run(
        pytester,
        httpserver,
        "--seeds-retries=2",
        NO_BACKOFF,
        a_busy=step(method, "/busy"),
        b_limited=step(method, "/limited"),
    )
    result.assert_outcomes(failed=2)
    assert (len(busy), len(limited)) == (1, 1)
    result.stdout.fnmatch_lines(
        [f"  expected status 200, received 503; *(a {method} only with --seeds-retry-unsafe)"]
    )
    result.stdout.fnmatch_lines(
        [
            f"  expected status 200, received 429; *a {method} is retried after a 429 only with --seeds-retry-unsafe"
        ]
    )


def test_unsafe_methods_are_repeated_when_the_user_opts_in(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    arrivals = answers(httpserver, "/busy", status(503), OK, method="POST")
    result = run(
        pytester,
        httpserver,
        "--seeds-retries=1",
        "--seeds-retry-unsafe",
        NO_BACKOFF,
        busy=step("POST", "/busy"),
    )
    result.assert_outcomes(passed=1)
    assert len(arrivals) == 2


def test_failed_connections_are_retried_for_every_method(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/x"
    result = run(pytester, httpserver, "--seeds-retries=2", NO_BACKOFF, refused=step("POST", url))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "  connection refused by 127.0.0.1:*",
            "  failed    call  POST http://127.0.0.1:*/x -> --- (* ms)",
            "      retried 2x: no connection, no connection",
        ]
    )


def test_timeouts_are_retried_for_idempotent_methods_only(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    connections: list[int] = []

    def count_and_stay_silent(connection: Any, stop: Any) -> None:
        connections.append(1)
        silent(connection, stop)

    with raw_server(count_and_stay_silent) as url:
        pytester.makefile(".md", get=seed_doc("GET /get", step("GET", url)))
        run_seeds(
            pytester, *wire_args(httpserver), "--seeds-timeout=0.3", "--seeds-retries=1", NO_BACKOFF
        ).assert_outcomes(failed=1)
        assert len(connections) == 2
        pytester.makefile(".md", get=seed_doc("POST /post", step("POST", url)))
        run_seeds(
            pytester, *wire_args(httpserver), "--seeds-timeout=0.3", "--seeds-retries=1", NO_BACKOFF
        ).assert_outcomes(failed=1)
        assert len(connections) == 3


def test_retry_after_in_seconds_and_as_a_date_is_honoured(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    seconds = answers(httpserver, "/seconds", status(429, **{"Retry-After": "1"}), OK)
    dated: list[float] = []

    def in_two_seconds(request: Request) -> Response:
        dated.append(time.monotonic())
        date = email.utils.formatdate(time.time() + 2, usegmt=True)  # whole seconds: 1-2 s
        return status(503, **{"Retry-After": date}) if len(dated) == 1 else OK

    httpserver.expect_request("/dated").respond_with_handler(in_two_seconds)
    result = run(
        pytester,
        httpserver,
        "--seeds-retries=1",
        NO_BACKOFF,
        a_seconds=step("GET", "/seconds"),
        b_dated=step("GET", "/dated"),
    )
    result.assert_outcomes(passed=2)
    assert seconds[1] - seconds[0] >= 0.95
    assert dated[1] - dated[0] >= 0.9


def test_a_long_retry_after_is_cut_to_the_cap(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    arrivals = answers(httpserver, "/later", status(429, **{"Retry-After": "3600"}), OK)
    result = run(pytester, httpserver, "--seeds-max-retry-after=0.1", later=step("GET", "/later"))
    result.assert_outcomes(passed=1)
    assert len(arrivals) == 2


def test_retry_after_cap_and_unreadable_values() -> None:
    retry = SeedRetry.from_policy(RetryPolicy(max_retry_after=5), RateLimiter())
    assert retry.get_retry_after(status(429, **{"Retry-After": "3600"})) == 5
    assert retry.get_retry_after(status(429, **{"Retry-After": "2"})) == 2
    assert retry.get_retry_after(status(429, **{"Retry-After": "soon"})) is None
    assert retry.get_retry_after(status(429)) is None


def test_backoff_grows_exponentially_with_jitter() -> None:
    retry = SeedRetry.from_policy(RetryPolicy(retries=5, backoff=0.5), RateLimiter())
    waits = []
    for _ in range(4):
        retry = retry.increment("GET", "/x", response=None, error=None)
        waits.append(retry.get_backoff_time())
    for n, wait in enumerate(waits, start=1):
        assert 0.5 * 2 ** (n - 1) <= wait <= 0.5 * 2 ** (n - 1) + 0.5


# --- rate limit ---------------------------------------------------------------------------------


def test_rate_limiter_spaces_requests() -> None:
    clock = FakeClock()
    limiter = RateLimiter(4, clock=lambda: clock.now, sleep=clock.sleep)
    for _ in range(4):
        limiter.wait()
    assert clock.slept == [0.25, 0.25, 0.25]
    clock.now += 10  # idle time does not build up a burst
    limiter.wait()
    limiter.wait()
    assert clock.slept[-1] == 0.25


def test_no_rate_means_no_waiting() -> None:
    clock = FakeClock()
    limiter = RateLimiter(0, clock=lambda: clock.now, sleep=clock.sleep)
    for _ in range(5):
        assert limiter.wait() == 0
    assert clock.slept == []


def test_each_xdist_worker_gets_an_equal_share() -> None:
    assert worker_share(10, {}) == 10
    assert worker_share(10, {"PYTEST_XDIST_WORKER_COUNT": "4"}) == 2.5
    assert worker_share(0, {"PYTEST_XDIST_WORKER_COUNT": "4"}) == 0


def test_every_attempt_waits_for_the_rate_limiter(httpserver: HTTPServer) -> None:
    answers(httpserver, "/busy", status(503), OK)
    httpserver.expect_request("/moved").respond_with_response(
        Response(status=302, headers={"Location": "/busy"})
    )
    client = Client(5, RetryPolicy(retries=1, backoff=0))
    calls: list[int] = []
    real_wait = client.limiter.wait
    client.limiter.wait = lambda: calls.append(1) or real_wait()  # type: ignore[method-assign]
    response, _ = client.send(SeedRequest("GET", httpserver.url_for("/moved")))
    client.close()
    assert response.status == 200
    assert response.notes == ("retried 1x: 503",)
    assert len(calls) == 3  # /moved, /busy (503), /busy again


@pytest.mark.parametrize(
    ("xdist", "kind"), [([], "RateLimiter"), (["-n", "2"], "SharedRateLimiter")]
)
def test_the_whole_rate_is_shared_by_the_xdist_workers(
    pytester: pytest.Pytester, xdist: list[str], kind: str
) -> None:
    """Each process books its requests in the run's one schedule (tests/test_shared_rate.py)."""
    pytester.makepyfile(
        test_rate=f"""
        import pytest

        @pytest.mark.parametrize("n", [1, 2])
        def test_share(seeds_client, n):
            assert type(seeds_client.limiter).__name__ == "{kind}"
            assert seeds_client.limiter.per_second == 10
        """
    )
    runpytest(pytester, "--seeds-rate=10", *xdist, subprocess=bool(xdist)).assert_outcomes(passed=2)
