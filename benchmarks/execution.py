"""Execution: N one-step GET seeds against a fast local server in its own process.

Six whole processes per round: pytest-seeds, the naive plugin doing the same GET,
and a raw ``requests.Session`` loop doing the same GETs, each over N seeds and over
one seed. The per-request cost of each is (its time at N - its time at 1) / (N - 1),
in microseconds, so the fixed cost (interpreter, imports, pytest start-up) cancels;
CPU (user + sys) is the primary figure, wall beside it. Target: pytest-seeds'
per-request cost (and its overhead over the raw loop) <= 1.0x the naive plugin's.

Usage: ``python benchmarks/execution.py [--n 2000] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import sys
from functools import partial
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


def per_request(results: dict[str, list[Sample]], name: str, key: str, n: int) -> list[float]:
    """Per round: (run of N - run of 1) / (N - 1), in microseconds; the fixed cost cancels."""
    return [
        (getattr(big, key) - getattr(one, key)) / (n - 1) * 1e6
        for big, one in zip(results[f"{name} N"], results[f"{name} 1"], strict=True)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="number of seeds/requests (2000)")
    parser.add_argument("--rounds", type=int, default=3, help="paired rounds (3)")
    parser.add_argument("--raw", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.raw:
        raw_loop(args.raw, args.n)
        return
    with harness.seed_folder() as many, harness.seed_folder() as one, harness.server() as url:
        env = harness.pytest_env(SEEDS_BASE_URL=url)
        variants = {}
        for folder, count, tag in ((many, args.n, "N"), (one, 1, "1")):
            write_seeds(folder / "seeds", count, kind="get")
            passed = f"{count} passed"
            raw = [sys.executable, str(Path(__file__)), "--raw", url, "--n", str(count)]
            variants[f"{SEEDS} {tag}"] = harness.pytest_run(SEEDS, folder, env, passed, "-q")
            variants[f"{NAIVE} {tag}"] = harness.pytest_run(NAIVE, folder, env, passed, "-q")
            variants[f"{RAW} {tag}"] = partial(harness.run_child, raw, env=env, cwd=folder)
        print(f"execution of {args.n} and of 1 one-step seeds against {url}; {harness.machine()}")
        results = harness.paired(variants, args.rounds)
    harness.summarise(results)
    for key in ("cpu", "wall"):
        each = {name: per_request(results, name, key, args.n) for name in (SEEDS, NAIVE, RAW)}
        over = {
            name: [a - r for a, r in zip(each[name], each[RAW], strict=True)]
            for name in (SEEDS, NAIVE)
        }
        ratio = median([a / b for a, b in zip(each[SEEDS], each[NAIVE], strict=True)])
        over_ratio = median([a / b for a, b in zip(over[SEEDS], over[NAIVE], strict=True)])
        print(
            f"per request ({key}, one-seed run subtracted): pytest-seeds {median(each[SEEDS]):5.0f} us, "
            f"naive {median(each[NAIVE]):5.0f} us, raw loop {median(each[RAW]):5.0f} us; "
            f"over the raw loop {median(over[SEEDS]):5.0f} vs {median(over[NAIVE]):5.0f} us"
        )
        print(
            f"RATIO per-request {key} pytest-seeds/naive: {ratio:.2f}x; "
            f"overhead over raw loop {over_ratio:.2f}x  target <= 1.0"
        )


if __name__ == "__main__":
    main()
