"""The fetcher against real HTTP servers on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import gzip
import itertools
import shutil
import socket
import ssl
import subprocess
import threading
import time
import zlib
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import brotli  # type: ignore[import-untyped]
import pytest

from mustreads.config import FetchSettings
from mustreads.errors import BlockedAddressError, FetchError, TooLargeError
from mustreads.ingest.fetch import Fetcher, parse_retry_after
from mustreads.models import FetchResult
from tests.ingest.httpservers import LocalServer, RequestHandler, serve

T = TypeVar("T")
LOOPBACK = ["127.0.0.0/8"]
ACCEPT_FEEDS = "application/atom+xml, application/rss+xml;q=0.9, */*;q=0.8"
MB = 1024 * 1024


def settings(**changes: Any) -> FetchSettings:
    base: dict[str, Any] = {
        "per_host_delay": 0.0,
        "backoff": 0.01,
        "connect_timeout": 2.0,
        "read_timeout": 5.0,
        "total_timeout": 10.0,
    }
    return FetchSettings(**(base | changes))


def run(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    return asyncio.run(make())


async def fetch_once(
    url: str,
    fetch_settings: FetchSettings | None = None,
    *,
    allowed: list[str] | None = None,
    **kw: Any,
) -> FetchResult:
    async with Fetcher(fetch_settings or settings(), allowed_networks=allowed or LOOPBACK) as f:
        return await f.fetch(url, **kw)


def get(url: str, fetch_settings: FetchSettings | None = None, **kw: Any) -> FetchResult:
    return asyncio.run(fetch_once(url, fetch_settings, **kw))


def fails(url: str, fetch_settings: FetchSettings | None = None, **kw: Any) -> FetchError:
    with pytest.raises(FetchError) as caught:
        get(url, fetch_settings, **kw)
    return caught.value


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with serve("127.0.0.1") as local:
        yield local


# -- plain downloads ----------------------------------------------------------


def test_get_returns_body_and_lower_case_headers(server: LocalServer) -> None:
    @server.route("/feed")
    def feed(h: RequestHandler) -> None:
        h.reply(200, b"<rss/>", {"Content-Type": "application/rss+xml", "ETag": '"v1"'})

    result = get(server.url("/feed"), settings(user_agent="test-agent/1.0"), accept=ACCEPT_FEEDS)

    assert result.status_code == 200
    assert result.content == b"<rss/>"
    assert result.url == result.final_url == server.url("/feed")
    assert result.headers["etag"] == '"v1"'
    assert result.content_type == "application/rss+xml"
    assert not result.not_modified
    sent = server.requests[0].headers
    assert sent["user-agent"] == "test-agent/1.0"
    assert sent["accept"] == ACCEPT_FEEDS
    assert {"gzip", "deflate", "br"} <= {c.strip() for c in sent["accept-encoding"].split(",")}
    assert "if-none-match" not in sent


def test_conditional_get_sends_validators_and_304_is_not_modified(server: LocalServer) -> None:
    @server.route("/feed")
    def feed(h: RequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            h.send_response(304)
            h.send_header("ETag", '"v1"')
            h.end_headers()
        else:
            h.reply(200, b"fresh")

    last_modified = "Wed, 21 Oct 2015 07:28:00 GMT"
    result = get(server.url("/feed"), etag='"v1"', last_modified=last_modified)

    assert result.not_modified
    assert result.status_code == 304
    assert result.content == b""
    assert result.etag == '"v1"'
    sent = server.requests[0].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == last_modified


BODY = b"<p>Attention is all you need.</p>" * 50
ENCODED = {
    "gzip": gzip.compress(BODY),
    "deflate": zlib.compress(BODY),
    "raw-deflate": zlib.compress(BODY, wbits=-15),  # what many servers send as "deflate"
    "br": brotli.compress(BODY),
}


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_compressed_bodies_are_decoded(server: LocalServer, name: str) -> None:
    @server.route("/page")
    def page(h: RequestHandler) -> None:
        h.reply(200, ENCODED[name], {"Content-Encoding": name.removeprefix("raw-")})

    assert get(server.url("/page")).content == BODY


def test_stacked_encodings_are_undone_in_reverse_order(server: LocalServer) -> None:
    @server.route("/page")
    def page(h: RequestHandler) -> None:
        h.reply(200, gzip.compress(zlib.compress(BODY)), {"Content-Encoding": "deflate, gzip"})

    assert get(server.url("/page")).content == BODY


def test_corrupt_compressed_body_is_an_error(server: LocalServer) -> None:
    @server.route("/page")
    def page(h: RequestHandler) -> None:
        h.reply(200, b"\x1f\x8b this is not gzip", {"Content-Encoding": "gzip"})

    error = fails(server.url("/page"))
    assert "could not decode the gzip body" in str(error)


def test_body_without_length_is_read_to_the_end(server: LocalServer) -> None:
    @server.route("/page")
    def page(h: RequestHandler) -> None:
        h.stream(iter([b"a" * 1000, b"b" * 1000]))

    assert get(server.url("/page")).content == b"a" * 1000 + b"b" * 1000


@pytest.mark.parametrize(("size", "fits"), [(4096, True), (4097, False)])
def test_the_cap_is_on_the_decoded_size(server: LocalServer, size: int, fits: bool) -> None:
    @server.route("/page")
    def page(h: RequestHandler) -> None:
        h.reply(200, gzip.compress(b"z" * size), {"Content-Encoding": "gzip"})

    if fits:
        assert len(get(server.url("/page"), settings(max_bytes=4096)).content) == size
    else:
        assert isinstance(fails(server.url("/page"), settings(max_bytes=4096)), TooLargeError)


# -- retries --------------------------------------------------------------------


def test_transient_failures_are_retried_with_backoff(server: LocalServer) -> None:
    @server.route("/flaky")
    def flaky(h: RequestHandler) -> None:
        if len(server.requests) <= 2:
            h.reply(503, b"busy")
        else:
            h.reply(200, b"ok")

    started = time.monotonic()
    result = get(server.url("/flaky"), settings(retries=2, backoff=0.1))

    assert result.content == b"ok"
    assert len(server.requests) == 3
    assert time.monotonic() - started >= (0.1 + 0.2) * 0.8  # backoff doubles, jitter ±20 %


def test_connection_errors_are_retried_then_reported() -> None:
    with socket.socket() as probe:  # a port on which nobody listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def attempt() -> tuple[FetchError, int]:
        async with Fetcher(settings(retries=2), allowed_networks=LOOPBACK) as fetcher:
            with pytest.raises(FetchError) as caught:
                await fetcher.fetch(f"http://127.0.0.1:{port}/")
            return caught.value, fetcher.connect_attempts

    error, attempts = run(attempt)
    assert error.retryable
    assert attempts == 3
    assert "could not connect" in str(error)


@pytest.mark.parametrize("kind", ["seconds", "http-date"])
def test_retry_after_is_honoured(server: LocalServer, kind: str) -> None:
    @server.route("/limited")
    def limited(h: RequestHandler) -> None:
        if len(server.requests) == 1:
            wait = (
                "1" if kind == "seconds" else email.utils.formatdate(time.time() + 2, usegmt=True)
            )
            h.reply(429, b"slow down", {"Retry-After": wait})
        else:
            h.reply(200, b"ok")

    result = get(server.url("/limited"), settings(retries=1, backoff=0))

    assert result.content == b"ok"
    gap = server.requests[1].at - server.requests[0].at
    assert 0.9 <= gap < 3.5


def test_too_long_retry_after_gives_up_at_once(server: LocalServer) -> None:
    @server.route("/down")
    def down(h: RequestHandler) -> None:
        h.reply(503, b"maintenance", {"Retry-After": "3600"})

    started = time.monotonic()
    error = fails(server.url("/down"), settings(retries=3, max_retry_after=10))

    assert time.monotonic() - started < 1
    assert len(server.requests) == 1
    assert error.status == 503
    assert error.retry_after == 3600
    assert error.retryable
    assert str(error).startswith("HTTP 503 Service Unavailable")


def test_not_found_is_not_retried(server: LocalServer) -> None:
    error = fails(server.url("/missing"), settings(retries=3))

    assert len(server.requests) == 1
    assert error.status == 404
    assert not error.retryable
    assert error.message == "HTTP 404 Not Found"
    assert error.url == server.url("/missing")
    assert error.response is not None
    assert error.response.content == b"not found"  # the page, kept for the caller to look at
    assert error.response.status_code == 404


def test_error_pages_are_kept_decoded_and_capped(server: LocalServer) -> None:
    @server.route("/check")
    def check(h: RequestHandler) -> None:
        h.reply(
            403, gzip.compress(b"<title>Just a moment...</title>"), {"Content-Encoding": "gzip"}
        )

    @server.route("/huge")
    def huge(h: RequestHandler) -> None:
        h.stream(_endless(), {"Content-Length": str(50 * MB)}, status=500)

    check_error = fails(server.url("/check"))
    assert check_error.response is not None
    assert check_error.response.content == b"<title>Just a moment...</title>"
    huge_error = fails(server.url("/huge"), settings(retries=0))
    assert huge_error.status == 500
    assert huge_error.response is not None
    assert huge_error.response.content == b""


def test_parse_retry_after() -> None:
    now = email.utils.parsedate_to_datetime("Wed, 21 Oct 2015 07:28:00 GMT")
    assert parse_retry_after("120", now=now) == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:30:00 GMT", now=now) == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now=now) == 0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None


# -- redirects --------------------------------------------------------------------


def test_redirects_are_followed_and_relative_locations_resolved(server: LocalServer) -> None:
    @server.route("/a/start")
    def start(h: RequestHandler) -> None:
        h.reply(301, headers={"Location": "next"})

    @server.route("/a/next")
    def next_(h: RequestHandler) -> None:
        h.reply(302, headers={"Location": "/final?x=1"})

    @server.route("/final")
    def final(h: RequestHandler) -> None:
        h.reply(200, b"here")

    result = get(server.url("/a/start"))

    assert result.content == b"here"
    assert result.url == server.url("/a/start")
    assert result.final_url == server.url("/final?x=1")


def test_too_many_redirects(server: LocalServer) -> None:
    @server.route("*")
    def loop(h: RequestHandler) -> None:
        h.reply(307, headers={"Location": f"/hop{len(server.requests)}"})

    error = fails(server.url("/hop0"), settings(max_redirects=3, retries=2))

    assert "too many redirects" in str(error)
    assert len(server.requests) == 4  # the first request and three redirects


def test_redirect_to_another_scheme_is_refused(server: LocalServer) -> None:
    @server.route("/away")
    def away(h: RequestHandler) -> None:
        h.reply(302, headers={"Location": "file:///etc/passwd"})

    error = fails(server.url("/away"))

    assert "not an http(s) URL" in str(error)


@pytest.mark.parametrize("url", ["ftp://example.com/x", "not a url", "http://", "http://[::1/"])
def test_urls_that_are_not_http_are_refused(url: str) -> None:
    error = fails(url)
    assert not error.retryable


# -- bounds -----------------------------------------------------------------------


def _endless(total: int = 50 * MB, chunk: int = 64 * 1024) -> Iterator[bytes]:
    block = b"x" * chunk
    for _ in range(total // chunk):
        yield block


@pytest.mark.parametrize("declared", [None, str(50 * MB)])
def test_large_bodies_are_cut_off(server: LocalServer, declared: str | None) -> None:
    @server.route("/big")
    def big(h: RequestHandler) -> None:
        h.stream(_endless(), {"Content-Length": declared} if declared else {})

    started = time.monotonic()
    error = fails(server.url("/big"), settings(max_bytes=MB))

    assert isinstance(error, TooLargeError)
    assert time.monotonic() - started < 5


def test_lying_content_length_cannot_stretch_the_body(server: LocalServer) -> None:
    @server.route("/liar")
    def liar(h: RequestHandler) -> None:
        h.stream(_endless(), {"Content-Length": "2048"})

    assert len(get(server.url("/liar"), settings(max_bytes=MB)).content) == 2048


def _bomb(coding: str) -> bytes:
    zeros = bytes(50 * MB)
    return gzip.compress(zeros, 6) if coding == "gzip" else brotli.compress(zeros, quality=5)


@pytest.mark.parametrize("coding", ["gzip", "br"])
def test_compression_bombs_are_cut_off(server: LocalServer, coding: str) -> None:
    bomb = _bomb(coding)

    @server.route("/bomb")
    def serve_bomb(h: RequestHandler) -> None:
        h.reply(200, bomb, {"Content-Encoding": coding})

    assert len(bomb) < MB  # the wire size is under the cap; the decoded size is not
    error = fails(server.url("/bomb"), settings(max_bytes=MB))

    assert isinstance(error, TooLargeError)


def test_slow_drip_is_cut_off_by_the_total_deadline(server: LocalServer) -> None:
    @server.route("/drip")
    def drip(h: RequestHandler) -> None:
        def trickle() -> Iterator[bytes]:
            for _ in range(20):
                yield b"."
                time.sleep(0.5)

        h.stream(trickle(), {"Content-Length": "20"})

    started = time.monotonic()
    error = fails(server.url("/drip"), settings(read_timeout=2, total_timeout=1, retries=0))

    assert 0.9 <= time.monotonic() - started < 2
    assert "longer than 1 s" in str(error)
    assert error.retryable


def test_stalled_server_hits_the_read_timeout(server: LocalServer) -> None:
    @server.route("/stall")
    def stall(h: RequestHandler) -> None:
        h.stream(iter([b"x"]), {"Content-Length": "10"})
        time.sleep(2)

    started = time.monotonic()
    error = fails(server.url("/stall"), settings(read_timeout=0.3, retries=0))

    assert time.monotonic() - started < 1.5
    assert "timed out" in str(error)


# -- politeness ---------------------------------------------------------------------


def _fetch_many(url: str, count: int, fetch_settings: FetchSettings) -> list[FetchResult]:
    async def many() -> list[FetchResult]:
        async with Fetcher(fetch_settings, allowed_networks=LOOPBACK) as fetcher:
            return await asyncio.gather(*(fetcher.fetch(f"{url}?n={n}") for n in range(count)))

    return run(many)


@pytest.mark.parametrize(
    ("per_host", "overall", "expected"), [(2, 16, 2), (8, 3, 3)], ids=["per-host", "overall"]
)
def test_concurrency_limits_are_respected(
    server: LocalServer, per_host: int, overall: int, expected: int
) -> None:
    @server.route("/slow")
    def slow(h: RequestHandler) -> None:
        time.sleep(0.2)
        h.reply(200, b"ok")

    limits = settings(per_host_concurrency=per_host, concurrency=overall)
    results = _fetch_many(server.url("/slow"), 8, limits)

    assert len(results) == 8
    assert server.max_active == expected


def test_requests_to_one_host_are_spaced(server: LocalServer) -> None:
    @server.route("/page")
    def page(h: RequestHandler) -> None:
        h.reply(200, b"ok")

    _fetch_many(server.url("/page"), 3, settings(per_host_delay=0.2, per_host_concurrency=3))

    times = sorted(r.at for r in server.requests)
    assert all(b - a >= 0.18 for a, b in itertools.pairwise(times))


def test_a_busy_host_does_not_hold_up_the_others(server: LocalServer) -> None:
    @server.route("/slow")
    def slow(h: RequestHandler) -> None:
        time.sleep(0.3)
        h.reply(200, b"ok")

    with serve("127.0.0.2") as other:
        other.routes["/"] = lambda h: h.reply(200, b"quick")

        async def mixed() -> float:
            limits = settings(concurrency=3, per_host_concurrency=1)
            async with Fetcher(limits, allowed_networks=LOOPBACK) as fetcher:
                started = time.monotonic()
                busy = [fetcher.fetch(server.url(f"/slow?n={n}")) for n in range(3)]
                await asyncio.gather(*busy, fetcher.fetch(other.url()))
                return other.requests[0].at - started

        assert run(mixed) < 0.25


def test_redirect_across_hosts_with_one_slot(server: LocalServer) -> None:
    with serve("127.0.0.2") as other:
        other.routes["/"] = lambda h: h.reply(302, headers={"Location": server.url("/end")})
        server.routes["/end"] = lambda h: h.reply(200, b"end")

        async def both() -> tuple[FetchResult, FetchResult]:
            async with Fetcher(settings(concurrency=1), allowed_networks=LOOPBACK) as fetcher:
                work = asyncio.gather(fetcher.fetch(other.url()), fetcher.fetch(server.url("/end")))
                return await asyncio.wait_for(work, 5)

        assert [r.content for r in run(both)] == [b"end", b"end"]


# -- the network guard ----------------------------------------------------------------

REFUSED_HOSTS = [
    "127.0.0.1",
    "localhost",
    "localhost.",
    "2130706433",
    "0177.0.0.1",
    "0x7f000001",
    "0x7f.0.0.1",
    "127.1",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "0.0.0.0",
    "10.0.0.1",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "[fe80::1]",
    "[fc00::1]",
    "224.0.0.1",
]


@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_guard_refuses_internal_hosts_before_connecting(server: LocalServer, host: str) -> None:
    async def attempt() -> tuple[BaseException, int]:
        async with Fetcher(settings(retries=2, connect_timeout=1)) as fetcher:
            with pytest.raises(BlockedAddressError) as caught:
                await fetcher.fetch(f"http://{host}:{server.port}/")
            return caught.value, fetcher.connect_attempts

    started = time.monotonic()
    error, attempts = run(attempt)

    assert time.monotonic() - started < 1
    assert attempts == 0
    assert server.connections == 0
    assert str(error).startswith("refused to connect to ")


def test_guard_message_names_address_and_reason(server: LocalServer) -> None:
    with pytest.raises(BlockedAddressError) as caught:
        get(f"http://0x7f000001:{server.port}/x", settings(), allowed=["192.0.2.0/24"])
    assert caught.value.message == "refused to connect to 127.0.0.1 (loopback)"
    assert not caught.value.retryable


@pytest.mark.parametrize("target", ["127.0.0.1", "localhost", "2130706433", "[::ffff:127.0.0.1]"])
def test_redirect_from_an_allowed_host_to_an_internal_one_is_refused(
    server: LocalServer, target: str
) -> None:
    with serve("127.0.0.2") as public:

        @public.route("/go")
        def go(h: RequestHandler) -> None:
            h.reply(302, headers={"Location": f"http://{target}:{server.port}/admin"})

        with pytest.raises(BlockedAddressError):
            get(public.url("/go"), settings(retries=2), allowed=["127.0.0.2/32"])

        assert len(public.requests) == 1
    assert server.connections == 0


def test_allowed_networks_let_a_range_through_and_no_more() -> None:
    with serve("127.0.0.2") as public:
        public.routes["/"] = lambda h: h.reply(200, b"public")
        assert get(public.url(), allowed=["127.0.0.2/32"]).content == b"public"
        with pytest.raises(BlockedAddressError):
            get(public.url(), allowed=["127.0.0.3/32"])


def test_allow_private_networks_turns_the_guard_off(server: LocalServer) -> None:
    server.routes["/"] = lambda h: h.reply(200, b"internal")
    result = get(server.url(), settings(allow_private_networks=True), allowed=["192.0.2.0/24"])
    assert result.content == b"internal"


def test_host_header_keeps_the_name_while_the_vetted_ip_is_dialled(server: LocalServer) -> None:
    server.routes["/"] = lambda h: h.reply(200, b"ok")
    get(f"http://localhost:{server.port}/")
    assert server.requests[0].headers["host"] == f"localhost:{server.port}"


# -- TLS ---------------------------------------------------------------------------------


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, list[str | None]]]:
    """A TLS listener with a self-signed certificate that records the SNI it is sent."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
        check=True, capture_output=True,
    )  # fmt: skip
    names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _ctx: names.append(name)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)

    def accept() -> None:
        with contextlib.suppress(OSError):
            conn, _ = listener.accept()
            with context.wrap_socket(conn, server_side=True) as tls:
                tls.recv(1)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1], names
    listener.close()
    thread.join(timeout=5)


def test_tls_uses_the_host_name_for_sni_and_bad_certificates_are_not_retried(
    tls_server: tuple[int, list[str | None]],
) -> None:
    port, names = tls_server
    error = fails(f"https://localhost:{port}/", settings(retries=2))

    assert names == ["localhost"]
    assert "TLS" in str(error)
    assert not error.retryable
