"""A draft the curator edited survives the weekly job; --rebuild starts it over."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from mustreads.compose.draft import draft_issue, pending_draft
from mustreads.config import Settings
from mustreads.errors import UserError
from mustreads.models import utcnow
from mustreads.store import Store

WEEK = date(2025, 1, 31)
NOW = datetime(2025, 1, 30, 12, tzinfo=UTC)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


def test_an_edited_draft_is_kept_until_rebuilt(store: Store) -> None:
    settings = Settings()
    first = draft_issue(store, settings, week=WEEK, now=NOW)
    first.title = "My own title"
    first.edited_at = utcnow()
    store.save_issue(first)

    again = draft_issue(store, settings, week=WEEK, now=NOW)
    assert again.id == first.id
    assert again.title == "My own title"
    assert again.edited_at is not None

    rebuilt = draft_issue(store, settings, week=WEEK, now=NOW, rebuild=True)
    assert rebuilt.id == first.id
    assert rebuilt.title != "My own title"
    assert store.get_issue(first.id or 0).edited_at is None


def test_with_several_drafts_waiting_the_week_must_be_named(store: Store) -> None:
    settings = Settings()
    assert pending_draft(store) is None
    first = draft_issue(store, settings, week=WEEK, now=NOW)
    assert pending_draft(store) == first
    later = draft_issue(store, settings, week=date(2025, 2, 7), now=NOW)
    with pytest.raises(UserError, match="2 drafts .*choose one with --week"):
        pending_draft(store)
    assert pending_draft(store, date(2025, 2, 7)) == later
