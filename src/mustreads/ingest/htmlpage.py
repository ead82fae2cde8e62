"""Turn page bytes into one parsed lxml tree that every extractor shares.

Decoding follows what browsers do, in a smaller way: a byte order mark wins,
then a charset declared in the first bytes (``<meta charset>`` or
``http-equiv=Content-Type``), then UTF-8; bytes that do not fit are replaced
rather than refused. The tree is parsed once per page; extractors that change
a tree work on a copy.
"""

from __future__ import annotations

import codecs
import re
import threading

from lxml import etree, html

from mustreads.errors import ExtractError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.\-]+)""")
# Labels a browser reads as another encoding (WHATWG Encoding Standard).
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-sjis": "shift_jis",
    "utf8": "utf-8",
}
_SNIFF_BYTES = 4096
# lxml parsers must not be shared between threads: one per thread.
_local = threading.local()


def _parser() -> html.HTMLParser:
    parser: html.HTMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = html.HTMLParser(
            encoding="utf-8",
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
            default_doctype=False,
        )
        _local.parser = parser
    return parser


# Elements that hold no article text: scripts and media, form controls, and the
# page furniture (nav, footer, aside, figure) trafilatura drops anyway. Removing
# them once spares both extractors the work. Metadata is read before they go.
_INERT = (
    "script", "style", "noscript", "template", "svg", "math", "iframe", "link", "object",
    "embed", "applet", "canvas", "audio", "video", "picture", "map", "button", "select",
    "textarea", "input", "label", "dialog", "menu", "nav", "footer", "aside", "figure",
)  # fmt: skip


def declared_encoding(data: bytes) -> str | None:
    """The encoding the bytes announce for themselves (BOM or in-document declaration)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    head = data[:_SNIFF_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if match is None:
        return None
    label = match.group(1).decode("ascii", "replace").strip().lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes) -> str:
    """Bytes to text; raises :class:`ExtractError` only when there is nothing at all."""
    if not data.strip():
        raise ExtractError("empty page: no bytes to extract from")
    encoding = declared_encoding(data)
    if encoding is not None:
        text = data.decode(encoding, "replace")
        return text.removeprefix("\ufeff")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace")


def parse_html(text: str) -> html.HtmlElement | None:
    """The document tree, or None when the text holds no markup or words at all."""
    if not text.strip():
        return None
    # lxml refuses str input that carries an XML encoding declaration: hand it UTF-8 bytes.
    data = text.encode("utf-8", "replace")
    try:
        root = html.document_fromstring(data, parser=_parser())
    except (etree.ParserError, ValueError):
        return None
    return root if isinstance(root, html.HtmlElement) else None


def strip_inert(tree: html.HtmlElement) -> None:
    """Remove scripts, styles and other elements without readable text, in place."""
    etree.strip_elements(tree, *_INERT, with_tail=False)


_HIDDEN = (
    "//*[@hidden or @aria-hidden='true' or contains(translate(@style, ' ', ''), 'display:none')"
    " or contains(translate(@style, ' ', ''), 'visibility:hidden')]"
)


def visible_text(tree: html.HtmlElement) -> str:
    """The page's text without hidden elements, whitespace collapsed; drops them in place.

    A metered paywall often ships its "subscribe to continue" box hidden in
    every page and shows it with a script: hidden text says nothing about
    what the reader sees.
    """
    hidden = tree.xpath(_HIDDEN)
    for el in hidden if isinstance(hidden, list) else ():
        if isinstance(el, html.HtmlElement) and el.getparent() is not None:
            el.drop_tree()
    return " ".join(tree.text_content().split())
