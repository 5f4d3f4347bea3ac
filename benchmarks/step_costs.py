"""Per-step costs in-process, in microseconds: templates, extraction, contract check.

A typical step (templated path, query, headers and a JSON body of a dozen fields,
built-ins included) is built into a request; a typical JSON response (~6 KB) is
parsed and three JSONPath extracts are taken from it; and, when the contract
checks are installed (``pytest_seeds/contract.py``), the response is validated
against its Swagger operation (the fixture of ``benchmarks/contract_cost.py``).
Variants run in interleaved rounds; medians are printed.

Usage: ``python benchmarks/step_costs.py [--rounds 9]``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness import interleaved_per_call, machine

from pytest_seeds.http.transport import Client, Response
from pytest_seeds.model import Phase, Seed, Step
from pytest_seeds.running.routing import Target
from pytest_seeds.running.runner import Environment, SeedRun

STEP = Step(
    id="create_item",
    phase=Phase.TEST,
    method="POST",
    path="/business/v1/{{business_uid}}/clients/{{client.uid}}/items",
    line=1,
    params={"page": 1, "per_page": "{{per_page}}", "since": "{{yesterday_date}}"},
    headers={"X-Request-Source": "seeds", "X-Trace": "{{random_string}}"},
    body={
        "name": "Item {{random_string}}",
        "email": "{{random_email}}",
        "starts_at": "{{tomorrow_datetime}}",
        "ends_at": "{{next_week_datetime}}",
        "owner_uid": "{{client.uid}}",
        "quantity": 3,
        "price": 12.5,
        "notes": "plain text, no template",
        "tags": ["a", "b", "{{current_year}}"],
        "address": {"street": "1 Main St", "city": "Springfield", "zip": "{{zip}}"},
    },
    extract={
        "first_uid": "$.data.clients[0].uid",
        "vip_uid": "$.data.clients[?(@.vip == true)].uid",
        "total": "$.data.total",
    },
)
PARAMS = {"business_uid": "b0001", "per_page": 25, "zip": "12345", "client": {"uid": "c0001"}}


RECORD = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.com",
    "tags": ["vip", "new"],
    "balance": 12.5,
    "address": {"street": "1 Main St", "city": "Springfield"},
    "created_at": "2026-11-26T17:00:00.000Z",
}


def response_body(items: int = 20) -> dict[str, Any]:
    """A list response of ``items`` client records, about 5 KB of JSON."""
    clients = [{**RECORD, "uid": f"c{n:06d}", "visits": n, "vip": n % 7 == 3} for n in range(items)]
    return {"status": "OK", "data": {"clients": clients, "total": items}}


def contract_variants(body: dict[str, Any], folder: Path) -> dict[str, Callable[[], Any]]:
    """The contract check of a matching response, when contract checks are installed."""
    try:
        from contract_cost import SPEC
        from contract_cost import body as spec_body

        from pytest_seeds.contract.checks import Contract
        from pytest_seeds.contract.swagger import SwaggerIndex
    except ImportError:
        return {}
    (folder / "clients.json").write_text(json.dumps(SPEC), encoding="utf-8")
    contract = Contract(SwaggerIndex(folder))
    operation = contract.operation("clients.json", "GET", "/platform/v1/clients")
    data = spec_body(len(body["data"]["clients"]))
    if operation is None or contract.check_response(operation, 200, data):
        raise SystemExit("the contract fixture of benchmarks/contract_cost.py does not match")
    return {"contract check (matching)": lambda: contract.check_response(operation, 200, data)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="interleaved rounds (9)")
    args = parser.parse_args()
    client = Client(30.0)
    env = Environment(Target("http://api.test"), {"staff": "token"}, PARAMS, client)
    seed = Seed(path=Path("bench.md"), endpoint="POST /items", steps=(STEP,))
    body = response_body()
    content = json.dumps(body).encode()

    def new_run() -> SeedRun:
        return SeedRun(seed, env)

    def build() -> None:
        new_run().build(STEP)

    def extract() -> None:
        new_run().extract(STEP, Response(200, {}, content))

    with tempfile.TemporaryDirectory() as name:
        variants: dict[str, Callable[[], Any]] = {
            "new seed run (context)": new_run,
            "build request (templates)": build,
            "json.loads of the body": lambda: json.loads(content),
            "parse + 3 extracts": extract,
            **contract_variants(body, Path(name)),
        }
        medians = interleaved_per_call(variants, args.rounds)
    client.close()
    print(f"one step: {len(STEP.body)} body fields, {len(content)} bytes of JSON; {machine()}")
    for label, micros in medians.items():
        print(f"  {label:<28} {micros:8.1f} us")


if __name__ == "__main__":
    main()
