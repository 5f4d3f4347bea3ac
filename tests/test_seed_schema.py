"""The seed schema (``reading/seed.schema.json``): a valid schema, the keys the parser reads and
lint knows, true of the repository's seeds and of the real corpus, and documented as it is."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pytest_seeds.lint.front import FRONT_KEYS, REQUIRED_FRONT_KEYS, front_matter_findings
from pytest_seeds.lint.steps import NESTED_KEYS, STEP_KEYS, step_findings
from pytest_seeds.lint.templates import template_findings
from pytest_seeds.model import KNOWN_STATUSES, ON_FAIL_VALUES, SPEC_METHODS, STEP_METHODS, Phase
from pytest_seeds.reading import parser
from pytest_seeds.reading.document import Block, Document, load_document, read_document
from pytest_seeds.reading.parser import STEP_LANGS, RawStep, build_seed, build_step, walk
from pytest_seeds.reading.schema import documentation_only, keys_of, required_of, seed_schema
from pytest_seeds.reading.yamlload import load_yaml
from pytest_seeds.running.auth import NO_TOKEN, TOKEN_TYPES
from pytest_seeds.running.templating import BUILTIN_NAMES
from tests.helpers import seed_doc

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "workflows"  # real seeds, outside the repository
DOC = ROOT / "docs" / "seed-format.md"
DRAFTS = (jsonschema.Draft202012Validator, jsonschema.Draft7Validator)
DEFS = seed_schema()["$defs"]


def yaml_parts(doc: Document) -> Iterator[tuple[int, Any]]:
    """The front matter and every steps block of a seed, with their lines."""
    yield 1, doc.front
    for section in doc.sections:
        for block in section.blocks if section.phase else []:
            data = load_yaml(block.text) if block.lang in STEP_LANGS else None
            if isinstance(data, Mapping) and "steps" in data:
                yield block.line, data


def schema_errors(doc: Document, draft: Any = jsonschema.Draft202012Validator) -> list[str]:
    validator = draft(seed_schema())
    return [
        f"{line}: {error.json_path}: {error.message}"
        for line, data in yaml_parts(doc)
        for error in validator.iter_errors(data)
    ]


def schema_unknown_keys(doc: Document) -> list[str]:
    """The keys the schema does not allow, named as lint names them (``expect.stauts``)."""
    validator = jsonschema.Draft202012Validator(seed_schema())
    keys = []
    for _, data in yaml_parts(doc):
        for error in validator.iter_errors(data):
            if error.validator == "additionalProperties":
                names = [part for part in list(error.absolute_path)[2:] if isinstance(part, str)]
                prefix = "".join(f"{name}." for name in names)
                keys += [
                    prefix + key for key in error.instance if key not in error.schema["properties"]
                ]
    return sorted(keys)


def lint_unknown_keys(doc: Document) -> list[str]:
    walked = walk(doc)
    findings = front_matter_findings(doc, walked) + step_findings(doc, walked)[0]
    unknown = re.compile(r"unknown (?:front-matter )?key '(.*)'")
    return sorted(
        unknown.fullmatch(f.message).group(1)  # type: ignore[union-attr]
        for f in findings
        if f.rule in ("unknown-key", "unknown-front-key")
    )


def test_the_schema_is_valid_in_draft_2020_12_and_in_draft_7() -> None:
    for draft in DRAFTS:
        draft.check_schema(seed_schema())


def test_lint_knows_the_keys_of_the_schema() -> None:
    assert tuple(DEFS["frontMatter"]["properties"]) == FRONT_KEYS
    assert REQUIRED_FRONT_KEYS == ("endpoint", "domain") == tuple(DEFS["frontMatter"]["required"])
    assert tuple(DEFS["step"]["properties"]) == STEP_KEYS
    assert {
        "expect": tuple(DEFS["expect"]["properties"]),
        "file_fields": tuple(DEFS["fileField"]["properties"]),
    } == NESTED_KEYS


def test_the_enums_are_the_plugins_lists() -> None:
    front, step = DEFS["frontMatter"]["properties"], DEFS["step"]["properties"]
    assert front["status"]["enum"] == [*KNOWN_STATUSES, None]
    assert front["tokens"]["items"]["enum"] == list(TOKEN_TYPES)
    assert step["method"]["enum"] == list(STEP_METHODS)
    assert step["token"]["enum"] == [*TOKEN_TYPES, NO_TOKEN, None]
    assert step["onFail"]["enum"] == [*ON_FAIL_VALUES, None]
    pattern = re.compile(front["endpoint"]["pattern"])
    for method in SPEC_METHODS:
        assert pattern.match(f"{method} /a/{{id}}") and pattern.match(f"{method.lower()} /a")
    assert (
        not pattern.match("FETCH /a")
        and not pattern.match("GET a")
        and not pattern.match("GET /a b")
    )


class Recording(dict[str, Any]):
    """A mapping that notes every key read from it."""

    def __init__(self, data: Mapping[str, Any], log: set[str]) -> None:
        super().__init__(data)
        self.log = log

    def get(self, key: str, default: Any = None) -> Any:
        self.log.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.log.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.log.add(str(key))
        return super().__contains__(key)


def assert_read_or_documented(name: str, read: set[str]) -> None:
    known, only_documented = set(keys_of(name)), documentation_only(name)
    assert not read - known, f"{name}: the parser reads keys the schema lacks"
    assert not read & only_documented, f"{name}: documentation-only keys that are read"
    assert not known - read - only_documented, f"{name}: schema keys nobody reads"


def test_every_key_the_parser_reads_is_in_the_schema_and_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Adding a key to the parser without the schema (or the other way round) fails here."""
    front, block, step, expect, upload = set(), set(), set(), set(), set()
    monkeypatch.setattr(parser, "load_yaml", lambda text: Recording(load_yaml(text), block))
    doc = read_document(Path("s.md"), seed_doc(front="domain: demo"))
    assert doc is not None
    doc.front = Recording(doc.front, front)
    build_seed(doc)
    raw = {
        "id": "s", "description": "d", "method": "POST", "path": "/a", "params": {"q": 1},
        "body": {"a": 1}, "headers": {"X": "y"}, "token": "staff", "extract": {"v": "$.a"},
        "expect": Recording({"status": 201}, expect), "onFail": "warn", "sleep": 5,
        "useFallbackApi": False, "useFallback": True, "x_on_behalf_of": True,
        "content_type": "multipart", "form_fields": {"f": "v"},
        "file_fields": [Recording({"field_name": "f", "file_path": "p", "filename": "n"}, upload)],
    }  # fmt: skip
    here = RawStep(Recording(raw, step), Phase.TEST, Block("yaml", "", 1), "s", 2)
    built = build_step(Path("s.md"), here, {})
    assert built.use_fallback and built.multipart and built.file_fields[0].filename == "n"
    for name, read in (
        ("frontMatter", front),
        ("stepsBlock", block),
        ("step", step),
        ("expect", expect),
        ("fileField", upload),
    ):
        assert_read_or_documented(name, read)


def test_front_matter_use_fallback_is_an_unknown_key_not_a_route() -> None:
    doc = read_document(Path("s.md"), seed_doc(front="domain: demo\nuseFallback: true"))
    assert doc is not None
    assert not build_seed(doc).steps[0].use_fallback
    findings = front_matter_findings(doc, walk(doc))
    assert [(f.rule, f.hint) for f in findings] == [
        ("unknown-front-key", "did you mean 'useFallbackApi'?")
    ]
    assert schema_unknown_keys(doc) == lint_unknown_keys(doc) == ["useFallback"]


def test_the_schema_flags_the_keys_lint_reports() -> None:
    text = seed_doc(
        front="domain: demo\nnotes: x\nStatus: verified",
        test="""\
        - id: upload
          method: POST
          path: /v1/things
          onfail: abort
          expect: {stauts: 200}
          content_type: multipart
          file_fields:
            - {field_name: f, file_path: a.txt, path: b.txt}
        """,
    )
    doc = read_document(Path("s.md"), text)
    assert doc is not None
    assert lint_unknown_keys(doc) == [
        "Status",
        "expect.stauts",
        "file_fields.path",
        "notes",
        "onfail",
    ]
    assert schema_unknown_keys(doc) == lint_unknown_keys(doc)


@pytest.mark.parametrize("path", sorted((ROOT / "seeds").glob("*.md")), ids=lambda p: p.name)
def test_the_repository_seeds_validate(path: Path) -> None:
    doc = load_document(path)
    assert doc is not None
    for draft in DRAFTS:
        assert schema_errors(doc, draft) == []


def test_the_real_corpus_validates_but_for_the_keys_lint_reports() -> None:
    """Each finding of the schema on the real seeds is an unknown key that lint reports too;
    the same findings in draft 7 (what editors implement)."""
    paths = sorted(CORPUS.glob("**/*.md"))
    if not paths:
        pytest.skip(f"no corpus at {CORPUS}")
    findings: list[str] = []
    for path in paths:
        doc = load_document(path)
        assert doc is not None, path
        errors = schema_errors(doc)
        assert errors == schema_errors(doc, jsonschema.Draft7Validator), path
        assert len(errors) == len(schema_unknown_keys(doc)), errors  # only unknown keys
        assert schema_unknown_keys(doc) == lint_unknown_keys(doc), path
        findings += [f"{path.relative_to(CORPUS)}: {key}" for key in schema_unknown_keys(doc)]
    print(f"{len(paths)} seeds, {len(findings)} schema findings: {findings}")
    assert len(findings) <= 3  # notes (2 seeds) and skip (1): docs/seed-format.md says so


def fenced(markdown: str, lang: str, fence: str = "```") -> list[str]:
    return re.findall(rf"^{fence}{lang}\n(.*?)^{fence}$", markdown, re.DOTALL | re.MULTILINE)


def test_the_reference_example_seed_is_clean(tmp_path: Path) -> None:
    [example] = fenced(DOC.read_text(encoding="utf-8"), "markdown", "````")
    path = tmp_path / "example.md"
    path.write_text(example, encoding="utf-8")
    doc = load_document(path)
    assert doc is not None
    seed = build_seed(doc)
    assert [step.id for step in seed.steps] == ["create_client", "read_client", "delete_client"]
    walked = walk(doc)
    problems, steps = step_findings(doc, walked)
    assert front_matter_findings(doc, walked) == problems == []
    assert template_findings(path, steps, BUILTIN_NAMES) == []
    assert schema_errors(doc) == []


def test_the_reference_yaml_examples_validate() -> None:
    """The front matter and steps examples; ``expect:`` and ``poll:`` fragments against
    their own definitions; a --seeds-config example is neither."""
    every = fenced(DOC.read_text(encoding="utf-8"), "yaml")
    blocks = [b for b in every if not b.startswith(("expect:", "poll:", "auth:"))]
    # Front matter, Steps, onFail: skip, the complete seed (2), Multipart, the modeline
    assert len(blocks) == 7
    validator = jsonschema.Draft202012Validator(seed_schema())
    for block in blocks:
        assert list(validator.iter_errors(load_yaml(block.strip().strip("-")))) == []
    fragments = [b for b in every if b.startswith(("expect:", "poll:"))]
    assert len(fragments) == 2  # expect with every check, poll
    for fragment in fragments:
        [(key, value)] = load_yaml(fragment).items()
        schema = {"$defs": seed_schema()["$defs"], "$ref": f"#/$defs/{key}"}
        assert list(jsonschema.Draft202012Validator(schema).iter_errors(value)) == []


def test_the_reference_validation_script_works(tmp_path: Path) -> None:
    [script] = fenced(DOC.read_text(encoding="utf-8"), "python")
    (tmp_path / "check_seeds.py").write_text(script, encoding="utf-8")
    bad = tmp_path / "bad.md"
    bad.write_text(
        seed_doc(front="domain: demo", test="- {id: a, method: GET, path: /v1/things, onfail: x}\n")
    )
    seeds = sorted(str(path) for path in (ROOT / "seeds").glob("*.md"))
    run = [sys.executable, "check_seeds.py"]
    good = subprocess.run([*run, *seeds], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert (good.returncode, good.stdout, good.stderr) == (0, "", "")
    found = subprocess.run(
        [*run, str(bad)], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert found.returncode == 1
    assert (
        "$.steps[0]: Additional properties are not allowed ('onfail' was unexpected)"
        in found.stdout
    )


def test_the_schema_ships_with_the_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = pyproject["tool"]["setuptools"]["package-data"]
    assert "seed.schema.json" in package_data["pytest_seeds.reading"]
    printed = subprocess.run(
        [sys.executable, "-m", "pytest_seeds.reading.schema"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert Path(printed) == ROOT / "pytest_seeds" / "reading" / "seed.schema.json"
    assert required_of("step") == ("id", "method", "path")
