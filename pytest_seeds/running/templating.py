"""``{{name}}`` templates: lookup order, built-in values, dotted names and filters.

Names resolve from, in order: values extracted by earlier steps, configured
values, then built-ins. Built-ins and callable configured values are computed
once per seed run, so two uses agree. Nothing here evaluates Python: a template
is a name, optional ``.key`` parts and optional ``| filter: args``.

A value rendered from a :class:`Secret` stays one: alone, inside a larger text, through
a filter, as a number.
"""

from __future__ import annotations

import calendar
import re
import secrets
import string
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_seeds.secrets.secret import Secret, Text, conceal, join

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_NAME = re.compile(r"^[A-Za-z_][\w-]*(?:\.[\w-]+)*$")


class TemplateError(Exception):
    """A template that cannot be rendered: the name, and where it is used."""

    def __init__(self, name: str, where: str, problem: str = "is not defined") -> None:
        self.name = name
        self.where = where
        self.problem = problem
        super().__init__(f"{{{{{name}}}}} in {where} {problem}")


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _at_17(day: datetime) -> datetime:
    return day.replace(hour=17, minute=0, second=0, microsecond=0)


def _random_text(length: int = 10) -> str:
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(length))


def builtin_values(now: datetime | None = None) -> dict[str, Callable[[], Any]]:
    """Generators of every built-in value, relative to ``now`` (UTC)."""
    now = now or datetime.now(UTC)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    last_day = calendar.monthrange(now.year, now.month)[1]
    tag = _random_text(8)
    return {
        "now_datetime": lambda: _iso(now),
        "future_datetime": lambda: _iso(now + timedelta(hours=24)),
        "future_datetime_48h": lambda: _iso(now + timedelta(hours=48)),
        "future_datetime_plus_1h": lambda: _iso(now + timedelta(hours=25)),
        "tomorrow_datetime": lambda: _iso(_at_17(now + timedelta(days=1))),
        "next_week_datetime": lambda: _iso(_at_17(now + timedelta(days=7))),
        "today_date": lambda: today.strftime("%Y-%m-%d"),
        "current_date": lambda: today.strftime("%Y-%m-%d"),
        "tomorrow_date": lambda: (today + timedelta(days=1)).strftime("%Y-%m-%d"),
        "next_week_date": lambda: (today + timedelta(days=7)).strftime("%Y-%m-%d"),
        "next_month_date": lambda: _add_month(today).strftime("%Y-%m-%d"),
        "yesterday_date": lambda: (today - timedelta(days=1)).strftime("%Y-%m-%d"),
        "start_of_month_date": lambda: today.replace(day=1).strftime("%Y-%m-%d"),
        "end_of_month_date": lambda: today.replace(day=last_day).strftime("%Y-%m-%d"),
        "now_timestamp": lambda: int(now.timestamp()),
        "tomorrow_timestamp": lambda: int((now + timedelta(days=1)).timestamp()),
        "timestamp": lambda: int(now.timestamp() * 1000),
        "unique_id": lambda: int(now.timestamp() * 1000) + secrets.randbelow(1000),
        "current_year": lambda: now.year,
        "current_month": lambda: f"{now.month:02d}",
        "random_email": lambda: f"seed-{tag}@example.com",
        "random_phone": lambda: "+1555" + "".join(secrets.choice(string.digits) for _ in range(7)),
        "random_string": lambda: f"test_{tag}",
        "random_number": lambda: secrets.randbelow(900000) + 100000,
        "random_address": lambda: f"{secrets.randbelow(900) + 100} Test Street, Springfield",
        "random_url": lambda: f"https://example.com/{tag}",
        "random_firstname": lambda: f"Test{tag[:5].capitalize()}",
        "random_lastname": lambda: f"Seed{tag[5:].capitalize()}",
    }


def _add_month(day: datetime) -> datetime:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


BUILTIN_NAMES = frozenset(builtin_values(datetime(2000, 1, 1, tzinfo=UTC)))
CONFIG_NAME = "config"  # {{config.params.<name>}} is the configured value <name>


class Context:
    """The values one seed run sees: extracted, then configured, then built-in."""

    def __init__(self, configured: Mapping[str, Any], now: datetime | None = None) -> None:
        self.extracted: dict[str, Any] = {}
        self._configured = configured
        self._now = now or datetime.now(UTC)
        self._builtins: dict[str, Callable[[], Any]] = {}  # made on the first use of one
        self._cache: dict[str, Any] = {}

    def __contains__(self, name: str) -> bool:
        return (
            name in self.extracted
            or name in self._configured
            or name in BUILTIN_NAMES
            or name == CONFIG_NAME
        )

    def lookup(self, name: str) -> Any:
        """The value of a plain name; KeyError when nothing provides it."""
        if name in self.extracted:
            return self.extracted[name]
        if name not in self._cache:
            if name in self._configured:
                value = self._configured[name]
                self._cache[name] = value() if callable(value) else value
            elif name in BUILTIN_NAMES:
                self._builtins = self._builtins or builtin_values(self._now)
                self._cache[name] = self._builtins[name]()
            elif name == CONFIG_NAME:  # {{config.params.client_uid}}: a configured value
                self._cache[name] = {"params": _Configured(self)}
            else:
                raise KeyError(name)
        return self._cache[name]

    def values(self) -> list[Any]:
        """The values this run has extracted, and the configured and built-in ones it used."""
        return [*self.extracted.values(), *self._cache.values()]

    def render(self, value: Any, where: str) -> Any:
        """Render every template in a string or a nested structure."""
        if isinstance(value, str):
            return self.render_text(value, where)
        if isinstance(value, Mapping):
            return {key: self.render(item, f"{where}.{key}") for key, item in value.items()}
        if isinstance(value, list):
            return [self.render(item, f"{where}[{i}]") for i, item in enumerate(value)]
        return value

    def render_text(self, text: str, where: str) -> Any:
        """A string with every ``{{...}}`` replaced; a lone placeholder keeps its value's type.

        A text with a secret value in it is a Secret.
        """
        if "{{" not in text:
            return text
        whole = PLACEHOLDER.fullmatch(text)
        if whole:
            return self.evaluate(whole.group(1), where)
        parts: list[Text] = []
        end = 0
        for match in PLACEHOLDER.finditer(text):
            parts += [text[end : match.start()], as_text(self.evaluate(match.group(1), where))]
            end = match.end()
        return join([*parts, text[end:]])

    def evaluate(self, expression: str, where: str) -> Any:
        """Value of ``name[.key...] [| filter: args]...``."""
        name, *filters = (part.strip() for part in expression.split("|"))
        if not _NAME.match(name):
            raise TemplateError(expression, where, "is not a name (letters, digits, '_', '.')")
        head, *keys = name.split(".")
        try:
            value = self.lookup(head)
        except KeyError:
            raise TemplateError(name, where) from None
        for depth, key in enumerate(keys, start=1):
            value = _child(value, key)
            if value is _MISSING:
                dotted = ".".join([head, *keys[:depth]])
                raise TemplateError(name, where, f"has no '{dotted}'")
        for text in filters:
            value = apply_filter(value, text, name, where)
        return value


_MISSING = object()


class _Configured(Mapping[str, Any]):
    """The configured values of a run, as ``config.params``: each computed on first use."""

    def __init__(self, context: Context) -> None:
        self._context = context

    def __getitem__(self, key: str) -> Any:
        if key not in self._context._configured:
            raise KeyError(key)
        if key in self._context.extracted:  # the configured value, not an extracted one
            value = self._context._configured[key]
            return value() if callable(value) else value
        return self._context.lookup(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._context._configured)

    def __len__(self) -> int:
        return len(self._context._configured)


def _child(value: Any, key: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(key, _MISSING)
    if isinstance(value, list) and key.lstrip("-").isdigit():
        index = int(key)
        return value[index] if -len(value) <= index < len(value) else _MISSING
    return _MISSING


def as_text(value: Any) -> Text:
    """A value as it stands in a URL, header or form field: booleans as JSON, None as "".

    A Secret's text is a Secret.
    """
    if isinstance(value, Secret):
        plain = value.reveal()
        return value if isinstance(plain, str) else Secret(_text(plain))
    return _text(value)


def _text(value: Any) -> str:
    """A plain value as text (see :func:`as_text`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _slice(value: Any, *args: int) -> str:
    """JavaScript ``String.slice(start[, end])``: ``slice: -4`` keeps the last four characters."""
    text = _text(value)
    return text[args[0] : args[1] if len(args) > 1 else None]


FILTERS: dict[str, Callable[..., Any]] = {  # applied to plain values (apply_filter)
    "slice": _slice,
    "upcase": lambda value: _text(value).upper(),
    "downcase": lambda value: _text(value).lower(),
    "default": lambda value, fallback="": value if value not in (None, "") else fallback,
}


def apply_filter(value: Any, text: str, name: str, where: str) -> Any:
    """Apply one ``filter: arg, arg`` to a value; a Secret's result is a Secret."""
    filter_name, _, raw_args = text.partition(":")
    function = FILTERS.get(filter_name.strip())
    if function is None:
        known = ", ".join(sorted(FILTERS))
        raise TemplateError(name, where, f"uses unknown filter '{filter_name.strip()}' ({known})")
    args = [_literal(arg.strip()) for arg in raw_args.split(",") if arg.strip()]
    try:
        if isinstance(value, Secret):
            return conceal(function(value.reveal(), *args))
        return function(value, *args)
    except (TypeError, ValueError):
        raise TemplateError(name, where, f"has bad arguments for filter '{text.strip()}'") from None


def expression_problem(expression: str) -> str:
    """What is wrong with the form of ``name[.key...] [| filter: args]...``; "" when nothing."""
    name, *filters = (part.strip() for part in expression.split("|"))
    if not _NAME.match(name):
        return "is not a name (letters, digits, '_', '.')"
    for text in filters:
        filter_name = text.partition(":")[0].strip()
        if filter_name not in FILTERS:
            return f"uses unknown filter '{filter_name}' ({', '.join(sorted(FILTERS))})"
    return ""


def _literal(text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    try:
        return int(text)
    except ValueError:
        return text


def names_in(value: Any) -> list[str]:
    """Every template name (head of a dotted name) used in a value, in order."""
    found: list[str] = []
    if isinstance(value, str):
        for match in PLACEHOLDER.finditer(value):
            found.append(match.group(1).split("|")[0].strip().split(".")[0])
    elif isinstance(value, Mapping):
        for item in value.values():
            found.extend(names_in(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(names_in(item))
    return found
