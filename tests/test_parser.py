"""Reading seed documents: which files are seeds, what the parser builds, and broken seeds.

A broken seed raises :class:`SeedError` whose ``line`` is the line of the file a person
opens to fix it; every such case here checks that exact line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_seeds.model import Phase, Seed, SeedError
from pytest_seeds.reading.document import load_document
from pytest_seeds.reading.parser import expected_outcome, load_seed, walk
from tests.helpers import line_of, seed_doc


def load(tmp_path: Path, text: str, name: str = "seed.md") -> Seed | None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return load_seed(path)


def broken(tmp_path: Path, text: str) -> SeedError:
    with pytest.raises(SeedError) as info:
        load(tmp_path, text)
    return info.value


# --- which files are seeds ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "# Notes\n\nNo front matter here.\n",
        "---\ntitle: A template\n---\n\n## Test Request\n",
        "\n---\nendpoint: GET /late\n---\n",  # front matter must be at the very top
        "# Readme\n\n---\n\nendpoint: GET /x is prose after a rule\n",
        "---\ntitle: [broken yaml\n---\n",  # invalid, but no endpoint: not a seed
        "---\n- a list\n---\n",
    ],
)
def test_markdown_without_an_endpoint_is_passed_over(tmp_path: Path, text: str) -> None:
    assert load(tmp_path, text) is None


def test_front_matter_fields(tmp_path: Path) -> None:
    seed = load(
        tmp_path,
        seed_doc(
            "PUT   /business/v1/items/{id}",
            front="domain: scheduling\ntags: [calendar, sync]\nswagger: specs/a.json\nstatus: ' Verified '",
        ),
    )
    assert seed is not None
    assert seed.endpoint == "PUT /business/v1/items/{id}"
    assert (seed.domain, seed.tags, seed.swagger, seed.status) == (
        "scheduling",
        ("calendar", "sync"),
        "specs/a.json",
        "verified",
    )
    assert seed.line == 2


@pytest.mark.parametrize(
    ("front", "extra", "reason"),
    [
        ("skip_reason: 'Needs   a CalendarSync\n  record'", "", "Needs a CalendarSync record"),
        ("skipReason: Only in production", "", "Only in production"),
        ("", "## Skip Reason\n\nThe sandbox has\nno such data.\n", "The sandbox has no such data."),
        ("skipReason: front wins", "## Skip Reason\n\nsection loses\n", "front wins"),
        ("", "", ""),
    ],
)
def test_skip_reason_sources(tmp_path: Path, front: str, extra: str, reason: str) -> None:
    seed = load(tmp_path, seed_doc(front="status: skip\n" + front, extra=extra))
    assert seed is not None
    assert seed.skip_reason == reason


# --- sections and steps ---------------------------------------------------------------------


def test_phases_and_step_lines(tmp_path: Path) -> None:
    text = seed_doc(
        prerequisites="- id: make\n  method: post\n  path: /v1/things\n",
        test="- id: first\n  method: GET\n  path: /a\n- id: second\n  method: GET\n  path: /b\n",
        cleanup="- id: remove\n  method: DELETE\n  path: /v1/things/1\n",
    )
    seed = load(tmp_path, text)
    assert seed is not None
    assert [(s.id, s.phase, s.method) for s in seed.steps] == [
        ("make", Phase.PREREQUISITE, "POST"),
        ("first", Phase.TEST, "GET"),
        ("second", Phase.TEST, "GET"),
        ("remove", Phase.CLEANUP, "DELETE"),
    ]
    for step in seed.steps:
        assert step.line == line_of(text, f"- id: {step.id}")


@pytest.mark.parametrize(
    ("heading", "phase"),
    [
        ("Test Request (WILL FAIL)", Phase.TEST),
        ("Test Request - expected 422", Phase.TEST),
        ("Teardown", Phase.CLEANUP),
        ("Clean up", Phase.CLEANUP),
        ("Prerequisites (none needed)", Phase.PREREQUISITE),
    ],
)
def test_heading_suffixes_and_synonyms(tmp_path: Path, heading: str, phase: Phase) -> None:
    text = seed_doc(
        extra=f"## {heading}\n\n```yaml\nsteps:\n  - id: x\n    method: GET\n    path: /x\n```\n"
    )
    seed = load(tmp_path, text)
    assert seed is not None
    assert seed.steps[-1].id == "x" and seed.steps[-1].phase is phase


def test_documentation_blocks_are_not_steps(tmp_path: Path) -> None:
    extra = (
        "## Expected Response (200)\n\n```yaml\nsteps:\n  - id: doc\n    method: GET\n    path: /doc\n```\n"
        "## Test Request notes\n\n```\n## Cleanup inside a fence is not a heading\n```\n"
    )
    seed = load(tmp_path, seed_doc(extra=extra))
    assert seed is not None
    assert [s.id for s in seed.steps] == ["call"]


def test_expected_outcome_applies_to_test_steps_without_a_status(tmp_path: Path) -> None:
    seed = load(
        tmp_path,
        seed_doc(
            front="expectedOutcome: 422\nexpectedOutcomeReason: No package",
            prerequisites="- id: pre\n  method: GET\n  path: /p\n",
            test=(
                "- id: plain\n  method: POST\n  path: /a\n"
                "- id: own\n  method: POST\n  path: /b\n  expect:\n    status: [200, 201]\n"
            ),
            cleanup="- id: post\n  method: DELETE\n  path: /c\n",
        ),
    )
    document = load_document(tmp_path / "seed.md")
    assert seed is not None and document is not None
    assert expected_outcome(document) == 422
    assert {s.id: s.expect_status for s in seed.steps} == {
        "pre": (200,),
        "plain": (422,),
        "own": (200, 201),
        "post": (200,),
    }


def test_step_keys(tmp_path: Path) -> None:
    test = """
        - id: upload
          description: Send a file
          method: POST
          path: /v1/docs
          token: Directory
          params: {page: 2}
          headers: {X-Trace: abc}
          extract: {doc_id: $.data.id}
          expect: {status: 201}
          onFail: Continue
          sleep: 250
          useFallback: true
          x_on_behalf_of: true
          content_type: multipart
          form_fields: {title: Report}
          file_fields:
            - {field_name: file, file_path: a.pdf, filename: r.pdf}
            - {field_name: extra, file_path: b.txt}
          skipReason: flaky upstream
    """
    seed = load(tmp_path, seed_doc(test=test))
    assert seed is not None
    (step,) = seed.steps
    assert (step.token, step.on_fail, step.sleep_ms, step.expect_status) == (
        "directory",
        "continue",
        250,
        (201,),
    )
    assert (step.params, step.headers, step.extract) == (
        {"page": 2},
        {"X-Trace": "abc"},
        {"doc_id": "$.data.id"},
    )
    assert step.use_fallback and step.x_on_behalf_of and step.multipart
    assert step.form_fields == {"title": "Report"}
    assert [(f.field_name, f.file_path, f.filename) for f in step.file_fields] == [
        ("file", "a.pdf", "r.pdf"),
        ("extra", "b.txt", None),
    ]
    document = load_document(tmp_path / "seed.md")
    assert document is not None
    assert walk(document).steps[0].raw["skipReason"] == "flaky upstream"  # read, not used


def test_front_matter_use_fallback_api_applies_to_every_step(tmp_path: Path) -> None:
    seed = load(
        tmp_path,
        seed_doc(front="useFallbackApi: true", prerequisites="- {method: GET, path: /p}\n"),
    )
    assert seed is not None
    assert [s.use_fallback for s in seed.steps] == [True, True]
    assert [s.id for s in seed.steps] == ["prerequisite-1", "call"]


@pytest.mark.parametrize(
    ("section", "reason"),
    [
        (
            '## Test Request\n\n```json\n{"method": "GET", "path": "/a"}\n```\n',
            "its '## Test Request' section (line 7) holds a ```json block",
        ),
        (
            "## Test Request\n\nSend GET /a.\n",
            "its '## Test Request' section (line 7) has no ```yaml steps",
        ),
        (
            "## Test Request\n\n```yaml\nsteps: []\n```\n",
            "its '## Test Request' section (line 7) has no steps",
        ),
        ("## Summary\n\nNothing to run.\n", "it has no '## Test Request' section"),
    ],
)
def test_no_executable_test_request(tmp_path: Path, section: str, reason: str) -> None:
    seed = load(tmp_path, seed_doc(test=None, extra=section))
    assert seed is not None
    assert not seed.has_test_request
    assert seed.no_test_request_reason.startswith(reason)


# --- tolerated variants ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda text: text.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda text: "\ufeff" + text, id="bom"),
        pytest.param(lambda text: text.replace("```yaml", "```yml"), id="yml-fence"),
        pytest.param(
            lambda text: text.replace("```yaml", "~~~YAML").replace("```\n", "~~~\n"), id="tilde"
        ),
    ],
)
def test_encodings_and_fences(tmp_path: Path, transform) -> None:
    text = seed_doc(test="- id: a\n  method: GET\n  path: /a\n- id: b\n  method: GET\n  path: /b\n")
    seed = load(tmp_path, transform(text))
    assert seed is not None
    assert [(s.id, s.line) for s in seed.steps] == [
        ("a", line_of(text, "- id: a")),
        ("b", line_of(text, "- id: b")),
    ]


def test_yaml_1_2_scalars_stay_as_written(tmp_path: Path) -> None:
    test = """
        - id: s
          method: POST
          path: /a
          body:
            answer: yes
            off_switch: off
            date: 2024-01-31
            stamp: 2024-01-31T10:00:00Z
            time: 10:30
            octal: 010
            hex: 0x1F
            real: true
            none: null
            number: 1.5
    """
    seed = load(tmp_path, seed_doc(test=test))
    assert seed is not None
    assert seed.steps[0].body == {
        "answer": "yes",
        "off_switch": "off",
        "date": "2024-01-31",
        "stamp": "2024-01-31T10:00:00Z",
        "time": "10:30",
        "octal": 10,
        "hex": 31,
        "real": True,
        "none": None,
        "number": 1.5,
    }


# --- broken seeds, each with the line to fix -------------------------------------------------


def test_front_matter_that_is_not_yaml(tmp_path: Path) -> None:
    text = '---\nendpoint: "GET /a"\ndomain: sales\ntags: [a, b\nstatus: verified\n---\n\n## Test Request\n'
    error = broken(tmp_path, text)
    assert "front matter is not valid YAML" in error.message
    assert error.line == 5
    assert error.hint


def test_endpoint_must_be_a_string(tmp_path: Path) -> None:
    error = broken(tmp_path, "---\ndomain: sales\nendpoint: [GET, /a]\n---\n")
    assert (error.line, error.message) == (3, "'endpoint' must be a non-empty string")


def test_step_block_that_does_not_parse(tmp_path: Path) -> None:
    text = seed_doc(test='- id: a\n  method: GET\n  path: "/a\n  params: {}\n')
    error = broken(tmp_path, text)
    assert "the ```yaml block does not parse" in error.message
    assert line_of(text, "- id: a") <= error.line <= line_of(text, "params:") + 1
    assert str(error).startswith(f"{tmp_path / 'seed.md'}:{error.line}: ")


def test_tab_indentation(tmp_path: Path) -> None:
    text = seed_doc(test="- id: a\n  method: GET\n\tpath: /a\n")
    error = broken(tmp_path, text)
    assert error.line == line_of(text, "\tpath")
    assert "tabs" in error.hint


@pytest.mark.parametrize("missing", ["method", "path"])
def test_step_without_method_or_path(tmp_path: Path, missing: str) -> None:
    step = {"method": "  method: GET\n", "path": "  path: /a\n"}
    test = "- id: first\n  method: GET\n  path: /ok\n- id: second\n  description: x\n" + "".join(
        value for key, value in step.items() if key != missing
    )
    text = seed_doc(test=test)
    error = broken(tmp_path, text)
    assert error.message == f"step 'second': '{missing}' is missing"
    assert error.line == line_of(text, "- id: second")
    assert error.hint == "every step needs 'method' and 'path'"


def test_step_that_is_a_string(tmp_path: Path) -> None:
    text = seed_doc(test="- GET /v1/things\n")
    error = broken(tmp_path, text)
    assert error.message == "step 1 is a str, not a mapping of keys"
    assert error.line == line_of(text, "steps:")


def test_steps_that_are_not_a_list(tmp_path: Path) -> None:
    text = seed_doc(
        test=None, extra="## Test Request\n\n```yaml\nsteps:\n  id: a\n  method: GET\n```\n"
    )
    error = broken(tmp_path, text)
    assert error.message == "'steps' must be a list of steps"
    assert error.line == line_of(text, "steps:")


@pytest.mark.parametrize(
    ("step", "key", "message"),
    [
        ("  method: FETCH\n", "method", "'FETCH' is not an HTTP method"),
        (
            "  expect:\n    status: abc\n",
            "expect",
            "expected status 'abc' is not an HTTP status code",
        ),
        ("  expect:\n    status: 999\n", "expect", "expected status 999 is outside 100-599"),
        ("  onFail: retry\n", "onFail", "onFail 'retry' is unknown"),
        ("  params: [a, b]\n", "params", "'params' must be a mapping of names to values"),
        ("  sleep: soon\n", "sleep", "'sleep' must be a number of milliseconds"),
        ("  file_fields:\n    - {field_name: f}\n", "file_fields", "each file_fields item needs"),
    ],
)
def test_bad_step_values(tmp_path: Path, step: str, key: str, message: str) -> None:
    base = {"method": "  method: GET\n", "path": "  path: /a\n"}
    lines = "".join(v for k, v in base.items() if k not in step) + step
    text = seed_doc(test="- id: bad\n" + lines)
    error = broken(tmp_path, text)
    assert error.message.startswith(f"step 'bad': {message}")
    assert error.line == line_of(text, f"  {key}:")


def test_bad_expected_outcome(tmp_path: Path) -> None:
    text = seed_doc(front="expectedOutcome: soon")
    error = broken(tmp_path, text)
    assert error.line == line_of(text, "expectedOutcome")
    assert "expectedOutcome 'soon' is not an HTTP status" in error.message


def test_python_tags_are_refused(tmp_path: Path) -> None:
    text = seed_doc(
        test="- id: a\n  method: GET\n  path: /a\n  body: !!python/object/apply:os.system [ls]\n"
    )
    error = broken(tmp_path, text)
    assert "could not determine a constructor" in error.message
    assert error.line == line_of(text, "!!python")


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    bomb = "".join(
        f"    {name}: &{name} [{', '.join([f'*{prev}'] * 4)}]\n"
        for prev, name in zip("abcd", "bcde", strict=True)
    )
    text = seed_doc(test="- id: a\n  method: GET\n  path: /a\n  body:\n    a: &a [x, x]\n" + bomb)
    error = broken(tmp_path, text)
    assert "more than 10 aliases" in error.message
    # the mark is the anchored node whose alias went over the limit
    assert error.line == line_of(text, "c: &c")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.md"
    path.write_bytes(b'---\nendpoint: "GET /caf\xe9"\n---\n')
    with pytest.raises(SeedError, match="not UTF-8"):
        load_seed(path)
