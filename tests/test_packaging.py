"""What the wheel is built from, and the sandbox demo a wheel user runs without the repository.

``pytest-seeds sandbox --write-seeds DIR`` copies the demo seeds (the repository's ``seeds/``,
shipped in the wheel as ``pytest_seeds/sandbox/seeds``), starts the sandbox and prints the
lines to paste into another shell; here they run from this checkout. ``tests/test_wheel.py``
does the same from a wheel installed into a fresh venv (marker ``wheel``).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pytest_seeds.sandbox.__main__ import main as sandbox_main
from pytest_seeds.sandbox.__main__ import write_seeds

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "setuptools"
]
DRIFT_DEMO = "get_business_clients_v1_matters_matter_uid.md"  # its example drifted on purpose
PYTEST_SUMMARY = re.compile(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed|warnings?)\b")


def repository_seed_files() -> dict[Path, bytes]:
    return {
        path.relative_to(SEEDS): path.read_bytes() for path in SEEDS.rglob("*") if path.is_file()
    }


def seed_count() -> int:
    return len(list(SEEDS.glob("*.md")))


def outcomes(output: str) -> dict[str, int]:
    """``{"passed": 9, "skipped": 1}`` from the last line of a pytest run's output.

    The demo's one warning is left out, once checked: the drift-demo seed's example has
    drifted on purpose (``--seeds-drift warn``, the default, warns of it).
    """
    last = output.strip().splitlines()[-1]
    found = {kind: int(n) for n, kind in PYTEST_SUMMARY.findall(last)}
    if found.pop("warning", None) is not None:
        assert f"SeedDriftWarning: seeds/{DRIFT_DEMO}:" in output, output
    return found


def read_until_command(stdout: object) -> list[str]:
    """Lines of ``pytest-seeds sandbox`` up to its last one, the pytest command."""
    lines: list[str] = []
    while not lines or "pytest --seeds-dir" not in lines[-1]:
        line = stdout.readline()  # type: ignore[attr-defined]
        assert line, "the sandbox command stopped before printing the pytest command:\n" + "".join(
            lines
        )
        lines.append(line)
    return lines


@contextmanager
def demo_sandbox(command: list[str], cwd: Path, env: dict[str, str]) -> Iterator[list[str]]:
    """The demo sandbox started by ``command``: yields what it printed up to the pytest
    command, then stops it and checks it ended cleanly."""
    sandbox = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        yield read_until_command(sandbox.stdout)
    finally:
        sandbox.terminate()
        _, err = sandbox.communicate(timeout=10)
    assert sandbox.returncode == 0, err


def pasted(lines: list[str]) -> str:
    """The lines the output says to paste: from the first ``export`` to the command."""
    first = next(n for n, line in enumerate(lines) if line.startswith("export "))
    return "".join(lines[first:])


def test_every_package_is_listed_for_the_wheel() -> None:
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "pytest_seeds").rglob("__init__.py")
    }
    assert set(SETUPTOOLS["packages"]) == found | {"pytest_seeds.sandbox.seeds"}
    assert SETUPTOOLS["package-dir"] == {"pytest_seeds.sandbox.seeds": "seeds"}


def test_the_package_data_patterns_take_every_file_of_the_seeds_folder() -> None:
    patterns = SETUPTOOLS["package-data"]["pytest_seeds.sandbox.seeds"]
    taken = {path for pattern in patterns for path in SEEDS.glob(pattern) if path.is_file()}
    assert {path.relative_to(SEEDS) for path in taken} == set(repository_seed_files())
    assert "py.typed" in SETUPTOOLS["package-data"]["pytest_seeds"]


def test_write_seeds_copies_the_repository_seeds_and_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    written = write_seeds(target)
    expected = repository_seed_files()
    assert sorted(written) == sorted(expected)
    assert {path: (target / path).read_bytes() for path in written} == expected
    assert write_seeds(target) == written  # the same files again: nothing to refuse
    changed = target / "post_platform_v1_clients.md"
    changed.write_text("mine")
    (target / "files" / "sample.txt").unlink()
    with pytest.raises(FileExistsError, match=r"post_platform_v1_clients\.md"):
        write_seeds(target)
    assert changed.read_text() == "mine"
    assert not (target / "files" / "sample.txt").exists()  # nothing written


def test_a_port_in_use_is_one_line_and_exit_status_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert sandbox_main(["--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"pytest-seeds sandbox: cannot listen on 127.0.0.1:{port}: "), err


def test_the_pytest_seeds_command_shows_its_version_and_the_sandbox_command() -> None:
    def run(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "pytest_seeds.cli", *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout

    assert run("--version").startswith("pytest-seeds ")
    assert "sandbox" in run("--help")
    assert "--write-seeds DIR" in run("sandbox", "--help")


@pytest.mark.skipif(sys.platform == "win32", reason="the pasted lines are POSIX shell")
def test_the_sandbox_demo_from_a_checkout(tmp_path: Path) -> None:
    """``pytest-seeds sandbox --write-seeds seeds``, then its lines in another shell: all pass."""
    demo, elsewhere = tmp_path / "demo", tmp_path / "elsewhere"
    demo.mkdir()
    elsewhere.mkdir()
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
    }
    command = [sys.executable, "-m", "pytest_seeds.cli", "sandbox", "--write-seeds", "seeds"]
    with demo_sandbox(command, demo, env) as lines:
        run = subprocess.run(
            ["bash", "-c", pasted(lines)],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert lines[-1] == f"cd {demo} && pytest --seeds-dir seeds -rs\n"
    assert run.returncode == 0, run.stdout + run.stderr
    # Every seed ran or was skipped as documented, and no Swagger file went missing.
    assert set(outcomes(run.stdout)) <= {"passed", "skipped"}, run.stdout
    assert sum(outcomes(run.stdout).values()) == seed_count(), run.stdout
    assert {path: (demo / "seeds" / path).read_bytes() for path in repository_seed_files()} == (
        repository_seed_files()
    )


def test_the_readme_reads_on_a_package_index_page() -> None:
    """Its anchors name its own headings; a relative link names a file of the repository,
    which the README says is in the source repository (the index page cannot follow it)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    headings = {
        re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in readme.splitlines()
        if line.startswith("#")
    }
    links = re.findall(r"\]\(([^)\s]+)\)", readme)
    assert {link[1:] for link in links if link.startswith("#")} <= headings
    relative = [link for link in links if not re.match(r"#|[a-z]+://", link)]
    assert all((ROOT / link).is_file() for link in relative), relative
    assert all(link.startswith("docs/") for link in relative), relative
    assert "Links below to `docs/` name files of the source repository" in readme
