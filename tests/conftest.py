"""Fixtures and hooks of the test suite; the helpers the tests import are in ``tests/helpers.py``.

``api`` is an HTTP server on a real socket that echoes every request (``/status/<code>/...``
answers with that status); ``tokens`` configures every token type through the environment.
Child processes (``runpytest_subprocess``, ``-n``) import the ``pytest_seeds`` this session
imported, so a checkout tests its own code even where another one is installed.

Hypothesis profiles: ``dev`` (the default, for quick local runs) and ``ci`` (deep: the
``max_examples`` the fuzz tests were written with), chosen by ``HYPOTHESIS_PROFILE``, else
``ci`` when ``CI`` is set (``true``, as CI services and ``.ci/run`` set it). ``@given`` tests
take ``max_examples`` from the profile; one whose examples each run pytest several times
takes a fraction of it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

# The libraries the plugin imports only when a seed needs them, imported once here: pytester's
# in-process runs drop the modules first imported during a run, and a second copy of
# requests or jsonpath-ng beside objects made by the first breaks them (CookieJar merges).
try:
    import jsonpath_ng.ext.parser  # noqa: F401
    import jsonschema  # noqa: F401
    import pytest
    import requests  # noqa: F401
    from hypothesis import settings
    from pytest_httpserver import HTTPServer
except ModuleNotFoundError as missing:  # run outside the environment the README sets up
    raise ModuleNotFoundError(
        f"{missing.name} is not installed: the test suite needs the package and its test "
        "extra, as the README's test command installs them: pip install -e '.[test]'",
        name=missing.name,
    ) from None

import pytest_seeds
from tests.helpers import SECRETS, echo

settings.register_profile("dev", max_examples=30)
settings.register_profile("ci", max_examples=300, print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE")
    or ("ci" if os.environ.get("CI", "").lower() not in {"", "0", "false", "no"} else "dev")
)


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """pytest-httpserver on 127.0.0.1, port 0."""
    return ("127.0.0.1", 0)


@pytest.fixture
def api(httpserver: HTTPServer) -> HTTPServer:
    """An HTTP server that echoes every request (see :func:`tests.helpers.echo`)."""
    httpserver.expect_request(re.compile(".*")).respond_with_handler(echo)
    return httpserver


CHECKOUT = Path(pytest_seeds.__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _children_import_this_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Child processes find this session's ``pytest_seeds`` first (PYTHONPATH)."""
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(CHECKOUT), os.environ.get("PYTHONPATH")]))
    )


@pytest.fixture(autouse=True)
def _no_seeds_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start without SEEDS_* variables from the outer environment."""
    for name in [name for name in os.environ if name.startswith("SEEDS_")]:
        monkeypatch.delenv(name)


@pytest.fixture
def tokens(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Every token type configured through ``SEEDS_TOKEN_<TYPE>``."""
    for kind, value in SECRETS.items():
        monkeypatch.setenv(f"SEEDS_TOKEN_{kind.upper()}", value)
    return SECRETS
