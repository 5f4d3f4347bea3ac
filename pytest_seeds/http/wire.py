"""A rendered request as requests puts it on the wire: URL with query, JSON text, headers.

Secrets are revealed here, as they are sent: the texts are for curl commands, HAR files and
transcripts, which mask them (curl with token variables, the others with the redactor).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from pytest_seeds.http.lazy import LazyModule
from pytest_seeds.http.transport import Request
from pytest_seeds.secrets.secret import reveal, reveal_text

requests = LazyModule("requests")  # imported when a URL is first built, as a seed runs


def sent_url(request: Request) -> str:
    """The URL with its query string, encoded as requests encodes it on the wire."""
    if request.sent_url:  # sent: as the transport recorded it
        return reveal_text(request.sent_url)
    url, params = reveal_text(request.url), reveal(request.params)
    try:
        prepared = requests.Request(request.method, url, params=params).prepare()
    except requests.RequestException:
        query = urlencode(params)
        return url + ("&" if "?" in url else "?") + query if query else url
    return str(prepared.url)


def sent_json(request: Request) -> str | None:
    """The JSON body as requests serialises it, or None when the request sends none."""
    return json.dumps(reveal(request.json), allow_nan=False) if request.has_json else None


def sent_headers(request: Request) -> dict[str, str]:
    """The step's headers plus the Content-Type requests adds to a JSON body."""
    headers = {name: reveal_text(value) for name, value in request.headers.items()}
    if request.has_json and not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = "application/json"
    return headers


_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]")  # RFC 9110 tchar: a header name
_CHARACTERS = {
    "\n": "a line feed (\\n)",
    "\r": "a carriage return (\\r)",
    "\t": "a tab (\\t)",
    "\x00": "a NUL byte (\\x00)",
    "\x1b": "an escape (\\x1b)",
    "\x7f": "a DEL (\\x7f)",
    " ": "a space",
}


def _is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F


def _character(char: str) -> str:
    """A character named for a message: ``a line feed (\\n)``, ``':'``, ``the character \\u2019``."""
    if char in _CHARACTERS:
        return _CHARACTERS[char]
    if _is_control(char):
        return f"a control character (\\x{ord(char):02x})"
    if ord(char) > 0xFF:
        return f"the character \\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"U+{ord(char):X}"
    return repr(char)


def shown_name(name: str) -> str:
    """A header name in quotes, control characters escaped (a name is never secret)."""
    short = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return (
        "'" + "".join(short.get(c, f"\\x{ord(c):02x}") if _is_control(c) else c for c in name) + "'"
    )


def header_problem(name: str, value: str) -> tuple[str, str] | None:
    """Why HTTP cannot carry this header, and a hint; None when it can.

    A name is a token (RFC 9110: letters, digits, ``!#$%&'*+-.^_`|~``). A value holds no
    control character but tab and only Latin-1, as ``http.client`` sends it, and does not
    start with white space (requests refuses that). The value itself is never quoted: it
    may be a token.
    """
    header = f"header {shown_name(name)} cannot be sent"
    if not name:
        return f"{header}: its name holds nothing: a header needs a name", "give it a name"
    for at, char in enumerate(name, 1):
        if not _TOKEN.fullmatch(char):
            hint = "a header name is letters, digits and !#$%&'*+-.^_`|~ only"
            return f"{header}: its name holds {_character(char)} at character {at}", hint
    for at, char in enumerate(value, 1):
        if ord(char) > 0xFF:
            hint = (
                "HTTP headers carry Latin-1 only: percent-encode the value or send it in the body"
            )
            return (
                f"{header}: its value holds {_character(char)} at character {at}, beyond Latin-1",
                hint,
            )
        if _is_control(char) and char != "\t":
            hint = "a header value cannot hold control characters: remove it, or send the text in the body"
            return f"{header}: its value holds {_character(char)} at character {at}", hint
    if value[:1] in (" ", "\t"):
        hint = "requests refuses a value that starts with white space (a server would drop it): remove it"
        return (
            f"{header}: its value holds leading white space ({_character(value[0])} at character 1)",
            hint,
        )
    return None
