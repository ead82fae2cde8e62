"""Compose: issues and their items.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from mustreads.store.schema import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issues",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.Integer),
        sa.Column("slug", sa.String(200)),
        sa.Column("week", sa.Date, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("subtitle", sa.Text, nullable=False),
        sa.Column("intro", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("previous_id", sa.Integer),
        sa.Column("published_at", UTCDateTime),
        sa.Column("edited_at", UTCDateTime),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_issues"),
        sa.UniqueConstraint("number", name="uq_issues_number"),
        sa.UniqueConstraint("slug", name="uq_issues_slug"),
        sa.ForeignKeyConstraint(
            ["previous_id"], ["issues.id"], name="fk_issues_previous_id_issues", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_issues_week", "issues", ["week"])
    op.create_table(
        "issue_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("issue_id", sa.Integer, nullable=False),
        sa.Column("section", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("tier", sa.String(8), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("author", sa.Text),
        sa.Column("sources", sa.Text, nullable=False),
        sa.Column("article_id", sa.Integer),
        sa.Column("story_id", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_issue_items"),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], name="fk_issue_items_issue_id_issues", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_issue_items_article_id_articles",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name="fk_issue_items_story_id_stories",
            ondelete="SET NULL",
        ),
    )
    op.create_index("ix_issue_items_issue_id", "issue_items", ["issue_id"])
