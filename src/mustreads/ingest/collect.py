"""The fetch stage: poll due feeds, fetch pending links, extract their articles.

Each feed and each link is one unit of work whose outcome — success or
failure — is written on its own row; nothing one of them does stops the
others. Running the stage twice changes nothing: feeds are polled only when
due (and answer 304 when unchanged), links only while pending.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mustreads.config import Settings
from mustreads.errors import FetchError, ParseError
from mustreads.ingest.extract import get_extractor
from mustreads.ingest.feeds import parse_feed
from mustreads.ingest.fetch import Fetcher
from mustreads.ingest.sanitize import html_to_text
from mustreads.ingest.urls import canonicalize_url, resolve_canonical
from mustreads.models import (
    Article,
    ArticleStatus,
    Extracted,
    FetchResult,
    Link,
    LinkOrigin,
    LinkStatus,
    Page,
    Source,
    SourceStatus,
    utcnow,
)
from mustreads.progress import NoProgress, Progress
from mustreads.store import Store

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
HTML_TYPES = {"text/html", "application/xhtml+xml", ""}


@dataclass(slots=True)
class FetchReport:
    feeds_polled: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    new_links: int = 0
    pages_fetched: int = 0
    pages_failed: int = 0
    duplicates: int = 0
    articles: dict[str, int] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (url, message)


def backoff_delay(failures: int, settings: Settings) -> timedelta:
    """Wait after the n-th consecutive failure of a feed: interval × 2^(n-1), capped, jittered."""
    minutes = settings.fetch.feed_interval * 2 ** max(failures - 1, 0)
    minutes = min(minutes, settings.fetch.max_feed_backoff) * random.uniform(0.9, 1.1)
    return timedelta(minutes=minutes)


class Collector:
    """Runs one pass of the fetch stage against a store."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        progress: Progress | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.settings = settings
        self.progress = progress or NoProgress()
        self.now = now
        self.extractor = get_extractor(
            settings.extract.extractor, min_words=settings.extract.min_words
        )
        self.report = FetchReport()
        self.sources: dict[int | None, Source] = {}  # their titles name pages that name no site

    def run(self, *, feeds: bool = True, links: bool = True) -> FetchReport:
        asyncio.run(self._run(feeds=feeds, links=links))
        return self.report

    async def _run(self, *, feeds: bool, links: bool) -> None:
        # Extraction is CPU work: one worker thread keeps downloads flowing meanwhile.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract") as executor:
            async with Fetcher(
                self.settings.fetch, allowed_networks=self.settings.fetch.allowed_networks
            ) as fetcher:
                if feeds:
                    due = self.store.due_sources(self.now())
                    self.progress.start("feeds", len(due))
                    await asyncio.gather(*(self._poll(fetcher, source) for source in due))
                if links:
                    self.sources = {s.id: s for s in self.store.list_sources()}
                    pending = self.store.pending_links(self.now())
                    self.progress.start("pages", len(pending))
                    await asyncio.gather(
                        *(self._fetch_link(fetcher, executor, link) for link in pending)
                    )

    # -- feeds ---------------------------------------------------------------

    async def _poll(self, fetcher: Fetcher, source: Source) -> None:
        now = self.now()
        self.report.feeds_polled += 1
        source.last_fetched_at = now
        try:
            result = await fetcher.fetch(
                source.url, etag=source.etag, last_modified=source.last_modified, accept=FEED_ACCEPT
            )
            if result.not_modified:
                self.report.feeds_not_modified += 1
            else:
                self._store_feed(source, result)
        except (FetchError, ParseError) as exc:
            self._feed_failed(source, exc, now)
        else:
            source.status = SourceStatus.OK
            source.error_count = 0
            source.last_error = None
            source.next_fetch_at = now + timedelta(minutes=self.settings.fetch.feed_interval)
        self.store.save_source(source)
        self.progress.advance("feeds")

    def _store_feed(self, source: Source, result: FetchResult) -> None:
        parsed = parse_feed(result.content, url=result.final_url, headers=result.headers)
        source.title = source.title or parsed.title
        source.site_url = parsed.site_url or source.site_url
        source.entries_seen = len(parsed.entries)
        assert source.id is not None
        links = [
            Link(
                url=entry.url,
                canonical_url=canonicalize_url(entry.url),
                origin=LinkOrigin.FEED,
                source_id=source.id,
                guid=entry.guid,
                title=entry.title,
                feed_summary=entry.summary,
                # A feed-level author that is only the publication's name is no byline.
                author=entry.author if entry.author != parsed.title else None,
                published_at=entry.published_at,
            )
            for entry in parsed.entries
        ]
        self.report.new_links += self.store.add_feed_links(source.id, links)
        # Validators are kept only once the body was accepted: a broken feed that
        # answers 304 next time must not look healthy.
        source.etag = result.etag
        source.last_modified = result.last_modified

    def _feed_failed(self, source: Source, exc: FetchError | ParseError, now: datetime) -> None:
        self.report.feeds_failed += 1
        self.report.errors.append((source.url, exc.message))
        source.status = (
            SourceStatus.UNHEALTHY if isinstance(exc, ParseError) else SourceStatus.ERROR
        )
        source.error_count += 1
        source.last_error = exc.message  # the row already says which URL
        source.etag = source.last_modified = None
        wait = backoff_delay(source.error_count, self.settings)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            wait = max(wait, timedelta(seconds=retry_after))
        source.next_fetch_at = now + wait

    # -- pages ---------------------------------------------------------------

    async def _fetch_link(self, fetcher: Fetcher, executor: Executor, link: Link) -> None:
        link.attempts += 1
        try:
            result = await fetcher.fetch(link.url, accept=PAGE_ACCEPT)
        except FetchError as exc:
            if exc.response is not None and exc.response.content:
                # An error page still says something: a bot check, a paywall, a 404 page.
                await self._store_page(executor, link, exc.response, error=exc.message)
            else:
                self._link_failed(link, exc)
        else:
            await self._store_page(executor, link, result)
        self.store.save_link(link)
        self.progress.advance("pages")

    def _link_failed(self, link: Link, exc: FetchError) -> None:
        self.report.pages_failed += 1
        self.report.errors.append((link.url, exc.message))
        link.last_error = exc.message
        if exc.retryable and link.attempts < self.settings.fetch.link_attempts:
            wait = max(exc.retry_after or 0.0, 60.0 * 2**link.attempts)
            link.next_fetch_at = self.now() + timedelta(seconds=wait)
        else:
            link.status = LinkStatus.FAILED

    async def _store_page(
        self, executor: Executor, link: Link, result: FetchResult, error: str | None = None
    ) -> None:
        assert link.id is not None
        self.report.pages_fetched += 1
        page = Page(
            link_id=link.id,
            final_url=result.final_url,
            http_status=result.status_code,
            content_type=result.content_type,
            bytes=len(result.content),
            body_hash=hashlib.sha256(result.content).hexdigest(),
            error=error,
        )
        page_id = self.store.add_page(page)
        if result.content_type not in HTML_TYPES:
            extracted = Extracted(
                text=None,
                extractor=self.extractor.name,
                status=ArticleStatus.EMPTY,
                reason=f"not an HTML page ({result.content_type})",
            )
        else:
            extracted = await asyncio.get_running_loop().run_in_executor(
                executor, self._extract, result
            )
        link.status = LinkStatus.DONE
        link.last_error = error
        if extracted.canonical_url and self._is_duplicate(link, result, extracted.canonical_url):
            return
        self._save_article(link, page_id, result, extracted)

    def _extract(self, result: FetchResult) -> Extracted:
        return self.extractor.extract(
            result.content, result.final_url, http_status=result.status_code
        )

    def _is_duplicate(self, link: Link, result: FetchResult, rel_canonical: str) -> bool:
        """Follow the page's rel=canonical: a copy of a known article is not stored twice."""
        canonical = canonicalize_url(resolve_canonical(result.final_url, rel_canonical))
        if canonical == link.canonical_url:
            return False
        original = self.store.find_link(canonical)
        if original is None:
            # The page names its canonical address: adopt it, so that a later link
            # to that address is recognized as this one.
            link.canonical_url = canonical
            return False
        link.duplicate_of = original.id
        self.report.duplicates += 1
        return True

    def _feed_site_name(self, link: Link) -> str | None:
        """The title of the followed feed whose site the page is on (the most specific one).

        Not simply the feed that brought the link: feeds also link to other
        sites (syndication, link roundups), and their titles do not name those.
        """
        best: tuple[int, str] | None = None
        for source in self.sources.values():
            if source.title and source.site_url:
                site = source.site_url.rstrip("/") + "/"
                if link.canonical_url.startswith(site) and (best is None or len(site) > best[0]):
                    best = (len(site), source.title)
        return best[1] if best else None

    def _save_article(
        self, link: Link, page_id: int, result: FetchResult, extracted: Extracted
    ) -> None:
        assert link.id is not None
        ok = extracted.status is ArticleStatus.OK
        fallback = html_to_text(link.feed_summary) if link.feed_summary else None
        article = Article(
            link_id=link.id,
            page_id=page_id,
            url=link.canonical_url,
            extractor=extracted.extractor,
            status=extracted.status,
            title=extracted.title or link.title,
            author=extracted.author or link.author,
            site_name=extracted.site_name or self._feed_site_name(link),
            published_at=extracted.published_at or link.published_at,
            language=extracted.language,
            image=extracted.image,
            text=extracted.text if ok else None,
            fallback_text=fallback or None,
            word_count=extracted.word_count if ok else 0,
            reason=extracted.reason,
        )
        self.store.save_article(article)
        key = article.status.value
        self.report.articles[key] = self.report.articles.get(key, 0) + 1
