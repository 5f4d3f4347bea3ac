"""Lint rules on a seed's steps: keys, values, ids, tokens, extract paths, the Test Request."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import urlsplit

from pytest_seeds.contract.swagger import split_endpoint
from pytest_seeds.lint.findings import Finding, did_you_mean, from_error, step_rule
from pytest_seeds.model import Phase, Step, UnknownKeyError
from pytest_seeds.reading import schema
from pytest_seeds.reading.document import Document
from pytest_seeds.reading.expect import unknown_keys
from pytest_seeds.reading.parser import RawStep, Walk
from pytest_seeds.running.auth import NO_TOKEN, TOKEN_TYPES
from pytest_seeds.running.extract import ExtractError, compile_query

STEP_KEYS = schema.keys_of("step")  # the schema's: editors and lint agree
NESTED_KEYS = {"expect": schema.keys_of("expect"), "file_fields": schema.keys_of("fileField")}
RUN_ORDER = (Phase.PREREQUISITE, Phase.TEST, Phase.CLEANUP)


def step_findings(
    doc: Document, walked: Walk, max_sleep: float = 30.0, token_types: Collection[str] = ()
) -> tuple[list[Finding], list[RawStep]]:
    """The findings of the steps, and the steps as written, in the order they run;
    ``max_sleep``: the run's longest sleep in seconds; ``token_types``: configured types."""
    known = (*TOKEN_TYPES, *sorted(set(token_types) - set(TOKEN_TYPES)), NO_TOKEN)
    found: list[Finding] = []
    steps: list[RawStep] = []
    for phase in RUN_ORDER:
        for item in walked.blocks:
            if item.phase is not phase:
                continue
            if item.error is not None:
                found.append(from_error(item.error, "steps-block"))
            for here in item.steps:
                steps.append(here)
                found += _one_step(doc, here, known)
                found += _long_sleep(doc, here, max_sleep)
    found += _duplicate_ids(doc, steps)
    found += _test_request(doc, walked, steps)
    found += _outcome_conflicts(doc, walked, steps)
    return found, steps


def _one_step(doc: Document, here: RawStep, known_types: tuple[str, ...]) -> list[Finding]:
    raw, step_id = here.raw, here.id
    found: list[Finding] = []
    if here.error is not None and not isinstance(here.error, UnknownKeyError):  # listed below
        found.append(from_error(here.error, step_rule(here.error), step_id))

    def add(key: str, rule: str, message: str, hint: str = "", node: Any = None) -> None:
        found.append(Finding(rule, doc.path, here.line_of(key, node), message, hint, step_id))

    for unknown in unknown_keys(raw):  # the parser's own check: one vocabulary, the schema's
        add(
            unknown.key, "unknown-key", f"unknown key '{unknown.shown}'", unknown.hint, unknown.node
        )
    if "id" not in raw:
        add("id", "step-id", f"the step has no 'id'; reports call it '{step_id}'", "add 'id: ...'")
    token = raw.get("token")
    if isinstance(token, str) and token.strip() and token.strip().lower() not in known_types:
        hint = did_you_mean(token, known_types) or f"one of {', '.join(known_types)}"
        add("token", "unknown-token", f"unknown token type '{raw['token']}'", hint)
    extract = raw.get("extract")
    for name, expression in extract.items() if isinstance(extract, Mapping) else ():
        text = str(expression)
        if "{{" in text and not text.lstrip().startswith("$"):
            continue  # a template, rendered like any other value
        try:
            compile_query(text)
        except ExtractError as error:
            hint = "for example $.data.items[0].uid or $.data.items[?(@.type=='x')].uid"
            add(str(name), "extract-jsonpath", f"extract '{name}': {error}", hint, extract)
    return found


def _long_sleep(doc: Document, here: RawStep, max_sleep: float) -> list[Finding]:
    """A ``sleep`` longer than ``--seeds-max-sleep``: the run sleeps the cap instead."""
    step = here.step
    if step is None or step.sleep_ms <= max_sleep * 1000:
        return []
    message = (
        f"sleep: {step.sleep_ms} ms is longer than --seeds-max-sleep ({max_sleep:g} s): the run "
        f"sleeps {max_sleep:g} s"
    )
    hint = "shorten it, or raise --seeds-max-sleep if the API really needs that long"
    return [Finding("step-sleep", doc.path, here.line_of("sleep"), message, hint, here.id)]


def _duplicate_ids(doc: Document, steps: list[RawStep]) -> list[Finding]:
    first: dict[str, RawStep] = {}
    found = []
    for raw in steps:
        if "id" not in raw.raw:
            continue
        if raw.id in first:
            message = f"step id '{raw.id}' is already used on line {first[raw.id].line_of('id')}"
            hint = "give every step of a seed its own id"
            found.append(
                Finding("duplicate-id", doc.path, raw.line_of("id"), message, hint, raw.id)
            )
        first.setdefault(raw.id, raw)
    return found


def _test_request(doc: Document, walked: Walk, steps: list[RawStep]) -> list[Finding]:
    """The Test Request exists, and one of its steps calls the seed's endpoint."""
    error = walked.test_request_error
    if error is not None:  # told on the line of its section, if any
        line = walked.test_section.line if walked.test_section else None
        return [Finding("no-test-request", doc.path, line, error.message, error.hint)]
    tests = [raw for raw in steps if raw.phase is Phase.TEST]
    endpoint = split_endpoint(doc.front.get("endpoint"))
    built = [raw.step for raw in tests if raw.step is not None]
    if endpoint is None or len(built) < len(tests):
        return []  # the endpoint or a step is reported already
    if any(calls_endpoint(step, endpoint) for step in built):
        return []
    method, path = endpoint
    calls = ", ".join(f"{step.method} {step.path}" for step in built)
    message = f"no Test Request step calls {method} {path}; they call {calls}"
    hint = "check the step's path against the endpoint"
    return [Finding("endpoint-not-tested", doc.path, tests[0].line, message, hint, tests[0].id)]


def calls_endpoint(step: Step, endpoint: tuple[str, str]) -> bool:
    """The step has the endpoint's method and path; ``{{x}}`` or ``{x}`` match any one segment."""
    left, right = _segments(step.path), _segments(endpoint[1])
    return (
        step.method == endpoint[0]
        and len(left) == len(right)
        and all(a == b or "{" in a or "{" in b for a, b in zip(left, right, strict=True))
    )


def _segments(path: str) -> list[str]:
    path = urlsplit(path).path if "://" in path else path.split("?", 1)[0]
    return [segment for segment in path.split("/") if segment]


def _outcome_conflicts(doc: Document, walked: Walk, steps: list[RawStep]) -> list[Finding]:
    outcome = walked.outcome  # None when it is wrong: the front-matter rules report it
    found = []
    for raw in steps:
        expect = raw.raw.get("expect")
        own = expect.get("status") if isinstance(expect, Mapping) else None
        if outcome is None or raw.phase is not Phase.TEST or own is None or raw.step is None:
            continue
        if outcome not in raw.step.expect_status:
            statuses = " or ".join(map(str, raw.step.expect_status))
            message = (
                f"expect.status {statuses} contradicts the front matter's expectedOutcome "
                f"{outcome} (line {doc.front_lines.get('expectedOutcome')}); the step's own "
                "status is the one checked"
            )
            line = raw.line_of("status", expect)
            hint = "make them agree, or drop one of them"
            found.append(
                Finding("expected-outcome-conflict", doc.path, line, message, hint, raw.id)
            )
    return found
