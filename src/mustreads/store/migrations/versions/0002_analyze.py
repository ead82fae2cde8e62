"""Analyze: stories, analyses and the LLM answer cache.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from mustreads.store.schema import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.Integer, nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("first_seen", UTCDateTime),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stories"),
        sa.UniqueConstraint("key", name="uq_stories_key"),
    )
    op.create_table(
        "analyses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("summary", sa.Text),
        sa.Column("summarizer", sa.String(32)),
        sa.Column("grounded", sa.Boolean),
        sa.Column("kind", sa.String(16)),
        sa.Column("topics", sa.Text, nullable=False),
        sa.Column("story_id", sa.Integer),
        sa.Column("duplicate_of", sa.Integer),
        sa.Column("score", sa.Float),
        sa.Column("error", sa.Text),
        sa.Column("analyzed_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_analyses"),
        sa.UniqueConstraint("article_id", name="uq_analyses_article_id"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_analyses_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name="fk_analyses_story_id_stories", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of"],
            ["articles.id"],
            name="fk_analyses_duplicate_of_articles",
            ondelete="SET NULL",
        ),
    )
    op.create_index("ix_analyses_story_id", "analyses", ["story_id"])
    op.create_table(
        "llm_cache",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_llm_cache"),
    )
