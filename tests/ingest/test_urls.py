from __future__ import annotations

from urllib.parse import unquote_plus, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls

from mustreads.errors import InvalidURLError, UserError
from mustreads.ingest.urls import (
    TRACKING_PARAMETERS,
    canonicalize_url,
    parse_http_url,
    resolve_canonical,
)

# --- parse_http_url -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.com/a", "https://example.com/a"),
        ("  http://example.com  \n", "http://example.com"),
        ("HTTPS://EXAMPLE.com/", "HTTPS://EXAMPLE.com/"),
        ("http://127.0.0.1:8080/x", "http://127.0.0.1:8080/x"),
        ("http://[2001:db8::1]/", "http://[2001:db8::1]/"),
        ("https://bücher.example/", "https://bücher.example/"),
        ("https://exam\nple.com/a\r\n/b\t", "https://example.com/a/b"),
    ],
)
def test_parse_http_url_accepts_and_strips(text: str, expected: str) -> None:
    assert parse_http_url(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "example.com",
        "/relative/path",
        "//example.com/x",
        "ftp://example.com/file",
        "javascript:alert(1)",
        "mailto:someone@example.com",
        "file:///etc/passwd",
        "http://",
        "http:///path-only",
        "http://example.com:99999/",
        "http://example.com:port/",
        "http://[not-ipv6]/",
        "http://exa mple.com/",
        "http://a..b/",
        "http://ex%41mple.com/",
    ],
)
def test_parse_http_url_refuses(text: str) -> None:
    with pytest.raises(InvalidURLError) as caught:
        parse_http_url(text)
    assert str(caught.value).startswith("not an http(s) URL: ")
    assert isinstance(caught.value, UserError)


def test_refusal_message_is_short() -> None:
    with pytest.raises(InvalidURLError) as caught:
        parse_http_url("gopher://" + "x" * 5000)
    assert len(str(caught.value)) < 200


# --- canonicalize_url -------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # case of scheme and host; the path keeps its case
        ("HTTP://Example.COM/Path", "http://example.com/Path"),
        # default ports go, others stay
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:80/a", "https://example.com:80/a"),
        ("http://example.com:8080", "http://example.com:8080/"),
        ("http://example.com:/a", "http://example.com/a"),
        # empty path, fragment
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com/#!/spa", "https://example.com/"),
        # tracking parameters, any case, the rest in order
        (
            "https://example.com/a?utm_source=x&id=3&UTM_Medium=y&fbclid=abc&page=2",
            "https://example.com/a?id=3&page=2",
        ),
        ("https://example.com/?gclid=1&msclkid=2&mc_cid=3&mc_eid=4", "https://example.com/"),
        (
            "https://example.com/?_hsenc=1&_hsmi=2&mkt_tok=3&ref_src=4&igshid=5",
            "https://example.com/",
        ),
        ("https://example.com/?dclid=1&yclid=2&FBCLID=3&Utm_Campaign=4", "https://example.com/"),
        ("https://example.com/?%75tm_source=x&b=1", "https://example.com/?b=1"),
        ("https://example.com/?b=2&a=1", "https://example.com/?b=2&a=1"),
        ("https://github.com/o/r?ref=main", "https://github.com/o/r?ref=main"),
        ("https://example.com/?a=1&&b=2&", "https://example.com/?a=1&b=2"),
        ("https://example.com/?", "https://example.com/"),
        # percent-encoding
        ("https://example.com/%7euser/%41b", "https://example.com/~user/Ab"),
        ("https://example.com/a%2fb%3a", "https://example.com/a%2Fb%3A"),
        ("https://example.com/a b", "https://example.com/a%20b"),
        ("https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9"),
        ("https://example.com/café", "https://example.com/caf%C3%A9"),
        ("https://example.com/100%", "https://example.com/100%25"),
        ("https://example.com/?q=a%26b&r=%3d", "https://example.com/?q=a%26b&r=%3D"),
        ("https://example.com/?q=a+b", "https://example.com/?q=a+b"),
        # dot segments (RFC 3986 §5.2.4 examples)
        ("http://a/b/c/./../../g", "http://a/g"),
        ("http://a/mid/content=5/../6", "http://a/mid/6"),
        ("http://a/b/c/..", "http://a/b/"),
        ("http://a/b/c/.", "http://a/b/c/"),
        ("http://a/../../x", "http://a/x"),
        ("http://a/b/%2E%2E/c", "http://a/c"),
        ("http://a//double//slash", "http://a//double//slash"),
        # hosts
        ("https://Bücher.Example/", "https://xn--bcher-kva.example/"),
        ("https://example.com./a", "https://example.com/a"),
        ("http://[2001:DB8:0:0::1]:80/", "http://[2001:db8::1]/"),
        ("http://User:P%61ss@Example.com/", "http://User:Pass@example.com/"),
        # whitespace around
        ("  https://example.com/a  ", "https://example.com/a"),
    ],
)
def test_canonicalize_url(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected
    assert canonicalize_url(expected) == expected


def test_canonicalize_refuses_what_parse_refuses() -> None:
    with pytest.raises(InvalidURLError):
        canonicalize_url("ftp://example.com/")


def test_tracking_list_is_lower_case() -> None:
    assert all(name == name.lower() for name in TRACKING_PARAMETERS)


_path_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="#?\x00"), max_size=30
)
_param_name = st.one_of(
    st.sampled_from(["utm_source", "UTM_Medium", "fbclid", "gclid", "id", "page", "q", "a%20b"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="#&=\x00"), max_size=8),
)
_params = st.lists(
    st.tuples(_param_name, st.text(alphabet=st.characters(exclude_characters="#&"), max_size=8)),
    max_size=5,
)


@st.composite
def _http_urls(draw: st.DrawFn) -> str:
    """Messier http URLs than hypothesis' own: odd cases, dots, escapes, unicode, params."""
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "HttpS"]))
    host = draw(
        st.sampled_from(
            [
                "example.com",
                "EXAMPLE.com",
                "sub.example.co.uk.",
                "bücher.example",
                "127.0.0.1",
                "[::1]",
                "a_b.example",
            ]
        )
    )
    port = draw(st.sampled_from(["", ":80", ":443", ":8080", ":"]))
    segments = draw(
        st.lists(st.one_of(st.sampled_from([".", "..", "", "%2e", "%7E", "%zz"]), _path_text))
    )
    query = "&".join(f"{name}={value}" for name, value in draw(_params))
    fragment = draw(st.sampled_from(["", "#", "#frag"]))
    return f"{scheme}://{host}{port}/{'/'.join(segments)}{'?' + query if query else ''}{fragment}"


@settings(max_examples=300, deadline=None)
@given(st.one_of(urls(), _http_urls()))
def test_canonicalize_is_idempotent_and_total(url: str) -> None:
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once
    parts = urlsplit(once)
    assert parts.scheme in ("http", "https")
    assert not parts.fragment
    assert parts.path.startswith("/")
    for param in filter(None, parts.query.split("&")):
        name = unquote_plus(param.partition("=")[0]).strip().lower()
        assert name not in TRACKING_PARAMETERS
        assert not name.startswith("utm_")


# --- resolve_canonical --------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "canonical", "expected"),
    [
        ("https://example.com/a?utm_source=x", "https://example.com/a", "https://example.com/a"),
        ("https://example.com/blog/post", "/blog/post-2", "https://example.com/blog/post-2"),
        ("https://example.com/blog/post", "../about", "https://example.com/about"),
        ("https://example.com/blog/post", "  https://example.com/p  ", "https://example.com/p"),
        # syndicated copy pointing at the original on another host: accepted
        ("https://medium.com/@x/copy", "https://original.blog/post", "https://original.blog/post"),
        ("https://example.com/a", None, "https://example.com/a"),
        ("https://example.com/a", "", "https://example.com/a"),
        ("https://example.com/a", "   ", "https://example.com/a"),
        ("https://example.com/a", "javascript:alert(1)", "https://example.com/a"),
        ("https://example.com/a", "ftp://example.com/a", "https://example.com/a"),
        ("https://example.com/a", "mailto:x@example.com", "https://example.com/a"),
        ("https://example.com/a", "http://[broken/", "https://example.com/a"),
        ("https://example.com/a", "http://:80/", "https://example.com/a"),
    ],
)
def test_resolve_canonical(page: str, canonical: str | None, expected: str) -> None:
    assert resolve_canonical(page, canonical) == expected
