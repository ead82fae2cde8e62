"""A client for any OpenAI-compatible chat-completions endpoint.

``POST {api_base}/chat/completions`` with ``model``, ``messages`` and
``temperature``; ``Authorization: Bearer <key>`` when a key is configured.
Works with Ollama, vLLM, llama.cpp's server, LM Studio and OpenAI itself.

This is, with ``ingest/fetch.py``, the only code that opens outbound
connections. It deliberately does not go through the fetcher's network guard
(SSRF protection): the endpoint is chosen by the operator in the settings, not
by a feed or a page, and is very often on loopback (Ollama on 127.0.0.1:11434),
which the guard exists to refuse.

Every limit comes from :class:`~mustreads.config.LLMSettings`: ``timeout`` for
one answer (a slow local model must be allowed to take its time), ``retries``
and ``backoff`` after a connection error, a timeout, a 429 or a 5xx (a
``Retry-After`` from the server is honoured, up to ``timeout`` seconds), and
``concurrency`` requests in flight at once.

A client belongs to one event loop: open it with ``async with`` inside the loop
that uses it.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Coroutine, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

import httpx

from mustreads.config import LLMSettings
from mustreads.errors import ConfigError, MustreadsError

T = TypeVar("T")

BACKEND = "llm"
KEY_HINT = "set llm.api_key_file or MUSTREADS_LLM__API_KEY"


class _AttemptFailed(Exception):
    """One attempt failed; ``retryable`` says whether another may succeed.

    Only :meth:`ChatClient.complete` sees it: it retries or raises a
    :class:`~mustreads.errors.MustreadsError` with the same message. (An
    ``LLMError(MustreadsError)`` with ``status`` and ``retryable`` in ``errors.py``
    would let callers tell the cases apart; until then they read the message.)
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        retry_after: float | None = None,
        unreachable: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after
        self.unreachable = unreachable


class ChatClient:
    """Sends chat messages to the configured endpoint and returns the answer text."""

    def __init__(self, settings: LLMSettings) -> None:
        self.settings = settings
        self.url = settings.api_base.rstrip("/") + "/chat/completions"
        if not self.url.startswith(("http://", "https://")):
            raise ConfigError(f"llm.api_base must be an http(s) URL, not {settings.api_base!r}")
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        key = settings.api_key.get_secret_value() if settings.api_key else ""
        if key:
            self._headers["Authorization"] = f"Bearer {key}"
        self._client: httpx.AsyncClient | None = None
        self._semaphore: asyncio.Semaphore | None = None
        # A refused key, an unknown model or an endpoint that cannot be reached
        # will fail every call the same way: remember it and stop asking.
        self._fatal: MustreadsError | None = None

    async def __aenter__(self) -> ChatClient:
        self._open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        self._client = None
        self._semaphore = None

    def _open(self) -> tuple[httpx.AsyncClient, asyncio.Semaphore]:
        if self._client is None or self._semaphore is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.settings.timeout),
                limits=httpx.Limits(max_connections=self.settings.concurrency),
                follow_redirects=False,
                trust_env=False,  # an operator's HTTP(S)_PROXY must not capture localhost calls
            )
            self._semaphore = asyncio.Semaphore(self.settings.concurrency)
        return self._client, self._semaphore

    async def complete(self, messages: Sequence[Mapping[str, str]]) -> str:
        """Send ``messages`` and return the assistant's answer (may be empty)."""
        body = {
            "model": self.settings.model,
            "messages": [dict(message) for message in messages],
            "temperature": self.settings.temperature,
            "stream": False,
        }
        attempts = self.settings.retries + 1
        for attempt in range(attempts):
            if self._fatal is not None:
                raise self._fatal
            try:
                return await self._attempt(body)
            except _AttemptFailed as exc:
                if exc.retryable and attempt < attempts - 1:
                    await asyncio.sleep(self._delay(attempt, exc.retry_after))
                    continue
                error = MustreadsError(exc.message, url=self.url, backend=BACKEND)
                if exc.unreachable:
                    self._fatal = error
                raise error from exc.__cause__
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            # Waiting longer than one answer may take is never worth it.
            return min(retry_after, self.settings.timeout)
        # Doubled each time, with up to 25% upward jitter so that parallel
        # requests that failed together do not come back together.
        return self.settings.backoff * 2.0**attempt * (1 + random.random() / 4)

    async def _attempt(self, body: dict[str, Any]) -> str:
        client, semaphore = self._open()
        async with semaphore:
            if self._fatal is not None:  # found out while this call waited its turn
                raise self._fatal
            try:
                # httpx's timeout bounds each phase; this bounds the whole answer.
                async with asyncio.timeout(self.settings.timeout):
                    response = await client.post(self.url, json=body, headers=self._headers)
            except (TimeoutError, httpx.TimeoutException) as exc:
                raise _AttemptFailed(
                    f"the LLM endpoint did not answer within {self.settings.timeout:g} s"
                    " (raise llm.timeout for a slow model)",
                    retryable=True,
                ) from exc
            except httpx.ConnectError as exc:
                raise _AttemptFailed(
                    f"cannot reach the LLM endpoint at {self.settings.api_base}: {exc}"
                    " (is the server running? check llm.api_base)",
                    retryable=True,
                    unreachable=True,
                ) from exc
            except httpx.TransportError as exc:
                raise _AttemptFailed(
                    f"the connection to the LLM endpoint failed: {exc!r}",
                    retryable=True,
                ) from exc
        return self._read(response)

    def _read(self, response: httpx.Response) -> str:
        status = response.status_code
        if status in (401, 403):
            self._fatal = ConfigError(
                f"the endpoint refused the API key (HTTP {status}): {KEY_HINT}",
                url=self.url,
                backend=BACKEND,
            )
            raise self._fatal
        if status == 404:
            self._fatal = ConfigError(
                f"the LLM endpoint does not know model {self.settings.model!r}"
                f" or the path (HTTP 404: {_error_message(response)});"
                " check llm.model and llm.api_base",
                url=self.url,
                backend=BACKEND,
            )
            raise self._fatal
        if status == 429 or status >= 500:
            raise _AttemptFailed(
                f"the LLM endpoint answered HTTP {status}: {_error_message(response)}",
                retryable=True,
                retry_after=parse_retry_after(response.headers.get("retry-after")),
            )
        if status >= 300:
            raise _AttemptFailed(
                f"the LLM endpoint answered HTTP {status}: {_error_message(response)}",
            )
        try:
            data = response.json()
            content = data["choices"][0]["message"]["content"]
        except (ValueError, LookupError, TypeError) as exc:
            raise _AttemptFailed(
                "the LLM endpoint sent an answer that is not a chat completion:"
                f" {response.text[:120]!r}",
            ) from exc
        if content is None:
            return ""
        if not isinstance(content, str):
            raise _AttemptFailed(
                f"the LLM answer content is not text: {type(content).__name__}",
            )
        return content


def _error_message(response: httpx.Response) -> str:
    """The server's own words for an error: OpenAI, Ollama and vLLM shapes, else the body."""
    try:
        data = response.json()
    except ValueError:
        return response.text[:200].strip() or response.reason_phrase
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])[:200]
    if isinstance(error, str):
        return error[:200]
    if isinstance(data, dict) and data.get("detail"):
        return str(data["detail"])[:200]
    return response.text[:200].strip()


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion from synchronous code.

    Backends have a synchronous interface; from inside a running event loop
    (the web app) ``asyncio.run`` is not allowed, so the coroutine then runs
    in its own loop on a worker thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
