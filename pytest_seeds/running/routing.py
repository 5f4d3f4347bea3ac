"""Where a step's request goes: the base URL for its path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pytest_seeds.model import Step
from pytest_seeds.settings import DEFAULT_ROUTES, Route

PARTNERS_MARK = "/partners/"


@dataclass(frozen=True)
class Target:
    """Base URLs of the API under test, and the routes that send some paths elsewhere.

    ``routes`` (the config file's ``routes:``; by default ``/partners/`` paths go to the
    partners URL) are tried in order; the first whose ``path_contains`` is in the path wins.
    ``urls`` are named base URLs a route may name (the config file's ``urls:``).
    """

    base_url: str | None = None
    fallback_url: str | None = None
    partners_url: str | None = None
    routes: tuple[Route, ...] = DEFAULT_ROUTES
    urls: Mapping[str, str] = field(default_factory=dict)


def host(url: str) -> str:
    """The ``host:port`` of a URL, lower-cased; "" for a path or a URL that does not parse."""
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


def api_hosts(target: Target) -> frozenset[str]:
    """The hosts of the API under test: those of its base, fallback, partners and named URLs."""
    urls = [target.base_url, target.fallback_url, target.partners_url, *target.urls.values()]
    return frozenset(host(url) for url in urls if isinstance(url, str) and host(url))


class MissingBaseURL(Exception):
    """The step needs a base URL that is not configured."""


def is_partners(path: str) -> bool:
    return PARTNERS_MARK in path


def route_for(path: str, target: Target) -> Route | None:
    """The first route whose ``path_contains`` the path holds, or None."""
    return next((route for route in target.routes if route.path_contains in path), None)


def base_url_for(step: Step, path: str, target: Target) -> str:
    """A routed path goes to its route's URL, fallback steps to the fallback URL."""
    route = route_for(path, target)
    if route is not None:
        url, name, flag = _route_url(route, target)
    elif step.use_fallback:
        url, name, flag = target.fallback_url, "fallback", "--seeds-fallback-url"
    else:
        url, name, flag = target.base_url, "base", "--seeds-base-url"
    if not url:
        raise MissingBaseURL(
            f"no {name} URL is configured: pass {flag} or set {flag[2:].upper().replace('-', '_')}"
        )
    return url


def _route_url(route: Route, target: Target) -> tuple[str | None, str, str]:
    if "://" in route.base_url:
        return route.base_url, route.base_url, "--seeds-base-url"
    named = {"base": target.base_url, "fallback": target.fallback_url}
    named["partners"] = target.partners_url
    if route.base_url in named:
        return named[route.base_url], route.base_url, f"--seeds-{route.base_url}-url"
    url = target.urls.get(route.base_url)
    if url is None:
        raise MissingBaseURL(
            f"no '{route.base_url}' URL is configured for paths with '{route.path_contains}': "
            "add it under 'urls:' in the --seeds-config file"
        )
    return url, route.base_url, "--seeds-base-url"
