"""The reference YAML loader: the scalars seed authors expect, line numbers kept, limits.

Seeds were written for a JavaScript runner (YAML 1.2): only ``true``/``false``
are booleans, dates stay strings, ``10:30`` is not a sexagesimal number. Python
tags (``!!python/...``) are refused; aliases are bounded so that an alias bomb
cannot blow up memory, and nesting so that no later recursive walk overflows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

import yaml

if TYPE_CHECKING:  # the stubs always declare the libyaml loader
    BaseLoader = yaml.CSafeLoader
else:
    BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

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


class SeedLoader(BaseLoader):
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
                raise too_deep(node)
            return super().construct_object(node, deep)
        finally:
            self._depth -= 1


def too_deep(node: Any) -> yaml.constructor.ConstructorError:
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
