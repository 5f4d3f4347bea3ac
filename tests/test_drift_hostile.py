"""Documented examples against hostile answers, pytest-free.

For any JSON answer (keys and values with lone surrogates, control characters, backticks,
pipes, HTML): drift paths and notes are UTF-8 text; an updated example is JSON text that
reads back as the value; the discrepancy report keeps its structure and injects no markup.
Deep nesting and long lists are compared and updated without RecursionError, with work
that grows with the list, not its square; volatile nulls and keys become placeholders.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from pytest_seeds.contract import drift
from pytest_seeds.contract.drift import MAX_DEPTH, Concealer, compare, updated
from pytest_seeds.output.discrepancies import markdown
from pytest_seeds.output.examplefix import block_text
from pytest_seeds.secrets.names import is_example_secret_name, is_secret_name

# any text JSON can carry: lone surrogates (from "\udc80" escapes), controls, Markdown, HTML
hostile = st.lists(
    st.characters(codec=None)
    | st.sampled_from(["\udc80", "\ud800", "`", "``", "|", "<img src=x>", "\n", "# ", "\x00"]),
    max_size=8,
).map("".join)
answers = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | hostile,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile, inner, max_size=4),
    max_leaves=16,
)


def encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@given(st.dictionaries(hostile, answers, max_size=4), answers)
def test_drift_texts_are_utf8_whatever_the_answer(
    documented: dict[str, Any], answered: Any
) -> None:
    for found in compare(documented, answered, [()]):
        assert encodable(str(found)), found


@given(answers)
def test_an_updated_example_is_json_text_that_reads_back_as_the_value(value: Any) -> None:
    assume(json.loads(json.dumps(value)) == value)  # not "\ud800" next to "\udc00": no answer
    for old in ("{}\n", '{\n  "a": 1\n}\n', "[]\n"):
        text = block_text(old, value)
        assert encodable(text)
        assert json.loads(text) == value


@st.composite
def report_entries(draw: st.DrawFn) -> list[dict[str, Any]]:
    entries = []
    for number in range(draw(st.integers(1, 3))):
        entries.append(
            {
                "seed": f"{draw(hostile)}{number}.md",
                "endpoint": f"GET /{draw(hostile)}{number}",
                "domain": draw(hostile) or "d",
                "drift": [
                    {
                        "line": draw(st.integers(1, 99)),
                        "status": 200,
                        "step": draw(hostile),
                        "step_line": 3,
                        "differences": draw(st.lists(hostile, min_size=1, max_size=3)),
                    }
                ],
                "contract": [
                    {
                        "step": draw(hostile),
                        "step_line": 4,
                        "text": "\n    ".join(draw(st.lists(hostile, min_size=1, max_size=3))),
                    }
                ],
            }
        )
    return entries


ALLOWED_TAGS = ("h1>", "h2>", "h3>", "p>", "ul>", "li>", "code>")


@given(report_entries())
def test_the_report_keeps_its_structure_and_injects_no_markup(
    entries: list[dict[str, Any]],
) -> None:
    text = markdown(entries, 3)
    assert encodable(text)
    tokens = MarkdownIt("commonmark").parse(text)
    domains = {entry["domain"] for entry in entries}
    endpoints = {(entry["domain"], entry["endpoint"]) for entry in entries}
    headings = [token for token in tokens if token.type == "heading_open"]
    assert len(headings) == 1 + len(domains) + len(endpoints)
    items = sum(
        1
        + len(entry["drift"][0]["differences"])
        + 1
        + len(entry["contract"][0]["text"].split("\n")[1:])
        for entry in entries
    )
    expected_items = items - sum(
        1
        for entry in entries
        for line in entry["contract"][0]["text"].split("\n")[1:]
        if not line.strip()
    )
    assert sum(token.type == "list_item_open" for token in tokens) == expected_items
    kinds = {child.type for token in tokens for child in token.children or ()}
    assert not kinds & {"html_inline", "link_open", "image"}
    assert not any(token.type == "html_block" for token in tokens)
    html = MarkdownIt("commonmark").render(text)
    for piece in html.split("<")[1:]:
        assert piece.lstrip("/").startswith(ALLOWED_TAGS), piece[:20]


def nested(depth: int, leaf: Any) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def test_answers_nested_too_deep_are_a_note_never_a_recursion_error() -> None:
    deep = nested(600, "x")
    found = compare({"b": deep}, {"b": nested(600, 1)})
    assert [f.kind for f in found] == ["deep"]
    assert "too deep to compare" in str(found[0]) and f"{MAX_DEPTH} levels" in str(found[0])
    # a deep part the example does not show is added, and written as a placeholder below the bound
    found = compare({"a": 1}, {"a": 1, "b": deep})
    assert [(f.path, f.kind) for f in found] == [("$.b", "added")]
    value = updated({"a": 1}, {"a": 1, "b": deep}, Concealer())
    assert json.loads(block_text('{"a": 1}\n', value))["a"] == 1
    assert updated({"b": deep}, {"b": nested(600, 1)}, Concealer()) == {"b": deep}


def test_long_lists_of_shapes_cost_work_in_proportion(monkeypatch: pytest.MonkeyPatch) -> None:
    items = [{f"k{index}": index} for index in range(4000)]
    calls = []
    real = drift.compare

    def counted(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(drift, "compare", counted)
    value = updated({"items": [{"id": 1}]}, {"items": items}, Concealer())
    # the example's item updated from the first answered item, and one of each other shape
    assert value["items"][:2] == [{"k0": 0}, {"k1": 1}] and len(value["items"]) == 4000
    assert len(calls) <= len(items)  # each answered item against the one documented item
    found = real({"items": [{"id": 1}]}, {"items": items})
    assert len(found) == 2 * len(items)  # each item: "id" missing, its key added


def test_an_update_writes_placeholders_for_volatile_nulls_and_keys() -> None:
    uuid, other = "01c0b281-0126-46b4-81be-097d9380dfa1", "c61e0b28-0126-46b4-81be-097d9380dfa1"
    answered = {
        "id": "x1",
        "closed_at": None,
        "owner_id": None,
        "note": None,
        "users": {uuid: {"name": "b"}},
    }
    value = updated({"id": "<id>"}, answered, Concealer())
    assert value == {
        "id": "<id>",
        "closed_at": "<closed_at>",
        "owner_id": "<owner_id>",
        "note": None,
        "users": {"<key>": {"name": "b"}},
    }
    # the next answer, another id as the key and times where nulls were, does not drift
    assert (
        compare(
            value,
            {**answered, "closed_at": "2026-01-01T00:00:00Z", "users": {other: {"name": "c"}}},
        )
        == []
    )
    assert [f.kind for f in compare(value, {**answered, "users": {other: {"name": 1}}})] == ["type"]


@pytest.mark.parametrize(
    "name",
    [
        "private_key",
        "secret_key",
        "SecretAccessKey",
        "jwt",
        "id_jwt",
        "passphrase",
        "pwd",
        "db_pass",
        "pass",
        "credentials",
    ],
)
def test_common_secret_names_are_kept_out_of_examples(name: str) -> None:
    assert is_example_secret_name(name)
    conceal = Concealer(secret_name=is_example_secret_name)
    assert updated({}, {name: {"v": "eyJhbGciOiJIUzI1NiJ9.e30.x"}}, conceal) == {name: f"<{name}>"}


@pytest.mark.parametrize("name", ["compass", "bypass", "keyboard", "jwt_count_total"])
def test_other_names_are_not_secret(name: str) -> None:
    assert not is_example_secret_name(name) and not is_secret_name(name)


@pytest.mark.parametrize(
    "answered", [[], ["admin"], ["user", "admin"], ["admin", "admin"], ["admin", "user", "x"]]
)
def test_a_fixed_list_is_compared_item_by_item_and_by_length(answered: list[str]) -> None:
    documented = {"roles": ["admin", "user"]}
    fixed = [("roles",)]
    found = compare(documented, {"roles": answered}, fixed)
    assert found and {f.kind for f in found} == {"value"}
    assert compare(documented, documented, fixed) == []
    value = updated(documented, {"roles": answered}, Concealer(), fixed)
    assert value == {"roles": answered} and compare(value, {"roles": answered}, fixed) == []


def test_an_update_never_writes_what_json_cannot_hold() -> None:
    answered = json.loads('{"a": 1, "f": 1e400, "n": NaN, "big": 123456789012345678901234567890}')
    value = updated({"a": 1}, answered, Concealer())
    text = block_text('{"a": 1}\n', value)
    assert json.loads(text, parse_constant=lambda name: pytest.fail(name)) == {
        "a": 1,
        "f": "<f>",
        "n": "<n>",
        "big": 123456789012345678901234567890,
    }


def test_a_key_holding_a_secret_is_a_placeholder_key_that_stays_true() -> None:
    conceal = Concealer(holds_secret=lambda text: "tok-" in text)
    value = updated({}, {"tok-1234": {"a": 1}}, conceal)
    assert value == {"<secret>": {"a": 1}}
    assert compare(value, {"***": {"a": 2}}) == []  # the masked key of the next run
    assert [f.kind for f in compare(value, {"***": {"a": "x"}})] == ["type"]
