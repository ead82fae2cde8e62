"""Relevance includes likeness to what the publication featured before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from mustreads.analyze.pipeline import analyze
from mustreads.config import Settings
from mustreads.models import Article, Issue, IssueItem, Link, Section
from mustreads.store import Store

NOW = datetime(2025, 2, 6, 12, tzinfo=UTC)
LIGHTHOUSES = (
    "Lighthouse keepers kept logbooks of storms along the coastline. The keepers trimmed "
    "wicks, wound clockwork lenses and watched ships round the headland at night. "
)
SOURDOUGH = (
    "Sourdough starters need flour, water and patience. Bakers judge hydration by feel, "
    "fold the dough at intervals and bake it hot so the crust blisters and darkens. "
)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


def add_article(store: Store, n: int, title: str, text: str, when: datetime) -> int:
    url = f"https://site{n}.example/{n}"
    link, _ = store.add_link(Link(url=url, canonical_url=url))
    assert link.id is not None
    return store.save_article(
        Article(link_id=link.id, url=url, extractor="test", title=title, text=text * 6,
                word_count=200, published_at=when, site_name=f"Site {n}")
    )  # fmt: skip


def test_an_article_like_past_features_ranks_higher(store: Store) -> None:
    featured = add_article(
        store, 1, "Keeping the lighthouse", LIGHTHOUSES, NOW - timedelta(days=30)
    )
    issue = store.save_issue(
        Issue(week=date(2025, 1, 10), title="t", subtitle="s",
              items=[IssueItem(Section.RESOURCES, "Keeping the lighthouse", "https://x", "s",
                               article_id=featured)])
    )  # fmt: skip
    store.publish_issue(issue, slug="1", published_at=NOW - timedelta(days=27))
    alike = add_article(store, 2, "Nights at the lighthouse", LIGHTHOUSES, NOW - timedelta(days=1))
    unlike = add_article(store, 3, "A loaf from a starter", SOURDOUGH, NOW - timedelta(days=1))

    analyze(store, Settings(), now=lambda: NOW)

    scores = {
        item.article.id: item.analysis.score
        for item in store.analyzed_articles()
        if item.analysis is not None
    }
    assert scores[alike] is not None and scores[unlike] is not None
    assert scores[alike] > scores[unlike] + 0.3
