"""URLs from outside: validate them, and reduce them to one canonical form.

The canonical form is the key under which a link is stored (``links.canonical_url``
is unique), so two spellings of the same article must meet there and the function
must be idempotent. It only applies rewrites that keep the resource the same for
any reasonable server (RFC 3986 §6.2.2 syntax-based normalization, default ports,
the fragment) plus removal of the tracking parameters listed in
:data:`TRACKING_PARAMETERS`, which identify a click, not a document.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import unquote_plus, urljoin, urlsplit

from mustreads.errors import InvalidURLError

__all__ = [
    "TRACKING_PARAMETERS",
    "TRACKING_PREFIXES",
    "canonicalize_url",
    "parse_http_url",
    "resolve_canonical",
]

#: Query parameters that only say who clicked where; compared case-insensitively.
#: Deliberately absent: ``ref`` (GitHub uses it for branches), ``source``, ``si``,
#: ``s`` and other short names that real applications use for content.
TRACKING_PARAMETERS: frozenset[str] = frozenset(
    {
        # Ad networks' click ids
        "fbclid",  # Facebook
        "gclid",  # Google Ads
        "gclsrc",
        "dclid",  # Google Display
        "gbraid",
        "wbraid",
        "msclkid",  # Microsoft Ads
        "yclid",  # Yandex
        "twclid",  # X / Twitter
        "ttclid",  # TikTok
        "li_fat_id",  # LinkedIn
        "epik",  # Pinterest
        "rb_clid",  # Reddit
        "srsltid",  # Google Merchant Center
        "igshid",  # Instagram share
        # Mail and marketing automation
        "mc_cid",  # Mailchimp campaign
        "mc_eid",  # Mailchimp subscriber
        "_hsenc",  # HubSpot
        "_hsmi",
        "__hstc",
        "__hssc",
        "__hsfp",
        "hsctatracking",
        "mkt_tok",  # Marketo
        "vero_id",  # Vero
        "vero_conv",
        "oly_anon_id",  # Omeda
        "oly_enc_id",
        "__s",  # Drip
        "_openstat",
        "wickedid",
        # Analytics cross-domain linkers
        "_ga",
        "_gl",
        # Twitter share widgets
        "ref_src",
        "ref_url",
        # Matomo / Piwik campaigns
        "pk_campaign",
        "pk_kwd",
        "pk_source",
        "pk_medium",
        "pk_content",
    }
)

#: Parameter name prefixes that mark a whole family of tracking parameters.
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "mtm_")

_SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SUB_DELIMS = "!$&'()*+,;="
# Characters left as they are in each component; everything else is percent-encoded.
_SAFE_USERINFO = frozenset(_UNRESERVED | set(_SUB_DELIMS) | {":"})
_SAFE_PATH = frozenset(_UNRESERVED | set(_SUB_DELIMS) | {":", "@", "/"})
_SAFE_QUERY = frozenset(_SAFE_PATH | {"?"})
_HEX = frozenset("0123456789abcdefABCDEF")
_HOST_RE = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")
_MAX_SHOWN = 120
_TAB_AND_NEWLINES = dict.fromkeys(map(ord, "\t\n\r"))


def _shown(text: str) -> str:
    """The bad input as the error message quotes it: repr'd and cut short."""
    return repr(text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "…")


def _invalid(text: str, why: str | None = None) -> InvalidURLError:
    message = f"not an http(s) URL: {_shown(text)}"
    return InvalidURLError(f"{message} ({why})" if why else message)


def _normalize_host(host: str) -> str:
    """Lower-case, IDNA-encoded host, or ValueError when it cannot be one.

    ``host`` is what ``urlsplit`` calls ``hostname``: already lower-cased and, for an
    IPv6 literal, without the brackets.
    """
    if ":" in host:  # only an IPv6 literal has a colon here
        return f"[{ipaddress.IPv6Address(host.split('%', 1)[0]).compressed}]"
    host = host.rstrip(".")  # the root label's dot: same host for DNS and browsers
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError as error:
            raise ValueError(f"bad international host name: {error}") from error
    if not _HOST_RE.fullmatch(host):
        raise ValueError("bad host name")
    return host


def _split_http(text: str) -> tuple[str, str, str, int | None, str, str]:
    """(scheme, userinfo, host, port, path, query) of an http(s) URL, or InvalidURLError."""
    try:
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        if scheme not in _SCHEMES:
            raise _invalid(text)
        if not parts.hostname:
            raise _invalid(text, "no host")
        port = parts.port
        host = _normalize_host(parts.hostname)
    except ValueError as error:  # bad port, bad IPv6 literal, bad host name
        raise _invalid(text, str(error)) from error
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    return scheme, userinfo, host, port, parts.path, parts.query


def parse_http_url(text: str) -> str:
    """``text`` stripped, once it is known to be an absolute http(s) URL with a valid host.

    Tabs and line breaks inside are removed, as browsers do (the WHATWG URL standard)
    and as :func:`urllib.parse.urlsplit` does silently: a URL wrapped across lines in
    a feed or pasted from an email is still that URL. Raises :class:`InvalidURLError`
    otherwise.
    """
    cleaned = text.strip().translate(_TAB_AND_NEWLINES)
    _split_http(cleaned)
    return cleaned


def _normalize_percent(text: str, safe: frozenset[str]) -> str:
    """Uniform percent-encoding: unreserved bytes decoded, other escapes in upper case,
    characters outside ``safe`` (spaces, non-ASCII …) encoded as UTF-8.

    A ``%`` that starts no valid escape is itself encoded, so a second pass changes
    nothing.
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "%" and i + 2 < n and text[i + 1] in _HEX and text[i + 2] in _HEX:
            decoded = chr(int(text[i + 1 : i + 3], 16))
            out.append(decoded if decoded in _UNRESERVED else text[i : i + 3].upper())
            i += 3
            continue
        if char in safe:
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4, for a path that is empty or starts with '/'."""
    output: list[str] = []
    for segment in path.split("/")[1:]:
        if segment == "..":
            if output:
                output.pop()
        elif segment != ".":
            output.append(segment)
    result = "/" + "/".join(output)
    if path.endswith(("/.", "/..")) and not result.endswith("/"):
        result += "/"
    return result


def _is_tracking(name: str) -> bool:
    key = unquote_plus(name).strip().lower()
    return key in TRACKING_PARAMETERS or key.startswith(TRACKING_PREFIXES)


def canonicalize_url(url: str) -> str:
    """The canonical form of an http(s) URL, under which links are deduplicated.

    Lower-case scheme and host, IDNA host, no default port, no fragment, no tracking
    parameters (the others keep their order; empty ``&&`` pieces go), "/" for an
    empty path, normalized percent-encoding, no dot segments. Idempotent. Raises
    :class:`InvalidURLError` for anything :func:`parse_http_url` refuses.
    """
    text = url.strip()
    scheme, userinfo, host, port, path, query = _split_http(text)
    netloc = host
    if userinfo:
        netloc = f"{_normalize_percent(userinfo, _SAFE_USERINFO)}@{netloc}"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"

    path = _remove_dot_segments(_normalize_percent(path, _SAFE_PATH) or "/")
    params = [
        _normalize_percent(param, _SAFE_QUERY)
        for param in query.split("&")
        if param and not _is_tracking(param.partition("=")[0])
    ]
    canonical = f"{scheme}://{netloc}{path}"
    return f"{canonical}?{'&'.join(params)}" if params else canonical


def resolve_canonical(page_url: str, rel_canonical: str | None) -> str:
    """The URL a page names as its ``rel=canonical``, or ``page_url`` when it names none.

    A relative canonical is resolved against the page. Anything that is not then an
    http(s) URL (``javascript:``, a bare word, a broken host) is ignored and the page
    URL kept. A canonical on another host is accepted on purpose: syndicated copies
    (Medium, dev.to, partner sites) point at the original with it, which is how the
    same article from two places becomes one link.
    """
    if rel_canonical is None or not rel_canonical.strip():
        return page_url
    try:
        candidate = urljoin(page_url, rel_canonical.strip())
        return parse_http_url(candidate)
    except (InvalidURLError, ValueError):
        return page_url
