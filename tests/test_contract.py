"""Contract checks: responses and requests against Swagger 2.0 / OpenAPI 3.0 / 3.1 files.

The spec files are written by the tests; responses come from real servers on 127.0.0.1
(pytest-httpserver and the project's sandbox).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_httpserver import HTTPServer

from pytest_seeds.contract.checks import Contract
from pytest_seeds.contract.mismatch import MAX_SHOWN
from pytest_seeds.contract.swagger import SpecFile, SwaggerIndex
from pytest_seeds.http.transport import Request
from pytest_seeds.sandbox import DEMO_PARAMS, DEMO_TOKENS, Sandbox
from tests.helpers import run_seeds, seed_doc, sent

INFO = {"title": "t", "version": "1"}
SWAGGER2: dict[str, Any] = {
    "swagger": "2.0",
    "info": INFO,
    "basePath": "/api",
    "paths": {
        "/things/{id}": {
            "get": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "type": "integer"},
                    {"name": "view", "in": "query", "required": True, "enum": ["full", "short"]},
                ],
                "responses": {
                    "200": {"description": "ok", "schema": {"$ref": "#/definitions/Envelope"}},
                    "default": {"description": "error", "schema": {"$ref": "common.json#/Error"}},
                },
            }
        },
        "/things": {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "schema": {"type": "array", "items": {"$ref": "#/definitions/Thing"}},
                    }
                }
            },
            "post": {
                "parameters": [
                    {
                        "name": "b",
                        "in": "body",
                        "required": True,
                        "schema": {"$ref": "#/definitions/New"},
                    }
                ],
                "responses": {"201": {"description": "created"}},
            },
        },
    },
    "definitions": {
        "Envelope": {
            "type": "object",
            "required": ["data"],
            "properties": {"data": {"$ref": "#/definitions/Thing"}},
        },
        "Thing": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "note": {"type": "string", "x-nullable": True},
                "owner": {"$ref": "#/definitions/Owner", "x-nullable": True},
                "size": {"type": "integer"},
            },
        },
        "Owner": {"type": "object", "required": ["uid"], "properties": {"uid": {"type": "string"}}},
        "New": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
    },
}
COMMON = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}
}
OPENAPI30 = """
openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: "https://example.com/v3"}]
paths:
  /pets/{petId}:
    get:
      parameters: [{name: petId, in: path, required: true, schema: {type: string}}]
      responses:
        200:
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/PetResponse"}}}
        4XX:
          description: problem
          content:
            application/problem+json: {schema: {$ref: "shared/errors.yaml#/components/schemas/Problem"}}
  /pets:
    post:
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}
      responses: {201: {description: created}}
components:
  schemas:
    PetResponse:
      allOf:
        - $ref: "#/components/schemas/Envelope"
        - type: object
          required: [data]
          properties: {data: {$ref: "#/components/schemas/Pet"}}
    Envelope:
      type: object
      required: [status]
      properties: {status: {type: string, enum: [OK]}}
    Pet:
      oneOf: [{$ref: "#/components/schemas/Cat"}, {$ref: "#/components/schemas/Dog"}]
      discriminator: {propertyName: kind}
    Cat:
      type: object
      required: [kind, lives]
      properties:
        kind: {type: string}
        lives: {type: integer}
        nickname: {type: string, nullable: true}
    Dog:
      type: object
      required: [kind, bark]
      properties: {kind: {type: string}, bark: {type: boolean}}
"""
ERRORS30 = """
openapi: 3.0.3
info: {title: shared, version: "1"}
components:
  schemas:
    Problem: {type: object, required: [title], properties: {title: {type: string}}}
"""
OPENAPI31 = {
    "openapi": "3.1.0",
    "info": INFO,
    "paths": {
        "/items/{id}": {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "defs31.json#/components/schemas/Item"}
                            }
                        },
                    }
                }
            }
        }
    },
}
DEFS31 = {
    "openapi": "3.1.0",
    "info": INFO,
    "components": {
        "schemas": {
            "Item": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "string"},
                    "tag": {"type": ["string", "null"]},
                    "price": {"type": "number", "exclusiveMinimum": 0},
                },
            }
        }
    },
}


def write(root: Path, rel: str, document: Any) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


@pytest.fixture
def specs(tmp_path: Path) -> Contract:
    """A Swagger root with a 2.0, a 3.0 (YAML) and a 3.1 file, each with a cross-file ref."""
    write(tmp_path, "swagger/things.json", SWAGGER2)
    write(tmp_path, "swagger/common.json", COMMON)
    write(tmp_path, "openapi/pets.yaml", OPENAPI30)
    write(tmp_path, "openapi/shared/errors.yaml", ERRORS30)
    write(tmp_path, "v31/items.json", OPENAPI31)
    write(tmp_path, "v31/defs31.json", DEFS31)
    return Contract(SwaggerIndex(tmp_path))


def texts(contract: Contract, method: str, path: str, status: int, body: Any) -> list[str]:
    operation = contract.operation(None, method, path)
    assert operation is not None, f"{method} {path} is not documented"
    return [str(m) for m in contract.check_response(operation, status, body)]


THING = {"data": {"id": 1, "name": "a", "note": None, "owner": None}}


def test_swagger2_matching_body_and_x_nullable(specs: Contract) -> None:
    assert texts(specs, "GET", "/api/things/{{id}}", 200, THING) == []
    with_owner = {"data": {"id": 1, "name": "a", "owner": {"uid": "u1"}}}
    assert texts(specs, "GET", "/api/things/7", 200, with_owner) == []


def test_swagger2_drift_names_pointer_wanted_and_got(specs: Contract) -> None:
    drifted = {"data": {"id": "1", "note": 5, "owner": {}}}
    assert texts(specs, "GET", "/api/things/{{id}}", 200, drifted) == [
        "body at /data: wanted property 'name' (required), got an object without it",
        "body at /data/id: wanted type 'integer', got string \"1\"",
        "body at /data/note: wanted type 'string', got integer 5",
        "body at /data/owner: wanted property 'uid' (required), got an object without it",
    ]


def test_default_response_through_a_ref_into_a_file_without_paths(specs: Contract) -> None:
    assert texts(specs, "GET", "/api/things/1", 404, {"error": "no"}) == []
    assert texts(specs, "GET", "/api/things/1", 404, {"error": None}) == [
        "body at /error: wanted type 'string', got null"
    ]


def test_openapi30_nullable_allof_and_discriminator(specs: Contract) -> None:
    cat = {"status": "OK", "data": {"kind": "Cat", "lives": 9, "nickname": None}}
    assert texts(specs, "GET", "/v3/pets/p1", 200, cat) == []
    dog = {"status": "OK", "data": {"kind": "Dog", "lives": 9}}
    assert texts(specs, "GET", "/v3/pets/p1", 200, dog) == [
        "body at /data: wanted property 'bark' (required), got an object without it"
    ]
    wrong = {"status": "KO", "data": {"kind": "Cow"}}
    found = texts(specs, "GET", "/v3/pets/p1", 200, wrong)
    assert found[0].startswith("body at /data: wanted a match for exactly one of 2 schemas")
    assert found[1] == 'body at /status: wanted one of ["OK"], got string "KO"'


def test_openapi30_status_range_and_yaml_cross_file_ref(specs: Contract) -> None:
    assert texts(specs, "GET", "/v3/pets/p1", 404, {"title": "gone"}) == []
    assert texts(specs, "GET", "/v3/pets/p1", 404, {}) == [
        "body: wanted property 'title' (required), got an object without it"
    ]
    assert texts(specs, "GET", "/v3/pets/p1", 500, {}) == [
        "status: wanted a documented status (200, 4XX), got 500"
    ]


def test_openapi31_is_2020_12_and_may_hold_no_paths(specs: Contract) -> None:
    assert isinstance(specs.index.load("v31/defs31.json"), SpecFile)
    assert texts(specs, "GET", "/items/1", 200, {"id": "a", "tag": None, "price": 2}) == []
    assert texts(specs, "GET", "/items/1", 200, {"id": "a", "tag": 3, "price": 0}) == [
        "body at /price: wanted exclusiveMinimum 0, got integer 0",
        "body at /tag: wanted type 'string' or 'null', got integer 3",
    ]


def test_a_body_that_is_not_json_is_a_mismatch(specs: Contract) -> None:
    operation = specs.operation(None, "GET", "/api/things/1")
    assert operation is not None
    found = specs.check_response(operation, 200, ValueError("the body is empty"))
    assert [str(m) for m in found] == ["body: wanted a JSON body, got the body is empty"]


def test_a_validator_is_compiled_once_per_operation_and_status(specs: Contract) -> None:
    operation = specs.operation(None, "GET", "/api/things/1")
    assert operation is not None
    uri = specs.response_schema(operation, 200)
    assert isinstance(uri, str) and uri.endswith("/responses/200/schema")
    assert specs.book.validator(uri) is specs.book.validator(uri)
    assert specs.response_schema(operation, 200) is uri


def test_faults_of_the_documentation_are_defects_not_crashes(tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "string", "required": True},
            "b": {"type": "int"},
            "c": {"$ref": "#/definitions/Missing"},
            "d": {"$ref": "https://example.com/entities/d.json"},
        },
    }
    spec = {"swagger": "2.0", "paths": {"/x": {"get": {"responses": {"200": {"schema": schema}}}}}}
    write(tmp_path, "s.json", spec)
    contract = Contract(SwaggerIndex(tmp_path))
    operation = contract.operation("s.json", "GET", "/x")
    assert operation is not None
    found = contract.check_response(operation, 200, {"a": 1, "b": 2, "c": 3, "d": 4})
    assert [(str(m), m.defect) for m in found] == [
        ("body at /a: wanted type 'string', got integer 1", False),
        (
            "body at /b: the schema's 'type' cannot be applied (Unknown type 'int' for validator with schema:)",
            True,
        ),
        ("body at /c: $ref '#/definitions/Missing' does not resolve", True),
        (
            "body at /d: $ref 'https://example.com/entities/d.json' does not resolve"
            " (remote references are not fetched)",
            True,
        ),
    ]


def test_request_body_and_parameters(specs: Contract) -> None:
    get = specs.operation(None, "GET", "/api/things/{{id}}")
    post = specs.operation(None, "POST", "/api/things")
    pets = specs.operation(None, "POST", "/v3/pets")
    assert get is not None and post is not None and pets is not None

    def check(operation: Any, request: Request) -> list[str]:
        return [str(m) for m in specs.check_request(operation, request)]

    ok = Request("GET", "http://h/base/api/things/12", params={"view": "full"})
    assert check(get, ok) == []
    assert check(get, Request("GET", "http://h/api/things/1?view=short")) == []
    bad = Request("GET", "http://h/api/things/abc", params={"view": "wide"})
    assert check(get, bad) == [
        "path parameter 'id': wanted type 'integer', got string \"abc\"",
        'query parameter \'view\': wanted one of ["full", "short"], got string "wide"',
    ]
    assert check(get, Request("GET", "http://h/api/things/1")) == [
        "query parameter 'view': wanted a value (required), got none"
    ]
    assert check(post, Request("POST", "http://h/api/things", json={"name": 3})) == [
        "body at /name: wanted type 'string', got integer 3"
    ]
    assert check(post, Request("POST", "http://h/api/things")) == [
        "body: wanted a request body (required), got none"
    ]
    assert check(pets, Request("POST", "http://h/v3/pets", json={"kind": "Cat", "lives": 1})) == []
    assert check(pets, Request("POST", "http://h/v3/pets", json={"kind": "Cat"})) == [
        "body: wanted property 'lives' (required), got an object without it"
    ]


# --- the plugin: warn, strict, off, xdist ------------------------------------------------


THING_SEED = seed_doc(
    "GET /api/things/{id}",
    "- id: get_thing\n  method: GET\n  path: /api/things/7\n  params: {view: full}\n",
    front='swagger: "swagger/things.json"',
)


@pytest.fixture
def served(pytester: pytest.Pytester, httpserver: HTTPServer, tokens: dict) -> Any:
    """Spec files in the pytester folder; ``served(body)`` sets what the API answers."""
    write(pytester.path, "swagger/things.json", SWAGGER2)
    write(pytester.path, "swagger/common.json", COMMON)
    pytester.makefile(".md", thing=THING_SEED)

    def serve(body: Any, status: int = 200) -> list[str]:
        httpserver.expect_request("/api/things/7").respond_with_json(body, status=status)
        return [f"--seeds-base-url={httpserver.url_for('/')}"]

    return serve


DRIFT = {"data": {"id": 7, "name": "a", "size": "big"}}
DRIFT_LINE = (
    "*response 200 does not match GET /api/things/{id} in swagger?things.json (1 mismatch)*"
)
DRIFT_DETAIL = "*body at /data/size: wanted type 'integer', got string \"big\"*"


def test_warn_passes_and_shows_the_mismatch(pytester: pytest.Pytester, served: Any) -> None:
    result = run_seeds(pytester, *served(DRIFT), "-rA")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*SeedContractWarning: *thing.md:*: step 'get_thing': contract: " + DRIFT_LINE[1:],
            DRIFT_DETAIL,
        ]
    )


def test_strict_fails_the_step_with_the_mismatch(pytester: pytest.Pytester, served: Any) -> None:
    result = run_seeds(pytester, *served(DRIFT), "--seeds-contract=strict")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*step 'get_thing' (Test Request) failed", DRIFT_LINE, DRIFT_DETAIL]
    )


def test_off_checks_nothing(pytester: pytest.Pytester, served: Any) -> None:
    result = run_seeds(pytester, *served(DRIFT), "--seeds-contract=off")
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*contract*")


def test_strict_request_check_fails_before_sending(
    pytester: pytest.Pytester, served: Any, httpserver: HTTPServer
) -> None:
    bad = seed_doc(
        "GET /api/things/{id}",
        "- id: bad_view\n  method: GET\n  path: /api/things/7\n  params: {view: wide}\n",
        front='swagger: "swagger/things.json"',
    )
    pytester.makefile(".md", thing=bad)
    result = run_seeds(pytester, *served(THING), "--seeds-contract=strict")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*request does not match GET /api/things/{id} in swagger?things.json (1 mismatch)",
            '*query parameter \'view\': wanted one of [[]"full", "short"[]], got string "wide"',
        ]
    )
    assert sent(httpserver) == []


@pytest.mark.parametrize("mode", ["warn", "strict"])
def test_matching_and_drifting_under_xdist(
    pytester: pytest.Pytester, served: Any, httpserver: HTTPServer, mode: str
) -> None:
    pytester.makefile(".md", other=THING_SEED.replace("/api/things/7", "/api/things/8"))
    httpserver.expect_request("/api/things/8").respond_with_json(THING)
    args = (*served(DRIFT), f"--seeds-contract={mode}", "-n", "2", "-rA")
    result = run_seeds(pytester, *args, subprocess=True)
    if mode == "warn":
        result.assert_outcomes(passed=2, warnings=1)
        result.stdout.fnmatch_lines(
            ["*SeedContractWarning*thing.md*" + DRIFT_LINE[1:], DRIFT_DETAIL]
        )
    else:
        result.assert_outcomes(passed=1, failed=1)
        result.stdout.fnmatch_lines(
            ["*step 'get_thing' (Test Request) failed", DRIFT_LINE, DRIFT_DETAIL]
        )
        result.stdout.fnmatch_lines(["PASSED other.md::GET /api/things/{id}"])


def test_mismatches_are_all_listed_up_to_a_cap(
    pytester: pytest.Pytester, served: Any, httpserver: HTTPServer
) -> None:
    pytester.makefile(
        ".md",
        thing=seed_doc(
            "GET /api/things",
            "- id: list\n  method: GET\n  path: /api/things\n",
            front='swagger: "swagger/things.json"',
        ),
    )
    many = [{"id": str(number), "name": "a"} for number in range(MAX_SHOWN + 5)]
    httpserver.expect_request("/api/things").respond_with_json(many)
    result = run_seeds(pytester, *served(THING), "--seeds-contract=strict")
    result.stdout.fnmatch_lines(
        [
            "*response 200 does not match GET /api/things in swagger?things.json (15 mismatches)",
            *[f"*body at /{n}/id: wanted type 'integer', got string \"{n}\"" for n in range(10)],
            "*... and 5 more",
        ]
    )
    result.stdout.no_fnmatch_line("*body at /10/id*")


def test_contract_notes_are_junit_properties_in_xunit1(
    pytester: pytest.Pytester, served: Any
) -> None:
    xml = pytester.path / "junit.xml"
    run_seeds(pytester, *served(DRIFT), f"--junitxml={xml}", "-o", "junit_family=xunit1")
    contract = [
        prop.get("value", "")
        for prop in ET.parse(xml).getroot().iter("property")
        if prop.get("name") == "contract"
    ]
    assert any("/data/size: wanted type 'integer'" in value for value in contract)


def test_a_missing_swagger_file_is_told_once(pytester: pytest.Pytester, served: Any) -> None:
    for name in ("one", "two"):
        pytester.makefile(
            ".md",
            **{name: THING_SEED.replace("swagger/things.json", "swagger/gone.json")},
        )
    result = run_seeds(pytester, *served(THING))
    result.assert_outcomes(passed=3)
    assert result.stdout.str().count("Swagger file not found") == 1
    result.stdout.fnmatch_lines(["*SeedSwaggerWarning: *gone.json: Swagger file not found*"])


# --- the project's sandbox -----------------------------------------------------------------


CLIENTS_SPEC = {
    "swagger": "2.0",
    "info": INFO,
    "basePath": "/platform/v1",
    "paths": {
        "/clients": {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "schema": {
                            "type": "object",
                            "required": ["success", "data"],
                            "properties": {
                                "success": {"type": "boolean"},
                                "data": {
                                    "type": "object",
                                    "properties": {
                                        "clients": {
                                            "type": "array",
                                            "items": {"$ref": "#/definitions/Client"},
                                        }
                                    },
                                },
                            },
                        },
                    }
                }
            }
        }
    },
    "definitions": {
        "Client": {
            "type": "object",
            "required": ["uid", "email"],
            "properties": {
                "uid": {"type": "string"},
                "email": {"type": "string"},
                "phone": {"type": "string", "x-nullable": True},
            },
        }
    },
}


@pytest.mark.parametrize("nullable", [True, False], ids=["x-nullable", "not-nullable"])
def test_sandbox_clients_against_swagger(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, nullable: bool
) -> None:
    spec = json.loads(json.dumps(CLIENTS_SPEC))
    spec["definitions"]["Client"]["properties"]["phone"]["x-nullable"] = nullable
    write(pytester.path, "swagger/clients.yaml", yaml.safe_dump(spec))
    pytester.makefile(
        ".md",
        clients=seed_doc(
            "GET /platform/v1/clients",
            "- id: list_clients\n  method: GET\n  path: /platform/v1/clients\n",
            front='swagger: "swagger/clients.yaml"',
        ),
    )
    monkeypatch.setenv("SEEDS_TOKEN_STAFF", DEMO_TOKENS["staff"])
    monkeypatch.setenv("SEEDS_PARAM_BUSINESS_ID", DEMO_PARAMS["business_id"])
    with Sandbox() as sandbox:
        result = run_seeds(pytester, f"--seeds-base-url={sandbox.url}", "--seeds-contract=strict")
    if nullable:
        result.assert_outcomes(passed=1)
    else:
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(
            ["*body at /data/clients/0/phone: wanted type 'string', got null"]
        )


def test_a_token_in_a_mismatch_excerpt_is_masked(
    pytester: pytest.Pytester, served: Any, tokens: dict
) -> None:
    leaky = {"data": {"id": 7, "name": "a", "size": tokens["staff"]}}
    result = run_seeds(pytester, *served(leaky), "-rA")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(["*body at /data/size: wanted type 'integer', got string \"***\"*"])
    assert tokens["staff"] not in result.stdout.str()


def test_a_fault_of_the_spec_is_told_once_and_never_fails(
    pytester: pytest.Pytester, served: Any
) -> None:
    remote = {"type": "object", "properties": {"data": {"$ref": "https://example.com/t.json"}}}
    spec = json.loads(json.dumps(SWAGGER2))
    spec["paths"]["/things/{id}"]["get"]["responses"]["200"]["schema"] = remote
    write(pytester.path, "swagger/things.json", spec)
    twice = "- id: first\n  method: GET\n  path: /api/things/7\n  params: {view: full}\n"
    twice += twice.replace("first", "second")
    pytester.makefile(".md", thing=seed_doc("GET /api/things/{id}", twice))
    result = run_seeds(pytester, *served(THING), "--seeds-contract=strict")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*step 'first': contract: response 200: cannot fully check against"
            " GET /api/things/{id} in swagger?things.json (1 problem)",
            "*body at /data: $ref 'https://example.com/t.json' does not resolve"
            " (remote references are not fetched)",
        ]
    )
