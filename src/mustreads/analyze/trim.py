"""Fit a long article into the model's input budget by keeping its most telling passages.

Tokens are estimated, not counted: a tokenizer per model would be a heavy
dependency for a budget that is approximate anyway. :func:`estimate_tokens`
takes the larger of *words × 1.3* (English prose runs at about 1.3 tokens a
word in the BPE vocabularies of Llama, Mistral and GPT models) and *characters
÷ 4* (which wins for code, URLs, numbers and languages without spaces), so it
errs on the side of trimming a little too much.

:func:`trim_to_budget` keeps the lead paragraph always (news puts the story
there), then adds other passages, most informative first, until the budget is
spent, and writes the kept ones in their original order. Informativeness is
TF-IDF based, each paragraph a document: a passage scores by its cosine with
the article's topic (the title and lead) plus its centrality (its cosine with
the mean of all passages), minus its likeness to what is already kept, so the
budget is not spent saying one thing twice (maximal marginal relevance).
Boilerplate (share and subscribe prompts, captions) is never kept; short
passages are discounted, and earlier passages get a slight edge.
"""

from __future__ import annotations

import math
from collections import Counter

from mustreads.analyze.text import content_words, is_boilerplate, split_paragraphs, split_sentences

WORD_TOKENS = 1.3
CHARS_PER_TOKEN = 4
SEPARATOR = "\n\n"
MAX_PASSAGE_WORDS = 150  # longer paragraphs are cut into sentence groups of about this size
SHORT_PASSAGE_WORDS = 12
POSITION_BONUS = 0.1
REDUNDANCY = 0.5  # weight of a passage's likeness to those already kept


def estimate_tokens(text: str) -> int:
    """Approximate token count: max(words × 1.3, characters ÷ 4), rounded up."""
    return max(math.ceil(len(text.split()) * WORD_TOKENS), math.ceil(len(text) / CHARS_PER_TOKEN))


def trim_to_budget(text: str, max_tokens: int, *, title: str | None = None) -> str:
    """``text`` unchanged if it fits in ``max_tokens``, else its lead and best passages.

    The result's :func:`estimate_tokens` is never above ``max_tokens``.
    """
    if estimate_tokens(text) <= max_tokens:
        return text
    passages = _passages(text)
    if not passages:
        return ""
    lead_cost = estimate_tokens(passages[0])
    if lead_cost >= max_tokens:
        return _cut_words(passages[0], max_tokens)
    budget = max_tokens - lead_cost
    separator_cost = math.ceil(len(SEPARATOR) / CHARS_PER_TOKEN)
    costs = [estimate_tokens(passage) + separator_cost for passage in passages]
    vectors = _tfidf_vectors([f"{title or ''} {passages[0]}", *passages])
    topic, vectors = vectors[0], vectors[1:]
    centroid = _normalized(_sum(vectors))
    base = [
        _cosine(vector, topic) + _cosine(vector, centroid) + _prior(passage, index, len(passages))
        for index, (passage, vector) in enumerate(zip(passages, vectors, strict=True))
    ]
    kept = [0]
    likeness = [_cosine(vector, vectors[0]) for vector in vectors]  # to the kept passages
    candidates = {i for i in range(1, len(passages)) if not is_boilerplate(passages[i])}
    while candidates:
        candidates = {i for i in candidates if costs[i] <= budget}
        if not candidates:
            break
        best = max(candidates, key=lambda i: (base[i] - REDUNDANCY * likeness[i], -i))
        candidates.remove(best)
        kept.append(best)
        budget -= costs[best]
        likeness = [
            max(old, _cosine(v, vectors[best])) for old, v in zip(likeness, vectors, strict=True)
        ]
    trimmed = SEPARATOR.join(passages[i] for i in sorted(kept))
    # The sum of the parts bounds the whole, but check: the promise is the budget.
    while estimate_tokens(trimmed) > max_tokens and len(kept) > 1:
        kept.pop()
        trimmed = SEPARATOR.join(passages[i] for i in sorted(kept))
    return trimmed


def _passages(text: str) -> list[str]:
    """Paragraphs, with very long ones cut at sentence boundaries into smaller passages."""
    passages: list[str] = []
    for paragraph in split_paragraphs(text):
        if len(paragraph.split()) <= MAX_PASSAGE_WORDS:
            passages.append(paragraph)
            continue
        group: list[str] = []
        words = 0
        for sentence in split_sentences(paragraph):
            if group and words + len(sentence.split()) > MAX_PASSAGE_WORDS:
                passages.append(" ".join(group))
                group, words = [], 0
            group.append(sentence)
            words += len(sentence.split())
        if group:
            passages.append(" ".join(group))
    return passages


Vector = dict[str, float]


def _tfidf_vectors(documents: list[str]) -> list[Vector]:
    """Unit-length sublinear TF-IDF vectors, each document its own document."""
    bags = [Counter(_terms(document)) for document in documents]
    frequency: Counter[str] = Counter()
    for bag in bags:
        frequency.update(bag.keys())
    count = len(documents)
    return [
        _normalized(
            {
                word: (1 + math.log(tf)) * math.log(1 + count / frequency[word])
                for word, tf in bag.items()
            }
        )
        for bag in bags
    ]


def _terms(text: str) -> list[str]:
    """Content words, hyphenated ones split ("kestrel-70b"), plurals folded."""
    terms = []
    for word in content_words(text):
        for part in word.split("-"):
            if len(part) > 3 and part.endswith("s") and not part.endswith("ss"):
                part = part[:-1]
            if part:
                terms.append(part)
    return terms


def _sum(vectors: list[Vector]) -> Vector:
    total: Counter[str] = Counter()
    for vector in vectors:
        total.update(vector)
    return dict(total)


def _normalized(vector: Vector) -> Vector:
    norm = math.sqrt(sum(weight * weight for weight in vector.values())) or 1.0
    return {word: weight / norm for word, weight in vector.items()}


def _cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(word, 0.0) for word, weight in a.items())


def _prior(passage: str, position: int, count: int) -> float:
    """Adjustments that do not depend on the words: shortness and position."""
    words = len(passage.split())
    prior = POSITION_BONUS * (1 - position / count)
    if words < SHORT_PASSAGE_WORDS:
        prior -= 0.5 * (1 - words / SHORT_PASSAGE_WORDS)
    return prior


def _cut_words(text: str, max_tokens: int) -> str:
    """The longest prefix of whole words of ``text`` that fits in ``max_tokens``."""
    words = text.split()
    low, high = 0, len(words)
    while low < high:  # binary search on the number of words kept
        middle = (low + high + 1) // 2
        if estimate_tokens(" ".join(words[:middle])) <= max_tokens:
            low = middle
        else:
            high = middle - 1
    return " ".join(words[:low])
