"""RSS 2.0, Atom 1.0 and the sitemap: the free part of the published issues only.

Each feed entry carries the free part of its issue as HTML (intro, events, free
resources and the paywall block, links absolute) and a link to its page; the
templates receive free views (:meth:`Renderer.view` with ``paid=False``), which
hold no paid item. Output is a function of the issues alone (no build time in
it), so that an unchanged feed is byte-for-byte unchanged and not rewritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from mustreads.compose.render import IssueView, Renderer
from mustreads.models import Issue

__all__ = ["FEED_ENTRIES", "FeedEntry", "atom_feed", "rss_feed", "sitemap"]

#: Issues in each feed, newest first.
FEED_ENTRIES = 20


@dataclass(frozen=True, slots=True)
class FeedEntry:
    issue: IssueView  # a free view
    html: str  # the free part as an HTML fragment; the XML templates escape it


def feed_entries(
    renderer: Renderer, issues: Sequence[Issue], limit: int = FEED_ENTRIES
) -> list[FeedEntry]:
    """Entries for the newest ``limit`` of ``issues`` (published, newest first)."""
    entries = []
    for index, issue in enumerate(issues[:limit]):
        previous = issues[index + 1] if index + 1 < len(issues) else None
        entries.append(
            FeedEntry(
                issue=renderer.view(issue, paid=False, previous=previous),
                html=renderer.issue_fragment(issue, previous=previous),
            )
        )
    return entries


def _updated(issues: Sequence[Issue]) -> datetime | None:
    dates = [issue.published_at for issue in issues if issue.published_at is not None]
    return max(dates) if dates else None


def rss_feed(
    renderer: Renderer, issues: Sequence[Issue], entries: Sequence[FeedEntry] | None = None
) -> str:
    """RSS 2.0 of the newest issues (``issues``: published, newest first).

    ``entries`` are :func:`feed_entries` of ``issues`` when the caller has them.
    """
    return renderer.render(
        "feed.rss.xml",
        entries=feed_entries(renderer, issues) if entries is None else entries,
        updated=_updated(issues),
    )


def atom_feed(
    renderer: Renderer, issues: Sequence[Issue], entries: Sequence[FeedEntry] | None = None
) -> str:
    """Atom 1.0 of the newest issues (``issues``: published, newest first)."""
    updated = _updated(issues)
    return renderer.render(
        "feed.atom.xml",
        entries=feed_entries(renderer, issues) if entries is None else entries,
        # Atom requires <updated>; a feed with no entry yet says the epoch
        updated=updated or datetime(1970, 1, 1, tzinfo=UTC),
    )


def sitemap(
    renderer: Renderer, issues: Sequence[Issue], views: Sequence[IssueView] | None = None
) -> str:
    """The sitemap: home, archive, about and every published issue's page.

    ``views`` are the free views of ``issues`` when the caller has them.
    """
    return renderer.render(
        "sitemap.xml",
        issues=renderer.views(issues) if views is None else views,
        updated=_updated(issues),
    )
