"""A blank database migrated to head has exactly the schema of store/schema.py."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from mustreads.store import Store, current_revision, head_revision
from mustreads.store.schema import metadata


def test_migrated_schema_matches_the_declared_one(store_url: str) -> None:
    store = Store.open(store_url)
    try:
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
        assert current_revision(store.engine) == head_revision()
    finally:
        store.close()


def test_opening_twice_migrates_once_and_keeps_rows(store_url: str) -> None:
    from mustreads.models import Source

    with Store.open(store_url) as store:
        store.add_source(Source(url="https://example.org/feed.xml"))
    with Store.open(store_url) as store:
        assert [s.url for s in store.list_sources()] == ["https://example.org/feed.xml"]
