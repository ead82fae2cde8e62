"""Plain-text helpers shared by the analyzers: sentences, boilerplate, tokens.

Everything here is pure, offline and fast (no models, no downloads). The
sentence splitter is a regular expression plus an abbreviation check rather
than pysbd: pysbd took 7–15 ms for a 600-word article, which alone would cap a
summarizer at 70–140 articles per second and core; this one takes about 0.1 ms.
"""

from __future__ import annotations

import re

__all__ = [
    "STOPWORDS",
    "content_words",
    "is_boilerplate",
    "split_paragraphs",
    "split_sentences",
    "tokenize",
    "word_count",
]

# A candidate boundary: terminal punctuation, closing quotes or brackets, white
# space, then something that can open a sentence (a capital, a digit, a quote).
_BOUNDARY = re.compile(r"([.!?…]+)([\"'”’)\]]*)\s+(?=[\"'“‘(\[]*[A-Z0-9$£€])")


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Never the end of a sentence when followed by a capital.
_HARD_ABBREVIATIONS = _wordset(
    "mr mrs ms dr prof sr jr st mt gen rep sen gov lt col capt sgt rev hon pres supt "
    "e.g i.e vs cf al approx ca viz dept est fig figs eq ref refs"
)
# The end of a sentence only when the next word usually opens one.
_SOFT_ABBREVIATIONS = _wordset("inc ltd co corp bros plc llc etc")
# An abbreviation only before a number ("No. 5", "Jan. 3", "p. 12").
_NUMERIC_ABBREVIATIONS = _wordset(
    "no nos vol vols p pp ch sec art op jan feb mar apr jun jul aug sep sept oct nov dec"
)
_SENTENCE_STARTERS = _wordset(
    "a an the this that these those it its he she they we i you there here but and so yet "
    "in on at as after before when while since if for with by from to of its our their his "
    "her one two three some many most all both each few more other such however meanwhile "
    "still now today yesterday last next"
)
_DOTTED_ACRONYM = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")
_LIST_MARKER = re.compile(r"^(?:\d{1,2}|[a-zA-Z])$")


def split_paragraphs(text: str) -> list[str]:
    """The non-blank lines of ``text``, whitespace collapsed: extractors write one
    paragraph per line, and a line break is always a boundary."""
    paragraphs = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            paragraphs.append(line)
    return paragraphs


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences, paragraph by paragraph.

    Handles titles and Latin abbreviations ("Dr.", "e.g."), initials, dotted
    acronyms ("U.S."), decimals and versions ("3.5", "v2.1"), URLs, ellipses,
    closing quotes after the full stop, and numbered list markers.
    """
    sentences: list[str] = []
    for paragraph in split_paragraphs(text):
        sentences.extend(_split_paragraph(paragraph))
    return sentences


def _split_paragraph(paragraph: str) -> list[str]:
    out: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        if match.group(1) == "." and not _ends_sentence(paragraph, start, match):
            continue
        end = match.end(2)
        piece = paragraph[start:end].strip()
        if piece:
            out.append(piece)
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        out.append(tail)
    return out


def _ends_sentence(paragraph: str, start: int, match: re.Match[str]) -> bool:
    """Whether a single full stop at ``match`` closes the sentence begun at ``start``."""
    before = paragraph[start : match.start(1)]
    space = before.rfind(" ")
    word = before[space + 1 :].lstrip("\"'“‘([")
    lower = word.lower()
    following = paragraph[match.end() :].lstrip("\"'“‘([")
    next_word = following.split(" ", 1)[0].rstrip(",;:.!?").lower()
    if not word:
        return True
    if lower in _HARD_ABBREVIATIONS:
        return False
    if lower in _NUMERIC_ABBREVIATIONS:
        return not following[:1].isdigit()
    if lower in _SOFT_ABBREVIATIONS or _DOTTED_ACRONYM.match(word):
        return next_word in _SENTENCE_STARTERS
    if len(word) == 1 and word.isupper():  # an initial: "J. R. Smith"
        return False
    # "1. Install the package": a list marker opening the paragraph.
    return not (space == -1 and start == 0 and _LIST_MARKER.match(word))


_BOILERPLATE = re.compile(
    r"""
    \b(?:we|this\ (?:site|website))\ uses?\ cookies\b | \baccept\ (?:all\ )?cookies\b
  | \bcookies?\ (?:policy|settings|preferences|consent|banner|notice)\b
  | \bprivacy\ (?:policy|settings|notice)\b | \bterms\ of\ (?:service|use)\b
  | \baccept\ all\b | \bmanage\ (?:your\ )?(?:preferences|consent)\b
  | \bsubscrib(?:e|ing)\b | \balready\ a\ (?:subscriber|member)\b | \bsubscribers?[-\ ]only\b
  | \bnewsletters?\b | \bsign\ (?:up|in)\b | \blog\ ?in\b | \b(?:to|in)\ your\ inbox\b
  | \bcreate\ (?:an|a\ free)\ account\b | \bfree\ trial\b | \bunsubscribe\b
  | \bbecome\ a\ (?:member|patron|supporter)\b | \bsupport\ (?:our|independent)\ journalism\b
  | \bpaywall\b | \bpremium\ (?:members?|content)\b
  | \bshare\ (?:this|on|via)\b | \bfollow\ us\b | \bcopy\ link\b | \bemail\ this\b
  | \b(?:tweet|pin)\ this\b | \bclick\ here\b | \bread\ (?:more|next|also)\b
  | \bread\ (?:the\ )?full\ (?:story|article)\b | \balso\ read\b | \bcontinue\ reading\b
  | \bsee\ also\b | \brelated\ (?:articles?|stories|posts?|reading)\b
  | \brecommended\ for\ you\b | \badvertisement\b | \bsponsored\ (?:by|content|post)\b
  | \bdownload\ (?:the|our)\ app\b | \blisten\ to\ this\ (?:article|story)\b
  | \b\d+\ min(?:ute)?\ read\b
  | \bin\ this\ (?:article|post|piece|blog\ post|tutorial|guide|essay|video|episode|issue)\b
  | \bthis\ (?:article|post|blog\ post)\b
  | \b(?:photo|image|illustration|photograph|picture|video)\ (?:credits?|courtesy|by|via)\b
  | \bgetty\ images\b | \bshutterstock\b | \bap\ photo\b | \bcourtesy\ of\b | \bstock\ photo\b
  | \b(?:written|posted|reporting|editing)\ by\b
  | \bcontributed\ (?:to\ this\ )?report(?:ing)?\b
  | \bis\ an?\ (?:senior\ |staff\ |freelance\ |contributing\ |technology\ |tech\ )?
       (?:reporter|writer|editor|correspondent|journalist|columnist)\b
  | \ball\ rights\ reserved\b | © | \bcopyright\ \d{4}\b
  | \bleave\ a\ (?:comment|reply)\b | \bjoin\ the\ conversation\b | \bthanks\ for\ reading\b
  | \bif\ you\ (?:enjoyed|liked)\ this\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Every alternative above contains one of these: a sentence without any of them
# skips the regular expression, which is slow because it is a long alternation.
_BOILERPLATE_TRIGGERS = (
    "cookie", "privacy", "terms of", "accept all", "manage your", "manage preferences",
    "manage consent", "subscri", "already a", "newsletter", "sign up", "sign in", "log in",
    "login", "inbox", "create a", "free trial", "become a", "journalism", "paywall", "premium",
    "share this", "share on", "share via", "follow us", "copy link", "email this",
    "tweet this", "pin this", "click here", "read more", "read next", "read also",
    "also read", "read the full", "read full", "continue reading", "see also", "related",
    "recommended", "advertisement", "sponsored", "download", "listen to", "min read",
    "minute read", "in this", "this article", "this post", "this blog post", "photo", "image",
    "illustration", "picture", "video", "getty", "shutterstock", "courtesy", "written by",
    "posted by", "reporting by", "editing by", "contributed", "reporter", "writer", "editor",
    "correspondent", "journalist", "columnist", "rights reserved", "©", "copyright",
    "leave a", "join the conversation", "thanks for reading", "if you enjoyed",
    "if you liked",
)  # fmt: skip
# Captions, credits and labels at the start of a line: "Photo: ...", "Figure 2 ...".
_LABEL = re.compile(
    r"""(?:photo|image|photograph|illustration|caption|credit|source|pictured|above|below|top
      |video|watch|listen|tags|topics|filed\ under|related|update|updated|editor'?s\ note)\ *:
    | fig(?:ure)?\.?\ \d+""",
    re.IGNORECASE | re.VERBOSE,
)
# "By Jane Doe", "By Jane Doe and Sam Lee | Reuters": a name and little else.
# Case matters here: "By the end of 2025, ..." is a sentence.
_BYLINE = re.compile(
    r"^By\ (?:[A-Z][\w.'’-]*\ ?){1,4}(?:(?:and|&|,)\ ?(?:[A-Z][\w.'’-]*\ ?){1,4})*"
    r"(?:[|,–—-].{0,40})?$"
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE_ONLY = re.compile(
    rf"""^(?:(?:published|updated|posted|last\ updated|modified)\ *(?:on|at)?:?\ *)?
    (?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\ *)?
    (?:{_MONTH}\ *\d{{1,2}}(?:st|nd|rd|th)?,?\ *\d{{4}}? | \d{{1,2}}\ *{_MONTH},?\ *\d{{4}}?
      | \d{{4}}-\d{{2}}-\d{{2}} | \d{{1,2}}/\d{{1,2}}/\d{{2,4}}
      | \d+\ (?:minutes?|hours?|days?)\ ago)
    (?:,?\ *(?:at\ )?\d{{1,2}}(?::\d{{2}})?\ *(?:[ap]\.?m\.?)?\ *(?:[A-Z]{{2,4}})?)?\ *\.?$""",
    re.IGNORECASE | re.VERBOSE,
)


def is_boilerplate(sentence: str) -> bool:
    """Whether ``sentence`` is page furniture rather than article content: cookie
    and subscription banners, share and "read more" prompts, captions and credits,
    bylines and author notes, bare dates, and meta phrases such as "in this post"."""
    sentence = sentence.strip()
    if not sentence:
        return True
    if _LABEL.match(sentence) or _BYLINE.match(sentence) or _DATE_ONLY.match(sentence):
        return True
    lower = sentence.lower()
    return any(t in lower for t in _BOILERPLATE_TRIGGERS) and bool(_BOILERPLATE.search(sentence))


_TOKEN = re.compile(r"[a-z0-9]+(?:[.'’-][a-z0-9]+)*")

STOPWORDS = _wordset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves it's its i'm we're they're you're don't doesn't didn't isn't aren't
    wasn't weren't can't won't i've we've you've they've one new says said"""
)


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens; keeps "gpt-4", "v2.1", "3.5" and "don't" whole."""
    return _TOKEN.findall(text.lower())


def content_words(text: str) -> list[str]:
    """The tokens of ``text`` that are not stopwords."""
    return [token for token in _TOKEN.findall(text.lower()) if token not in STOPWORDS]


def word_count(text: str) -> int:
    """Words as a reader counts them: runs of non-space characters."""
    return len(text.split())
