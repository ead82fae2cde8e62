"""A real, scriptable OpenAI-compatible chat-completions server for tests.

A threaded stdlib ``http.server`` bound to 127.0.0.1 on a free port. Each
request to ``POST /v1/chat/completions`` is recorded (path, headers, JSON body,
arrival time) and answered by the next scripted :class:`Reply`, or, when the
script is empty, by ``server.default`` (a ``Reply`` or a function of the
request). The server counts requests in flight so tests can check a
concurrency limit.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(slots=True)
class Reply:
    """One scripted answer: a completion, an error status, or raw bytes."""

    content: str | None = "A summary."
    status: int = 200
    delay: float = 0.0  # seconds to wait before answering
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None  # sent as is, instead of a completion or error JSON
    error: str | None = None  # message of an OpenAI-style error body (for status >= 400)


@dataclass(slots=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]
    json: Any
    at: float  # time.monotonic() when the request arrived

    @property
    def prompt(self) -> str:
        """The content of the last message: the rendered prompt."""
        return str(self.json["messages"][-1]["content"])


Responder = Callable[[RecordedRequest], Reply]


class OpenAIServer:
    def __init__(self) -> None:
        self.script: deque[Reply] = deque()
        self.default: Reply | Responder = Reply()
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The ``api_base`` to configure: ``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def queue(self, *replies: Reply) -> None:
        self.script.extend(replies)

    def start(self) -> OpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            if self.script:
                return self.script.popleft()
        return self.default if isinstance(self.default, Reply) else self.default(request)

    def _done(self) -> None:
        with self._lock:
            self.in_flight -= 1


def completion_body(content: str | None, model: str = "test-model") -> bytes:
    return json.dumps(
        {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
        }
    ).encode()


def _make_handler(server: OpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output quiet

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                payload: Any = json.loads(raw)
            except ValueError:
                payload = None
            request = RecordedRequest(
                path=self.path,
                headers={k.lower(): v for k, v in self.headers.items()},
                json=payload,
                at=time.monotonic(),
            )
            reply = server._next_reply(request)
            try:
                if reply.delay:
                    time.sleep(reply.delay)
                self._send(request, reply)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to answer
            finally:
                server._done()

        def _send(self, request: RecordedRequest, reply: Reply) -> None:
            if reply.body is not None:
                body = reply.body
            elif reply.status >= 400:
                message = reply.error or f"error {reply.status}"
                body = json.dumps({"error": {"message": message, "type": "test"}}).encode()
            elif request.path != "/v1/chat/completions":
                self._send_raw(404, b'{"error": {"message": "no such route"}}', {})
                return
            else:
                model = request.json.get("model", "") if isinstance(request.json, dict) else ""
                body = completion_body(reply.content, model)
            self._send_raw(reply.status, body, reply.headers)

        def _send_raw(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()

    return Handler
