"""Plugin state shared by the pytest glue modules: stash keys, settings, warnings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_seeds import settings as seeds_config
from pytest_seeds.contract.checks import Contract
from pytest_seeds.contract.swagger import SwaggerIndex
from pytest_seeds.secrets.redact import Redactor

SETTINGS_KEY = pytest.StashKey[seeds_config.Settings]()
SEED_ROOTS_KEY = pytest.StashKey[tuple[Path, ...]]()  # none: a run without seeds
SEEDS_COLLECTED_KEY = pytest.StashKey[int]()
REDACTOR_KEY = pytest.StashKey[Redactor]()
HAR_NAMES_KEY = pytest.StashKey[dict[Path, str]]()
SWAGGER_TOLD_KEY = pytest.StashKey[set[object]]()
LABEL_MARKS_KEY = pytest.StashKey[dict[str, pytest.MarkDecorator]]()
SWAGGER_INDEX_KEY = pytest.StashKey[SwaggerIndex]()
CONTRACT_KEY = pytest.StashKey[Contract]()
OUTPUT_FAILURES_KEY = pytest.StashKey[list[str]]()  # files of the run not written
RESERVED_MARKS = frozenset(
    {
        "skip",
        "skipif",
        "xfail",
        "parametrize",
        "usefixtures",
        "filterwarnings",
        "tryfirst",
        "trylast",
    }
)


class SeedStepWarning(UserWarning):
    """A step failed but its onFail let the seed go on."""


class SeedContractWarning(UserWarning):
    """A request or response differs from its Swagger/OpenAPI operation (--seeds-contract warn)."""


class SeedDriftWarning(UserWarning):
    """An answer differs from the seed's documented example (--seeds-drift warn)."""


class SeedSwaggerWarning(UserWarning):
    """A Swagger/OpenAPI file could not be used (told once per file and process)."""


class SeedOutputWarning(UserWarning):
    """A file a seed writes (its HAR file) that could not be written."""


def output_failure(what: str, path: Path, error: Exception) -> str:
    """``pytest-seeds could not write the coverage ledger x.json: Permission denied``."""
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return f"pytest-seeds could not write {what} {path}: {reason}"


def write_output(config: pytest.Config, what: str, path: Path, write: Callable[[], object]) -> bool:
    """Write one of the run's files; a failure is kept, told in the seeds summary and fails
    the run (``reporting.pytest_sessionfinish``), never raised. Whether it was written."""
    try:
        write()
    except (OSError, ValueError) as error:  # UnicodeError is a ValueError
        config.stash.setdefault(OUTPUT_FAILURES_KEY, []).append(output_failure(what, path, error))
        return False
    return True


def get_settings(config: pytest.Config) -> seeds_config.Settings:
    """The resolved settings of this run (public: for conftest files)."""
    return config.stash[SETTINGS_KEY]


def is_seed_path(path: Path, roots: tuple[Path, ...]) -> bool:
    """Whether a file is collected as a seed: a ``.md`` file in (or given as) a seed root."""
    return path.suffix.lower() == ".md" and any(
        path == root or path.is_relative_to(root) for root in roots
    )


def junit_allows_properties(config: pytest.Config) -> bool:
    """Testcase properties are valid JUnit XML only in the xunit1/legacy families."""
    if not config.getoption("xmlpath", None):
        return False
    return config.getini("junit_family") in ("xunit1", "legacy")


def swagger_index(config: pytest.Config) -> SwaggerIndex:
    """The run's Swagger index (one per process and run, shared by every seed)."""
    if SWAGGER_INDEX_KEY not in config.stash:
        root = get_settings(config).swagger_root or config.rootpath
        config.stash[SWAGGER_INDEX_KEY] = SwaggerIndex(root)
    return config.stash[SWAGGER_INDEX_KEY]


def contract(config: pytest.Config) -> Contract:
    """The run's contract checks over :func:`swagger_index` (compiled validators kept)."""
    if CONTRACT_KEY not in config.stash:
        config.stash[CONTRACT_KEY] = Contract(swagger_index(config))
    return config.stash[CONTRACT_KEY]
