"""xdist: N one-step seeds against a server that answers after 50 ms, at ``-n 0/2/4/8``.

The speed-up at ``-n k`` is the wall time at ``-n 0`` divided by the wall time at
``-n k``, both from the same round; every worker collects every seed again, so
collection cost and worker start-up show here. Target: pytest-seeds' speed-up
is at least the naive plugin's at every ``-n``.

Usage: ``python benchmarks/xdist_speedup.py [--n 400] [--rounds 2] [--latency 0.05]``.
"""

from __future__ import annotations

import harness
from generate import write_seeds
from harness import NAIVE, SEEDS, Sample, median

WORKERS = (0, 2, 4, 8)


def main() -> None:
    parser = harness.options(__doc__, 400, latency=True)
    args = parser.parse_args()
    with harness.seed_folder() as folder, harness.server(args.latency) as url:
        write_seeds(folder / "seeds", args.n, kind="get")
        env, passed = harness.pytest_env(SEEDS_BASE_URL=url), f"{args.n} passed"
        for plugin in (SEEDS, NAIVE):  # warm-up: bytecode caches, file system cache
            harness.pytest_run(plugin, folder, env, f"{args.n} tests", "--collect-only")()
        variants = {
            f"{plugin} -n {k}": harness.pytest_run(plugin, folder, env, passed, "-q", "-n", str(k))
            for k in WORKERS
            for plugin in (SEEDS, NAIVE)
        }
        print(
            f"{args.n} one-step seeds, server latency {args.latency * 1000:g} ms; {harness.machine()}"
        )
        results = harness.paired(variants, args.rounds, warmup=False)
    print(f"{'':13}" + "".join(f"   -n {k:<3} wall (speed-up) CPU   " for k in WORKERS))
    speedups: dict[str, dict[int, float]] = {}
    for plugin in (SEEDS, NAIVE):
        base: list[Sample] = results[f"{plugin} -n 0"]
        speedups[plugin] = {}
        cells = []
        for k in WORKERS:
            samples = results[f"{plugin} -n {k}"]
            ups = [b.wall / s.wall for b, s in zip(base, samples, strict=True)]
            speedups[plugin][k] = median(ups)
            cells.append(
                f"{median([s.wall for s in samples]):6.2f} s ({speedups[plugin][k]:4.2f}x) "
                f"CPU {median([s.cpu for s in samples]):5.2f} s"
            )
        print(f"{plugin:<13}" + "".join(f"   {cell:<34}" for cell in cells))
    for k in WORKERS[1:]:
        ours, naive = speedups[SEEDS][k], speedups[NAIVE][k]
        verdict = "met" if ours >= naive else "not met"
        cpu = harness.paired_ratio(
            [s.cpu for s in results[f"{SEEDS} -n {k}"]], [s.cpu for s in results[f"{NAIVE} -n {k}"]]
        )
        print(
            f"RATIO xdist -n {k}: speed-up pytest-seeds {ours:.2f}x vs naive {naive:.2f}x "
            f"({verdict}); CPU pytest-seeds/naive {cpu:.2f}x"
        )


if __name__ == "__main__":
    main()
