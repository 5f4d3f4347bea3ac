"""A built wheel installs into a fresh venv and runs the demo seeds without the repository.

Marked ``wheel`` and left out of the default run (``-m "not wheel"`` in pyproject.toml's
addopts): building the wheel fetches the build backend (setuptools) from the package index,
and the module takes about half a minute. CI runs it: ``python -m pytest -m wheel``
(``.ci/run``). The fresh venv (no system site-packages) gets the wheel's dependencies
offline, as wheels repacked from the distributions installed where the tests run, so it
has the versions the suite was tested with.
"""

from __future__ import annotations

import base64
import email.parser
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.test_packaging import demo_sandbox, outcomes, pasted, repository_seed_files

pytestmark = [
    pytest.mark.wheel,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX venv layout and shell lines"),
]

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# What a fresh clone does not have: the build copies the checkout without these.
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".*cache", ".hypothesis"
)
# The README's steps for a wheel user (section "Quick start"), checked to be there.
README_STEPS = ["pytest-seeds sandbox --write-seeds seeds", "pytest --seeds-dir seeds -rs"]


def run(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """A command that must succeed; its output is in the failure message if it does not."""
    done = subprocess.run(
        [str(arg) for arg in args],
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,  # type: ignore[call-overload]
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built with ``pip wheel`` from a copy of the checkout."""
    work = tmp_path_factory.mktemp("build")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_IN_A_CLONE)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", work / "dist", source)
    (built,) = (work / "dist").glob("pytest_seeds-*.whl")
    return built


def test_the_wheel_holds_the_code_the_demo_seeds_the_license_and_honest_metadata(
    wheel: Path,
) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        dist_info = f"pytest_seeds-{PROJECT['version']}.dist-info"
        code = {path.relative_to(ROOT).as_posix() for path in (ROOT / "pytest_seeds").rglob("*.py")}
        assert code <= names
        assert "pytest_seeds/py.typed" in names
        assert "pytest_seeds/reading/seed.schema.json" in names
        for path, data in repository_seed_files().items():
            assert archive.read(f"pytest_seeds/sandbox/seeds/{path.as_posix()}") == data
        assert {name.split("/")[0] for name in names} == {"pytest_seeds", dist_info}
        assert archive.read(f"{dist_info}/licenses/LICENSE") == (ROOT / "LICENSE").read_bytes()
        meta = email.parser.Parser().parsestr(archive.read(f"{dist_info}/METADATA").decode())
        entry_points = archive.read(f"{dist_info}/entry_points.txt").decode()
    assert meta["Requires-Python"] == PROJECT["requires-python"] == ">=3.11"
    assert meta["License-Expression"] == "MIT"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta.get_all("Classifier") == PROJECT["classifiers"]
    assert "Programming Language :: Python :: 3.11" in PROJECT["classifiers"]
    assert meta["Description-Content-Type"] == "text/markdown"
    requires = [Requirement(line) for line in meta.get_all("Requires-Dist")]
    assert {str(r) for r in requires if r.marker is None} == {
        str(Requirement(line)) for line in PROJECT["dependencies"]
    }
    assert "pytest-seeds = pytest_seeds.cli:main" in entry_points
    assert "seeds = pytest_seeds.plugin" in entry_points


def installed_closure(requirements: list[str]) -> list[metadata.Distribution]:
    """The installed distributions that ``requirements`` need, dependencies included."""
    found: dict[str, metadata.Distribution] = {}
    seen: set[tuple[str, str]] = set()
    todo = [(Requirement(line), "") for line in requirements]
    while todo:
        requirement, extra = todo.pop()
        key = canonicalize_name(requirement.name)
        if (key, extra) in seen or (
            requirement.marker and not requirement.marker.evaluate({"extra": extra})
        ):
            continue
        seen.add((key, extra))
        dist = found.setdefault(key, metadata.distribution(requirement.name))
        for wanted in {"", *requirement.extras}:
            todo += [(Requirement(line), wanted) for line in dist.requires or ()]
    return list(found.values())


def repack(dist: metadata.Distribution, folder: Path) -> Path:
    """A wheel of an installed distribution, from its RECORD (pip installed it from a wheel)."""
    tags = [
        line.partition(":")[2].strip()
        for line in (dist.read_text("WHEEL") or "").splitlines()
        if line.startswith("Tag:")
    ]
    assert tags, f"{dist.metadata['Name']} was not installed from a wheel"
    python, abi, platform = (
        ".".join(sorted({tag.split("-")[i] for tag in tags})) for i in range(3)
    )
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"])
    path = folder / f"{name}-{dist.version}-{python}-{abi}-{platform}.whl"
    files = [
        file
        for file in dist.files or ()
        if not file.as_posix().startswith("../")  # scripts pip wrote: it writes them again
        and "__pycache__" not in file.parts
        and file.name not in {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}
    ]
    record = []
    with zipfile.ZipFile(path, "w") as archive:
        for file in files:
            data = Path(str(dist.locate_file(file))).read_bytes()
            archive.writestr(file.as_posix(), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{file.as_posix()},sha256={digest.decode()},{len(data)}")
        (dist_info,) = {f.parts[0] for f in files if f.parts[0].endswith(".dist-info")}
        record.append(f"{dist_info}/RECORD,,")
        archive.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return path


def test_a_fresh_venv_runs_the_demo_seeds_from_the_wheel(wheel: Path, tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert all(step in readme for step in README_STEPS)
    wheelhouse, venv, demo, elsewhere = (tmp_path / name for name in ("wh", "venv", "demo", "x"))
    for folder in (wheelhouse, demo, elsewhere):
        folder.mkdir()
    for dist in installed_closure(PROJECT["dependencies"]):
        repack(dist, wheelhouse)
    # A shell outside the repository that knows nothing of it: no PYTHONPATH, no SEEDS_*.
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"PYTHONPATH", "VIRTUAL_ENV"} and not name.startswith("SEEDS_")
    }
    run(sys.executable, "-m", "venv", venv, env=env)
    pip = [venv / "bin" / "python", "-m", "pip", "install", "--no-index"]
    run(*pip, "--find-links", wheelhouse, wheel, env=env, cwd=elsewhere)
    where = run(
        venv / "bin" / "python",
        "-c",
        "import pytest_seeds; print(pytest_seeds.__file__)",
        env=env,
        cwd=elsewhere,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout

    activate = f". {venv}/bin/activate && "
    with demo_sandbox(["bash", "-c", activate + f"exec {README_STEPS[0]}"], demo, env) as lines:
        seeds = run("bash", "-c", activate + pasted(lines), cwd=elsewhere, env=env)
    assert lines[-1] == f"cd {demo} && {README_STEPS[1]}\n"
    assert set(outcomes(seeds.stdout)) <= {"passed", "skipped"}, seeds.stdout
    assert sum(outcomes(seeds.stdout).values()) == len(list((ROOT / "seeds").glob("*.md")))
    assert f"rootdir: {demo}" in seeds.stdout  # the installed plugin, far from the repository
