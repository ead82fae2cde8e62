"""Collect and extract: sources, links, pages, articles.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from mustreads.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("site_url", sa.Text),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("added_at", UTCDateTime, nullable=False),
        sa.Column("last_fetched_at", UTCDateTime),
        sa.Column("next_fetch_at", UTCDateTime),
        sa.Column("error_count", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("entries_seen", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
        sa.UniqueConstraint("url", name="uq_sources_url"),
    )
    op.create_table(
        "links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("canonical_url", sa.Text, nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("source_id", sa.Integer),
        sa.Column("guid", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("feed_summary", sa.Text),
        sa.Column("author", sa.Text),
        sa.Column("published_at", UTCDateTime),
        sa.Column("added_at", UTCDateTime, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("pinned", sa.Boolean, nullable=False),
        sa.Column("section_hint", sa.String(32)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("next_fetch_at", UTCDateTime),
        sa.Column("duplicate_of", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_links"),
        sa.UniqueConstraint("canonical_url", name="uq_links_canonical_url"),
        sa.UniqueConstraint("source_id", "guid", name="uq_links_source_guid"),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name="fk_links_source_id_sources", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of"], ["links.id"], name="fk_links_duplicate_of_links", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_links_status", "links", ["status"])
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("link_id", sa.Integer, nullable=False),
        sa.Column("final_url", sa.Text, nullable=False),
        sa.Column("http_status", sa.Integer, nullable=False),
        sa.Column("content_type", sa.Text, nullable=False),
        sa.Column("bytes", sa.Integer, nullable=False),
        sa.Column("body_hash", sa.String(64), nullable=False),
        sa.Column("fetched_at", UTCDateTime, nullable=False),
        sa.Column("error", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_pages"),
        sa.ForeignKeyConstraint(
            ["link_id"], ["links.id"], name="fk_pages_link_id_links", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_pages_link_id", "pages", ["link_id"])
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("link_id", sa.Integer, nullable=False),
        sa.Column("page_id", sa.Integer),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("author", sa.Text),
        sa.Column("site_name", sa.Text),
        sa.Column("published_at", UTCDateTime),
        sa.Column("language", sa.String(16)),
        sa.Column("image", sa.Text),
        sa.Column("text", sa.Text),
        sa.Column("fallback_text", sa.Text),
        sa.Column("word_count", sa.Integer, nullable=False),
        sa.Column("extractor", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("extracted_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.UniqueConstraint("link_id", name="uq_articles_link_id"),
        sa.ForeignKeyConstraint(
            ["link_id"], ["links.id"], name="fk_articles_link_id_links", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["page_id"], ["pages.id"], name="fk_articles_page_id_pages", ondelete="SET NULL"
        ),
    )
