"""The weekly job on the demo web: fetch, analyze, draft, checked against the demo's labels."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mustreads.compose.draft import draft_issue, issue_json, issue_url
from mustreads.compose.headline import headline_phrase, issue_title
from mustreads.compose.week import WEEKDAYS, format_date
from mustreads.config import Settings
from mustreads.demo import DemoArticle, catalog
from mustreads.demo.server import DemoWeb
from mustreads.ingest.collect import Collector
from mustreads.models import Issue, Kind, Section, Source, Tier
from mustreads.publication import Publication, init_publication, open_publication
from mustreads.store import Store
from tests.analyze.test_pipeline import demo_settings
from tests.compose.test_draft import same_draft

CONTRACT = {"number", "title", "subtitle", "previous_url", "sections"}
ITEM_CONTRACT = {"title", "author", "url", "summary", "sources", "tier"}


@pytest.fixture(scope="module")
def demo_web() -> Iterator[DemoWeb]:
    with DemoWeb() as web:
        yield web


def job_settings(anchor: date) -> Settings:
    """The demo's settings, sending the issue on the demo's anchor day: its week is week 0."""
    settings = demo_settings()
    settings.compose.weekday = WEEKDAYS[anchor.weekday()]
    return settings


@pytest.fixture
def analyzed(store_url: str, demo_web: DemoWeb) -> Iterator[Publication]:
    """A publication whose store holds the demo web, fetched and analyzed."""
    settings = job_settings(demo_web.anchor)
    with Store.open(store_url) as store:
        for feed in demo_web.feed_urls():
            store.add_source(Source(url=feed))
        fetched = Collector(store, settings).run()
        assert fetched.pages_failed == 0, fetched.errors
        pub = Publication(Path("."), settings, store)
        pub.analyze()
        yield pub


def truth_by_url(web: DemoWeb) -> dict[str, DemoArticle]:
    return {p.url(web.base_url): p for p in catalog(web.anchor) if p.special is None}


def item_urls(issue: Issue) -> set[str]:
    return {item.url for item in issue.items} | {s.url for i in issue.items for s in i.sources}


def test_the_current_week_s_issue_matches_the_demo_labels(
    analyzed: Publication, demo_web: DemoWeb
) -> None:
    settings = analyzed.settings
    issue = draft_issue(analyzed.store, settings)  # the week of the next issue day: the anchor
    assert issue.week == demo_web.anchor and issue.id is not None
    truth = truth_by_url(demo_web)
    this_week = {url: p for url, p in truth.items() if p.week == 0}

    # Every news story covered by several sites is one event, with all its sources.
    events = issue.section(Section.EVENTS)
    stories = {p.story for p in this_week.values() if p.story is not None}
    for story in stories:
        urls = {url for url, p in this_week.items() if p.story == story}
        if len(urls) > 1:
            holding = [e for e in events if urls & {s.url for s in e.sources}]
            assert len(holding) == 1, story
            assert {s.url for s in holding[0].sources} == urls, story
            assert holding[0].story_id is not None and holding[0].author is None
    for event in events:
        # Summarized by the article whose headline labels the story: one of its sources.
        assert event.url in {s.url for s in event.sources}
        assert truth[event.url].title == event.title or len(event.sources) == 1
        assert all(truth[s.url].site_name == s.name for s in event.sources)

    # Resources are the week's resources, with their authors, split at the paywall.
    resources = issue.section(Section.RESOURCES)
    week_resources = {url for url, p in this_week.items() if p.kind is Kind.RESOURCE}
    assert {r.url for r in resources} == week_resources  # fewer than compose.resources
    for item in resources:
        assert item.author == truth[item.url].author, item.url
        assert item.title == truth[item.url].title
        assert item.summary
    free = settings.compose.free_resources
    assert [r.tier for r in resources] == [Tier.FREE] * free + [Tier.PAID] * (len(resources) - free)

    # Nothing off-topic, nothing from other weeks, no copy or unreadable page.
    assert all(truth[url].kind is not Kind.OFFTOPIC for url in item_urls(issue))
    assert item_urls(issue) <= set(this_week)

    # The title names the first three items; the subtitle dates the week.
    top = issue.items[:3]
    assert [i.section for i in top] == [Section.EVENTS] * 3
    phrases = [headline_phrase(i.title, settings.compose.title_words) for i in top]
    assert issue.title == issue_title(phrases) and issue.title.endswith(", and More")
    assert all(1 <= len(p.split()) <= settings.compose.title_words for p in phrases)
    day = format_date(issue.week, "{m}-{d}-{yy}")
    assert issue.subtitle == f"An AI engineer's must-reads for {day}"
    assert issue.intro == settings.compose.intro and issue.previous_url is None

    # The draft is saved; drafting again gives the same draft in the same row.
    saved = analyzed.store.draft_for_week(issue.week)
    assert saved is not None and saved.id == issue.id
    assert draft_issue(analyzed.store, settings).id == issue.id
    assert same_draft(analyzed.store.draft_for_week(issue.week), saved)


def publish(store: Store, draft: Issue, when: datetime) -> Issue:
    slug = str(len(store.published_issues()) + 1)
    return store.publish_issue(draft, slug=slug, published_at=when)


def test_published_issues_are_linked_and_never_featured_again(
    analyzed: Publication, demo_web: DemoWeb
) -> None:
    store, settings, anchor = analyzed.store, analyzed.settings, demo_web.anchor
    when = datetime.combine(anchor, datetime.min.time(), tzinfo=UTC)
    last_week = publish(store, draft_issue(store, settings, week=anchor - timedelta(days=7)), when)
    assert any(i.section is Section.EVENTS for i in last_week.items)  # the Ferrule release
    # An issue of a week that overlaps this one: what it featured must not come back.
    midweek = publish(store, draft_issue(store, settings, week=anchor - timedelta(days=3)), when)
    assert midweek.previous_id == last_week.id
    assert midweek.previous_url == issue_url(settings, last_week)
    assert midweek.previous_url == f"{settings.publication.url}issues/1/"

    issue = draft_issue(store, settings)
    assert issue.previous_id == midweek.id
    assert issue.previous_url == f"{settings.publication.url}issues/2/"
    featured = item_urls(last_week) | item_urls(midweek)
    assert midweek.items and not item_urls(issue) & featured
    articles, stories = store.featured()
    assert not {i.article_id for i in issue.items} & articles
    assert not {i.story_id for i in issue.items} & stories
    assert issue_json(issue, settings)["previous_url"] == issue.previous_url

    # A pinned link comes back, even though an issue featured it.
    resource = next(i for i in midweek.items if i.section is Section.RESOURCES)
    link = next(a.link for a in store.analyzed_articles() if a.article.url == resource.url)
    link.pinned = True
    store.save_link(link)
    again = draft_issue(store, settings)
    assert again.id == issue.id
    assert resource.url in {i.url for i in again.section(Section.RESOURCES)}


def test_issue_json_keeps_the_contract(analyzed: Publication) -> None:
    issue = draft_issue(analyzed.store, analyzed.settings)
    data = issue_json(issue, analyzed.settings)
    check_contract(data)
    assert json.loads(json.dumps(data)) == data  # plain JSON all the way down


def check_contract(data: dict[str, Any]) -> None:
    assert set(data) >= CONTRACT
    assert [s["name"] for s in data["sections"]] == ["events", "resources"]
    items = [item for section in data["sections"] for item in section["items"]]
    assert items and all(set(item) == ITEM_CONTRACT for item in items)
    assert all(item["tier"] in ("free", "paid") for item in items)
    events = data["sections"][0]["items"]
    assert all(s.keys() == {"name", "url"} for e in events for s in e["sources"])


# -- the command line ---------------------------------------------------------------


def mustreads(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mustreads", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200", **env},
    )


def test_run_then_draft_on_the_command_line(
    store_url: str, demo_web: DemoWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = init_publication(
        tmp_path / "pub",
        {
            "fetch": {"allow_private_networks": True, "per_host_delay": 0.0},
            "compose": {"weekday": WEEKDAYS[demo_web.anchor.weekday()]},
        },
    )
    env = {"MUSTREADS_STORE__URL": store_url}
    monkeypatch.setenv("MUSTREADS_STORE__URL", store_url)
    with open_publication(root) as pub:
        for feed in demo_web.feed_urls():
            pub.add_feed(feed)

    ran = mustreads("run", "-C", str(root), env=env)
    assert ran.returncode == 0, ran.stderr
    assert f"Drafted the issue of the week ending {demo_web.anchor.isoformat()}" in ran.stdout
    assert "Analyzed" in ran.stdout and "Pages:" in ran.stdout

    as_json = mustreads("draft", "--json", "-C", str(root), env=env)
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    check_contract(data)
    assert data["title"].endswith(", and More") and data["previous_url"] is None

    shown = mustreads("draft", "--show", "--week", demo_web.anchor.isoformat(), "-C", str(root),
                      env=env)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    for text in (data["title"], "Events you should know", "(sources: ", "Resources you should read",
                 "By Kofi Mensah", "paywall", Settings().compose.paywall_text):  # fmt: skip
        assert text in shown.stdout, text
    paywall = shown.stdout.index("paywall")
    resources = data["sections"][1]["items"]
    assert all(shown.stdout.index(r["title"]) < paywall for r in resources if r["tier"] == "free")
    assert all(shown.stdout.index(r["title"]) > paywall for r in resources if r["tier"] == "paid")

    bad = mustreads("draft", "--week", "2025-02-30", "-C", str(root), env=env)
    assert bad.returncode == 2 and "not a date" in bad.stderr and "Traceback" not in bad.stderr
