"""The seeds of the load scenario and the checks of its JUnit XML.

Every seed has a known outcome (passed, failed, skipped, xfailed, a setup error, a broken
document, in turn). A run over them must give each seed exactly one JUnit testcase with that
outcome. ``tests/test_load.py`` runs a few dozen seeds with and without ``-n 4``;
``benchmarks/load_xdist.py`` runs the same scenario with 1,000.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

KINDS = ("passed", "failed", "skipped", "xfailed", "error", "broken")
TOKEN = "load-staff-token"

SEED = """\
---
endpoint: "GET /__echo/load/{index}"
domain: load
{front}
---

# Load seed {index}

{prerequisites}
## Test Request

```yaml
steps:
  - id: call
    method: GET
    path: /__echo/load/{index}
    expect:
      status: {status}
{broken}```
"""
PREREQUISITE = """\
## Prerequisites

```yaml
steps:
  - id: setup
    method: GET
    path: /__echo/setup/{index}
    expect:
      status: 201
```

"""


def expected(index: int) -> str:
    """The outcome seed ``index`` is written to have."""
    return KINDS[index % len(KINDS)]


def write_seeds(folder: Path, n: int) -> dict[str, str]:
    """Write ``n`` seeds; their expected outcomes by file name."""
    folder.mkdir(parents=True, exist_ok=True)
    outcomes = {}
    for index in range(n):
        kind = expected(index)
        text = SEED.format(
            index=index,
            front={"skipped": "status: skip", "xfailed": "status: failed"}.get(kind, ""),
            prerequisites=PREREQUISITE.format(index=index) if kind == "error" else "",
            status=201 if kind in ("failed", "xfailed") else 200,
            broken="    extract: [unclosed\n" if kind == "broken" else "",
        )
        name = f"seed_{index:05d}.md"
        (folder / name).write_text(text)
        outcomes[name] = kind
    return outcomes


def junit_outcomes(path: Path) -> list[tuple[str, str]]:
    """(seed file, outcome) of every testcase in a JUnit XML file, in file order."""
    found = []
    for case in ET.parse(path).getroot().iter("testcase"):
        children = {child.tag: child for child in case}
        if "error" in children:
            outcome = "error"
        elif "failure" in children:
            outcome = "failed"
        elif "skipped" in children:
            xfail = children["skipped"].get("type") == "pytest.xfail"
            outcome = "xfailed" if xfail else "skipped"
        else:
            outcome = "passed"
        found.append((case.get("classname", "").split(".")[-2] + ".md", outcome))
    return found


def check(outcomes: dict[str, str], cases: list[tuple[str, str]]) -> Counter[str]:
    """Each seed exactly once, with its outcome (a broken seed is an error); the totals."""
    files = Counter(name for name, _ in cases)
    twice = sorted(name for name, count in files.items() if count != 1)
    missing = sorted(set(outcomes) - set(files))
    assert not twice and not missing, f"more than once: {twice[:5]}, missing: {missing[:5]}"
    wrong = [
        (name, outcome)
        for name, outcome in cases
        if outcome != ("error" if outcomes[name] == "broken" else outcomes[name])
    ]
    assert not wrong, f"wrong outcomes: {wrong[:5]}"
    return Counter(outcome for _, outcome in cases)


def pytest_args(folder: Path, base_url: str, junit: Path) -> list[str]:
    """The arguments of one run over the seeds in ``folder``."""
    return [
        f"--seeds-dir={folder}",
        f"--seeds-base-url={base_url}",
        f"--junitxml={junit}",
        "-p",
        "no:cacheprovider",
        "-q",
        str(folder),
    ]
