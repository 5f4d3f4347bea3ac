"""Example blocks rewritten in place (``pytest_seeds.output.examplefix``), pytest-free.

For any Markdown around a block, any mix of LF and CRLF line ends: only the lines between
the block's fences change; a block whose text changed since the run read it stays.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pytest_seeds.contract.examples import examples
from pytest_seeds.output.examplefix import BlockUpdate, block_text, diff, read, rewrite, write
from pytest_seeds.reading.document import read_document

endings = st.sampled_from(["\n", "\r\n"])
prose = st.text(
    st.characters(codec="utf-8", exclude_characters="\r\n"),
    max_size=30,
).filter(lambda line: not line.lstrip().startswith(("`", "~", "#", "---", "...")))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def split(text: str) -> list[str]:
    """Lines with their ends, as seeds end them (CR LF, LF, CR; not str.splitlines' others)."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z", text)


def document(lines: list[tuple[str, str]]) -> str:
    return "".join(text + end for text, end in lines)


@st.composite
def seeds_with_a_block(draw: st.DrawFn) -> tuple[str, int, str, Any]:
    """A seed's text (line ends mixed), the line of its example's fence, the block's
    normalized text, and a new value for it."""
    end = draw(endings)
    ends = st.one_of(st.just(end), endings)
    lines = [("---", draw(ends)), ('endpoint: "GET /v1/x"', draw(ends)), ("---", draw(ends))]
    lines += [(text, draw(ends)) for text in draw(st.lists(prose, max_size=4))]
    lines += [("## Expected Response (200)", draw(ends))]
    lines += [(text, draw(ends)) for text in draw(st.lists(prose, max_size=3))]
    margin = " " * draw(st.integers(0, 3))
    old = draw(json_values)
    indent = draw(st.sampled_from([None, 2, 4]))
    body = [margin + line for line in json.dumps(old, indent=indent).split("\n")]
    fence = len(lines) + 1
    lines += [(margin + "```json", draw(ends))]
    lines += [(line, draw(ends)) for line in body]
    lines += [(margin + "```", draw(ends))]
    lines += [(text, draw(ends)) for text in draw(st.lists(prose, max_size=4))]
    lines += [("## Error Responses", draw(ends)), ("```json", draw(ends)), ("{}", draw(ends))]
    lines += [("```", draw(st.sampled_from(["", end])))]
    return document(lines), fence, "".join(line + "\n" for line in body), draw(json_values)


@given(seeds_with_a_block())
def test_only_the_lines_between_the_fences_change(case: tuple[str, int, str, Any]) -> None:
    text, fence, old, value = case
    parsed = read_document(Path("seed.md"), text)
    assert parsed is not None
    block = examples(parsed, (200,))[0].block
    assert (block.line, block.text) == (fence, old)  # what the run reads
    new = block_text(old, value)
    assert json.loads(new) == value
    after, stale = rewrite(text, [BlockUpdate(fence, old, new)])
    assert stale == []
    before_lines, after_lines = split(text), split(after)
    count = old.count("\n")
    assert after_lines[:fence] == before_lines[:fence]  # front matter, prose, the fence
    size = new.count("\n")
    assert after_lines[fence + size :] == before_lines[fence + count :]
    # each new line ends as the old line at its place did (or the last old line): a block
    # with mixed line endings keeps them, unchanged lines included
    endings = [line[len(line.rstrip("\r\n")) :] for line in before_lines[fence : fence + count]]
    changed = after_lines[fence : fence + size]
    assert changed == [
        line + endings[min(index, len(endings) - 1)]
        for index, line in enumerate(new.split("\n")[:-1])
    ]


@given(seeds_with_a_block(), st.text(min_size=1, max_size=3))
def test_a_block_changed_since_the_run_read_it_stays(
    case: tuple[str, int, str, Any], edit: str
) -> None:
    text, fence, old, value = case
    after, stale = rewrite(text, [BlockUpdate(fence, old + edit + "\n", block_text(old, value))])
    assert (after, stale) == (text, [fence])
    assert rewrite(text, [BlockUpdate(fence + 1, old, "{}\n")]) == (text, [fence + 1])


def test_unchanged_parts_keep_their_text_and_layout() -> None:
    old = (
        "   {\n"
        '      "id": 1.50,\n'
        '      "fields": {"title": "caf\\u00e9"},\n'
        '      "items": [{"a": 1}],\n'
        '      "gone": true\n'
        "   }\n"
    )
    value = {
        "id": 1.5,
        "fields": {"title": "café", "message": "hi"},
        "items": [{"a": 1}],
        "new": [1],
    }
    assert block_text(old, value) == (
        "   {\n"
        '      "id": 1.50,\n'
        '      "fields": {"title": "caf\\u00e9", "message": "hi"},\n'
        '      "items": [{"a": 1}],\n'
        '      "new": [\n'
        "         1\n"
        "      ]\n"
        "   }\n"
    )
    assert block_text('{"a": 1}\n', {"a": 1, "b": {"c": 2}}) == '{"a": 1, "b": {"c": 2}}\n'


def test_files_keep_their_other_bytes_and_permissions(tmp_path: Path) -> None:
    path = tmp_path / "seed.md"
    raw = (
        b"\xef\xbb\xbf---\r\nendpoint: GET /x\r\n---\r\nLatin-1 \xe9 stays\r\n"
        b'```json\r\n{"a": 1}\r\n```\r\ntail'
    )
    path.write_bytes(raw)
    path.chmod(0o644)
    text = read(path)
    after, stale = rewrite(text, [BlockUpdate(5, '{"a": 1}\n', '{"a": 1, "b": 2}\n')])
    write(path, after)
    assert stale == []
    assert path.read_bytes() == raw.replace(b'{"a": 1}', b'{"a": 1, "b": 2}')
    assert path.stat().st_mode & 0o777 == 0o644
    shown = diff("seed.md", text, after)
    assert [line for line in shown if line[:1] in "-+"] == [
        "--- a/seed.md",
        "+++ b/seed.md",
        '-{"a": 1}',
        '+{"a": 1, "b": 2}',
    ]
    assert "\r" not in "".join(shown)
