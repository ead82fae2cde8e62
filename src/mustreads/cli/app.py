"""Commands of the collect and extract stages, and the publication's settings."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import tomli_w
import typer

from mustreads.cli.output import (
    RichProgress,
    console,
    fetch_report_json,
    print_fetch_report,
    print_json,
    source_json,
)
from mustreads.config import dump_settings, load_settings
from mustreads.errors import UserError
from mustreads.publication import (
    Publication,
    extract_inputs,
    find_root,
    init_publication,
    open_publication,
)

app = typer.Typer(
    name="mustreads",
    help="Run a curated reading-list newsletter: collect, extract, summarize, draft, publish.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
feeds_app = typer.Typer(help="Manage the feeds the publication follows.", no_args_is_help=True)
config_app = typer.Typer(help="Inspect the publication's settings.", no_args_is_help=True)
app.add_typer(feeds_app, name="feeds")
app.add_typer(config_app, name="config")

DirOption = Annotated[
    Path | None,
    typer.Option("--dir", "-C", help="Publication folder (default: nearest with mustreads.toml)"),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines")]


def open_dir(directory: Path | None) -> Publication:
    root = directory.resolve() if directory else find_root(Path.cwd())
    if directory and not (root / "mustreads.toml").is_file():
        raise UserError(f"no mustreads.toml in {root}: run `mustreads init {directory}`")
    return open_publication(root)


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Folder to create for the publication")],
) -> None:
    """Create a publication folder with commented default settings, data/ and site/."""
    root = init_publication(path)
    console.print(f"Created {root}/mustreads.toml, data/ and site/. Next: cd {path}")


@app.command()
def add(
    url: Annotated[str, typer.Argument(help="Address of the article")],
    note: Annotated[str | None, typer.Option(help="Curator's note on the link")] = None,
    section: Annotated[str | None, typer.Option(help="Section hint: events or resources")] = None,
    pin: Annotated[bool, typer.Option("--pin", help="Always consider it for the issue")] = False,
    directory: DirOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Add one link by hand (fetched by the next `mustreads fetch`)."""
    with open_dir(directory) as pub:
        link, created = pub.add_link(url, note=note, section=section, pin=pin)
    if as_json:
        print_json({"id": link.id, "url": link.canonical_url, "created": created})
    else:
        state = "Added" if created else "Already known, updated"
        console.print(f"{state}: link {link.id} {link.canonical_url}")


@app.command()
def fetch(
    directory: DirOption = None,
    as_json: JsonFlag = False,
    feeds_only: Annotated[bool, typer.Option("--feeds-only", help="Only poll feeds")] = False,
    links_only: Annotated[bool, typer.Option("--links-only", help="Only fetch links")] = False,
) -> None:
    """Poll due feeds, fetch pending links and extract their articles."""
    with open_dir(directory) as pub:
        with RichProgress(enabled=not as_json) as progress:
            report = pub.fetch(progress=progress, feeds=not links_only, links=not feeds_only)
        counts = pub.store.counts()
    if as_json:
        print_json({**fetch_report_json(report), "store": counts})
    else:
        print_fetch_report(report, counts)


@app.command()
def extract(
    inputs: Annotated[list[str], typer.Argument(help="HTML files or http(s) URLs")],
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON object per input")] = False,
    base_url: Annotated[str | None, typer.Option(help="Address the files were saved from")] = None,
    extractor: Annotated[str | None, typer.Option(help="Extraction backend")] = None,
    directory: DirOption = None,
) -> None:
    """Extract the article from files or URLs, without storing anything."""
    root = directory.resolve() if directory else Path.cwd()
    overrides = {"extract": {"extractor": extractor}} if extractor else None
    settings = load_settings(root, overrides)
    failures = 0
    for item, result, error in extract_inputs(inputs, settings, base_url=base_url):
        failures += error is not None
        record = {
            "input": item,
            "url": result.canonical_url if result else None,
            "title": result.title if result else None,
            "author": result.author if result else None,
            "date": result.published_at.isoformat() if result and result.published_at else None,
            "site_name": result.site_name if result else None,
            "language": result.language if result else None,
            "text": result.text if result else None,
            "extractor": result.extractor if result else settings.extract.extractor,
            "status": result.status.value if result else None,
            "error": error or (result.reason if result else None),
        }
        if jsonl:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif error:
            console.print(f"[red]{item}: {error}[/red]")
        else:
            assert result is not None
            console.rule(result.title or item)
            console.print(
                f"{result.author or 'unknown author'} · {record['date'] or 'no date'}"
                f" · {result.site_name or ''} · {result.status.value}"
            )
            console.print(result.text or f"[yellow]{result.reason}[/yellow]", markup=False)
    if failures == len(inputs):
        raise typer.Exit(1)


# -- feeds ------------------------------------------------------------------


@feeds_app.command("add")
def feeds_add(
    url: Annotated[str, typer.Argument(help="Address of an RSS, Atom or JSON feed")],
    title: Annotated[str | None, typer.Option(help="Name to show for it")] = None,
    directory: DirOption = None,
) -> None:
    """Follow a feed."""
    with open_dir(directory) as pub:
        source = pub.add_feed(url, title)
    console.print(f"Added feed {source.id}: {source.url}")


@feeds_app.command("remove")
def feeds_remove(
    feed: Annotated[str, typer.Argument(help="Feed id or URL")],
    directory: DirOption = None,
) -> None:
    """Stop following a feed (its links and articles stay)."""
    with open_dir(directory) as pub:
        source = pub.remove_feed(feed)
    console.print(f"Removed feed {source.id}: {source.url}")


@feeds_app.command("list")
def feeds_list(directory: DirOption = None, as_json: JsonFlag = False) -> None:
    """Show each feed's health: last fetch, entries seen, last error, next fetch."""
    from mustreads.cli.output import print_feeds

    with open_dir(directory) as pub:
        sources = pub.list_feeds()
    if as_json:
        print_json([source_json(s) for s in sources])
    else:
        print_feeds(sources)


@feeds_app.command("import")
def feeds_import(
    path: Annotated[Path, typer.Argument(help="OPML file")],
    directory: DirOption = None,
) -> None:
    """Follow every feed of an OPML file (feeds already followed are skipped)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from exc
    with open_dir(directory) as pub:
        report = pub.import_opml(data)
    console.print(f"Imported {len(report.added)} feeds, skipped {len(report.skipped)}.")


@feeds_app.command("export")
def feeds_export(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write")] = None,
    directory: DirOption = None,
) -> None:
    """Write the followed feeds as OPML (to stdout unless -o is given)."""
    with open_dir(directory) as pub:
        data = pub.export_opml()
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
        console.print(f"Wrote {output}")


# -- config -----------------------------------------------------------------


@config_app.command("show")
def config_show(directory: DirOption = None, as_json: JsonFlag = False) -> None:
    """Print the effective settings (file < env < flags), secrets redacted."""
    root = directory.resolve() if directory else find_root(Path.cwd())
    data = dump_settings(load_settings(root))
    if as_json:
        print_json(data)
    else:  # TOML has no null: unset settings are left out
        sys.stdout.write(tomli_w.dumps(_without_none(data), multiline_strings=True))


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    return {
        key: _without_none(value) if isinstance(value, dict) else value
        for key, value in data.items()
        if value is not None
    }


# Importing these registers their commands on `app`.
from mustreads.cli import analyze as _analyze  # noqa: E402,F401
from mustreads.cli import compose as _compose  # noqa: E402,F401
from mustreads.cli import demo as _demo  # noqa: E402,F401
from mustreads.cli import publish as _publish  # noqa: E402,F401
from mustreads.cli import review as _review  # noqa: E402,F401
