"""Unknown step and expect keys are errors when a seed runs (with a did-you-mean), and the
real corpus stays runnable."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_seeds.model import SeedError, UnknownKeyError
from pytest_seeds.reading.document import load_document
from pytest_seeds.reading.parser import build_seed
from tests.helpers import run_seeds

CORPUS = Path("/work/shared/corpus/workflows")

SEED = """---
endpoint: "GET /thing"
domain: things
---

## Test Request

```yaml
steps:
  - id: read
    method: GET
    path: /thing
{extra}
```
"""


def _write(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "seed.md"
    path.write_text(SEED.format(extra=extra), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("extra", "shown", "hint"),
    [
        ("    extrct: {a: $.a}", "extrct", "did you mean 'extract'?"),
        ("    expect:\n      staus: 200", "expect.staus", "did you mean 'status'?"),
        ("    expect:\n      jsn: {$.a: 1}", "expect.jsn", "did you mean 'json'?"),
        ("    poll:\n      untill: {status: 200}", "poll.untill", "did you mean 'until'?"),
        ("    poll:\n      until: {jsno: {$.a: 1}}", "poll.until.jsno", "did you mean 'json'?"),
    ],
)
def test_unknown_keys_are_errors_with_a_did_you_mean(
    tmp_path: Path, extra: str, shown: str, hint: str
) -> None:
    path = _write(tmp_path, extra)
    document = load_document(path)
    assert document is not None
    with pytest.raises(UnknownKeyError) as caught:
        build_seed(document)
    assert f"unknown key '{shown}'" in caught.value.message
    assert caught.value.hint == hint
    assert caught.value.line == 13 + extra.count("\n")


def test_an_unknown_operator_is_an_error_with_a_did_you_mean(tmp_path: Path) -> None:
    path = _write(tmp_path, "    expect:\n      json:\n        $.a: {lenght: 3}")
    document = load_document(path)
    assert document is not None
    with pytest.raises(SeedError) as caught:
        build_seed(document)
    assert "unknown operator 'lenght'" in caught.value.message
    assert caught.value.hint == "did you mean 'length'?"
    assert caught.value.line == 15


def test_unknown_key_fails_the_seed_when_it_runs(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", seed=SEED.format(extra="    expect: {staus: 200}"))
    result = run_seeds(pytester, "-p", "no:cacheprovider", "--seeds-base-url=http://127.0.0.1:9")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown key 'expect.staus'*", "*did you mean 'status'?*"])


def test_the_corpus_stays_runnable() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"no corpus at {CORPUS}")
    broken = []
    for path in sorted(CORPUS.rglob("*.md")):
        try:
            document = load_document(path)
        except SeedError:
            continue  # broken before this change too: not a key's fault
        if document is None:
            continue
        try:
            build_seed(document)
        except UnknownKeyError as error:
            broken.append(str(error))
        except SeedError:
            continue
    assert not broken
