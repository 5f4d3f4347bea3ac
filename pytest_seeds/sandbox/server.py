"""The threaded HTTP server and the :class:`Sandbox` wrapper."""

from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import clients, jobs, platform_api, scheduling
from .auth import authenticate, check_token_type
from .core import FALLBACK, JSON, MAIN, PARTNERS, ApiError, Reply, Request, Router, bad_request
from .demo import DEMO_PARAMS, DEMO_TOKENS, check_tokens, normalize_params
from .multipart import boundary_of, parse_multipart
from .state import State

ROUTER = Router([*clients.ROUTES, *scheduling.ROUTES, *platform_api.ROUTES, *jobs.ROUTES])
PREFIXES = (("/__fallback", FALLBACK), ("/__partners", PARTNERS))


def split_api(path: str) -> tuple[str, str]:
    """Map a raw URL path to (api, path within that API)."""
    for prefix, api in PREFIXES:
        if path == prefix or path.startswith(prefix + "/"):
            return api, path[len(prefix) :] or "/"
    return MAIN, path


def echo(req: Request) -> Reply:
    """Everything the request carried, unauthenticated and unmasked."""
    body_text = req.body.decode("utf-8", "replace")
    data: JSON = {
        "api": req.api,
        "method": req.method,
        "path": req.path,
        "query": {k: v[0] if len(v) == 1 else v for k, v in req.query.items()},
        "headers": {k: v for k, v in req.headers.items()},
        "body": body_text,
        "json": None,
        "form": None,
    }
    boundary = boundary_of(req.headers.get("Content-Type", ""))
    if boundary:
        try:
            fields, files = parse_multipart(req.body, boundary)
        except ValueError as exc:
            raise bad_request(f"malformed multipart body: {exc}") from None
        data["form"] = {
            "fields": fields,
            "files": [
                {"field_name": f.field_name, "filename": f.filename, "size": len(f.content)}
                for f in files
            ],
        }
    elif body_text.strip():
        with contextlib.suppress(ValueError):
            data["json"] = json.loads(body_text)
    return 200, {"success": True, "data": data}


class _Server(ThreadingHTTPServer):
    server_address: tuple[str, int]  # an AF_INET socket's name
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], state: State, tokens: dict[str, str]) -> None:
        super().__init__(address, _Handler)
        self.state = state
        self.tokens = tokens


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes
    server_version = "pytest-seeds-sandbox/1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr logging."""

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        api, path = split_api(url.path)
        if len(path) > 1:
            path = path.rstrip("/")
        req = Request(
            method=self.command,
            path=path,
            api=api,
            query=parse_qs(url.query, keep_blank_values=True),
            headers=self.headers,
            body=self._read_body(),
        )
        state = self.server.state
        headers: dict[str, str] = {}
        try:
            if path == "/__echo" or path.startswith("/__echo/"):
                status, payload = echo(req)
            else:
                route, req.path_params = ROUTER.resolve(api, req.method, path)
                with state.lock:
                    req.identity = authenticate(req.headers, api, self.server.tokens, state)
                    check_token_type(req.identity, route.tokens)
                    status, payload = route.handler(state, req)
        except ApiError as err:
            status, payload, headers = err.status, err.payload, err.headers
        except Exception as exc:  # a sandbox bug: answer 500 and keep serving
            status, payload = 500, {"success": False, "error": "internal", "message": repr(exc)}
        with state.lock:
            state.requests.append(
                {
                    "api": api,
                    "method": req.method,
                    "path": path,
                    "query": req.query,
                    "token_type": req.identity.token_type,
                    "status": status,
                }
            )
        self._send(status, payload, {"X-Sandbox-Api": api, **headers})

    def _send(self, status: int, payload: JSON, headers: dict[str, str]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch


class Sandbox:
    """A stateful fake of the API, on a real socket, served from a background thread.

    Use as a context manager, or call :meth:`start` and :meth:`stop`. Each instance has
    its own state, seeded from ``params``.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        tokens: dict[str, str] = DEMO_TOKENS,
        params: dict[str, str] = DEMO_PARAMS,
    ) -> None:
        self.host, self.port = host, port
        self.tokens = check_tokens(tokens)
        self.params = normalize_params(params)
        self.state = State.seeded(self.params)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL of the main API, e.g. ``http://127.0.0.1:54321``."""
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def fallback_url(self) -> str:
        """Base URL of the fallback API (the same API, plus legacy ``/v2`` endpoints)."""
        return self.url + "/__fallback"

    @property
    def partners_url(self) -> str:
        """Base URL of the partners API (``Token token="..."`` auth)."""
        return self.url + "/__partners"

    @property
    def requests(self) -> list[JSON]:
        """A copy of the request log: api, method, path, query, token_type, status."""
        with self.state.lock:
            return [dict(r) for r in self.state.requests]

    @property
    def uploads(self) -> list[JSON]:
        """A copy of the recorded multipart uploads (fields, documents, raw contents)."""
        with self.state.lock:
            return [dict(u) for u in self.state.uploads]

    def start(self) -> Sandbox:
        """Bind the socket and start serving; returns ``self``."""
        if self._server is None:
            self._server = _Server((self.host, self.port), self.state, self.tokens)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"seeds-sandbox-{self._server.server_address[1]}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
