"""A raw TCP server on 127.0.0.1, for answers HTTP servers do not give, and those answers.

:func:`raw_server` runs an *answer* on each connection it accepts: :func:`silent` never
answers, :func:`headers_then_stall` stops in the middle of a body, :func:`not_http` is another
protocol, :func:`hang_up` closes without a word. :func:`closed_port` is a port nothing listens on.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Answer = Callable[[socket.socket, threading.Event], None]


@contextmanager
def raw_server(answer: Answer, read_request: bool = True) -> Iterator[str]:
    """A TCP server on 127.0.0.1 that runs ``answer`` on each connection; yields its URL.

    ``read_request``: the request's first bytes are read before ``answer`` runs."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            if read_request:
                connection.recv(65536)
            threading.Thread(target=answer, args=(connection, stop), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        listener.close()


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def silent(connection: socket.socket, stop: threading.Event) -> None:
    stop.wait(10)
    connection.close()


def headers_then_stall(connection: socket.socket, stop: threading.Event) -> None:
    connection.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"partial":')
    stop.wait(10)
    connection.close()


def not_http(connection: socket.socket, stop: threading.Event) -> None:
    connection.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
    connection.close()


def hang_up(connection: socket.socket, stop: threading.Event) -> None:
    connection.close()


def send(data: bytes) -> Answer:
    """An answer that sends ``data`` at once and closes the connection."""

    def answer(connection: socket.socket, stop: threading.Event) -> None:
        connection.sendall(data)
        connection.close()

    return answer


def trickle(head: bytes, data: bytes, every: float = 0.1) -> Answer:
    """An answer that sends ``head`` at once, then ``data`` one byte every ``every`` seconds.

    A trickling server defeats a timeout that counts per socket read: each byte comes
    well within it, and the whole answer takes ``len(data) * every`` seconds.
    """

    def answer(connection: socket.socket, stop: threading.Event) -> None:
        try:
            connection.sendall(head)
            for byte in data:
                if stop.wait(every):
                    break
                connection.sendall(bytes([byte]))
            stop.wait(10)
        except OSError:  # the client gave up and closed
            pass
        connection.close()

    return answer


@contextmanager
def capturing_server(
    reply: bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
) -> Iterator[tuple[str, list[bytes]]]:
    """An HTTP/1.1 server on 127.0.0.1 that keeps the bytes of every request it receives
    (head and ``Content-Length`` body) and answers ``reply``; yields its URL and that list."""
    received: list[bytes] = []

    def answer(connection: socket.socket, stop: threading.Event) -> None:
        data = b""
        connection.settimeout(10)
        while b"\r\n\r\n" not in data:
            data += connection.recv(65536)
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        lengths = [line.split(":", 1)[1] for line in head.split("\r\n") if ":" in line]
        names = [line.split(":", 1)[0].lower() for line in head.split("\r\n") if ":" in line]
        length = int(dict(zip(names, lengths, strict=True)).get("content-length", "0"))
        while len(data) < len(head) + 4 + length:
            data += connection.recv(65536)
        received.append(data)
        connection.sendall(reply)
        connection.close()

    with raw_server(answer, read_request=False) as url:
        yield url, received
