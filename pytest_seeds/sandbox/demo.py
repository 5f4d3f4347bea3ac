"""Demo credentials and configured values of the embedded sandbox API (all fake)."""

from __future__ import annotations

TOKEN_TYPES: tuple[str, ...] = ("staff", "app", "client", "directory", "admin", "internal")

DEMO_TOKENS: dict[str, str] = {
    "staff": "sandbox-staff-token",
    "app": "sandbox-app-token",
    "client": "sandbox-client-token",
    "directory": "sandbox-directory-token",
    "admin": "sandbox-admin-token",
    "internal": "sandbox-internal-token",
}

DEMO_PARAMS: dict[str, str] = {
    "business_id": "sbxbusiness0001",
    "business_uid": "sbxbusiness0001",
    "staff_id": "sbxstaff0001",
    "staff_uid": "sbxstaff0001",
    "client_id": "sbxclient0001",
    "client_uid": "sbxclient0001",
    "matter_uid": "sbxmatter0001",
    "directory_id": "sbxdirectory0001",
}

_ALIASES = (("business_uid", "business_id"), ("staff_uid", "staff_id"), ("client_uid", "client_id"))


def normalize_params(params: dict[str, str]) -> dict[str, str]:
    """Return a copy of ``params`` with each ``*_uid``/``*_id`` alias pair filled in.

    Raises ``ValueError`` if a value the sandbox needs is missing.
    """
    out = dict(params)
    for uid_key, id_key in _ALIASES:
        value = out.get(uid_key) or out.get(id_key)
        if not value:
            raise ValueError(f"sandbox params need {uid_key!r} (or {id_key!r})")
        out[uid_key] = out[id_key] = value
    for key in ("matter_uid", "directory_id"):
        if not out.get(key):
            raise ValueError(f"sandbox params need {key!r}")
    return out


def check_tokens(tokens: dict[str, str]) -> dict[str, str]:
    """Return a copy of ``tokens`` after checking token types and that values are distinct."""
    unknown = set(tokens) - set(TOKEN_TYPES)
    if unknown:
        raise ValueError(f"unknown token types: {sorted(unknown)}; known: {list(TOKEN_TYPES)}")
    values = [v for v in tokens.values() if v]
    if len(values) != len(set(values)):
        raise ValueError("sandbox tokens must be distinct so that each identifies one token type")
    return {k: v for k, v in tokens.items() if v}
