"""Failure reports a person reads: the steps that ran and why one failed."""

from __future__ import annotations

import contextlib
import json
import re

from pytest_seeds.http.transport import Response
from pytest_seeds.http.wire import sent_url
from pytest_seeds.model import Phase, Seed
from pytest_seeds.output.curl import curl_command
from pytest_seeds.running.runner import SeedRun, StepRecord
from pytest_seeds.secrets.redact import Redactor

BODY_EXCERPT_CHARS = 2000
PRETTY_MAX_BYTES = 256 * 1024
# a hostile body must not drive the terminal
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
PHASE_TITLES = {
    Phase.PREREQUISITE: "Prerequisites",
    Phase.TEST: "Test Request",
    Phase.CLEANUP: "Cleanup",
}


def transcript_line(record: StepRecord) -> str:
    """``ok  step-id  GET http://... -> 200 (12 ms)``."""
    status = "---" if record.status is None else str(record.status)
    url = (sent_url(record.request) if record.request else record.url) or "(not sent)"
    line = f"{record.outcome:<9} {record.step.id}  {record.method} {url} -> {status}"
    if record.status is not None or record.seconds:
        line += f" ({record.seconds * 1000:.0f} ms)"
    if record.attempts > 1:
        line += f" after {record.attempts} attempts"
    return line


def transcript(run: SeedRun, phase: Phase | None = None) -> list[str]:
    """One line per step that ran (of one phase, if given), in order, then its notes indented."""
    lines: list[str] = []
    for record in run.records:
        if phase is None or record.step.phase is phase:
            lines.append(transcript_line(record))
            lines += [f"    {note}" for note in record.notes]
    return lines


def body_excerpt(
    response: Response, limit: int = BODY_EXCERPT_CHARS, redactor: Redactor | None = None
) -> str:
    """The body: pretty JSON up to 256 KiB, cut at ``limit``, control characters escaped.

    With a redactor, the body is masked before it is cut: a secret across the cut is
    masked whole, no piece of it is left.
    """
    text = None
    if len(response.content) <= PRETTY_MAX_BYTES:
        with contextlib.suppress(ValueError, RecursionError):
            text = json.dumps(response.json(), indent=2, ensure_ascii=False)
    if text is None:
        reach = redactor.reach if redactor is not None else 0
        text = response.content[: (limit + reach) * 4].decode("utf-8", errors="replace")
    if redactor is not None:
        shown = redactor.cut(text, limit, cut_end=response.truncated)
    else:
        shown = text[:limit]
    shown = _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", shown)
    size = len(response.content)
    if response.truncated:
        return shown + f"\n... (cut; the body is over {size} bytes, reading stopped there)"
    if len(text) > limit:
        return shown + f"\n... (cut; the body has {size} bytes)"
    return shown or "(empty body)"


def failure_report(seed: Seed, run: SeedRun, record: StepRecord, redactor: Redactor) -> str:
    """The text of a failed seed: what failed, where, the transcript, the body."""
    step = record.step
    lines = [
        f"{seed.endpoint}: step '{step.id}' ({PHASE_TITLES[step.phase]}) failed",
        f"  {record.problem}",
        f"  seed: {seed.path}:{step.line}",
    ]
    if step.description:
        lines.append(f"  step: {step.description}")
    lines += ["", "steps:"] + [f"  {line}" for line in transcript(run)]
    others = [r for r in run.records if r.outcome == "continued"]
    if others:
        lines += ["", "steps that failed and were passed over (onFail):"]
        lines += [f"  {r.step.id}: {r.problem} (onFail: {r.step.on_fail})" for r in others]
    if record.request is not None:
        lines += ["", "reproduce (tokens from $SEEDS_TOKEN_<TYPE>):"]
        lines.append(curl_command(record.request, run.env.tokens))
    if record.response is not None:
        excerpt = body_excerpt(record.response, redactor=redactor)
        lines += ["", f"response body ({record.status}):", excerpt]
    return redactor.text("\n".join(lines))
