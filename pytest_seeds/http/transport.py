"""Sending one rendered request with requests, and keeping what came back."""

from __future__ import annotations

import json
import mimetypes
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pytest_seeds.http import deadline
from pytest_seeds.http.faults import body_retry_cause, describe_body_error, describe_error
from pytest_seeds.http.lazy import LazyModule
from pytest_seeds.http.ratelimit import RateLimiter
from pytest_seeds.secrets.secret import Secret, Text, reveal, reveal_text, secrets_in

if TYPE_CHECKING:
    import requests

    from pytest_seeds.http.retries import RetryPolicy
else:  # requests (and urllib3) are imported by the first Client, when a seed runs
    requests = LazyModule("requests")

MAX_BODY_BYTES = 16 * 1024 * 1024
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_NOT_JSON = object()
# Python's own table only: the same on every machine (mimetypes.guess_type also reads
# /etc/mime.types and the Windows registry, which differ from one machine to the next)
_MIME_TYPES = mimetypes.MimeTypes()
_COMPRESSED = {"gzip": "application/gzip", "bzip2": "application/x-bzip2", "xz": "application/x-xz"}


@dataclass(frozen=True)
class Upload:
    """A file to send in a multipart request."""

    field_name: str
    path: Path
    filename: Text

    @property
    def content_type(self) -> str:
        """The part's Content-Type: guessed from the file name sent, else from the file's own
        name, else ``application/octet-stream`` (RFC 7578); a ``.gz`` file is gzip data."""
        for name in (str(reveal_text(self.filename)), self.path.name):
            kind, encoding = _MIME_TYPES.guess_type(name, strict=False)
            if encoding:
                return _COMPRESSED.get(encoding, "application/octet-stream")
            if kind:
                return kind
        return "application/octet-stream"


@dataclass
class Request:
    """A request ready to send: every template rendered, secret values still Secrets."""

    method: str
    url: Text
    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, Text] = field(default_factory=dict)
    json: Any = None
    form: dict[str, Text] | None = None
    files: tuple[Upload, ...] = ()
    # the URL with its query as the transport put it on the wire (set when sent): a Secret
    # when a secret is in it
    sent_url: Text = field(default="", repr=False, compare=False)

    @property
    def has_json(self) -> bool:
        return self.json is not None and self.method in BODY_METHODS and self.form is None


@dataclass
class Response:
    """What the server answered; the body is bounded to ``MAX_BODY_BYTES``."""

    status: int
    headers: dict[str, str]
    content: bytes
    truncated: bool = False
    url: str = ""
    notes: tuple[str, ...] = ()
    _json: Any = field(default=_NOT_JSON, repr=False)

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not JSON."""
        if self._json is _NOT_JSON:
            if self.truncated:
                raise ValueError(f"the body is larger than {MAX_BODY_BYTES} bytes and was cut")
            if not self.content.strip():
                raise ValueError("the body is empty")
            try:
                self._json = json.loads(self.content)
            except UnicodeDecodeError as error:
                bad = error.object[error.start : error.start + 1].hex()
                raise ValueError(
                    f"the body is not UTF-8 text (byte 0x{bad} at {error.start}), so not JSON"
                ) from None
            except json.JSONDecodeError as error:
                kind = self.headers.get("Content-Type") or self.headers.get("content-type")
                said = f" although its Content-Type is {kind}" if kind else ""
                raise ValueError(f"the body is not JSON{said} ({error})") from None
            except RecursionError:
                raise ValueError("the body is JSON nested too deeply to read") from None
        return self._json


class TransportError(Exception):
    """The request could not be completed: no answer to check."""

    def __init__(self, message: str, notes: tuple[str, ...] = (), seconds: float = 0.0) -> None:
        super().__init__(message)
        self.notes = notes
        self.seconds = seconds


class _BodyFailed(Exception):
    """The answer's body did not arrive whole; ``cause`` names a retryable failure."""

    def __init__(self, message: str, cause: str | None) -> None:
        super().__init__(message)
        self.cause = cause


class Client:
    """A requests session shared by the seeds of one process: retries, rate limit, timeout."""

    def __init__(
        self,
        timeout: float,
        retry: RetryPolicy | None = None,
        rate: float = 0.0,
        limiter: RateLimiter | None = None,  # shared by processes: overrides ``rate``
    ) -> None:
        from pytest_seeds.http.retries import LimitedAdapter, RetryPolicy, SeedRetry

        self.timeout = timeout
        policy = retry or RetryPolicy()
        self.attempts = 1 + policy.retries + policy.retries_429  # at most, per request
        self.session = requests.Session()
        self.session.trust_env = True
        self._host_settings: dict[tuple[str, str], Mapping[str, Any]] = {}
        self.limiter = limiter or RateLimiter(rate)
        self.retry = SeedRetry.from_policy(policy, self.limiter)
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, LimitedAdapter(self.retry))

    def close(self) -> None:
        self.session.close()

    def send(self, request: Request) -> tuple[Response, float]:
        """Send a request; the response and the seconds it took. Raises TransportError.

        Each attempt, redirects included, ends within the timeout (:mod:`.deadline`); a
        request makes at most :attr:`attempts` attempts, with bounded waits between them.
        """
        from pytest_seeds.http.retries import retry_note

        started = time.perf_counter()
        with self.retry.recording() as retried, deadline.bounded(self.timeout, self.attempts):
            while True:
                handles: list[Any] = []
                try:
                    response = self._send(request, handles)
                    break
                except _BodyFailed as failed:
                    if failed.cause and self.retry.retry_body(request.method, failed.cause):
                        continue
                    message = str(failed)
                except (OSError, ValueError, TypeError) as error:  # requests' errors are OSErrors
                    message = describe_error(error, self.timeout, str(request.url))
                finally:
                    for handle in handles:
                        handle.close()
                notes = (retry_note(retried),) if retried else ()
                raise TransportError(message, notes, time.perf_counter() - started)
        if retried:
            response.notes = (retry_note(retried),)
        return response, time.perf_counter() - started

    def _send(self, request: Request, handles: list[Any]) -> Response:
        files = None
        if request.files:
            handles += [upload.path.open("rb") for upload in request.files]
            files = [
                (upload.field_name, (reveal_text(upload.filename), handle, upload.content_type))
                for upload, handle in zip(request.files, handles, strict=True)
            ]
        prepared = self.session.prepare_request(
            requests.Request(  # the one place secret values are handed to requests
                request.method,
                reveal_text(request.url),
                params=reveal(request.params) or {},
                headers=reveal(request.headers),
                json=reveal(request.json) if request.has_json else None,
                data=reveal(request.form) or {},
                files=files,
            )
        )
        parts = tuple(secrets_in([request.url, request.params]))
        sent = prepared.url or ""
        request.sent_url = Secret(sent, parts=parts) if parts else sent
        with self.session.send(
            prepared, timeout=self.timeout or None, allow_redirects=True, **self._settings(prepared)
        ) as raw:
            content, truncated = self._read_bounded(raw)
            return Response(
                status=raw.status_code,
                headers=dict(raw.headers),
                content=content,
                truncated=truncated,
                url=raw.url,
            )

    def _settings(self, prepared: requests.PreparedRequest) -> dict[str, Any]:
        """Proxies, CA bundle and client certificate for a request, read once per host.

        ``Session.request`` reads them from the environment on every call (about
        0.1 ms with a few dozen variables); they do not change during a run.
        """
        url = prepared.url or ""
        key = urlsplit(url)[:2]
        if key not in self._host_settings:
            merged = self.session.merge_environment_settings(url, {}, True, None, None)
            self._host_settings[key] = merged
        settings = self._host_settings[key]
        return {**settings, "proxies": dict(settings["proxies"])}

    def _read_bounded(self, raw: requests.Response) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in raw.iter_content(chunk_size=65536):
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    return b"".join(chunks)[:MAX_BODY_BYTES], True
        except requests.RequestException as error:
            length = raw.headers.get("Content-Length")
            message = describe_body_error(error, raw.status_code, length, self.timeout)
            raise _BodyFailed(message, body_retry_cause(error)) from None
        return b"".join(chunks), False
