"""The fetch stage end to end, against the demo web and misbehaving feed servers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from mustreads.config import Settings
from mustreads.demo import catalog
from mustreads.demo.server import DemoWeb
from mustreads.ingest.collect import Collector
from mustreads.models import ArticleStatus, LinkStatus, Source, SourceStatus, utcnow
from mustreads.store import Store
from tests.ingest.httpservers import RequestHandler, serve

FEEDS = Path(__file__).parent / "data" / "feeds"


def local_settings() -> Settings:
    return Settings.model_validate(
        {
            "fetch": {
                "allow_private_networks": True,
                "per_host_delay": 0,
                "per_host_concurrency": 8,
                "retries": 0,
            }
        }
    )


@pytest.fixture(scope="module")
def demo_web() -> Iterator[DemoWeb]:
    with DemoWeb() as web:
        yield web


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


@pytest.fixture
def collected(store: Store, demo_web: DemoWeb) -> Store:
    for url in demo_web.feed_urls():
        store.add_source(Source(url=url))
    report = Collector(store, local_settings()).run()
    assert report.feeds_failed == 0
    return store


def test_demo_web_is_collected_into_clean_articles(collected: Store, demo_web: DemoWeb) -> None:
    articles = {a.url: a for a in collected.list_articles()}
    truth = [p for p in catalog() if p.special is None]
    for page in truth:
        article = articles[page.url(demo_web.base_url)]
        assert article.status is ArticleStatus.OK, page.id
        assert article.text is not None
        assert page.paragraphs[0][:60] in article.text, page.id
        assert article.title == page.title
        assert article.author == page.author
        assert article.published_at is not None


def test_a_syndicated_copy_with_utm_parameters_is_one_link(
    collected: Store, demo_web: DemoWeb
) -> None:
    syndicated = next(p for p in catalog() if p.special == "syndicated")
    original = next(p for p in catalog() if p.id == syndicated.duplicate_of)
    links = collected.list_links()
    assert "utm_" in syndicated.url(demo_web.base_url)
    matching = [link for link in links if link.canonical_url == original.url(demo_web.base_url)]
    assert len(matching) == 1
    assert not any("utm_" in link.canonical_url for link in links)
    # Named after the site it is on, not after the feed that syndicated it.
    [article] = [a for a in collected.list_articles() if a.link_id == matching[0].id]
    assert article.site_name == original.site_name


def test_a_copy_naming_its_canonical_is_not_stored_twice(
    collected: Store, demo_web: DemoWeb
) -> None:
    copy = next(p for p in catalog() if p.special == "canonical_copy")
    links = {link.url: link for link in collected.list_links()}
    copy_link = links[copy.url(demo_web.base_url)]
    assert copy_link.duplicate_of is not None
    assert copy_link.id not in {a.link_id for a in collected.list_articles()}


def test_bot_checks_and_paywalls_are_never_stored_as_article_text(
    collected: Store, demo_web: DemoWeb
) -> None:
    by_url = {a.url: a for a in collected.list_articles()}
    botcheck = next(p for p in catalog() if p.special == "botcheck")
    paywall = next(p for p in catalog() if p.special == "paywall")
    assert by_url[botcheck.url(demo_web.base_url)].status is ArticleStatus.BLOCKED
    assert by_url[botcheck.url(demo_web.base_url)].text is None
    assert by_url[paywall.url(demo_web.base_url)].status is ArticleStatus.PAYWALLED
    assert by_url[paywall.url(demo_web.base_url)].text is None
    # The feed's own description survives as the fallback text.
    assert by_url[paywall.url(demo_web.base_url)].fallback_text
    for article in by_url.values():
        assert "Just a moment" not in (article.text or "")
        assert "Subscribe to continue" not in (article.text or "")


def test_a_second_run_asks_conditionally_and_changes_nothing(
    collected: Store, demo_web: DemoWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mustreads.ingest.collect as collect

    parsed: list[str] = []
    real_parse = collect.parse_feed

    def counting_parse(content: bytes, **kwargs: object) -> object:
        parsed.append(str(kwargs.get("url")))
        return real_parse(content, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(collect, "parse_feed", counting_parse)
    before = collected.counts()
    demo_web.reset_requests()
    later = utcnow() + timedelta(days=1)
    report = Collector(collected, local_settings(), now=lambda: later).run()
    feed_paths = {r.path for r in demo_web.requests}
    assert report.feeds_polled == len(demo_web.feed_urls())
    assert report.feeds_not_modified == report.feeds_polled
    assert report.new_links == 0
    assert report.pages_fetched == 0  # nothing pending: every link was done
    assert all(r.status == 304 for r in demo_web.requests), feed_paths
    assert all("if-none-match" in {k.lower() for k in r.headers} for r in demo_web.requests)
    assert collected.counts() == before
    assert parsed == []  # a 304 costs no parse


def test_broken_feeds_are_recorded_while_their_neighbours_succeed(store: Store) -> None:
    bodies = {
        "/good.xml": (FEEDS / "rss20-full.xml").read_bytes(),
        "/malformed.xml": (FEEDS / "malformed.xml").read_bytes(),
        "/empty.xml": (FEEDS / "zero-entries.xml").read_bytes(),
        "/laughs.xml": (FEEDS / "billion-laughs.xml").read_bytes(),
        "/page.xml": (FEEDS / "html-page.html").read_bytes(),
    }
    with serve() as server:
        for path, body in bodies.items():
            server.route(path)(
                lambda h, body=body: h.reply(200, body, {"Content-Type": "application/xml"})
            )

        @server.route("/down.xml")
        def down(handler: RequestHandler) -> None:
            handler.reply(500, b"oops")

        for path in [*bodies, "/down.xml", "/missing.xml"]:
            store.add_source(Source(url=server.url(path)))
        now = utcnow()
        report = Collector(store, local_settings(), now=lambda: now).run(links=False)

    by_path = {s.url.rsplit("/", 1)[1]: s for s in store.list_sources()}
    assert report.feeds_failed == 6
    assert by_path["good.xml"].status is SourceStatus.OK
    assert by_path["good.xml"].entries_seen > 0
    assert len(store.list_links(LinkStatus.PENDING)) == by_path["good.xml"].entries_seen
    expected = {
        "malformed.xml": (SourceStatus.UNHEALTHY, "malformed"),
        "empty.xml": (SourceStatus.UNHEALTHY, "no entries"),
        "laughs.xml": (SourceStatus.UNHEALTHY, "entities"),
        "page.xml": (SourceStatus.UNHEALTHY, "HTML"),
        "down.xml": (SourceStatus.ERROR, "500"),
        "missing.xml": (SourceStatus.ERROR, "404"),
    }
    for name, (status, words) in expected.items():
        source = by_path[name]
        assert source.status is status, name
        assert source.last_error is not None and words in source.last_error, (
            name,
            source.last_error,
        )
        assert source.error_count == 1
        assert source.next_fetch_at is not None and source.next_fetch_at > now
        assert source.etag is None
