"""What goes on the wire, and wire faults named for what they are.

* A header name or value HTTP cannot carry (line breaks, other control characters, characters
  beyond Latin-1, a name that is not a token) is a fault of the seed, found before anything is
  sent: the step fails with the header named, whether the seed wrote it or a template (a
  configured value, an extracted one, a token) produced it. No header value is ever shown.
* An answer whose head Python's ``http.client`` refuses (too many headers, a line too long,
  an unknown HTTP version, a malformed chunked body) is named as such, not "cannot connect".
* Multipart file parts carry a ``Content-Type`` guessed from the file name (RFC 7578).

Everything is checked against real local servers: the echo server (``api``) and raw TCP
servers (``tests/tcp_servers.py``) that send exactly the bytes a test needs, or keep the
bytes they receive.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import urllib3
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from pytest_seeds.http.transport import Client, Request
from pytest_seeds.http.wire import sent_url
from pytest_seeds.secrets.secret import Secret
from tests.helpers import SECRETS, echoed, run_seeds, seed_doc, sent, wire_args
from tests.tcp_servers import capturing_server, raw_server, send

URLLIB3 = tuple(int(part) for part in urllib3.__version__.split(".")[:2])


@pytest.fixture(autouse=True)
def _setup(tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Tokens configured; no proxy between the seeds and the local servers."""
    monkeypatch.setenv("NO_PROXY", "*")


def run(pytester: pytest.Pytester, api: HTTPServer, *args: str) -> Any:
    return run_seeds(pytester, *wire_args(api), "--seeds-timeout=5", "-rA", *args)


def call(headers: str, extra: str = "") -> str:
    """A Test Request step ``call`` with the given ``headers:`` flow mapping."""
    return f"- id: call\n  method: GET\n  path: /v1/things\n  headers: {headers}\n{extra}"


def refused(result: Any, api: HTTPServer) -> None:
    """The step failed before sending: nothing reached the server, nothing said 'connect'."""
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["GET /v1/things: step 'call' (Test Request) failed"])
    assert sent(api) == []
    assert "connect" not in result.stdout.str()
    assert "Traceback" not in result.stdout.str()


# --- header values and names ------------------------------------------------------------------

VALUE_CASES = [
    ('"a\\nb"', "a line feed (\\n) at character 2"),
    ('"a\\rb"', "a carriage return (\\r) at character 2"),
    ('"a\\r\\nX-Injected: 1"', "a carriage return (\\r) at character 2"),
    ('"a\\0b"', "a NUL byte (\\x00) at character 2"),
    ('"\\e[31mred"', "an escape (\\x1b) at character 1"),
    ('"a\\x7fb"', "a DEL (\\x7f) at character 2"),
    ('"a\\x01b"', "a control character (\\x01) at character 2"),
    ('"next\\Nline"', "a control character (\\x85) at character 5"),
    ('"a\\u2028b"', "the character \\u2028 at character 2, beyond Latin-1"),
    ('"quote \\u2019"', "the character \\u2019 at character 7, beyond Latin-1"),
    ('" leading"', "leading white space"),
    ('"\\tleading"', "leading white space"),
]


@pytest.mark.parametrize(("value", "what"), VALUE_CASES, ids=[c[1] for c in VALUE_CASES])
def test_a_header_value_http_cannot_carry_fails_the_step_before_sending(
    pytester: pytest.Pytester, api: HTTPServer, value: str, what: str
) -> None:
    pytester.makefile(".md", seed=seed_doc("GET /v1/things", call(f"{{X-Note: {value}}}")))
    result = run(pytester, api)
    refused(result, api)
    result.stdout.fnmatch_lines([f"  header 'X-Note' cannot be sent: its value holds {what}*"])


NAME_CASES = [
    ('"X Note"', "'X Note'", "a space at character 2"),
    ('"X:Note"', "'X:Note'", "':' at character 2"),
    ('"X(Note)"', "'X(Note)'", "'(' at character 2"),
    ('"X\\nNote"', "'X\\nNote'", "a line feed (\\n) at character 2"),
    ('"Naïve"', "'Naïve'", "'ï' at character 3"),
    ('""', "''", "nothing: a header needs a name"),
]


@pytest.mark.parametrize(("name", "shown", "what"), NAME_CASES, ids=[c[2] for c in NAME_CASES])
def test_a_header_name_that_is_not_a_token_fails_the_step_before_sending(
    pytester: pytest.Pytester, api: HTTPServer, name: str, shown: str, what: str
) -> None:
    pytester.makefile(".md", seed=seed_doc("GET /v1/things", call(f"{{{name}: v}}")))
    result = run(pytester, api)
    refused(result, api)
    result.stdout.fnmatch_lines([f"  header {shown} cannot be sent: its name holds {what}*"])


def test_a_configured_value_rendered_into_a_header(
    pytester: pytest.Pytester, api: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDS_PARAM_NOTE", "line1\nline2")
    pytester.makefile(".md", seed=seed_doc("GET /v1/things", call('{X-Note: "n={{note}}"}')))
    result = run(pytester, api)
    refused(result, api)
    result.stdout.fnmatch_lines(
        ["  header 'X-Note' cannot be sent: its value holds a line feed (\\n) at character 8*"]
    )
    assert "line1" not in result.stdout.str()  # the value itself is never shown


def test_an_extracted_value_rendered_into_a_header(
    pytester: pytest.Pytester, api: HTTPServer
) -> None:
    prerequisites = """
        - id: make
          method: POST
          path: /v1/notes
          body: {text: "a\\r\\nSet-Cookie: x=1"}
          extract: {text: $.json.text}
    """
    pytester.makefile(
        ".md",
        seed=seed_doc("GET /v1/things", call('{X-Note: "{{text}}"}'), prerequisites=prerequisites),
    )
    result = run(pytester, api)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "  header 'X-Note' cannot be sent: its value holds a carriage return (\\r) at character 2*"
        ]
    )
    assert [request.path for request in sent(api)] == ["/v1/notes"]


def test_a_token_with_a_trailing_line_break_is_named_and_never_shown(
    pytester: pytest.Pytester, api: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDS_TOKEN_STAFF", SECRETS["staff"] + "\n")
    pytester.makefile(
        ".md", seed=seed_doc("GET /v1/things", "- id: call\n  method: GET\n  path: /v1/things\n")
    )
    result = run(pytester, api)
    refused(result, api)
    result.stdout.fnmatch_lines(
        [
            "  header 'Authorization' cannot be sent: its value holds a line feed (\\n) at "
            "character *; hint: the staff token holds it; check SEEDS_TOKEN_STAFF or 'tokens:'*"
        ]
    )
    assert SECRETS["staff"] not in result.stdout.str()


def test_legal_header_values_are_sent_as_written(
    pytester: pytest.Pytester, api: HTTPServer
) -> None:
    """A tab inside a value, Latin-1 letters, trailing space, an empty value: all HTTP allows."""
    headers = '{X-Tab: "a\\tb", X-Latin: "café", X-Empty: "", X-Token: "!#$%&*+.^_`|~"}'
    pytester.makefile(".md", seed=seed_doc("GET /v1/things", call(headers)))
    run(pytester, api).assert_outcomes(passed=1)
    received = sent(api)[0].headers
    assert received["X-Tab"] == "a\tb"
    assert received["X-Latin"].encode("latin-1") == "café".encode("latin-1")
    assert received["X-Empty"] == ""


# --- answers http.client refuses ---------------------------------------------------------------

HEAD = b"HTTP/1.1 200 OK\r\n"
EMPTY = b"Content-Length: 0\r\n\r\n"
ANSWERS = [
    (
        HEAD + b"".join(b"X-H%d: v\r\n" % n for n in range(101)) + EMPTY,
        "the server sent more than 100 headers, more than Python's http.client reads*",
    ),
    (
        HEAD + b"X-Big: " + b"a" * 70_000 + b"\r\n" + EMPTY,
        "the server sent a header line longer than 65536 bytes*",
    ),
    (
        b"HTTP/1.1 200 " + b"O" * 70_000 + b"\r\n" + EMPTY,
        "the server sent a status line longer than 65536 bytes*",
    ),
    (
        b"HTTP/2.0 200 OK\r\n" + EMPTY,
        "the server answered in HTTP/2.0, which requests does not speak*",
    ),
    (
        HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        "the server answered 200 with a chunked body that is malformed (*",
    ),
    pytest.param(
        HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"f" * 70_000 + b"\r\n",
        "the server answered 200 with a chunked body that is malformed (*",
        marks=pytest.mark.skipif(
            URLLIB3 < (2, 8),
            reason="urllib3 before 2.8 reads an over-long chunk-size line as a closed "
            "connection: the step fails as 'closed the connection before the body was complete'",
        ),
    ),
    (
        HEAD + b"Content-Length: 5\r\nContent-Length: 7\r\n\r\nhello",
        "the server sent Content-Length headers that disagree (5, 7)*",
    ),
]


@pytest.mark.parametrize(
    ("answer", "problem"),
    ANSWERS,
    ids=[
        "101-headers",
        "long-header",
        "long-status",
        "http2",
        "bad-chunk",
        "long-chunk-size",
        "two-lengths",
    ],
)
def test_an_answer_http_client_refuses_is_named(
    pytester: pytest.Pytester, httpserver: HTTPServer, answer: bytes, problem: str
) -> None:
    with raw_server(send(answer)) as url:
        pytester.makefile(
            ".md", seed=seed_doc("GET /x", f"- id: call\n  method: GET\n  path: {url}\n")
        )
        result = run_seeds(pytester, *wire_args(httpserver), "--seeds-timeout=5", "-rA")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"  {problem}"])
    assert "cannot connect" not in result.stdout.str()


def test_control_characters_in_paths_and_params_are_percent_encoded(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    """Checked, not changed: requests percent-encodes them, nothing raw reaches the wire."""
    with capturing_server() as (url, received):
        step = f'- id: call\n  method: GET\n  path: "{url}/v1/a\\0b\\r\\nc d\\e"\n'
        step += '  params: {q: "x\\r\\ny\\0", "w\\n": 1}\n'
        pytester.makefile(".md", seed=seed_doc("GET /v1/a", step))
        run_seeds(pytester, *wire_args(httpserver)).assert_outcomes(passed=1)
    assert (
        received[0].split(b"\r\n")[0]
        == b"GET /v1/a%00b%0D%0Ac%20d%1B?q=x%0D%0Ay%00&w%0A=1 HTTP/1.1"
    )


# --- multipart file parts ---------------------------------------------------------------------

FILES = [
    ("report.pdf", None, "application/pdf"),
    ("photo.PNG", None, "image/png"),
    ("data.json", None, "application/json"),
    ("table.csv", None, "text/csv"),
    ("notes", None, "application/octet-stream"),
    ("thing.seedx", None, "application/octet-stream"),
    ("archive.tar.gz", None, "application/gzip"),
    ("blob.bin", "{{stem}}.txt", "text/plain"),
]


def part_headers(body: bytes) -> dict[str, list[str]]:
    """The header lines of each part of a multipart body, by form field name."""
    boundary = body.split(b"\r\n", 1)[0]
    parts: dict[str, list[str]] = {}
    for part in body.split(boundary)[1:-1]:
        head = part.split(b"\r\n\r\n", 1)[0].strip(b"\r\n").decode("utf-8")
        name = re.search(r'name="([^"]*)"', head)
        assert name, head
        parts[name.group(1)] = head.split("\r\n")
    return parts


def test_file_parts_carry_a_content_type_guessed_from_the_file_name(
    pytester: pytest.Pytester, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDS_PARAM_STEM", "renamed")
    entries = []
    for number, (name, filename, _) in enumerate(FILES):
        (pytester.path / name).write_bytes(b"content of " + name.encode())
        shown = f", filename: '{filename}'" if filename else ""
        entries.append(f"    - {{field_name: f{number}, file_path: {name}{shown}}}")
    with capturing_server() as (url, received):
        step = (
            f"- id: call\n  method: POST\n  path: {url}/upload\n  content_type: multipart\n"
            "  form_fields: {title: Report}\n  file_fields:\n" + "\n".join(entries) + "\n"
        )
        pytester.makefile(".md", seed=seed_doc("POST /upload", step))
        har = pytester.path / "har"
        run_seeds(pytester, *wire_args(httpserver), f"--seeds-har={har}").assert_outcomes(passed=1)
    (request,) = received
    body = request.split(b"\r\n\r\n", 1)[1]
    parts = part_headers(body)
    assert parts["title"] == ['Content-Disposition: form-data; name="title"']
    for number, (name, filename, kind) in enumerate(FILES):
        sent_name = "renamed.txt" if filename else name
        assert parts[f"f{number}"] == [
            f'Content-Disposition: form-data; name="f{number}"; filename="{sent_name}"',
            f"Content-Type: {kind}",
        ], name
    entry = json.loads((har / "seed.har").read_text())["log"]["entries"][0]
    params = {p["name"]: p.get("contentType") for p in entry["request"]["postData"]["params"]}
    assert params == {"title": None} | {f"f{n}": kind for n, (_, _, kind) in enumerate(FILES)}


def test_echo_server_sees_the_part_type(
    pytester: pytest.Pytester, api: HTTPServer, tmp_path: Path
) -> None:
    """The same through a real HTTP server's multipart parser (werkzeug)."""
    (pytester.path / "scan.pdf").write_bytes(b"%PDF-1.4")
    step = (
        "- id: call\n  method: POST\n  path: /v1/documents\n  content_type: multipart\n"
        "  file_fields:\n    - {field_name: doc, file_path: scan.pdf}\n"
    )
    pytester.makefile(".md", seed=seed_doc("POST /v1/documents", step))
    run(pytester, api).assert_outcomes(passed=1)
    (request,) = sent(api)
    assert request.files["doc"].content_type == "application/pdf"
    assert echoed(api)[0]["files"]["doc"]["filename"] == "scan.pdf"


# --- the URL as sent ----------------------------------------------------------------------------

_URL_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\r\n#"), max_size=12)


@given(path=_URL_TEXT, params=st.dictionaries(_URL_TEXT, _URL_TEXT, max_size=3), secret=_URL_TEXT)
@settings(max_examples=25, deadline=None)
def test_the_url_shown_is_the_url_sent_and_keeps_its_secrets(
    path: str, params: dict[str, str], secret: str
) -> None:
    """Transcript, curl and HAR show :func:`sent_url`: before sending, what requests would
    send; after, what the transport did send (the request line the server read). A secret
    query value stays a Secret on the request."""
    query = {**params, "key": Secret(f"S3cr3t-{secret}")}
    with capturing_server() as (url, received):
        request = Request("GET", f"{url}/v1/{path}", params=query)
        before = sent_url(request)
        client = Client(timeout=5)
        try:
            response, _ = client.send(request)
        finally:
            client.close()
    assert response.status == 200
    assert sent_url(request) == before
    target = received[0].split(b"\r\n", 1)[0].split(b" ")[1].decode("latin-1")
    assert before.endswith(target)
    assert f"S3cr3t-{secret}" not in repr(request) + str(request.sent_url)
