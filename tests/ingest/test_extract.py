"""Article extraction on pages the project wrote, each beside its expected output.

``data/extract/NAME.html`` is the page; ``NAME.expected.json`` holds the URL it
is extracted as, the HTTP status when one matters, and the fields to check:
metadata, the status, words the reason must name, and phrases the text must
start with, contain or leave out (chrome: menus, cookie banners, comments,
related links, footers).
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mustreads.errors import BackendError, ConfigError, ExtractError
from mustreads.ingest.extract import (
    EnsembleExtractor,
    Extractor,
    ReadabilityExtractor,
    TrafilaturaExtractor,
    extract_article,
    extractors,
    get_extractor,
)
from mustreads.ingest.htmlpage import declared_encoding, decode_html
from mustreads.ingest.textblocks import Block, blocks_of
from mustreads.ingest.vote import is_boilerplate, vote
from mustreads.models import ArticleStatus

DATA = Path(__file__).parent / "data" / "extract"
PAGES = sorted(p.name.removesuffix(".html") for p in DATA.glob("*.html"))
META_FIELDS = ("title", "author", "site_name", "language", "image", "canonical_url")
NOT_ARTICLES = {"bot-check", "cloudflare-challenge", "paywall-stub", "not-found", "login-wall"}


def load(name: str) -> tuple[str | bytes, dict[str, Any]]:
    expected = json.loads((DATA / f"{name}.expected.json").read_text(encoding="utf-8"))
    page = DATA / f"{name}.html"
    html: str | bytes = page.read_bytes() if expected.get("as_bytes") else page.read_text("utf-8")
    return html, expected


def test_every_page_has_its_expectations() -> None:
    assert len(PAGES) >= 10
    for name in PAGES:
        assert (DATA / f"{name}.expected.json").exists(), name


@pytest.mark.parametrize("name", PAGES)
def test_ensemble_matches_expected(name: str) -> None:
    html, expected = load(name)
    result = EnsembleExtractor().extract(
        html, expected["url"], http_status=expected.get("http_status")
    )

    assert result.extractor == "ensemble"
    assert result.status == ArticleStatus(expected["status"]), result.reason
    for field in META_FIELDS:
        if field in expected:
            assert getattr(result, field) == expected[field], field
    if "published_at" in expected:
        assert result.published_at == datetime.fromisoformat(expected["published_at"])
        assert result.published_at.tzinfo is UTC
    for word in expected.get("reason_contains", []):
        assert result.reason is not None and word in result.reason
    if result.status is not ArticleStatus.OK:
        assert result.text is None
        return
    assert result.reason is None
    assert result.text is not None
    assert result.text.startswith(expected.get("text_starts_with", "")), result.text[:80]
    for phrase in expected.get("text_contains", []):
        assert phrase in result.text, phrase
    for phrase in expected.get("text_excludes", []):
        assert phrase not in result.text, phrase
    assert len(result.text.split("\n\n")) == expected["paragraphs"]


@pytest.mark.parametrize("name", sorted(NOT_ARTICLES))
@pytest.mark.parametrize("backend", [TrafilaturaExtractor, ReadabilityExtractor])
def test_single_backends_recognize_the_same_stand_ins(name: str, backend: type[Any]) -> None:
    html, expected = load(name)
    result = backend().extract(html, expected["url"], http_status=expected.get("http_status"))
    assert result.status == ArticleStatus(expected["status"])
    assert result.text is None


@pytest.mark.parametrize("backend", [TrafilaturaExtractor, ReadabilityExtractor])
def test_single_backends_find_the_article(backend: type[Any]) -> None:
    html, expected = load("news-jsonld")
    result = backend().extract(html, expected["url"])
    assert result.status is ArticleStatus.OK
    assert result.extractor == backend.name
    assert result.text is not None and "staged curriculum" in result.text
    assert result.author == expected["author"]


def test_ensemble_is_cleaner_than_its_parts_on_chrome() -> None:
    html, expected = load("chrome-heavy")
    chrome = expected["text_excludes"]

    def leaks(extractor: Extractor) -> int:
        text = extractor.extract(html, expected["url"]).text or ""
        return sum(phrase in text for phrase in chrome)

    assert leaks(EnsembleExtractor()) == 0
    assert leaks(EnsembleExtractor()) <= min(
        leaks(TrafilaturaExtractor()), leaks(ReadabilityExtractor())
    )


def test_http_error_status_blocks_a_normal_page() -> None:
    html, expected = load("news-jsonld")
    result = extract_article(html, expected["url"], http_status=404)
    assert result.status is ArticleStatus.BLOCKED
    assert result.text is None
    assert result.reason is not None and "404" in result.reason
    assert result.title == expected["title"]  # metadata is still reported


def test_http_402_is_a_paywall() -> None:
    html, expected = load("news-jsonld")
    result = extract_article(html, expected["url"], http_status=402)
    assert result.status is ArticleStatus.PAYWALLED
    assert result.text is None


def test_not_free_marker_with_a_teaser_is_paywalled() -> None:
    teaser = " ".join(["A short teaser sentence about the model release."] * 6)
    html = (
        "<html><head><title>Model news</title><script type='application/ld+json'>"
        '{"@type": "NewsArticle", "headline": "Model news", "isAccessibleForFree": "False"}'
        f"</script></head><body><article><h1>Model news</h1><p>{teaser}</p></article></body></html>"
    )
    result = extract_article(html, "https://example.com/a", min_words=10)
    assert result.status is ArticleStatus.PAYWALLED
    assert result.reason is not None and "not free" in result.reason


def test_short_page_is_empty_with_a_reason() -> None:
    html = "<html><body><article><p>Only a handful of words here.</p></article></body></html>"
    result = extract_article(html, "https://example.com/short")
    assert result.status is ArticleStatus.EMPTY
    assert result.text is None
    assert result.reason is not None and "fewer than 40" in result.reason
    assert extract_article(html, min_words=3).status is ArticleStatus.OK


@pytest.mark.parametrize(
    "junk",
    [
        "<<<>>>",
        "\x00\x01 not html at all",
        b"\xff\xfe\x00garbage\x00",
        "<html></html>",
        "</p></div>",
    ],
)
def test_junk_never_raises(junk: str | bytes) -> None:
    result = extract_article(junk)
    assert result.status is ArticleStatus.EMPTY
    assert result.text is None
    assert result.reason


_MARKUP = st.text(alphabet=list("<>/!-=\"' &;#\nabdhiklmnpstv1"), max_size=200)
_SHARED = EnsembleExtractor()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_MARKUP, st.text(max_size=200), st.binary(max_size=200)))
def test_any_input_gives_a_result_or_an_extract_error(data: str | bytes) -> None:
    try:
        result = _SHARED.extract(data, "https://example.com/p")
    except ExtractError:
        assert not data.strip()
        return
    assert (result.text is None) == (result.status is not ArticleStatus.OK)
    assert result.status is ArticleStatus.OK or result.reason


@pytest.mark.parametrize("empty", [b"", b"   \n", "", "  "])
def test_empty_input_is_an_extract_error(empty: str | bytes) -> None:
    with pytest.raises(ExtractError) as info:
        extract_article(empty, "https://example.com/e")
    assert info.value.url == "https://example.com/e"
    assert info.value.backend == "ensemble"


def test_registry_names_the_three_backends() -> None:
    assert {"ensemble", "trafilatura", "readability"} <= set(extractors.names())
    for name in ("ensemble", "trafilatura", "readability"):
        extractor = get_extractor(name, min_words=5)
        assert isinstance(extractor, Extractor)
        assert extractor.name == name


def test_unknown_backend_and_bad_options_are_user_errors() -> None:
    with pytest.raises(BackendError):
        get_extractor("newspaper")
    with pytest.raises(ConfigError, match="min_words"):
        get_extractor("ensemble", min_words=-1)
    with pytest.raises(ConfigError):
        get_extractor("ensemble", favor="precision")  # only the trafilatura backend has it
    with pytest.raises(ConfigError, match="favor"):
        TrafilaturaExtractor(favor="sloppy")  # type: ignore[arg-type]


def test_extractor_is_safe_to_share_between_threads() -> None:
    html, expected = load("news-jsonld")
    extractor = EnsembleExtractor()
    alone = extractor.extract(html, expected["url"]).text
    results: list[str | None] = []

    def run() -> None:
        results.append(extractor.extract(html, expected["url"]).text)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [alone] * 4


# --- decoding -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (b'<meta charset="windows-1251"><p>x</p>', "cp1251"),
        (b"<meta http-equiv='Content-Type' content='text/html; charset=Shift_JIS'>", "shift_jis"),
        (b'<meta charset="iso-8859-1">', "cp1252"),  # what browsers do with that label
        (b"\xef\xbb\xbf<p>bom</p>", "utf-8"),
        (b'<meta charset="no-such-charset">', None),
        (b"<p>nothing declared</p>", None),
    ],
)
def test_declared_encoding(data: bytes, encoding: str | None) -> None:
    assert declared_encoding(data) == encoding


def test_decode_falls_back_to_utf8_with_replacement() -> None:
    assert decode_html("<p>café</p>".encode()) == "<p>café</p>"
    assert decode_html(b"<p>caf\xe9</p>") == "<p>caf\ufffd</p>"
    assert decode_html(b'<meta charset="cp1251"><p>\xcf\xf0\xe8\xe2\xe5\xf2</p>').endswith(
        "<p>Привет</p>"
    )


# --- blocks and votes ----------------------------------------------------------------


def _blocks(*texts: str, links: int = 0) -> list[Block]:
    return [Block(t, "p", links, t.split()) for t in texts]


STORY = [
    "The first paragraph of the story explains what happened and why it matters today.",
    "The second paragraph adds numbers from the company and a quote from an engineer.",
    "The third paragraph closes with what comes next for the project and its users.",
]


def test_vote_keeps_what_both_agree_on_and_drops_one_sided_edges() -> None:
    primary = _blocks("Home News Sport", *STORY, "Sign up for our newsletter today")
    secondary = _blocks("A photo caption nobody else saw", *STORY)
    ballot = vote(primary, secondary, titles=[])
    assert [b.text for b in ballot.blocks] == STORY
    assert ballot.chosen == "vote"
    assert ballot.agreement > 0.8


def test_vote_keeps_a_one_sided_paragraph_inside_the_agreed_stretch() -> None:
    embedded = "An embedded post quoted in the middle of the story, which only one extractor kept."
    primary = _blocks(STORY[0], embedded, STORY[1], STORY[2])
    ballot = vote(primary, _blocks(*STORY), titles=[])
    assert embedded in [b.text for b in ballot.blocks]
    linky = _blocks(STORY[0], "Read our other story about models", STORY[1], STORY[2])
    linky[1].link_words = linky[1].word_count
    assert len(vote(linky, _blocks(*STORY), titles=[]).blocks) == 3


def test_vote_takes_subheadings_and_lists_only_the_secondary_kept() -> None:
    heading = Block("Step two: measure", "heading", 0, ["Step", "two", "measure"])
    items = [Block(t, "item", 0, t.split()) for t in ("Rerank more candidates", "Use passages")]
    caption = _blocks("A photo caption that only readability returned, between paragraphs.")
    secondary = [
        *_blocks(STORY[0]),
        heading,
        *_blocks(STORY[1]),
        *items,
        *caption,
        *_blocks(STORY[2]),
    ]
    texts = [b.text for b in vote(_blocks(*STORY), secondary, titles=[]).blocks]
    assert texts == [STORY[0], heading.text, STORY[1], *STORY[2:]]  # a run with a caption stays out
    only_structure = [*_blocks(STORY[0]), heading, *_blocks(STORY[1]), *items, *_blocks(STORY[2])]
    texts = [b.text for b in vote(_blocks(*STORY), only_structure, titles=[]).blocks]
    assert texts == [STORY[0], heading.text, STORY[1], *(i.text for i in items), STORY[2]]


def test_vote_drops_the_repeated_headline() -> None:
    title = "Kestrel ships a long context model"
    primary = [Block(title, "heading", 0, title.split()), *_blocks(*STORY)]
    ballot = vote(primary, primary, titles=[title.split()])
    assert [b.text for b in ballot.blocks] == STORY


def test_vote_falls_back_to_one_extractor_when_they_disagree() -> None:
    other = _blocks(
        *(f"Comment number {n} says something quite unrelated to the story." for n in range(3))
    )
    ballot = vote(_blocks(*STORY), other, titles=[])
    assert ballot.chosen == "primary"
    assert [b.text for b in ballot.blocks] == STORY
    assert vote([], _blocks(*STORY), titles=[]).chosen == "secondary"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Related: Five ways to shrink an index", True),
        ("Sign up for our daily newsletter", True),
        ("By Jane Doe and John Roe · January 27, 2025", True),
        ("By the end of the year the model will be open to everyone.", False),
        ("Subscribers asked the company to publish the weights, and it did so on Monday.", False),
    ],
)
def test_boilerplate_lines(text: str, expected: bool) -> None:
    assert is_boilerplate(Block(text, "p", 0, text.split())) is expected


def test_blocks_of_html_and_trafilatura_xml() -> None:
    from lxml import etree, html

    tree = html.fromstring(
        "<div><h2>Head</h2><p>One <a href='x'>two three</a> four</p>"
        "<ul><li>item a</li><li>item b</li></ul><table><tr><td>x</td><td>y</td></tr></table></div>"
    )
    blocks = blocks_of(tree)
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "Head"),
        ("p", "One two three four"),
        ("item", "item a"),
        ("item", "item b"),
        ("row", "x | y"),
    ]
    assert blocks[1].link_density == 0.5
    xml = etree.fromstring(
        "<body><p>Line<lb/>break <ref>link</ref></p><list><item>i</item></list></body>"
    )
    assert [(b.kind, b.text, b.link_words) for b in blocks_of(xml)] == [
        ("p", "Line\nbreak link", 1),
        ("item", "i", 0),
    ]
