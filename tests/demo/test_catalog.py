"""The demo web's content and labels: counts, stories, facts, dates, duplicates."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree

import pytest

from mustreads.demo import TOPICS, DemoArticle, catalog, opml, sites
from mustreads.demo.markup import inline_html, inline_text, paragraphs, parse_blocks
from mustreads.models import Kind

ANCHOR = date(2025, 3, 14)
BASE = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def articles() -> list[DemoArticle]:
    return catalog(ANCHOR)


def pages(articles: list[DemoArticle]) -> list[DemoArticle]:
    """Distinct pages: syndicated entries are extra URLs for a page already listed."""
    return [article for article in articles if article.special != "syndicated"]


def test_content_and_templates_are_package_data() -> None:
    root = resources.files("mustreads.demo")
    site_dirs = [entry.name for entry in (root / "content").iterdir() if entry.is_dir()]
    assert len(site_dirs) == 7
    assert (root / "templates" / "botcheck.html").is_file()
    assert all((root / "templates" / slug / "article.html").is_file() for slug in site_dirs)


def test_seven_sites_with_distinct_feed_formats() -> None:
    site_list = sites()
    assert len(site_list) == 7
    assert {site.feed_format for site in site_list} == {"rss20", "atom10", "rss10", "json11"}
    assert len({site.feed_path for site in site_list}) == 7


def test_page_counts_by_week(articles: list[DemoArticle]) -> None:
    distinct = pages(articles)
    assert 36 <= len(distinct) <= 42
    weeks = Counter(article.week for article in distinct)
    assert 26 <= weeks[0] <= 31
    assert 4 <= weeks[1] <= 6
    assert 4 <= weeks[2] <= 6


def test_ids_and_paths_are_unique(articles: list[DemoArticle]) -> None:
    assert len({article.id for article in articles}) == len(articles)
    assert len({article.path for article in articles}) == len(articles)


def test_every_kind_and_special_is_present(articles: list[DemoArticle]) -> None:
    kinds = Counter(article.kind for article in pages(articles))
    assert kinds[Kind.EVENT] >= 15
    assert kinds[Kind.RESOURCE] >= 10
    assert 3 <= kinds[Kind.OFFTOPIC] <= 4
    specials = Counter(article.special for article in articles if article.special)
    assert specials == {
        "botcheck": 1,
        "paywall": 1,
        "dead": 1,
        "syndicated": 1,
        "canonical_copy": 1,
    }


def test_news_stories_are_covered_by_several_sites(articles: list[DemoArticle]) -> None:
    coverage: dict[str, set[str]] = defaultdict(set)
    for article in articles:
        if article.story and article.duplicate_of is None:
            assert article.kind == Kind.EVENT
            coverage[article.story].add(article.site)
    assert all(len(outlets) >= 2 for outlets in coverage.values()), coverage
    assert max(len(outlets) for outlets in coverage.values()) == 5
    current = {a.story for a in articles if a.story and a.week == 0}
    assert 4 <= len(current) <= 5
    assert all(a.story for a in articles if a.kind == Kind.EVENT)
    assert not any(a.story for a in articles if a.kind != Kind.EVENT)


def test_labels_are_well_formed(articles: list[DemoArticle]) -> None:
    for article in articles:
        assert article.topics and set(article.topics) <= TOPICS, article.id
        assert (article.kind == Kind.OFFTOPIC) == (article.topics == ("offtopic",)), article.id
        assert article.feed_summary, article.id
        assert article.language == "en"


def test_bodies_have_realistic_length_and_contain_their_facts(
    articles: list[DemoArticle],
) -> None:
    for article in articles:
        if article.special in ("botcheck", "dead"):
            assert article.paragraphs == ()
            continue
        assert all(fact in article.text for fact in article.facts), article.id
        if article.special == "paywall":
            assert article.word_count < 200
            continue
        assert 200 <= article.word_count <= 550, (article.id, article.word_count)
        assert 2 <= len(article.facts) <= 4, article.id


def test_one_site_has_no_author_on_one_page(articles: list[DemoArticle]) -> None:
    anonymous = [article for article in pages(articles) if article.author is None]
    assert [article.site for article in anonymous] == ["pulsepolicy"]


def test_syndicated_url_differs_only_by_utm_parameters(articles: list[DemoArticle]) -> None:
    by_id = {article.id: article for article in articles}
    (syndicated,) = [a for a in articles if a.special == "syndicated"]
    original = by_id[syndicated.duplicate_of or ""]
    copy_url, original_url = urlsplit(syndicated.url(BASE)), urlsplit(original.url(BASE))
    assert copy_url._replace(query="") == original_url
    assert original_url.query == ""
    assert all(name.startswith("utm_") for name, _ in parse_qsl(copy_url.query))
    assert syndicated.feed_site != original.site
    assert syndicated.paragraphs == original.paragraphs


def test_canonical_copy_repeats_the_original_on_another_site(articles: list[DemoArticle]) -> None:
    by_id = {article.id: article for article in articles}
    (copy,) = [a for a in articles if a.special == "canonical_copy"]
    original = by_id[copy.duplicate_of or ""]
    assert copy.site != original.site
    assert (copy.title, copy.author, copy.paragraphs) == (
        original.title,
        original.author,
        original.paragraphs,
    )
    assert copy.published > original.published


def test_dates_follow_the_anchor() -> None:
    first, later = catalog(ANCHOR), catalog(ANCHOR + timedelta(days=10))
    midnight = datetime(2025, 3, 14, tzinfo=UTC)
    assert all(article.published < midnight for article in first)
    assert all(article.published >= midnight - timedelta(days=21) for article in first)
    shifted = {a.id: a.published for a in later}
    assert all(shifted[a.id] - a.published == timedelta(days=10) for a in first)
    for article in first:
        days_before = (midnight.date() - article.published.date()).days
        assert article.week == days_before // 7


def test_opml_lists_every_feed() -> None:
    document = ElementTree.fromstring(opml(BASE))
    outlines = [node for node in document.iter("outline") if node.get("xmlUrl")]
    assert len(outlines) == 7
    assert all(node.get("xmlUrl", "").startswith(BASE + "/") for node in outlines)


def test_markup_escapes_and_strips_inline_syntax() -> None:
    source = "Use `a<b` and **bold** and [a link](https://example.org/?a=1&b=2)."
    assert inline_text(source) == "Use a<b and bold and a link."
    assert inline_html(source) == (
        "Use <code>a&lt;b</code> and <strong>bold</strong> and "
        '<a href="https://example.org/?a=1&amp;b=2">a link</a>.'
    )
    blocks = parse_blocks("## Title\n\n- one\n- two\n\nA paragraph\nwrapped.\n")
    assert paragraphs(blocks) == ("Title", "one", "two", "A paragraph wrapped.")
