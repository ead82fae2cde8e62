"""Sentence splitting, boilerplate detection and tokens (mustreads.analyze.text)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mustreads.analyze.text import (
    content_words,
    is_boilerplate,
    split_paragraphs,
    split_sentences,
    tokenize,
    word_count,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Dr. Lee joined in May. She leads the team.",
            ["Dr. Lee joined in May.", "She leads the team."],
        ),
        (
            "Prof. Ada Byrne and Mr. Tom Hale spoke. Ms. Ruiz did not.",
            ["Prof. Ada Byrne and Mr. Tom Hale spoke.", "Ms. Ruiz did not."],
        ),
        (
            "The U.S. lab released it. The U.K. office did not.",
            ["The U.S. lab released it.", "The U.K. office did not."],
        ),
        (
            "The model was trained in the U.S. The weights are open.",
            ["The model was trained in the U.S.", "The weights are open."],
        ),
        (
            "Use a small model, e.g. Tern-7B, for routing. It is cheap.",
            ["Use a small model, e.g. Tern-7B, for routing.", "It is cheap."],
        ),
        (
            "Some tasks, i.e. Extraction and Routing, suit it. Others do not.",
            ["Some tasks, i.e. Extraction and Routing, suit it.", "Others do not."],
        ),
        (
            "Accuracy rose from 3.5 to 4.25 points. Costs fell 0.7 percent.",
            ["Accuracy rose from 3.5 to 4.25 points.", "Costs fell 0.7 percent."],
        ),
        (
            "Version v2.1 ships today, after 1.0.3 last year. Upgrade soon.",
            ["Version v2.1 ships today, after 1.0.3 last year.", "Upgrade soon."],
        ),
        (
            "Docs are at https://example.com/docs/v2.1/index.html today. Read them.",
            ["Docs are at https://example.com/docs/v2.1/index.html today.", "Read them."],
        ),
        (
            "See example.org. Then try it.",
            ["See example.org.", "Then try it."],
        ),
        (
            '"We are thrilled," she said. "Why now?" he asked. It shipped!',
            ['"We are thrilled," she said.', '"Why now?" he asked.', "It shipped!"],
        ),
        (
            "He said it works. “It does.” Then he left.",
            ["He said it works.", "“It does.”", "Then he left."],
        ),
        (
            "J. R. Hale wrote the paper. It was good.",
            ["J. R. Hale wrote the paper.", "It was good."],
        ),
        (
            "Acme Inc. said it would ship. It shipped at Acme Inc. The end.",
            ["Acme Inc. said it would ship.", "It shipped at Acme Inc.", "The end."],
        ),
        (
            "It happened on Jan. 5 in Oslo. No. 3 was best. The answer was no. Fine.",
            ["It happened on Jan. 5 in Oslo.", "No. 3 was best.", "The answer was no.", "Fine."],
        ),
        (
            "Results vary (see Fig. 2). Wait... It worked.",
            ["Results vary (see Fig. 2).", "Wait...", "It worked."],
        ),
        ("1. Install the package.", ["1. Install the package."]),
        (
            "Is it good? Yes! The end.",
            ["Is it good?", "Yes!", "The end."],
        ),
        (
            "First paragraph without a stop\nSecond paragraph. Two sentences.",
            ["First paragraph without a stop", "Second paragraph.", "Two sentences."],
        ),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_split_paragraphs_collapses_whitespace_and_skips_blank_lines() -> None:
    assert split_paragraphs("  One\t two  \n\n\n Three \r\n") == ["One two", "Three"]


@given(st.text(alphabet=st.sampled_from(list("ab .!?\"'\nDUSe.g13 ")), max_size=200))
def test_splitting_loses_no_text(text: str) -> None:
    # Sentences put back together are the paragraphs, whitespace collapsed.
    assert " ".join(split_sentences(text)) == " ".join(split_paragraphs(text))
    assert all(sentence == sentence.strip() and sentence for sentence in split_sentences(text))


BOILERPLATE = [
    "We use cookies to personalise content. Accept all cookies or manage your preferences.",
    "This website uses cookies.",
    "Read our cookie policy.",
    "See our privacy policy and terms of service.",
    "Subscribe to our newsletter for the week's top stories.",
    "Sign up for free to keep reading.",
    "Already a subscriber? Log in.",
    "Get the best stories delivered to your inbox.",
    "Start your free trial today.",
    "Create a free account to continue.",
    "Become a member and support independent journalism.",
    "Share this article",
    "Share on Facebook · Share on X · Copy link",
    "Click here to read our full coverage.",
    "Read more: five models you can run on a laptop",
    "Continue reading below.",
    "Related articles",
    "See also the earlier report.",
    "Recommended for you",
    "Advertisement",
    "Sponsored content from our partners.",
    "Download the app for the best experience.",
    "Listen to this article · 4 min read",
    "In this article, we explore attention in depth.",
    "This post explains how routers work.",
    "Photo: Getty Images",
    "Image credits: Petrel Labs",
    "The lab's offices in Zurich. (Photo courtesy of Petrel Labs)",
    "Caption: The chip on display.",
    "Figure 2 shows the loss curve",
    "By Jane Doe",
    "By Priya Raman and Tom Castell | Venture Ledger",
    "Written by the editorial team.",
    "Reporting by Sam Lee; editing by Ana Ruiz.",
    "Jane Doe is a senior reporter covering AI.",
    "March 4, 2025",
    "Updated 3 hours ago",
    "Published on 12 May 2025 at 10:00 a.m. ET",
    "Tuesday, 8 April 2025",
    "2025-03-04",
    "© 2025 Capitol Circuit. All rights reserved.",
    "Copyright 2024 Example Media.",
    "Leave a comment below.",
    "Thanks for reading! If you enjoyed this post, share it.",
    "Tags: open source, databases",
    "Filed under: Training",
]

CONTENT = [
    "Petrel Labs released Petrel-2 on Monday, an open-weights model.",
    "By the end of 2025, most labs will ship reasoning models.",
    "By Monday the company had fixed the outage.",
    "The company's shares rose 6% after the announcement.",
    "Readers of the report found the cost figures most useful.",
    "Subscriptions to the service doubled, the company said.",
    "The model was trained on 9 trillion tokens.",
    "Its agents now open 40,000 pull requests a week.",
    "The photo model generates images from text prompts.",
    "Top researchers left the lab in March.",
    "March was a record month for the company.",
]


@pytest.mark.parametrize("sentence", BOILERPLATE)
def test_boilerplate_is_detected(sentence: str) -> None:
    assert is_boilerplate(sentence)


@pytest.mark.parametrize("sentence", CONTENT)
def test_content_is_not_boilerplate(sentence: str) -> None:
    assert not is_boilerplate(sentence)


def test_empty_sentence_is_boilerplate() -> None:
    assert is_boilerplate("   ")


def test_tokenize_keeps_names_versions_and_numbers_whole() -> None:
    assert tokenize("GPT-4 and v2.1 don't beat 3.5, Orrin-3!") == [
        "gpt-4",
        "and",
        "v2.1",
        "don't",
        "beat",
        "3.5",
        "orrin-3",
    ]


def test_content_words_drop_stopwords() -> None:
    assert content_words("The model is in the lab and it said so.") == ["model", "lab"]


def test_word_count_counts_runs_of_non_space() -> None:
    assert word_count("  A model,  v2.1 — out\nnow. ") == 6
