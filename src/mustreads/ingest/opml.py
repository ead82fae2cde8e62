"""OPML subscription lists: read the one a curator brings, write ours for them to take.

Reading goes through defusedxml with DTDs forbidden outright (so no entity of any
kind, internal or external, is ever expanded). Every way a file can be unusable
ends as one :class:`OPMLError` with a one-line reason, which the CLI prints as is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# The standard library only builds XML here; all parsing goes through defusedxml.
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import ParseError as XMLSyntaxError
from defusedxml.ElementTree import fromstring

from mustreads.errors import OPMLError
from mustreads.ingest.sanitize import clean_text

__all__ = ["OPMLFeed", "parse_opml", "write_opml"]

# Characters XML 1.0 cannot carry at all, not even as character references.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MAX_REASON = 160


@dataclass(frozen=True, slots=True)
class OPMLFeed:
    """One subscription: the feed's URL, and optionally its title and its site's URL."""

    xml_url: str
    title: str | None = None
    html_url: str | None = None


def _unreadable(reason: str) -> OPMLError:
    return OPMLError(f"unreadable OPML: {reason}")


def _without_feed_scheme(url: str) -> str:
    """``feed://host/x`` and ``feed:https://host/x``, which some exporters write, as http(s)."""
    lowered = url.lower()
    if lowered.startswith("feed://"):
        return "http://" + url[len("feed://") :]
    if lowered.startswith(("feed:http://", "feed:https://")):
        return url[len("feed:") :]
    return url


def parse_opml(data: bytes) -> list[OPMLFeed]:
    """Every outline with an ``xmlUrl``, nested categories flattened, in document order.

    Outlines without ``xmlUrl`` (categories, links) are skipped, and so is a feed URL
    seen before. The URLs are returned as written (stripped, ``feed:`` made http):
    whether each is a usable http(s) URL is for the caller to check and report. The
    title is the ``title`` attribute, else ``text``, unless it only repeats the URL.
    """
    if not data.strip():
        raise _unreadable("the file is empty")
    try:
        root = fromstring(data, forbid_dtd=True)
    except DTDForbidden as error:
        raise _unreadable("the file declares a DTD (refused)") from error
    except DefusedXmlException as error:  # entities and external references
        raise _unreadable("the file declares XML entities (refused)") from error
    except XMLSyntaxError as error:
        reason = clean_text(str(error), markup=False, max_length=_MAX_REASON)
        raise _unreadable(f"not well-formed XML ({reason})") from error
    if root.tag != "opml":
        tag = clean_text(str(root.tag), markup=False, max_length=_MAX_REASON)
        raise _unreadable(f"the root element is <{tag}>, not <opml>")
    body = root.find("body")
    if body is None:
        raise _unreadable("there is no <body>")

    feeds: list[OPMLFeed] = []
    seen: set[str] = set()
    for outline in body.iter("outline"):
        # Exporters disagree on the case of attribute names (xmlUrl, xmlurl, XMLURL).
        attributes = {name.lower(): value for name, value in outline.attrib.items()}
        xml_url = _without_feed_scheme(attributes.get("xmlurl", "").strip())
        if not xml_url or xml_url in seen:
            continue
        seen.add(xml_url)
        raw_title = (attributes.get("title") or attributes.get("text") or "").strip()
        # Compared before cleaning: a long URL would no longer match once shortened.
        title = clean_text(raw_title, markup=False) if raw_title != xml_url else None
        feeds.append(
            OPMLFeed(
                xml_url=xml_url,
                title=title or None,
                html_url=attributes.get("htmlurl", "").strip() or None,
            )
        )
    return feeds


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def write_opml(feeds: Iterable[OPMLFeed], title: str) -> bytes:
    """An OPML 2.0 document listing ``feeds``, UTF-8 encoded.

    ``text`` is required on every outline, so a feed without a title gets its URL
    there (and :func:`parse_opml` reads such a title back as none). Characters XML
    cannot carry (most control characters) are left out; everything else is escaped.
    """
    root = Element("opml", {"version": "2.0"})
    head = SubElement(root, "head")
    SubElement(head, "title").text = _xml_text(title)
    body = SubElement(root, "body")
    for feed in feeds:
        attributes = {"type": "rss", "text": _xml_text(feed.title or feed.xml_url)}
        if feed.title:
            attributes["title"] = _xml_text(feed.title)
        attributes["xmlUrl"] = _xml_text(feed.xml_url)
        if feed.html_url:
            attributes["htmlUrl"] = _xml_text(feed.html_url)
        SubElement(body, "outline", attributes)
    indent(root)
    document: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"
