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
from urllib.parse import urlsplit

from mustreads.analyze.classify import get_classifier
from mustreads.analyze.cluster import cluster_stories
from mustreads.analyze.dedupe import find_duplicates
from mustreads.analyze.rank import rank_features, score
from mustreads.analyze.summarize import get_summarizer
from mustreads.analyze.topics import assign_topics
from mustreads.config import Settings
from mustreads.models import Analysis, AnalyzedArticle, Kind, Story, Summary, utcnow
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
    fresh_ids = {item.article.id for item in fresh}

    # Classify and tag only what is new; earlier analyses keep their kind and topics.
    progress.start("classify", len(fresh))
    kinds = dict(zip(_ids(fresh), _classify(fresh, settings), strict=True))
    progress.advance("classify", len(fresh))
    analyses: dict[int, Analysis] = {}
    for item in items:
        assert item.article.id is not None
        previous = item.analysis
        if item.article.id in fresh_ids or previous is None:
            analyses[item.article.id] = Analysis(
                article_id=item.article.id,
                kind=kinds.get(item.article.id, previous.kind if previous else None),
                topics=assign_topics(item.article, settings.analyze.topics),
            )
        else:
            analyses[item.article.id] = previous

    articles = [item.article for item in items]
    duplicates = find_duplicates(articles)
    for article_id, analysis in analyses.items():
        analysis.duplicate_of = duplicates.get(article_id)
    report.duplicates = sum(1 for a in fresh_ids if a in duplicates)

    _summarize(
        [item for item in fresh if item.article.id not in duplicates],
        analyses,
        settings,
        progress,
        report,
    )

    progress.start("cluster", 1)
    originals = [a for a in articles if a.id not in duplicates]
    story_kinds = {a_id: an.kind for a_id, an in analyses.items() if an.kind is not None}
    stories = cluster_stories(
        originals, story_kinds, window_days=settings.analyze.story_window_days
    )
    store.save_stories(stories)
    progress.advance("cluster")
    _rank(items, analyses, stories, duplicates, settings, at)

    store.save_analyses(list(analyses.values()))
    report.analyzed = len(fresh)
    for article_id in fresh_ids:
        kind = analyses[article_id].kind
        key = kind.value if kind else "unknown"
        report.kinds[key] = report.kinds.get(key, 0) + 1
    report.stories = len(stories)
    report.multi_source_stories = sum(1 for s in stories if len(s.article_ids) > 1)
    return report


def _ids(items: Sequence[AnalyzedArticle]) -> list[int]:
    return [item.article.id for item in items if item.article.id is not None]


def _classify(fresh: Sequence[AnalyzedArticle], settings: Settings) -> list[Kind]:
    if not fresh:
        return []
    classifier = get_classifier(settings.analyze.classifier, settings)
    return classifier.classify([item.article for item in fresh])


def _summarize(
    todo: Sequence[AnalyzedArticle],
    analyses: dict[int, Analysis],
    settings: Settings,
    progress: Progress,
    report: AnalyzeReport,
) -> None:
    progress.start("summarize", len(todo))
    if not todo:
        return
    summarizer = get_summarizer(settings.analyze.summarizer, settings)
    summaries: list[Summary] = summarizer.summarize(
        [item.article for item in todo], progress=lambda n: progress.advance("summarize", n)
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


def _rank(
    items: Sequence[AnalyzedArticle],
    analyses: dict[int, Analysis],
    stories: Sequence[Story],
    duplicates: dict[int, int],
    settings: Settings,
    now: datetime,
) -> None:
    by_id = {item.article.id: item for item in items}
    story_of: dict[int, Story] = {}
    for story in stories:
        for article_id in story.article_ids:
            story_of[article_id] = story
    for item in items:
        article_id = item.article.id
        assert article_id is not None
        analysis = analyses[article_id]
        story = story_of.get(duplicates.get(article_id, article_id))
        analysis.story_id = story.id if story else None
        members = story.article_ids if story else [article_id]
        sites = {_site(by_id[m]) for m in members if m in by_id}
        features = rank_features(
            item.article,
            topics=analysis.topics,
            story_size=len(sites),
            pinned=item.link.pinned,
            has_note=bool(item.link.note),
            now=now,
            settings=settings.rank,
        )
        analysis.score = round(score(features, settings.rank), 4)
        analysis.analyzed_at = now


def _site(item: AnalyzedArticle) -> str:
    return item.article.site_name or urlsplit(item.article.url).netloc
