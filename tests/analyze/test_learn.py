"""Learning ranking weights from published issues stored in a real store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from mustreads.analyze.learn import learn_ranking, ranking_history
from mustreads.config import Settings
from mustreads.models import (
    Analysis,
    Article,
    Issue,
    IssueItem,
    Kind,
    Link,
    Section,
)
from mustreads.store import Store


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


def publish_week(store: Store, week: date, n: int) -> None:
    """Twelve candidates; the curator picks the ones with a note, whatever their topic."""
    picked = []
    for i in range(12):
        has_note = i % 3 == 0
        url = f"https://site{i % 4}.example/{week}/{i}"
        link, _ = store.add_link(
            Link(url=url, canonical_url=url, note="read this" if has_note else None)
        )
        assert link.id is not None
        published = datetime.combine(week, datetime.min.time(), tzinfo=UTC) - timedelta(days=i % 5)
        article = Article(
            link_id=link.id,
            url=url,
            extractor="test",
            title=f"Article {i}",
            text="Some words " * 50,
            word_count=100,
            published_at=published,
        )
        article_id = store.save_article(article)
        # Noted articles are on the topics the default profile cares least about.
        topics = ["policy"] if has_note else ["reasoning", "models"]
        store.save_analyses(
            [
                Analysis(
                    article_id=article_id, kind=Kind.RESOURCE, topics=topics, summary="A summary."
                )
            ]
        )
        if has_note:
            picked.append(
                IssueItem(
                    Section.RESOURCES, f"Article {i}", url, "A summary.", article_id=article_id
                )
            )
    issue = store.save_issue(Issue(week=week, title="t", subtitle="s", items=picked))
    store.publish_issue(issue, slug=str(n), published_at=datetime.now(UTC))


def test_learnt_weights_beat_the_defaults_on_held_out_weeks(store: Store) -> None:
    weeks = [date(2025, 1, 3) + timedelta(weeks=w) for w in range(4)]
    for n, week in enumerate(weeks, start=1):
        publish_week(store, week, n)
    settings = Settings()
    history = ranking_history(store, settings)
    assert [sum(picked) for _, picked in history] == [4, 4, 4, 4]
    assert [len(features) for features, _ in history] == [12, 12, 12, 12]
    weights, report = learn_ranking(store, settings)
    assert report.auc > 0.9
    assert report.auc > report.auc_default
    assert weights["note"] > weights["relevance"]
