from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from mustreads.errors import NotFoundError
from mustreads.models import Issue, IssueItem, IssueStatus, Section, SourceRef, Tier
from mustreads.store import Store


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


def draft(week: date) -> Issue:
    return Issue(
        week=week,
        title="A, B, C, and More",
        subtitle="An AI engineer's must-reads for 1-31-25",
        intro="Hello **readers**.",
        items=[
            IssueItem(Section.RESOURCES, "R1", "https://r.example/1", "Sum 1.", author="Ann"),
            IssueItem(Section.EVENTS, "E1", "https://e.example/1", "Event summary.",
                      sources=[SourceRef("Wire", "https://e.example/1"),
                               SourceRef("Blog", "https://b.example/2")]),
            IssueItem(Section.RESOURCES, "R2", "https://r.example/2", "Sum 2.", tier=Tier.PAID),
        ],
    )  # fmt: skip


def test_a_draft_round_trips_with_items_in_section_order(store: Store) -> None:
    saved = store.save_issue(draft(date(2025, 1, 31)))
    loaded = store.get_issue(saved.id or 0)
    assert loaded.status is IssueStatus.DRAFT and loaded.number is None
    assert [(i.section, i.position, i.title) for i in loaded.items] == [
        (Section.EVENTS, 0, "E1"),
        (Section.RESOURCES, 0, "R1"),
        (Section.RESOURCES, 1, "R2"),
    ]
    assert loaded.items[0].sources[1] == SourceRef("Blog", "https://b.example/2")
    assert loaded.items[2].tier is Tier.PAID
    assert store.draft_for_week(date(2025, 1, 31)) == loaded
    loaded.items = loaded.items[:1]
    store.save_issue(loaded)
    assert len(store.get_issue(saved.id or 0).items) == 1


def test_publishing_numbers_issues_and_records_what_was_featured(store: Store) -> None:
    when = datetime(2025, 1, 31, 9, tzinfo=UTC)
    first = store.publish_issue(
        store.save_issue(draft(date(2025, 1, 24))), slug="1", published_at=when
    )
    second = store.publish_issue(
        store.save_issue(draft(date(2025, 1, 31))), slug="2", published_at=when
    )
    assert (first.number, second.number) == (1, 2)
    assert [i.number for i in store.published_issues()] == [2, 1]
    assert [i.number for i in store.published_issues(before=date(2025, 1, 31))] == [1]
    assert store.issue_by_number(2).published_at == when
    assert store.latest_draft() is None
    with pytest.raises(NotFoundError):
        store.issue_by_number(3)
    assert store.featured() == (set(), set())  # these items name no stored article
