"""``{{name}}`` templates: built-in values, lookup order, dotted names, filters and errors."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from pytest_seeds.running.templating import BUILTIN_NAMES, Context, TemplateError, names_in

NOW = datetime(2026, 11, 26, 9, 15, 30, 123456, tzinfo=UTC)
NOW_S = int(NOW.timestamp())
SPEC_BUILTINS = {
    "now_datetime": "2026-11-26T09:15:30.123Z",
    "future_datetime": "2026-11-27T09:15:30.123Z",
    "future_datetime_48h": "2026-11-28T09:15:30.123Z",
    "future_datetime_plus_1h": "2026-11-27T10:15:30.123Z",
    "tomorrow_datetime": "2026-11-27T17:00:00.000Z",
    "next_week_datetime": "2026-12-03T17:00:00.000Z",
    "today_date": "2026-11-26",
    "current_date": "2026-11-26",
    "tomorrow_date": "2026-11-27",
    "next_week_date": "2026-12-03",
    "next_month_date": "2026-12-26",
    "yesterday_date": "2026-11-25",
    "start_of_month_date": "2026-11-01",
    "end_of_month_date": "2026-11-30",
    "now_timestamp": NOW_S,
    "tomorrow_timestamp": NOW_S + 86400,
    "timestamp": NOW_S * 1000 + 123,
    "current_year": 2026,
    "current_month": "11",
}
RANDOM_FORMATS = {
    "unique_id": r"\d{13}",
    "random_email": r"[\w.+-]+@[\w-]+\.[a-z]+",
    "random_phone": r"\+?\d{10,15}",
    "random_string": r"\S{6,}",
    "random_number": r"\d+",
    "random_address": r"\d+ \w.+",
    "random_url": r"https://\S+",
    "random_firstname": r"[A-Z]\w+",
    "random_lastname": r"[A-Z]\w+",
}


def render(text: str, configured: dict | None = None, now: datetime = NOW) -> object:
    return Context(configured or {}, now).render_text(text, "step 'x' path")


def test_the_builtins_are_those_of_the_seed_format() -> None:
    assert set(SPEC_BUILTINS) | set(RANDOM_FORMATS) == BUILTIN_NAMES


@pytest.mark.parametrize(("name", "value"), SPEC_BUILTINS.items())
def test_builtin_value(name: str, value: object) -> None:
    assert render(f"{{{{{name}}}}}") == value


@pytest.mark.parametrize(("name", "pattern"), RANDOM_FORMATS.items())
def test_random_builtin_format(name: str, pattern: str) -> None:
    value = render(f"{{{{{name}}}}}")
    assert re.fullmatch(pattern, str(value)), value
    if name == "unique_id":
        assert NOW_S * 1000 + 123 <= value < NOW_S * 1000 + 1123


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (
            datetime(2024, 1, 31, 23, 59, tzinfo=UTC),
            ("2024-02-29", "2024-01-31", "2024-02-01"),
        ),
        (datetime(2025, 12, 31, tzinfo=UTC), ("2026-01-31", "2025-12-31", "2026-01-01")),
        (datetime(2023, 2, 1, tzinfo=UTC), ("2023-03-01", "2023-02-28", "2023-02-02")),
    ],
)
def test_month_edges(now: datetime, expected: tuple[str, str, str]) -> None:
    got = render("{{next_month_date}} {{end_of_month_date}} {{tomorrow_date}}", now=now)
    assert tuple(str(got).split()) == expected


def test_two_uses_in_a_run_agree_and_runs_differ() -> None:
    names = sorted(RANDOM_FORMATS)
    text = " ".join(f"{{{{{name}}}}}" for name in names)
    context = Context({})
    first = context.render(text, "a")
    assert context.render({"again": [text]}, "b") == {"again": [first]}
    assert Context({}).render_text("{{random_string}}", "c") != context.render_text(
        "{{random_string}}", "c"
    )


def test_extracted_then_configured_then_builtin() -> None:
    context = Context({"timestamp": "configured", "business_id": "b1"}, NOW)
    assert context.render_text("{{timestamp}}/{{business_id}}", "w") == "configured/b1"
    context.extracted["timestamp"] = "extracted"
    assert context.render_text("{{timestamp}}", "w") == "extracted"
    assert Context({}, NOW).render_text("{{timestamp}}", "w") == NOW_S * 1000 + 123


def test_callable_configured_values_are_called_once_per_run() -> None:
    calls: list[int] = []

    def make_id() -> str:
        calls.append(1)
        return f"id-{len(calls)}"

    configured = {"client_id": make_id}
    run = Context(configured)
    assert run.render(["{{client_id}}", "x-{{ client_id }}"], "body") == ["id-1", "x-id-1"]
    assert Context(configured).render_text("{{client_id}}", "path") == "id-2"
    assert len(calls) == 2


def test_dotted_names_and_list_indexes() -> None:
    context = Context({"resolved": {"uid": "u1", "items": [{"id": 7}, {"id": 8}]}})
    assert (
        context.render_text("/c/{{resolved.uid}}/i/{{ resolved.items.1.id }}", "p") == "/c/u1/i/8"
    )
    assert context.render_text("{{resolved.items.-1.id}}", "p") == 8
    with pytest.raises(
        TemplateError, match=r"\{\{resolved.items.5.id\}\} in p has no 'resolved.items.5'"
    ):
        context.render_text("{{resolved.items.5.id}}", "p")
    with pytest.raises(TemplateError, match=r"has no 'resolved\.nope'"):
        context.render_text("{{resolved.nope}}", "p")


@pytest.mark.parametrize(
    ("template", "value"),
    [
        ("{{timestamp | slice: -4}}", str(NOW_S * 1000 + 123)[-4:]),
        ("{{timestamp|slice:0,3}}", str(NOW_S * 1000 + 123)[:3]),
        ("{{word | slice: 1, -1}}", "bcd"),
        ("{{word | slice: -10}}", "abcde"),
        ("{{word | upcase}}", "ABCDE"),
        ("{{Word | downcase}}", "mixed"),
        ("{{empty | default: 'none'}}", "none"),
        ("{{word | slice: -3 | upcase}}", "CDE"),
        ("t-{{timestamp | slice: -4}}", f"t-{str(NOW_S * 1000 + 123)[-4:]}"),
    ],
)
def test_filters(template: str, value: str) -> None:
    assert render(template, {"word": "abcde", "Word": "MiXeD", "empty": ""}) == value


def test_unknown_filter() -> None:
    with pytest.raises(TemplateError) as info:
        render("{{timestamp | reverse}}")
    assert str(info.value) == (
        "{{timestamp}} in step 'x' path uses unknown filter 'reverse' (default, downcase, slice, upcase)"
    )


def test_bad_filter_arguments() -> None:
    with pytest.raises(TemplateError, match="has bad arguments for filter 'slice: a'"):
        render("{{timestamp | slice: a}}")


def test_unresolved_name_names_the_variable_and_where() -> None:
    context = Context({"known": 1})
    with pytest.raises(TemplateError) as info:
        context.render(
            {"items": [{"name": "ok"}, {"name": "{{ missing_value }}"}]}, "step 'create' body"
        )
    assert info.value.name == "missing_value"
    assert str(info.value) == "{{missing_value}} in step 'create' body.items[1].name is not defined"


def test_an_expression_is_not_evaluated() -> None:
    with pytest.raises(TemplateError, match=r"is not a name"):
        render("{{ __import__('os').getcwd() }}")


@pytest.mark.parametrize(
    ("template", "value"),
    [
        ("{{count}}", 3),
        ("{{flag}}", True),
        ("{{nothing}}", None),
        ("{{data}}", {"a": [1]}),
        ("n={{count}}&f={{flag}}&z={{nothing}}", "n=3&f=true&z="),
        ("no template", "no template"),
    ],
)
def test_a_whole_placeholder_keeps_its_type(template: str, value: object) -> None:
    assert (
        render(template, {"count": 3, "flag": True, "nothing": None, "data": {"a": [1]}}) == value
    )


def test_names_in() -> None:
    value = {"a": ["{{x}}", "{{ y.z | slice: -2 }}"], "b": "{{w}}-{{x}}", "c": 5}
    assert names_in(value) == ["x", "y", "w", "x"]
