"""Lint rules that hold a seed against its Swagger/OpenAPI file.

The front matter's ``swagger:`` file must exist under the Swagger root and document the
seed's ``endpoint`` (``basePath`` and ``servers`` paths count). A step whose path that
file documents must use a method it documents; a Test Request step documented only in
another file is a warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pytest_seeds.contract.swagger import SpecFile, SpecProblem, SwaggerIndex
from pytest_seeds.lint.findings import Finding
from pytest_seeds.lint.steps import calls_endpoint
from pytest_seeds.model import SPEC_METHODS, Phase, Step
from pytest_seeds.reading.document import Document


def root_finding(index: SwaggerIndex) -> Finding | None:
    """The run's one ``swagger-root`` finding when no spec is under the root, else None."""
    if index.root is None or index.has_specs():
        return None
    message = "no Swagger/OpenAPI file under the Swagger root; Swagger rules skipped"
    return Finding(
        "swagger-root", index.root, None, message, "point --seeds-swagger-root at your specs"
    )


def swagger_findings(
    doc: Document, endpoint: tuple[str, str], steps: Sequence[Step], index: SwaggerIndex
) -> list[Finding]:
    """The findings of the endpoint and the steps against the seed's Swagger file."""
    method, path = endpoint
    line = doc.front_lines.get("swagger", doc.front_lines.get("endpoint"))

    def finding(rule: str, message: str, hint: str) -> list[Finding]:
        return [Finding(rule, doc.path, line, message, hint)]

    if not index.has_specs():  # told once per run: root_finding
        return []
    ref = doc.front.get("swagger")
    if ref not in (None, "") and not isinstance(ref, str):
        return finding("swagger-file", f"swagger: {ref!r} is not a path", "swagger: specs/a.json")
    ref = (ref or "").strip()
    documented = index.find_anywhere(method, path, ref or None)
    where = _name(documented.spec, index) if documented else ""
    if not ref:
        hint = f"swagger: {where}" if where else "swagger: <spec file under the Swagger root>"
        return finding("swagger-key", "the front matter has no 'swagger' key", hint)
    own = index.load(ref)
    root = index.root or "(none)"
    if not isinstance(own, SpecFile):
        problem = own.message if isinstance(own, SpecProblem) else "outside the Swagger root"
        also = f"; '{method} {path}' is documented in {where}" if where else ""
        hint = f"swagger: {where}" if where else f"paths are relative to the Swagger root {root}"
        return finding("swagger-file", f"swagger: '{ref}': {problem}{also}", hint)
    found = []
    if own.find(method, path) is None and documented is not None:
        message = f"'{method} {path}' is not documented in {ref} but in {where}"
        found += finding("swagger-other-file", message, f"swagger: {where}")
    elif own.find(method, path) is None:
        message = f"'{method} {path}' is not documented in {ref}"
        found += finding("swagger-endpoint", message, _near(own, method, path))
    for step in steps:
        if not calls_endpoint(step, endpoint):  # the endpoint's own step is checked above
            found += _step(doc.path, step, own, ref, index)
    return found


def _step(
    path: Path,
    step: Step,
    own: SpecFile,
    ref: str,
    index: SwaggerIndex,
) -> list[Finding]:
    if own.find(step.method, step.path) is not None:
        return []
    others = _methods(own, step.path)
    if others:
        message = f"{ref} documents {step.path} for {', '.join(others)}, not {step.method}"
        hint = "check the step's method and path"
        return [Finding("swagger-step-method", path, step.line, message, hint, step.id)]
    if step.phase is not Phase.TEST:  # other files are searched for Test Request steps only
        return []
    elsewhere = index.find_anywhere(step.method, step.path)
    if elsewhere is not None:
        where = _name(elsewhere.spec, index)
        message = f"{step.method} {step.path} is documented in {where}, not in {ref}"
        hint = "is the front matter's swagger the right file?"
        return [Finding("swagger-other-file", path, step.line, message, hint, step.id)]
    return []


def _methods(spec: SpecFile, path: str) -> list[str]:
    return [method for method in sorted(SPEC_METHODS) if spec.find(method, path) is not None]


def _near(spec: SpecFile, method: str, path: str) -> str:
    """What the file does document near the endpoint."""
    others = _methods(spec, path)
    if others:
        return f"the file documents {path} for {', '.join(others)}, not {method}"
    if spec.prefix and not path.startswith(spec.prefix + "/"):
        return f"its paths start with its base path {spec.prefix}"
    return "check the endpoint's path, or point 'swagger' at the file that documents it"


def _name(path: Path, index: SwaggerIndex) -> str:
    root = index.root
    return str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
