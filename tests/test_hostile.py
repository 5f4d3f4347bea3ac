"""Hostile and broken seeds: each is refused on that seed alone, with a message, and nothing else.

Alias bombs, deep nesting, Python tags, uploads from outside the allowed folders, huge files,
templates that reach for Python internals. A healthy seed beside each shows the run goes on.
"""

from __future__ import annotations

import os
import tracemalloc

import pytest
from pytest_httpserver import HTTPServer

from pytest_seeds.reading.yamlsafe import MAX_DEPTH
from pytest_seeds.running.templating import Context, TemplateError
from tests.helpers import run_seeds, seed_doc, sent, wire_args


@pytest.fixture(autouse=True)
def _tokens(tokens: dict[str, str]) -> None:
    """Every token type is configured for these tests."""


def run_beside_healthy(
    pytester: pytest.Pytester, api: HTTPServer, **seeds: str
) -> pytest.RunResult:
    """Run these seeds and a healthy one; the healthy one passes."""
    pytester.makefile(".md", healthy=seed_doc(), **seeds)
    result = run_seeds(pytester, *wire_args(api), "-rA")
    result.stdout.fnmatch_lines(["PASSED healthy.md::GET /v1/things"])
    assert "Traceback" not in result.stdout.str()
    return result


def test_alias_bombs_are_refused(pytester: pytest.Pytester, api: HTTPServer) -> None:
    bomb = ["lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    bomb += [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 9)}]" for i in range(1, 10)]
    in_block = seed_doc(extra="## Cleanup\n\n```yaml\n" + "\n".join(bomb) + "\nsteps: []\n```\n")
    in_front = seed_doc(front="\n".join(bomb))
    result = run_beside_healthy(pytester, api, block_bomb=in_block, front_bomb=in_front)
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(
        ["*block_bomb.md:*: the ```yaml block does not parse: more than 10 aliases*"]
    )
    result.stdout.fnmatch_lines(["*front_bomb.md:*: front matter is not valid YAML: more than 10*"])


def test_deep_nesting_is_refused(pytester: pytest.Pytester, api: HTTPServer) -> None:
    depth = 600  # deep enough to exhaust Python's stack in any recursive walk
    body = "".join("  " * level + f"k{level}:\n" for level in range(depth)) + "  " * depth + "v: 1"
    block = seed_doc(test=f"- id: call\n  method: POST\n  path: /v1/x\n  body:\n{_indent(body, 4)}")
    flow = seed_doc(test="- id: call\n  method: POST\n  path: /v1/x\n  body: " + "[" * 5000)
    result = run_beside_healthy(pytester, api, deep_block=block, deep_flow=flow)
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines([f"*deep_block.md:*: * nested deeper than {MAX_DEPTH} levels*"])
    result.stdout.fnmatch_lines(["*deep_flow.md:*: the ```yaml block does not parse:*"])
    assert len(sent(api)) == 1


def _indent(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line + "\n" for line in text.splitlines())


def test_python_tags_are_refused(pytester: pytest.Pytester, api: HTTPServer) -> None:
    marker = pytester.path / "pwned"
    apply = f'!!python/object/apply:os.system ["touch {marker}"]'
    result = run_beside_healthy(
        pytester,
        api,
        tag_body=seed_doc(test=f"- id: call\n  method: POST\n  path: /v1/x\n  body: {apply}\n"),
        tag_front=seed_doc(front=f"domain: {apply}"),
        tag_name=seed_doc(test="- id: call\n  method: GET\n  path: !!python/name:os.getcwd\n"),
    )
    result.assert_outcomes(passed=1, errors=3)
    result.stdout.fnmatch_lines(
        ["*tag_body.md:*: the ```yaml block does not parse: could not determine a constructor *"]
    )
    result.stdout.fnmatch_lines(["*tag_front.md:*: front matter is not valid YAML: could not*"])
    result.stdout.fnmatch_lines(["*tag_name.md:*: the ```yaml block does not parse: could not*"])
    assert not marker.exists()
    assert len(sent(api)) == 1


def test_uploads_from_outside_the_allowed_folders_are_refused(
    pytester: pytest.Pytester, api: HTTPServer
) -> None:
    seeds = pytester.mkdir("seeds")
    (seeds / "inside.txt").write_text("fine to send")
    (pytester.path / "outside.txt").write_text("private")
    os.symlink(pytester.path / "outside.txt", seeds / "link.txt")
    paths = {
        "parent": "../outside.txt",
        "absolute": str(pytester.path / "outside.txt"),
        "symlink": "link.txt",
        "nul": '"inside\\0.txt"',
        "long": "x" * 5000,
        "inside": "inside.txt",
    }
    for name, path in paths.items():
        step = (
            f"- id: call\n  method: POST\n  path: /v1/{name}\n  content_type: multipart\n"
            f"  file_fields:\n    - field_name: file\n      file_path: {path}\n"
        )
        (seeds / f"upload_{name}.md").write_text(seed_doc(f"POST /{name}", step))
    result = run_seeds(pytester, *wire_args(api), "--seeds-dir", str(seeds))
    result.assert_outcomes(passed=1, failed=5)
    result.stdout.fnmatch_lines(
        [
            "*file_fields '../outside.txt' is not a file inside */seeds; upload files must live "
            "in the seed's folder or in --seeds-files-dir"
        ]
    )
    for name in ("absolute", "symlink", "nul", "long"):
        result.stdout.fnmatch_lines([f"POST /{name}: step 'call' (Test Request) failed"])
    assert "Traceback" not in result.stdout.str()
    assert [request.path for request in sent(api)] == ["/v1/inside"]


def test_huge_files_are_bounded(pytester: pytest.Pytester, api: HTTPServer) -> None:
    """A 200 MB seed is refused after reading 2 MB of it: memory stays far below its size."""
    size = 200 * 1024 * 1024
    for name, head in (("huge_seed", seed_doc()), ("huge_notes", "# Notes\n")):
        with (pytester.path / f"{name}.md").open("w") as handle:
            handle.write(head)
            handle.truncate(size)  # sparse: the disk holds the head only
    tracemalloc.start()
    try:
        result = run_beside_healthy(pytester, api)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*huge_seed.md: the file is larger than 2048 KiB*"])
    assert peak < size // 10


INTERNALS = [
    "__class__",
    "config.__class__",
    "config.__dict__",
    "config.__class__.__mro__",
    "config.keys",
    "config.get",
    "text.upper",
    "text.__len__",
    "items.__getitem__",
    "items.0.__class__",
    "text | __init__",
    "text | format",
    "config['key']",
    "text.__class__.__base__.__subclasses__",
]


@pytest.mark.parametrize("expression", INTERNALS)
def test_templates_cannot_reach_python_internals(expression: str) -> None:
    context = Context({"config": {"key": "value"}, "text": "plain", "items": [{"a": 1}]})
    with pytest.raises(TemplateError):
        context.render_text(f"{{{{{expression}}}}}", "step 'call' path")


def test_internals_in_a_seed_fail_the_step_and_send_nothing(
    pytester: pytest.Pytester, api: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDS_PARAM_CONFIG", "a configured value")
    test = "".join(
        f"- {{id: s{n}, method: GET, path: '/v1/{{{{{expression}}}}}', onFail: continue}}\n"
        for n, expression in enumerate(INTERNALS[:5])
    )
    pytester.makefile(".md", internals=seed_doc(test=test))
    result = run_seeds(pytester, *wire_args(api))
    result.assert_outcomes(passed=1, warnings=5)
    result.stdout.fnmatch_lines(["*{{__class__}} in step 's0' path is not defined*"])
    result.stdout.fnmatch_lines(
        ["*{{config.__class__}} in step 's1' path has no 'config.__class__'*"]
    )
    assert sent(api) == []
