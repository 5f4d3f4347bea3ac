"""The fast path of YAML reading: libyaml composes the nodes, plain Python makes the data.

Several times faster than PyYAML's generic constructor, and the same data as the
reference loader (:class:`~pytest_seeds.reading.yamlsafe.SeedLoader`): the property test
in ``tests/test_fast_parsing.py`` holds the two together. Documents with anchors or
explicit tags are left to the reference loader (:class:`Unusual`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from pytest_seeds.reading.yamlsafe import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    BaseLoader,
    LineDict,
    SeedLoader,
    key_text,
    too_deep,
    too_many_digits,
)

_PLAIN, _STR = "?", "tag:yaml.org,2002:str"
_SEQ, _MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"


class _Composer(BaseLoader):
    """libyaml composer that leaves plain scalars untyped: :func:`_build` types them."""

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


class Unusual(Exception):
    """A node the fast builder leaves to :class:`SeedLoader` (an explicit tag)."""


def _float(value: str) -> float:
    unsigned = value.lstrip("+-").lower()
    sign = -1.0 if value.startswith("-") else 1.0
    if unsigned == ".inf":
        return sign * float("inf")
    return float("nan") if unsigned == ".nan" else sign * float(unsigned)


def _int(value: str) -> int:
    if len(value.lstrip("+-")) > MAX_INT_DIGITS:
        raise ValueError(value)
    return int(value, 16 if value.startswith("0x") else 10)


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    "tag:yaml.org,2002:bool": lambda value: value.lower() == "true",
    "tag:yaml.org,2002:int": _int,
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


def _build(node: Any, depth: int) -> Any:
    """Python data of a composed node, with :class:`LineDict` line numbers."""
    if depth > MAX_DEPTH:
        raise too_deep(node)
    tag = node.tag
    if tag is _PLAIN:
        try:
            return _plain(node.value)
        except ValueError:  # the only plain scalar that fails: a too long integer
            raise too_many_digits(node) from None
    kind = type(node)
    if tag == _STR and kind is yaml.ScalarNode:
        return node.value
    if tag == _SEQ and kind is yaml.SequenceNode:
        return [_build(item, depth + 1) for item in node.value]
    if tag != _MAP or kind is not yaml.MappingNode:  # another tag, or !!map [1]
        raise Unusual
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = lines = {}
    for key_node, value_node in node.value:
        key = key_text(result, _build(key_node, depth + 1), key_node)
        result[key] = _build(value_node, depth + 1)
        lines[key] = key_node.start_mark.line + 1
    return result


def build(text: str) -> Any:
    """The data of one YAML document; :class:`Unusual` when the reference loader must read it."""
    if "&" in text:
        raise Unusual
    composer = _Composer(text)
    try:
        node = composer.get_single_node()
    finally:
        composer.dispose()
    return None if node is None else _build(node, 0)
