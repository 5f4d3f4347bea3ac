"""A seed's failure report as a pytest report carries it, with its first line as the message.

pytest's JUnit XML writer and its short summary take ``longrepr.reprcrash.message`` when a
report has one, and the whole text otherwise; xdist ships a report's text as a plain string.
Wrapping the text (on the worker and again on the controller) gives every failure a one-line
message while the full report stays the element text and the terminal output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# the values of an expected vs received line, coloured as pytest colours a comparison
_COMPARED = re.compile(
    r"(?P<head>.*expected status )(?P<expected>.+?)(?P<mid>, received )(?P<received>\d+)"
)


@dataclass(frozen=True)
class Crash:
    """Where and what, the way pytest's ``reprcrash`` tells it."""

    path: str
    lineno: int
    message: str

    def __str__(self) -> str:  # pytest's --tb=line
        return f"{self.path}:{self.lineno}: {self.message}"


class FailureText:
    """The full report text; ``reprcrash.message`` is its first line.

    ``style`` is pytest's ``--tb``: with ``line`` pytest writes the crash line itself, with
    ``no`` nothing. On the terminal the expected and received values of the report's head
    (up to its first blank line) are green and red; the string form stays plain.
    """

    def __init__(self, text: str, path: str, lineno: int, style: str = "auto") -> None:
        self.text = text
        self.style = style
        self.reprcrash = Crash(path, lineno, text.split("\n", 1)[0])

    def toterminal(self, out: Any) -> None:
        """Write the report to pytest's terminal writer."""
        if self.style in ("line", "no"):
            return
        head, blank, rest = self.text.partition("\n\n")
        for line in head.split("\n"):
            compared = _COMPARED.match(line)
            if compared is None:
                out.line(line)
                continue
            out.write(compared["head"])
            out.write(compared["expected"], green=True)
            out.write(compared["mid"])
            out.write(compared["received"], red=True)
            out.line(line[compared.end() :])
        if blank:
            out.line("\n" + rest)

    def __str__(self) -> str:
        return self.text
