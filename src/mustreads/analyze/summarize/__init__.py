"""Summarizers: turn articles into 2–3 sentence summaries for the issue.

Backends register in :data:`summarizers` through the ``mustreads.summarizers``
entry-point group (the built-in ``extractive`` and ``llm`` too) and are chosen
by ``analyze.summarizer`` in the settings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from mustreads.config import Settings
from mustreads.models import Article, Kind, Summary
from mustreads.registry import Registry

__all__ = ["Summarizer", "SummaryCache", "get_summarizer", "summarizers"]


class SummaryCache(Protocol):
    """Where a backend keeps expensive answers between runs (the pipeline's is the store)."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, value: str) -> None: ...


class Summarizer(Protocol):
    """Summarizes a batch of articles, one :class:`Summary` per article, in order.

    A summarizer never raises for one bad article: it returns a Summary with
    ``error`` set (and possibly empty text) so the batch goes on. ``progress``,
    when given, is called with the number of articles just finished. ``kinds``,
    when given, are the articles' kinds as the pipeline classified them (a
    backend may summarize news and essays differently).
    """

    name: str

    def summarize(
        self,
        articles: Sequence[Article],
        progress: Callable[[int], None] | None = None,
        *,
        kinds: Sequence[Kind | None] | None = None,
    ) -> list[Summary]: ...


summarizers: Registry[Summarizer] = Registry("summarizer", "mustreads.summarizers")


def get_summarizer(
    name: str, settings: Settings, *, cache: SummaryCache | None = None
) -> Summarizer:
    """The summarizer registered as ``name``, built with ``settings`` and ``cache``.

    Every backend factory takes ``(settings, *, cache=None)``. Raises
    :class:`~mustreads.errors.BackendError` for an unknown name.
    """
    return summarizers.create(name, settings, cache=cache)
