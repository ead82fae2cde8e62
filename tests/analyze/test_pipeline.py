"""The analyze stage end to end: the demo web fetched, then analyzed, checked against its labels."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mustreads.analyze.pipeline import analyze
from mustreads.analyze.text import is_boilerplate, split_sentences
from mustreads.config import Settings
from mustreads.demo import catalog
from mustreads.demo.server import DemoWeb
from mustreads.ingest.collect import Collector
from mustreads.models import Source
from mustreads.publication import Publication
from mustreads.store import Store
from tests.analyze.openai_server import OpenAIServer, Reply
from tests.conftest import STORE_KINDS, blank_store_url

FLOORS = json.loads((Path(__file__).parents[1] / "quality_floors.json").read_text())
CONTRACT = {"url", "title", "author", "site_name", "published_at", "kind", "topics", "story_id",
            "summary", "summarizer", "grounded", "score"}  # fmt: skip


def demo_settings(**analyze: Any) -> Settings:
    return Settings.model_validate(
        {
            "fetch": {"allow_private_networks": True, "per_host_delay": 0,
                      "per_host_concurrency": 8, "retries": 0},
            "analyze": analyze,
        }
    )  # fmt: skip


@pytest.fixture(scope="module")
def demo_web() -> Iterator[DemoWeb]:
    with DemoWeb() as web:
        yield web


@pytest.fixture(scope="module", params=STORE_KINDS)
def fetched_url(
    request: pytest.FixtureRequest, demo_web: DemoWeb, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A store holding the fetched demo web (fetched once per store kind)."""
    with blank_store_url(request.param, tmp_path_factory.mktemp("fetched")) as url:
        with Store.open(url) as store:
            for feed in demo_web.feed_urls():
                store.add_source(Source(url=feed))
            Collector(store, demo_settings()).run()
        yield url


@pytest.fixture(scope="module")
def analyzed(fetched_url: str) -> Iterator[Publication]:
    pub = Publication(Path("."), demo_settings(), Store.open(fetched_url))
    pub.analyze()
    yield pub
    pub.close()


def truth_by_url(base_url: str) -> dict[str, Any]:
    return {p.url(base_url): p for p in catalog() if p.special is None}


def test_export_keeps_the_contract_and_leaves_out_unreadable_pages(
    analyzed: Publication, demo_web: DemoWeb
) -> None:
    rows = analyzed.export()
    assert rows and all(set(row) == CONTRACT for row in rows)
    truth = truth_by_url(demo_web.base_url)
    assert {row["url"] for row in rows} == set(truth)  # no blocked, paywalled or copied page
    scores = [row["score"] for row in rows]
    assert scores == sorted(scores, reverse=True)


def test_kinds_meet_the_floor(analyzed: Publication, demo_web: DemoWeb) -> None:
    truth = truth_by_url(demo_web.base_url)
    rows = analyzed.export()
    correct = sum(row["kind"] == truth[row["url"]].kind.value for row in rows)
    accuracy = correct / len(rows)
    assert accuracy >= FLOORS["classification"]["kind_accuracy"]["demo_pipeline"], accuracy


def test_stories_match_the_labels(analyzed: Publication, demo_web: DemoWeb) -> None:
    truth = truth_by_url(demo_web.base_url)
    rows = [row for row in analyzed.export() if truth[row["url"]].story is not None]
    true_pairs = {
        frozenset((a["url"], b["url"]))
        for a, b in itertools.combinations(rows, 2)
        if truth[a["url"]].story == truth[b["url"]].story
    }
    found_pairs = {
        frozenset((a["url"], b["url"]))
        for a, b in itertools.combinations(rows, 2)
        if a["story_id"] == b["story_id"]
    }
    precision = len(true_pairs & found_pairs) / len(found_pairs)
    recall = len(true_pairs & found_pairs) / len(true_pairs)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= FLOORS["clustering"]["demo_pipeline_pairwise_f1"], (precision, recall)
    # Every news story of the current week is listed with all its sites.
    listed = {story.label: {i.article.url for i in items} for story, items in analyzed.stories()}
    for story_id in {p.story for p in truth.values() if p.story and p.week == 0}:
        urls = {u for u, p in truth.items() if p.story == story_id}
        assert urls in listed.values(), story_id


def test_extractive_summaries_are_short_and_free_of_boilerplate(analyzed: Publication) -> None:
    floors = FLOORS["summaries"]
    for row in analyzed.export():
        sentences = split_sentences(row["summary"])
        assert floors["min_sentences"] <= len(sentences) <= floors["max_sentences"], row["url"]
        assert len(row["summary"].split()) <= floors["max_words"], row["url"]
        assert not any(is_boilerplate(s) for s in sentences), row["summary"]
        assert row["summarizer"] == "extractive" and row["grounded"] is None


def test_a_second_run_changes_nothing(analyzed: Publication) -> None:
    # Scores decay with time (freshness), so both runs see the same clock.
    at = datetime.now(UTC)
    analyze(analyzed.store, analyzed.settings, now=lambda: at)
    before = analyzed.export()
    report = analyze(analyzed.store, analyzed.settings, now=lambda: at)
    assert report.analyzed == 0
    assert analyzed.export() == before


def test_llm_summaries_are_cached_in_the_store(
    store_url: str, demo_web: DemoWeb, tmp_path: Path
) -> None:
    with OpenAIServer() as server, Store.open(store_url) as store:

        def answer(request: Any) -> Reply:
            # The article's first two sentences: a faithful, grounded summary.
            text = request.prompt.split("\n\n")[-1]
            return Reply(content=" ".join(split_sentences(text)[:2]))

        server.default = answer
        settings = demo_settings(summarizer="llm")
        settings.llm.api_base = server.url
        settings.llm.retries = 0
        for feed in demo_web.feed_urls():
            store.add_source(Source(url=feed))
        Collector(store, settings).run()
        pub = Publication(tmp_path, settings, store)
        first = pub.analyze()
        asked = len(server.requests)
        assert asked == first.analyzed - first.duplicates >= 30
        assert first.fallbacks == 0 and first.ungrounded == 0
        assert all(row["summarizer"] == "llm" and row["grounded"] for row in pub.export())
        # Re-analyzing everything asks nothing: the answers come from the store.
        again = pub.analyze(since=datetime(2000, 1, 1, tzinfo=UTC))
        assert len(server.requests) == asked
        assert again.analyzed == first.analyzed
