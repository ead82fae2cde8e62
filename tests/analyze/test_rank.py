"""Ranking features, scores, and weights learnt from past picks."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from mustreads.analyze.rank import (
    FEATURES,
    FeaturedProfile,
    LearnReport,
    RankFeatures,
    learn_weights,
    rank_features,
    score,
    source_weight,
    topic_relevance,
)
from mustreads.config import RankSettings
from mustreads.errors import ConfigError, UserError
from mustreads.models import Article

NOW = datetime(2025, 3, 10, 12, tzinfo=UTC)
SETTINGS = RankSettings()


def _article(url: str = "https://news.example/a", days_old: float = 1.0, **kw: object) -> Article:
    return Article(
        link_id=1,
        id=1,
        url=url,
        extractor="test",
        title="Nimbus Labs releases Orion-2",
        text="Nimbus Labs released Orion-2, an open-weights mixture-of-experts model.",
        published_at=NOW - timedelta(days=days_old),
        **kw,  # type: ignore[arg-type]
    )


def _features(**changes: float) -> RankFeatures:
    base = RankFeatures(
        relevance=1.0, freshness=0.5, source=1.0, coverage=math.log(2), pinned=0.0, note=0.0
    )
    return replace(base, **changes)


def _rank(article: Article, **kw: object) -> RankFeatures:
    args: dict[str, object] = {
        "topics": ["models"],
        "story_size": 1,
        "pinned": False,
        "has_note": False,
        "now": NOW,
        "settings": SETTINGS,
    }
    args.update(kw)
    return rank_features(article, **args)  # type: ignore[arg-type]


def test_pinned_beats_unpinned_with_equal_features() -> None:
    assert score(_features(pinned=1.0), SETTINGS) > score(_features(), SETTINGS)
    assert _rank(_article(), pinned=True).pinned == 1.0
    assert _rank(_article(), has_note=True).note == 1.0


def test_fresher_beats_older() -> None:
    fresh, old = _rank(_article(days_old=0.5)), _rank(_article(days_old=6))
    assert fresh.freshness > old.freshness
    assert score(fresh, SETTINGS) > score(old, SETTINGS)


def test_freshness_halves_every_half_life() -> None:
    half = _rank(_article(days_old=SETTINGS.half_life_days))
    assert half.freshness == pytest.approx(0.5)
    assert _rank(_article(days_old=-2)).freshness == 1.0  # a date in the future is "now"
    undated = replace(_article(), published_at=None)
    undated.extracted_at = NOW - timedelta(days=2 * SETTINGS.half_life_days)
    assert _rank(undated).freshness == pytest.approx(0.25)


def test_more_coverage_scores_higher() -> None:
    one, three = _rank(_article(), story_size=1), _rank(_article(), story_size=3)
    assert three.coverage == pytest.approx(math.log(4))
    assert score(three, SETTINGS) > score(one, SETTINGS)


def test_relevance_follows_the_topic_profile() -> None:
    profile = {"models": 1.0, "policy": 0.5, "careers": 0.4}
    assert topic_relevance(["models"], profile) == 1.0
    assert topic_relevance(["policy"], profile) == 0.5
    assert topic_relevance(["models", "policy", "careers"], profile) == pytest.approx(1.225)
    assert topic_relevance(["cooking"], profile) == 0.0
    assert topic_relevance([], profile) == 0.0


def test_similarity_to_featured_articles_adds_relevance() -> None:
    past = [
        replace(_article(), title="Open-weights model released", text="open weights model moe"),
        replace(_article(), title="Another open model", text="mixture-of-experts open weights"),
    ]
    profile = FeaturedProfile.from_articles(past)
    similar = _rank(_article(), featured=profile)
    other = replace(_article(), title="Bread baking", text="Flour, water, salt and yeast.")
    assert similar.relevance > _rank(other, featured=profile).relevance
    assert similar.relevance > _rank(_article()).relevance
    assert FeaturedProfile.from_articles([]).similarity(_article()) == 0.0


def test_source_weight_by_host_parent_domain_or_site_name() -> None:
    weights = {"example.com": 2.0, "www.trusted.org": 1.5, "Some Blog": 0.5}
    assert source_weight(_article("https://example.com/x"), weights) == 2.0
    assert source_weight(_article("https://blog.example.com/x"), weights) == 2.0
    assert source_weight(_article("https://www.trusted.org/x"), weights) == 1.5
    assert source_weight(_article("https://trusted.org/x"), weights) == 1.5
    assert source_weight(_article("https://other.net/x", site_name="Some blog"), weights) == 0.5
    assert source_weight(_article("https://other.net/x"), weights) == 1.0
    assert source_weight(_article("https://other.net/x"), {}) == 1.0
    boosted = SETTINGS.model_copy(update={"source_weights": {"example.com": 2.0}})
    assert _rank(_article("https://example.com/x"), settings=boosted).source == 2.0


def test_score_accepts_a_mapping_and_refuses_unknown_names() -> None:
    features = _features(pinned=1.0)
    assert score(features, {"pinned": 2.0}) == 2.0
    assert score(features, dict.fromkeys(FEATURES, 1.0)) == pytest.approx(sum(features.values()))
    with pytest.raises(ConfigError):
        score(features, {"pinnned": 1.0})


def _synthetic_history(
    weeks: int, seed: int, preference: dict[str, float]
) -> list[tuple[list[RankFeatures], list[bool]]]:
    """Weeks of 40 candidates; the curator picks the 8 with the best hidden utility."""
    rng = np.random.default_rng(seed)
    history = []
    for _ in range(weeks):
        candidates = [
            RankFeatures(
                relevance=float(rng.uniform(0, 2)),
                freshness=float(rng.uniform(0, 1)),
                source=float(rng.choice([0.5, 1.0, 1.0, 1.5])),
                coverage=float(np.log1p(rng.integers(1, 6))),
                pinned=float(rng.random() < 0.05),
                note=float(rng.random() < 0.1),
            )
            for _ in range(40)
        ]
        utility = [
            sum(preference.get(n, 0.0) * v for n, v in zip(FEATURES, c.values(), strict=True))
            + float(rng.normal(0, 0.3))
            for c in candidates
        ]
        cut = sorted(utility, reverse=True)[7]
        history.append((candidates, [u >= cut for u in utility]))
    return history


def test_learn_weights_recovers_a_planted_preference() -> None:
    # This curator cares about coverage and freshness, barely about topics.
    preference = {"coverage": 3.0, "freshness": 2.0, "relevance": 0.2, "pinned": 3.0}
    weights, report = learn_weights(_synthetic_history(16, 1, preference), k=8)
    assert set(weights) == set(FEATURES)
    assert weights["coverage"] > weights["relevance"]
    assert weights["freshness"] > weights["relevance"]
    assert weights["pinned"] > 0
    assert len(report.held_out) == 12
    assert report.auc > report.auc_default
    assert report.auc > 0.9
    assert report.precision_at_k > report.precision_at_k_default
    assert report.ndcg > report.ndcg_default
    assert "held-out weeks" in report.summary()
    # The weights rank new weeks well, scaled like the defaults.
    assert sum(abs(w) for w in weights.values()) == pytest.approx(
        sum(abs(getattr(SETTINGS, n)) for n in FEATURES), rel=1e-3
    )


def test_learn_weights_is_deterministic() -> None:
    history = _synthetic_history(6, 2, {"relevance": 1.0, "coverage": 1.0})
    first = learn_weights(history)
    assert learn_weights(history) == first
    assert isinstance(first[1], LearnReport)


def test_learn_weights_needs_usable_weeks() -> None:
    history = _synthetic_history(3, 3, {"relevance": 1.0})
    with pytest.raises(UserError):
        learn_weights(history[:1])
    with pytest.raises(UserError):
        learn_weights([(history[0][0], [False] * 40), (history[1][0], [True] * 40)])
    with pytest.raises(UserError):
        learn_weights([(history[0][0], history[0][1][:5]), history[1]])
    with pytest.raises(UserError):
        learn_weights(history, k=0)
