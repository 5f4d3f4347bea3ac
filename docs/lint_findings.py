"""Count what ``--seeds-lint`` finds in a folder of seeds, per rule (the table in corpus-lint.md).

    python docs/lint_findings.py SEEDS_DIR --swagger-root ROOT [--config FILE]

It runs the checks of ``pytest --seeds-lint`` (:mod:`pytest_seeds.lint`) on every seed
under SEEDS_DIR and prints a Markdown table: rule, severity, problem, seeds, findings and
one example seed. Configured values come from ``--config`` and ``SEEDS_PARAM_*``.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict
from pathlib import Path

from pytest_seeds import lint
from pytest_seeds.contract.checks import Contract
from pytest_seeds.contract.swagger import SwaggerIndex
from pytest_seeds.settings import load_values


def findings_by_seed(
    folder: Path, swagger_root: Path, config: Path | None
) -> dict[Path, list[lint.Finding]]:
    """The findings of every seed under ``folder``, by seed path."""
    _, params = load_values(config, os.environ)
    contract = Contract(SwaggerIndex(swagger_root))
    found = {}
    for path in sorted(folder.rglob("*.md")):
        target = lint.read(path)
        if target is not None:
            found[path] = lint.examine(target, params, contract)[0]
    return found


def table(found: dict[Path, list[lint.Finding]], folder: Path) -> list[str]:
    """Markdown lines: totals, then one row per rule that found something."""
    seeds: dict[str, list[Path]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for path, findings in found.items():
        for finding in findings:
            counts[finding.rule] += 1
            if path not in seeds[finding.rule]:
                seeds[finding.rule].append(path)
    failing = sum(any(f.severity == lint.ERROR for f in fs) for fs in found.values())
    warned = sum(bool(fs) for fs in found.values()) - failing
    lines = [
        f"Seeds: {len(found)}; with errors (failed items): {failing}; with warnings only: "
        f"{warned}; clean: {len(found) - failing - warned}.",
        "",
        "| rule | severity | problem | seeds | findings | example seed |",
        "|---|---|---|---:|---:|---|",
    ]
    for rule in sorted(counts, key=lambda rule: (-len(seeds[rule]), rule)):
        severity, problem = lint.RULES[rule]
        example = seeds[rule][0].relative_to(folder).as_posix()
        lines.append(
            f"| `{rule}` | {severity} | {problem} | {len(seeds[rule])} | {counts[rule]} "
            f"| `{example}` |"
        )
    silent = ", ".join(f"`{rule}`" for rule in lint.RULES if rule not in counts)
    return [*lines, "", f"Rules with no finding: {silent or 'none'}."]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seeds", type=Path, help="folder of seed documents")
    parser.add_argument("--swagger-root", type=Path, required=True, help="Swagger root folder")
    parser.add_argument("--config", type=Path, help="--seeds-config file (tokens and params)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    found = findings_by_seed(args.seeds.resolve(), args.swagger_root.resolve(), args.config)
    seconds = time.perf_counter() - started
    print("\n".join(table(found, args.seeds.resolve())))
    print(f"\n({seconds:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
