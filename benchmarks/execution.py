"""Execution: N one-step GET seeds against a fast local server in its own process.

Three whole processes per round: pytest-seeds, the naive plugin doing the same
GET, and a raw ``requests.Session`` loop doing the same N GETs. The overhead of
a plugin is (its time - the raw loop's time) / N, in microseconds per request;
the target is pytest-seeds' overhead <= 1.2x the naive plugin's.

Usage: ``python benchmarks/execution.py [--n 2000] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import harness
from generate import write_seeds
from harness import NAIVE, SEEDS, STAFF_TOKEN, Sample, median

RAW = "raw loop"


def raw_loop(base_url: str, n: int) -> None:
    """The baseline: the same N GETs through one ``requests.Session``, nothing else."""
    import requests

    session = requests.Session()
    headers = {"Authorization": f"Bearer {STAFF_TOKEN}"}
    for index in range(n):
        response = session.get(f"{base_url}/bench/items/{index}", headers=headers, timeout=30)
        if response.status_code != 200:
            raise SystemExit(f"status {response.status_code}")
    print(f"{n} requests")


def overheads(results: dict[str, list[Sample]], key: str, n: int) -> dict[str, list[float]]:
    """Per-round overhead of each plugin over the raw loop, in microseconds per request."""
    raw = [getattr(sample, key) for sample in results[RAW]]
    return {
        name: [(getattr(s, key) - r) / n * 1e6 for s, r in zip(results[name], raw, strict=True)]
        for name in (SEEDS, NAIVE)
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="number of seeds/requests (2000)")
    parser.add_argument("--rounds", type=int, default=3, help="paired rounds (3)")
    parser.add_argument("--raw", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.raw:
        raw_loop(args.raw, args.n)
        return
    with harness.seed_folder() as folder, harness.server() as url:
        write_seeds(folder / "seeds", args.n, kind="get")
        env, passed = harness.pytest_env(SEEDS_BASE_URL=url), f"{args.n} passed"
        raw = [sys.executable, str(Path(__file__)), "--raw", url, "--n", str(args.n)]
        variants = {
            SEEDS: harness.pytest_run(SEEDS, folder, env, passed, "-q"),
            NAIVE: harness.pytest_run(NAIVE, folder, env, passed, "-q"),
            RAW: lambda: harness.run_child(raw, env=env, cwd=folder),
        }
        print(f"execution of {args.n} one-step seeds against {url}; {harness.machine()}")
        results = harness.paired(variants, args.rounds)
    for name, samples in results.items():
        wall, cpu = median([s.wall for s in samples]), median([s.cpu for s in samples])
        print(f"{name:<13} wall {wall:6.2f} s  CPU {cpu:6.2f} s")
    for key in ("wall", "cpu"):
        over = overheads(results, key, args.n)
        ratio = median([a / b for a, b in zip(over[SEEDS], over[NAIVE], strict=True)])
        print(
            f"overhead over the raw loop ({key}): pytest-seeds {median(over[SEEDS]):5.0f} us/request, "
            f"naive {median(over[NAIVE]):5.0f} us/request; ratio {ratio:.2f}x (target <= 1.2)"
        )


if __name__ == "__main__":
    main()
