"""README, "Keeping examples true": the docs team's workflow, its commands run as written.

On a copy of the repository's seeds and its sandbox conftest: the run writes the report
naming the drift-demo seed, the dry run shows the diff and writes nothing, the update
rewrites that seed's example alone; the git lines are the reviewer's, not run here.
"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest

from tests.examples.snippets import snippet
from tests.helpers import runpytest
from tests.test_packaging import DRIFT_DEMO

REPO = Path(__file__).resolve().parents[2]


def test_the_docs_team_workflow(pytester: pytest.Pytester) -> None:
    shutil.copytree(REPO / "seeds", pytester.path / "seeds")
    shutil.copy(REPO / "conftest.py", pytester.path / "conftest.py")
    lines = [line for line in snippet("examples_workflow.sh").splitlines() if line]
    commands = [shlex.split(line) for line in lines if not line.startswith("#")]
    assert [command[0] for command in commands] == ["pytest", "pytest", "pytest", "git", "git"]
    before = {path.name: path.read_bytes() for path in (pytester.path / "seeds").glob("*.md")}

    run, dry, update = (runpytest(pytester, *command[1:]) for command in commands[:3])

    assert run.ret == dry.ret == update.ret == 0
    report = (pytester.path / "docs-report.md").read_text(encoding="utf-8")
    assert f"- `seeds/{DRIFT_DEMO}:" in report
    dry.stdout.fnmatch_lines([f"--- a/seeds/{DRIFT_DEMO}", '-      "status": "open",'])
    update.stdout.fnmatch_lines([f"examples: updated 1 file(s): seeds/{DRIFT_DEMO}"])
    after = {path.name: path.read_bytes() for path in (pytester.path / "seeds").glob("*.md")}
    assert {name for name in after if after[name] != before[name]} == {DRIFT_DEMO}
