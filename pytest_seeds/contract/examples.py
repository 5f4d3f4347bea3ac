"""Documentation check for lint: the JSON examples of a seed against its operation's schemas.

Pytest-free. A seed shows example responses in fenced ```json blocks under level-2
sections such as ``## Expected Response (200)``, ``## Error Responses`` (with level-3
headings like ``### 422 - Staff Not Registered``) or ``## Response Examples``. The status
of an example is the one in its nearest heading; an ``## Expected Response`` without one
stands for the statuses the Test Request expects. An example matches when it matches the
schema of one of its statuses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pytest_seeds.contract.checks import Contract
from pytest_seeds.contract.mismatch import Mismatch, shown
from pytest_seeds.contract.swagger import Operation, split_endpoint
from pytest_seeds.model import Phase, Step
from pytest_seeds.reading.document import Block, Document, Section

RESPONSE_SECTIONS = ("expected response", "error response", "response example")
_STATUS = re.compile(r"(?<![\w.])([1-5]\d\d)(?![\w.])")


@dataclass(frozen=True)
class ExampleFinding:
    """A documentation example that is not JSON (rule ``example-json``) or contradicts its
    schema (rule ``example-schema``); shaped like a lint finding."""

    rule: str
    path: Path
    line: int
    message: str
    hint: str = ""
    kinds: tuple[str, ...] = ()  # the mismatch kinds, for statistics

    def __str__(self) -> str:
        hint = f"; hint: {self.hint}" if self.hint else ""
        return f"{self.path}:{self.line}: [{self.rule}] {self.message}{hint}"


@dataclass(frozen=True)
class Example:
    """One JSON example block and the statuses it documents."""

    block: Block
    statuses: tuple[int, ...]


def statuses_in(heading: str) -> tuple[int, ...]:
    """The HTTP statuses a heading names: ``"Expected Response (200/201)"`` -> (200, 201)."""
    return tuple(int(found) for found in _STATUS.findall(heading))


def examples(document: Document, default: tuple[int, ...]) -> list[Example]:
    """The JSON examples of a document's response sections, with their statuses."""
    lines = document.text.split("\n")
    found = []
    for section in document.sections:
        title = section.heading.lower()
        if not any(name in title for name in RESPONSE_SECTIONS):
            continue
        fallback = statuses_in(section.heading) or (default if "expected" in title else ())
        for block in section.blocks:
            statuses = _heading_statuses(section, block, lines) or fallback
            if block.lang == "json" and statuses:
                found.append(Example(block, statuses))
    return found


def _heading_statuses(section: Section, block: Block, lines: list[str]) -> tuple[int, ...]:
    """Statuses of the last sub-heading between the section heading and the block."""
    inside = {
        number
        for other in section.blocks
        for number in range(other.line, other.line + other.text.count("\n") + 2)
    }
    statuses: tuple[int, ...] = ()
    for number in range(section.line + 1, block.line):
        text = lines[number - 1] if number <= len(lines) else ""
        if number not in inside and text.lstrip().startswith("#"):
            statuses = statuses_in(text)
    return statuses


def check_examples(
    document: Document, contract: Contract, steps: Sequence[Step] = ()
) -> list[ExampleFinding]:
    """Findings for the JSON examples of one seed; ``steps`` are its parsed steps, if any."""
    endpoint = split_endpoint(document.front.get("endpoint"))
    tests = [step.expect_status for step in steps if step.phase is Phase.TEST]
    swagger = document.front.get("swagger")
    swagger = swagger if isinstance(swagger, str) else None  # another type: a lint error
    operation = contract.operation(swagger, *endpoint) if endpoint else None
    findings = []
    for example in examples(document, tests[0] if tests else (200,)):
        block = example.block
        try:
            value = json.loads(block.text)
        except ValueError as error:
            line = block.line + getattr(error, "lineno", 1)
            message = f"the JSON example is not valid JSON: {getattr(error, 'msg', error)}"
            hint = "write the example as strict JSON (no comments, no '...')"
            findings.append(ExampleFinding("example-json", document.path, line, message, hint))
            continue
        if operation is None:
            continue
        results = [
            [m for m in contract.check_response(operation, status, value) if not m.defect]
            for status in example.statuses
        ]
        if all(results):  # no status whose schema it matches
            findings.append(_finding(document.path, example, contract, operation, results[0]))
    return findings


def _finding(
    path: Path,
    example: Example,
    contract: Contract,
    operation: Operation,
    wrong: list[Mismatch],
) -> ExampleFinding:
    status = "/".join(map(str, example.statuses))
    noun = "mismatch" if len(wrong) == 1 else "mismatches"
    where = contract.where(operation)
    message = f"the example for status {status} does not match {where} ({len(wrong)} {noun}): "
    message += "; ".join(shown(wrong, 3))
    hint = f"correct the example, or the schema in {contract.spec_name(operation)}"
    kinds = tuple(m.kind for m in wrong)
    return ExampleFinding("example-schema", path, example.block.line, message, hint, kinds)
