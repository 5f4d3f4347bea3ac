"""JSON Schema validation of JSON values against Swagger 2.0 / OpenAPI 3.x documents.

Pytest-free. Every spec document is a ``referencing`` resource under its ``file:`` URI, so
``$ref`` resolves inside a file and across files; a validator's root schema is only
``{"$ref": "<file URI>#<pointer>"}``, compiled once per location and reused.

Dialects: Swagger 2.0 and OpenAPI 3.0 schemas are JSON Schema Draft 4 plus ``x-nullable`` /
``nullable`` (both accepted in both), ``type: file`` and ``discriminator``; OpenAPI 3.1
schemas are JSON Schema 2020-12 (plus ``discriminator``). A defect of the documentation
itself (a ``$ref`` that does not resolve, ``required: true`` on a property, an unknown type)
becomes a :class:`Mismatch` with ``defect=True`` instead of an exception.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

import referencing
import referencing.exceptions
import referencing.jsonschema
from jsonschema import Draft4Validator, Draft202012Validator, validators
from jsonschema.exceptions import UnknownType, ValidationError, best_match
from jsonschema.protocols import Validator

from pytest_seeds.contract.mismatch import Mismatch, child, excerpt, json_type, order
from pytest_seeds.contract.swagger import SpecProblem, escape_pointer, read_spec_document

MAX_COUNTED = 1000
_NULLABLE = ("nullable", "x-nullable")


class SchemaDefect(ValidationError):
    """The schema itself cannot be applied at this spot (not the value's fault)."""


def _discriminated(schema: Mapping[str, Any], instance: Any) -> str | None:
    """The ``$ref`` an OpenAPI discriminator picks for ``instance``, if it picks one."""
    discriminator = schema.get("discriminator")
    if not isinstance(discriminator, Mapping) or not isinstance(instance, Mapping):
        return None
    value = instance.get(discriminator.get("propertyName"))
    if not isinstance(value, str):
        return None
    mapping = discriminator.get("mapping")
    target = mapping.get(value) if isinstance(mapping, Mapping) else None
    if isinstance(target, str):
        return target if "/" in target or "#" in target else f"#/components/schemas/{target}"
    for option in schema.get("oneOf") or schema.get("anyOf") or ():
        ref = option.get("$ref") if isinstance(option, Mapping) else None
        if isinstance(ref, str) and ref.rsplit("/", 1)[-1] == value:
            return ref
    return None


def _guarded(
    keyword: str, check: Callable[..., Iterator[ValidationError]], nullable: bool
) -> Callable[..., Iterator[ValidationError]]:
    """A keyword function that honours ``nullable`` and turns schema faults into defects."""

    def guarded(
        validator: Any, value: Any, instance: Any, schema: Mapping[str, Any]
    ) -> Iterator[ValidationError]:
        if nullable and instance is None and any(schema.get(k) is True for k in _NULLABLE):
            return
        chosen = _discriminated(schema, instance) if keyword in ("oneOf", "anyOf") else None
        try:
            if chosen is not None:
                yield from validator.descend(instance, {"$ref": chosen})
            else:
                yield from check(validator, value, instance, schema)
        except referencing.exceptions.Unresolvable:
            ref = chosen or value
            remote = " (remote references are not fetched)" if "://" in str(ref) else ""
            yield SchemaDefect(f"$ref '{ref}' does not resolve{remote}")
        except (UnknownType, TypeError, ValueError, AttributeError, LookupError, re.error) as error:
            text = str(error).splitlines()[0] if str(error) else type(error).__name__
            yield SchemaDefect(f"the schema's '{keyword}' cannot be applied ({text})")

    return guarded


def _dialect(base: Any, nullable: bool) -> Any:
    keywords = {name: _guarded(name, fn, nullable) for name, fn in base.VALIDATORS.items()}
    checker = base.TYPE_CHECKER.redefine("file", lambda _checker, _instance: True)
    return validators.extend(base, keywords, type_checker=checker)


OPENAPI_DRAFT4 = _dialect(Draft4Validator, nullable=True)
OPENAPI_2020 = _dialect(Draft202012Validator, nullable=False)


def is_openapi31(document: Any) -> bool:
    """True for an OpenAPI 3.1 document (JSON Schema 2020-12 dialect)."""
    return isinstance(document, Mapping) and str(document.get("openapi", "")).startswith("3.1")


def file_uri(path: Path) -> str:
    """The ``file:`` URI a spec file is registered under."""
    return path.resolve().as_uri()


def _string_keys(node: Any) -> Any:
    """YAML reads ``200:`` as an int; JSON pointers need string keys."""
    if isinstance(node, Mapping):
        return {str(key): _string_keys(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_string_keys(value) for value in node]
    return node


def _as_resource(document: Any) -> referencing.Resource:
    document = _string_keys(document)
    spec = referencing.jsonschema.DRAFT202012 if is_openapi31(document) else None
    return (spec or referencing.jsonschema.DRAFT4).create_resource(document)


class SchemaBook:
    """Spec documents as ``referencing`` resources, and validators by schema location."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._resources: dict[str, referencing.Resource] = {}
        # referencing's dataclass_transform stub does not know attrs' field alias "retrieve"
        self._registry: referencing.Registry = referencing.Registry(retrieve=self._resource)  # type: ignore[call-arg]
        self._validators: dict[str, Validator] = {}

    def add(self, path: Path, document: Any) -> str:
        """Register an already-parsed spec document; its file URI."""
        uri = file_uri(path)
        with self._lock:
            if uri not in self._resources:
                self._register(uri, _as_resource(document))
        return uri

    def _register(self, uri: str, resource: referencing.Resource) -> None:
        """Keep a resource, and put it, crawled, in the registry the next validators get: a
        registry that lacks a document crawls every resource it holds on each lookup."""
        self._resources[uri] = resource
        self._registry = self._registry.with_resource(uri, resource).crawl()

    def _resource(self, uri: str) -> referencing.Resource:
        """The resource of a spec file (read on first use); LookupError if unusable."""
        with self._lock:
            if uri not in self._resources:
                parts = urlsplit(uri)
                if parts.scheme != "file":
                    raise LookupError(f"{uri}: remote references are not fetched")
                document = read_spec_document(Path(url2pathname(unquote(parts.path))))
                if isinstance(document, SpecProblem):
                    raise LookupError(f"{document.path}: {document.message}")
                self._register(uri, _as_resource(document))
            return self._resources[uri]

    def locate(self, uri: str, *keys: str) -> tuple[str, Any] | None:
        """Walk ``keys`` from ``uri``, following ``$ref`` at each step; (uri, node) or None."""
        resolver = self._registry.resolver()
        try:
            uri, node = self._follow(resolver, uri)
            for key in keys:
                if isinstance(node, list):
                    if not key.isdigit() or int(key) >= len(node):
                        return None
                elif not isinstance(node, Mapping) or key not in node:
                    return None
                uri, node = self._follow(resolver, child(uri, key))
        except (referencing.exceptions.Unresolvable, ValueError):
            return None
        return uri, node

    @staticmethod
    def _follow(resolver: referencing._core.Resolver[Any], uri: str) -> tuple[str, Any]:
        seen: set[str] = set()
        node = resolver.lookup(uri).contents
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and uri not in seen:
            seen.add(uri)
            uri = urljoin(uri, node["$ref"])
            node = resolver.lookup(uri).contents
        return uri, node

    def validator(self, uri: str) -> Validator:
        """The validator of the schema at ``uri`` (compiled once)."""
        with self._lock:
            found = self._validators.get(uri)
            if found is None:
                document = self._resource(uri.split("#", 1)[0]).contents
                dialect = OPENAPI_2020 if is_openapi31(document) else OPENAPI_DRAFT4
                found = dialect({"$ref": uri}, registry=self._registry)
                self._validators[uri] = found
            return found

    def check(self, uri: str, instance: Any, subject: str = "body") -> list[Mismatch]:
        """Every way ``instance`` differs from the schema at ``uri``."""
        return mismatches(self.validator(uri), instance, subject)


def _typed(value: Any) -> str:
    return "null" if value is None else f"{json_type(value)} {excerpt(value)}"


def _wanted(error: ValidationError) -> tuple[str, str]:
    """(what the schema wanted, what came) for one error."""
    kind, instance = error.validator, error.instance
    value: Any = error.validator_value  # unset only on errors made by hand (SchemaDefect)
    if kind == "type":
        names = value if isinstance(value, list) else [value]
        return "type " + " or ".join(f"'{name}'" for name in names), _typed(instance)
    if kind == "required":
        name = error.message.removesuffix(" is a required property")
        return f"property {name} (required)", "an object without it"
    if kind == "additionalProperties" and isinstance(instance, Mapping):
        known = error.schema.get("properties") if isinstance(error.schema, Mapping) else None
        extra = [key for key in instance if key not in (known or {})]
        return "no undocumented properties", "properties " + ", ".join(map(repr, extra[:5]))
    if kind == "enum":
        return f"one of {excerpt(value)}", _typed(instance)
    if kind in ("oneOf", "anyOf"):
        count = "exactly one" if kind == "oneOf" else "at least one"
        wanted = f"a match for {count} of {len(value)} schemas"
        if not error.context:
            return wanted, "a value that matches more than one"
        closest = best_match(error.context)
        return wanted + f" (closest: {describe(closest, '')})", _typed(instance)
    return f"{kind} {excerpt(value)}", _typed(instance)


def describe(error: ValidationError, subject: str) -> Mismatch:
    """A :class:`Mismatch` from a jsonschema error."""
    pointer = "".join("/" + escape_pointer(str(part)) for part in error.absolute_path)
    kind = str(error.validator)
    closest = best_match(error.context) if error.context else None
    defect = error if isinstance(error, SchemaDefect) else closest
    if isinstance(defect, SchemaDefect):
        return Mismatch(subject, pointer, kind, defect.message, defect=True)
    wanted, got = _wanted(error)
    return Mismatch(subject, pointer, kind, wanted, got)


def mismatches(validator: Validator, instance: Any, subject: str = "body") -> list[Mismatch]:
    """Every way ``instance`` differs from the validator's schema (up to MAX_COUNTED)."""
    found: list[Mismatch] = []
    try:
        for error in validator.iter_errors(instance):
            found.append(describe(error, subject))
            if len(found) >= MAX_COUNTED:
                break
    except RecursionError:
        found.append(
            Mismatch(subject, "", "$ref", "a schema without endless $ref cycles", "", True)
        )
    return sorted(found, key=order)
