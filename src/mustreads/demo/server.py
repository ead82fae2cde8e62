"""The demo web served over HTTP on a local port, for tests and ``mustreads demo``.

``DemoWeb`` runs a threaded :mod:`http.server` in a background thread::

    with DemoWeb() as web:
        feeds = web.feed_urls()
        ...
        assert web.requests[0].path == "/circuitline/feed.xml"

It behaves like a small, well-run web server: ETag and Last-Modified with
304 answers to conditional requests, gzip when the client accepts it, 301
to the trailing-slash form of a path, 404 for unknown paths and the dead
link, 503 with a bot-check interstitial for the page behind one.
"""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import cast
from urllib.parse import urlsplit

from mustreads.demo.catalog import DemoArticle, catalog, today_utc
from mustreads.demo.feeds import DemoFeed, demo_feeds, opml
from mustreads.demo.resources import Resource, build_resources, not_found

#: Request headers kept in :attr:`DemoRequest.headers` (lower-cased names).
RECORDED_HEADERS = (
    "accept",
    "accept-encoding",
    "accept-language",
    "if-modified-since",
    "if-none-match",
    "user-agent",
)


@dataclass(frozen=True, slots=True)
class DemoRequest:
    method: str
    path: str  # as requested, with the query string
    headers: dict[str, str]
    status: int


class DemoWeb:
    """The demo web on ``http://host:port``; ``port=0`` picks a free port."""

    def __init__(self, anchor: date | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.anchor = anchor or today_utc()
        self.host = host
        self.port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._requests: list[DemoRequest] = []

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> DemoWeb:
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), _Handler)
        self.port = server.server_address[1]
        server.web = self
        server.resources = build_resources(self.anchor, self.base_url)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="demo-web",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> DemoWeb:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self.port == 0:
            raise RuntimeError(
                "DemoWeb is not started; use it as a context manager or call start()"
            )
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def feeds(self) -> list[DemoFeed]:
        return demo_feeds(self.base_url)

    def feed_urls(self) -> list[str]:
        return [feed.url for feed in self.feeds()]

    def opml(self) -> str:
        return opml(self.base_url)

    @property
    def catalog(self) -> list[DemoArticle]:
        return catalog(self.anchor)

    # -- request log ---------------------------------------------------------

    @property
    def requests(self) -> list[DemoRequest]:
        with self._lock:
            return list(self._requests)

    def reset_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def _record(self, request: DemoRequest) -> None:
        with self._lock:
            self._requests.append(request)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    web: DemoWeb
    resources: dict[str, Resource]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "demo-web/1.0"
    sys_version = ""
    timeout = 10  # an idle keep-alive connection must not hold a thread forever

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: requests are recorded in ``DemoWeb.requests`` instead."""

    def _answer(self, *, send_body: bool) -> None:
        server = cast(_Server, self.server)
        path = urlsplit(self.path).path or "/"
        resource = server.resources.get(path)
        if resource is None and not path.endswith("/") and path + "/" in server.resources:
            query = urlsplit(self.path).query
            location = path + "/" + (f"?{query}" if query else "")
            resource = Resource(
                301, "text/plain; charset=utf-8", b"", headers=(("Location", location),)
            )
        if resource is None:
            resource = not_found(path, server.web.base_url)
        status = 304 if resource.status == 200 and self._not_modified(resource) else resource.status
        # Recorded before answering, so a client that has its answer sees its request logged.
        headers = {name: value for name in RECORDED_HEADERS if (value := self.headers.get(name))}
        server.web._record(DemoRequest(self.command, self.path, headers, status))
        self._send(resource, status, send_body=send_body)

    def _not_modified(self, resource: Resource) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            own = (resource.etag or "").removeprefix("W/")
            return "*" in tags or own in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since and resource.last_modified is not None:
            try:
                since = parsedate_to_datetime(if_modified_since)
            except (TypeError, ValueError):
                return False
            if since.tzinfo is None:
                return False
            return resource.last_modified.replace(microsecond=0) <= since
        return False

    def _send(self, resource: Resource, status: int, *, send_body: bool) -> None:
        body = b"" if status == 304 else resource.body
        encoded = False
        if (
            body
            and resource.compressible
            and _accepts_gzip(self.headers.get("Accept-Encoding", ""))
        ):
            body, encoded = gzip.compress(body, mtime=0), True
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", resource.content_type)
        if resource.etag:
            self.send_header("ETag", resource.etag)
        if resource.last_modified is not None:
            self.send_header("Last-Modified", _http_date(resource.last_modified))
        if resource.compressible:
            self.send_header("Vary", "Accept-Encoding")
        if encoded:
            self.send_header("Content-Encoding", "gzip")
        for name, value in resource.headers:
            self.send_header(name, value)
        if status != 304:  # a 304 has no body, whatever its headers say
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)


def _accepts_gzip(header: str) -> bool:
    for part in header.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip"):
            quality = params.strip().removeprefix("q=").strip()
            return quality == "" or _positive(quality)
    return False


def _positive(quality: str) -> bool:
    try:
        return float(quality) > 0
    except ValueError:
        return False


def _http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)
