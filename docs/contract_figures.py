"""Corpus figures for docs/contract.md, as found by the contract checks themselves.

    python docs/contract_figures.py ../shared/corpus

reads ``<corpus>/workflows/*/*.md`` and the spec files under ``<corpus>`` (the Swagger root),
and prints: how many seeds resolve to an operation, how many steps do, how many documented
response examples match their schema, and the most common mismatch kinds.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from pytest_seeds.contract.checks import Contract
from pytest_seeds.contract.examples import check_examples, examples
from pytest_seeds.contract.schemas import mismatches
from pytest_seeds.contract.swagger import SpecFile, SwaggerIndex, split_endpoint
from pytest_seeds.model import Phase, SeedError
from pytest_seeds.reading.document import load_document
from pytest_seeds.reading.parser import build_seed


def spec_examples(contract: Contract) -> tuple[Counter[str], Counter[str], Counter[str]]:
    """The spec files' own response examples against their schemas: counts, kinds, defects."""
    counts, kinds, defects = Counter[str](), Counter[str](), Counter[str]()
    for spec in contract.index.specs():
        for operation in spec.operations:
            responses = operation.operation.get("responses") or {}
            for key, response in responses.items():
                uri = contract.response_schema(operation, int(key)) if str(key).isdigit() else None
                if not isinstance(uri, str) or not isinstance(response, dict):
                    continue
                values = list((response.get("examples") or {}).values())[:1]  # Swagger 2.0
                for media in (response.get("content") or {}).values():  # OpenAPI 3
                    values += [media["example"]] if "example" in media else []
                    values += [e.get("value") for e in (media.get("examples") or {}).values()]
                for value in values:
                    found = mismatches(contract.book.validator(uri), value)
                    wrong = {m.kind for m in found if not m.defect}
                    counts["examples"] += 1
                    counts["do not match" if wrong else "match"] += 1
                    kinds.update(wrong)
                    defects.update({m.wanted.split(" does not")[0] for m in found if m.defect})
    return counts, kinds, defects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="folder with workflows/ and swagger/")
    args = parser.parse_args()
    index = SwaggerIndex(args.corpus)
    contract = Contract(index)
    seeds = Counter[str]()
    steps = Counter[str]()
    shown = Counter[str]()
    kinds = Counter[str]()
    for path in sorted(args.corpus.glob("workflows/*/*.md")):
        try:
            document = load_document(path)
        except SeedError:
            seeds["unreadable"] += 1
            continue
        if document is None:
            continue
        seeds["seeds"] += 1
        try:
            built = build_seed(document).steps
        except SeedError:
            built = ()
        swagger = document.front.get("swagger")
        own = index.load(swagger)
        seeds["swagger file loads"] += isinstance(own, SpecFile)
        endpoint = split_endpoint(document.front.get("endpoint"))
        operation = contract.operation(swagger, *endpoint) if endpoint else None
        if operation is not None:
            in_own = isinstance(own, SpecFile) and operation.spec == own.path
            seeds[
                "endpoint resolves (own file)" if in_own else "endpoint resolves (other file)"
            ] += 1
            statuses = [s.expect_status for s in built if s.phase is Phase.TEST][:1] or [(200,)]
            schema = [contract.response_schema(operation, status) for status in statuses[0]]
            seeds["expected status has a response schema"] += any(
                isinstance(s, str) for s in schema
            )
        for step in built:
            steps["steps"] += 1
            steps["resolve"] += contract.operation(swagger, step.method, step.path) is not None
        tests = [s.expect_status for s in built if s.phase is Phase.TEST]
        findings = {f.line: f for f in check_examples(document, index, built)}
        for example in examples(document, tests[0] if tests else (200,)):
            shown["examples"] += 1
            schemas = [
                contract.response_schema(operation, status) if operation else None
                for status in example.statuses
            ]
            finding = findings.get(example.block.line)
            try:
                json.loads(example.block.text)
            except ValueError:
                shown["not valid JSON"] += 1
                continue
            if operation is None:
                shown["seed's endpoint not documented"] += 1
            elif any(isinstance(schema, str) for schema in schemas):
                shown["checked: match" if finding is None else "checked: do not match"] += 1
                kinds.update(set(finding.kinds) if finding else ())
            elif all(isinstance(schema, list) for schema in schemas):
                shown["status not documented"] += 1
            else:
                shown["status documented without a schema"] += 1
    print(f"spec files: {len(index.specs())} loaded, {len(index.problems())} problems")
    for title, counter in (("seeds", seeds), ("steps", steps), ("examples", shown)):
        print(f"\n{title}:")
        for key, value in counter.items():
            print(f"  {key}: {value}")
    print("\nmismatch kinds (examples that show them):")
    for kind, count in kinds.most_common():
        print(f"  {kind}: {count}")
    counts, spec_kinds, defects = spec_examples(contract)
    print("\nthe spec files' own response examples:")
    for key, value in counts.items():
        print(f"  {key}: {value}")
    print("  mismatch kinds (examples that show them):")
    for kind, count in spec_kinds.most_common(8):
        print(f"    {kind}: {count}")
    print(f"  schema parts not checked ({sum(defects.values())} examples touch them):")
    for defect, count in defects.most_common(5):
        print(f"    {defect}: {count}")


if __name__ == "__main__":
    main()
