"""Masking of secrets in everything pytest-seeds prints or writes."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus

from pytest_seeds.secrets.secret import MASK

SECRET_HEADERS = frozenset(
    {"authorization", "cookie", "set-cookie", "proxy-authorization", "x-api-key"}
)
MIN_SECRET_LENGTH = 4


class Redactor:
    """Replaces every known secret value, wherever it appears in a text.

    Secrets can be added while a run goes on (:meth:`add`); each is also masked in
    its URL-encoded, JSON-escaped and base64 forms, as a server may echo it back that way,
    and in each of those as a Python ``str`` or ``bytes`` repr shows it (a traceback's locals).
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._known: set[str] = set()  # the secrets as given, whose forms are in _values
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Mask these values (those of at least ``MIN_SECRET_LENGTH`` characters) from now on."""
        new = {
            secret
            for secret in secrets
            if isinstance(secret, str)
            and len(secret) >= MIN_SECRET_LENGTH
            and secret not in self._known
        }
        if not new:  # the usual case: every step sends the same token
            return
        found = {form for secret in new for form in _forms(secret)}
        with self._lock:
            self._known |= new
            if found <= self._values:
                return
            self._values |= found
            values = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, values)))

    def text(self, text: str) -> str:
        """The text with every secret replaced by ``***``."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(MASK, text)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Headers with secret header values masked (scheme kept) and secrets removed."""
        return {
            name: mask_header(value) if name.lower() in SECRET_HEADERS else self.text(str(value))
            for name, value in headers.items()
        }


def mask_header(value: str) -> str:
    """``Bearer abc`` -> ``Bearer ***``; anything else -> ``***``."""
    scheme, _, rest = str(value).partition(" ")
    if rest and scheme in ("Bearer", "Admin", "Token", "Basic"):
        return f"{scheme} {MASK}"
    return MASK


def _forms(secret: str) -> set[str]:
    """A secret as written, URL-encoded, JSON-escaped, base64, and as reprs show those."""
    encoded = secret.encode()
    written = {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        base64.b64encode(encoded).decode().rstrip("="),
        base64.urlsafe_b64encode(encoded).decode().rstrip("="),
    }
    shown = {repr(form)[1:-1] for form in written} | {repr(form.encode())[2:-1] for form in written}
    return {form for form in written | shown if len(form) >= MIN_SECRET_LENGTH}


_HEADER_LINE = re.compile(r"(?im)^(\s*(?:" + "|".join(SECRET_HEADERS) + r")\s*:\s*)(.+)$")


def mask_header_lines(text: str) -> str:
    """Mask ``Name: value`` lines of secret headers in free text."""
    return _HEADER_LINE.sub(lambda m: m.group(1) + mask_header(m.group(2)), text)
