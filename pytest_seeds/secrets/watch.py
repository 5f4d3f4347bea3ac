"""Finding the secrets a seed run uses, so that the redactor masks them in every output.

Known before a seed runs: token values, and configured values with a secret name (at any
depth of a configured mapping); both travel as :class:`~pytest_seeds.secrets.secret.Secret`
values (:func:`conceal_tokens`, :func:`conceal_named`), and every Secret a request carries is
learned as sent. Found while it runs (:class:`SecretWatch`, a step observer):
the credentials in the secret-named headers it sends (``Authorization`` decoded too when it
is ``Basic``), the password and ``user:password`` of a URL, secret-named query parameters
(in the URL too), form fields and JSON body fields sent, extracted values with a secret
name; and in each answer: secret-named headers (``Set-Cookie``, ``X-Session-Token``...),
secret-named parameters of any URL in a header (``Location``, ``Link``) or of the final URL
after redirects, and secret-named fields of the body, of any JSON type and at any depth.

The name rule is :func:`pytest_seeds.secrets.names.is_secret_name`. Values under a secret name
are taken whole: every scalar (string or number) inside a list or an object. Python values
(sent bodies, extracted values) are walked up to ``MAX_JSON_NODES`` nodes; answers are not
parsed but scanned (:mod:`pytest_seeds.secrets.fields`, linear in their size, whatever it is),
and up to ``MAX_LEARNED`` values are learned from one answer. Values past either bound are
still masked where they stand, under their name, but not elsewhere.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from pytest_seeds.secrets.fields import NamedValues
from pytest_seeds.secrets.names import SUFFIXES, is_secret_name, secret_spans
from pytest_seeds.secrets.redact import MIN_SECRET_LENGTH, Redactor, secret_text
from pytest_seeds.secrets.secret import conceal, reveal_text, secrets_in

if TYPE_CHECKING:
    from pytest_seeds.http.transport import Request, Response
    from pytest_seeds.running.runner import SeedRun, StepRecord

MAX_JSON_NODES = 10_000
MAX_LEARNED = 1_000


def secret_if_named(name: str, value: Any, declared: Iterable[str] = ()) -> Any:
    """The value as a Secret when its name is secret (see ``conceal``), else as it is."""
    return conceal(value) if is_secret_name(name, declared) else value


def conceal_named(values: Mapping[str, Any], declared: Iterable[str] = ()) -> dict[str, Any]:
    """The mapping with the values of its secret-named entries as Secrets."""
    names = tuple(declared)
    return {name: secret_if_named(str(name), value, names) for name, value in values.items()}


def conceal_tokens(tokens: Mapping[str, Any]) -> dict[str, Any]:
    """Tokens by type, every value a Secret (whatever a ``seeds_tokens`` override returned)."""
    return {kind: conceal(value) for kind, value in tokens.items()}


def named_secrets(values: Mapping[str, Any], declared: Iterable[str] = ()) -> list[str]:
    """The text of every scalar under a secret name in a mapping, at any depth."""
    return json_secrets(values, declared)


def json_secrets(document: Any, declared: Iterable[str] = ()) -> list[str]:
    """The text of every scalar under a secret-named key anywhere in a JSON-like value.

    Walks at most ``MAX_JSON_NODES`` nodes.
    """
    names = tuple(declared)
    found: list[str] = []
    todo: list[tuple[Any, bool]] = [(document, False)]
    seen = 0
    while todo and seen < MAX_JSON_NODES:
        node, secret = todo.pop()
        seen += 1
        if isinstance(node, Mapping):
            todo += [
                (value, secret or is_secret_name(str(name), names)) for name, value in node.items()
            ]
        elif isinstance(node, list | tuple):
            todo += [(value, secret) for value in node]
        elif secret:
            text = secret_text(node)
            if text is not None:
                found.append(text)
    return found


def header_secrets(name: str, value: str) -> list[str]:
    """The secret parts of a secret header: its credentials or cookie values, else all of it.

    ``Bearer abc`` masks as ``Bearer ***``, ``sid=abc`` as ``sid=***``.
    """
    value = str(value)
    parts = [value[start:end].strip('"') for start, end in secret_spans(name, value)]
    found = [part for part in parts if len(part) >= MIN_SECRET_LENGTH]
    value = value.strip()
    return found or ([value] if len(value) >= MIN_SECRET_LENGTH else [])


def basic_secrets(credentials: str) -> list[str]:
    """``user:password`` and the password of ``Basic`` credentials."""
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return []
    password = decoded.partition(":")[2]
    return [decoded, password] if password else [decoded]


def url_secrets(url: str, fields: NamedValues) -> list[str]:
    """A URL's password and ``user:password`` (as written and decoded), secret parameters."""
    found = fields.values(url, MAX_LEARNED)
    try:
        parts = urlsplit(url)
        user, password = parts.username or "", parts.password
    except ValueError:
        return found
    if password:
        for name, secret in {(user, password), (unquote(user), unquote(password))}:
            found += [secret, f"{name}:{secret}"]
    return found


def request_secrets(
    request: Request, declared: Iterable[str] = (), fields: NamedValues | None = None
) -> list[str]:
    """Every secret a request carries: its Secrets as sent, and plain values found by name."""
    names = tuple(declared)
    found = secrets_in([request.url, request.params, request.headers, request.form, request.json])
    found += url_secrets(reveal_text(request.url), fields or NamedValues(names))
    for name, value in request.headers.items():
        if is_secret_name(name, names):
            found += header_secrets(name, reveal_text(value))
            scheme, _, credentials = reveal_text(value).strip().partition(" ")
            if scheme.lower() == "basic":
                found += basic_secrets(credentials)
    found += named_secrets(request.params, names) + named_secrets(request.form or {}, names)
    return found + json_secrets(request.json, names)


class SecretWatch:
    """A step observer that teaches the redactor every secret a run sends or receives."""

    def __init__(self, redactor: Redactor, declared: Iterable[str] = ()) -> None:
        self.redactor = redactor
        self.declared = tuple(name.lower() for name in declared)
        self.fields = NamedValues(self.declared)
        words = "|".join([SUFFIXES, "authorization", "cookie", *map(re.escape, self.declared)])
        # searched in the lower-cased bytes: a case-sensitive scan skips to the words' letters
        self._secret_key = re.compile(f"(?:{words})\\\\?[\"']?\\s*(?::|=|%3d)".encode())

    def may_hold_secrets(self, content: bytes) -> bool:
        """False when a text surely has no secret-named field or parameter (no need to scan it).

        A name written with ``\\u`` escapes is not matched literally, so such a text is scanned.
        """
        return b"\\u" in content or self._secret_key.search(content.lower()) is not None

    def response_secrets(self, response: Response) -> list[str]:
        """Secret-named headers, parameters of URLs in headers and of the final URL, body fields."""
        found = url_secrets(response.url, self.fields)
        for name, value in response.headers.items():
            if is_secret_name(name, self.declared):
                found += header_secrets(name, value)
            else:
                found += self.fields.values(str(value), MAX_LEARNED)
        if self.may_hold_secrets(response.content):
            text = response.content.decode("utf-8", errors="replace")
            found += self.fields.values(text, MAX_LEARNED)
        return found

    def before_send(self, run: SeedRun, step: Any, request: Request) -> None:
        self.redactor.add(request_secrets(request, self.declared, self.fields))

    def after_response(self, run: SeedRun, record: StepRecord) -> None:
        """Nothing to do before extraction: :meth:`after_step` sees every answer."""

    def after_step(self, run: SeedRun, record: StepRecord) -> None:
        found = secrets_in(run.context.extracted)
        found += named_secrets(run.context.extracted, self.declared)
        if record.response is not None:
            found += self.response_secrets(record.response)
        self.redactor.add(found)
