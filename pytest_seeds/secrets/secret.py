"""The secret value type: a token or a secret value that never shows itself.

A :class:`Secret` holds a text or a number. ``repr``, ``str`` and ``format`` show ``***``;
it equals and hashes like its value; :meth:`Secret.reveal` unwraps it. Text joined from
plain parts and secrets (:func:`join`, ``"Bearer " + token``) is a Secret that shows its plain
parts and ``***`` for each secret part (``Bearer ***``), so a URL with a secret in its path
still reads as a URL. Values are revealed where a request is handed to requests
(``http/transport.py``), where the wire format is written down for curl, HAR files and the
transcript (``http/wire.py``, then masked), and where a value is checked rather than shown
(routing, contract checks, the redactor learning it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"
Plain = str | int | float


class Secret:
    """A secret text or number: shown as ``***``, compared and hashed by value."""

    __slots__ = ("_parts", "_shown", "_value")
    _value: Plain
    _shown: str  # what str() and repr() show
    _parts: tuple[str, ...]

    def __init__(
        self, value: Plain | Secret, shown: str = MASK, parts: tuple[str, ...] | None = None
    ) -> None:
        if isinstance(value, Secret):
            self._value, self._shown, self._parts = value._value, value._shown, value._parts
        else:
            self._value, self._shown = value, shown
            self._parts = (str(value),) if parts is None else parts

    def reveal(self) -> Plain:
        """The value itself: for sending it, never for showing it."""
        return self._value

    @property
    def parts(self) -> tuple[str, ...]:
        """The texts that must never be shown: the value, or each secret part of a joined text."""
        return self._parts

    def __repr__(self) -> str:
        return f"Secret({self._shown!r})"

    def __str__(self) -> str:
        return self._shown

    def __format__(self, spec: str) -> str:
        return format(self._shown, spec)

    def __eq__(self, other: object) -> bool:
        return self._value == (other._value if isinstance(other, Secret) else other)

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __add__(self, other: Text) -> Text:
        return join([self, other])

    def __radd__(self, other: Text) -> Text:
        return join([other, self])


Text = str | Secret  # a text that may be secret


def join(texts: Iterable[Text]) -> Text:
    """Texts joined; a Secret when any of them is one (showing its plain parts and ``***``)."""
    texts = list(texts)
    value = "".join(map(reveal_text, texts))
    secrets = [text for text in texts if isinstance(text, Secret)]
    if not secrets:
        return value
    parts = tuple(part for secret in secrets for part in secret.parts)
    return Secret(value, "".join(map(str, texts)), parts)


def reveal_text(text: Text) -> str:
    """A text, unwrapped if it is a Secret."""
    return str(text.reveal()) if isinstance(text, Secret) else text


def reveal(value: Any) -> Any:
    """The value with every Secret in it (nested in mappings, lists, tuples) unwrapped."""
    if isinstance(value, Secret):
        return value.reveal()
    if isinstance(value, Mapping):
        return {key: reveal(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(reveal(item) for item in value)
    return value


def conceal(value: Any) -> Any:
    """The value as a Secret: texts and numbers; a callable's result when it is called.

    Anything else (None, booleans, mappings, lists, a Secret already) stays as it is.
    """
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return Secret(value)
    if callable(value):
        return lambda: conceal(value())
    return value


def secrets_in(value: Any) -> list[str]:
    """The texts to mask of every Secret in a value (nested in mappings, lists, tuples)."""
    found: list[str] = []
    todo = [value]
    while todo:
        node = todo.pop()
        if isinstance(node, Secret):
            found += node.parts
        elif isinstance(node, Mapping):
            todo += node.values()
        elif isinstance(node, list | tuple):
            todo += node
    return found
