"""RSS 2.0, Atom 1.0 and the sitemap: well-formed, read back by feedparser, free only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import defusedxml.ElementTree as SafeET
import feedparser
import lxml.html
import pytest

from mustreads.compose.render import Renderer, markdown_text
from mustreads.config import PublicationSettings, Settings
from mustreads.models import Issue, Tier
from mustreads.publish import build_site
from mustreads.publish.feeds import FEED_ENTRIES, atom_feed, rss_feed, sitemap
from mustreads.store import Store
from tests.publish.test_render import (
    SITE,
    assert_free,
    assert_nothing_executable,
    hostile_issue,
)

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def published(count: int) -> list[Issue]:
    """``count`` published issues, newest first (as the store lists them)."""
    issues = [hostile_issue(n, date(2025, 1, 3) + timedelta(weeks=n)) for n in range(1, count + 1)]
    return issues[::-1]


@pytest.fixture
def renderer() -> Renderer:
    return Renderer(Settings(publication=PublicationSettings(url=SITE, name="Must <Reads> & Co")))


@pytest.mark.parametrize(("render", "version"), [(rss_feed, "rss20"), (atom_feed, "atom10")])
def test_feeds_parse_back_with_the_free_part_of_each_issue(
    renderer: Renderer, render: object, version: str
) -> None:
    issues = published(3)
    data = render(renderer, issues).encode()  # type: ignore[operator]
    assert_free(data.decode())
    feed = feedparser.parse(data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == version
    assert feed.feed.title == "Must <Reads> & Co"
    assert feed.feed.link == SITE
    assert [e.link for e in feed.entries] == [SITE + f"issues/{n}/" for n in (3, 2, 1)]
    assert [e.title for e in feed.entries] == [i.title for i in issues]
    newest = feed.entries[0]
    assert newest.published_parsed[:4] == (2025, 1, 24, 9)
    html = newest.content[0].value if version == "atom10" else newest.description
    assert_free(html)
    assert_nothing_executable(html, fragment=True)
    shown = lxml.html.fragment_fromstring(html, create_parent="div").text_content()
    for item in issues[0].items:
        if item.tier is Tier.FREE:
            assert markdown_text(item.title) in shown
    assert "Keep reading with a 7-day free trial" in shown
    assert SITE + "subscribe/" in html and SITE + "issues/3/" in html
    assert SITE + "issues/2/" in html  # the previous-issue line, with an absolute link


def test_feeds_hold_the_latest_twenty(renderer: Renderer) -> None:
    issues = published(FEED_ENTRIES + 5)
    for render in (rss_feed, atom_feed):
        feed = feedparser.parse(render(renderer, issues).encode())
        assert feed.bozo == 0
        assert len(feed.entries) == FEED_ENTRIES
        assert feed.entries[0].link.endswith(f"issues/{FEED_ENTRIES + 5}/")
        assert feed.entries[-1].link.endswith("issues/6/")


def test_empty_feeds_and_control_characters(renderer: Renderer) -> None:
    for render in (rss_feed, atom_feed):
        assert feedparser.parse(render(renderer, []).encode()).bozo == 0
    issues = published(1)
    issues[0].title = "Bell \x07 and \x1b escape"
    issues[0].items[0].summary = "Null \x00 byte"
    for render in (rss_feed, atom_feed):
        feed = feedparser.parse(render(renderer, issues).encode())
        assert feed.bozo == 0 and feed.entries[0].title == "Bell  and  escape"


def test_sitemap_lists_every_public_page(renderer: Renderer) -> None:
    issues = published(3)
    text = sitemap(renderer, issues)
    assert_free(text)
    root = SafeET.fromstring(text.encode())
    assert root.tag == f"{SITEMAP_NS}urlset"
    locs = [url.findtext(f"{SITEMAP_NS}loc") for url in root]
    assert locs == [SITE, SITE + "archive/", SITE + "about/"] + [
        SITE + f"issues/{n}/" for n in (3, 2, 1)
    ]
    lastmods = [url.findtext(f"{SITEMAP_NS}lastmod") for url in root]
    assert lastmods[-1] == "2025-01-10T09:00:00Z"


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


def test_built_feeds_and_sitemap(store: Store, tmp_path: Path) -> None:
    settings = Settings(publication=PublicationSettings(url=SITE))
    for n in (1, 2):
        draft = hostile_issue(None, date(2025, 1, 3) + timedelta(weeks=n))
        store.save_issue(draft)
        store.publish_issue(draft, slug=str(n), published_at=datetime(2025, 1, n, tzinfo=UTC))
    build_site(store, settings, tmp_path)
    out = tmp_path / "site"
    for name, version in (("feed.xml", "rss20"), ("atom.xml", "atom10")):
        data = (out / name).read_bytes()
        assert_free(data.decode())
        feed = feedparser.parse(data)
        assert feed.bozo == 0 and feed.version == version
        assert [e.link for e in feed.entries] == [SITE + "issues/2/", SITE + "issues/1/"]
    root = SafeET.fromstring((out / "sitemap.xml").read_bytes())
    assert len(root) == 3 + 2
