"""No secret in any output: tokens, values marked secret, and the values of secret headers.

Seeds send every kind of secret to the sandbox's ``/__echo`` endpoint, which answers with
everything it received, and fail so that the echoed body is printed. The runs use ``-rA``,
JUnit XML, ``-n 2``, live and captured logs at DEBUG, a log file, HAR files and the summary
JSON; a login answer carries a session id and a refresh token that later steps send; a
conftest logs and prints a token, a test asserts on one and warns with one, a module fails to
import with one, a broken seed quotes one, lint runs too. Then every secret is counted in every
output: 0.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from pytest_seeds.sandbox import Sandbox
from pytest_seeds.secrets.redact import Redactor
from pytest_seeds.secrets.watch import SecretWatch, header_secrets, is_secret_name, json_secrets
from tests.helpers import SECRETS, runpytest, seed_doc

CONFIGURED = {
    "partner_key": "pk-live-4b1d6f2e",  # listed under secrets:
    "signing_value": "sig-77c0ffee",  # listed under secrets:
    "client_password": "pw-correct-horse",  # secret by its name
}
IN_SEEDS = {
    "api_key_header": "literal-apikey-9d9d",
    "cookie": "cookie-value-5e5e",
}
FROM_SERVER = {
    "extracted": "sess-abcdef1234",  # extracted as session_id, listed under secrets:
    "secret_name": "rt-9f9f9f9f",  # a refresh_token field of a JSON answer: secret by its name
}
EVERY_SECRET = [*SECRETS.values(), *CONFIGURED.values(), *IN_SEEDS.values(), *FROM_SERVER.values()]
VISIBLE = "visible-value-123"

CONFIG = f"""
params:
  partner_key: "{CONFIGURED["partner_key"]}"
  signing_value: "{CONFIGURED["signing_value"]}"
  client_password: "{CONFIGURED["client_password"]}"
  plain_value: "{VISIBLE}"
secrets: [partner_key, signing_value, session_id]
"""

HEADERS_STEP = f"""
- id: headers
  method: GET
  path: /__echo
  params:
    key: "{{{{partner_key}}}}"
  headers:
    X-Api-Key: "{IN_SEEDS["api_key_header"]}"
    Cookie: "session={IN_SEEDS["cookie"]}"
    X-Signature: "{{{{signing_value}}}}"
    X-Plain: "{{{{plain_value}}}}"
  expect:
    status: 201
"""

BODY_STEP = """
- id: body
  method: POST
  path: /__echo
  token: client
  body:
    password: "{{client_password}}"
    nested:
      api_key: "{{partner_key}}"
  expect:
    status: 201
"""

LOGIN = """
- id: login
  method: POST
  path: {login_url}
  extract:
    session_id: $.session.id
    refresh: $.refresh_token
- id: use
  method: GET
  path: /__echo
  headers:
    X-Session: "{{{{session_id}}}}"
  params:
    again: "{{{{refresh}}}}"
  expect:
    status: 201
"""

GOING_ON = """
- id: warned
  method: GET
  path: "/__echo/{{signing_value}}"
  onFail: continue
  expect:
    status: 418
- id: fine
  method: GET
  path: /__echo
  params:
    again: "{{partner_key}}"
"""

USER_CODE = f"""
import logging
import os

import pytest

TOKEN = os.environ["SEEDS_TOKEN_STAFF"]


@pytest.fixture(autouse=True)
def leaky():
    logging.getLogger("user.conftest").warning("the staff token is %s", TOKEN)
    print("printing the token:", TOKEN)
    yield


def pytest_configure(config):
    logging.getLogger("user.conftest").info("{CONFIGURED["partner_key"]} at configure")
"""


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as server:
        yield server


@pytest.fixture
def leaky_project(
    pytester: pytest.Pytester, tokens: dict[str, str], sandbox: Sandbox, httpserver: HTTPServer
) -> Path:
    """Seeds, config, conftest and tests that put secrets everywhere they can."""
    httpserver.expect_request("/login").respond_with_json(
        {"session": {"id": FROM_SERVER["extracted"]}, "refresh_token": FROM_SERVER["secret_name"]}
    )
    pytester.makefile(".yaml", seeds_config=CONFIG)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    refused = (
        f"- {{id: refused, method: GET, path: 'http://127.0.0.1:{closed}/?k={{{{partner_key}}}}'}}"
    )
    pytester.makefile(
        ".md",
        echo_headers=seed_doc("GET /__echo", HEADERS_STEP),
        echo_body=seed_doc("POST /__echo", BODY_STEP),
        going_on=seed_doc("GET /__echo/on", GOING_ON),
        login=seed_doc("POST /login", LOGIN.format(login_url=httpserver.url_for("/login"))),
        refused=seed_doc("GET /refused", refused),
        broken=seed_doc(test=f"- {{id: call, method: '{SECRETS['staff']}', path: /x}}"),
    )
    pytester.makeconftest(USER_CODE)
    pytester.makepyfile(
        test_user=f"""
        import warnings

        def test_token():
            warnings.warn("careful with '{SECRETS["internal"]}'")
            assert '{SECRETS["admin"]}' == 'something else'
        """,
        test_import_error=f"raise RuntimeError('cannot start with {SECRETS['app']}')\n",
    )
    return pytester.path


def common_args(pytester: pytest.Pytester, sandbox: Sandbox, name: str) -> list[str]:
    return [
        f"--seeds-dir={pytester.path}",
        f"--seeds-base-url={sandbox.url}",
        f"--seeds-config={pytester.path / 'seeds_config.yaml'}",
        "--seeds-timeout=5",
        "-rA",
        "-p",
        "no:cacheprovider",
        f"--junitxml={pytester.path / name}.xml",
        f"--seeds-har={pytester.path / name}-har",
        f"--seeds-summary-json={pytester.path / name}-summary.json",
        "--log-level=DEBUG",
        f"--log-file={pytester.path / name}.log",
        "--log-file-level=DEBUG",
        "--continue-on-collection-errors",
        str(pytester.path),
    ]


def outputs(pytester: pytest.Pytester, *results: pytest.RunResult) -> dict[str, str]:
    """Every text the runs wrote: terminal output, and every file that is not an input."""
    found = {
        f"run {n} {stream}": text
        for n, result in enumerate(results)
        for stream, text in (("stdout", result.stdout.str()), ("stderr", result.stderr.str()))
    }
    inputs = {"seeds_config.yaml", "conftest.py", "test_user.py", "test_import_error.py"}
    for path in sorted(pytester.path.rglob("*")):
        if path.suffix == ".pyc":  # bytecode of the inputs, which hold the secrets by design
            continue
        if path.is_file() and path.suffix != ".md" and path.name not in inputs:
            found[str(path.relative_to(pytester.path))] = path.read_text("utf-8", "replace")
    return found


def test_no_secret_in_any_output(
    leaky_project: Path, pytester: pytest.Pytester, sandbox: Sandbox
) -> None:
    parallel = runpytest(
        pytester, *common_args(pytester, sandbox, "xdist"), "-n", "2", subprocess=True
    )
    live = runpytest(
        pytester,
        *common_args(pytester, sandbox, "single"),
        "-o",
        "log_cli=true",
        "--log-cli-level=DEBUG",
        subprocess=True,
    )
    for result in (parallel, live):
        result.assert_outcomes(passed=1, failed=5, errors=2)
    lint = runpytest(pytester, *common_args(pytester, sandbox, "lint"), "--seeds-lint")
    texts = outputs(pytester, parallel, live, lint)
    assert any(name.endswith(".har") for name in texts)
    assert {"xdist.xml", "single.xml", "single.log"} <= set(texts)
    leaks = {
        (secret, name): text.count(secret)
        for secret in EVERY_SECRET
        for name, text in texts.items()
        if secret in text
    }
    assert leaks == {}
    everything = "\n".join(texts.values())
    # the secrets really went out and came back, masked; what is not secret stays readable
    assert f'"X-Plain": "{VISIBLE}"' in everything
    assert '"Authorization": "Bearer ***"' in everything
    assert '"X-Api-Key": "***"' in everything
    assert '"Cookie": "session=***"' in everything
    assert '"X-Session": "***"' in everything
    assert "/__echo?key=*** HTTP/1.1" in everything  # urllib3's DEBUG log line
    assert "the staff token is ***" in everything
    assert "printing the token: ***" in everything
    assert "cannot start with ***" in everything
    assert "UserWarning: careful with '***'" in everything
    assert "'***' is not an HTTP method" in lint.stdout.str()


def test_secret_names_and_parts() -> None:
    for name in ("access_token", "client_secret", "PASSWORD", "apikey", "x-api-key", "passwd"):
        assert is_secret_name(name)
    for name in ("token_type", "key", "page", "tokens_left"):
        assert not is_secret_name(name)
    assert is_secret_name("signing_value", ("signing_value",))
    assert header_secrets("Authorization", 'Token token="abcd1234"') == ["abcd1234"]
    assert header_secrets("Authorization", "Bearer abcd1234") == ["abcd1234"]
    assert header_secrets("X-Api-Key", "abcd1234") == ["abcd1234"]
    assert "s3cr3t-v" in header_secrets("Set-Cookie", "sid=s3cr3t-v; Path=/; HttpOnly")
    assert "v4lue-two" in header_secrets("Cookie", "a=v4lue-one; b=v4lue-two")
    assert json_secrets({"data": [{"access_token": "tok-9999", "id": "not-secret"}]}) == [
        "tok-9999"
    ]


def test_redactor_masks_encoded_forms() -> None:
    redactor = Redactor(['p@ss "word"/+'])
    redactor.add(["late-secret"])
    text = 'p@ss "word"/+ p%40ss%20%22word%22%2F%2B p%40ss+%22word%22%2F%2B p@ss \\"word\\"/+ late-secret'
    assert redactor.text(text) == "*** *** *** *** ***"
    redactor.add(["abc"])  # too short to mask without masking everything
    assert redactor.text("abc") == "abc"


@pytest.mark.parametrize(
    ("content", "walked"),
    [
        (b'{"data": {"access_token": "t"}}', True),
        (b'{"Client_Secret" : "t"}', True),
        (b'{"signing_value": "t"}', True),  # declared in the config file
        (b'{"\\u0074oken": "t"}', True),  # an escaped key cannot be matched literally
        (b'{"id": 1, "token_type": "bearer", "tokens": 3}', False),
        (b'{"name": "my password"}', False),
    ],
)
def test_secret_watch_walks_only_answers_that_may_hold_secrets(
    content: bytes, walked: bool
) -> None:
    assert SecretWatch(Redactor(), ["Signing_Value"]).may_hold_secrets(content) is walked
