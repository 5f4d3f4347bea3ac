"""Running seeds against a real HTTP server: what goes on the wire, and how outcomes come out.

The ``api`` server echoes every request back (``/status/<code>/...`` answers with that code),
so steps can extract from what they sent; ``sent(api)`` is what the server received.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from pytest_httpserver import HTTPServer

from pytest_seeds.running import runner
from tests.helpers import SECRETS, echoed, line_of, run_seeds, runpytest, seed_doc, sent, wire_args


def run(pytester: pytest.Pytester, api: HTTPServer, *args: str) -> pytest.RunResult:
    return run_seeds(pytester, *wire_args(api), *args)


@pytest.fixture(autouse=True)
def _tokens(tokens: dict[str, str]) -> None:
    """Every token type is configured for these tests."""


# --- authorization and routing ----------------------------------------------------------------


def test_authorization_schemes_and_base_urls(pytester: pytest.Pytester, api: HTTPServer) -> None:
    test = "".join(
        f"- {{id: {kind}, method: GET, path: /v1/{kind}, token: {kind}}}\n" for kind in SECRETS
    )
    test += "- {id: partner, method: POST, path: /v1/partners/leads, token: directory}\n"
    test += "- {id: legacy, method: GET, path: /v2/staffs, useFallback: true}\n"
    test += "- {id: legacy2, method: GET, path: /v2/other, useFallbackApi: true, token: admin}\n"
    pytester.makefile(".md", seed=seed_doc("GET /v1/x", test))
    run(pytester, api).assert_outcomes(passed=1)
    assert [(r.path, r.headers["Authorization"]) for r in sent(api)] == [
        ("/v1/staff", f"Bearer {SECRETS['staff']}"),
        ("/v1/app", f"Bearer {SECRETS['app']}"),
        ("/v1/client", f"Bearer {SECRETS['client']}"),
        ("/v1/directory", f"Bearer {SECRETS['directory']}"),
        ("/v1/admin", f"Admin {SECRETS['admin']}"),
        ("/v1/internal", f"Admin {SECRETS['internal']}"),
        ("/partners-api/v1/partners/leads", f'Token token="{SECRETS["directory"]}"'),
        ("/fallback/v2/staffs", f"Bearer {SECRETS['staff']}"),
        ("/fallback/v2/other", f"Admin {SECRETS['admin']}"),
    ]


def test_front_matter_fallback_sends_every_step_to_the_fallback_url(
    pytester: pytest.Pytester, api: HTTPServer
) -> None:
    pytester.makefile(
        ".md",
        seed=seed_doc(
            "GET /v2/a", front="useFallbackApi: true", prerequisites="- {method: GET, path: /v2/p}"
        ),
    )
    run(pytester, api).assert_outcomes(passed=1)
    assert [r.path for r in sent(api)] == ["/fallback/v2/p", "/fallback/v1/things"]


SWAGGER = {
    "swagger": "2.0",
    "basePath": "/",
    "paths": {
        "/v1/directory/businesses/{id}": {
            "get": {
                "parameters": [
                    {"name": "X-On-Behalf-Of", "in": "header", "type": "string"},
                    {"name": "id", "in": "path", "type": "string", "required": True},
                ],
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/v1/directory/plain": {"get": {"responses": {"200": {"description": "ok"}}}},
    },
}


def test_x_on_behalf_of(
    pytester: pytest.Pytester, api: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    (pytester.path / "specs").mkdir()
    (pytester.path / "specs" / "directory.json").write_text(json.dumps(SWAGGER))
    monkeypatch.setenv("SEEDS_PARAM_BUSINESS_UID", "biz-1")
    test = """
        - {id: declared, method: GET, path: "/v1/directory/businesses/{{business_uid}}", token: directory}
        - {id: asked, method: GET, path: /v1/directory/plain?asked, token: directory, x_on_behalf_of: true}
        - {id: plain, method: GET, path: /v1/directory/plain?plain, token: directory}
        - {id: refused, method: GET, path: /v1/directory/businesses/no, token: directory, x_on_behalf_of: false}
        - {id: staff, method: GET, path: /v1/directory/plain?staff, token: staff, x_on_behalf_of: true}
    """
    front = "swagger: directory.json"
    pytester.makefile(".md", seed=seed_doc("GET /v1/directory/businesses/{id}", test, front=front))
    run(pytester, api, f"--seeds-swagger-root={pytester.path / 'specs'}").assert_outcomes(passed=1)
    assert [(r.full_path, r.headers.get("X-On-Behalf-Of")) for r in sent(api)] == [
        ("/v1/directory/businesses/biz-1?", "biz-1"),
        ("/v1/directory/plain?asked", "biz-1"),
        ("/v1/directory/plain?plain", None),
        ("/v1/directory/businesses/no?", None),
        ("/v1/directory/plain?staff", None),
    ]


def test_x_on_behalf_of_prefers_an_extracted_business_uid(
    pytester: pytest.Pytester, api: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDS_PARAM_BUSINESS_UID", "configured")
    test = """
        - id: find
          method: POST
          path: /v1/find
          body: {uid: from-response}
          extract: {business_uid: $.json.uid}
        - {id: act, method: GET, path: /v1/act, token: directory, x_on_behalf_of: true}
    """
    pytester.makefile(".md", seed=seed_doc("GET /v1/act", test))
    run(pytester, api).assert_outcomes(passed=1)
    assert sent(api)[-1].headers["X-On-Behalf-Of"] == "from-response"


@pytest.mark.parametrize(
    ("step", "message", "paths"),
    [
        pytest.param(
            "- {id: old, method: GET, path: /v2/a, useFallback: true}",
            "  no fallback URL is configured: pass --seeds-fallback-url or set SEEDS_FALLBACK_URL",
            [],
            id="no-fallback-url",
        ),
        pytest.param(
            "- {id: act, method: GET, path: /v1/act, token: directory, x_on_behalf_of: true}",
            "  {{business_uid}} in step 'act' X-On-Behalf-Of header is not defined",
            [],
            id="no-business-uid",
        ),
        pytest.param(
            "- {id: find, method: GET, path: /v1/find, extract: {uid: $.data.nothing}}",
            "  extract 'uid': '$.data.nothing' matched nothing in the response",
            ["/v1/find"],
            id="extract-matches-nothing",
        ),
    ],
)
def test_a_failing_step_says_why(
    pytester: pytest.Pytester, api: HTTPServer, step: str, message: str, paths: list[str]
) -> None:
    pytester.makefile(".md", seed=seed_doc("GET /v1/x", step))
    result = run_seeds(pytester, f"--seeds-base-url={api.url_for('/')}")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([message])
    assert [r.path for r in sent(api)] == paths


# --- what a request carries -------------------------------------------------------------------


def test_params_headers_and_body(
    pytester: pytest.Pytester, api: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDS_PARAM_BUSINESS_ID", "biz-9")
    test = """
        - id: list
          method: GET
          path: "/v1/items?sort=name"
          params: {page: 2, business: "{{business_id}}", active: true}
          headers: {X-Trace: "t-{{business_id}}", X-Count: 3}
        - id: create
          method: POST
          path: /v1/items
          params: {notify: false}
          body:
            name: "Item {{business_id}}"
            count: 3
            tags: [a, "{{business_id}}"]
            when: "{{today_date}}"
            empty: null
        - id: remove
          method: DELETE
          path: /v1/items/1
          params: {force: 1}
    """
    pytester.makefile(".md", seed=seed_doc("GET /v1/items", test))
    run(pytester, api).assert_outcomes(passed=1)
    listing, create, remove = sent(api)
    assert listing.method == "GET"
    assert listing.args.to_dict() == {
        "sort": "name",
        "page": "2",
        "business": "biz-9",
        "active": "true",
    }
    assert (listing.headers["X-Trace"], listing.headers["X-Count"]) == ("t-biz-9", "3")
    assert listing.get_data() == b""
    assert create.method == "POST"
    assert create.args.to_dict() == {"notify": "false"}
    assert create.headers["Content-Type"] == "application/json"
    body = create.get_json()
    assert body["name"] == "Item biz-9" and body["count"] == 3 and body["tags"] == ["a", "biz-9"]
    assert body["empty"] is None and len(body["when"]) == 10
    assert (remove.method, remove.args.to_dict()) == ("DELETE", {"force": "1"})


def test_expect_status_list_and_expected_outcome(
    pytester: pytest.Pytester, api: HTTPServer
) -> None:
    test = """
        - {id: own, method: POST, path: /status/201/a, expect: {status: [200, 201]}}
        - {id: inherited, method: POST, path: /status/422/b}
        - {id: wrong, method: POST, path: /status/200/c}
    """
    pytester.makefile(".md", seed=seed_doc("POST /a", test, front="expectedOutcome: 422"))
    result = run(pytester, api)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["POST /a: step 'wrong' (Test Request) failed", "  expected status 422, received 200*"]
    )
    assert [r.path for r in sent(api)] == ["/status/201/a", "/status/422/b", "/status/200/c"]


def test_extract_feeds_later_paths_and_bodies(pytester: pytest.Pytester, api: HTTPServer) -> None:
    test = """
        - id: create
          method: POST
          path: /v1/clients
          body:
            clients: [{uid: c-1, kind: lead}, {uid: c-2, kind: client}, {uid: c-3, kind: client}]
          extract:
            lead: "$.json.clients[?(@.kind=='lead')].uid"
            second_client: "$.json.clients[?(@.kind=='client')][1].uid"
            everything: $.json
        - id: use
          method: PUT
          path: "/v1/clients/{{lead}}/{{everything.clients.1.uid}}"
          body: {ref: "{{second_client}}", all: "{{everything.clients}}"}
    """
    pytester.makefile(".md", seed=seed_doc("PUT /v1/clients/{uid}", test))
    run(pytester, api).assert_outcomes(passed=1)
    use = sent(api)[1]
    assert use.path == "/v1/clients/c-1/c-2"
    assert use.get_json()["ref"] == "c-3"
    assert [c["uid"] for c in use.get_json()["all"]] == ["c-1", "c-2", "c-3"]


def test_values_are_stable_within_a_seed_and_fresh_across_seeds(
    pytester: pytest.Pytester, api: HTTPServer
) -> None:
    test = """
        - {method: POST, path: /a, body: {email: "{{random_email}}", id: "{{unique_id}}"}}
        - {method: POST, path: /b, body: {email: "{{random_email}}", id: "{{unique_id}}"}}
    """
    pytester.makefile(".md", one=seed_doc("POST /a", test), two=seed_doc("POST /b", test))
    run(pytester, api).assert_outcomes(passed=2)
    bodies = [r.get_json() for r in sent(api)]
    assert bodies[0] == bodies[1] and bodies[2] == bodies[3]
    assert bodies[0]["email"] != bodies[2]["email"]


def test_all_test_request_steps_run_in_order(pytester: pytest.Pytester, api: HTTPServer) -> None:
    test = "".join(f"- {{id: s{n}, method: GET, path: /v1/step/{n}}}\n" for n in range(1, 5))
    extra = (
        "## Test Request (second block)\n\n```yaml\nsteps:\n"
        "  - {id: s5, method: GET, path: /v1/step/5}\n```\n"
    )
    pytester.makefile(".md", seed=seed_doc("GET /v1/step", test, extra=extra))
    run(pytester, api).assert_outcomes(passed=1)
    assert [r.path for r in sent(api)] == [f"/v1/step/{n}" for n in range(1, 6)]


def test_an_unresolved_template_is_never_sent(pytester: pytest.Pytester, api: HTTPServer) -> None:
    test = """
        - {id: first, method: GET, path: /v1/first}
        - {id: second, method: POST, path: /v1/second, body: {client: "{{client_uid}}"}}
        - {id: third, method: GET, path: /v1/third}
    """
    text = seed_doc("POST /v1/second", test)
    pytester.makefile(".md", seed=text)
    result = run(pytester, api)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "POST /v1/second: step 'second' (Test Request) failed",
            "  {{client_uid}} in step 'second' body.client is not defined",
            f"  seed: seed.md:{line_of(text, 'id: second')}",
        ]
    )
    assert [r.path for r in sent(api)] == ["/v1/first"]


# --- multipart uploads ------------------------------------------------------------------------

UPLOAD = """
- id: upload
  method: POST
  path: /v1/documents
  content_type: multipart
  form_fields: {title: "Report {{business_id}}", count: 2}
  file_fields:
    - {field_name: file, file_path: "FILE", filename: renamed.txt}
"""


def test_multipart_upload_from_the_seed_folder_and_the_files_dir(
    pytester: pytest.Pytester, api: HTTPServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SEEDS_PARAM_BUSINESS_ID", "b7")
    (pytester.path / "files").mkdir()
    (pytester.path / "files" / "near.txt").write_text("next to the seed")
    shared = tmp_path / "shared-files"
    (shared / "docs").mkdir(parents=True)
    (shared / "docs" / "far.txt").write_text("from the files dir")
    pytester.makefile(
        ".md",
        near=seed_doc("POST /v1/documents", UPLOAD.replace("FILE", "files/near.txt")),
        far=seed_doc("POST /v1/documents", UPLOAD.replace("FILE", "docs/far.txt")),
    )
    run(pytester, api, f"--seeds-files-dir={shared}").assert_outcomes(passed=2)
    far, near = echoed(api)
    for echo, content in ((near, "next to the seed"), (far, "from the files dir")):
        assert echo["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
        assert echo["form"] == {"title": "Report b7", "count": "2"}
        assert echo["files"] == {"file": {"filename": "renamed.txt", "content": content}}


def test_an_upload_outside_the_allowed_folders_is_refused(
    pytester: pytest.Pytester, api: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDS_PARAM_BUSINESS_ID", "b7")
    (pytester.path / "seeds").mkdir()
    (pytester.path / "secret.txt").write_text("not for upload")
    shared = tmp_path / "files"
    shared.mkdir()
    path = pytester.path / "seeds" / "up.md"
    path.write_text(seed_doc("POST /v1/documents", UPLOAD.replace("FILE", "../secret.txt")))
    result = runpytest(
        pytester, f"--seeds-dir={path.parent}", *wire_args(api), f"--seeds-files-dir={shared}"
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            f"  file_fields '../secret.txt' is not a file inside {path.parent} or {shared}; "
            "upload files must live in the seed's folder or in --seeds-files-dir"
        ]
    )
    assert sent(api) == []


# --- outcomes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("on_fail", ["continue", "skip", "warn"])
def test_on_fail_goes_on_with_a_warning(
    pytester: pytest.Pytester, api: HTTPServer, on_fail: str
) -> None:
    test = f"""
        - {{id: flaky, method: GET, path: /status/409/flaky, onFail: {on_fail}}}
        - {{id: after, method: GET, path: /v1/after}}
    """
    text = seed_doc("GET /v1/after", test)
    pytester.makefile(".md", seed=text)
    result = run(pytester, api)
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            f"*SeedStepWarning: seed.md:{line_of(text, 'id: flaky')}: "
            f"step 'flaky' failed (expected status 200, received 409*); onFail: {on_fail}, going on"
        ]
    )
    assert [r.path for r in sent(api)] == ["/status/409/flaky", "/v1/after"]


def test_on_fail_abort_stops_the_seed(pytester: pytest.Pytester, api: HTTPServer) -> None:
    test = """
        - {id: bad, method: GET, path: /status/409/bad}
        - {id: never, method: GET, path: /v1/never}
    """
    pytester.makefile(".md", seed=seed_doc("GET /v1/x", test))
    run(pytester, api).assert_outcomes(failed=1)
    assert [r.path for r in sent(api)] == ["/status/409/bad"]


def test_sleep_after_a_successful_step(
    pytester: pytest.Pytester, api: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(runner, "time", SimpleNamespace(sleep=slept.append))
    test = """
        - {method: GET, path: /a, sleep: 250}
        - {method: GET, path: /b}
        - {method: GET, path: /status/409/c, sleep: 100, onFail: continue}
    """
    pytester.makefile(".md", seed=seed_doc("GET /a", test))
    run(pytester, api).assert_outcomes(passed=1, warnings=1)
    assert slept == [0.25]


def test_a_prerequisite_abort_is_a_setup_error(pytester: pytest.Pytester, api: HTTPServer) -> None:
    pytester.makefile(
        ".md",
        a_setup=seed_doc(
            "GET /v1/a", prerequisites="- {id: prep, method: GET, path: /status/409/prep}"
        ),
        b_call=seed_doc("GET /v1/b", "- {id: call, method: GET, path: /status/409/call}"),
    )
    result = run(pytester, api)
    result.assert_outcomes(errors=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of GET /v1/a*",
            "GET /v1/a: step 'prep' (Prerequisites) failed",
            "*FAILURES*",
            "GET /v1/b: step 'call' (Test Request) failed",
        ]
    )
    assert [r.path for r in sent(api)] == ["/status/409/prep", "/status/409/call"]


@pytest.mark.parametrize(
    ("test_path", "outcomes"),
    [("/v1/ok", {"passed": 1}), ("/status/409/bad", {"failed": 1})],
)
def test_cleanup_runs_after_a_passing_and_a_failing_test(
    pytester: pytest.Pytester, api: HTTPServer, test_path: str, outcomes: dict[str, int]
) -> None:
    pytester.makefile(
        ".md",
        seed=seed_doc(
            "GET /v1/x",
            f"- {{id: call, method: GET, path: {test_path}}}",
            prerequisites=(
                "- {id: make, method: POST, path: /v1/make, body: {uid: u1}, "
                "extract: {uid: $.json.uid}}"
            ),
            cleanup="- {id: clean, method: DELETE, path: '/v1/things/{{uid}}'}",
        ),
    )
    run(pytester, api).assert_outcomes(**outcomes)
    assert [r.path for r in sent(api)] == ["/v1/make", test_path, "/v1/things/u1"]


@pytest.mark.parametrize(
    ("test_path", "outcomes"),
    [("/v1/ok", {"passed": 1, "errors": 1}), ("/status/409/bad", {"failed": 1, "errors": 1})],
)
def test_a_cleanup_failure_is_a_teardown_error_that_keeps_the_result(
    pytester: pytest.Pytester, api: HTTPServer, test_path: str, outcomes: dict[str, int]
) -> None:
    cleanup = (
        "- {id: clean, method: DELETE, path: /status/409/clean}\n"
        "- {id: more, method: DELETE, path: /v1/more}"
    )
    pytester.makefile(
        ".md",
        seed=seed_doc(
            "GET /v1/x", f"- {{id: call, method: GET, path: {test_path}}}", cleanup=cleanup
        ),
    )
    result = run(pytester, api)
    result.assert_outcomes(**outcomes)
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of GET /v1/x*", "GET /v1/x: step 'clean' (Cleanup) failed"]
    )
    assert [r.path for r in sent(api)] == [test_path, "/status/409/clean"]
