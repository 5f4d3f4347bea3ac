"""Background jobs that finish after a few polls: for seeds that ``poll`` a status.

``POST /platform/v1/jobs`` starts one (``{"fail": true}`` makes it end ``failed``);
``GET /platform/v1/jobs/{id}`` answers ``running`` twice, then ``done`` (or ``failed``).
"""

from __future__ import annotations

from .core import Reply, Request, Route, bad_request, not_found, ok, route
from .state import State, new_id, now_iso

STAFF = ("staff", "app")
RUNNING_POLLS = 2  # the reads that still see the job running


@route("POST", "/platform/v1/jobs", STAFF)
def start_job(state: State, req: Request) -> Reply:
    body = req.json()
    fail = body.get("fail", False)
    if not isinstance(fail, bool):
        raise bad_request("fail must be true or false")
    kind = body.get("kind", "export")
    if not isinstance(kind, str):
        raise bad_request("kind must be text")
    uid = new_id()
    job = {"id": uid, "kind": kind, "status": "running", "polls": 0, "created_at": now_iso()}
    with state.lock:
        state.jobs[uid] = {**job, "fail": fail}
    return ok({"job": job}, 201)


@route("GET", "/platform/v1/jobs/{id}", STAFF)
def read_job(state: State, req: Request) -> Reply:
    with state.lock:
        job = state.jobs.get(req.path_params["id"])
        if job is None:
            raise not_found(f"job {req.path_params['id']!r} not found")
        job["polls"] += 1
        if job["polls"] > RUNNING_POLLS and job["status"] == "running":
            job["status"] = "failed" if job["fail"] else "done"
            if not job["fail"]:
                job["result"] = {"rows": 3, "url": f"/platform/v1/jobs/{job['id']}/result.csv"}
        shown = {key: value for key, value in job.items() if key != "fail"}
    return ok({"job": shown})


ROUTES = [v for v in list(globals().values()) if isinstance(v, Route)]
