"""The whole weekly job on the demo web: what `mustreads demo` runs.

A new publication follows the demo feeds, fetches and analyzes everything,
publishes the issues of the two past weeks (so this week's draft has a
previous issue and a history of featured articles), drafts this week's issue
and builds the static site.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from mustreads.analyze.pipeline import AnalyzeReport
from mustreads.compose.draft import draft_issue
from mustreads.ingest.collect import FetchReport
from mustreads.models import Issue, utcnow
from mustreads.progress import Progress
from mustreads.publication import init_publication, open_publication
from mustreads.publish.site import SiteReport, build_site, publish

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def demo_settings(today: date) -> dict[str, dict[str, Any]]:
    """Settings of the demo publication (its weeks end today, as the demo web's do)."""
    return {
        "publication": {"name": "An AI engineer's must-reads (demo)"},
        # The demo web runs on 127.0.0.1, which the network guard refuses by default.
        "fetch": {
            "allow_private_networks": True,
            "per_host_concurrency": 8,
            "per_host_delay": 0.0,
        },
        "compose": {"weekday": WEEKDAYS[today.weekday()]},
    }


@dataclass(slots=True)
class DemoRun:
    root: Path
    fetched: FetchReport
    analyzed: AnalyzeReport
    published: list[Issue]
    draft: Issue
    site: SiteReport


def run_demo(
    root: Path, opml: str, *, progress: Progress | None = None, now: datetime | None = None
) -> DemoRun:
    """Create the publication in ``root`` and run the job on the feeds of ``opml``."""
    now = now or utcnow()
    today = now.date()
    init_publication(root, demo_settings(today))
    with open_publication(root) as pub:
        pub.import_opml(opml.encode())
        fetched = pub.fetch(progress=progress)
        analyzed = pub.analyze(progress=progress)
        published = []
        for weeks_back in (2, 1):
            week = today - timedelta(weeks=weeks_back)
            draft_issue(pub.store, pub.settings, week=week, now=now)
            published.append(
                publish(
                    pub.store, pub.settings, root, week=week, now=now - timedelta(weeks=weeks_back)
                ).issue
            )
        draft = draft_issue(pub.store, pub.settings, week=today, now=now)
        site = build_site(pub.store, pub.settings, root)
    return DemoRun(root, fetched, analyzed, published, draft, site)
