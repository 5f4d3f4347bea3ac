"""Collection: ``pytest --collect-only -q`` of N seeds, pytest-seeds vs the naive collector.

Whole-process wall time and peak RSS of each run, medians of paired rounds, and
the ratios pytest-seeds / naive (targets: wall <= 1.0, peak RSS <= 1.2).

Usage: ``python benchmarks/collection.py [--n 10000] [--rounds 3]``.
"""

from __future__ import annotations

import argparse

import harness
from generate import write_seeds
from harness import NAIVE, SEEDS, median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="number of seeds (10000)")
    parser.add_argument("--rounds", type=int, default=3, help="paired rounds (3)")
    args = parser.parse_args()
    with harness.seed_folder() as folder:
        write_seeds(folder / "seeds", args.n)
        env, expect = harness.pytest_env(), f"{args.n} tests collected"
        variants = {
            plugin: harness.pytest_run(plugin, folder, env, expect, "--collect-only", "-q")
            for plugin in (SEEDS, NAIVE)
        }
        print(f"collection of {args.n} seeds; {harness.machine()}")
        results = harness.paired(variants, args.rounds)
    ours, naive = results[SEEDS], results[NAIVE]
    for name, samples in results.items():
        wall = median([s.wall for s in samples])
        cpu = median([s.cpu for s in samples])
        rss = median([s.rss_mib for s in samples])
        print(
            f"{name:<13} wall {wall:6.2f} s ({wall / args.n * 1e6:4.0f} us/seed)  "
            f"CPU {cpu:6.2f} s  peak RSS {rss:6.1f} MiB"
        )
    ratios = {
        key: harness.paired_ratio([getattr(s, key) for s in ours], [getattr(s, key) for s in naive])
        for key in ("wall", "cpu", "rss_mib")
    }
    print(
        f"ratio pytest-seeds/naive: wall {ratios['wall']:.2f}x (target <= 1.0), "
        f"CPU {ratios['cpu']:.2f}x, peak RSS {ratios['rss_mib']:.2f}x (target <= 1.2)"
    )


if __name__ == "__main__":
    main()
