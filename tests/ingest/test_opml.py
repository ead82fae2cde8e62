from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls

from mustreads.errors import OPMLError, UserError
from mustreads.ingest.opml import OPMLFeed, parse_opml, write_opml
from mustreads.ingest.sanitize import clean_text

DATA = Path(__file__).parent / "data" / "opml"
EXPECTED = sorted(DATA.glob("*.expected.json"))


def _input_for(expected: Path) -> Path:
    stem = expected.name.removesuffix(".expected.json")
    (found,) = [p for p in DATA.glob(f"{stem}.*") if not p.name.endswith(".expected.json")]
    return found


def test_every_input_has_an_expected_output() -> None:
    inputs = {p.name for p in DATA.iterdir() if not p.name.endswith(".expected.json")}
    assert inputs == {_input_for(p).name for p in EXPECTED}


@pytest.mark.parametrize("expected_path", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_opml_matches_expected_output(expected_path: Path) -> None:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    data = _input_for(expected_path).read_bytes()
    if "error" in expected:
        with pytest.raises(OPMLError) as caught:
            parse_opml(data)
        assert caught.value.message == expected["error"]
        assert caught.value.exit_code == 2
        assert isinstance(caught.value, UserError)
        assert "\n" not in str(caught.value)
        return
    feeds = parse_opml(data)
    assert [f.xml_url for f in feeds] == [f["xml_url"] for f in expected["feeds"]]
    for index, (feed, wanted) in enumerate(zip(feeds, expected["feeds"], strict=True)):
        for name in ("xml_url", "title", "html_url"):
            assert getattr(feed, name) == wanted[name], f"feed {index}: {name}"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xff\xfe\x00garbage", "not well-formed XML"),
        (b"just some text", "not well-formed XML"),
        (b"<opml><body><outline xmlUrl='x'></body>", "not well-formed XML"),
        (b'<!DOCTYPE opml SYSTEM "http://e.example/opml.dtd"><opml><body/></opml>', "DTD"),
        (b"<html><body>an HTML page</body></html>", "the root element is <html>"),
    ],
)
def test_unreadable_files(data: bytes, reason: str) -> None:
    with pytest.raises(OPMLError, match=reason):
        parse_opml(data)


def test_utf16_file_reads() -> None:
    text = (
        '<?xml version="1.0" encoding="utf-16"?>'
        '<opml><body><outline xmlUrl="https://e.example/f" text="Ünï"/></body></opml>'
    )
    assert parse_opml(text.encode("utf-16")) == [OPMLFeed("https://e.example/f", "Ünï")]


def test_deep_nesting_is_flattened() -> None:
    depth = 2000
    data = (
        b"<opml><body>"
        + b'<outline text="folder">' * depth
        + b'<outline xmlUrl="https://deep.example/rss"/>'
        + b"</outline>" * depth
        + b"</body></opml>"
    )
    assert parse_opml(data) == [OPMLFeed("https://deep.example/rss")]


def test_write_opml_shape() -> None:
    out = write_opml(
        [
            OPMLFeed("https://a.example/rss?x=1&y=2", "A & B", "https://a.example/"),
            OPMLFeed("https://b.example/atom"),
        ],
        title="Our <feeds>",
    )
    assert out.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<opml version=\"2.0\">")
    assert b"<title>Our &lt;feeds&gt;</title>" in out
    assert (
        b'<outline type="rss" text="A &amp; B" title="A &amp; B" '
        b'xmlUrl="https://a.example/rss?x=1&amp;y=2" htmlUrl="https://a.example/" />'
    ) in out
    assert (
        b'<outline type="rss" text="https://b.example/atom" xmlUrl="https://b.example/atom" />'
        in out
    )


def test_write_opml_drops_characters_xml_cannot_carry() -> None:
    out = write_opml([OPMLFeed("https://a.example/", "bell\x07 and nul\x00")], title="t\x0b")
    assert parse_opml(out) == [OPMLFeed("https://a.example/", "bell and nul")]


_titles = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.sampled_from(
        ["A & B", "<script>x</script>", "\"quoted\" 'too'", "Überblick — KI ✓", "a]]>b"]
    ),
)
_feeds = st.lists(
    st.builds(OPMLFeed, xml_url=urls(), title=_titles, html_url=st.none() | urls()),
    max_size=8,
    unique_by=lambda feed: feed.xml_url,
)


@settings(max_examples=100, deadline=None)
@given(feeds=_feeds, title=st.text(max_size=30))
def test_write_then_parse_round_trips(feeds: list[OPMLFeed], title: str) -> None:
    expected = []
    for feed in feeds:
        cleaned = clean_text(feed.title or "", markup=False)
        expected.append(
            OPMLFeed(
                xml_url=feed.xml_url,
                title=cleaned if cleaned and cleaned != feed.xml_url else None,
                html_url=feed.html_url,
            )
        )
    assert parse_opml(write_opml(feeds, title)) == expected
