"""README, "Fixtures": a ``conftest.py`` that overrides ``seeds_tokens`` and ``seeds_params``.

The example (``readme/fixtures_conftest.py``) runs as the conftest of a seeds folder against a
real local HTTP server: it fetches the staff token from ``/oauth/token`` once per run, keeps
the tokens of the fixture it replaces, and adds ``order_ref``, generated once per seed run.
"""

from __future__ import annotations

import re

import pytest
from pytest_httpserver import HTTPServer

from tests.examples.snippets import snippet
from tests.helpers import runpytest, seed_doc, sent

FETCHED_TOKEN = "fetched-staff-token-9c1d"
# The README elides the form the token request posts: ``data={...}``.
CREDENTIALS = {"grant_type": "client_credentials", "client_id": "seeds-ci"}
ORDER_STEPS = """\
- id: create
  method: POST
  path: /v1/orders
  body: {ref: "{{order_ref}}"}
- id: read
  method: GET
  path: /v1/orders/{{order_ref}}
  token: client
"""


def readme_conftest() -> str:
    """The README's example with its elided form filled in."""
    text = snippet("fixtures_conftest.py")
    assert text.count("data={...}") == 1
    return text.replace("data={...}", f"data={CREDENTIALS!r}")


def test_the_fetched_token_and_a_generated_value_are_sent(
    pytester: pytest.Pytester, api: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDS_TOKEN_STAFF", "configured-staff-token")
    monkeypatch.setenv("SEEDS_TOKEN_CLIENT", "configured-client-token")
    api.expect_oneshot_request("/oauth/token", method="POST").respond_with_json(
        {"access_token": FETCHED_TOKEN, "token_type": "bearer"}
    )
    pytester.makeconftest(readme_conftest())
    seeds = pytester.mkdir("seeds")
    (seeds / "first.md").write_text(seed_doc("POST /v1/orders", ORDER_STEPS))
    (seeds / "second.md").write_text(seed_doc("GET /v1/orders/{ref}", ORDER_STEPS))
    base_url = api.url_for("/").rstrip("/")

    result = runpytest(pytester, "--seeds-dir", "seeds", f"--seeds-base-url={base_url}")

    result.assert_outcomes(passed=2)
    token_request, *seed_requests = sent(api)
    assert (token_request.path, token_request.form.to_dict()) == ("/oauth/token", CREDENTIALS)
    # once per run: the two seeds send four requests with the one fetched token
    assert [(r.method, r.headers["Authorization"]) for r in seed_requests] == [
        ("POST", f"Bearer {FETCHED_TOKEN}"),
        ("GET", "Bearer configured-client-token"),  # kept from the fixture it replaces
    ] * 2
    refs = [request.get_json()["ref"] for request in seed_requests[::2]]
    assert all(re.fullmatch(r"order-[0-9a-f]{8}", ref) for ref in refs)
    assert [request.path for request in seed_requests[1::2]] == [f"/v1/orders/{r}" for r in refs]
    assert refs[0] != refs[1]  # generated once per seed run, the same for its steps
