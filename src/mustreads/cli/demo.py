"""`mustreads demo`: the whole job, offline, on the demo web the project ships."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from mustreads.cli.app import app
from mustreads.cli.output import (
    RichProgress,
    console,
    news_stories,
    print_analyze_report,
    print_fetch_report,
    print_stories,
)
from mustreads.models import ArticleStatus
from mustreads.publication import init_publication, open_publication

# The demo web runs on 127.0.0.1, which the network guard refuses by default.
DEMO_SETTINGS: dict[str, dict[str, Any]] = {
    "publication": {"name": "An AI engineer's must-reads (demo)"},
    "fetch": {"allow_private_networks": True, "per_host_concurrency": 8, "per_host_delay": 0.0},
}


@app.command()
def demo(
    directory: Annotated[
        Path | None,
        typer.Option(
            "--dir", "-C", help="Folder for the demo publication (default: a new temp folder)"
        ),
    ] = None,
    serve: Annotated[
        bool, typer.Option("--serve", help="Keep the demo web running until Ctrl-C")
    ] = False,
) -> None:
    """Run the job offline: serve the demo web, follow its feeds, fetch, analyze."""
    from mustreads.demo import opml
    from mustreads.demo.server import DemoWeb

    root = directory or Path(tempfile.mkdtemp(prefix="mustreads-demo-"))
    init_publication(root, DEMO_SETTINGS)
    with DemoWeb() as web:
        console.print(f"Demo web serving {web.base_url}/ ; publication in {root}")
        with open_publication(root) as pub:
            imported = pub.import_opml(opml(web.base_url).encode())
            console.print(f"Following {len(imported.added)} demo feeds.")
            with RichProgress() as progress:
                report = pub.fetch(progress=progress)
            print_fetch_report(report, pub.store.counts())
            with RichProgress() as progress:
                analyzed = pub.analyze(progress=progress)
            print_analyze_report(analyzed)
            articles = pub.store.list_articles()
            found = pub.stories()
        table = Table(title="Collected articles")
        for column in ("status", "site", "title", "author", "words"):
            table.add_column(column, overflow="fold")
        for article in sorted(
            articles, key=lambda a: (a.status != ArticleStatus.OK, a.site_name or "")
        ):
            table.add_row(
                article.status.value,
                article.site_name or "",
                article.title or article.url,
                article.author or "—",
                str(article.word_count),
            )
        console.print(table)
        print_stories(news_stories(found))
        console.print(f"Publication: {root} (try `mustreads feeds list -C {root}`)")
        if serve:
            console.print(f"Serving {web.base_url}/ — press Ctrl-C to stop.")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
