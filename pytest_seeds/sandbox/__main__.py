"""Run the sandbox in the foreground: ``python -m pytest_seeds.sandbox [--port N]``."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from . import DEMO_PARAMS, DEMO_TOKENS, Sandbox


def main(argv: list[str] | None = None) -> int:
    """Start a sandbox, print its URL and the demo tokens/params, serve until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m pytest_seeds.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (0: a free port)")
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with Sandbox(args.host, args.port) as sb:
        print(f"pytest-seeds sandbox: {sb.url}", flush=True)
        print(f"fallback API: {sb.fallback_url}", flush=True)
        print(f"partners API: {sb.partners_url}", flush=True)
        print(json.dumps({"tokens": DEMO_TOKENS, "params": DEMO_PARAMS}, indent=2), flush=True)
        print("Press Ctrl-C to stop.", file=sys.stderr, flush=True)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
