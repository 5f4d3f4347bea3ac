"""A thread-safe limit on requests per second, shared by everything one process sends.

Requests are spaced at least ``1 / rate`` seconds apart (no bursts). Under
pytest-xdist each worker is a process of its own, so each gets an equal share
of the run's rate (:func:`worker_share`) and the run as a whole stays within it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping


class RateLimiter:
    """Spaces calls of :meth:`wait` at least ``1 / per_second`` apart; 0 means no limit."""

    def __init__(
        self,
        per_second: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_second = per_second
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next = float("-inf")
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Block until the next request may go; the seconds waited."""
        if not self.interval:
            return 0.0
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        delay = start - now
        if delay > 0:
            self._sleep(delay)
        return delay


def worker_share(rate: float, environ: Mapping[str, str]) -> float:
    """This process's share of a run's rate: ``rate / PYTEST_XDIST_WORKER_COUNT``."""
    try:
        workers = int(environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)
    except ValueError:
        workers = 1
    return rate / max(workers, 1)
