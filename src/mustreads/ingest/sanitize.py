"""Text and HTML from outside, made safe to keep and to show.

Feed descriptions, titles and author names are written by strangers and shown to
readers on the site, in email and in the web app. Everything kept for display goes
through nh3 (ammonia) with the explicit allowlist below; templates autoescape on
top of that, but this is the boundary that must hold on its own.

What the allowlist keeps, and why:

* text structure: ``p br ul ol li blockquote pre code h2 h3 h4``, emphasis
  ``em strong b i``; also the other block elements (``h1 h5 h6 div table`` …, see
  :data:`ALLOWED_TAGS`) so that adjacent blocks keep their words apart. Templates
  style them down; none may carry an attribute;
* links: ``a`` with ``href`` and ``title`` only, schemes http, https and mailto;
  each link gets ``rel="nofollow noopener"``; a relative link is made absolute
  against the document's base URL, or dropped when there is none (resolved later
  it would point into our own site);
* no images: remote images in a summary are tracking pixels, load third-party
  content in readers' mail clients and break email layouts. Their alt text is lost
  with them, which is acceptable for a fallback summary;
* no ``style``, ``class``, ``id`` or event-handler attributes on anything;
* the contents of ``script``, ``style``, ``iframe`` and the other elements listed
  in :data:`DROPPED_WITH_CONTENT` go entirely, not just their tags.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import nh3

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "DEFAULT_MAX_LENGTH",
    "DROPPED_WITH_CONTENT",
    "LINK_REL",
    "LINK_SCHEMES",
    "clean_text",
    "html_to_text",
    "sanitize_html",
]

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p", "br", "a", "em", "strong", "b", "i", "ul", "ol", "li",
        "blockquote", "code", "pre", "h2", "h3", "h4",
        # structure only, never with attributes: without them the words of two
        # adjacent blocks would run together ("<h1>Title</h1><div>Body" -> "TitleBody")
        "h1", "h5", "h6", "div", "section", "article", "figure", "figcaption", "hr",
        "dl", "dt", "dd", "table", "thead", "tbody", "tr", "th", "td", "sub", "sup",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {"a": frozenset({"href", "title"})}
LINK_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"
#: Elements removed together with everything inside them.
DROPPED_WITH_CONTENT: frozenset[str] = frozenset(
    {
        "script", "style", "iframe", "noscript", "template", "object", "applet",
        "svg", "math", "textarea", "select", "title", "head", "frameset", "noembed",
        "noframes",
    }
)  # fmt: skip
#: Elements after which text starts a new paragraph in :func:`html_to_text`.
_BLOCKS: frozenset[str] = frozenset(
    {
        "p", "div", "ul", "ol", "li", "blockquote", "pre", "h1", "h2", "h3", "h4",
        "h5", "h6", "table", "tr", "section", "article", "header", "footer", "aside",
        "nav", "main", "figure", "figcaption", "dl", "dt", "dd", "address", "hr",
        "details", "summary", "fieldset", "form",
    }
)  # fmt: skip
_CELLS: frozenset[str] = frozenset({"td", "th"})
#: Default cap of :func:`clean_text`; a title longer than this is not a title.
DEFAULT_MAX_LENGTH = 300
_ELLIPSIS = "…"

# Characters no display text needs: C0/C1 controls other than whitespace, lone
# surrogates and the two non-characters XML 1.0 refuses.
_UNWANTED = dict.fromkeys(
    [
        *range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20),  # C0 but \t \n \r
        *range(0x7F, 0x85), *range(0x86, 0xA0),  # DEL and C1 but NEL (whitespace)
        *range(0xD800, 0xE000), 0xFFFE, 0xFFFF,
    ]
)  # fmt: skip


def _http_base(base_url: str | None) -> str | None:
    """``base_url`` when it can serve as a base for links (absolute http/https)."""
    if not base_url:
        return None
    try:
        parts = urlsplit(base_url.strip())
    except ValueError:
        return None
    return base_url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _resolver(base: str) -> Callable[[str], str | None]:
    def resolve(relative: str) -> str | None:
        # nh3 reports an exception raised here as "unraisable"; never raise.
        try:
            return urljoin(base, relative)
        except ValueError:
            return None

    return resolve


@functools.lru_cache(maxsize=64)
def _cleaner(base: str | None) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(LINK_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
        url_relative=_resolver(base) if base else "deny",
    )


def sanitize_html(html: str, *, base_url: str | None = None) -> str:
    """``html`` reduced to the allowlist above; relative links resolved on ``base_url``.

    Returns "" when nothing displayable is left.
    """
    if not html:
        return ""
    return _cleaner(_http_base(base_url)).clean(html).strip()


@functools.lru_cache(maxsize=1)
def _text_cleaner() -> nh3.Cleaner:
    # html5ever (inside nh3) turns any tag soup into well-formed HTML with only the
    # block structure left; the stdlib parser then reads that safe subset.
    # (html.parser alone raises on some malformed markup, e.g. "<![x[".)
    return nh3.Cleaner(
        tags=set(_BLOCKS | _CELLS | {"br"}),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={},
        strip_comments=True,
        link_rel=None,
    )


class _TextCollector(HTMLParser):
    """Collects text as paragraphs of lines; entities decoded by the parser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[list[str]] = []
        self._lines: list[str] = []
        self._line: list[str] = []

    def _end_line(self) -> None:
        line = " ".join("".join(self._line).split())
        if line:
            self._lines.append(line)
        self._line = []

    def _end_paragraph(self) -> None:
        self._end_line()
        if self._lines:
            self.paragraphs.append(self._lines)
        self._lines = []

    def _boundary(self, tag: str) -> None:
        if tag == "br":
            self._end_line()
        elif tag in _CELLS:
            self._line.append(" ")
        elif tag in _BLOCKS:
            self._end_paragraph()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._boundary(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._boundary(tag)

    def handle_endtag(self, tag: str) -> None:
        self._boundary(tag)

    def handle_data(self, data: str) -> None:
        self._line.append(data.translate(_UNWANTED))

    def close(self) -> None:
        super().close()
        self._end_paragraph()


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment.

    Tags go (and the contents of scripts, styles and the like), entities are
    decoded, runs of whitespace become one space, ``<br>`` a line break and block
    elements (paragraphs, list items, headings …) a blank line between paragraphs.
    """
    if not html:
        return ""
    collector = _TextCollector()
    collector.feed(_text_cleaner().clean(html))
    collector.close()
    return "\n\n".join("\n".join(lines) for lines in collector.paragraphs)


def clean_text(text: str, *, markup: bool = True, max_length: int = DEFAULT_MAX_LENGTH) -> str:
    """A title or author name fit to show on one line.

    With ``markup`` (the default) the input is read as HTML: tags are dropped and
    entities decoded. Pass ``markup=False`` for text known to be plain (a feed says
    so with ``type="text"``), so that a title such as "Inside the <think> block"
    keeps its words; it is then shown escaped, like all text. Controls are removed,
    whitespace collapsed to single spaces, and text longer than ``max_length`` is
    cut at a word boundary where one is near, ending in "…".
    """
    if max_length < 1:
        raise ValueError("max_length must be at least 1")
    if markup:
        text = html_to_text(text)
    text = " ".join(text.translate(_UNWANTED).split())
    if len(text) <= max_length:
        return text
    cut = text[: max(max_length - len(_ELLIPSIS), 0)]
    space = cut.rfind(" ")
    if space >= len(cut) * 4 // 5:  # a word boundary near the end: cut there
        cut = cut[:space]
    return cut.rstrip() + _ELLIPSIS
