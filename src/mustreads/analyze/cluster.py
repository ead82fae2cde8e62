"""Stories: articles from different sites about the same event, within a time window.

Each article gets two sparse vectors: TF-IDF of the content words of its title
(counted twice) and lead, and TF-IDF of its named entities, model names and
amounts ("Nimbus", "orion-2", "$400m", "70b"). The similarity of two articles
is a weighted sum of the two cosines: the words say what kind of event it is,
the entities say which one, so two model releases the same week by different
companies stay apart while two write-ups of one release come together.

Comparing every pair would be quadratic. Candidate pairs come from blocking
instead: articles that share at least two keys (their twelve most distinctive
entities and eight rarest words) and were published within the window of each
other; a key that
more than ``MAX_BLOCK`` articles share around one date is ignored, so the work
stays linear in the number of articles. Candidates above the threshold are
merged strongest first, average-linkage style: two groups join only if their
mean pairwise similarity is still high enough and the joined group spans no more
than the window, so a chain of day-apart articles cannot drift into a month.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mustreads.analyze.features import (
    SparseRows,
    article_id,
    article_time,
    content_terms,
    cosine,
    lead,
    named_entities,
    sorted_by_id,
    tfidf_rows,
)
from mustreads.errors import UserError
from mustreads.models import Article, Kind, Story

WORD_WEIGHT = 0.5  # share of the word cosine in the similarity; the rest is entities
PAIR_THRESHOLD = 0.35  # a candidate pair this similar may start or grow a story
LINK_THRESHOLD = 0.26  # two groups join only if their mean pairwise similarity reaches this
LEAD_WORDS = 90
BLOCK_WORDS = 8  # rarest words per article used as blocking keys
BLOCK_ENTITIES = 12  # and its most distinctive entities
MAX_BLOCK = 60  # a key shared by more articles within one window is too common to block on
# An entity vector shorter than this (in TF-IDF units: about two distinctive names)
# is not scaled up to length 1, so sharing one common name is not "the same story".
ENTITY_EVIDENCE = 3.0
MIN_SHARED_KEYS = 2  # candidates share this many keys (fewer only if one has fewer keys)

_DAY = 86400.0
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass(slots=True)
class _Corpus:
    articles: list[Article]  # sorted by id
    times: F64  # days since the epoch
    groupable: npt.NDArray[np.bool_]
    words: SparseRows
    entities: SparseRows

    def vector(self, i: int) -> tuple[dict[int, float], dict[int, float]]:
        return self.words.row(i), self.entities.row(i)


@dataclass(slots=True)
class _Group:
    members: list[int]
    start: float
    end: float
    words: dict[int, float]  # sum of the members' vectors
    entities: dict[int, float]


def cluster_stories(
    articles: Sequence[Article],
    kinds: Mapping[int, Kind] | None = None,
    *,
    window_days: float = 4.0,
) -> list[Story]:
    """Group the articles into stories; every article ends in exactly one story.

    When ``kinds`` is given, only articles of kind ``event`` are grouped; the
    others (and articles it does not mention) stay single. Articles published
    more than ``window_days`` apart never share a story; an article without a
    date counts as published when it was extracted. Stories come ordered by when
    they were first seen, then by their lowest article id.
    """
    if window_days <= 0:
        raise UserError(f"story window must be positive, not {window_days} days")
    corpus = _corpus(articles, kinds)
    groups = _group(corpus, window_days)
    stories = [_story(corpus, members) for members in groups]
    stories.sort(key=lambda s: (_first_time(s), min(s.article_ids)))
    return stories


def _corpus(articles: Sequence[Article], kinds: Mapping[int, Kind] | None) -> _Corpus:
    ordered = sorted_by_id(articles)
    return _Corpus(
        articles=ordered,
        times=np.array([article_time(a).timestamp() / _DAY for a in ordered], dtype=np.float64),
        groupable=np.array(
            [kinds is None or kinds.get(article_id(a)) is Kind.EVENT for a in ordered]
        ),
        words=tfidf_rows([_word_terms(a) for a in ordered]),
        entities=tfidf_rows(
            [named_entities(a.title, lead(_body(a), 2 * LEAD_WORDS)) for a in ordered],
            min_norm=ENTITY_EVIDENCE,
        ),
    )


def _body(article: Article) -> str:
    return article.text or article.fallback_text or ""


def _word_terms(article: Article) -> list[str]:
    title = content_terms(article.title)
    return title + title + content_terms(lead(_body(article), LEAD_WORDS))


def _similarities(corpus: _Corpus, left: I64, right: I64) -> F64:
    """How likely each pair reports the same event, from 0 to 1."""
    words = corpus.words.pair_dots(left, right)
    entities = corpus.entities.pair_dots(left, right)
    sims: F64 = WORD_WEIGHT * words + (1 - WORD_WEIGHT) * entities
    return sims


def _blocking_keys(corpus: _Corpus) -> tuple[I64, I64]:
    """(key, row) for every groupable row: its heaviest entities and words by TF-IDF."""
    keys: list[int] = []
    rows: list[int] = []
    # Word keys live after the entity keys, so the two never collide.
    for vectors, limit, offset in (
        (corpus.entities, BLOCK_ENTITIES, 0),
        (corpus.words, BLOCK_WORDS, corpus.entities.width),
    ):
        for i in np.flatnonzero(corpus.groupable).tolist():
            lo, hi = int(vectors.indptr[i]), int(vectors.indptr[i + 1])
            top = np.argsort(-vectors.data[lo:hi], kind="stable")[:limit]
            own = (vectors.indices[lo:hi][top] + offset).tolist()
            keys.extend(own)
            rows.extend([i] * len(own))
    return np.array(keys, dtype=np.int64), np.array(rows, dtype=np.int64)


def _candidate_pairs(corpus: _Corpus, window_days: float) -> tuple[I64, I64]:
    """Pairs (i < j) that share blocking keys and lie within the window of each other."""
    keys, rows = _blocking_keys(corpus)
    if len(keys) < 2:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    times = corpus.times[rows]
    order = np.lexsort((rows, times, keys))
    keys, rows, times = keys[order], rows[order], times[order]
    # Drop keys that are too common around their time: they would make pairs by the thousand.
    span = float(times.max() - times.min()) + 2 * window_days + 1.0
    position = keys * span + (times - times.min())
    before = np.searchsorted(position, position - window_days, side="left")
    after = np.searchsorted(position, position + window_days, side="right")
    keep = after - before <= MAX_BLOCK
    keys, rows, times = keys[keep], rows[keep], times[keep]
    lefts: list[I64] = []
    rights: list[I64] = []
    for offset in range(1, MAX_BLOCK + 1):
        near = (keys[offset:] == keys[:-offset]) & (times[offset:] - times[:-offset] <= window_days)
        if not near.any():
            break  # sorted by key and time: no pair this far apart means none further
        a, b = rows[:-offset][near], rows[offset:][near]
        lefts.append(np.minimum(a, b))
        rights.append(np.maximum(a, b))
    if not lefts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    n = len(corpus.articles)
    codes, shared = np.unique(
        np.concatenate(lefts) * n + np.concatenate(rights), return_counts=True
    )
    left, right = codes // n, codes % n
    own_keys = np.bincount(rows, minlength=n)
    needed = np.minimum(MIN_SHARED_KEYS, np.minimum(own_keys[left], own_keys[right]))
    enough = (shared >= needed) & (left != right)
    return left[enough], right[enough]


def _group(corpus: _Corpus, window_days: float) -> list[list[int]]:
    left, right = _candidate_pairs(corpus, window_days)
    sims = _similarities(corpus, left, right)
    strong = sims >= PAIR_THRESHOLD
    left, right, sims = left[strong], right[strong], sims[strong]
    order = np.lexsort((right, left, -sims))  # strongest first; ties by ids, for determinism
    groups: dict[int, _Group] = {}
    owner: dict[int, int] = {}

    def group_of(i: int) -> _Group:
        if i not in owner:
            owner[i] = i
            t = float(corpus.times[i])
            words, entities = corpus.vector(i)
            groups[i] = _Group([i], t, t, words, entities)
        return groups[owner[i]]

    for i, j in zip(left[order].tolist(), right[order].tolist(), strict=True):
        a, b = group_of(i), group_of(j)
        if a is b or max(a.end, b.end) - min(a.start, b.start) > window_days:
            continue
        if _mean_similarity(a, b) < LINK_THRESHOLD:
            continue
        keep, gone = (a, b) if a.members[0] < b.members[0] else (b, a)
        keep.members.extend(gone.members)
        keep.start, keep.end = min(a.start, b.start), max(a.end, b.end)
        _add_into(keep.words, gone.words)
        _add_into(keep.entities, gone.entities)
        for m in gone.members:
            owner[m] = keep.members[0]
        del groups[gone.members[0]]
    singles = [[i] for i in range(len(corpus.articles)) if i not in owner]
    return [sorted(g.members) for g in groups.values()] + singles


def _mean_similarity(a: _Group, b: _Group) -> float:
    """Mean pairwise similarity between two groups: (sum of A) . (sum of B) / (|A| |B|)."""
    pairs = len(a.members) * len(b.members)
    words = cosine(a.words, b.words) / pairs
    entities = cosine(a.entities, b.entities) / pairs
    return WORD_WEIGHT * words + (1 - WORD_WEIGHT) * entities


def _add_into(total: dict[int, float], extra: Mapping[int, float]) -> None:
    for term, value in extra.items():
        total[term] = total.get(term, 0.0) + value


def _story(corpus: _Corpus, members: list[int]) -> Story:
    articles = corpus.articles
    ordered = sorted(members, key=lambda i: (corpus.times[i], i))
    published = [d for i in members if (d := articles[i].published_at) is not None]
    return Story(
        label=_label(corpus, members),
        article_ids=[article_id(articles[i]) for i in ordered],
        first_seen=min(published) if published else None,
    )


def _label(corpus: _Corpus, members: list[int]) -> str:
    """The headline of the member most similar to the others (the medoid)."""
    titled = [i for i in members if corpus.articles[i].title] or members
    if len(titled) > 1:
        left = np.repeat(np.array(titled, dtype=np.int64), len(members))
        right = np.tile(np.array(members, dtype=np.int64), len(titled))
        sims = _similarities(corpus, left, right).reshape(len(titled), len(members))
        best = titled[int(np.argmax(sims.sum(axis=1)))]  # first of equals: earliest id
    else:
        best = titled[0]
    article = corpus.articles[best]
    return article.title or lead(_body(article), 12) or article.url


def _first_time(story: Story) -> float:
    return story.first_seen.timestamp() if story.first_seen else math.inf


@dataclass(frozen=True, slots=True)
class PairScores:
    """Pairwise clustering quality: over all pairs of articles put in one story."""

    precision: float
    recall: float
    f1: float


def pair_scores(stories: Sequence[Story], truth: Mapping[int, str]) -> PairScores:
    """Precision and recall of "same story" pairs against labels ``article id -> story``.

    Counted from the contingency table, so it is linear in the number of articles.
    Articles missing from ``truth`` are ignored.
    """
    predicted_pairs = true_pairs = both = 0
    true_sizes: dict[str, int] = defaultdict(int)
    for label in truth.values():
        true_sizes[label] += 1
    for story in stories:
        cells: dict[str, int] = defaultdict(int)
        for member in story.article_ids:
            if member in truth:
                cells[truth[member]] += 1
        predicted_pairs += _pairs(sum(cells.values()))
        both += sum(_pairs(n) for n in cells.values())
    true_pairs = sum(_pairs(n) for n in true_sizes.values())
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScores(precision, recall, f1)


def _pairs(n: int) -> int:
    return n * (n - 1) // 2
