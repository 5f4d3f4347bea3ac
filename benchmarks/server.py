"""A fast HTTP/1.1 keep-alive server for the benchmarks, with optional latency.

Every request gets the same small JSON answer (200), after ``--latency`` seconds
if given; one asyncio loop serves any number of connections, so the server is
not what the benchmarks measure. Prints its base URL on the first line.

Usage: ``python benchmarks/server.py [--port 0] [--latency 0.05]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket

BODY = b'{"success": true, "data": {"items": [{"uid": "bench0001", "name": "Bench item"}]}}'
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
    len(BODY),
    BODY,
)


class _Protocol(asyncio.Protocol):
    """Reads requests from one connection and answers each in order."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            length = 0
            for line in self.buffer[:end].lower().split(b"\r\n"):
                if line.startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            if self.latency:
                asyncio.get_running_loop().call_later(self.latency, self._reply)
            else:
                self._reply()

    def _reply(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(RESPONSE)


async def serve(port: int, latency: float) -> None:
    """Serve on 127.0.0.1 forever, after printing the base URL."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Protocol(latency), "127.0.0.1", port, backlog=512)
    host, bound = server.sockets[0].getsockname()[:2]
    print(f"http://{host}:{bound}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.latency))


if __name__ == "__main__":
    main()
