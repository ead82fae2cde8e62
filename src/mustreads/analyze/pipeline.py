"""The analyze stage: summarize, classify, deduplicate, cluster and rank.

New readable articles are classified, given topics and summarized once.
Duplicates, stories and scores are recomputed over a recent window on every
run, since a new article can join an older story or raise its coverage; the
results of a run depend only on what the store holds, so running it twice
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mustreads.analyze.classify import get_classifier, most_likely
from mustreads.analyze.cluster import cluster_stories
from mustreads.analyze.dedupe import find_duplicates
from mustreads.analyze.rank import FeaturedProfile, rank_features, score
from mustreads.analyze.summarize import get_summarizer
from mustreads.analyze.topics import assign_topics
from mustreads.config import Settings
from mustreads.models import (
    Analysis,
    AnalyzedArticle,
    Article,
    Issue,
    Kind,
    Story,
    Summary,
    utcnow,
)
from mustreads.progress import NoProgress, Progress
from mustreads.store import Store


@dataclass(slots=True)
class AnalyzeReport:
    analyzed: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    stories: int = 0
    multi_source_stories: int = 0
    ungrounded: int = 0
    fallbacks: int = 0
    summarizer: str = ""


def window_start(settings: Settings, now: datetime) -> datetime:
    """Articles older than this no longer join stories nor get re-ranked."""
    return now - timedelta(days=max(14.0, 2 * settings.analyze.story_window_days))


def analyze(
    store: Store,
    settings: Settings,
    *,
    since: datetime | None = None,
    progress: Progress | None = None,
    now: Callable[[], datetime] = utcnow,
) -> AnalyzeReport:
    """Analyze new articles (all since ``since`` when given), then re-cluster and re-rank."""
    progress = progress or NoProgress()
    at = now()
    report = AnalyzeReport(summarizer=settings.analyze.summarizer)
    fresh = store.analyzed_articles(since=since, only_unanalyzed=since is None)
    window = {
        item.article.id: item for item in store.analyzed_articles(since=window_start(settings, at))
    }
    window.update({item.article.id: item for item in fresh})
    items = list(window.values())
    fresh_ids = set(_ids(fresh))

    # Classify and tag only what is new; earlier analyses keep their kind and topics.
    progress.start("classify", len(fresh))
    scores = dict(zip(_ids(fresh), _classify(fresh, settings), strict=True))
    kinds = {article_id: most_likely(s) for article_id, s in scores.items()}
    progress.advance("classify", len(fresh))
    analyses: dict[int, Analysis] = {}
    for item in items:
        article_id, previous = _id(item.article), item.analysis
        if article_id in fresh_ids or previous is None:
            analyses[article_id] = Analysis(
                article_id=article_id,
                kind=kinds.get(article_id, previous.kind if previous else None),
                topics=assign_topics(item.article, settings.analyze.topics),
            )
        else:
            analyses[article_id] = previous

    articles = [item.article for item in items]
    duplicates = find_duplicates(articles)
    for article_id, analysis in analyses.items():
        analysis.duplicate_of = duplicates.get(article_id)
    report.duplicates = sum(1 for a in fresh_ids if a in duplicates)

    progress.start("cluster", 1)
    originals = [a for a in articles if a.id not in duplicates]
    # Plausible news may join a story, not only what the classifier called news:
    # a reaction piece on a release reads like analysis but covers the event.
    threshold = settings.analyze.story_event_threshold
    eligible = {a_id: Kind.EVENT for a_id, s in scores.items() if s[Kind.EVENT] >= threshold}
    eligible.update({a_id: Kind.EVENT for a_id, an in analyses.items() if an.kind is Kind.EVENT})
    stories = cluster_stories(originals, eligible, window_days=settings.analyze.story_window_days)
    _news_by_coverage(stories, analyses, {a.id: a.site for a in articles})
    store.save_stories(stories)
    progress.advance("cluster")

    # Summaries come after clustering, which settles the kinds the summarizer weighs.
    _summarize(
        store,
        [item for item in fresh if item.article.id not in duplicates],
        analyses,
        settings,
        progress,
        report,
    )
    # Relevance includes likeness to what the publication featured before.
    featured = featured_profile(store, store.published_issues())
    _rank(items, analyses, stories, duplicates, settings, at, featured)

    store.save_analyses(list(analyses.values()))
    report.analyzed = len(fresh)
    for article_id in fresh_ids:
        kind = analyses[article_id].kind
        key = kind.value if kind else "unknown"
        report.kinds[key] = report.kinds.get(key, 0) + 1
    report.stories = len(stories)
    report.multi_source_stories = sum(1 for s in stories if len(s.article_ids) > 1)
    return report


def _id(article: Article) -> int:
    assert article.id is not None, "stored articles have ids"
    return article.id


def _ids(items: Sequence[AnalyzedArticle]) -> list[int]:
    return [_id(item.article) for item in items]


def _classify(fresh: Sequence[AnalyzedArticle], settings: Settings) -> list[dict[Kind, float]]:
    if not fresh:
        return []
    classifier = get_classifier(settings.analyze.classifier, settings)
    return classifier.scores([item.article for item in fresh])


def _news_by_coverage(
    stories: Sequence[Story], analyses: dict[int, Analysis], sites: dict[int | None, str]
) -> None:
    """An article in a story that several sites report as news is news too."""
    for story in stories:
        members = [analyses[a] for a in story.article_ids]
        covered = len({sites[a] for a in story.article_ids}) > 1
        if covered and any(m.kind is Kind.EVENT for m in members):
            for member in members:
                member.kind = Kind.EVENT


class StoreCache:
    """The store's answer cache, seen through the summarizers' cache protocol."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, key: str) -> str | None:
        return self.store.cache_get(key)

    def put(self, key: str, value: str) -> None:
        self.store.cache_put(key, value)


def _summarize(
    store: Store,
    todo: Sequence[AnalyzedArticle],
    analyses: dict[int, Analysis],
    settings: Settings,
    progress: Progress,
    report: AnalyzeReport,
) -> None:
    progress.start("summarize", len(todo))
    if not todo:
        return
    summarizer = get_summarizer(settings.analyze.summarizer, settings, cache=StoreCache(store))
    summaries: list[Summary] = summarizer.summarize(
        [item.article for item in todo],
        progress=lambda n: progress.advance("summarize", n),
        kinds=[analyses[_id(item.article)].kind for item in todo],
    )
    for item, summary in zip(todo, summaries, strict=True):
        assert item.article.id is not None
        analysis = analyses[item.article.id]
        analysis.summary = summary.text or None
        analysis.summarizer = summary.summarizer
        analysis.grounded = summary.grounded
        analysis.error = summary.error
        report.ungrounded += summary.grounded is False
        report.fallbacks += summary.summarizer != settings.analyze.summarizer


def featured_profile(store: Store, issues: Sequence[Issue]) -> FeaturedProfile | None:
    """What ``issues`` featured — their articles and their stories' — as a ranking profile."""
    article_ids = {i.article_id for issue in issues for i in issue.items if i.article_id}
    story_ids = [i.story_id for issue in issues for i in issue.items if i.story_id]
    for story in store.get_stories(story_ids).values() if story_ids else ():
        article_ids.update(story.article_ids)
    articles = store.get_articles(article_ids) if article_ids else []
    return FeaturedProfile.from_articles(articles) if articles else None


def _rank(
    items: Sequence[AnalyzedArticle],
    analyses: dict[int, Analysis],
    stories: Sequence[Story],
    duplicates: dict[int, int],
    settings: Settings,
    now: datetime,
    featured: FeaturedProfile | None,
) -> None:
    by_id = {item.article.id: item for item in items}
    story_of: dict[int, Story] = {}
    for story in stories:
        for article_id in story.article_ids:
            story_of[article_id] = story
    for item in items:
        article_id = _id(item.article)
        analysis = analyses[article_id]
        found = story_of.get(duplicates.get(article_id, article_id))
        analysis.story_id = found.id if found else None
        members = found.article_ids if found else [article_id]
        sites = {by_id[m].article.site for m in members if m in by_id}
        features = rank_features(
            item.article,
            topics=analysis.topics,
            story_size=len(sites),
            pinned=item.link.pinned,
            has_note=bool(item.link.note),
            now=now,
            settings=settings.rank,
            featured=featured,
        )
        analysis.score = round(score(features, settings.rank), 4)
        analysis.analyzed_at = now
