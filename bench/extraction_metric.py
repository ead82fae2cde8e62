"""The article-extraction metric of the shared benchmark (word 4-gram shingles).

For each page the true and the extracted body are tokenized into words (runs of
``\\w``) and cut into word 4-grams with their counts. Shared shingles count as
true positives (the smaller of the two counts), extra predicted ones as false
positives, missed ones as false negatives; the three are scaled to sum to 1 so
that every page weighs the same. Precision and recall are means over pages, and
F1 is computed from those two means. Accuracy is the share of pages whose token
lists are identical.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"\w+")
SHINGLE_SIZE = 4


def tokenize(text: str | None) -> list[str]:
    return _WORD.findall(text or "")


def shingles(tokens: list[str], size: int = SHINGLE_SIZE) -> Counter[str]:
    """Word n-grams with their counts; a text shorter than ``size`` is one shingle."""
    if not tokens:
        return Counter()
    stop = max(1, len(tokens) - size + 1)
    return Counter(" ".join(tokens[i : i + size]) for i in range(stop))


@dataclass(frozen=True, slots=True)
class PageScore:
    """Normalized true positives, false positives and false negatives of one page."""

    tp: float
    fp: float
    fn: float
    has_prediction: bool
    has_truth: bool
    exact: bool

    @property
    def precision(self) -> float | None:
        if self.fp == 0 and self.fn == 0:
            return 1.0
        if not self.has_prediction:
            return None
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        if self.fp == 0 and self.fn == 0:
            return 1.0
        if not self.has_truth:
            return None
        return self.tp / (self.tp + self.fn)


def score_page(truth: str | None, prediction: str | None) -> PageScore:
    true_tokens, pred_tokens = tokenize(truth), tokenize(prediction)
    true_sh, pred_sh = shingles(true_tokens), shingles(pred_tokens)
    tp = sum((true_sh & pred_sh).values())
    fp = sum((pred_sh - true_sh).values())
    fn = sum((true_sh - pred_sh).values())
    total = tp + fp + fn
    scale = 1 / total if total else 0.0
    return PageScore(
        tp=tp * scale,
        fp=fp * scale,
        fn=fn * scale,
        has_prediction=bool(pred_sh),
        has_truth=bool(true_sh),
        exact=true_tokens == pred_tokens,
    )


@dataclass(frozen=True, slots=True)
class Scores:
    f1: float
    precision: float
    recall: float
    accuracy: float
    pages: int


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def aggregate(pages: Iterable[PageScore]) -> Scores:
    page_list = list(pages)
    precisions = [p for s in page_list if (p := s.precision) is not None]
    recalls = [r for s in page_list if (r := s.recall) is not None]
    precision, recall = _mean(precisions), _mean(recalls)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = _mean([1.0 if s.exact else 0.0 for s in page_list])
    return Scores(
        f1=f1, precision=precision, recall=recall, accuracy=accuracy, pages=len(page_list)
    )


def evaluate(pairs: Iterable[tuple[str | None, str | None]]) -> Scores:
    """Score ``(truth, prediction)`` pairs, one per page."""
    return aggregate(score_page(truth, pred) for truth, pred in pairs)
