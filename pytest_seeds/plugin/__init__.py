"""The pytest glue: options, fixtures, collection of seeds into items, reporting.

Everything pytest-specific lives in this package (``items``: the File and Item
classes; ``names``: item names and arguments that name seeds; ``selection``: which
seeds a run has (a run without any is left alone); ``reporting``: report hooks,
summary and masking; ``workers``: what xdist workers share; ``state``: stash
keys, settings); parsing, templating, sending and checking are in modules that never
import pytest.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pytest

from pytest_seeds import settings as seeds_config
from pytest_seeds.http.ratelimit import shard_share
from pytest_seeds.model import Seed, Step
from pytest_seeds.plugin import coverage as seeds_coverage
from pytest_seeds.plugin import selection
from pytest_seeds.plugin.coverage import SeedsCoverage
from pytest_seeds.plugin.examples import ExampleUpdates
from pytest_seeds.plugin.items import SeedFile, register_label_markers, step_observers
from pytest_seeds.plugin.names import SeedNodeIds
from pytest_seeds.plugin.reporting import (
    SecretMasking,
    SeedsSummary,
    mask_debug_log,
    pytest_collection_finish,
    pytest_collection_modifyitems,
    pytest_itemcollected,
    pytest_runtest_logreport,
    pytest_runtest_makereport,
    pytest_sessionfinish,
)
from pytest_seeds.plugin.shards import SeedsBeforeSplit, shard_count
from pytest_seeds.plugin.state import (
    REDACTOR_KEY,
    SEED_ROOTS_KEY,
    SETTINGS_KEY,
    SeedContractWarning,
    SeedDriftWarning,
    SeedStepWarning,
    SeedSwaggerWarning,
    contract,
    get_settings,
    is_seed_path,
    swagger_index,
)
from pytest_seeds.plugin.workers import pytest_configure_node, rate_limiter
from pytest_seeds.running.requestid import is_header_name
from pytest_seeds.running.routing import Target
from pytest_seeds.running.runner import Environment
from pytest_seeds.secrets.redact import Redactor
from pytest_seeds.secrets.secret import Secret, secrets_in
from pytest_seeds.secrets.watch import named_secrets

if TYPE_CHECKING:
    from pytest_seeds.http.transport import Client

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
    """With ``--seeds-dir`` and no paths, start from the seed folders' conftest files.

    Otherwise pytest would first import the conftest files of ``testpaths`` (a test
    suite's own, with its own dependencies) for a run that collects only seeds.
    """
    namespace = early_config.known_args_namespace
    settings = _resolve(early_config, lambda dest: getattr(namespace, dest, None))
    early_config.stash[SETTINGS_KEY] = settings  # the same Config object: resolved once
    # registered before pytest's --debug cleanup closes the log, so it runs after it
    early_config.add_cleanup(lambda: mask_debug_log(early_config))
    if not namespace.file_or_dir and getattr(namespace, "seeds_dirs", None):
        namespace.file_or_dir = [str(path) for path in settings.dirs if path.exists()]


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Settings for every run; the rest only for a run that has seeds (see ``selection``)."""
    settings = config.stash.get(SETTINGS_KEY, None) or _resolve(config, config.getoption)
    config.stash[SETTINGS_KEY] = settings
    if settings.request_id_header and not is_header_name(settings.request_id_header):
        raise pytest.UsageError(
            f"--seeds-request-id-header: '{settings.request_id_header}' is not a header name"
        )
    missing = [str(path) for path in settings.dirs if not path.exists()]
    if missing:
        raise pytest.UsageError(f"--seeds-dir: no such file or folder: {', '.join(missing)}")
    here = config.invocation_params.dir
    if settings.dirs and config.args_source != pytest.Config.ArgsSource.ARGS:
        only_seeds = bool(config.getoption("seeds_dirs"))  # given on the command line
        config.args = selection.run_args(config.args, settings.dirs, here, only_seeds)
    roots = selection.seed_roots(config.args, settings.dirs, here)
    config.stash[SEED_ROOTS_KEY] = roots
    redactor = Redactor(
        [
            *secrets_in([settings.tokens, settings.params]),
            *named_secrets(settings.params, settings.secret_names),  # nested ones too
        ],
        names=settings.secret_names,
    )
    config.stash[REDACTOR_KEY] = redactor
    if roots:
        _take_part(config, settings, redactor)


def _take_part(config: pytest.Config, settings: seeds_config.Settings, redactor: Redactor) -> None:
    """What a run with seeds adds to pytest: markers, masking, node ids, the summary."""
    config.addinivalue_line("markers", "seed: a test collected from a seed document")
    if config.option.markers:  # pytest --markers: the domain and tag markers too
        roots = config.stash[SEED_ROOTS_KEY]
        register_label_markers(config, roots)
    config.pluginmanager.register(
        SecretMasking(redactor, settings.secret_names), "seeds-secret-masking"
    )
    config.pluginmanager.register(SeedNodeIds(config), "seeds-node-ids")
    shard_count(config, settings)  # a usage error, early, if the shard counts disagree
    config.pluginmanager.register(SeedsBeforeSplit(config), "seeds-before-split")
    if not hasattr(config, "workerinput"):
        summary = SeedsSummary(config, settings)
        config.pluginmanager.register(summary, "seeds-summary")
        if seeds_coverage.wanted(settings):
            ledger = SeedsCoverage(config, settings, summary.runs)
            config.pluginmanager.register(ledger, seeds_coverage.PLUGIN_NAME)
        if settings.updates_examples or settings.discrepancies is not None:
            config.pluginmanager.register(ExampleUpdates(config, settings), "seeds-examples")


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def seeds_settings(pytestconfig: pytest.Config) -> seeds_config.Settings:
    """The resolved pytest-seeds settings."""
    return get_settings(pytestconfig)


@pytest.fixture(scope="session")
def seeds_target(seeds_settings: seeds_config.Settings) -> Target:
    """Base, fallback and partners URLs of the API under test."""
    return Target(
        seeds_settings.base_url,
        seeds_settings.fallback_url,
        seeds_settings.partners_url,
        seeds_settings.routes,
        seeds_settings.urls,
    )


@pytest.fixture(scope="session")
def seeds_tokens(seeds_settings: seeds_config.Settings) -> dict[str, Secret]:
    """Tokens by type (staff, app, client, directory, admin, internal), as Secrets.

    An override may return plain strings: the seeds get them as Secrets all the same.
    """
    return dict(seeds_settings.tokens)


@pytest.fixture(scope="session")
def seeds_params(seeds_settings: seeds_config.Settings) -> dict[str, Any]:
    """Configured template values (Secrets under secret names); a callable is called per run."""
    return dict(seeds_settings.params)


@pytest.fixture(scope="session")
def seeds_client(
    seeds_settings: seeds_config.Settings, pytestconfig: pytest.Config
) -> Iterator[Client]:
    """The HTTP client shared by the seeds of this process (its rate limit: the shard's share
    of the run's, shared by the xdist workers of the shard)."""
    from pytest_seeds.http.retries import RetryPolicy  # requests: only when a seed runs
    from pytest_seeds.http.transport import Client

    settings = seeds_settings
    policy = RetryPolicy(
        settings.retries,
        settings.retries_429,
        settings.max_retry_after,
        settings.retry_backoff,
        settings.retry_unsafe,
    )
    rate = shard_share(settings.rate, shard_count(pytestconfig, settings))
    client = Client(settings.timeout, policy, limiter=rate_limiter(pytestconfig, rate))
    yield client
    client.close()
    client.limiter.close()


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
    redactor = config.stash[REDACTOR_KEY]  # it learnt the tokens and values as they were set up
    index = swagger_index(config)

    def on_behalf_of(seed: Seed, step: Step) -> bool:
        operation = index.find(step.method, step.path, seed.swagger)
        return operation is not None and operation.wants_on_behalf_of()

    return Environment(
        target=request.getfixturevalue("seeds_target"),
        tokens=request.getfixturevalue("seeds_tokens"),
        params=request.getfixturevalue("seeds_params"),
        client=request.getfixturevalue("seeds_client"),
        files_dir=settings.files_dir,
        swagger_on_behalf_of=on_behalf_of,
        observers=step_observers(settings, redactor, contract(config)),
        secret_names=settings.secret_names,
        max_sleep=settings.max_sleep,
        schemes=settings.schemes,
    )


# --- collection -----------------------------------------------------------------------------


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if is_seed_path(file_path, parent.config.stash.get(SEED_ROOTS_KEY, ())):
        return SeedFile.from_parent(parent, path=file_path)
    return None


__all__ = [
    "SecretMasking",
    "SeedContractWarning",
    "SeedDriftWarning",
    "SeedFile",
    "SeedStepWarning",
    "SeedSwaggerWarning",
    "SeedsSummary",
    "get_settings",
    "pytest_addoption",
    "pytest_collect_file",
    "pytest_collection_finish",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_configure_node",
    "pytest_itemcollected",
    "pytest_load_initial_conftests",
    "pytest_runtest_logreport",
    "pytest_runtest_makereport",
    "pytest_sessionfinish",
    "seeds_client",
    "seeds_environment",
    "seeds_params",
    "seeds_settings",
    "seeds_target",
    "seeds_tokens",
]
