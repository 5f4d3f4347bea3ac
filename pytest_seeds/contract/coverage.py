"""The API coverage ledger: which seeds exercise each documented operation, with what outcome.

Pytest-free. A worker turns one seed's steps into plain *hits* (:func:`seed_hits`): the
documented operation each step reached (spec, method, path template), the status answered
(a run) or expected (lint), and its role (``test``: a Test Request step calling the seed's
own endpoint; ``step``: any other). One process then builds the ledger
(:func:`build_ledger`) from every operation under the Swagger root
(:func:`documented_operations`) and the seeds' hits with their outcomes;
:func:`merge_ledgers` joins the ledgers of several runs (shards) into the one a single run
would have made.

An operation is *covered* when at least one seed entry names it (whatever its outcome); a
documented status is covered when a seed entry's status falls under it (exact, ``2XX``
range, then ``default``, as the contract checks choose a response).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeGuard

from pytest_seeds.contract.checks import status_key
from pytest_seeds.contract.swagger import Operation, SpecFile, SwaggerIndex, split_endpoint
from pytest_seeds.model import Phase, Step
from pytest_seeds.reading.files import NOT_REGULAR, read_limited
from pytest_seeds.running.routing import host

FORMAT = "pytest-seeds coverage 1"
MODES = ("run", "lint")
ROLES = ("test", "step")  # the endpoint under test, or another step
DESIGNED = "designed"  # the outcome of every seed in a lint ledger
NO_DOMAIN = "(no domain)"
_KEY = ("spec", "method", "path")
_SLACK = Fraction(1, 10**9)  # percent: float noise in a given minimum
MAX_LEDGER_BYTES = 64 << 20  # a baseline larger than this is not a ledger


def spec_name(index: SwaggerIndex, spec: Path) -> str:
    """A spec file as the ledger names it: its path under the Swagger root, ``/`` separated."""
    spec = Path(os.path.normpath(spec))
    if index.root is not None and spec.is_relative_to(index.root):
        return spec.relative_to(index.root).as_posix()
    return spec.as_posix()


def spec_domain(spec: str) -> str:
    """The folder of a spec after its last ``swagger`` folder, else its first folder.

    ``swagger/scheduling/legacy/a.json`` -> ``scheduling``; ``sales/b.yaml`` -> ``sales``;
    a spec with no such folder (``swagger/api.json``) has :data:`NO_DOMAIN`.
    """
    folders = spec.split("/")[:-1]
    if "swagger" in folders:
        folders = folders[len(folders) - folders[::-1].index("swagger") :]
    return folders[0] if folders else NO_DOMAIN


def documented_operations(index: SwaggerIndex, named: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Every operation of every spec file under the root, and of the spec files ``named``
    (as the ledger names them: the files the seeds reached, which the root's scan may not
    find, through a symbolic link...), with its documented statuses."""
    found = []
    specs = {spec_name(index, spec.path): spec for spec in index.specs()}
    for name in sorted(set(named) - set(specs)):
        spec = index.load(name)
        if isinstance(spec, SpecFile):
            specs[name] = spec
    for name, spec in sorted(specs.items()):
        for op in spec.operations:
            responses = op.operation.get("responses")
            statuses = (
                sorted({str(key) for key in responses}) if isinstance(responses, Mapping) else []
            )
            found.append(
                {
                    "spec": name,
                    "method": op.method,
                    "path": op.template,
                    "domain": spec_domain(name),
                    "statuses": statuses,
                }
            )
    return found


def unreadable_specs(index: SwaggerIndex) -> list[dict[str, str]]:
    """The spec files under the root that could not be read (after
    :func:`documented_operations`): each with its problem; their operations are not counted.

    A file the root's scan found is meant (a dangling link too), not a missing file a seed
    names, nor a well-formed file that is no spec (a fixture): those the scan passes over.
    """
    return [
        {"spec": spec_name(index, problem.path), "problem": problem.message}
        for problem in index.problems()
        if index.root is not None
        and problem.path.is_relative_to(index.root)
        and (problem.path.exists() or problem.path.is_symlink())
        and not problem.message.startswith("not a Swagger")
    ]


def _endpoint_operation(
    index: SwaggerIndex, swagger: str | None, endpoint: str
) -> Operation | None:
    """The operation of a seed's front-matter endpoint (``METHOD /path``), if documented."""
    own = split_endpoint(endpoint)
    return index.find_anywhere(*own, swagger) if own is not None else None


def seed_hits(
    index: SwaggerIndex,
    swagger: str | None,
    endpoint: str,
    steps: Iterable[tuple[Step, int | None, str | None]],
    hosts: Collection[str] = (),
) -> dict[str, list[dict[str, Any]]]:
    """The operations one seed's steps reached (``operations``) and the steps no documented
    operation matches (``unmatched``); plain JSON, for a test report.

    ``steps``: each step with the status answered (a run) or expected (lint), and the URL
    sent (a run; None in lint). A step is looked up by its path template in the seed's own
    ``swagger`` file first, then in every spec under the root; a template no operation
    matches (``{{next}}``, ``{{base}}/v1/x``) is looked up by the URL that was sent. With
    ``hosts`` (the API's), a step sent to another host matches no operation.
    """
    target = _endpoint_operation(index, swagger, endpoint)
    hits: list[dict[str, Any]] = []
    unmatched: list[dict[str, Any]] = []
    for step, status, sent in steps:
        if hosts and sent and host(sent) not in hosts:
            unmatched.append({"method": step.method, "path": step.path})
            continue
        op = index.find_anywhere(step.method, step.path, swagger)
        if op is None and sent:
            op = index.find_anywhere(step.method, sent, swagger)
        if op is None:
            unmatched.append({"method": step.method, "path": step.path})
            continue
        role = "test" if step.phase is Phase.TEST and op == target else "step"
        hits.append(_hit(index, op, status, role))
    return {"operations": _unique(hits), "unmatched": _unique(unmatched)}


def endpoint_hits(index: SwaggerIndex, swagger: str | None, endpoint: str) -> dict[str, Any]:
    """The hits of a seed that sent nothing (skipped): its front-matter endpoint, no status."""
    op = _endpoint_operation(index, swagger, endpoint)
    if op is not None:
        return {"operations": [_hit(index, op, None, "test")], "unmatched": []}
    method, path = split_endpoint(endpoint) or ("", endpoint)
    return {"operations": [], "unmatched": [{"method": method, "path": path}]}


def _hit(index: SwaggerIndex, op: Operation, status: int | None, role: str) -> dict[str, Any]:
    spec = spec_name(index, op.spec)
    return {"spec": spec, "method": op.method, "path": op.template, "status": status, "role": role}


def _unique(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Entries once each (equal when every key is), in a stable order."""
    found = {json.dumps(entry, sort_keys=True): dict(entry) for entry in entries}
    return [found[key] for key in sorted(found)]


def _seed_order(entry: Mapping[str, Any]) -> tuple[Any, ...]:
    status = entry["status"]
    return (entry["seed"], entry["role"], status is None, status or 0, entry["outcome"])


def build_ledger(
    operations: Iterable[Mapping[str, Any]],
    seeds: Iterable[Mapping[str, Any]],
    mode: str,
    unreadable: Iterable[Mapping[str, str]] = (),
) -> dict[str, Any]:
    """The ledger of one run from :func:`documented_operations` and, for each seed, a mapping
    with ``seed`` (its location), ``outcome`` and its :func:`seed_hits`.

    A hit on an operation that is not among ``operations`` is listed with the unmatched
    steps. ``unreadable``: the spec files :func:`unreadable_specs` found.
    """
    ops = {_key(op): {**op, "seeds": []} for op in operations}
    unmatched: list[dict[str, Any]] = []
    for seed in seeds:
        who, outcome = seed["seed"], seed["outcome"]
        for hit in seed.get("operations", ()):
            entry = {"seed": who, "role": hit["role"], "status": hit["status"], "outcome": outcome}
            op = ops.get(_key(hit))
            if op is not None:
                op["seeds"].append(entry)
            else:
                unmatched.append({"seed": who, "method": hit["method"], "path": hit["path"]})
        unmatched += [{"seed": who, **step} for step in seed.get("unmatched", ())]
    return _finished(mode, ops.values(), unmatched, unreadable)


def merge_ledgers(ledgers: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One ledger from several (the shards of a run): operations joined by spec, method and
    path, their seed entries and the unmatched steps joined, every total computed again.

    Order-independent and idempotent; merging the ledgers of a split run gives the ledger of
    the whole. Raises ValueError for no ledger, another format, or run and lint ledgers mixed.
    """
    if not ledgers:
        raise ValueError("no coverage ledger to merge")
    modes = set()
    ops: dict[tuple[str, str, str], dict[str, Any]] = {}
    unmatched: list[dict[str, Any]] = []
    unreadable: list[dict[str, Any]] = []
    for ledger in ledgers:
        check_format(ledger)
        modes.add(ledger["mode"])
        for op in ledger["operations"]:
            known = ops.setdefault(_key(op), {**op, "seeds": [], "statuses": []})
            known["seeds"] += op["seeds"]
            known["statuses"] += op["statuses"]  # a spec changed between shards: all of them
        unmatched += ledger["unmatched"]
        unreadable += ledger.get("unreadable", [])
    if len(modes) > 1:
        raise ValueError("cannot merge a run ledger with a lint ledger (--seeds-lint)")
    merged = _finished(modes.pop(), ops.values(), unmatched, unreadable)
    if any(ledger.get("interrupted") for ledger in ledgers):
        merged["interrupted"] = True
    return merged


def check_format(ledger: object) -> None:
    """Raise ValueError unless ``ledger`` is a ledger of this format, with every operation,
    seed entry and unmatched step of the shape the ledger's readers rely on."""
    if not isinstance(ledger, Mapping) or ledger.get("format") != FORMAT:
        found = ledger.get("format") if isinstance(ledger, Mapping) else type(ledger).__name__
        if not isinstance(found, str | None):
            found = type(found).__name__
        raise ValueError(f"not a coverage ledger of format '{FORMAT}' (format: {found!r})")
    if ledger.get("mode") not in MODES or not all(
        isinstance(ledger.get(key), list) for key in ("operations", "unmatched")
    ):
        raise ValueError(
            "a coverage ledger needs 'mode' (run or lint), 'operations' and 'unmatched'"
        )
    if not all(_operation(op) for op in ledger["operations"]):
        raise ValueError("an operation lacks spec, method, path, domain, statuses or its seeds")
    if not all(_strings(step, ("seed", "method", "path")) for step in ledger["unmatched"]):
        raise ValueError("an unmatched step lacks seed, method or path")
    unreadable = ledger.get("unreadable", [])
    if not isinstance(unreadable, list) or not all(
        _strings(spec, ("spec", "problem")) for spec in unreadable
    ):
        raise ValueError("'unreadable' is not a list of spec files with their problem")


def _strings(value: object, keys: Iterable[str]) -> TypeGuard[Mapping[str, Any]]:
    return isinstance(value, Mapping) and all(isinstance(value.get(key), str) for key in keys)


def _operation(op: object) -> bool:
    if not _strings(op, ("spec", "method", "path", "domain")):
        return False
    statuses, seeds = op.get("statuses"), op.get("seeds")
    return (
        isinstance(statuses, list)
        and all(isinstance(status, str) for status in statuses)
        and isinstance(seeds, list)
        and all(_seed_entry(entry) for entry in seeds)
    )


def _seed_entry(entry: object) -> bool:
    return (
        _strings(entry, ("seed", "outcome"))
        and entry.get("role") in ROLES
        and (entry.get("status") is None or type(entry.get("status")) is int)
    )


def _key(op: Mapping[str, Any]) -> tuple[str, str, str]:
    return (op["spec"], op["method"], op["path"])


def _finished(
    mode: str,
    operations: Iterable[Mapping[str, Any]],
    unmatched: Iterable[Mapping[str, Any]],
    unreadable: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The ledger in its one canonical form: sorted, without duplicates, totals computed."""
    ops = []
    for op in sorted(operations, key=lambda op: (op["spec"], op["path"], op["method"])):
        seeds = sorted(_unique(op["seeds"]), key=_seed_order)
        statuses = sorted(set(op["statuses"]))
        documented = dict.fromkeys(statuses)
        answered = {status_key(documented, s["status"]) for s in seeds if s["status"] is not None}
        covered = [status for status in statuses if status in answered]
        ops.append({**op, "statuses": statuses, "seeds": seeds, "covered_statuses": covered})
    domains: dict[str, list[dict[str, Any]]] = {}
    for op in ops:
        domains.setdefault(op["domain"], []).append(op)
    return {
        "format": FORMAT,
        "mode": mode,
        "operations": ops,
        "unmatched": sorted(_unique(unmatched), key=lambda u: (u["seed"], u["path"], u["method"])),
        "unreadable": sorted(_unique(unreadable), key=lambda u: (u["spec"], u["problem"])),
        "totals": _totals(ops, statuses=True),
        "domains": {name: _totals(domains[name]) for name in sorted(domains)},
    }


def percent(part: int, whole: int) -> float:
    """``part`` of ``whole`` in percent, rounded down to a tenth: 100.0 only when all are."""
    return 1000 * part // whole / 10 if whole else 0.0


def _totals(ops: Sequence[Mapping[str, Any]], statuses: bool = False) -> dict[str, Any]:
    covered = sum(1 for op in ops if op["seeds"])
    passing = sum(1 for op in ops if any(s["outcome"] == "passed" for s in op["seeds"]))
    totals: dict[str, Any] = {
        "operations": len(ops),
        "covered": covered,
        "percent": percent(covered, len(ops)),
        "passed": passing,
    }
    if statuses:
        documented = sum(len(op["statuses"]) for op in ops)
        answered = sum(len(op["covered_statuses"]) for op in ops)
        totals |= {
            "statuses": documented,
            "covered_statuses": answered,
            "statuses_percent": percent(answered, documented),
        }
    return totals


def needed(covered: int, whole: int, minimum: float) -> int:
    """How many more of ``whole`` operations need a seed for ``minimum`` percent (0 if none).

    Exact arithmetic, with a tolerance of :data:`_SLACK` percent, so that a minimum computed
    as ``100 * covered / whole`` in floating point is met by ``covered``.
    """
    target = (Fraction(minimum) - _SLACK) * whole / 100
    return max(0, math.ceil(target) - covered)


def shortfall(ledger: Mapping[str, Any], minimum: float) -> str | None:
    """Why the ledger misses ``--seeds-coverage-min`` (a percentage), or None when it meets it."""
    totals = ledger["totals"]
    whole, covered = totals["operations"], totals["covered"]
    if not whole:
        return (
            f"no documented operation under the Swagger root: {minimum:g}% cannot be reached"
            if minimum
            else None
        )
    more = needed(covered, whole, minimum)
    if not more:
        return None
    return (
        f"{covered} of {whole} operations covered ({totals['percent']}%), below the minimum "
        f"of {minimum:g}%: {more} more operation{'s need' if more != 1 else ' needs'} a seed"
    )


def lost_operations(
    ledger: Mapping[str, Any],
    baseline: Mapping[str, Any],
    unselected: Callable[[str], bool] = lambda seed: False,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The operations a seed covered in ``baseline`` that are no longer covered, and those no
    longer documented at all; each with the baseline's seeds.

    An operation is looked up by spec, method and path; else (its spec file renamed or
    moved, another Swagger root) by method and path in any spec, and it is lost when none
    of those is covered. A baseline seed for which ``unselected`` is true (still there, not
    run this time) is left out: an operation only such seeds covered is not lost.
    """
    now: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for op in ledger["operations"]:
        now.setdefault((op["method"], op["path"]), []).append(op)
    lost, gone = [], []
    for op in baseline["operations"]:
        seeds = sorted({s["seed"] for s in op["seeds"] if not unselected(s["seed"])})
        if not seeds:
            continue
        same = now.get((op["method"], op["path"]), [])
        exact = [known for known in same if _key(known) == _key(op)]
        found = {**{name: op[name] for name in _KEY}, "seeds": seeds}
        if not same:
            gone.append(found)
        elif not any(known["seeds"] for known in exact or same):
            lost.append(found)
    return lost, gone


def read_ledger(path: Path) -> dict[str, Any]:
    """A ledger written by ``--seeds-coverage``; ValueError saying what is wrong with it.

    Only a regular file of at most :data:`MAX_LEDGER_BYTES` is read (not a device or a FIFO).
    """
    try:
        data = read_limited(path, MAX_LEDGER_BYTES)
    except OSError as error:
        if error.strerror == NOT_REGULAR:
            raise ValueError(f"{path} is {NOT_REGULAR}") from None
        raise ValueError(f"cannot read {path}: {error.strerror or error}") from None
    if len(data) > MAX_LEDGER_BYTES:
        raise ValueError(f"{path} is larger than {MAX_LEDGER_BYTES >> 20} MiB: not a ledger")
    try:
        ledger = json.loads(data.decode("utf-8"))
    except ValueError as error:  # UnicodeDecodeError too
        raise ValueError(f"{path} is not JSON: {error}") from None
    except RecursionError:
        raise ValueError(f"{path} is JSON nested too deeply to be a ledger") from None
    try:
        check_format(ledger)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    return dict(ledger)
