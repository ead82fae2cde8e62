from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mustreads.errors import ParseError
from mustreads.ingest.feeds import parse_feed
from mustreads.models import FeedEntry, ParsedFeed

DATA = Path(__file__).parent / "data" / "feeds"
EXPECTED = sorted(DATA.glob("*.expected.json"))
ENTRY_FIELDS = ("url", "guid", "title", "summary", "author", "published_at")


def _input_for(expected: Path) -> Path:
    stem = expected.name.removesuffix(".expected.json")
    (found,) = [p for p in DATA.glob(f"{stem}.*") if not p.name.endswith(".expected.json")]
    return found


def _entry_field(entry: FeedEntry, name: str) -> Any:
    value = getattr(entry, name)
    if isinstance(value, datetime):
        assert value.utcoffset() is not None and value.utcoffset().total_seconds() == 0
        return value.isoformat()
    return value


def test_every_input_has_an_expected_output() -> None:
    inputs = {p.name for p in DATA.iterdir() if not p.name.endswith(".expected.json")}
    covered = {_input_for(p).name for p in EXPECTED}
    assert inputs == covered


@pytest.mark.parametrize("expected_path", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_feed_matches_expected_output(expected_path: Path) -> None:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    content = _input_for(expected_path).read_bytes()
    url = expected["feed_url"]
    if "error" in expected:
        with pytest.raises(ParseError) as caught:
            parse_feed(content, url=url, headers=expected.get("headers"))
        assert caught.value.message == expected["error"]
        assert caught.value.url == url
        return

    parsed = parse_feed(content, url=url, headers=expected.get("headers"))
    assert parsed.format == expected["format"]
    assert parsed.title == expected["title"]
    assert parsed.site_url == expected["site_url"]
    got_urls = [entry.url for entry in parsed.entries]
    assert got_urls == [entry["url"] for entry in expected["entries"]]
    for index, (entry, wanted) in enumerate(zip(parsed.entries, expected["entries"], strict=True)):
        for name in ENTRY_FIELDS:
            assert _entry_field(entry, name) == wanted[name], f"entry {index}: {name}"


# --- the DTD guard, beyond the files ------------------------------------------------

_LAUGHS = '<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
_RSS = (
    '<rss version="2.0"><channel><title>T</title><link>https://e.example/</link>'
    "<item><title>&b;</title><link>https://e.example/1</link></item></channel></rss>"
)
_PLAIN_RSS = _RSS.replace("&b;", "x")


def _refused(content: bytes, headers: dict[str, str] | None = None) -> None:
    with pytest.raises(ParseError, match=r"feed declares XML entities \(refused\)"):
        parse_feed(content, url="https://e.example/feed", headers=headers)


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]
)
def test_entities_refused_in_any_unicode_encoding(encoding: str) -> None:
    _refused(('<?xml version="1.0"?>' + _LAUGHS + _RSS).encode(encoding))


def test_entities_refused_when_spelled_in_utf7() -> None:
    declaration = b'<?xml version="1.0" encoding="UTF-7"?>'
    _refused(declaration + (_LAUGHS + _RSS).encode("utf-7"))


def test_entities_refused_when_charset_only_in_header() -> None:
    body = (_LAUGHS + _RSS).encode("utf-7")
    _refused(body, {"Content-Type": "application/rss+xml; charset=utf-7"})


def test_entities_refused_after_a_long_prolog() -> None:
    comments = "<!-- padding <b>with markup</b> -->\n" * 5000  # past the first window
    _refused(('<?xml version="1.0"?>' + comments + _LAUGHS + _RSS).encode())


@pytest.mark.parametrize(
    "prolog",
    [
        '<!doctype rss [<!entity a "x">]>',  # any case
        "<!DOCTYPE rss\n[\n]>",  # an empty internal subset is still one
        '<!DOCTYPE rss SYSTEM "x.dtd" [<!ATTLIST rss a CDATA "b">]>',
        '<!-- <!ENTITY in a comment: refused all the same --><!DOCTYPE rss SYSTEM "x.dtd">',
        '<?pi with > inside?><!ENTITY stray "x">',
    ],
)
def test_internal_subsets_refused(prolog: str) -> None:
    _refused((prolog + _PLAIN_RSS).encode())


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE rss SYSTEM "http://e.example/[odd]/rss.dtd">',  # bracket inside quotes
        "<!DOCTYPE rss>",
        "<!-- a comment --><?xml-stylesheet href='s.xsl'?>",
    ],
)
def test_external_or_bare_doctypes_accepted(prolog: str) -> None:
    parsed = parse_feed((prolog + _PLAIN_RSS).encode(), url="https://e.example/feed")
    assert [e.url for e in parsed.entries] == ["https://e.example/1"]


def test_entity_text_inside_content_is_fine() -> None:
    # An article about XML security may quote a declaration; only the prolog matters.
    body = _PLAIN_RSS.replace(
        "<title>x</title>", "<title>x</title><description>&lt;!ENTITY a 'b'&gt;</description>"
    )
    parsed = parse_feed(body.encode(), url="https://e.example/feed")
    assert parsed.entries[0].summary == "&lt;!ENTITY a 'b'&gt;"


def test_utf16_feed_parses() -> None:
    # feedparser 6.0 needs the declaration to name UTF-16; a BOM alone is not enough for it
    declared = '<?xml version="1.0" encoding="utf-16"?>'
    parsed = parse_feed((declared + _PLAIN_RSS).encode("utf-16"), url="https://e.example/f")
    assert parsed.entries[0].title == "x"


# --- feedparser never touches anything but the bytes ---------------------------------


def test_bytes_naming_a_local_file_are_not_read(tmp_path: Path) -> None:
    feed_file = tmp_path / "feed.xml"
    feed_file.write_text(_PLAIN_RSS, encoding="utf-8")
    with pytest.raises(ParseError):
        parse_feed(str(feed_file).encode(), url="https://e.example/feed")


def test_a_url_as_content_is_not_fetched() -> None:
    with pytest.raises(ParseError):
        parse_feed(b"http://127.0.0.1:9/feed.xml", url="https://e.example/feed")


# --- other refusals ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "headers", "message"),
    [
        (b"", None, "not a feed: unrecognized format"),
        (
            b"<?xml version='1.0'?><catalog><book/></catalog>",
            None,
            "not a feed: unrecognized format",
        ),
        (
            b"<div>fragment</div>",
            {"Content-Type": "text/html; charset=utf-8"},
            "not a feed: looks like HTML",
        ),
        (b"<html><body>hi</body></html>", None, "not a feed: looks like HTML"),
        (b"{not json", None, "malformed JSON: "),
        (b'{"version": "1.0", "items": []}', None, "not a feed: JSON without a JSON Feed version"),
        (
            b'["https://jsonfeed.org/version/1.1"]',
            None,
            "not a feed: JSON without a JSON Feed version",
        ),
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": []}',
            None,
            "feed has no entries",
        ),
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": {}}',
            None,
            "feed has no entries",
        ),
        (b"[" * 100_000, None, "malformed JSON: "),
        (
            b'{"version": "https://jsonfeed.org/version/1", "items": [{"id": "1", "url": "ftp://x/"}]}',
            None,
            "feed has no entries with a link",
        ),
        (
            _PLAIN_RSS.replace("<link>https://e.example/1</link>", "").encode(),
            None,
            "feed has no entries with a link",
        ),
        (
            b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>',
            None,
            "feed has no entries",
        ),
    ],
)
def test_refusals(content: bytes, headers: dict[str, str] | None, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_feed(content, url="https://e.example/feed", headers=headers)
    assert caught.value.message.startswith(message)
    assert len(caught.value.message) < 250


def test_unknown_json_feed_version_still_read() -> None:
    body = b'{"version": "https://jsonfeed.org/version/2", "items": [{"id": "1", "url": "/a"}]}'
    parsed = parse_feed(body, url="https://e.example/feed.json")
    assert parsed.format == "json"
    assert parsed.entries[0].url == "https://e.example/a"


# --- robustness ----------------------------------------------------------------------

_SAMPLES = [p.read_bytes() for p in sorted(DATA.iterdir()) if not p.name.endswith(".expected.json")]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    sample=st.sampled_from(_SAMPLES),
    cut=st.integers(min_value=0, max_value=4000),
    junk=st.binary(max_size=40),
    at=st.integers(min_value=0, max_value=4000),
)
def test_mangled_feeds_parse_or_raise_parse_error(
    sample: bytes, cut: int, junk: bytes, at: int
) -> None:
    content = sample[:at] + junk + sample[at:cut] if cut > at else sample[:cut] + junk
    try:
        parsed = parse_feed(content, url="https://e.example/feed")
    except ParseError:
        return
    assert isinstance(parsed, ParsedFeed)
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.url.startswith(("http://", "https://"))
        assert "<script" not in (entry.summary or "").lower()


def test_feedparser_crash_becomes_parse_error() -> None:
    # Found by the property test above: a byte that is not UTF-8 inside a namespace URI
    # makes feedparser's SAX handler raise ValueError instead of reporting "bozo".
    body = (
        b'<?xml version="1.0" encoding="utf-8"?>'
        b'<rss version="2.0" xmlns:c="x\xa0y"><channel><item>'
        b"<c:encoded>x</c:encoded><link>https://e.example/1</link></item></channel></rss>"
    )
    with pytest.raises(ParseError, match=r"^malformed XML: ValueError"):
        parse_feed(body, url="https://e.example/feed")


def test_json_dates_out_of_range_are_dropped() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "items": [{"id": "1", "url": "/a", "date_published": "0001-01-01T00:00:00+05:00"}],
        }
    ).encode()
    (entry,) = parse_feed(body, url="https://e.example/f.json").entries
    assert entry.published_at is None
