"""Offline checks of seed documents: what would go wrong, found before any request is sent.

Pytest-free. :func:`read` tells a seed from other Markdown; :func:`check` returns every
finding of one seed, :func:`root_finding` the one finding of a whole run (no Swagger file) (its rule, file, line, step, message and hint; the rule sets the
severity, see :data:`RULES`). A defect that the parser refuses (:class:`SeedError`)
becomes a finding like any other, and the checks go on with the rest of the seed.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from pytest_seeds.contract.checks import Contract
from pytest_seeds.contract.examples import check_examples
from pytest_seeds.contract.swagger import split_endpoint
from pytest_seeds.lint.findings import ERROR, RULES, WARNING, Finding, from_error
from pytest_seeds.lint.front import front_matter_findings
from pytest_seeds.lint.steps import step_findings
from pytest_seeds.lint.swagger import root_finding, swagger_findings
from pytest_seeds.lint.templates import template_findings
from pytest_seeds.model import SeedError, Step
from pytest_seeds.reading.document import Document, load_document
from pytest_seeds.reading.parser import walk
from pytest_seeds.running.templating import BUILTIN_NAMES

__all__ = ["ERROR", "RULES", "WARNING", "Finding", "check", "examine", "read", "root_finding"]


def read(path: Path) -> Document | SeedError | None:
    """The raw document of a seed, the error that stops reading it, or None for other files."""
    try:
        return load_document(path)
    except SeedError as error:
        return error


def examine(
    target: Document | SeedError,
    names: Collection[str],
    contract: Contract,
    max_sleep: float = 30.0,
    token_types: Collection[str] = (),
) -> tuple[list[Finding], list[Step]]:
    """Every finding of one seed, in line order, and the steps that could be read, in the order
    they run (what the seed means to send: the coverage ledger by design). ``names`` are the
    configured template values, ``max_sleep`` the run's longest sleep in seconds
    (``--seeds-max-sleep``), ``token_types`` the token types configured besides the built-in
    ones (``auth: types:``)."""
    if isinstance(target, SeedError):
        return [from_error(target, "unreadable")], []
    walked = walk(target)
    findings = front_matter_findings(target, walked, token_types)
    step_problems, steps = step_findings(target, walked, max_sleep, token_types)
    findings += step_problems
    findings += template_findings(target.path, steps, frozenset(names) | BUILTIN_NAMES)
    endpoint = split_endpoint(target.front.get("endpoint"))
    built = [raw.step for raw in steps if raw.step is not None]
    if endpoint is not None:
        findings += swagger_findings(target, endpoint, built, contract.index)
        examples = check_examples(target, contract, built)
        findings += [Finding(e.rule, e.path, e.line, e.message, e.hint) for e in examples]
    return sorted(findings, key=lambda finding: finding.line or 0), built
