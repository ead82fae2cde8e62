"""Story clustering, on the labelled set in tests/data/analyze/stories/ and on the demo web."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from mustreads.analyze.cluster import _candidate_pairs, _corpus, cluster_stories, pair_scores
from mustreads.errors import UserError
from mustreads.models import Article, Kind, Story

STORIES = Path(__file__).parent.parent / "data" / "analyze" / "stories"
FLOORS = Path(__file__).parent.parent / "quality_floors.json"
DEMO_ANCHOR = date(2025, 2, 3)


@dataclass
class Labelled:
    articles: list[Article]
    stories: dict[int, str]  # article id -> story label
    kinds: dict[int, Kind]
    duplicates: dict[int, int]  # article id -> id of the article it copies


def load_labelled() -> Labelled:
    """Each ``NN.txt`` is ``key: value`` lines, a blank line, then the body; NN is the id."""
    out = Labelled([], {}, {}, {})
    for path in sorted(STORIES.glob("*.txt")):
        head, body = path.read_text(encoding="utf-8").split("\n\n", 1)
        meta = dict(line.split(": ", 1) for line in head.splitlines())
        article_id = int(path.stem)
        out.articles.append(
            Article(
                link_id=article_id,
                id=article_id,
                url=meta["url"],
                extractor="labelled",
                title=meta["title"],
                site_name=meta["site"],
                published_at=datetime.fromisoformat(meta["published"]),
                text=body.strip(),
                word_count=len(body.split()),
            )
        )
        out.stories[article_id] = meta["story"]
        out.kinds[article_id] = Kind(meta["kind"])
        if "duplicate_of" in meta:
            out.duplicates[article_id] = int(meta["duplicate_of"])
    return out


def load_demo() -> Labelled:
    """The demo web's readable pages (no bot checks, paywalls or dead links), as articles."""
    demo = pytest.importorskip("mustreads.demo")
    catalog = getattr(demo, "catalog", None)
    if not callable(catalog):  # not exported by the package: take it from its module
        catalog = getattr(pytest.importorskip("mustreads.demo.catalog"), "catalog", None)
    if not callable(catalog):
        pytest.skip("the demo web has no catalog yet")
    pages = [
        page for page in catalog(DEMO_ANCHOR) if page.special not in ("botcheck", "paywall", "dead")
    ]
    # Originals first, so that a copy published with its original gets the higher id.
    pages.sort(key=lambda page: (page.duplicate_of is not None, page.id))
    ids = {page.id: n for n, page in enumerate(pages, 1)}
    out = Labelled([], {}, {}, {})
    for page in pages:
        article_id = ids[page.id]
        out.articles.append(
            Article(
                link_id=article_id,
                id=article_id,
                url="http://127.0.0.1:8000" + page.path,
                extractor="demo",
                title=page.title,
                site_name=page.site_name,
                published_at=page.published,
                text=page.text,
            )
        )
        out.stories[article_id] = page.story or page.id
        out.kinds[article_id] = page.kind
        if page.duplicate_of:
            out.duplicates[article_id] = ids[page.duplicate_of]
    return out


def floors() -> dict[str, float]:
    data: dict[str, dict[str, float]] = json.loads(FLOORS.read_text(encoding="utf-8"))
    return data["clustering"]


def _article(
    article_id: int, title: str, text: str, day: float, site: str = "a.example"
) -> Article:
    return Article(
        link_id=article_id,
        id=article_id,
        url=f"https://{site}/{article_id}",
        extractor="test",
        title=title,
        published_at=datetime(2025, 3, 1, tzinfo=UTC) + timedelta(days=day),
        text=text,
    )


RELEASE = (
    "Nimbus Labs released Orion-2, a 70B open-weights model trained on 15 trillion tokens, "
    "under the Apache 2.0 license. Chief executive Dana Whitcombe said the model scores 84.1 "
    "on MMLU and supports a context window of 128,000 tokens."
)


def _memberships(stories: list[Story]) -> dict[int, int]:
    return {article_id: n for n, story in enumerate(stories) for article_id in story.article_ids}


# --- the labelled set ---------------------------------------------------------------------


def test_labelled_set_has_what_the_floors_assume() -> None:
    data = load_labelled()
    assert len(data.articles) >= 40
    sizes: dict[str, list[Article]] = {}
    for article in data.articles:
        assert 100 <= article.word_count <= 250, article.id
        sizes.setdefault(data.stories[article.id or 0], []).append(article)
    multi_site = [
        members
        for members in sizes.values()
        if len(members) > 1 and len({m.site_name for m in members}) > 1
    ]
    assert len(multi_site) >= 6
    assert all(2 <= len(members) <= 5 for members in multi_site)
    for copy, original in data.duplicates.items():
        assert data.stories[copy] == data.stories[original]


def test_labelled_pairwise_f1_meets_floor() -> None:
    data = load_labelled()
    stories = cluster_stories(data.articles, data.kinds)
    scores = pair_scores(stories, data.stories)
    floor = floors()
    assert scores.precision >= floor["labelled_pairwise_precision"], scores
    assert scores.recall >= floor["labelled_pairwise_recall"], scores
    assert scores.f1 >= floor["labelled_pairwise_f1"], scores


def test_demo_pairwise_f1_meets_floor() -> None:
    data = load_demo()
    originals = [a for a in data.articles if a.id not in data.duplicates]
    stories = cluster_stories(originals, data.kinds)
    scores = pair_scores(stories, data.stories)
    assert scores.f1 >= floors()["demo_pairwise_f1"], scores


def test_distractors_stay_apart() -> None:
    data = load_labelled()
    where = _memberships(cluster_stories(data.articles, data.kinds))
    assert where[1] == where[2] == where[3] == where[4]  # one release, four sites
    assert where[1] != where[6]  # another model released the same week
    assert where[1] != where[42]  # and a third one
    assert where[1] != where[8]  # the benchmark of the same model three weeks later
    assert where[1] != where[39]  # the same company hiring a CTO three days later
    assert where[27] != where[30]  # one cloud buying a startup, then opening regions


def test_labels_are_member_headlines_and_first_seen_is_earliest() -> None:
    data = load_labelled()
    by_id = {a.id: a for a in data.articles}
    for story in cluster_stories(data.articles, data.kinds):
        members = [by_id[i] for i in story.article_ids]
        assert story.label in {m.title for m in members}
        assert story.first_seen == min(m.published_at for m in members if m.published_at)


# --- contract -----------------------------------------------------------------------------


def test_every_article_in_exactly_one_story() -> None:
    data = load_labelled()
    stories = cluster_stories(data.articles)
    ids = [i for story in stories for i in story.article_ids]
    assert sorted(ids) == sorted(a.id or 0 for a in data.articles)


def test_only_events_are_grouped_when_kinds_given() -> None:
    articles = [_article(1, "Orion-2 released", RELEASE, 0), _article(2, "Orion-2", RELEASE, 1)]
    assert len(cluster_stories(articles)) == 1
    assert len(cluster_stories(articles, {1: Kind.EVENT, 2: Kind.EVENT})) == 1
    assert len(cluster_stories(articles, {1: Kind.EVENT, 2: Kind.RESOURCE})) == 2
    assert len(cluster_stories(articles, {1: Kind.EVENT})) == 2  # unknown kind: left alone


@pytest.mark.parametrize(("gap", "together"), [(0.5, True), (3.9, True), (4.1, False), (9, False)])
def test_articles_further_apart_than_the_window_never_join(gap: float, together: bool) -> None:
    articles = [_article(1, "Orion-2 released", RELEASE, 0), _article(2, "Orion-2", RELEASE, gap)]
    assert (len(cluster_stories(articles, window_days=4.0)) == 1) is together


def test_a_chain_of_articles_cannot_stretch_a_story_past_the_window() -> None:
    articles = [
        _article(i, f"Orion-2 report {i}", RELEASE, day, site=f"s{i}.example")
        for i, day in enumerate([0, 1.5, 3, 4.5, 6, 7.5], 1)
    ]
    stories = cluster_stories(articles, window_days=4.0)
    by_id = {a.id: a for a in articles}
    for story in stories:
        times = [by_id[i].published_at or datetime.min for i in story.article_ids]
        assert max(times) - min(times) <= timedelta(days=4)
    assert len(stories) >= 2


def test_stories_do_not_depend_on_input_order() -> None:
    data = load_labelled()
    expected = cluster_stories(data.articles, data.kinds)
    shuffled = list(data.articles)
    random.Random(7).shuffle(shuffled)
    assert cluster_stories(shuffled, data.kinds) == expected
    assert cluster_stories(data.articles, data.kinds) == expected


def test_articles_without_a_date_use_their_extraction_time() -> None:
    first = replace(_article(1, "Orion-2 released", RELEASE, 0), published_at=None)
    first.extracted_at = datetime(2025, 3, 1, 12, tzinfo=UTC)
    stories = cluster_stories([first, _article(2, "Orion-2 is out", RELEASE, 0.2)])
    assert len(stories) == 1
    assert stories[0].first_seen == datetime(2025, 3, 1, 4, 48, tzinfo=UTC)


def test_bad_input_is_refused() -> None:
    with pytest.raises(UserError):
        cluster_stories([replace(_article(1, "x", RELEASE, 0), id=None)])
    with pytest.raises(UserError):
        cluster_stories([_article(1, "x", RELEASE, 0), _article(1, "y", RELEASE, 0)])
    with pytest.raises(UserError):
        cluster_stories([_article(1, "x", RELEASE, 0)], window_days=0)
    assert cluster_stories([]) == []


def test_pair_scores_counts_pairs() -> None:
    stories = [Story("a", [1, 2, 3]), Story("b", [4]), Story("c", [5, 6])]
    truth = {1: "x", 2: "x", 3: "y", 4: "y", 5: "z", 6: "z"}
    scores = pair_scores(stories, truth)
    # predicted pairs: 12 13 23 56; true pairs: 12 34 56; both: 12 56
    assert scores.precision == pytest.approx(2 / 4)
    assert scores.recall == pytest.approx(2 / 3)
    assert scores.f1 == pytest.approx(4 / 7)


def test_blocking_does_not_compare_all_pairs() -> None:
    # 600 articles on one day, all naming the same company: the shared name is too
    # common to block on, so candidate pairs stay near-linear, not 180,000.
    rng = random.Random(3)
    vocabulary = ["".join(rng.choices("bcdfgklmnprstvz", k=3)) + "ing" for _ in range(3000)]
    articles = [
        _article(
            i,
            f"Nimbus Labs {rng.choice(vocabulary)} update",
            "Nimbus Labs said " + " ".join(rng.choices(vocabulary, k=80)) + ".",
            day=rng.random(),
            site=f"s{i % 30}.example",
        )
        for i in range(1, 601)
    ]
    left, _ = _candidate_pairs(_corpus(articles, None), 4.0)
    assert len(left) < 10 * len(articles)
    assert max(len(s.article_ids) for s in cluster_stories(articles)) <= 3
