"""``--seeds-lint``: every rule on a seed written for it, how findings are reported, no request.

Each seed starts from a clean baseline (a domain, and a Swagger file that documents its
endpoint) and adds one defect; the test checks the item's outcome and the finding's line:
``<file>:<line>: [<rule>] ...``.
"""

from __future__ import annotations

import json
import re

import pytest
from pytest_httpserver import HTTPServer

from tests.helpers import line_of, run_seeds, seed_doc

API_SPEC = """\
openapi: 3.0.0
info: {title: demo, version: "1"}
servers:
  - url: https://api.example.test/v1
paths:
  /things:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {data: {type: array}}}
    post: {responses: {"200": {description: ok}}}
  /things/{id}:
    get: {responses: {"200": {description: ok}}}
"""
LEGACY_SPEC = {"swagger": "2.0", "basePath": "/v2", "paths": {"/widgets": {"get": {}}}}
BASE = "domain: demo\nswagger: specs/api.yaml"
GET_THINGS = "- id: list\n  method: GET\n  path: /v1/things\n"


def seed(test: str | None = GET_THINGS, front: str = BASE, **kwargs: str) -> str:
    """A seed of ``GET /v1/things`` that lints clean unless the arguments add a defect."""
    kwargs.setdefault("endpoint", "GET /v1/things")
    return seed_doc(kwargs.pop("endpoint"), test, front=front, **kwargs)


@pytest.fixture
def specs(pytester: pytest.Pytester) -> pytest.Pytester:
    """A Swagger root (the pytester folder) with an OpenAPI 3 and a Swagger 2.0 file."""
    (pytester.path / "specs").mkdir()
    (pytester.path / "specs" / "api.yaml").write_text(API_SPEC)
    (pytester.path / "specs" / "legacy.json").write_text(json.dumps(LEGACY_SPEC))
    return pytester


def lint(pytester: pytest.Pytester, *args: str, subprocess: bool = False) -> pytest.RunResult:
    root = f"--seeds-swagger-root={pytester.path}"
    return run_seeds(pytester, "--seeds-lint", root, *args, subprocess=subprocess)


def test_a_clean_seed_passes_without_findings(specs: pytest.Pytester) -> None:
    specs.makefile(".md", clean=seed())
    result = lint(specs, "-rA")
    result.assert_outcomes(passed=1)
    assert "[" not in "".join(line for line in result.outlines if "clean.md:" in line)
    assert "warning" not in result.stdout.str()


CASES = [
    # (rule, seed text, needle on the finding's line, glob of the finding after the rule)
    (
        "unreadable",
        "---\nendpoint: GET /v1/things\ndomain: demo: x\n---\n",
        "domain:",
        "front matter is not valid YAML: *",
    ),
    ("required-key", seed(front="swagger: specs/api.yaml"), "endpoint:", "*has no 'domain'*"),
    ("endpoint", seed(endpoint="things please"), "endpoint:", "endpoint 'things please' is not*"),
    (
        "unknown-status",
        seed(front=BASE + "\nstatus: verifyed"),
        "status:",
        "*did you mean 'verified'?",
    ),
    (
        "expected-outcome",
        seed(front=BASE + "\nexpectedOutcome: soon"),
        "expectedOutcome",
        "expectedOutcome 'soon' is not an HTTP status*",
    ),
    (
        "expected-outcome-conflict",
        seed(GET_THINGS + "  expect:\n    status: [200, 201]\n", BASE + "\nexpectedOutcome: 422"),
        "status: [200",
        "step 'list': expect.status 200 or 201 contradicts the front matter's expectedOutcome 422*",
    ),
    ("steps-block", seed("- just a string"), "steps:", "step 1 is a str, not a mapping*"),
    (
        "no-test-request",
        seed(None, extra='## Test Request\n\n```json\n{"method": "GET"}\n```\n'),
        "## Test Request",
        "no executable Test Request: *holds a ```json block*",
    ),
    (
        "endpoint-not-tested",
        seed("- id: other\n  method: GET\n  path: /v1/thingz\n"),
        "- id: other",
        "step 'other': no Test Request step calls GET /v1/things; they call GET /v1/thingz*",
    ),
    (
        "unknown-key",
        seed(GET_THINGS + "  onfail: continue\n"),
        "onfail:",
        "step 'list': unknown key 'onfail'; hint: did you mean 'onFail'?",
    ),
    (
        "unknown-key",
        seed(GET_THINGS + "  expect:\n    code: 200\n"),
        "code:",
        "step 'list': unknown key 'expect.code'*",
    ),
    (
        "duplicate-id",
        seed(GET_THINGS + "- {id: list, method: POST, path: /v1/things}\n"),
        "method: POST",
        "step 'list': step id 'list' is already used on line *",
    ),
    (
        "step-method",
        seed("- id: list\n  method: FETCH\n  path: /v1/things\n"),
        "FETCH",
        "*not an HTTP method*",
    ),
    (
        "step-method",
        seed("- id: list\n  path: /v1/things\n"),
        "- id: list",
        "*'method' is missing*",
    ),
    ("step-path", seed("- id: list\n  method: GET\n"), "- id: list", "*'path' is missing*"),
    (
        "step-expect",
        seed(GET_THINGS + "  expect:\n    status: ok\n"),
        "expect:",
        "*'ok' is not an HTTP status*",
    ),
    (
        "step-onFail",
        seed(GET_THINGS + "  onFail: never\n"),
        "onFail",
        "*onFail 'never' is unknown*",
    ),
    (
        "step-value",
        seed(GET_THINGS + "  params: [a, b]\n"),
        "params:",
        "*'params' must be a mapping*",
    ),
    (
        "unknown-token",
        seed(GET_THINGS + "  token: stafff\n"),
        "token:",
        "step 'list': unknown token type 'stafff'; hint: did you mean 'staff'?",
    ),
    (
        "extract-jsonpath",
        seed(GET_THINGS + "  extract:\n    uid: data.items[0\n"),
        "uid:",
        "step 'list': extract 'uid': 'data.items[0' is not a JSONPath*",
    ),
    (
        "template-syntax",
        seed(GET_THINGS + "  params:\n    q: '{{ business_id | shout }}'\n"),
        "q:",
        "step 'list': {{business_id | shout}} in params.q uses unknown filter 'shout'*",
    ),
    (
        "used-before-extracted",
        seed(
            GET_THINGS + "  extract:\n    uid: $.data[0].uid\n",
            prerequisites="- id: early\n  method: GET\n  path: /v1/things/{{uid}}\n",
        ),
        "things/{{uid}}",
        "step 'early': {{uid}} in path is used before step 'list' (line *) extracts it*",
    ),
    (
        "unresolvable-name",
        seed(GET_THINGS + "  body:\n    items:\n      - service: '{{service_uid}}'\n"),
        "service:",
        "step 'list': {{service_uid}} in body.items[0].service: no earlier step extracts "
        "'service_uid'*SEEDS_PARAM_SERVICE_UID",
    ),
    (
        "swagger-file",
        seed(front="domain: demo\nswagger: specs/gone.json"),
        "swagger:",
        "swagger: 'specs/gone.json': Swagger file not found; 'GET /v1/things' is documented in "
        "specs/api.yaml; hint: swagger: specs/api.yaml",
    ),
    (
        "swagger-endpoint",
        seed("- id: drop\n  method: DELETE\n  path: /v1/things\n", endpoint="DELETE /v1/things"),
        "swagger:",
        "'DELETE /v1/things' is not documented in specs/api.yaml; hint: the file documents "
        "/v1/things for GET, POST, not DELETE",
    ),
    (
        "swagger-endpoint",
        seed("- id: a\n  method: GET\n  path: /things\n", endpoint="GET /things"),
        "swagger:",
        "*hint: its paths start with its base path /v1",
    ),
    (
        "swagger-step-method",
        seed(
            GET_THINGS,
            prerequisites="- id: prep\n  method: PUT\n  path: /v1/things/{{business_id}}\n",
        ),
        "- id: prep",
        "step 'prep': specs/api.yaml documents /v1/things/{{business_id}} for GET, not PUT*",
    ),
]
WARNINGS = [
    (
        "skip-reason-spellings",
        seed(front=BASE + "\nstatus: skip\nskip_reason: a\nskipReason: b"),
        "skipReason",
        "both 'skip_reason' and 'skipReason' are set*",
    ),
    ("tokens-list", seed(front=BASE + "\ntokens: [staff, robot]"), "tokens:", "unknown token type 'robot'*"),
    (
        "unknown-front-key",
        seed(front=BASE + "\nskip: true"),
        "skip: true",
        "unknown front-matter key 'skip'; hint: a seed is skipped by 'status: skip'*",
    ),
    ("step-id", seed("- method: GET\n  path: /v1/things\n"), "- method", "step 'test-1': the step has no 'id'*"),
    (
        "step-sleep",
        seed(GET_THINGS + "  sleep: 45000\n"),
        "sleep: 45000",
        "step 'list': sleep: 45000 ms is longer than --seeds-max-sleep (30 s): the run sleeps 30 s; "
        "hint: *",
    ),
    ("swagger-key", seed(front="domain: demo"), "endpoint:", "*no 'swagger' key; hint: swagger: specs/api.yaml"),
    (
        "swagger-other-file",
        seed("- id: w\n  method: GET\n  path: /v2/widgets\n", endpoint="GET /v2/widgets"),
        "swagger:",
        "'GET /v2/widgets' is not documented in specs/api.yaml but in specs/legacy.json*",
    ),
    (
        "swagger-other-file",
        seed(GET_THINGS + "- id: w\n  method: GET\n  path: /v2/widgets\n"),
        "- id: w",
        "step 'w': GET /v2/widgets is documented in specs/legacy.json, not in specs/api.yaml*",
    ),
    (
        "example-json",
        seed(extra='## Expected Response (200)\n\n```json\n{"data": [1,}\n```\n'),
        '{"data": [1,}',
        "the JSON example is not valid JSON*",
    ),
    (
        "example-schema",
        seed(extra='## Expected Response (200)\n\n```json\n{"data": 5}\n```\n'),
        "```json",
        "the example for status 200 does not match*",
    ),
]  # fmt: skip


def literal(glob: str) -> str:
    """A glob whose ``[`` are plain brackets (no character classes)."""
    return glob.replace("[", "[[]")


def _finding_line(name: str, text: str, needle: str, rule: str, glob: str) -> str:
    return literal(f"{name}.md:{line_of(text, needle)}: [{rule}] {glob}")


@pytest.mark.parametrize(("rule", "text", "needle", "glob"), CASES, ids=[c[0] for c in CASES])
def test_each_error_rule_fails_its_seed(
    specs: pytest.Pytester, rule: str, text: str, needle: str, glob: str
) -> None:
    specs.makefile(".md", seed_under_test=text)
    result = lint(specs)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*lint error(s):", _finding_line("seed_under_test", text, needle, rule, glob)]
    )


@pytest.mark.parametrize(("rule", "text", "needle", "glob"), WARNINGS, ids=[c[0] for c in WARNINGS])
def test_each_warning_rule_passes_its_seed_and_is_shown(
    specs: pytest.Pytester, rule: str, text: str, needle: str, glob: str
) -> None:
    specs.makefile(".md", seed_under_test=text)
    result = lint(specs, "-rA")
    result.assert_outcomes(passed=1, warnings=1)
    finding = _finding_line("seed_under_test", text, needle, rule, glob)
    result.stdout.fnmatch_lines(["*SeedLintWarning: *", "*PASSES*", "lint warnings:", finding])


def test_swagger_2_base_path_and_openapi_3_servers_are_honoured(specs: pytest.Pytester) -> None:
    legacy = "domain: demo\nswagger: specs/legacy.json"
    specs.makefile(
        ".md",
        widgets=seed(
            "- id: w\n  method: GET\n  path: /v2/widgets\n", legacy, endpoint="GET /v2/widgets"
        ),
    )
    specs.makefile(".md", thing=seed("- id: t\n  method: GET\n  path: /v1/things/42\n", endpoint="GET /v1/things/{id}"))  # fmt: skip
    result = lint(specs, "-rA")
    result.assert_outcomes(passed=2)
    assert "lint warnings" not in result.stdout.str()


@pytest.mark.parametrize("workers", [[], ["-n", "2"]])
def test_swagger_root_without_specs_is_one_warning_per_run(
    pytester: pytest.Pytester, workers: list[str]
) -> None:
    pytester.makefile(".md", lonely=seed(), alone=seed(), single=seed())
    result = lint(pytester, "-rA", *workers, subprocess=bool(workers))
    result.assert_outcomes(passed=3, warnings=1)
    told = literal("*[swagger-root] no Swagger/OpenAPI file under the Swagger root*")
    result.stdout.fnmatch_lines([told])
    assert result.stdout.str().count("[swagger-root]") == 1


def test_configured_values_resolve_names(specs: pytest.Pytester) -> None:
    """Names come from the config file, SEEDS_PARAM_*, and a conftest's seeds_params."""
    uses = (
        "  params:\n    a: '{{from_file}}'\n    b: '{{from_env}}'\n    c: '{{from_fixture.uid}}'\n"
    )
    specs.makefile(".md", names=seed(GET_THINGS + uses))
    specs.makefile(".json", values=json.dumps({"params": {"from_file": 1}}))
    specs.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def seeds_params(seeds_params):
            return {**seeds_params, "from_fixture": lambda: {"uid": "u"}}
        """
    )
    result = lint(specs)
    result.stdout.fnmatch_lines(["*{{from_file}}*", "*{{from_env}}*"], consecutive=False)
    assert "{{from_fixture.uid}} in" not in result.stdout.str()
    result.assert_outcomes(failed=1)
    config = f"--seeds-config={specs.path / 'values.json'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEEDS_PARAM_FROM_ENV", "2")
        lint(specs, config).assert_outcomes(passed=1)


def test_lint_sends_nothing_and_asks_for_no_other_fixture(
    specs: pytest.Pytester, httpserver: HTTPServer
) -> None:
    """No request, no token, no target: a conftest that would start a server is never used."""
    specs.makefile(".md", post_things=seed("- id: new\n  method: POST\n  path: /v1/things\n", endpoint="POST /v1/things"))  # fmt: skip
    specs.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def seeds_target():
            raise RuntimeError("lint must not ask for seeds_target")

        @pytest.fixture(scope="session")
        def seeds_client():
            raise RuntimeError("lint must not ask for seeds_client")
        """
    )
    result = lint(specs, f"--seeds-base-url={httpserver.url_for('/')}")
    result.assert_outcomes(passed=1)
    assert httpserver.log == []


def test_warnings_in_junit_xml(specs: pytest.Pytester) -> None:
    specs.makefile(".md", warned=seed(front=BASE + "\nskip: true"))
    xml = specs.path / "out.xml"
    lint(specs, f"--junitxml={xml}", "-o", "junit_logging=system-out").assert_outcomes(passed=1)
    assert "[unknown-front-key] unknown front-matter key 'skip'" in xml.read_text()
    lint(specs, f"--junitxml={xml}", "-o", "junit_family=xunit1").assert_outcomes(passed=1)
    assert '<property name="lint_warning" value="warned.md:' in xml.read_text()


def test_errors_and_warnings_of_one_seed_are_all_listed(specs: pytest.Pytester) -> None:
    text = seed(
        "- id: a\n  method: GET\n  path: /v1/things/{{nope}}\n  onfail: abort\n  token: robot\n",
        front="swagger: specs/api.yaml\ntokens: [robot]",
        endpoint="GET /v1/things/{id}",
    )
    specs.makefile(".md", many=text)
    result = lint(specs)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            literal(line)
            for line in [
                "4 lint error(s):",
                "many.md:*: [required-key]*",
                "many.md:*: [unresolvable-name]*{{nope}}*",
                "many.md:*: [unknown-key]*onfail*",
                "many.md:*: [unknown-token]*robot*",
                "lint warnings:",
                "many.md:*: [tokens-list]*robot*",
            ]
        ]
    )


def test_a_folder_of_mixed_seeds(specs: pytest.Pytester) -> None:
    """Clean, warned, broken and unreadable seeds side by side; other Markdown is passed over."""
    specs.makefile(
        ".md",
        a_clean=seed(),
        b_warned=seed(front=BASE + "\nnotes: hello"),
        c_broken_yaml=seed("- id: x\n\tmethod: GET\n"),
        d_bad_front="---\nendpoint: GET /v1/things\n  domain: [\n---\n",
        e_bad_step=seed("- id: a\n  method: GET\n  path: /v1/things\n  expect: {status: 999}\n"),
        f_crlf_bom="\ufeff" + seed().replace("\n", "\r\n"),
        g_yml_fence=seed().replace("```yaml", "```yml"),
        README="# Notes\n\nnot a seed\n",
    )
    (specs.path / "h_not_utf8.md").write_bytes(b"---\nendpoint: GET /v1/things\n---\n\xff\xfe\n")
    for arguments in ([], ["-n", "2"]):
        result = lint(specs, "-rA", *arguments, subprocess=bool(arguments))
        result.assert_outcomes(passed=4, failed=4, warnings=1)
        output = result.stdout.str() + result.stderr.str()
        assert "Traceback" not in output
        assert "pytest_seeds/" not in re.sub(r"pytest_seeds/plugin/\w+\.py", "", output)
        result.stdout.fnmatch_lines_random(
            [
                literal(line)
                for line in [
                    "FAILED c_broken_yaml.md::GET /v1/things*",
                    "FAILED d_bad_front.md::d_bad_front.md*",
                    "FAILED e_bad_step.md::GET /v1/things*",
                    "FAILED h_not_utf8.md::h_not_utf8.md*",
                    "*c_broken_yaml.md:*: [steps-block]*hint: indent with spaces, not tabs*",
                    "*d_bad_front.md:*: [unreadable] front matter is not valid YAML*",
                    "*e_bad_step.md:*: [step-expect]*999 is outside 100-599*",
                    "*h_not_utf8.md: [unreadable] the file is not UTF-8 text*",
                    "*b_warned.md:*: [unknown-front-key] unknown front-matter key 'notes'*",
                ]
            ]
        )


def test_lint_items_have_the_ids_of_a_normal_run(specs: pytest.Pytester) -> None:
    """Items keep the same names and order as a normal run."""
    specs.makefile(".md", b=seed(endpoint="POST /v1/things", test="- {id: n, method: POST, path: /v1/things}"), a=seed())  # fmt: skip
    lint_ids = [line for line in lint(specs, "--collect-only", "-q").outlines if "::" in line]
    run_ids = [line for line in run_seeds(specs, "--collect-only", "-q").outlines if "::" in line]
    assert lint_ids == run_ids == ["a.md::GET /v1/things", "b.md::POST /v1/things"]


def test_a_broken_seed_has_the_id_of_a_normal_run(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".md",
        step=seed("- {id: x, path: /v1/things}"),  # no method: the parser refuses it
        front="---\nendpoint: [not, closed\n---\n",  # unreadable front matter
    )
    lint_ids = [line for line in lint(pytester, "--collect-only", "-q").outlines if "::" in line]
    run_ids = [
        line for line in run_seeds(pytester, "--collect-only", "-q").outlines if "::" in line
    ]
    assert lint_ids == run_ids == ["front.md::front.md", "step.md::GET /v1/things"]


def test_help_mentions_the_flag(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*--seeds-lint*check seeds offline*"])


def test_the_sleep_cap_of_the_run_is_the_one_lint_checks(specs: pytest.Pytester) -> None:
    specs.makefile(
        ".md",
        slow=seed(GET_THINGS + "  sleep: 45000\n"),
        fine=seed(GET_THINGS + "  sleep: 30000\n"),
    )
    lint(specs, "-rA", "--seeds-max-sleep=60").assert_outcomes(passed=2)
    result = lint(specs, "-rA", "--seeds-max-sleep=40")
    result.assert_outcomes(passed=2, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*slow.md:*: [[]step-sleep] step 'list': sleep: 45000 ms is longer than --seeds-max-sleep (40 s)*"
        ]
    )
