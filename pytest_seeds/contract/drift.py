"""Documented examples against live answers, by shape; and the example a live answer makes.

Pure and pytest-free. The convention (docs/seed-format.md, "Documented examples"):

- by default only the **shape** is compared: the same keys at every path, the same JSON
  type (``null``, ``boolean``, ``number``: integers and decimals alike, ``string``,
  ``array``, ``object``), every item of an answer's list shaped like one of the example
  list's items (the closest one); an empty example list says nothing of its items;
- a **placeholder**, a string in angle brackets such as ``"<uid>"`` or ``"<created_at>"``,
  stands for any value of any type (``null``, objects and lists too): nothing under it is
  compared;
- values are compared only at **fixed** paths, named in a comment above the block:
  ``<!-- seeds-fixed: $.success $.data.job.status -->`` (``[*]`` stands for any list
  index; a path naming an object or a list fixes every value inside it: a fixed list is
  compared item by item, in order, and its length too).

Each difference is a :class:`Drift` at a JSONPath: ``added`` (in the answer, not in the
example), ``missing`` (documented, not answered), ``type`` (another JSON type) or ``value``
(a fixed value that differs).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from pytest_seeds.contract import mismatch

KINDS = ("added", "missing", "type", "value", "deep")
_PLACEHOLDER = re.compile(r"<[^<>\r\n]+>")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\*|\d+)\]|\[(['\"])((?:\\.|(?!\3).)*)\3\]")
_FIXED_COMMENT = re.compile(r"<!--\s*seeds-fixed\s*:(.*?)-->", re.IGNORECASE)
_ID_NAME = re.compile(r"(?i:(?:^|_)(?:id|uid|uuid)|_at)$|[a-z0-9](?:Id|Uid|Uuid|At)$")
_VOLATILE_TEXT = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"  # a time
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"  # a UUID
)
MIN_KNOWN_CHARS = 4  # a value the run used counts as volatile from this length on
MAX_DEPTH = 100  # levels of nesting compared; deeper parts are a "deep" note, not compared

Key = str | int  # a step of a path: an object key or a list index
Path = tuple[Key, ...]
Wildcard = None  # [*] in a fixed path
Pattern = tuple[Key | None, ...]


@dataclass(frozen=True)
class Drift:
    """One way an answer differs from its documented example."""

    path: str  # JSONPath: $.data.items[0].id
    kind: str  # one of KINDS
    documented: str = ""  # the example's JSON type, or its value (kind "value")
    answered: str = ""

    def __str__(self) -> str:
        if self.kind == "added":
            return f"{self.path}: added in the answer ({self.answered})"
        if self.kind == "missing":
            return f"{self.path}: missing from the answer (documented: {self.documented})"
        if self.kind == "type":
            return (
                f"{self.path}: type changed: documented {self.documented}, answered {self.answered}"
            )
        if self.kind == "deep":
            return f"{self.path}: too deep to compare (more than {MAX_DEPTH} levels)"
        return f"{self.path}: value changed: documented {self.documented}, answered {self.answered}"


def is_placeholder(value: Any) -> bool:
    """Whether a documented value is a placeholder: a string such as ``"<uid>"``."""
    return isinstance(value, str) and _PLACEHOLDER.fullmatch(value) is not None


def json_type(value: Any) -> str:
    """The JSON type of a value; integers and decimals are both ``number``."""
    kind = mismatch.json_type(value)
    return "number" if kind == "integer" else kind


def printable(text: str) -> str:
    """``text`` with what UTF-8 cannot encode (lone surrogates) as its ``\\udcXX`` escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def show_path(path: Path) -> str:
    """``("data", "items", 0, "id")`` -> ``$.data.items[0].id`` (always encodable)."""
    parts = ["$"]
    for key in path:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif _NAME.fullmatch(key):
            parts.append(f".{key}")
        else:
            parts.append("[" + json.dumps(key, ensure_ascii=False) + "]")
    return printable("".join(parts))


def parse_path(text: str) -> Pattern:
    """``$.data.items[*].id`` -> ``("data", "items", None, "id")``; ValueError if not a path."""
    text = text.strip()
    if not text.startswith("$"):
        raise ValueError(f"'{text}' is not a JSONPath (it starts with '$')")
    steps: list[Key | None] = []
    position = 1
    while position < len(text):
        found = _STEP.match(text, position)
        if found is None:
            raise ValueError(f"'{text}' is not a JSONPath: cannot read '{text[position:]}'")
        name, index, _, quoted = found.groups()
        if name is not None:
            steps.append(name)
        elif index is not None:
            steps.append(None if index == "*" else int(index))
        else:
            steps.append(json.loads(f'"{quoted}"'))
        position = found.end()
    return tuple(steps)


def fixed_paths(comment_lines: Sequence[str]) -> tuple[str, ...]:
    """The paths of ``<!-- seeds-fixed: ... -->`` comments (separated by spaces or commas)."""
    found: list[str] = []
    for line in comment_lines:
        for match in _FIXED_COMMENT.finditer(line):
            found += [part for part in re.split(r"[\s,]+", match.group(1)) if part]
    return tuple(found)


def _fixed(path: Path, patterns: Collection[Pattern]) -> bool:
    """Whether a path is, or is inside, one of the fixed paths."""
    return any(
        len(pattern) <= len(path)
        and all(
            (want is None and isinstance(key, int)) or want == key
            for want, key in zip(pattern, path, strict=False)
        )
        for pattern in patterns
    )


def compare(documented: Any, answered: Any, fixed: Collection[Pattern] = ()) -> list[Drift]:
    """How an answer differs from its documented example (empty: no drift)."""
    found: list[Drift] = []
    _compare(documented, answered, (), fixed, found)
    return found


def _compare(
    documented: Any, answered: Any, path: Path, fixed: Collection[Pattern], found: list[Drift]
) -> None:
    if is_placeholder(documented):
        return
    wanted, got = json_type(documented), json_type(answered)
    if wanted != got:
        found.append(Drift(show_path(path), "type", wanted, got))
    elif isinstance(documented, dict | list) and len(path) >= MAX_DEPTH:
        found.append(Drift(show_path(path), "deep"))
    elif isinstance(documented, dict):
        stand_ins = [documented[key] for key in documented if is_placeholder(key)]
        for key in documented:
            if key not in answered and not is_placeholder(key):
                found.append(
                    Drift(show_path((*path, key)), "missing", documented=_type(documented[key]))
                )
        for key, value in answered.items():
            if key in documented:
                _compare(documented[key], value, (*path, key), fixed, found)
            elif stand_ins:  # a key such as "<id>" stands for any key
                found += closest(stand_ins, value, (*path, key), fixed)[1]
            else:
                found.append(Drift(show_path((*path, key)), "added", answered=json_type(value)))
    elif isinstance(documented, list) and _fixed(path, fixed):  # item by item, in order
        if len(documented) != len(answered):
            found.append(Drift(show_path(path), "value", _excerpt(documented), _excerpt(answered)))
        else:
            for index, (want, got) in enumerate(zip(documented, answered, strict=True)):
                _compare(want, got, (*path, index), fixed, found)
    elif isinstance(documented, list):
        for index, item in enumerate(answered):
            found += closest(documented, item, (*path, index), fixed)[1]
    elif _fixed(path, fixed) and documented != answered:
        found.append(Drift(show_path(path), "value", _excerpt(documented), _excerpt(answered)))


def _type(value: Any) -> str:
    return "any value" if is_placeholder(value) else json_type(value)


def closest(
    documented: list[Any], item: Any, path: Path, fixed: Collection[Pattern] = ()
) -> tuple[int, list[Drift]]:
    """The documented list item an answered item is closest to, and how it differs from it
    (the first item of the fewest differences; none for an empty documented list)."""
    best: tuple[int, list[Drift]] = (-1, [])
    for index, candidate in enumerate(documented):
        found: list[Drift] = []
        _compare(candidate, item, path, fixed, found)
        if best[0] < 0 or len(found) < len(best[1]):
            best = (index, found)
        if not found:
            break
    return best


def _excerpt(value: Any, limit: int = 60) -> str:
    text = printable(json.dumps(value, ensure_ascii=False))
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Concealer:
    """What of an answer may be written into a documented example, and what becomes a
    placeholder: secrets (values under secret names, values holding a known secret) and
    volatile values (those the run used or extracted, times, UUIDs, ids and ``*_at`` fields).
    """

    known: frozenset[str] = frozenset()  # texts of the values the run used (volatile)
    secret_name: Callable[[str], bool] = lambda name: False
    holds_secret: Callable[[str], bool] = lambda text: False

    def value(self, value: Any, key: Key | None, depth: int = 0) -> Any:
        """A value taken from the answer (``depth`` levels down), made fit for the
        documentation; a part too deep to write is a placeholder."""
        name = key if isinstance(key, str) else None
        if name is not None and self.secret_name(name):  # the whole value, whatever its type
            return placeholder(name, "secret")
        if isinstance(value, bool) or (value is None and not (name and _ID_NAME.search(name))):
            return value
        if isinstance(value, dict | list) and depth >= MAX_DEPTH:
            return placeholder(name, "value")
        if isinstance(value, dict):
            return {self.key(k): self.value(v, k, depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return _shapes([], value, lambda item: self.value(item, key, depth + 1))
        text = value if isinstance(value, str) else json.dumps(value)
        if self.holds_secret(text):
            return placeholder(name, "secret")
        if (
            value is None
            or (isinstance(value, float) and not math.isfinite(value))  # not JSON: NaN, 1e400
            or text in self.known
            or (isinstance(value, str) and _VOLATILE_TEXT.fullmatch(value.strip()))
            or (name is not None and _ID_NAME.search(name))
        ):
            return placeholder(name, "value")
        return value

    def key(self, key: str) -> str:
        """A key of the answer: one that holds a secret is written as ``<secret>``, a volatile
        one (a UUID, a time, a value the run used) as ``<key>``; both stand for any key."""
        if self.holds_secret(key):
            return "<secret>"
        if key in self.known or _VOLATILE_TEXT.fullmatch(key.strip()):
            return "<key>"
        return key

    def scrub(self, value: Any) -> Any:
        """A whole example with every key and value that holds a known secret as ``<secret>``
        (the last line of defence before it is written)."""
        if isinstance(value, dict):
            return {self.key(k): self.scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub(item) for item in value]
        if value is None or isinstance(value, bool):
            return value
        text = value if isinstance(value, str) else json.dumps(value)
        return "<secret>" if self.holds_secret(text) else value


def placeholder(name: str | None, fallback: str) -> str:
    """``<name>`` for a value under a plain name, else ``<fallback>``."""
    if name and _PLACEHOLDER.fullmatch(f"<{name}>") and not name.isdigit():
        return f"<{name}>"
    return f"<{fallback}>"


def known_texts(values: Collection[Any]) -> frozenset[str]:
    """The texts of the scalars in some values (long enough to tell), for :class:`Concealer`."""
    texts: set[str] = set()
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack += value.values()
        elif isinstance(value, list | tuple):
            stack += value
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            text = value if isinstance(value, str) else json.dumps(value)
            if len(text) >= MIN_KNOWN_CHARS:
                texts.add(text)
    return frozenset(texts)


def _shapes(
    kept: list[Any],
    answered: list[Any],
    conceal: Callable[[Any], Any],
    fixed: Collection[Pattern] = (),
) -> list[Any]:
    """``kept``, and each answered item shaped like none of the items before it (compared
    with the kept items; answered items of one shape are told by their :func:`shape`)."""
    result = list(kept)
    seen: set[str] = set()
    for item in answered:
        signature = shape(item)
        if signature in seen:
            continue
        seen.add(signature)
        if all(_differs(other, item, fixed) for other in kept):
            result.append(conceal(item))
    return result


def _differs(documented: Any, answered: Any, fixed: Collection[Pattern]) -> bool:
    """Whether an answered item is shaped unlike a documented one (below what can be
    compared, alike)."""
    return any(found.kind != "deep" for found in compare(documented, answered, fixed))


def shape(value: Any, depth: int = 0) -> str:
    """The shape of a value as text: its JSON types and keys, its list items' shapes as a
    set (what is deeper than :data:`MAX_DEPTH` is left out)."""
    if depth >= MAX_DEPTH or not isinstance(value, dict | list):
        return json_type(value)
    if isinstance(value, list):
        return "[" + ",".join(sorted({shape(item, depth + 1) for item in value})) + "]"
    return (
        "{"
        + ",".join(f"{json.dumps(k)}:{shape(v, depth + 1)}" for k, v in sorted(value.items()))
        + "}"
    )


def updated(
    documented: Any,
    answered: Any,
    conceal: Concealer,
    fixed: Collection[Pattern] = (),
    path: Path = (),
) -> Any:
    """The example an answer makes of a documented one, changed only where it drifted.

    Placeholders stay; values of the same type stay (the example's own); keys no longer
    answered go; keys added and values of another type come from the answer, through
    ``conceal``; a list keeps its items, each updated from the first answered item closest
    to it, and gets each answered item of a shape it does not show yet (a list that is new
    holds one item of each shape); a fixed value that changed takes the answer's.
    """
    key = path[-1] if path else None
    if is_placeholder(documented) or len(path) >= MAX_DEPTH:
        return documented
    if json_type(documented) != json_type(answered):
        return conceal.value(answered, key, len(path))
    if isinstance(documented, dict):
        result = {
            k: updated(v, answered[k], conceal, fixed, (*path, k)) if k in answered else v
            for k, v in documented.items()
            if k in answered or is_placeholder(k)
        }
        stands_in = any(is_placeholder(k) for k in documented)
        for k, v in answered.items():
            if k not in documented and not stands_in:
                result[conceal.key(k)] = conceal.value(v, k, len(path) + 1)
        return result
    if isinstance(documented, list) and _fixed(path, fixed):  # item by item, in order
        if len(documented) != len(answered):  # every item, not one of each shape
            return [conceal.value(item, key, len(path) + 1) for item in answered]
        return [
            updated(want, got, conceal, fixed, (*path, index))
            for index, (want, got) in enumerate(zip(documented, answered, strict=True))
        ]
    if isinstance(documented, list):
        if not documented:  # it says nothing of its items: it stays empty
            return documented
        first: dict[int, Any] = {}
        for index, item in enumerate(answered):
            first.setdefault(closest(documented, item, (*path, index), fixed)[0], item)
        kept = [
            updated(item, first[index], conceal, fixed, (*path, index)) if index in first else item
            for index, item in enumerate(documented)
        ]
        return _shapes(kept, answered, lambda item: conceal.value(item, key, len(path) + 1), fixed)
    if _fixed(path, fixed) and documented != answered:
        return conceal.value(answered, key, len(path))
    return documented
