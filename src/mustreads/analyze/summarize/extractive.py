"""The offline summarizer: picks 2–3 of the article's own sentences.

Faithful by construction: every summary sentence is a sentence of the article,
verbatim but for collapsed whitespace and a stripped dateline ("LONDON — ").

How a sentence is scored:

* **content** — half TextRank centrality over a TF-IDF sentence graph, half
  similarity to the whole article; plus similarity to the title;
* **position** — the lead of a news story beats any graph method, so for news
  the first sentences get a strong prior; essays and tutorials get a weak one,
  and a small bonus for opening a paragraph (topic sentences);
* **register** — a curator writes in the third person and without dangling
  references, so sentences opening with "However"/"This"/"It", first- and
  second-person sentences, and direct quotes lose a little.

Page furniture (cookie and subscription banners, share prompts, captions,
bylines, dates, "in this post") never qualifies, nor do questions, headings,
sentences ending with a colon, and very short or very long sentences. The
chosen sentences are de-duplicated (MMR with a hard similarity cap), fitted
into ``max_sentences`` and ``max_words``, and kept in the article's order.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from mustreads.analyze.summarize import SummaryCache
from mustreads.analyze.text import content_words, is_boilerplate, split_paragraphs, split_sentences
from mustreads.config import Settings
from mustreads.models import Article, ArticleStatus, Kind, Summary

__all__ = ["ExtractiveSummarizer"]

MIN_SENTENCE_WORDS = 6
MAX_SENTENCE_WORDS = 45
REDUNDANCY_CAP = 0.55  # cosine similarity above which a sentence repeats one already chosen
MMR_LAMBDA = 0.5  # weight of the redundancy penalty below that cap


@dataclass(frozen=True, slots=True)
class Weights:
    """How the parts of a sentence's score are mixed, for news or for the rest.

    The position prior is ``lead / (1 + decay * rank)``, rank counting the
    candidate sentences from 0; content (graph centrality, similarity to the
    article and to the title) is scaled by ``content``.
    """

    lead: float
    decay: float
    content: float
    paragraph_opener: float  # bonus for a sentence that opens a paragraph
    quote: float  # penalty for a direct quotation


NEWS = Weights(lead=1.2, decay=0.7, content=0.35, paragraph_opener=0.0, quote=0.1)
ESSAY = Weights(lead=0.3, decay=0.3, content=1.0, paragraph_opener=0.08, quote=0.05)
TITLE_WEIGHT = 0.4
DANGLING_PENALTY = 0.2  # "However, ...", "This ...", "It ..." away from the lead
PERSONAL_PENALTY = 0.12  # "I", "we", "you": a curator writes in the third person
SHORT_WORDS = 10
SHORT_PENALTY = 0.05

_TERMINAL = re.compile(r"[.!][\"'”’)\]]*$")
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'-]{2,}(?:\s+[A-Z][A-Z.'-]+){0,3}(?:,\s*[A-Z][\w.]*){0,2}\s*"
    r"(?:\([^)]{1,40}\))?\s*[—–-]{1,2}\s+(?=[A-Z0-9\"“])"
)
_DANGLING = re.compile(
    r"^(?:however|but|and|or|so|also|still|yet|instead|then|thus|therefore|this|that|these|"
    r"those|it|its|it's|they|their|he|she|his|her|such|both|which|here|there)\b",
    re.IGNORECASE,
)
_PERSONAL = re.compile(r"\b(?:I|I'm|I've|my|we|we'll|we're|our|us|you|your|you'll|let's)\b")
_QUOTE = re.compile(r"[\"“”]")
_URL = re.compile(r"https?://|www\.")


@dataclass(slots=True)
class _Sentence:
    index: int  # position among all sentences of the article
    text: str
    words: int
    opens_paragraph: bool


class ExtractiveSummarizer:
    """Extractive summaries; see the module docstring for how sentences are chosen."""

    name = "extractive"

    def __init__(self, settings: Settings, *, cache: SummaryCache | None = None) -> None:
        # ``cache`` is part of every summarizer's signature; extractive summaries
        # cost less to compute than to look up, so it is not used.
        self.settings = settings
        analyze = settings.analyze
        self.min_sentences = min(analyze.min_sentences, analyze.max_sentences)
        self.max_sentences = analyze.max_sentences
        self.max_words = analyze.max_words
        self._classify: Callable[[str | None, str, str | None], Kind] | None = None

    def summarize(
        self,
        articles: Sequence[Article],
        progress: Callable[[int], None] | None = None,
        *,
        kinds: Sequence[Kind | None] | None = None,
    ) -> list[Summary]:
        summaries = []
        for i, article in enumerate(articles):
            kind = kinds[i] if kinds is not None else None
            summaries.append(self.summarize_article(article, kind=kind))
            if progress is not None:
                progress(1)
        return summaries

    def summarize_article(self, article: Article, *, kind: Kind | None = None) -> Summary:
        """``kind`` chooses the position prior; when None, the kind classifier decides."""
        if article.status is not ArticleStatus.OK:
            return Summary("", self.name, error=f"article is {article.status.value}")
        text = article.text or article.fallback_text or ""
        if not text.strip():
            return Summary("", self.name, error="article has no text")
        if kind is None:
            is_news = self._is_news(article.title, text, article.site_name)
        else:
            is_news = kind is Kind.EVENT
        summary = self.summarize_text(text, article.title, is_news=is_news)
        if not summary:
            return Summary("", self.name, error="no sentence fit for a summary")
        return Summary(summary, self.name)

    def summarize_text(
        self, text: str, title: str | None = None, *, is_news: bool | None = None
    ) -> str:
        """The summary of ``text``: up to ``max_sentences`` of its sentences in their
        order, at most ``max_words`` words; empty when no sentence qualifies.

        ``is_news`` chooses the position prior; when None the kind classifier decides.
        """
        sentences = _sentences(text)
        if is_news is None:
            is_news = self._is_news(title, text, None)
        candidates = [s for s in sentences if self._qualifies(s, title, strict=True)]
        if len(candidates) < self.min_sentences:
            candidates = [s for s in sentences if self._qualifies(s, title, strict=False)]
        if not candidates:
            return ""
        scores, vectors = _score(candidates, title, is_news=is_news)
        chosen = self._select(candidates, scores, vectors)
        return " ".join(candidates[i].text for i in sorted(chosen))

    def _is_news(self, title: str | None, text: str, site_name: str | None) -> bool:
        if self._classify is None:
            from mustreads.analyze.classify import LinearClassifier

            self._classify = LinearClassifier(self.settings).classify_text
        return self._classify(title, text, site_name) is Kind.EVENT

    def _qualifies(self, sentence: _Sentence, title: str | None, *, strict: bool) -> bool:
        text = sentence.text
        if sentence.words > min(MAX_SENTENCE_WORDS, self.max_words) or is_boilerplate(text):
            return False
        if text.endswith(("?", ":", '?"', "?”")) or _URL.search(text):
            return False
        if title and _normalized(text) == _normalized(title):
            return False
        if not strict:
            return sentence.words >= 4
        letters = sum(ch.isalpha() for ch in text)
        return (
            sentence.words >= MIN_SENTENCE_WORDS
            and _TERMINAL.search(text) is not None
            and letters >= 0.6 * len(text)
        )

    def _select(
        self, candidates: list[_Sentence], scores: np.ndarray, vectors: np.ndarray
    ) -> list[int]:
        """Greedy MMR within the sentence and word budgets.

        While fewer than ``min_sentences`` are chosen, a sentence is taken only if
        some other sentence would still fit after it, so that the summary can reach
        its minimum length.
        """
        chosen: list[int] = []
        budget = self.max_words
        lengths = [c.words for c in candidates]
        while len(chosen) < self.max_sentences:
            best, best_value = -1, -math.inf
            for i in range(len(candidates)):
                if i in chosen or lengths[i] > budget:
                    continue
                overlap = max((float(vectors[i] @ vectors[j]) for j in chosen), default=0.0)
                if overlap > REDUNDANCY_CAP:
                    continue
                if len(chosen) + 1 < self.min_sentences:
                    rest = [
                        lengths[j] for j in range(len(candidates)) if j != i and j not in chosen
                    ]
                    if not rest or min(rest) > budget - lengths[i]:
                        continue
                value = float(scores[i]) - MMR_LAMBDA * overlap
                if value > best_value:
                    best, best_value = i, value
            if best < 0:
                break
            chosen.append(best)
            budget -= lengths[best]
        return chosen


def _sentences(text: str) -> list[_Sentence]:
    out: list[_Sentence] = []
    for paragraph in split_paragraphs(text):
        for position, sentence in enumerate(split_sentences(paragraph)):
            if position == 0:  # a dateline opens a paragraph, usually the first
                sentence = _DATELINE.sub("", sentence, count=1)
            out.append(_Sentence(len(out), sentence, len(sentence.split()), position == 0))
    return out


def _normalized(text: str) -> str:
    return " ".join(content_words(text))


def _stems(text: str) -> list[str]:
    # A light plural fold is enough to link "model" and "models" in a graph.
    return [
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
        for w in content_words(text)
    ]


def _score(
    candidates: list[_Sentence], title: str | None, *, is_news: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Scores of the candidates and their unit TF-IDF vectors."""
    bags = [_stems(c.text) for c in candidates]
    vocabulary: dict[str, int] = {}
    for bag in bags:
        for word in bag:
            vocabulary.setdefault(word, len(vocabulary))
    n = len(candidates)
    counts = np.zeros((n, max(len(vocabulary), 1)))
    for row, bag in enumerate(bags):
        for word in bag:
            counts[row, vocabulary[word]] += 1.0
    document_frequency = (counts > 0).sum(axis=0)
    idf = np.log((n + 1) / (document_frequency + 1)) + 1.0
    log_counts = np.zeros_like(counts)
    np.log(counts, out=log_counts, where=counts > 0)
    vectors = np.where(counts > 0, (1.0 + log_counts) * idf, 0.0)
    vectors = _unit_rows(vectors)

    centroid = _unit_rows(vectors.sum(axis=0, keepdims=True))[0]
    content = 0.5 * _rescale(_textrank(vectors)) + 0.5 * _rescale(vectors @ centroid)
    if title:
        title_vector = np.zeros(vectors.shape[1])
        for word in _stems(title):
            if word in vocabulary:
                title_vector[vocabulary[word]] = idf[vocabulary[word]]
        norm = float(np.linalg.norm(title_vector))
        if norm > 0:
            content = content + TITLE_WEIGHT * (vectors @ (title_vector / norm))

    weights = NEWS if is_news else ESSAY
    position = weights.lead / (1.0 + weights.decay * np.arange(n, dtype=float))
    scores = weights.content * content + position
    for i, c in enumerate(candidates):
        if c.opens_paragraph:
            scores[i] += weights.paragraph_opener
        if i > 0 and _DANGLING.match(c.text):
            scores[i] -= DANGLING_PENALTY
        if _PERSONAL.search(c.text):
            scores[i] -= PERSONAL_PENALTY
        if _QUOTE.search(c.text):
            scores[i] -= weights.quote
        if c.words < SHORT_WORDS:
            scores[i] -= SHORT_PENALTY
    return scores, vectors


def _textrank(vectors: np.ndarray, damping: float = 0.85, iterations: int = 40) -> np.ndarray:
    """PageRank over the cosine-similarity graph of the sentences."""
    n = vectors.shape[0]
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, 0.0)
    out_weight = similarity.sum(axis=1, keepdims=True)
    transition = np.divide(
        similarity, out_weight, out=np.full_like(similarity, 1.0 / n), where=out_weight > 0
    )
    rank = np.full(n, 1.0 / n)
    for _ in range(iterations):
        updated: np.ndarray = (1.0 - damping) / n + damping * (transition.T @ rank)
        if float(np.abs(updated - rank).sum()) < 1e-6:
            return updated
        rank = updated
    return rank


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: np.ndarray = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    return unit


def _rescale(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if values.size else 0.0
    return values / top if top > 0 else values
