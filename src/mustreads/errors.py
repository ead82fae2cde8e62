"""The one exception tree of mustreads.

Every error the library raises on purpose derives from :class:`MustreadsError`.
Each class carries a default message and optional context (``url``,
``source_id``, ``backend``) so the CLI and the web app can print one useful
line without knowing where it came from. ``exit_code`` says how the CLI ends:
2 for bad input or configuration, 1 for a failure at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mustreads.models import FetchResult


class MustreadsError(Exception):
    """Base of every error mustreads raises on purpose."""

    _default_message = "mustreads failed"
    exit_code = 1

    def __init__(
        self,
        message: str | None = None,
        *,
        url: str | None = None,
        source_id: int | None = None,
        backend: str | None = None,
    ) -> None:
        self.message = message or self._default_message
        self.url = url
        self.source_id = source_id
        self.backend = backend
        super().__init__(self.message)

    def __str__(self) -> str:
        context = [
            f"{name}={value}"
            for name, value in (("backend", self.backend), ("url", self.url))
            if value is not None
        ]
        return f"{self.message} ({', '.join(context)})" if context else self.message


class UserError(MustreadsError):
    """The user asked for something that cannot be done as asked (exit code 2)."""

    _default_message = "invalid input"
    exit_code = 2


class ConfigError(UserError):
    """A setting is missing or invalid."""

    _default_message = "invalid configuration"


class InvalidURLError(UserError):
    """A string that should be an http(s) URL is not one."""

    _default_message = "not an http(s) URL"


class NotFoundError(UserError):
    """A feed, link, issue or file named by the user does not exist."""

    _default_message = "not found"


class EditError(UserError):
    """An edited draft cannot be read back; ``line`` is 1-based in the edited text."""

    _default_message = "cannot read the edited draft"

    def __init__(self, reason: str, *, line: int) -> None:
        self.reason = reason
        self.line = line
        super().__init__(f"line {line}: {reason}")


class StoreError(MustreadsError):
    """The database cannot be opened or migrated."""

    _default_message = "store error"


class FetchError(MustreadsError):
    """A download failed; ``retry_after`` is the server's wish in seconds, if it said one.

    ``response`` holds the (size-capped) error response when there was one, so
    that a caller can still look at it, e.g. to recognize a bot-check page.
    """

    _default_message = "fetch failed"

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        retryable: bool = False,
        response: FetchResult | None = None,
        **context: object,
    ) -> None:
        super().__init__(message, **context)  # type: ignore[arg-type]
        self.status = status
        self.retry_after = retry_after
        self.retryable = retryable
        self.response = response


class BlockedAddressError(FetchError):
    """The network guard refused an address (loopback, private, link-local …)."""

    _default_message = "refused to connect to an internal address"


class TooLargeError(FetchError):
    """A response body went past the configured cap."""

    _default_message = "response body too large"


class ParseError(MustreadsError):
    """A feed or OPML document could not be parsed."""

    _default_message = "could not parse document"


class OPMLError(ParseError, UserError):
    """An OPML file given by the user is unreadable (exit code 2)."""

    _default_message = "unreadable OPML"
    exit_code = 2


class ExtractError(MustreadsError):
    """No article could be extracted from a page."""

    _default_message = "extraction failed"


class BackendError(UserError):
    """A backend named in the configuration is not registered."""

    _default_message = "unknown backend"
