"""Everything the demo server answers, rendered once into a path → response table.

Rendering up front keeps the request handler trivial and thread-safe, and
makes the whole demo web usable without a socket (``build_resources``).
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache

from mustreads.demo.catalog import DemoArticle, DemoSite, catalog, sites
from mustreads.demo.feeds import CONTENT_TYPES, feed_items, opml, render_feed
from mustreads.demo.pages import (
    PageLink,
    render_article,
    render_botcheck,
    render_not_found,
    render_root,
    render_site_index,
)

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Resource:
    status: int
    content_type: str
    body: bytes
    last_modified: datetime | None = None
    headers: tuple[tuple[str, str], ...] = ()
    etag: str | None = field(default=None)

    @staticmethod
    def ok(content_type: str, body: bytes, last_modified: datetime | None = None) -> Resource:
        # Weak, because the same validator stands for the gzip and identity encodings.
        etag = 'W/"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        return Resource(200, content_type, body, last_modified, etag=etag)

    @property
    def compressible(self) -> bool:
        return not self.content_type.startswith("image/")


def build_resources(anchor: date, base_url: str) -> dict[str, Resource]:
    """Every path of the demo web (without query strings) and what it answers."""
    base_url = base_url.rstrip("/")
    host = base_url.split("://", 1)[-1]
    articles = catalog(anchor)
    by_id = {article.id: article for article in articles}
    site_list = sites()
    table: dict[str, Resource] = {}
    newest = max(article.published for article in articles)
    table["/"] = Resource.ok(HTML, render_root(site_list, anchor).encode(), newest)
    table["/robots.txt"] = Resource.ok(
        "text/plain; charset=utf-8",
        b"User-agent: *\nAllow: /\n",
        datetime.combine(anchor, time(), tzinfo=UTC),
    )
    table["/feeds.opml"] = Resource.ok(
        "text/x-opml; charset=utf-8", opml(base_url).encode(), newest
    )
    for site in site_list:
        table.update(_site_resources(site, articles, by_id, base_url, host))
    return table


def _site_resources(
    site: DemoSite,
    articles: list[DemoArticle],
    by_id: dict[str, DemoArticle],
    base_url: str,
    host: str,
) -> dict[str, Resource]:
    table: dict[str, Resource] = {}
    own = [a for a in articles if a.site == site.slug and a.special != "syndicated"]
    readable = [a for a in own if a.special not in ("dead", "botcheck")]
    listed = [a for a in own if a.special != "dead"]
    items = feed_items(site, articles, base_url)
    table[site.feed_path] = Resource.ok(
        CONTENT_TYPES[site.feed_format],
        render_feed(site, items, base_url),
        max((item.published for item in items), default=None),
    )
    table[site.home_path] = Resource.ok(
        HTML,
        render_site_index(site, listed, base_url).encode(),
        max((a.published for a in listed), default=None),
    )
    not_found = render_not_found(site, base_url).encode()
    for article in own:
        if article.special == "dead":
            table[article.path] = Resource(404, HTML, not_found)
            continue
        if article.special == "botcheck":
            body = render_botcheck(host, article.path).encode()
            table[article.path] = Resource(
                503, HTML, body, headers=(("Cache-Control", "no-store"),)
            )
            continue
        related = [PageLink(a.title, a.path) for a in readable if a.id != article.id][:4]
        original = by_id[article.duplicate_of] if article.duplicate_of else None
        html = render_article(article, site, base_url, related, original)
        table[article.path] = Resource.ok(HTML, html.encode(), article.published)
        if article.image_path:
            table[article.image_path] = Resource.ok("image/png", _png(site.colour, 600, 315))
    if site.slug == "tokenbudget":
        table[f"/{site.slug}/images/avatar.png"] = Resource.ok("image/png", _png("#d9c7ef", 40, 40))
    return table


def not_found(path: str, base_url: str) -> Resource:
    """The 404 for an unknown path: the site's own error page under a site prefix."""
    prefix = path.strip("/").split("/", 1)[0]
    for site in sites():
        if site.slug == prefix:
            return Resource(404, HTML, render_not_found(site, base_url).encode())
    return Resource(404, "text/plain; charset=utf-8", b"404 Not Found\n")


@lru_cache(maxsize=32)
def _png(colour: str, width: int, height: int) -> bytes:
    """A plain image in one colour: lead images only need to exist and be fetchable."""
    rgb = bytes.fromhex(colour.lstrip("#"))
    raw = (b"\x00" + rgb * width) * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
