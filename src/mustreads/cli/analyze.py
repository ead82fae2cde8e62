"""Commands of the analyze stage: analyze, export, stories."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import UTC, datetime, time
from typing import Annotated

import typer

from mustreads.cli.app import DirOption, JsonFlag, app, open_dir
from mustreads.cli.output import (
    RichProgress,
    console,
    news_stories,
    print_analyze_report,
    print_json,
    print_stories,
)
from mustreads.compose.week import parse_week

SinceOption = Annotated[
    str | None, typer.Option("--since", help="Only articles published since DATE (YYYY-MM-DD)")
]


def parse_date(text: str | None) -> datetime | None:
    """A ``--since`` date: the start of that day, UTC."""
    return None if text is None else datetime.combine(parse_week(text), time.min, tzinfo=UTC)


@app.command("analyze")
def analyze_command(
    since: SinceOption = None,
    summarizer: Annotated[
        str | None, typer.Option(help="Summarizer backend (default: analyze.summarizer)")
    ] = None,
    directory: DirOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Summarize, classify, group into stories and rank the new articles."""
    since_date = parse_date(since)
    with open_dir(directory) as pub, RichProgress(enabled=not as_json) as progress:
        report = pub.analyze(since=since_date, summarizer=summarizer, progress=progress)
    if as_json:
        print_json(asdict(report))
        return
    print_analyze_report(report)


@app.command()
def export(
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON object per line")] = False,
    since: SinceOption = None,
    directory: DirOption = None,
) -> None:
    """Print the analyzed articles, best first (JSON array, or JSON lines with --jsonl)."""
    with open_dir(directory) as pub:
        rows = pub.export(since=parse_date(since))
    if jsonl:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        print_json(rows)


@app.command()
def stories(
    since: SinceOption = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list resources and off-topic singletons")
    ] = False,
    directory: DirOption = None,
    as_json: JsonFlag = False,
) -> None:
    """List the stories (news covered by one or more sources) with their sources."""
    with open_dir(directory) as pub:
        found = pub.stories(since=parse_date(since))
    if not show_all:
        found = news_stories(found)
    if as_json:
        print_json(
            [
                {
                    "id": story.id,
                    "label": story.label,
                    "sources": [
                        {
                            "site_name": i.article.site_name,
                            "title": i.article.title,
                            "url": i.article.url,
                        }
                        for i in items
                    ],
                }
                for story, items in found
            ]
        )
        return
    print_stories(found)


@app.command()
def learn(directory: DirOption = None, as_json: JsonFlag = False) -> None:
    """Fit ranking weights to the curator's past picks and score them on held-out weeks."""
    from mustreads.analyze.learn import learn_ranking

    with open_dir(directory) as pub:
        weights, report = learn_ranking(pub.store, pub.settings)
    if as_json:
        print_json({"weights": weights, "report": asdict(report)})
        return
    console.print(report.summary())
    console.print("To use them, put these lines in the [rank] table of mustreads.toml:")
    for name, value in weights.items():
        console.print(f"{name} = {value}", highlight=False)
