"""Run every benchmark, one after the other, each with its default size (or ``--quick``).

Usage: ``python benchmarks/run_all.py [--quick]``. About 7 minutes on 2 cores at
the default sizes; ``--quick`` runs small sizes in under 2 minutes (ratios are
noisier there, and fixed start-up costs weigh more).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from harness import BENCH

SCRIPTS: list[tuple[str, list[str], list[str]]] = [
    # script, default arguments, --quick arguments
    ("collection.py", [], ["--n", "2000", "--rounds", "2"]),
    ("execution.py", [], ["--n", "500", "--rounds", "2"]),
    ("xdist_speedup.py", [], ["--n", "100", "--rounds", "1"]),
    ("step_costs.py", [], ["--rounds", "3"]),
    ("contract_cost.py", [], ["--rounds", "5"]),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    args = parser.parse_args()
    failed = []
    for script, default, quick in SCRIPTS:
        path = Path(BENCH, script)
        if not path.exists():
            continue
        command = [sys.executable, str(path), *(quick if args.quick else default)]
        print(f"\n$ python benchmarks/{script} {' '.join(command[2:])}".rstrip(), flush=True)
        if subprocess.run(command, check=False).returncode != 0:
            failed.append(script)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
