"""Mutated and odd seeds never crash pytest: every seed is reported once, no internal error.

Two kinds of documents, each run as seeds and linted (``--seeds-lint``):

* mutations: hypothesis starts from valid seeds written here and deletes, duplicates and
  changes characters and lines, or inserts lines that are known to be trouble;
* odd values: every step key and front-matter key of a valid seed (and some keys) gets a value
  that YAML can produce but a request cannot carry: tags (``!!binary``, ``!!set``, ``!!omap``,
  ``!!timestamp``, ``!!int x``), NaN and infinities, huge integers, odd keys, anchors and
  aliases, tabs, unicode, empty and nested values.

The property: pytest never ends in INTERNALERROR or an interrupted collection, no traceback
line of the plugin's modules is shown, and each seed file is reported exactly once (a mutated
file that may no longer be a seed at most once). Examples are bounded by the Hypothesis
profile of tests/conftest.py: ``dev`` by default, ``ci`` (more examples) in CI.
Mutated seeds run with no network (every request goes to a proxy on a closed local port);
odd-value seeds against the echo API, so that their responses are extracted too.
"""

from __future__ import annotations

import json
import re
import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from pytest_seeds import lint as seeds_lint
from pytest_seeds.contract.checks import Contract
from pytest_seeds.contract.swagger import SwaggerIndex
from pytest_seeds.lint.front import FRONT_KEYS
from pytest_seeds.lint.steps import STEP_KEYS
from pytest_seeds.model import SeedError
from pytest_seeds.reading.parser import load_seed
from tests.helpers import assert_well_typed, runpytest, seed_doc, wire_args

# max_examples: the Hypothesis profile's (tests/conftest.py: "dev" locally, "ci" in CI)
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
READ_EXAMPLES = 8  # reading alone is cheap: this many times the examples of a pytest run
SEEDS_PER_RUN = 3

VALID = [
    seed_doc(
        "POST /platform/v1/clients",
        front='domain: clients\ntags: [clients, "fuzz"]\nstatus: verified\nswagger: api.json',
        prerequisites="""
            - id: find
              method: GET
              path: /platform/v1/clients
              params: {per_page: 1, search: "{{random_email}}"}
              extract:
                client_id: "$.data.clients[0].id"
                first: "$.data.items[?(@.type=='x')][1].id || 'none'"
        """,
        test="""
            - id: create
              description: "Create a client"
              method: POST
              path: "/platform/v1/clients/{{client_id}}"
              token: directory
              x_on_behalf_of: true
              headers:
                X-Trace: "{{timestamp | slice: -4}}"
              body:
                first_name: "{{random_firstname}}"
                tags: [a, b, {deep: {deeper: [1, 2.5, true, null]}}]
              expect:
                status: [200, 201]
              onFail: continue
              sleep: 10
        """,
        cleanup="""
            - id: delete
              method: DELETE
              path: "/platform/v1/clients/{{client_id}}"
              expect: {status: 200}
        """,
    ),
    seed_doc(
        "PUT /business/v1/files",
        front="useFallbackApi: true\nexpectedOutcome: 422\nskip_reason: not really",
        test="""
            - id: upload
              method: PUT
              path: /business/v1/files
              content_type: multipart
              form_fields: {name: "{{random_string}}", count: 3}
              file_fields:
                - field_name: file
                  file_path: upload.txt
                  filename: "{{random_string}}.txt"
            - id: partner
              method: GET
              path: /v1/partners/leads
              token: admin
              useFallback: false
        """,
        extra='## Notes\n\n```json\n{"not": "steps"}\n```\n',
    ),
    "---\nendpoint: GET /v3/items\nstatus: skip\n---\n\n## Skip Reason\n\nNo data.\n\n"
    "## Test Request\n\n~~~yaml\nsteps:\n  - {id: one, method: get, path: /v3/items}\n~~~\n",
]

TROUBLE_CHARS = [*":-[]{}#&*!|>'\"`~\n\t \\%@,?", "\u00e9", "\x00", "\ufeff", "{{", "}}"]
TROUBLE_LINES = [
    "---",
    "## Test Request",
    "## Prerequisites",
    "## Cleanup",
    "```yaml",
    "```",
    "steps:",
    "steps: 5",
    "- id: x",
    "method: GET",
    "path: /v1/{{missing.name | nofilter: 1}}",
    'endpoint: "GET /x"',
    "endpoint: [a]",
    "status: failed",
    "status: weird",
    "expectedOutcome: 999",
    "onFail: explode",
    "extract: {v: '$..[['}",
    "file_fields: [{field_name: f, file_path: ../../etc/passwd}]",
    "a: &a [*a, *a]",
    "body: !!binary aGVsbG8=",
    "body: !!set {a, b}",
    "body: !!python/name:os.system",
    'headers: {X-Name: "\u65e5\u672c", X-Bad: "a\\nb"}',
    "expect: {status: [abc]}",
    "sleep: 1e99",
    "params: [1, 2]",
    "token: nobody",
    "content_type: multipart",
    "path: '{{__class__}}'",
]


EDITS = ["cut", "twice", "change", "cut line", "line twice", "insert", "insert", "insert"]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid seed with one to four edits at uniformly random places.

    Few edits keep most documents readable enough to reach the step checks and the run.
    """
    rnd = draw(st.randoms(use_true_random=False))
    text = rnd.choice(VALID)
    for _ in range(rnd.randint(1, 4)):
        lines = text.split("\n")
        at, row = rnd.randrange(max(len(text), 1)), rnd.randrange(len(lines))
        edit = rnd.choice(EDITS)
        if edit == "cut":
            text = text[:at] + text[at + 1 :]
        elif edit == "twice":
            text = text[:at] + text[at : at + 1] * 2 + text[at + 1 :]
        elif edit == "change":
            text = text[:at] + rnd.choice(TROUBLE_CHARS) + text[at + 1 :]
        elif edit == "cut line":
            text = "\n".join(lines[:row] + lines[row + 1 :])
        elif edit == "line twice":
            text = "\n".join(lines[: row + 1] + lines[row:])
        else:  # indented like the line it goes before, so that it often lands in a mapping
            indent = lines[row][: len(lines[row]) - len(lines[row].lstrip(" "))]
            text = "\n".join([*lines[:row], indent + rnd.choice(TROUBLE_LINES), *lines[row:]])
    return text


OUR_TRACEBACK = re.compile(r"pytest_seeds[/\\][\w/\\]+\.py:\d+: in |File \"[^\"]*pytest_seeds[/\\]")


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tokens: dict[str, str]) -> str:
    """Every request goes to a proxy on a closed port: refused at once, no DNS, no network."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{probe.getsockname()[1]}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    return proxy


@FUZZ
@given(documents=st.lists(mutated(), min_size=SEEDS_PER_RUN, max_size=SEEDS_PER_RUN))
def test_mutated_seeds_never_crash_pytest(
    pytester: pytest.Pytester, offline: str, documents: list[str]
) -> None:
    (pytester.path / "upload.txt").write_text("upload")
    for number, text in enumerate(documents):
        (pytester.path / f"seed{number}.md").write_bytes(text.encode("utf-8", "surrogatepass"))
    result = runpytest(
        pytester,
        f"--seeds-dir={pytester.path}",
        "--seeds-base-url=http://api.seeds-fuzz.invalid",
        "--seeds-fallback-url=http://fallback.seeds-fuzz.invalid",
        "--seeds-timeout=0.2",
        "--tb=native",  # tracebacks without pytest's costly source parsing
        "-p",
        "no:cacheprovider",
    )
    output = result.stdout.str() + result.stderr.str()
    assert result.ret != pytest.ExitCode.INTERNAL_ERROR, output
    assert "INTERNALERROR" not in output, output
    assert OUR_TRACEBACK.search(output) is None, output
    # a file whose first lines still open a front matter with 'endpoint' is a seed, run or broken
    seeds = [f"seed{n}" for n, text in enumerate(documents) if text.startswith("---\nendpoint:")]
    others = [f"seed{n}" for n in range(len(documents)) if f"seed{n}" not in seeds]
    never_crashes(result, seeds, others)
    never_crashes(lint(pytester), seeds, others)


# --- odd values and types in every key -----------------------------------------------------

FRONT = [
    ("endpoint", '"POST /v1/things/{id}"'),
    ("domain", "things"),
    ("tags", "[things, fuzz]"),
    ("status", "verified"),
    ("swagger", "api.json"),
    ("skip_reason", "not skipped"),
    ("skipReason", "not skipped either"),
    ("expectedOutcome", "200"),
    ("useFallbackApi", "false"),
    ("tokens", "[staff, directory]"),
]
PREREQUISITE = [
    ("id", "find"),
    ("method", "GET"),
    ("path", "/v1/things"),
    ("params", "{per_page: 1, q: find}"),
    ("extract", '{thing: "$.query.per_page"}'),
]
TEST = [
    ("id", "create"),
    ("description", "Create a thing"),
    ("method", "POST"),
    ("path", '"/v1/things/{{thing}}"'),
    ("token", "staff"),
    ("params", '{q: "{{thing}}", n: 2}'),
    ("headers", '{X-Trace: "{{timestamp | slice: -4}}"}'),
    ("body", '{name: "{{random_string}}", n: 1, list: [a, {b: c}]}'),
    ("extract", '{echoed: "$.json.name"}'),
    ("expect", "{status: [200, 201]}"),
    ("onFail", "continue"),
    ("sleep", "0"),
    ("useFallback", "false"),
    ("x_on_behalf_of", "false"),
    ("content_type", "json"),
    ("form_fields", "{a: b}"),
    ("file_fields", "[{field_name: f, file_path: upload.txt, filename: up.txt}]"),
    ("skipReason", "not skipped"),
]
CLEANUP = [("id", "delete"), ("method", "DELETE"), ("path", '"/v1/things/{{echoed}}"')]
NESTED = ["expect.status", "file_fields.field_name", "file_fields.file_path", "body.name"]
UNKNOWN_KEY = "notes"

ODD_FLOW = [
    # tags
    "!!binary aGVsbG8=", "!!binary '!!!'", "!!set {a, b}", "!!set {}", "!!omap [a: 1, b: 2]",
    "!!pairs [a: 1, a: 2]", "!!timestamp 2024-01-31", "!!timestamp x", "!!float .nan",
    "!!float x", "!!int x", "!!int 0x1F", "!!bool maybe", "!!bool true", "!!str 5", "!!null x",
    "!!map {}", "!!seq []", "!!map [1]", "!!seq {a: 1}", "!!python/name:os.system", "!custom x",
    "!!merge x", "!<tag:yaml.org,2002:str> x",
    # numbers
    ".nan", ".NaN", ".inf", "-.inf", "+.inf", "1e999", "-1e999", "18446744073709551616",
    "-9223372036854775809", "1" + "0" * 400, "1" + "0" * 4400, "0x" + "f" * 40, "0o17", "010",
    "-0", "0.0", "1_000", "200", "999", "-1", "1.5",
    # dates, words, empty
    "2024-01-31", "2001-12-14t21:59:43.10-05:00", "10:30", "~", "null", "", "''", '""', "true",
    "True", "yes", "off", "GET", "multipart", "abort",
    # containers
    "{}", "[]", "[[]]", "[{}]", "{a: {}}", "[~]", "{~: ~}", "[&a x, *a, *a]",
    "{a: &b [1], c: *b}", "*undefined", "&lonely x",
    # keys
    "{? [a]: b}", "{[a]: b}", "{1: a, '1': b}", "{1: a, true: b}", "{a: 1, a: 2}", "{.nan: a}",
    "{.inf: a}", "{1.5: a}", "{true: a}", "{'': a}",
    # text
    '"\\t"', '"\\0"', '"\\x7f"', '"\\u200b"', '"\\ud800"', '"\\U0001F600"', "\u65e5\u672c",
    '"a\\nb"', "'it''s'", "a\tb", "x" * 5000, '"{{"', "'{{ nothing }}'", "'$..[['",
]  # fmt: skip
ODD_BLOCK = [
    "|\n  block\n  text\n", ">\n  folded\n", "|-\n  x", "- a\n- b", "a: 1\nb: 2",
    "- !!binary aGk=\n- .nan", "a:\n  b:\n    c: .inf", "- - - deep", "? a\n: b", "\t- tab",
]  # fmt: skip
ODD_KEYS = ["~", "1", "true", ".nan", '"1"', "[a]", "{a: b}", "!!binary aGk=", "''", "é"]


def _float(value: float) -> str:
    text = repr(value)
    return {"nan": ".nan", "inf": ".inf", "-inf": "-.inf"}.get(text, text)


_LEAF = st.one_of(
    st.sampled_from(ODD_FLOW),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats().map(_float),
    st.text(max_size=12).map(lambda text: json.dumps(text)),
    st.text(st.characters(codec="utf-8"), max_size=8),  # unquoted: often not YAML at all
)
_FLOW = st.recursive(
    _LEAF,
    lambda children: st.one_of(
        st.lists(children, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(st.sampled_from(["a", "b", *ODD_KEYS]), children), max_size=3).map(
            lambda pairs: "{" + ", ".join(f"{key}: {value}" for key, value in pairs) + "}"
        ),
        children.map(lambda value: f"[&v {value}, *v]"),
        st.lists(children, max_size=2).map(lambda items: "!!set {" + ", ".join(items) + "}"),
    ),
    max_leaves=6,
)
ODD_VALUES = st.one_of(_FLOW, st.sampled_from(ODD_BLOCK))


def _yaml(pairs: list[tuple[str, str]], indent: str, first: str = "") -> list[str]:
    """``key: value`` lines; a value with line breaks is a block under its key."""
    lines = []
    for number, (key, value) in enumerate(pairs):
        lead = indent + (first if number == 0 else " " * len(first))
        if "\n" in value:
            inner = lead.replace("-", " ") + "  "
            lines.append(f"{lead}{key}:")
            lines += [inner + line for line in value.split("\n")]
        else:
            lines.append(f"{lead}{key}: {value}".rstrip())
    return lines


def _steps(heading: str, pairs: list[tuple[str, str]]) -> str:
    lines = _yaml(pairs, "  ", "- ")
    return "\n".join([f"## {heading}", "", "```yaml", "steps:", *lines, "```", ""])


@st.composite
def odd_seed(draw: st.DrawFn) -> str:
    """A valid seed with one to three keys given odd values (or odd names)."""
    parts = {"front": list(FRONT), "pre": list(PREREQUISITE), "test": list(TEST)}
    parts["cleanup"] = list(CLEANUP)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(["front", "pre", "test", "test", "cleanup"]))
        pairs = parts[where]
        known = FRONT_KEYS if where == "front" else STEP_KEYS  # every key, written or not
        keys = list(dict.fromkeys([key for key, _ in pairs] + list(known) + [UNKNOWN_KEY]))
        keys += NESTED if where == "test" else []
        key = draw(st.sampled_from(keys))
        value = draw(ODD_VALUES)
        if key in NESTED:
            outer, inner = key.split(".")
            value = _nested(outer, inner, value)
            key = outer
        if draw(st.integers(0, 9)) == 0 and key != "endpoint":  # an odd key instead
            pairs[:] = [(draw(st.sampled_from(ODD_KEYS)) if k == key else k, v) for k, v in pairs]
            continue
        found = [n for n, (k, _) in enumerate(pairs) if k == key]
        if found:
            pairs[found[0]] = (key, value)
        else:
            pairs.append((key, value))
    front = "\n".join(["---", *_yaml(parts["front"], ""), "---", "", "# An odd seed", ""])
    return "\n".join(
        [
            front,
            _steps("Prerequisites", parts["pre"]),
            _steps("Test Request", parts["test"]),
            _steps("Cleanup", parts["cleanup"]),
        ]
    )


def _nested(outer: str, inner: str, value: str) -> str:
    """The value of ``outer`` with ``inner`` set to ``value`` (a block: flow cannot hold blocks)."""
    body = "\n  ".join(value.split("\n"))
    if outer == "file_fields":
        other = "file_path: upload.txt" if inner == "field_name" else "field_name: f"
        return f"\n- {other}\n  {inner}: {body}".lstrip("\n")
    return f"{inner}: {body}\n"  # a line break: written as a block under its key


@FUZZ
@given(documents=st.lists(odd_seed(), min_size=SEEDS_PER_RUN, max_size=SEEDS_PER_RUN))
def test_odd_values_never_crash_pytest(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict[str, str], documents: list[str]
) -> None:
    (pytester.path / "upload.txt").write_text("upload")
    names = [f"odd{number}" for number in range(len(documents))]
    for name, text in zip(names, documents, strict=True):
        (pytester.path / f"{name}.md").write_text(text, encoding="utf-8", errors="surrogatepass")
    result = runpytest(
        pytester,
        f"--seeds-dir={pytester.path}",
        *wire_args(api),
        "--seeds-timeout=2",
        "--tb=native",
        "-p",
        "no:cacheprovider",
    )
    never_crashes(result, names)
    never_crashes(lint(pytester), names)


@settings(FUZZ, max_examples=settings.default.max_examples * READ_EXAMPLES)
@given(text=st.one_of(odd_seed(), mutated()))
def test_every_document_is_read_or_refused(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    """Reading alone, many more documents: a seed whose values can be sent, or a SeedError on
    a line with a hint; lint checks what it reads without an exception."""
    path = tmp_path_factory.getbasetemp() / "read.md"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        seed = load_seed(path)
    except SeedError as error:
        assert error.hint, str(error)
        assert error.line is None or 1 <= error.line <= text.count("\n") + 1, str(error)
        assert "step '" not in error.message or error.line, str(error)
    else:
        for step in seed.steps if seed is not None else ():
            assert_well_typed(step)
    target = seeds_lint.read(path)
    if target is not None:
        seeds_lint.examine(target, {}, Contract(SwaggerIndex(None)))


def lint(pytester: pytest.Pytester) -> pytest.RunResult:
    return runpytest(
        pytester,
        f"--seeds-dir={pytester.path}",
        "--seeds-lint",
        "--tb=native",
        "-p",
        "no:cacheprovider",
    )


def never_crashes(result: pytest.RunResult, seeds: list[str], others: list[str] = ()) -> None:
    """No internal error or interrupted run, no plugin traceback; each seed reported once.

    ``seeds`` must each be one test with an outcome (passed, failed, error, skipped or xfailed);
    ``others`` may be seeds or not, and so be reported once or not at all.
    """
    output = result.stdout.str() + result.stderr.str()
    assert result.ret not in (
        pytest.ExitCode.INTERNAL_ERROR,
        pytest.ExitCode.INTERRUPTED,
        pytest.ExitCode.USAGE_ERROR,
    ), output
    assert "INTERNALERROR" not in output, output
    assert OUR_TRACEBACK.search(output) is None, output
    reprec = result.reprec  # type: ignore[attr-defined]
    assert not [r for r in reprec.getreports("pytest_collectreport") if r.failed], output
    setups = [r for r in reprec.getreports("pytest_runtest_logreport") if r.when == "setup"]
    files = [
        report.nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".md") for report in setups
    ]
    for name in seeds:
        assert files.count(name) == 1, f"{name}: reported {files.count(name)} times\n{output}"
    for name in others:
        assert files.count(name) <= 1, f"{name}: reported {files.count(name)} times\n{output}"
    assert sorted(set(files) - set(seeds) - set(others)) == [], output
