"""Parse the many ways pages write a publication date into aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_FORMATS = (
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y%m%d",
    "%Y%m%d%H%M%S",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d, %Y %I:%M %p",
    "%b %d, %Y %I:%M %p",
    "%d %B %Y",
    "%d %b %Y",
    "%A, %B %d, %Y",
)
_ISO_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_TRAILING_TZ_NAME = re.compile(r"\s+(?:UTC|GMT|Z)$", re.IGNORECASE)
# Years outside this range are typos or placeholders (0000-00-00, 1970-01-01 epochs).
_MIN_YEAR, _MAX_YEAR = 1990, 2100


def parse_date(value: str | None) -> datetime | None:
    """An aware UTC datetime, or None when ``value`` is not a plausible date.

    A date without a time zone is taken to be UTC.
    """
    if not value:
        return None
    text = value.strip()
    if not text or len(text) > 64:
        return None
    parsed = _parse(text)
    if parsed is None or not _MIN_YEAR <= parsed.year <= _MAX_YEAR:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _parse(text: str) -> datetime | None:
    if _ISO_LIKE.match(text):
        iso = text.replace(" ", "T", 1) if " " in text[:11] else text
        iso = _TRAILING_TZ_NAME.sub("Z", iso)
        try:
            return datetime.fromisoformat(iso)
        except ValueError:
            pass
    if text.isdigit() and len(text) in (10, 13):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(seconds, UTC)
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    bare = _TRAILING_TZ_NAME.sub("", text)
    for fmt in _FORMATS:
        try:
            return datetime.strptime(bare, fmt)
        except ValueError:
            continue
    return None
