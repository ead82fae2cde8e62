"""HTML pages of the demo web, rendered from the catalog with Jinja2 templates.

Each site has its own ``templates/<site>/base.html`` and ``article.html``, so
the chrome, markup style and metadata differ the way they do on real sites:
JSON-LD on some, OpenGraph or Dublin Core on others, dates written five ways.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from mustreads.demo.catalog import DemoArticle, DemoSite, page_number
from mustreads.demo.markup import blocks_html

_US_EASTERN_STANDARD = timezone(timedelta(hours=-5))
_FEED_FORMAT_NAMES = {
    "rss20": "RSS 2.0",
    "atom10": "Atom 1.0",
    "rss10": "RSS 1.0",
    "json11": "JSON Feed 1.1",
}


@dataclass(frozen=True, slots=True)
class PageLink:
    title: str
    path: str


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _rfc822(moment: datetime, utc_offset_hours: int = 0) -> str:
    if utc_offset_hours == 0:
        return format_datetime(moment, usegmt=True)
    return format_datetime(moment.astimezone(timezone(timedelta(hours=utc_offset_hours))))


def _cdata(text: str) -> Markup:
    return Markup("<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>")  # noqa: S704


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("mustreads.demo", "templates"),
        autoescape=select_autoescape(["html", "xml", "rdf"]),
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters.update(
        iso=lambda moment: moment.isoformat(),
        isodate=lambda moment: moment.date().isoformat(),
        rfc3339=lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        rfc822=_rfc822,
        cdata=_cdata,
        longdate=lambda moment: f"{moment:%B} {moment.day}, {moment:%Y}",
        shortdate=lambda moment: f"{moment:%b} {moment.day}, {moment:%Y}",
        daymonthyear=lambda moment: f"{moment.day} {moment:%B %Y}",
        ukdate=lambda moment: moment.strftime("%d/%m/%Y"),
        wiretime=lambda moment: moment.strftime("%Y-%m-%d %H:%M UTC"),
        iso_offset=lambda moment: moment.astimezone(_US_EASTERN_STANDARD).isoformat(),
        ordinaldate=lambda moment: _us_ordinal_date(moment),
    )
    return env


def _us_ordinal_date(moment: datetime) -> str:
    local = moment.astimezone(_US_EASTERN_STANDARD)
    return f"{local:%A}, {local:%B} {_ordinal(local.day)}, {local:%Y}"


def _description(article: DemoArticle, limit: int = 155) -> str:
    first = article.paragraphs[0] if article.paragraphs else article.title
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + "…"


def _json_ld(article: DemoArticle, site: DemoSite, base_url: str) -> dict[str, Any]:
    kind = "TechArticle" if site.slug == "stackwise" else "NewsArticle"
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": kind,
        "headline": article.title,
        "description": _description(article),
        "mainEntityOfPage": article.url(base_url),
        "publisher": {"@type": "Organization", "name": site.name},
    }
    if kind == "TechArticle":  # Stackwise writes dates without a time
        data["datePublished"] = article.published.date().isoformat()
        data["dateModified"] = article.published.date().isoformat()
    else:
        data["datePublished"] = article.published.strftime("%Y-%m-%dT%H:%M:%SZ")
    if article.author:
        data["author"] = {"@type": "Person", "name": article.author}
    if article.image_path:
        data["image"] = [base_url + article.image_path]
    return data


def render_article(
    article: DemoArticle,
    site: DemoSite,
    base_url: str,
    related: list[PageLink],
    original: DemoArticle | None = None,
) -> str:
    body_html = blocks_html(article.blocks)
    split = 3 if len(article.blocks) > 4 else len(article.blocks)
    canonical = original.url(base_url) if original else article.url(base_url)
    context = {
        "site": site,
        "article": article,
        "original": original,
        "canonical": canonical,
        "page_url": article.url(base_url),
        "feed_url": site.feed_url(base_url),
        "image_url": base_url + article.image_path if article.image_path else None,
        "description": _description(article),
        "body": Markup(body_html),  # noqa: S704 - built by markup.blocks_html, which escapes
        "body_head": Markup(blocks_html(article.blocks[:split])),  # noqa: S704
        "body_tail": Markup(blocks_html(article.blocks[split:])),  # noqa: S704
        "headings": [block.items[0] for block in article.blocks if block.kind == "h2"],
        "ld": _json_ld(article, site, base_url),
        "related": related,
        "comments": site.comments,
        "number": page_number(article.id),
    }
    return environment().get_template(f"{site.slug}/article.html").render(context)


def render_site_index(site: DemoSite, articles: list[DemoArticle], base_url: str) -> str:
    related = [PageLink(article.title, article.path) for article in articles[:4]]
    context = {
        "site": site,
        "articles": articles,
        "related": related,
        "feed_url": site.feed_url(base_url),
    }
    return environment().get_template("site_index.html").render(context)


def render_not_found(site: DemoSite, base_url: str) -> str:
    context = {"site": site, "related": [], "feed_url": site.feed_url(base_url)}
    return environment().get_template("not_found.html").render(context)


def render_botcheck(host: str, path: str) -> str:
    ray_id = hashlib.sha256(path.encode()).hexdigest()[:16]
    return environment().get_template("botcheck.html").render(host=host, ray_id=ray_id)


def render_root(sites: list[DemoSite], anchor: date) -> str:
    context = {"sites": sites, "anchor": anchor, "formats": _FEED_FORMAT_NAMES}
    return environment().get_template("root.html").render(context)
