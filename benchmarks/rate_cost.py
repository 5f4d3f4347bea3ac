"""What ``--seeds-rate`` adds to each request, in microseconds, with no waiting.

A rate so high that no request waits isolates the booking: the in-process limiter (one
process) against the shared schedule of xdist workers (a file lock and an 8-byte read
and write). Variants run in interleaved rounds; medians are printed.

Usage: ``python benchmarks/rate_cost.py [--rounds 9]``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from harness import interleaved_per_call, machine

from pytest_seeds.http.ratelimit import RateLimiter, SharedRateLimiter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=9)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder:
        alone = RateLimiter(1e9)
        shared = SharedRateLimiter(1e9, Path(folder) / "schedule")
        costs = interleaved_per_call(
            {"one process": alone.wait, "xdist workers": shared.wait}, rounds
        )
        shared.close()
    print(machine())
    for name, micros in costs.items():
        print(f"{name:>14}: {micros:6.1f} µs a request")


if __name__ == "__main__":
    main()
