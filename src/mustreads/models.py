"""Plain dataclasses of the domain.

Stage logic takes and returns these; only ``store/`` maps them to rows.
Times are timezone-aware UTC ``datetime`` objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from urllib.parse import urlsplit


def utcnow() -> datetime:
    return datetime.now(UTC)


class SourceKind(StrEnum):
    FEED = "feed"


class SourceStatus(StrEnum):
    NEW = "new"  # never fetched
    OK = "ok"
    UNHEALTHY = "unhealthy"  # fetched but parsed to nothing usable (malformed, zero entries)
    ERROR = "error"  # could not be fetched


class LinkOrigin(StrEnum):
    FEED = "feed"
    MANUAL = "manual"
    API = "api"


class LinkStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"  # fetched and extracted (the article row says how it went)
    FAILED = "failed"  # gave up after retries; last_error says why


class ArticleStatus(StrEnum):
    OK = "ok"
    BLOCKED = "blocked"  # bot check, captcha, error page: never summarized
    PAYWALLED = "paywalled"  # login or subscription stub: never summarized
    EMPTY = "empty"  # no main text found


@dataclass(slots=True)
class Source:
    url: str
    id: int | None = None
    kind: SourceKind = SourceKind.FEED
    title: str | None = None
    site_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    status: SourceStatus = SourceStatus.NEW
    added_at: datetime = field(default_factory=utcnow)
    last_fetched_at: datetime | None = None
    next_fetch_at: datetime | None = None
    error_count: int = 0
    last_error: str | None = None
    entries_seen: int = 0


@dataclass(slots=True)
class FeedEntry:
    """One entry of a parsed feed, its text already sanitized."""

    url: str
    guid: str | None = None
    title: str | None = None
    summary: str | None = None  # sanitized HTML from the feed, kept as fallback text
    author: str | None = None
    published_at: datetime | None = None


@dataclass(slots=True)
class ParsedFeed:
    format: str  # rss20, atom10, json11 … as feedparser (or our JSON Feed reader) names it
    title: str | None = None
    site_url: str | None = None
    entries: list[FeedEntry] = field(default_factory=list)


@dataclass(slots=True)
class Link:
    url: str
    canonical_url: str
    id: int | None = None
    origin: LinkOrigin = LinkOrigin.MANUAL
    source_id: int | None = None
    guid: str | None = None
    title: str | None = None
    feed_summary: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    added_at: datetime = field(default_factory=utcnow)
    note: str | None = None
    pinned: bool = False
    section_hint: str | None = None
    status: LinkStatus = LinkStatus.PENDING
    attempts: int = 0
    last_error: str | None = None
    next_fetch_at: datetime | None = None
    duplicate_of: int | None = None  # the link whose page this one turned out to be


@dataclass(slots=True)
class FetchResult:
    """What the fetcher got back for one URL."""

    url: str
    final_url: str
    status_code: int
    headers: dict[str, str]
    content: bytes = b""
    not_modified: bool = False
    elapsed: float = 0.0

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


@dataclass(slots=True)
class Page:
    link_id: int
    final_url: str
    http_status: int
    content_type: str
    bytes: int
    body_hash: str
    id: int | None = None
    fetched_at: datetime = field(default_factory=utcnow)
    error: str | None = None


@dataclass(slots=True)
class Extracted:
    """What an extractor found in one HTML page."""

    text: str | None
    extractor: str
    status: ArticleStatus = ArticleStatus.OK
    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    site_name: str | None = None
    language: str | None = None
    image: str | None = None
    canonical_url: str | None = None
    reason: str | None = None  # why the status is not ok

    @property
    def word_count(self) -> int:
        return len(self.text.split()) if self.text else 0


@dataclass(slots=True)
class Article:
    link_id: int
    url: str
    extractor: str
    status: ArticleStatus = ArticleStatus.OK
    id: int | None = None
    page_id: int | None = None
    title: str | None = None
    author: str | None = None
    site_name: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    image: str | None = None
    text: str | None = None
    fallback_text: str | None = None  # the feed's description, when the page gave nothing usable
    word_count: int = 0
    reason: str | None = None
    extracted_at: datetime = field(default_factory=utcnow)

    @property
    def site(self) -> str:
        """The site's name, or its host when the page names none."""
        host = urlsplit(self.url).hostname or self.url
        return self.site_name or host.removeprefix("www.")


class Kind(StrEnum):
    EVENT = "event"  # news: a release, announcement, deal, result, policy move
    RESOURCE = "resource"  # explainer, essay, analysis, tutorial, paper, roadmap
    OFFTOPIC = "offtopic"


@dataclass(slots=True)
class Summary:
    text: str
    summarizer: str
    grounded: bool | None = (
        None  # None: not checked (extractive summaries are grounded by construction)
    )
    error: str | None = None  # why a fallback was used, e.g. the model's error


@dataclass(slots=True)
class Analysis:
    article_id: int
    id: int | None = None
    summary: str | None = None
    summarizer: str | None = None
    grounded: bool | None = None
    kind: Kind | None = None
    topics: list[str] = field(default_factory=list)
    story_id: int | None = None
    duplicate_of: int | None = None  # article id this one is a near-duplicate of
    score: float | None = None
    error: str | None = None
    analyzed_at: datetime = field(default_factory=utcnow)


@dataclass(slots=True)
class Story:
    label: str
    article_ids: list[int]
    id: int | None = None
    first_seen: datetime | None = None


@dataclass(slots=True)
class AnalyzedArticle:
    """An article with its link (curator signals) and its analysis: what ranking and export read."""

    article: Article
    link: Link
    analysis: Analysis | None = None


class IssueStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Section(StrEnum):
    EVENTS = "events"  # "Events you should know": one bullet per news story
    RESOURCES = "resources"  # "Resources you should read": explainers, essays, tutorials …


class Tier(StrEnum):
    FREE = "free"
    PAID = "paid"  # the extended reading list, behind the paywall


@dataclass(slots=True)
class SourceRef:
    """One site that covered an item: shown as "(sources: A, B)"."""

    name: str
    url: str


@dataclass(slots=True)
class IssueItem:
    section: Section
    title: str
    url: str
    summary: str
    tier: Tier = Tier.FREE
    author: str | None = None
    sources: list[SourceRef] = field(default_factory=list)
    article_id: int | None = None
    story_id: int | None = None
    position: int = 0
    id: int | None = None


@dataclass(slots=True)
class Issue:
    """One weekly issue; ``number`` and ``published_at`` are set when it is published."""

    week: date  # the last day of the week the issue covers
    title: str
    subtitle: str
    intro: str = ""  # Markdown, from the publication's settings
    status: IssueStatus = IssueStatus.DRAFT
    number: int | None = None
    slug: str | None = None
    previous_id: int | None = None
    previous_url: str | None = None
    published_at: datetime | None = None
    edited_at: datetime | None = None  # the curator's last edit: a re-draft keeps the draft
    items: list[IssueItem] = field(default_factory=list)
    id: int | None = None

    def section(self, section: Section) -> list[IssueItem]:
        return [item for item in self.items if item.section is section]
