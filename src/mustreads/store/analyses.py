"""Store queries of the analyze stage: analyses, stories and the LLM cache."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Select, insert, or_, select, update

from mustreads.models import (
    Analysis,
    AnalyzedArticle,
    Article,
    ArticleStatus,
    Link,
    Story,
    utcnow,
)
from mustreads.store import schema
from mustreads.store.rows import from_row, to_row

_A, _L, _N = "a_", "l_", "n_"


def _joined() -> Select[Any]:
    """Articles with their link and (when there is one) their analysis."""
    columns = [
        *(c.label(_A + c.name) for c in schema.articles.c),
        *(c.label(_L + c.name) for c in schema.links.c),
        *(c.label(_N + c.name) for c in schema.analyses.c),
    ]
    return (
        select(*columns)
        .select_from(schema.articles)
        .join(schema.links, schema.links.c.id == schema.articles.c.link_id)
        .outerjoin(schema.analyses, schema.analyses.c.article_id == schema.articles.c.id)
    )


class AnalysisQueries:
    engine: Engine

    def analyzed_articles(
        self,
        *,
        since: datetime | None = None,
        only_unanalyzed: bool = False,
        statuses: Sequence[ArticleStatus] = (ArticleStatus.OK,),
    ) -> list[AnalyzedArticle]:
        """Readable articles (by default) published since ``since`` (undated: extracted since)."""
        a = schema.articles.c
        query = _joined().where(a.status.in_([s.value for s in statuses]))
        if since is not None:
            query = query.where(
                or_(a.published_at >= since, a.published_at.is_(None) & (a.extracted_at >= since))
            )
        if only_unanalyzed:
            query = query.where(schema.analyses.c.id.is_(None))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(a.id)).all()
        return [
            AnalyzedArticle(
                article=from_row(Article, row, _A),
                link=from_row(Link, row, _L),
                analysis=from_row(Analysis, row, _N) if row._mapping[_N + "id"] else None,
            )
            for row in rows
        ]

    def save_analyses(self, analyses: Sequence[Analysis]) -> None:
        """Insert or replace the analysis of each article, all in one transaction."""
        table = schema.analyses
        with self.engine.begin() as conn:
            known = dict(
                conn.execute(
                    select(table.c.article_id, table.c.id).where(
                        table.c.article_id.in_([x.article_id for x in analyses])
                    )
                ).all()
            )
            for analysis in analyses:
                row = to_row(analysis, table)
                if analysis.article_id in known:
                    analysis.id = known[analysis.article_id]
                    conn.execute(update(table).where(table.c.id == analysis.id).values(**row))
                else:
                    result = conn.execute(insert(table).values(**row))
                    analysis.id = result.inserted_primary_key[0]  # type: ignore[index]

    def save_stories(self, stories: Sequence[Story]) -> None:
        """Insert or update stories, keyed by their earliest article; sets ``story.id``."""
        table = schema.stories
        now = utcnow()
        with self.engine.begin() as conn:
            keys = [min(story.article_ids) for story in stories]
            known = dict(
                conn.execute(select(table.c.key, table.c.id).where(table.c.key.in_(keys))).all()
            )
            for key, story in zip(keys, stories, strict=True):
                values = {"label": story.label, "first_seen": story.first_seen, "updated_at": now}
                if key in known:
                    story.id = known[key]
                    conn.execute(update(table).where(table.c.id == story.id).values(**values))
                else:
                    result = conn.execute(insert(table).values(key=key, **values))
                    story.id = result.inserted_primary_key[0]  # type: ignore[index]

    def get_stories(self, ids: Sequence[int]) -> dict[int, Story]:
        """Stories by id, with their member articles (from the analyses that point at them)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(schema.stories).where(schema.stories.c.id.in_(ids))).all()
            members = conn.execute(
                select(schema.analyses.c.story_id, schema.analyses.c.article_id)
                .where(schema.analyses.c.story_id.in_(ids))
                .order_by(schema.analyses.c.article_id)
            ).all()
        stories = {
            row.id: Story(label=row.label, article_ids=[], id=row.id, first_seen=row.first_seen)
            for row in rows
        }
        for story_id, article_id in members:
            stories[story_id].article_ids.append(article_id)
        return stories

    # -- LLM answer cache ------------------------------------------------------

    def cache_get(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(schema.llm_cache.c.value).where(schema.llm_cache.c.key == key)
            ).scalar()
        return value

    def cache_put(self, key: str, value: str) -> None:
        table = schema.llm_cache
        with self.engine.begin() as conn:
            if conn.execute(select(table.c.key).where(table.c.key == key)).first() is None:
                conn.execute(insert(table).values(key=key, value=value, created_at=utcnow()))
            else:
                conn.execute(update(table).where(table.c.key == key).values(value=value))
