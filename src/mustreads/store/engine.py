"""Opening a database: engine set-up and migrations.

SQLite gets WAL, foreign keys and a busy timeout on every connection; any
``postgresql+psycopg://`` URL works the same. The store migrates on open.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.pool import StaticPool

from mustreads.errors import ConfigError, StoreError


def create_store_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"store.url: not a database URL: {url!r}") from exc
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        else:
            kwargs["poolclass"] = StaticPool  # one shared in-memory database
        kwargs["connect_args"] = {"timeout": 30}
    try:
        engine = create_engine(parsed, **kwargs)
    except NoSuchModuleError as exc:
        raise ConfigError(f"store.url: unsupported database {parsed.drivername!r}") from exc
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"store.url: driver {exc.name!r} is not installed "
            "(for PostgreSQL: pip install 'mustreads[postgres]')"
        ) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _configure_sqlite)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("mustreads.store") / "migrations"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema; each migration in its own transaction."""
    config = _alembic_config()
    try:
        if current_revision(engine) == head_revision():
            return
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
    except OperationalError as exc:
        raise StoreError(f"cannot open the store: {exc.orig}") from exc
