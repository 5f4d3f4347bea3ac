"""A correlation header on every request, so server logs can be matched to a seed's step."""

from __future__ import annotations

import re
import secrets

from pytest_seeds.http.transport import Request
from pytest_seeds.model import Step
from pytest_seeds.running.runner import SeedRun, StepRecord

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def is_header_name(name: str) -> bool:
    """Whether ``name`` is a valid HTTP header name (RFC 9110 token)."""
    return _HEADER_NAME.fullmatch(name) is not None


def request_id(seed_name: str, step_id: str) -> str:
    """``<seed file stem>:<step id>:<6 random hex digits>``, in header-safe characters."""
    return f"{_UNSAFE.sub('-', seed_name)}:{_UNSAFE.sub('-', step_id)}:{secrets.token_hex(3)}"


class RequestIdHeader:
    """A step observer that sends ``header: request_id(...)`` and notes it on the step."""

    def __init__(self, header: str) -> None:
        self.header = header

    def before_send(self, run: SeedRun, step: Step, request: Request) -> None:
        request.headers[self.header] = request_id(run.seed.path.stem, step.id)

    def after_response(self, run: SeedRun, record: StepRecord) -> None:
        """Nothing to check."""

    def after_step(self, run: SeedRun, record: StepRecord) -> None:
        if record.request is not None and self.header in record.request.headers:
            record.notes.append(f"{self.header}: {record.request.headers[self.header]}")
