"""Printing for the CLI: tables, JSON and progress bars (rich)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import datetime
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from mustreads.analyze.pipeline import AnalyzeReport
from mustreads.ingest.collect import FetchReport
from mustreads.models import Kind, Source, SourceStatus
from mustreads.publication import StoryList

console = Console()
err_console = Console(stderr=True)

TASK_LABELS = {
    "feeds": "Polling feeds",
    "pages": "Fetching pages",
    "classify": "Classifying",
    "summarize": "Summarizing",
    "cluster": "Clustering",
}


class RichProgress:
    """The library's Progress protocol drawn as rich bars on stderr."""

    def __init__(self, *, enabled: bool = True) -> None:
        self._progress = Progress(
            TextColumn("{task.description:<16}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            disable=not enabled,
            transient=False,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def start(self, task: str, total: int) -> None:
        label = TASK_LABELS.get(task, task.capitalize())
        self._tasks[task] = self._progress.add_task(label, total=total or None)

    def advance(self, task: str, amount: int = 1) -> None:
        if task in self._tasks:
            self._progress.advance(self._tasks[task], amount)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def source_json(source: Source) -> dict[str, Any]:
    return {
        "id": source.id,
        "url": source.url,
        "title": source.title,
        "status": source.status.value,
        "last_fetched_at": source.last_fetched_at,
        "next_fetch_at": source.next_fetch_at,
        "entries_seen": source.entries_seen,
        "error_count": source.error_count,
        "last_error": source.last_error,
    }


STATUS_STYLE = {
    SourceStatus.OK: "green",
    SourceStatus.NEW: "cyan",
    SourceStatus.UNHEALTHY: "yellow",
    SourceStatus.ERROR: "red",
}


def print_feeds(sources: list[Source]) -> None:
    if not sources:
        console.print("No feeds yet: `mustreads feeds add URL` or `mustreads feeds import FILE`.")
        return
    table = Table(title=f"{len(sources)} feeds")
    for column in ("id", "feed", "status", "last fetch", "entries", "errors", "next fetch"):
        table.add_column(column, overflow="fold")
    for s in sources:
        style = STATUS_STYLE[s.status]
        status = f"[{style}]{s.status.value}[/{style}]"
        if s.last_error:
            status += f"\n[dim]{s.last_error}[/dim]"
        table.add_row(
            str(s.id),
            f"{s.title or ''}\n[dim]{s.url}[/dim]" if s.title else s.url,
            status,
            _when(s.last_fetched_at),
            str(s.entries_seen),
            str(s.error_count),
            _when(s.next_fetch_at),
        )
    console.print(table)


def fetch_report_json(report: FetchReport) -> dict[str, Any]:
    data = asdict(report)
    data["errors"] = [{"url": url, "error": message} for url, message in report.errors]
    return data


def print_fetch_report(report: FetchReport, counts: dict[str, int] | None = None) -> None:
    console.print(
        f"Feeds: {report.feeds_polled} polled, {report.feeds_not_modified} unchanged, "
        f"{report.feeds_failed} failed. New links: {report.new_links}."
    )
    articles = ", ".join(f"{n} {status}" for status, n in sorted(report.articles.items()))
    console.print(
        f"Pages: {report.pages_fetched} fetched, {report.pages_failed} failed, "
        f"{report.duplicates} duplicates. Articles: {articles or 'none'}."
    )
    if counts is not None:
        console.print(
            f"Store: {counts.get('sources', 0)} feeds, {counts.get('links', 0)} links, "
            f"{counts.get('articles_ok', 0)} readable articles."
        )
    for url, message in report.errors[:10]:
        console.print(f"  [red]✗[/red] {url}: {message}", markup=True, highlight=False)
    if len(report.errors) > 10:
        console.print(f"  … and {len(report.errors) - 10} more (see `mustreads feeds list`)")


def print_analyze_report(report: AnalyzeReport) -> None:
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(report.kinds.items())) or "none"
    console.print(f"Analyzed {report.analyzed} articles ({kinds}) with {report.summarizer}.")
    console.print(
        f"{report.duplicates} duplicates collapsed; {report.stories} stories, "
        f"{report.multi_source_stories} covered by several sources."
    )
    if report.fallbacks:
        console.print(f"[yellow]{report.fallbacks} summaries fell back to extractive.[/yellow]")
    if report.ungrounded:
        console.print(
            f"[red]{report.ungrounded} summaries failed the grounding check: review them.[/red]"
        )


def news_stories(found: StoryList) -> StoryList:
    """Only the stories that are news (a resource is a story of its own)."""
    return [
        (story, items)
        for story, items in found
        if any(i.analysis and i.analysis.kind is Kind.EVENT for i in items)
    ]


def print_stories(found: StoryList) -> None:
    table = Table(title=f"{len(found)} stories")
    table.add_column("id")
    table.add_column("story", overflow="fold")
    table.add_column("sources", overflow="fold")
    for story, items in found:
        sources = "\n".join(f"{i.article.site_name or '?'}: {i.article.title}" for i in items)
        table.add_row(str(story.id), story.label, sources)
    console.print(table)
