"""Ranking: a few explainable features, a weighted sum, and weights learnt from picks.

An article's score is ``sum(weight[name] * feature[name])`` over six features:

* relevance: how much the publication cares about its topics
  (``RankSettings.topic_profile``), plus its similarity to articles featured in
  past issues when a :class:`FeaturedProfile` is given;
* freshness: ``0.5 ** (age / half_life_days)``, 1.0 for a brand-new article;
* source: the weight of its host in ``RankSettings.source_weights`` (default 1.0);
* coverage: ``log(1 + sites)``, the number of distinct sites covering its story;
* pinned, note: 1.0 when the curator pinned the link or wrote a note on it.

The default weights live in ``RankSettings``; :func:`learn_weights` fits them
to what the curator actually picked in past weeks, with a small L2-regularized
logistic regression, and reports how the learnt ranking does on weeks it did not
see compared with the defaults.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt

from mustreads.analyze.features import (
    article_time,
    content_terms,
    cosine,
    idf_weights,
    lead,
    tfidf_vector,
)
from mustreads.config import RankSettings
from mustreads.errors import ConfigError, UserError
from mustreads.models import Article

FEATURES = ("relevance", "freshness", "source", "coverage", "pinned", "note")
SECONDARY_TOPIC_SHARE = 0.25  # each topic after the best one adds a quarter of its weight
_DAY = 86400.0


@dataclass(frozen=True, slots=True)
class RankFeatures:
    relevance: float
    freshness: float
    source: float
    coverage: float
    pinned: float
    note: float

    def values(self) -> tuple[float, ...]:
        """The features in the order of :data:`FEATURES`."""
        return astuple(self)


@dataclass(frozen=True, slots=True)
class FeaturedProfile:
    """What past issues featured: the TF-IDF centroid of their articles.

    Build it once per run with :meth:`from_articles` and pass it to
    :func:`rank_features`; an article's similarity to it (0 to 1) adds to its
    relevance.
    """

    centroid: dict[str, float]
    idf: dict[str, float]
    default_idf: float

    @classmethod
    def from_articles(cls, articles: Sequence[Article]) -> FeaturedProfile:
        terms = [_profile_terms(a) for a in articles]
        idf = idf_weights(terms)
        default_idf = math.log(len(terms) + 1) + 1.0
        total: dict[str, float] = {}
        for doc in terms:
            for term, value in tfidf_vector(doc, idf, default_idf).items():
                total[term] = total.get(term, 0.0) + value
        norm = math.sqrt(sum(v * v for v in total.values()))
        centroid = {t: v / norm for t, v in total.items()} if norm > 0 else {}
        return cls(centroid=centroid, idf=idf, default_idf=default_idf)

    def similarity(self, article: Article) -> float:
        vector = tfidf_vector(_profile_terms(article), self.idf, self.default_idf)
        return max(0.0, cosine(vector, self.centroid))


def _profile_terms(article: Article) -> list[str]:
    return content_terms(article.title) + content_terms(lead(article.text or article.fallback_text))


def rank_features(
    article: Article,
    *,
    topics: Sequence[str],
    story_size: int,
    pinned: bool,
    has_note: bool,
    now: datetime,
    settings: RankSettings,
    featured: FeaturedProfile | None = None,
) -> RankFeatures:
    """The ranking features of one article.

    ``story_size`` is the number of distinct sites covering the article's story
    (1 for an article alone). An article without a publication date is as old as
    its extraction.
    """
    relevance = topic_relevance(topics, settings.topic_profile)
    if featured is not None:
        relevance += featured.similarity(article)
    age_days = max(0.0, (now - article_time(article)).total_seconds() / _DAY)
    return RankFeatures(
        relevance=relevance,
        freshness=0.5 ** (age_days / settings.half_life_days),
        source=source_weight(article, settings.source_weights),
        coverage=math.log1p(max(story_size, 0)),
        pinned=1.0 if pinned else 0.0,
        note=1.0 if has_note else 0.0,
    )


def topic_relevance(topics: Sequence[str], profile: Mapping[str, float]) -> float:
    """The best topic's weight plus a diminishing share of each further one."""
    weights = sorted((profile.get(t, 0.0) for t in set(topics)), reverse=True)
    if not weights:
        return 0.0
    return weights[0] + SECONDARY_TOPIC_SHARE * sum(weights[1:])


def source_weight(article: Article, weights: Mapping[str, float]) -> float:
    """The weight of the article's host, or of a parent domain, or of its site name; else 1.0.

    ``blog.example.com`` matches a weight given for ``example.com``; ``www.`` is ignored.
    """
    if not weights:
        return 1.0
    table = {_bare_host(k): v for k, v in weights.items()}
    host = _bare_host(urlsplit(article.url).hostname or "")
    parts = host.split(".")
    for i in range(len(parts) - 1):
        candidate = ".".join(parts[i:])
        if candidate in table:
            return table[candidate]
    if article.site_name and article.site_name.strip().lower() in table:
        return table[article.site_name.strip().lower()]
    return 1.0


def _bare_host(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def weight_vector(weights: RankSettings | Mapping[str, float]) -> tuple[float, ...]:
    """The weights in the order of :data:`FEATURES`; a mapping may leave some out (0.0)."""
    if isinstance(weights, RankSettings):
        return tuple(float(getattr(weights, name)) for name in FEATURES)
    unknown = sorted(set(weights) - set(FEATURES))
    if unknown:
        raise ConfigError(f"unknown ranking weight(s): {', '.join(unknown)}")
    return tuple(float(weights.get(name, 0.0)) for name in FEATURES)


def score(features: RankFeatures, weights: RankSettings | Mapping[str, float]) -> float:
    """The weighted sum of the features."""
    return sum(w * f for w, f in zip(weight_vector(weights), features.values(), strict=True))


Week = tuple[Sequence[RankFeatures], Sequence[bool]]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class LearnReport:
    """How learnt weights rank held-out weeks, against the default weights.

    Each metric is the mean over held-out weeks of a within-week measure: AUC
    (chance that a picked article outranks an unpicked one), precision@k and
    NDCG@k (picks near the top).
    """

    weeks: int  # weeks in the history
    held_out: list[int] = field(default_factory=list)  # indexes of the weeks evaluated
    k: int = 5
    auc: float = math.nan
    auc_default: float = math.nan
    precision_at_k: float = math.nan
    precision_at_k_default: float = math.nan
    ndcg: float = math.nan
    ndcg_default: float = math.nan

    def summary(self) -> str:
        return (
            f"learnt weights: AUC {self.auc:.2f} on {len(self.held_out)} held-out weeks "
            f"(defaults: {self.auc_default:.2f}); precision@{self.k} "
            f"{self.precision_at_k:.2f} (defaults: {self.precision_at_k_default:.2f})"
        )


def learn_weights(
    history: Sequence[Week],
    *,
    defaults: RankSettings | Mapping[str, float] | None = None,
    k: int = 5,
    max_folds: int = 12,
    l2: float = 1.0,
) -> tuple[dict[str, float], LearnReport]:
    """Fit ranking weights to past picks and evaluate them week by week.

    ``history`` holds one entry per past week: the candidates' features and
    whether the curator picked each. The weights come from a logistic regression
    on standardized features with an L2 penalty ``l2``, mapped back to the raw
    features and scaled to the L1 norm of ``defaults`` (scaling does not change a
    ranking; it keeps the numbers comparable). The evaluation leaves one week out
    at a time, for the last ``max_folds`` weeks that have both picks and non-picks,
    and ranks it with weights fitted on all the other weeks.
    """
    default_vector = np.array(weight_vector(defaults or RankSettings()))
    weeks = [_week_arrays(i, week) for i, week in enumerate(history)]
    usable = [i for i, (_, y) in enumerate(weeks) if 0 < y.sum() < len(y)]
    if len(usable) < 2:
        raise UserError("learning weights needs at least two weeks with both picks and non-picks")
    if k < 1:
        raise UserError(f"k must be at least 1, not {k}")
    folds = usable[-max_folds:]
    learnt_metrics: list[tuple[float, float, float]] = []
    default_metrics: list[tuple[float, float, float]] = []
    for held in folds:
        train = [weeks[i] for i in range(len(weeks)) if i != held]
        weights = _fit(train, l2)
        x, y = weeks[held]
        learnt_metrics.append(_metrics(x @ weights, y, k))
        default_metrics.append(_metrics(x @ default_vector, y, k))
    final = _fit(weeks, l2)
    scale = np.abs(default_vector).sum() / max(np.abs(final).sum(), 1e-12)
    learnt = {name: round(float(w * scale), 4) for name, w in zip(FEATURES, final, strict=True)}
    ours, theirs = np.mean(learnt_metrics, axis=0), np.mean(default_metrics, axis=0)
    report = LearnReport(
        weeks=len(history),
        held_out=folds,
        k=k,
        auc=float(ours[0]),
        auc_default=float(theirs[0]),
        precision_at_k=float(ours[1]),
        precision_at_k_default=float(theirs[1]),
        ndcg=float(ours[2]),
        ndcg_default=float(theirs[2]),
    )
    return learnt, report


def _week_arrays(index: int, week: Week) -> tuple[FloatArray, FloatArray]:
    features, picked = week
    if len(features) != len(picked):
        raise UserError(f"week {index}: {len(features)} candidates but {len(picked)} pick flags")
    x = np.array([f.values() for f in features], dtype=np.float64).reshape(-1, len(FEATURES))
    return x, np.array([1.0 if p else 0.0 for p in picked])


def _fit(weeks: Sequence[tuple[FloatArray, FloatArray]], l2: float) -> FloatArray:
    """Raw-feature weights of an L2-regularized logistic regression (Newton's method)."""
    x = np.vstack([w[0] for w in weeks])
    y = np.concatenate([w[1] for w in weeks])
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std < 1e-12] = 1.0
    z = np.hstack([(x - mean) / std, np.ones((len(x), 1))])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0  # the intercept is not shrunk
    beta = np.zeros(z.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -30, 30)))
        gradient = z.T @ (p - y) + penalty * beta
        hessian = (z.T * (p * (1 - p))) @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-9:
            break
    weights: FloatArray = beta[:-1] / std
    return weights


def _metrics(scores: FloatArray, picked: FloatArray, k: int) -> tuple[float, float, float]:
    """AUC, precision@k and NDCG@k of one week's ranking (ties broken pessimistically)."""
    order = np.lexsort((picked, -scores))  # among equal scores, non-picks first
    ranked = picked[order]
    top = ranked[:k]
    gains = 1.0 / np.log2(np.arange(2, len(ranked) + 2))
    ideal = gains[: int(min(k, picked.sum()))].sum()
    ndcg = float((top * gains[: len(top)]).sum() / ideal) if ideal > 0 else 0.0
    return _auc(scores, picked), float(top.sum() / k), ndcg


def _auc(scores: FloatArray, picked: FloatArray) -> float:
    """Probability that a random pick outscores a random non-pick (ties count half)."""
    pos, neg = scores[picked == 1], scores[picked == 0]
    if len(pos) == 0 or len(neg) == 0:
        return math.nan
    neg_sorted = np.sort(neg)
    below = np.searchsorted(neg_sorted, pos, side="left")
    not_above = np.searchsorted(neg_sorted, pos, side="right")
    return float((below + 0.5 * (not_above - below)).sum() / (len(pos) * len(neg)))
