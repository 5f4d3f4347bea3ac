"""Retrying requests with urllib3's ``Retry``, mounted on the requests session.

What is retried (the numbers come from the settings, see :class:`RetryPolicy`):

* a 429 answer, up to ``retries_429`` times (3 by default), waiting as its
  ``Retry-After`` asks but never longer than ``max_retry_after`` seconds;
* a failed connection (the request never reached the server), for every method;
* a timeout or a dropped connection after the request was sent (also while the
  body arrives: see :meth:`SeedRetry.retry_body`), and a 502, 503 or 504 answer,
  for idempotent methods only: a POST or PATCH may already have been applied, so
  it is repeated only with ``unsafe``. 429 follows the same rule: it reached the server.

The budgets are per request, redirects included: at most ``retries`` retries for
all the causes of the second and third kind together, and ``retries_429`` for 429,
so a request makes at most ``1 + retries + retries_429`` attempts.

Between attempts: the ``Retry-After`` of the answer when it has one, else
exponential backoff with jitter, ``backoff * 2**(n-1) + uniform(0, backoff)``
before the n-th retry; either is cut to ``max_retry_after``. Each attempt waits
for the rate limiter too; the waits pause the attempt's deadline
(:mod:`pytest_seeds.http.deadline`). The cause of every retried attempt is
recorded, so that the step transcript can show it.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3 import exceptions as u3
from urllib3.util.retry import RequestHistory, Retry

from pytest_seeds.http import deadline
from pytest_seeds.http.ratelimit import RateLimiter

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
SERVER_BUSY = frozenset({502, 503, 504})
TOO_MANY = 429


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently failed requests are tried again."""

    retries: int = 0
    retries_429: int = 3
    max_retry_after: float = 60.0
    backoff: float = 0.5
    unsafe: bool = False


class _Causes(threading.local):
    """The causes of the retries of the request this thread is sending."""

    current: list[str] | None = None


class SeedRetry(Retry):
    """urllib3's Retry with separate budgets for 429 and 5xx, and a record of each retry."""

    def __init__(
        self,
        *args: Any,
        policy: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        causes: _Causes | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.policy = policy or RetryPolicy()
        self.limiter = limiter or RateLimiter()
        self.causes = causes or _Causes()

    @classmethod
    def from_policy(cls, policy: RetryPolicy, limiter: RateLimiter) -> SeedRetry:
        """The Retry for a policy; its status budgets are checked in :meth:`is_retry`."""
        return cls(
            total=None,
            connect=policy.retries,
            read=policy.retries,
            status=None,
            other=0,
            redirect=None,
            allowed_methods=None if policy.unsafe else IDEMPOTENT_METHODS,
            backoff_factor=policy.backoff,
            backoff_jitter=policy.backoff,
            backoff_max=policy.max_retry_after,
            respect_retry_after_header=True,
            raise_on_status=False,
            policy=policy,
            limiter=limiter,
        )

    def new(self, **kw: Any) -> SeedRetry:
        return super().new(policy=self.policy, limiter=self.limiter, causes=self.causes, **kw)

    @property
    def causes_so_far(self) -> list[str]:
        """The causes of the retries of this request so far (all its redirects)."""
        if self.causes.current is not None:
            return self.causes.current
        return [cause(entry) for entry in self.history]

    def _left(self, status: int | None) -> int:
        """Retries left in the budget of a cause: 429, or everything else."""
        spent = self.causes_so_far
        limited = sum(1 for entry in spent if entry == str(TOO_MANY))
        if status == TOO_MANY:
            return self.policy.retries_429 - limited
        return self.policy.retries - (len(spent) - limited)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code != TOO_MANY and status_code not in SERVER_BUSY:
            return False
        return self._is_method_retryable(method) and self._left(status_code) > 0

    def get_retry_after(self, response: Any) -> float | None:
        try:
            seconds = super().get_retry_after(response)
        except u3.InvalidHeader:  # neither seconds nor an HTTP date: back off instead
            return None
        return None if seconds is None else min(seconds, self.policy.max_retry_after)

    def sleep_for_retry(self, response: Any) -> bool:
        seconds = self.get_retry_after(response)
        if seconds is None:
            return False
        time.sleep(seconds)  # also "Retry-After: 0", which urllib3 would turn into a backoff
        return True

    def get_backoff_time(self) -> float:
        retries = len(self.causes_so_far)
        if not retries or self.backoff_factor <= 0:
            return 0.0
        wait: float = self.backoff_factor * 2 ** (retries - 1)
        wait += random.uniform(0, self.backoff_jitter)
        return min(self.backoff_max, wait)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> SeedRetry:
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        entry = retry.history[-1]
        if error is not None and self._left(entry.status) <= 0:  # the request's budget is spent
            raise u3.MaxRetryError(_pool, url or "", error) from error
        if self.causes.current is not None:
            self.causes.current.append(cause(entry))
        return retry

    def sleep(self, response: Any = None) -> None:
        started = time.monotonic()
        super().sleep(response)
        self.limiter.wait()
        deadline.pause(time.monotonic() - started)
        deadline.next_attempt(sent=1)

    def retry_body(self, method: str, label: str) -> bool:
        """Whether to send a request again whose answer's body did not arrive whole (it timed
        out, or the connection dropped); waits the backoff first. ``label`` is the cause."""
        if self.causes.current is None or not self._is_method_retryable(method):
            return False
        if self._left(None) <= 0:
            return False
        self.causes.current.append(label)
        wait = self.get_backoff_time()
        if wait > 0:
            time.sleep(wait)
        deadline.pause(wait)
        deadline.next_attempt()
        return True

    @contextmanager
    def recording(self) -> Iterator[list[str]]:
        """Collect the causes of the retries of one request sent by this thread."""
        found: list[str] = []
        self.causes.current = found
        try:
            yield found
        finally:
            self.causes.current = None


class LimitedAdapter(HTTPAdapter):
    """The session's adapter: retries per :class:`SeedRetry`, each request rate-limited."""

    def __init__(self, retry: SeedRetry) -> None:
        super().__init__(max_retries=retry)
        self.limiter = retry.limiter

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = deadline.POOL_CLASSES

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = deadline.POOL_CLASSES
        return manager

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        deadline.pause(self.limiter.wait())
        deadline.hop()
        return super().send(request, *args, **kwargs)


def cause(entry: RequestHistory) -> str:
    """A retried attempt in a word or two: ``503``, ``no connection``, ``read timeout``."""
    if entry.status:
        return str(entry.status)
    error = entry.error
    late = deadline.exceeded_in(error)
    if late is not None:
        return {"send": "send timeout", "tls": "TLS timeout"}.get(late.phase, "read timeout")
    if isinstance(error, u3.NewConnectionError):
        return "no connection"
    if isinstance(error, u3.ConnectTimeoutError):
        return "connect timeout"
    if isinstance(error, u3.ReadTimeoutError):
        return "read timeout"
    if isinstance(error, u3.ProtocolError):
        return "connection dropped"
    return type(error).__name__ if error is not None else "unknown"


def retry_note(causes: list[str] | tuple[str, ...]) -> str:
    """``retried 2x: 503, 503``."""
    return f"retried {len(causes)}x: {', '.join(causes)}"
