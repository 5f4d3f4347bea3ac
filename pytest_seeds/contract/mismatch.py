"""What a contract check finds: one :class:`Mismatch` per difference, and how it is shown.

Free of jsonschema, so a run that checks nothing never imports it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from pytest_seeds.contract.swagger import escape_pointer

MAX_SHOWN = 10
EXCERPT_CHARS = 60
_JSON_TYPES = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


@dataclass(frozen=True)
class Mismatch:
    """One way a value differs from its schema, or (``defect``) a fault of the schema."""

    subject: str  # "body", "query parameter 'page'", "status"...
    pointer: str  # JSON pointer inside the subject; "" for the subject itself
    kind: str  # the JSON Schema keyword that failed, or "status", "json", "$ref"...
    wanted: str
    got: str = ""
    defect: bool = False

    def __str__(self) -> str:
        where = " at ".join(part for part in (self.subject, self.pointer) if part)
        text = self.wanted if self.defect else f"wanted {self.wanted}, got {self.got}"
        return f"{where}: {text}" if where else text


def excerpt(value: Any, limit: int = EXCERPT_CHARS) -> str:
    """Short JSON text of a value."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def json_type(value: Any) -> str:
    """The JSON type name of a Python value."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


def child(uri: str, *keys: str) -> str:
    """``uri`` with JSON-pointer segments appended to its fragment."""
    base = uri if "#" in uri else uri + "#"
    return base + "".join("/" + quote(escape_pointer(str(key)), safe="") for key in keys)


def order(mismatch: Mismatch) -> tuple[bool, list[tuple[int, int, str]]]:
    """Value mismatches first, then by pointer (array indexes in numeric order)."""
    parts = mismatch.pointer.split("/")[1:]
    return mismatch.defect, [(1, int(p), "") if p.isdigit() else (0, 0, p) for p in parts]


def shown(found: list[Mismatch], limit: int = MAX_SHOWN) -> list[str]:
    """Lines for the first ``limit`` mismatches, and how many more there are."""
    lines = [str(mismatch) for mismatch in found[:limit]]
    if len(found) > limit:
        lines.append(f"... and {len(found) - limit} more")
    return lines
