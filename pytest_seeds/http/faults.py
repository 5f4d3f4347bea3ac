"""What went wrong on the wire, said in one sentence with something to try.

The exceptions of requests, urllib3, ``http.client`` and ``ssl`` wrap each other
several levels deep; :func:`describe_error` walks that chain and names the
fault a person can act on (refused, unresolved host, timeout, not HTTP, TLS to a
plain port, redirect loop...). :func:`status_hint` adds the same kind of advice
to an unexpected 429 or 5xx status.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

import requests
from urllib3 import exceptions as u3

UNSAFE_METHODS = frozenset({"POST", "PATCH"})
_PLAIN_PORT_SIGNS = ("WRONG_VERSION_NUMBER", "record layer failure", "packet length too long")


def describe_error(error: BaseException, timeout: float, url: str = "") -> str:
    """One sentence on a request that got no usable answer, and what to try."""
    where = _where(url)
    chain = list(_chain(error))
    if isinstance(error, OSError) and getattr(error, "filename", None):
        return f"cannot read the upload file {error.filename}: {error.strerror}"
    if isinstance(error, requests.exceptions.TooManyRedirects):
        last = error.response.headers.get("Location", "?") if error.response is not None else "?"
        return (
            f"more than 30 redirects (the last one to {last}): a redirect loop; check the base "
            "URL (http:// or https://, a trailing slash) and that the token is accepted"
        )
    if _find(chain, u3.NameResolutionError, socket.gaierror):
        host = urlsplit(url).hostname or "?"
        return (
            f"the host name '{host}' does not resolve: check the base URL for typos, and your "
            "DNS or proxy settings (HTTP_PROXY, HTTPS_PROXY, NO_PROXY)"
        )
    if _find(chain, ConnectionRefusedError):
        return (
            f"connection refused by {where}: nothing listens there; is the server running, "
            "and are the host and port of the base URL right?"
        )
    if isinstance(error, requests.exceptions.ProxyError):
        return f"the proxy failed ({_short(error)}); check HTTP_PROXY, HTTPS_PROXY and NO_PROXY"
    tls = _find(chain, requests.exceptions.SSLError, u3.SSLError)
    if tls is not None:
        return _describe_tls(tls, where)
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return (
            f"no connection to {where} within {timeout:g} s (--seeds-timeout): the host does "
            "not answer; is it reachable from here (VPN, firewall)?"
        )
    if _find(chain, requests.exceptions.ReadTimeout, u3.ReadTimeoutError, TimeoutError):
        return (
            f"no answer within {timeout:g} s (--seeds-timeout): {where} accepted the "
            "connection but sent no response; the server may be stuck or overloaded; "
            "raise --seeds-timeout or check the server"
        )
    return _describe_other(error, chain, where, url)


def _describe_other(error: BaseException, chain: list[BaseException], where: str, url: str) -> str:
    if _find(chain, http.client.RemoteDisconnected):
        return (
            f"{where} closed the connection without answering: the server may have crashed on "
            "this request or dropped it (check its logs), or a proxy cut it"
        )
    not_http = _find(chain, http.client.BadStatusLine)
    if not_http is not None:
        first = str(not_http.args[0] if not_http.args else "")[:40]
        return (
            f"{where} answered with something that is not HTTP ({first!r}): is that port an "
            "HTTP server, and is http:// or https:// right?"
        )
    if _find(chain, ConnectionResetError):
        return f"{where} reset the connection before answering; check the server and any proxy"
    if _find(chain, u3.NewConnectionError, OSError):
        return f"cannot connect to {where} ({_short(error)})"
    if _find(chain, UnicodeEncodeError):
        return (
            "a header value holds characters that HTTP headers cannot carry (only Latin-1); "
            "percent-encode it or send it in the body"
        )
    if _find(
        chain,
        u3.LocationParseError,
        requests.exceptions.InvalidURL,
        requests.exceptions.MissingSchema,
        requests.exceptions.InvalidSchema,
    ):
        return f"the URL '{url}' is not valid ({_short(error)}); check the base URL and the step's path"
    if isinstance(error, requests.exceptions.InvalidHeader):
        return f"a header is not valid ({_short(error)}); header values cannot hold line breaks"
    if isinstance(error, TypeError | ValueError):
        return f"the request body cannot be sent as JSON ({_short(error)})"
    return f"the request failed ({type(error).__name__}: {_short(error)})"


def describe_body_error(
    error: BaseException, status: int, length: str | None, timeout: float
) -> str:
    """One sentence on an answer whose body (of ``Content-Length`` ``length``) was cut short."""
    chain = list(_chain(error))
    size = f" of {length} bytes" if length else ""
    if _find(chain, requests.exceptions.ReadTimeout, u3.ReadTimeoutError, TimeoutError):
        return (
            f"the server answered {status} and sent its headers, then the body{size} stopped "
            f"arriving: nothing more for {timeout:g} s (--seeds-timeout); the server may be stuck"
        )
    if isinstance(error, requests.exceptions.ContentDecodingError):
        return (
            f"the server answered {status} with a body that does not decode as its "
            f"Content-Encoding says ({_short(error)})"
        )
    return (
        f"the server answered {status}, then closed the connection before the body{size} was "
        "complete; it may have crashed while writing it"
    )


def status_hint(status: int, method: str) -> str:
    """Advice for an unexpected 429 or 5xx status, or ``""``."""
    unsafe = method.upper() in UNSAFE_METHODS
    if status == 429:
        hint = (
            "the server is rate-limiting: lower --seeds-rate, or allow more retries with "
            "--seeds-retries-429 and longer waits with --seeds-max-retry-after"
        )
        if unsafe:
            hint += f"; a {method} is retried after a 429 only with --seeds-retry-unsafe"
        return hint
    if status in (502, 503, 504):
        hint = (
            "the server or a gateway in front of it is unavailable or timed out: try again "
            "later, or let --seeds-retries N retry it"
        )
        if unsafe:
            hint += f" (a {method} only with --seeds-retry-unsafe)"
        return hint
    if status >= 500:
        return "the server failed on this request; the response body may say why"
    return ""


def _describe_tls(error: BaseException, where: str) -> str:
    reason = _short(error)
    for inner in _chain(error):
        if isinstance(inner, ssl.SSLError) and inner.reason:
            reason = inner.reason
    if any(sign.lower() in reason.lower() for sign in _PLAIN_PORT_SIGNS):
        return (
            f"TLS handshake with {where} failed ({reason}): that port seems to speak plain "
            "HTTP; use http:// in the base URL"
        )
    if "CERTIFICATE_VERIFY_FAILED" in reason:
        return (
            f"the certificate of {where} is not trusted ({reason}); point REQUESTS_CA_BUNDLE "
            "at the CA bundle that signed it"
        )
    return f"TLS handshake with {where} failed ({reason}); check https:// vs http:// and the port"


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and every exception it wraps (reason, cause, context, args), each once."""
    seen: list[BaseException] = []
    todo: list[object] = [error]
    while todo and len(seen) < 32:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or any(item is known for known in seen):
            continue
        seen.append(item)
        yield item
        todo += [getattr(item, "reason", None), getattr(item, "original_error", None)]
        todo += [item.__cause__, item.__context__, *item.args]


def _find(chain: list[BaseException], *kinds: type[BaseException]) -> BaseException | None:
    return next((error for error in chain if isinstance(error, kinds)), None)


def _where(url: str) -> str:
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return parts.hostname or url
    return f"{parts.hostname}:{port}" if parts.hostname else url or "the server"


def _short(error: BaseException, limit: int = 200) -> str:
    text = str(error)
    return text if len(text) <= limit else text[:limit] + "..."
