"""``extract:`` expressions: JSONPath plus the three forms real seeds use."""

from __future__ import annotations

import warnings

import pytest

from pytest_seeds.running.extract import ExtractError, extract

DOC = {
    "data": {
        "clients": [{"uid": "c1", "name": "Ann"}, {"uid": "c2", "name": "Bob"}],
        "items": [
            {"id": 1, "type": "x", "state": "open"},
            {"id": 2, "type": "y", "state": "open"},
            {"id": 3, "type": "x", "state": "closed"},
            {"id": 4, "type": "x", "state": "open"},
        ],
        "count": 0,
        "empty": [],
    }
}


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("$.data.clients[0].uid", "c1"),
        ("$.data.clients[-1:].name", "Bob"),
        ("$.data.clients[*].uid", "c1"),
        ("$..name", "Ann"),
        ("$.data.count", 0),
        ("$.data.empty", []),
        ("$.data.clients", DOC["data"]["clients"]),
        ("$.data.items[?(@.type=='y')].id", 2),
        ("$.data.items[?(@.type=='y' || @.state=='closed')][1].id", 3),
        ("$.data.items[?(@.type=='q' || @.id==4)].id || 'none'", 4),
        ("$.data.items[?(@.type == 'x' && @.state == 'closed')].id", 3),
        ("$.data.items[?(@.type=='x')][1].id", 3),
        ("$.data.items[?(@.type=='x')][2].id", 4),
        ("$.data.items[?(@.type=='x')][-1].id", 4),
        ("$.data.items[?(@.type=='x')][0]", DOC["data"]["items"][0]),
        ("$.data.items[*].id | [0]", 1),
        ("$.data.clients[0].uid || 'fallback'", "c1"),
        ("$.data.nothing || 'fallback'", "fallback"),
        ('$.data.nothing || "double"', "double"),
        ("$.data.items[?(@.type=='z')].id || none", "none"),
        ("  $.data.clients[1].uid  ", "c2"),
    ],
)
def test_extract(expression: str, value: object) -> None:
    assert extract(DOC, expression) == value


def test_logical_and_is_not_deprecated_syntax() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert extract(DOC, "$.data.items[?(@.id > 1 && @.type=='x')].id") == 3


@pytest.mark.parametrize(
    "expression",
    [
        "$.data.nothing",
        "$.data.items[?(@.type=='z')].id",
        "$.data.items[?(@.type=='x')][3].id",
        "$.data.clients[5].uid",
    ],
)
def test_matches_nothing(expression: str) -> None:
    with pytest.raises(ExtractError) as info:
        extract(DOC, expression)
    assert str(info.value) == f"'{expression}' matched nothing in the response"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("data.clients[0]", "'data.clients[0]' is not a JSONPath (it must start with '$')"),
        ("$.data.clients[", "'$.data.clients[' is not valid JSONPath: "),
        ("$.data[?(@.a ==)]", "'$.data[?(@.a ==)]' is not valid JSONPath: "),
    ],
)
def test_invalid_jsonpath(expression: str, message: str) -> None:
    with pytest.raises(ExtractError) as info:
        extract(DOC, expression)
    assert str(info.value).startswith(message)
