"""Kind classifiers: is an article an event, a resource, or off topic?

* **event** — news: a release, announcement, deal, funding round, acquisition,
  result or policy move; dated and time-bound.
* **resource** — explainer, essay, analysis, tutorial, paper walk-through,
  roadmap, opinion; still worth reading next month.
* **offtopic** — not about AI, ML or the software engineering around them.

The offline default, ``linear``, is a softmax regression over TF-IDF words of
the title, text and site name, plus a score of counted cues (dates, reporting
verbs, money and percentages, quotes, named actors for news; "how to", steps,
second person, explaining words and code for resources; AI vocabulary for being
on topic; see :mod:`mustreads.analyze.kind_cues`). It is trained with numpy
on first use, in well under a second, from the labelled examples shipped in
``analyze/data/kinds.jsonl``, and kept for the life of the process.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Protocol

import numpy as np

from mustreads.analyze.kind_cues import cue_features
from mustreads.analyze.text import tokenize
from mustreads.config import Settings
from mustreads.errors import MustreadsError
from mustreads.models import Article, Kind
from mustreads.registry import Registry

__all__ = [
    "Classifier",
    "KindModel",
    "LabelledExample",
    "LinearClassifier",
    "classifiers",
    "get_classifier",
    "load_examples",
    "train",
]

TRAINING_DATA = "data/kinds.jsonl"
CLASSES: tuple[Kind, ...] = (Kind.EVENT, Kind.RESOURCE, Kind.OFFTOPIC)
MIN_DOCUMENT_FREQUENCY = 2
CUE_WEIGHT = 1.0  # scale of the counted cues next to the unit-length TF-IDF part
L2 = 1e-3
LEARNING_RATE = 2.0
MOMENTUM = 0.9
EPOCHS = 300


# The classifier reads the title, the site name and the first TEXT_WORDS words.
TEXT_WORDS = 600


def tokens(title: str | None, head_tokens: list[str], site_name: str | None) -> list[str]:
    """The bag of words of one article: title words, the words of the start of
    the text, and site-name words, each marked by origin. (Word pairs were tried;
    they did not help and doubled the features.)"""
    bag = [f"t:{w}" for w in tokenize(title or "")]
    bag += head_tokens
    bag += [f"s:{w}" for w in tokenize(site_name or "")]
    return bag


def _head(text: str) -> str:
    return " ".join(text.split()[:TEXT_WORDS])


class Classifier(Protocol):
    """Labels a batch of articles, one :class:`Kind` per article, in order.

    ``scores`` gives each article's probability of each kind (a backend that
    only answers with a label gives 1.0 to it); the pipeline uses it to let an
    article that is plausibly news join a story covered by other sites.
    """

    name: str

    def classify(self, articles: Sequence[Article]) -> list[Kind]: ...

    def scores(self, articles: Sequence[Article]) -> list[dict[Kind, float]]: ...


def most_likely(scores: dict[Kind, float]) -> Kind:
    return max(scores, key=scores.__getitem__)


classifiers: Registry[Classifier] = Registry("classifier", "mustreads.classifiers")


def get_classifier(name: str, settings: Settings) -> Classifier:
    """The classifier registered as ``name``, built with ``settings``.

    Raises :class:`~mustreads.errors.BackendError` for an unknown name.
    """
    return classifiers.create(name, settings)


@dataclass(frozen=True, slots=True)
class LabelledExample:
    title: str
    text: str
    kind: Kind
    site_name: str | None = None


def load_examples(resource: str = TRAINING_DATA) -> list[LabelledExample]:
    """The labelled examples shipped with the package (JSONL: title, text, kind)."""
    try:
        raw = files("mustreads.analyze").joinpath(resource).read_text(encoding="utf-8")
        return [
            LabelledExample(
                title=record["title"],
                text=record["text"],
                kind=Kind(record["kind"]),
                site_name=record.get("site_name"),
            )
            for record in map(json.loads, filter(str.strip, raw.splitlines()))
        ]
    except (OSError, ValueError, KeyError) as exc:
        raise MustreadsError(f"cannot read the kind training data {resource}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class KindRow:
    """One article as features: a sparse TF-IDF bag and the dense counted cues."""

    columns: np.ndarray  # vocabulary columns present in the article
    values: np.ndarray  # their TF-IDF weights, of unit length together
    cues: np.ndarray


@dataclass(frozen=True, slots=True)
class KindModel:
    """A trained kind model: vocabulary, IDF and weights."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    word_weights: np.ndarray  # (vocabulary, classes)
    cue_weights: np.ndarray  # (cues, classes)
    bias: np.ndarray  # (classes,)

    def row(self, title: str | None, text: str, site_name: str | None) -> KindRow:
        head = _head(text)
        head_tokens = tokenize(head)
        counts = Counter(
            column
            for token in tokens(title, head_tokens, site_name)
            if (column := self.vocabulary.get(token)) is not None
        )
        columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        values = 1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))
        values *= self.idf[columns]
        norm = float(np.linalg.norm(values))
        if norm > 0:
            values /= norm
        cues = cue_features(title, head, head_tokens, site_name)
        return KindRow(columns, values, CUE_WEIGHT * cues)

    def probabilities(self, row: KindRow) -> np.ndarray:
        logits = row.values @ self.word_weights[row.columns] + row.cues @ self.cue_weights
        return _softmax(logits + self.bias)


@cache
def _trained_model(resource: str = TRAINING_DATA) -> KindModel:
    return train(load_examples(resource))


def train(examples: Sequence[LabelledExample]) -> KindModel:
    """A model fitted to ``examples`` (the shipped ones are used through the cache)."""
    document_frequency: Counter[str] = Counter()
    for e in examples:
        head_tokens = tokenize(_head(e.text))
        document_frequency.update(set(tokens(e.title, head_tokens, e.site_name)))
    kept = sorted(t for t, df in document_frequency.items() if df >= MIN_DOCUMENT_FREQUENCY)
    vocabulary = {token: column for column, token in enumerate(kept)}
    n = len(examples)
    idf = np.array([np.log((n + 1) / (document_frequency[t] + 1)) + 1.0 for t in kept])
    untrained = KindModel(vocabulary, idf, np.zeros((0, 0)), np.zeros((0, 0)), np.zeros(0))
    rows = [untrained.row(e.title, e.text, e.site_name) for e in examples]
    labels = np.array([CLASSES.index(e.kind) for e in examples])
    return KindModel(vocabulary, idf, *_fit_softmax(rows, labels, len(vocabulary)))


def _fit_softmax(
    rows: list[KindRow], labels: np.ndarray, vocabulary_size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Multinomial logistic regression with L2, by full-batch gradient descent with
    momentum from zero: deterministic, and fast because the bag stays sparse.

    Sparse products are gathers and ``bincount`` sums rather than BLAS calls:
    a dense (examples × vocabulary) product, run a few hundred times, took
    seconds on a busy two-core machine where OpenBLAS threads fought for it.
    """
    n, classes = len(rows), len(CLASSES)
    columns = np.concatenate([r.columns for r in rows])
    values = np.concatenate([r.values for r in rows])
    row_of = np.repeat(np.arange(n), [len(r.columns) for r in rows])
    cues = np.stack([r.cues for r in rows])
    targets = np.eye(classes)[labels]
    params: list[np.ndarray] = [np.zeros((vocabulary_size, classes))]
    params.append(np.zeros((cues.shape[1], classes)))
    params.append(np.zeros(classes))
    velocity = [np.zeros_like(p) for p in params]
    for _ in range(EPOCHS):
        word_weights, cue_weights, bias = params
        entries = values[:, np.newaxis] * word_weights[columns]
        logits = _sum_by(row_of, entries, n) + cues @ cue_weights + bias
        error = (_softmax(logits) - targets) / n
        gradients = [
            _sum_by(columns, values[:, np.newaxis] * error[row_of], vocabulary_size)
            + L2 * word_weights,
            cues.T @ error + L2 * cue_weights,
            error.sum(axis=0),
        ]
        for p, v, g in zip(params, velocity, gradients, strict=True):
            v *= MOMENTUM
            v -= LEARNING_RATE * g
            p += v
    return params[0], params[1], params[2]


def _sum_by(groups: np.ndarray, entries: np.ndarray, size: int) -> np.ndarray:
    """Sum the rows of ``entries`` (k × classes) into ``size`` rows by ``groups``."""
    return np.stack(
        [
            np.bincount(groups, weights=entries[:, k], minlength=size)
            for k in range(entries.shape[1])
        ],
        axis=1,
    )


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    result: np.ndarray = shifted / shifted.sum(axis=-1, keepdims=True)
    return result


class LinearClassifier:
    """The offline kind classifier (see the module docstring)."""

    name = "linear"

    def __init__(self, settings: Settings, model: KindModel | None = None) -> None:
        self.settings = settings
        self._model = model  # None: the model trained on the shipped examples

    def classify(self, articles: Sequence[Article]) -> list[Kind]:
        return [most_likely(scores) for scores in self.scores(articles)]

    def scores(self, articles: Sequence[Article]) -> list[dict[Kind, float]]:
        return [
            self.probabilities(a.title, a.text or a.fallback_text or "", a.site_name)
            for a in articles
        ]

    def classify_text(self, title: str | None, text: str, site_name: str | None = None) -> Kind:
        return most_likely(self.probabilities(title, text, site_name))

    def probabilities(
        self, title: str | None, text: str, site_name: str | None = None
    ) -> dict[Kind, float]:
        """The model's probability of each kind for one article."""
        model = self._model or _trained_model()
        values = model.probabilities(model.row(title, text, site_name))
        return {kind: float(p) for kind, p in zip(CLASSES, values, strict=True)}
