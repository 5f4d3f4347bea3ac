"""Contract checks: a request or a response against its Swagger/OpenAPI operation.

:class:`Contract` finds a step's operation (the seed's own ``swagger:`` file first, then
every spec under the root) and keeps one compiled validator per operation and status. The
runner's observer is :mod:`pytest_seeds.contract.observer`; lint's documented-example check
is :mod:`pytest_seeds.contract.examples`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from pytest_seeds.contract.mismatch import Mismatch, child
from pytest_seeds.contract.swagger import Operation, SwaggerIndex
from pytest_seeds.secrets.secret import reveal, reveal_text

if TYPE_CHECKING:
    from pytest_seeds.contract.schemas import SchemaBook
    from pytest_seeds.http.transport import Request

_SCALARS = ("string", "integer", "number", "boolean")


@dataclass(frozen=True)
class ParamCheck:
    """A documented query or path parameter."""

    name: str
    where: str  # "query" or "path"
    required: bool
    scalar: str | None  # its JSON type when a scalar, else None (value not checked)
    uri: str  # location of its schema


@dataclass(frozen=True)
class RequestRules:
    """What the documentation says a request must carry."""

    body_uri: str | None
    body_required: bool
    params: tuple[ParamCheck, ...]


def status_key(responses: Mapping[Any, Any], status: int) -> str | None:
    """The documented response for ``status``: exact, ``2XX`` range, then ``default``."""
    keys = {str(key).upper(): str(key) for key in responses}
    for candidate in (str(status), f"{status // 100}XX", "DEFAULT"):
        if candidate in keys:
            return keys[candidate]
    return None


def json_media(content: Any) -> str | None:
    """The JSON media type of an OpenAPI 3 ``content`` map (``*/*`` as a last resort)."""
    keys = [key for key in content if isinstance(key, str)] if isinstance(content, Mapping) else []
    bare = {key: key.split(";")[0].strip().lower() for key in keys}
    tests: tuple[Callable[[str], bool], ...] = (
        lambda media: media == "application/json",
        lambda media: media.endswith(("/json", "+json")),
        lambda media: media == "*/*",
    )
    for test in tests:
        found = [key for key in keys if test(bare[key])]
        if found:
            return found[0]
    return None


def _scalar(raw: str, kind: str | None) -> Any:
    """A query/path value as the JSON type the documentation gives it, when it parses."""
    if kind == "boolean" and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    if kind in ("integer", "number"):
        try:
            value = json.loads(raw)
        except ValueError:
            return raw
        return value if isinstance(value, int | float) and not isinstance(value, bool) else raw
    return raw


class Contract:
    """Operation lookups and compiled checks for one Swagger index (the plugin keeps one per run)."""

    def __init__(self, index: SwaggerIndex) -> None:
        self.index = index
        self._lock = threading.Lock()
        self._operations: dict[tuple[str | None, str, str], Operation | None] = {}
        self._responses: dict[tuple[Operation, int], str | list[str] | None] = {}
        self._requests: dict[Operation, RequestRules] = {}
        self._told: set[str] = set()

    @cached_property
    def book(self) -> SchemaBook:
        """Spec documents as schema resources, and compiled validators.

        The one lazy import of the contract side: jsonschema and referencing take about
        40 ms to import, in every xdist worker, and a run whose steps match no documented
        operation never pays it.
        """
        from pytest_seeds.contract.schemas import SchemaBook

        return SchemaBook()

    def operation(self, swagger: str | None, method: str, path: str) -> Operation | None:
        """The documented operation of ``method path`` (cached)."""
        key = (swagger, method.upper(), path)
        if key not in self._operations:
            self._operations[key] = self.index.find(method, path, swagger)
        return self._operations[key]

    def spec_name(self, operation: Operation) -> str:
        """The operation's spec file, relative to the Swagger root when inside it."""
        root = self.index.root
        if root is not None and operation.spec.is_relative_to(root):
            return str(operation.spec.relative_to(root))
        return str(operation.spec)

    def where(self, operation: Operation) -> str:
        """``GET /a/{id} in swagger/a.json``."""
        return f"{operation.method} {operation.template} in {self.spec_name(operation)}"

    def first_time(self, key: str) -> bool:
        """True once per key per process (for notes that would repeat on every step)."""
        with self._lock:
            if key in self._told:
                return False
            self._told.add(key)
            return True

    def _locate_operation(self, operation: Operation) -> tuple[str, str, Any, Any] | None:
        """(path item uri, operation uri, path item, operation), ``$ref`` followed."""
        *path, method = [
            part.replace("~1", "/").replace("~0", "~") for part in operation.pointer.split("/")[1:]
        ]
        item = self.book.locate(self.book.add(operation.spec, operation.document), *path)
        found = item and self.book.locate(item[0], method)
        if not item or not found:
            return None
        return item[0], found[0], item[1], found[1]

    def response_schema(self, operation: Operation, status: int) -> str | list[str] | None:
        """The schema URI for ``status``; the documented statuses when it is not documented."""
        key = (operation, status)
        if key not in self._responses:
            self._responses[key] = self._response_schema(operation, status)
        return self._responses[key]

    def _response_schema(self, operation: Operation, status: int) -> str | list[str] | None:
        located = self._locate_operation(operation)
        responses = located[3].get("responses") if located else None
        if not isinstance(responses, Mapping) or not responses:
            return None
        chosen = status_key(responses, status)
        if chosen is None:
            return sorted(map(str, responses))
        response = self.book.locate(located[1], "responses", chosen) if located else None
        if response is None or not isinstance(response[1], Mapping):
            return None
        uri, node = response
        if "content" in node:  # OpenAPI 3
            media = json_media(node["content"])
            if media is None or not isinstance(node["content"][media], Mapping):
                return None
            return (
                child(uri, "content", media, "schema")
                if "schema" in node["content"][media]
                else None
            )
        return child(uri, "schema") if "schema" in node else None

    def check_response(self, operation: Operation, status: int, body: Any) -> list[Mismatch]:
        """Mismatches of a response; ``body`` is the JSON value or a ValueError."""
        schema = self.response_schema(operation, status)
        if schema is None:
            return []
        if isinstance(schema, list):
            documented = ", ".join(schema)
            return [
                Mismatch("status", "", "status", f"a documented status ({documented})", str(status))
            ]
        if isinstance(body, ValueError):
            return [Mismatch("body", "", "json", "a JSON body", str(body))]
        return self.book.check(schema, body)

    def request_rules(self, operation: Operation) -> RequestRules:
        """The documented body and parameters of an operation (compiled once)."""
        if operation not in self._requests:
            self._requests[operation] = self._request_rules(operation)
        return self._requests[operation]

    def _request_rules(self, operation: Operation) -> RequestRules:
        located = self._locate_operation(operation)
        if located is None:
            return RequestRules(None, False, ())
        item_uri, op_uri, item, op = located
        # operation-level ones win
        params: dict[tuple[str, str], tuple[str, Mapping[str, Any]]] = {}
        for uri, node in ((item_uri, item), (op_uri, op)):
            raw = node.get("parameters") if isinstance(node, Mapping) else None
            for position in range(len(raw) if isinstance(raw, list) else 0):
                found = self.book.locate(uri, "parameters", str(position))
                if found and isinstance(found[1], Mapping):
                    params[(str(found[1].get("name")), str(found[1].get("in")))] = found
        body_uri, body_required = None, False
        for (_, where), (uri, param) in params.items():
            if where == "body":  # Swagger 2.0
                body_uri = child(uri, "schema") if "schema" in param else None
                body_required = param.get("required") is True
        request_body = self.book.locate(op_uri, "requestBody") if "requestBody" in op else None
        if request_body and isinstance(request_body[1], Mapping):  # OpenAPI 3
            uri, node = request_body
            body_required = node.get("required") is True
            media = json_media(node.get("content"))
            if media is not None and "schema" in (node["content"][media] or {}):
                body_uri = child(uri, "content", media, "schema")
        checks = tuple(
            self._param_check(name, where, uri, param)
            for (name, where), (uri, param) in params.items()
            if where in ("query", "path")
        )
        return RequestRules(body_uri, body_required, checks)

    def _param_check(self, name: str, where: str, uri: str, param: Mapping[str, Any]) -> ParamCheck:
        """A query/path parameter: its schema is ``schema`` (OpenAPI 3) or itself (2.0)."""
        schema_uri = child(uri, "schema") if "schema" in param else uri
        schema = self.book.locate(schema_uri)
        kind = schema[1].get("type") if schema and isinstance(schema[1], Mapping) else None
        if isinstance(kind, list):  # OpenAPI 3.1: ["integer", "null"]
            kind = next((k for k in kind if k != "null"), None)
        scalar = "string" if kind is None else kind if kind in _SCALARS else None
        required = where == "path" or param.get("required") is True
        return ParamCheck(name, where, required, scalar, schema_uri)

    def check_request(self, operation: Operation, request: Request) -> list[Mismatch]:
        """Mismatches of a rendered request: JSON body, query and path parameters."""
        rules = self.request_rules(operation)
        found: list[Mismatch] = []
        if request.has_json and rules.body_uri is not None:  # checked as sent: secrets revealed
            found += self.book.check(rules.body_uri, reveal(request.json))
        elif rules.body_required and request.json is None and request.form is None:
            found.append(Mismatch("body", "", "required", "a request body (required)", "none"))
        url = reveal_text(request.url)
        values = _path_values(operation.template, url)
        url_query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        values["query"] = {**url_query, **{k: str(v) for k, v in reveal(request.params).items()}}
        for check in rules.params:
            subject = f"{check.where} parameter '{check.name}'"
            raw = values.get(check.where, {}).get(check.name)
            if raw is None:
                if check.required and (check.where == "query" or values.get("path") is not None):
                    found.append(Mismatch(subject, "", "required", "a value (required)", "none"))
                continue
            if check.scalar is not None:
                value = _scalar(raw, check.scalar)
                found += self.book.check(check.uri, value, subject)
        return found


def _path_values(template: str, url: str) -> dict[str, dict[str, str]]:
    """``{"path": {name: value}}`` when the URL path lines up with the template, else {}."""
    names = [seg for seg in template.split("/") if seg]
    segs = [seg for seg in urlsplit(url).path.split("/") if seg]
    if len(segs) < len(names):
        return {}
    values: dict[str, str] = {}
    for name, seg in zip(names, segs[len(segs) - len(names) :], strict=True):
        if name.startswith("{") and name.endswith("}") and name.count("{") == 1:
            values[name[1:-1]] = unquote(seg)
        elif "{" not in name and name != unquote(seg):
            return {}
    return {"path": values}
