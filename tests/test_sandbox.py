"""Tests of the embedded sandbox API, and a hand walk of every seed in ``seeds/`` against it.

These tests do not use the pytest-seeds plugin: they talk to ``Sandbox`` with ``requests``.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from jsonpath_ng.ext import parse as jsonpath

from pytest_seeds.sandbox import DEMO_PARAMS, DEMO_TOKENS, Sandbox

P = DEMO_PARAMS
T = DEMO_TOKENS
SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
CAL = "/business/scheduling/v1/external_calendar_items"
NOT_SYNCED = {
    "status": "Error",
    "errors": [
        {
            "code": "missing",
            "field": "staff",
            "message": "staff is not registered to any calendar sync",
        }
    ],
}


@pytest.fixture
def sb():
    with Sandbox() as sandbox:
        yield sandbox


def auth(token_type: str | None, api: str = "main", on_behalf: str | None = None) -> dict:
    """Headers the way the runner sends them."""
    if token_type is None:
        return {}
    token = T[token_type]
    if api == "partners":
        value = f'Token token="{token}"'
    elif token_type in ("admin", "internal"):
        value = f"Admin {token}"
    else:
        value = f"Bearer {token}"
    headers = {"Authorization": value}
    if on_behalf:
        headers["X-On-Behalf-Of"] = on_behalf
    return headers


def call(
    sb: Sandbox,
    method: str,
    path: str,
    token: str | None = "staff",
    api: str = "main",
    on_behalf: str | None = None,
    headers: dict | None = None,
    **kwargs: Any,
) -> requests.Response:
    base = {"main": sb.url, "fallback": sb.fallback_url, "partners": sb.partners_url}[api]
    hdrs = {**auth(token, api, on_behalf), **(headers or {})}
    return requests.request(method, base + path, headers=hdrs, timeout=10, **kwargs)


def future(hours: float) -> str:
    when = datetime.now(UTC) + timedelta(hours=hours)
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def items(external_id: str = "ext-1", staff: str = P["staff_id"]) -> dict:
    return {
        "staff_uid": staff,
        "calendar_sync": {"provider": "google_v3", "account": "a@example.com"},
        "external_items": [
            {
                "external_id": external_id,
                "title": "Meeting",
                "start_time": future(24),
                "end_time": future(25),
            }
        ],
    }


def connect(sb: Sandbox, staff: str = P["staff_id"], token: str = "staff") -> requests.Response:
    body = {"staff_uid": staff, "calendar_sync": {"provider": "google_v3", "account": "a@b.c"}}
    return call(sb, "PUT", f"{CAL}/connect", token, json=body)


def upload_path(business: str = P["business_uid"]) -> str:
    return f"/client_api/v1/portals/{business}/share_documents_form/submit"


# --------------------------------------------------------------------------- lifecycle


def test_url_only_once_started_and_socket_closed_after_stop() -> None:
    sandbox = Sandbox()
    with pytest.raises(RuntimeError):
        _ = sandbox.url
    sandbox.start()
    url = sandbox.url
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
    assert int(url.rsplit(":", 1)[1]) != 0
    assert sandbox.fallback_url == url + "/__fallback"
    assert sandbox.partners_url == url + "/__partners"
    assert requests.get(url + "/__echo", timeout=5).status_code == 200
    sandbox.stop()
    sandbox.stop()  # idempotent
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/__echo", timeout=2)


def test_demo_tokens_and_params_shape() -> None:
    assert set(T) == {"staff", "app", "client", "directory", "admin", "internal"}
    assert len(set(T.values())) == 6
    assert P["business_id"] == P["business_uid"]
    assert P["staff_id"] == P["staff_uid"]
    assert P["client_id"] == P["client_uid"]
    assert P["matter_uid"] and P["directory_id"]


def test_state_is_per_instance() -> None:
    with Sandbox() as a, Sandbox() as b:
        assert a.url != b.url
        r = call(a, "POST", "/platform/v1/clients", json={"first_name": "Only-in-A"})
        assert r.status_code == 201
        uid = r.json()["data"]["client"]["id"]
        assert call(a, "GET", f"/platform/v1/clients/{uid}").status_code == 200
        assert call(b, "GET", f"/platform/v1/clients/{uid}").status_code == 404


def test_custom_tokens_and_params() -> None:
    params = {"business_id": "b1", "staff_id": "s1", "client_id": "c1", "matter_uid": "m1"}
    params["directory_id"] = "d1"
    with Sandbox(tokens={"staff": "my-staff"}, params=params) as sandbox:
        good = {"Authorization": "Bearer my-staff"}
        r = requests.get(sandbox.url + "/platform/v1/businesses/b1/staffs", headers=good)
        assert r.status_code == 200
        assert [s["id"] for s in r.json()["data"]["staffs"]] == ["s1"]
        demo = {"Authorization": f"Bearer {T['staff']}"}
        r = requests.get(sandbox.url + "/platform/v1/businesses/b1/staffs", headers=demo)
        assert r.status_code == 401
    with pytest.raises(ValueError, match="matter_uid"):
        Sandbox(params={k: v for k, v in P.items() if k != "matter_uid"})
    with pytest.raises(ValueError, match="unknown token types"):
        Sandbox(tokens={"superuser": "x"})


def test_cli_prints_url_and_demo_json() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest_seeds.sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", first)
        assert url, first
        lines = []
        while not lines or lines[-1] != "}\n":
            line = proc.stdout.readline()
            assert line, "CLI output ended before the JSON"
            if lines or line.startswith("{"):
                lines.append(line)
        shown = json.loads("".join(lines))
        assert shown == {"tokens": T, "params": P}
        r = requests.get(url.group(0) + "/platform/v1/clients", headers=auth("staff"), timeout=5)
        assert r.status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0


# --------------------------------------------------------------------------- auth


@pytest.mark.parametrize("token", ["staff", "app"])
def test_bearer_staff_and_app_accepted(sb: Sandbox, token: str) -> None:
    r = call(sb, "GET", "/platform/v1/clients", token)
    assert r.status_code == 200
    assert r.json()["success"] is True
    assert P["client_uid"] in [c["id"] for c in r.json()["data"]["clients"]]


def test_bearer_client_token_accepted_on_client_portal(sb: Sandbox) -> None:
    files = {"form_data[fields][documents][0]": ("a.txt", b"abc", "text/plain")}
    r = call(
        sb, "POST", upload_path(), "client", params={"matter_uid": P["matter_uid"]}, files=files
    )
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("token", ["admin", "internal"])
def test_admin_scheme_for_admin_and_internal(sb: Sandbox, token: str) -> None:
    r = call(sb, "GET", "/v3/business_administration/directories", token)
    assert r.status_code == 200
    assert P["directory_id"] in [d["uid"] for d in r.json()["data"]["directories"]]
    bearer = {"Authorization": f"Bearer {T[token]}"}
    r = call(sb, "GET", "/v3/business_administration/directories", None, headers=bearer)
    assert r.status_code == 401
    assert "Admin" in r.json()["message"]


def test_admin_scheme_refused_for_bearer_tokens(sb: Sandbox) -> None:
    r = call(
        sb, "GET", "/platform/v1/clients", None, headers={"Authorization": f"Admin {T['staff']}"}
    )
    assert r.status_code == 401
    assert r.json()["error"] == "unauthorized"


def test_partners_token_scheme(sb: Sandbox) -> None:
    lead = {"email": "lead@example.com", "business_id": P["business_uid"]}
    r = call(sb, "POST", "/v1/partners/leads", "directory", api="partners", json=lead)
    assert r.status_code == 201, r.text
    client_id = r.json()["data"]["lead"]["client_id"]
    # the lead became a client of the business
    r = call(sb, "GET", f"/platform/v1/clients/{client_id}")
    assert r.status_code == 200
    assert r.json()["data"]["client"]["email"] == "lead@example.com"
    # Bearer on the partners API is refused
    bearer = {"Authorization": f"Bearer {T['directory']}"}
    r = call(sb, "POST", "/v1/partners/leads", None, api="partners", headers=bearer, json=lead)
    assert r.status_code == 401
    assert "Token token" in r.json()["message"]
    # the Token scheme is refused on the main API
    token_hdr = {"Authorization": f'Token token="{T["staff"]}"'}
    r = call(sb, "GET", "/platform/v1/clients", None, headers=token_hdr)
    assert r.status_code == 401


@pytest.mark.parametrize(
    "header",
    [None, "Bearer wrong-token", f"Basic {T['staff']}", "Bearer", 'Token token="wrong"'],
)
@pytest.mark.parametrize(
    ("api", "method", "path"),
    [
        ("main", "GET", "/platform/v1/clients"),
        ("fallback", "GET", "/v2/staffs"),
        ("main", "PUT", f"{CAL}/bulk_create"),
        ("main", "GET", "/v3/business_administration/directories"),
        ("partners", "GET", "/v1/partners/reports/business"),
    ],
)
def test_missing_or_wrong_token_is_401(
    sb: Sandbox, header: str | None, api: str, method: str, path: str
) -> None:
    headers = {"Authorization": header} if header else {}
    r = call(sb, method, path, None, api=api, headers=headers, json={})
    assert r.status_code == 401
    body = r.json()
    assert body["success"] is False
    assert body["error"] == "unauthorized"


@pytest.mark.parametrize(
    ("token", "method", "path", "api"),
    [
        ("staff", "GET", "/v3/business_administration/directories", "main"),
        ("app", "GET", "/v3/business_administration/directories", "main"),
        ("client", "GET", "/platform/v1/clients", "main"),
        ("staff", "POST", "/v3/payment_processing/payment_gateways", "main"),
        ("admin", "POST", "/v3/payment_processing/payment_gateways", "main"),
        ("staff", "POST", upload_path(), "main"),
        ("app", "POST", upload_path(), "main"),
        ("client", "PUT", f"{CAL}/connect", "main"),
        ("staff", "GET", "/v1/partners/reports/business", "partners"),
    ],
)
def test_endpoint_refuses_other_token_types(
    sb: Sandbox, token: str, method: str, path: str, api: str
) -> None:
    r = call(sb, method, path, token, api=api, json={})
    assert r.status_code == 403
    assert r.json()["error"] == "forbidden"
    assert f"not a {token} token" in r.json()["message"]


def test_directory_token_needs_matching_on_behalf_of(sb: Sandbox) -> None:
    r = call(sb, "GET", "/platform/v1/clients", "directory")
    assert r.status_code == 401
    assert "X-On-Behalf-Of" in r.json()["message"]
    r = call(sb, "GET", "/platform/v1/clients", "directory", on_behalf="someone-else")
    assert r.status_code == 403
    assert "does not belong" in r.json()["message"]
    r = call(
        sb,
        "POST",
        "/platform/v1/clients",
        "directory",
        on_behalf=P["business_uid"],
        json={"first_name": "Dir"},
    )
    assert r.status_code == 201
    assert r.json()["data"]["client"]["business_id"] == P["business_uid"]


def test_partners_business_must_belong_to_directory(sb: Sandbox) -> None:
    lead = {"email": "x@example.com", "business_id": "unknown-business"}
    r = call(sb, "POST", "/v1/partners/leads", "directory", api="partners", json=lead)
    assert r.status_code == 404
    r = call(
        sb,
        "GET",
        "/v1/partners/reports/business",
        "directory",
        api="partners",
        params={"email": "owner@sandbox.example"},
    )
    assert r.status_code == 200
    assert r.json()["data"]["business"]["business_id"] == P["business_uid"]


# --------------------------------------------------------------------------- calendar


def test_bulk_create_422_until_calendar_connected(sb: Sandbox) -> None:
    r = call(sb, "PUT", f"{CAL}/bulk_create", json=items())
    assert r.status_code == 422
    assert r.json() == NOT_SYNCED
    r = connect(sb)
    assert r.status_code == 200
    sync = r.json()["data"]["calendar_sync"]
    assert (sync["staff_uid"], sync["status"]) == (P["staff_uid"], "connected")
    r = call(sb, "PUT", f"{CAL}/bulk_create", json=items("ext-42"))
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["created_count"] == 1
    assert data["items"][0]["external_id"] == "ext-42"
    assert data["items"][0]["status"] == "created"
    again = call(sb, "PUT", f"{CAL}/bulk_create", "app", json=items("ext-42")).json()["data"]
    assert again["created_count"] == 0
    assert again["items"][0]["status"] == "updated"
    listed = call(sb, "GET", CAL, params={"staff_uid": P["staff_uid"]}).json()["data"]
    assert [i["external_id"] for i in listed["items"]] == ["ext-42"]
    body = {"staff_uid": P["staff_uid"], "external_ids": ["ext-42"]}
    r = call(sb, "PUT", f"{CAL}/bulk_deactivate", json=body)
    assert r.json()["data"]["deactivated_count"] == 1
    listed = call(sb, "GET", CAL, params={"staff_uid": P["staff_uid"]}).json()["data"]
    assert listed["items"] == []


def test_disable_brings_back_the_422_and_start_export(sb: Sandbox) -> None:
    body = {"staff_uid": P["staff_uid"]}
    assert call(sb, "PUT", f"{CAL}/start_export", json=body).json() == NOT_SYNCED
    assert connect(sb, token="app").status_code == 200
    r = call(sb, "PUT", f"{CAL}/start_export", json=body)
    assert r.status_code == 200
    assert r.json()["data"]["calendar_sync"]["exporting"] is True
    assert call(sb, "PUT", f"{CAL}/disable", json=body).status_code == 200
    r = call(sb, "PUT", f"{CAL}/bulk_create", json=items())
    assert (r.status_code, r.json()) == (422, NOT_SYNCED)


def test_calendar_validation(sb: Sandbox) -> None:
    connect(sb)
    bad = items()
    bad["external_items"][0]["end_time"] = future(23)
    r = call(sb, "PUT", f"{CAL}/bulk_create", json=bad)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "external_items[0].end_time"
    r = call(sb, "PUT", f"{CAL}/connect", json={"staff_uid": P["staff_uid"]})
    assert r.status_code == 422
    r = call(sb, "PUT", f"{CAL}/bulk_create", json=items(staff="no-such-staff"))
    assert r.status_code == 404


def test_new_staff_has_no_calendar(sb: Sandbox) -> None:
    path = f"/platform/v1/businesses/{P['business_id']}/staffs"
    r = call(sb, "POST", path, json={"first_name": "New", "email": "new@example.com"})
    assert r.status_code == 201
    uid = r.json()["data"]["staff"]["id"]
    r = call(sb, "PUT", f"{CAL}/start_export", json={"staff_uid": uid})
    assert (r.status_code, r.json()) == (422, NOT_SYNCED)
    assert call(sb, "DELETE", f"{path}/{uid}").status_code == 200
    assert call(sb, "DELETE", f"{path}/{uid}").status_code == 404
    assert call(sb, "DELETE", f"{path}/{P['staff_id']}").status_code == 422


# --------------------------------------------------------------------------- 404 / 405


@pytest.mark.parametrize(
    ("token", "method", "path"),
    [
        ("staff", "GET", "/no/such/route"),
        ("staff", "GET", "/platform/v1/clients/unknown-client"),
        ("staff", "DELETE", "/platform/v1/clients/unknown-client"),
        ("staff", "GET", "/business/clients/v1/matters/unknown-matter"),
        ("staff", "GET", "/business/clients/v1/contacts/unknown-client/matters"),
        ("staff", "GET", "/platform/v1/businesses/unknown-business/staffs"),
        ("admin", "GET", "/v3/business_administration/directories/unknown-dir"),
        ("app", "GET", "/v3/payment_processing/payment_gateways/unknown-gw"),
    ],
)
def test_unknown_ids_and_routes_are_404(sb: Sandbox, token: str, method: str, path: str) -> None:
    r = call(sb, method, path, token)
    assert r.status_code == 404
    assert r.json() == {"success": False, "error": "not_found", "message": r.json()["message"]}


def test_api_specific_routes_404_elsewhere_with_a_hint(sb: Sandbox) -> None:
    r = call(sb, "GET", "/v2/staffs")
    assert r.status_code == 404
    assert "fallback" in r.json()["message"]
    r = call(sb, "GET", "/v1/partners/reports/business", "directory", on_behalf=P["business_uid"])
    assert r.status_code == 404
    assert "partners" in r.json()["message"]
    r = call(sb, "GET", "/platform/v1/clients", "directory", api="partners")
    assert r.status_code == 404


def test_wrong_method_is_405(sb: Sandbox) -> None:
    r = call(sb, "PATCH", "/platform/v1/clients")
    assert r.status_code == 405
    assert set(r.headers["Allow"].split(", ")) == {"GET", "POST"}


def test_validation_errors(sb: Sandbox) -> None:
    r = call(sb, "POST", "/platform/v1/clients", json={"last_name": "NoFirst"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "first_name"
    r = call(
        sb,
        "POST",
        "/platform/v1/clients",
        data="{not json",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400
    r = call(sb, "GET", "/platform/v1/clients", params={"per_page": "many"})
    assert r.status_code == 422


# --------------------------------------------------------------------------- clients


def test_client_matter_note_chain_and_cascade(sb: Sandbox) -> None:
    r = call(sb, "POST", "/platform/v1/clients", json={"first_name": "Ann", "email": "ann@x.io"})
    client = r.json()["data"]["client"]["id"]
    found = call(sb, "GET", "/platform/v1/clients", params={"search_term": "ANN@x"}).json()
    assert [c["id"] for c in found["data"]["clients"]] == [client]
    fields = call(sb, "GET", "/business/clients/v1/fields").json()["data"]["fields"]
    name_uid = next(f["uid"] for f in fields if f["type"] == "name")
    other_uid = next(f["uid"] for f in fields if f["type"] == "text")
    path = f"/business/clients/v1/contacts/{client}/matters"
    r = call(sb, "POST", path, json={"matter": {"fields": [{"uid": other_uid, "value": "x"}]}})
    assert r.status_code == 422
    r = call(sb, "POST", path, json={"matter": {"fields": [{"uid": name_uid, "value": "Case"}]}})
    assert r.status_code == 201
    matter = r.json()["data"]["matter"]["uid"]
    r = call(
        sb,
        "POST",
        f"/business/clients/v1/matters/{matter}/notes",
        json={"note": {"content": "hello"}},
    )
    assert r.status_code == 201
    notes = call(sb, "GET", f"/business/clients/v1/matters/{matter}/notes").json()["data"]
    assert [n["content"] for n in notes["notes"]] == ["hello"]
    assert call(sb, "DELETE", f"/platform/v1/clients/{client}").status_code == 200
    assert call(sb, "GET", f"/business/clients/v1/matters/{matter}").status_code == 404
    assert call(sb, "DELETE", f"/platform/v1/clients/{P['client_id']}").status_code == 422


def test_pagination(sb: Sandbox) -> None:
    for i in range(5):
        call(sb, "POST", "/platform/v1/clients", json={"first_name": f"P{i}"})
    r = call(sb, "GET", "/platform/v1/clients", params={"per_page": 2, "page": 3}).json()["data"]
    assert (r["total"], r["page"], r["per_page"], len(r["clients"])) == (6, 3, 2, 2)


def test_concurrent_requests_are_thread_safe(sb: Sandbox) -> None:
    def create(i: int) -> str:
        r = call(sb, "POST", "/platform/v1/clients", json={"first_name": f"T{i}"})
        assert r.status_code == 201
        return r.json()["data"]["client"]["id"]

    with ThreadPoolExecutor(max_workers=16) as pool:
        ids = list(pool.map(create, range(64)))
    assert len(set(ids)) == 64
    total = call(sb, "GET", "/platform/v1/clients").json()["data"]["total"]
    assert total == 65


# --------------------------------------------------------------------------- uploads


def test_multipart_upload_is_recorded(sb: Sandbox) -> None:
    content = b"line one\r\n\r\n--not-a-boundary\r\n\x00\xff binary tail\r\n"
    files = {
        "form_data[fields][documents][0]": ("report.bin", content, "application/octet-stream"),
        "form_data[fields][documents][1]": ("b.txt", b"second", "text/plain"),
    }
    data = {"form_data[fields][title]": "Title ü", "form_data[fields][message]": "Msg"}
    r = call(
        sb,
        "POST",
        upload_path(),
        "client",
        params={"matter_uid": P["matter_uid"]},
        data=data,
        files=files,
    )
    assert r.status_code == 200, r.text
    body = r.json()["data"]
    assert body["fields"] == data
    assert body["conversation_uid"] == P["matter_uid"]
    docs = body["documents"]
    assert [(d["field_name"], d["filename"], d["size"]) for d in docs] == [
        ("form_data[fields][documents][0]", "report.bin", len(content)),
        ("form_data[fields][documents][1]", "b.txt", 6),
    ]
    assert docs[0]["sha256"] == hashlib.sha256(content).hexdigest()
    assert sb.uploads[-1]["contents"] == [content, b"second"]
    assert sb.uploads[-1]["fields"] == data
    listed = call(sb, "GET", f"/business/clients/v1/matters/{P['matter_uid']}/documents").json()
    assert {d["uid"] for d in listed["data"]["documents"]} == {d["uid"] for d in docs}
    doc = f"/business/clients/v1/matters/{P['matter_uid']}/documents/{docs[0]['uid']}"
    assert call(sb, "GET", doc).json()["data"]["document"]["filename"] == "report.bin"
    assert call(sb, "DELETE", doc).status_code == 200
    assert call(sb, "GET", doc).status_code == 404


def test_upload_rejections(sb: Sandbox) -> None:
    params = {"matter_uid": P["matter_uid"]}
    r = call(sb, "POST", upload_path(), "client", params=params, json={"a": 1})
    assert r.status_code == 422
    assert "multipart" in r.json()["errors"][0]["message"]
    r = call(
        sb,
        "POST",
        upload_path(),
        "client",
        params=params,
        data={"only": "fields"},
        files={"x": (None, b"not a file")},
    )
    assert r.status_code == 422
    assert "at least one document" in r.json()["errors"][0]["message"]
    files = {"form_data[fields][documents][0]": ("a.txt", b"a")}
    assert call(sb, "POST", upload_path(), "client", files=files).status_code == 422
    r = call(sb, "POST", upload_path("other-business"), "client", params=params, files=files)
    assert r.status_code == 404
    # a matter of another client: 403
    c = call(sb, "POST", "/platform/v1/clients", json={"first_name": "Other"}).json()
    fields = call(sb, "GET", "/business/clients/v1/fields").json()["data"]["fields"]
    m = call(
        sb,
        "POST",
        f"/business/clients/v1/contacts/{c['data']['client']['id']}/matters",
        json={"matter": {"fields": [{"uid": fields[0]["uid"], "value": "n"}]}},
    ).json()
    r = call(
        sb,
        "POST",
        upload_path(),
        "client",
        params={"matter_uid": m["data"]["matter"]["uid"]},
        files=files,
    )
    assert r.status_code == 403


# --------------------------------------------------------------------------- echo & prefixes


@pytest.mark.parametrize("api", ["main", "fallback", "partners"])
def test_echo_returns_everything_received(sb: Sandbox, api: str) -> None:
    r = call(
        sb,
        "PUT",
        "/__echo/some/where",
        "staff",
        api=api,
        headers={"X-Custom": "yes", "Authorization": "Bearer super-secret"},
        params={"q": "1", "multi": ["a", "b"]},
        json={"password": "hunter2"},
    )
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["api"] == api
    assert data["method"] == "PUT"
    assert data["path"] == "/__echo/some/where"
    assert data["query"] == {"q": "1", "multi": ["a", "b"]}
    assert data["headers"]["Authorization"] == "Bearer super-secret"
    assert data["headers"]["X-Custom"] == "yes"
    assert data["json"] == {"password": "hunter2"}
    assert "hunter2" in data["body"]


def test_echo_needs_no_auth_and_shows_multipart(sb: Sandbox) -> None:
    r = call(sb, "POST", "/__echo", None, data={"f": "v"}, files={"up": ("n.txt", b"1234")})
    assert r.status_code == 200
    form = r.json()["data"]["form"]
    assert form["fields"] == {"f": "v"}
    assert form["files"] == [{"field_name": "up", "filename": "n.txt", "size": 4}]
    r = call(sb, "GET", "/__echo", None)
    assert r.json()["data"]["headers"].get("Authorization") is None


def test_fallback_prefix_serves_the_same_state_and_is_recorded(sb: Sandbox) -> None:
    r = call(sb, "POST", "/platform/v1/clients", api="fallback", json={"first_name": "FB"})
    assert r.status_code == 201
    assert r.headers["X-Sandbox-Api"] == "fallback"
    uid = r.json()["data"]["client"]["id"]
    r = call(sb, "GET", f"/platform/v1/clients/{uid}")
    assert r.status_code == 200
    assert r.headers["X-Sandbox-Api"] == "main"
    r = call(sb, "GET", "/v2/staffs", api="fallback", params={"per_page": 1})
    assert r.status_code == 200
    assert r.json()["data"][0]["email"] == "owner@sandbox.example"
    log = [(q["api"], q["method"], q["path"], q["status"]) for q in sb.requests]
    assert log == [
        ("fallback", "POST", "/platform/v1/clients", 201),
        ("main", "GET", f"/platform/v1/clients/{uid}", 200),
        ("fallback", "GET", "/v2/staffs", 200),
    ]
    assert all("token" not in k or k == "token_type" for q in sb.requests for k in q)


def test_partners_prefix_is_recorded(sb: Sandbox) -> None:
    r = call(
        sb,
        "GET",
        "/v1/partners/reports/business",
        "directory",
        api="partners",
        params={"business_id": P["business_uid"]},
    )
    assert r.status_code == 200
    assert r.headers["X-Sandbox-Api"] == "partners"
    assert sb.requests[-1]["api"] == "partners"
    assert sb.requests[-1]["token_type"] == "directory"


# --------------------------------------------------------------------------- seeds, by hand

TEMPLATE = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")
SEED_FILES = sorted(SEEDS_DIR.glob("*.md"))
SKIP_STATUSES = {"skip", "skipped", "deprecated"}
SKIPPED_SEED = "put_business_scheduling_v1_external_calendar_items_bulk_create.md"


def load_seed(path: Path) -> tuple[dict, dict[str, list[dict]]]:
    """Front matter and the steps of each section (prerequisites, test, cleanup)."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    sections: dict[str, list[dict]] = {"prerequisites": [], "test": [], "cleanup": []}
    current = None
    for block in re.split(r"^## ", body, flags=re.M)[1:]:
        heading = block.splitlines()[0].strip().lower()
        current = next(
            (
                key
                for key, prefix in (
                    ("prerequisites", "prerequisites"),
                    ("test", "test request"),
                    ("cleanup", "cleanup"),
                )
                if heading.startswith(prefix)
            ),
            None,
        )
        if current is None:
            continue
        for yml in re.findall(r"```yaml\n(.*?)```", block, flags=re.S):
            sections[current].extend(yaml.safe_load(yml)["steps"])
    return yaml.safe_load(front), sections


def builtins() -> dict[str, str]:
    now = datetime.now(UTC)
    fmt = "%Y-%m-%dT%H:%M:%S.000Z"
    rnd = secrets.token_hex(4)
    return {
        "unique_id": str(int(time.time() * 1000)) + rnd,
        "future_datetime": (now + timedelta(hours=24)).strftime(fmt),
        "future_datetime_plus_1h": (now + timedelta(hours=25)).strftime(fmt),
        "random_email": f"seed.{rnd}@example.com",
        "random_firstname": f"First{rnd}",
        "random_lastname": f"Last{rnd}",
        "random_phone": "+1555" + str(int(rnd, 16) % 10_000_000).zfill(7),
        "random_url": f"https://example.com/{rnd}.png",
    }


def render(value: Any, ctx: dict[str, Any]) -> Any:
    if isinstance(value, str):

        def sub(m: re.Match) -> str:
            assert m.group(1) in ctx, f"unresolved template {m.group(0)}"
            return str(ctx[m.group(1)])

        return TEMPLATE.sub(sub, value)
    if isinstance(value, list):
        return [render(v, ctx) for v in value]
    if isinstance(value, dict):
        return {k: render(v, ctx) for k, v in value.items()}
    return value


def send_step(sb: Sandbox, seed: Path, front: dict, step: dict, ctx: dict) -> requests.Response:
    path = render(step["path"], ctx)
    token = step.get("token", "staff")
    fallback = front.get("useFallbackApi") or step.get("useFallbackApi") or step.get("useFallback")
    api = "partners" if "/partners/" in path else "fallback" if fallback else "main"
    on_behalf = ctx["business_uid"] if token == "directory" and step.get("x_on_behalf_of") else None
    kwargs: dict[str, Any] = {"params": render(step.get("params"), ctx)}
    if step.get("content_type") == "multipart":
        kwargs["data"] = render(step.get("form_fields") or {}, ctx)
        kwargs["files"] = {
            f["field_name"]: (f["filename"], (seed.parent / f["file_path"]).read_bytes())
            for f in step["file_fields"]
        }
    elif "body" in step:
        kwargs["json"] = render(step["body"], ctx)
    headers = render(step.get("headers") or {}, ctx)
    return call(
        sb, step["method"], path, token, api=api, on_behalf=on_behalf, headers=headers, **kwargs
    )


def walk_seed(sb: Sandbox, seed: Path) -> list[tuple[str, str, int, str]]:
    """Run a seed's steps like the runner would; returns (section, id, status, api) per step."""
    front, sections = load_seed(seed)
    ctx: dict[str, Any] = {**P, **builtins()}
    trace: list[tuple[str, str, int, str]] = []

    def run(section: str, step: dict) -> None:
        r = send_step(sb, seed, front, step, ctx)
        trace.append((section, step["id"], r.status_code, r.headers.get("X-Sandbox-Api", "")))
        expected = (step.get("expect") or {}).get("status")
        if expected is None:
            expected = front.get("expectedOutcome") if section == "test" else None
            expected = expected or 200
        expected = expected if isinstance(expected, list) else [expected]
        assert r.status_code in expected, f"{seed.name} {step['id']}: {r.status_code} {r.text}"
        for var, query in (step.get("extract") or {}).items():
            matches = [m.value for m in jsonpath(query).find(r.json())]
            assert matches, f"{seed.name} {step['id']}: {query} matched nothing in {r.text}"
            ctx[var] = matches[0]

    try:
        for step in sections["prerequisites"] + sections["test"]:
            run("prerequisites" if step in sections["prerequisites"] else "test", step)
    finally:
        for step in sections["cleanup"]:
            run("cleanup", step)
    return trace


@pytest.mark.parametrize("seed", SEED_FILES, ids=[p.stem for p in SEED_FILES])
def test_seed_walks_green_by_hand(sb: Sandbox, seed: Path) -> None:
    front, sections = load_seed(seed)
    if str(front.get("status")).lower() in SKIP_STATUSES:
        pytest.skip(f"seed status {front['status']!r}: {front.get('skip_reason')}")
    baseline = {
        t: len(getattr(sb.state, t)) for t in ("clients", "staffs", "gateways", "documents")
    }
    trace = walk_seed(sb, seed)
    assert len(trace) == sum(len(s) for s in sections.values())
    for section, step_id, _status, api in trace:
        step = next(s for s in sections[section] if s["id"] == step_id)
        if "/partners/" in step["path"]:
            assert api == "partners", step_id
        elif front.get("useFallbackApi") or step.get("useFallback") or step.get("useFallbackApi"):
            assert api == "fallback", step_id
        else:
            assert api == "main", step_id
    after = {t: len(getattr(sb.state, t)) for t in baseline}
    assert after == baseline, "the seed's cleanup should remove what it created"


def test_skipped_seed_is_skipped_and_unchanged() -> None:
    front, _ = load_seed(SEEDS_DIR / SKIPPED_SEED)
    assert front["status"] == "skip"
    digest = hashlib.sha256((SEEDS_DIR / SKIPPED_SEED).read_bytes()).hexdigest()
    assert digest == "d9432cdd1ad47a0ace0fe56cc4595fa045a46d60899b4a3954a1467f8aed544e"


def test_skipped_seed_steps_would_pass_against_the_sandbox(sb: Sandbox) -> None:
    """The skipped seed's own steps succeed here, since the sandbox can connect calendars."""
    trace = walk_seed(sb, SEEDS_DIR / SKIPPED_SEED)
    assert [(t[1], t[2]) for t in trace] == [("connect_calendar", 200), ("bulk_create_items", 200)]


def test_all_seeds_together_on_one_shared_sandbox_in_parallel(sb: Sandbox) -> None:
    """Seeds are independent: twice each, concurrently, against one sandbox."""
    runnable = [s for s in SEED_FILES if load_seed(s)[0].get("status") not in SKIP_STATUSES]
    with ThreadPoolExecutor(max_workers=8) as pool:
        traces = list(pool.map(lambda s: walk_seed(sb, s), runnable * 2))
    assert len(traces) == 2 * len(runnable)


def test_seeds_cover_the_required_features() -> None:
    loaded = {p.name: load_seed(p) for p in SEED_FILES}
    new = {k: v for k, v in loaded.items() if k != SKIPPED_SEED}
    assert len(new) >= 8
    steps = [s for _, secs in new.values() for sec in secs.values() for s in sec]
    texts = {name: (SEEDS_DIR / name).read_text() for name in new}
    assert {s.get("token", "staff") for s in steps} >= {
        "staff",
        "app",
        "client",
        "directory",
        "admin",
    }
    assert any(s.get("token") == "directory" and s.get("x_on_behalf_of") is True for s in steps)
    assert any("?(@." in q for s in steps for q in (s.get("extract") or {}).values())
    assert any(s.get("params") for s in steps)
    assert any(f.get("status") == "pending" for f, _ in new.values())
    expected = [(f, secs) for f, secs in new.values() if f.get("expectedOutcome") == 422]
    assert expected and expected[0][0].get("expectedOutcomeReason")
    assert all("status" not in (s.get("expect") or {}) for s in expected[0][1]["test"])
    assert any(secs["cleanup"] for _, secs in new.values())
    multipart = [s for s in steps if s.get("content_type") == "multipart"]
    assert multipart and multipart[0]["form_fields"]
    for f in multipart[0]["file_fields"]:
        assert (SEEDS_DIR / f["file_path"]).is_file()
    for builtin in ("future_datetime", "future_datetime_plus_1h", "random_email", "unique_id"):
        assert any("{{" + builtin + "}}" in t for t in texts.values()), builtin
    # a prerequisite's extracted value feeds a later step's path and body
    chained = False
    for _, secs in new.values():
        names = {v for s in secs["prerequisites"] for v in (s.get("extract") or {})}
        later = secs["test"]
        in_path = any("{{" + n + "}}" in s["path"] for n in names for s in later)
        in_body = any("{{" + n + "}}" in json.dumps(s.get("body")) for n in names for s in later)
        chained |= in_path and in_body
    assert chained
    # the connected counterpart of the skipped seed
    connected = new["put_business_scheduling_v1_external_calendar_items_bulk_create_connected.md"]
    assert connected[1]["prerequisites"][0]["path"].endswith("/external_calendar_items/connect")
    assert connected[1]["prerequisites"][0]["body"]["staff_uid"] == "{{staff_id}}"
    assert connected[1]["test"][0]["path"].endswith("/external_calendar_items/bulk_create")
