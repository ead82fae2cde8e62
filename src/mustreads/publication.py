"""The façade: one publication folder, its settings and its store.

``open_publication()`` wires the parts together; the CLI and the web app call
the methods of :class:`Publication` and nothing below it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from mustreads.analyze.pipeline import AnalyzeReport, analyze, window_start
from mustreads.config import CONFIG_FILE, Settings, default_config_text, load_settings
from mustreads.errors import FetchError, MustreadsError, NotFoundError, UserError
from mustreads.ingest.collect import PAGE_ACCEPT, Collector, FetchReport
from mustreads.ingest.extract import get_extractor
from mustreads.ingest.fetch import Fetcher
from mustreads.ingest.opml import OPMLFeed, parse_opml, write_opml
from mustreads.ingest.urls import canonicalize_url, parse_http_url
from mustreads.models import (
    AnalyzedArticle,
    Extracted,
    FetchResult,
    Link,
    LinkOrigin,
    Source,
    Story,
    utcnow,
)
from mustreads.progress import Progress
from mustreads.store import Store

SECTIONS = ("events", "resources")
StoryList = list[tuple[Story, list[AnalyzedArticle]]]


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding a ``mustreads.toml``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise UserError(
        f"no {CONFIG_FILE} in {start} or above: run `mustreads init NAME` or pass --dir"
    )


def init_publication(path: Path, values: dict[str, dict[str, Any]] | None = None) -> Path:
    """Create a publication folder: commented settings, data/ and site/.

    ``values`` (section -> key -> value) are set in the new ``mustreads.toml``.
    """
    config = path / CONFIG_FILE
    if config.exists():
        raise UserError(f"{config} already exists")
    if path.exists() and not path.is_dir():
        raise UserError(f"{path} exists and is not a folder")
    path.mkdir(parents=True, exist_ok=True)
    (path / "data").mkdir(exist_ok=True)
    (path / "site").mkdir(exist_ok=True)
    config.write_text(default_config_text(values))
    return path


def open_publication(root: Path, overrides: dict[str, Any] | None = None) -> Publication:
    settings = load_settings(root, overrides)
    return Publication(root, settings, Store.open(settings.store.url))


@dataclass(slots=True)
class ImportReport:
    added: list[str]
    skipped: list[str]


class Publication:
    def __init__(self, root: Path, settings: Settings, store: Store) -> None:
        self.root = root
        self.settings = settings
        self.store = store

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Publication:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- feeds ---------------------------------------------------------------

    def add_feed(self, url: str, title: str | None = None) -> Source:
        return self.store.add_source(Source(url=parse_http_url(url), title=title))

    def find_feed(self, key: str) -> Source:
        """A feed by id or by URL."""
        if key.isdigit():
            return self.store.get_source(int(key))
        try:
            return self.store.get_source(parse_http_url(key))
        except UserError:
            raise NotFoundError(f"unknown feed: {key} (see `mustreads feeds list`)") from None

    def remove_feed(self, key: str) -> Source:
        source = self.find_feed(key)
        assert source.id is not None
        self.store.remove_source(source.id)
        return source

    def list_feeds(self) -> list[Source]:
        return self.store.list_sources()

    def import_opml(self, data: bytes) -> ImportReport:
        known = {source.url for source in self.store.list_sources()}
        report = ImportReport(added=[], skipped=[])
        for feed in parse_opml(data):
            try:
                url = parse_http_url(feed.xml_url)
            except UserError:
                report.skipped.append(feed.xml_url)
                continue
            if url in known:
                report.skipped.append(url)
                continue
            self.store.add_source(Source(url=url, title=feed.title, site_url=feed.html_url))
            known.add(url)
            report.added.append(url)
        return report

    def export_opml(self) -> bytes:
        feeds = (
            OPMLFeed(xml_url=s.url, title=s.title or s.url, html_url=s.site_url)
            for s in self.store.list_sources()
        )
        return write_opml(feeds, title=f"{self.settings.publication.name}: feeds")

    # -- links ---------------------------------------------------------------

    def add_link(
        self,
        url: str,
        *,
        note: str | None = None,
        section: str | None = None,
        pin: bool = False,
    ) -> tuple[Link, bool]:
        """Add a link by hand; a known link keeps its row and takes the curator's signals."""
        url = parse_http_url(url)
        if section is not None and section not in SECTIONS:
            raise UserError(f"unknown section {section!r} (choose from {', '.join(SECTIONS)})")
        link, created = self.store.add_link(
            Link(
                url=url,
                canonical_url=canonicalize_url(url),
                origin=LinkOrigin.MANUAL,
                note=note,
                section_hint=section,
                pinned=pin,
            )
        )
        if not created and (note is not None or section is not None or pin):
            link.note = note if note is not None else link.note
            link.section_hint = section or link.section_hint
            link.pinned = link.pinned or pin
            self.store.save_link(link)
        return link, created

    # -- stages --------------------------------------------------------------

    def analyze(
        self,
        *,
        since: datetime | None = None,
        summarizer: str | None = None,
        progress: Progress | None = None,
    ) -> AnalyzeReport:
        settings = self.settings
        if summarizer is not None:
            settings = settings.model_copy(
                update={"analyze": settings.analyze.model_copy(update={"summarizer": summarizer})}
            )
        return analyze(self.store, settings, since=since, progress=progress)

    def export(self, *, since: datetime | None = None) -> list[dict[str, Any]]:
        """The analyzed articles as the `export --jsonl` contract (duplicates collapsed)."""
        out = []
        for item in self.store.analyzed_articles(since=since):
            a, n = item.article, item.analysis
            if n is None or n.duplicate_of is not None:
                continue
            out.append(
                {
                    "url": a.url,
                    "title": a.title,
                    "author": a.author,
                    "site_name": a.site_name,
                    "published_at": a.published_at.isoformat() if a.published_at else None,
                    "kind": n.kind.value if n.kind else None,
                    "topics": n.topics,
                    "story_id": n.story_id,
                    "summary": n.summary,
                    "summarizer": n.summarizer,
                    "grounded": n.grounded,
                    "score": n.score,
                }
            )
        return sorted(out, key=lambda row: -(row["score"] or 0.0))

    def stories(self, *, since: datetime | None = None) -> StoryList:
        """Stories of the analyzed articles since ``since`` (default: the analysis window).

        Biggest first (most articles), then by their best score.
        """
        since = since or window_start(self.settings, utcnow())
        members: dict[int, list[AnalyzedArticle]] = {}
        for item in self.store.analyzed_articles(since=since):
            n = item.analysis
            if n is not None and n.story_id is not None and n.duplicate_of is None:
                members.setdefault(n.story_id, []).append(item)
        stories = self.store.get_stories(list(members))

        def rank(group: list[AnalyzedArticle]) -> tuple[int, float]:
            return (-len(group), -max(i.analysis.score or 0.0 for i in group if i.analysis))

        return [
            (stories[s], group) for s, group in sorted(members.items(), key=lambda kv: rank(kv[1]))
        ]

    def fetch(
        self, *, progress: Progress | None = None, feeds: bool = True, links: bool = True
    ) -> FetchReport:
        collector = Collector(self.store, self.settings, progress=progress)
        return collector.run(feeds=feeds, links=links)


def extract_inputs(
    inputs: Iterable[str], settings: Settings, *, base_url: str | None = None
) -> Iterator[tuple[str, Extracted | None, str | None]]:
    """One-off extraction of files and URLs: yields (input, result, error) per input.

    A failing input yields its error and the others go on.
    """
    extractor = get_extractor(settings.extract.extractor, min_words=settings.extract.min_words)
    for item in inputs:
        try:
            url: str | None = base_url
            status: int | None = None
            if item.startswith(("http://", "https://")):
                result = asyncio.run(_download(parse_http_url(item), settings))
                html, url, status = result.content, result.final_url, result.status_code
            else:
                html = _read_file(item)
            yield item, extractor.extract(html, url, http_status=status), None
        except MustreadsError as exc:
            yield item, None, str(exc)


async def _download(url: str, settings: Settings) -> FetchResult:
    async with Fetcher(settings.fetch, allowed_networks=settings.fetch.allowed_networks) as fetcher:
        try:
            return await fetcher.fetch(url, accept=PAGE_ACCEPT)
        except FetchError as exc:
            if exc.response is not None and exc.response.content:
                return exc.response
            raise


def _read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from exc
