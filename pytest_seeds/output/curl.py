"""A ``curl`` command that sends a step's request again, tokens read from the environment."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from urllib.parse import urlencode

from pytest_seeds.http.transport import Request
from pytest_seeds.http.wire import sent_headers, sent_json, sent_url
from pytest_seeds.secrets.redact import MIN_SECRET_LENGTH
from pytest_seeds.secrets.secret import Secret, reveal_text
from pytest_seeds.settings import token_variable


def curl_command(request: Request, tokens: Mapping[str, Secret | str]) -> str:
    """A bash command that sends ``request`` with curl; no token value appears in it.

    Every token value is written as ``"$SEEDS_TOKEN_<TYPE>"``; the body and the query
    string are exactly the bytes requests sends. It is one command, one option a line: a
    word holding a line break, a tab or another character a terminal does not show as
    itself is written in ``$'...'`` quotes with escapes, which bash reads back byte for
    byte (except a NUL byte, which no command-line argument can carry).
    """
    values = {kind: reveal_text(value) for kind, value in sorted(tokens.items()) if value}
    variables = {
        value: token_variable(kind)
        for kind, value in values.items()
        if len(value) >= MIN_SECRET_LENGTH
    }
    quote = _Quoter(variables)
    body, headers = sent_json(request), sent_headers(request)
    form = {name: reveal_text(value) for name, value in (request.form or {}).items()}
    payload: list[str] = []
    if body is not None:
        payload.append(f"--data-raw {quote(body)}")
    elif request.files:
        payload += [f"--form-string {quote(f'{k}={v}')}" for k, v in form.items()]
        payload += [
            f"--form {quote(f'{upload.field_name}=@{_field(str(upload.path))};filename={_field(reveal_text(upload.filename))};type={upload.content_type}')}"
            for upload in request.files
        ]
    elif form:
        payload.append(f"--data-raw {quote(urlencode(form))}")
    words = ["curl", "--include", "--silent", "--show-error", "--globoff", "--location"]
    if request.method == "HEAD":
        words.append("--head")
    elif request.method != ("POST" if payload else "GET"):
        words += ["--request", request.method]
    words.append(quote(sent_url(request)))
    headers_lines = [  # requests sends header values as Latin-1
        f"--header {quote(f'{name}: {value}', 'latin-1')}" for name, value in headers.items()
    ]
    return " \\\n  ".join([" ".join(words), *headers_lines, *payload])


def _field(value: str) -> str:
    """A curl ``--form`` value in double quotes (for paths and names with ``;`` or ``,``)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Quoter:
    """Shell-quotes a word, writing each token value as a double-quoted variable reference."""

    def __init__(self, variables: Mapping[str, str]) -> None:
        self.variables = variables
        ordered = sorted(variables, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __call__(self, word: str, encoding: str = "utf-8") -> str:
        if self.pattern is None:
            return quote_word(word, encoding)
        parts, last = [], 0
        for match in self.pattern.finditer(word):
            if match.start() > last:
                parts.append(quote_word(word[last : match.start()], encoding))
            parts.append(f'"${self.variables[match.group()]}"')
            last = match.end()
        if last < len(word) or not parts:
            parts.append(quote_word(word[last:], encoding))
        return "".join(parts)


_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "!": "\\x21"}


def quote_word(word: str, encoding: str = "utf-8") -> str:
    """One bash word that passes ``word.encode(encoding)`` to the command: ``'...'`` (shlex)
    when every character shows as itself (and is UTF-8 the way bash passes it), else
    ``$'...'`` with escapes (bytes as ``\\xHH``), so the command stays on its lines and a
    paste into a terminal sends what was sent."""
    utf8 = encoding.replace("-", "").lower() == "utf8"

    def literal(char: str) -> bool:
        return char.isprintable() and (utf8 or char.isascii())

    if all(map(literal, word)):
        return shlex.quote(word)

    def escape(char: str) -> str:
        try:
            data = char.encode(encoding)
        except UnicodeEncodeError:  # requests could not send it either
            data = char.encode()
        return "".join(f"\\x{byte:02x}" for byte in data)

    escaped = (_ESCAPES.get(char) or (char if literal(char) else escape(char)) for char in word)
    return "$'" + "".join(escaped) + "'"
