"""Nothing lost under load: generated seeds against the sandbox, with ``-n 4`` and without.

A small version of ``benchmarks/load_xdist.py`` (1,000 seeds): every seed appears exactly once
in the JUnit XML with the outcome it was written to have, and both runs give the same totals.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from pytest_seeds.sandbox import Sandbox
from tests.helpers import runpytest

N = 96


def load_scenario() -> ModuleType:
    """``benchmarks/load_xdist.py``: the seed generator and the JUnit checks."""
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "load_xdist.py"
    spec = importlib.util.spec_from_file_location("load_xdist", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


scenario = load_scenario()


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as server:
        yield server


def test_every_seed_once_with_its_outcome_under_xdist(
    pytester: pytest.Pytester, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDS_TOKEN_STAFF", scenario.TOKEN)
    folder = pytester.path / "seeds"
    outcomes = scenario.write_seeds(folder, N)
    totals = []
    for name, extra in (("serial", ()), ("xdist", ("-n", "4"))):
        junit = pytester.path / f"{name}.xml"
        args = scenario.pytest_args(folder, sandbox.url, junit)
        runpytest(pytester, *args, *extra, subprocess=True)
        totals.append(scenario.check(outcomes, scenario.junit_outcomes(junit)))
    assert totals[0] == totals[1]
    share = N // len(scenario.KINDS)
    assert totals[0] == {
        "passed": share,
        "failed": share,
        "skipped": share,
        "xfailed": share,
        "error": 2 * share,
    }
