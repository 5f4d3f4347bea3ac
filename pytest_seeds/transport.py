"""Sending one rendered request with requests, and keeping what came back."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

MAX_BODY_BYTES = 16 * 1024 * 1024
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_NOT_JSON = object()


@dataclass(frozen=True)
class Upload:
    """A file to send in a multipart request."""

    field_name: str
    path: Path
    filename: str


@dataclass
class Request:
    """A request ready to send: every template rendered."""

    method: str
    url: str
    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    form: dict[str, str] | None = None
    files: tuple[Upload, ...] = ()

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
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                raise ValueError(f"the body is not JSON ({error})") from None
        return self._json


class TransportError(Exception):
    """The request could not be completed: no answer to check."""


class Client:
    """A requests session shared by the seeds of one process."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = True

    def close(self) -> None:
        self.session.close()

    def send(self, request: Request) -> tuple[Response, float]:
        """Send a request; the response and the seconds it took. Raises TransportError."""
        started = time.perf_counter()
        handles = []
        try:
            files = None
            if request.files:
                handles = [upload.path.open("rb") for upload in request.files]
                files = [
                    (upload.field_name, (upload.filename, handle))
                    for upload, handle in zip(request.files, handles, strict=True)
                ]
            with self.session.request(
                request.method,
                request.url,
                params=request.params or None,
                headers=request.headers,
                json=request.json if request.has_json else None,
                data=request.form if request.form is not None else None,
                files=files,
                timeout=self.timeout or None,
                allow_redirects=True,
                stream=True,
            ) as raw:
                content, truncated = _read_bounded(raw)
                response = Response(
                    status=raw.status_code,
                    headers=dict(raw.headers),
                    content=content,
                    truncated=truncated,
                    url=raw.url,
                )
        except requests.RequestException as error:
            raise TransportError(describe_error(error, self.timeout)) from None
        finally:
            for handle in handles:
                handle.close()
        return response, time.perf_counter() - started


def _read_bounded(raw: requests.Response) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    for chunk in raw.iter_content(chunk_size=65536):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return b"".join(chunks)[:MAX_BODY_BYTES], True
    return b"".join(chunks), False


def describe_error(error: requests.RequestException, timeout: float) -> str:
    """One sentence on what went wrong on the wire, and what to try."""
    text = str(error)
    if isinstance(error, requests.exceptions.SSLError):
        return f"TLS handshake failed ({_short(text)}); is the URL https:// to a plain-HTTP port?"
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return f"no connection within {timeout:g} s; is the host reachable?"
    if isinstance(error, requests.exceptions.ReadTimeout | requests.exceptions.Timeout):
        return f"no response within {timeout:g} s (--seeds-timeout); the server accepted but did not answer"
    if isinstance(error, requests.exceptions.TooManyRedirects):
        return "too many redirects (a redirect loop?)"
    if isinstance(error, requests.exceptions.ConnectionError):
        if (
            "Name or service not known" in text
            or "NameResolutionError" in text
            or "getaddrinfo" in text
        ):
            return "the host name does not resolve; check the base URL"
        if "Connection refused" in text or "Errno 111" in text:
            return "connection refused; is the server running and the base URL right?"
        return f"connection failed ({_short(text)})"
    return f"request failed ({_short(text)})"


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
