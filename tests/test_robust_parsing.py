"""Surprising seed text, run and linted: a clear message on that seed, never a traceback.

Tabs, CRLF line endings, a byte-order mark, a ```yml fence, ``steps:`` that is empty or not
a list, and a step that is a string, side by side with a plain seed.
"""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from tests.helpers import line_of, run_seeds, seed_doc, sent, wire_args

FRONT = "domain: demo"
PLAIN = seed_doc("GET /v1/plain", "- id: plain\n  method: GET\n  path: /v1/plain\n", front=FRONT)
TABS_IN_STEPS = seed_doc("GET /v1/tabs", "- id: tabs\n\tmethod: GET\n", front=FRONT)
TABS_IN_FRONT = "---\nendpoint: GET /v1/tabs/front\n\tdomain: x\n---\n"
EMPTY_STEPS = (
    "---\nendpoint: GET /v1/empty\ndomain: demo\n---\n\n## Test Request\n\n```yaml\nsteps:\n```\n"
)
STEPS_MAPPING = seed_doc(
    "GET /v1/mapping", None, extra="## Test Request\n\n```yaml\nsteps:\n  id: a\n```\n", front=FRONT
)
STRING_STEP = seed_doc("GET /v1/string", "- GET /v1/string\n", front=FRONT)
SEEDS = {
    "plain": PLAIN,
    "crlf_bom": "\ufeff" + seed_doc("GET /v1/crlf", "- id: crlf\n  method: GET\n  path: /v1/crlf\n", front=FRONT).replace("\n", "\r\n"),
    "yml_fence": seed_doc("GET /v1/yml", "- id: yml\n  method: GET\n  path: /v1/yml\n", front=FRONT).replace("```yaml", "```yml"),
    "tabs_in_steps": TABS_IN_STEPS,
    "tabs_in_front": TABS_IN_FRONT,
    "empty_steps": EMPTY_STEPS,
    "steps_mapping": STEPS_MAPPING,
    "string_step": STRING_STEP,
}  # fmt: skip
MESSAGES = [
    # (file, line of the message, text after "<file>:<line>: ")
    ("tabs_in_steps", line_of(TABS_IN_STEPS, "\tmethod"), "*does not parse*"),
    ("tabs_in_front", line_of(TABS_IN_FRONT, "\tdomain"), "front matter is not valid YAML*"),
    ("steps_mapping", line_of(STEPS_MAPPING, "steps:"), "'steps' must be a list of steps*"),
    ("string_step", line_of(STRING_STEP, "steps:"), "step 1 is a str, not a mapping*"),
]
HINTS = ["*hint: indent with spaces, not tabs*", "*hint: start each step with '- id: ...'*"]


@pytest.fixture
def surprising(pytester: pytest.Pytester) -> pytest.Pytester:
    for name, text in SEEDS.items():
        (pytester.path / f"{name}.md").write_text(text, encoding="utf-8", newline="")
    return pytester


def no_internals(result: pytest.RunResult) -> None:
    output = result.stdout.str() + result.stderr.str()
    assert "Traceback" not in output
    assert "pytest_seeds/" not in output


def test_run(surprising: pytest.Pytester, api: HTTPServer, tokens: dict) -> None:
    result = run_seeds(surprising, *wire_args(api))
    result.assert_outcomes(passed=3, errors=5)
    assert sorted(request.path for request in sent(api)) == ["/v1/crlf", "/v1/plain", "/v1/yml"]
    result.stdout.fnmatch_lines_random(
        [f"broken seed *{name}.md:{line}: {text}" for name, line, text in MESSAGES]
        + HINTS
        + [
            "*empty_steps.md: no executable Test Request: its '## Test Request' section "
            "(line 6) has no steps"
        ]
    )
    no_internals(result)


def test_lint(surprising: pytest.Pytester) -> None:
    result = run_seeds(surprising, "--seeds-lint")
    result.assert_outcomes(passed=3, failed=5)
    result.stdout.fnmatch_lines_random(
        [f"{name}.md:{line}: [[]*] {text}" for name, line, text in MESSAGES]
        + HINTS
        + ["empty_steps.md:6: [[]no-test-request] no executable Test Request*has no steps*"]
    )
    no_internals(result)
