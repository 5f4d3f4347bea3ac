"""The reference YAML loader: the scalars seed authors expect, line numbers kept, limits.

Seeds were written for a JavaScript runner (YAML 1.2): only ``true``/``false``
are booleans, dates stay strings, ``10:30`` is not a sexagesimal number. Python
tags (``!!python/...``) are refused; aliases are bounded so that an alias bomb
cannot blow up memory, and nesting so that no later recursive walk overflows.
Mapping keys are text, as in JSON and JavaScript (``1:`` is the key ``"1"``, ``~:``
``"null"``); a key written twice in one mapping is refused, as the JavaScript runner's
YAML reader refused it, and so is a value its tag cannot make (``!!int x``, an integer
of thousands of digits): every failure is a ``yaml.YAMLError`` with a mark.
"""

from __future__ import annotations

import math
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
MAX_INT_DIGITS = 4300  # Python reads no longer integers (sys.get_int_max_str_digits)

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


class Refused(yaml.constructor.ConstructorError):
    """A YAML value a seed cannot hold: where it is, and a hint for the seed's author."""

    def __init__(self, problem: str, mark: Any, hint: str) -> None:
        super().__init__(None, None, problem, mark)
        self.hint = hint


class LineDict(dict[str, Any]):
    """A mapping that remembers the 1-based line of itself and of each key (keys are text)."""

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
                raise Refused(
                    f"more than {MAX_ALIASES} aliases (*name); seeds do not need them",
                    node.start_mark,
                    "write the values out instead of repeating them with *aliases",
                )
        self._depth += 1  # values under a mapping are built deep, that is recursively
        try:
            if self._depth > MAX_DEPTH:
                raise too_deep(node)
            return super().construct_object(node, deep)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            raise not_valid(node) from None  # a tag that cannot make this value: !!int x
        finally:
            self._depth -= 1


def too_deep(node: Any) -> Refused:
    return Refused(
        f"nested deeper than {MAX_DEPTH} levels; seeds do not need that",
        node.start_mark,
        "flatten the data: a request body needs no such depth",
    )


def not_valid(node: Any) -> Refused:
    """The error of a node its tag cannot make: ``!!int x``, ``!!bool maybe``, ``!!map [1]``."""
    tag = str(node.tag)
    short = "!!" + tag.rsplit(":", 1)[-1] if tag.startswith("tag:yaml.org,2002:") else tag
    if isinstance(node, yaml.ScalarNode):
        what = repr(node.value)
    else:
        what = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
    return Refused(
        f"{what} is not a valid {short}", node.start_mark, f"drop the {short} tag, or fix the value"
    )


def key_text(result: LineDict, key: Any, key_node: Any) -> str:
    """A mapping key as text, the way JSON and JavaScript hold keys; refused when it is not a
    plain value, or when the mapping has it already (``1`` and ``'1'`` are one key)."""
    if isinstance(key, str):
        text = key
    elif key is None or isinstance(key, bool):
        text = "null" if key is None else "true" if key else "false"
    elif isinstance(key, int):
        text = str(key)
    elif isinstance(key, float):
        text = _float_key(key)
    else:
        raise Refused(
            "a mapping key must be a plain value", key_node.start_mark, "write keys as plain text"
        )
    if text in result:
        raise Refused(
            f"the key {text!r} appears twice",
            key_node.start_mark,
            "keep one of them (keys are text: 1 and '1' are one key)",
        )
    return text


def _float_key(key: float) -> str:
    if math.isnan(key):
        return "NaN"
    if math.isinf(key):
        return "Infinity" if key > 0 else "-Infinity"
    return str(int(key)) if key.is_integer() and abs(key) < 1e21 else repr(key)


def too_many_digits(node: Any) -> Refused:
    digits = len(node.value.lstrip("+-"))
    return Refused(
        f"an integer of {digits} digits; seeds do not need that",
        node.start_mark,
        "quote it to send it as text",
    )


def _construct_mapping(loader: SeedLoader, node: yaml.MappingNode) -> Iterator[LineDict]:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    yield result
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = key_text(result, loader.construct_object(key_node, deep=True), key_node)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1


def _construct_int(loader: SeedLoader, node: yaml.ScalarNode) -> int:
    value = loader.construct_scalar(node)
    if len(value.lstrip("+-")) > MAX_INT_DIGITS:
        raise too_many_digits(node)
    return int(value, 16) if value.startswith("0x") else int(value, 10)


for _tag, _pattern, _first in _CORE_SCALARS:
    SeedLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))
SeedLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
SeedLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
# the stubs bound a constructor's loader to Loader types, not SafeConstructor's own methods
SeedLoader.add_constructor("tag:yaml.org,2002:timestamp", SeedLoader.construct_yaml_str)  # type: ignore[type-var]
