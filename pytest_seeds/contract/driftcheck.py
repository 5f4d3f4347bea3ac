"""``--seeds-drift``: the Test Request's answers checked against the seed's documented examples.

:class:`DriftObserver` is a runner StepObserver made for one seed run, in the process that
runs the seed, from the seed's document (read there). A step of the Test Request that calls
the seed's own endpoint (its method, and its path: ``{name}`` in the endpoint and
``{{template}}`` in the step match any segment) and gets a JSON answer whose status has a
documented example is compared with it (:mod:`pytest_seeds.contract.drift`); with several
examples of that status, with the closest. Differences are notes (``warn``) or fail the
step (``strict``; not while examples are being written: a dry run writes nothing, so strict
still fails). While updating, differences are no notes: the update tells of them. Parts
too deep to compare are notes, never failures. When updating, each drift found keeps the
example the answer would make (:func:`~pytest_seeds.contract.drift.updated`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pytest_seeds.contract.drift import (
    Concealer,
    Drift,
    Pattern,
    compare,
    fixed_paths,
    parse_path,
    updated,
)
from pytest_seeds.contract.examples import Example, examples
from pytest_seeds.contract.swagger import split_endpoint
from pytest_seeds.http.transport import Request
from pytest_seeds.model import Phase, Step
from pytest_seeds.reading.document import Document
from pytest_seeds.running.runner import SeedRun, StepProblem, StepRecord

NOTE_PREFIX = "drift: "
MAX_SHOWN = 10
_PARAM = re.compile(r"\{[^{}]+\}")


@dataclass
class DocumentedExample:
    """A JSON example of the seed: its block, statuses, value and fixed paths."""

    example: Example
    value: Any
    fixed: tuple[Pattern, ...] = ()
    problems: list[str] = field(default_factory=list)  # fixed paths that cannot be read

    @property
    def line(self) -> int:
        return self.example.block.line


@dataclass
class DriftFound:
    """An answer of a step that differs from its documented example, and the example it makes."""

    step: Step
    status: int
    example: DocumentedExample
    drifts: list[Drift]
    value: Any  # the example updated from the answer (None: not updating, or too deep)


def read_examples(document: Document, default: tuple[int, ...]) -> list[DocumentedExample]:
    """The seed's JSON examples that are JSON (lint tells of the others)."""
    lines = document.text.split("\n")
    found = []
    for example in examples(document, default):
        try:
            value = json.loads(example.block.text)
        except ValueError:
            continue
        documented = DocumentedExample(example, value)
        patterns = []
        for text in fixed_paths(_comments_above(lines, example.block.line)):
            try:
                patterns.append(parse_path(text))
            except ValueError as error:
                documented.problems.append(str(error))
        documented.fixed = tuple(patterns)
        found.append(documented)
    return found


def _comments_above(lines: list[str], fence: int) -> list[str]:
    """The blank and HTML comment lines right above a fence (line numbers from 1)."""
    above: list[str] = []
    number = fence - 1
    while number >= 1 and (not lines[number - 1].strip() or "<!--" in lines[number - 1]):
        above.append(lines[number - 1])
        number -= 1
    return above


def calls_endpoint(endpoint: str, method: str, path: str) -> bool:
    """Whether a step's method and path call a seed's endpoint (``"GET /a/{id}"``)."""
    split = split_endpoint(endpoint)
    if split is None or split[0] != method.upper():
        return False
    if "://" in path:
        path = urlsplit(path).path
    wanted = [seg for seg in split[1].split("?")[0].split("/") if seg]
    sent = [seg for seg in path.split("?")[0].split("/") if seg]
    return len(wanted) == len(sent) and all(
        "{{" in got or re.fullmatch("[^/]+".join(map(re.escape, _PARAM.split(want))), got)
        for want, got in zip(wanted, sent, strict=True)
    )


class DriftObserver:
    """Compares one seed run's Test Request answers with its documented examples."""

    def __init__(
        self,
        document: Document,
        mode: str,
        conceal: Callable[[SeedRun], Concealer],
        updating: bool = False,
        writing: bool = False,
    ) -> None:
        self.document = document
        self.updating = updating  # the updated examples are made (to write, or to show)
        self.strict = mode == "strict" and not writing
        self.warn = mode != "off" and not updating
        self.conceal = conceal
        self.found: list[DriftFound] = []
        # while updating: each example's line -> the steps compared with it, and the
        # example each answer makes (the example itself for an answer that matches it)
        self.made: dict[int, list[tuple[str, Any]]] = {}
        self._examples: list[DocumentedExample] | None = None

    def examples(self, run: SeedRun) -> list[DocumentedExample]:
        """The seed's examples, read on first use (statuses default to the Test Request's)."""
        if self._examples is None:
            tests = run.seed.phase(Phase.TEST)
            self._examples = read_examples(
                self.document, tests[0].expect_status if tests else (200,)
            )
        return self._examples

    def before_send(self, run: SeedRun, step: Step, request: Request) -> None:
        """Nothing to do before sending."""

    def after_response(self, run: SeedRun, record: StepRecord) -> None:
        step, status, response = record.step, record.status, record.response
        if step.phase is not Phase.TEST or status is None or response is None:
            return
        documented = [e for e in self.examples(run) if status in e.example.statuses]
        if not documented or not calls_endpoint(run.seed.endpoint, step.method, step.path):
            return  # most seeds document no example: that is the cheaper question
        try:
            body = response.json()
        except ValueError:
            return
        compared = [(compare(e.value, body, e.fixed), e) for e in documented]
        found, example = min(compared, key=lambda pair: len(pair[0]))
        for problem in example.problems:
            record.notes.append(f"{NOTE_PREFIX}seeds-fixed above line {example.line}: {problem}")
        drifts = [drift for drift in found if drift.kind != "deep"]
        if self.warn or self.strict:
            record.notes += [
                f"{NOTE_PREFIX}line {example.line}: {deep}" for deep in found if deep.kind == "deep"
            ]
        value = None
        if self.updating and len(drifts) == len(found):
            value = (
                updated(example.value, body, self.conceal(run), example.fixed)
                if drifts
                else example.value
            )
            self.made.setdefault(example.line, []).append((step.id, value))
        if not drifts:
            return
        self.found.append(DriftFound(step, status, example, drifts, value))
        text = note(status, example.line, drifts)
        if self.strict:
            raise StepProblem(text)
        if self.warn:
            record.notes.append(text)

    def after_step(self, run: SeedRun, record: StepRecord) -> None:
        """Nothing to do once the step is over."""


def note(status: int, line: int, drifts: list[Drift]) -> str:
    """The note (or failure) of an answer that differs from its example."""
    count = f"{len(drifts)} difference{'s' if len(drifts) != 1 else ''}"
    lines = [str(drift) for drift in drifts[:MAX_SHOWN]]
    if len(drifts) > MAX_SHOWN:
        lines.append(f"... and {len(drifts) - MAX_SHOWN} more")
    title = f"{NOTE_PREFIX}the {status} answer differs from the documented example (line {line}; {count})"
    return "\n".join([title, *(f"    {text}" for text in lines)])
