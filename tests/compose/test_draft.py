"""Drafting on hand-made articles: the week, the sections, curator signals, the store round trip."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from mustreads.compose.draft import (
    Featured,
    compose_issue,
    draft_issue,
    issue_json,
    issue_url,
)
from mustreads.compose.week import format_date, parse_week, week_ending, week_window
from mustreads.config import Settings
from mustreads.errors import ConfigError, UserError
from mustreads.models import (
    Analysis,
    AnalyzedArticle,
    Article,
    Issue,
    Kind,
    Link,
    Section,
    SourceRef,
    Story,
    Tier,
)
from mustreads.store import Store

WEEK = date(2025, 1, 31)  # a Friday
IN_WEEK = datetime(2025, 1, 28, 9, tzinfo=UTC)


# -- the week -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "weekday", "expected"),
    [
        (date(2025, 1, 31), "friday", date(2025, 1, 31)),  # the day itself
        (date(2025, 1, 27), "friday", date(2025, 1, 31)),  # Monday: the coming Friday
        (date(2025, 2, 1), "friday", date(2025, 2, 7)),  # Saturday: the next week's
        (date(2025, 1, 31), "monday", date(2025, 2, 3)),
        (date(2024, 12, 30), "sunday", date(2025, 1, 5)),  # across a year
        (date(2024, 2, 27), "Thursday", date(2024, 2, 29)),  # leap day; any case
    ],
)
def test_week_ending(today: date, weekday: str, expected: date) -> None:
    assert week_ending(today, weekday) == expected


def test_an_unknown_weekday_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="friyay"):
        week_ending(WEEK, "friyay")


def test_the_week_is_seven_utc_days_ending_on_its_day() -> None:
    start, end = week_window(WEEK)
    assert start == datetime(2025, 1, 25, tzinfo=UTC)
    assert end == datetime(2025, 2, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{m}-{d}-{yy}", "1-31-25"),
        ("{mm}/{dd}/{yyyy}", "01/31/2025"),
        ("{d} {month} {yyyy}", "31 January 2025"),
        ("{yyyy}-{mm}-{dd}", "2025-01-31"),
        ("week of {month} {d}", "week of January 31"),
        ("{{{m}}}", "{1}"),
    ],
)
def test_subtitle_date_formats(pattern: str, expected: str) -> None:
    assert format_date(WEEK, pattern) == expected


def test_the_default_subtitle_matches_the_reference_issue() -> None:
    issue = compose_issue([], {}, Settings(), week=WEEK)
    assert issue.subtitle == "An AI engineer's must-reads for 1-31-25"
    assert format_date(date(2025, 3, 7), "{mm}-{dd}-{yy}") == "03-07-25"


@pytest.mark.parametrize("pattern", ["{day}", "{m.real}", "{m:>4}", "{0}", "{m", "}"])
def test_a_bad_date_format_is_a_config_error(pattern: str) -> None:
    with pytest.raises(ConfigError, match=r"compose\.date_format"):
        format_date(WEEK, pattern)


def test_a_bad_subtitle_template_is_a_config_error() -> None:
    settings = Settings.model_validate({"compose": {"subtitle": "Issue {number}"}})
    with pytest.raises(ConfigError, match=r"compose.subtitle: unknown field \{number\}"):
        compose_issue([], {}, settings, week=WEEK)


@pytest.mark.parametrize("text", ["2025-13-01", "next friday", "", "31/01/2025"])
def test_a_bad_week_is_not_a_date(text: str) -> None:
    with pytest.raises(UserError, match="not a date"):
        parse_week(text)
    assert parse_week(" 2025-01-31 ") == WEEK


# -- selection, on articles made by hand -----------------------------------------


def article(
    article_id: int,
    kind: Kind | None,
    score: float,
    *,
    site: str = "Wire",
    story: int | None = None,
    title: str | None = None,
    author: str | None = None,
    pinned: bool = False,
    hint: str | None = None,
    duplicate_of: int | None = None,
    published: datetime | None = IN_WEEK,
) -> AnalyzedArticle:
    url = f"https://{site.lower().replace(' ', '')}.example/{article_id}"
    return AnalyzedArticle(
        article=Article(
            link_id=article_id,
            url=url,
            extractor="test",
            id=article_id,
            title=title or f"Article {article_id} about things",
            author=author,
            site_name=site,
            published_at=published,
        ),
        link=Link(url=url, canonical_url=url, id=article_id, pinned=pinned, section_hint=hint),
        analysis=Analysis(
            article_id=article_id,
            kind=kind,
            score=score,
            story_id=story,
            duplicate_of=duplicate_of,
            summary=f"Summary of {article_id}.",
        ),
    )


def settings(**compose: object) -> Settings:
    return Settings.model_validate({"compose": compose})


EVENT, RESOURCE, OFFTOPIC = Kind.EVENT, Kind.RESOURCE, Kind.OFFTOPIC


def test_events_are_stories_ranked_by_their_best_member_with_every_source() -> None:
    items = [
        article(1, EVENT, 1.0, site="Wire", story=10),
        article(2, EVENT, 2.5, site="Blog", story=10),
        article(3, EVENT, 0.5, site="Paper", story=10),
        article(4, EVENT, 2.0, site="Wire", story=20),
        article(5, EVENT, 3.0, site="Wire"),  # news nobody else covered: a story of its own
    ]
    stories = {10: Story("Halyard is out", [1, 2, 3], id=10), 20: Story("Deal", [4], id=20)}
    issue = compose_issue(items, stories, Settings(), week=WEEK)
    events = issue.section(Section.EVENTS)
    assert [e.title for e in events] == ["Article 5 about things", "Halyard is out", "Deal"]
    halyard = events[1]
    assert halyard.summary == "Summary of 2." and halyard.url == "https://blog.example/2"
    assert halyard.sources == [
        SourceRef("Blog", "https://blog.example/2"),
        SourceRef("Wire", "https://wire.example/1"),
        SourceRef("Paper", "https://paper.example/3"),
    ]
    assert halyard.story_id == 10 and halyard.author is None and halyard.tier is Tier.FREE
    assert events[0].story_id is None and events[0].article_id == 5


def test_coverage_breaks_a_tie_between_stories() -> None:
    items = [
        article(1, EVENT, 2.0, story=10),
        article(2, EVENT, 2.0, site="Blog", story=20),
        article(3, EVENT, 1.0, site="Wire", story=20),
    ]
    stories = {10: Story("Alone", [1], id=10), 20: Story("Covered", [2, 3], id=20)}
    issue = compose_issue(items, stories, Settings(), week=WEEK)
    assert [e.title for e in issue.section(Section.EVENTS)] == ["Covered", "Alone"]


def test_resources_are_the_top_articles_split_at_the_paywall() -> None:
    items = [article(i, RESOURCE, float(i), author="Ann" if i % 2 else None) for i in range(1, 8)]
    items.append(article(50, OFFTOPIC, 99.0))
    items.append(article(51, None, 98.0))  # never classified
    issue = compose_issue(items, {}, settings(resources=5, free_resources=2), week=WEEK)
    resources = issue.section(Section.RESOURCES)
    assert [r.article_id for r in resources] == [7, 6, 5, 4, 3]
    assert [r.tier for r in resources] == [Tier.FREE] * 2 + [Tier.PAID] * 3
    assert [r.author for r in resources] == ["Ann", None, "Ann", None, "Ann"]
    assert resources[0].title == "Article 7 about things"
    assert resources[0].summary == "Summary of 7."
    assert not issue.section(Section.EVENTS)


def test_section_counts_are_settings() -> None:
    items = [article(i, EVENT, float(i), story=i) for i in range(1, 6)]
    items += [article(i, RESOURCE, float(i)) for i in range(11, 15)]
    stories = {i: Story(f"Story {i}", [i], id=i) for i in range(1, 6)}
    issue = compose_issue(items, stories, settings(events=2, resources=0), week=WEEK)
    assert [e.story_id for e in issue.section(Section.EVENTS)] == [5, 4]
    assert not issue.section(Section.RESOURCES)
    free = compose_issue(items, stories, settings(free_resources=10), week=WEEK)
    assert all(r.tier is Tier.FREE for r in free.section(Section.RESOURCES))


def test_a_section_hint_beats_the_classifier() -> None:
    items = [
        article(1, RESOURCE, 1.0, hint="events"),
        article(2, EVENT, 1.0, hint="resources"),
        article(3, OFFTOPIC, 1.0, hint="resources"),  # the curator's call
    ]
    issue = compose_issue(items, {}, Settings(), week=WEEK)
    assert [i.article_id for i in issue.section(Section.EVENTS)] == [1]
    assert [i.article_id for i in issue.section(Section.RESOURCES)] == [2, 3]


def test_featured_items_do_not_come_back_unless_pinned() -> None:
    items = [
        article(1, RESOURCE, 5.0),  # featured before
        article(2, RESOURCE, 4.0, pinned=True),  # featured before, pinned again
        article(3, RESOURCE, 1.0),
        article(4, EVENT, 5.0, story=10),  # its story was featured
        article(5, EVENT, 3.0, story=20),
        article(6, EVENT, 1.0, story=20, pinned=True),  # pins its featured story
    ]
    stories = {10: Story("Old", [4], id=10), 20: Story("Pinned", [5, 6], id=20)}
    featured = Featured(articles=frozenset({1, 2}), stories=frozenset({10, 20}))
    issue = compose_issue(items, stories, Settings(), week=WEEK, featured=featured)
    assert [i.article_id for i in issue.section(Section.RESOURCES)] == [2, 3]
    assert [i.story_id for i in issue.section(Section.EVENTS)] == [20]


def test_a_pinned_link_is_in_even_past_the_count() -> None:
    items = [article(i, RESOURCE, float(i)) for i in range(1, 6)]
    items.append(article(9, RESOURCE, 0.1, pinned=True))
    issue = compose_issue(items, {}, settings(resources=2, free_resources=1), week=WEEK)
    assert [i.article_id for i in issue.section(Section.RESOURCES)] == [5, 9]
    only_pins = compose_issue(items, {}, settings(resources=0), week=WEEK)
    assert [i.article_id for i in only_pins.section(Section.RESOURCES)] == [9]


def test_duplicates_never_appear_and_pinning_a_copy_pins_its_original() -> None:
    items = [
        article(1, RESOURCE, 0.5),
        article(2, RESOURCE, 9.0, duplicate_of=1, pinned=True),
        article(3, RESOURCE, 2.0),
    ]
    one = compose_issue(items, {}, settings(resources=1), week=WEEK)
    assert [i.article_id for i in one.section(Section.RESOURCES)] == [1]
    two = compose_issue(items, {}, settings(resources=2), week=WEEK)
    assert [i.article_id for i in two.section(Section.RESOURCES)] == [3, 1]


def test_the_title_names_the_top_three_items_events_first() -> None:
    items = [
        article(1, EVENT, 3.0, story=10),
        article(2, RESOURCE, 9.0, title="Paper notes: routing experts without an auxiliary loss"),
        article(3, RESOURCE, 8.0, title="Understanding Reasoning Models | Ahead of AI"),
        article(4, RESOURCE, 7.0, title="Not in the title"),
    ]
    stories = {10: Story("Why Medical AI is Garbage", [1], id=10)}
    issue = compose_issue(items, stories, Settings(), week=WEEK)
    assert issue.title == (
        "Why Medical AI is Garbage, Routing experts without an auxiliary loss, "
        "Understanding Reasoning Models, and More"
    )
    two = compose_issue(items, stories, settings(title_items=2, title_words=3), week=WEEK)
    assert two.title == "Why Medical AI, Routing experts, and More"


def test_an_empty_week_still_makes_a_draft() -> None:
    issue = compose_issue([], {}, Settings(), week=WEEK)
    assert issue.items == [] and issue.title == Settings().publication.name
    assert issue.intro == Settings().compose.intro and issue.previous_url is None


def test_the_same_articles_in_any_order_give_the_same_issue() -> None:
    items = [
        article(i, [EVENT, RESOURCE][i % 2], float(i % 4), site=f"S{i % 3}", story=i % 5 or None)
        for i in range(1, 30)
    ]
    stories = {i: Story(f"Story {i}", [], id=i) for i in range(1, 5)}
    first = compose_issue(items, stories, Settings(), week=WEEK)
    for seed in range(3):
        shuffled = items[:]
        random.Random(seed).shuffle(shuffled)
        assert compose_issue(shuffled, stories, Settings(), week=WEEK) == first


def test_issue_url_joins_the_publication_url_and_the_slug() -> None:
    issue = Issue(week=WEEK, title="T", subtitle="S", number=12)
    for base in ("https://news.example/", "https://news.example"):
        s = Settings.model_validate({"publication": {"url": base}})
        assert issue_url(s, issue) == "https://news.example/issues/12/"
    issue.slug = "special edition"
    assert issue_url(Settings(), issue) == "http://localhost:8000/issues/special%20edition/"
    with pytest.raises(UserError, match="no address"):
        issue_url(Settings(), Issue(week=WEEK, title="T", subtitle="S"))


# -- drafting into the store ---------------------------------------------------------


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


def put(
    store: Store, items: list[AnalyzedArticle], stories: dict[int, Story] | None = None
) -> None:
    """Store hand-made articles as the analyze stage would; ids become the store's.

    ``stories`` maps the story ids the articles were made with to their stories.
    """
    stories = stories or {}
    new_ids: dict[int, int] = {}
    for item in items:
        old = item.article.id
        assert old is not None
        item.link.id = None
        store.add_link(item.link)
        assert item.link.id is not None
        item.article.link_id = item.link.id
        item.article.id = None
        new_ids[old] = store.save_article(item.article)
    for story in stories.values():
        story.article_ids = [new_ids[a] for a in story.article_ids]
    store.save_stories(list(stories.values()))
    story_ids = {old: story.id for old, story in stories.items()}
    analyses = []
    for item in items:
        assert item.analysis is not None and item.article.id is not None
        item.analysis.article_id = item.article.id
        if item.analysis.story_id is not None:
            item.analysis.story_id = story_ids[item.analysis.story_id]
        analyses.append(item.analysis)
    store.save_analyses(analyses)


def test_the_draft_covers_the_seven_days_ending_on_its_week(store: Store) -> None:
    put(
        store,
        [
            article(1, RESOURCE, 1.0, published=datetime(2025, 1, 25, 0, 0, tzinfo=UTC)),
            article(2, RESOURCE, 1.0, published=datetime(2025, 1, 31, 23, 59, tzinfo=UTC)),
            article(3, RESOURCE, 9.0, published=datetime(2025, 1, 24, 23, 59, tzinfo=UTC)),
            article(4, RESOURCE, 9.0, published=datetime(2025, 2, 1, 0, 0, tzinfo=UTC)),
        ],
    )
    issue = draft_issue(store, Settings(), week=WEEK)
    assert sorted(i.url.rsplit("/", 1)[1] for i in issue.items) == ["1", "2"]
    # Without a week: the one ending on the next compose.weekday.
    monday = datetime(2025, 1, 27, 8, tzinfo=UTC)
    assert draft_issue(store, Settings(), now=monday).week == WEEK


def test_an_undated_article_counts_in_the_week_it_was_extracted(store: Store) -> None:
    undated = article(1, RESOURCE, 1.0, published=None)
    undated.article.extracted_at = datetime(2025, 1, 29, tzinfo=UTC)
    late = article(2, RESOURCE, 1.0, published=None)
    late.article.extracted_at = datetime(2025, 2, 3, tzinfo=UTC)
    put(store, [undated, late])
    issue = draft_issue(store, Settings(), week=WEEK)
    assert [i.url for i in issue.items] == ["https://wire.example/1"]


def test_redrafting_replaces_the_week_s_draft_and_keeps_its_id(store: Store) -> None:
    put(
        store,
        [article(1, EVENT, 2.0, story=10), article(2, EVENT, 1.0, site="Blog", story=10)],
        {10: Story("Halyard is out", [1, 2])},
    )
    first = draft_issue(store, Settings(), week=WEEK)
    put(store, [article(3, RESOURCE, 1.0, author="Ann")])
    second = draft_issue(store, Settings(), week=WEEK)
    assert second.id == first.id
    loaded = store.draft_for_week(WEEK)
    assert loaded is not None and loaded.id == first.id
    assert [(i.section, i.title) for i in loaded.items] == [
        (Section.EVENTS, "Halyard is out"),
        (Section.RESOURCES, "Article 3 about things"),
    ]
    assert [s.name for s in loaded.items[0].sources] == ["Wire", "Blog"]
    assert loaded.items[0].story_id is not None
    draft_issue(store, Settings(), week=WEEK)
    assert same_draft(store.draft_for_week(WEEK), loaded)  # same store, same draft


def same_draft(a: Issue | None, b: Issue | None) -> bool:
    """Equal but for the row ids of the items (saving a draft rewrites its items)."""
    assert a is not None and b is not None
    return replace(a, items=[replace(i, id=None) for i in a.items]) == replace(
        b, items=[replace(i, id=None) for i in b.items]
    )


def test_previous_issue_and_what_it_featured(store: Store) -> None:
    put(store, [article(1, RESOURCE, 5.0), article(2, RESOURCE, 1.0)])
    when = datetime(2025, 1, 30, tzinfo=UTC)
    earlier = draft_issue(store, Settings(), week=WEEK - timedelta(days=3))
    assert earlier.previous_url is None
    earlier.items = earlier.items[:1]  # the curator kept only the best one
    store.publish_issue(store.save_issue(earlier), slug="1", published_at=when)
    issue = draft_issue(store, Settings(), week=WEEK)
    assert issue.previous_id == earlier.id
    assert issue.previous_url == "http://localhost:8000/issues/1/"
    assert [i.url for i in issue.items] == ["https://wire.example/2"]
    # A later week's issue is not "previous"; the week itself cannot be drafted again.
    with pytest.raises(UserError, match="already published"):
        draft_issue(store, Settings(), week=WEEK - timedelta(days=3))
    data = issue_json(issue, Settings())
    assert data["previous_url"] == issue.previous_url and data["number"] is None
