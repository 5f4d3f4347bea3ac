"""The documentation check: a seed's JSON examples against its operation's schemas."""

from __future__ import annotations

import json
from pathlib import Path

from pytest_seeds.contract.checks import Contract
from pytest_seeds.contract.examples import check_examples, statuses_in
from pytest_seeds.contract.swagger import SwaggerIndex
from pytest_seeds.reading.document import read_document
from pytest_seeds.reading.parser import load_seed
from tests.helpers import line_of

SPEC = {
    "swagger": "2.0",
    "paths": {
        "/v1/things": {
            "post": {
                "responses": {
                    "201": {"description": "created", "schema": {"$ref": "#/definitions/Ok"}},
                    "422": {"description": "invalid", "schema": {"$ref": "#/definitions/Error"}},
                }
            }
        }
    },
    "definitions": {
        "Ok": {
            "type": "object",
            "required": ["uid"],
            "properties": {"uid": {"type": "string"}, "count": {"type": "integer"}},
        },
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {"error": {"type": "string"}},
        },
    },
}
SEED = """---
endpoint: "POST /v1/things"
swagger: "swagger/things.json"
---

# Create a thing

## Test Request

```yaml
steps:
  - id: create
    method: POST
    path: /v1/things
    expect:
      status: 201
```

## Expected Response

```json
{"uid": "t1", "count": 2}
```

## Expected Response (201/422)

```json
{"error": "taken"}
```

## Error Responses

```bash
# 201 - a comment in a shell block is no heading
curl -X POST /v1/things
```

### 422 - Name Taken
```json
{"error": 42}
```

### 404 - Not Found
```json
{"error": "no"}
```

### 422 - Broken Example
```json
{
  "error": "x",
  ...
}
```

## Notes

```json
{"not": "checked"}
```
"""


def test_statuses_in_headings() -> None:
    assert statuses_in("Expected Response (200/201)") == (200, 201)
    assert statuses_in("### Issue: 500 Error with Invalid PaymentStatus") == (500,)
    assert statuses_in("### 404 Not Found - Invalid booking_id") == (404,)
    assert statuses_in("Expected Response - version 1.200 of 2000 items") == ()


def test_examples_against_their_statuses(tmp_path: Path) -> None:
    (tmp_path / "swagger").mkdir()
    (tmp_path / "swagger" / "things.json").write_text(json.dumps(SPEC))
    seed_path = tmp_path / "seed.md"
    seed_path.write_text(SEED)
    document = read_document(seed_path, SEED)
    seed = load_seed(seed_path)
    assert document is not None and seed is not None
    findings = check_examples(document, Contract(SwaggerIndex(tmp_path)), seed.steps)
    where = "POST /v1/things in swagger/things.json"
    assert [(f.rule, f.line, f.message) for f in findings] == [
        (
            "example-schema",
            line_of(SEED, '{"error": 42}') - 1,
            f"the example for status 422 does not match {where} (1 mismatch): "
            "body at /error: wanted type 'string', got integer 42",
        ),
        (
            "example-schema",
            line_of(SEED, '{"error": "no"}') - 1,
            f"the example for status 404 does not match {where} (1 mismatch): "
            "status: wanted a documented status (201, 422), got 404",
        ),
        (
            "example-json",
            line_of(SEED, "  ..."),
            "the JSON example is not valid JSON: Expecting property name enclosed in double quotes",
        ),
    ]
    assert all(f.path == seed_path for f in findings)
    assert str(findings[0]).startswith(f"{seed_path}:{findings[0].line}: [example-schema] ")
    assert findings[0].hint == "correct the example, or the schema in swagger/things.json"


def test_without_an_operation_only_malformed_json_is_reported(tmp_path: Path) -> None:
    seed_path = tmp_path / "seed.md"
    seed_path.write_text(SEED)
    document = read_document(seed_path, SEED)
    assert document is not None
    findings = check_examples(document, Contract(SwaggerIndex(tmp_path)))
    assert [f.rule for f in findings] == ["example-json"]
