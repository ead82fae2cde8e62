"""Commands of the draft stage: draft, and run (the weekly job: fetch, analyze, draft)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.markdown import Markdown
from rich.padding import Padding
from rich.style import Style
from rich.text import Text

from mustreads.cli.app import DirOption, JsonFlag, app, open_dir
from mustreads.cli.output import (
    RichProgress,
    console,
    print_analyze_report,
    print_fetch_report,
    print_json,
)
from mustreads.compose.draft import SECTION_HEADINGS, draft_issue, issue_json
from mustreads.compose.week import parse_week
from mustreads.config import Settings
from mustreads.models import Issue, IssueItem, Section, Tier

WeekOption = Annotated[
    str | None,
    typer.Option(
        "--week",
        help="Last day of the issue's week, YYYY-MM-DD (default: the next compose.weekday)",
    ),
]


@app.command()
def draft(
    week: WeekOption = None,
    show: Annotated[bool, typer.Option("--show", help="Show the draft as readers see it")] = False,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Start over even if the draft was edited")
    ] = False,
    directory: DirOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Build (or rebuild) the draft issue of the week from the analyzed articles.

    A draft changed with `mustreads edit` is kept as it is, unless --rebuild.
    """
    day = _week(week)
    with open_dir(directory) as pub:
        issue = draft_issue(pub.store, pub.settings, week=day, rebuild=rebuild)
        settings = pub.settings
    if as_json:
        print_json(issue_json(issue, settings))
    elif show:
        print_issue(issue, settings)
    else:
        print_draft_summary(issue)


@app.command("run")
def run_command(
    week: WeekOption = None,
    directory: DirOption = None,
) -> None:
    """The weekly job: poll feeds, fetch and extract pages, analyze, then draft the issue."""
    day = _week(week)
    with open_dir(directory) as pub:
        with RichProgress() as progress:
            fetched = pub.fetch(progress=progress)
        print_fetch_report(fetched, pub.store.counts())
        with RichProgress() as progress:
            analyzed = pub.analyze(progress=progress)
        print_analyze_report(analyzed)
        issue = draft_issue(pub.store, pub.settings, week=day)
    print_draft_summary(issue)


def _week(text: str | None) -> date | None:
    return parse_week(text) if text is not None else None


# -- printing -------------------------------------------------------------------


def print_draft_summary(issue: Issue) -> None:
    if issue.edited_at is not None:
        console.print(
            f"Kept the draft of {issue.week.isoformat()} as edited "
            f"({issue.edited_at:%Y-%m-%d %H:%M} UTC); `mustreads draft --rebuild` starts over.",
            highlight=False,
        )
        return
    events = issue.section(Section.EVENTS)
    resources = issue.section(Section.RESOURCES)
    free = sum(1 for item in resources if item.tier is Tier.FREE)
    console.print(
        f"Drafted the issue of the week ending {issue.week.isoformat()} (draft {issue.id}): "
        f"{len(events)} events, {len(resources)} resources "
        f"({free} free, {len(resources) - free} paid).",
        highlight=False,
    )
    console.print(Text.assemble("Title: ", (issue.title, "bold")))
    if issue.previous_url:
        console.print(Text.assemble("Previous issue: ", _link(issue.previous_url)))
    console.print("See it with `mustreads draft --show`.", markup=False, highlight=False)


def print_issue(issue: Issue, settings: Settings) -> None:
    """The draft laid out like the reference issue, for reading in a terminal."""
    compose = settings.compose
    console.rule(Text(f"Draft · week ending {issue.week.isoformat()}", style="dim"))
    console.print(Text(issue.title, style="bold"), justify="center")
    console.print(Text(issue.subtitle, style="italic"), justify="center")
    console.print()
    if issue.intro:
        console.print(Markdown(issue.intro))
    if issue.previous_url:
        console.print(
            Text.assemble(compose.previous_text.rstrip() + " ", _link(issue.previous_url))
        )
    events = issue.section(Section.EVENTS)
    if events:
        _heading(SECTION_HEADINGS[Section.EVENTS])
        for item in events:
            _print_event(item)
    resources = issue.section(Section.RESOURCES)
    if resources:
        _heading(SECTION_HEADINGS[Section.RESOURCES])
    behind_paywall = False
    for item in resources:
        if item.tier is Tier.PAID and not behind_paywall:
            behind_paywall = True
            console.print()
            console.rule(Text(f"paywall · {compose.paywall_text}", style="bold yellow"))
            console.print(Text("The extended reading list, for paid subscribers", style="dim"))
        _print_resource(item)
    if not issue.items:
        console.print(Text("Nothing to feature this week yet.", style="yellow"))
    console.rule(style="dim")


def _heading(text: str) -> None:
    console.print()
    console.print(Text(text, style="bold underline"))


def _print_event(item: IssueItem) -> None:
    console.print()
    console.print(Text.assemble("• ", (item.title, "bold")))
    text = Text(item.summary)
    if item.sources:
        text.append(" (sources: ")
        for index, source in enumerate(item.sources):
            if index:
                text.append(", ")
            text.append(source.name, style=Style(link=source.url, underline=True))
        text.append(")")
    console.print(Padding(text, (0, 0, 0, 2)))


def _print_resource(item: IssueItem) -> None:
    console.print()
    console.print(Text(item.title, style=Style(bold=True, link=item.url)))
    if item.author:
        console.print(Text(f"By {item.author}", style="italic"))
    console.print(Text(item.summary))
    console.print(Text.assemble(_link(item.url, "Source")))


def _link(url: str, label: str | None = None) -> Text:
    return Text(label or url, style=Style(link=url, underline=True, color="cyan"))
