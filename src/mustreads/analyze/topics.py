"""Topics: which entries of the publication's taxonomy an article is about.

A topic is a list of keywords and phrases (``analyze.topics`` in the
settings). Each is matched case-insensitively on word boundaries, so "act"
does not match "impact"; single words also match their plural ("model" finds
"models") and a space in a phrase matches a space or a hyphen. A hit in the
title counts TITLE_WEIGHT times a hit in the text. A topic needs MIN_SCORE to
be assigned; the best ``limit`` topics are returned, ties in taxonomy order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from mustreads.models import Article

__all__ = ["assign_topics", "topic_scores"]

TITLE_WEIGHT = 3.0
MIN_SCORE = 2.0


def assign_topics(
    article: Article, taxonomy: Mapping[str, Sequence[str]], limit: int = 3
) -> list[str]:
    """The names of the best ``limit`` topics of ``article``, best first."""
    scores = topic_scores(
        article.title or "", article.text or article.fallback_text or "", taxonomy
    )
    order = list(taxonomy)
    ranked = sorted(
        (name for name, score in scores.items() if score >= MIN_SCORE),
        key=lambda name: (-scores[name], order.index(name)),
    )
    return ranked[: max(limit, 0)]


def topic_scores(title: str, text: str, taxonomy: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """The score of every topic: text hits plus TITLE_WEIGHT times title hits."""
    scores: dict[str, float] = {}
    for name, keywords in taxonomy.items():
        pattern = _pattern(tuple(keywords))
        if pattern is None:
            scores[name] = 0.0
            continue
        scores[name] = TITLE_WEIGHT * len(pattern.findall(title)) + len(pattern.findall(text))
    return scores


@lru_cache(maxsize=256)
def _pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    alternatives = []
    for keyword in keywords:
        words = keyword.lower().split()
        if not words:
            continue
        phrase = r"[\s-]+".join(re.escape(word) for word in words)
        if len(words) == 1 and keyword[-1:].isalpha():
            phrase += "(?:s|es)?"
        alternatives.append(phrase)
    if not alternatives:
        return None
    # Longest first, so that "chain of thought" wins over "thought" at one place.
    alternatives.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)
