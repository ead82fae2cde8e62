"""The fetcher: the only code in mustreads that opens outbound connections.

One :class:`Fetcher` owns one ``httpx.AsyncClient`` whose connections go through
the network guard (:mod:`mustreads.ingest.netguard`). Everything it downloads is
bounded: concurrency overall and per host, a minimum delay between requests to a
host, connect/read timeouts and a total deadline per attempt, redirects followed
one by one (each hop checked by the guard), and a body cap on the decoded size, so
a compression bomb cannot expand past it either.
"""

from __future__ import annotations

import asyncio
import random
import ssl
import zlib
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import partial
from http import HTTPStatus
from typing import Protocol
from urllib.parse import urlsplit

import brotli
import httpx

from mustreads.config import FetchSettings
from mustreads.errors import FetchError, TooLargeError
from mustreads.ingest.netguard import GuardedNetworkBackend, GuardedTransport, NetworkGuard
from mustreads.models import FetchResult

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_ACCEPT_ENCODING = "gzip, deflate, br"
_ERROR_BODY_CAP = 512 * 1024  # enough for any error or bot-check page worth reading


class Fetcher:
    """Downloads URLs politely and safely; use as ``async with Fetcher(settings) as f``.

    ``allowed_networks`` (CIDR strings) are let through the guard although internal,
    e.g. a company intranet, or a test server on 127.0.0.2 while 127.0.0.1 stays refused.
    """

    def __init__(self, settings: FetchSettings, *, allowed_networks: Sequence[str] = ()) -> None:
        self.settings = settings
        guard = NetworkGuard(allowed_networks, enabled=not settings.allow_private_networks)
        self._backend = GuardedNetworkBackend(guard)
        limits = httpx.Limits(max_connections=settings.concurrency)
        self._client = httpx.AsyncClient(
            transport=GuardedTransport(self._backend, limits=limits),
            timeout=httpx.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.read_timeout,
                pool=settings.total_timeout,
            ),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": _ACCEPT_ENCODING},
            follow_redirects=False,  # followed by hand so that every hop is checked
            trust_env=False,  # no proxy or netrc from the environment
        )
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, _HostGate] = {}

    @property
    def connect_attempts(self) -> int:
        """TCP connections this fetcher has tried to open (reused ones count once)."""
        return self._backend.connect_attempts

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        """GET ``url``, following redirects and retrying transient failures.

        Raises BlockedAddressError when the guard refuses an address, TooLargeError
        past ``max_bytes``, and FetchError (with ``status``, ``retry_after`` and
        ``retryable``) for everything else, a URL that is not http(s) included.
        """
        target = self._check_url(url, original=url)
        headers: dict[str, str] = {}
        if accept:
            headers["Accept"] = accept
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempt = 0
        while True:
            try:
                return await self._attempt(url, target, headers)
            except FetchError as exc:
                if exc.url is None:
                    exc.url = url
                delay = self._retry_delay(exc, attempt)
                if delay is None:
                    raise
            attempt += 1
            await asyncio.sleep(delay)

    def _retry_delay(self, exc: FetchError, attempt: int) -> float | None:
        """Seconds to wait before retrying after ``exc``, or None to give up now."""
        if not exc.retryable or attempt >= self.settings.retries:
            return None
        if exc.retry_after is not None:
            if exc.retry_after > self.settings.max_retry_after:
                return None  # the caller schedules the next attempt from retry_after
            return exc.retry_after
        # Jitter spreads the retries of many fetchers that failed together.
        return float(self.settings.backoff * 2**attempt * random.uniform(0.8, 1.2))

    async def _attempt(self, url: str, target: httpx.URL, headers: dict[str, str]) -> FetchResult:
        """One try: the redirect chain and the body, within ``total_timeout``."""
        loop = asyncio.get_running_loop()
        started: float | None = None
        redirects = 0
        try:
            async with asyncio.timeout(None) as budget:
                while True:
                    async with self._turn(target.host):
                        if started is None:  # time queued for a turn is not download time
                            started = loop.time()
                            budget.reschedule(started + self.settings.total_timeout)
                        request = self._client.build_request("GET", target, headers=headers)
                        response = await self._client.send(request, stream=True)
                        try:
                            location = response.headers.get("location")
                            if response.status_code not in _REDIRECT_STATUSES or not location:
                                return await self._finish(url, response, started)
                        finally:
                            await response.aclose()
                    redirects += 1
                    if redirects > self.settings.max_redirects:
                        raise FetchError(
                            f"too many redirects (more than {self.settings.max_redirects})"
                        )
                    target = self._redirect_target(target, location, original=url)
        except TimeoutError as exc:
            raise FetchError(
                f"download took longer than {self.settings.total_timeout:g} s", retryable=True
            ) from exc
        except httpx.HTTPError as exc:
            raise _transport_error(exc) from exc

    def _check_url(self, raw: str, *, original: str) -> httpx.URL:
        """Parse an http(s) URL and let the guard look at its host before any request.

        A bad URL is a FetchError, not an InvalidURLError: it comes from a feed or a
        redirect as often as from the user, and the batch records it on the row.
        """
        try:
            parts = urlsplit(raw.strip())
            hostname = parts.hostname
            if parts.scheme.lower() not in ("http", "https") or not hostname:
                raise ValueError("not http(s)")
            self._backend.guard.check_host(hostname, url=original)
            parsed = httpx.URL(raw.strip())
        except (ValueError, httpx.InvalidURL) as exc:
            raise FetchError(f"not an http(s) URL: {raw}", url=original) from exc
        # httpx's reading of the host is what gets dialled; check it too in case they differ.
        self._backend.guard.check_host(parsed.raw_host.decode("ascii"), url=original)
        return parsed

    def _redirect_target(self, current: httpx.URL, location: str, *, original: str) -> httpx.URL:
        try:
            joined = str(current.join(location))
        except httpx.InvalidURL as exc:
            raise FetchError(f"redirect to an invalid URL: {location}") from exc
        return self._check_url(joined, original=original)

    async def _finish(self, url: str, response: httpx.Response, started: float) -> FetchResult:
        loop = asyncio.get_running_loop()
        headers = dict(response.headers.items())  # lower-case keys, repeats joined by ", "
        status = response.status_code
        final_url = str(response.url)
        if status == 304:
            return FetchResult(url, final_url, status, headers, b"", True, loop.time() - started)
        if 200 <= status < 300:
            content = await self._read_body(response, self.settings.max_bytes)
            return FetchResult(
                url, final_url, status, headers, content, False, loop.time() - started
            )
        try:  # kept for the caller, e.g. to recognize a bot-check page
            content = await self._read_body(response, min(self.settings.max_bytes, _ERROR_BODY_CAP))
        except (FetchError, httpx.HTTPError):
            content = b""
        phrase = response.reason_phrase or _phrase(status)
        raise FetchError(
            f"HTTP {status} {phrase}".strip(),
            status=status,
            retry_after=parse_retry_after(headers.get("retry-after")),
            retryable=status in (408, 429) or status >= 500,
            response=FetchResult(
                url, final_url, status, headers, content, False, loop.time() - started
            ),
        )

    async def _read_body(self, response: httpx.Response, limit: int) -> bytes:
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > limit:
            raise TooLargeError(f"body of {declared} bytes is over the limit of {limit} bytes")
        body = _BodyDecoder(response.headers.get("content-encoding", ""), limit)
        received = 0
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received > limit:
                raise TooLargeError(f"body is over the limit of {limit} bytes")
            body.feed(chunk)
        return body.finish()

    @asynccontextmanager
    async def _turn(self, host: str) -> AsyncIterator[None]:
        """Wait until one more request may go to ``host``, and hold that right meanwhile.

        Always host first, then the global slot, and a slot is never held while waiting
        for a host: tasks queued behind a busy host cannot starve the others, and the
        redirect chain that moves between hosts cannot deadlock.
        """
        gate = self._hosts.get(host)
        if gate is None:
            gate = _HostGate(self.settings.per_host_concurrency, self.settings.per_host_delay)
            self._hosts[host] = gate
        async with gate.slots, self._slots:
            await gate.wait_for_spacing()
            yield


class _HostGate:
    """At most ``limit`` requests in flight to one host, started ``delay`` seconds apart."""

    def __init__(self, limit: int, delay: float) -> None:
        self.slots = asyncio.Semaphore(limit)
        self._spacing = asyncio.Lock()
        self._delay = delay
        self._next_start = 0.0

    async def wait_for_spacing(self) -> None:
        async with self._spacing:
            now = asyncio.get_running_loop().time()
            start = max(now, self._next_start)
            if start > now:
                await asyncio.sleep(start - now)
            self._next_start = start + self._delay


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or HTTP-date), or None."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if seconds == seconds and seconds != float("inf") else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _transport_error(exc: httpx.HTTPError) -> FetchError:
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchError("timed out connecting", retryable=True)
    if isinstance(exc, httpx.TimeoutException):
        return FetchError("timed out waiting for the server", retryable=True)
    if _caused_by(exc, ssl.SSLError):
        return FetchError(f"TLS failed: {detail}")  # a bad certificate stays bad
    if isinstance(exc, httpx.ConnectError):
        return FetchError(f"could not connect: {detail}", retryable=True)
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
        return FetchError(f"connection failed: {detail}", retryable=True)
    return FetchError(f"request failed: {detail}")


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    for _ in range(10):  # the chain is short; the bound guards against cycles
        if seen is None:
            return False
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class _Decoder(Protocol):
    name: str

    def decode(self, data: bytes, room: int) -> bytes:
        """Decode ``data``, producing at most ``room + 1`` bytes (more than room: too large)."""

    def flush(self, room: int) -> bytes: ...


class _ZlibDecoder:
    def __init__(self, name: str) -> None:
        self.name = name
        wbits = zlib.MAX_WBITS | 16 if name == "gzip" else zlib.MAX_WBITS
        self._zlib = zlib.decompressobj(wbits)
        self._started = False

    def decode(self, data: bytes, room: int) -> bytes:
        if self.name == "deflate" and not self._started and data:
            self._started = True
            try:
                return self._zlib.decompress(data, room + 1)
            except zlib.error:
                # "deflate" is often sent raw, without the zlib header the RFC asks for.
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
        self._started = True
        return self._zlib.decompress(data, room + 1)

    def flush(self, room: int) -> bytes:
        # decode() never leaves input unconsumed without overflowing, so this is small.
        return self._zlib.flush()


class _BrotliDecoder:
    name = "br"

    def __init__(self) -> None:
        self._brotli = brotli.Decompressor()

    def decode(self, data: bytes, room: int) -> bytes:
        # output_buffer_limit (brotli >= 1.2) stops a bomb expanding in one call.
        out: bytes = self._brotli.process(data, output_buffer_limit=room + 1)
        return out

    def flush(self, room: int) -> bytes:
        return b""


class _BodyDecoder:
    """Undoes Content-Encoding chunk by chunk, refusing to produce more than ``limit`` bytes."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        self._limit = limit
        self._parts: list[bytes] = []
        self._size = 0
        self._decoders: list[_Decoder] = []
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        for coding in reversed(codings):  # the last coding applied is undone first
            if coding in ("gzip", "x-gzip"):
                self._decoders.append(_ZlibDecoder("gzip"))
            elif coding == "deflate":
                self._decoders.append(_ZlibDecoder("deflate"))
            elif coding == "br":
                self._decoders.append(_BrotliDecoder())
            # identity and unknown codings pass through, as httpx does

    def feed(self, data: bytes, start: int = 0) -> None:
        for decoder in self._decoders[start:]:
            data = self._run(decoder, partial(decoder.decode, data))
        self._size += len(data)
        if self._size > self._limit:
            raise TooLargeError(f"body is over the limit of {self._limit} bytes")
        self._parts.append(data)

    def finish(self) -> bytes:
        for index, decoder in enumerate(self._decoders):
            self.feed(self._run(decoder, decoder.flush), index + 1)
        return b"".join(self._parts)

    def _run(self, decoder: _Decoder, step: Callable[[int], bytes]) -> bytes:
        room = self._limit - self._size
        try:
            out = step(room)
        except (zlib.error, brotli.error) as exc:
            raise FetchError(f"could not decode the {decoder.name} body: {exc}") from exc
        if len(out) > room:
            raise TooLargeError(f"decoded body is over the limit of {self._limit} bytes")
        return out
