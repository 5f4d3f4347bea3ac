"""Request/response types, errors and the router of the sandbox API."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import Message
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .state import State

JSON = dict[str, Any]
Reply = tuple[int, JSON]

MAIN = "main"
FALLBACK = "fallback"
PARTNERS = "partners"
MAIN_APIS = frozenset({MAIN, FALLBACK})


class ApiError(Exception):
    """An error answer: raising it anywhere in a handler sends ``status`` and ``payload``."""

    def __init__(self, status: int, payload: JSON, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {payload}")
        self.status = status
        self.payload = payload
        self.headers = headers or {}


def ok(data: JSON, status: int = 200) -> Reply:
    """A vcita-style success answer."""
    return status, {"success": True, "data": data}


def bad_request(message: str) -> ApiError:
    return ApiError(400, {"success": False, "error": "bad_request", "message": message})


def unauthorized(message: str) -> ApiError:
    return ApiError(401, {"success": False, "error": "unauthorized", "message": message})


def forbidden(message: str) -> ApiError:
    return ApiError(403, {"success": False, "error": "forbidden", "message": message})


def not_found(message: str) -> ApiError:
    return ApiError(404, {"success": False, "error": "not_found", "message": message})


def unprocessable(field_name: str, message: str, code: str = "invalid") -> ApiError:
    """A 422 in the vcita validation shape."""
    errors = [{"code": code, "field": field_name, "message": message}]
    return ApiError(422, {"status": "Error", "errors": errors})


@dataclass
class Identity:
    """Who is calling: the token type and the business it acts on."""

    token_type: str
    business_uid: str | None = None
    staff_uid: str | None = None
    client_uid: str | None = None
    directory_id: str | None = None
    app_code_name: str | None = None


@dataclass
class Request:
    """One incoming request, with the path relative to its API's prefix."""

    method: str
    path: str
    api: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes
    path_params: dict[str, str] = field(default_factory=dict)
    identity: Identity = field(default_factory=lambda: Identity("anonymous"))

    def json(self) -> JSON:
        """The body as a JSON object (``{}`` when empty); 400 when it is not one."""
        if not self.body.strip():
            return {}
        try:
            data = json.loads(self.body)
        except ValueError as exc:
            raise bad_request(f"request body is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise bad_request("request body must be a JSON object")
        return data

    def param(self, name: str, default: str | None = None) -> str | None:
        """First value of query parameter ``name``."""
        values = self.query.get(name)
        return values[0] if values else default

    def int_param(self, name: str, default: int, maximum: int = 100) -> int:
        """Positive integer query parameter, 422 when malformed or out of range."""
        raw = self.param(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise unprocessable(name, f"{name} must be an integer, got {raw!r}") from None
        if not 1 <= value <= maximum:
            raise unprocessable(name, f"{name} must be between 1 and {maximum}")
        return value


Handler = Callable[["State", Request], Reply]


@dataclass(frozen=True)
class Route:
    """An endpoint: method, path template, handler, accepted token types, serving APIs."""

    method: str
    template: str
    handler: Handler
    tokens: frozenset[str]
    apis: frozenset[str] = MAIN_APIS
    pattern: re.Pattern[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.template))
        object.__setattr__(self, "pattern", re.compile(f"^{regex}$"))

    def match(self, path: str) -> dict[str, str] | None:
        m = self.pattern.match(path)
        return m.groupdict() if m else None


def route(
    method: str,
    template: str,
    tokens: Iterable[str],
    apis: Iterable[str] = MAIN_APIS,
) -> Callable[[Handler], Route]:
    """Decorator turning a handler function into a :class:`Route`."""

    def wrap(fn: Handler) -> Route:
        return Route(method, template, fn, frozenset(tokens), frozenset(apis))

    return wrap


def page(items: list[JSON], req: Request) -> tuple[list[JSON], JSON]:
    """Slice ``items`` by the ``page``/``per_page`` query parameters."""
    per_page = req.int_param("per_page", 25)
    number = req.int_param("page", 1, maximum=10_000)
    start = (number - 1) * per_page
    meta = {"total": len(items), "page": number, "per_page": per_page}
    return items[start : start + per_page], meta


def require(body: JSON, name: str, label: str | None = None) -> Any:
    """Value of ``body[name]``; 422 ``missing`` when absent or blank."""
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise unprocessable(label or name, f"{label or name} can't be blank", code="missing")
    return value


class Router:
    """Finds the route for an (api, method, path) or raises 404/405."""

    def __init__(self, routes: Iterable[Route]) -> None:
        # Literal routes before templated ones, so /x/fields wins over /x/{uid}.
        self.routes = sorted(routes, key=lambda r: r.template.count("{"))

    def resolve(self, api: str, method: str, path: str) -> tuple[Route, dict[str, str]]:
        allowed: list[str] = []
        elsewhere: set[str] = set()
        for r in self.routes:
            params = r.match(path)
            if params is None:
                continue
            if api not in r.apis:
                elsewhere |= r.apis
            elif r.method == method:
                return r, params
            else:
                allowed.append(r.method)
        if allowed:
            raise ApiError(
                405,
                {"success": False, "error": "method_not_allowed", "message": f"use {allowed}"},
                {"Allow": ", ".join(sorted(set(allowed)))},
            )
        message = f"no route for {method} {path}"
        if elsewhere:
            message += f" on the {api} API; it is served by the {'/'.join(sorted(elsewhere))} API"
        raise not_found(message)
