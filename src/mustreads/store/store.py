"""The Store API: the only code that reads and writes rows.

Methods take and return the dataclasses of :mod:`mustreads.models`. Each
method is one short transaction, so a crash loses at most the item in hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from mustreads.errors import NotFoundError, UserError
from mustreads.models import Article, ArticleStatus, Link, LinkStatus, Page, Source
from mustreads.store import schema
from mustreads.store.analyses import AnalysisQueries
from mustreads.store.engine import create_store_engine, migrate
from mustreads.store.issues import IssueQueries
from mustreads.store.rows import T, from_row, to_row


class Store(AnalysisQueries, IssueQueries):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str) -> Store:
        engine = create_store_engine(url)
        migrate(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- generic -----------------------------------------------------------

    def _insert(self, table: Table, obj: Any) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(insert(table).values(**to_row(obj, table)))
            new_id = result.inserted_primary_key[0]  # type: ignore[index]
        obj.id = new_id
        return int(new_id)

    def _update(self, table: Table, obj: Any) -> None:
        if obj.id is None:
            raise ValueError(f"cannot update an unsaved {type(obj).__name__}")
        with self.engine.begin() as conn:
            conn.execute(update(table).where(table.c.id == obj.id).values(**to_row(obj, table)))

    def _select(self, cls: type[T], table: Table, *where: Any, order: Any = None) -> list[T]:
        query = select(table).where(*where).order_by(order if order is not None else table.c.id)
        with self.engine.connect() as conn:
            return [from_row(cls, row) for row in conn.execute(query)]

    # -- sources -----------------------------------------------------------

    def add_source(self, source: Source) -> Source:
        try:
            self._insert(schema.sources, source)
        except IntegrityError:
            raise UserError(f"feed already added: {source.url}", url=source.url) from None
        return source

    def get_source(self, key: int | str) -> Source:
        column = schema.sources.c.id if isinstance(key, int) else schema.sources.c.url
        found = self._select(Source, schema.sources, column == key)
        if not found:
            raise NotFoundError(f"unknown feed: {key}")
        return found[0]

    def list_sources(self) -> list[Source]:
        return self._select(Source, schema.sources)

    def due_sources(self, now: datetime) -> list[Source]:
        c = schema.sources.c
        return self._select(
            Source, schema.sources, or_(c.next_fetch_at.is_(None), c.next_fetch_at <= now)
        )

    def save_source(self, source: Source) -> None:
        self._update(schema.sources, source)

    def remove_source(self, source_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(schema.sources).where(schema.sources.c.id == source_id))

    # -- links -------------------------------------------------------------

    def find_link(self, canonical_url: str) -> Link | None:
        found = self._select(Link, schema.links, schema.links.c.canonical_url == canonical_url)
        return found[0] if found else None

    def add_link(self, link: Link) -> tuple[Link, bool]:
        """Insert ``link`` unless its canonical URL (or its feed GUID) is known.

        Returns the stored link and whether it is new.
        """
        c = schema.links.c
        same = c.canonical_url == link.canonical_url
        if link.guid is not None and link.source_id is not None:
            same = or_(same, (c.source_id == link.source_id) & (c.guid == link.guid))
        existing = self._select(Link, schema.links, same)
        if existing:
            return existing[0], False
        try:
            self._insert(schema.links, link)
        except IntegrityError:  # lost a race with another writer: theirs stands
            winner = self.find_link(link.canonical_url)
            if winner is None:
                raise
            return winner, False
        return link, True

    def add_feed_links(self, source_id: int, links: Sequence[Link]) -> int:
        """Insert a feed's entries in one transaction, skipping known ones; returns the new count.

        An entry is known when its canonical URL is, or when this feed already
        gave its GUID (a feed that moves its articles keeps their GUIDs).
        """
        c = schema.links.c
        with self.engine.begin() as conn:
            urls = {link.canonical_url for link in links}
            guids = {link.guid for link in links if link.guid is not None}
            known_urls = set(
                conn.execute(select(c.canonical_url).where(c.canonical_url.in_(urls))).scalars()
            )
            known_guids = set(
                conn.execute(
                    select(c.guid).where(c.source_id == source_id, c.guid.in_(guids))
                ).scalars()
            )
            fresh: list[dict[str, Any]] = []
            for link in links:
                if link.canonical_url in known_urls or link.guid in known_guids:
                    continue
                known_urls.add(link.canonical_url)
                if link.guid is not None:
                    known_guids.add(link.guid)
                fresh.append(to_row(link, schema.links))
            if fresh:
                conn.execute(insert(schema.links), fresh)
        return len(fresh)

    def save_link(self, link: Link) -> None:
        self._update(schema.links, link)

    def pending_links(self, now: datetime, limit: int | None = None) -> list[Link]:
        c = schema.links.c
        query = (
            select(schema.links)
            .where(c.status == LinkStatus.PENDING.value)
            .where(or_(c.next_fetch_at.is_(None), c.next_fetch_at <= now))
            .order_by(c.pinned.desc(), c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [from_row(Link, row) for row in conn.execute(query)]

    def list_links(self, status: LinkStatus | None = None) -> list[Link]:
        where = [] if status is None else [schema.links.c.status == status.value]
        return self._select(Link, schema.links, *where)

    # -- pages and articles ------------------------------------------------

    def add_page(self, page: Page) -> int:
        return self._insert(schema.pages, page)

    def save_article(self, article: Article) -> int:
        """Insert or replace the article of ``article.link_id`` (extraction is re-runnable)."""
        with self.engine.begin() as conn:
            existing = conn.execute(
                select(schema.articles.c.id).where(schema.articles.c.link_id == article.link_id)
            ).scalar()
            row = to_row(article, schema.articles)
            if existing is None:
                article.id = conn.execute(
                    insert(schema.articles).values(**row)
                ).inserted_primary_key[0]  # type: ignore[index]
            else:
                conn.execute(
                    update(schema.articles).where(schema.articles.c.id == existing).values(**row)
                )
                article.id = existing
        assert article.id is not None
        return article.id

    def list_articles(self, statuses: Iterable[ArticleStatus] | None = None) -> list[Article]:
        where = (
            [] if statuses is None else [schema.articles.c.status.in_([s.value for s in statuses])]
        )
        return self._select(Article, schema.articles, *where)

    def get_articles(self, ids: Iterable[int]) -> list[Article]:
        return self._select(Article, schema.articles, schema.articles.c.id.in_(list(ids)))

    def counts(self) -> dict[str, int]:
        """Rows per table, and articles per status: what `fetch` reports at the end."""
        out: dict[str, int] = {}
        with self.engine.connect() as conn:
            for table in (schema.sources, schema.links, schema.pages, schema.articles):
                out[table.name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
            rows = conn.execute(
                select(schema.articles.c.status, func.count()).group_by(schema.articles.c.status)
            ).all()
        for row in rows:
            out[f"articles_{row[0]}"] = row[1]
        return out
