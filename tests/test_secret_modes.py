"""No secret in any output mode that shows Python objects: --debug, tracebacks, locals, Ctrl-C.

A project (conftest, user test, seeds) sends every kind of secret to a real local HTTP server:
configured tokens, a token a conftest override of ``seeds_tokens`` gets from a login (a plain
string), values named secret (listed under ``secrets:``, by suffix, a number), a value a step
extracts, a token sent upper-cased through a filter. Each mode below runs it in a child pytest
process; then no secret, nor its URL-encoded, JSON-escaped or base64 form, may appear in
stdout, stderr, the debug log or the JUnit XML, nor as a ``str`` or ``bytes`` repr shows those.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.helpers import echo, runpytest, seed_doc

CONFIGURED_STAFF = "staff-CONF-5a5a"
ADMIN = "admin-CONF-7b7b"
FROM_LOGIN = "ovr/Tok+en=9q8w"  # the staff token the conftest override returns, plain
PARAMS = {
    "partner_key": "pk-4b1d6f2e",  # listed under secrets:, sent in a path
    "client_password": 'pw "quoted" é+/&',  # secret by its name, sent in a query and a body
    "api_token": "api-tok-lower-3c3c",  # secret by its name, sent upper-cased
    "pin_password": 73915824,  # a number, sent as a number and inside a header
}
EXTRACTED = "sess-from-server-8e8e"  # a session_token a step extracts from the login answer
SENT_ONLY = "API-TOK-LOWER-3C3C"  # the api_token as actually sent
EVERY_SECRET = [
    CONFIGURED_STAFF,
    ADMIN,
    FROM_LOGIN,
    *(str(value) for value in PARAMS.values()),
    EXTRACTED,
    SENT_ONLY,
]

CONFTEST = """
import os
import pathlib

import pytest
import requests

pathlib.Path("child.pid").write_text(str(os.getpid()))


@pytest.fixture(scope="session")
def seeds_tokens(seeds_tokens, seeds_target):
    answer = requests.post(seeds_target.base_url + "/oauth/token", timeout=5)
    return {**seeds_tokens, "staff": answer.json()["access_token"]}


def pytest_runtest_logreport(report):
    if os.environ.get("UPLOAD_RESULTS") and report.when == "call":
        token = os.environ["SEEDS_TOKEN_ADMIN"]
        upload = {"Authorization": "Bearer " + token, "outcome": report.outcome}
        raise ConnectionError(f"results upload refused: {upload}")
"""

USER_TEST = """
import pytest


@pytest.fixture
def staff_headers(seeds_tokens, seeds_params):
    headers = {"Authorization": f"Bearer {seeds_tokens['staff']}"}
    password = seeds_params["client_password"]
    raise RuntimeError(f"the staff API is down; sent {headers} and {password}")


def test_staff_api(staff_headers):
    pass
"""

LOGIN = """
- id: login
  method: POST
  path: /login
  extract:
    session_token: $.session_token
"""

EVERYWHERE = """
- id: everywhere
  method: POST
  path: "/status/500/items/{{partner_key}}"
  params:
    q: "{{client_password}}"
    up: "{{ api_token | upcase }}"
  headers:
    X-Session: "{{session_token}}"
    X-Pin: "pin-{{pin_password}}"
  body:
    pin: "{{pin_password}}"
    password: "{{client_password}}"
    nested: {key: "{{partner_key}}", token: "{{session_token}}"}
  expect:
    status: 201
"""

ADMIN_STEP = """
- id: admin
  method: GET
  path: "/v1/admin/{{partner_key}}"
  token: admin
  params: {session: "{{session_token}}"}
"""

STALLED = """
- id: stalled
  method: POST
  path: "/stall/{{partner_key}}"
  params: {q: "{{client_password}}", up: "{{ api_token | upcase }}"}
  headers: {X-Session: "{{session_token}}"}
  body: {password: "{{client_password}}", pin: "{{pin_password}}"}
"""


def forms(secret: str) -> set[str]:
    """A secret as written, URL-encoded, JSON-escaped, base64, and as str and bytes reprs."""
    written = {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        base64.b64encode(secret.encode()).decode().rstrip("="),
    }
    return (
        written
        | {repr(form)[1:-1] for form in written}
        | {repr(form.encode())[2:-1] for form in written}
    )


@dataclass(frozen=True)
class Mode:
    """One way of running the project: its arguments, and what shows that it happened."""

    name: str
    args: tuple[str, ...]
    folder: str = "seeds"
    environ: tuple[tuple[str, str], ...] = ()
    shows: tuple[tuple[str, str], ...] = ()  # (output, text it holds)


MODES = [
    Mode(
        "debug",
        ("--debug=pytestdebug.log",),
        shows=(("pytestdebug.log", "finish pytest_fixture_setup --> "),),
    ),
    Mode(
        "showlocals",
        ("-l", "--tb=long"),
        shows=(("stdout", "seeds_tokens = {"), ("stdout", "headers    = {")),
    ),
    Mode("native", ("--tb=native",), shows=(("stdout", "Traceback (most recent call last):"),)),
    Mode(
        "interrupt-full-trace",
        ("--full-trace", "-l", "--debug=pytestdebug.log"),
        folder="interrupt",
        shows=(
            ("stdout", "! KeyboardInterrupt !"),
            ("stdout", "urllib3/connectionpool.py"),
            ("pytestdebug.log", "pytest_keyboard_interrupt"),
        ),
    ),
    Mode(
        "internalerror",
        ("-l", "--full-trace"),
        environ=(("UPLOAD_RESULTS", "1"),),
        shows=(
            ("stdout", "INTERNALERROR> "),
            ("stdout", "results upload refused"),
            ("junit.xml", 'message="internal error"'),
        ),
    ),
]


@pytest.fixture
def received() -> list[str]:
    """The URL and headers of each request the server received, as it received it."""
    return []


@pytest.fixture
def server(httpserver: HTTPServer, pytester: pytest.Pytester, received: list[str]) -> HTTPServer:
    """Login endpoints, an endpoint that stalls and interrupts the child pytest, and the echo."""

    def answer(request: Request) -> Response:
        received.append(request.url + str(request.headers))
        if request.path == "/oauth/token":
            return Response(json.dumps({"access_token": FROM_LOGIN}))
        if request.path == "/login":
            return Response(json.dumps({"session_token": EXTRACTED}))
        if request.path.startswith("/stall/"):
            pid = int((pytester.path / "child.pid").read_text())
            os.kill(pid, signal.SIGINT)  # Ctrl-C while the child waits for this answer
            time.sleep(1)
        return echo(request)

    httpserver.expect_request(re.compile(".*")).respond_with_handler(answer)
    return httpserver


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = {"params": PARAMS, "secrets": ["partner_key"]}
    pytester.makefile(".json", seeds_config=json.dumps(config, ensure_ascii=False))
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_user=USER_TEST)
    for folder, name, text in [
        ("seeds", "everywhere.md", seed_doc("POST /items", EVERYWHERE, prerequisites=LOGIN)),
        ("seeds", "admin.md", seed_doc("GET /admin", ADMIN_STEP, prerequisites=LOGIN)),
        ("interrupt", "stalled.md", seed_doc("POST /stall", STALLED, prerequisites=LOGIN)),
    ]:
        (pytester.path / folder).mkdir(exist_ok=True)
        (pytester.path / folder / name).write_text(text)
    monkeypatch.setenv("SEEDS_TOKEN_STAFF", CONFIGURED_STAFF)
    monkeypatch.setenv("SEEDS_TOKEN_ADMIN", ADMIN)
    return pytester.path


@pytest.mark.parametrize("mode", MODES, ids=[mode.name for mode in MODES])
def test_no_secret_in_any_output_mode(
    mode: Mode,
    project: Path,
    server: HTTPServer,
    received: list[str],
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in mode.environ:
        monkeypatch.setenv(name, value)
    result = runpytest(
        pytester,
        f"--seeds-dir={project / mode.folder}",
        f"--seeds-base-url={server.url_for('/').rstrip('/')}",
        f"--seeds-config={project / 'seeds_config.json'}",
        "--seeds-timeout=10",
        "-p",
        "no:cacheprovider",
        "--junitxml=junit.xml",
        *mode.args,
        "test_user.py",
        mode.folder,
        subprocess=True,
    )
    texts = {"stdout": result.stdout.str(), "stderr": result.stderr.str()}
    for name in ("pytestdebug.log", "junit.xml"):
        path = project / name
        if path.exists():
            texts[name] = path.read_text("utf-8", "replace")
    for output, shown in mode.shows:  # the mode really showed what it shows
        assert shown in texts.get(output, ""), (output, shown)
    # the secrets went out: the server saw them as sent
    sent = "\n".join(received)
    assert f"Bearer {FROM_LOGIN}" in sent
    assert quote(PARAMS["partner_key"]) in sent
    leaks = {
        (secret, form, name): text.count(form)
        for secret in EVERY_SECRET
        for form in forms(secret)
        for name, text in texts.items()
        if form in text
    }
    assert not leaks, "\n".join(
        f"{form!r} in {name}: {count}x" for (_, form, name), count in leaks.items()
    )
