"""Find the Swagger 2.0 / OpenAPI 3.x operation that documents a seed's endpoint.

Pytest-free. Spec files live under a "Swagger root"; seeds name theirs in front matter
(``swagger: swagger/scheduling/legacy/scheduling.json``). Files are read lazily, once per
index, and matched through a per-method segment trie rather than a regex per operation.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from pytest_seeds.model import SPEC_METHODS
from pytest_seeds.reading.files import read_limited

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SPEC_SUFFIXES = (".json", ".yaml", ".yml")
MAX_SPEC_BYTES = 64 * 1024 * 1024
MAX_SPEC_DEPTH = 200  # real specs nest a few dozen levels; the walks recurse
_DEEP = object()  # a document the parser itself could not nest
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{[^{}/]*\}")
_WILD = "\x00"  # stands for a placeholder inside a request segment
_OBO = "x-on-behalf-of"


_SPACE = re.compile(r"\s")  # what str.isspace() calls a space


def split_endpoint(endpoint: object) -> tuple[str, str] | None:
    """``"PUT /a/{id}"`` -> ``("PUT", "/a/{id}")``; None when not ``METHOD /path``."""
    if not isinstance(endpoint, str):
        return None
    parts = endpoint.split(None, 1)
    if len(parts) != 2 or parts[0].upper() not in SPEC_METHODS:
        return None
    path = parts[1].strip()
    if not path.startswith("/") or _SPACE.search(path):
        return None
    return parts[0].upper(), path


def escape_pointer(key: str) -> str:
    """One JSON-pointer segment: ``~`` -> ``~0``, ``/`` -> ``~1``."""
    return key.replace("~", "~0").replace("/", "~1")


def _pointer(document: Any, ref: str) -> Any:
    """Resolve a local ``#/a/b`` JSON pointer; None when it does not resolve."""
    if not ref.startswith("#"):
        return None
    node = document
    for raw in ref[1:].split("/")[1:] if ref != "#" else []:
        key = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping):
            node = node.get(key)
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


def _deref(document: Any, node: Any) -> Any:
    """Follow local ``$ref`` chains (cycle-safe); unresolvable refs are returned as is."""
    seen: set[str] = set()
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        target = _pointer(document, ref) if ref not in seen else None
        if not isinstance(target, Mapping):
            return node
        seen.add(ref)
        node = target
    return node


@dataclass(frozen=True)
class Operation:
    """One method on one path of a spec file. Equal when file, method and template are."""

    spec: Path
    method: str
    template: str
    operation: Mapping[str, Any] = field(compare=False, repr=False)
    path_item: Mapping[str, Any] = field(compare=False, repr=False)
    document: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The whole spec document, used to resolve local ``$ref`` parameters."""
    pointer: str = field(default="", compare=False, repr=False)
    """JSON pointer of the operation in its document, e.g. ``/paths/~1a~1{id}/get``."""

    @cached_property
    def _parameters(self) -> tuple[Mapping[str, Any], ...]:
        merged: dict[Any, Mapping[str, Any]] = {}
        for source in (self.path_item, self.operation):
            params = source.get("parameters")
            for raw in params if isinstance(params, list) else ():
                param = _deref(self.document, raw)
                if not isinstance(param, Mapping):
                    continue
                name, where = param.get("name"), param.get("in")
                key = (name, where) if isinstance(name, str) else id(param)
                merged[key] = param
        return tuple(merged.values())

    def parameters(self) -> list[Mapping[str, Any]]:
        """Path-level then operation-level parameters, refs resolved, op-level overriding."""
        return list(self._parameters)

    def header_names(self) -> frozenset[str]:
        """Lower-cased names of the ``in: header`` parameters."""
        return frozenset(
            p["name"].lower()
            for p in self._parameters
            if p.get("in") == "header" and isinstance(p.get("name"), str)
        )

    def wants_on_behalf_of(self) -> bool:
        """Declares an X-On-Behalf-Of header or a truthy ``x-on-behalf-of`` extension."""
        if _OBO in self.header_names():
            return True
        return any(
            bool(value)
            for source in (self.operation, self.path_item)
            for key, value in source.items()
            if isinstance(key, str) and key.lower() == _OBO
        )


@dataclass(frozen=True)
class SpecProblem:
    """A spec file that could not be used."""

    path: Path
    message: str


@lru_cache(maxsize=4096)  # seeds and their steps look up the same few paths again and again
def _segments(path: str) -> tuple[str, ...]:
    """Split a path into non-empty segments, placeholders replaced by ``_WILD``."""
    path = _PLACEHOLDER.sub(_WILD, path)
    if "://" in path:
        path = urlsplit(path).path
    path = path.split("?", 1)[0].split("#", 1)[0]
    return tuple(seg if _WILD in seg else unquote(seg) for seg in path.split("/") if seg)


class _Node:
    __slots__ = ("lit", "ops", "param", "pats")

    def __init__(self) -> None:
        self.lit: dict[str, _Node] = {}
        self.param: _Node | None = None
        self.pats: dict[str, tuple[re.Pattern[str], _Node]] = {}
        self.ops: list[Operation] = []


class _Trie:
    """Operations by method and path segments; spec ``{p}`` segments are wildcards."""

    def __init__(self) -> None:
        self._roots: dict[str, _Node] = {}

    def add(self, op: Operation) -> None:
        node = self._roots.setdefault(op.method, _Node())
        for seg in (s for s in op.template.split("/") if s):
            if re.fullmatch(r"\{[^{}]*\}", seg):
                node.param = node.param or _Node()
                node = node.param
            elif "{" in seg:
                key = "[^/]+".join(map(re.escape, re.split(r"\{[^{}]*\}", seg)))
                node = node.pats.setdefault(key, (re.compile(key), _Node()))[1]
            else:
                node = node.lit.setdefault(seg, _Node())
        node.ops.append(op)

    def find(self, method: str, segs: tuple[str, ...]) -> Operation | None:
        best: tuple[tuple[int, ...], Operation] | None = None
        root = self._roots.get(method.upper())
        for kinds, op in self._walk(root, segs, ()) if root else ():
            score = (kinds.count(2), kinds.count(1), *kinds)
            if best is None or score > best[0]:
                best = (score, op)
        return best[1] if best else None

    def _walk(
        self, node: _Node, segs: tuple[str, ...], kinds: tuple[int, ...]
    ) -> Iterator[tuple[tuple[int, ...], Operation]]:
        if len(kinds) == len(segs):
            if node.ops:
                yield kinds, node.ops[0]
            return
        seg = segs[len(kinds)]
        if _WILD not in seg and seg in node.lit:
            yield from self._walk(node.lit[seg], segs, (*kinds, 2))
        for rx, child in node.pats.values():
            if rx.fullmatch(seg):  # a placeholder stands for one or more characters
                yield from self._walk(child, segs, (*kinds, 1))
        if node.param is not None:
            yield from self._walk(node.param, segs, (*kinds, 0))


def _prefix(document: Mapping[str, Any]) -> str:
    """basePath, else the path of the first server url (variables defaulted); "" for "/"."""
    base = document.get("basePath")
    if not isinstance(base, str):
        servers = document.get("servers")
        server = servers[0] if isinstance(servers, list) and servers else None
        if not isinstance(server, Mapping) or not isinstance(url := server.get("url"), str):
            return ""
        variables = server.get("variables") or {}
        for name, var in variables.items() if isinstance(variables, Mapping) else ():
            if isinstance(var, Mapping) and "default" in var:
                url = url.replace("{" + str(name) + "}", str(var["default"]))
        base = urlsplit(url).path if "://" in url else url
    return "/" + "/".join(s for s in base.split("/") if s) if base.strip("/") else ""


class SpecFile:
    """A loaded spec: its version, path prefix, raw document and operations."""

    def __init__(self, path: Path, document: Mapping[str, Any]) -> None:
        self.path = path
        self.document = document
        version = document.get("swagger") or document.get("openapi")
        self.version = str(version) if version is not None else ""
        self.prefix = _prefix(document)
        self.operations: list[Operation] = []
        paths = document.get("paths")
        for raw_path, raw_item in paths.items() if isinstance(paths, Mapping) else ():
            item = _deref(document, raw_item)
            if not isinstance(raw_path, str) or not isinstance(item, Mapping):
                continue
            template = self.prefix + "/" + raw_path.strip("/")
            template = template.rstrip("/") or "/"
            for method, op in item.items():
                if str(method).upper() in SPEC_METHODS and isinstance(op, Mapping):
                    pointer = f"/paths/{escape_pointer(raw_path)}/{escape_pointer(str(method))}"
                    self.operations.append(
                        Operation(path, str(method).upper(), template, op, item, document, pointer)
                    )
        self.trie = _Trie()
        for op in self.operations:
            self.trie.add(op)

    def find(self, method: str, path: str) -> Operation | None:
        """The most specific operation of this file matching ``method path``."""
        return self.trie.find(method, _segments(path))

    def __repr__(self) -> str:
        return f"SpecFile({str(self.path)!r}, version={self.version!r}, prefix={self.prefix!r})"


def _exists(path: Path) -> bool:
    """Whether a path exists; False for one the system cannot even look up (too long...)."""
    try:
        return path.exists()
    except OSError:
        return False


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def read_spec_document(path: Path) -> Any:
    """The parsed JSON/YAML content of a spec file, or a :class:`SpecProblem`.

    Only a regular file of at most ``MAX_SPEC_BYTES`` is read (a FIFO named ``x.json`` would
    block the run); a document nested deeper than ``MAX_SPEC_DEPTH`` is a problem too.
    """
    try:
        data = read_limited(path, MAX_SPEC_BYTES)
        if len(data) > MAX_SPEC_BYTES:
            size = f"{MAX_SPEC_BYTES // (1024 * 1024)} MiB"
            return SpecProblem(path, f"cannot read Swagger file: larger than {size}")
        text = data.decode("utf-8-sig")
    except FileNotFoundError:
        return SpecProblem(path, "Swagger file not found")
    except OSError as exc:
        return SpecProblem(path, f"cannot read Swagger file: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        return SpecProblem(path, f"cannot read Swagger file: {exc}")
    kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
    try:
        document = json.loads(text) if kind == "JSON" else yaml.load(text, Loader=_LOADER)
    except (ValueError, yaml.YAMLError) as exc:
        return SpecProblem(path, f"not valid {kind}: {exc}".splitlines()[0])
    except RecursionError:
        document = _DEEP
    if document is _DEEP or _too_deep(document):  # the checks walk documents recursively
        return SpecProblem(
            path, f"not a usable {kind} document: nested deeper than {MAX_SPEC_DEPTH}"
        )
    return document


def _too_deep(document: Any) -> bool:
    """Whether a document nests deeper than ``MAX_SPEC_DEPTH`` (walked without recursion)."""
    todo = [(document, 0)]
    while todo:
        node, depth = todo.pop()
        if depth > MAX_SPEC_DEPTH:
            return True
        if isinstance(node, Mapping):
            todo += [(value, depth + 1) for value in node.values()]
        elif isinstance(node, list):
            todo += [(value, depth + 1) for value in node]
    return False


def _read(path: Path) -> SpecFile | SpecProblem:
    document = read_spec_document(path)
    if isinstance(document, SpecProblem):
        return document
    if not isinstance(document, Mapping) or not (
        isinstance(document.get("paths"), Mapping)
        or str(document.get("openapi", "")).startswith("3.1")  # 3.1: paths are optional
    ):
        return SpecProblem(path, "not a Swagger/OpenAPI document (no 'paths' object)")
    return SpecFile(path, document)


def _skip_dir(parent: str, name: str) -> bool:
    """Hidden folders, dependency folders and virtualenvs hold no specs of the project."""
    return (
        name.startswith(".")
        or name in {"node_modules", "__pycache__", "site-packages"}
        or os.path.exists(os.path.join(parent, name, "pyvenv.cfg"))
    )


class SwaggerIndex:
    """Loads spec files under a root lazily, each once; thread-safe (the plugin keeps one per run)."""

    def __init__(self, root: Path | None) -> None:
        self.root = Path(os.path.abspath(root)) if root is not None else None
        self._lock = threading.RLock()
        self._cache: dict[Path, SpecFile | SpecProblem] = {}
        self._problems: dict[SpecProblem, None] = {}
        self._all: _Trie | None = None
        self._scanned: list[Path] | None = None
        self._named: dict[str, None] = {}  # front-matter refs of the collected seeds, in order
        self._named_trie: _Trie | None = None
        self._has_specs: bool | None = None
        self._resolved: dict[str, Path | None] = {}

    def name(self, ref: object) -> None:
        """Note a seed's front-matter ``swagger`` value (at collection; nothing is read).

        The files so named are the ones searched for a step documented in another file
        than its seed's own; the whole root is searched only for seeds whose file is missing.
        """
        if isinstance(ref, str) and ref.strip() and ref.strip() not in self._named:
            with self._lock:
                self._named[ref.strip()] = None
                self._named_trie = None

    def resolve(self, ref: str | None) -> Path | None:
        """Front-matter value -> spec path; None if empty or escaping/lacking the root.

        A relative ref that is not under the root may name a spec by its path inside a
        folder of the root (``swagger/a.json`` for ``<root>/seeds/swagger/a.json``): the
        one spec under the root whose path ends that way is taken, if there is one.
        """
        if not isinstance(ref, str) or not ref.strip():
            return None
        ref = ref.strip()
        with self._lock:  # once per ref: the files do not change during a run
            if ref not in self._resolved:
                self._resolved[ref] = self._resolve(ref)
            return self._resolved[ref]

    def _resolve(self, ref: str) -> Path | None:
        path = Path(ref)
        if path.is_absolute():
            if _exists(path) or self.root is None or "swagger" not in path.parts[1:]:
                return path
            at = len(path.parts) - 1 - path.parts[::-1].index("swagger")
            for tail in (path.parts[at:], path.parts[at + 1 :]):
                candidate = self.root.joinpath(*tail)
                if tail and _is_file(candidate):
                    return candidate
            return path
        if self.root is None:
            return None
        candidate = Path(os.path.normpath(self.root / path))
        if not candidate.is_relative_to(self.root) or candidate == self.root:
            return None
        if not _exists(candidate) and path.parts[0] == self.root.name and len(path.parts) > 1:
            alternative = self.root.joinpath(*path.parts[1:])
            if _is_file(alternative):
                return alternative
        if not _exists(candidate):
            return self._ending_with(candidate.relative_to(self.root).parts) or candidate
        return candidate

    def _ending_with(self, parts: tuple[str, ...]) -> Path | None:
        """The only spec file under the root whose path ends with ``parts``, else None."""
        found = [
            path
            for path in self._paths()
            if path.parts[-len(parts) :] == parts
            and isinstance(self._get(path, report_non_spec=False), SpecFile)
        ]
        return found[0] if len(found) == 1 else None

    def _get(self, path: Path, report_non_spec: bool = True) -> SpecFile | SpecProblem:
        with self._lock:
            result = self._cache.get(path)
            if result is None:
                result = self._cache[path] = _read(path)
            if isinstance(result, SpecProblem) and (
                report_non_spec or not result.message.startswith("not a Swagger")
            ):
                self._problems.setdefault(result)
            return result

    def load(self, ref: str | None) -> SpecFile | SpecProblem | None:
        """The spec file ``ref`` names (cached), a SpecProblem, or None for no/refused ref."""
        path = self.resolve(ref)
        return None if path is None else self._get(path)

    def problems(self) -> list[SpecProblem]:
        """Every problem met so far, each once, in the order met."""
        with self._lock:
            return list(self._problems)

    def has_specs(self) -> bool:
        """Whether any spec is under the root: a named file that is one, else the first found."""
        if self._has_specs is None:
            named = (self.load(ref) for ref in list(self._named))
            self._has_specs = any(isinstance(spec, SpecFile) for spec in named) or any(
                isinstance(self._get(path, report_non_spec=False), SpecFile)
                for path in self._paths()
            )
        return self._has_specs

    def named_specs(self) -> list[SpecFile]:
        """The spec files the collected seeds name, each once, in the order first named."""
        found: dict[Path, SpecFile] = {}
        for ref in list(self._named):
            spec = self.load(ref)
            if isinstance(spec, SpecFile):
                found.setdefault(spec.path, spec)
        return list(found.values())

    def _named_files_trie(self) -> _Trie:
        trie = self._named_trie
        if trie is None:
            with self._lock:
                trie = _Trie()
                for spec in self.named_specs():
                    for op in spec.operations:
                        trie.add(op)
                self._named_trie = trie
        return trie

    def specs(self) -> list[SpecFile]:
        """Every spec found under the root, sorted by path (all loaded on first need)."""
        self._all_trie()
        with self._lock:
            found = [self._cache[path] for path in self._paths()]
        return [spec for spec in found if isinstance(spec, SpecFile)]

    def _all_trie(self) -> _Trie:
        if self._all is not None:
            return self._all
        with self._lock:
            if self._all is None:
                trie = _Trie()
                for path in self._paths():
                    # Well-formed non-spec files (fixtures, package.json...) are passed over.
                    spec = self._get(path, report_non_spec=False)
                    for op in spec.operations if isinstance(spec, SpecFile) else ():
                        trie.add(op)
                self._all = trie
        return self._all

    def _paths(self) -> list[Path]:
        """The JSON/YAML files under the root (scanned once)."""
        with self._lock:
            if self._scanned is None:
                self._scanned = self._scan()
            return self._scanned

    def _scan(self) -> list[Path]:
        if self.root is None or not self.root.is_dir():
            return []
        found = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if not _skip_dir(dirpath, d)]
            found += [Path(dirpath, f) for f in filenames if f.lower().endswith(SPEC_SUFFIXES)]
        return sorted(found)

    def find(self, method: str, path: str, ref: str | None = None) -> Operation | None:
        """The operation for ``method path``: first in ``ref``'s file, then in the others.

        When ``ref`` names a spec file, the others are the files the collected seeds name
        (:meth:`name`); only when ``ref``'s file is missing (or there is no ``ref``) are
        all the JSON/YAML files under the root read and searched.
        """
        return self._find(method, path, ref, everywhere=False)

    def find_anywhere(self, method: str, path: str, ref: str | None = None) -> Operation | None:
        """Like :meth:`find`, but searching every file under the root after ``ref``'s own.

        For lint, to name the file that does document an endpoint its seed's file lacks.
        """
        return self._find(method, path, ref, everywhere=True)

    def _find(self, method: str, path: str, ref: str | None, everywhere: bool) -> Operation | None:
        segs = _segments(path)
        own = self.load(ref)
        if not isinstance(own, SpecFile):
            return self._all_trie().find(method, segs)
        found = own.trie.find(method, segs)
        if found is not None:
            return found
        others = self._all_trie() if everywhere else self._named_files_trie()
        return others.find(method, segs)
