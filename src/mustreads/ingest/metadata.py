"""Article metadata from the head of a page: JSON-LD, OpenGraph, meta tags.

Sources are read in order of trust: schema.org JSON-LD (what publishers write
for search engines), then OpenGraph and ``article:*`` properties, then plain
``<meta name>`` tags (``author``, ``date``, ``citation_*``, ``sailthru.*``,
``parsely-*``, Dublin Core), then the body itself (``<title>``, the first
``<h1>``, ``<time datetime>``, bylines). Everything here is a cheap walk over
elements the parser already built; only a page with no date markup at all
costs more, when htmldate (trafilatura's date finder) looks for one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from htmldate import find_date
from lxml import html

from mustreads.ingest.dates import parse_date

_ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
        "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "techarticle",
        "scholarlyarticle", "socialmediaposting", "liveblogposting", "report", "review",
        "posting", "creativework", "medicalscholarlyarticle", "advertisercontentarticle",
    }
)  # fmt: skip
_PAGE_TYPES = frozenset({"webpage", "itempage", "collectionpage", "aboutpage", "qapage"})
_PERSON_TYPES = frozenset({"person"})

_DATE_KEYS = (
    "article:published_time", "og:article:published_time", "article:published",
    "datepublished", "citation_publication_date", "citation_date", "citation_online_date",
    "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "date", "pubdate",
    "publishdate", "publish-date", "publish_date", "published_time", "sailthru.date",
    "parsely-pub-date", "article.published", "og:published_time", "originalpublicationdate",
    "datecreated", "article:modified_time", "og:updated_time", "datemodified",
)  # fmt: skip
_AUTHOR_KEYS = (
    "author", "article:author", "og:article:author", "citation_author", "dc.creator",
    "dcterms.creator", "sailthru.author", "parsely-author", "byl", "byline",
)  # fmt: skip
_ONE_PERSON_KEYS = frozenset({"citation_author", "dc.creator", "dcterms.creator"})
_TITLE_KEYS = ("og:title", "twitter:title", "citation_title", "dc.title", "sailthru.title", "title")
_SITE_KEYS = ("og:site_name", "application-name", "apple-mobile-web-app-title", "publisher")
_IMAGE_KEYS = (
    "og:image:secure_url",
    "og:image",
    "og:image:url",
    "twitter:image",
    "twitter:image:src",
)
_BY_PREFIX = re.compile(
    r"^\s*(?:(?:posted|written|words|story|reported|text) by|by|von|par|por|door|di|av)"
    r"(?:\s*:\s*|\s+|$)",
    re.IGNORECASE,
)
_NAME_SEPARATORS = re.compile(r"\s*(?:[|;•·,]|\band\b|&|\bund\b|\bet\b|\by\b)\s*")
_NOT_A_NAME = re.compile(r"\d|@|https?:|www\.|[{}<>/=()*]|\.[a-z]{2,4}$", re.IGNORECASE)
_ROLE = re.compile(
    r"\b(?:writer|editor|reporter|correspondent|contributor|columnist|staff|producer|"
    r"journalist|news ?desk|wire|associated press|agencies)\b",
    re.IGNORECASE,
)
_HTMLDATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
_BYLINE_XPATH = (
    "//*[@rel='author' or @itemprop='author' or contains(@class, 'byline')"
    " or contains(@class, 'author')][not(self::meta)][not(ancestor::form)]"
)
_SPACES = re.compile(r"\s+")
_LANG = re.compile(r"^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{2,8})*$")


@dataclass(slots=True)
class PageMeta:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    site_name: str | None = None
    language: str | None = None
    image: str | None = None
    canonical_url: str | None = None
    paywalled: bool = False  # schema.org isAccessibleForFree is false
    headings: list[str] = field(default_factory=list)  # <title>, <h1>: where the headline may hide

    @property
    def author(self) -> str | None:
        return ", ".join(self.authors) or None


def read_metadata(tree: html.HtmlElement, url: str | None = None) -> PageMeta:
    """Collect what the page says about itself. Never raises on odd markup."""
    base = _base_url(tree, url)
    metas = _meta_values(tree)
    ld = _json_ld_article(tree)
    meta = PageMeta()

    meta.title = _first(
        _text(ld.get("headline")), _text(ld.get("name")), *_lookup(metas, _TITLE_KEYS)
    )
    page_title = _clean(tree.findtext(".//title"))
    h1 = next(iter(tree.iterfind(".//h1")), None)
    h1_text = _clean(h1.text_content()) if h1 is not None else None
    meta.headings = [t for t in (page_title, h1_text) if t]
    meta.title = meta.title or h1_text or page_title

    meta.authors = _authors(ld.get("author")) or _meta_authors(metas) or _body_authors(tree)
    meta.published_at = _published(ld, metas, tree, url)
    meta.site_name = _first(
        *_lookup(metas, _SITE_KEYS[:1]),
        _text(_get(ld.get("publisher"), "name")),
        *_lookup(metas, _SITE_KEYS[1:]),
    )
    meta.language = _language(tree, metas, ld)
    meta.image = _absolute(base, _first(*_lookup(metas, _IMAGE_KEYS), _image(ld.get("image"))))
    canonical = tree.xpath("//link[@rel and @href]")
    canonical_href = next(
        (
            link.get("href")
            for link in canonical
            if "canonical" in link.get("rel", "").lower().split()
        ),
        None,
    )
    meta.canonical_url = _absolute(base, _first(canonical_href, *_lookup(metas, ("og:url",))))
    meta.paywalled = str(ld.get("isAccessibleForFree", "")).strip().lower() == "false"
    return meta


def _meta_values(tree: html.HtmlElement) -> dict[str, list[str]]:
    """``<meta>`` contents keyed by lower-cased name, property or itemprop."""
    out: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop")
        value = el.get("content")
        if key is None or value is None:
            continue
        value = value.strip()
        if value:
            out.setdefault(key.strip().lower(), []).append(value)
    # microdata on other elements: <time itemprop=datePublished datetime=…>, <span itemprop=author>
    for el in tree.xpath("//*[@itemprop='datePublished' or @itemprop='author'][not(self::meta)]"):
        key = el.get("itemprop", "").lower()
        value = el.get("datetime") or el.get("content") or _clean(el.text_content())
        if value:
            out.setdefault(key, []).append(value)
    return out


def _lookup(metas: dict[str, list[str]], keys: tuple[str, ...]) -> list[str]:
    return [value for key in keys for value in metas.get(key, ())]


def _json_ld_objects(tree: html.HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        if raw.startswith("<!--"):
            raw = raw.removeprefix("<!--").removesuffix("-->")
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            continue
        yield from _flatten(data)


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _flatten(graph)
        main = data.get("mainEntity")
        if isinstance(main, dict | list):
            yield from _flatten(main)


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.lower().rsplit("/", 1)[-1] for v in values if isinstance(v, str)}


def _json_ld_article(tree: html.HtmlElement) -> dict[str, Any]:
    """The JSON-LD object that describes the article (or, failing that, the page)."""
    page: dict[str, Any] = {}
    for obj in _json_ld_objects(tree):
        types = _types(obj)
        if types & _ARTICLE_TYPES:
            return obj
        if not page and types & _PAGE_TYPES:
            page = obj
    return page


def _get(value: Any, key: str) -> Any:
    if isinstance(value, list):
        value = value[0] if value else None
    return value.get(key) if isinstance(value, dict) else None


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return _clean(value) if isinstance(value, str) else None


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    cleaned = _SPACES.sub(" ", value).strip()
    return cleaned or None


def _first(*values: str | None) -> str | None:
    return next((v for v in values if v), None)


def _authors(value: Any) -> list[str]:
    """Names from a JSON-LD ``author``: a string, a Person, or a list of either."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            types = _types(item)
            if types and not types & _PERSON_TYPES and len(items) > 1:
                continue  # an Organization listed beside people is the publisher
            name = _text(item.get("name"))
        else:
            name = _text(item)
        _add_names(names, name)
    return names


def _meta_authors(metas: dict[str, list[str]]) -> list[str]:
    for key in _AUTHOR_KEYS:
        names: list[str] = []
        for value in metas.get(key, ()):
            if key in _ONE_PERSON_KEYS:
                value = _first_last(value)
            _add_names(names, value)
        if names:
            return names
    return []


def _first_last(value: str) -> str:
    """Turn "Okonkwo, Adaeze", as citation and Dublin Core tags name a person, around."""
    last, comma, first = value.partition(",")
    if comma and "," not in first and first.strip() and len(last.split()) <= 3:
        return f"{first.strip()} {last.strip()}"
    return value


def _body_authors(tree: html.HtmlElement) -> list[str]:
    names: list[str] = []
    for el in tree.xpath(_BYLINE_XPATH)[:4]:
        text = _clean(el.text_content())
        if text and len(text) <= 80:
            _add_names(names, text)
    return names


def _add_names(names: list[str], value: str | None) -> None:
    """Add the person names in a byline such as "By Jane Doe and John Roe, Staff Writers"."""
    if not value:
        return
    parts = [_BY_PREFIX.sub("", part).strip(" .,;:|") for part in _NAME_SEPARATORS.split(value)]
    found: list[str] = []
    for part in parts:
        if not part:
            continue
        if part[0].islower():
            break  # the byline turned into a description: "Jane Doe, who covers …"
        if _looks_like_name(part):
            found.append(part)
    people = [name for name in found if not _ROLE.search(name)] or found
    for name in people:
        if name.lower() not in (n.lower() for n in names):
            names.append(name)


def _looks_like_name(part: str) -> bool:
    words = part.split()
    if not 1 <= len(words) <= 6 or len(part) > 60:
        return False
    if _NOT_A_NAME.search(part):
        return False  # dates, URLs, handles, domains, markup
    return not (len(words) == 1 and part.isupper() and len(part) <= 4)  # credentials: MD, PhD


def _published(
    ld: dict[str, Any], metas: dict[str, list[str]], tree: html.HtmlElement, url: str | None
) -> datetime | None:
    candidates = [_text(ld.get("datePublished")), _text(ld.get("dateCreated"))]
    candidates += _lookup(metas, _DATE_KEYS)
    candidates.append(_text(ld.get("dateModified")))
    for value in candidates:
        parsed = parse_date(value)
        if parsed is not None:
            return parsed
    for el in tree.iterfind(".//time[@datetime]"):
        parsed = parse_date(el.get("datetime"))
        if parsed is not None:
            return parsed
    # Last resort, for pages without date markup: htmldate's look at the URL,
    # headers and date-like elements (it works on a copy of the tree).
    try:
        found = find_date(
            tree, extensive_search=False, original_date=True, url=url, outputformat=_HTMLDATE_FORMAT
        )
    except (ValueError, TypeError, OverflowError):
        return None
    return parse_date(found)


def _language(
    tree: html.HtmlElement, metas: dict[str, list[str]], ld: dict[str, Any]
) -> str | None:
    candidates = [
        tree.get("lang"),
        tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
        _text(ld.get("inLanguage")),
        *_lookup(metas, ("content-language", "language", "dc.language", "og:locale")),
    ]
    for el in tree.iterfind(".//meta[@http-equiv]"):
        if el.get("http-equiv", "").lower() == "content-language":
            candidates.append(el.get("content"))
    for value in candidates:
        if value:
            code = str(value).split(",")[0].strip()
            if _LANG.match(code) and code.lower() not in {"und", "mul", "zxx"}:
                return code.replace("_", "-")
    return None


def _image(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return _text(value.get("url")) or _text(value.get("contentUrl"))
    return _text(value)


def _base_url(tree: html.HtmlElement, url: str | None) -> str | None:
    base = tree.find(".//base[@href]")
    href: str | None = base.get("href") if base is not None else None
    if href:
        return urljoin(url or "", href.strip())
    return url


def _absolute(base: str | None, value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    joined = urljoin(base, value) if base else value
    if urlsplit(joined).scheme in ("http", "https"):
        return joined
    return None
