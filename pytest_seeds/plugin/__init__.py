"""The pytest glue: options, fixtures, collection of seeds into items, reporting.

Everything pytest-specific lives in this package (``items``: the File and Item
classes; ``reporting``: report hooks, summary and masking; ``state``: stash keys,
settings); parsing, templating, sending and checking are in modules that never
import pytest.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import pytest

from pytest_seeds import settings as seeds_config
from pytest_seeds.http.ratelimit import worker_share
from pytest_seeds.http.retries import RetryPolicy
from pytest_seeds.http.transport import Client
from pytest_seeds.model import Seed, Step
from pytest_seeds.plugin.items import SeedFile, step_observers
from pytest_seeds.plugin.reporting import (
    SecretMasking,
    SeedsSummary,
    pytest_collection,
    pytest_collection_modifyitems,
    pytest_runtest_logreport,
    pytest_runtest_makereport,
)
from pytest_seeds.plugin.state import (
    REDACTOR_KEY,
    SETTINGS_KEY,
    SeedContractWarning,
    SeedStepWarning,
    SeedSwaggerWarning,
    contract,
    get_settings,
    swagger_index,
)
from pytest_seeds.running.requestid import is_header_name
from pytest_seeds.running.routing import Target
from pytest_seeds.running.runner import Environment
from pytest_seeds.secrets import logmask
from pytest_seeds.secrets.redact import Redactor
from pytest_seeds.secrets.watch import named_secrets

# --- options and settings -------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("seeds", "pytest-seeds: run Markdown API seeds")
    for setting in seeds_config.SETTINGS:
        env = f" [env {setting.env}]" if setting.env else ""
        kwargs: dict[str, Any] = {"dest": f"seeds_{setting.name}", "help": setting.help + env}
        if setting.kind == "flag":
            kwargs["action"] = "store_true"
        elif setting.kind == "paths":
            kwargs.update(action="append", default=[], metavar="PATH")
        else:
            kwargs["default"] = None
        if setting.choices:
            kwargs["choices"] = setting.choices
        group.addoption(setting.flag, **kwargs)
        ini_type: Literal["paths", "bool", "string"] = (
            "paths" if setting.kind == "paths" else "bool" if setting.kind == "flag" else "string"
        )
        parser.addini(setting.ini, setting.help, type=ini_type, default=None)


def _resolve(config: pytest.Config, option: Callable[[str], Any]) -> seeds_config.Settings:
    try:
        return seeds_config.resolve(
            option=lambda name: option(f"seeds_{name}"),
            ini=config.getini,
            environ=os.environ,
            invocation_dir=config.invocation_params.dir,
            ini_dir=config.inipath.parent if config.inipath else config.rootpath,
        )
    except seeds_config.ConfigError as error:
        raise pytest.UsageError(str(error)) from None


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """With seed folders and no paths given, start from the seed folders' conftest files.

    Otherwise pytest would first import the conftest files of ``testpaths`` (a test
    suite's own, with its own dependencies) for a run that collects only seeds.
    """
    namespace = early_config.known_args_namespace
    settings = _resolve(early_config, lambda dest: getattr(namespace, dest, None))
    early_config.stash[SETTINGS_KEY] = settings  # the same Config object: resolved once
    if not namespace.file_or_dir:
        namespace.file_or_dir = [str(path) for path in settings.dirs if path.exists()]


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    settings = config.stash.get(SETTINGS_KEY, None) or _resolve(config, config.getoption)
    config.stash[SETTINGS_KEY] = settings
    if settings.request_id_header and not is_header_name(settings.request_id_header):
        raise pytest.UsageError(
            f"--seeds-request-id-header: '{settings.request_id_header}' is not a header name"
        )
    config.addinivalue_line("markers", "seed: a test collected from a seed document")
    missing = [str(path) for path in settings.dirs if not path.exists()]
    if missing:
        raise pytest.UsageError(f"--seeds-dir: no such file or folder: {', '.join(missing)}")
    if settings.dirs and config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args = [str(path) for path in settings.dirs]
    redactor = Redactor(
        [*settings.tokens.values(), *named_secrets(settings.params, settings.secret_names)],
        names=settings.secret_names,
    )
    config.stash[REDACTOR_KEY] = redactor
    config.add_cleanup(logmask.install(redactor))
    config.pluginmanager.register(SecretMasking(redactor), "seeds-secret-masking")
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(SeedsSummary(config, settings), "seeds-summary")


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def seeds_settings(pytestconfig: pytest.Config) -> seeds_config.Settings:
    """The resolved pytest-seeds settings."""
    return get_settings(pytestconfig)


@pytest.fixture(scope="session")
def seeds_target(seeds_settings: seeds_config.Settings) -> Target:
    """Base, fallback and partners URLs of the API under test."""
    return Target(seeds_settings.base_url, seeds_settings.fallback_url, seeds_settings.partners_url)


@pytest.fixture(scope="session")
def seeds_tokens(seeds_settings: seeds_config.Settings) -> dict[str, str]:
    """Tokens by type (staff, app, client, directory, admin, internal)."""
    return dict(seeds_settings.tokens)


@pytest.fixture(scope="session")
def seeds_params(seeds_settings: seeds_config.Settings) -> dict[str, Any]:
    """Configured template values; a callable value is called once per seed run."""
    return dict(seeds_settings.params)


@pytest.fixture(scope="session")
def seeds_client(seeds_settings: seeds_config.Settings) -> Iterator[Client]:
    """The HTTP client shared by the seeds of this process."""
    settings = seeds_settings
    policy = RetryPolicy(
        settings.retries,
        settings.retries_429,
        settings.max_retry_after,
        settings.retry_backoff,
        settings.retry_unsafe,
    )
    client = Client(settings.timeout, policy, worker_share(settings.rate, os.environ))
    yield client
    client.close()


@pytest.fixture(scope="session")
def seeds_environment(request: pytest.FixtureRequest) -> Environment:
    """Target, tokens, values, client and step checks shared by the seeds of this process.

    Built once per process from ``seeds_target``, ``seeds_tokens``, ``seeds_params`` and
    ``seeds_client``, asked for by name here rather than by every seed item (a fixture
    closure per item costs more than the seed's own parsing): overrides of those fixtures
    in a ``conftest.py`` at or above the seed folders apply to every seed of the run.
    """
    config = request.config
    settings = get_settings(config)
    tokens = request.getfixturevalue("seeds_tokens")
    params = request.getfixturevalue("seeds_params")
    redactor = config.stash[REDACTOR_KEY]
    redactor.add([*tokens.values(), *named_secrets(params, settings.secret_names)])
    index = swagger_index(config)

    def on_behalf_of(seed: Seed, step: Step) -> bool:
        operation = index.find(step.method, step.path, seed.swagger)
        return operation is not None and operation.wants_on_behalf_of()

    return Environment(
        target=request.getfixturevalue("seeds_target"),
        tokens=tokens,
        params=params,
        client=request.getfixturevalue("seeds_client"),
        files_dir=settings.files_dir,
        swagger_on_behalf_of=on_behalf_of,
        observers=step_observers(settings, redactor, contract(config)),
    )


# --- collection -----------------------------------------------------------------------------


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix.lower() != ".md":
        return None
    dirs = get_settings(parent.config).dirs
    if any(file_path == d or file_path.is_relative_to(d) for d in dirs):
        return SeedFile.from_parent(parent, path=file_path)
    return None


__all__ = [
    "SecretMasking",
    "SeedContractWarning",
    "SeedFile",
    "SeedStepWarning",
    "SeedSwaggerWarning",
    "SeedsSummary",
    "get_settings",
    "pytest_addoption",
    "pytest_collect_file",
    "pytest_collection",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_load_initial_conftests",
    "pytest_runtest_logreport",
    "pytest_runtest_makereport",
    "seeds_client",
    "seeds_environment",
    "seeds_params",
    "seeds_settings",
    "seeds_target",
    "seeds_tokens",
]
