from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mustreads.errors import NotFoundError, UserError
from mustreads.models import Article, ArticleStatus, Link, LinkStatus, Page, Source, SourceStatus
from mustreads.store import Store


@pytest.fixture
def store(store_url: str):
    with Store.open(store_url) as opened:
        yield opened


def test_sources_round_trip_with_aware_times(store: Store) -> None:
    when = datetime(2026, 1, 31, 12, 30, tzinfo=UTC)
    source = store.add_source(Source(url="https://a.example/feed", title="A"))
    source.status = SourceStatus.ERROR
    source.next_fetch_at = when
    source.last_error = "HTTP 500"
    source.error_count = 2
    store.save_source(source)
    again = store.get_source("https://a.example/feed")
    assert again.status is SourceStatus.ERROR
    assert again.next_fetch_at == when and again.next_fetch_at.tzinfo is not None
    assert (again.error_count, again.last_error) == (2, "HTTP 500")
    with pytest.raises(UserError, match="already added"):
        store.add_source(Source(url="https://a.example/feed"))
    with pytest.raises(NotFoundError):
        store.get_source(999)


def test_due_sources_respects_next_fetch_at(store: Store) -> None:
    now = datetime(2026, 1, 31, tzinfo=UTC)
    due = store.add_source(Source(url="https://a.example/feed"))
    later = store.add_source(
        Source(url="https://b.example/feed", next_fetch_at=now + timedelta(hours=1))
    )
    assert [s.id for s in store.due_sources(now)] == [due.id]
    assert {s.id for s in store.due_sources(now + timedelta(hours=2))} == {due.id, later.id}


def test_links_deduplicate_by_canonical_url_and_guid(store: Store) -> None:
    source = store.add_source(Source(url="https://a.example/feed"))
    first, created = store.add_link(
        Link(
            url="https://a.example/p?utm_source=x",
            canonical_url="https://a.example/p",
            source_id=source.id,
            guid="g-1",
        )
    )
    assert created
    same_url, created = store.add_link(
        Link(url="https://a.example/p", canonical_url="https://a.example/p")
    )
    assert not created and same_url.id == first.id
    same_guid, created = store.add_link(
        Link(
            url="https://a.example/moved",
            canonical_url="https://a.example/moved",
            source_id=source.id,
            guid="g-1",
        )
    )
    assert not created and same_guid.id == first.id
    assert len(store.list_links()) == 1


def test_pending_links_pinned_first_and_not_before_their_time(store: Store) -> None:
    now = datetime(2026, 1, 31, tzinfo=UTC)
    plain, _ = store.add_link(Link(url="https://a.example/1", canonical_url="https://a.example/1"))
    pinned, _ = store.add_link(
        Link(url="https://a.example/2", canonical_url="https://a.example/2", pinned=True)
    )
    store.add_link(
        Link(
            url="https://a.example/3",
            canonical_url="https://a.example/3",
            next_fetch_at=now + timedelta(days=1),
        )
    )
    done, _ = store.add_link(Link(url="https://a.example/4", canonical_url="https://a.example/4"))
    done.status = LinkStatus.DONE
    store.save_link(done)
    assert [link.id for link in store.pending_links(now)] == [pinned.id, plain.id]


def test_articles_upsert_per_link_and_count(store: Store) -> None:
    link, _ = store.add_link(Link(url="https://a.example/1", canonical_url="https://a.example/1"))
    assert link.id is not None
    page_id = store.add_page(
        Page(
            link_id=link.id,
            final_url=link.url,
            http_status=200,
            content_type="text/html",
            bytes=10,
            body_hash="0" * 64,
        )
    )
    article = Article(
        link_id=link.id,
        page_id=page_id,
        url=link.url,
        extractor="ensemble",
        status=ArticleStatus.BLOCKED,
        reason="bot check",
    )
    first_id = store.save_article(article)
    article.status, article.text, article.word_count = ArticleStatus.OK, "words " * 50, 50
    assert store.save_article(article) == first_id
    [stored] = store.list_articles([ArticleStatus.OK])
    assert stored.word_count == 50 and stored.status is ArticleStatus.OK
    assert store.list_articles([ArticleStatus.BLOCKED]) == []
    counts = store.counts()
    assert counts["articles"] == 1 and counts["articles_ok"] == 1 and counts["pages"] == 1


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(Exception, match="naive"):
        store.add_source(Source(url="https://a.example/feed", added_at=datetime(2026, 1, 1)))


def test_feed_links_are_added_in_one_batch_skipping_known_ones(store: Store) -> None:
    source = store.add_source(Source(url="https://a.example/feed"))
    assert source.id is not None
    store.add_link(Link(url="https://a.example/old", canonical_url="https://a.example/old"))
    batch = [
        Link(
            url="https://a.example/old",
            canonical_url="https://a.example/old",
            source_id=source.id,
            guid="1",
        ),
        Link(
            url="https://a.example/new",
            canonical_url="https://a.example/new",
            source_id=source.id,
            guid="2",
        ),
        Link(
            url="https://a.example/new?x",
            canonical_url="https://a.example/new",
            source_id=source.id,
            guid="3",
        ),
        Link(
            url="https://a.example/moved",
            canonical_url="https://a.example/moved",
            source_id=source.id,
            guid="2",
        ),
    ]
    assert store.add_feed_links(source.id, batch) == 1
    assert store.add_feed_links(source.id, batch) == 0
    assert sorted(link.canonical_url for link in store.list_links()) == [
        "https://a.example/new",
        "https://a.example/old",
    ]
