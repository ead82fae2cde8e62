"""Near-duplicate detection: syndicated copies and light rewrites, and nothing else."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from mustreads.analyze.dedupe import band_parameters, find_duplicates
from mustreads.errors import UserError
from mustreads.models import Article
from tests.analyze.test_cluster import floors, load_demo, load_labelled

_VOCABULARY = """model release open weights benchmark training tokens context window inference
chip startup funding round investors valuation regulators commission privacy robots agents
framework vulnerability patch researchers dataset clinical doctors cloud region acquisition
vector database search latency throughput memory accelerator license"""
WORDS = _VOCABULARY.split()


def _article(
    article_id: int, text: str, *, day: float = 0, title: str = "A headline", site: str = "a"
) -> Article:
    return Article(
        link_id=article_id,
        id=article_id,
        url=f"https://{site}.example/{article_id}",
        extractor="test",
        title=title,
        published_at=datetime(2025, 3, 1, tzinfo=UTC) + timedelta(days=day),
        text=text,
    )


def _random_text(rng: random.Random, words: int = 160) -> str:
    return " ".join(rng.choice(WORDS) + str(rng.randrange(40)) for _ in range(words))


def _rewrite(rng: random.Random, text: str, changes: int) -> str:
    tokens = text.split()
    for i in rng.sample(range(len(tokens)), changes):
        tokens[i] = "changed" + str(i)
    return " ".join(tokens)


def _check_floors(found: dict[int, int], expected: dict[int, int]) -> None:
    floor = floors()
    recall = sum(1 for k, v in expected.items() if found.get(k) == v) / len(expected)
    false = sum(1 for k in found if k not in expected)
    assert recall >= floor["duplicates_recall"], (found, expected)
    assert false <= floor["false_duplicates"], (found, expected)


def test_labelled_duplicates_all_found_and_nothing_else() -> None:
    data = load_labelled()
    assert len(data.duplicates) >= 2  # a syndicated copy and a light rewrite
    found = find_duplicates(data.articles)
    _check_floors(found, data.duplicates)
    assert found == data.duplicates


def test_demo_duplicates_all_found_and_nothing_else() -> None:
    data = load_demo()
    found = find_duplicates(data.articles)
    _check_floors(found, data.duplicates)


def test_same_event_written_twice_is_not_a_duplicate() -> None:
    data = load_labelled()
    by_id = {a.id: a for a in data.articles}
    found = find_duplicates([by_id[i] for i in (1, 2, 3, 4, 20, 21, 22, 23, 24)])
    assert found == {}


@pytest.mark.parametrize("changes", [0, 3, 6, 8])  # of 160 words: up to one in twenty
def test_light_rewrites_are_duplicates(changes: int) -> None:
    rng = random.Random(changes)
    text = _random_text(rng)
    found = find_duplicates([_article(1, text), _article(2, _rewrite(rng, text, changes), day=1)])
    assert found == {2: 1}


def test_heavy_rewrites_are_not() -> None:
    rng = random.Random(3)
    text = _random_text(rng)
    assert find_duplicates([_article(1, text), _article(2, _rewrite(rng, text, 60))]) == {}


def test_canonical_is_earliest_then_longest_then_lowest_id() -> None:
    text = _random_text(random.Random(1))
    longer = text + " and one more closing line for the record"
    assert find_duplicates([_article(1, text, day=1), _article(2, text, day=0)]) == {1: 2}
    assert find_duplicates([_article(1, text), _article(2, longer)]) == {1: 2}
    assert find_duplicates([_article(5, text), _article(3, text)]) == {5: 3}
    undated = replace(_article(1, text), published_at=None)
    assert find_duplicates([undated, _article(2, text, day=9)]) == {1: 2}


def test_a_group_of_copies_points_to_one_canonical() -> None:
    rng = random.Random(2)
    text = _random_text(rng)
    copies = [_article(i, _rewrite(rng, text, 3), day=i) for i in range(1, 6)]
    assert find_duplicates(copies) == {2: 1, 3: 1, 4: 1, 5: 1}


def test_short_or_empty_texts_are_never_duplicates() -> None:
    stub = "Subscribe to keep reading."
    articles = [_article(1, stub), _article(2, stub), _article(3, ""), _article(4, "")]
    assert find_duplicates(articles) == {}
    assert find_duplicates([]) == {}


def test_many_unrelated_articles_have_no_duplicates_and_copies_are_found() -> None:
    rng = random.Random(11)
    articles = [_article(i, _random_text(rng, 120)) for i in range(1, 1501)]
    copies = [
        _article(2000 + i, _rewrite(rng, articles[i].text or "", 5), day=1) for i in range(20)
    ]
    found = find_duplicates(articles + copies)
    assert found == {2000 + i: i + 1 for i in range(20)}


def test_result_does_not_depend_on_input_order() -> None:
    data = load_labelled()
    shuffled = list(data.articles)
    random.Random(5).shuffle(shuffled)
    assert find_duplicates(shuffled) == find_duplicates(data.articles)


def test_bad_input_is_refused() -> None:
    text = _random_text(random.Random(4))
    with pytest.raises(UserError):
        find_duplicates([_article(1, text)], threshold=0)
    with pytest.raises(UserError):
        find_duplicates([_article(1, text)], threshold=1.5)
    with pytest.raises(UserError):
        find_duplicates([replace(_article(1, text), id=None)])
    with pytest.raises(UserError):
        find_duplicates([_article(1, text), _article(1, text)])


@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.9])
def test_banding_finds_pairs_at_the_threshold(threshold: float) -> None:
    bands, rows = band_parameters(threshold)
    assert bands * rows <= 64
    assert 1 - (1 - threshold**rows) ** bands >= 0.995
