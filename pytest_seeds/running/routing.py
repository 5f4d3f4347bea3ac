"""Where a step's request goes: the base URL for its path."""

from __future__ import annotations

from dataclasses import dataclass

from pytest_seeds.model import Step

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
