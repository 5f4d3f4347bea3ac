"""The one rule that says a name is secret, and which part of a value under it is the secret.

The same rule judges configured and extracted values, query parameters, form and JSON fields
sent and received, header names both ways, and the ``name: value`` / ``name=value`` pairs
found in any text: a name is secret when the ``--seeds-config`` file lists it under
``secrets:``, when it ends in ``token``, ``secret``, ``password``, ``passwd`` or ``api_key``
(``access_token``, ``X-CSRF-Token``, ``client_secret``, ``Api-Key``...), or when it is a
credential header (``Authorization``, ``Proxy-Authorization``, ``Cookie``, ``Set-Cookie``).
What is written into documented examples is judged more widely
(:func:`is_example_secret_name`): also ``private_key``, ``secret_key``,
``SecretAccessKey``, ``jwt``, ``passphrase``, ``pwd``, ``pass``, ``credentials``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SUFFIXES = r"token|secret|password|passwd|api[_-]?key"
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_SUFFIX = re.compile(f"(?:{SUFFIXES})$", re.IGNORECASE)
_EXAMPLE_SUFFIX = re.compile(
    r"(?:private[_-]?key|secret[_-]?(?:access[_-]?)?key|passphrase|credentials?"
    r"|(?:^|[_.-])(?:jwt|pwd|pass))$",
    re.IGNORECASE,
)
# schemes whose word is kept in front of masked credentials: "Bearer ***"
AUTH_SCHEMES = frozenset(
    {"basic", "bearer", "token", "admin", "digest", "negotiate", "ntlm", "oauth", "apikey", "dpop"}
)
_QUOTED = re.compile(r'="([^"]*)"')
_COOKIE = re.compile(r"(?:^|;)\s*[^=;\s]+\s*=\s*([^;]*)")
_SET_COOKIE = re.compile(r"(?:^|,)\s*[^=;,\s]+=([^;]*)")
# a value that only refers to a secret: a template, or a shell variable (curl commands)
_REFERENCE = re.compile(r"""\s*(["']?)\s*(?:\{\{[^{}]*\}\}|\$\{?\w+\}?)\s*\1\s*""")

Span = tuple[int, int]


def is_secret_name(name: str, declared: Iterable[str] = ()) -> bool:
    """Whether values under this name are secret (declared names compare case-insensitively)."""
    lowered = str(name).lower()
    return (
        lowered in CREDENTIAL_HEADERS
        or _SUFFIX.search(lowered) is not None
        or lowered in (item.lower() for item in declared)
    )


def is_example_secret_name(name: str, declared: Iterable[str] = ()) -> bool:
    """Whether a value under this name is kept out of a documented example: a secret name,
    or one of the common names of keys and credentials (``private_key``, ``jwt``...)."""
    return is_secret_name(name, declared) or _EXAMPLE_SUFFIX.search(str(name)) is not None


def secret_spans(name: str, value: str) -> list[Span]:
    """Where the secret is in a value under a secret name.

    Cookies keep their names (``sid=***``), credentials their scheme (``Bearer ***``,
    ``Token token="***"``); any other value is secret as a whole, but for the spaces around
    it. A value that only refers to a secret (``{{session_id}}``, ``"$SEEDS_TOKEN_STAFF"``),
    or is only a scheme (``Bearer``, as a curl command quotes it), is none.
    """
    if not value or _REFERENCE.fullmatch(value) or value.strip().lower() in AUTH_SCHEMES:
        return []
    return [span for span in _spans(name, value) if not _REFERENCE.fullmatch(value[slice(*span)])]


def _spans(name: str, value: str) -> list[Span]:
    lowered = name.lower()
    if lowered in ("cookie", "set-cookie"):
        pattern = _COOKIE if lowered == "cookie" else _SET_COOKIE
        pairs = [_strip(value, *match.span(1)) for match in pattern.finditer(value)]
        return pairs or [_strip(value, 0, len(value))]
    scheme, space, rest = value.strip().partition(" ")
    if space and rest.strip() and scheme.lower() in AUTH_SCHEMES:
        start = value.index(rest)
        quoted = [match.span(1) for match in _QUOTED.finditer(value, start)]
        if quoted:
            return [(start_, end) for start_, end in quoted if end > start_]
        return [_strip(value, start, len(value))]
    return [_strip(value, 0, len(value))]


def _strip(value: str, start: int, end: int) -> Span:
    while start < end and value[start].isspace():
        start += 1
    while end > start and value[end - 1].isspace():
        end -= 1
    return start, end
