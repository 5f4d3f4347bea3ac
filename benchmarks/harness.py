"""Shared by the benchmark scripts: timed child processes, paired rounds, the test server.

Each measurement is a whole child process: wall time from start to exit, and
its CPU time and peak resident memory from ``os.wait4`` (that child's own
rusage, with its waited-for children such as xdist workers). CPU time is
printed next to wall time because it barely moves when other processes
compete for the cores. Variants
are measured in paired, interleaved rounds (A B, B A, A B, ...) after one
untimed warm-up each, and summarised by medians.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent  # this checkout's pytest_seeds, not whichever one the venv has installed
SEEDS = "pytest-seeds"
NAIVE = "naive"
STAFF_TOKEN = "bench-staff-token"


@dataclass(frozen=True)
class Sample:
    """One child process: wall and CPU (user + system) seconds, peak RSS in MiB, its output."""

    wall: float
    cpu: float
    rss_mib: float
    output: str


def run_child(
    cmd: list[str],
    *,
    env: dict[str, str],
    cwd: Path,
    expect: str = "",
    codes: tuple[int, ...] = (0,),
) -> Sample:
    """Run a command to its end; exit if its exit code is not in ``codes`` or its output lacks ``expect``."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if proc.returncode not in codes or expect not in text:
        tail = "\n".join(text.splitlines()[-30:])
        raise SystemExit(f"{' '.join(cmd)}\nexited {proc.returncode}, wanted {expect!r}:\n{tail}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text)


def paired(
    variants: dict[str, Callable[[], Sample]], rounds: int, warmup: bool = True
) -> dict[str, list[Sample]]:
    """Warm each variant up once, then run them in alternating order ``rounds`` times."""
    names = list(variants)
    for name in names if warmup else ():
        variants[name]()
    results: dict[str, list[Sample]] = {name: [] for name in names}
    for number in range(rounds):
        for name in names if number % 2 == 0 else reversed(names):
            results[name].append(variants[name]())
            sample = results[name][-1]
            print(
                f"  round {number + 1}: {name:<13} {sample.wall:7.2f} s wall {sample.cpu:7.2f} s CPU",
                flush=True,
            )
    return results


def interleaved_per_call(
    variants: dict[str, Callable[[], object]], rounds: int
) -> dict[str, float]:
    """Median microseconds per call of each in-process variant, rounds in alternating order."""
    names = list(variants)
    times: dict[str, list[float]] = {name: [] for name in names}
    for number in range(rounds):
        for name in names if number % 2 == 0 else reversed(names):
            calls, seconds = timeit.Timer(variants[name]).autorange()
            times[name].append(seconds / calls * 1e6)
    return {name: statistics.median(values) for name, values in times.items()}


def median(values: list[float]) -> float:
    return statistics.median(values)


def paired_ratio(top: list[float], bottom: list[float]) -> float:
    """Median of the per-round ratios ``top / bottom``."""
    return statistics.median(a / b for a, b in zip(top, bottom, strict=True))


def pytest_env(**extra: str) -> dict[str, str]:
    """Environment for benchmark pytest runs: no plugin auto-loading, no outside settings."""
    skip = ("SEEDS_", "PYTEST_", "PYTHONDONTWRITEBYTECODE")  # warm-up runs write bytecode caches
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    env.update(
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        PYTHONPATH=os.pathsep.join((str(BENCH), str(REPO))),
        SEEDS_TOKEN_STAFF=STAFF_TOKEN,
    )
    env.update(extra)
    return env


def pytest_cmd(plugin: str, folder: Path, *args: str) -> list[str]:
    """``python -m pytest`` with only the plugin under test (and xdist) loaded."""
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "xdist.plugin", *args]
    if plugin == SEEDS:
        return [*cmd, "-p", "pytest_seeds.plugin", "--seeds-dir", str(folder)]
    return [*cmd, "-p", "naive_plugin", str(folder)]


def pytest_run(
    plugin: str,
    folder: Path,
    env: dict[str, str],
    expect: str,
    *args: str,
    codes: tuple[int, ...] = (0,),
) -> Callable[[], Sample]:
    """A variant: pytest with one plugin on ``folder/seeds``, run in ``folder``."""
    cmd = pytest_cmd(plugin, folder / "seeds", *args)
    return lambda: run_child(cmd, env=env, cwd=folder, expect=expect, codes=codes)


def summarise(results: dict[str, list[Sample]], per: int = 0) -> None:
    """One line per variant: median wall, CPU (user + sys) and peak RSS."""
    for name, samples in results.items():
        wall = median([s.wall for s in samples])
        cpu = median([s.cpu for s in samples])
        rss = median([s.rss_mib for s in samples])
        each = f" ({cpu / per * 1e6:5.0f} us CPU/seed)" if per else ""
        print(f"{name:<22} wall {wall:6.2f} s  CPU {cpu:6.2f} s{each}  peak RSS {rss:6.1f} MiB")


def ratio_line(label: str, top: list[Sample], bottom: list[Sample], target: str = "") -> None:
    """Paired CPU, wall and RSS ratios of two variants, CPU first (the figure noise moves least)."""
    cpu = paired_ratio([s.cpu for s in top], [s.cpu for s in bottom])
    wall = paired_ratio([s.wall for s in top], [s.wall for s in bottom])
    rss = paired_ratio([s.rss_mib for s in top], [s.rss_mib for s in bottom])
    spread = [a.cpu / b.cpu for a, b in zip(top, bottom, strict=True)]
    print(
        f"RATIO {label}: CPU {cpu:.2f}x (rounds {min(spread):.2f}-{max(spread):.2f}), "
        f"wall {wall:.2f}x, peak RSS {rss:.2f}x{f'  target {target}' if target else ''}"
    )


@contextmanager
def seed_folder(prefix: str = "seeds-bench-") -> Iterator[Path]:
    """A temporary folder with its own ``pytest.ini``, so no outer config applies."""
    with tempfile.TemporaryDirectory(prefix=prefix) as name:
        folder = Path(name)
        (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        yield folder


@contextmanager
def server(latency: float = 0.0) -> Iterator[str]:
    """Start ``benchmarks/server.py`` in its own process; yield its base URL."""
    cmd = [sys.executable, str(BENCH / "server.py"), "--latency", str(latency)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("http://"):
            raise SystemExit(f"the benchmark server did not start: {url!r}")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def machine() -> str:
    """nproc, CPU model, Python and pytest versions: where the figures came from."""
    import pytest

    model = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{len(os.sched_getaffinity(0))} CPUs ({model}), Python {platform.python_version()}, "
        f"pytest {pytest.__version__}"
    )


def options(
    doc: str | None, n: int, *, source: bool = False, latency: bool = False
) -> argparse.ArgumentParser:
    """A benchmark's options: N seeds in paired rounds; the seeds' source (the repository's or
    copies of the corpus's), or a server latency."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=n, help=f"number of seeds ({n})")
    parser.add_argument("--rounds", type=int, default=2 if latency else 3, help="paired rounds")
    if source:
        from generate import SOURCES

        parser.add_argument("--source", choices=SOURCES, default="repo", help="template seeds")
    if latency:
        parser.add_argument("--latency", type=float, default=0.05, help="server latency in s")
    return parser
