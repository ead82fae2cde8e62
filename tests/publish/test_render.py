"""Rendering one issue: web page, email (HTML and text), Markdown and JSON.

The issues here carry hostile text from outside (scripts, event handlers,
``javascript:`` links) and paid items with marked titles, URLs and summaries, so
that each test can check both invariants: nothing executable gets through, and
nothing paid reaches a free render. ``hostile_issue`` is shared with the site
and feed tests.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mustreads.compose.render import (
    Renderer,
    http_url,
    markdown_html,
    markdown_safe,
    markdown_text,
)
from mustreads.config import PublicationSettings, Settings
from mustreads.errors import UserError
from mustreads.ingest.sanitize import sanitize_html
from mustreads.models import Issue, IssueItem, IssueStatus, Section, SourceRef, Tier

SITE = "https://news.example/"
PAID_MARK = "PAID-SECRET"
PAID_HOST = "paid.example"
COPY_SCRIPT_MARK = "data-copy-url"


def paid_texts(issue: Issue) -> list[str]:
    return [
        text
        for item in issue.items
        if item.tier is Tier.PAID
        for text in (item.title, item.url, item.summary)
    ]


def hostile_issue(number: int | None = 1, week: date = date(2025, 1, 31)) -> Issue:
    """A published-looking issue: free items with hostile text, paid items marked."""
    n = number or 0
    items = [
        IssueItem(
            Section.EVENTS,
            f"Event {n} <script>alert('t')</script> ships",
            f"https://wire.example/event-{n}",
            "The *model* ships; [details](https://wire.example/d)"
            " and [click](javascript:alert(1)).",
            sources=[
                SourceRef("Wire <b onmouseover=alert(1)>", "https://wire.example/s"),
                SourceRef("Evil", "javascript:alert(2)"),
                SourceRef("Blog", "https://blog.example/s"),
            ],
        ),
        IssueItem(
            Section.EVENTS,
            f"Quiet event {n}",
            "javascript:alert(3)",
            "A summary with an <img src=x onerror=alert(4)> image tag.",
        ),
        IssueItem(
            Section.RESOURCES,
            f"Guide {n} to **caches** [inner](https://inner.example/)",
            f"https://guide.example/{n}",
            "Why `decode` is memory-bound <iframe src=https://evil.example/></iframe>.",
            author="Ada <script>x()</script> Lindqvist",
        ),
        IssueItem(
            Section.RESOURCES,
            f"{PAID_MARK}-TITLE-{n}",
            f"https://{PAID_HOST}/secret-{n}",
            f"{PAID_MARK}-SUMMARY-{n} with a [link](https://{PAID_HOST}/in-summary-{n}).",
            tier=Tier.PAID,
            author=f"{PAID_MARK}-AUTHOR",
        ),
        IssueItem(
            Section.EVENTS,
            f"{PAID_MARK}-EVENT-{n}",
            f"https://{PAID_HOST}/event-{n}",
            f"{PAID_MARK}-EVENT-SUMMARY-{n}",
            tier=Tier.PAID,
            sources=[SourceRef(f"{PAID_MARK}-SOURCE", f"https://{PAID_HOST}/source-{n}")],
        ),
    ]
    published = datetime.combine(week, datetime.min.time(), UTC) + timedelta(hours=9)
    return Issue(
        week=week,
        title=f"Issue {n} title, <b>bold</b> & more",
        subtitle=f"An AI engineer's must-reads for {week:%-m-%-d-%y}",
        intro="Welcome. Start with the [learning roadmap](https://example.org/roadmap).",
        status=IssueStatus.PUBLISHED if number else IssueStatus.DRAFT,
        number=number,
        slug=str(number) if number else None,
        published_at=published if number else None,
        items=items,
    )


def assert_free(text: str) -> None:
    assert PAID_MARK not in text and PAID_HOST not in text


def assert_nothing_executable(html: str, *, fragment: bool = False) -> None:
    """No handler attribute, no script but ours, only http(s), mailto or relative links."""
    if fragment:
        doc = lxml.html.fragment_fromstring(html, create_parent="div")
    else:
        doc = lxml.html.document_fromstring(html)
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue  # a comment
        assert element.tag not in ("iframe", "img", "object", "embed", "form"), element.tag
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            if name in ("href", "src", "action", "formaction"):
                assert urlsplit(value).scheme in ("", "http", "https", "mailto"), value
    for script in doc.iter("script"):
        kind = script.get("type")
        assert kind == "application/ld+json" or COPY_SCRIPT_MARK in (script.text or ""), kind


@pytest.fixture
def settings() -> Settings:
    return Settings(publication=PublicationSettings(url=SITE))


@pytest.fixture
def renderer(settings: Settings) -> Renderer:
    return Renderer(settings)


# -- the web page --------------------------------------------------------------


def test_free_page_has_the_reference_layout(renderer: Renderer) -> None:
    issue = hostile_issue(2)
    previous = hostile_issue(1, date(2025, 1, 24))
    html = renderer.issue_html(issue, paid=False, previous=previous)
    doc = lxml.html.document_fromstring(html)
    assert html.startswith("<!doctype html>") and doc.get("lang") == "en"
    assert doc.findtext(".//h1") == "Issue 2 title, <b>bold</b> & more"
    assert doc.find_class("subtitle")[0].text_content() == issue.subtitle
    assert "learning roadmap" in doc.find_class("intro")[0].text_content()
    previous_line = doc.find_class("previous")[0]
    assert previous_line.text_content().startswith(
        "If you missed last week's must-reads, check them out here:"
    )
    assert previous_line.find(".//a").get("href") == "../../issues/1/"
    assert [h.text_content() for h in doc.iter("h2")] == [
        "Events you should know",
        "Resources you should read",
    ]
    event = doc.find_class("events")[0].find(".//li")
    sources = event.find_class("sources")[0]
    assert sources.text_content() == "(sources: Wire <b onmouseover=alert(1)>, Evil, Blog)"
    # the source with a javascript: address is named but not linked
    assert [a.get("href") for a in sources.iter("a")] == [
        "https://wire.example/s",
        "https://blog.example/s",
    ]
    assert "<em>model</em>" in html and '<a href="https://wire.example/d"' in html
    resource = doc.find_class("resource")[0]
    title = resource.find(".//h3/a")
    assert title.get("href") == "https://guide.example/2"
    assert title.text_content() == "Guide 2 to caches inner"  # emphasis kept, no nested link
    assert (
        resource.find_class("byline")[0].text_content() == "By Ada <script>x()</script> Lindqvist"
    )
    assert resource.find(".//p[@class='source']/a").text_content() == "Source"
    paywall = doc.find_class("paywall")[0]
    assert "Keep reading with a 7-day free trial" in paywall.text_content()
    assert paywall.find(".//a").get("href") == SITE + "subscribe/"


def test_free_page_holds_nothing_paid_and_nothing_executable(renderer: Renderer) -> None:
    issue = hostile_issue(3)
    html = renderer.issue_html(issue, paid=False)
    assert_free(html)
    assert_nothing_executable(html)
    # an item whose own address is javascript: keeps its title, without a link
    doc = lxml.html.document_fromstring(html)
    quiet = next(li for li in doc.iter("li") if "Quiet event" in li.text_content())
    assert quiet.find(".//a") is None


def test_paid_page_shows_the_extended_list(renderer: Renderer) -> None:
    issue = hostile_issue(3)
    html = renderer.issue_html(issue, paid=True)
    for text in (f"{PAID_MARK}-TITLE-3", f"https://{PAID_HOST}/secret-3", f"{PAID_MARK}-EVENT-3"):
        assert text in html
    assert "The extended reading list" in html and "paywall" not in html
    assert_nothing_executable(html)


def test_meta_tags_describe_the_issue_without_paid_text(renderer: Renderer) -> None:
    issue = hostile_issue(4)
    issue.subtitle = ""  # the description falls back to the first free summary
    doc = lxml.html.document_fromstring(renderer.issue_html(issue, paid=True))
    meta = {(m.get("property") or m.get("name")): m.get("content") for m in doc.iter("meta")}
    url = SITE + "issues/4/"
    assert meta["viewport"] == "width=device-width, initial-scale=1"
    assert meta["og:type"] == "article" and meta["og:url"] == url
    assert meta["og:title"] == meta["twitter:title"] == "Issue 4 title, <b>bold</b> & more"
    assert meta["og:description"] == meta["description"] == meta["twitter:description"]
    assert meta["description"] == "The model ships; details and [click](javascript:alert(1))."
    assert doc.find(".//link[@rel='canonical']").get("href") == url
    alternates = {a.get("type"): a.get("href") for a in doc.findall(".//link[@rel='alternate']")}
    assert alternates == {
        "application/rss+xml": SITE + "feed.xml",
        "application/atom+xml": SITE + "atom.xml",
    }
    ld = json.loads(doc.find(".//script[@type='application/ld+json']").text)
    assert ld["url"] == url and ld["datePublished"] == "2025-01-31T09:00:00Z"
    assert_free(json.dumps(ld))


def test_share_links_degrade_without_script(renderer: Renderer) -> None:
    doc = lxml.html.document_fromstring(renderer.issue_html(hostile_issue(5), paid=False))
    share = doc.find_class("share")[0]
    mailto = share.find(".//a").get("href")
    assert mailto.startswith("mailto:?subject=Issue%205") and "issues/5/" in mailto
    button = share.find(".//button")
    assert button.get("hidden") is not None  # shown by the script only where it works
    assert button.get("data-copy-url") == SITE + "issues/5/"


def test_neighbour_links(renderer: Renderer) -> None:
    first, second, third = (
        hostile_issue(n, date(2025, 1, 3) + timedelta(7 * n)) for n in (1, 2, 3)
    )
    doc = lxml.html.document_fromstring(
        renderer.issue_html(second, paid=False, previous=first, next_issue=third)
    )
    nav = doc.find_class("issue-nav")[0]
    assert [(a.get("rel"), a.get("href")) for a in nav.iter("a")] == [
        ("prev", "../../issues/1/"),
        ("next", "../../issues/3/"),
    ]


# -- email ---------------------------------------------------------------------


def test_email_html_has_inlined_styles_and_a_dark_mode(renderer: Renderer) -> None:
    issue = hostile_issue(6)
    html = renderer.email_html(issue, paid=False)
    assert_free(html)
    assert_nothing_executable(html)
    doc = lxml.html.document_fromstring(html)
    styles = [s.text or "" for s in doc.iter("style")]
    assert len(styles) == 1 and styles[0].strip().startswith("@media (prefers-color-scheme: dark)")
    assert styles[0].count("{") == styles[0].count("}") and "!important" in styles[0]
    for element in [doc.find("body"), *doc.iter("table", "h1", "h2", "p", "a")]:
        assert "style" in element.attrib, lxml.html.tostring(element)[:80]
    card = doc.find_class("card")[0]
    assert "max-width: 600px" in card.get("style") and card.get("role") == "presentation"
    metas = {m.get("name"): m.get("content") for m in doc.iter("meta")}
    assert metas["color-scheme"] == "light dark"
    preheader = doc.find_class("preheader")[0]
    assert preheader.text_content() == issue.subtitle and "display: none" in preheader.get("style")
    assert doc.find_class("paywall")
    assert doc.find(".//a").get("href") == SITE + "issues/6/"  # view in the browser


def test_paid_email_has_every_item(renderer: Renderer) -> None:
    issue = hostile_issue(7)
    html = renderer.email_html(issue, paid=True, unsubscribe_url="https://news.example/u/tok")
    shown = lxml.html.document_fromstring(html).text_content()
    for text in paid_texts(issue):
        assert markdown_text(text) in shown or text in html
    assert f"https://{PAID_HOST}/secret-7" in html and "https://news.example/u/tok" in html
    assert "Keep reading with a 7-day free trial" not in html


def test_email_text_has_every_free_item_and_no_paid_one(renderer: Renderer) -> None:
    issue = hostile_issue(8)
    text = renderer.email_text(issue, paid=False)
    assert_free(text)
    for item in issue.items:
        if item.tier is Tier.FREE:
            assert markdown_text(item.title) in text
            if http_url(item.url):
                assert item.url in text
    assert "Keep reading with a 7-day free trial" in text and SITE + "subscribe/" in text
    assert "details <https://wire.example/d>" in text  # links in summaries keep their address
    paid = renderer.email_text(issue, paid=True)
    assert f"{PAID_MARK}-TITLE-8" in paid and f"https://{PAID_HOST}/secret-8" in paid


# -- Markdown and JSON -----------------------------------------------------------


def test_issue_markdown_is_safe_markdown(renderer: Renderer) -> None:
    issue = hostile_issue(9)
    free = renderer.issue_markdown(issue, paid=False)
    assert_free(free)
    assert free.startswith("# Issue 9 title, \\<b\\>bold\\</b\\> \\& more\n")
    assert "## Events you should know" in free and "## Resources you should read" in free
    assert "[Guide 9 to **caches** inner](<https://guide.example/9>)" in free
    assert "By Ada \\<script\\>x()\\</script\\> Lindqvist" in free
    assert "(javascript:" not in free.replace("\\[click\\](javascript:alert(1))", "")
    rendered = markdown_html(free, block=True)
    assert "<script" not in rendered and "<img" not in rendered
    paid = renderer.issue_markdown(issue, paid=True)
    assert f"### [{PAID_MARK}-TITLE-9](<https://{PAID_HOST}/secret-9>)" in paid


def test_issue_json_of_a_free_reader_has_no_paid_item(renderer: Renderer) -> None:
    issue = hostile_issue(10)
    free = renderer.issue_json(issue, paid=False)
    assert_free(json.dumps(free))
    assert [s["name"] for s in free["sections"]] == ["events", "resources"]
    paid = renderer.issue_json(issue, paid=True)
    assert sum(len(s["items"]) for s in paid["sections"]) == len(issue.items)


def test_a_draft_renders_without_an_address(renderer: Renderer) -> None:
    draft = hostile_issue(None)
    assert "## Events you should know" in renderer.issue_markdown(draft, paid=True)
    html = renderer.issue_html(draft, paid=False)
    assert "Issue #" not in html and "issues/None" not in html


# -- templates -----------------------------------------------------------------


def test_templates_in_the_publication_folder_come_first(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "issue.html").write_text(
        '{% extends "base.html" %}{% block main %}<p id="custom">Custom: '
        "{{ issue.title|md_label }} ({{ issue.hidden }} hidden)</p>{% endblock %}"
    )
    html = Renderer(settings, tmp_path).issue_html(hostile_issue(11), paid=False)
    assert '<p id="custom">Custom: Issue 11 title, &lt;b&gt;bold&lt;/b&gt; &amp; more' in html
    assert "(2 hidden)" in html and "<!doctype html>" in html  # base.html still the built-in one
    assert_free(html)
    # the other templates are the built-in ones
    assert "RESOURCES YOU SHOULD READ" in Renderer(settings, tmp_path).email_text(
        hostile_issue(11), paid=False
    )


def test_a_broken_template_is_a_user_error(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "email.txt").write_text("{% if %}")
    with pytest.raises(UserError, match=r"template email\.txt"):
        Renderer(settings, tmp_path).email_text(hostile_issue(12), paid=False)
    (tmp_path / "templates" / "email.txt").write_text("{{ no_such_thing.x }}")
    with pytest.raises(UserError, match="no_such_thing"):
        Renderer(settings, tmp_path).email_text(hostile_issue(12), paid=False)


def test_fingerprint_follows_templates_and_settings(settings: Settings, tmp_path: Path) -> None:
    before = Renderer(settings, tmp_path).fingerprint
    assert Renderer(settings, tmp_path).fingerprint == before
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "about.html").write_text("{% extends 'base.html' %}")
    assert Renderer(settings, tmp_path).fingerprint != before
    other = Settings(publication=PublicationSettings(url=SITE, name="Other"))
    assert Renderer(other).fingerprint != Renderer(settings).fingerprint


# -- Markdown from outside ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/x?y=1", "https://a.example/x?y=1"),
        ("  HTTP://a.example  ", "HTTP://a.example"),
        ("javascript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("data:text/html,x", None),
        ("//a.example/x", None),
        ("/relative", None),
        ("https://", None),
        ('https://a.example/"onmouseover=x', None),
        ("https://a.example/a b", None),
        ("mailto:a@b.example", None),
        (None, None),
    ],
)
def test_http_url(url: str | None, expected: str | None) -> None:
    assert http_url(url) == expected


def test_markdown_links_are_http_only_and_sanitized() -> None:
    html = markdown_html("[a](https://a.example) [b](javascript:x) [c](/rel) <https://d.example>")
    assert html.count("<a ") == 2 and 'rel="nofollow noopener"' in html
    assert (
        markdown_html("![img](https://i.example/p.png)")
        == '!<a href="https://i.example/p.png" rel="nofollow noopener">img</a>'
    )
    assert markdown_html("[t](https://t.example)", links=False) == "t"
    assert markdown_text("*a* [b](https://b.example) `c`") == "a b c"
    assert markdown_text("[b](https://b.example)", links=True) == "b <https://b.example>"
    assert markdown_safe("a <b> [c](https://c.example/(x)) *d*") == (
        "a \\<b\\> [c](<https://c.example/(x)>) *d*"
    )


HOSTILE_BITS = ["<script>", "</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)",
                "[", "](", ")", "<", ">", "*", "_", "`", "!", "&", "&#x6a;", "\\", "\n", " ",
                "https://a.example/", "data:text/html,", "<a href=", '"', "'",
                "onclick="]  # fmt: skip
markdown_soup = st.lists(
    st.sampled_from(HOSTILE_BITS)
    | st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8),
    max_size=30,
).map("".join)


@given(markdown_soup)
def test_markdown_html_is_always_sanitized(text: str) -> None:
    html = str(markdown_html(text))
    assert sanitize_html(html) == html
    if html:
        assert_nothing_executable(html, fragment=True)
