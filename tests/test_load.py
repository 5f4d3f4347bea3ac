"""Nothing lost under load: generated seeds against the sandbox, with ``-n 4`` and without.

Every seed appears exactly once in the JUnit XML with the outcome it was written to have, and
both runs give the same totals. The seeds and the checks are in ``tests/load_scenario.py``;
``benchmarks/load_xdist.py`` runs the same scenario with 1,000 seeds.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pytest_seeds.sandbox import Sandbox
from tests.helpers import runpytest
from tests.load_scenario import KINDS, TOKEN, check, junit_outcomes, pytest_args, write_seeds

N = 96


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as server:
        yield server


def test_every_seed_once_with_its_outcome_under_xdist(
    pytester: pytest.Pytester, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDS_TOKEN_STAFF", TOKEN)
    folder = pytester.path / "seeds"
    outcomes = write_seeds(folder, N)
    totals = []
    for name, extra in (("serial", ()), ("xdist", ("-n", "4"))):
        junit = pytester.path / f"{name}.xml"
        runpytest(pytester, *pytest_args(folder, sandbox.url, junit), *extra, subprocess=True)
        totals.append(check(outcomes, junit_outcomes(junit)))
    assert totals[0] == totals[1]
    share = N // len(KINDS)
    assert totals[0] == {
        "passed": share,
        "failed": share,
        "skipped": share,
        "xfailed": share,
        "error": 2 * share,
    }
