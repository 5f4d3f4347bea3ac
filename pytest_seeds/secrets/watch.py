"""Finding the secrets a seed run uses, so that the redactor masks them in every output.

Known before a seed runs: token values, and configured values with a secret name; both
travel as :class:`~pytest_seeds.secrets.secret.Secret` values (:func:`conceal_tokens`,
:func:`conceal_named`). Found while it runs (:class:`SecretWatch`, a step observer): every
Secret a request carries, as sent (``Bearer <token>``, ``{{api_token | upcase}}``), the
credentials in secret headers it sends (``Authorization``, ``Cookie``, ``X-Api-Key``...),
the password of a URL, query parameters, form fields and JSON body fields with a secret
name, extracted values with a secret name (Secrets too), cookies the server sets, and
secret-named fields of JSON answers.

A name is secret when the ``--seeds-config`` file lists it under ``secrets:``,
or when it ends in ``token``, ``secret``, ``password``, ``passwd`` or ``api_key``
(``access_token``, ``client_secret``, ``apikey``...).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pytest_seeds.secrets.redact import MIN_SECRET_LENGTH, SECRET_HEADERS, Redactor
from pytest_seeds.secrets.secret import conceal, reveal_text, secrets_in

if TYPE_CHECKING:
    from pytest_seeds.http.transport import Request
    from pytest_seeds.running.runner import SeedRun, StepRecord

_SECRET_SUFFIX = r"(token|secret|password|passwd|api[_-]?key)"
SECRET_NAME = re.compile(_SECRET_SUFFIX + "$", re.IGNORECASE)
MAX_JSON_NODES = 10_000
MAX_JSON_BYTES = 256 * 1024
_CREDENTIALS = re.compile(r'="([^"]*)"')
_SET_COOKIE = re.compile(r"(?:^|,)\s*[^=;,\s]+=([^;]*)")


def is_secret_name(name: str, declared: Iterable[str] = ()) -> bool:
    """Whether values under this name are secret."""
    return name.lower() in declared or SECRET_NAME.search(name) is not None


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
    """The text values of the secret-named entries of a mapping."""
    names = tuple(declared)
    return [
        value
        for name, value in values.items()
        if isinstance(value, str) and is_secret_name(str(name), names)
    ]


def header_secrets(name: str, value: str) -> list[str]:
    """The secret parts of a secret header: its credentials or cookie values, else all of it.

    ``Bearer abc`` masks as ``Bearer ***``, ``sid=abc`` as ``sid=***``.
    """
    name, value = name.lower(), str(value).strip()
    if name == "cookie":
        parts = [pair.partition("=")[2].strip().strip('"') for pair in value.split(";")]
    elif name == "set-cookie":
        parts = [match.strip().strip('"') for match in _SET_COOKIE.findall(value)]
    else:
        credentials = value.partition(" ")[2].strip()
        parts = _CREDENTIALS.findall(credentials) or [credentials]
    found = [part for part in parts if len(part) >= MIN_SECRET_LENGTH]
    return found or ([value] if len(value) >= MIN_SECRET_LENGTH else [])


def json_secrets(document: Any, declared: Iterable[str] = ()) -> list[str]:
    """Text values under secret-named keys anywhere in a JSON document (bounded walk)."""
    names = tuple(declared)
    found: list[str] = []
    todo, seen = [document], 0
    while todo and seen < MAX_JSON_NODES:
        node = todo.pop()
        seen += 1
        if isinstance(node, Mapping):
            found += named_secrets(node, names)
            todo += node.values()
        elif isinstance(node, list):
            todo += node
    return found


def request_secrets(request: Request, declared: Iterable[str] = ()) -> list[str]:
    """Every secret a request carries: its Secrets as sent, and plain values found by name."""
    names = tuple(declared)
    found = secrets_in([request.url, request.params, request.headers, request.form, request.json])
    password = urlsplit(reveal_text(request.url)).password
    found += [password] if password else []
    for name, value in request.headers.items():
        if name.lower() in SECRET_HEADERS or is_secret_name(name, names):
            found += header_secrets(name, reveal_text(value))
    found += named_secrets(request.params, names) + named_secrets(request.form or {}, names)
    return found + json_secrets(request.json, names)


class SecretWatch:
    """A step observer that teaches the redactor every secret a run sends or receives."""

    def __init__(self, redactor: Redactor, declared: Iterable[str] = ()) -> None:
        self.redactor = redactor
        self.declared = tuple(name.lower() for name in declared)
        names = [_SECRET_SUFFIX, *(f'"{re.escape(name)}' for name in self.declared)]
        self._secret_key = re.compile(f'(?:{"|".join(names)})"\\s*:'.encode(), re.IGNORECASE)

    def may_hold_secrets(self, content: bytes) -> bool:
        """False when a JSON text surely has no secret-named key (no need to parse and walk it).

        A key written with ``\\u`` escapes is not matched literally, so such a text is walked.
        """
        return b"\\u" in content or self._secret_key.search(content) is not None

    def before_send(self, run: SeedRun, step: Any, request: Request) -> None:
        self.redactor.add(request_secrets(request, self.declared))

    def after_response(self, run: SeedRun, record: StepRecord) -> None:
        """Nothing to do before extraction: :meth:`after_step` sees every answer."""

    def after_step(self, run: SeedRun, record: StepRecord) -> None:
        found = secrets_in(run.context.extracted)
        response = record.response
        if response is not None:
            for name, value in response.headers.items():
                if name.lower() == "set-cookie":
                    found += header_secrets(name, value)
            content = response.content
            if len(content) <= MAX_JSON_BYTES and self.may_hold_secrets(content):
                with contextlib.suppress(ValueError):
                    found += json_secrets(response.json(), self.declared)
        self.redactor.add(found)
