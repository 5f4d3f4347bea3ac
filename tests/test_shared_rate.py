"""``--seeds-rate R`` holds for the whole run from its first request, across xdist workers.

Checked where it matters, at the server: a local server notes when each request arrives,
and no one-second window may hold more than R + 1 of them (R + 1: requests exactly 1/R
apart put one at each end of a window). This is a correctness check on the server's
timestamps, not a benchmark.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pytest_seeds.http.ratelimit import RateLimiter, SharedRateLimiter
from tests.helpers import FakeClock, run_seeds, seed_doc, wire_args

RATE = 5


def busiest_second(arrivals: list[float]) -> int:
    """The most requests that arrived within any one second (both ends included)."""
    times = sorted(arrivals)
    return max(sum(1 for t in times[i:] if t - start <= 1.0) for i, start in enumerate(times))


@pytest.mark.parametrize("xdist", [["-n", "4"], []], ids=["four workers", "one process"])
def test_no_second_holds_more_than_the_rate_at_the_server(
    pytester: pytest.Pytester, httpserver: HTTPServer, tokens: dict, xdist: list[str]
) -> None:
    arrivals: list[float] = []

    def note(request: Request) -> Response:
        arrivals.append(time.monotonic())
        return Response("{}", content_type="application/json")

    httpserver.expect_request(re.compile("/rate/.*")).respond_with_handler(note)
    count = 16 if xdist else 8
    for number in range(count):
        pytester.makefile(
            ".md",
            **{
                f"rate_{number:02}": seed_doc(
                    f"GET /rate/{number}", f"- {{id: call, method: GET, path: /rate/{number}}}"
                )
            },
        )
    result = run_seeds(
        pytester, *wire_args(httpserver), f"--seeds-rate={RATE}", *xdist, subprocess=True
    )
    result.assert_outcomes(passed=count)
    assert len(arrivals) == count
    assert busiest_second(arrivals) <= RATE + 1, sorted(t - min(arrivals) for t in arrivals)


def test_limiters_sharing_a_schedule_file_space_all_their_requests(tmp_path: Path) -> None:
    """Two limiters on one file behave as one: as two xdist workers of a run do."""
    clock = FakeClock()
    schedule = tmp_path / "schedule"
    first, second = (
        SharedRateLimiter(4, schedule, clock=lambda: clock.now, sleep=clock.sleep) for _ in range(2)
    )
    assert first.wait() == 0  # the run's first request goes at once
    assert second.wait() == 0.25  # not a burst: the other process's request took the slot
    first.wait()
    second.wait()
    assert clock.slept == [0.25, 0.25, 0.25]
    clock.now += 10  # idle time does not build up a burst
    first.wait()
    second.wait()
    assert clock.slept[3:] == [0.25]
    first.close()
    second.close()


def test_separate_limiters_would_each_start_at_once() -> None:
    """What the shared schedule is for: per-process limiters let every process start at once."""
    clock = FakeClock()
    limiters = [RateLimiter(4, clock=lambda: clock.now, sleep=clock.sleep) for _ in range(2)]
    assert [limiter.wait() for limiter in limiters] == [0, 0]
