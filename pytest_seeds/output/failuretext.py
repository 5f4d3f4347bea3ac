"""A seed's failure report as a pytest report carries it, with its first line as the message.

pytest's JUnit XML writer and its short summary take ``longrepr.reprcrash.message`` when a
report has one, and the whole text otherwise; xdist ships a report's text as a plain string.
Wrapping the text (on the worker and again on the controller) gives every failure a one-line
message while the full report stays the element text and the terminal output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Crash:
    """Where and what, the way pytest's ``reprcrash`` tells it."""

    path: str
    lineno: int
    message: str


class FailureText:
    """The full report text; ``reprcrash.message`` is its first line."""

    def __init__(self, text: str, path: str, lineno: int) -> None:
        self.text = text
        self.reprcrash = Crash(path, lineno, text.split("\n", 1)[0])

    def toterminal(self, out: Any) -> None:
        """Write the report to pytest's terminal writer."""
        out.line(self.text)

    def __str__(self) -> str:
        return self.text
