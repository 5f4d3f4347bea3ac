"""Authorization header checks of the sandbox API.

Schemes: ``Bearer <token>`` for staff/app/client/directory tokens, ``Admin <token>`` for
admin/internal tokens on the main and fallback APIs; ``Token token="<token>"`` on the
partners API. A directory token on the main/fallback API needs ``X-On-Behalf-Of`` naming
a business of its directory.
"""

from __future__ import annotations

import re
from email.message import Message

from .core import PARTNERS, Identity, forbidden, unauthorized
from .state import APP_CODE_NAME, State

ADMIN_TYPES = frozenset({"admin", "internal"})
_TOKEN_SCHEME = re.compile(r'^Token\s+token\s*=\s*"?([^"\s]+)"?\s*$', re.IGNORECASE)


def parse_authorization(value: str) -> tuple[str, str]:
    """Split an Authorization header into (scheme, token); 401 when malformed."""
    m = _TOKEN_SCHEME.match(value.strip())
    if m:
        return "Token", m.group(1)
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    if not token or scheme.lower() not in ("bearer", "admin"):
        raise unauthorized(
            'Authorization must be "Bearer <token>", "Admin <token>" or Token token="<token>"'
        )
    return scheme.capitalize(), token


def authenticate(headers: Message, api: str, tokens: dict[str, str], state: State) -> Identity:
    """Check the Authorization (and X-On-Behalf-Of) headers and return the caller."""
    header = headers.get("Authorization")
    if not header:
        raise unauthorized("missing Authorization header")
    scheme, token = parse_authorization(header)
    token_type = next((t for t, v in tokens.items() if v == token), None)
    if token_type is None:
        raise unauthorized("invalid token")
    if api == PARTNERS:
        if scheme != "Token":
            raise unauthorized('the partners API expects Authorization: Token token="<token>"')
    elif scheme == "Token":
        raise unauthorized('the Token token="..." scheme is only accepted by the partners API')
    elif token_type in ADMIN_TYPES and scheme != "Admin":
        raise unauthorized(f"{token_type} tokens use the scheme: Authorization: Admin <token>")
    elif token_type not in ADMIN_TYPES and scheme != "Bearer":
        raise unauthorized(f"{token_type} tokens use the scheme: Authorization: Bearer <token>")
    return _identity(token_type, headers, api, state)


def _identity(token_type: str, headers: Message, api: str, state: State) -> Identity:
    p = state.params
    business = p["business_uid"]
    if token_type == "staff":
        return Identity(token_type, business_uid=business, staff_uid=p["staff_uid"])
    if token_type == "app":
        return Identity(token_type, business_uid=business, app_code_name=APP_CODE_NAME)
    if token_type == "client":
        return Identity(token_type, business_uid=business, client_uid=p["client_uid"])
    if token_type == "directory":
        ident = Identity(token_type, directory_id=p["directory_id"])
        if api == PARTNERS:
            return ident  # partners endpoints name the business in the path or body
        on_behalf = (headers.get("X-On-Behalf-Of") or "").strip()
        if not on_behalf:
            raise unauthorized("directory tokens must send X-On-Behalf-Of: <business_uid>")
        if not state.directory_owns(p["directory_id"], on_behalf):
            raise forbidden(f"business {on_behalf!r} does not belong to this directory")
        ident.business_uid = on_behalf
        return ident
    # admin / internal: may act on any business, the demo one by default
    on_behalf = (headers.get("X-On-Behalf-Of") or "").strip()
    return Identity(token_type, business_uid=on_behalf or business)


def check_token_type(identity: Identity, accepted: frozenset[str]) -> None:
    """403 when the endpoint does not accept the caller's token type."""
    if identity.token_type not in accepted:
        raise forbidden(
            f"this endpoint accepts {', '.join(sorted(accepted))} tokens, "
            f"not a {identity.token_type} token"
        )
