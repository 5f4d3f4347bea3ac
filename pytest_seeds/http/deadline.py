"""A deadline over a whole HTTP exchange, held on every socket operation.

requests and urllib3 apply a timeout to each socket operation: a server that sends one
byte a second never trips a 2 s timeout, and an answer can take as long as the server
likes. Here each *attempt* of a request (connecting, sending, the status line and headers,
the whole body, the redirects it follows) must end within ``timeout`` seconds: before each
connect, send and read, the socket's timeout is set to the time the attempt has left, and
an operation that runs out of it raises :class:`DeadlineExceeded`, which says how far the
answer got. A whole request, all attempts, must also end within a step limit; the waits
between attempts and for the rate limiter pause both clocks (they are bounded on their own).

The clock is per thread (a client sends one request at a time per thread): the
connection classes below, which urllib3 builds, read it without any plumbing.
:func:`bounded` starts it for one request, :func:`next_attempt` restarts the attempt.
"""

from __future__ import annotations

import http.client
import io
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class _Clock(threading.local):
    """The deadlines of the request this thread is sending (``None``: no limit)."""

    timeout: float = 0.0
    step_limit: float = 0.0
    attempt_end: float | None = None
    step_end: float | None = None
    hops: int = 0  # requests sent in this attempt: 1 + redirects followed


_clock = _Clock()


class DeadlineExceeded(TimeoutError):
    """An attempt, or the whole request, ran out of time; how far the exchange got."""

    def __init__(self, phase: str, reader: _Reader | None = None) -> None:
        now = time.monotonic()
        step_bound = _clock.step_end is not None and (
            _clock.attempt_end is None or _clock.step_end < _clock.attempt_end
        )
        self.phase = "body" if reader is not None and reader.head_size is not None else phase
        self.limit = _clock.step_limit if step_bound else _clock.timeout
        self.step_bound = step_bound
        self.timeout = _clock.timeout
        self.redirects = max(_clock.hops - 1, 0)
        self.received = 0
        self.silent_for = 0.0
        self.status: int | None = None
        self.length: str | None = None
        self.chunked = False
        if reader is not None:
            self.received = reader.count - (reader.head_size or 0)
            self.silent_for = now - reader.last
            self.status, self.length, self.chunked = reader.status, reader.length, reader.chunked
        super().__init__(f"the {self.phase} did not finish within {self.limit:g} s")


def remaining() -> float | None:
    """Seconds the current attempt has left (``None``: no deadline)."""
    ends = [end for end in (_clock.attempt_end, _clock.step_end) if end is not None]
    return min(ends) - time.monotonic() if ends else None


@contextmanager
def bounded(timeout: float, attempts: int) -> Iterator[None]:
    """Deadlines for one request: ``timeout`` per attempt, ``attempts * timeout`` in all."""
    if not timeout:
        yield
        return
    now = time.monotonic()
    _clock.timeout, _clock.step_limit = timeout, timeout * attempts
    _clock.attempt_end, _clock.step_end = now + timeout, now + timeout * attempts
    _clock.hops = 0
    try:
        yield
    finally:
        _clock.attempt_end = _clock.step_end = None


def pause(seconds: float) -> None:
    """Move both deadlines by a wait that is bounded on its own (rate limit, retry wait)."""
    if seconds > 0 and _clock.attempt_end is not None and _clock.step_end is not None:
        _clock.attempt_end += seconds
        _clock.step_end += seconds


def next_attempt(sent: int = 0) -> None:
    """A retry starts: the attempt has its whole timeout again; ``sent`` requests so far."""
    if _clock.attempt_end is not None:
        _clock.attempt_end = time.monotonic() + _clock.timeout
        _clock.hops = sent


def hop() -> None:
    """One more request of this attempt goes out (the first, or a redirect followed)."""
    _clock.hops += 1


def _left(phase: str, reader: _Reader | None = None) -> float | None:
    """The socket timeout for the next operation; raises when nothing is left."""
    left = remaining()
    if left is not None and left <= 0:
        raise DeadlineExceeded(phase, reader)
    return left


def exceeded_in(error: BaseException | None) -> DeadlineExceeded | None:
    """The :class:`DeadlineExceeded` somewhere in an exception and what it wraps."""
    todo: list[object] = [error]
    seen = 0
    while todo and seen < 32:
        item = todo.pop(0)
        if not isinstance(item, BaseException):
            continue
        if isinstance(item, DeadlineExceeded):
            return item
        seen += 1
        todo += [getattr(item, "reason", None), item.__cause__, item.__context__, *item.args]
    return None


class _Reader(io.RawIOBase):
    """The socket stream of one response, each read bounded by the deadline and counted."""

    def __init__(self, raw: io.RawIOBase, sock: socket.socket) -> None:
        super().__init__()
        self.raw, self.sock = raw, sock
        self.count = 0
        self.last = time.monotonic()
        self.head_size: int | None = None  # bytes of the status line and headers, once read
        self.status: int | None = None
        self.length: str | None = None
        self.chunked = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        left = _left("head", self)
        if left is not None:
            self.sock.settimeout(left)
        try:
            size = self.raw.readinto(buffer)
        except TimeoutError:
            if left is not None and (remaining() or 0) <= 0.001:
                raise DeadlineExceeded("head", self) from None
            raise
        if size:
            self.count += size
            self.last = time.monotonic()
        return size

    def tell(self) -> int:
        return self.count

    def fileno(self) -> int:
        return self.raw.fileno()

    def close(self) -> None:
        self.raw.close()
        super().close()


class _Response(http.client.HTTPResponse):
    """``http.client``'s response reading through a :class:`_Reader`."""

    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        self.reader = _Reader(self.fp.detach(), sock)
        self.fp = io.BufferedReader(self.reader)

    def begin(self) -> None:
        super().begin()
        reader = self.reader
        reader.head_size = self.fp.tell()  # what the headers took; the rest is body
        reader.status, reader.chunked = self.status, bool(self.chunked)
        reader.length = self.getheader("Content-Length")


class _Bounded:
    """Connecting and sending within the deadline (mixed into urllib3's connections)."""

    sock: Any
    timeout: Any
    response_class: type[http.client.HTTPResponse] = _Response

    def _new_conn(self) -> socket.socket:
        left = _left("connect")
        if left is not None:
            self.timeout = left if self.timeout is None else min(self.timeout, left)
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        left = _left("connect")  # what the TLS handshake has left, if any
        if left is not None:
            sock.settimeout(left)
        return sock

    def connect(self) -> None:
        try:
            super().connect()  # type: ignore[misc]
        except TimeoutError as error:  # the TLS handshake (a TCP connect times out otherwise)
            if remaining() is not None and not isinstance(error, DeadlineExceeded):
                raise DeadlineExceeded("tls") from error
            raise

    def send(self, data: Any) -> None:
        left = _left("send")
        if left is not None and self.sock is not None:
            self.sock.settimeout(left)
        try:
            super().send(data)  # type: ignore[misc]
        except TimeoutError:
            if left is not None:
                raise DeadlineExceeded("send") from None
            raise


def _pool_classes() -> dict[str, type]:
    """urllib3's connection pools whose connections keep the deadline (urllib3 imported here).

    Built on first use (``POOL_CLASSES``, read when a Client is made): importing this module
    to read the clock or :class:`DeadlineExceeded` does not import urllib3.
    """
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class BoundedHTTPConnection(_Bounded, HTTPConnection):
        """urllib3's HTTP connection, each operation within the deadline."""

    class BoundedHTTPSConnection(_Bounded, HTTPSConnection):
        """urllib3's HTTPS connection, each operation within the deadline."""

    class BoundedHTTPConnectionPool(HTTPConnectionPool):
        ConnectionCls = BoundedHTTPConnection

    class BoundedHTTPSConnectionPool(HTTPSConnectionPool):
        ConnectionCls = BoundedHTTPSConnection

    return {"http": BoundedHTTPConnectionPool, "https": BoundedHTTPSConnectionPool}


_POOLS: list[tuple[object, dict[str, type]]] = []  # (the urllib3 they were built on, classes)


def __getattr__(name: str) -> Any:
    if name == "POOL_CLASSES":
        import urllib3.connectionpool

        with _POOLS_LOCK:  # a new urllib3 after sys.modules was restored gets its own
            if not _POOLS or _POOLS[0][0] is not urllib3.connectionpool:
                _POOLS[:] = [(urllib3.connectionpool, _pool_classes())]
            return _POOLS[0][1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_POOLS_LOCK = threading.Lock()
