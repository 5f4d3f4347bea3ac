"""``expect`` beside ``status`` (JSON by JSONPath, headers, time, JSON Schema) and ``poll``,
run by pytest against real servers (pytest-httpserver's echo server, the sandbox)."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.helpers import SECRETS, run_seeds, runpytest, seed_doc, wire_args

REPO = Path(__file__).resolve().parent.parent
BODY = {
    "name": "widget",
    "items": [1, 2, 3],
    "price": 9.5,
    "count": 7,
    "email": "ann@example.com",
    "tags": ["red", "blue"],
    "nested": {"a": 1},
    "flag": True,
    "none": None,
}


@pytest.fixture(autouse=True)
def _tokens(tokens: dict[str, str]) -> None:
    """Every token type is configured for these tests."""


def echo_step(expect: str, extra: str = "") -> str:
    """A POST to the echo server whose answer holds ``BODY`` under ``$.json``."""
    step = (
        "- id: send\n  method: POST\n  path: /v1/things\n"
        f"  body: {json.dumps(BODY)}\n"
        "  expect:\n" + textwrap.indent(textwrap.dedent(expect).strip("\n"), "    ") + "\n"
    )
    return step + extra


def run(pytester: pytest.Pytester, api: HTTPServer, test: str, *args: str) -> pytest.RunResult:
    pytester.makefile(".md", seed=seed_doc("POST /v1/things", test))
    return run_seeds(pytester, *wire_args(api), *args)


PASSING = """
status: 200
json:
  $.json.name: widget
  $.json.items: {length: 3, contains: 2, type: array}
  $.json.count: {eq: 7, ne: 8, gt: 6, gte: 7, lt: 8, lte: 7, type: integer}
  $.json.price: {gt: 0, type: number}
  $.json.email: {matches: '^.+@example\\.com$'}
  $.json.tags: {contains: red}
  $.json.nested: {eq: {a: 1}, contains: a, type: object}
  $.json.flag: true
  $.json.none: {exists: true, type: "null"}
  $.json.missing: {exists: false}
  $.json.tags[*]: [red, blue]
  $.json.name.length: {exists: false}
headers:
  content-type: {matches: json}
  X-Nothing: {exists: false}
time_ms: {lt: 60000, gte: 0}
schema:
  type: object
  required: [json]
  properties: {json: {type: object, required: [name]}}
"""


def test_every_kind_of_check_passing(pytester: pytest.Pytester, api: HTTPServer) -> None:
    run(pytester, api, echo_step(PASSING)).assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("expect", "lines"),
    [
        ("json: {$.json.name: gadget}", ["$.json.name (eq)", '- "gadget"', '+ "widget"']),
        ("json: {$.json.count: 7.5}", ["$.json.count (eq)", "- 7.5", "+ 7"]),
        ("json: {$.json.flag: 1}", ["$.json.flag (eq)", "- 1", "+ true"]),
        ("json: {$.json.name: {ne: widget}}", ['- not "widget"', '+ "widget"']),
        (
            "json: {$.json.gone: {exists: true}}",
            ["$.json.gone (exists)", "- present", "+ (nothing*"],
        ),
        ("json: {$.json.name: {exists: false}}", ["- absent", '+ "widget"']),
        ("json: {$.json.name: {type: number}}", ['- type "number"', '+ "widget"']),
        ("json: {$.json.email: {matches: '^bob'}}", ['- matches "^bob"', '+ "ann@example.com"']),
        ("json: {$.json.tags: {contains: green}}", ['- contains "green"', '+ ["red", "blue"]']),
        ("json: {$.json.items: {length: 2}}", ["- length 2", "+ [1, 2, 3]"]),
        ("json: {$.json.price: {gt: 10}}", ["$.json.price (gt)", "- > 10", "+ 9.5"]),
        ("json: {$.json.price: {gte: 10}}", ["- >= 10", "+ 9.5"]),
        ("json: {$.json.price: {lt: 1}}", ["- < 1", "+ 9.5"]),
        ("json: {$.json.price: {lte: 1}}", ["- <= 1", "+ 9.5"]),
        ("json: {$.json.gone: 1}", ["$.json.gone (eq)", "- 1", "+ (nothing*"]),
        (
            "headers: {Content-Type: text/plain}",
            ["header Content-Type (eq)", '- "text/plain"', '+ "application/json"'],
        ),
        ("headers: {X-Gone: {exists: true}}", ["header X-Gone (exists)", "- present"]),
        ("time_ms: {lt: 0}", ["time_ms (lt)", "- < 0", "+ *"]),
        ("schema: {type: object, required: [nope]}", ["schema $ (schema)", '- required: ["nope"]']),
        (
            "schema: {properties: {json: {properties: {count: {type: string}}}}}",
            ["schema $.json.count (schema)", '- type: "string"', "+ 7"],
        ),
    ],
)
def test_each_kind_of_check_failing(
    pytester: pytest.Pytester, api: HTTPServer, expect: str, lines: list[str]
) -> None:
    result = run(pytester, api, echo_step(expect))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*1 expectation failed:", *(f"    {line}" for line in lines)])


def test_every_failure_of_a_step_is_reported_together(
    pytester: pytest.Pytester, api: HTTPServer
) -> None:
    expect = """
    json:
      $.json.name: gadget
      $.json.items: {length: 3, contains: 9}
      $.json.price: {gt: 100, type: string}
    headers: {Content-Type: {matches: xml}}
    schema: {required: [nope]}
    """
    result = run(pytester, api, echo_step(expect))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*step 'send' (Test Request) failed",
            "  6 expectations failed:",
            "    $.json.name (eq)",
            '    - "gadget"',
            '    + "widget"',
            "    $.json.items (contains)",
            "    - contains 9",
            "    $.json.price (gt)",
            "    $.json.price (type)",
            "    header Content-Type (matches)",
            '    - matches "xml"',
            "    schema $ (schema)",
            "  seed: *seed.md:*",
        ]
    )


def test_values_hold_templates(pytester: pytest.Pytester, api: HTTPServer) -> None:
    test = echo_step(
        "json: {$.json.name: widget}", "  extract: {thing: $.json.name, n: $.json.count}\n"
    )
    test += (
        "- id: again\n  method: POST\n  path: /v1/again\n  body: {name: '{{thing}}-2', n: '{{n}}'}\n"
        "  expect:\n    json:\n      $.json.name: '{{thing}}-2'\n      $.json.n: {eq: '{{n}}', gt: '{{n}}'}\n"
    )
    result = run(pytester, api, test)
    result.assert_outcomes(failed=1)  # '{{n}}' alone keeps its type: 7, so 7 > 7 fails
    result.stdout.fnmatch_lines(
        ["  1 expectation failed:", "    $.json.n (gt)", "    - > 7", "    + 7"]
    )


def test_received_values_are_masked(pytester: pytest.Pytester, api: HTTPServer) -> None:
    result = run(pytester, api, echo_step("json: {$.headers.Authorization: nope}"))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["    $.headers.Authorization (eq)", '    - "nope"', "    + *"])
    assert SECRETS["staff"] not in result.stdout.str()


def test_long_values_are_cut(pytester: pytest.Pytester, api: HTTPServer) -> None:
    test = (
        "- id: send\n  method: POST\n  path: /v1/things\n"
        f"  body: {{long: {'x' * 5000}}}\n"
        "  expect: {json: {$.json.long: short}}\n"
    )
    result = run(pytester, api, test)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(['    + "xxxx*... (cut)'])


# --- the documented schema, against the sandbox and its Swagger ------------------------------

JOB_SEED = """---
endpoint: "POST /platform/v1/jobs"
domain: jobs
swagger: seeds/swagger/platform_administration/jobs.json
---

## Test Request

```yaml
steps:
  - id: start
    method: POST
    path: {path}
    body: {{kind: export}}
    expect:
      status: 201
      schema: documented
```
"""


@pytest.fixture
def repo_layout(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The repository's Swagger files and its sandbox conftest (no seeds of its own)."""
    for kind in SECRETS:  # the sandbox's own tokens, not the echo tests'
        monkeypatch.delenv(f"SEEDS_TOKEN_{kind.upper()}")
    shutil.copytree(REPO / "seeds" / "swagger", pytester.path / "seeds" / "swagger")
    shutil.copy(REPO / "conftest.py", pytester.path / "conftest.py")
    (pytester.path / "checks").mkdir()
    return pytester.path


def test_the_documented_schema_passes(pytester: pytest.Pytester, repo_layout: Path) -> None:
    (repo_layout / "checks/job.md").write_text(JOB_SEED.format(path="/platform/v1/jobs"))
    runpytest(pytester, "--seeds-dir=checks").assert_outcomes(passed=1)


def test_the_documented_schema_is_checked_strictly_with_contract_checks_off(
    pytester: pytest.Pytester, repo_layout: Path
) -> None:
    spec_path = repo_layout / "seeds/swagger/platform_administration/jobs.json"
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    spec["components"]["schemas"]["Job"]["properties"]["kind"] = {"type": "integer"}
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    (repo_layout / "checks/job.md").write_text(JOB_SEED.format(path="/platform/v1/jobs"))
    result = runpytest(pytester, "--seeds-dir=checks", "--seeds-contract=off")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*response 201 does not match POST /platform/v1/jobs*", "*/data/job/kind*integer*"]
    )


def test_the_documented_schema_needs_a_documented_operation(
    pytester: pytest.Pytester, repo_layout: Path
) -> None:
    seed = JOB_SEED.format(path="/platform/v1/nowhere").replace("status: 201", "status: 404")
    (repo_layout / "checks/job.md").write_text(seed)
    result = runpytest(pytester, "--seeds-dir=checks")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*expect.schema: documented, but no Swagger operation documents POST /platform/v1/nowhere*"
        ]
    )


# --- polling --------------------------------------------------------------------------------


class Job:
    """A job endpoint: ``running`` for ``running`` reads, then ``final``."""

    def __init__(self, running: int, final: str) -> None:
        self.reads, self.running, self.final = 0, running, final

    def __call__(self, request: Request) -> Response:
        self.reads += 1
        status = "running" if self.reads <= self.running else self.final
        return Response(
            json.dumps({"status": status, "reads": self.reads}),
            200,
            content_type="application/json",
        )


def poll_seed(poll: str, expect: str = "status: 200") -> str:
    return seed_doc(
        "GET /v1/job",
        f"- id: wait\n  method: GET\n  path: /v1/job\n  poll: {poll}\n  expect: {{{expect}}}\n",
    )


UNTIL = "{until: {json: {$.status: done}}, fail_if: {json: {$.status: failed}}, interval_ms: 10"


def test_polling_until_the_condition_holds(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/v1/job").respond_with_handler(Job(2, "done"))
    pytester.makefile(".md", seed=poll_seed(UNTIL + ", timeout_ms: 5000}", "json: {$.reads: 4}"))
    result = run_seeds(pytester, *wire_args(httpserver), "-rA")
    result.assert_outcomes(failed=1)  # done at the 3rd read: reads is 3, not 4
    result.stdout.fnmatch_lines(
        [
            "    $.reads (eq)",
            "    - 4",
            "    + 3",
            "*failed    wait  GET */v1/job -> 200 (* ms) after 3 attempts",
            '*attempt 1: 200 (* ms): not yet, $.status: wanted "done", got "running"',
            "*attempt 2: 200 (* ms): not yet*",
            "*attempt 3: 200 (* ms): until holds",
        ]
    )


def test_polling_passes(pytester: pytest.Pytester, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/job").respond_with_handler(Job(2, "done"))
    pytester.makefile(".md", seed=poll_seed(UNTIL + ", timeout_ms: 5000}", "json: {$.reads: 3}"))
    run_seeds(pytester, *wire_args(httpserver)).assert_outcomes(passed=1)


def test_polling_times_out(pytester: pytest.Pytester, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/job").respond_with_handler(Job(1000, "done"))
    pytester.makefile(".md", seed=poll_seed(UNTIL + ", timeout_ms: 200}"))
    result = run_seeds(pytester, *wire_args(httpserver))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "  polling gave up after * attempts in 0.* s (timeout_ms 200): until never held:",
            "    $.status (eq)",
            '    - "done"',
            '    + "running"',
        ]
    )


def test_polling_stops_at_once_when_fail_if_holds(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    job = Job(1, "failed")
    httpserver.expect_request("/v1/job").respond_with_handler(job)
    pytester.makefile(".md", seed=poll_seed(UNTIL + ", timeout_ms: 5000}"))
    result = run_seeds(pytester, *wire_args(httpserver))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "  polling stopped after 2 attempts: fail_if holds",
            "*attempt 2: 200 (* ms): fail_if holds",
        ]
    )
    assert job.reads == 2


def test_polling_is_capped_by_max_sleep(pytester: pytest.Pytester, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/job").respond_with_handler(Job(1000, "done"))
    pytester.makefile(".md", seed=poll_seed(UNTIL + ", timeout_ms: 600000}"))
    result = run_seeds(pytester, *wire_args(httpserver), "--seeds-max-sleep=0.2")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*polls for 0.2 s, not the 600000 ms the step asks for*"])


def test_polling_under_xdist(pytester: pytest.Pytester, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/job").respond_with_handler(Job(2, "done"))
    pytester.makefile(
        ".md", seed=poll_seed(UNTIL + ", timeout_ms: 5000}", "json: {$.status: done}")
    )
    result = run_seeds(pytester, *wire_args(httpserver), "-n", "2", subprocess=True)
    result.assert_outcomes(passed=1)
