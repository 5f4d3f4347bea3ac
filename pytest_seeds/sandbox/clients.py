"""Clients, matters, notes and the client-portal document upload."""

from __future__ import annotations

import hashlib

from .core import (
    JSON,
    Reply,
    Request,
    Route,
    bad_request,
    forbidden,
    not_found,
    ok,
    page,
    require,
    route,
    unprocessable,
)
from .multipart import boundary_of, parse_multipart
from .state import State, new_id, now_iso

BUSINESS = ("staff", "app", "directory")
STAFFISH = ("staff", "directory")
_CLIENT_KEYS = ("first_name", "last_name", "email", "phone")


def _client(state: State, req: Request, uid: str) -> JSON:
    return state.get("clients", uid, req.identity.business_uid, "client")


@route("POST", "/platform/v1/clients", BUSINESS)
def create_client(state: State, req: Request) -> Reply:
    body = req.json()
    require(body, "first_name")
    uid = new_id()
    rec: JSON = {"id": uid, "uid": uid, "business_id": req.identity.business_uid}
    rec.update({k: body.get(k) for k in _CLIENT_KEYS})
    rec.update(source=req.identity.token_type, created_at=now_iso())
    state.clients[uid] = rec
    return ok({"client": rec}, 201)


@route("GET", "/platform/v1/clients", BUSINESS)
def list_clients(state: State, req: Request) -> Reply:
    term = (req.param("search_term") or "").lower()
    found = [
        c
        for c in state.clients.values()
        if c["business_id"] == req.identity.business_uid
        and (not term or any(term in str(c.get(k) or "").lower() for k in _CLIENT_KEYS))
    ]
    items, meta = page(found, req)
    return ok({"clients": items, **meta})


@route("GET", "/platform/v1/clients/{client_id}", BUSINESS)
def get_client(state: State, req: Request) -> Reply:
    return ok({"client": _client(state, req, req.path_params["client_id"])})


@route("PUT", "/platform/v1/clients/{client_id}", BUSINESS)
def update_client(state: State, req: Request) -> Reply:
    rec = _client(state, req, req.path_params["client_id"])
    body = req.json()
    if "first_name" in body:
        require(body, "first_name")
    rec.update({k: body[k] for k in _CLIENT_KEYS if k in body})
    return ok({"client": rec})


@route("DELETE", "/platform/v1/clients/{client_id}", BUSINESS)
def delete_client(state: State, req: Request) -> Reply:
    rec = _client(state, req, req.path_params["client_id"])
    if rec["id"] == state.params["client_uid"]:
        raise unprocessable("client_id", "the configured demo client cannot be deleted")
    del state.clients[rec["id"]]
    for m in [m for m in state.matters.values() if m["client_uid"] == rec["id"]]:
        _drop_matter(state, m["uid"])
    return ok({"deleted": True, "id": rec["id"]})


def _drop_matter(state: State, uid: str) -> None:
    state.matters.pop(uid, None)
    for table in (state.notes, state.documents):
        for key in [k for k, v in table.items() if v["matter_uid"] == uid]:
            del table[key]


@route("GET", "/business/clients/v1/fields", STAFFISH)
def list_fields(state: State, req: Request) -> Reply:
    return ok({"fields": state.matter_fields})


@route("POST", "/business/clients/v1/contacts/{client_uid}/matters", STAFFISH)
def create_matter(state: State, req: Request) -> Reply:
    client = _client(state, req, req.path_params["client_uid"])
    matter = req.json().get("matter")
    if not isinstance(matter, dict):
        raise unprocessable("matter", "matter can't be blank", code="missing")
    values = matter.get("fields")
    if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
        raise unprocessable("matter.fields", "matter.fields must be a list of {uid, value}")
    known = {f["uid"]: f for f in state.matter_fields}
    for v in values:
        if v.get("uid") not in known:
            raise unprocessable("matter.fields", f"unknown field uid {v.get('uid')!r}")
    name_uid = next(f["uid"] for f in state.matter_fields if f["type"] == "name")
    name = next((v.get("value") for v in values if v["uid"] == name_uid), None)
    if not name:
        raise unprocessable("matter.fields", "the matter name field is required", code="missing")
    uid = new_id()
    rec = {
        "uid": uid,
        "business_id": client["business_id"],
        "client_uid": client["id"],
        "staff_uid": req.identity.staff_uid or state.params["staff_uid"],
        "name": name,
        "fields": [{"uid": v["uid"], "value": v.get("value")} for v in values],
        "created_at": now_iso(),
    }
    state.matters[uid] = rec
    return ok({"matter": rec}, 201)


@route("GET", "/business/clients/v1/contacts/{client_uid}/matters", STAFFISH)
def list_client_matters(state: State, req: Request) -> Reply:
    client = _client(state, req, req.path_params["client_uid"])
    found = [m for m in state.matters.values() if m["client_uid"] == client["id"]]
    items, meta = page(found, req)
    return ok({"matters": items, **meta})


def _matter(state: State, req: Request) -> JSON:
    return state.get("matters", req.path_params["matter_uid"], req.identity.business_uid, "matter")


@route("GET", "/business/clients/v1/matters/{matter_uid}", STAFFISH)
def get_matter(state: State, req: Request) -> Reply:
    return ok({"matter": _matter(state, req)})


@route("POST", "/business/clients/v1/matters/{matter_uid}/notes", STAFFISH)
def create_note(state: State, req: Request) -> Reply:
    matter = _matter(state, req)
    note = req.json().get("note")
    if not isinstance(note, dict):
        raise unprocessable("note", "note can't be blank", code="missing")
    content = require(note, "content", "note.content")
    uid = new_id()
    rec = {"uid": uid, "matter_uid": matter["uid"], "content": content, "created_at": now_iso()}
    state.notes[uid] = rec
    return ok({"note": rec}, 201)


@route("GET", "/business/clients/v1/matters/{matter_uid}/notes", STAFFISH)
def list_notes(state: State, req: Request) -> Reply:
    matter = _matter(state, req)
    items, meta = page([n for n in state.notes.values() if n["matter_uid"] == matter["uid"]], req)
    return ok({"notes": items, **meta})


@route("GET", "/business/clients/v1/matters/{matter_uid}/documents", STAFFISH)
def list_documents(state: State, req: Request) -> Reply:
    matter = _matter(state, req)
    docs = [d for d in state.documents.values() if d["matter_uid"] == matter["uid"]]
    items, meta = page(docs, req)
    return ok({"documents": items, **meta})


def _document(state: State, req: Request) -> JSON:
    matter = _matter(state, req)
    doc = state.documents.get(req.path_params["document_uid"])
    if doc is None or doc["matter_uid"] != matter["uid"]:
        raise not_found(f"document {req.path_params['document_uid']!r} not found")
    return doc


@route("GET", "/business/clients/v1/matters/{matter_uid}/documents/{document_uid}", STAFFISH)
def get_document(state: State, req: Request) -> Reply:
    return ok({"document": _document(state, req)})


@route("DELETE", "/business/clients/v1/matters/{matter_uid}/documents/{document_uid}", STAFFISH)
def delete_document(state: State, req: Request) -> Reply:
    doc = _document(state, req)
    del state.documents[doc["uid"]]
    return ok({"deleted": True, "uid": doc["uid"]})


@route("POST", "/client_api/v1/portals/{business_uid}/share_documents_form/submit", ["client"])
def submit_documents(state: State, req: Request) -> Reply:
    business_uid = req.path_params["business_uid"]
    if business_uid not in state.businesses:
        raise not_found(f"business {business_uid!r} not found")
    if business_uid != req.identity.business_uid:
        raise forbidden("this client does not belong to that business")
    matter_uid = req.param("matter_uid")
    if not matter_uid:
        raise unprocessable("matter_uid", "matter_uid can't be blank", code="missing")
    matter = state.get("matters", matter_uid, business_uid, "matter")
    if matter["client_uid"] != req.identity.client_uid:
        raise forbidden("this matter belongs to another client")
    boundary = boundary_of(req.headers.get("Content-Type", ""))
    if boundary is None:
        raise unprocessable("body", "this endpoint requires multipart/form-data")
    try:
        fields, files = parse_multipart(req.body, boundary)
    except ValueError as exc:
        raise bad_request(f"malformed multipart body: {exc}") from None
    if not files:
        raise unprocessable("form_data[fields][documents]", "upload at least one document")
    submission = new_id()
    docs = []
    for f in files:
        doc = {
            "uid": new_id(),
            "matter_uid": matter["uid"],
            "submission_uid": submission,
            "field_name": f.field_name,
            "filename": f.filename,
            "content_type": f.content_type,
            "size": len(f.content),
            "sha256": hashlib.sha256(f.content).hexdigest(),
            "created_at": now_iso(),
        }
        state.documents[doc["uid"]] = doc
        docs.append(doc)
    record = {"uid": submission, "conversation_uid": matter["uid"], "fields": fields}
    state.uploads.append({**record, "documents": docs, "contents": [f.content for f in files]})
    return ok({**record, "documents": docs})


ROUTES = [v for v in list(globals().values()) if isinstance(v, Route)]
