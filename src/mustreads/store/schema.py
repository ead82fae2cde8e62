"""Tables of the store, as SQLAlchemy Core metadata.

This is the schema the migrations build; ``tests/store/test_migrations.py``
checks that a blank database migrated to head matches it exactly. Change both
together: a new migration under ``migrations/versions/`` and the table here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import DateTime, TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("title", Text),
    Column("site_url", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("status", String(16), nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    Column("last_fetched_at", UTCDateTime),
    Column("next_fetch_at", UTCDateTime),
    Column("error_count", Integer, nullable=False),
    Column("last_error", Text),
    Column("entries_seen", Integer, nullable=False),
)

links = Table(
    "links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False),
    Column("canonical_url", Text, nullable=False, unique=True),
    Column("origin", String(16), nullable=False),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="SET NULL")),
    Column("guid", Text),
    Column("title", Text),
    Column("feed_summary", Text),
    Column("author", Text),
    Column("published_at", UTCDateTime),
    Column("added_at", UTCDateTime, nullable=False),
    Column("note", Text),
    Column("pinned", Boolean, nullable=False),
    Column("section_hint", String(32)),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("next_fetch_at", UTCDateTime),
    Column("duplicate_of", Integer, ForeignKey("links.id", ondelete="SET NULL")),
    UniqueConstraint("source_id", "guid", name="uq_links_source_guid"),
    Index("ix_links_status", "status"),
)

pages = Table(
    "pages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("link_id", Integer, ForeignKey("links.id", ondelete="CASCADE"), nullable=False),
    Column("final_url", Text, nullable=False),
    Column("http_status", Integer, nullable=False),
    Column("content_type", Text, nullable=False),
    Column("bytes", Integer, nullable=False),
    Column("body_hash", String(64), nullable=False),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("error", Text),
    Index("ix_pages_link_id", "link_id"),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "link_id",
        Integer,
        ForeignKey("links.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("page_id", Integer, ForeignKey("pages.id", ondelete="SET NULL")),
    Column("url", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("title", Text),
    Column("author", Text),
    Column("site_name", Text),
    Column("published_at", UTCDateTime),
    Column("language", String(16)),
    Column("image", Text),
    Column("text", Text),
    Column("fallback_text", Text),
    Column("word_count", Integer, nullable=False),
    Column("extractor", String(32), nullable=False),
    Column("reason", Text),
    Column("extracted_at", UTCDateTime, nullable=False),
)

stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True),
    # The id of the story's earliest article: stays the same when a run adds coverage.
    Column("key", Integer, nullable=False, unique=True),
    Column("label", Text, nullable=False),
    Column("first_seen", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
)

analyses = Table(
    "analyses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "article_id",
        Integer,
        ForeignKey("articles.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("summary", Text),
    Column("summarizer", String(32)),
    Column("grounded", Boolean),
    Column("kind", String(16)),
    Column("topics", Text, nullable=False),  # JSON list of topic names
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="SET NULL")),
    Column("duplicate_of", Integer, ForeignKey("articles.id", ondelete="SET NULL")),
    Column("score", Float),
    Column("error", Text),
    Column("analyzed_at", UTCDateTime, nullable=False),
    Index("ix_analyses_story_id", "story_id"),
)

llm_cache = Table(
    "llm_cache",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

issues = Table(
    "issues",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", Integer, unique=True),  # set when published
    Column("slug", String(200), unique=True),
    Column("week", Date, nullable=False),
    Column("title", Text, nullable=False),
    Column("subtitle", Text, nullable=False),
    Column("intro", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("previous_id", Integer, ForeignKey("issues.id", ondelete="SET NULL")),
    Column("published_at", UTCDateTime),
    Column("edited_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_issues_week", "week"),
)

issue_items = Table(
    "issue_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("issue_id", Integer, ForeignKey("issues.id", ondelete="CASCADE"), nullable=False),
    Column("section", String(16), nullable=False),
    Column("position", Integer, nullable=False),
    Column("tier", String(8), nullable=False),
    Column("title", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("author", Text),
    Column("sources", Text, nullable=False),  # JSON list of {name, url}
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="SET NULL")),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="SET NULL")),
    Index("ix_issue_items_issue_id", "issue_id"),
)
