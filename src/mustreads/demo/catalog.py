"""The demo web's sites and pages, with the labels tests and quality checks use.

Content lives as data under ``content/<site>/``: ``site.toml`` describes a
site, each ``<slug>.md`` is one page (TOML front matter between ``+++`` lines,
then the body in the small Markdown of :mod:`mustreads.demo.markup`). Dates
are stored as offsets in days from an *anchor* date, so that the current week
of the demo is always the week before the anchor:

* week 0: offsets -1 … -6 (the issue being drafted),
* week 1: offsets -8 … -13, week 2: offsets -15 … -20 (two past issues).

No page is dated on the anchor day itself, so nothing is ever in the future
when the anchor is today.
"""

from __future__ import annotations

import tomllib
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any, Literal, cast, get_args

from mustreads.demo.markup import Block, paragraphs, parse_blocks
from mustreads.errors import MustreadsError
from mustreads.models import Kind

Special = Literal["botcheck", "paywall", "dead", "syndicated", "canonical_copy"]
FeedFormat = Literal["rss20", "atom10", "rss10", "json11"]
GuidStyle = Literal["url", "opaque", "tag", "uuid", "wp"]

TOPICS = frozenset(
    {
        "models",
        "reasoning",
        "moe",
        "inference",
        "policy",
        "careers",
        "healthcare",
        "tooling",
        "research",
        "offtopic",
    }
)

#: HTTP status each special page answers with; every other page answers 200.
SPECIAL_STATUS: dict[str, int] = {"botcheck": 503, "dead": 404}


@dataclass(frozen=True, slots=True)
class DemoSite:
    slug: str
    name: str
    tagline: str
    language: str | None  # the <html lang> value; None where the site omits it
    feed_format: FeedFormat
    feed_path: str
    article_path: str  # str.format pattern: {slug}, {date:%Y/%m/%d}, {number}
    colour: str
    images: bool
    nav: tuple[str, ...]
    guid_style: GuidStyle = "url"
    feed_utc_offset: int = 0  # hours; the zone the feed writes its dates in
    feed_cdata: bool = False  # RSS descriptions as CDATA sections rather than escaped text
    comments: tuple[tuple[str, str], ...] = ()  # (name, text) shown under articles

    @property
    def home_path(self) -> str:
        return f"/{self.slug}/"

    def feed_url(self, base_url: str) -> str:
        return base_url.rstrip("/") + self.feed_path


@dataclass(frozen=True, slots=True)
class DemoArticle:
    """One page of the demo web and its ground truth."""

    id: str  # "<site>/<slug>"; syndicated entries: "<feed site>/via/<original slug>"
    site: str  # the site serving the page
    site_name: str
    path: str  # path on the demo server, with the query string for syndicated entries
    title: str
    author: str | None
    published: datetime  # UTC
    kind: Kind
    story: str | None  # same id for every article about one news event
    topics: tuple[str, ...]
    facts: tuple[str, ...]  # short strings that appear verbatim in the body
    special: Special | None
    duplicate_of: str | None  # id of the original, for syndicated entries and copies
    paragraphs: tuple[str, ...]  # the article body as plain text, one item per block
    feed_site: str  # the site whose feed lists this URL
    feed_summary: str  # the description the feed carries: HTML, sometimes hostile
    language: str  # the language of the text, whatever the markup says
    week: int  # 0: current week, 1 and 2: the weeks before
    image_path: str | None
    blocks: tuple[Block, ...] = field(default=(), repr=False, compare=False)

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + self.path

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    @property
    def status(self) -> int:
        """The HTTP status the demo server answers this page with."""
        return SPECIAL_STATUS.get(self.special or "", 200)


@dataclass(frozen=True, slots=True)
class _Source:
    """One content file, before dates are fixed by an anchor."""

    site: str
    slug: str
    meta: dict[str, Any]
    blocks: tuple[Block, ...]


def page_number(slug: str) -> int:
    """A stable six-digit number for a slug, for sites whose URLs and ids carry one."""
    return 100000 + zlib.crc32(slug.encode()) % 900000


def today_utc() -> date:
    return datetime.now(UTC).date()


def sites() -> list[DemoSite]:
    return list(_load()[0])


def catalog(anchor: date | None = None) -> list[DemoArticle]:
    """Every page of the demo web, newest first, dated relative to ``anchor``."""
    anchor = anchor or today_utc()
    site_list, sources, syndicated = _load()
    by_slug = {site.slug: site for site in site_list}
    built: dict[str, DemoArticle] = {}
    copies = [source for source in sources if source.meta.get("original")]
    for source in [source for source in sources if not source.meta.get("original")] + copies:
        article = _build(source, by_slug[source.site], anchor, built)
        built[article.id] = article
    for feed_site, entry in syndicated:
        original = built[entry["original"]]
        article = _replace(
            original,
            id=f"{feed_site}/via/{original.id.split('/', 1)[1]}",
            path=f"{original.path}?{entry['query']}",
            special="syndicated",
            duplicate_of=original.id,
            feed_site=feed_site,
            feed_summary=entry["summary"],
        )
        built[article.id] = article
    return sorted(built.values(), key=lambda article: (article.published, article.id), reverse=True)


def _build(
    source: _Source, site: DemoSite, anchor: date, built: dict[str, DemoArticle]
) -> DemoArticle:
    meta = source.meta
    offset = int(meta["offset"])
    if offset > -1:
        raise MustreadsError(f"demo page {source.site}/{source.slug}: offset must be -1 or less")
    clock = time.fromisoformat(meta["time"])
    published = datetime.combine(anchor + timedelta(days=offset), clock, tzinfo=UTC)
    path = site.article_path.format(
        slug=source.slug, date=published, number=page_number(source.slug)
    )
    special = cast("Special | None", meta.get("special"))
    if special is not None and special not in get_args(Special):
        raise MustreadsError(f"demo page {source.site}/{source.slug}: unknown special {special!r}")
    shows_image = site.images and special not in ("botcheck", "dead")
    common = {
        "id": f"{source.site}/{source.slug}",
        "site": site.slug,
        "site_name": site.name,
        "path": path,
        "published": published,
        "special": special,
        "feed_site": site.slug,
        "feed_summary": meta["summary"],
        "week": -offset // 7,
        "image_path": f"/{site.slug}/images/{source.slug}.png" if shows_image else None,
    }
    if "original" in meta:
        original = built[meta["original"]]
        return _replace(original, duplicate_of=original.id, **common)
    topics = tuple(meta["topics"])
    if not set(topics) <= TOPICS:
        raise MustreadsError(f"demo page {source.site}/{source.slug}: unknown topics {topics}")
    return DemoArticle(
        title=meta["title"],
        author=meta.get("author"),
        kind=Kind(meta["kind"]),
        story=meta.get("story"),
        topics=topics,
        facts=tuple(meta.get("facts", ())),
        duplicate_of=None,
        paragraphs=paragraphs(source.blocks),
        language="en",
        blocks=source.blocks,
        **common,
    )


def _replace(article: DemoArticle, **changes: Any) -> DemoArticle:
    fields = {name: getattr(article, name) for name in DemoArticle.__dataclass_fields__}
    fields.update(changes)
    return DemoArticle(**fields)


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[DemoSite, ...], tuple[_Source, ...], tuple[tuple[str, Any], ...]]:
    root = resources.files("mustreads.demo") / "content"
    site_list: list[DemoSite] = []
    sources: list[_Source] = []
    syndicated: list[tuple[str, Any]] = []
    for folder in sorted(root.iterdir(), key=lambda entry: entry.name):
        if not folder.is_dir() or folder.name.startswith(("_", ".")):
            continue
        config = tomllib.loads((folder / "site.toml").read_text(encoding="utf-8"))
        site_list.append(
            DemoSite(
                slug=folder.name,
                name=config["name"],
                tagline=config["tagline"],
                language=config["language"] or None,
                feed_format=config["feed_format"],
                feed_path=config["feed_path"],
                article_path=config["article_path"],
                colour=config["colour"],
                images=config["images"],
                nav=tuple(config["nav"]),
                guid_style=config.get("guid_style", "url"),
                feed_utc_offset=config.get("feed_utc_offset", 0),
                feed_cdata=config.get("feed_cdata", False),
                comments=tuple((c["name"], c["text"]) for c in config.get("comments", ())),
            )
        )
        syndicated.extend((folder.name, entry) for entry in config.get("syndicated", ()))
        for entry in sorted(folder.iterdir(), key=lambda entry: entry.name):
            if entry.name.endswith(".md"):
                sources.append(
                    _parse_source(folder.name, entry.name[:-3], entry.read_text("utf-8"))
                )
    return tuple(site_list), tuple(sources), tuple(syndicated)


def _parse_source(site: str, slug: str, text: str) -> _Source:
    opening, front, body = text.split("+++\n", 2) if text.startswith("+++\n") else ("", "", "")
    if opening or not front:
        raise MustreadsError(f"demo page {site}/{slug}: front matter missing")
    return _Source(site, slug, tomllib.loads(front), parse_blocks(body))
