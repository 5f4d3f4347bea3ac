"""Lint rules on a seed's front matter: required keys, endpoint, status, skip reason, tokens."""

from __future__ import annotations

from collections.abc import Collection

from pytest_seeds.contract.swagger import split_endpoint
from pytest_seeds.lint.findings import Finding, did_you_mean, from_error
from pytest_seeds.model import KNOWN_STATUSES
from pytest_seeds.reading import schema
from pytest_seeds.reading.document import Document
from pytest_seeds.reading.parser import Walk
from pytest_seeds.running.auth import TOKEN_TYPES

FRONT_KEYS = schema.keys_of("frontMatter")  # the schema's: editors and lint agree
REQUIRED_FRONT_KEYS = schema.required_of("frontMatter")
_SPELLINGS = ("skip_reason", "skipReason")


def front_matter_findings(
    doc: Document, walked: Walk, token_types: Collection[str] = ()
) -> list[Finding]:
    """The findings of the front matter; each on the line of its key (``token_types``: the
    types configured besides the built-in ones)."""
    known = (*TOKEN_TYPES, *sorted(set(token_types) - set(TOKEN_TYPES)))
    front, lines = doc.front, doc.front_lines
    found: list[Finding] = []

    def add(key: str, rule: str, message: str, hint: str = "") -> None:
        found.append(Finding(rule, doc.path, lines.get(key, lines.get("endpoint")), message, hint))

    for key in REQUIRED_FRONT_KEYS:
        if front.get(key) in (None, ""):
            add(key, "required-key", f"the front matter has no '{key}'", f"add '{key}: ...'")
    endpoint = front.get("endpoint")
    if endpoint not in (None, "") and split_endpoint(endpoint) is None:
        message = f"endpoint {endpoint!r} is not 'METHOD /path'"
        add("endpoint", "endpoint", message, 'write it as endpoint: "GET /platform/v1/clients"')
    if walked.status_error is not None:  # told on the status line, with a did-you-mean
        hint = did_you_mean(walked.status, KNOWN_STATUSES) or walked.status_error.hint
        add("status", "unknown-status", walked.status_error.message, hint)
    if all(front.get(key) for key in _SPELLINGS):
        message = "both 'skip_reason' and 'skipReason' are set; 'skip_reason' is the one used"
        add("skipReason", "skip-reason-spellings", message, "keep one of them")
    tokens = front.get("tokens")
    for token in tokens if isinstance(tokens, list) else ():
        if str(token).lower() not in known:
            hint = did_you_mean(str(token), known) or f"one of {', '.join(known)}"
            add("tokens", "tokens-list", f"unknown token type '{token}'", hint)
    for key in map(str, front):
        if key not in FRONT_KEYS:
            hint = did_you_mean(key, FRONT_KEYS) or "the seed format does not use it"
            if key == "skip":
                hint = "a seed is skipped by 'status: skip', not by a 'skip' key"
            add(key, "unknown-front-key", f"unknown front-matter key '{key}'", hint)
    if walked.front_error is not None:
        found.append(from_error(walked.front_error, "front-value"))
    if walked.outcome_error is not None:
        found.append(from_error(walked.outcome_error, "expected-outcome"))
    return found
