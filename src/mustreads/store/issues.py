"""Store queries of the compose and publish stages: issues and their items."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from mustreads.errors import NotFoundError, UserError
from mustreads.models import (
    Issue,
    IssueItem,
    IssueStatus,
    Section,
    SourceRef,
    Tier,
    utcnow,
)
from mustreads.store import schema

_ISSUE_COLUMNS = ("number", "slug", "week", "title", "subtitle", "intro", "previous_id",
                  "published_at", "edited_at")  # fmt: skip


def _issue_row(issue: Issue) -> dict[str, Any]:
    row = {name: getattr(issue, name) for name in _ISSUE_COLUMNS}
    row["status"] = issue.status.value
    row["updated_at"] = utcnow()
    return row


def _item_row(issue_id: int, position: int, item: IssueItem) -> dict[str, Any]:
    return {
        "issue_id": issue_id,
        "section": item.section.value,
        "position": position,
        "tier": item.tier.value,
        "title": item.title,
        "url": item.url,
        "summary": item.summary,
        "author": item.author,
        "sources": json.dumps([{"name": s.name, "url": s.url} for s in item.sources]),
        "article_id": item.article_id,
        "story_id": item.story_id,
    }


def _item(row: Any) -> IssueItem:
    return IssueItem(
        id=row.id,
        section=Section(row.section),
        position=row.position,
        tier=Tier(row.tier),
        title=row.title,
        url=row.url,
        summary=row.summary,
        author=row.author,
        sources=[SourceRef(**s) for s in json.loads(row.sources)],
        article_id=row.article_id,
        story_id=row.story_id,
    )


class IssueQueries:
    engine: Engine

    def save_issue(self, issue: Issue) -> Issue:
        """Insert or update ``issue`` and replace its items, in one transaction.

        A published issue is immutable here: publishing goes through
        :meth:`publish_issue`, and changing one needs ``force``.
        """
        with self.engine.begin() as conn:
            if issue.id is None:
                issue.id = conn.execute(
                    insert(schema.issues).values(**_issue_row(issue))
                ).inserted_primary_key[0]  # type: ignore[index]
            else:
                conn.execute(
                    update(schema.issues)
                    .where(schema.issues.c.id == issue.id)
                    .values(**_issue_row(issue))
                )
                conn.execute(
                    delete(schema.issue_items).where(schema.issue_items.c.issue_id == issue.id)
                )
            assert issue.id is not None
            self._insert_items(conn, issue.id, issue.items)
        return issue

    def _insert_items(self, conn: Connection, issue_id: int, items: Sequence[IssueItem]) -> None:
        # Positions count within each section, in the order given.
        counters: dict[Section, int] = {}
        rows = []
        for item in items:
            item.position = counters.get(item.section, 0)
            counters[item.section] = item.position + 1
            rows.append(_item_row(issue_id, item.position, item))
        if rows:
            conn.execute(insert(schema.issue_items), rows)

    def _load(self, conn: Connection, rows: Sequence[Any]) -> list[Issue]:
        ids = [row.id for row in rows]
        items: dict[int, list[IssueItem]] = {i: [] for i in ids}
        c = schema.issue_items.c
        query = (
            select(schema.issue_items)
            .where(c.issue_id.in_(ids))
            .order_by(c.issue_id, c.section, c.position)
        )
        for row in conn.execute(query):
            items[row.issue_id].append(_item(row))
        issues = []
        for row in rows:
            issue = Issue(
                id=row.id,
                status=IssueStatus(row.status),
                items=sorted(
                    items[row.id], key=lambda i: (i.section != Section.EVENTS, i.position)
                ),
                **{name: getattr(row, name) for name in _ISSUE_COLUMNS},
            )
            issues.append(issue)
        return issues

    def _issues(self, *where: Any, order: Any = None) -> list[Issue]:
        query = (
            select(schema.issues)
            .where(*where)
            .order_by(order if order is not None else schema.issues.c.id)
        )
        with self.engine.connect() as conn:
            return self._load(conn, conn.execute(query).all())

    def get_issue(self, issue_id: int) -> Issue:
        found = self._issues(schema.issues.c.id == issue_id)
        if not found:
            raise NotFoundError(f"unknown issue id {issue_id}")
        return found[0]

    def issue_by_number(self, number: int) -> Issue:
        found = self._issues(schema.issues.c.number == number)
        if not found:
            raise NotFoundError(f"no published issue number {number}")
        return found[0]

    def draft_for_week(self, week: date) -> Issue | None:
        c = schema.issues.c
        found = self._issues(c.week == week, c.status == IssueStatus.DRAFT.value)
        return found[0] if found else None

    def drafts(self) -> list[Issue]:
        """Unpublished drafts, newest week first."""
        c = schema.issues.c
        return self._issues(c.status == IssueStatus.DRAFT.value, order=c.week.desc())

    def latest_draft(self) -> Issue | None:
        drafts = self.drafts()
        return drafts[0] if drafts else None

    def published_issues(self, *, before: date | None = None) -> list[Issue]:
        """Published issues, newest first (only those of weeks before ``before`` if given)."""
        c = schema.issues.c
        where = [c.status == IssueStatus.PUBLISHED.value]
        if before is not None:
            where.append(c.week < before)
        return self._issues(*where, order=c.number.desc())

    def publish_issue(self, issue: Issue, *, slug: str, published_at: datetime) -> Issue:
        """Number and date ``issue`` and mark it published, in one transaction."""
        if issue.id is None:
            raise UserError("save the draft before publishing it")
        c = schema.issues.c
        with self.engine.begin() as conn:
            if issue.number is None:
                latest = conn.execute(select(func.max(c.number))).scalar()
                issue.number = (latest or 0) + 1
            issue.slug = slug
            issue.published_at = issue.published_at or published_at
            issue.status = IssueStatus.PUBLISHED
            conn.execute(update(schema.issues).where(c.id == issue.id).values(**_issue_row(issue)))
            conn.execute(
                delete(schema.issue_items).where(schema.issue_items.c.issue_id == issue.id)
            )
            self._insert_items(conn, issue.id, issue.items)
        return issue

    def featured(self) -> tuple[set[int], set[int]]:
        """Article ids and story ids already featured in a published issue."""
        i, it = schema.issues.c, schema.issue_items.c
        query = (
            select(it.article_id, it.story_id)
            .join(schema.issues, i.id == it.issue_id)
            .where(i.status == IssueStatus.PUBLISHED.value)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return (
            {r.article_id for r in rows if r.article_id is not None},
            {r.story_id for r in rows if r.story_id is not None},
        )
