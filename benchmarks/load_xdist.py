"""Nothing lost under load: N generated seeds against the sandbox, with and without xdist.

The seeds and the JUnit checks are those of ``tests/test_load.py`` (``tests/load_scenario.py``):
both runs must give each seed exactly one JUnit testcase with its outcome, and the same totals.

Usage: ``python benchmarks/load_xdist.py [--n 1000] [--workers 4]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout: tests.load_scenario

from tests.load_scenario import TOKEN, check, junit_outcomes, pytest_args, write_seeds


def main() -> None:
    from pytest_seeds.sandbox import Sandbox

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    options = parser.parse_args()
    env = {"SEEDS_TOKEN_STAFF": TOKEN, "PATH": "/usr/bin:/bin"}
    with tempfile.TemporaryDirectory() as tmp, Sandbox() as sandbox:
        folder = Path(tmp) / "seeds"
        outcomes = write_seeds(folder, options.n)
        totals = {}
        for name, extra in (
            ("serial", []),
            (f"-n {options.workers}", ["-n", str(options.workers)]),
        ):
            junit = Path(tmp) / f"{name.replace(' ', '')}.xml"
            started = time.perf_counter()
            cmd = [sys.executable, "-m", "pytest", *pytest_args(folder, sandbox.url, junit), *extra]
            subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, check=False)
            seconds = time.perf_counter() - started
            totals[name] = check(outcomes, junit_outcomes(junit))
            print(
                f"{name:>6}: {options.n} seeds in {seconds:.1f} s: {dict(sorted(totals[name].items()))}"
            )
        serial, parallel = totals.values()
        assert serial == parallel, f"totals differ: {serial} != {parallel}"
        print("same totals, every seed exactly once with its outcome")


if __name__ == "__main__":
    main()
