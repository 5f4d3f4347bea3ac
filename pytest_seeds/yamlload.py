"""Safe YAML reading with the scalars seed authors expect and line numbers kept.

Seeds were written for a JavaScript runner (YAML 1.2): only ``true``/``false``
are booleans, dates stay strings, ``10:30`` is not a sexagesimal number. Python
tags (``!!python/...``) are refused, and aliases are bounded so that an alias
bomb cannot blow up memory.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import yaml

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_ALIASES = 10

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


class LineDict(dict):
    """A mapping that remembers the 1-based line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]


class SeedLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader with YAML 1.2 core scalars and line-aware mappings."""

    yaml_implicit_resolvers: ClassVar[dict] = {}

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._aliases = 0

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
        return super().construct_object(node, deep)


def _construct_mapping(loader: SeedLoader, node: yaml.MappingNode) -> LineDict:
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
SeedLoader.add_constructor("tag:yaml.org,2002:timestamp", SeedLoader.construct_yaml_str)


def load_yaml(text: str) -> Any:
    """Parse one YAML document safely; raise ``yaml.YAMLError`` with a mark on failure."""
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
