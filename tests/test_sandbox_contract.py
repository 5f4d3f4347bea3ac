"""The sandbox against its own OpenAPI/Swagger description in ``seeds/swagger/``.

The repository's seeds run contract-checked (``--seeds-contract strict``) in a copy of the
repository's layout; a copy of the description that disagrees with the sandbox fails them.
The description is also held to the sandbox directly: every route is documented with its
token types and X-On-Behalf-Of, and the sandbox's answers, errors included, match it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from pytest_seeds.contract.checks import Contract
from pytest_seeds.contract.swagger import SwaggerIndex
from pytest_seeds.running.auth import authorization
from pytest_seeds.sandbox import DEMO_PARAMS, DEMO_TOKENS, Sandbox
from pytest_seeds.sandbox.core import PARTNERS
from pytest_seeds.sandbox.server import ROUTER
from tests.helpers import runpytest, seed_doc

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SPECS = SEEDS / "swagger"
P = DEMO_PARAMS


def _skipped(seed: Path) -> bool:
    front = yaml.safe_load(seed.read_text(encoding="utf-8").split("---\n", 2)[1])
    return front.get("status") == "skip"


@pytest.fixture
def repo_layout(pytester: pytest.Pytester) -> Path:
    """The repository's seeds (with their Swagger files) and its sandbox conftest."""
    shutil.copytree(SEEDS, pytester.path / "seeds")
    shutil.copy(REPO / "conftest.py", pytester.path / "conftest.py")
    return pytester.path


def test_repository_seeds_pass_strict_contract_checks(
    pytester: pytest.Pytester, repo_layout: Path
) -> None:
    seeds = sorted(SEEDS.glob("*.md"))
    skipped = sum(map(_skipped, seeds))
    result = runpytest(pytester, "--seeds-dir=seeds", "--seeds-contract=strict", "-rs")
    result.assert_outcomes(passed=len(seeds) - skipped, skipped=skipped)
    result.stdout.no_fnmatch_line("*SeedSwaggerWarning*")
    result.stdout.no_fnmatch_line("*SeedContractWarning*")


def test_strict_fails_when_the_sandbox_differs_from_the_spec(
    pytester: pytest.Pytester, repo_layout: Path
) -> None:
    spec_path = repo_layout / "seeds/swagger/clients/clients.json"
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    spec["components"]["schemas"]["Client"]["properties"]["email"] = {"type": "integer"}
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    seed = seed_doc(
        "GET /platform/v1/clients/{client_id}",
        "- id: read_client\n  method: GET\n  path: /platform/v1/clients/{{client_id}}\n",
        front="swagger: seeds/swagger/clients/clients.json\ntokens: [staff]",
    )
    (repo_layout / "drift").mkdir()
    (repo_layout / "drift/read_client.md").write_text(seed, encoding="utf-8")
    result = runpytest(pytester, "--seeds-dir=drift", "--seeds-contract=strict")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*response 200 does not match GET /platform/v1/clients/{client_id}"
            " in seeds?swagger?clients?clients.json (1 mismatch)",
            "*body at /data/client/email: wanted type 'integer', got string"
            ' "client@sandbox.example"',
        ]
    )


# --- the description against the sandbox, without the plugin --------------------------


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract(SwaggerIndex(SPECS))


def test_every_route_is_documented_with_its_tokens_and_on_behalf_of(contract: Contract) -> None:
    index = contract.index
    for route in ROUTER.routes:
        op = index.find(route.method, route.template)
        assert op is not None, f"{route.method} {route.template} is not documented"
        assert op.template == route.template
        assert set(op.operation["x-token-types"]) == route.tokens, op.template
        needs_obo = "directory" in route.tokens and PARTNERS not in route.apis
        assert op.wants_on_behalf_of() == needs_obo, op.template
    documented = {
        (op.method, op.template)
        for spec in index.specs()
        for op in spec.operations
        if not op.template.startswith("/__echo")
    }
    assert documented == {(route.method, route.template) for route in ROUTER.routes}


CLIENTS = "/platform/v1/clients"
MATTER = f"/business/clients/v1/matters/{P['matter_uid']}"
PORTAL = f"/client_api/v1/portals/{P['business_uid']}/share_documents_form/submit"
STAFFS = f"/platform/v1/businesses/{P['business_uid']}/staffs"
CALENDAR = "/business/scheduling/v1/external_calendar_items"
GATEWAYS = "/v3/payment_processing/payment_gateways"
DIRECTORIES = "/v3/business_administration/directories"
LEADS = "/v1/partners/leads"
REPORT = "/v1/partners/reports/business"
ME = P["business_uid"]

# (token, on behalf of, method, path, requests keyword arguments, status): the partners API
# for partners paths, the fallback API for paths written "fallback:/path", else the main API.
ANSWERS: list[tuple[str | None, str | None, str, str, dict[str, Any], int]] = [
    (None, None, "GET", CLIENTS, {}, 401),
    (None, None, "GET", DIRECTORIES, {"headers": {"Authorization": f"Bearer {DEMO_TOKENS['admin']}"}}, 401),
    (None, None, "GET", REPORT, {"headers": {"Authorization": f"Bearer {DEMO_TOKENS['directory']}"}}, 401),
    ("directory", None, "GET", CLIENTS, {}, 401),
    ("directory", "elsewhere", "GET", CLIENTS, {}, 403),
    ("directory", ME, "GET", CLIENTS, {"params": {"search_term": "demo"}}, 200),
    ("client", None, "GET", CLIENTS, {}, 403),
    ("staff", None, "GET", CLIENTS, {"params": {"per_page": 0}}, 422),
    ("staff", None, "GET", f"{CLIENTS}/nope", {}, 404),
    ("staff", None, "POST", CLIENTS, {"json": {"first_name": " "}}, 422),
    ("staff", None, "POST", CLIENTS, {"data": "[1"}, 400),
    ("app", None, "PUT", f"{CLIENTS}/{P['client_uid']}", {"json": {}}, 200),
    ("staff", None, "DELETE", f"{CLIENTS}/{P['client_uid']}", {}, 422),
    ("staff", None, "GET", "/business/clients/v1/fields", {}, 200),
    ("app", None, "GET", "/business/clients/v1/fields", {}, 403),
    ("staff", None, "POST", f"/business/clients/v1/contacts/{P['client_uid']}/matters", {"json": {"matter": {"fields": []}}}, 422),
    ("staff", None, "GET", "/business/clients/v1/contacts/nope/matters", {}, 404),
    ("staff", None, "POST", f"{MATTER}/notes", {"json": {"note": {"content": "a note"}}}, 201),
    ("staff", None, "POST", f"{MATTER}/notes", {"json": {"note": {}}}, 422),
    ("staff", None, "GET", f"{MATTER}/notes", {}, 200),
    ("staff", None, "GET", "/business/clients/v1/matters/nope/notes", {}, 404),
    ("staff", None, "GET", f"{MATTER}/documents", {}, 200),
    ("staff", None, "DELETE", f"{MATTER}/documents/nope", {}, 404),
    ("client", None, "POST", PORTAL, {"params": {"matter_uid": P["matter_uid"]}, "json": {}}, 422),
    ("client", None, "POST", PORTAL, {"files": {"form_data[fields][documents][0]": ("a.txt", b"a")}}, 422),
    ("client", None, "POST", PORTAL.replace(ME, "nope"), {"params": {"matter_uid": P["matter_uid"]}}, 404),
    ("staff", None, "POST", PORTAL, {"params": {"matter_uid": P["matter_uid"]}}, 403),
    ("app", None, "GET", STAFFS, {}, 200),
    ("staff", None, "GET", STAFFS.replace(ME, "nope"), {}, 404),
    ("staff", None, "POST", STAFFS, {"json": {"first_name": "No email"}}, 422),
    ("staff", None, "DELETE", f"{STAFFS}/{P['staff_uid']}", {}, 422),
    ("admin", ME, "GET", "fallback:/v2/staffs", {"params": {"page": 1}}, 200),
    ("staff", None, "PUT", f"{CALENDAR}/disable", {"json": {"staff_uid": P["staff_uid"]}}, 422),
    ("staff", None, "PUT", f"{CALENDAR}/start_export", {"json": {"staff_uid": "nope"}}, 404),
    ("app", None, "PUT", f"{CALENDAR}/connect", {"json": {"staff_uid": P["staff_uid"]}}, 422),
    ("directory", ME, "PUT", f"{CALENDAR}/bulk_create", {"json": {}}, 403),
    ("app", None, "GET", CALENDAR, {}, 422),
    ("staff", None, "PUT", f"{CALENDAR}/bulk_deactivate", {"data": "{"}, 400),
    ("app", None, "POST", GATEWAYS, {"json": {"gateway_type": "crypto"}}, 422),
    ("app", None, "GET", GATEWAYS, {}, 200),
    ("app", None, "GET", f"{GATEWAYS}/nope", {}, 404),
    ("staff", None, "GET", GATEWAYS, {}, 403),
    ("admin", None, "GET", DIRECTORIES, {"params": {"type": "reseller"}}, 200),
    ("internal", None, "GET", f"{DIRECTORIES}/nope", {}, 404),
    ("staff", None, "GET", DIRECTORIES, {}, 403),
    ("directory", None, "POST", LEADS, {"json": {"business_id": "nope", "email": "a@b.c"}}, 404),
    ("directory", None, "POST", LEADS, {"json": {"business_id": ME}}, 422),
    ("staff", None, "POST", LEADS, {"json": {}}, 403),
    ("directory", None, "GET", REPORT, {"params": {"business_id": ME}}, 200),
    ("directory", None, "GET", REPORT, {"params": {"email": "nobody@example.com"}}, 404),
    ("directory", None, "GET", REPORT, {}, 422),
    (None, None, "POST", "/__echo/any", {"json": {"a": 1}}, 200),
]  # fmt: skip


@pytest.fixture(scope="module")
def sandbox() -> Any:
    with Sandbox() as server:
        yield server


@pytest.mark.parametrize(
    ("token", "on_behalf", "method", "path", "kwargs", "status"),
    ANSWERS,
    ids=[f"{a[2]} {a[3]} {a[0]} {a[5]}" for a in ANSWERS],
)
def test_sandbox_answers_match_the_description(
    sandbox: Sandbox,
    contract: Contract,
    token: str | None,
    on_behalf: str | None,
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
) -> None:
    base = sandbox.partners_url if "/partners/" in path else sandbox.url
    if path.startswith("fallback:"):
        base, path = sandbox.fallback_url, path.removeprefix("fallback:")
    kwargs = dict(kwargs)
    headers = dict(kwargs.pop("headers", {}))
    if token:
        headers["Authorization"] = authorization(token, DEMO_TOKENS[token], path)
    if on_behalf:
        headers["X-On-Behalf-Of"] = on_behalf
    answer = requests.request(method, base + path, headers=headers, timeout=10, **kwargs)
    assert answer.status_code == status, answer.text
    op = contract.operation(None, method, path)
    assert op is not None
    assert isinstance(contract.response_schema(op, status), str), f"{status} not documented"
    assert [str(m) for m in contract.check_response(op, status, answer.json())] == []
