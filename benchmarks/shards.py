"""Shards: N one-step seeds against a server that answers after 50 ms, at 1, 2 and 4 shards.

Each shard is a local ``python -m pytest ... -n 2 --splits K --group G`` process (the
README's recipe, pytest-split's ``least_duration`` groups from durations stored by a
first, untimed run). ``together``: the K shards start at once, and the wall time runs
from their start to the last one's exit; on a machine with fewer cores than K x 2
workers they compete for the cores. ``apart``: the K groups run one after the other, and
the wall time is the longest group's, what K machines of this kind would take (before
CI's own start-up and the merge). CPU is the shards' own (user + system, their xdist
workers included), summed over the shards.

Usage: ``python benchmarks/shards.py [--n 400] [--rounds 2] [--latency 0.05] [--workers 2]``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import harness
from generate import write_seeds
from harness import SEEDS, Sample, median

SHARDS = (1, 2, 4)


def shards_run(
    folder: Path, env: dict[str, str], shards: int, workers: int, durations: Path, together: bool
) -> Callable[[], Sample]:
    """A variant: ``shards`` pytest processes, one group each, at once or one at a time."""
    split = ["-p", "pytest_split.plugin", f"--durations-path={durations}"]
    commands = [
        harness.pytest_cmd(
            SEEDS,
            folder / "seeds",
            "-q",
            "-n",
            str(workers),
            *split,
            *(
                [f"--splits={shards}", f"--group={group}", "--splitting-algorithm=least_duration"]
                if shards > 1
                else []
            ),
        )
        for group in range(1, shards + 1)
    ]

    def start(command: list[str], out: IO[bytes]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(command, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT)

    def finish(proc: subprocess.Popen[bytes], started: float) -> tuple[float, float, float]:
        """The process's wall time, CPU and peak RSS (MiB), once it has ended."""
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024

    def run() -> Sample:
        with contextlib.ExitStack() as stack:
            outs = [stack.enter_context(tempfile.TemporaryFile()) for _ in commands]
            if together:
                started = time.perf_counter()
                procs = [start(command, out) for command, out in zip(commands, outs, strict=True)]
                figures = [finish(proc, started) for proc in procs]
            else:
                procs, figures = [], []
                for command, out in zip(commands, outs, strict=True):
                    procs.append(start(command, out))
                    figures.append(finish(procs[-1], time.perf_counter()))
            texts = []
            for out in outs:
                out.seek(0)
                texts.append(out.read().decode("utf-8", "replace"))
        if any(proc.returncode != 0 for proc in procs):
            raise SystemExit("a shard failed:\n" + "\n".join(text[-2000:] for text in texts))
        walls, cpus, rss = zip(*figures, strict=True)
        return Sample(max(walls), sum(cpus), max(rss), "\n".join(texts))

    return run


def main() -> None:
    parser = harness.options(__doc__, 400, latency=True)
    parser.add_argument("--workers", type=int, default=2, help="xdist workers per shard (2)")
    args = parser.parse_args()
    with harness.seed_folder() as folder, harness.server(args.latency) as url:
        write_seeds(folder / "seeds", args.n, kind="get")
        env = harness.pytest_env(SEEDS_BASE_URL=url)
        durations = folder / ".test_durations"
        store = ["-p", "pytest_split.plugin", "--store-durations", f"--durations-path={durations}"]
        harness.pytest_run(
            SEEDS, folder, env, f"{args.n} passed", "-n", str(args.workers), *store
        )()
        variants = {
            f"{k} x -n {args.workers} {mode}": shards_run(
                folder, env, k, args.workers, durations, mode == "together"
            )
            for k in SHARDS
            for mode in (("together", "apart") if k > 1 else ("together",))
        }
        print(
            f"{args.n} one-step seeds, server latency {args.latency * 1000:g} ms, "
            f"shards x xdist workers as local processes; {harness.machine()}"
        )
        results = harness.paired(variants, args.rounds, warmup=False)
    base = results[f"1 x -n {args.workers} together"]
    for name, samples in results.items():
        ups = [b.wall / s.wall for b, s in zip(base, samples, strict=True)]
        print(
            f"{name:<20} wall {median([s.wall for s in samples]):6.2f} s "
            f"(speed-up {median(ups):4.2f}x)  CPU {median([s.cpu for s in samples]):6.2f} s"
        )
    for name, samples in results.items():
        if not name.startswith("1 x"):
            wall = median([b.wall / s.wall for b, s in zip(base, samples, strict=True)])
            cpu = harness.paired_ratio([s.cpu for s in samples], [s.cpu for s in base])
            print(f"RATIO shards {name}: speed-up {wall:.2f}x over 1 shard, CPU {cpu:.2f}x")


if __name__ == "__main__":
    main()
