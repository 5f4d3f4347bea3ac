"""Masking of secrets in everything pytest-seeds prints or writes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

MASK = "***"
SECRET_HEADERS = frozenset(
    {"authorization", "cookie", "set-cookie", "proxy-authorization", "x-api-key"}
)
MIN_SECRET_LENGTH = 4


class Redactor:
    """Replaces every known secret value, wherever it appears in a text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = sorted(
            {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True
        )
        self._pattern = re.compile("|".join(map(re.escape, values))) if values else None

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


_HEADER_LINE = re.compile(r"(?im)^(\s*(?:" + "|".join(SECRET_HEADERS) + r")\s*:\s*)(.+)$")


def mask_header_lines(text: str) -> str:
    """Mask ``Name: value`` lines of secret headers in free text."""
    return _HEADER_LINE.sub(lambda m: m.group(1) + mask_header(m.group(2)), text)
