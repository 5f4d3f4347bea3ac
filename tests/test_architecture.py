"""The layers hold at run time: the engine loads without pytest, lint without the HTTP stack."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

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


REQUEST_ONLY = ("requests", "urllib3", "jsonschema", "jsonpath_ng")


def test_importing_the_plugin_loads_nothing_only_a_request_needs() -> None:
    assert loaded_after("pytest_seeds.plugin", *REQUEST_ONLY) == set()


def test_collecting_seeds_loads_nothing_only_a_request_needs(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    # steps are typed when a seed runs: JSONPath checks (``expect: {json: {$.x: …}}``) and
    # extractions, parsed then, load jsonpath-ng only then
    jsonpath = re.compile(r"^\s+\$[.\[][^\n]*:", re.MULTILINE)
    assert any(jsonpath.search(seed.read_text(encoding="utf-8")) for seed in seeds.glob("*.md"))
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    code = (
        "import sys, pytest\n"
        "args = ['-q', '--collect-only', '-p', 'no:cacheprovider', '-p', 'pytest_seeds.plugin',"
        " '--seeds-dir', 'seeds']\n"
        "code = pytest.main(args)\n"
        f"print('LOADED', *[m for m in {list(REQUEST_ONLY)!r} if m in sys.modules])\n"
        "sys.exit(int(code))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SEEDS_"))}
    env.update(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "tests collected" in done.stdout
    loaded = done.stdout.split("LOADED", 1)[1].split()
    assert loaded == []
