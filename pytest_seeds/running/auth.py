"""Which token a step uses and how it is sent: the one place a step's token is chosen."""

from __future__ import annotations

from collections.abc import Mapping

from pytest_seeds.model import Seed, Step
from pytest_seeds.running.routing import Target, route_for
from pytest_seeds.secrets.secret import Secret, Text, join
from pytest_seeds.settings import BUILTIN_SCHEMES, HeaderScheme, token_variable

TOKEN_TYPES = ("staff", "app", "client", "directory", "admin", "internal")
DEFAULT_TOKEN = "staff"  # a step without ``token:``
NO_TOKEN = "none"  # ``token: none``: the step sends no credentials
ADMIN_SCHEME_TOKENS = frozenset({"admin", "internal"})
DEFAULT_SCHEME = HeaderScheme()  # a configured token of a type without a scheme


def token_type(step: Step) -> str:
    """The token type a step sends: its ``token:``, else the default."""
    return step.token or DEFAULT_TOKEN


def token_types(seed: Seed) -> frozenset[str]:
    """Every token type the seed's steps send (``none`` is no token type)."""
    return frozenset(token_type(step) for step in seed.steps) - {NO_TOKEN}


def known_token_types(schemes: Mapping[str, HeaderScheme] = BUILTIN_SCHEMES) -> tuple[str, ...]:
    """What a seed's ``token:`` may name: built-in and configured types, and ``none``."""
    return (*TOKEN_TYPES, *sorted(set(schemes) - set(TOKEN_TYPES)), NO_TOKEN)


def _fill(template: str, token: Secret) -> Text:
    """A header value template with the token in place of each ``{token}``: a Secret."""
    parts: list[Text] = []
    for i, text in enumerate(template.split("{token}")):
        parts += [token, text] if i else [text]
    return join(parts)


def authorization(
    kind: str,
    token: Secret,
    path: str,
    target: Target | None = None,
    schemes: Mapping[str, HeaderScheme] = BUILTIN_SCHEMES,
) -> Text:
    """The value of the credentials header for a token of a type, on a path: a Secret."""
    return credentials(kind, token, path, target or Target(), schemes)[1]


def credentials(
    kind: str,
    token: Secret,
    path: str,
    target: Target,
    schemes: Mapping[str, HeaderScheme] = BUILTIN_SCHEMES,
) -> tuple[str, Text]:
    """The header name and value that send a token of a type on a path.

    A route with a ``value`` (by default ``/partners/`` paths: ``Token token="..."``) wins
    over the token type's scheme (``auth: types:`` of the config file, else the built-ins).
    """
    scheme = schemes.get(kind, DEFAULT_SCHEME)
    route = route_for(path, target)
    if route is not None and route.value is not None:
        return route.header or scheme.header, _fill(route.value, token)
    return scheme.header, _fill(scheme.value, token)


def step_credentials(
    step: Step,
    tokens: Mapping[str, Secret],
    path: str,
    target: Target,
    schemes: Mapping[str, HeaderScheme] = BUILTIN_SCHEMES,
) -> dict[str, Text]:
    """The headers that carry a step's token (none with ``token: none``)."""
    kind = token_type(step)
    if kind == NO_TOKEN:
        return {}
    header, value = credentials(kind, tokens[kind], path, target, schemes)
    return {header: value}


def missing_tokens(seed: Seed, tokens: Mapping[str, Secret]) -> list[str]:
    """Token types the seed's steps use that are not configured, sorted."""
    return sorted(kind for kind in token_types(seed) if not tokens.get(kind))


def missing_token_reason(kinds: list[str], variables: Mapping[str, str] | None = None) -> str:
    """A skip reason that names each missing token and how to supply it (``variables``: the
    environment variable the config file reads a type from, ``{env: NAME}``)."""
    names = ", ".join(f"'{kind}'" for kind in kinds)
    variables = variables or {}
    envs = ", ".join(
        f"{variables[kind]} or {token_variable(kind)}"
        if kind in variables
        else token_variable(kind)
        for kind in kinds
    )
    return (
        f"no {names} token configured: set {envs}, add it under 'tokens:' in the "
        "--seeds-config file, or override the seeds_tokens fixture"
    )


def wants_on_behalf_of(step: Step, declared_by_swagger: bool) -> bool:
    """Directory tokens send X-On-Behalf-Of when the step says so, or its Swagger does."""
    if token_type(step) != "directory":
        return False
    return step.x_on_behalf_of if step.x_on_behalf_of is not None else declared_by_swagger
