"""Which token a step uses and how it is sent: the one place a step's token is chosen."""

from __future__ import annotations

from collections.abc import Mapping

from pytest_seeds.model import Seed, Step
from pytest_seeds.running.routing import is_partners
from pytest_seeds.secrets.secret import Secret, Text, join
from pytest_seeds.settings import token_variable

TOKEN_TYPES = ("staff", "app", "client", "directory", "admin", "internal")
DEFAULT_TOKEN = "staff"  # a step without ``token:``
ADMIN_SCHEME_TOKENS = frozenset({"admin", "internal"})


def token_type(step: Step) -> str:
    """The token type a step sends: its ``token:``, else the default."""
    return step.token or DEFAULT_TOKEN


def token_types(seed: Seed) -> frozenset[str]:
    """Every token type the seed's steps send."""
    return frozenset(token_type(step) for step in seed.steps)


def authorization(kind: str, token: Secret, path: str) -> Text:
    """The Authorization header value for a token of a type, on a path: a Secret."""
    if is_partners(path):
        return join(['Token token="', token, '"'])
    return join(["Admin " if kind in ADMIN_SCHEME_TOKENS else "Bearer ", token])


def missing_tokens(seed: Seed, tokens: Mapping[str, Secret]) -> list[str]:
    """Token types the seed's steps use that are not configured, sorted."""
    return sorted(kind for kind in token_types(seed) if not tokens.get(kind))


def missing_token_reason(kinds: list[str]) -> str:
    """A skip reason that names each missing token and how to supply it."""
    names = ", ".join(f"'{kind}'" for kind in kinds)
    envs = ", ".join(token_variable(kind) for kind in kinds)
    return (
        f"no {names} token configured: set {envs}, add it under 'tokens:' in the "
        "--seeds-config file, or override the seeds_tokens fixture"
    )


def wants_on_behalf_of(step: Step, declared_by_swagger: bool) -> bool:
    """Directory tokens send X-On-Behalf-Of when the step says so, or its Swagger does."""
    if token_type(step) != "directory":
        return False
    return step.x_on_behalf_of if step.x_on_behalf_of is not None else declared_by_swagger
