"""Is a generated summary supported by its source? A cheap, explainable check.

For each sentence of the summary :func:`check_grounding` finds the source
passage (one to three consecutive source sentences) that shares the most
content words with it, after dropping stopwords and reporting verbs and after
light stemming, and then demands:

* every number of the sentence (``70B``, ``$400 million``, ``3.5%``, ``2025``,
  ``seven``) appears in the source with the same value, anywhere;
* every capitalized name (``Mistral``, ``GPT-4o``, ``Paris``) appears in the
  source, anywhere, in any case;
* the best passage covers at least :data:`MIN_OVERLAP` of the sentence's
  content words, or, for a sentence that gathers facts from several places,
  :data:`MIN_SPREAD_OVERLAP` of them while :data:`MIN_DOC_COVERAGE` are found
  somewhere in the source.

A faithful paraphrase keeps the article's names, numbers and most of its
content words; a fabricated sentence brings a number, a name or a claim of its
own. The check is lexical: it does not understand negation or a swapped
subject, so it catches invention, not every distortion.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from mustreads.analyze.text import split_sentences

MIN_OVERLAP = 0.5
MIN_SPREAD_OVERLAP = 0.34
MIN_DOC_COVERAGE = 0.75
WINDOW = 3  # a summary sentence may merge up to three consecutive source sentences

_STOPWORDS = frozenset(
    """a about above after again against all almost along already also although am among an
    and another any are around as at be became because become been before being below
    between both but by can cannot could did do does doing done down during each either
    else enough even ever every few for from further get gets got had has have having he
    her here hers him his how however i if in into is it its itself just least less like
    made make makes many may me might more most much must my neither no nor not now of
    off often on once one only onto or other others our out over own per quite rather
    same she should since so some still such than that the their them themselves then
    there these they this those though through thus to too toward towards under until up
    upon us use used uses using very via was way ways we well were what whatever when
    where whether which while who whom whose why will with within without would yet you
    your""".split()  # noqa: SIM905 - a word list reads better as prose
)
# Words a summary uses to talk about the article rather than to state its facts.
_META_WORDS = frozenset(
    """article articles piece post essay blog author authors writer writes wrote write say
    says said argue argues argued explain explains explained describe describes described
    detail details detailed outline outlines outlined discuss discusses discussed cover
    covers covered note notes noted highlight highlights highlighted according readers
    reader matter matters important key overview summary claim claims claimed report
    reports reported suggest suggests suggested walk walks through""".split()  # noqa: SIM905
)
# Capitalized words that are not claims about the world.
_GENERIC_NAMES = frozenset({"ai", "ml", "llm", "llms", "api", "apis", "ceo"})

_UNITS = "two three four five six seven eight nine ten eleven twelve"
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety"
_NUMBER_WORDS = {word: n for n, word in enumerate(_UNITS.split(), start=2)}
_NUMBER_WORDS |= {word: 10 * n for n, word in enumerate(_TENS.split(), start=2)}
_SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9}
_SCALES |= {"bn": 1e9, "billion": 1e9, "t": 1e12, "trillion": 1e12}
_NUMBER = re.compile(
    r"""
    (?<![\w.,])
    (?:[$€£¥]\s?)?
    (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)
    (?:
        \s?(?P<suffix>[kKmMbBtT]|bn|mn)(?![a-zA-Z])
      | [\s-](?P<scale>thousand|million|billion|trillion)s?\b
      | (?:st|nd|rd|th|x)(?![a-zA-Z])
    )?
    (?:\s?%|\s?percent\b|\s?per\scent\b)?
    (?!\w)
    """,
    re.VERBOSE,
)
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
_TOKEN = re.compile(r"[^\W_]+(?:['’.&-][^\W_]+)*")
_WORD = re.compile(r"[^\W\d_][^\W_]*|\d+[^\W\d_]+[^\W_]*")
_POSSESSIVE = re.compile(r"['’]s?$")


@dataclass(frozen=True, slots=True)
class SentenceCheck:
    """How one summary sentence fared; ``reason`` is None when it passed."""

    sentence: str
    passage: str  # the best-matching source passage ("" when none shares a word)
    overlap: float  # share of the sentence's content words found in that passage
    coverage: float  # share of them found anywhere in the source
    missing_numbers: tuple[str, ...] = ()
    missing_names: tuple[str, ...] = ()
    reason: str | None = None

    @property
    def passed(self) -> bool:
        return self.reason is None


@dataclass(frozen=True, slots=True)
class GroundingReport:
    sentences: tuple[SentenceCheck, ...]

    @property
    def grounded(self) -> bool:
        """True only when there is a summary and every one of its sentences passed."""
        return bool(self.sentences) and all(check.passed for check in self.sentences)

    @property
    def failures(self) -> list[SentenceCheck]:
        return [check for check in self.sentences if not check.passed]

    def describe(self) -> str:
        """One line naming each failing sentence and why, for the row's error column."""
        if not self.sentences:
            return "the summary is empty"
        return "; ".join(f"{_shorten(check.sentence)!r}: {check.reason}" for check in self.failures)


def check_grounding(summary: str, source: str) -> GroundingReport:
    """Check every sentence of ``summary`` against ``source`` (the article, title first)."""
    source_sentences = split_sentences(source)
    source_bags = [_content_stems(sentence) for sentence in source_sentences]
    vocabulary = set().union(*source_bags) if source_bags else set()
    source_numbers = _number_values(source, with_unscaled=True)
    source_names = _name_forms(source)
    checks = [
        _check_sentence(
            sentence, source_sentences, source_bags, vocabulary, source_numbers, source_names
        )
        for sentence in split_sentences(summary)
    ]
    return GroundingReport(tuple(checks))


def _check_sentence(
    sentence: str,
    source_sentences: list[str],
    source_bags: list[set[str]],
    vocabulary: set[str],
    source_numbers: list[float],
    source_names: set[str],
) -> SentenceCheck:
    stems = _content_stems(sentence)
    # For each content word of the sentence, the source stems that count as it.
    matches = {stem: _matching_stems(stem, vocabulary) for stem in stems}
    found_anywhere = [stem for stem, forms in matches.items() if forms]
    coverage = len(found_anywhere) / len(stems) if stems else 1.0
    best, best_passage = 0.0, ""
    for start in range(len(source_bags)):
        window: set[str] = set()
        for end in range(start, min(start + WINDOW, len(source_bags))):
            window |= source_bags[end]
            if not stems:
                break
            covered = sum(1 for forms in matches.values() if forms & window)
            # A wider window must earn its place: one sentence wins ties.
            score = covered / len(stems) - 0.01 * (end - start)
            if score > best:
                best = score
                best_passage = " ".join(source_sentences[start : end + 1])
    overlap = max(best, 0.0) if stems else 1.0
    missing_numbers = tuple(
        text
        for text, value in _numbers(sentence)
        if not any(math.isclose(value, known, rel_tol=1e-6) for known in source_numbers)
    )
    missing_names = tuple(
        name
        for name, opens_sentence in _names(sentence)
        if not _name_known(name, source_names)
        # The first word may be a plain word in capitals: any form of it in the source will do.
        and not (opens_sentence and _matching_stems(_stem(name), vocabulary))
    )
    reasons = []
    if missing_numbers:
        reasons.append(f"number {', '.join(missing_numbers)} not in the source")
    if missing_names:
        reasons.append(f"name {', '.join(missing_names)} not in the source")
    supported = overlap >= MIN_OVERLAP or (
        overlap >= MIN_SPREAD_OVERLAP and coverage >= MIN_DOC_COVERAGE
    )
    if not supported:
        unknown = [stem for stem in stems if not matches[stem]]
        detail = f"; unknown words: {', '.join(unknown[:5])}" if unknown else ""
        reasons.append(f"no passage of the source supports it (overlap {overlap:.2f}{detail})")
    return SentenceCheck(
        sentence=sentence,
        passage=best_passage,
        overlap=round(overlap, 3),
        coverage=round(coverage, 3),
        missing_numbers=missing_numbers,
        missing_names=missing_names,
        reason="; ".join(reasons) or None,
    )


def _stem(word: str) -> str:
    """Light suffix stripping, enough to equate "released", "releases" and "release"."""
    word = _POSSESSIVE.sub("", word.lower())
    for suffix in (
        "ations",
        "ation",
        "ingly",
        "edly",
        "ings",
        "ing",
        "ies",
        "ied",
        "ed",
        "es",
        "ly",
        "s",
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):
                break
            word = word[: -len(suffix)] + ("i" if suffix in ("ies", "ied") else "")
            break
    if len(word) > 3 and word.endswith("y"):
        word = word[:-1] + "i"
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def _content_stems(text: str) -> set[str]:
    words = (word.lower() for word in _WORD.findall(text.replace("-", " ")))
    return {
        _stem(word)
        for word in words
        if len(word) > 1 and word not in _STOPWORDS and word not in _META_WORDS
    }


def _matching_stems(stem: str, vocabulary: set[str]) -> set[str]:
    """Source stems equal to ``stem`` or sharing it as a prefix of five letters or more."""
    if stem in vocabulary:
        return {stem}
    if len(stem) < 5:
        return set()
    return {
        known
        for known in vocabulary
        if len(known) >= 5 and (known.startswith(stem) or stem.startswith(known))
    }


def _numbers(text: str) -> Iterable[tuple[str, float]]:
    for match in _NUMBER.finditer(text):
        value = float(match["num"].replace(",", ""))
        scale = (match["suffix"] or match["scale"] or "").lower()
        yield match[0].strip(), value * _SCALES.get(scale, 1.0)
    for match in _NUMBER_WORD.finditer(text):
        word = match[0].lower()
        after = text[match.end() : match.end() + 12].lower()
        scale = next(
            (
                name
                for name in ("thousand", "million", "billion", "trillion")
                if after.lstrip(" -").startswith(name)
            ),
            "",
        )
        yield match[0], _NUMBER_WORDS[word] * _SCALES.get(scale, 1.0)


def _number_values(text: str, *, with_unscaled: bool) -> list[float]:
    values = [value for _, value in _numbers(text)]
    if with_unscaled:  # "400 million" in the source supports a bare "400" in the summary
        values += [float(match["num"].replace(",", "")) for match in _NUMBER.finditer(text)]
    return values


def _names(sentence: str) -> list[tuple[str, bool]]:
    """Capitalized words (``Mistral``, ``GPT-4o``), each with whether it opens the sentence
    (then it may just be a capitalized common word: "Researchers found …")."""
    names = []
    for position, match in enumerate(_TOKEN.finditer(sentence)):
        token = _POSSESSIVE.sub("", match[0]).rstrip(".")
        if token[:1].isdigit() or not any(char.isupper() for char in token):
            continue  # "70B", "3.5%": numbers are checked as numbers
        lowered = token.lower()
        if lowered in _STOPWORDS or lowered in _GENERIC_NAMES or lowered in _META_WORDS:
            continue
        odd_case = any(char.isupper() or char.isdigit() for char in token[1:])
        names.append((token, position == 0 and not odd_case))
    return names


def _name_forms(source: str) -> set[str]:
    forms: set[str] = set()
    for match in _TOKEN.finditer(source):
        token = _POSSESSIVE.sub("", match[0]).rstrip(".").lower()
        forms.add(token)
        forms.add(_stem(token))
        forms.update(part for part in re.split(r"[-.&'’]", token) if part)
    return forms


def _name_known(name: str, source_forms: set[str]) -> bool:
    lowered = name.lower()
    if lowered in source_forms or _stem(lowered) in source_forms:
        return True
    # "Llama-3.1" against a source that writes "Llama 3.1": every part must be there.
    parts = [part for part in re.split(r"[-.&'’]", lowered) if part]
    return len(parts) > 1 and all(part in source_forms for part in parts)


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
