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


# the outcome of a step stopped midway -> what stopped it
CUT_OFF = {"cut off": "timeout", "interrupted": "Ctrl-C"}


def transcript_line(record: StepRecord) -> str:
    """``ok  step-id  GET http://... -> 200 (12 ms)``; ``cut off  step-id  GET http://... (timeout after 1.0 s)``."""
    url = (sent_url(record.request) if record.request else record.url) or "(not sent)"
    line = f"{record.outcome:<9} {record.step.id}  {record.method} {url}"
    if record.outcome in CUT_OFF:
        return f"{line} ({CUT_OFF[record.outcome]} after {record.seconds:.1f} s)"
    line += f" -> {'---' if record.status is None else record.status}"
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


def headline(seed: Seed, record: StepRecord) -> str:
    """A report's first line (the JUnit message): which step of the seed failed."""
    verb = record.outcome if record.outcome in CUT_OFF else "failed"
    return f"{seed.endpoint}: step '{record.step.id}' ({PHASE_TITLES[record.step.phase]}) {verb}"


def failure_report(
    seed: Seed,
    run: SeedRun,
    record: StepRecord,
    redactor: Redactor,
    where: str,
    style: str = "long",
) -> str:
    """The text of a failed seed: what failed, where, the transcript, the body.

    ``where``: the seed file as node ids show it; ``style``: pytest's ``--tb``, whose
    ``short`` gives what failed and the step's transcript line only.
    """
    step = record.step
    lines = [headline(seed, record), f"  {record.problem}"]
    if style == "short":
        return redactor.text("\n".join([*lines, f"  {transcript_line(record)}"]))
    lines.append(f"  seed: {where}:{step.line}")
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
