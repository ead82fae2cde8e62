"""The draft as Markdown: the file a curator sees, round trips, hand edits and bad edits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from mustreads.compose.changes import compare_issues
from mustreads.compose.markdown import EditError, issue_to_markdown, markdown_to_issue
from mustreads.errors import UserError
from mustreads.models import Issue, IssueItem, IssueStatus, Section, SourceRef, Tier


def issue() -> Issue:
    return Issue(
        week=date(2025, 1, 31),
        title="A, B, C, and More",
        subtitle="An AI engineer's must-reads for 1-31-25",
        intro="Hello **readers**.\nStart with the [roadmap](https://x.example/roadmap).",
        previous_url="https://x.example/p/1",
        id=7,
        items=[
            IssueItem(Section.EVENTS, "Lab ships model", "https://wire.example/a",
                      "The lab shipped a *model*.\nIt is big.", id=1, story_id=4,
                      sources=[SourceRef("Wire", "https://wire.example/a"),
                               SourceRef("Blog", "https://blog.example/b")]),
            IssueItem(Section.EVENTS, "Chip deal", "https://wire.example/c", "A deal.",
                      id=2, article_id=9, position=1,
                      sources=[SourceRef("Wire", "https://wire.example/c")]),
            IssueItem(Section.RESOURCES, "Attention [explained]", "https://r.example/1",
                      "A clear guide.", author="Ann Lee", id=3, article_id=11,
                      sources=[SourceRef("R", "https://r.example/1")]),
            IssueItem(Section.RESOURCES, "Evals", "https://r.example/2", "How to eval.",
                      id=4, article_id=12, position=1),
            IssueItem(Section.RESOURCES, "Paid one", "https://r.example/3", "Deep dive.",
                      tier=Tier.PAID, author="Bo", id=5, article_id=13, position=2),
        ],
    )  # fmt: skip


# The file the curator sees for issue(): the format, pinned. Line numbers below refer to it.
DOC = """\
+++
# Edit, save and close the editor; mustreads reads it back. Guide: docs/compose.md
# Keep each '<!-- item … -->' line right above its item. Below '<!-- paywall -->': paid.
title = "A, B, C, and More"
subtitle = "An AI engineer's must-reads for 1-31-25"
week = 2025-01-31  # read-only: the week this issue covers
intro = '''
Hello **readers**.
Start with the [roadmap](https://x.example/roadmap).
'''
+++

## Events you should know

<!-- item id=1 s=4 title="Lab ships model" url="https://wire.example/a" -->
- The lab shipped a *model*.
  It is big.
  sources: [Wire](https://wire.example/a), [Blog](https://blog.example/b)

<!-- item id=2 a=9 title="Chip deal" url="https://wire.example/c" -->
- A deal.
  sources: [Wire](https://wire.example/c)

## Resources you should read

<!-- item id=3 a=11 -->
### [Attention \\[explained\\]](https://r.example/1)
By Ann Lee

A clear guide.

sources: [R](https://r.example/1)

<!-- item id=4 a=12 -->
### [Evals](https://r.example/2)

How to eval.

<!-- paywall -->

<!-- item id=5 a=13 -->
### [Paid one](https://r.example/3)
By Bo

Deep dive.
"""


def lines_of(text: str) -> list[str]:
    return text.split("\n")


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_the_file_reads_like_the_issue() -> None:
    assert issue_to_markdown(issue()) == DOC
    assert markdown_to_issue(DOC, issue()) == issue()


# -- round trip -------------------------------------------------------------

TRICKY = ["[", "]", "\\", "*", "**", "_", "`", "(", ")", "<", ">", "-->", "<!--", "###", "#",
          "- ", "* ", "By ", "by ", "sources:", "  sources:", "Sources: ", '"', "'''", "+++",
          "é", "漢字", "🙂", "\t", " ", "  ", "\u2028", "\x0b", "[x](https://y)", "~~"]  # fmt: skip
plain = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=8)
one_line = st.lists(st.one_of(st.sampled_from(TRICKY), plain), max_size=5).map("".join)
multi_line = st.lists(one_line, max_size=5).map("\n".join)
stripped = multi_line.map(str.strip)
ids = st.none() | st.integers(min_value=0, max_value=10**6)
urls = st.builds(lambda path: "https://example.org/" + path, one_line)
sources = st.lists(st.builds(SourceRef, name=one_line, url=urls), max_size=3)


def items(section: Section, tier: Tier) -> st.SearchStrategy[IssueItem]:
    return st.builds(
        IssueItem,
        section=st.just(section),
        tier=st.just(tier),
        title=one_line,
        url=urls,
        summary=stripped,
        author=st.none() | one_line.map(str.strip).filter(bool),
        sources=sources,
        article_id=ids,
        story_id=ids,
        id=ids,
    )


@st.composite
def issues(draw: st.DrawFn) -> Issue:
    drawn = (
        draw(st.lists(items(Section.EVENTS, Tier.FREE), max_size=3))
        + draw(st.lists(items(Section.RESOURCES, Tier.FREE), max_size=3))
        + draw(st.lists(items(Section.RESOURCES, Tier.PAID), max_size=3))
    )
    counters: dict[Section, int] = {}
    for item in drawn:  # positions as the store numbers them
        item.position = counters.get(item.section, 0)
        counters[item.section] = item.position + 1
    return Issue(
        week=draw(st.dates()),
        title=draw(multi_line),
        subtitle=draw(one_line),
        intro=draw(st.one_of(multi_line, st.sampled_from(["", "\n", "x\n\n", "+++\n'''"]))),
        id=draw(ids),
        items=drawn,
    )


@hypothesis_settings(max_examples=300)
@given(issues())
def test_round_trip(drawn: Issue) -> None:
    text = issue_to_markdown(drawn)
    assert markdown_to_issue(text, drawn) == drawn
    assert not compare_issues(drawn, markdown_to_issue(text, drawn))


@hypothesis_settings(max_examples=100)
@given(issues())
def test_round_trip_survives_an_editor_that_strips_trailing_spaces(drawn: Issue) -> None:
    text = "\n".join(line.rstrip(" ") for line in issue_to_markdown(drawn).split("\n"))
    back = markdown_to_issue(text, drawn)
    assert [(i.id, i.section, i.tier) for i in back.items] == [
        (i.id, i.section, i.tier) for i in drawn.items
    ]


# -- hand edits ---------------------------------------------------------------


def test_reorder_and_delete() -> None:
    lines = lines_of(DOC)
    events = lines[14:22]  # the two event blocks and the blank line between them
    reordered = [*lines[:14], *events[5:], "", *events[:4], *lines[22:]]
    back = markdown_to_issue("\n".join(reordered), issue())
    assert [i.id for i in back.section(Section.EVENTS)] == [2, 1]
    assert [i.position for i in back.section(Section.EVENTS)] == [0, 1]
    deleted = edit(DOC, "<!-- item id=4 a=12 -->\n### [Evals](https://r.example/2)\n\n"
                        "How to eval.\n\n", "")  # fmt: skip
    back = markdown_to_issue(deleted, issue())
    assert [i.id for i in back.items] == [1, 2, 3, 5]
    changes = compare_issues(issue(), back)
    assert (changes.removed, changes.added, changes.reordered) == (1, 0, False)


def test_moving_an_item_across_the_paywall_changes_its_tier() -> None:
    block = "<!-- item id=4 a=12 -->\n### [Evals](https://r.example/2)\n\nHow to eval.\n\n"
    text = edit(DOC, block, "")
    text = edit(text, "<!-- paywall -->\n\n", f"<!-- paywall -->\n\n{block}")
    back = markdown_to_issue(text, issue())
    assert [(i.id, i.tier) for i in back.section(Section.RESOURCES)] == [
        (3, Tier.FREE), (4, Tier.PAID), (5, Tier.PAID)
    ]  # fmt: skip
    all_paid = edit(DOC, "## Resources you should read\n\n",
                    "## Resources you should read\n\n<!-- paywall -->\n")  # fmt: skip
    all_paid = edit(all_paid, "How to eval.\n\n<!-- paywall -->\n", "How to eval.\n")
    assert {i.tier for i in markdown_to_issue(all_paid, issue()).section(Section.RESOURCES)} == {
        Tier.PAID
    }
    assert compare_issues(issue(), markdown_to_issue(text, issue())).moved == 1


def test_moving_items_between_sections_keeps_what_they_are() -> None:
    event = ('<!-- item id=2 a=9 title="Chip deal" url="https://wire.example/c" -->\n'
             "- A deal.\n  sources: [Wire](https://wire.example/c)\n\n")  # fmt: skip
    resource = "<!-- item id=4 a=12 -->\n### [Evals](https://r.example/2)\n\nHow to eval.\n\n"
    text = edit(edit(DOC, event, ""), resource, "")
    text = edit(text, "## Resources you should read\n\n", f"{resource}## Resources you should "
                f"read\n\n{event}")  # fmt: skip
    back = markdown_to_issue(text, issue())
    original = {i.id: i for i in issue().items}
    moved = {i.id: i for i in back.items}
    assert moved[2] == replace(original[2], section=Section.RESOURCES, position=0)
    assert moved[4] == replace(original[4], section=Section.EVENTS, position=1)
    again = markdown_to_issue(issue_to_markdown(back), back)
    assert again == back


def test_rewrite_summary_title_and_add_a_hand_written_item() -> None:
    text = edit(DOC, 'title = "A, B, C, and More"', 'title = "Chips, Models, and More"')
    text = edit(text, "- A deal.\n", "- A *bigger* deal, with [a link](https://x.example).\n"
                "\n  A second paragraph.\n")  # fmt: skip
    text = edit(
        text, "### [Evals](https://r.example/2)", "### [Evals, done right](https://r.example/2)"
    )
    text = edit(text, "## Resources you should read\n", "- Hand-written news. More soon.\n"
                "  sources: [Site](https://s.example/n), https://www.other.example/m\n\n"
                "## Resources you should read\n\n### [Mine](https://me.example/post)\n"
                "By Me\nMy own summary.\n")  # fmt: skip
    back = markdown_to_issue(text, issue())
    assert back.title == "Chips, Models, and More"
    events = back.section(Section.EVENTS)
    assert events[1].summary == (
        "A *bigger* deal, with [a link](https://x.example).\n\nA second paragraph."
    )
    assert events[2] == IssueItem(
        Section.EVENTS, "Hand-written news.", "https://s.example/n",
        "Hand-written news. More soon.",
        sources=[SourceRef("Site", "https://s.example/n"),
                 SourceRef("other.example", "https://www.other.example/m")], position=2,
    )  # fmt: skip
    resources = back.section(Section.RESOURCES)
    assert resources[0] == IssueItem(
        Section.RESOURCES, "Mine", "https://me.example/post", "My own summary.", author="Me"
    )
    assert resources[2].title == "Evals, done right"
    changes = compare_issues(issue(), back)
    assert (changes.fields, changes.added, changes.edited) == (["title"], 2, 2)
    assert changes.describe() == "title changed, 2 items added, 2 items edited"


def test_lenient_where_a_person_would_expect_it() -> None:
    text = "\n\n" + edit(DOC, "## Events you should know", "##   events")
    text = edit(text, "  It is big.", "It is big.")  # a lazy continuation line
    # The comment above the item has its url, so its sources may go.
    text = edit(text, "  sources: [Wire](https://wire.example/c)", "sources:")
    text = edit(text, "\n<!-- paywall -->\n", "\n<!--PAYWALL-->\n")
    text = edit(text, "week = 2025-01-31  # read-only: the week this issue covers\n", "")
    back = markdown_to_issue(text.replace("\n", "\r\n").replace("\r\n", "\n"), issue())
    assert back.items[0].summary == "The lab shipped a *model*.\nIt is big."
    assert back.items[1].sources == [] and back.items[1].url == "https://wire.example/c"
    assert back.items[4].tier is Tier.PAID


def test_a_published_issue_is_not_editable() -> None:
    published = replace(issue(), status=IssueStatus.PUBLISHED, number=3)
    with pytest.raises(UserError, match="published"):
        markdown_to_issue(DOC, published)


# -- bad edits ----------------------------------------------------------------------


def replace_line(number: int, new: str) -> str:
    lines = lines_of(DOC)
    lines[number - 1] = new
    return "\n".join(lines)


def insert_line(before: int, new: str) -> str:
    lines = lines_of(DOC)
    lines.insert(before - 1, new)
    return "\n".join(lines)


# fmt: off
MALFORMED = [
    ("no front matter", DOC.replace("+++\n", "", 1), 1, "must start with a '+++'"),
    ("unclosed front matter", DOC.replace("+++\n\n## Events", "\n## Events"), 1, "not closed"),
    ("broken toml", replace_line(4, 'title = "A, B'), 4, "front matter:"),
    ("unterminated intro", replace_line(10, ""), 11, "front matter:"),
    ("week changed", replace_line(6, "week = 2025-02-07"), 6, "week is read-only"),
    ("unknown key", insert_line(5, "tone = 'fun'"), 5, "unknown front matter key 'tone'"),
    ("title not a string", replace_line(4, "title = 3"), 4, "title must be a string"),
    ("no title", replace_line(4, ""), 1, "needs a title"),
    ("unknown section", replace_line(13, "## Gossip"), 13, "unknown section heading '## Gossip'"),
    ("two event headings", replace_line(24, "## Events"), 24, "a second '## Events you should"),
    ("unknown heading", replace_line(31, "#### Notes"), 31, "unknown heading"),
    ("text before a section", insert_line(13, "Hello"), 13, "text outside any section"),
    ("text before an item", insert_line(14, "Hello"), 14, "text outside any item"),
    ("unindented paragraph after an event", insert_line(20, "Hello"), 20, "indent the lines"),
    ("event without sources", replace_line(15, "<!-- item id=1 s=4 -->").replace(
        "  sources: [Wire](https://wire.example/a), [Blog](https://blog.example/b)\n", ""),
     16, "an event needs a sources line"),
    ("hand-written event without sources", insert_line(24, "- News.\n"), 24,
     "an event needs a sources line"),
    ("empty sources of a hand-written event", insert_line(24, "- News.\n  sources:\n"), 25,
     "needs at least one source"),
    ("bad sources", replace_line(18, "  sources: Wire, Blog"), 18, "cannot read the sources"),
    ("text after sources", insert_line(19, "  more"), 19, "must be the last line"),
    ("resource without a link", replace_line(27, "### Attention explained"), 27,
     "a resource needs a title line '### [Title](url)'"),
    ("resource with an empty link", replace_line(35, "### [Evals]()"), 35, "the link is empty"),
    ("text after the title link", replace_line(35, "### [Evals](https://r.example/2) new"), 35,
     "nothing after it"),
    ("broken item comment", replace_line(26, "<!-- item id=x -->"), 26, "cannot read this item"),
    ("orphan item comment", insert_line(20, "<!-- item id=9 -->"), 20, "right above its item"),
    ("comment at the end", DOC + "<!-- item id=9 -->\n", 46, "right above its item"),
    ("unknown comment", insert_line(33, "<!-- todo -->"), 33, "unknown comment"),
    ("two paywall markers", insert_line(34, "<!-- paywall -->"), 40, "a second paywall marker"),
    ("paywall in events", insert_line(14, "<!-- paywall -->"), 14, "belongs under '## Resources"),
    ("events below the paywall", "\n".join(lines_of(DOC)[:12] + lines_of(DOC)[23:]) + "\n".join(
        lines_of(DOC)[12:23]), 35, "events are free"),
    ("item outside a section", "\n".join(lines_of(DOC)[:11]) + "\n- News.\n", 12,
     "an item outside any section"),
]
# fmt: on


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_bad_edits_name_the_line(text: str, line: int, reason: str) -> None:
    with pytest.raises(EditError, match=r"^line ") as caught:
        markdown_to_issue(text, issue())
    assert reason in caught.value.reason
    assert caught.value.line == line, str(caught.value)
    assert str(caught.value) == f"line {line}: {caught.value.reason}"
