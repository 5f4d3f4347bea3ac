"""A limit on requests per second, for one process or for every process of a run.

Requests are spaced at least ``1 / rate`` seconds apart (no bursts), from the first one on.
In one process :class:`RateLimiter` keeps the next free slot in memory. The pytest-xdist
workers of a run keep it in one small file instead (:class:`SharedRateLimiter`): each
request locks the file, books the next free slot, and sleeps until it after unlocking,
so the run as a whole never goes faster than the rate, whatever the number of workers.
A run split over N machines (shards) gives each shard ``rate / N`` (:func:`shard_share`).
"""

from __future__ import annotations

import os
import struct
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_seeds.http.lazy import LazyModule

if TYPE_CHECKING:
    import portalocker
else:  # imported by the first shared limiter: only xdist runs with --seeds-rate need it
    portalocker = LazyModule("portalocker")

_SLOT = struct.Struct("<d")  # the next free slot, a time.monotonic() value


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
            now, start = self._book()
        delay = start - now
        if delay > 0:
            self._sleep(delay)
        return delay

    def close(self) -> None:
        """Let go of what the limiter holds (nothing here)."""

    def _book(self) -> tuple[float, float]:
        """Take the next free slot: (now, the slot's time)."""
        now = self._clock()
        start = max(now, self._next)
        self._next = start + self.interval
        return now, start


class SharedRateLimiter(RateLimiter):
    """A :class:`RateLimiter` whose slots are shared by every process using ``path``.

    The file holds the next free slot. Booking one locks the file (portalocker: ``flock``,
    or ``LockFileEx`` on Windows; a blocking lock, no polling), reads and rewrites its 8
    bytes, and unlocks it: 10-20 µs a request. Slots are ``time.monotonic()`` values,
    one clock for every process of a machine (the xdist workers of a run are on the
    controller's machine, where the file is).
    """

    def __init__(
        self,
        per_second: float,
        path: Path,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(per_second, clock, sleep)
        self.path = path
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0)
        self._file = os.fdopen(os.open(path, flags, 0o600), "r+b", buffering=0)

    def close(self) -> None:
        self._file.close()

    def _book(self) -> tuple[float, float]:
        portalocker.lock(self._file, portalocker.LOCK_EX)
        try:
            self._file.seek(0)
            data = self._file.read(_SLOT.size)
            booked = _SLOT.unpack(data)[0] if len(data) == _SLOT.size else float("-inf")
            now = self._clock()  # read under the lock: no one books in between
            start = max(now, booked)
            self._file.seek(0)
            self._file.write(_SLOT.pack(start + self.interval))
        finally:
            portalocker.unlock(self._file)
        return now, start


def worker_share(rate: float, environ: Mapping[str, str]) -> float:
    """An equal share of a run's rate, ``rate / PYTEST_XDIST_WORKER_COUNT``: for a worker
    that cannot reach the run's shared schedule (started on another machine)."""
    try:
        workers = int(environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)
    except ValueError:
        workers = 1
    return rate / max(workers, 1)


def shard_share(rate: float, shards: int) -> float:
    """A shard's share of a run's rate, ``rate / shards``: the shards of a run are separate
    processes on separate machines, each with its own schedule, so each keeps to its part."""
    return rate / max(shards, 1)
