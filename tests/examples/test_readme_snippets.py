"""The README prints the examples of ``readme/`` verbatim: README and tests cannot drift apart."""

from __future__ import annotations

import pytest

from tests.examples.snippets import README, SNIPPETS, fenced_blocks, fill_elided, snippet

EXAMPLES = {
    "tokens.json": "json",  # Running against a real environment
    "secrets.yaml": "yaml",  # Secrets
    "fixtures_conftest.py": "python",  # Fixtures
    "lint.sh": "sh",  # Lint: check seeds offline
    "examples_workflow.sh": "sh",  # Keeping examples true
}


@pytest.mark.parametrize(("name", "language"), EXAMPLES.items())
def test_the_readme_prints_the_example(name: str, language: str) -> None:
    blocks = fenced_blocks(README.read_text(encoding="utf-8"))
    assert (language, snippet(name)) in blocks, (
        f"README.md has no ```{language} block that reads exactly as "
        f"tests/examples/readme/{name}: change both together"
    )


def test_every_example_file_is_checked_against_the_readme() -> None:
    """``readme/`` holds the examples and its ruff.toml (their lint settings), nothing else."""
    kept = {path.name for path in SNIPPETS.iterdir() if not path.name.startswith(".")}
    kept.discard("ruff.toml")
    assert kept == set(EXAMPLES)


def test_elided_values_are_filled_in_by_name() -> None:
    assert fill_elided('{"tokens": {"staff": "…"}}') == '{"tokens": {"staff": "staff-value"}}'
    assert fill_elided('params: {partner_key: "…"}') == 'params: {partner_key: "partner_key-value"}'
