"""Mapping between rows and the dataclasses of :mod:`mustreads.models`."""

from __future__ import annotations

import dataclasses
import json
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.engine import Row

from mustreads.models import (
    Analysis,
    Article,
    ArticleStatus,
    Kind,
    Link,
    LinkOrigin,
    LinkStatus,
    Source,
    SourceKind,
    SourceStatus,
)

T = TypeVar("T")

# Enum-typed fields per dataclass, so rows (plain strings) map back to enums.
_ENUMS: dict[type, dict[str, type[StrEnum]]] = {
    Source: {"kind": SourceKind, "status": SourceStatus},
    Link: {"origin": LinkOrigin, "status": LinkStatus},
    Article: {"status": ArticleStatus},
    Analysis: {"kind": Kind},
}
# List-typed fields, stored as JSON text.
_LISTS = {"topics"}


def to_row(obj: Any, table: Table) -> dict[str, Any]:
    values = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    return {k: _to_column(k, v) for k, v in values.items() if k in table.c and k != "id"}


def _to_column(name: str, value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    if name in _LISTS:
        return json.dumps(value)
    return value


def _from_column(cls: type, name: str, value: Any) -> Any:
    enums = _ENUMS.get(cls, {})
    if value is None:
        return None
    if name in enums:
        return enums[name](value)
    if name in _LISTS:
        return json.loads(value)
    return value


def from_row(cls: type[T], row: Row[Any], prefix: str = "") -> T:
    """Build ``cls`` from the columns of ``row`` (named ``prefix + field`` when joined)."""
    mapping = row._mapping
    data = {
        f.name: _from_column(cls, f.name, mapping[prefix + f.name])
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if prefix + f.name in mapping
    }
    return cls(**data)
