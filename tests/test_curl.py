"""The curl command of a step sends the same request as requests does, tokens from variables."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_seeds.http.transport import Client, Request, Upload
from pytest_seeds.output.curl import curl_command
from pytest_seeds.sandbox import Sandbox
from pytest_seeds.settings import token_variable

TOKENS = {"staff": "staff-Curl-SECRET-5e5e", "partner": "partner'Quote\"SECRET"}
needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


@pytest.fixture(scope="module")
def echo_url() -> Iterator[str]:
    with Sandbox() as sandbox:
        yield sandbox.url + "/__echo/things"


def run_curl(command: str, *extra: str) -> str:
    """Run a curl command with bash, tokens in the environment; the output."""
    env = {"PATH": os.environ["PATH"], **{token_variable(k): v for k, v in TOKENS.items()}}
    result = subprocess.run(
        ["bash", "-c", " ".join([command, *extra])],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def echoed_by_curl(request: Request) -> dict[str, Any]:
    """What the echo endpoint saw when curl sent the request."""
    output = run_curl(curl_command(request, TOKENS))
    return json.loads(output.split("\n\n", 1)[1])["data"]


def echoed_by_requests(request: Request) -> dict[str, Any]:
    """What the echo endpoint saw when pytest-seeds sent the request."""
    client = Client(timeout=10)
    try:
        response, _ = client.send(request)
    finally:
        client.close()
    return response.json()["data"]


def test_curl_command_names_token_variables_never_values() -> None:
    request = Request(
        "GET",
        "http://127.0.0.1:1/v1/things",
        params={"key": TOKENS["staff"]},
        headers={"Authorization": f"Bearer {TOKENS['staff']}"},
    )
    command = curl_command(request, TOKENS)
    assert TOKENS["staff"] not in command
    assert "'Authorization: Bearer '\"$SEEDS_TOKEN_STAFF\"" in command
    assert '?key=\'"$SEEDS_TOKEN_STAFF"' in command
    assert "--request" not in command


@needs_curl
def test_json_body_query_and_headers_are_sent_as_requests_sends_them(echo_url: str) -> None:
    request = Request(
        "PATCH",
        echo_url,
        params={"q": "a b&c=d", "filter[name]": "x/y", "secret": TOKENS["staff"]},
        headers={
            "Authorization": f"Bearer {TOKENS['staff']}",
            "X-Partner": f'Token token="{TOKENS["partner"]}"',
        },
        json={"note": 'it\'s "quoted" $HOME `id` \\ ü', "n": [1, 2.5, None, True]},
    )
    by_requests, by_curl = echoed_by_requests(request), echoed_by_curl(request)
    for key in ("method", "path", "query", "body", "json"):
        assert by_curl[key] == by_requests[key], key
    for header in ("Authorization", "X-Partner", "Content-Type"):
        assert by_curl["headers"][header] == by_requests["headers"][header], header
    assert by_curl["headers"]["Authorization"] == f"Bearer {TOKENS['staff']}"


@needs_curl
def test_form_fields_and_files_are_sent_as_multipart(echo_url: str, tmp_path: Path) -> None:
    upload = tmp_path / "odd; name.txt"
    upload.write_text("file content\n")
    request = Request(
        "POST",
        echo_url,
        form={"title": "@not-a-file", "kind": "<also text"},
        files=(Upload("document", upload, 'report "v1".txt'),),
    )
    by_requests, by_curl = echoed_by_requests(request), echoed_by_curl(request)
    assert by_curl["form"] == by_requests["form"]
    assert by_curl["form"]["fields"] == {"title": "@not-a-file", "kind": "<also text"}


@needs_curl
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_method_and_urlencoded_form(echo_url: str, method: str) -> None:
    request = Request(method, echo_url, params={"page": "2"}, form={"a": "1 2", "b": "ü&"})
    by_requests, by_curl = echoed_by_requests(request), echoed_by_curl(request)
    for key in ("method", "query", "body"):
        assert by_curl[key] == by_requests[key], key
