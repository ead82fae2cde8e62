"""Extraction quality: the metric on hand-made cases, and the floor on the benchmark.

The benchmark lives outside the repository (``../shared/benchmarks/article-extraction``
or ``$MUSTREADS_EXTRACTION_BENCHMARK``); the floor test is skipped when it is absent.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOORS = ROOT / "tests" / "quality_floors.json"
BENCHMARK = Path(
    os.environ.get(
        "MUSTREADS_EXTRACTION_BENCHMARK",
        ROOT.parent / "shared" / "benchmarks" / "article-extraction",
    )
)


def _bench_module(name: str) -> ModuleType:
    bench = str(ROOT / "bench")
    if bench not in sys.path:
        sys.path.insert(0, bench)
    return importlib.import_module(name)


metric = _bench_module("extraction_metric")


# --- the metric ----------------------------------------------------------------------


def test_identical_texts_score_one() -> None:
    text = "Kestrel Labs released a model on Monday that reads a million tokens."
    page = metric.score_page(text, text)
    assert (page.tp, page.fp, page.fn) == (1.0, 0.0, 0.0)
    assert page.exact
    assert metric.evaluate([(text, text)]).f1 == 1.0


def test_tokenization_ignores_punctuation_and_spacing() -> None:
    truth = "Hello, world: this is one sentence."
    page = metric.score_page(truth, "Hello world\n\nthis is one   sentence")
    assert page.exact and page.precision == 1.0 and page.recall == 1.0


def test_extra_and_missing_words_are_counted_as_shingles() -> None:
    truth = "a b c d e"  # shingles: abcd, bcde
    page = metric.score_page(truth, "a b c d e f")  # abcd, bcde, cdef
    assert page.tp == pytest.approx(2 / 3)
    assert page.fp == pytest.approx(1 / 3)
    assert page.fn == 0
    assert page.precision == pytest.approx(2 / 3)
    assert page.recall == 1.0
    assert not page.exact


def test_repeated_shingles_count_with_multiplicity() -> None:
    page = metric.score_page("x y z w", "x y z w x y z w")  # truth 1 shingle, prediction 5
    assert page.tp == pytest.approx(1 / 5)
    assert page.fp == pytest.approx(4 / 5)


def test_short_texts_are_one_shingle() -> None:
    assert metric.shingles(["only", "three", "words"]) == {"only three words": 1}
    assert metric.score_page("two words", "two words").precision == 1.0


def test_empty_prediction_is_left_out_of_precision_but_counts_for_recall() -> None:
    scores = metric.evaluate([("a b c d", "a b c d"), ("e f g h", None)])
    assert scores.precision == 1.0  # only the first page has a prediction
    assert scores.recall == pytest.approx(0.5)  # the second page recalls nothing
    assert scores.f1 == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert scores.accuracy == pytest.approx(0.5)


def test_both_empty_scores_one() -> None:
    page = metric.score_page("", "")
    assert page.precision == 1.0 and page.recall == 1.0


def test_pages_weigh_the_same_whatever_their_length() -> None:
    long_truth = " ".join(f"w{i}" for i in range(400))
    scores = metric.evaluate([(long_truth, long_truth), ("a b c d", "q r s t")])
    assert scores.precision == pytest.approx(0.5)
    assert scores.recall == pytest.approx(0.5)


# --- the floor -----------------------------------------------------------------------


def _floors() -> dict[str, float]:
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))["extraction"]
    assert isinstance(floors, dict)
    return floors


def test_floor_is_recorded_and_meets_the_goal() -> None:
    assert _floors()["f1"] >= 0.97


@pytest.mark.skipif(
    not (BENCHMARK / "ground-truth.json").exists(),
    reason=f"article-extraction benchmark not found at {BENCHMARK}",
)
def test_ensemble_meets_the_quality_floor() -> None:
    bench = _bench_module("extraction")
    pages = bench.load_pages(BENCHMARK)
    rows = {row.extractor: row for row in bench.measure(pages, ["ensemble"])}
    ensemble = rows["ensemble"]
    floors = _floors()
    assert ensemble.pages == len(pages) > 0
    assert ensemble.f1 >= floors["f1"]
    assert ensemble.precision >= floors["precision"]
    assert ensemble.recall >= floors["recall"]
