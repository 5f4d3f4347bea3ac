"""``--seeds-contract``: each step's request and answer checked as the seed runs.

:class:`ContractObserver` is the runner's StepObserver:

- ``warn``: mismatches become notes on the step (shown as warnings and in reports);
- ``strict``: a mismatch fails the step; a request the documentation calls invalid fails
  before it is sent;
- a step whose operation is not documented anywhere under the root is not checked;
- a step with ``expect.schema: documented`` has its response checked strictly, in every
  mode (``off`` too: then only such steps are checked), and fails when no operation
  documents it;
- faults of the documentation itself (a ``$ref`` that does not resolve...) are notes in both
  modes, each fault once per process, and never fail a step.
"""

from __future__ import annotations

from typing import Any

from pytest_seeds.contract.checks import Contract
from pytest_seeds.contract.mismatch import Mismatch, shown
from pytest_seeds.contract.swagger import Operation
from pytest_seeds.http.transport import Request
from pytest_seeds.model import Step
from pytest_seeds.reading.expect import DOCUMENTED
from pytest_seeds.running.runner import SeedRun, StepProblem, StepRecord

NOTE_PREFIX = "contract: "


class ContractObserver:
    """Checks each step against its documented operation (a runner StepObserver)."""

    def __init__(self, contract: Contract, mode: str) -> None:
        self.contract = contract
        self.strict = mode == "strict"
        self.every_step = mode != "off"  # off: only the steps that ask for the documented schema

    def before_send(self, run: SeedRun, step: Step, request: Request) -> None:
        if not self.every_step:
            return
        operation = self.contract.operation(run.seed.swagger, step.method, step.path)
        if operation is not None and run.records and run.records[-1].step is step:
            found = self.contract.check_request(operation, request)
            self._report(run.records[-1], operation, "request", found)

    def after_response(self, run: SeedRun, record: StepRecord) -> None:
        documented = record.step.schema == DOCUMENTED
        if not (self.every_step or documented):
            return
        operation = self.contract.operation(run.seed.swagger, record.step.method, record.step.path)
        if operation is None and documented:
            raise StepProblem(
                f"expect.schema: documented, but no Swagger operation documents "
                f"{record.step.method} {record.step.path} (front matter 'swagger:', "
                "--seeds-swagger-root)"
            )
        if operation is None or record.response is None or record.status is None:
            return
        try:
            body: Any = record.response.json()
        except ValueError as error:
            body = error
        found = self.contract.check_response(operation, record.status, body)
        self._report(record, operation, f"response {record.status}", found, documented)

    def after_step(self, run: SeedRun, record: StepRecord) -> None:
        """Nothing to do once the step is over."""

    def _report(
        self,
        record: StepRecord,
        op: Operation,
        what: str,
        found: list[Mismatch],
        strict: bool = False,
    ) -> None:
        where = self.contract.where(op)
        defects = [m for m in found if m.defect and self.contract.first_time(m.wanted)]
        if defects:
            record.notes.append(_note(f"{what}: cannot fully check against {where}", defects))
        wrong = [m for m in found if not m.defect]
        if not wrong:
            return
        text = _note(f"{what} does not match {where}", wrong)
        if self.strict or strict:
            raise StepProblem(text)
        record.notes.append(text)


def _note(title: str, found: list[Mismatch]) -> str:
    noun = "problem" if found[0].defect else "mismatch"
    count = f"{len(found)} {noun}" + (
        "" if len(found) == 1 else "es" if noun == "mismatch" else "s"
    )
    return f"{NOTE_PREFIX}{title} ({count})\n" + "\n".join(f"    {line}" for line in shown(found))
