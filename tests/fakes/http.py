"""A threaded HTTP/1.1 server on 127.0.0.1 that the HTTP fakes build on.

Subclasses implement ``handle(request) -> Reply``. Connections are kept alive
(the real SDKs pool them) and are all cut on ``stop()``, so a stopped fake
refuses connections like a dead provider instead of serving pooled ones.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def form(self) -> dict[str, str]:
        """The url-encoded body, one value per key (the last one when repeated)."""
        return {
            key: values[-1] for key, values in parse_qs(self.body.decode(), keep_blank_values=True).items()
        }

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(status: int, payload: object, headers: dict[str, str] | None = None) -> Reply:
    return Reply(
        status, json.dumps(payload).encode(), {"Content-Type": "application/json", **(headers or {})}
    )


class FakeHTTPServer:
    """Base class: start/stop, a free port, and a lock for subclasses' records."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._delays: list[float] = []

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake is not running")
        host, port = self._server.server_address[:2]
        assert isinstance(host, str)  # an IPv4 or IPv6 address, not a Unix socket path
        return f"http://{host}:{port}"

    def handle(self, request: Request) -> Reply:
        raise NotImplementedError

    def delay_next(self, count: int = 1, *, seconds: float = 2.0) -> None:
        """Hold the next ``count`` replies back by ``seconds``, to exercise client timeouts."""
        with self.lock:
            self._delays.extend([seconds] * count)

    def _delay(self) -> float:
        with self.lock:
            return self._delays.pop(0) if self._delays else 0.0

    def start(self) -> Self:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=type(self).__name__,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        with self.lock:
            connections, self._connections = self._connections, set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _track(self, connection: socket.socket, *, open_: bool) -> None:
        with self.lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)


def _handler_for(fake: FakeHTTPServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes; without NODELAY, Nagle's algorithm and the
            # client's delayed ACK hold the body back 40 ms, capping a fake at ~25 requests/s.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            fake._track(self.connection, open_=True)

        def finish(self) -> None:
            fake._track(self.connection, open_=False)
            super().finish()

        def do_GET(self) -> None:
            self._dispatch()

        def do_POST(self) -> None:
            self._dispatch()

        def log_message(self, format: str, *args: object) -> None:
            return None

        def _dispatch(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={name.lower(): value for name, value in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            time.sleep(fake._delay())
            try:
                reply = fake.handle(request)
            except Exception as exc:
                # A bug in a fake must show up in the test as a provider error, not a hang.
                reply = Reply(500, f"fake failed: {exc!r}".encode(), {"Content-Type": "text/plain"})
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

    return Handler
