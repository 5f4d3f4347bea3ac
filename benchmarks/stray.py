"""Stray files: one seed beside 3,000 unrelated ``.yaml``/``.json`` files vs the same seed alone.

The files nobody named sit in ``data/`` of the run's root folder (the default Swagger
root); the seed names its Swagger file (``swagger/bench.json``, which documents its
endpoint) in both folders. Each variant runs the seed against the local benchmark server
and lints it. Target: the stray folder costs what
the clean one costs (CPU ratio ~1.0; a few ms of directory walking at most).

Usage: ``python benchmarks/stray.py [--files 3000] [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import harness
from generate import write_seeds
from harness import SEEDS, Sample


def write_stray(root: Path, count: int) -> None:
    """``count`` unrelated JSON and YAML files, some of them Swagger-like, under ``root/data``."""
    for index in range(count):
        folder = root / "data" / f"d{index // 300:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        doc = {"swagger": "2.0", "paths": {f"/stray/{index}/{{id}}": {"get": {"responses": {}}}}}
        if index % 3:
            doc = {
                "name": f"fixture {index}",
                "rows": [{"id": i, "v": "x" * 40} for i in range(40)],
            }
        if index % 2:
            (folder / f"f{index}.json").write_text(json.dumps(doc), encoding="utf-8")
        else:
            (folder / f"f{index}.yaml").write_text(
                "\n".join(f"k{i}: value {i}" for i in range(200)), encoding="utf-8"
            )


BENCH_SPEC = {
    "swagger": "2.0",
    "paths": {"/bench/items/{id}": {"get": {"responses": {"200": {"description": "an item"}}}}},
}


def write_seed(folder: Path) -> None:
    """The one-step GET seed, naming ``swagger/bench.json``, and that file."""
    (path,) = write_seeds(folder / "seeds", 1, kind="get")
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("---\n", '---\nswagger: "swagger/bench.json"\n', 1), encoding="utf-8"
    )
    (folder / "swagger").mkdir()
    (folder / "swagger" / "bench.json").write_text(json.dumps(BENCH_SPEC), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=3000, help="unrelated files (3000)")
    parser.add_argument("--rounds", type=int, default=5, help="paired rounds (5)")
    args = parser.parse_args()
    with (
        harness.seed_folder() as clean,
        harness.seed_folder() as stray,
        harness.server() as url,
    ):
        for folder in (clean, stray):
            write_seed(folder)
        write_stray(stray, args.files)
        env = harness.pytest_env(SEEDS_BASE_URL=url)
        variants = {}
        for label, folder in (("clean", clean), ("stray", stray)):
            variants[f"run {label}"] = harness.pytest_run(SEEDS, folder, env, "1 passed", "-q")
            variants[f"lint {label}"] = harness.pytest_run(
                SEEDS, folder, env, " in ", "-q", "--seeds-lint", codes=(0, 1)
            )
        print(f"one seed beside {args.files} unrelated files vs alone; {harness.machine()}")
        results: dict[str, list[Sample]] = harness.paired(variants, args.rounds)
    harness.summarise(results)
    for mode in ("run", "lint"):
        harness.ratio_line(
            f"stray/clean {mode}", results[f"{mode} stray"], results[f"{mode} clean"], "~1.0"
        )


if __name__ == "__main__":
    main()
