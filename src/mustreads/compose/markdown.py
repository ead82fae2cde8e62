"""The draft as a Markdown file for the curator's editor, and back into an issue.

The format (documented for curators in docs/compose.md, "Editing")::

    +++
    title = "A, B, C, and More"
    subtitle = "An AI engineer's must-reads for 1-31-25"
    week = 2025-01-31  # read-only
    intro = '''
    Intro paragraph (Markdown).
    '''
    +++

    ## Events you should know

    <!-- item id=1 a=12 s=4 title="Lead headline" url="https://…" -->
    - Summary of the story, continued on lines
      indented by two spaces.
      sources: [Wire](https://…), [Blog](https://…)

    ## Resources you should read

    <!-- item id=2 a=13 -->
    ### [Title](https://…)
    By Author

    Summary paragraphs.

    <!-- paywall -->

    ### [A paid resource](https://…)

An item's section is the heading it sits under and its tier the side of the
paywall marker, whichever way it is written: a bullet in Resources is a
resource, a ``### [Title](url)`` block in Events an event. The comment line
above an item keeps what the page does not show (ids; for a bullet its title,
link and author); an item without one is a new item written by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mustreads.compose import mdsyntax as md
from mustreads.compose.mdsyntax import Line
from mustreads.errors import EditError, UserError
from mustreads.models import Issue, IssueItem, IssueStatus, Section, SourceRef, Tier

EVENTS_HEADING = "## Events you should know"
RESOURCES_HEADING = "## Resources you should read"
PAYWALL = "<!-- paywall -->"
HEADINGS = {Section.EVENTS: EVENTS_HEADING, Section.RESOURCES: RESOURCES_HEADING}

_GUIDE = (
    "# Edit, save and close the editor; mustreads reads it back. Guide: docs/compose.md",
    "# Keep each '<!-- item … -->' line right above its item. Below '<!-- paywall -->': paid.",
)
_PAYWALL = re.compile(r"<!--\s*paywall\s*-->\s*$", re.IGNORECASE)
_SECTION = re.compile(r"##(?:\s+(.*?))?\s*$")
_RESOURCE = re.compile(r"###(?:\s|$)")
_TITLE_LINE = "a resource needs a title line '### [Title](url)'"

__all__ = ["EditError", "issue_to_markdown", "markdown_to_issue"]


# -- writing ----------------------------------------------------------------


def issue_to_markdown(issue: Issue) -> str:
    """The issue as the curator edits it.

    Resources are written free ones first, then the paywall marker, then paid
    ones; events are free (a paid event is a ValueError: the format has no
    place for one).
    """
    lines = [
        "+++",
        *_GUIDE,
        f"title = {md.toml_string(issue.title)}",
        f"subtitle = {md.toml_string(issue.subtitle)}",
        f"week = {issue.week.isoformat()}  # read-only: the week this issue covers",
        f"intro = {md.toml_text_block(issue.intro)}",
        "+++",
        "",
        EVENTS_HEADING,
        "",
    ]
    for item in issue.section(Section.EVENTS):
        if item.tier is not Tier.FREE:
            raise ValueError(f"event {item.title!r} is paid: events are always free")
        lines += [*_bullet_block(item), ""]
    lines += [RESOURCES_HEADING, ""]
    resources = issue.section(Section.RESOURCES)
    for item in [r for r in resources if r.tier is Tier.FREE]:
        lines += [*_resource_block(item), ""]
    lines += [PAYWALL, ""]
    for item in [r for r in resources if r.tier is Tier.PAID]:
        lines += [*_resource_block(item), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _ids(item: IssueItem) -> dict[str, int | str]:
    found = {"id": item.id, "a": item.article_id, "s": item.story_id}
    return {key: value for key, value in found.items() if value is not None}


def _bullet_block(item: IssueItem) -> list[str]:
    attributes = {**_ids(item), "title": item.title, "url": item.url}
    if item.author is not None:
        attributes["by"] = item.author
    first, *rest = [md.escape_line(line) for line in item.summary.split("\n")]
    lines = [md.item_comment(attributes), f"- {first}" if first else "-"]
    lines += [f"  {line}" if line else "" for line in rest]
    if item.sources:
        lines.append(f"  sources: {md.sources_text(item.sources)}")
    return lines


def _resource_block(item: IssueItem) -> list[str]:
    ids = _ids(item)
    lines = [md.item_comment(ids)] if ids else []
    lines.append(f"### {md.link(item.title, item.url)}")
    author = md.one_line(item.author or "").strip()
    if author:
        lines.append(f"By {author}")
    if item.summary:
        lines += ["", *(md.escape_line(line) for line in item.summary.split("\n"))]
    if item.sources:
        lines += ["", f"sources: {md.sources_text(item.sources)}"]
    return lines


# -- reading ----------------------------------------------------------------


@dataclass(slots=True)
class _Block:
    """The lines of one item, its first line being '### …' or a bullet."""

    section: Section
    tier: Tier
    lines: list[Line]
    attributes: dict[str, int | str] = field(default_factory=dict)


def markdown_to_issue(text: str, draft: Issue) -> Issue:
    """The issue the curator's edit of ``issue_to_markdown(draft)`` describes.

    A new Issue: the draft's id, week, status, number, slug, previous issue and
    publication date are kept; title, subtitle, intro and items come from the
    text. Raises :class:`EditError` (with the line) when the text cannot be read.
    """
    if draft.status is IssueStatus.PUBLISHED:
        raise UserError(f"issue {draft.number} is published: published issues cannot be edited")
    numbered = list(enumerate(text.split("\n"), start=1))
    front, body = md.split_front_matter(numbered)
    values = md.read_front_matter(front, draft.week)
    items = [_item(block) for block in _read_body(body)]
    items.sort(key=lambda item: item.section is not Section.EVENTS)  # stable: events first
    counters: dict[Section, int] = {}
    for item in items:
        item.position = counters.get(item.section, 0)
        counters[item.section] = item.position + 1
    return Issue(
        week=draft.week, title=values["title"], subtitle=values["subtitle"],
        intro=values["intro"], status=draft.status, number=draft.number, slug=draft.slug,
        previous_id=draft.previous_id, previous_url=draft.previous_url,
        published_at=draft.published_at, edited_at=draft.edited_at, items=items, id=draft.id,
    )  # fmt: skip


def _read_body(lines: list[Line]) -> list[_Block]:
    blocks: list[_Block] = []
    section: Section | None = None
    headings: dict[Section, int] = {}
    paywall: int | None = None
    current: _Block | None = None
    comment: tuple[int, dict[str, int | str]] | None = None
    for number, text in lines:
        starts_item = bool(_RESOURCE.match(text) or md.BULLET.match(text))
        if comment is not None and not starts_item:
            raise EditError(
                "an item comment must sit right above its item ('### [Title](url)' or '- …'):"
                " move it with its item, or delete it with its item",
                line=comment[0],
            )
        structural = starts_item or text.startswith(("#", "<!--"))
        if not structural:
            if current is not None:
                current.lines.append((number, text))
            elif text.strip():
                where = "any item" if section is not None else "any section"
                raise EditError(
                    f"text outside {where}: an item starts with '### [Title](url)' or '- '",
                    line=number,
                )
            continue
        current = None
        if starts_item:
            if section is None:
                raise EditError(
                    "an item outside any section: put it under "
                    f"'{EVENTS_HEADING}' or '{RESOURCES_HEADING}'",
                    line=number,
                )
            paid = section is Section.RESOURCES and paywall is not None
            attributes = comment[1] if comment else {}
            current = _Block(
                section, Tier.PAID if paid else Tier.FREE, [(number, text)], attributes
            )
            blocks.append(current)
            comment = None
        elif heading := _SECTION.match(text):
            section = _section(heading.group(1) or "", number)
            if section is Section.EVENTS and paywall is not None:
                raise EditError(
                    f"events are free: '{EVENTS_HEADING}' must come before the paywall "
                    f"marker on line {paywall}",
                    line=number,
                )
            if section in headings:
                raise EditError(
                    f"a second '{HEADINGS[section]}' heading (the first is on line "
                    f"{headings[section]})",
                    line=number,
                )
            headings[section] = number
        elif _PAYWALL.match(text):
            if paywall is not None:
                raise EditError(
                    f"a second paywall marker (the first is on line {paywall})", line=number
                )
            if section is not Section.RESOURCES:
                raise EditError(
                    f"the paywall marker belongs under '{RESOURCES_HEADING}' (events are free)",
                    line=number,
                )
            paywall = number
        elif md.ITEM_COMMENT.match(text):
            try:
                comment = (number, md.read_item_comment(text))
            except ValueError as exc:
                raise EditError(
                    f"cannot read this item comment ({exc}): restore it or delete the line",
                    line=number,
                ) from None
        elif text.startswith("<!--"):
            raise EditError(
                "unknown comment: only '<!-- item … -->' and '<!-- paywall -->' lines may start"
                " with '<!--' (write '\\<!--' for text)",
                line=number,
            )
        else:
            raise EditError(
                f"unknown heading: the sections are '{EVENTS_HEADING}' and '{RESOURCES_HEADING}',"
                " and a resource starts with '### [Title](url)' (write '\\#' for text)",
                line=number,
            )
    if comment is not None:
        raise EditError(
            "an item comment must sit right above its item: delete it with its item",
            line=comment[0],
        )
    return blocks


def _section(name: str, number: int) -> Section:
    words = name.lower().split()
    if words and words[0] == "events":
        return Section.EVENTS
    if words and words[0] == "resources":
        return Section.RESOURCES
    raise EditError(
        f"unknown section heading '## {name}': use '{EVENTS_HEADING}' or '{RESOURCES_HEADING}'",
        line=number,
    )


def _item(block: _Block) -> IssueItem:
    number, first = block.lines[0]
    if _RESOURCE.match(first):
        title, url, author, summary, sources = _read_resource(block)
    else:
        summary, sources, sources_at = _read_bullet(block)
        attributes = block.attributes
        url = str(attributes.get("url", sources[0].url if sources else ""))
        if not url:
            what = "an event" if block.section is Section.EVENTS else "a resource written as '- …'"
            if sources_at is None:
                raise EditError(
                    f"{what} needs a sources line '  sources: [Name](url)'", line=number
                )
            raise EditError(f"{what} needs at least one source: [Name](url)", line=sources_at)
        title = str(attributes["title"]) if "title" in attributes else _headline(summary, sources)
        author = str(attributes["by"]) if "by" in attributes else None
    ids = block.attributes
    return IssueItem(
        section=block.section, title=title, url=url, summary=summary, tier=block.tier,
        author=author, sources=sources, article_id=_int(ids.get("a")),
        story_id=_int(ids.get("s")), id=_int(ids.get("id")),
    )  # fmt: skip


def _int(value: int | str | None) -> int | None:
    return value if isinstance(value, int) else None


def _read_resource(block: _Block) -> tuple[str, str, str | None, str, list[SourceRef]]:
    number, first = block.lines[0]
    rest = first[3:].strip()
    try:
        title, url, end = md.read_link(rest, 0)
    except md.LinkSyntaxError as exc:
        raise EditError(f"{_TITLE_LINE}: {exc}", line=number) from None
    if rest[end:].strip():
        raise EditError(f"{_TITLE_LINE}, with nothing after it", line=number)
    if not url:
        raise EditError(f"{_TITLE_LINE}: the link is empty", line=number)
    lines = block.lines[1:]
    while lines and not lines[0][1].strip():
        lines = lines[1:]
    author = None
    if lines and md.AUTHOR.match(lines[0][1]):
        author = lines[0][1][2:].strip() or None
        lines = lines[1:]
    summary, sources, _ = _summary_and_sources(lines, [])
    return title, url, author, summary, sources


def _read_bullet(block: _Block) -> tuple[str, list[SourceRef], int | None]:
    first = block.lines[0][1]
    summary = [md.unescape_line(first[1:].lstrip(" "))]
    lines: list[Line] = []
    previous_blank = False
    for number, text in block.lines[1:]:
        if text.startswith("  ") or md.SOURCES.match(text):
            lines.append((number, text[2:] if text.startswith("  ") else text))
        elif not text.strip():
            lines.append((number, text))
        elif previous_blank:
            raise EditError(
                "text outside any item: indent the lines of an event by two spaces", line=number
            )
        else:
            lines.append((number, text))  # a lazy continuation line, as Markdown allows
        previous_blank = not text.strip()
    return _summary_and_sources(lines, summary)


def _summary_and_sources(
    lines: list[Line], summary: list[str]
) -> tuple[str, list[SourceRef], int | None]:
    """The summary lines (unescaped) and the sources line that may end them."""
    sources: list[SourceRef] = []
    sources_at: int | None = None
    for number, text in lines:
        if sources_at is not None and text.strip():
            raise EditError(
                f"the sources line (line {sources_at}) must be the last line of its item",
                line=number,
            )
        if md.SOURCES.match(text):
            sources_at = number
            try:
                sources = md.read_sources(text.split(":", 1)[1])
            except md.LinkSyntaxError as exc:
                raise EditError(
                    f"cannot read the sources ({exc}): write 'sources: [Name](url), [Name](url)'",
                    line=number,
                ) from None
        elif sources_at is None:
            summary.append(md.unescape_line(text))
    return "\n".join(summary).strip(), sources, sources_at


def _headline(summary: str, sources: list[SourceRef]) -> str:
    """A title for an item written by hand as a bullet: its first sentence."""
    first = summary.split("\n", 1)[0].strip()
    sentence = re.match(r"(.+?[.!?])(?:\s|$)", first)
    return sentence.group(1) if sentence else first or (sources[0].name if sources else "")
