"""Tell an article from the pages that stand in for one.

A fetch can return a bot check ("Just a moment…"), an error page dressed as
HTML, or a subscription/login wall with a teaser. Such pages must never be
stored as article text. Each rule needs two things to agree: a telling phrase
or marker, *and* a page too small to be an article. A long article that
mentions subscribing, or carries a captcha on its comment form, stays an
article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import html

from mustreads.ingest.textblocks import count_words
from mustreads.models import ArticleStatus

# A bot check is a tiny page; a real article that merely mentions one is not.
BOT_CHECK_MAX_WORDS = 300
# A challenge widget alone (no telling phrase) counts only on a nearly empty page:
# articles carry captchas on their comment forms.
MARKER_MAX_WORDS = 120
# Error pages may carry some links or a search box, rarely a story's worth of text.
ERROR_MAX_WORDS = 150
# A paywall stub shows a teaser: a lede, a few paragraphs at most.
PAYWALL_MAX_WORDS = 200
# Pages with more main text than this are articles whatever else they say.
STAND_IN_MAX_WORDS = max(BOT_CHECK_MAX_WORDS, ERROR_MAX_WORDS, PAYWALL_MAX_WORDS)

_BOT_TITLE = re.compile(
    r"^\s*(?:just a moment|attention required|please wait\b.*cloudflare|checking your browser|"
    r"security check|one more step|are you a (?:robot|human)|robot or human|"
    r"human verification|verify(?:ing)? (?:you are|that you are) (?:a )?human|"
    r"pardon our interruption|access to this page has been denied|ddos-guard|"
    r"captcha|bot (?:check|protection)|you have been blocked)",
    re.IGNORECASE,
)
_BOT_TEXT = re.compile(
    r"checking (?:your|if the site connection is secure)|checking your browser before accessing|"
    r"verify (?:that )?you are (?:a )?human|enable javascript and cookies to continue|"
    r"complete the security check|why do i have to complete a captcha|"
    r"press (?:and|&) hold|unusual traffic from your (?:computer )?network|"
    r"are you a robot|please prove you(?:'|’)re not a robot|"
    r"this process is automatic\. your browser will redirect|"
    r"performance (?:&|and) security by cloudflare|ddos protection by",
    re.IGNORECASE,
)
_BOT_WIDGETS = (
    "//*[@id='challenge-form' or @id='challenge-running' or @id='challenge-stage'"
    " or @id='cf-challenge-running' or @id='px-captcha' or @id='cf-error-details'"
    " or contains(@class, 'cf-browser-verification') or contains(@class, 'cf-turnstile')"
    " or contains(@class, 'g-recaptcha') or contains(@class, 'h-captcha')]"
    " | //form[contains(@action, '__cf_chl')]"
)
_CHALLENGE_SRC = re.compile(r"captcha|/challenge-platform/|challenges\.cloudflare", re.IGNORECASE)
_ERROR_TITLE = re.compile(
    r"^\s*(?:error\s*)?[45]\d\d\b|\b(?:error|http|status)\s*[45]\d\d\b|page not found|"
    r"\bnot found\b|page (?:does not|doesn(?:'|’)t) exist|service (?:temporarily )?unavailable|"
    r"internal server error|bad gateway|gateway time-?out|access denied|\bforbidden\b|"
    r"too many requests|something went wrong|an error (?:has )?occurred|"
    r"(?:site|page) (?:is )?(?:down for |under )?maintenance",
    re.IGNORECASE,
)
_ERROR_TEXT = re.compile(
    r"(?:the )?page you (?:are|were|'re|’re) looking for (?:can(?:'|’)?not|could not|"
    r"couldn(?:'|’)t|does not|doesn(?:'|’)t|no longer|may have|was not|is not|isn(?:'|’)t)|"
    r"we (?:can(?:'|’)?not|could not|couldn(?:'|’)t) find (?:the|that|this) page|"
    r"this page (?:does not|doesn(?:'|’)t|no longer) exists?|"
    r"(?:requested )?(?:url|page) was not found on this server|"
    r"you don(?:'|’)t have permission to access|the server is temporarily unable",
    re.IGNORECASE,
)
_PAYWALL_TEXT = re.compile(
    r"(?:subscribe|subscription required|sign up|register) to (?:continue|keep) reading|"
    r"(?:subscribe|register) (?:now )?to (?:read|unlock|access) (?:the|this|full)|"
    r"(?:sign|log) ?in to (?:continue|read|keep reading|view|access) (?:the |this )?"
    r"(?:reading|article|story|full|content|post)|"
    r"to (?:continue|keep) reading,? (?:please )?(?:subscribe|sign in|log ?in|register|"
    r"become a (?:member|subscriber)|start (?:a|your) (?:free )?trial)|"
    r"(?:this|the rest of this) (?:article|story|content|post) is (?:only )?"
    r"(?:available |reserved )?(?:for|to|exclusively for) (?:paying |paid )?"
    r"(?:subscribers|members)|"
    r"(?:for|exclusive to) subscribers only|subscribers only|members only content|"
    r"you(?:'|’)ve (?:reached|used) (?:your|all of your) (?:\w+ )?(?:free )?(?:article|story)? ?"
    r"(?:limit|articles|stories)|"
    r"you have (?:reached|used) (?:your|all of your) (?:\w+ )?(?:free )?(?:article )?"
    r"(?:limit|articles)|"
    r"create a free account to (?:continue|read|keep)|"
    r"(?:unlock|read) this (?:article|story) (?:with|by subscribing)|"
    r"keep reading with a \d+-day free trial|start your (?:free )?trial to (?:continue|read)|"
    r"become a (?:member|subscriber) to (?:read|continue|unlock)",
    re.IGNORECASE,
)
_TITLE_PARTS = re.compile(r"\s+[|\-–—:·»]\s+|\s*\|\s*")
_LOGIN_TITLE = re.compile(r"^\s*(?:sign ?in|log ?in|login|sign on)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PageKind:
    """Why a page is not an article."""

    status: ArticleStatus
    reason: str


def challenge_scripts(tree: html.HtmlElement) -> int:
    """Count captcha and challenge scripts or frames; call before scripts are stripped."""
    return sum(
        1 for el in tree.iter("script", "iframe") if _CHALLENGE_SRC.search(el.get("src") or "")
    )


def challenge_widgets(tree: html.HtmlElement) -> int:
    """Count challenge forms and captcha widgets (an XPath over the whole page)."""
    found = tree.xpath(_BOT_WIDGETS)
    return len(found) if isinstance(found, list) else 0


def _status_kind(http_status: int | None) -> PageKind | None:
    if http_status is None or http_status < 400:
        return None
    if http_status == 402:
        return PageKind(ArticleStatus.PAYWALLED, "HTTP 402: payment required")
    if http_status in (401, 403, 407, 451):
        return PageKind(ArticleStatus.BLOCKED, f"HTTP {http_status}: access denied")
    if http_status in (404, 410):
        return PageKind(ArticleStatus.BLOCKED, f"HTTP {http_status}: page not found")
    if http_status == 429:
        return PageKind(ArticleStatus.BLOCKED, "HTTP 429: rate limited")
    return PageKind(ArticleStatus.BLOCKED, f"HTTP {http_status}: error page")


def classify_page(
    *,
    headings: list[str],
    page_text: str,
    main_words: int,
    markers: int = 0,
    not_free: bool = False,
    has_password_field: bool = False,
    http_status: int | None = None,
) -> PageKind | None:
    """The kind of a non-article page, or None for a page that may be an article.

    ``headings`` are the page's ``<title>`` and first ``<h1>``; ``page_text``
    is all visible text; ``main_words`` counts the words the extractor kept.
    """
    by_status = _status_kind(http_status)
    page_words = count_words(page_text)
    head = " | ".join(headings)
    found: PageKind | None = None
    if main_words <= BOT_CHECK_MAX_WORDS and page_words <= BOT_CHECK_MAX_WORDS:
        match = _bot_match(headings, page_text, markers if page_words <= MARKER_MAX_WORDS else 0)
        if match:
            found = PageKind(ArticleStatus.BLOCKED, f"bot check: {match}")
    if found is None and main_words <= ERROR_MAX_WORDS:
        if _error_heading(headings):
            found = PageKind(ArticleStatus.BLOCKED, f"error page: {head[:80]!r}")
        elif text_match := _ERROR_TEXT.search(page_text):
            found = PageKind(ArticleStatus.BLOCKED, f"error page: {text_match.group(0)!r}")
    if found is None and main_words <= PAYWALL_MAX_WORDS:
        found = _paywall(headings, page_text, main_words, not_free, has_password_field)
    if by_status is not None:
        if found is not None and found.status is by_status.status:
            return PageKind(found.status, f"{found.reason} ({by_status.reason.split(':')[0]})")
        return by_status
    return found


def _error_heading(headings: list[str]) -> bool:
    """A title that *is* an error message ("404 | Site"), not one that mentions one.

    Each part of the title between separators is checked on its own, and the
    error words must make up nearly all of it: "Page not found" and "Sorry,
    page not found" are error pages, "Missing hiker not found" is news.
    """
    for heading in headings:
        for part in _TITLE_PARTS.split(heading):
            match = _ERROR_TITLE.search(part)
            if match and len((part[: match.start()] + part[match.end() :]).split()) <= 1:
                return True
    return False


def _bot_match(headings: list[str], page_text: str, markers: int) -> str | None:
    for heading in headings:
        if _BOT_TITLE.search(heading):
            return repr(heading[:80])
    text_match = _BOT_TEXT.search(page_text)
    if text_match:
        return repr(text_match.group(0))
    if markers:
        return "challenge form or captcha widget"
    return None


def _paywall(
    headings: list[str], page_text: str, main_words: int, not_free: bool, has_password: bool
) -> PageKind | None:
    match = _PAYWALL_TEXT.search(page_text)
    if match:
        return PageKind(ArticleStatus.PAYWALLED, f"subscription wall: {match.group(0)!r}")
    if not_free:
        return PageKind(
            ArticleStatus.PAYWALLED,
            f"marked not free to read and only {main_words} words are visible",
        )
    if has_password and any(_LOGIN_TITLE.search(h) for h in headings):
        return PageKind(
            ArticleStatus.PAYWALLED, "login wall: a sign-in form instead of the article"
        )
    return None
