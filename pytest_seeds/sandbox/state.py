"""Thread-safe in-memory state of one sandbox instance."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .core import JSON, not_found

APP_CODE_NAME = "sandbox_payments"
OWNER_EMAIL = "owner@sandbox.example"


def new_id() -> str:
    """A fresh opaque uid (16 hex characters)."""
    return secrets.token_hex(8)


def now_iso() -> str:
    """Current UTC time as ``2026-11-26T17:00:00.000Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + "000Z"


@dataclass
class State:
    """All records of one sandbox. Hold ``lock`` while reading or changing them."""

    params: dict[str, str]
    lock: threading.RLock = field(default_factory=threading.RLock)
    businesses: dict[str, JSON] = field(default_factory=dict)
    directories: dict[str, JSON] = field(default_factory=dict)
    staffs: dict[str, JSON] = field(default_factory=dict)
    clients: dict[str, JSON] = field(default_factory=dict)
    matters: dict[str, JSON] = field(default_factory=dict)
    notes: dict[str, JSON] = field(default_factory=dict)
    documents: dict[str, JSON] = field(default_factory=dict)
    matter_fields: list[JSON] = field(default_factory=list)
    calendar_syncs: dict[str, JSON] = field(default_factory=dict)
    external_items: dict[str, JSON] = field(default_factory=dict)
    gateways: dict[str, JSON] = field(default_factory=dict)
    leads: dict[str, JSON] = field(default_factory=dict)
    jobs: dict[str, JSON] = field(default_factory=dict)
    uploads: list[JSON] = field(default_factory=list)
    requests: list[JSON] = field(default_factory=list)

    @classmethod
    def seeded(cls, params: dict[str, str]) -> State:
        """A state holding the demo business, staff, client, matter and directories."""
        s = cls(params=params)
        biz, staff = params["business_uid"], params["staff_uid"]
        client, directory = params["client_uid"], params["directory_id"]
        created = now_iso()
        s.businesses[biz] = {
            "business_id": biz,
            "name": "Sandbox Demo Business",
            "owner_email": OWNER_EMAIL,
            "directory_id": directory,
            "status": "active",
            "package": "sandbox",
        }
        s.directories[directory] = {
            "uid": directory,
            "name": "Sandbox Partner Directory",
            "type": "partner",
            "business_uids": [biz],
        }
        for kind in ("reseller", "enterprise"):
            uid = new_id()
            s.directories[uid] = {
                "uid": uid,
                "name": f"Sandbox {kind.title()} Directory",
                "type": kind,
                "business_uids": [],
            }
        s.staffs[staff] = {
            "id": staff,
            "uid": staff,
            "business_id": biz,
            "first_name": "Demo",
            "last_name": "Owner",
            "email": OWNER_EMAIL,
            "role": "owner",
            "created_at": created,
        }
        s.clients[client] = {
            "id": client,
            "uid": client,
            "business_id": biz,
            "first_name": "Demo",
            "last_name": "Client",
            "email": "client@sandbox.example",
            "phone": None,
            "source": "sandbox",
            "created_at": created,
        }
        s.matter_fields = [
            {"uid": new_id(), "type": "name", "label": "Matter name", "required": True},
            {"uid": new_id(), "type": "text", "label": "Case reference", "required": False},
            {"uid": new_id(), "type": "date", "label": "Opened on", "required": False},
        ]
        s.matters[params["matter_uid"]] = {
            "uid": params["matter_uid"],
            "business_id": biz,
            "client_uid": client,
            "staff_uid": staff,
            "name": "Demo matter",
            "fields": [{"uid": s.matter_fields[0]["uid"], "value": "Demo matter"}],
            "created_at": created,
        }
        return s

    def directory_owns(self, directory_id: str, business_uid: str) -> bool:
        with self.lock:
            d = self.directories.get(directory_id)
            return bool(d and business_uid in d["business_uids"])

    def get(self, table: str, uid: str, business_uid: str | None, label: str) -> JSON:
        """Record ``uid`` of ``table`` within ``business_uid`` (any when None), else 404."""
        rec: JSON | None = getattr(self, table).get(uid)
        if rec is None or (business_uid is not None and rec.get("business_id") != business_uid):
            raise not_found(f"{label} {uid!r} not found")
        return rec
