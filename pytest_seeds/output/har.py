"""One HAR 1.2 file per seed: every step's request and response, redacted.

The entries are built with ``harfile`` (the HAR writer of the schemathesis project);
the file opens in a browser's developer tools (Network panel, "Import HAR").
"""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

import harfile

from pytest_seeds.http.transport import Request, Response
from pytest_seeds.http.wire import sent_headers, sent_json, sent_url
from pytest_seeds.model import Seed, Step
from pytest_seeds.output import atomic
from pytest_seeds.running.runner import SeedRun, StepRecord
from pytest_seeds.secrets.redact import Redactor
from pytest_seeds.secrets.secret import reveal, reveal_text

CREATOR = harfile.Creator(name="pytest-seeds", version="1")
HTTP_VERSION = "HTTP/1.1"


def har_names(paths: Iterable[Path], root: Path) -> dict[Path, str]:
    """File names for the HAR files of these seeds: ``<stem>.har``, unique in a run.

    Seeds that share a file name get ``<stem>-<8 hex digits>.har``, the digits
    taken from the seed's path relative to ``root`` (the same on every xdist worker).
    """
    paths = sorted(set(paths))
    stems = Counter(path.stem for path in paths)
    names = {}
    for path in paths:
        if stems[path.stem] == 1:
            names[path] = f"{path.stem}.har"
        else:
            relative = path.relative_to(root) if path.is_relative_to(root) else path
            digest = hashlib.sha1(relative.as_posix().encode()).hexdigest()[:8]
            names[path] = f"{path.stem}-{digest}.har"
    return names


class HarRecorder:
    """A step observer that keeps the steps of a seed run and writes them as one HAR file.

    Redaction happens when the file is written, so it masks every secret known by then;
    headers, query parameters and form fields are masked by their name too (one rule for
    both directions), and a body cut at the size limit is masked as cut there.
    """

    def __init__(self, seed: Seed, redactor: Redactor) -> None:
        self.seed = seed
        self.redactor = redactor
        self.sent: list[tuple[StepRecord, Request, datetime]] = []
        self.not_sent: list[str] = []
        self._started: dict[int, datetime] = {}

    def before_send(self, run: SeedRun, step: Step, request: Request) -> None:
        self._started[id(request)] = datetime.now(UTC)

    def after_response(self, run: SeedRun, record: StepRecord) -> None:
        """Nothing to check."""

    def after_step(self, run: SeedRun, record: StepRecord) -> None:
        started = self._started.pop(id(record.request), None)
        if record.request is None or started is None:
            self.not_sent.append(f"step '{record.step.id}' was not sent: {record.problem}")
            return
        self.sent.append((record, record.request, started))

    def text(self) -> str:
        """The HAR document."""
        comment = f"{self.seed.endpoint} ({self.seed.path})"
        comment = "; ".join([comment, *self.not_sent])
        buffer = io.StringIO()
        with harfile.open(buffer, creator=CREATOR, comment=self.redactor.text(comment)) as har:
            for record, request, started in self.sent:
                har.add_entry(**self._entry(record, request, started))
        return buffer.getvalue() + "\n"

    def write(self, path: Path) -> None:
        """Write the HAR file (atomically) if any step was attempted."""
        if self.sent or self.not_sent:
            atomic.write_text(path, self.text())

    def _entry(self, record: StepRecord, request: Request, started: datetime) -> dict[str, Any]:
        ms = round(record.seconds * 1000, 3)
        step = record.step
        comment = f"{step.phase.value} step '{step.id}': {record.outcome}"
        if record.problem:
            comment += f" ({record.problem})"
        return {
            "startedDateTime": started,
            "time": ms,
            "request": self._request(request),
            "response": self._response(record.response),
            "timings": harfile.Timings(send=0, wait=ms, receive=0),
            "comment": self.redactor.text(comment),
        }

    def _request(self, request: Request) -> harfile.Request:
        """The request as sent (secrets revealed by ``http.wire`` and here), then masked."""
        text = self.redactor.text
        body = sent_json(request)
        post_data = None
        if body is not None:
            post_data = harfile.PostData(
                mimeType="application/json", text=self.redactor.text(body, cuts=False)
            )
        elif request.form is not None or request.files:
            fields = [
                harfile.PostParameter(
                    name=name, value=self.redactor.field(name, reveal_text(value))
                )
                for name, value in (request.form or {}).items()
            ]
            fields += [
                harfile.PostParameter(
                    name=upload.field_name,
                    fileName=text(reveal_text(upload.filename)),
                    contentType=upload.content_type,
                )
                for upload in request.files
            ]
            kind = "multipart/form-data" if request.files else "application/x-www-form-urlencoded"
            post_data = harfile.PostData(mimeType=kind, params=fields)
        return harfile.Request(
            method=request.method,
            url=text(sent_url(request)),
            httpVersion=HTTP_VERSION,
            headers=_records(self.redactor.headers(sent_headers(request))),
            queryString=_records(self.redactor.headers(reveal(request.params))),
            postData=post_data,
            bodySize=len(body.encode()) if body is not None else (0 if post_data is None else -1),
        )

    def _response(self, response: Response | None) -> harfile.Response:
        if response is None:
            return harfile.Response(status=0, statusText="", httpVersion=HTTP_VERSION)
        headers = {name.lower(): value for name, value in response.headers.items()}
        content = harfile.Content(
            size=len(response.content),
            mimeType=headers.get("content-type", "x-unknown"),
            text=self.redactor.text(
                response.content.decode("utf-8", errors="replace"),
                cut_end=response.truncated,
                cuts=False,  # the server's text, cut by nobody (but at the size limit)
            ),
            comment="body cut at the size limit" if response.truncated else None,
        )
        return harfile.Response(
            status=response.status,
            statusText=_reason(response.status),
            httpVersion=HTTP_VERSION,
            headers=_records(self.redactor.headers(response.headers)),
            content=content,
            redirectURL=self.redactor.text(headers.get("location", "")),
            bodySize=len(response.content),
        )


def _records(values: dict[str, str]) -> list[harfile.Record]:
    return [harfile.Record(name=name, value=value) for name, value in values.items()]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
