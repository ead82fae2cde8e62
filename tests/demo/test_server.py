"""The demo web over HTTP: feeds, pages, specials, conditional requests, gzip, request log."""

from __future__ import annotations

import gzip
import http.client
import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import feedparser
import lxml.html
import pytest

from mustreads.demo import DemoArticle, DemoWeb

ANCHOR = date(2025, 3, 14)
FEEDPARSER_VERSIONS = {"rss20": "rss20", "atom10": "atom10", "rss10": "rss10"}


@pytest.fixture(scope="module")
def web() -> Iterator[DemoWeb]:
    with DemoWeb(anchor=ANCHOR) as server:
        yield server


def get(
    web: DemoWeb, target: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection; the body is returned as sent (not decompressed)."""
    parts = urlsplit(target if "://" in target else web.url(target))
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPConnection(parts.netloc, timeout=5)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


def words(html: bytes) -> str:
    text = lxml.html.fromstring(html).text_content()
    return " ".join(text.split())


def test_root_lists_every_site(web: DemoWeb) -> None:
    status, headers, body = get(web, "/")
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    for site in {article.site for article in web.catalog}:
        assert f'href="/{site}/"'.encode() in body


def test_xml_feeds_parse_cleanly_and_list_the_catalog(web: DemoWeb) -> None:
    catalog = web.catalog
    formats = {feed.format for feed in web.feeds()}
    assert formats == {"rss20", "atom10", "rss10", "json11"}
    for feed in web.feeds():
        if feed.format == "json11":
            continue
        status, _, body = get(web, feed.url)
        assert status == 200
        parsed = feedparser.parse(body)
        assert not parsed.bozo, (feed.url, parsed.get("bozo_exception"))
        assert parsed.version == FEEDPARSER_VERSIONS[feed.format]
        expected = {a.url(web.base_url) for a in catalog if a.feed_site == feed.site}
        assert {entry.link for entry in parsed.entries} == expected
        for entry in parsed.entries:
            assert entry.get("id") and entry.get("summary") is not None
            assert entry.get("published_parsed") or entry.get("updated_parsed")


def test_json_feed_follows_version_1_1(web: DemoWeb) -> None:
    (feed,) = [feed for feed in web.feeds() if feed.format == "json11"]
    status, headers, body = get(web, feed.url)
    assert status == 200
    assert headers["content-type"].startswith("application/feed+json")
    document = json.loads(body)
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["feed_url"] == feed.url
    expected = {a.url(web.base_url) for a in web.catalog if a.feed_site == feed.site}
    assert {item["url"] for item in document["items"]} == expected
    for item in document["items"]:
        assert item["id"] and item["title"] and item["content_html"]
        assert datetime.fromisoformat(item["date_published"]).tzinfo is not None


def test_feeds_carry_hostile_html_for_the_sanitizer_to_remove(web: DemoWeb) -> None:
    bodies = b"".join(get(web, url)[2] for url in web.feed_urls())
    assert b"&lt;script" in bodies  # escaped inside XML, as real feeds do
    assert b"onclick=" in bodies
    assert b"onerror=" in bodies


def test_every_catalog_page_answers_with_its_status(web: DemoWeb) -> None:
    for article in web.catalog:
        status, _, _ = get(web, article.url(web.base_url))
        assert status == article.status, article.id
        if article.image_path:
            image_status, image_headers, image = get(web, article.image_path)
            assert image_status == 200 and image.startswith(b"\x89PNG")
            assert image_headers["content-type"] == "image/png"


def readable(web: DemoWeb) -> list[DemoArticle]:
    return [a for a in web.catalog if a.special not in ("botcheck", "dead", "syndicated")]


def test_pages_carry_title_and_every_paragraph_of_the_body(web: DemoWeb) -> None:
    for article in readable(web):
        _, _, body = get(web, article.path)
        text = words(body)
        assert " ".join(article.title.split()) in text, article.id
        for paragraph in article.paragraphs:
            assert " ".join(paragraph.split()) in text, (article.id, paragraph[:40])


def test_special_pages(web: DemoWeb) -> None:
    by_special = {a.special: a for a in web.catalog if a.special}
    status, _, body = get(web, by_special["botcheck"].path)
    assert status == 503
    assert b"<title>Just a moment...</title>" in body
    assert by_special["botcheck"].title.encode() not in body
    status, _, body = get(web, by_special["dead"].path)
    assert status == 404
    status, _, body = get(web, by_special["paywall"].path)
    assert status == 200 and b"Subscribe to continue reading" in body
    status, _, body = get(web, by_special["syndicated"].url(web.base_url))
    assert status == 200
    original = next(a for a in web.catalog if a.id == by_special["syndicated"].duplicate_of)
    assert body == get(web, original.path)[2]


def test_canonical_links(web: DemoWeb) -> None:
    copy = next(a for a in web.catalog if a.special == "canonical_copy")
    original = next(a for a in web.catalog if a.id == copy.duplicate_of)
    _, _, body = get(web, copy.path)
    canonical = lxml.html.fromstring(body).xpath("//link[@rel='canonical']/@href")
    assert canonical == [original.url(web.base_url)]
    _, _, body = get(web, original.path)
    assert not lxml.html.fromstring(body).xpath("//link[@rel='canonical']")


def test_sites_differ_in_metadata(web: DemoWeb) -> None:
    def page(site: str) -> lxml.html.HtmlElement:
        article = next(a for a in readable(web) if a.site == site and a.author)
        return lxml.html.fromstring(get(web, article.path)[2])

    assert page("circuitline").xpath("//script[@type='application/ld+json']")
    tensorwire = page("tensorwire")
    assert tensorwire.xpath("//meta[@property='article:published_time']")
    assert tensorwire.get("lang") is None
    assert not tensorwire.xpath("//meta[@name='author']")
    assert page("gradientnotes").xpath("//meta[@name='author']/@content")
    assert page("pulsepolicy").xpath("//meta[@name='DC.date.issued']")
    assert page("pulsepolicy").get("lang") == "en-GB"
    anonymous = next(a for a in readable(web) if a.author is None)
    assert b"DC.creator" not in get(web, anonymous.path)[2]


def test_unknown_paths_are_404(web: DemoWeb) -> None:
    assert get(web, "/circuitline/story/no-such-story")[0] == 404
    assert get(web, "/nowhere")[0] == 404
    assert get(web, "/robots.txt")[0] == 200


def test_missing_trailing_slash_redirects(web: DemoWeb) -> None:
    status, headers, _ = get(web, "/stackwise")
    assert status == 301
    assert headers["location"] == "/stackwise/"


@pytest.mark.parametrize("feed_index", range(7))
def test_conditional_requests_get_304(web: DemoWeb, feed_index: int) -> None:
    url = web.feed_urls()[feed_index]
    status, headers, _ = get(web, url)
    assert status == 200 and headers["etag"] and headers["last-modified"]
    assert get(web, url, {"If-None-Match": headers["etag"]})[0] == 304
    assert get(web, url, {"If-None-Match": '"something-else"'})[0] == 200
    assert get(web, url, {"If-Modified-Since": headers["last-modified"]})[0] == 304
    assert get(web, url, {"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"})[0] == 200
    last_modified = parsedate_to_datetime(headers["last-modified"])
    assert last_modified.date() < ANCHOR


def test_gzip_when_accepted(web: DemoWeb) -> None:
    article = readable(web)[0]
    status, headers, plain = get(web, article.path)
    assert status == 200 and "content-encoding" not in headers
    status, headers, packed = get(web, article.path, {"Accept-Encoding": "gzip, deflate"})
    assert headers["content-encoding"] == "gzip"
    assert headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(packed) == plain
    _, headers, _ = get(web, article.path, {"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in headers


def test_head_sends_headers_only(web: DemoWeb) -> None:
    status, headers, body = get(web, web.feed_urls()[0], method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


def test_requests_are_recorded_and_can_be_reset(web: DemoWeb) -> None:
    web.reset_requests()
    assert web.requests == []
    get(web, "/tensorwire/atom.xml?x=1", {"User-Agent": "demo-test/1", "If-None-Match": '"a"'})
    (request,) = web.requests
    assert (request.method, request.path) == ("GET", "/tensorwire/atom.xml?x=1")
    assert request.status == 200
    assert request.headers["user-agent"] == "demo-test/1"
    assert request.headers["if-none-match"] == '"a"'
    web.reset_requests()
    assert web.requests == []


def test_opml_is_served_and_matches(web: DemoWeb) -> None:
    status, _, body = get(web, "/feeds.opml")
    assert status == 200 and body.decode() == web.opml()
    assert all(url in body.decode() for url in web.feed_urls())


def test_server_stops_cleanly() -> None:
    demo = DemoWeb(anchor=ANCHOR)
    with pytest.raises(RuntimeError):
        _ = demo.base_url
    with demo:
        url = demo.url("/")
        assert get(demo, url)[0] == 200
    with pytest.raises(ConnectionRefusedError):
        get(demo, url)


def test_page_urls_look_like_the_sites_style(web: DemoWeb) -> None:
    paths = {a.site: a.path for a in readable(web)}
    dated = r"/gradientnotes/\d{4}/\d{2}/\d{2}/[a-z0-9-]+\.html"
    assert re.fullmatch(dated, paths["gradientnotes"])
    assert re.fullmatch(r"/tensorwire/articles/[a-z0-9-]+-\d{6}", paths["tensorwire"])
