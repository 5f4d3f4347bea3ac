"""Safe YAML reading with the scalars seed authors expect and line numbers kept.

Seeds were written for a JavaScript runner (YAML 1.2): only ``true``/``false``
are booleans, dates stay strings, ``10:30`` is not a sexagesimal number. Python
tags (``!!python/...``) are refused; aliases are bounded so that an alias bomb
cannot blow up memory, and nesting so that no later recursive walk overflows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

import yaml

if TYPE_CHECKING:  # the stubs always declare the libyaml loader
    _BaseLoader = yaml.CSafeLoader
else:
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_ALIASES = 10
MAX_DEPTH = (
    64  # every later walk (templates, JSON, reports) recurses: keep far from the stack limit
)

_CORE_SCALARS = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]


class LineDict(dict[Any, Any]):
    """A mapping that remembers the 1-based line of itself and of each key."""

    __slots__ = ("key_lines", "line")
    line: int
    key_lines: dict[str, int]


class SeedLoader(_BaseLoader):
    """Safe loader with YAML 1.2 core scalars and line-aware mappings."""

    # PyYAML keeps the resolvers per class; its stubs declare an instance variable
    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {}  # type: ignore[misc]

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"more than {MAX_ALIASES} aliases (*name); seeds do not need them",
                    node.start_mark,
                )
        self._depth += 1  # values under a mapping are built deep, that is recursively
        try:
            if self._depth > MAX_DEPTH:
                raise _too_deep(node)
            return super().construct_object(node, deep)
        finally:
            self._depth -= 1


def _too_deep(node: Any) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(
        None,
        None,
        f"nested deeper than {MAX_DEPTH} levels; seeds do not need that",
        node.start_mark,
    )


def _construct_mapping(loader: SeedLoader, node: yaml.MappingNode) -> Iterator[LineDict]:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    yield result
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1


def _construct_int(loader: SeedLoader, node: yaml.ScalarNode) -> int:
    value = loader.construct_scalar(node)
    return int(value, 16) if value.startswith("0x") else int(value, 10)


for _tag, _pattern, _first in _CORE_SCALARS:
    SeedLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))
SeedLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
SeedLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
# the stubs bound a constructor's loader to Loader types, not SafeConstructor's own methods
SeedLoader.add_constructor("tag:yaml.org,2002:timestamp", SeedLoader.construct_yaml_str)  # type: ignore[type-var]


_PLAIN, _STR = "?", "tag:yaml.org,2002:str"
_SEQ, _MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_SCALAR_KEY = str | int | float | bool


class _Composer(_BaseLoader):
    """libyaml composer that leaves plain scalars untyped: :func:`_build` types them."""

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


class _Unusual(Exception):
    """A node the fast builder leaves to :class:`SeedLoader` (an explicit tag)."""


def _float(value: str) -> float:
    unsigned = value.lstrip("+-").lower()
    sign = -1.0 if value.startswith("-") else 1.0
    if unsigned == ".inf":
        return sign * float("inf")
    return float("nan") if unsigned == ".nan" else sign * float(unsigned)


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    "tag:yaml.org,2002:bool": lambda value: value.lower() == "true",
    "tag:yaml.org,2002:int": lambda value: int(value, 16 if value.startswith("0x") else 10),
    "tag:yaml.org,2002:float": _float,
    "tag:yaml.org,2002:null": lambda value: None,
}
_FIRST_CHAR = {
    first: [(_CONVERTERS[tag], pattern) for tag, pattern in resolvers]
    for first, resolvers in SeedLoader.yaml_implicit_resolvers.items()
}


def _plain(value: str) -> Any:
    """A plain scalar typed as :class:`SeedLoader` types it (YAML 1.2 core schema)."""
    for convert, pattern in _FIRST_CHAR.get(value[:1], ()):
        if pattern.match(value):
            return convert(value)
    return value


def _build(node: Any, depth: int = 0) -> Any:
    """Python data of a composed node, with :class:`LineDict` line numbers."""
    if depth > MAX_DEPTH:
        raise _too_deep(node)
    tag = node.tag
    if tag is _PLAIN:
        return _plain(node.value)
    if tag == _STR:
        return node.value
    if tag == _SEQ:
        return [_build(item, depth + 1) for item in node.value]
    if tag != _MAP:
        raise _Unusual
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = lines = {}
    for key_node, value_node in node.value:
        key = _build(key_node, depth + 1)
        if not isinstance(key, _SCALAR_KEY) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            )
        result[key] = _build(value_node, depth + 1)
        lines[str(key)] = key_node.start_mark.line + 1
    return result


def load_yaml(text: str) -> Any:
    """Parse one YAML document safely; raise ``yaml.YAMLError`` with a mark on failure.

    libyaml composes the nodes and :func:`_build` makes the data: several times
    faster than PyYAML's generic constructor. Documents with anchors (``&``) or
    explicit tags go through :class:`SeedLoader`, which bounds aliases and
    refuses Python tags. Both refuse nesting deeper than :data:`MAX_DEPTH`.
    """
    if "&" in text:
        return yaml.load(text, Loader=SeedLoader)
    composer = _Composer(text)
    try:
        node = composer.get_single_node()
    finally:
        composer.dispose()
    if node is None:
        return None
    try:
        return _build(node)
    except _Unusual:
        return yaml.load(text, Loader=SeedLoader)


def error_line(error: yaml.YAMLError) -> int | None:
    """The 1-based line a YAML error points at, if it says."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def error_text(error: yaml.YAMLError) -> str:
    """A one-line description of a YAML error, without PyYAML's mark dump."""
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    if problem:
        return f"{context}, {problem}" if context else str(problem)
    return str(error).splitlines()[0]
