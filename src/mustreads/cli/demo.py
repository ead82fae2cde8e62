"""`mustreads demo`: the whole job, offline, on the demo web the project ships."""

from __future__ import annotations

import functools
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Annotated

import typer

from mustreads.cli.app import app
from mustreads.cli.compose import print_issue
from mustreads.cli.output import (
    RichProgress,
    console,
    print_analyze_report,
    print_fetch_report,
)
from mustreads.config import load_settings


@app.command()
def demo(
    directory: Annotated[
        Path | None,
        typer.Option(
            "--dir", "-C", help="Folder for the demo publication (default: a new temp folder)"
        ),
    ] = None,
    serve: Annotated[
        bool, typer.Option("--serve", help="Serve the site and the demo web until Ctrl-C")
    ] = False,
    port: Annotated[int, typer.Option(help="Port of the site with --serve")] = 8000,
) -> None:
    """Run the job offline: fetch and analyze the demo web, publish two issues, draft a third."""
    from mustreads.demo import opml
    from mustreads.demo.job import run_demo
    from mustreads.demo.server import DemoWeb

    root = directory or Path(tempfile.mkdtemp(prefix="mustreads-demo-"))
    with DemoWeb() as web:
        console.print(f"Demo web serving {web.base_url}/ ; publication in {root}")
        with RichProgress() as progress:
            result = run_demo(root, opml(web.base_url), progress=progress)
        print_fetch_report(result.fetched)
        print_analyze_report(result.analyzed)
        for issue in result.published:
            console.print(f"Published issue #{issue.number}: {issue.title}", highlight=False)
        console.rule("This week's draft")
        print_issue(result.draft, load_settings(root))
        console.rule()
        console.print(
            f"Site: {root / 'site'} ({result.site.files} files). Next: "
            f"`mustreads edit -C {root}` to review the draft, `mustreads publish -C {root}`."
        )
        if serve:
            _serve(root / "site", port)


def _serve(folder: Path, port: int) -> None:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    with ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        console.print(f"Serving the site on http://127.0.0.1:{port}/ — press Ctrl-C to stop.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            server.shutdown()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass
