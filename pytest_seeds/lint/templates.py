"""Lint rules on ``{{templates}}``: each name resolves when its step runs.

A name resolves from a value extracted by an *earlier* step, a configured value or a
built-in; a dotted name (``{{resolved.uid}}``) counts by its first part, a filter
(``| slice: -4``) must be known.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pytest_seeds.lint.findings import Finding
from pytest_seeds.reading.document import Block
from pytest_seeds.reading.parser import RawStep
from pytest_seeds.running.templating import PLACEHOLDER, expression_problem
from pytest_seeds.settings import param_variable

TEMPLATED_KEYS = ("path", "params", "body", "headers", "form_fields", "file_fields")


def template_findings(path: Path, steps: list[RawStep], available: frozenset[str]) -> list[Finding]:
    """The findings of every placeholder; ``available`` are configured and built-in names."""
    extracts = [
        {str(name) for name in raw.raw["extract"]}
        if isinstance(raw.raw.get("extract"), Mapping)
        else set()
        for raw in steps
    ]
    known = available.union(*extracts)
    found: list[Finding] = []
    provided = set(available)
    for position, raw in enumerate(steps):
        for where, expression, line in _uses(raw):
            later = zip(steps[position:], extracts[position:], strict=True)
            rule, message, hint = _problem(where, expression, provided, later, known)
            if rule:
                found.append(Finding(rule, path, line, message, hint, raw.id))
        provided |= extracts[position]
    return found


def _problem(
    where: str,
    expression: str,
    provided: set[str],
    later: Iterator[tuple[RawStep, set[str]]],
    known: frozenset[str],
) -> tuple[str, str, str]:
    """``(rule, message, hint)`` of one placeholder; an empty rule when it resolves."""
    problem = expression_problem(expression)
    if problem:
        return "template-syntax", f"{{{{{expression}}}}} in {where} {problem}", ""
    name = expression.split("|")[0].strip()
    head = name.split(".")[0]
    if head in provided:
        return "", "", ""
    extractor = next((step for step, names in later if head in names), None)
    if extractor is not None:
        return (
            "used-before-extracted",
            f"{{{{{name}}}}} in {where} is used before step '{extractor.id}' "
            f"(line {extractor.line}) extracts it",
            "move the step that extracts it before this one",
        )
    return (
        "unresolvable-name",
        f"{{{{{name}}}}} in {where}: no earlier step extracts '{head}', and no configured "
        "value or built-in has that name",
        _hint(name, known),
    )


@functools.lru_cache(maxsize=4096)
def _close_names(head: str, known: frozenset[str]) -> list[str]:
    """difflib's closest known name, once per (name, known names) in a lint run."""
    return difflib.get_close_matches(head, sorted(known), n=1, cutoff=0.75)


def _hint(name: str, known: frozenset[str]) -> str:
    head, *keys = name.split(".")
    inner = [key for key in reversed(keys) if key in known]
    close = inner or _close_names(head, known)
    mean = f"did you mean {{{{{close[0]}}}}}? " if close else ""
    return (
        f"{mean}extract '{head}' in an earlier step, or configure it: 'params: {{{head}: ...}}' "
        f"in the --seeds-config file or {param_variable(head)}"
    )


def _uses(raw: RawStep) -> Iterator[tuple[str, str, int]]:
    """``(where, expression, line)`` of every placeholder the step renders."""
    for key in TEMPLATED_KEYS:
        if key in raw.raw:
            yield from _placeholders(raw.raw[key], key, raw.line_of(key), raw.block)
    extract = raw.raw.get("extract")
    for name, value in extract.items() if isinstance(extract, Mapping) else ():
        if not str(value).lstrip().startswith("$"):
            line = raw.line_of(str(name), extract)
            yield from _placeholders(value, f"extract.{name}", line, raw.block)


def _placeholders(
    value: Any, where: str, line: int, block: Block
) -> Iterator[tuple[str, str, int]]:
    if isinstance(value, str):
        for match in PLACEHOLDER.finditer(value):
            yield where, match.group(1).strip(), line
    elif isinstance(value, Mapping):
        lines = getattr(value, "key_lines", {})
        for key, item in value.items():
            at = block.line + lines[str(key)] if str(key) in lines else line
            yield from _placeholders(item, f"{where}.{key}", at, block)
    elif isinstance(value, list):
        for number, item in enumerate(value):
            at = block.line + item.line if getattr(item, "line", 0) else line
            yield from _placeholders(item, f"{where}[{number}]", at, block)
