"""What went wrong on the wire, said in one sentence with something to try.

The exceptions of requests, urllib3, ``http.client`` and ``ssl`` wrap each other
several levels deep; :func:`describe_error` walks that chain and names the
fault a person can act on (refused, unresolved host, timeout, not HTTP, TLS to a
plain port, redirect loop...). :func:`status_hint` adds the same kind of advice
to an unexpected 429 or 5xx status.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

from pytest_seeds.http.deadline import DeadlineExceeded
from pytest_seeds.http.lazy import LazyModule

# Imported when a failure is first described, which comes after a request was made:
# importing the plugin or collecting seeds does not import requests or urllib3.
requests = LazyModule("requests")
u3 = LazyModule("urllib3.exceptions")

UNSAFE_METHODS = frozenset({"POST", "PATCH"})
_PLAIN_PORT_SIGNS = ("WRONG_VERSION_NUMBER", "record layer failure", "packet length too long")
_TOO_MANY_HEADERS = re.compile(r"got more than (\d+) headers")
_LINE_TOO_LONG = re.compile(r"got more than (\d+) bytes when reading (.+)")
_LENGTHS = re.compile(r"Content-Length contained multiple unmatching values \((.*)\)")


def describe_error(error: BaseException, timeout: float, url: str = "") -> str:
    """One sentence on a request that got no usable answer, and what to try."""
    where = _where(url)
    chain = list(_chain(error))
    late = _find(chain, DeadlineExceeded)
    if isinstance(late, DeadlineExceeded):
        return describe_deadline(late, where)
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
    refused = _describe_refused_answer(chain, where)
    if refused:
        return refused
    if _find(chain, http.client.RemoteDisconnected):
        return (
            f"{where} closed the connection without answering: the server may have crashed on "
            "this request or dropped it (check its logs), or a proxy cut it"
        )
    not_http = _find(chain, http.client.BadStatusLine)
    if not_http is not None:
        first = _first_arg(not_http)[:40]
        return (
            f"{where} answered with something that is not HTTP ({first!r}): is that port an "
            "HTTP server, and is http:// or https:// right?"
        )
    if _find(chain, ConnectionResetError):
        return f"{where} reset the connection before answering; check the server and any proxy"
    if _find(chain, requests.exceptions.InvalidHeader) and not _find(chain, u3.HTTPError):
        return (  # the message of requests quotes the value: it may be a token
            "requests refuses a header of this request: a value cannot hold line breaks or "
            "start with white space, a name cannot hold ':' or white space"
        )
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
    if isinstance(error, UnicodeError):  # e.g. a redirect's Location that is not UTF-8
        return (
            f"the answer to {url} holds bytes that cannot be read as text ({_short(error)}); "
            "a redirect's Location header must be ASCII or UTF-8"
        )
    if isinstance(error, TypeError | ValueError):
        return f"the request body cannot be sent as JSON ({_short(error)})"
    return f"the request failed ({type(error).__name__}: {_short(error)})"


def _first_arg(error: BaseException, default: str = "") -> str:
    """An exception's first argument as text (what http.client puts the offending line in)."""
    return str(error.args[0]) if error.args else default


def _describe_refused_answer(chain: list[BaseException], where: str) -> str:
    """An answer whose head ``http.client`` or urllib3 refuses to read, or ``""``."""
    unknown = _find(chain, http.client.UnknownProtocol)
    if unknown is not None:
        version = _first_arg(unknown, "?")[:20]
        return (
            f"the server answered in {version}, which requests does not speak (HTTP/1.0 and "
            "HTTP/1.1 only): is there a proxy or load balancer that should translate?"
        )
    for item in chain:
        if type(item) is http.client.HTTPException or isinstance(item, http.client.LineTooLong):
            text = _first_arg(item)
            many = _TOO_MANY_HEADERS.search(text)
            if many:
                return (
                    f"the server sent more than {many.group(1)} headers, more than Python's "
                    f"http.client reads; look at the answer of {where} with curl --include: "
                    "a proxy or the server may repeat headers (cookies?)"
                )
            long = _LINE_TOO_LONG.search(text)
            if long:
                return (
                    f"the server sent a {long.group(2)} longer than {long.group(1)} bytes, more "
                    f"than Python's http.client reads; look at the answer of {where} with "
                    "curl --include"
                )
        lengths = _LENGTHS.search(str(item))
        if lengths:
            return (
                f"the server sent Content-Length headers that disagree ({lengths.group(1)}): "
                "the body's length is unknown, so the answer is refused; check the server "
                "and any proxy in between"
            )
    return ""


def describe_deadline(error: DeadlineExceeded, where: str = "the server") -> str:
    """One sentence on an exchange that ran out of time, with how far it got."""
    if error.step_bound:
        within = (
            f"within the request's limit of {error.limit:g} s "
            "((1 + --seeds-retries + --seeds-retries-429) x --seeds-timeout)"
        )
    else:
        within = f"within {error.limit:g} s (--seeds-timeout)"
    hops = error.redirects
    after = f" ({hops} redirect{'s' if hops > 1 else ''} followed)" if hops else ""
    if error.phase == "tls":
        return (
            f"the TLS handshake with {where} did not finish {within}{after}: is that port an "
            "HTTPS server (https:// or http:// in the base URL)? else the server is stuck"
        )
    if error.phase == "connect":
        return f"no connection to {where} {within}{after}: the time ran out before connecting"
    if error.phase == "send":
        return (
            f"could not send the request to {where} {within}{after}: the server stopped "
            "reading it; it may be stuck, or the body too large for it; check the server, "
            "or raise --seeds-timeout"
        )
    if error.silent_for < error.timeout / 2:
        progress = (
            "still arriving; the server sends very slowly: raise --seeds-timeout if that "
            "is expected, or check the server"
        )
    else:
        progress = (
            f"then nothing for {error.silent_for:.1f} s; the server may be stuck: check it, "
            "or raise --seeds-timeout"
        )
    if error.phase == "head" and not error.received:
        return (
            f"no answer {within}{after}: {where} accepted the connection but sent no "
            "response; the server may be stuck or overloaded; raise --seeds-timeout or "
            "check the server"
        )
    if error.phase == "head":
        return (
            f"the answer of {where} did not finish {within}{after}: {error.received} bytes "
            f"of its status line and headers received, {progress}"
        )
    size = f" of {error.length} bytes" if error.length else ""
    size = " (chunked)" if error.chunked else size
    return (
        f"the server answered {error.status} and sent its headers, but the body{size} did "
        f"not finish {within}{after}: {error.received} bytes received, {progress}"
    )


def body_retry_cause(error: BaseException) -> str | None:
    """``body timeout`` or ``body cut off`` for a body that may arrive whole if asked
    again; ``None`` for a malformed one (asking again gives the same)."""
    chain = list(_chain(error))
    if _find(chain, requests.exceptions.ContentDecodingError) or _malformed_chunks(chain):
        return None
    if _find(chain, requests.exceptions.ReadTimeout, u3.ReadTimeoutError, TimeoutError):
        return "body timeout"
    if _find(chain, u3.ProtocolError, http.client.IncompleteRead, ConnectionError):
        return "body cut off"
    return None


def describe_body_error(
    error: BaseException, status: int, length: str | None, timeout: float
) -> str:
    """One sentence on an answer whose body (of ``Content-Length`` ``length``) was cut short."""
    chain = list(_chain(error))
    size = f" of {length} bytes" if length else ""
    late = _find(chain, DeadlineExceeded)
    if isinstance(late, DeadlineExceeded):
        return describe_deadline(late)
    malformed = _malformed_chunks(chain)
    if malformed is not None:
        return (
            f"the server answered {status} with a chunked body that is malformed "
            f"({_short(malformed, 80)}); check the server and any proxy in between"
        )
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


def _malformed_chunks(chain: list[BaseException]) -> BaseException | None:
    """The error of a chunked body whose framing is broken, if that is what happened."""
    found = _find(chain, u3.InvalidChunkLength)
    return found or next((item for item in chain if "chunk size line" in str(item)), None)


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
