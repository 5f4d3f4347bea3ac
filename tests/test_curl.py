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


# --- one pasteable command, whatever the values hold ---------------------------------------------

AWKWARD = (
    "line1\nline2\r\n\ttab \x1b[31mred\x7f del \x85 nel \u2028 ls ü 'q' \"d\" \\ $HOME `id` !x"
)


def one_command(command: str) -> list[str]:
    """The command's physical lines: each but the last ends in a continuation, and no line
    holds a control character, so a terminal shows it as it is and a paste runs it whole."""
    lines = command.split("\n")
    assert all(line.endswith(" \\") for line in lines[:-1]), command
    for line in lines:
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in line), repr(line)
        assert "\u2028" not in line and "\u2029" not in line, repr(line)
    return lines


@needs_curl
def test_form_values_with_control_characters_make_one_pasteable_command(
    echo_url: str, tmp_path: Path
) -> None:
    upload = tmp_path / "f.txt"
    upload.write_text("x")
    request = Request(
        "POST",
        echo_url,
        form={"note": AWKWARD, "token": f"{TOKENS['staff']}\nafter"},
        files=(Upload("document", upload, "f.txt"),),
    )
    command = curl_command(request, TOKENS)
    one_command(command)
    by_requests, by_curl = echoed_by_requests(request), echoed_by_curl(request)
    assert by_curl["form"] == by_requests["form"]
    assert by_curl["form"]["fields"]["note"] == AWKWARD
    assert TOKENS["staff"] not in command


@needs_curl
def test_header_values_with_tabs_and_latin1_make_one_pasteable_command(echo_url: str) -> None:
    request = Request("GET", echo_url, headers={"X-Tab": "a\tb", "X-Latin": "caf\xe9 \xa0nbsp"})
    one_command(curl_command(request, TOKENS))
    by_requests, by_curl = echoed_by_requests(request), echoed_by_curl(request)
    for header in ("X-Tab", "X-Latin"):
        assert by_curl["headers"][header] == by_requests["headers"][header], header


def printed_by_bash(quoted: str) -> bytes:
    """The bytes bash passes for a quoted word (``printf %s``)."""
    result = subprocess.run(
        ["bash", "-c", f"printf %s {quoted}"], capture_output=True, timeout=30, check=True
    )
    return result.stdout


def option_word(command: str, option: str) -> str:
    """The quoted word of the one ``option`` line of a command."""
    (line,) = [line for line in one_command(command) if line.strip().startswith(option + " ")]
    return line.strip().removeprefix(option + " ").removesuffix(" \\")


@pytest.mark.parametrize(
    "word",
    [AWKWARD, "\x01\x02\x03", "\\x41 not an escape", "end\\", "'", "\u0085", "\u00a0", "plain", ""],
)
def test_every_word_reaches_bash_byte_for_byte(word: str, tmp_path: Path) -> None:
    """A form field's word is its UTF-8 bytes; a header's is its Latin-1 bytes, as requests
    sends them."""
    upload = Upload("f", tmp_path / "f.txt", "f.txt")
    form = Request("POST", "http://127.0.0.1:1/x", form={"k": word}, files=(upload,))
    quoted = option_word(curl_command(form, {}), "--form-string")
    assert printed_by_bash(quoted) == f"k={word}".encode()
    latin = word.encode("latin-1", "replace").decode("latin-1")
    header = Request("GET", "http://127.0.0.1:1/x", headers={"X-Word": latin})
    quoted = option_word(curl_command(header, {}), "--header")
    assert printed_by_bash(quoted) == f"X-Word: {latin}".encode("latin-1")


@needs_curl
def test_file_parts_carry_the_same_content_type_from_curl(tmp_path: Path) -> None:
    from tests.tcp_servers import capturing_server
    from tests.test_wire import part_headers

    for name in ("scan.pdf", "data.json", "plain"):
        (tmp_path / name).write_bytes(b"x")
    with capturing_server() as (url, received):
        request = Request(
            "POST",
            url + "/upload",
            files=tuple(
                Upload(f"f{n}", tmp_path / name, name)
                for n, name in enumerate(("scan.pdf", "data.json", "plain"))
            ),
        )
        echoed_by_requests_raw = Client(timeout=10)
        try:
            echoed_by_requests_raw.send(request)
        finally:
            echoed_by_requests_raw.close()
        run_curl(curl_command(request, TOKENS))
    by_requests, by_curl = (part_headers(r.split(b"\r\n\r\n", 1)[1]) for r in received)
    assert by_curl == by_requests
    assert by_requests["f0"][1] == "Content-Type: application/pdf"
    assert by_requests["f2"][1] == "Content-Type: application/octet-stream"
