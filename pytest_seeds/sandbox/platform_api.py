"""Admin-only directories, app-only payment gateways and the partners API."""

from __future__ import annotations

from .core import (
    JSON,
    PARTNERS,
    Reply,
    Request,
    Route,
    forbidden,
    not_found,
    ok,
    page,
    require,
    route,
    unprocessable,
)
from .state import State, new_id, now_iso

ADMIN = ("admin", "internal")
APP = ("app",)
GATEWAY_TYPES = ("digital_wallet", "card", "bank_transfer")
_GATEWAY_KEYS = (
    "gateway_type",
    "status",
    "default_locale",
    "gateway_logo_url",
    "supported_countries",
    "supported_currencies",
)


@route("GET", "/v3/business_administration/directories", ADMIN)
def list_directories(state: State, req: Request) -> Reply:
    kind = req.param("type")
    found = [d for d in state.directories.values() if not kind or d["type"] == kind]
    items, meta = page(found, req)
    return ok({"directories": items, **meta})


@route("GET", "/v3/business_administration/directories/{uid}", ADMIN)
def get_directory(state: State, req: Request) -> Reply:
    return ok({"directory": state.get("directories", req.path_params["uid"], None, "directory")})


def _gateway(state: State, req: Request) -> JSON:
    gw = state.gateways.get(req.path_params["uid"])
    if gw is None or gw["app_code_name"] != req.identity.app_code_name:
        raise not_found(f"payment gateway {req.path_params['uid']!r} not found")
    return gw


def _gateway_fields(body: JSON) -> JSON:
    if "gateway_type" in body and body["gateway_type"] not in GATEWAY_TYPES:
        raise unprocessable("gateway_type", f"gateway_type must be one of {GATEWAY_TYPES}")
    if "status" in body and body["status"] not in ("active", "inactive"):
        raise unprocessable("status", "status must be active or inactive")
    return {k: body[k] for k in _GATEWAY_KEYS if k in body}


@route("POST", "/v3/payment_processing/payment_gateways", APP)
def create_gateway(state: State, req: Request) -> Reply:
    body = req.json()
    require(body, "gateway_type")
    code = body.get("app_code_name") or req.identity.app_code_name
    if code != req.identity.app_code_name:
        raise unprocessable("app_code_name", "app_code_name must be the calling app's code name")
    uid = new_id()
    gw = {"uid": uid, "app_code_name": code, "status": "active", "default_locale": "en"}
    gw.update(_gateway_fields(body), created_at=now_iso())
    state.gateways[uid] = gw
    return ok({"payment_gateway": gw}, 201)


@route("GET", "/v3/payment_processing/payment_gateways", APP)
def list_gateways(state: State, req: Request) -> Reply:
    mine = [g for g in state.gateways.values() if g["app_code_name"] == req.identity.app_code_name]
    items, meta = page(mine, req)
    return ok({"payment_gateways": items, **meta})


@route("GET", "/v3/payment_processing/payment_gateways/{uid}", APP)
def get_gateway(state: State, req: Request) -> Reply:
    return ok({"payment_gateway": _gateway(state, req)})


@route("PUT", "/v3/payment_processing/payment_gateways/{uid}", APP)
def update_gateway(state: State, req: Request) -> Reply:
    gw = _gateway(state, req)
    gw.update(_gateway_fields(req.json()))
    return ok({"payment_gateway": gw})


@route("DELETE", "/v3/payment_processing/payment_gateways/{uid}", APP)
def delete_gateway(state: State, req: Request) -> Reply:
    gw = _gateway(state, req)
    del state.gateways[gw["uid"]]
    return ok({"deleted": True, "uid": gw["uid"]})


def _partner_business(state: State, req: Request, uid: str) -> JSON:
    biz = state.get("businesses", uid, None, "business")
    if not state.directory_owns(req.identity.directory_id or "", uid):
        raise forbidden(f"business {uid!r} does not belong to this directory")
    return biz


@route("POST", "/v1/partners/leads", ["directory"], apis=[PARTNERS])
def create_lead(state: State, req: Request) -> Reply:
    """Inject a lead: creates a client in the business and returns both uids."""
    body = req.json()
    biz = _partner_business(state, req, str(require(body, "business_id")))
    email = require(body, "email")
    client_uid, uid = new_id(), new_id()
    state.clients[client_uid] = {
        "id": client_uid,
        "uid": client_uid,
        "business_id": biz["business_id"],
        "first_name": body.get("first_name") or "Lead",
        "last_name": body.get("last_name"),
        "email": email,
        "phone": body.get("phone"),
        "source": "partners_lead",
        "created_at": now_iso(),
    }
    lead = {
        "uid": uid,
        "business_id": biz["business_id"],
        "client_id": client_uid,
        "email": email,
        "request_title": body.get("request_title"),
        "created_at": now_iso(),
    }
    state.leads[uid] = lead
    return ok({"lead": lead}, 201)


@route("GET", "/v1/partners/reports/business", ["directory"], apis=[PARTNERS])
def business_report(state: State, req: Request) -> Reply:
    """Business info looked up by ``business_id`` or owner ``email`` query parameter."""
    uid, email = req.param("business_id"), req.param("email")
    if not uid and not email:
        raise unprocessable("email", "give business_id or email", code="missing")
    if not uid:
        uid = next((b for b, v in state.businesses.items() if v["owner_email"] == email), "")
        if not uid:
            raise not_found(f"no business owned by {email!r}")
    return ok({"business": _partner_business(state, req, uid)})


ROUTES = [v for v in list(globals().values()) if isinstance(v, Route)]
