"""Command of the publish stage: publish (number the draft, build the site)."""

from __future__ import annotations

from typing import Annotated

import typer

from mustreads.cli.app import DirOption, app, open_dir
from mustreads.cli.output import console
from mustreads.compose.week import parse_week
from mustreads.publish.site import publish as publish_and_build


@app.command()
def publish(
    week: Annotated[
        str | None,
        typer.Option("--week", help="Last day of the issue's week, YYYY-MM-DD (default: latest)"),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Publish an issue again (same number and date), re-rendered"),
    ] = False,
    directory: DirOption = None,
) -> None:
    """Publish the latest draft (or --week's issue) and build the site."""
    day = parse_week(week) if week is not None else None
    with open_dir(directory) as pub:
        done = publish_and_build(pub.store, pub.settings, pub.root, week=day, force=force)
    issue, site = done.issue, done.site
    verb = "Published again" if done.again else "Published"
    console.print(f"{verb} issue #{issue.number}: {issue.title}", markup=False)
    console.print(f"Site: {site.out}", markup=False)
    console.print(
        f"Files: {len(site.written)} written, {len(site.skipped)} unchanged"
        + (f", {len(site.removed)} removed" if site.removed else "")
    )
