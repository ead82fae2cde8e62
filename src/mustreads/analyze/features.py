"""Text features shared by dedupe, clustering and ranking.

Tokenizing here is deliberately simple and self-contained (regular expressions,
no models): near-duplicate detection and story clustering need stable, cheap
features more than linguistic accuracy. Everything is deterministic across runs
and processes: hashes come from BLAKE2b, never from Python's salted ``hash``.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from mustreads.errors import UserError
from mustreads.models import Article

K = TypeVar("K")
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

_WORD = re.compile(r"\w+", re.UNICODE)
# A term keeps inner hyphens, dots and apostrophes: "Orion-2", "3.5", "o'neil".
_TERM = re.compile(r"[$€£]?\w+(?:[-.'’]\w+)*%?", re.UNICODE)
_AMOUNT = re.compile(
    r"(?P<cur>[$€£])\s?(?P<num>\d+(?:[.,]\d+)*)\s*(?P<unit>trillion|billion|million|thousand|"
    r"tn|bn|mn|[tbmk])?\b",
    re.IGNORECASE,
)
_QUANTITY = re.compile(
    r"\b(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>trillion|billion|million|thousand|percent|per cent|"
    r"[tbmk%]|x)(?![\w-])",
    re.IGNORECASE,
)
_UNIT = {
    "trillion": "t", "tn": "t", "t": "t",
    "billion": "b", "bn": "b", "b": "b",
    "million": "m", "mn": "m", "m": "m",
    "thousand": "k", "k": "k",
    "percent": "%", "per cent": "%", "%": "%", "x": "x",
}  # fmt: skip

_STOPWORD_TEXT = """a about above after again against all also am an and any are as at be
    because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just let like may me might more most must my myself new no nor not
    now of off on once only or other our ours ourselves out over own same says said she
    should so some such than that the their theirs them themselves then there these they this
    those through to too under until up us very was we were what when where which while who
    whom why will with would you your yours yourself yourselves one two three four five six
    seven eight nine ten per via its it's i'm we're they're don't can't won't isn't
    according told week weeks today yesterday tuesday monday wednesday thursday friday
    saturday sunday year years month months day days company companies announced
    announces announce"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Capitalized words that are not names even in the middle of a sentence.
_NOT_NAME_TEXT = """i a an the this that these those it its we our they their he she his
    her you your
    mr ms mrs dr ceo cto cfo inc ltd llc co corp january february march april may june
    july august september october november december monday tuesday wednesday thursday
    friday saturday sunday"""
_NOT_NAMES = frozenset(_NOT_NAME_TEXT.split())


def words(text: str | None) -> list[str]:
    """Lowercase runs of word characters: the tokens that duplicates are compared on."""
    return _WORD.findall(text.lower()) if text else []


@lru_cache(maxsize=1 << 18)
def stem(term: str) -> str:
    """A light English stem, enough to match "models" with "model" and "released" with "release"."""
    if len(term) <= 4 or not term.isalpha():
        return term
    for suffix, repl in (
        ("ies", "y"),
        ("sses", "ss"),
        ("ing", ""),
        ("ed", ""),
        ("es", "e"),
        ("s", ""),
    ):
        if term.endswith(suffix) and len(term) - len(suffix) >= 3:
            if suffix == "s" and term.endswith(("ss", "us", "is")):
                break
            term = term[: len(term) - len(suffix)] + repl
            break
    return term[:-1] if term.endswith("e") and len(term) > 4 else term


def content_terms(text: str | None) -> list[str]:
    """Lowercase, stemmed terms without stopwords or one-letter tokens."""
    if not text:
        return []
    out: list[str] = []
    for raw in _TERM.findall(text.lower()):
        term = raw.strip("$€£%").replace("’", "'")
        if len(term) < 2 or term in STOPWORDS:
            continue
        out.append(stem(term))
    return out


def lead(text: str | None, max_words: int = 90) -> str:
    """The first ``max_words`` words: where a news story states its facts."""
    if not text:
        return ""
    parts = text.split(maxsplit=max_words)
    return " ".join(parts[:max_words])


_PLAIN_QUANTITY = re.compile(r"\d[\d.,]*[a-z%]{0,2}", re.IGNORECASE)


_DIGIT = re.compile(r"\d")


def _normalize_number(num: str) -> str:
    num = num.replace(",", "")
    return num[:-2] if num.endswith(".0") else num


def quantities(text: str) -> list[str]:
    """Amounts and quantities normalized: "$400 million" and "$400M" are both "$400m"."""
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    for m in _AMOUNT.finditer(text):
        unit = _UNIT.get((m.group("unit") or "").lower(), "")
        found.append(f"{m.group('cur')}{_normalize_number(m.group('num'))}{unit}")
        spans.append(m.span())
    for m in _QUANTITY.finditer(text):
        if any(start <= m.start() < end for start, end in spans):
            continue
        unit = _UNIT[m.group("unit").lower()]
        found.append(f"{_normalize_number(m.group('num'))}{unit}")
    return found


_UPPER = "A-ZÀ-ÖØ-Þ"
# A capitalized word, not glued to a preceding word, currency sign or hyphen; "'s" dropped.
_CAPITALIZED = re.compile(rf"(?<![\w$€£'’-])[{_UPPER}][^\W_]*(?:-[^\W_]+)*")
# Model names: letters and digits in one token ("H100", "Qwen2.5-72B") or a name, a
# hyphen and a version ("Orion-2", "GPT-4o", "Llama-3.1").
_MIXED = re.compile(
    r"(?<![\w$€£.])(?:(?=[^\W_]*\d)(?=[^\W_]*[^\W\d_])[^\W_]+|[^\W\d_]+-\d[^\W_]*)"
    r"(?:[-.][^\W_]+)*"
)
_OPENERS = " \t\"'“‘([*"


def _starts_sentence(text: str, position: int) -> bool:
    """Whether only spaces, quotes or brackets lie between ``position`` and a sentence end."""
    i = position - 1
    while i >= 0 and text[i] in _OPENERS:
        i -= 1
    return i < 0 or text[i] in ".!?:;\n\r•-–—"


def model_names(text: str) -> list[str]:
    """Tokens mixing letters and digits, lowercased; plain quantities like "70B" excluded."""
    found: list[str] = []
    for chunk in text.split():
        if chunk.isalpha() or _DIGIT.search(chunk) is None:
            continue  # most words: skip the costly pattern
        found.extend(
            m.lower() for m in _MIXED.findall(chunk) if _PLAIN_QUANTITY.fullmatch(m) is None
        )
    return found


def named_entities(title: str | None, text: str | None) -> list[str]:
    """Names, model names and amounts of an article, lowercased and normalized.

    A capitalized word counts as a name in the middle of a sentence. At the start
    of a sentence it counts only if the article also capitalizes it mid-sentence
    or in its title: "Nimbus said" is a name, "Analysts said" is not. A Title
    Case headline contributes only the names its body also has.
    """
    body = text or ""
    title_text = title or ""
    found = model_names(body)
    initial: list[str] = []
    names: set[str] = set()
    for match in _CAPITALIZED.finditer(body):
        key = match.group().lower()
        if len(key) < 2 or key in _NOT_NAMES or key in STOPWORDS or _DIGIT.search(key):
            continue
        if _starts_sentence(body, match.start()):
            initial.append(key)
        else:
            found.append(key)
            names.add(key)
    title_caps = {m.group().lower(): m.start() for m in _CAPITALIZED.finditer(title_text)}
    found.extend(key for key in initial if key in names or key in title_caps)
    names.update(found)
    found.extend(quantities(body))
    if title:
        sentence_case = sum(1 for w in _WORD.findall(title) if w.islower() and w not in STOPWORDS)
        for key, start in title_caps.items():
            if len(key) < 2 or key in _NOT_NAMES or key in STOPWORDS or _DIGIT.search(key):
                continue
            if key in names or (sentence_case >= 2 and start > 0):
                found.append(key)
        found.extend(model_names(title))
        found.extend(quantities(title))
    return found


def stable_hash(token: str) -> int:
    """A 64-bit hash of ``token`` that is the same in every process."""
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")


def article_time(article: Article) -> datetime:
    """When an article appeared: its publication date, else when it was extracted."""
    return article.published_at or article.extracted_at


def idf_weights(documents: Iterable[Iterable[str]], smooth: int = 1) -> dict[str, float]:
    """Smoothed inverse document frequency, ``log((1 + n) / (1 + df)) + 1``."""
    df: Counter[str] = Counter()
    n = 0
    for doc in documents:
        n += 1
        df.update(set(doc))
    return {term: math.log((smooth + n) / (smooth + count)) + 1.0 for term, count in df.items()}


def tfidf_vector(
    terms: Sequence[str], idf: dict[str, float], default_idf: float
) -> dict[str, float]:
    """A sublinear TF-IDF vector of ``terms``, L2-normalized (empty when no terms)."""
    counts = Counter(terms)
    vec = {t: (1.0 + math.log(c)) * idf.get(t, default_idf) for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {t: v / norm for t, v in vec.items()} if norm > 0 else {}


def cosine(a: Mapping[K, float], b: Mapping[K, float]) -> float:
    """The dot product of two sparse vectors (their cosine when both are normalized)."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


@dataclass(frozen=True, slots=True)
class SparseRows:
    """L2-normalized TF-IDF rows in CSR form, term ids sorted within each row.

    Row ``i`` holds ``indices[indptr[i]:indptr[i + 1]]`` with weights ``data[...]``.
    """

    indptr: I64
    indices: I64
    data: F64
    width: int  # number of distinct terms

    def row(self, i: int) -> dict[int, float]:
        lo, hi = int(self.indptr[i]), int(self.indptr[i + 1])
        return dict(zip(self.indices[lo:hi].tolist(), self.data[lo:hi].tolist(), strict=True))

    def pair_dots(self, left: I64, right: I64, chunk_entries: int = 1 << 21) -> F64:
        """``row(left[p]) . row(right[p])`` for every p, vectorized.

        Each pair's entries are keyed ``p * width + term``; the keys of the left rows
        come out sorted, so matching terms are found with one binary search.
        """
        out = np.zeros(len(left), dtype=np.float64)
        lengths = self.indptr[1:] - self.indptr[:-1]
        cost = np.cumsum(lengths[left] + lengths[right])
        start = 0
        while start < len(left):
            stop = int(np.searchsorted(cost, cost[start] - 1 + chunk_entries, side="right"))
            stop = max(stop, start + 1)
            out[start:stop] = self._dots(left[start:stop], right[start:stop])
            start = stop
        return out

    def _dots(self, left: I64, right: I64) -> F64:
        pair_l, pos_l = self._expand(left)
        pair_r, pos_r = self._expand(right)
        keys_l = pair_l * self.width + self.indices[pos_l]
        keys_r = pair_r * self.width + self.indices[pos_r]
        if len(keys_l) == 0 or len(keys_r) == 0:
            return np.zeros(len(left), dtype=np.float64)
        loc = np.minimum(np.searchsorted(keys_l, keys_r), len(keys_l) - 1)
        match = keys_l[loc] == keys_r
        products = self.data[pos_l[loc[match]]] * self.data[pos_r[match]]
        dots = np.bincount(pair_r[match], weights=products, minlength=len(left))
        return dots.astype(np.float64, copy=False)

    def _expand(self, rows: I64) -> tuple[I64, I64]:
        """For each entry of the given rows: (index of the pair, position in ``data``)."""
        lengths = self.indptr[rows + 1] - self.indptr[rows]
        total = int(lengths.sum())
        pair = np.repeat(np.arange(len(rows), dtype=np.int64), lengths)
        first = np.repeat(self.indptr[rows] - (np.cumsum(lengths) - lengths), lengths)
        return pair, first + np.arange(total, dtype=np.int64)


def tfidf_rows(
    documents: Sequence[Sequence[str]], *, min_norm: float = 0.0, background: int = 20
) -> SparseRows:
    """Sublinear TF-IDF rows of the documents, with IDF from the documents themselves.

    IDF is ``log((1 + n + background) / (1 + df))``: as if ``background`` more
    documents lacked every term. In a large batch a term found everywhere weighs
    almost nothing; in a batch of three, shared terms still count.

    Rows are divided by their length, or by ``min_norm`` when that is larger: a
    row with little evidence (one common term) then stays shorter than 1, and its
    dot products stay small even with a row that has the same few terms.
    """
    vocabulary: dict[str, int] = {}
    counted = [Counter(doc) for doc in documents]
    df: Counter[int] = Counter()
    for counts in counted:
        df.update(vocabulary.setdefault(term, len(vocabulary)) for term in counts)
    n = len(documents)
    idf = np.zeros(len(vocabulary), dtype=np.float64)
    for term_id, count in df.items():
        idf[term_id] = math.log((1 + n + background) / (1 + count))
    indptr = np.zeros(n + 1, dtype=np.int64)
    indices: list[int] = []
    tfs: list[float] = []
    for i, counts in enumerate(counted):
        ids = sorted((vocabulary[t], c) for t, c in counts.items())
        indices.extend(t for t, _ in ids)
        tfs.extend(1.0 + math.log(c) for _, c in ids)
        indptr[i + 1] = len(indices)
    index_array = np.array(indices, dtype=np.int64)
    data = np.array(tfs, dtype=np.float64) * idf[index_array]
    row_of = np.repeat(np.arange(n), indptr[1:] - indptr[:-1])
    norms = np.sqrt(np.bincount(row_of, weights=data * data, minlength=n))
    data = data / np.maximum(norms, max(min_norm, 1e-12))[row_of]
    return SparseRows(indptr, index_array, data, max(len(vocabulary), 1))


def article_id(article: Article) -> int:
    """The id of an article already checked by :func:`sorted_by_id`."""
    return article.id if article.id is not None else -1


def sorted_by_id(articles: Sequence[Article]) -> list[Article]:
    """The articles by id, refusing one without an id or an id given twice."""
    seen: set[int] = set()
    for article in articles:
        if article.id is None:
            raise UserError("cannot compare an article that has no id", url=article.url)
        if article.id in seen:
            raise UserError(f"article id {article.id} given twice", url=article.url)
        seen.add(article.id)
    return sorted(articles, key=article_id)
