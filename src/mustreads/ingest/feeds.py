"""Feeds from outside, turned into :class:`ParsedFeed` objects with sanitized entries.

RSS 0.9x, 1.0 (RDF) and 2.0 and Atom are read by feedparser, used only as a parser
of the bytes handed to it: it gets a file object (given ``bytes`` it would try
them as a local file name first, given a ``str`` URL it would fetch it) and it
neither sanitizes nor is trusted to; every piece of HTML kept goes through
:func:`mustreads.ingest.sanitize.sanitize_html`. JSON Feed 1.0 and 1.1 are read
here with :mod:`json` because feedparser 6.0 does not know them.

Before feedparser sees a document, one whose prolog declares a DTD internal subset
(``<!DOCTYPE x [ … ]>``, where entities are declared: billion laughs, external
entities) is refused outright. feedparser keeps "safe" entity declarations and
expat expands them; we would rather never get there. An external DTD reference
alone (RSS 0.91's Netscape DOCTYPE) is harmless: nothing fetches it.

Relative links: an Atom or JSON entry's are resolved against the feed URL, the
document's base (RFC 3986 §5.1), with ``xml:base`` honoured. RSS has no notion of a
base and its relative links are in practice written against the site, so an RSS
entry's are resolved against the channel's ``<link>`` (itself resolved against the
feed URL); the two agree whenever feed and site share a host, and only the site
is right when the feed is served from elsewhere.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import escape
from typing import Any
from urllib.parse import urljoin
from xml.sax import SAXParseException

import feedparser

from mustreads.errors import InvalidURLError, ParseError
from mustreads.ingest.sanitize import clean_text, sanitize_html
from mustreads.ingest.urls import canonicalize_url, parse_http_url
from mustreads.ingest.xmlguard import declares_dtd
from mustreads.models import FeedEntry, ParsedFeed

__all__ = ["parse_feed"]

_AUTHOR_MAX_LENGTH = 200
_MESSAGE_MAX_LENGTH = 200
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_EMAIL_RE = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_JSON_FEED_VERSION_RE = re.compile(r"https?://jsonfeed\.org/version/(\S+)")
_JSON_FORMATS = {"1": "json10", "1.0": "json10", "1.1": "json11"}
#: What feedparser itself has been seen to raise, instead of setting ``bozo``, on
#: malformed input. MemoryError, KeyboardInterrupt and the like still propagate.
_FEEDPARSER_BUGS = (
    ArithmeticError, AssertionError, AttributeError, LookupError, RecursionError, TypeError,
    ValueError,
)  # fmt: skip


def parse_feed(content: bytes, *, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """The feed in ``content``, fetched from ``url`` with response ``headers``.

    Entries without a usable http(s) link are skipped; later duplicates (same guid
    or same canonical URL) are dropped. Raises :class:`ParseError` when nothing
    usable comes out: not a feed, malformed, no entries, or DTD declarations.
    """
    headers = {name.lower(): value for name, value in (headers or {}).items()}
    if content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return _parse_json_feed(content, url)
    if declares_dtd(content, headers.get("content-type", "")):
        raise ParseError("feed declares XML entities (refused)", url=url)
    return _parse_xml_feed(content, url, headers)


# --- the DTD guard ----------------------------------------------------------------


def _parse_xml_feed(content: bytes, url: str, headers: Mapping[str, str]) -> ParsedFeed:
    response_headers = (
        {"content-type": headers["content-type"]} if "content-type" in headers else {}
    )
    # feedparser resolves nested xml:base correctly only from an absolute base; without
    # xml:base we resolve ourselves, which lets RSS links resolve against the site.
    uses_xml_base = any(
        marker in content
        for marker in (b"xml:base", "xml:base".encode("utf-16-le"), "xml:base".encode("utf-16-be"))
    )
    if uses_xml_base:
        response_headers["content-location"] = url
    try:
        parsed = feedparser.parse(
            io.BytesIO(content),
            response_headers=response_headers,
            resolve_relative_uris=True,
            sanitize_html=False,
        )
    except _FEEDPARSER_BUGS as error:
        # feedparser has bugs that hostile input reaches (a stray byte in a namespace URI
        # makes its SAX handler raise ValueError); for us that is one more bad document.
        raise ParseError(f"malformed XML: {_error_message(error)}", url=url) from error
    version: str = parsed.get("version") or ""
    if not parsed.entries:
        raise _empty_feed_error(content, headers, parsed, version, url)

    feed = parsed.feed
    site_url = _absolute(feed.get("link"), url)
    is_rss = version.startswith("rss")
    link_base = (site_url or url) if is_rss else url
    feed_author = None if is_rss else _author(feed)
    return _collect(
        format=version or "unknown",
        title=_text_of(feed.get("title"), feed.get("title_detail")),
        site_url=site_url,
        entries=(
            _entry_from_feedparser(raw, link_base, is_rss=is_rss, feed_author=feed_author)
            for raw in parsed.entries
        ),
        url=url,
    )


def _empty_feed_error(
    content: bytes, headers: Mapping[str, str], parsed: Any, version: str, url: str
) -> ParseError:
    head = content[:1024].decode("latin-1").lower()
    if headers.get("content-type", "").lower().startswith("text/html") or re.search(
        r"<!doctype\s+html|<html[\s>]", head
    ):
        return ParseError("not a feed: looks like HTML", url=url)
    if parsed.get("bozo"):
        return ParseError(f"malformed XML: {_error_message(parsed.get('bozo_exception'))}", url=url)
    if not version:
        return ParseError("not a feed: unrecognized format", url=url)
    return ParseError("feed has no entries", url=url)


def _error_message(error: object) -> str:
    if isinstance(error, SAXParseException):
        line, column = error.getLineNumber(), error.getColumnNumber()
        message = f"{error.getMessage()} at line {line}, column {column}"
    else:
        message = (
            f"{type(error).__name__}: {error}"
            if isinstance(error, _FEEDPARSER_BUGS)
            else str(error)
        )
    return clean_text(message, markup=False, max_length=_MESSAGE_MAX_LENGTH)


def _entry_from_feedparser(
    raw: Any, base: str, *, is_rss: bool, feed_author: str | None
) -> FeedEntry | None:
    hrefs = _alternate_hrefs(raw.get("links") or [])
    if is_rss and raw.get("guidislink") and raw.get("link"):
        hrefs.append(raw["link"])  # <guid> with isPermaLink true (the default) and no <link>
    url = _first_http_url(hrefs, base)
    if url is None:
        return None
    content = next((item for item in raw.get("content") or [] if item.get("value")), None)
    detail = content or raw.get("summary_detail") or {"value": raw.get("summary")}
    return FeedEntry(
        url=url,
        guid=_guid(raw.get("id")),
        title=_text_of(raw.get("title"), raw.get("title_detail")),
        summary=_summary(
            detail.get("value"), detail.get("type"), urljoin(base, detail.get("base") or "")
        ),
        author=_author(raw) or feed_author,
        # dict.get: FeedParserDict.get("updated_parsed") warns and falls back on its own
        published_at=_struct_time_to_utc(
            dict.get(raw, "published_parsed") or dict.get(raw, "updated_parsed")
        ),
    )


def _alternate_hrefs(links: Iterable[Mapping[str, Any]]) -> list[str]:
    """hrefs of alternate links, those to web pages first."""
    alternates = [
        link
        for link in links
        if (link.get("rel") or "alternate") == "alternate" and isinstance(link.get("href"), str)
    ]
    alternates.sort(key=lambda link: (link.get("type") or "text/html") not in _HTML_TYPES)
    return [link["href"] for link in alternates]


def _author(item: Any) -> str | None:
    detail = item.get("author_detail") or {}
    name = detail.get("name") or item.get("author")
    if not isinstance(name, str) or _EMAIL_RE.fullmatch(name.strip()):
        return None  # an address alone is no byline
    return clean_text(name, max_length=_AUTHOR_MAX_LENGTH) or None


def _text_of(value: object, detail: Mapping[str, Any] | None) -> str | None:
    if not isinstance(value, str):
        return None
    markup = (detail or {}).get("type") in _HTML_TYPES
    return clean_text(value, markup=markup) or None


def _struct_time_to_utc(value: Any) -> datetime | None:
    # feedparser's *_parsed are UTC struct_times
    try:
        if not value:
            return None
        year, month, day, hour, minute, second = value[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


# --- JSON Feed ------------------------------------------------------------------------


def _parse_json_feed(content: bytes, url: str) -> ParsedFeed:
    try:
        document = json.loads(content)
    except (ValueError, RecursionError) as error:  # ValueError covers bad UTF-8 too
        message = clean_text(str(error), markup=False, max_length=_MESSAGE_MAX_LENGTH)
        raise ParseError(f"malformed JSON: {message}", url=url) from error
    version = document.get("version") if isinstance(document, dict) else None
    match = _JSON_FEED_VERSION_RE.fullmatch(version.strip()) if isinstance(version, str) else None
    if match is None:
        raise ParseError("not a feed: JSON without a JSON Feed version", url=url)
    items = document.get("items")
    if not isinstance(items, list) or not items:
        raise ParseError("feed has no entries", url=url)
    feed_author = _json_author(document)
    return _collect(
        format=_JSON_FORMATS.get(match.group(1), "json"),
        title=_json_text(document.get("title")),
        site_url=_absolute(document.get("home_page_url"), url),
        entries=(
            _entry_from_json(item, url, feed_author) for item in items if isinstance(item, dict)
        ),
        url=url,
    )


def _entry_from_json(item: dict[str, Any], base: str, feed_author: str | None) -> FeedEntry | None:
    url = _first_http_url(
        [value for value in (item.get("url"), item.get("external_url")) if isinstance(value, str)],
        base,
    )
    if url is None:
        return None
    summary = None
    for key, kind in (("content_html", "text/html"), ("content_text", "text"), ("summary", "text")):
        summary = _summary(item.get(key), kind, url)
        if summary:
            break
    return FeedEntry(
        url=url,
        guid=_guid(item.get("id")),
        title=_json_text(item.get("title")),
        summary=summary,
        author=_json_author(item) or feed_author,
        published_at=_iso_to_utc(item.get("date_published") or item.get("date_modified")),
    )


def _json_text(value: object) -> str | None:
    return (clean_text(value, markup=False) or None) if isinstance(value, str) else None


def _json_author(item: Mapping[str, Any]) -> str | None:
    authors = item.get("authors")  # 1.1
    candidates = list(authors) if isinstance(authors, list) else []
    candidates.append(item.get("author"))  # 1.0
    for author in candidates:
        if isinstance(author, dict) and isinstance(author.get("name"), str):
            name = clean_text(author["name"], markup=False, max_length=_AUTHOR_MAX_LENGTH)
            if name:
                return name
    return None


def _iso_to_utc(value: object) -> datetime | None:
    """An RFC 3339 date (JSON Feed's), also taking RFC 822 ones; naive ones read as UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            moment = parsedate_to_datetime(value.strip())
        except (TypeError, ValueError, IndexError):
            return None
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 pushed past the range by its offset
        return None


# --- shared ------------------------------------------------------------------------


def _absolute(href: object, base: str) -> str | None:
    if not isinstance(href, str) or not href.strip():
        return None
    return _first_http_url([href], base)


def _first_http_url(hrefs: Iterable[str], base: str) -> str | None:
    for href in hrefs:
        try:
            return parse_http_url(urljoin(base, href.strip()))
        except (InvalidURLError, ValueError):
            continue
    return None


def _guid(value: object) -> str | None:
    """An entry's id as text; JSON Feeds in the wild sometimes give a number."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def _summary(value: object, kind: object, base: str) -> str | None:
    """Sanitized HTML of an entry's text; plain text is escaped into paragraphs first."""
    if not isinstance(value, str) or not value.strip():
        return None
    if kind not in _HTML_TYPES:
        paragraphs = re.split(r"\n\s*\n", value.strip())
        value = "".join(f"<p>{escape(paragraph.strip())}</p>" for paragraph in paragraphs)
    return sanitize_html(value, base_url=base) or None


def _collect(
    *,
    format: str,
    title: str | None,
    site_url: str | None,
    entries: Iterable[FeedEntry | None],
    url: str,
) -> ParsedFeed:
    """The ParsedFeed; entries keep feed order, less those whose guid or canonical URL
    came before."""
    unique: list[FeedEntry] = []
    guids: set[str] = set()
    urls: set[str] = set()
    for entry in entries:
        if entry is None:
            continue
        canonical = canonicalize_url(entry.url)
        if canonical in urls or (entry.guid is not None and entry.guid in guids):
            continue
        urls.add(canonical)
        if entry.guid is not None:
            guids.add(entry.guid)
        unique.append(entry)
    if not unique:
        raise ParseError("feed has no entries with a link", url=url)
    return ParsedFeed(format=format, title=title, site_url=site_url, entries=unique)
