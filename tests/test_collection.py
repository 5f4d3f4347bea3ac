"""Collection of seeds into pytest items: names, selection, status handling, broken seeds."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from tests.helpers import line_of, run_seeds, runpytest, seed_doc, sent, wire_args

FAILING = "- id: boom\n  method: GET\n  path: /status/418/boom\n"


def test_one_item_per_seed_named_by_endpoint_in_path_order(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", b_clients=seed_doc("POST /platform/v1/clients"))
    pytester.makefile(".md", a_leads=seed_doc("GET /v1/partners/leads"))
    (pytester.path / "sub").mkdir()
    (pytester.path / "sub" / "0_first.md").write_text(seed_doc("DELETE /v1/x/{id}"))
    pytester.makefile(".md", README="# Seeds\n\nHow to write them.\n")
    pytester.makefile(".md", template="---\ntitle: template\n---\n")
    result = run_seeds(pytester, "--collect-only", "-q")
    result.stdout.fnmatch_lines(
        [
            "a_leads.md::GET /v1/partners/leads",
            "b_clients.md::POST /platform/v1/clients",
            "sub/0_first.md::DELETE /v1/x/{id}",
            "3 tests collected*",
        ]
    )
    assert result.ret == pytest.ExitCode.OK


def test_a_seeds_run_does_not_import_the_test_suites_conftest(pytester: pytest.Pytester) -> None:
    """``pytest --seeds-dir seeds`` with ``testpaths = tests``: tests/conftest.py is not loaded."""
    pytester.makeini("[pytest]\ntestpaths = tests\n")
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "conftest.py").write_text("import not_installed_test_dependency\n")
    (pytester.path / "seeds").mkdir()
    (pytester.path / "seeds" / "a.md").write_text(seed_doc("GET /v1/things"))
    result = runpytest(pytester, "--seeds-dir", "seeds", "--collect-only", "-q")
    result.stdout.fnmatch_lines(["seeds/a.md::GET /v1/things", "1 test collected*"])
    assert "not_installed_test_dependency" not in result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.OK


def test_collect_only_tree(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", get_things=seed_doc("GET /v1/things"))
    result = run_seeds(pytester, "--collect-only")
    result.stdout.fnmatch_lines(["  <SeedFile get_things.md>", "    <SeedItem GET /v1/things>"])


def selected(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if ".md::" in line]


@pytest.fixture
def labelled(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(
        ".md",
        get_calendar_items=seed_doc(
            "GET /business/scheduling/v1/calendar_items",
            front="domain: scheduling\ntags: [calendar, sync]",
        ),
        post_clients=seed_doc(
            "POST /platform/v1/clients", front="domain: clients\ntags: [Platform API, skip]"
        ),
        get_leads=seed_doc("GET /v1/partners/leads", front="domain: sales"),
    )
    return pytester


@pytest.mark.parametrize(
    ("expression", "files"),
    [
        ("scheduling", ["get_calendar_items.md"]),
        ("calendar_items", ["get_calendar_items.md"]),
        ("partners and leads", ["get_leads.md"]),
        ("POST", ["post_clients.md"]),
        ("post_clients", ["post_clients.md"]),
        ("not v1", []),
    ],
)
def test_keyword_selection(labelled: pytest.Pytester, expression: str, files: list[str]) -> None:
    result = run_seeds(labelled, "--collect-only", "-q", "-k", expression)
    assert [line.split("::")[0] for line in selected(result)] == files


@pytest.mark.parametrize(
    ("expression", "files"),
    [
        ("scheduling", ["get_calendar_items.md"]),
        ("calendar and sync", ["get_calendar_items.md"]),
        ("clients or sales", ["get_leads.md", "post_clients.md"]),
        ("platform_api", ["post_clients.md"]),
        ("seed_skip", ["post_clients.md"]),
        ("seed and not scheduling", ["get_leads.md", "post_clients.md"]),
    ],
)
def test_marker_selection_with_strict_markers(
    labelled: pytest.Pytester, expression: str, files: list[str]
) -> None:
    result = run_seeds(labelled, "--collect-only", "-q", "--strict-markers", "-m", expression)
    assert result.ret in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED)
    assert [line.split("::")[0] for line in selected(result)] == files


def test_seed_marker_is_registered(labelled: pytest.Pytester) -> None:
    result = run_seeds(labelled, "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.seed: a test collected from a seed document"])


def test_domain_and_tag_markers_are_listed_with_the_seed_folders(
    labelled: pytest.Pytester,
) -> None:
    labelled.makeini(f"[pytest]\nseeds_dir = {labelled.path}\n")
    for result in (run_seeds(labelled, "--markers"), runpytest(labelled, "--markers")):
        result.stdout.fnmatch_lines_random(
            [
                "@pytest.mark.scheduling: seeds labelled 'scheduling'",
                "@pytest.mark.calendar: seeds labelled 'calendar'",
                "@pytest.mark.platform_api: seeds labelled 'Platform API'",
                "@pytest.mark.seed_skip: seeds labelled 'skip'",
                "@pytest.mark.sales: seeds labelled 'sales'",
            ]
        )


def test_node_id_selection(pytester: pytest.Pytester, api: HTTPServer, tokens: dict) -> None:
    pytester.makefile(
        ".md", get_things=seed_doc("GET /v1/things"), get_other=seed_doc("GET /v1/other")
    )
    result = runpytest(
        pytester, "get_things.md::GET /v1/things", f"--seeds-dir={pytester.path}", *wire_args(api)
    )
    result.assert_outcomes(passed=1)
    assert len(api.log) == 1


def test_last_failed_reruns_only_the_failed_seed(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict
) -> None:
    pytester.makefile(".md", ok=seed_doc("GET /v1/ok"), bad=seed_doc("GET /v1/bad", FAILING))
    run_seeds(pytester, *wire_args(api)).assert_outcomes(passed=1, failed=1)
    api.clear_log()
    result = run_seeds(pytester, "--lf", *wire_args(api))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["run-last-failure: rerun previous 1 failure*"])
    assert [request.path for request, _ in api.log] == ["/status/418/boom"]


# --- broken seeds -----------------------------------------------------------------------------


def test_a_broken_seed_is_an_error_for_that_file_alone(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict
) -> None:
    text = seed_doc("GET /v1/broken", "- id: nomethod\n  path: /v1/x\n")
    pytester.makefile(".md", broken=text, good=seed_doc("GET /v1/good"))
    result = run_seeds(pytester, *wire_args(api))
    result.assert_outcomes(passed=1, errors=1)
    line = line_of(text, "- id: nomethod")
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of GET /v1/broken*",  # its steps are typed when it runs
            f"broken seed {pytester.path / 'broken.md'}:{line}: step 'nomethod': 'method' is missing",
            "  hint: every step needs 'method' and 'path'",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    assert [request.path for request, _ in api.log] == ["/v1/things"]


def test_broken_front_matter_does_not_stop_collection(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", a='---\nendpoint: "GET /a"\ntags: [x\n---\n', b=seed_doc("GET /b"))
    result = run_seeds(pytester, "--collect-only", "-q")
    result.stdout.fnmatch_lines(["a.md::a.md", "b.md::GET /b", "2 tests collected*"])


def test_unknown_status_is_reported_on_that_seed(pytester: pytest.Pytester, tokens: dict) -> None:
    text = seed_doc("GET /v1/x", front="status: wip")
    pytester.makefile(".md", wip=text)
    result = run_seeds(pytester, "--seeds-base-url=http://127.0.0.1:9")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            f"GET /v1/x: {pytester.path / 'wip.md'}:2: unknown status 'wip'",
            "  hint: use one of verified, *",
        ]
    )


def test_no_executable_test_request_is_reported(pytester: pytest.Pytester, tokens: dict) -> None:
    text = seed_doc("GET /v1/x", None, extra='## Test Request\n\n```json\n{"method": "GET"}\n```\n')
    pytester.makefile(".md", old=text)
    result = run_seeds(pytester, "--seeds-base-url=http://127.0.0.1:9")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*no executable Test Request: its '## Test Request' section (line *) holds a ```json block*"
        ]
    )


# --- statuses ---------------------------------------------------------------------------------


def test_skip_statuses(pytester: pytest.Pytester, tokens: dict) -> None:
    pytester.makefile(
        ".md",
        a_skip=seed_doc("GET /a", front="status: skip\nskip_reason: Needs a CalendarSync record"),
        b_skipped=seed_doc(
            "GET /b", front="status: Skipped", extra="## Skip Reason\n\nOnly in prod.\n"
        ),
        c_deprecated=seed_doc("GET /c", front="status: deprecated"),
        d_camel=seed_doc("GET /d", front="status: skip\nskipReason: camel spelling"),
    )
    result = run_seeds(pytester, "-rs", "--seeds-base-url=http://127.0.0.1:9")
    result.assert_outcomes(skipped=4)
    result.stdout.fnmatch_lines(
        [
            "SKIPPED [1] a_skip.md: Needs a CalendarSync record",
            "SKIPPED [1] b_skipped.md: Only in prod.",
            "SKIPPED [1] c_deprecated.md: the seed's status is 'deprecated'",
            "SKIPPED [1] d_camel.md: camel spelling",
        ]
    )


def test_failed_status_is_a_non_strict_xfail(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict
) -> None:
    pytester.makefile(
        ".md",
        still_failing=seed_doc(
            "GET /a", FAILING, front="status: failed\nskipReason: upstream bug 42"
        ),
        fixed=seed_doc("GET /b", front="status: failed"),
    )
    result = run_seeds(pytester, "-rxX", *wire_args(api))
    result.assert_outcomes(xfailed=1, xpassed=1)
    result.stdout.fnmatch_lines(["XFAIL still_failing.md::GET /a - upstream bug 42"])
    assert result.ret == pytest.ExitCode.OK


@pytest.mark.parametrize("status", ["pending", "verified", "success", "pass", "PASS", ""])
def test_running_statuses(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict, status: str
) -> None:
    pytester.makefile(".md", seed=seed_doc("GET /a", front=f"status: '{status}'"))
    run_seeds(pytester, *wire_args(api)).assert_outcomes(passed=1)
    assert len(api.log) == 1


def test_status_skip_sends_nothing(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict
) -> None:
    pytester.makefile(
        ".md",
        seed=seed_doc("GET /a", prerequisites="- {method: GET, path: /p}", front="status: skip"),
    )
    run_seeds(pytester, *wire_args(api)).assert_outcomes(skipped=1)
    assert api.log == []


# --- tokens and values from fixtures ----------------------------------------------------------


def test_missing_token_type_skips_with_how_to_supply_it(
    pytester: pytest.Pytester, api: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDS_TOKEN_STAFF", "staff-token")
    pytester.makefile(
        ".md",
        needs_two=seed_doc(
            "GET /a",
            "- {method: GET, path: /a, token: directory}\n- {method: GET, path: /b, token: admin}\n",
            prerequisites="- {method: GET, path: /p}",
        ),
    )
    result = run_seeds(pytester, "-rs", *wire_args(api))
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        [
            "SKIPPED [1] needs_two.md:2: no 'admin', 'directory' token configured: "
            "set SEEDS_TOKEN_ADMIN, SEEDS_TOKEN_DIRECTORY, add it under 'tokens:' in the "
            "--seeds-config file, or override the seeds_tokens fixture"
        ]
    )
    assert api.log == []


CONFTEST_OVERRIDE = """
import itertools
import pytest

counter = itertools.count(1)

@pytest.fixture(scope="session")
def seeds_tokens(seeds_tokens):
    return {**seeds_tokens, "staff": "computed-" + "-".join(["staff", "token"])}

@pytest.fixture(scope="session")
def seeds_params(seeds_params):
    return {**seeds_params, "business_id": "b-42", "order_no": lambda: f"order-{next(counter)}"}
"""


def test_conftest_overrides_tokens_and_params(pytester: pytest.Pytester, api: HTTPServer) -> None:
    pytester.makeconftest(CONFTEST_OVERRIDE)
    test = (
        "- {id: one, method: GET, path: '/v1/{{business_id}}/{{order_no}}'}\n"
        "- {id: two, method: GET, path: '/v1/again/{{order_no}}'}\n"
    )
    pytester.makefile(".md", a=seed_doc("GET /a", test), b=seed_doc("GET /b", test))
    run_seeds(pytester, *wire_args(api)).assert_outcomes(passed=2)
    requests = [request for request, _ in api.log]
    assert [r.path for r in requests] == [
        "/v1/b-42/order-1",
        "/v1/again/order-1",
        "/v1/b-42/order-2",
        "/v1/again/order-2",
    ]
    assert {r.headers["Authorization"] for r in requests} == {"Bearer computed-staff-token"}


def test_top_conftest_overrides_serve_every_folder_and_worker(
    pytester: pytest.Pytester, api: HTTPServer
) -> None:
    """One value per run: an override at the top reaches the seeds of sub-folders, under xdist."""
    pytester.makeconftest(CONFTEST_OVERRIDE)
    test = "- {id: one, method: GET, path: '/v1/{{business_id}}/{{order_no}}'}\n"
    for folder in ("a", "b"):
        (pytester.path / folder).mkdir()
        for n in range(2):
            seed = seed_doc(f"GET /{folder}{n}", test)
            (pytester.path / folder / f"s{n}.md").write_text(seed)
    result = run_seeds(pytester, *wire_args(api), "-n", "2", subprocess=True)
    result.assert_outcomes(passed=4)
    requests = sent(api)
    assert len(requests) == 4
    assert all(r.path.startswith("/v1/b-42/order-") for r in requests)
    assert {r.headers["Authorization"] for r in requests} == {"Bearer computed-staff-token"}


HEAVY_MODULES_CONFTEST = """
import sys

def pytest_sessionfinish(session):
    heavy = [m for m in ("jsonschema", "referencing", "pytest_seeds.lint", "harfile") if m in sys.modules]
    print("heavy modules:", heavy or "none")
"""


def test_a_run_without_documented_operations_imports_no_heavy_module(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict
) -> None:
    """jsonschema (contract checks), lint and HAR load only when a run uses them."""
    pytester.makeconftest(HEAVY_MODULES_CONFTEST)
    pytester.makefile(".md", a=seed_doc())
    result = run_seeds(pytester, *wire_args(api), "-s", subprocess=True)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*heavy modules: none"])


# Collection reads each seed's head (front matter); its steps are typed when it runs, in the
# process that runs it. Any defect of a step block is then that seed's error, with its line.
BROKEN_STEPS = {
    "yaml": ("- id: bad\n  method: GET\n  path: [unclosed\n", "path: [unclosed"),
    "unknown key": ("- id: bad\n  method: GET\n  path: /v1/x\n  expct: {}\n", "expct"),
    "method": ("- id: bad\n  method: FETCH\n  path: /v1/x\n", "method: FETCH"),
    "status": ("- id: bad\n  method: GET\n  path: /v1/x\n  expect: {status: 999}\n", "expect"),
    "jsonpath": (
        "- id: bad\n  method: GET\n  path: /v1/x\n  expect:\n    json:\n      '$..[(': 1\n",
        "'$..[('",
    ),
    "steps type": ("steps_are: here\n", None),
}


@pytest.mark.parametrize("kind", sorted(BROKEN_STEPS))
def test_a_broken_step_block_is_listed_and_errors_when_its_seed_runs(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict, kind: str
) -> None:
    steps, needle = BROKEN_STEPS[kind]
    text = seed_doc("GET /v1/broken", steps)
    if kind == "steps type":  # a block without 'steps:': no executable Test Request
        text = text.replace("steps:\n", "")
    pytester.makefile(".md", broken=text, good=seed_doc("GET /v1/good"))
    listed = run_seeds(pytester, "--collect-only", "-q")
    listed.stdout.fnmatch_lines(["broken.md::GET /v1/broken", "good.md::GET /v1/good"])
    assert listed.ret == pytest.ExitCode.OK
    result = run_seeds(pytester, *wire_args(api))
    result.assert_outcomes(passed=1, errors=1)
    where = f"{pytester.path / 'broken.md'}:{line_of(text, needle)}" if needle else "broken.md"
    assert where in result.stdout.str()
    assert "Traceback" not in result.stdout.str()


@pytest.mark.parametrize("status", ["skip", "deprecated", "failed"])
def test_a_broken_seed_whose_status_decides_its_outcome_is_an_error(
    pytester: pytest.Pytester, status: str
) -> None:
    """Typed at collection, as its status would otherwise hide the defect (skip or xfail)."""
    pytester.makefile(
        ".md",
        broken=seed_doc("GET /v1/broken", BROKEN_STEPS["method"][0], front=f"status: {status}"),
    )
    result = run_seeds(pytester, "--seeds-base-url=http://127.0.0.1:9")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*'FETCH' is not an HTTP method*"])


@pytest.mark.parametrize("workers", [[], ["-n", "2"]])
def test_each_seeds_steps_are_typed_once_per_run(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict, workers: list[str]
) -> None:
    """Every xdist worker collects every seed; only the one that runs a seed types its steps."""
    log = pytester.path / "typed.log"
    pytester.makeconftest(
        "import os\n"
        "import pytest_seeds.plugin.items as items\n"
        "build = items.build_seed\n"
        "def counted(document, *head):\n"
        f"    with open({str(log)!r}, 'a') as log:\n"
        "        log.write(document.path.name + '\\n')\n"
        "    return build(document, *head)\n"
        "items.build_seed = counted\n"
        "def pytest_unconfigure(config):\n"
        "    items.build_seed = build\n"
    )
    names = [f"seed_{number}" for number in range(6)]
    pytester.makefile(".md", **{name: seed_doc(f"GET /v1/things?n={name}") for name in names})
    result = run_seeds(pytester, *wire_args(api), *workers, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)
    assert sorted(log.read_text().split()) == [f"{name}.md" for name in names]
