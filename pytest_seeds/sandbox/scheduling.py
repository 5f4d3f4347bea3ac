"""Staff members and the external-calendar (calendar sync) endpoints."""

from __future__ import annotations

from datetime import datetime

from .core import (
    JSON,
    ApiError,
    Reply,
    Request,
    Route,
    not_found,
    ok,
    page,
    require,
    route,
    unprocessable,
)
from .state import State, new_id, now_iso

STAFF_READERS = ("staff", "app", "directory", "admin", "internal")
CALENDAR = ("staff", "app")
PROVIDERS = ("google_v3", "outlook_v1.0")
NOT_SYNCED = ApiError(
    422,
    {
        "status": "Error",
        "errors": [
            {
                "code": "missing",
                "field": "staff",
                "message": "staff is not registered to any calendar sync",
            }
        ],
    },
)


def _business(state: State, req: Request) -> str:
    uid = req.path_params["business_id"]
    if uid not in state.businesses or uid != req.identity.business_uid:
        raise not_found(f"business {uid!r} not found")
    return uid


@route("GET", "/platform/v1/businesses/{business_id}/staffs", STAFF_READERS)
def list_staffs(state: State, req: Request) -> Reply:
    biz = _business(state, req)
    items, meta = page([s for s in state.staffs.values() if s["business_id"] == biz], req)
    return ok({"staffs": items, **meta})


@route("POST", "/platform/v1/businesses/{business_id}/staffs", ("staff", "directory"))
def create_staff(state: State, req: Request) -> Reply:
    biz = _business(state, req)
    body = req.json()
    for key in ("first_name", "email"):
        require(body, key)
    uid = new_id()
    rec = {
        "id": uid,
        "uid": uid,
        "business_id": biz,
        "first_name": body["first_name"],
        "last_name": body.get("last_name"),
        "email": body["email"],
        "role": body.get("role") or "staff",
        "created_at": now_iso(),
    }
    state.staffs[uid] = rec
    return ok({"staff": rec}, 201)


@route("DELETE", "/platform/v1/businesses/{business_id}/staffs/{staff_id}", ("staff", "directory"))
def delete_staff(state: State, req: Request) -> Reply:
    biz = _business(state, req)
    rec = state.get("staffs", req.path_params["staff_id"], biz, "staff")
    if rec["id"] == state.params["staff_uid"]:
        raise unprocessable("staff_id", "the configured demo staff cannot be deleted")
    del state.staffs[rec["id"]]
    state.calendar_syncs.pop(rec["id"], None)
    return ok({"deleted": True, "id": rec["id"]})


@route("GET", "/v2/staffs", STAFF_READERS, apis=["fallback"])
def legacy_staffs(state: State, req: Request) -> Reply:
    """Legacy v2 listing, served by the fallback API only (``data`` is a list)."""
    biz = req.identity.business_uid
    items, _ = page([s for s in state.staffs.values() if s["business_id"] == biz], req)
    return 200, {"success": True, "data": items}


def _staff_uid(state: State, req: Request, body: JSON) -> str:
    uid = require(body, "staff_uid")
    return str(state.get("staffs", str(uid), req.identity.business_uid, "staff")["id"])


def _synced(state: State, req: Request, body: JSON) -> JSON:
    sync = state.calendar_syncs.get(_staff_uid(state, req, body))
    if sync is None or sync["status"] != "connected":
        raise NOT_SYNCED
    return sync


@route("PUT", "/business/scheduling/v1/external_calendar_items/connect", CALENDAR)
def connect(state: State, req: Request) -> Reply:
    body = req.json()
    staff_uid = _staff_uid(state, req, body)
    cal = body.get("calendar_sync")
    if not isinstance(cal, dict):
        raise unprocessable("calendar_sync", "calendar_sync can't be blank", code="missing")
    provider = require(cal, "provider", "calendar_sync.provider")
    account = require(cal, "account", "calendar_sync.account")
    if provider not in PROVIDERS:
        raise unprocessable("calendar_sync.provider", f"provider must be one of {PROVIDERS}")
    old = state.calendar_syncs.get(staff_uid) or {"uid": new_id()}
    sync = {
        "uid": old["uid"],
        "staff_uid": staff_uid,
        "provider": provider,
        "account": account,
        "status": "connected",
        "exporting": old.get("exporting", False),
        "connected_at": now_iso(),
    }
    state.calendar_syncs[staff_uid] = sync
    return ok({"calendar_sync": sync})


@route("PUT", "/business/scheduling/v1/external_calendar_items/disable", CALENDAR)
def disable(state: State, req: Request) -> Reply:
    sync = _synced(state, req, req.json())
    sync.update(status="disabled", exporting=False)
    return ok({"calendar_sync": sync})


@route("PUT", "/business/scheduling/v1/external_calendar_items/start_export", CALENDAR)
def start_export(state: State, req: Request) -> Reply:
    sync = _synced(state, req, req.json())
    sync["exporting"] = True
    return ok({"calendar_sync": sync})


def _when(item: JSON, key: str, index: int) -> datetime:
    label = f"external_items[{index}].{key}"
    value = require(item, key, label)
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise unprocessable(label, f"{label} is not an ISO 8601 datetime: {value!r}") from None


@route("PUT", "/business/scheduling/v1/external_calendar_items/bulk_create", CALENDAR)
def bulk_create(state: State, req: Request) -> Reply:
    body = req.json()
    sync = _synced(state, req, body)
    items = body.get("external_items")
    if not isinstance(items, list) or not items:
        raise unprocessable("external_items", "external_items can't be blank", code="missing")
    results, created = [], 0
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise unprocessable(f"external_items[{i}]", "each item must be an object")
        ext_id = str(require(item, "external_id", f"external_items[{i}].external_id"))
        title = require(item, "title", f"external_items[{i}].title")
        start, end = _when(item, "start_time", i), _when(item, "end_time", i)
        if end <= start:
            raise unprocessable(f"external_items[{i}].end_time", "end_time must be after start")
        key = f"{sync['staff_uid']}:{ext_id}"
        old = state.external_items.get(key)
        status = "updated" if old and old["active"] else "created"
        created += status == "created"
        state.external_items[key] = {
            "uid": old["uid"] if old else new_id(),
            "staff_uid": sync["staff_uid"],
            "external_id": ext_id,
            "title": title,
            "start_time": item["start_time"],
            "end_time": item["end_time"],
            "provider": sync["provider"],
            "active": True,
        }
        results.append(
            {"external_id": ext_id, "uid": state.external_items[key]["uid"], "status": status}
        )
    return ok({"created_count": created, "items": results})


@route("GET", "/business/scheduling/v1/external_calendar_items", CALENDAR)
def list_items(state: State, req: Request) -> Reply:
    staff_uid = _staff_uid(state, req, {"staff_uid": req.param("staff_uid")})
    found = [
        i for i in state.external_items.values() if i["staff_uid"] == staff_uid and i["active"]
    ]
    items, meta = page(found, req)
    return ok({"items": items, **meta})


@route("PUT", "/business/scheduling/v1/external_calendar_items/bulk_deactivate", CALENDAR)
def bulk_deactivate(state: State, req: Request) -> Reply:
    body = req.json()
    staff_uid = _staff_uid(state, req, body)
    ids = body.get("external_ids")
    if not isinstance(ids, list) or not ids:
        raise unprocessable("external_ids", "external_ids can't be blank", code="missing")
    count = 0
    for ext_id in ids:
        item = state.external_items.get(f"{staff_uid}:{ext_id}")
        if item and item["active"]:
            item["active"] = False
            count += 1
    return ok({"deactivated_count": count})


ROUTES = [v for v in list(globals().values()) if isinstance(v, Route)]
