"""Learning ranking weights from what the curator actually picked.

Each published issue is one week of evidence: the articles that were on the
table that week (analyzed, readable, not duplicates, not off-topic) and which
of them the issue featured — directly, or as a source of a featured story.
The features are computed as the ranking saw them at the end of that week.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from mustreads.analyze.pipeline import featured_profile
from mustreads.analyze.rank import (
    FeaturedProfile,
    LearnReport,
    RankFeatures,
    learn_weights,
    rank_features,
)
from mustreads.config import Settings
from mustreads.models import AnalyzedArticle, Issue, Kind
from mustreads.store import Store

Week = tuple[list[RankFeatures], list[bool]]


def ranking_history(store: Store, settings: Settings) -> list[Week]:
    """One (features, picked) pair per published issue, oldest first."""
    history: list[Week] = []
    issues = list(reversed(store.published_issues()))
    for n, issue in enumerate(issues):
        end = datetime.combine(issue.week, time.max, tzinfo=UTC)
        candidates = [
            item
            for item in store.analyzed_articles(since=end - timedelta(days=7))
            if item.analysis is not None
            and item.analysis.duplicate_of is None
            and item.analysis.kind is not Kind.OFFTOPIC
            and (item.article.published_at or item.article.extracted_at) <= end
        ]
        if candidates:
            # As the ranking saw it then: likeness to what the issues before featured.
            featured = featured_profile(store, issues[:n])
            history.append(_week(issue, candidates, end, settings, featured))
    return history


def _week(
    issue: Issue,
    candidates: list[AnalyzedArticle],
    end: datetime,
    settings: Settings,
    featured: FeaturedProfile | None,
) -> Week:
    picked_articles = {i.article_id for i in issue.items if i.article_id is not None}
    picked_stories = {i.story_id for i in issue.items if i.story_id is not None}
    sites: dict[int, set[str]] = {}
    for item in candidates:
        assert item.analysis is not None
        if item.analysis.story_id is not None:
            sites.setdefault(item.analysis.story_id, set()).add(item.article.site)
    features, picked = [], []
    for item in candidates:
        analysis = item.analysis
        assert analysis is not None
        features.append(
            rank_features(
                item.article,
                topics=analysis.topics,
                story_size=len(sites.get(analysis.story_id or -1, {item.article.site})),
                pinned=item.link.pinned,
                has_note=bool(item.link.note),
                now=end,
                settings=settings.rank,
                featured=featured,
            )
        )
        picked.append(item.article.id in picked_articles or analysis.story_id in picked_stories)
    return features, picked


def learn_ranking(store: Store, settings: Settings) -> tuple[dict[str, float], LearnReport]:
    """Weights fitted to the published issues, and how they rank held-out weeks."""
    return learn_weights(
        ranking_history(store, settings), defaults=settings.rank, k=settings.compose.resources
    )
