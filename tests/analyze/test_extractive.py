"""The extractive summarizer: quality floors, faithfulness, order, lead, edge cases."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest

from mustreads.analyze.summarize import Summarizer, get_summarizer, summarizers
from mustreads.analyze.summarize.extractive import ExtractiveSummarizer
from mustreads.analyze.text import is_boilerplate, split_paragraphs, split_sentences
from mustreads.config import Settings
from mustreads.errors import BackendError
from mustreads.models import Article, ArticleStatus, Summary
from tests.analyze.evalsets import SETS, LabelledArticle, floors

FLOORS = floors("summaries")


@cache
def summarizer() -> ExtractiveSummarizer:
    return ExtractiveSummarizer(Settings())


@cache
def summaries(set_name: str) -> tuple[tuple[LabelledArticle, str], ...]:
    return tuple((a, summarizer().summarize_text(a.text, a.title)) for a in SETS[set_name]())


def article(text: str, title: str | None = None, **fields: object) -> Article:
    return Article(link_id=1, url="https://example.com/a", extractor="test", title=title,
                   text=text, **fields)  # type: ignore[arg-type]  # fmt: skip


@pytest.mark.parametrize("set_name", SETS)
def test_every_summary_has_the_right_shape(set_name: str) -> None:
    settings = Settings()
    for labelled, summary in summaries(set_name):
        sentences = split_sentences(summary)
        assert FLOORS["min_sentences"] <= len(sentences) <= FLOORS["max_sentences"], labelled.id
        assert len(summary.split()) <= min(FLOORS["max_words"], settings.analyze.max_words)


@pytest.mark.parametrize("set_name", SETS)
def test_no_summary_sentence_is_boilerplate(set_name: str) -> None:
    found = []
    for labelled, summary in summaries(set_name):
        for sentence in split_sentences(summary):
            if is_boilerplate(sentence) or any(
                sentence in line or line in sentence for line in labelled.boilerplate
            ):
                found.append((labelled.id, sentence))
    assert len(found) <= FLOORS["boilerplate_sentences"], found


@pytest.mark.parametrize("set_name", SETS)
def test_key_facts_reach_the_summaries(set_name: str) -> None:
    recall, with_fact = [], []
    for labelled, summary in summaries(set_name):
        hits = [fact for fact in labelled.key_facts if fact.lower() in summary.lower()]
        recall.append(len(hits) / len(labelled.key_facts))
        with_fact.append(bool(hits))
    assert sum(recall) / len(recall) >= FLOORS["key_fact_recall"][set_name]
    assert sum(with_fact) / len(with_fact) >= FLOORS["share_with_a_key_fact"][set_name]


@pytest.mark.parametrize("set_name", SETS)
def test_summary_sentences_are_the_articles_own_in_order(set_name: str) -> None:
    for labelled, summary in summaries(set_name):
        source = " ".join(split_paragraphs(labelled.text))
        positions = [source.find(sentence) for sentence in split_sentences(summary)]
        assert all(p >= 0 for p in positions), labelled.id
        assert positions == sorted(positions), labelled.id


def test_summaries_are_deterministic() -> None:
    labelled = SETS["eval"]()[:8]
    first = [summarizer().summarize_text(a.text, a.title) for a in labelled]
    fresh = ExtractiveSummarizer(Settings())
    assert [fresh.summarize_text(a.text, a.title) for a in labelled] == first


NEWS = """\
Orrin Labs released Orrin-3 on Tuesday, an open-weights reasoning model with 34 billion \
parameters that runs on a single GPU.
The model scored 71 percent on a reasoning benchmark, the company said in a statement.
Reasoning models reason about reasoning problems, and reasoning benchmarks measure how \
reasoning models reason on reasoning problems.
Many reasoning models now compete on reasoning benchmarks, and reasoning benchmarks rank \
reasoning models by their reasoning.
Analysts said reasoning benchmarks for reasoning models have become the main way labs \
compare reasoning models."""


def test_news_keeps_the_lead_over_central_sentences() -> None:
    summary = summarizer().summarize_text(NEWS, "Orrin Labs releases Orrin-3", is_news=True)
    assert summary.startswith("Orrin Labs released Orrin-3 on Tuesday")


def test_essays_weigh_the_lead_less_than_news() -> None:
    essay = summarizer().summarize_text(NEWS, "Reasoning benchmarks", is_news=False)
    news = summarizer().summarize_text(NEWS, "Reasoning benchmarks", is_news=True)
    assert news.startswith("Orrin Labs released")
    assert essay != news


PAGE = """\
We use cookies to improve your experience. Accept all cookies or manage your preferences.
By Jane Doe
March 4, 2025
SAN FRANCISCO — Kestrel AI has raised $85 million to build coding agents, the company \
said on Wednesday, in a round led by Harbor Lane Ventures.
Photo: Kestrel AI's founders at their office. (Image credit: Kestrel AI)
The round values the two-year-old startup at $1.1 billion, according to two people \
familiar with the deal. Share this article on LinkedIn.
Kestrel says its agents open about 40,000 pull requests a week across 900 customer \
repositories.
Subscribe to our newsletter to get the week's biggest stories in your inbox.
What does this mean for developers?
Here is what we know:
The company plans to double its engineering staff to 120 by the end of the year."""


def test_page_furniture_never_reaches_the_summary() -> None:
    summary = summarizer().summarize_text(PAGE, "Kestrel AI raises $85 million", is_news=True)
    assert summary.startswith("Kestrel AI has raised $85 million")  # dateline stripped
    for sentence in split_sentences(summary):
        assert not is_boilerplate(sentence)
        assert not sentence.endswith(("?", ":"))
    assert "cookies" not in summary and "Share this" not in summary and "Jane" not in summary


def test_settings_bound_sentences_and_words() -> None:
    settings = Settings()
    settings.analyze.max_sentences = 2
    settings.analyze.max_words = 40
    tight = ExtractiveSummarizer(settings)
    for labelled in SETS["eval"]()[:10]:
        summary = tight.summarize_text(labelled.text, labelled.title)
        assert 1 <= len(split_sentences(summary)) <= 2
        assert len(summary.split()) <= 40


def test_summarize_returns_one_summary_per_article_and_reports_progress() -> None:
    labelled = SETS["eval"]()[:3]
    done: list[int] = []
    result = summarizer().summarize(
        [article(a.text, a.title) for a in labelled], progress=done.append
    )
    assert [s.summarizer for s in result] == ["extractive"] * 3
    assert all(s.text and s.error is None and s.grounded is None for s in result)
    assert done == [1, 1, 1]


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: article("Some text.", status=ArticleStatus.BLOCKED), "article is blocked"),
        (lambda: article(""), "article has no text"),
        (lambda: article("Subscribe to our newsletter.\nShare this article"), "no sentence"),
    ],
)
def test_unusable_articles_give_an_empty_summary_with_the_reason(
    make: Callable[[], Article], error: str
) -> None:
    (summary,) = summarizer().summarize([make()])
    assert summary == Summary("", "extractive", error=summary.error)
    assert summary.error is not None and summary.error.startswith(error)


def test_feed_text_is_used_when_the_page_gave_none() -> None:
    fallback = (
        "Petrel Labs released Petrel-2 on Monday, a model that reads 400,000 tokens. "
        "The weights are published under the Apache 2.0 license."
    )
    (summary,) = summarizer().summarize([article("", fallback_text=fallback)])
    assert summary.text == fallback


def test_the_registry_builds_it_by_name() -> None:
    built: Summarizer = get_summarizer("extractive", Settings())
    assert isinstance(built, ExtractiveSummarizer) and built.name == "extractive"
    assert "extractive" in summarizers.names()
    with pytest.raises(BackendError):
        get_summarizer("no-such-summarizer", Settings())
