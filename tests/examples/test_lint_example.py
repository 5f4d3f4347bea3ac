"""README, "Lint: check seeds offline": the lint command, run as the README writes it.

A seeds folder with a clean seed and a broken one, a Swagger root ``specs`` and a config file
``values.json`` that configures ``business_id``: the broken seed fails with one finding per
line (``file:line: [rule] step 'id': message; hint: ...``), the clean one passes, and no
request is sent although a base URL is configured.
"""

from __future__ import annotations

import json
import shlex

import pytest
from pytest_httpserver import HTTPServer

from tests.examples.snippets import snippet
from tests.helpers import line_of, runpytest, seed_doc

SPEC = """\
openapi: 3.0.3
info: {title: businesses, version: "1"}
paths:
  /v1/businesses/{business_id}:
    get: {responses: {"200": {description: ok}}}
"""
FRONT = "domain: businesses\nswagger: api.yaml"
ENDPOINT = "GET /v1/businesses/{business_id}"
CLEAN = "- {id: read, method: GET, path: '/v1/businesses/{{business_id}}'}\n"
BROKEN = "- {id: read, method: GET, path: '/v1/businesses/{{busines_id}}'}\n"


def test_lint_reports_the_broken_seed_and_sends_nothing(
    pytester: pytest.Pytester, api: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    command = shlex.split(snippet("lint.sh"))
    assert command[0] == "pytest"
    pytester.mkdir("specs").joinpath("api.yaml").write_text(SPEC)
    (pytester.path / "values.json").write_text(json.dumps({"params": {"business_id": "b-1"}}))
    seeds = pytester.mkdir("seeds")
    (seeds / "clean.md").write_text(seed_doc(ENDPOINT, CLEAN, front=FRONT))
    broken = seed_doc(ENDPOINT, BROKEN, front=FRONT)
    (seeds / "broken.md").write_text(broken)
    monkeypatch.setenv("SEEDS_BASE_URL", api.url_for("/"))

    result = runpytest(pytester, *command[1:])

    # no warning either: the Swagger root has the seeds' spec, values.json has business_id
    result.assert_outcomes(passed=1, failed=1, warnings=0)
    line = line_of(broken, "busines_id")
    result.stdout.fnmatch_lines(
        [
            "1 lint error(s):",
            f"seeds/broken.md:{line}: [[]unresolvable-name] step 'read': {{{{busines_id}}}} in "
            "path: *; hint: did you mean {{business_id}}? *",
        ]
    )
    assert not [out for out in result.outlines if out.startswith("seeds/clean.md:")]
    assert api.log == []
