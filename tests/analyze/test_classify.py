"""The kind classifier: accuracy floors, training data, training time, registry."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from mustreads.analyze.classify import (
    CLASSES,
    Classifier,
    LabelledExample,
    LinearClassifier,
    classifiers,
    get_classifier,
    load_examples,
    train,
)
from mustreads.config import Settings
from mustreads.errors import BackendError, MustreadsError
from mustreads.models import Article, Kind
from tests.analyze.evalsets import SETS, floors

FLOORS = floors("classification")


@pytest.mark.parametrize("set_name", SETS)
def test_kind_accuracy_meets_the_floor(set_name: str) -> None:
    classifier = LinearClassifier(Settings())
    labelled = SETS[set_name]()
    wrong = [
        (a.id, a.kind.value, got.value)
        for a in labelled
        if (got := classifier.classify_text(a.title, a.text, a.site_name)) is not a.kind
    ]
    accuracy = 1 - len(wrong) / len(labelled)
    assert accuracy >= FLOORS["kind_accuracy"][set_name], wrong


def test_training_data_is_balanced_short_and_apart_from_the_evaluation_sets() -> None:
    examples = load_examples()
    counts = Counter(e.kind for e in examples)
    assert set(counts) == set(CLASSES) and len(examples) >= 120
    assert max(counts.values()) - min(counts.values()) <= 0.15 * max(counts.values())
    assert all(60 <= len(e.text.split()) <= 150 for e in examples)
    evaluation = {a.title.lower() for name in SETS for a in SETS[name]()}
    assert not evaluation & {e.title.lower() for e in examples}
    evaluation_text = {a.text[:80] for name in SETS for a in SETS[name]()}
    assert not evaluation_text & {e.text[:80] for e in examples}


def test_training_is_fast_and_deterministic() -> None:
    examples = load_examples()
    started = time.perf_counter()
    first = train(examples)
    elapsed = time.perf_counter() - started
    # Well under a second alone; the margin is for a busy shared test machine.
    assert elapsed < 3.0
    second = train(examples)
    assert (first.word_weights == second.word_weights).all()
    assert (first.cue_weights == second.cue_weights).all()


def test_probabilities_are_a_distribution_over_the_kinds() -> None:
    probabilities = LinearClassifier(Settings()).probabilities(
        "Orrin Labs releases Orrin-3", "Orrin Labs released a model on Tuesday, it said."
    )
    assert set(probabilities) == set(CLASSES)
    assert sum(probabilities.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("title", "text", "kind"),
    [
        (
            "Vireo AI raises $40 million for support agents",
            "Vireo AI said on Monday it has raised $40 million in a Series B round led by "
            "Granite Peak. The company's agents answer support tickets for 300 customers, "
            "and it plans to hire 50 engineers, chief executive Dan Osei said.",
            Kind.EVENT,
        ),
        (
            "How to evaluate a retrieval pipeline",
            "You cannot improve retrieval without measuring it. Start by collecting fifty "
            "real questions, and for each one write down the passage that answers it. Then "
            "check how often that passage lands in your top five results. Here is why that "
            "single number matters more than any leaderboard.",
            Kind.RESOURCE,
        ),
        (
            "A summer salad with peaches and burrata",
            "Slice three ripe peaches and arrange them on a plate with torn burrata and "
            "basil leaves. Drizzle with olive oil and a little honey, season with flaky salt "
            "and black pepper, and serve straight away with crusty bread.",
            Kind.OFFTOPIC,
        ),
    ],
)
def test_clear_cases(title: str, text: str, kind: Kind) -> None:
    assert LinearClassifier(Settings()).classify_text(title, text) is kind


def test_classify_reads_articles_and_falls_back_to_feed_text() -> None:
    articles = [
        Article(link_id=1, url="u", extractor="x", title=a.title, text=a.text)
        for a in SETS["eval"]()[:4]
    ]
    articles.append(
        Article(link_id=2, url="u", extractor="x", title="Tomato soup", text=None,
                fallback_text="Roast tomatoes, onions and garlic, then blend with stock.")
    )  # fmt: skip
    kinds = LinearClassifier(Settings()).classify(articles)
    assert kinds[:4] == [a.kind for a in SETS["eval"]()[:4]]
    assert kinds[4] is Kind.OFFTOPIC


def test_a_model_can_be_given() -> None:
    examples = [
        LabelledExample(f"launch {i}", "announced today said million " * 12, Kind.EVENT)
        for i in range(3)
    ] + [
        LabelledExample(f"guide {i}", "how to you can step example " * 12, Kind.RESOURCE)
        for i in range(3)
    ] + [
        LabelledExample(f"soup {i}", "tomato onion garlic stock soup " * 12, Kind.OFFTOPIC)
        for i in range(3)
    ]  # fmt: skip
    classifier = LinearClassifier(Settings(), model=train(examples))
    assert classifier.classify_text("soup", "garlic soup with tomato and onion") is Kind.OFFTOPIC


def test_unreadable_training_data_is_a_mustreads_error() -> None:
    with pytest.raises(MustreadsError, match="kind training data"):
        load_examples("data/no-such-file.jsonl")


def test_the_registry_builds_it_by_name() -> None:
    built: Classifier = get_classifier("linear", Settings())
    assert isinstance(built, LinearClassifier) and built.name == "linear"
    assert "linear" in classifiers.names()
    with pytest.raises(BackendError):
        get_classifier("no-such-classifier", Settings())
