"""Lint: ``pytest --seeds-lint`` of N seeds against pytest-seeds' own ``--collect-only`` of them.

Both whole processes load only pytest-seeds; lint reads every step, checks templates,
the Swagger operation and JSON Schemas, so it is expected to cost more than collecting.
Lint gets what the seeds were written against: the repository's copies its Swagger files
and the sandbox's template values (so they pass lint, as the repository's seeds do), the
corpus copies the corpus's Swagger root (their findings are real: exit code 1 is
accepted). Target: lint CPU <= 1.5x collection CPU. A seed's collection reads only its
front matter (its steps are parsed when it runs), so lint is also put beside the naive
collector, which parses every YAML block of every seed.

Usage: ``python benchmarks/lint.py [--n 1000] [--rounds 3] [--source repo|corpus]``.
"""

from __future__ import annotations

import shutil

import harness
from generate import CORPUS, REPO_SEEDS, write_seeds
from harness import NAIVE, SEEDS

from pytest_seeds.sandbox import DEMO_PARAMS

LINT = "seeds --seeds-lint"
COLLECT = "seeds --collect-only"
NAIVE_COLLECT = "naive --collect-only"


def main() -> None:
    parser = harness.options(__doc__, 1000, source=True)
    args = parser.parse_args()
    with harness.seed_folder() as folder:
        write_seeds(folder / "seeds", args.n, source=args.source)
        # what the seeds were written against: their Swagger files and template values
        if args.source == "repo":
            shutil.copytree(REPO_SEEDS / "swagger", folder / "seeds" / "swagger")
            root = folder / "seeds"
        else:
            root = CORPUS.parent
        values = {f"SEEDS_PARAM_{name.upper()}": str(value) for name, value in DEMO_PARAMS.items()}
        env = harness.pytest_env(**values)
        variants = {
            LINT: harness.pytest_run(
                SEEDS,
                folder,
                env,
                " in ",
                "-q",
                "--seeds-lint",
                f"--seeds-swagger-root={root}",
                codes=(0, 1),
            ),
            COLLECT: harness.pytest_run(
                SEEDS, folder, env, f"{args.n} tests collected", "--collect-only", "-q"
            ),
            NAIVE_COLLECT: harness.pytest_run(
                NAIVE, folder, env, f"{args.n} tests collected", "--collect-only", "-q"
            ),
        }
        print(f"lint of {args.n} {args.source} seeds; {harness.machine()}")
        results = harness.paired(variants, args.rounds)
    harness.summarise(results, per=args.n)
    harness.ratio_line(
        f"lint/collect {args.n} {args.source} seeds", results[LINT], results[COLLECT], "CPU <= 1.5"
    )
    harness.ratio_line(  # for scale: a collection that parses every step block
        f"lint/naive collect {args.n} {args.source} seeds",
        results[LINT],
        results[NAIVE_COLLECT],
        "(information)",
    )


if __name__ == "__main__":
    main()
