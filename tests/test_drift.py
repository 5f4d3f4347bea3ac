"""Documented examples against live answers (``pytest_seeds.contract.drift``), pytest-free.

Properties: a value never drifts from itself; a changed key is reported at its JSON path;
placeholders absorb any value; values are compared only at fixed paths; an updated example
no longer drifts from the answer that made it, and keeps the example's own values.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pytest_seeds.contract.drift import (
    Concealer,
    Drift,
    compare,
    fixed_paths,
    is_placeholder,
    json_type,
    known_texts,
    parse_path,
    show_path,
    updated,
)
from pytest_seeds.contract.driftcheck import calls_endpoint
from pytest_seeds.output.discrepancies import markdown

keys = st.text(st.characters(codec="utf-8", exclude_characters="<>"), min_size=1, max_size=8)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(st.characters(codec="utf-8", exclude_characters="<>"), max_size=10)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)
objects = st.dictionaries(keys, values, min_size=1, max_size=5)


def kinds(found: list[Drift]) -> list[tuple[str, str]]:
    return [(drift.path, drift.kind) for drift in found]


@given(values)
def test_a_value_never_drifts_from_itself(value: Any) -> None:
    assert compare(value, value) == []
    assert compare(value, value, [()]) == []  # not even when every value is fixed


@given(objects, st.data())
def test_a_removed_key_is_missing_and_an_added_one_added_at_its_path(
    documented: dict[str, Any], data: st.DataObject
) -> None:
    key = data.draw(st.sampled_from(sorted(documented)))
    answered = {k: v for k, v in documented.items() if k != key}
    assert kinds(compare({"data": documented}, {"data": answered})) == [
        (show_path(("data", key)), "missing")
    ]
    assert kinds(compare({"data": answered}, {"data": documented})) == [
        (show_path(("data", key)), "added")
    ]


@given(objects, st.data(), values)
def test_a_value_of_another_type_is_a_type_change_at_its_path(
    documented: dict[str, Any], data: st.DataObject, other: Any
) -> None:
    key = data.draw(st.sampled_from(sorted(documented)))
    assume(json_type(other) != json_type(documented[key]))
    found = compare({"items": [documented]}, {"items": [{**documented, key: other}]})
    path = show_path(("items", 0, key))
    assert found == [Drift(path, "type", json_type(documented[key]), json_type(other))]


@given(objects, st.data(), values, st.text(min_size=1, max_size=8).filter(lambda t: ">" not in t))
def test_a_placeholder_absorbs_any_value(
    documented: dict[str, Any], data: st.DataObject, answer: Any, name: str
) -> None:
    key = data.draw(st.sampled_from(sorted(documented)))
    placeholder = "<" + name.replace("<", "").replace("\n", "").replace("\r", "") + "x>"
    assert is_placeholder(placeholder)
    example = {**documented, key: placeholder}
    assert compare(example, {**documented, key: answer}) == []
    assert compare(example, {**documented, key: answer}, [()]) == []


@given(st.integers(), st.integers(), st.text(max_size=5), st.text(max_size=5))
def test_values_are_compared_only_at_fixed_paths(a: int, b: int, s: str, t: str) -> None:
    documented = {"id": a, "status": s}
    answered = {"id": b, "status": t}
    assert compare(documented, answered) == []  # shape only by default
    found = compare(documented, answered, [parse_path("$.status")])
    assert kinds(found) == ([("$.status", "value")] if s != t else [])


def test_integers_and_decimals_are_both_numbers_but_booleans_are_not() -> None:
    assert compare({"n": 1}, {"n": 2.5}) == []
    assert kinds(compare({"n": 1}, {"n": True})) == [("$.n", "type")]
    assert str(compare({"n": 1}, {"n": True})[0]) == (
        "$.n: type changed: documented number, answered boolean"
    )


def test_list_items_are_compared_with_the_closest_documented_item() -> None:
    documented = {"items": [{"kind": "a", "a": 1}, {"kind": "b", "b": "x"}]}
    answered = {"items": [{"kind": "b", "b": "y"}, {"kind": "a", "a": 2}, {"kind": "a"}]}
    assert kinds(compare(documented, answered)) == [("$.items[2].a", "missing")]
    assert compare({"items": []}, {"items": [1, "x", None]}) == []  # no item documented
    assert compare({"items": [1]}, {"items": []}) == []


def test_fixed_paths_name_list_items_and_whole_subtrees() -> None:
    documented = {"jobs": [{"status": "done", "meta": {"by": "x"}}]}
    answered = {
        "jobs": [{"status": "done", "meta": {"by": "x"}}, {"status": "failed", "meta": {"by": "y"}}]
    }
    assert kinds(compare(documented, answered, [parse_path("$.jobs[*].status")])) == [
        ("$.jobs[1].status", "value")
    ]
    assert kinds(compare(documented, answered, [parse_path("$.jobs[*].meta")])) == [
        ("$.jobs[1].meta.by", "value")
    ]
    assert compare(documented, answered, [parse_path("$.jobs[0].status")]) == []


def test_paths_are_written_and_read_back_as_jsonpath() -> None:
    path = ("data", "form_data[fields]", 0, "it's", "x-y")
    assert show_path(path) == '$.data["form_data[fields]"][0]["it\'s"]["x-y"]'
    assert parse_path("$.data['a b'][*].id") == ("data", "a b", None, "id")
    assert parse_path('$.a["q\\"x"]') == ("a", 'q"x')
    with pytest.raises(ValueError, match="starts with"):
        parse_path("data.id")
    with pytest.raises(ValueError, match="cannot read"):
        parse_path("$.data..id")
    assert fixed_paths(["<!-- seeds-fixed: $.success, $.data.status -->", "text", ""]) == (
        "$.success",
        "$.data.status",
    )


@given(values, values)
def test_an_updated_example_matches_the_answer_that_made_it(documented: Any, answered: Any) -> None:
    example = updated(documented, answered, Concealer())
    assert compare(example, answered) == []


@given(objects, st.data(), values)
def test_an_update_keeps_the_examples_own_values_and_its_placeholders(
    documented: dict[str, Any], data: st.DataObject, live: Any
) -> None:
    key = data.draw(st.sampled_from(sorted(documented)))
    assume(key + "_new" not in documented)
    example = {**documented, key: "<kept>"}
    answered = {**json.loads(json.dumps(documented)), key: live, key + "_new": 1}
    assert updated(example, answered, Concealer()) == {**example, key + "_new": 1}


def test_an_update_conceals_secrets_and_volatile_values_of_the_answer() -> None:
    conceal = Concealer(
        known=known_texts([{"id": "sbx-client-0042"}, 7, "short"]),
        secret_name=lambda name: name.lower() in ("authorization", "password"),
        holds_secret=lambda text: "SECRET" in text,
    )
    answered = {
        "client": "sbx-client-0042",
        "created_at": "2026-01-02T03:04:05Z",
        "when": "2026-01-02 03:04",
        "trace": "5f0c8a0e-1a2b-4c3d-8e9f-001122334455",
        "Authorization": "Bearer x",
        "password": {"value": "plain", "hint": ["x"]},
        "echo": "a SECRET inside",
        "SECRET-key": 1,
        "name": "Demo",
        "count": 3,
        "items": [{"client_uid": "c1", "n": 1}, {"client_uid": "c2", "n": 2}],
    }
    assert updated({}, answered, conceal) == {
        "client": "<client>",
        "created_at": "<created_at>",
        "when": "<when>",
        "trace": "<trace>",
        "Authorization": "<Authorization>",
        "password": "<password>",
        "echo": "<echo>",
        "<secret>": 1,
        "name": "Demo",
        "count": 3,
        "items": [{"client_uid": "<client_uid>", "n": 1}],  # a new list: one item of each shape
    }
    assert conceal.scrub({"a": ["x SECRET"], "SECRET": 1, "b": "<b>"}) == {
        "a": ["<secret>"],
        "<secret>": 1,
        "b": "<b>",
    }


def test_an_update_changes_a_fixed_value_and_the_closest_list_item() -> None:
    documented = {"status": "open", "items": [{"a": 1}, {"b": "x"}], "same": "doc"}
    answered = {"status": "closed", "items": [{"b": "y", "c": True}], "same": "live"}
    fixed = [parse_path("$.status")]
    assert updated(documented, answered, Concealer(), fixed) == {
        "status": "closed",
        "items": [{"a": 1}, {"b": "x", "c": True}],
        "same": "doc",
    }


THINGS = "GET /v1/things/{thing_id}"
FILES = "GET /v1/things/{id}/{name}.json"


@pytest.mark.parametrize(
    ("endpoint", "method", "path", "calls"),
    [
        (THINGS, "GET", "/v1/things/{{id}}", True),
        (THINGS, "get", "/v1/things/42", True),
        (THINGS, "GET", "https://api.test/v1/things/{{id}}?x=1", True),
        (THINGS, "POST", "/v1/things/{{id}}", False),
        (THINGS, "GET", "/v1/things/{{id}}/notes", False),
        (THINGS, "GET", "/v1/other/1", False),
        (FILES, "GET", "/v1/things/7/file.json", True),
        (FILES, "GET", "/v1/things/7/file.csv", False),
    ],
)
def test_a_step_calls_the_seeds_endpoint_by_method_and_path(
    endpoint: str, method: str, path: str, calls: bool
) -> None:
    assert calls_endpoint(endpoint, method, path) is calls


def test_a_report_without_discrepancies_says_so() -> None:
    assert markdown([], 3) == (
        "# Documentation discrepancies\n\n"
        "3 seed(s) ran; every answer matches its documented example and schema.\n"
    )
