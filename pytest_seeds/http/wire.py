"""A rendered request as requests puts it on the wire: URL with query, JSON text, headers.

Secrets are revealed here, as they are sent: the texts are for curl commands, HAR files and
transcripts, which mask them (curl with token variables, the others with the redactor).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import requests

from pytest_seeds.http.transport import Request
from pytest_seeds.secrets.secret import reveal, reveal_text


def sent_url(request: Request) -> str:
    """The URL with its query string, encoded as requests encodes it on the wire."""
    url, params = reveal_text(request.url), reveal(request.params)
    try:
        prepared = requests.Request(request.method, url, params=params).prepare()
    except requests.RequestException:
        query = urlencode(params)
        return url + ("&" if "?" in url else "?") + query if query else url
    return str(prepared.url)


def sent_json(request: Request) -> str | None:
    """The JSON body as requests serialises it, or None when the request sends none."""
    return json.dumps(reveal(request.json), allow_nan=False) if request.has_json else None


def sent_headers(request: Request) -> dict[str, str]:
    """The step's headers plus the Content-Type requests adds to a JSON body."""
    headers = {name: reveal_text(value) for name, value in request.headers.items()}
    if request.has_json and not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = "application/json"
    return headers
