"""Plain, typed data a seed document becomes: its head (front matter) at collection, its
steps once, in the process that runs it."""

from __future__ import annotations

import difflib
import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ON_FAIL_VALUES = ("abort", "skip", "continue", "warn")
RUN_STATUSES = ("verified", "success", "pass", "pending")
SKIP_STATUSES = ("skip", "skipped", "deprecated")
XFAIL_STATUSES = ("failed",)
KNOWN_STATUSES = RUN_STATUSES + SKIP_STATUSES + XFAIL_STATUSES
NOT_RUN_AS_WRITTEN = SKIP_STATUSES + XFAIL_STATUSES  # pytest decides the outcome first
STEP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")  # a step may send
SPEC_METHODS = frozenset((*STEP_METHODS, "TRACE"))  # the operations a spec path item can hold


class Phase(enum.Enum):
    """Where a step stands in a seed run."""

    PREREQUISITE = "prerequisite"
    TEST = "test"
    CLEANUP = "cleanup"


class SeedError(Exception):
    """A defect in a user's seed document, told to that user with file and line."""

    def __init__(
        self, path: Path, line: int | None, message: str, hint: str = "", key: str = ""
    ) -> None:
        self.path = path
        self.line = line
        self.message = message
        self.hint = hint
        self.key = key  # the step key at fault, when a step's value is wrong
        super().__init__(str(self))

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else str(self.path)

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class UnknownKeyError(SeedError):
    """A step key the seed format does not know (lint lists every one itself)."""


def did_you_mean(word: str, choices: Collection[str]) -> str:
    """``did you mean 'x'?`` for the closest choice (same letters in another case first), or ""."""
    folded = [choice for choice in choices if choice.lower() == word.lower()]
    close = folded or difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


@dataclass(frozen=True, slots=True)
class FileUpload:
    """One file of a multipart step."""

    field_name: str
    file_path: str
    filename: str | None = None


CHECK_OPS = (
    "eq",
    "ne",
    "exists",
    "type",
    "matches",
    "contains",
    "length",
    "gt",
    "gte",
    "lt",
    "lte",
)
JSON_TYPES = ("string", "number", "integer", "boolean", "array", "object", "null")


@dataclass(frozen=True, slots=True)
class Check:
    """One assertion on a response: ``subject`` json (``target`` a JSONPath), header
    (``target`` its name) or time (milliseconds); ``op`` one of CHECK_OPS. ``value`` may
    hold ``{{templates}}``, rendered when the step runs."""

    subject: str
    target: str
    op: str
    value: Any
    line: int = 0


@dataclass(frozen=True, slots=True)
class Condition:
    """What a response must be: statuses (None: any), checks, and a JSON Schema
    (``"documented"``: the Swagger operation's, strictly; a mapping: inline; None: none)."""

    status: tuple[int, ...] | None = None
    checks: tuple[Check, ...] = ()
    schema: Any = None


@dataclass(frozen=True, slots=True)
class Poll:
    """Send a step again until ``until`` holds; stop at once when ``fail_if`` holds."""

    until: Condition
    fail_if: Condition | None = None
    interval_ms: int = 500
    timeout_ms: int = 10_000


@dataclass(frozen=True, slots=True)
class Step:
    """One HTTP request of a seed, as written (templates not rendered yet)."""

    id: str
    phase: Phase
    method: str
    path: str
    line: int
    description: str = ""
    token: str | None = None  # None: the default token type (running.auth)
    params: Mapping[str, Any] = field(default_factory=dict)
    body: Any = None
    headers: Mapping[str, Any] = field(default_factory=dict)
    extract: Mapping[str, str] = field(default_factory=dict)
    expect_status: tuple[int, ...] = (200,)
    on_fail: str = "abort"
    skip_reason: str = ""  # onFail: skip: why a later step that needs its values is skipped
    sleep_ms: int = 0
    use_fallback: bool = False
    x_on_behalf_of: bool | None = None
    multipart: bool = False
    form_fields: Mapping[str, Any] = field(default_factory=dict)
    file_fields: tuple[FileUpload, ...] = ()
    checks: tuple[Check, ...] = ()  # expect: json, headers, time_ms
    schema: Any = None  # expect.schema: "documented", a mapping, or None
    poll: Poll | None = None


@dataclass(frozen=True, slots=True)
class SeedHead:
    """What collection reads of a seed, from its front matter: identity and lifecycle."""

    path: Path
    endpoint: str
    line: int = 1
    domain: str = ""
    tags: tuple[str, ...] = ()
    swagger: str | None = None
    status: str = ""
    skip_reason: str = ""  # why it does not run as written (a skip or xfail status)

    @property
    def runs_as_written(self) -> bool:
        """False for a skipped or expected-to-fail status, whose outcome pytest decides
        before the seed runs."""
        return self.status not in NOT_RUN_AS_WRITTEN


@dataclass(frozen=True, slots=True)
class Seed(SeedHead):
    """A seed document: its head and its executable steps."""

    steps: tuple[Step, ...] = ()
    no_test_request_reason: str = ""
    problem: SeedError | None = None  # found by the parser; the seed errors when it runs

    @property
    def has_test_request(self) -> bool:
        return not self.no_test_request_reason

    def phase(self, phase: Phase) -> tuple[Step, ...]:
        """The steps of one phase, in document order."""
        return tuple(step for step in self.steps if step.phase is phase)
