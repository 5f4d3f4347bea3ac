"""Run every benchmark, one after the other, each with its default size (or ``--quick``).

Usage: ``python benchmarks/run_all.py [--quick]``. Every ``RATIO`` line of the run is
printed again at the end, so each ratio comes from this one run. Roughly 15 minutes
on 2 cores at the default sizes; ``--quick`` runs small sizes, one round each, as a
smoke test (ratios are noisy there, and fixed start-up costs weigh more).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from harness import BENCH, REPO

SCRIPTS: list[tuple[str, list[str], list[str]]] = [
    # script, default arguments, --quick arguments
    ("collection.py", ["--n", "1000", "--rounds", "5"], ["--n", "300", "--rounds", "1"]),
    ("collection.py", [], ["--n", "1000", "--rounds", "1"]),
    (
        "collection.py",
        ["--n", "1000", "--rounds", "5", "--source", "corpus"],
        ["--n", "300", "--rounds", "1", "--source", "corpus"],
    ),
    ("lint.py", [], ["--n", "200", "--rounds", "1"]),
    ("lint.py", ["--source", "corpus"], ["--n", "200", "--rounds", "1", "--source", "corpus"]),
    ("stray.py", [], ["--files", "600", "--rounds", "1"]),
    ("execution.py", [], ["--n", "300", "--rounds", "1"]),
    ("xdist_speedup.py", [], ["--n", "100", "--rounds", "1"]),
    ("shards.py", [], ["--n", "100", "--rounds", "1"]),
    ("step_costs.py", [], ["--rounds", "3"]),
    ("contract_cost.py", [], ["--rounds", "5"]),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    args = parser.parse_args()
    failed, ratios = [], []
    for script, default, quick in SCRIPTS:
        path = Path(BENCH, script)
        if not path.exists():
            continue
        command = [sys.executable, str(path), *(quick if args.quick else default)]
        print(f"\n$ python benchmarks/{script} {' '.join(command[2:])}".rstrip(), flush=True)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(REPO), str(BENCH)))}
        proc = subprocess.run(command, check=False, stdout=subprocess.PIPE, text=True, env=env)
        print(proc.stdout, end="", flush=True)
        ratios += [line for line in proc.stdout.splitlines() if line.startswith("RATIO")]
        if proc.returncode != 0:
            failed.append(script)
    print("\nEvery ratio of this run:")
    print("\n".join(ratios))
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
