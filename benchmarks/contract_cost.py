"""Per-response cost of the contract check on a typical body, in microseconds.

    python benchmarks/contract_cost.py [--rounds 15] [--items 20]

A Swagger 2.0 file (``$ref`` into ``definitions``, ``x-nullable``, an ``allOf``) and a list
response of ``--items`` records, ~10 fields each (about 6 KB of JSON). Variants, measured
in interleaved rounds and summarised by the median time per call:

- ``json.loads``: parsing the body, for scale (the runner parses it anyway for extracts);
- ``check (matching)``: ``Contract.check_response`` on a body that matches;
- ``check (2 mismatches)``: the same with two fields drifted (messages built);
- ``first check``: a fresh Contract per call (finding the operation, compiling the
  validator), i.e. what caching saves.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytest_seeds.contract.checks import Contract
from pytest_seeds.contract.swagger import SwaggerIndex

CLIENT = {
    "type": "object",
    "required": ["uid", "first_name", "email", "created_at"],
    "properties": {
        "uid": {"type": "string"},
        "first_name": {"type": "string"},
        "last_name": {"type": "string", "x-nullable": True},
        "email": {"type": "string"},
        "phone": {"type": "string", "x-nullable": True},
        "tags": {"type": "array", "items": {"type": "string"}},
        "balance": {"type": "number"},
        "visits": {"type": "integer"},
        "vip": {"type": "boolean"},
        "address": {"$ref": "#/definitions/Address", "x-nullable": True},
        "created_at": {"type": "string", "format": "date-time"},
    },
}
SPEC = {
    "swagger": "2.0",
    "info": {"title": "bench", "version": "1"},
    "basePath": "/platform/v1",
    "paths": {
        "/clients": {
            "get": {
                "responses": {
                    "200": {"description": "ok", "schema": {"$ref": "#/definitions/List"}}
                }
            }
        }
    },
    "definitions": {
        "Envelope": {
            "type": "object",
            "required": ["status"],
            "properties": {"status": {"type": "string"}},
        },
        "List": {
            "allOf": [
                {"$ref": "#/definitions/Envelope"},
                {
                    "type": "object",
                    "properties": {
                        "data": {
                            "type": "object",
                            "properties": {
                                "clients": {
                                    "type": "array",
                                    "items": {"$ref": "#/definitions/Client"},
                                },
                                "total": {"type": "integer"},
                            },
                        }
                    },
                },
            ]
        },
        "Client": CLIENT,
        "Address": {
            "type": "object",
            "properties": {"street": {"type": "string"}, "city": {"type": "string"}},
        },
    },
}


def body(items: int) -> dict[str, Any]:
    clients = [
        {
            "uid": f"c{n:06d}",
            "first_name": "Ada",
            "last_name": None if n % 3 else "Lovelace",
            "email": f"ada{n}@example.com",
            "phone": None,
            "tags": ["vip", "new"],
            "balance": 12.5,
            "visits": n,
            "vip": n % 2 == 0,
            "address": {"street": "1 Main St", "city": "Springfield"} if n % 2 else None,
            "created_at": "2026-11-26T17:00:00.000Z",
        }
        for n in range(items)
    ]
    return {"status": "OK", "data": {"clients": clients, "total": items}}


def per_call(fn: Callable[[], Any], seconds: float = 0.05) -> float:
    """Microseconds per call of ``fn``, timed over a batch of about ``seconds``."""
    calls, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        fn()
        calls += 1
    return elapsed / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--items", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "clients.json").write_text(json.dumps(SPEC))
        index = SwaggerIndex(root)
        contract = Contract(index)
        operation = contract.operation("clients.json", "GET", "/platform/v1/clients")
        assert operation is not None
        good = body(args.items)
        text = json.dumps(good)
        drifted = json.loads(text)
        drifted["data"]["clients"][3]["visits"] = "7"
        drifted["data"]["clients"][5]["email"] = None
        assert contract.check_response(operation, 200, good) == []
        assert len(contract.check_response(operation, 200, drifted)) == 2

        def first_check() -> None:
            fresh = Contract(index)
            op = fresh.operation("clients.json", "GET", "/platform/v1/clients")
            assert op is not None
            fresh.check_response(op, 200, good)

        variants: dict[str, Callable[[], Any]] = {
            "json.loads": lambda: json.loads(text),
            "check (matching)": lambda: contract.check_response(operation, 200, good),
            "check (2 mismatches)": lambda: contract.check_response(operation, 200, drifted),
            "first check": first_check,
        }
        times: dict[str, list[float]] = {name: [] for name in variants}
        for round_ in range(args.rounds):
            names = list(variants) if round_ % 2 == 0 else list(reversed(variants))
            for name in names:
                times[name].append(per_call(variants[name]))
    print(
        f"body: {len(text)} bytes of JSON, {args.items} records; {args.rounds} interleaved rounds"
    )
    for name, samples in times.items():
        print(f"  {name:<22} {statistics.median(samples):9.1f} µs per response (median)")


if __name__ == "__main__":
    main()
