"""The draft stage: choose the week's items, split them into sections and tiers, title the issue.

:func:`draft_issue` reads the week's analyzed articles from the store and saves
the draft; everything between is :func:`compose_issue`, which only processes
data. The issue follows the reference issue of ARCHITECTURE.md:

* **Events you should know**: the week's top news stories, one item per story,
  summarized by its best article, with every article that covered it as a source;
* **Resources you should read**: the top explainers, essays, tutorials and papers;
  the first ``compose.free_resources`` are free, the rest the paid extended list.

Off-topic articles never appear. A curator's section hint puts a link in that
section whatever its kind; a pinned link is always in, even when an earlier
issue featured it, while nothing else featured in a published issue comes back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from mustreads.compose.headline import headline_phrase, issue_title
from mustreads.compose.week import fill_subtitle, week_ending, week_window
from mustreads.config import Settings
from mustreads.errors import UserError
from mustreads.models import (
    AnalyzedArticle,
    Issue,
    IssueItem,
    Kind,
    Section,
    SourceRef,
    Story,
    Tier,
    utcnow,
)
from mustreads.store import Store

SECTION_HEADINGS: dict[Section, str] = {
    Section.EVENTS: "Events you should know",
    Section.RESOURCES: "Resources you should read",
}
_HINTS = {"events": Section.EVENTS, "resources": Section.RESOURCES}
_KIND_SECTIONS = {Kind.EVENT: Section.EVENTS, Kind.RESOURCE: Section.RESOURCES}


@dataclass(frozen=True, slots=True)
class Featured:
    """What published issues already featured: never drafted again unless pinned."""

    articles: frozenset[int] = frozenset()
    stories: frozenset[int] = frozenset()


@dataclass(slots=True)
class _Entry:
    """One candidate of a section: an article, or the articles of one news story."""

    members: list[AnalyzedArticle]  # best first
    story: Story | None = None
    pinned: bool = False

    @property
    def best(self) -> AnalyzedArticle:
        return self.members[0]

    def rank(self) -> tuple[float, int, int]:
        # Best score first; more sites covering it breaks a tie; then the oldest id.
        sites = len({m.article.site for m in self.members})
        key = self.story.id if self.story and self.story.id is not None else _article_id(self.best)
        return (-_score(self.best), -sites, key)


@dataclass(slots=True)
class _Selection:
    events: list[_Entry] = field(default_factory=list)
    resources: list[_Entry] = field(default_factory=list)


def draft_issue(
    store: Store,
    settings: Settings,
    *,
    week: date | None = None,
    now: datetime | None = None,
    rebuild: bool = False,
) -> Issue:
    """Build and save the draft of the week ending ``week`` (default: this week's issue day).

    A draft of that week already in the store is replaced, keeping its id —
    unless the curator edited it (``edited_at``): then it is returned as it is,
    and only ``rebuild`` starts it over.
    """
    now = now or utcnow()
    week = week or week_ending(now.astimezone(UTC).date(), settings.compose.weekday)
    published = [issue for issue in store.published_issues() if issue.week == week]
    if published:
        raise UserError(
            f"the issue of the week ending {week.isoformat()} is already published "
            f"(number {published[0].number}): draft another week with --week"
        )
    existing = store.draft_for_week(week)
    if existing is not None and existing.edited_at is not None and not rebuild:
        return existing
    start, end = week_window(week)
    candidates = [item for item in store.analyzed_articles(since=start) if _within(item, end)]
    story_ids = {
        item.analysis.story_id
        for item in candidates
        if item.analysis is not None and item.analysis.story_id is not None
    }
    stories = store.get_stories(sorted(story_ids)) if story_ids else {}
    articles, story_keys = store.featured()
    earlier = store.published_issues(before=week)
    issue = compose_issue(
        candidates,
        stories,
        settings,
        week=week,
        featured=Featured(frozenset(articles), frozenset(story_keys)),
        previous=earlier[0] if earlier else None,
    )
    if existing is not None:
        issue.id = existing.id
    return store.save_issue(issue)


def compose_issue(
    candidates: Iterable[AnalyzedArticle],
    stories: Mapping[int, Story],
    settings: Settings,
    *,
    week: date,
    featured: Featured = Featured(),
    previous: Issue | None = None,
) -> Issue:
    """The issue of ``week`` from its candidate articles (no I/O: same input, same issue)."""
    compose = settings.compose
    chosen = _select(candidates, stories, featured, compose.events, compose.resources)
    items = [_event_item(entry) for entry in chosen.events]
    for position, entry in enumerate(chosen.resources):
        tier = Tier.FREE if position < compose.free_resources else Tier.PAID
        items.append(_resource_item(entry, tier))
    entries = chosen.events + chosen.resources
    phrases = [
        headline_phrase(item.title, compose.title_words, site_name=_title_site(entry))
        for item, entry in zip(items[: compose.title_items], entries, strict=False)
    ]
    return Issue(
        week=week,
        title=issue_title(phrases) or settings.publication.name,
        subtitle=fill_subtitle(compose.subtitle, week, compose.date_format),
        intro=compose.intro,
        previous_id=previous.id if previous else None,
        previous_url=issue_url(settings, previous) if previous else None,
        items=items,
    )


def pending_draft(store: Store, week: date | None = None) -> Issue | None:
    """The draft to review or publish: ``week``'s, or the only one waiting.

    With several drafts and no week, which one is meant is not guessed.
    """
    if week is not None:
        return store.draft_for_week(week)
    drafts = store.drafts()
    if len(drafts) > 1:
        weeks = ", ".join(d.week.isoformat() for d in drafts)
        raise UserError(f"{len(drafts)} drafts (weeks ending {weeks}): choose one with --week")
    return drafts[0] if drafts else None


def issue_slug(issue: Issue) -> str:
    """The path segment of a published issue: its slug, else its number."""
    if issue.slug:
        return issue.slug
    if issue.number is None:
        raise UserError("a draft has no address until it is published")
    return str(issue.number)


def issue_url(settings: Settings, issue: Issue) -> str:
    """Where the web archive serves ``issue``: ``<publication.url>issues/<slug>/``."""
    base = settings.publication.url.rstrip("/")
    return f"{base}/issues/{quote(issue_slug(issue), safe='')}/"


def issue_json(issue: Issue, settings: Settings) -> dict[str, Any]:
    """The ``draft --json`` contract of ARCHITECTURE.md (plus ``week``, ``intro``, ``heading``)."""
    return {
        "number": issue.number,
        "week": issue.week.isoformat(),
        "title": issue.title,
        "subtitle": issue.subtitle,
        "intro": issue.intro,
        "previous_url": issue.previous_url,
        "sections": [
            {
                "name": section.value,
                "heading": SECTION_HEADINGS[section],
                "items": [
                    {
                        "title": item.title,
                        "author": item.author,
                        "url": item.url,
                        "summary": item.summary,
                        "sources": [{"name": s.name, "url": s.url} for s in item.sources],
                        "tier": item.tier.value,
                    }
                    for item in issue.section(section)
                ],
            }
            for section in (Section.EVENTS, Section.RESOURCES)
        ],
    }


# -- selection ------------------------------------------------------------------


def _within(item: AnalyzedArticle, end: datetime) -> bool:
    """Published before ``end`` (undated: extracted before it); the store applied the start."""
    when = item.article.published_at or item.article.extracted_at
    return when < end


def _section_of(item: AnalyzedArticle) -> Section | None:
    hint = (item.link.section_hint or "").strip().lower()
    if hint in _HINTS:
        return _HINTS[hint]  # the curator's word beats the classifier's
    analysis = item.analysis
    return _KIND_SECTIONS.get(analysis.kind) if analysis and analysis.kind else None


def _select(
    candidates: Iterable[AnalyzedArticle],
    stories: Mapping[int, Story],
    featured: Featured,
    events: int,
    resources: int,
) -> _Selection:
    items = [item for item in candidates if item.analysis is not None]
    # Pinning a copy (a syndicated URL) pins the original it was collapsed into.
    pinned_copies = {
        item.analysis.duplicate_of for item in items if item.analysis and item.link.pinned
    }
    story_news: dict[int, list[AnalyzedArticle]] = {}
    lone_news: list[AnalyzedArticle] = []
    resource_entries: list[_Entry] = []
    for item in items:
        analysis = item.analysis
        if analysis is None or analysis.duplicate_of is not None:
            continue
        section = _section_of(item)
        pinned = item.link.pinned or _article_id(item) in pinned_copies
        if not pinned and _article_id(item) in featured.articles:
            continue
        if section is Section.RESOURCES:
            if pinned or analysis.story_id not in featured.stories:
                resource_entries.append(_Entry(members=[item], pinned=pinned))
        elif section is Section.EVENTS:
            if analysis.story_id is not None and analysis.story_id in stories:
                story_news.setdefault(analysis.story_id, []).append(item)
            else:
                lone_news.append(item)
    groups: list[tuple[Story | None, list[AnalyzedArticle]]] = [
        (stories[story_id], members) for story_id, members in story_news.items()
    ]
    groups += [(None, [item]) for item in lone_news]
    event_entries = []
    for story, members in groups:
        members.sort(key=lambda m: (-_score(m), _article_id(m)))
        pinned = any(m.link.pinned or _article_id(m) in pinned_copies for m in members)
        if story is not None and story.id in featured.stories and not pinned:
            continue
        event_entries.append(_Entry(members=members, story=story, pinned=pinned))
    return _Selection(
        events=_top(event_entries, events),
        resources=_top(resource_entries, resources),
    )


def _top(entries: Sequence[_Entry], count: int) -> list[_Entry]:
    """The best ``count`` entries, pinned ones first in; all pinned ones even past ``count``."""
    ranked = sorted(entries, key=_Entry.rank)
    pinned = [e for e in ranked if e.pinned]
    rest = [e for e in ranked if not e.pinned][: max(0, count - len(pinned))]
    return sorted(pinned + rest, key=_Entry.rank)


# -- items ----------------------------------------------------------------------


def _event_item(entry: _Entry) -> IssueItem:
    best = _headline_member(entry)
    return IssueItem(
        section=Section.EVENTS,
        title=entry.story.label if entry.story else _title(best),
        url=best.article.url,
        summary=_summary(best),
        sources=[SourceRef(name=m.article.site, url=m.article.url) for m in entry.members],
        story_id=entry.story.id if entry.story else None,
        article_id=None if entry.story else _article_id(best),
    )


def _headline_member(entry: _Entry) -> AnalyzedArticle:
    """The article whose headline labels the story (the one most like the others).

    Its summary reads as news; the best-scored member can be a reaction piece
    ("I ran it against our prompts…") that belongs among the sources, not in the bullet.
    """
    if entry.story is not None:
        for member in entry.members:
            if member.article.title == entry.story.label and _summary(member):
                return member
    return entry.best


def _resource_item(entry: _Entry, tier: Tier) -> IssueItem:
    best = entry.best
    return IssueItem(
        section=Section.RESOURCES,
        title=_title(best),
        url=best.article.url,
        summary=_summary(best),
        tier=tier,
        author=best.article.author or best.link.author or None,
        sources=[SourceRef(name=best.article.site, url=best.article.url)],
        article_id=_article_id(best),
    )


def _title_site(entry: _Entry) -> str | None:
    """The site whose headline a title phrase comes from, so its name can be dropped."""
    title = entry.story.label if entry.story else _title(entry.best)
    for member in entry.members:
        if member.article.title == title:
            return member.article.site_name
    return None


def _title(item: AnalyzedArticle) -> str:
    return item.article.title or item.link.title or item.article.url


def _summary(item: AnalyzedArticle) -> str:
    return (item.analysis.summary if item.analysis else None) or ""


def _score(item: AnalyzedArticle) -> float:
    return (item.analysis.score if item.analysis else None) or 0.0


def _article_id(item: AnalyzedArticle) -> int:
    assert item.article.id is not None, "stored articles have ids"
    return item.article.id
