"""Near-duplicate articles: syndicated copies and light rewrites collapse to one.

Each article becomes the set of its word bigrams ("shingles"). MinHash
signatures estimate the Jaccard similarity of two such sets, and LSH banding
turns that into candidate pairs in one pass over the articles (linear in their
number, not quadratic). Candidates are verified on their exact shingle sets,
which we hold anyway, and joined with union-find; each group is represented by
its canonical article: the earliest published, then the longest, then the
lowest id.

Bigrams rather than the usual 4- or 5-grams: a light rewrite that changes one
word in twenty keeps a bigram Jaccard of ~0.82 (over the default threshold of
0.8) but a 4-gram Jaccard of only ~0.67, while two independent write-ups of the
same event stay under 0.2 with either.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from mustreads.analyze.features import article_id, sorted_by_id, stable_hash, words
from mustreads.errors import UserError
from mustreads.models import Article

SHINGLE_SIZE = 2
NUM_PERMUTATIONS = 64
MIN_WORDS = 8  # shorter texts (stubs, empty extractions) are never called duplicates
_SEED = 0x6D757374  # "must": fixed, so signatures are the same in every run

U64 = npt.NDArray[np.uint64]


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _mix(h: U64) -> U64:
    """The splitmix64 finalizer: spreads the bits of combined token hashes."""
    with np.errstate(over="ignore"):
        h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return h ^ (h >> np.uint64(31))


def shingle_set(text: str, cache: dict[str, int], size: int = SHINGLE_SIZE) -> U64:
    """The sorted, unique 64-bit hashes of the word ``size``-grams of ``text``."""
    tokens = words(text)
    if len(tokens) < MIN_WORDS:
        return np.empty(0, dtype=np.uint64)
    ids = np.fromiter(
        (cache[t] if t in cache else cache.setdefault(t, stable_hash(t)) for t in tokens),
        dtype=np.uint64,
        count=len(tokens),
    )
    combined = ids[: len(ids) - size + 1].copy()
    with np.errstate(over="ignore"):
        for offset in range(1, size):
            combined = _mix(combined) + ids[offset : len(ids) - size + 1 + offset]
    return np.unique(_mix(combined))


def _permutations(k: int) -> tuple[U64, U64]:
    rng = np.random.default_rng(_SEED)
    a = rng.integers(1, 2**63, size=k, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 2**63, size=k, dtype=np.uint64)
    return a, b


def minhash_signatures(sets: Sequence[U64], k: int = NUM_PERMUTATIONS) -> npt.NDArray[np.uint32]:
    """One row of ``k`` MinHash values per non-empty set (multiply-shift hash family)."""
    if not sets:
        return np.empty((0, k), dtype=np.uint32)
    lengths = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    flat = np.concatenate(sets)
    a, b = _permutations(k)
    sig = np.empty((len(sets), k), dtype=np.uint32)
    # Blocks of a few hundred thousand shingles keep the temporaries in cache.
    block = 1 << 18
    bounds = _blocks(starts, block)
    with np.errstate(over="ignore"):
        for first, last in bounds:
            lo, hi = starts[first], starts[last - 1] + lengths[last - 1]
            chunk = flat[lo:hi]
            rel = starts[first:last] - lo
            for p in range(k):
                hashed = ((chunk * a[p] + b[p]) >> np.uint64(32)).astype(np.uint32)
                sig[first:last, p] = np.minimum.reduceat(hashed, rel)
    return sig


def _blocks(starts: npt.NDArray[np.int64], size: int) -> list[tuple[int, int]]:
    """Split rows into consecutive runs holding about ``size`` elements each."""
    out: list[tuple[int, int]] = []
    first = 0
    n = len(starts)
    while first < n:
        last = int(np.searchsorted(starts, starts[first] + size, side="left"))
        last = min(max(last, first + 1), n)
        out.append((first, last))
        first = last
    return out


def band_parameters(threshold: float, k: int = NUM_PERMUTATIONS) -> tuple[int, int]:
    """(bands, rows): the most selective banding that finds 99.5% of pairs at ``threshold``."""
    best = (k, 1)
    for rows in range(1, k + 1):
        bands = k // rows
        if 1.0 - (1.0 - threshold**rows) ** bands >= 0.995:
            best = (bands, rows)
    return best


def candidate_pairs(sig: npt.NDArray[np.uint32], bands: int, rows: int) -> set[tuple[int, int]]:
    """Pairs of rows that agree on every value of at least one band."""
    pairs: set[tuple[int, int]] = set()
    n = sig.shape[0]
    if n < 2:
        return pairs
    for band in range(bands):
        cols = sig[:, band * rows : (band + 1) * rows].astype(np.uint64)
        key = np.full(n, np.uint64(band + 1), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for c in range(rows):
                key = _mix(key ^ cols[:, c])
        order = np.argsort(key, kind="stable")
        sorted_keys = key[order]
        run_starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        run_ends = np.r_[run_starts[1:], n]
        for start, end in zip(
            run_starts[run_ends - run_starts > 1], run_ends[run_ends - run_starts > 1], strict=True
        ):
            members = sorted(int(i) for i in order[start:end])
            if len(members) <= 32:
                pairs.update((x, y) for i, x in enumerate(members) for y in members[i + 1 :])
            else:  # a big bucket of copies: a star and a chain keep union-find exact enough
                pairs.update((members[0], y) for y in members[1:])
                pairs.update(itertools.pairwise(members))
    return pairs


def jaccard(a: U64, b: U64) -> float:
    """Exact Jaccard similarity of two sorted unique arrays."""
    if len(a) == 0 or len(b) == 0:
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def _text(article: Article) -> str:
    return article.text or article.fallback_text or ""


def find_duplicates(articles: Sequence[Article], *, threshold: float = 0.8) -> dict[int, int]:
    """Map each near-duplicate article id to the id of its canonical article.

    Articles whose word-bigram Jaccard similarity is at least ``threshold`` are
    duplicates, and so, transitively, are their duplicates. The canonical article
    of a group is the earliest published, then the longest text, then the lowest
    id; it does not appear as a key. Articles without text are never duplicates.
    """
    if not 0.0 < threshold <= 1.0:
        raise UserError(f"duplicate threshold must be in (0, 1], not {threshold}")
    indexed = sorted_by_id(articles)
    cache: dict[str, int] = {}
    sets: list[U64] = []
    owners: list[Article] = []
    for article in indexed:
        shingles = shingle_set(_text(article) or article.title or "", cache)
        if len(shingles):
            sets.append(shingles)
            owners.append(article)
    bands, rows = band_parameters(threshold)
    sig = minhash_signatures(sets)
    groups = _UnionFind(len(owners))
    for i, j in sorted(candidate_pairs(sig, bands, rows)):
        if groups.find(i) != groups.find(j) and jaccard(sets[i], sets[j]) >= threshold:
            groups.union(i, j)
    members: dict[int, list[Article]] = {}
    for i, article in enumerate(owners):
        members.setdefault(groups.find(i), []).append(article)
    duplicates: dict[int, int] = {}
    for group in members.values():
        if len(group) < 2:
            continue
        canonical = min(group, key=_sort_key)
        for article in group:
            if article is not canonical:
                duplicates[article_id(article)] = article_id(canonical)
    return dict(sorted(duplicates.items()))


def _sort_key(article: Article) -> tuple[int, float, int, int]:
    """Earliest published first (undated last), then longest text, then lowest id."""
    stamp = article.published_at.timestamp() if article.published_at else 0.0
    return (0 if article.published_at else 1, stamp, -len(_text(article)), article_id(article))
