"""JUnit XML of a run of repository-like seeds, alone and under ``-n 2``: same outcomes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.helpers import SECRETS, line_of, run_seeds, seed_doc, wire_args

SEEDS = {
    "get_clients": seed_doc(
        "GET /platform/v1/clients",
        "- {id: list, method: GET, path: /platform/v1/clients, params: {per_page: 5}}\n"
        "- {id: one, method: GET, path: '/platform/v1/clients/{{client_uid}}'}",
        front="domain: clients\ntags: [platform]\nstatus: verified",
        prerequisites=(
            "- {id: make, method: POST, path: /platform/v1/clients, body: {uid: c-1}, "
            "extract: {client_uid: $.json.uid}}"
        ),
        cleanup="- {id: remove, method: DELETE, path: '/platform/v1/clients/{{client_uid}}'}",
    ),
    "post_leads": seed_doc(
        "POST /v1/partners/leads",
        "- {id: lead, method: POST, path: /v1/partners/leads, token: directory, body: {a: 1}}",
        front="domain: platform_administration\nstatus: pending",
    ),
    "put_calendar_sync": seed_doc(
        "PUT /business/scheduling/v1/external_calendar_items/bulk_create",
        front="domain: scheduling\nstatus: skip\nskip_reason: Requires CalendarSync record",
    ),
    "get_old_report": seed_doc(
        "GET /v2/reports",
        front="status: deprecated",
        extra="## Skip Reason\n\nReplaced by /v3/reports.\n",
    ),
    "post_payment": seed_doc(
        "POST /v3/payment_processing/payment_gateways",
        "- {id: create_gateway, method: POST, path: /status/422/gateways}",
        front="domain: sales\nstatus: verified",
    ),
    "get_known_bug": seed_doc(
        "GET /v1/known/bug",
        "- {id: buggy, method: GET, path: /status/409/bug}",
        front="status: failed\nskipReason: Backend bug 42",
    ),
    "get_setup_fails": seed_doc(
        "GET /v1/needs/setup",
        prerequisites="- {id: prep, method: GET, path: /status/403/prep}",
    ),
    "get_internal": seed_doc(
        "GET /v1/internal/stats",
        "- {id: stats, method: GET, path: /v1/internal/stats, token: internal}",
    ),
    "broken": seed_doc("GET /v1/broken", "- {id: nomethod, path: /v1/broken}"),
}
EXPECTED = {
    "GET /platform/v1/clients": ("passed", ""),
    "POST /v1/partners/leads": ("passed", ""),
    "PUT /business/scheduling/v1/external_calendar_items/bulk_create": (
        "skipped",
        "Requires CalendarSync record",
    ),
    "GET /v2/reports": ("skipped", "Replaced by /v3/reports."),
    "POST /v3/payment_processing/payment_gateways": (
        "failure",
        "POST /v3/payment_processing/payment_gateways: step 'create_gateway' (Test Request) failed",
    ),
    "GET /v1/known/bug": ("skipped", "Backend bug 42"),
    "GET /v1/needs/setup": (
        "error",
        "failed on setup with \"GET /v1/needs/setup: step 'prep' (Prerequisites) failed\"",
    ),
    "GET /v1/internal/stats": (
        "skipped",
        "no 'internal' token configured: set SEEDS_TOKEN_INTERNAL*",
    ),
    "GET /v1/broken": (  # a seed that cannot run is named by its endpoint, as in lint
        "error",
        f'failed on setup with "broken seed */broken.md:{line_of(SEEDS["broken"], "nomethod")}: '
        "step 'nomethod': 'method' is missing\"",
    ),
}


def outcomes(path: Path) -> tuple[dict[str, str], dict[str, tuple[str, str, str]]]:
    """Totals of the suite, and each testcase's outcome, message and text, by name."""
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None
    totals = {key: suite.get(key, "") for key in ("tests", "errors", "failures", "skipped")}
    cases = {}
    for case in suite.iter("testcase"):
        children = [child for child in case if child.tag in ("failure", "error", "skipped")]
        if children:
            child = children[0]
            cases[case.get("name", "")] = (child.tag, child.get("message", ""), child.text or "")
        else:
            cases[case.get("name", "")] = ("passed", "", "")
    return totals, cases


@pytest.fixture
def repository(
    pytester: pytest.Pytester, tokens: dict, monkeypatch: pytest.MonkeyPatch
) -> pytest.Pytester:
    monkeypatch.delenv("SEEDS_TOKEN_INTERNAL")
    pytester.makefile(".md", **SEEDS)
    return pytester


def test_junit_xml_alone_and_with_xdist(repository: pytest.Pytester, api: HTTPServer) -> None:
    results = []
    for name, extra in (("serial", []), ("xdist", ["-n", "2"])):
        xml = repository.path / f"{name}.xml"
        result = run_seeds(
            repository, *wire_args(api), f"--junitxml={xml}", *extra, subprocess=True
        )
        result.assert_outcomes(passed=2, failed=1, skipped=3, xfailed=1, errors=2)
        if extra:
            result.stdout.fnmatch_lines(["*2 workers [[]9 items[]]*"])
        output = result.stdout.str() + result.stderr.str() + xml.read_text()
        assert [secret for secret in SECRETS.values() if secret in output] == []
        results.append(outcomes(xml))
    (serial_totals, serial), (totals, cases) = results
    assert totals == serial_totals == {"tests": "9", "errors": "2", "failures": "1", "skipped": "4"}
    # the same outcome and message for every seed; texts differ only in timings
    assert {name: case[:2] for name, case in cases.items()} == {
        name: case[:2] for name, case in serial.items()
    }
    assert set(cases) == set(EXPECTED)
    for name, (outcome, message) in EXPECTED.items():
        assert cases[name][0] == outcome, name
        assert fnmatchcase(cases[name][1], message), (name, cases[name][1])
    text = cases["POST /v3/payment_processing/payment_gateways"][2]
    assert "\n  expected status 200, received 422" in text
    assert "\n  failed    create_gateway  POST " in text
    assert "\nresponse body (422):\n{\n" in text
