"""README, "Running against a real environment" and "Secrets": the ``--seeds-config`` file.

``readme/tokens.json`` is the JSON shape (``tokens:`` by type, ``params:`` by name);
``readme/secrets.yaml`` is the YAML one, with ``secrets:`` naming a configured value and a
value a step extracts. The README elides every value (``"…"``): the tests name each
``<key>-value`` and look for those on the wire and in the report.
"""

from __future__ import annotations

import json
import re

import pytest
from pytest_httpserver import HTTPServer

from tests.examples.snippets import fill_elided, snippet
from tests.helpers import runpytest, seed_doc, sent


def run(pytester: pytest.Pytester, api: HTTPServer, config: str) -> pytest.RunResult:
    base_url = api.url_for("/").rstrip("/")
    return runpytest(
        pytester, "--seeds-dir", "seeds", f"--seeds-base-url={base_url}", f"--seeds-config={config}"
    )


def test_tokens_json_supplies_each_token_type_and_value(
    pytester: pytest.Pytester, api: HTTPServer
) -> None:
    (pytester.path / "tokens.json").write_text(fill_elided(snippet("tokens.json")))
    config = json.loads((pytester.path / "tokens.json").read_text())
    path = "/v1/{{business_id}}/{{staff_id}}/{{client_id}}/{{matter_uid}}"
    steps = "".join(
        f"- {{id: {kind}, method: GET, path: '{path}', token: {kind}}}\n"
        for kind in config["tokens"]
    )
    pytester.mkdir("seeds").joinpath("every_token.md").write_text(seed_doc("GET /v1/x", steps))

    run(pytester, api, "tokens.json").assert_outcomes(passed=1)

    assert [r.headers["Authorization"] for r in sent(api)] == [
        "Bearer staff-value",
        "Bearer client-value",
        "Bearer directory-value",
        "Admin admin-value",
        "Bearer app-value",
    ]
    values = "/".join(config["params"].values())
    assert values == "business_id-value/staff_id-value/client_id-value/matter_uid-value"
    assert {r.path for r in sent(api)} == {f"/v1/{values}"}


SESSION_ID = "sess-4b1d9e77"
# The step that extracts session_id, then a step that sends both secrets and gets them echoed
# back in a failing answer, whose body the report prints.
SESSION_STEPS = """\
- id: login
  method: POST
  path: /v1/sessions
  extract:
    session_id: $.session_id
- id: read
  method: GET
  path: /status/500/v1/businesses/{{business_id}}
  headers:
    X-Partner-Key: "{{partner_key}}"
    X-Session: "{{session_id}}"
"""


@pytest.mark.parametrize("listed", [True, False], ids=["as-documented", "without-secrets-line"])
def test_secrets_yaml_masks_the_values_it_names(
    pytester: pytest.Pytester, api: HTTPServer, monkeypatch: pytest.MonkeyPatch, listed: bool
) -> None:
    monkeypatch.setenv("SEEDS_TOKEN_STAFF", "staff-token-0b5e")
    api.expect_oneshot_request("/v1/sessions").respond_with_json({"session_id": SESSION_ID})
    text = fill_elided(snippet("secrets.yaml"))
    if not listed:
        text = "".join(line for line in text.splitlines(True) if not line.startswith("secrets:"))
    (pytester.path / "config.yaml").write_text(text)
    seed = seed_doc("GET /v1/businesses/{id}", SESSION_STEPS)
    pytester.mkdir("seeds").joinpath("session.md").write_text(seed)

    result = run(pytester, api, "config.yaml")

    result.assert_outcomes(failed=1)
    read = sent(api)[-1]
    assert read.path == "/status/500/v1/businesses/business_id-value"
    assert (read.headers["X-Partner-Key"], read.headers["X-Session"]) == (
        "partner_key-value",
        SESSION_ID,
    )
    output = result.stdout.str()
    assert "/v1/businesses/business_id-value" in output  # not listed: printed as it is
    echoed = re.findall(r'"(X-Partner-Key|X-Session)": "([^"]*)"', output)
    if listed:
        assert "partner_key-value" not in output and SESSION_ID not in output
        assert set(echoed) == {("X-Partner-Key", "***"), ("X-Session", "***")}
    else:
        assert set(echoed) == {("X-Partner-Key", "partner_key-value"), ("X-Session", SESSION_ID)}
