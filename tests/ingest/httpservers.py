"""Real HTTP servers on loopback for the fetcher's tests (no mocks of httpx).

``serve(host)`` runs a threaded stdlib server on a free port of ``host`` and yields
a :class:`LocalServer`: register a handler per path, then read what the server saw
(requests with their headers, connections opened, the most requests in flight).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

Handler = Callable[["RequestHandler"], None]


@dataclass
class SeenRequest:
    path: str
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


class LocalServer:
    def __init__(self, host: str) -> None:
        self.host = host
        self.port = 0
        self.routes: dict[str, Handler] = {}
        self.requests: list[SeenRequest] = []
        self.connections = 0
        self.active = 0
        self.max_active = 0
        self.lock = threading.Lock()

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.routes[path] = handler
            return handler

        return register

    def seen(self, path: str) -> list[SeenRequest]:
        return [r for r in self.requests if urlsplit(r.path).path == path]


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        owner = self.server.owner
        with owner.lock:
            owner.requests.append(
                SeenRequest(self.path, {k.lower(): v for k, v in self.headers.items()})
            )
            owner.active += 1
            owner.max_active = max(owner.max_active, owner.active)
        try:
            handler = owner.routes.get(urlsplit(self.path).path) or owner.routes.get("*")
            if handler is None:
                self.reply(404, b"not found")
            else:
                handler(self)
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client went away: that is what many tests do
        finally:
            with owner.lock:
                owner.active -= 1

    def reply(
        self,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        *,
        length: bool = True,
    ) -> None:
        """Send a whole answer; ``length=False`` sends no Content-Length and closes after."""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def stream(
        self, chunks: Iterator[bytes], headers: dict[str, str] | None = None, *, status: int = 200
    ) -> None:
        """Send ``chunks`` as they come; close-delimited unless the headers give a length."""
        self.send_response(status)
        headers = headers or {}
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Connection", "close")
        self.close_connection = True
        self.end_headers()
        self.wfile.flush()
        for chunk in chunks:
            self.wfile.write(chunk)
            self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: LocalServer

    def get_request(self) -> Any:
        request = super().get_request()
        with self.owner.lock:
            self.owner.connections += 1
        return request

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # broken pipes from clients that hang up on purpose


@contextlib.contextmanager
def serve(host: str = "127.0.0.1") -> Iterator[LocalServer]:
    owner = LocalServer(host)
    server = _Server((host, 0), RequestHandler)
    server.owner = owner
    owner.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield owner
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
