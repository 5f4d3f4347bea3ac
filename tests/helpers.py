"""Helpers shared by the tests: seed documents written in tests, the echo API, plugin runs.

Seeds are built with :func:`seed_doc` (front matter lines plus ``steps:`` YAML per phase),
written with ``pytester.makefile(".md", ...)`` and run with :func:`run_seeds`, which points the
plugin at the echo server of the ``api`` fixture (``tests/conftest.py``) through
:func:`wire_args`; :func:`sent` and :func:`echoed` read what that server received and answered.
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pytest_seeds.model import Step

# A value per token type: what the ``tokens`` fixture configures, each long enough to be masked.
SECRETS = {
    "staff": "staff-SECRET-7f3a",
    "app": "app-SECRET-91bc",
    "client": "client-SECRET-c0de",
    "directory": "directory-SECRET-d1d1",
    "admin": "admin-SECRET-a0a0",
    "internal": "internal-SECRET-1e1e",
}
_STATUS = re.compile(r"/status/(\d{3})(?:/|$)")


def steps_block(steps: str, lang: str = "yaml") -> str:
    """A fenced block holding ``steps:`` with the given (dedented) YAML list items."""
    body = textwrap.indent(textwrap.dedent(steps).strip("\n"), "  ")
    return f"```{lang}\nsteps:\n{body}\n```\n"


def seed_doc(
    endpoint: str = "GET /v1/things",
    test: str | None = "- id: call\n  method: GET\n  path: /v1/things\n",
    *,
    front: str = "",
    prerequisites: str | None = None,
    cleanup: str | None = None,
    extra: str = "",
) -> str:
    """A seed document; ``front`` adds front-matter lines, the others are YAML step lists."""
    lines = ["---", f'endpoint: "{endpoint}"', *textwrap.dedent(front).strip("\n").splitlines()]
    parts = ["\n".join([line for line in lines if line] + ["---"]), "", "# A seed", ""]
    for heading, steps in (
        ("Prerequisites", prerequisites),
        ("Test Request", test),
        ("Cleanup", cleanup),
    ):
        if steps is not None:
            parts += [f"## {heading}", "", steps_block(steps)]
    if extra:
        parts.append(textwrap.dedent(extra))
    return "\n".join(parts)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line that contains ``needle``."""
    hits = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def echo(request: Request) -> Response:
    """Answer with everything the request carried; ``/status/<code>`` picks the status."""
    match = _STATUS.search(request.path)
    files = {
        name: {"filename": item.filename, "content": item.read().decode("utf-8", "replace")}
        for name, item in request.files.items()
    }
    payload = {
        "method": request.method,
        "path": request.path,
        "query": request.args.to_dict(),
        "headers": dict(request.headers),
        "json": request.get_json(silent=True),
        "form": request.form.to_dict(),
        "files": files,
    }
    return Response(
        json.dumps(payload),
        status=int(match.group(1)) if match else 200,
        content_type="application/json",
    )


def sent(server: HTTPServer) -> list[Request]:
    """The requests the server received, in order."""
    return [request for request, _ in server.log]


def echoed(server: HTTPServer) -> list[dict[str, Any]]:
    """What the echo server answered to each request (files are readable only here)."""
    return [json.loads(response.get_data()) for _, response in server.log]


def wire_args(server: HTTPServer) -> list[str]:
    """Base, fallback (``/fallback``) and partners (``/partners-api``) URLs of the server."""
    return [
        f"--seeds-base-url={server.url_for('/')}",
        f"--seeds-fallback-url={server.url_for('/fallback')}",
        f"--seeds-partners-url={server.url_for('/partners-api')}",
    ]


def runpytest(pytester: pytest.Pytester, *args: str, subprocess: bool = False) -> Any:
    """Run pytest in the pytester folder, in-process or in a subprocess.

    Hypothesis's plugin is left out: each in-process run would import hypothesis afresh
    (pytester unloads the modules a run imported), which costs about a second a run.
    """
    run = pytester.runpytest_subprocess if subprocess else pytester.runpytest
    return run("-p", "no:hypothesispytest", *args)


def run_seeds(pytester: pytest.Pytester, *args: str, subprocess: bool = False) -> Any:
    """Run pytest on the seeds in the pytester folder (``--seeds-dir``)."""
    return runpytest(pytester, f"--seeds-dir={pytester.path}", *args, subprocess=subprocess)


def assert_well_typed(step: Step) -> None:
    """What the parser lets through can be sent: JSON body, single values, a finite sleep."""
    json.dumps(step.body, allow_nan=False)
    for values in (step.params, step.headers, step.form_fields):
        for name, value in values.items():
            assert isinstance(name, str)
            assert value is None or isinstance(value, str | int | float | bool)
            json.dumps(value, allow_nan=False)
    assert all(isinstance(v, str) for v in step.extract.values())
    assert isinstance(step.sleep_ms, int) and step.sleep_ms >= 0


class FakeClock:
    """A clock for rate limiters: it moves only when a limiter sleeps (or a test says so);
    one clock can serve every limiter of a test."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds
