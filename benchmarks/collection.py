"""Collection: ``pytest --collect-only -q`` of N seeds, pytest-seeds vs the naive collector.

Whole-process CPU time (user + sys), wall time and peak RSS of each run, medians of
paired rounds, and the paired ratios pytest-seeds / naive (targets: CPU and wall
<= 1.0, peak RSS <= 1.2). ``--source corpus`` copies the real seeds of
``/work/shared/corpus/workflows`` (renamed) instead of the repository's.

Usage: ``python benchmarks/collection.py [--n 10000] [--rounds 3] [--source repo|corpus]``.
"""

from __future__ import annotations

import harness
from generate import write_seeds
from harness import NAIVE, SEEDS


def main() -> None:
    parser = harness.options(__doc__, 10_000, source=True)
    args = parser.parse_args()
    with harness.seed_folder() as folder:
        write_seeds(folder / "seeds", args.n, source=args.source)
        env, expect = harness.pytest_env(), f"{args.n} tests collected"
        variants = {
            plugin: harness.pytest_run(plugin, folder, env, expect, "--collect-only", "-q")
            for plugin in (SEEDS, NAIVE)
        }
        print(f"collection of {args.n} {args.source} seeds; {harness.machine()}")
        results = harness.paired(variants, args.rounds)
    harness.summarise(results, per=args.n)
    harness.ratio_line(
        f"collection {args.n} {args.source} seeds pytest-seeds/naive",
        results[SEEDS],
        results[NAIVE],
        "CPU/wall <= 1.0, RSS <= 1.2",
    )


if __name__ == "__main__":
    main()
