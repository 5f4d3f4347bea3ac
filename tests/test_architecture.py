"""The layers hold at run time: the engine loads without pytest, lint without the HTTP stack."""

from __future__ import annotations

import subprocess
import sys

import pytest

ENGINE = [
    "pytest_seeds",
    "pytest_seeds.model",
    "pytest_seeds.settings",
    "pytest_seeds.reading.parser",
    "pytest_seeds.running.runner",
    "pytest_seeds.http.transport",
    "pytest_seeds.contract.observer",
    "pytest_seeds.contract.examples",
    "pytest_seeds.secrets.watch",
    "pytest_seeds.output.report",
    "pytest_seeds.output.har",
    "pytest_seeds.output.summary",
    "pytest_seeds.lint",
    "pytest_seeds.sandbox",
]


def loaded_after(module: str, *watched: str) -> set[str]:
    """Which of ``watched`` a fresh interpreter has in sys.modules after importing ``module``."""
    code = (
        f"import sys, {module}; print(' '.join(m for m in {list(watched)!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


@pytest.mark.parametrize("module", ENGINE)
def test_the_engine_never_loads_pytest(module: str) -> None:
    assert loaded_after(module, "pytest", "_pytest", "pluggy") == set()


@pytest.mark.parametrize(
    "module", ["pytest_seeds", "pytest_seeds.lint", "pytest_seeds.reading.parser"]
)
def test_reading_and_lint_never_load_the_http_stack(module: str) -> None:
    assert loaded_after(module, "requests", "urllib3", "pytest_seeds.http.transport") == set()


def test_the_plugin_is_where_pytest_comes_in() -> None:
    assert loaded_after("pytest_seeds.plugin", "pytest") == {"pytest"}
