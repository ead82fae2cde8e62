"""Feeds of the demo web in four formats, and an OPML list of them.

RSS 2.0, Atom 1.0 and RSS 1.0 (RDF) come from Jinja2 templates with XML
autoescaping, so entry summaries, hostile HTML included, travel as escaped
text the way real feeds carry them. JSON Feed 1.1 is built with :mod:`json`.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from xml.sax.saxutils import quoteattr

from mustreads.demo.catalog import DemoArticle, DemoSite, FeedFormat, page_number, sites
from mustreads.demo.pages import environment

GENERATOR = "mustreads demo web"

CONTENT_TYPES: dict[FeedFormat, str] = {
    "rss20": "application/rss+xml; charset=utf-8",
    "atom10": "application/atom+xml; charset=utf-8",
    "rss10": "application/rdf+xml; charset=utf-8",
    "json11": "application/feed+json; charset=utf-8",
}

_TEMPLATES: dict[FeedFormat, str] = {
    "rss20": "feeds/rss20.xml",
    "atom10": "feeds/atom10.xml",
    "rss10": "feeds/rss10.rdf",
}

_NAMESPACE = uuid.UUID("5b0c6f3e-8f7c-4a53-9c1e-3d5a0f7e2b11")


@dataclass(frozen=True, slots=True)
class DemoFeed:
    site: str
    title: str
    format: FeedFormat
    url: str
    home_url: str


@dataclass(frozen=True, slots=True)
class FeedItem:
    title: str
    url: str
    guid: str
    published: datetime
    author: str | None
    summary: str
    topics: tuple[str, ...]


def demo_feeds(base_url: str) -> list[DemoFeed]:
    base_url = base_url.rstrip("/")
    return [
        DemoFeed(
            site.slug,
            site.name,
            site.feed_format,
            site.feed_url(base_url),
            base_url + site.home_path,
        )
        for site in sites()
    ]


def feed_items(site: DemoSite, articles: list[DemoArticle], base_url: str) -> list[FeedItem]:
    """The entries of ``site``'s feed: every article it lists, newest first."""
    listed = [article for article in articles if article.feed_site == site.slug]
    listed.sort(key=lambda article: article.published, reverse=True)
    return [
        FeedItem(
            title=article.title,
            url=article.url(base_url),
            guid=_guid(site, article, base_url),
            published=article.published,
            author=article.author,
            summary=article.feed_summary,
            topics=article.topics,
        )
        for article in listed
    ]


def _guid(site: DemoSite, article: DemoArticle, base_url: str) -> str:
    number = page_number(article.id)
    match site.guid_style:
        case "opaque":
            return f"{site.slug}-{number}"
        case "tag":
            return f"tag:{site.slug}.example,2024:article-{number}"
        case "uuid":
            return f"urn:uuid:{uuid.uuid5(_NAMESPACE, article.id)}"
        case "wp":
            return f"{base_url}{site.home_path}?p={number}"
        case _:
            return article.url(base_url)


def render_feed(site: DemoSite, items: list[FeedItem], base_url: str) -> bytes:
    base_url = base_url.rstrip("/")
    updated = max((item.published for item in items), default=datetime(2024, 1, 1, tzinfo=UTC))
    if site.feed_format == "json11":
        return _json_feed(site, items, base_url)
    context = {
        "site": site,
        "entries": items,
        "updated": updated,
        "home_url": base_url + site.home_path,
        "feed_url": site.feed_url(base_url),
        "feed_id": f"tag:{site.slug}.example,2024:feed",
        "language": site.language or "en",
        "generator": GENERATOR,
        "tz_hours": site.feed_utc_offset,
        "cdata": site.feed_cdata,
    }
    return environment().get_template(_TEMPLATES[site.feed_format]).render(context).encode("utf-8")


def _json_feed(site: DemoSite, items: list[FeedItem], base_url: str) -> bytes:
    zone = timezone(timedelta(hours=site.feed_utc_offset))
    authors = {item.author for item in items}
    single_author = authors.pop() if len(authors) == 1 else None
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": site.name,
        "home_page_url": base_url + site.home_path,
        "feed_url": site.feed_url(base_url),
        "description": site.tagline,
        "language": site.language or "en",
        **({"authors": [{"name": single_author}]} if single_author else {}),
        "items": [
            {
                "id": item.guid,
                "url": item.url,
                "title": item.title,
                "content_html": item.summary,
                "date_published": item.published.astimezone(zone).isoformat(),
                **({"authors": [{"name": item.author}]} if item.author else {}),
                "tags": list(item.topics),
            }
            for item in items
        ],
    }
    return json.dumps(feed, indent=2, ensure_ascii=False).encode("utf-8")


def opml(base_url: str) -> str:
    """An OPML 2.0 document listing every demo feed, for ``mustreads feeds import``."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<opml version="2.0">',
        "  <head>",
        "    <title>mustreads demo feeds</title>",
        "  </head>",
        "  <body>",
        '    <outline text="Demo web" title="Demo web">',
    ]
    for feed in demo_feeds(base_url):
        lines.append(
            f'      <outline type="rss" text={quoteattr(feed.title)} title={quoteattr(feed.title)}'
            f" xmlUrl={quoteattr(feed.url)} htmlUrl={quoteattr(feed.home_url)}/>"
        )
    lines += ["    </outline>", "  </body>", "</opml>", ""]
    return "\n".join(lines)
