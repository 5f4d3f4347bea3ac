"""Write N synthetic seeds into a folder, made from the repository's own ``seeds/*.md``.

Two kinds:

* ``mixed`` (collection): renamed copies of the repository's seeds, spread over
  domain folders, each with its step ids made unique and 0-2 extra
  Test Request steps, so that documents and step counts vary;
* ``get`` (execution, xdist): one-step seeds, each a single ``GET /bench/items/<i>``
  with the staff token, front matter taken from the repository's seeds.

Templates come from the repository's ``seeds/*.md`` or, with ``--source corpus``, from
copies of the real seeds under ``/work/shared/corpus/workflows`` (renamed, written
into the benchmark's temporary folder at run time, never committed).

Usage: ``python benchmarks/generate.py OUT_DIR --n 10000 [--kind mixed|get] [--source repo|corpus]``.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

REPO_SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CORPUS = Path("/work/shared/corpus/workflows")  # real seeds, copied at run time, never committed
SOURCES = ("repo", "corpus")
PER_FOLDER = 500
_ENDPOINT = re.compile(r'^endpoint:\s*"?([^"\n]+)"?\s*$', re.MULTILINE)
_STEP_ID = re.compile(r"^(\s*- id:\s*)(\S+)", re.MULTILINE)
_FRONT_KEY = re.compile(r"^(domain|tags):.*$", re.MULTILINE)
_TEST_BLOCK_END = re.compile(r"(## Test Request.*?```yaml\n.*?)(^```)", re.DOTALL | re.MULTILINE)

EXTRA_STEP = """\
  - id: extra_{index}_{k}
    description: "Generated step {k} of copy {index}"
    method: GET
    path: "{path}/{{{{{var}}}}}"
    params:
      page: {k}
      marker: "copy-{index}"
    headers:
      X-Bench-Copy: "{index}"
    extract:
      extra_{k}_uid: "$.data.items[0].uid"
"""

GET_SEED = """\
---
endpoint: "GET /bench/items/{index}"
{front}
status: verified
---

# Bench item {index}

## Summary

Reads one item; generated for the execution benchmark.

## Test Request

```yaml
steps:
  - id: get_item
    method: GET
    path: /bench/items/{index}
    token: staff
    expect:
      status: 200
```
"""


def templates(source: str = "repo") -> list[tuple[str, str]]:
    """The template seeds: (file stem, text); the repository's, or the real corpus's."""
    where = CORPUS if source == "corpus" else REPO_SEEDS
    found = sorted(where.rglob("*.md") if source == "corpus" else where.glob("*.md"))
    if not found:
        raise SystemExit(f"no seeds in {where}")
    return [(path.stem, path.read_text(encoding="utf-8")) for path in found]


def mixed_seed(text: str, index: int) -> str:
    """A copy of a seed with unique step ids and ``index % 3`` extra steps; its endpoint is
    kept (its file makes its test id unique), so a copy of a seed that passes lint passes."""
    endpoint = _ENDPOINT.search(text)
    path = (endpoint.group(1) if endpoint else "GET /bench").partition(" ")[2].strip() or "/bench"
    text = _STEP_ID.sub(lambda m: f"{m.group(1)}{m.group(2)}_{index}", text)
    extra = "".join(
        EXTRA_STEP.format(index=index, k=k, path=path, var="unique_id") for k in range(index % 3)
    )
    return _TEST_BLOCK_END.sub(lambda m: m.group(1) + extra + m.group(2), text, count=1)


def get_seed(text: str, index: int) -> str:
    """A one-step GET seed with the template's domain and tags."""
    front = "\n".join(m.group(0) for m in _FRONT_KEY.finditer(text.split("\n---", 1)[0]))
    return GET_SEED.format(index=index, front=front)


def write_seeds(out: Path, n: int, kind: str = "mixed", source: str = "repo") -> list[Path]:
    """Write ``n`` seeds under ``out`` (``PER_FOLDER`` per subfolder); return their paths.

    ``source="corpus"`` copies real seeds from ``CORPUS`` (renamed, endpoints made unique).
    """
    make = mixed_seed if kind == "mixed" else get_seed
    sources = templates(source)
    paths = []
    for index in range(n):
        stem, text = sources[index % len(sources)]
        folder = out / f"group_{index // PER_FOLDER:03d}"
        if index % PER_FOLDER == 0:
            folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{stem}_{index:05d}.md"
        path.write_text(make(text, index), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write into (created)")
    parser.add_argument("--n", type=int, default=10_000, help="number of seeds (10000)")
    parser.add_argument("--kind", choices=("mixed", "get"), default="mixed")
    parser.add_argument("--source", choices=SOURCES, default="repo")
    args = parser.parse_args()
    paths = write_seeds(args.out, args.n, args.kind, args.source)
    print(f"wrote {len(paths)} {args.kind} seeds under {args.out}")


if __name__ == "__main__":
    main()
