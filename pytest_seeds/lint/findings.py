"""What lint reports: the rules it knows, and one finding per problem."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pytest_seeds.model import SeedError
from pytest_seeds.model import did_you_mean as did_you_mean  # the lint rules' import

ERROR, WARNING = "error", "warning"

RULES: dict[str, tuple[str, str]] = {
    "unreadable": (ERROR, "the file cannot be read as a seed (front matter that is not YAML, not UTF-8, too large)"),
    "required-key": (ERROR, "a required front-matter key (`endpoint`, `domain`) is missing"),
    "endpoint": (ERROR, "`endpoint` is not `METHOD /path`"),
    "unknown-status": (ERROR, "`status` is not a known word"),
    "skip-reason-spellings": (WARNING, "both `skip_reason` and `skipReason` are set"),
    "tokens-list": (WARNING, "front-matter `tokens` names an unknown token type"),
    "unknown-front-key": (WARNING, "a front-matter key the seed format does not use"),
    "front-value": (ERROR, "a front-matter value of the wrong type (`domain`, `tags`, `status`, `useFallbackApi`, ...)"),
    "expected-outcome": (ERROR, "`expectedOutcome` is not an HTTP status"),
    "expected-outcome-conflict": (ERROR, "a Test Request step's `expect.status` contradicts `expectedOutcome`"),
    "steps-block": (ERROR, "a step block does not parse, `steps:` is not a list, or a step is not a mapping"),
    "no-test-request": (ERROR, "no executable Test Request (a JSON request block, no YAML `steps:` block, or no steps)"),
    "endpoint-not-tested": (ERROR, "no Test Request step calls the seed's endpoint (method and path)"),
    "unknown-key": (ERROR, "a step key the seed format does not know (with a did-you-mean)"),
    "step-id": (WARNING, "a step without `id`"),
    "duplicate-id": (ERROR, "two steps of a seed share an `id`"),
    "step-method": (ERROR, "a step's `method` is missing or not an HTTP method"),
    "step-path": (ERROR, "a step's `path` is missing"),
    "step-expect": (ERROR, "a step's `expect` is not a mapping or `expect.status` is not an HTTP status"),
    "step-onFail": (ERROR, "a step's `onFail` is not abort, skip, continue or warn"),
    "step-value": (ERROR, "a step value of the wrong type (`params`, `headers`, `extract`, `sleep`, `file_fields`, ...)"),
    "step-sleep": (WARNING, "a step's `sleep` is longer than `--seeds-max-sleep`: the run sleeps the cap"),
    "unknown-token": (ERROR, "a step's `token` is not a token type"),
    "extract-jsonpath": (ERROR, "an `extract` path is not valid JSONPath"),
    "template-syntax": (ERROR, "a `{{...}}` that is not a name or uses an unknown filter"),
    "used-before-extracted": (ERROR, "a `{{name}}` used before the step that extracts it"),
    "unresolvable-name": (ERROR, "a `{{name}}` that no earlier step extracts and no configuration or built-in provides"),
    "swagger-root": (WARNING, "no Swagger/OpenAPI file under the Swagger root: the Swagger rules are skipped"),
    "swagger-key": (WARNING, "the front matter has no `swagger` key"),
    "swagger-file": (ERROR, "the `swagger` file is missing or unreadable under the Swagger root"),
    "swagger-endpoint": (ERROR, "the `swagger` file does not document the endpoint"),
    "swagger-other-file": (WARNING, "the endpoint or a Test Request step is documented in another Swagger file"),
    "swagger-step-method": (ERROR, "the `swagger` file documents a step's path, but not for its method"),
    "example-json": (WARNING, "a documented JSON example (`## Expected Response`, ...) is not valid JSON"),
    "example-schema": (WARNING, "a documented JSON example matches none of its statuses' response schemas"),
}  # fmt: skip
_STEP_KEY_RULES = {"method", "path", "expect", "onFail"}


@dataclass(frozen=True)
class Finding:
    """One problem of a seed, told to its author; its rule sets the severity."""

    rule: str
    path: Path
    line: int | None
    message: str
    hint: str = ""
    step: str = ""

    @property
    def severity(self) -> str:
        return RULES[self.rule][0]

    @property
    def detail(self) -> str:
        """``[rule] step 'id': message; hint: ...``"""
        step = f"step '{self.step}': " if self.step else ""
        hint = f"; hint: {self.hint}" if self.hint else ""
        return f"[{self.rule}] {step}{self.message}{hint}"

    def text(self, start: Path | None = None) -> str:
        """``file:line: [rule] step 'id': message; hint: ...`` on one line, file relative to start."""
        path = os.path.relpath(self.path, start) if start is not None else str(self.path)
        return f"{path}:{self.line}: {self.detail}" if self.line else f"{path}: {self.detail}"


def from_error(error: SeedError, rule: str, step: str = "") -> Finding:
    """A finding from the parser's refusal (its ``step '...':`` is the finding's step)."""
    message = error.message.removeprefix(f"step '{step}': ") if step else error.message
    return Finding(rule, error.path, error.line, message, error.hint, step)


def step_rule(error: SeedError) -> str:
    """The rule of a step value the parser refused, from the key at fault."""
    return f"step-{error.key}" if error.key in _STEP_KEY_RULES else "step-value"
