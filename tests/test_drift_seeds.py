"""The repository's seeds against the sandbox: the one documented example that drifted on
purpose (``seeds/get_business_clients_v1_matters_matter_uid.md``) is found, reported and
updated, in copies of the repository's layout; the repository's own run only warns of it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import runpytest
from tests.test_packaging import DRIFT_DEMO
from tests.test_sandbox_contract import SEEDS, _skipped

REPO = Path(__file__).resolve().parent.parent
DRIFTED = ('      "status": "open",\n', '      "closed_at": null,\n')


@pytest.fixture
def repo_layout(pytester: pytest.Pytester) -> Path:
    """A copy of the repository's seeds (with their Swagger files) and its sandbox conftest."""
    shutil.copytree(SEEDS, pytester.path / "seeds")
    shutil.copy(REPO / "conftest.py", pytester.path / "conftest.py")
    return pytester.path


def seed_bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.md"))}


def test_the_drift_demo_seeds_example_has_drifted_and_no_other() -> None:
    text = (SEEDS / DRIFT_DEMO).read_text(encoding="utf-8")
    assert all(line in text for line in DRIFTED)
    assert "drift-demo" in text


def test_strict_drift_fails_only_the_drift_demo_seed(
    pytester: pytest.Pytester, repo_layout: Path
) -> None:
    seeds = sorted(SEEDS.glob("*.md"))
    skipped = sum(map(_skipped, seeds))
    result = runpytest(pytester, "--seeds-dir=seeds", "--seeds-drift=strict")
    result.assert_outcomes(passed=len(seeds) - skipped - 1, failed=1, skipped=skipped)
    result.stdout.fnmatch_lines([f"FAILED seeds/{DRIFT_DEMO}::*"])
    result.stdout.fnmatch_lines(
        [
            "*drift: the 200 answer differs from the documented example (line *; 2 differences)",
            "*$.data.matter.status: missing from the answer (documented: string)",
            "*$.data.matter.closed_at: missing from the answer (documented: null)",
        ]
    )


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_update_fixes_the_drifted_example_and_nothing_else(
    pytester: pytest.Pytester, repo_layout: Path, workers: list[str]
) -> None:
    before = seed_bytes(repo_layout / "seeds")
    report = repo_layout / "discrepancies.md"
    result = runpytest(
        pytester,
        "--seeds-dir=seeds",
        "--seeds-update-examples",
        f"--seeds-discrepancies={report}",
        *workers,
        subprocess=bool(workers),
    )
    result.stdout.fnmatch_lines([f"examples: updated 1 file(s): seeds/{DRIFT_DEMO}"])
    after = seed_bytes(repo_layout / "seeds")
    expected = before[DRIFT_DEMO].decode()
    for line in DRIFTED:
        expected = expected.replace(line, "", 1)
    assert after == {**before, DRIFT_DEMO: expected.encode()}
    written = report.read_text(encoding="utf-8")
    assert "\n## clients\n\n### `GET /business/clients/v1/matters/{matter_uid}`\n" in written
    assert f"- `seeds/{DRIFT_DEMO}:" in written
    strict = runpytest(pytester, "--seeds-dir=seeds", "--seeds-drift=strict", "-W", "always")
    assert strict.ret == 0
    strict.stdout.no_fnmatch_line("*SeedDriftWarning*")


def test_the_repository_run_warns_of_the_drift_and_stays_green(
    pytester: pytest.Pytester, repo_layout: Path
) -> None:
    result = runpytest(pytester, "--seeds-dir=seeds", "-W", "always")
    assert result.ret == 0
    result.stdout.fnmatch_lines([f"*SeedDriftWarning: seeds/{DRIFT_DEMO}:*"])
    assert result.stdout.str().count("SeedDriftWarning") == 1
