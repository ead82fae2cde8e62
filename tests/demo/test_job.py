"""The whole job on the demo web, as `mustreads demo` runs it, checked end to end."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import escape
from pathlib import Path

import feedparser
import pytest

from mustreads.demo import catalog
from mustreads.demo.job import DemoRun, run_demo
from mustreads.demo.server import DemoWeb
from mustreads.models import Kind, Section, Tier
from mustreads.publication import open_publication
from mustreads.publish.site import publish


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoRun, DemoWeb]]:
    with DemoWeb() as web:
        root = tmp_path_factory.mktemp("demo") / "pub"
        yield run_demo(root, web.opml()), web


def test_two_past_issues_are_published_and_this_week_is_drafted(
    demo_run: tuple[DemoRun, DemoWeb],
) -> None:
    result, web = demo_run
    assert [issue.number for issue in result.published] == [1, 2]
    draft = result.draft
    assert draft.number is None and draft.week == web.anchor
    assert draft.previous_url is not None and draft.previous_url.endswith("/issues/2/")
    assert draft.title.endswith(", and More") and draft.title.count(", ") == 3

    truth = {p.url(web.base_url): p for p in catalog(web.anchor) if p.special is None}
    this_week = {u: p for u, p in truth.items() if p.week == 0}
    events = draft.section(Section.EVENTS)
    for story in {p.story for p in this_week.values() if p.story}:
        urls = {u for u, p in this_week.items() if p.story == story}
        holding = [e for e in events if {s.url for s in e.sources} == urls]
        assert len(urls) < 2 or len(holding) == 1, story
    resources = draft.section(Section.RESOURCES)
    assert resources
    for item in resources:
        assert truth[item.url].kind is Kind.RESOURCE
        assert item.author == truth[item.url].author
    assert any(item.tier is Tier.PAID for item in resources)


def test_paid_items_never_reach_free_readers(demo_run: tuple[DemoRun, DemoWeb]) -> None:
    result, _ = demo_run
    root = result.root
    with open_publication(root) as pub:
        issue = publish(pub.store, pub.settings, root).issue
    site = root / "site"
    page = (site / "issues" / str(issue.number) / "index.html").read_text()
    rss = (site / "feed.xml").read_bytes()
    atom = (site / "atom.xml").read_bytes()
    sitemap = (site / "sitemap.xml").read_text()
    paid = [item for item in issue.items if item.tier is Tier.PAID]
    free = [item for item in issue.items if item.tier is Tier.FREE]
    assert paid and free
    for item in paid:
        for text in (page, rss.decode(), atom.decode(), sitemap):
            assert item.url not in text
            assert escape(item.title) not in text
    assert "Keep reading with a 7-day free trial" in page
    for item in free:
        assert item.url in page
    previous_line = re.search(r'<p class="previous">.*?href="([^"]+)"', page)
    assert previous_line is not None
    assert previous_line.group(1).endswith("issues/2/")  # the last issue before this one
    for feed in (rss, atom):
        parsed = feedparser.parse(feed)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert parsed.entries[0].title == issue.title
        assert len(parsed.entries) == 3


def test_the_site_has_every_page(demo_run: tuple[DemoRun, DemoWeb]) -> None:
    site: Path = demo_run[0].root / "site"
    for path in ("index.html", "archive/index.html", "about/index.html", "issues/1/index.html",
                 "issues/2/index.html", "feed.xml", "atom.xml", "sitemap.xml"):  # fmt: skip
        assert (site / path).is_file(), path
