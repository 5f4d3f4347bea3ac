"""A rendered request as requests puts it on the wire: URL with query, JSON text, headers."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import requests

from pytest_seeds.http.transport import Request


def sent_url(request: Request) -> str:
    """The URL with its query string, encoded as requests encodes it on the wire."""
    try:
        prepared = requests.Request(request.method, request.url, params=request.params).prepare()
    except requests.RequestException:
        query = urlencode(request.params)
        return request.url + ("&" if "?" in request.url else "?") + query if query else request.url
    return str(prepared.url)


def sent_json(request: Request) -> str | None:
    """The JSON body as requests serialises it, or None when the request sends none."""
    return json.dumps(request.json, allow_nan=False) if request.has_json else None


def sent_headers(request: Request) -> dict[str, str]:
    """The step's headers plus the Content-Type requests adds to a JSON body."""
    headers = dict(request.headers)
    if request.has_json and not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = "application/json"
    return headers
