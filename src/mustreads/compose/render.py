"""Render an issue, and the pages around it, from the shared Jinja2 templates.

One :class:`Renderer` serves the static site, the feeds, email and the web app.
Templates live in ``compose/templates/``; a ``templates/`` folder beside the
publication's ``mustreads.toml`` is searched first, so any of them can be
overridden one file at a time.

Two rules hold whatever a template does:

* **Paid items never reach a free render.** Templates get an :class:`IssueView`
  built here, which for ``paid=False`` does not hold the paid items at all, only
  how many were left out; an overridden template cannot leak what it never sees.
* **Text from outside is data.** Titles, summaries, authors and source names are
  Markdown written by strangers: the ``md_*`` filters render them with
  markdown-it-py (raw HTML off, images off, only http(s) links) and pass the
  result through :func:`~mustreads.ingest.sanitize.sanitize_html`; everything
  else is autoescaped in ``.html`` and ``.xml`` templates. Item and source URLs
  reach templates only when they are http(s) (else ``None``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from mustreads.compose.draft import issue_json, issue_slug, issue_url
from mustreads.config import Settings
from mustreads.errors import UserError
from mustreads.ingest.sanitize import sanitize_html
from mustreads.models import Issue, IssueItem, Section, Tier

__all__ = ["IssueView", "ItemView", "Renderer", "http_url", "issue_url", "markdown_html",
           "markdown_safe", "markdown_text"]  # fmt: skip

#: Bump when the Python side of rendering changes what templates receive.
RENDER_VERSION = "1"
TEMPLATES_DIR = "templates"
# Characters that XML 1.0 refuses or HTML calls a parse error: C0 but tab, LF and CR,
# DEL, C1, lone surrogates and two non-characters.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_URL_FORBIDDEN = re.compile(r"[\s\"'<>\\`\x00-\x1f\x7f]")


def http_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) address fit for an ``href``, else None."""
    if not url:
        return None
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("http", "https") or not rest.split("/", 1)[0]:
        return None
    return None if _URL_FORBIDDEN.search(url) else url


def site_url(settings: Settings) -> str:
    url = settings.publication.url
    return url if url.endswith("/") else url + "/"


def issue_path(issue: Issue) -> str:
    """Path of a published issue's page below the site's root: ``issues/<slug>/``."""
    return f"issues/{quote(issue_slug(issue), safe='')}/"


# -- Markdown from outside ---------------------------------------------------


class _Markdown(MarkdownIt):
    """CommonMark without raw HTML or images, whose links must be http(s)."""

    def __init__(self, *, links: bool) -> None:
        super().__init__("commonmark", {"html": False, "linkify": False, "typographer": False})
        self.disable("image")
        if not links:  # a title is itself a link: links inside it keep only their text
            self.add_render_rule("link_open", lambda *args: "")
            self.add_render_rule("link_close", lambda *args: "")

    def validateLink(self, url: str) -> bool:  # markdown-it's name
        return http_url(url) is not None


_MD = _Markdown(links=True)
_MD_LABEL = _Markdown(links=False)
_MD_ESCAPE = str.maketrans({ch: "\\" + ch for ch in "\\`*_[]<>&!#|~"})


@functools.lru_cache(maxsize=8192)
def markdown_html(text: str, *, links: bool = True, block: bool = False) -> Markup:
    """Markdown ``text`` as sanitized HTML; inline only unless ``block``."""
    if not text:
        return Markup("")
    md = _MD if links else _MD_LABEL
    html = md.render(text) if block else md.renderInline(text)
    return Markup(sanitize_html(html))  # noqa: S704 - sanitized by nh3 just above


def _inline_tokens(text: str) -> list[Token]:
    return [child for token in _MD.parseInline(text) for child in token.children or []]


@functools.lru_cache(maxsize=8192)
def markdown_text(text: str, *, links: bool = False) -> str:
    """Markdown ``text`` as plain text: markup dropped, link texts kept, and with
    ``links`` each link's address after its text, as in "text <https://…>"."""
    parts = []
    hrefs: list[str] = []
    for token in _inline_tokens(text or ""):
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "link_open":
            hrefs.append(str(token.attrGet("href") or ""))
        elif token.type == "link_close" and hrefs:
            href = hrefs.pop()
            parts.append(f" <{href}>" if links else "")
    return " ".join("".join(parts).split())


@functools.lru_cache(maxsize=8192)
def markdown_safe(text: str, *, links: bool = True) -> str:
    """Markdown ``text`` written back as Markdown with nothing but text, emphasis,
    code and http(s) links: no raw HTML, no images, one line."""
    out: list[str] = []
    hrefs: list[str] = []
    for token in _inline_tokens(text or ""):
        kind = token.type
        if kind == "text":
            out.append(token.content.translate(_MD_ESCAPE))
        elif kind in ("softbreak", "hardbreak"):
            out.append(" ")
        elif kind == "code_inline":
            fence = "``" if "`" in token.content else "`"
            pad = " " if fence == "``" else ""
            out.append(f"{fence}{pad}{token.content}{pad}{fence}")
        elif kind in ("em_open", "em_close"):
            out.append("*")
        elif kind in ("strong_open", "strong_close"):
            out.append("**")
        elif kind == "link_open":
            hrefs.append(str(token.attrGet("href") or ""))
            out.append("[" if links else "")
        elif kind == "link_close":
            href = hrefs.pop() if hrefs else ""  # percent-encoded by markdown-it: no <, > or space
            out.append(f"](<{href}>)" if links else "")
    return " ".join("".join(out).split())


# -- what templates see -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceView:
    name: str  # Markdown from outside: show with md_label / md_text
    url: str | None  # http(s) only


@dataclass(frozen=True, slots=True)
class ItemView:
    title: str  # Markdown from outside
    url: str | None  # http(s) only
    summary: str  # Markdown from outside
    author: str | None
    sources: tuple[SourceView, ...]
    section: str
    paid: bool


@dataclass(frozen=True, slots=True)
class LinkView:
    number: int | None
    title: str
    url: str  # absolute
    path: str | None  # below the site's root; None for a page elsewhere


@dataclass(frozen=True, slots=True)
class IssueView:
    """One issue as a template sees it; a free view holds no paid item."""

    number: int | None
    title: str
    subtitle: str
    intro: str  # Markdown
    url: str  # absolute address of its page
    path: str  # the same below the site's root
    week: date
    published_at: datetime | None
    description: str  # plain text for meta tags: the subtitle, else the first free summary
    events: tuple[ItemView, ...]
    resources: tuple[ItemView, ...]
    extended: tuple[ItemView, ...]  # paid resources: empty in a free view
    hidden: int  # paid items left out of this view
    paid: bool
    previous: LinkView | None
    next: LinkView | None


def _item_view(item: IssueItem) -> ItemView:
    return ItemView(
        title=item.title,
        url=http_url(item.url),
        summary=item.summary,
        author=item.author or None,
        sources=tuple(SourceView(s.name, http_url(s.url)) for s in item.sources),
        section=item.section.value,
        paid=item.tier is Tier.PAID,
    )


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _rfc822(moment: datetime | None) -> str:
    return format_datetime(_utc(moment) or datetime(1970, 1, 1, tzinfo=UTC), usegmt=True)


def _iso(moment: datetime | date | None) -> str:
    if isinstance(moment, datetime):
        return (_utc(moment) or moment).isoformat().replace("+00:00", "Z")
    return moment.isoformat() if moment else ""


def _long_date(moment: datetime | date | None) -> str:
    return f"{moment:%B} {moment.day}, {moment.year}" if moment else ""


@functools.cache
def _css_inliner() -> Any:
    """Moves ``<style>`` rules into ``style`` attributes; @media rules (the dark mode)
    stay in a ``<style>`` element, where only they can work."""
    import css_inline  # here: only email needs it, and the site builds without it

    return css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


class Renderer:
    """The templates of one publication, with its settings."""

    def __init__(self, settings: Settings, root: Path | None = None) -> None:
        self.settings = settings
        loaders: list[jinja2.BaseLoader] = []
        if root is not None and (root / TEMPLATES_DIR).is_dir():
            loaders.append(jinja2.FileSystemLoader(root / TEMPLATES_DIR))
        loaders.append(jinja2.PackageLoader("mustreads.compose", TEMPLATES_DIR))
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=jinja2.select_autoescape(("html", "xml"), default_for_string=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # one Renderer per build or process: no stat() per page
        )
        self.env.filters.update(
            md_html=markdown_html,
            md_block=functools.partial(markdown_html, block=True),
            md_label=functools.partial(markdown_html, links=False),
            md_text=markdown_text,
            md_safe=markdown_safe,
            http_url=http_url,
            rfc822=_rfc822,
            iso=_iso,
            long_date=_long_date,
        )
        base = site_url(settings)
        self.env.globals.update(
            publication=settings.publication,
            compose=settings.compose,
            site_url=base,
            subscribe_url=base + "subscribe/",
            feed_url=base + "feed.xml",
            atom_url=base + "atom.xml",
            archive_url=base + "archive/",
            about_url=base + "about/",
            base=urlsplit(base).path,  # start of links to own pages; the site's are relative
        )

    # -- plumbing ------------------------------------------------------------

    def render(self, name: str, **context: Any) -> str:
        """Render template ``name``; a broken (overridden) template is a UserError."""
        try:
            text = self.env.get_template(name).render(**context)
        except jinja2.TemplateError as exc:
            line = f"line {exc.lineno}: " if isinstance(exc, jinja2.TemplateSyntaxError) else ""
            raise UserError(f"template {name}: {line}{exc}") from exc
        return _BAD_CHARS.sub("", text)

    @functools.cached_property
    def fingerprint(self) -> str:
        """Changes whenever a template, a setting shown in pages, or this code changes."""
        digest = hashlib.sha256(RENDER_VERSION.encode())
        shown = {"publication": self.settings.publication, "compose": self.settings.compose}
        digest.update(json.dumps({k: v.model_dump() for k, v in shown.items()}).encode())
        for name in sorted(self.env.list_templates()):
            source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
            digest.update(f"\0{name}\0{source}".encode())
        return digest.hexdigest()

    def view(
        self, issue: Issue, *, paid: bool, previous: Issue | None = None,
        next_issue: Issue | None = None,
    ) -> IssueView:  # fmt: skip
        """What templates may see of ``issue``: for ``paid=False``, no paid item."""
        shown = [i for i in issue.items if paid or i.tier is Tier.FREE]
        events = tuple(_item_view(i) for i in shown if i.section is Section.EVENTS)
        resources = [_item_view(i) for i in shown if i.section is Section.RESOURCES]
        first_summary = next((i.summary for i in issue.items if i.tier is Tier.FREE), "")
        description = markdown_text(issue.subtitle or first_summary)
        prev_link = self._link(previous) if previous else None
        if prev_link is None and http_url(issue.previous_url):
            prev_link = LinkView(None, "", issue.previous_url or "", None)
        numbered = issue.slug is not None or issue.number is not None  # else a draft
        return IssueView(
            number=issue.number,
            title=issue.title,
            subtitle=issue.subtitle,
            intro=issue.intro,
            url=issue_url(self.settings, issue) if numbered else site_url(self.settings),
            path=issue_path(issue) if numbered else "",
            week=issue.week,
            published_at=_utc(issue.published_at),
            description=description or self.settings.publication.description,
            events=events,
            resources=tuple(r for r in resources if not r.paid),
            extended=tuple(r for r in resources if r.paid),
            hidden=len(issue.items) - len(shown),
            paid=paid,
            previous=prev_link,
            next=self._link(next_issue) if next_issue else None,
        )

    def _link(self, issue: Issue) -> LinkView:
        return LinkView(
            issue.number, issue.title, issue_url(self.settings, issue), issue_path(issue)
        )

    # -- one issue -------------------------------------------------------------

    def issue_markdown(self, issue: Issue, *, paid: bool) -> str:
        return self.render("issue.md", issue=self.view(issue, paid=paid))

    def issue_html(
        self,
        issue: Issue,
        *,
        paid: bool,
        previous: Issue | None = None,
        next_issue: Issue | None = None,
        base: str = "../../",
    ) -> str:
        """The web page of ``issue``; ``base`` leads from the page to the site's root."""
        view = self.view(issue, paid=paid, previous=previous, next_issue=next_issue)
        return self.render("issue.html", issue=view, base=base)

    def issue_fragment(self, issue: Issue, *, previous: Issue | None = None) -> str:
        """The free part of ``issue`` as an HTML fragment with absolute links (feeds)."""
        return self.render("feed_entry.html", issue=self.view(issue, paid=False, previous=previous))

    def email_html(self, issue: Issue, *, paid: bool, unsubscribe_url: str | None = None) -> str:
        """The email's HTML part: table layout, CSS inlined but the dark-mode query."""
        html = self.render(
            "email.html", issue=self.view(issue, paid=paid), unsubscribe_url=unsubscribe_url
        )
        return str(_css_inliner().inline(html))

    def email_text(self, issue: Issue, *, paid: bool, unsubscribe_url: str | None = None) -> str:
        return self.render(
            "email.txt", issue=self.view(issue, paid=paid), unsubscribe_url=unsubscribe_url
        )

    def issue_json(self, issue: Issue, *, paid: bool) -> dict[str, Any]:
        """The ``draft --json`` shape of ``issue``; a free one holds no paid item."""
        data = issue_json(issue, self.settings)
        if not paid:
            for section in data["sections"]:
                section["items"] = [i for i in section["items"] if i["tier"] == Tier.FREE.value]
        return data

    def views(self, issues: Iterable[Issue]) -> list[IssueView]:
        """Free views of ``issues`` for lists (home, archive, feeds)."""
        return [self.view(issue, paid=False) for issue in issues]
