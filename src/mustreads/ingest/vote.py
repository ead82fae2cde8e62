"""Paragraph-level voting between two extractors.

trafilatura (the *primary*) and readability (the *secondary*) each return the
blocks they believe form the article. A block both return is kept. A block
only the primary returns is kept when it sits inside the stretch both agree
on and is not link-heavy (embedded posts, a list readability dropped). Blocks
only the secondary returns are kept when they are subheadings or list items
between two agreed blocks (trafilatura sometimes drops those); its extra
paragraphs are mostly captions and bylines and are left out. On top of the
vote, cheap features remove what both tend to let through: the headline
repeated as the first block, bylines, short link-heavy teasers, and
call-to-action or label lines ("Related: …", "Sign up for our newsletter").

Agreement is measured with word 3-gram shingles rather than exact text, since
the two extractors cut paragraphs differently (one splits at ``<br>``, the
other keeps a ``<div>`` whole).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from mustreads.ingest.textblocks import Block

_SHINGLE = 3
AGREE = 0.5  # share of a block's shingles the other extractor must also have
LOW_AGREEMENT = 0.55  # below this share of words in common the two read different things
LINKY_ALONE = 0.6  # link density above which a block one extractor kept is navigation
LINKY_AGREED = 0.75  # the same for a block both kept (they must be more sure)
SHORT = 25  # words; boilerplate rules only judge blocks this short or shorter

# Lines that label a teaser or an aside rather than carry the story: judged only
# at the start of a short block, and only when followed by a colon or nothing.
_LABEL = re.compile(
    r"^(?:related(?: (?:stories|articles|content|coverage|reading|posts?))?|see (?:also|more)|"
    r"read (?:more|next|also)|also(?: read| see)?|more|more from [\w .'-]+|"
    r"recommended(?: for you)?|you (?:may|might) (?:also )?like|most (?:read|popular|viewed)"
    r"(?: [\w ]+)?|trending(?: now)?|don'?t miss|explore further|further reading|"
    r"advertisement|advert|sponsored(?: content)?|filed under|tags?|topics?|categories|"
    r"source|sources|image|images|photo|photos|image (?:credit|copyright|caption|source)|"
    r"photo (?:credit|by)|credit|credits|caption|watch|listen|video|editor'?s note)"
    r"\s*(?::|$|>|»|\|)",
    re.IGNORECASE,
)
# "By Jane Doe and John Roe · January 27, 2025": names, then perhaps a date.
_BYLINE = re.compile(
    r"^(?i:by|written by|posted by|words by)\s*:?\s+[A-Z\u00c0-\u00de][\w.'-]*\s+[A-Z\u00c0-\u00de]"
)
BYLINE_WORDS = 15

# Calls to action and page furniture, anywhere in a short block.
_FURNITURE = re.compile(
    r"\b(?:sign up (?:for|to) (?:our|the|a free)|subscribe (?:to|for|now|today)|"
    r"(?:our|free|daily|weekly) newsletters?\b|follow us\b|"
    r"download (?:the|our) app|get the [\w ]{1,30} app\b|share (?:this|on)\b|have a tip\b|"
    r"tell us what you think|leave a (?:comment|reply)|all rights reserved|copyright \d{4}|\u00a9|"
    r"(?:updated|published|posted)(?: on| at)?:? [\w ,:.]{0,40}\d|reading time|"
    r"\d+ min(?:ute)?s? read\b|privacy policy|terms of (?:use|service))",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Ballot:
    """The outcome of one vote, kept for the extractor's ``reason`` and for tuning."""

    blocks: list[Block]
    agreement: float  # share of the primary's words the secondary also returned
    chosen: str  # "vote", "primary" or "secondary"


def shingles(words: list[str]) -> set[str]:
    lowered = [w.lower() for w in words]
    if len(lowered) < _SHINGLE:
        return {" ".join(lowered)}
    return {" ".join(lowered[i : i + _SHINGLE]) for i in range(len(lowered) - _SHINGLE + 1)}


def _shingles_of(blocks: Iterable[Block]) -> set[str]:
    out: set[str] = set()
    for block in blocks:
        out |= shingles(block.words)
    return out


def coverage(block: Block, other: set[str]) -> float:
    own = shingles(block.words)
    return sum(1 for s in own if s in other) / len(own)


def _words(blocks: Iterable[Block]) -> int:
    return sum(b.word_count for b in blocks)


def is_boilerplate(block: Block) -> bool:
    """A short block that labels, promotes or frames rather than tells."""
    if block.word_count > SHORT:
        return False
    text = block.text.strip(" -–—•*#>|")
    if block.word_count <= BYLINE_WORDS and _BYLINE.match(text):
        return True
    return bool(_LABEL.match(text) or _FURNITURE.search(text))


def is_title(block: Block, titles: list[list[str]]) -> bool:
    """The block repeats the headline (possibly with or without a " - Site" suffix)."""
    if not block.words:
        return False
    words = " ".join(block.words).lower()
    for title in titles:
        joined = " ".join(title).lower()
        if not joined:
            continue
        if words == joined or (len(block.words) >= 3 and joined.startswith(words)):
            return True
    return False


def clean(
    blocks: list[Block], titles: list[list[str]], *, linky: float = LINKY_AGREED
) -> list[Block]:
    """Drop furniture from an extractor's blocks: title repeats, teasers, labels."""
    kept: list[Block] = []
    for index, block in enumerate(blocks):
        if index < 3 and not kept and is_title(block, titles):
            continue
        if block.word_count <= SHORT and block.link_density >= linky:
            continue
        if is_boilerplate(block):
            continue
        kept.append(block)
    # a heading with nothing after it introduces nothing
    while kept and kept[-1].kind == "heading":
        kept.pop()
    return kept


def vote(primary: list[Block], secondary: list[Block], titles: list[list[str]]) -> Ballot:
    """Combine the blocks of two extractors into one article."""
    if not primary or not secondary:
        only = primary or secondary
        return Ballot(clean(only, titles), 0.0, "primary" if primary else "secondary")
    theirs = _shingles_of(secondary)
    agreed = [coverage(b, theirs) >= AGREE for b in primary]
    agreement = _words(b for b, ok in zip(primary, agreed, strict=True) if ok) / max(
        1, _words(primary)
    )
    if agreement < LOW_AGREEMENT:
        return _disagreement(primary, secondary, titles, agreement)
    first = agreed.index(True)
    last = len(agreed) - 1 - agreed[::-1].index(True)
    keep = [
        ok or (first < index < last and block.link_density < LINKY_ALONE)
        for index, (block, ok) in enumerate(zip(primary, agreed, strict=True))
    ]
    inserts = _secondary_inserts(primary, secondary)
    chosen: list[Block] = []
    for index, block in enumerate(primary):
        if keep[index]:
            chosen.append(block)
        chosen.extend(inserts.get(index, []))
    return Ballot(clean(chosen, titles), agreement, "vote")


def _secondary_inserts(primary: list[Block], secondary: list[Block]) -> dict[int, list[Block]]:
    """Structure only the secondary kept inside the agreed text, keyed by where it goes.

    trafilatura sometimes drops the subheadings or a list in the middle of an
    article that readability keeps. A run of blocks only the secondary
    returned is taken when agreed blocks flank it on both sides and it is all
    headings and list items with few links. Runs holding paragraphs are left
    out: there, readability's extra text is mostly captions, bylines and
    teasers. The key is the index of the primary block the run follows.
    """
    owner: dict[str, int] = {}
    for index, block in enumerate(primary):
        for shingle in shingles(block.words):
            owner.setdefault(shingle, index)
    anchors = [_anchor(block, owner) for block in secondary]
    inserts: dict[int, list[Block]] = {}
    previous: int | None = None
    run: list[Block] = []
    for block, anchor in zip(secondary, anchors, strict=True):
        if anchor is None:
            run.append(block)
            continue
        if run and previous is not None and previous <= anchor and _is_structure(run):
            inserts.setdefault(previous, []).extend(run)
        run = []
        previous = anchor
    return inserts


def _anchor(block: Block, owner: dict[str, int]) -> int | None:
    """The primary block that holds most of ``block``, or None when none holds enough."""
    own = shingles(block.words)
    hits = [owner[s] for s in own if s in owner]
    if len(hits) < AGREE * len(own):
        return None
    return max(set(hits), key=hits.count)


def _is_structure(run: list[Block]) -> bool:
    words = _words(run)
    links = sum(b.link_words for b in run)
    return all(b.kind in ("heading", "item") for b in run) and links < LINKY_ALONE * words


def _disagreement(
    primary: list[Block], secondary: list[Block], titles: list[list[str]], agreement: float
) -> Ballot:
    """The two extractors picked different parts of the page: keep the more article-like."""
    mine, theirs = clean(primary, titles), clean(secondary, titles)
    if _prose_words(theirs) > 2 * _prose_words(mine):
        return Ballot(theirs, agreement, "secondary")
    return Ballot(mine, agreement, "primary")


def _prose_words(blocks: list[Block]) -> int:
    """Words in blocks that look like running text: long enough, few links."""
    return sum(b.word_count for b in blocks if b.word_count >= 12 and b.link_density < LINKY_ALONE)
