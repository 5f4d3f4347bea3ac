"""Secrets by construction: tokens and secret-named values travel as ``Secret`` values.

From the settings through the template context to the rendered request, a secret shows as
``***`` in every repr; what is rendered from one (inside a text, through a filter, as a
number) stays one; only the request requests sends, on a real socket, carries the values.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from pytest_seeds.http.transport import Client
from pytest_seeds.reading.parser import load_seed
from pytest_seeds.running.routing import Target
from pytest_seeds.running.runner import Environment, SeedRun
from pytest_seeds.running.templating import Context
from pytest_seeds.secrets.redact import Redactor
from pytest_seeds.secrets.secret import Secret, join, reveal, secrets_in
from pytest_seeds.secrets.watch import SecretWatch
from pytest_seeds.settings import resolve
from tests.helpers import echo, echoed, seed_doc, sent

TOKEN = "tok-Plain-4e4e"
PASSWORD = "pw-Secret-6f6f"
PIN = 73915824


def test_a_secret_shows_as_stars_and_compares_by_value() -> None:
    secret = Secret(TOKEN)
    for shown in (repr(secret), str(secret), f"{secret}", f"{secret!r:>30}", f"{[secret]}"):
        assert TOKEN not in shown and "***" in shown
    assert secret.reveal() == TOKEN
    assert secret == Secret(TOKEN) == TOKEN and secret != Secret("other")
    assert hash(secret) == hash(TOKEN) and {secret: 1}[TOKEN] == 1
    assert Secret(secret) == secret and not Secret("") and Secret(PIN).reveal() == PIN
    assert pickle.loads(pickle.dumps(secret)) == secret


def test_text_joined_with_a_secret_is_a_secret_that_shows_its_plain_parts() -> None:
    header = "Bearer " + Secret(TOKEN)
    assert isinstance(header, Secret)
    assert (str(header), header.reveal(), header.parts) == (
        "Bearer ***",
        f"Bearer {TOKEN}",
        (TOKEN,),
    )
    url = join(["http://h/items/", Secret(PIN), "?q=", Secret(PASSWORD)])
    assert str(url) == "http://h/items/***?q=***"
    assert secrets_in({"url": url, "n": [1, "plain"]}) == [str(PIN), PASSWORD]
    assert join(["a", "b"]) == "ab" and not isinstance(join(["a", "b"]), Secret)
    assert reveal({"h": [header, ("x", url)]}) == {"h": [f"Bearer {TOKEN}", ("x", url.reveal())]}


@pytest.mark.parametrize(
    ("template", "value"),
    [
        ("{{token}}", TOKEN),
        ("{{pin}}", PIN),  # a lone number keeps its type
        ("Bearer {{token}}", f"Bearer {TOKEN}"),
        ("pin-{{pin}}-{{plain}}", f"pin-{PIN}-visible"),
        ("{{ token | upcase }}", TOKEN.upper()),
        ("{{ token | slice: -4 }}", TOKEN[-4:]),
    ],
)
def test_a_value_rendered_from_a_secret_stays_a_secret(template: str, value: object) -> None:
    context = Context({"token": Secret(TOKEN), "pin": Secret(PIN), "plain": "visible"})
    rendered = context.render_text(template, "step 'x' path")
    assert isinstance(rendered, Secret)
    assert rendered.reveal() == value
    assert str(TOKEN) not in repr(rendered) and str(PIN) not in repr(rendered)
    assert context.render_text("{{plain}}", "p") == "visible"


def test_settings_hold_tokens_and_secret_named_values_as_secrets(tmp_path: Path) -> None:
    config = tmp_path / "values.yaml"
    config.write_text(
        f"tokens: {{staff: {TOKEN}}}\n"
        f"params: {{partner_key: pk-123456, client_password: {PASSWORD}, pin: {PIN}}}\n"
        "secrets: [partner_key]\n"
    )
    settings = resolve(
        option=lambda name: config if name == "config" else None,
        ini=lambda name: None,
        environ={"SEEDS_TOKEN_APP": "app-Env-7a7a", "SEEDS_PARAM_BUSINESS_ID": "b-1"},
        invocation_dir=tmp_path,
        ini_dir=tmp_path,
    )
    assert {kind: type(token) for kind, token in settings.tokens.items()} == {
        "staff": Secret,
        "app": Secret,
    }
    params = settings.params
    assert isinstance(params["partner_key"], Secret)  # listed under secrets:
    assert isinstance(params["client_password"], Secret)  # secret by its name
    assert params["pin"] == PIN and params["business_id"] == "b-1"
    for secret in (TOKEN, "app-Env-7a7a", "pk-123456", PASSWORD):
        assert secret not in repr(settings)


SEED_STEPS = """
- id: login
  method: POST
  path: /login
  extract:
    session_token: $.json.session
    visible: $.json.visible
- id: use
  method: POST
  path: "/items/{{partner_key}}"
  token: {kind}
  params:
    q: "{{client_password}}"
    up: "{{ api_token | upcase }}"
  headers:
    X-Session: "{{session_token}}"
    X-Pin: "pin-{{pin_password}}"
  body:
    pin: "{{pin_password}}"
    nested: {key: "{{partner_key}}", code: "{{one_time_code}}", plain: "{{visible}}"}
"""


@pytest.fixture
def api(httpserver: HTTPServer) -> HTTPServer:
    """The echo server; its /login answer carries a session token and a plain value."""
    httpserver.expect_request("/login").respond_with_json(
        {"json": {"session": "sess-4d4d4d", "visible": "visible-value"}}
    )
    httpserver.expect_request(re.compile(".*")).respond_with_handler(echo)
    return httpserver


@pytest.fixture
def client() -> Iterator[Client]:
    client = Client(timeout=10)
    yield client
    client.close()


def environment(server: HTTPServer, client: Client, redactor: Redactor) -> Environment:
    """What a conftest's overrides may return: plain strings, a callable value."""
    return Environment(
        target=Target(server.url_for("/").rstrip("/")),
        tokens={"staff": TOKEN, "admin": "admin-Plain-8a8a"},
        params={
            "partner_key": "pk-123456",
            "client_password": PASSWORD,
            "api_token": "api-lower-9b9b",
            "pin_password": PIN,
            "one_time_code": lambda: "otc-2c2c2c",
            "plain": "visible",
        },
        client=client,
        observers=(SecretWatch(redactor, ("partner_key", "one_time_code")),),
        secret_names=("partner_key", "one_time_code"),
    )


@pytest.mark.parametrize("kind", ["staff", "admin"])
def test_the_request_carries_secrets_and_the_wire_their_values(
    kind: str, api: HTTPServer, client: Client, tmp_path: Path
) -> None:
    path = tmp_path / "seed.md"
    path.write_text(seed_doc("POST /items", SEED_STEPS.replace("{kind}", kind)))
    seed = load_seed(path)
    assert seed is not None
    redactor = Redactor()
    env = environment(api, client, redactor)
    assert all(isinstance(token, Secret) for token in env.tokens.values())
    assert env.params["plain"] == "visible" and isinstance(env.params["pin_password"], Secret)
    run = SeedRun(seed, env)
    for step in seed.steps:
        run.run_step(step)
    assert [record.outcome for record in run.records] == ["ok", "ok"]
    assert isinstance(run.context.extracted["session_token"], Secret)
    assert run.context.extracted["visible"] == "visible-value"
    request = run.records[1].request
    assert request is not None
    token = env.tokens[kind].reveal()
    scheme = "Bearer" if kind == "staff" else "Admin"
    assert str(request.headers["Authorization"]) == f"{scheme} ***"
    assert str(request.url) == api.url_for("/items/***")
    every_value: list[Any] = [token, "pk-123456", PASSWORD, "API-LOWER-9B9B", PIN, "otc-2c2c2c"]
    shown = repr(run.records)
    assert not [value for value in [*every_value, "sess-4d4d4d"] if str(value) in shown]
    # on the wire: the values themselves, numbers as numbers
    wire = sent(api)[1]
    assert wire.headers["Authorization"] == f"{scheme} {token}"
    assert wire.headers["X-Pin"] == f"pin-{PIN}"
    assert wire.path == "/items/pk-123456"
    assert wire.args.to_dict() == {"q": PASSWORD, "up": "API-LOWER-9B9B"}
    assert echoed(api)[1]["json"] == {
        "pin": PIN,
        "nested": {"key": "pk-123456", "code": "otc-2c2c2c", "plain": "visible-value"},
    }
    # the redactor learnt each value as sent, the upper-cased one too
    text = " ".join(map(str, [*every_value, "sess-4d4d4d", "visible-value"]))
    assert redactor.text(text) == "*** *** *** *** *** *** *** visible-value"
