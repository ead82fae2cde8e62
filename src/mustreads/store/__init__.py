"""The store: the only package that speaks SQL."""

from mustreads.store.engine import create_store_engine, current_revision, head_revision, migrate
from mustreads.store.store import Store

__all__ = ["Store", "create_store_engine", "current_revision", "head_revision", "migrate"]
