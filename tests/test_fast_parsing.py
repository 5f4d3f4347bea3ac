"""The fast paths of parsing agree with the reference ones.

``load_yaml`` builds data from libyaml's nodes itself; it must give exactly what
:class:`SeedLoader` (PyYAML's constructor) gives, line numbers and errors included.
``split_sections`` reads fences and headings with a regex; its sections, blocks,
text lines and line numbers are checked on the tricky shapes of Markdown.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml

from pytest_seeds.reading.document import split_sections
from pytest_seeds.reading.yamlload import load_yaml
from pytest_seeds.reading.yamlsafe import LineDict, SeedLoader

DOCUMENTS = [
    "a: 0x1F\nb: 1e3\nc: .inf\nd: -.INF\ne: .NaN\nf: ~\ng:\nh: True\ni: yes\nj: 10:30\n",
    "k: 2024-01-01\nl: +5\nm: 007\nn: '1'\no: !!str 5\np: -1.5e-3\nq: +.5\nr: 1_000\ns: null\n",
    "steps:\n  - id: a\n    body: {x: [1, {y: z}], 'quoted': \"v\"}\n  - [1, 2]\n",
    "1: a\n2.5: b\ntrue: c\nnull: d\n",
    "a: ! 5\nb: !!int '7'\nc: !!timestamp 2020-01-01\nd: !!binary aGVsbG8=\n",
    "a: &x {b: 1}\nc: *x\n",
    "<<: {a: 1}\n",
    "",
    "# only a comment\n",
    "- plain\n- 'quoted'\n- >\n  folded\n",
    "{1: a, true: b, ~: c, 1.5: d, 2.0: e, .nan: f, -.inf: g, 0x1F: h}\n",  # keys are text
]
BROKEN = [
    "? [a]\n: b\n",
    "a: !!python/object:os.system x\n",
    "a: *undefined\n",
    "a: 1\n---\nb: 2\n",
    "a: [1\n",
    "a:\n\t- b\n",
    "a: 1\nb: 2\na: 3\n",  # a key twice
    "{1: a, '1': b}\n",  # keys are text: the same key
    "a: !!str [b]\n",
    "n: 1" + "0" * 5000 + "\n",  # more digits than Python reads
    "a: !!int x\n",
    "a: !!bool maybe\n",
    "a: !!map [1]\n",
]


def _same(fast: Any, reference: Any) -> bool:
    if type(fast) is not type(reference):
        return False
    if isinstance(fast, float) and math.isnan(fast):
        return math.isnan(reference)
    if isinstance(fast, LineDict) and (
        fast.line != reference.line or fast.key_lines != reference.key_lines
    ):
        return False
    if isinstance(fast, dict):
        return list(fast) == list(reference) and all(_same(fast[k], reference[k]) for k in fast)
    if isinstance(fast, list):
        return len(fast) == len(reference) and all(map(_same, fast, reference))
    return bool(fast == reference)


@pytest.mark.parametrize("text", DOCUMENTS)
def test_load_yaml_gives_what_the_seed_loader_gives(text: str) -> None:
    assert _same(load_yaml(text), yaml.load(text, Loader=SeedLoader))


@pytest.mark.parametrize("text", BROKEN)
def test_load_yaml_fails_as_the_seed_loader_fails(text: str) -> None:
    with pytest.raises(yaml.YAMLError) as fast:
        load_yaml(text)
    with pytest.raises(yaml.YAMLError) as reference:
        yaml.load(text, Loader=SeedLoader)
    assert type(fast.value) is type(reference.value)
    assert str(fast.value) == str(reference.value)


def _shape(body: str, first_line: int = 5) -> list[tuple[Any, ...]]:
    return [
        (s.heading, s.line, s.text, [(b.lang, b.text, b.line) for b in s.blocks])
        for s in split_sections(body, first_line)
    ]


def test_sections_blocks_and_lines() -> None:
    body = "intro\n\n## Test Request\n\n```yaml\nsteps: []\n## not a heading\n```\nafter\n"
    assert _shape(body) == [
        ("", 5, ["intro", ""], []),
        ("Test Request", 7, ["", "after", ""], [("yaml", "steps: []\n## not a heading\n", 9)]),
    ]


@pytest.mark.parametrize(
    ("body", "blocks", "text"),
    [
        ("```yaml\na\n````\nb\n```\n", [("yaml", "a\n", 5), ("", "\n", 9)], ["b"]),  # longer closes
        ("````yml\na\n```\n````\n", [("yml", "a\n```\n", 5)], [""]),  # shorter does not close
        ("~~~ YAML x\na\n```\n  ~~~  \n", [("yaml", "a\n```\n", 5)], [""]),
        ("```yaml\na\n```", [("yaml", "a\n", 5)], []),  # closing fence on the last line
        ("```yaml\n```\n", [("yaml", "\n", 5)], [""]),  # empty block
        ("```json\nunclosed\n", [("json", "unclosed\n\n", 5)], []),  # runs to the end
        ("```", [("", "\n", 5)], []),
        ("    ```\nindented code\n", [], ["    ```", "indented code", ""]),
    ],
)
def test_fences(body: str, blocks: list[tuple[str, str, int]], text: list[str]) -> None:
    (section,) = _shape(body)
    assert section[3] == blocks
    assert section[2] == text


def test_heading_on_the_last_line() -> None:
    assert _shape("a\n## End") == [("", 5, ["a"], []), ("End", 6, [], [])]
