"""Run the repository's own seeds against the embedded sandbox API.

When no base URL is configured (``--seeds-base-url`` / ``SEEDS_BASE_URL`` / ini),
each pytest process starts a sandbox on 127.0.0.1 and gives the seeds its URLs,
demo tokens and demo values. With a base URL, the seeds go to that API with the
tokens and values you configured.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pytest_seeds import Target
from pytest_seeds.plugin import get_settings
from pytest_seeds.sandbox import DEMO_PARAMS, DEMO_TOKENS, Sandbox


def _use_sandbox(config: pytest.Config) -> bool:
    return get_settings(config).base_url is None


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """A sandbox API server for this pytest process."""
    with Sandbox() as server:
        yield server


@pytest.fixture(scope="session")
def seeds_target(seeds_target: Target, request: pytest.FixtureRequest) -> Target:
    if not _use_sandbox(request.config):
        return seeds_target
    server = request.getfixturevalue("sandbox")
    return Target(server.url, server.fallback_url, server.partners_url)


@pytest.fixture(scope="session")
def seeds_tokens(seeds_tokens: dict[str, str], request: pytest.FixtureRequest) -> dict[str, str]:
    return {**DEMO_TOKENS, **seeds_tokens} if _use_sandbox(request.config) else seeds_tokens


@pytest.fixture(scope="session")
def seeds_params(seeds_params: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    return {**DEMO_PARAMS, **seeds_params} if _use_sandbox(request.config) else seeds_params
