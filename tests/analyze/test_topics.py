"""Topic assignment by keywords (mustreads.analyze.topics)."""

from __future__ import annotations

from mustreads.analyze.topics import MIN_SCORE, TITLE_WEIGHT, assign_topics, topic_scores
from mustreads.config import Settings
from mustreads.models import Article

TAXONOMY = Settings().analyze.topics


def article(title: str, text: str) -> Article:
    return Article(link_id=1, url="https://example.com/a", extractor="test", title=title, text=text)


def test_title_hits_weigh_more_than_text_hits() -> None:
    scores = topic_scores("A new inference server", "It also mentions a paper.", TAXONOMY)
    assert scores["inference"] == TITLE_WEIGHT
    assert scores["research"] == 1


def test_best_topics_first_and_at_most_limit() -> None:
    a = article(
        "Orrin Labs releases an open-weights mixture-of-experts model",
        "The MoE model has 64 experts and a router. Inference latency is low on one GPU. "
        "Researchers published a paper with benchmark results. The model weights are out.",
    )
    assert assign_topics(a, TAXONOMY) == ["models", "moe", "inference"]
    assert assign_topics(a, TAXONOMY, limit=1) == ["models"]
    assert assign_topics(a, TAXONOMY, limit=0) == []


def test_words_match_on_boundaries_with_plurals_and_hyphens() -> None:
    scores = topic_scores(
        "", "Its impact was actually small. Two acts passed. Chain-of-thought helps.", TAXONOMY
    )
    assert scores["policy"] == 1  # "acts", not "impact" or "actually"
    assert scores["reasoning"] == 1  # one hit, though two keywords spell it


def test_a_single_passing_mention_is_not_a_topic() -> None:
    a = article("Slow-roasted tomato pasta", "Roast the tomatoes for two hours. One tool: a pan.")
    assert assign_topics(a, TAXONOMY) == []
    assert MIN_SCORE > 1


def test_ties_keep_the_taxonomy_order_and_empty_keyword_lists_score_zero() -> None:
    taxonomy = {"b": ["beta"], "a": ["alpha"], "empty": []}
    a = article("alpha and beta", "")
    assert assign_topics(a, taxonomy) == ["b", "a"]
    assert topic_scores("alpha", "", taxonomy)["empty"] == 0


def test_feed_text_is_read_when_there_is_no_page_text() -> None:
    a = Article(link_id=1, url="u", extractor="x", title="News",
                fallback_text="A clinical study of patients in a hospital.")  # fmt: skip
    assert assign_topics(a, TAXONOMY) == ["healthcare"]
