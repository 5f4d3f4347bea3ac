"""Any value YAML can produce, in any step or front-matter field: accepted, or that seed's error.

Each field takes certain YAML types (``docs`` in the README, "Values a seed may hold"); anything
else is refused when the seed is collected, on the line of the value, with a hint, and the other
seeds run. What slips through to the run (a configured value of an odd type, a bug) fails its
own seed with a readable message: never INTERNALERROR, never an interrupted collection.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from pytest_httpserver import HTTPServer

from pytest_seeds.model import Seed, SeedError
from pytest_seeds.reading.parser import load_seed
from tests.helpers import assert_well_typed, line_of, run_seeds, seed_doc, sent, wire_args


class Ok(NamedTuple):
    value: Any


class Err(NamedTuple):
    message: str  # a part of the message
    needle: str = ""  # a part of the line the error points at (default: the key's line)


STEP_ATTRIBUTES = {
    "id": lambda step: step.id,
    "description": lambda step: step.description,
    "method": lambda step: step.method,
    "path": lambda step: step.path,
    "token": lambda step: step.token,
    "params": lambda step: step.params,
    "headers": lambda step: step.headers,
    "form_fields": lambda step: step.form_fields,
    "body": lambda step: step.body,
    "extract": lambda step: step.extract,
    "expect": lambda step: step.expect_status,
    "onFail": lambda step: step.on_fail,
    "sleep": lambda step: step.sleep_ms,
    "useFallback": lambda step: step.use_fallback,
    "x_on_behalf_of": lambda step: step.x_on_behalf_of,
    "content_type": lambda step: step.multipart,
    "file_fields": lambda step: [(f.field_name, f.file_path, f.filename) for f in step.file_fields],
    "skipReason": lambda step: "ignored",
}
FRONT_ATTRIBUTES = {
    "domain": lambda seed: seed.domain,
    "tags": lambda seed: seed.tags,
    "swagger": lambda seed: seed.swagger,
    "status": lambda seed: seed.status,
    "skip_reason": lambda seed: seed.skip_reason,
    "skipReason": lambda seed: seed.skip_reason,
    "expectedOutcome": lambda seed: seed.steps[0].expect_status,
    "useFallbackApi": lambda seed: seed.steps[0].use_fallback,
    "endpoint": lambda seed: seed.endpoint,
    "notes": lambda seed: "ignored",
}
JSON_CANNOT = "which JSON cannot carry"
LONG = "x" * 100_000

STEP_CASES: list[tuple[str, str, Ok | Err]] = [
    # body: any JSON value
    ("body", "!!binary aGVsbG8=", Err(f"body is binary data (!!binary), {JSON_CANNOT}")),
    ("body", "{a: .nan}", Err(f"body.a is not a number (.nan), {JSON_CANNOT}")),
    ("body", "\n  a:\n    - 1\n    - -.inf", Err(f"body.a[1] is infinite (-.inf), {JSON_CANNOT}", "a:")),
    ("body", "\n  a:\n    b: .inf", Err(f"body.a.b is infinite (.inf), {JSON_CANNOT}", "b: .inf")),
    ("body", "1e999", Err(f"body is infinite (.inf), {JSON_CANNOT}")),
    ("body", "!!set {a, b}", Err(f"body is a set (!!set), {JSON_CANNOT}")),
    ("body", "!!omap [a: 1, b: 2]", Err(f"body is an ordered map (!!omap or !!pairs), {JSON_CANNOT}")),
    ("body", "{p: !!pairs [a: 1, a: 2]}", Err(f"body.p is an ordered map (!!omap or !!pairs), {JSON_CANNOT}")),
    ("body", "{n: 18446744073709551616}", Err("body.n is the number 18446744073709551616, which has more than 64 bits")),
    ("body", "{n: -9223372036854775809}", Err("body.n is the number -9223372036854775809, which has more than 64 bits")),
    ("body", "1" + "0" * 400, Err("body is the number 1000000000")),
    ("body", "1" + "0" * 5000, Err("the ```yaml block does not parse: an integer of 5001 digits")),
    ("body", "{1: a, '1': b}", Err("the ```yaml block does not parse: the key '1' appears twice")),
    ("body", "{.nan: a, .inf: b}", Ok({"NaN": "a", "Infinity": "b"})),
    ("body", "!!int x", Err("the ```yaml block does not parse: 'x' is not a valid !!int")),
    ("body", "!!float x", Err("the ```yaml block does not parse: 'x' is not a valid !!float")),
    ("body", "!!bool maybe", Err("the ```yaml block does not parse: 'maybe' is not a valid !!bool")),
    ("body", "!!map [1]", Err("the ```yaml block does not parse")),
    ("body", "!!seq {a: 1}", Err("the ```yaml block does not parse")),
    ("body", "{a: 1, a: 2}", Err("the ```yaml block does not parse: the key 'a' appears twice")),
    ("body", "{n: 18446744073709551615, m: -9223372036854775808}", Ok({"n": 2**64 - 1, "m": -(2**63)})),
    ("body", "!!timestamp 2024-01-31", Ok("2024-01-31")),
    ("body", "{d: 2001-12-14t21:59:43.10-05:00, t: 10:30}", Ok({"d": "2001-12-14t21:59:43.10-05:00", "t": "10:30"})),
    ("body", "{~: a, 7: b, true: c, 1.5: d}", Ok({"null": "a", "7": "b", "true": "c", "1.5": "d"})),
    ("body", "[&a [1, 2], *a]", Ok([[1, 2], [1, 2]])),
    ("body", "!!str 5", Ok("5")),
    ("body", "{}", Ok({})),
    ("body", "[]", Ok([])),
    ("body", "''", Ok("")),
    ("body", "~", Ok(None)),
    ("body", f"{{text: {LONG}, tab: \"a\\tb\", ja: \u65e5\u672c}}", Ok({"text": LONG, "tab": "a\tb", "ja": "\u65e5\u672c"})),
    # params, headers, form_fields: names to single values
    ("params", "{a: 1, b: true, c: ~, d: 1.5, 7: x, e: 2024-01-31}", Ok({"a": 1, "b": True, "c": None, "d": 1.5, "7": "x", "e": "2024-01-31"})),
    ("params", "{a: [1, 2]}", Err("params.a is a list, not one value")),
    ("params", "{a: {b: 1}}", Err("params.a is a mapping, not one value")),
    ("params", "{a: .nan}", Err("params.a is not a number (.nan)")),
    ("params", "{a: !!binary aGk=}", Err("params.a is binary data (!!binary)")),
    ("params", "[a]", Err("'params' must be a mapping of names to values")),
    ("params", "5", Err("'params' must be a mapping of names to values")),
    ("headers", "{X-A: 5, X-B: text}", Ok({"X-A": 5, "X-B": "text"})),
    ("headers", "{X-A: [a]}", Err("headers.X-A is a list, not one value")),
    ("headers", "{X-A: !!set {a}}", Err("headers.X-A is a set (!!set)")),
    ("form_fields", "{a: {b: c}}", Err("form_fields.a is a mapping, not one value")),
    # extract: names to JSONPath text
    ("extract", "{v: $.a}", Ok({"v": "$.a"})),
    ("extract", "{v: 1}", Err("extract.v must be JSONPath text, not the number 1")),
    ("extract", "{v: [a]}", Err("extract.v must be JSONPath text, not a list")),
    # expect: a mapping with status
    ("expect", "{status: .nan}", Err("expected status .nan is not an HTTP status code")),
    ("expect", "{status: !!set {200}}", Err("expected status a set (!!set) is not an HTTP status code")),
    ("expect", "{status: '\u00b2'}", Err("expected status '\u00b2' is not an HTTP status code")),
    ("expect", "{status: " + "9" * 400 + "}", Err("is outside 100-599")),
    ("expect", "{status: [200, !!binary aGk=]}", Err("expected status binary data (!!binary) is not")),
    ("expect", "[]", Err("'expect' must be a mapping")),
    ("expect", "{status: [201, '202']}", Ok((201, 202))),
    # sleep: milliseconds, finite, 0 or more (the run caps it: --seeds-max-sleep)
    ("sleep", ".inf", Err("'sleep' must be a number of milliseconds, 0 or more, not .inf")),
    ("sleep", ".nan", Err("'sleep' must be a number of milliseconds, 0 or more, not .nan")),
    ("sleep", "-5", Err("'sleep' must be a number of milliseconds, 0 or more, not the number -5")),
    ("sleep", "1e99", Ok(int(1e99))),
    ("sleep", "1" + "0" * 400, Err("'sleep' must be a number of milliseconds, 0 or more, not the number")),
    ("sleep", "18446744073709551616", Err("'sleep' must be a number of milliseconds, 0 or more, not the number")),
    ("sleep", "true", Err("'sleep' must be a number of milliseconds, 0 or more, not true")),
    ("sleep", "[1]", Err("'sleep' must be a number of milliseconds, 0 or more, not a list")),
    ("sleep", "{}", Err("'sleep' must be a number of milliseconds, 0 or more, not a mapping")),
    ("sleep", "'250'", Ok(250)),
    ("sleep", "2.7", Ok(2)),
    ("sleep", "600000", Ok(600000)),
    ("sleep", "~", Ok(0)),
    # flags
    ("useFallback", "'yes'", Err("'useFallback' must be true or false, not the text 'yes'")),
    ("useFallback", "1", Err("'useFallback' must be true or false, not the number 1")),
    ("useFallback", "~", Ok(False)),
    ("x_on_behalf_of", "'true'", Err("'x_on_behalf_of' must be true or false, not the text 'true'")),
    ("x_on_behalf_of", "~", Ok(None)),
    ("x_on_behalf_of", "false", Ok(False)),
    # text
    ("id", "{a: 1}", Err("'id' must be text, not a mapping")),
    ("id", "!!binary aGk=", Err("'id' must be text, not binary data (!!binary)")),
    ("id", "5", Ok("5")),
    ("id", "0", Ok("0")),
    ("description", "[a]", Err("'description' must be text, not a list")),
    ("description", "true", Ok("true")),
    ("method", "{}", Err("'method' must be an HTTP method, not a mapping")),
    ("method", "''", Err("'method' is missing")),
    ("path", "5", Err("'path' must be text, not the number 5")),
    ("path", "[/a]", Err("'path' must be text, not a list")),
    ("token", "[staff]", Err("'token' must be text, not a list")),
    ("onFail", "{a: b}", Err("'onFail' must be text, not a mapping")),
    ("content_type", "[multipart]", Err("'content_type' must be text, not a list")),
    ("content_type", "multipart", Ok(True)),
    ("file_fields", "{}", Err("'file_fields' must be a list")),
    ("file_fields", "[{field_name: f, file_path: [a]}]", Err("file_fields[1].file_path must be text, not a list")),
    ("file_fields", "[{field_name: 5, file_path: a.txt}]", Ok([("5", "a.txt", None)])),
    # skipReason is read now (onFail: skip skips the seed with it): text only
    ("skipReason", "!!binary aGk=", Err("'skipReason' must be text, not binary data (!!binary)")),
    ("skipReason", "{.nan: !!set {a}}", Err("'skipReason' must be text, not a mapping")),
]  # fmt: skip

FRONT_CASES: list[tuple[str, str, Ok | Err]] = [
    ("domain", "{a: 1}", Err("'domain' must be text, not a mapping")),
    ("domain", "[a, b]", Err("'domain' must be text, not a list")),
    ("domain", "!!binary aGk=", Err("'domain' must be text, not binary data (!!binary)")),
    ("domain", ".nan", Err("'domain' must be text, not .nan")),
    ("domain", "5", Ok("5")),
    ("domain", "2024-01-31", Ok("2024-01-31")),
    ("tags", "{a: 1}", Err("'tags' must be a list of words, not a mapping")),
    ("tags", "[a, [b]]", Err("tags[2] must be text, not a list")),
    ("tags", "!!set {a, b}", Err("'tags' must be a list of words, not a set (!!set)")),
    ("tags", "[a, 5, true]", Ok(("a", "5", "true"))),
    ("tags", "a", Ok(("a",))),
    ("swagger", "[a.json]", Err("'swagger' must be text, not a list")),
    ("status", "[verified]", Err("'status' must be text, not a list")),
    ("status", "{}", Err("'status' must be text, not a mapping")),
    ("skip_reason", "{a: 1}", Err("'skip_reason' must be text, not a mapping")),
    ("skipReason", "42", Ok("42")),
    ("expectedOutcome", ".nan", Err("expectedOutcome .nan is not an HTTP status")),
    ("expectedOutcome", "!!binary aGk=", Err("expectedOutcome binary data (!!binary) is not an HTTP status")),
    ("useFallbackApi", "'yes'", Err("'useFallbackApi' must be true or false, not the text 'yes'")),
    ("useFallbackApi", "true", Ok(True)),
    ("endpoint", "!!binary R0VUIC9h", Err("'endpoint' must be a non-empty string")),
    ("endpoint", '"GET /a\\u0000b"', Err("'endpoint' holds a control character")),
    ("notes", "!!binary aGk=", Ok("ignored")),
    ("notes", "{.inf: !!omap [a: 1], ~: [.nan]}", Ok("ignored")),
]  # fmt: skip


def step_doc(key: str, value: str) -> str:
    lines = {"id": "odd", "method": "POST", "path": "/v1/things"}
    lines[key] = value
    step = "".join(
        f"{'- ' if number == 0 else '  '}{name}:{_value(text)}"
        for number, (name, text) in enumerate(lines.items())
    )
    return seed_doc(test=step)


def _value(text: str) -> str:
    if text.startswith("\n"):  # a block value: indented under its key
        return textwrap.indent(text, "  ") + "\n"
    return f" {text}\n"


def load(tmp_path: Path, text: str) -> Seed | SeedError:
    path = tmp_path / "seed.md"
    path.write_text(text, encoding="utf-8")
    try:
        seed = load_seed(path)
    except SeedError as error:
        return error
    assert seed is not None
    return seed


def case_id(case: tuple[str, str, Ok | Err]) -> str:
    key, value, expected = case
    return f"{key}={value[:30]!r}-{type(expected).__name__}"


@pytest.mark.parametrize("case", STEP_CASES, ids=case_id)
def test_step_values(tmp_path: Path, case: tuple[str, str, Ok | Err]) -> None:
    key, value, expected = case
    text = step_doc(key, value)
    got = load(tmp_path, text)
    if isinstance(expected, Ok):
        assert isinstance(got, Seed), str(got)
        (step,) = got.steps
        assert STEP_ATTRIBUTES[key](step) == expected.value
        assert_well_typed(step)
    else:
        assert isinstance(got, SeedError), f"accepted: {got!r}"
        assert expected.message in got.message, str(got)
        assert got.line == line_of(text, expected.needle or f"{key}:"), str(got)
        assert got.hint, str(got)


@pytest.mark.parametrize("case", FRONT_CASES, ids=case_id)
def test_front_matter_values(tmp_path: Path, case: tuple[str, str, Ok | Err]) -> None:
    key, value, expected = case
    if key == "endpoint":
        text = seed_doc().replace('endpoint: "GET /v1/things"', f"endpoint: {value}")
    elif key in ("skip_reason", "skipReason"):  # read for a seed that does not run as written
        text = seed_doc(front=f"status: skip\n{key}: {value}")
    else:
        text = seed_doc(front=f"{key}: {value}")
    got = load(tmp_path, text)
    if isinstance(expected, Ok):
        assert isinstance(got, Seed), str(got)
        assert FRONT_ATTRIBUTES[key](got) == expected.value
    else:
        assert isinstance(got, SeedError), f"accepted: {got!r}"
        assert expected.message in got.message, str(got)
        assert got.line == line_of(text, f"{key}:"), str(got)
        assert got.hint, str(got)


# --- the run: those seeds alone fail, every seed is reported, no INTERNALERROR -------------------

CRASHERS = {
    "binary_body": step_doc("body", "!!binary aGVsbG8="),
    "nan_body": step_doc("body", "{a: .nan}"),
    "inf_sleep": step_doc("sleep", ".inf"),
    "int_tag": step_doc("body", "!!int x"),
    "huge_int": step_doc("body", "1" + "0" * 5000),
    "set_tags": seed_doc(front="tags: !!set {a, b}"),
}


@pytest.mark.parametrize("xdist", [False, True], ids=["inprocess", "xdist"])
def test_odd_values_fail_only_their_seed(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict, xdist: bool
) -> None:
    pytester.makefile(".md", healthy=seed_doc(), **CRASHERS)
    args = ["-n", "2"] if xdist else []
    result = run_seeds(pytester, *wire_args(api), "-p", "no:cacheprovider", *args, subprocess=xdist)
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED, output
    result.assert_outcomes(passed=1, errors=len(CRASHERS))
    assert "INTERNALERROR" not in output and "Traceback" not in output
    assert "pytest_seeds/" not in output
    for name in CRASHERS:
        result.stdout.fnmatch_lines([f"ERROR {name}.md*"])
    assert [request.path for request in sent(api)] == ["/v1/things"]


def test_lint_reports_odd_values(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", **CRASHERS)
    result = run_seeds(pytester, "--seeds-lint", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=len(CRASHERS))
    output = result.stdout.str()
    assert "Traceback" not in output and "pytest_seeds/" not in output
    result.stdout.fnmatch_lines_random(
        [
            "*binary_body.md:*: [[]step-value] step 'odd': body is binary data (!!binary)*",
            "*inf_sleep.md:*: [[]step-value] step 'odd': 'sleep' must be a number*",
            "*int_tag.md:*: [[]steps-block] the ```yaml block does not parse*",
            "*set_tags.md:*: [[]front-value] 'tags' must be a list of words, not a set (!!set)*",
        ]
    )


# --- the last guard: what the parser cannot see fails its own seed, readably ------------------

GUARD_CONFTEST = """
import pytest

@pytest.fixture(scope="session")
def seeds_params(seeds_params):
    def boom():
        raise ZeroDivisionError("no value today")
    return {**seeds_params, "blob": b"bytes", "nan": float("nan"), "boom": boom}
"""


def test_configured_values_of_odd_types_fail_their_seed(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict
) -> None:
    pytester.makeconftest(GUARD_CONFTEST)
    step = "- id: odd\n  method: POST\n  path: /v1/odd\n  body: {value: '{{%s}}'}\n"
    pytester.makefile(
        ".md",
        healthy=seed_doc(),
        blob=seed_doc("POST /v1/odd", step % "blob"),
        nan=seed_doc("POST /v1/odd", step % "nan"),
        boom=seed_doc("POST /v1/odd", step % "boom"),
    )
    result = run_seeds(pytester, *wire_args(api), "-p", "no:cacheprovider")
    output = result.stdout.str() + result.stderr.str()
    result.assert_outcomes(passed=1, failed=3)
    assert "INTERNALERROR" not in output and "pytest_seeds/" not in output
    result.stdout.fnmatch_lines_random(
        [
            "POST /v1/odd: step 'odd' (Test Request) failed",
            "  the body cannot be sent as JSON: body.value is binary data*",
            "  the body cannot be sent as JSON: body.value is not a number (.nan)*",
            "  ZeroDivisionError: no value today",
        ]
    )
    assert [request.path for request in sent(api)] == ["/v1/things"]


BROKEN_PLUGIN = """
import pytest
import pytest_seeds.plugin.items as items

def broken_report(*args, **kwargs):
    raise RuntimeError("the report cannot be built")

original = items.failure_report
items.failure_report = broken_report


def pytest_unconfigure(config):
    items.failure_report = original


class Raising:
    def before_send(self, run, step, request):
        pass

    def after_response(self, run, record):
        pass

    def after_step(self, run, record):
        if record.step.id == "observed":
            raise KeyError("observer trouble")


@pytest.fixture(scope="session")
def seeds_environment(seeds_environment):
    import dataclasses
    observers = (*seeds_environment.observers, Raising())
    return dataclasses.replace(seeds_environment, observers=observers)
"""


def test_a_bug_in_a_seed_run_fails_that_seed_alone(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict
) -> None:
    pytester.makeconftest(BROKEN_PLUGIN)
    pytester.makefile(
        ".md",
        healthy=seed_doc(),
        failing=seed_doc("GET /status/500", "- id: failing\n  method: GET\n  path: /status/500\n"),
        observed=seed_doc("GET /v1/seen", "- id: observed\n  method: GET\n  path: /v1/seen\n"),
    )
    result = run_seeds(pytester, *wire_args(api), "-p", "no:cacheprovider")
    output = result.stdout.str() + result.stderr.str()
    result.assert_outcomes(passed=1, failed=2)
    assert "INTERNALERROR" not in output and "pytest_seeds/" not in output
    result.stdout.fnmatch_lines_random(
        [
            "GET /status/500: step 'failing' (Test Request) failed",
            "  expected status 200, received 500*",
            "  (the full report could not be built: RuntimeError: the report cannot be built)",
            "*GET /v1/seen: pytest-seeds stopped on an unexpected KeyError: 'observer trouble'*",
        ]
    )


def test_a_bug_while_reading_a_seed_fails_that_seed_alone(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict
) -> None:
    pytester.makeconftest(
        "import pytest_seeds.plugin.items as items\n"
        "build = items.build_seed\n"
        "def flaky(document, *head):\n"
        "    if document.path.name == 'unlucky.md':\n"
        "        raise RecursionError('too deep')\n"
        "    return build(document, *head)\n"
        "items.build_seed = flaky\n"
        "def pytest_unconfigure(config):\n"
        "    items.build_seed = build\n"
    )
    pytester.makefile(".md", healthy=seed_doc(), unlucky=seed_doc())
    result = run_seeds(pytester, *wire_args(api), "-p", "no:cacheprovider")
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED, output
    result.assert_outcomes(passed=1, errors=1)
    assert "pytest_seeds/" not in output
    result.stdout.fnmatch_lines(
        [
            "*unlucky.md: pytest-seeds could not read this seed: an unexpected RecursionError: too deep*"
        ]
    )
