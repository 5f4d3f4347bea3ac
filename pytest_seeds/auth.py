"""Which token a step uses, how it is sent, and where the request goes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .model import Seed, Step

ADMIN_SCHEME_TOKENS = frozenset({"admin", "internal"})
PARTNERS_MARK = "/partners/"


@dataclass(frozen=True)
class Target:
    """Base URLs of the API under test."""

    base_url: str | None = None
    fallback_url: str | None = None
    partners_url: str | None = None


class MissingBaseURL(Exception):
    """The step needs a base URL that is not configured."""


def is_partners(path: str) -> bool:
    return PARTNERS_MARK in path


def base_url_for(step: Step, path: str, target: Target) -> str:
    """Partners paths go to the partners URL, fallback steps to the fallback URL."""
    if is_partners(path):
        url, name, flag = target.partners_url, "partners", "--seeds-partners-url"
    elif step.use_fallback:
        url, name, flag = target.fallback_url, "fallback", "--seeds-fallback-url"
    else:
        url, name, flag = target.base_url, "base", "--seeds-base-url"
    if not url:
        raise MissingBaseURL(
            f"no {name} URL is configured: pass {flag} or set {flag[2:].upper().replace('-', '_')}"
        )
    return url


def authorization(token_type: str, token: str, path: str) -> str:
    """The Authorization header value for a token of a type, on a path."""
    if is_partners(path):
        return f'Token token="{token}"'
    if token_type in ADMIN_SCHEME_TOKENS:
        return f"Admin {token}"
    return f"Bearer {token}"


def missing_tokens(seed: Seed, tokens: Mapping[str, str]) -> list[str]:
    """Token types the seed's steps use that are not configured, sorted."""
    return sorted(kind for kind in seed.token_types if not tokens.get(kind))


def missing_token_reason(kinds: list[str]) -> str:
    """A skip reason that names each missing token and how to supply it."""
    names = ", ".join(f"'{kind}'" for kind in kinds)
    envs = ", ".join(f"SEEDS_TOKEN_{kind.upper()}" for kind in kinds)
    return (
        f"no {names} token configured: set {envs}, add it under 'tokens:' in the "
        "--seeds-config file, or override the seeds_tokens fixture"
    )


def wants_on_behalf_of(step: Step, declared_by_swagger: bool) -> bool:
    """Directory tokens send X-On-Behalf-Of when the step says so, or its Swagger does."""
    if step.token != "directory":
        return False
    return step.x_on_behalf_of if step.x_on_behalf_of is not None else declared_by_swagger
