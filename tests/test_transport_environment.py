"""The client reads proxy settings from the environment once per host, and still obeys them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from pytest_seeds.http.transport import Client, Request
from tests.helpers import sent


@pytest.fixture
def proxy() -> Iterator[HTTPServer]:
    """A second server on 127.0.0.1 that answers every request, standing in for a proxy."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("/via-proxy").respond_with_data("proxied")
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def test_env_proxy_and_no_proxy_apply_per_host(
    api: HTTPServer, proxy: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url_for("/").rstrip("/"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    client = Client(5.0)
    try:
        for _ in range(2):  # the second round uses the settings read in the first
            direct, _ = client.send(Request("GET", api.url_for("/direct")))
            proxied, _ = client.send(Request("GET", "http://seeds.invalid/via-proxy"))
            assert direct.status == 200
            assert (proxied.status, proxied.content) == (200, b"proxied")
    finally:
        client.close()
    assert [request.path for request in sent(api)] == ["/direct", "/direct"]
    assert len(proxy.log) == 2
