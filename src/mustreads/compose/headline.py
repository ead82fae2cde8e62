"""Headline phrases for the issue's title: "A, B, C, and More".

Article titles are long, carry kickers ("Exclusive:", "Paper notes:") and the
site's name ("… | The Verge"). :func:`headline_phrase` keeps the phrase that
says what the piece is about, short enough to sit three in a row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Separators a title is cut at, strongest first within one position.
_SEPARATORS = re.compile(
    r":\s+|\s+[|·•]\s+|\s+::\s+|\s+[—–-]{1,2}\s+|\s*—\s*|\s+/\s+"
    r"|[.?!]\s+(?=[\"'“‘(]?[A-Z0-9])"
)
_SITE_SEPARATORS = re.compile(r"\s+(?:[|·•]|::|[—–-]{1,2}|/)\s+")

#: Heads that label a piece rather than say what it is about.
_KICKERS = _word_set(
    """exclusive breaking opinion analysis comment commentary editorial review explainer
    explained guide tutorial interview podcast video watch listen live update updated
    report news newsletter roundup recap digest essay column sponsored announcement
    weekly today tl;dr tldr faq ama"""
) | {
    "deep dive",
    "q&a",
    "paper notes",
    "reading notes",
    "field notes",
    "release notes",
    "paper review",
    "paper summary",
    "book review",
    "case study",
    "first look",
    "hands on",
    "long read",
    "the big read",
    "this week",
    "must read",
    "press release",
    "quick take",
    "hot take",
    "week in review",
    "in brief",
    "in depth",
}
_NUMBERED_KICKER = re.compile(
    r"^(?:part|episode|ep\.?|issue|week|day|chapter|vol\.?|volume|no\.?|#)\s*\d+$", re.I
)

#: Words a phrase must not end on: it would read as cut off.
_DANGLING = _word_set(
    """a an the and or but nor so yet of in on at to for with from by about as into onto
    over under via vs vs. versus without within after before than that which who whom
    whose where when while how why what is are was were be been being has have had do
    does did will would can could should may might must its it's their our your my his
    her this these those every each some any not just very"""
)
#: Words that start a phrase of their own: a good place to stop a long title.
_BREAK_BEFORE = _word_set(
    """on in at to for with from by about as into over under via without within after
    before while when where because amid despite against through across than that which
    who whose and but or"""
)
_ABBREVIATIONS = _word_set("mr mrs ms dr prof st vs inc ltd co jr sr no vol fig approx etc")
_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)+$")
_TRAILING_PUNCT = " ,;:—–-/|·•.…"


def headline_phrase(title: str, max_words: int, *, site_name: str | None = None) -> str:
    """The phrase of ``title`` that names the piece, in ``max_words`` words or fewer.

    A title is cut at ":", " — ", " | ", " - " or the end of a first sentence
    when what comes before is a meaningful phrase; a kicker before it
    ("Exclusive: …") is dropped instead, and so is a trailing site name
    (``site_name``, or a short name after " | " or " - "). What remains is cut to
    ``max_words`` at a word boundary, preferably where a new phrase begins, and
    never on a dangling "and", "of", "the" ….
    """
    text = " ".join(title.split()).strip(" \"'“”‘’")
    if not text:
        return ""
    text = _drop_site_name(text, site_name)
    for _ in range(3):  # "Exclusive: Paper notes: …" peels one kicker at a time
        head, tail = _split_first(text)
        if tail is None:
            break
        if _is_kicker(head, site_name):
            text = tail
            continue
        if _is_meaningful(head):
            text = head
        break
    # Every word may dangle ("How to …" in two words): then the first words as they are.
    phrase = _limit(text, max_words) or " ".join(text.split()[:max_words]).rstrip(_TRAILING_PUNCT)
    return phrase[:1].upper() + phrase[1:]


def issue_title(phrases: Sequence[str]) -> str:
    """The issue's title: ``"A, B, C, and More"`` (``""`` with no phrases)."""
    kept = [p.strip() for p in phrases if p.strip()]
    if not kept:
        return ""
    return ", ".join(kept) + ", and More"


def _words(text: str) -> list[str]:
    return text.split()


def _norm(text: str) -> str:
    return re.sub(r"[^\w&;]+", " ", text.lower()).strip()


def _drop_site_name(text: str, site_name: str | None) -> str:
    """``text`` without a trailing "| Site", "- Site" or "— site.com"."""
    parts = _SITE_SEPARATORS.split(text)
    seps = _SITE_SEPARATORS.findall(text)
    while len(parts) > 1:
        last, sep = parts[-1], seps[-1].strip()
        is_site = (site_name is not None and _norm(last) == _norm(site_name)) or _looks_like_site(
            last, loose=sep in {"|", "·", "•", "::"}
        )
        if not is_site or not _is_meaningful(" ".join(parts[:-1])):
            break
        parts, seps = parts[:-1], seps[:-1]
    rebuilt = parts[0]
    for sep, part in zip(seps, parts[1:], strict=True):
        rebuilt += sep + part
    return rebuilt


def _looks_like_site(text: str, *, loose: bool) -> bool:
    """A short name: "The Verge", "Ahead of AI", "example.com" (any short text after "|")."""
    words = _words(text)
    if not words or len(words) > (5 if loose else 4):
        return False
    if loose or (len(words) == 1 and _DOMAIN.match(words[0])):
        return True
    if words[0].lower() in _DANGLING - {"the", "a", "an"} or not words[0][:1].isupper():
        return False
    minor = {"of", "the", "and", "for", "on", "in", "&", "a", "an"}
    return all(w[:1].isupper() or w[:1].isdigit() or w.lower() in minor for w in words)


def _split_first(text: str) -> tuple[str, str | None]:
    """``text`` cut at its first separator: (head, tail), or (text, None)."""
    for match in _SEPARATORS.finditer(text):
        mark = match.group()[:1]
        before = text[: match.start()]
        if mark == "." and _ends_with_abbreviation(before):
            continue  # "Dr. Lee", "U.S. rules", "vs. Llama"
        head = before + mark if mark in "?!" else before
        tail = text[match.end() :].strip()
        return head.strip(), tail or None
    return text, None


def _ends_with_abbreviation(text: str) -> bool:
    last = text.rsplit(" ", 1)[-1].lower()
    return last in _ABBREVIATIONS or "." in last or len(last) == 1


def _is_kicker(head: str, site_name: str | None) -> bool:
    key = _norm(head)
    if site_name is not None and key == _norm(site_name):
        return True
    return key in _KICKERS or bool(_NUMBERED_KICKER.match(head))


def _is_meaningful(head: str) -> bool:
    """Two words or more, not ending on a dangling word: it can stand for the piece."""
    words = _words(head)
    return len(words) >= 2 and _bare(words[-1]) not in _DANGLING


def _bare(word: str) -> str:
    return word.lower().strip("\"'“”‘’()[],;:.!?")


def _limit(text: str, max_words: int) -> str:
    """At most ``max_words`` words, ending on a word that can end a phrase."""
    words = _words(text)
    if len(words) > max_words:
        words = words[: _cut_point(words, max_words)]
    words = _close_brackets(words)
    while words and (
        _bare(words[-1]) in _DANGLING or not words[-1].strip(_TRAILING_PUNCT + "\"'“”‘’")
    ):
        words.pop()
    if not words:
        return ""
    words[-1] = words[-1].rstrip(_TRAILING_PUNCT)
    if words[-1].endswith(("(", "“", "‘")):
        words[-1] = words[-1][:-1]
    return " ".join(words).strip()


def _cut_point(words: list[str], max_words: int) -> int:
    """How many words to keep of a too long title: stop where a new phrase begins.

    A clause boundary (a comma) is best, then a word that opens a phrase ("with",
    "for", "to" …), as long as half the allowed words remain; else ``max_words``.
    """
    lowest = max(2, max_words // 2)
    candidates = range(max_words, lowest - 1, -1)
    for k in candidates:
        if words[k - 1].endswith((",", ";")):
            return k
    for k in candidates:
        # A last "in" or "up" is a particle ("built in"), not the start of a phrase.
        if _bare(words[k]) in _BREAK_BEFORE and k + 1 < len(words):
            return k
    return max_words


def _close_brackets(words: list[str]) -> list[str]:
    """Drop an unclosed "(" or opening quote and what follows it."""
    text = " ".join(words)
    for opening, closing in (("(", ")"), ("[", "]"), ("“", "”")):
        if text.count(opening) > text.count(closing):
            text = text[: text.rfind(opening)]
    if text.count('"') % 2:
        text = text[: text.rfind('"')]
    return text.split()
