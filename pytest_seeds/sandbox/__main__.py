"""Run the sandbox in the foreground: ``python -m pytest_seeds.sandbox`` or ``pytest-seeds sandbox``.

It prints its URLs, the demo tokens and values (as a ``--seeds-config`` file) and the shell
lines that point a pytest run at it, then serves until Ctrl-C. ``--write-seeds DIR`` first
copies the demo seeds into DIR: the repository's ``seeds/`` folder (seeds, Swagger files,
upload files), which the wheel ships as ``pytest_seeds/sandbox/seeds``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import signal
import sys
import threading
from collections.abc import Iterator
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from . import DEMO_PARAMS, DEMO_TOKENS, Sandbox

DESCRIPTION = "Start the sandbox API on 127.0.0.1 and print the settings that run seeds against it."


def demo_seeds() -> Traversable:
    """The demo seeds: the installed package's data, or ``seeds/`` of a source checkout."""
    shipped = resources.files("pytest_seeds.sandbox") / "seeds"
    if shipped.is_dir():
        return shipped
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "seeds").is_dir():
        return checkout / "seeds"  # a source checkout (editable install, PYTHONPATH)
    raise FileNotFoundError("the demo seeds are not installed with pytest_seeds")


def _files(folder: Traversable, parts: tuple[str, ...] = ()) -> Iterator[tuple[Path, Traversable]]:
    for entry in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _files(entry, (*parts, entry.name))
        else:
            yield Path(*parts, entry.name), entry


def write_seeds(target: Path) -> list[Path]:
    """Copy the demo seeds into ``target`` (made if missing); return the files, relative.

    Files already there with the same content are left as they are; if one has other
    content, nothing is written and ``FileExistsError`` names it.
    """
    files = [(path, source.read_bytes()) for path, source in _files(demo_seeds())]
    for path, data in files:
        existing = target / path
        if existing.exists() and (not existing.is_file() or existing.read_bytes() != data):
            raise FileExistsError(f"{existing} exists with other content; choose another DIR")
    for path, data in files:
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        (target / path).write_bytes(data)
    return [path for path, _ in files]


def settings_text(sandbox: Sandbox, seeds_dir: Path | None) -> str:
    """What the command prints: URLs, the demo config as JSON, and the lines to paste.

    The lines end with the pytest command; with ``seeds_dir`` it first changes to the
    folder that holds it, so that the seeds' Swagger paths resolve from the rootdir.
    """
    config = json.dumps({"tokens": DEMO_TOKENS, "params": DEMO_PARAMS}, indent=2)
    exports = {
        "SEEDS_BASE_URL": sandbox.url,
        "SEEDS_FALLBACK_URL": sandbox.fallback_url,
        "SEEDS_PARTNERS_URL": sandbox.partners_url,
        **{f"SEEDS_TOKEN_{kind.upper()}": token for kind, token in DEMO_TOKENS.items()},
        **{f"SEEDS_PARAM_{name.upper()}": value for name, value in DEMO_PARAMS.items()},
    }
    if seeds_dir is None:
        where = [
            "# Or paste these lines into another shell, in the folder that holds the seeds",
            "# (pytest-seeds sandbox --write-seeds DIR copies the demo seeds into DIR):",
        ]
        command = "pytest --seeds-dir seeds -rs"
    else:
        folder = seeds_dir.resolve()
        where = ["# Or paste these lines into another shell to run the demo seeds against it:"]
        command = (
            f"cd {shlex.quote(str(folder.parent))} && "
            f"pytest --seeds-dir {shlex.quote(folder.name)} -rs"
        )
    return "\n".join(
        [
            f"pytest-seeds sandbox: {sandbox.url}",
            f"fallback API: {sandbox.fallback_url}",
            f"partners API: {sandbox.partners_url}",
            "# The demo tokens and values, as a --seeds-config file:",
            config,
            "",
            *where,
            *(f"export {name}={shlex.quote(value)}" for name, value in exports.items()),
            command,
            "",
        ]
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sandbox command's options (shared by ``pytest-seeds sandbox``)."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (0: a free port)")
    parser.add_argument(
        "--write-seeds",
        metavar="DIR",
        type=Path,
        help="first copy the demo seeds (with their Swagger and upload files) into DIR",
    )


def run(args: argparse.Namespace) -> int:
    """Write the demo seeds if asked, then serve a sandbox until Ctrl-C or SIGTERM."""
    seeds_dir: Path | None = args.write_seeds
    if seeds_dir is not None:
        try:
            written = write_seeds(seeds_dir)
        except OSError as exc:
            print(f"pytest-seeds sandbox: cannot write the demo seeds: {exc}", file=sys.stderr)
            return 1
        print(f"The demo seeds ({len(written)} files) are in {seeds_dir}", file=sys.stderr)
    try:
        sandbox = Sandbox(args.host, args.port).start()
    except OSError as exc:
        print(
            f"pytest-seeds sandbox: cannot listen on {args.host}:{args.port}: {exc}",
            file=sys.stderr,
        )
        return 1
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        print(settings_text(sandbox, seeds_dir), end="", flush=True)
        print("Press Ctrl-C to stop.", file=sys.stderr, flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sandbox.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m pytest_seeds.sandbox [--host H] [--port N] [--write-seeds DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m pytest_seeds.sandbox", description=DESCRIPTION)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
