"""Headline phrases and the issue title, on titles as sites really write them."""

from __future__ import annotations

import pytest

from mustreads.compose.headline import headline_phrase, issue_title

# (title, site name or None, expected phrase at 7 words)
PHRASES = [
    # The reference issue.
    ("Why Medical AI is Garbage | Sergei Polevikov", None, "Why Medical AI is Garbage"),
    ("Realistic perspectives on DeepSeek models - by Devansh", None,
     "Realistic perspectives on DeepSeek models"),
    ("Understanding Reasoning Models - Ahead of AI", "Ahead of AI",
     "Understanding Reasoning Models"),
    # Already short: kept as written.
    ("The AI engineer's learning roadmap", None, "The AI engineer's learning roadmap"),
    ("Evals are a product, not a spreadsheet", None, "Evals are a product, not a spreadsheet"),
    ("What test-time compute actually buys you", None, "What test-time compute actually buys you"),
    # Cut at a colon when the head stands on its own.
    ("Wren 8B and CodeLadder: a strong result that needs a contamination audit", None,
     "Wren 8B and CodeLadder"),
    ("Halyard in a weekend: first impressions from someone who ships", None,
     "Halyard in a weekend"),
    ("Brightwater's scribe rollout: what 30 hospitals will test", None,
     "Brightwater's scribe rollout"),
    # A one-word head says too little: the title stays whole.
    ("DeepSeek: the model that shook markets", None, "DeepSeek: the model that shook markets"),
    # Kickers are dropped, one after another, and the phrase is capitalized.
    ("Exclusive: inside the team building Meridian's evaluation harness", None,
     "Inside the team building Meridian's evaluation harness"),
    ("Paper notes: routing experts without an auxiliary loss", None,
     "Routing experts without an auxiliary loss"),
    ("Reading notes: distilling reasoning traces into small models", None,
     "Distilling reasoning traces into small models"),
    ("Exclusive: Paper notes: routing experts", None, "Routing experts"),
    ("Part 2: Building an eval harness from scratch with pytest and duckdb", None,
     "Building an eval harness from scratch"),
    ("Tensor Wire: Cobalt unveils C7", "Tensor Wire", "Cobalt unveils C7"),
    # Dashes and bars.
    ("OpenAI o3 — everything you need to know about the new reasoning model", None, "OpenAI o3"),
    ("What’s new in PyTorch 2.6 — PyTorch Blog", None, "What’s new in PyTorch 2.6"),
    ("Serving LLMs on a budget | Stackwise", "Stackwise", "Serving LLMs on a budget"),
    ("A guide to speculative decoding - example.com", None, "A guide to speculative decoding"),
    ("Fine-tuning small models · The Batch", None, "Fine-tuning small models"),
    # A lowercase tail after " - " is not a site name: cut at it as a clause.
    ("Halyard is here - and it changes the open model race", None, "Halyard is here"),
    # Sentences and questions; abbreviations are not sentence ends.
    ("A small model just beat much bigger ones on a coding benchmark. Here's the catch", None,
     "A small model just beat much bigger"),
    ("Is Halyard any good? We tested it for a week", None, "Is Halyard any good?"),
    ("Dr. Lee explains the U.S. rules for clinical AI tools in depth", None,
     "Dr. Lee explains the U.S. rules"),
    # Long titles stop where a new phrase begins, never on a dangling word.
    ("Meridian Labs releases Halyard, a 70-billion-parameter open-weights reasoning model", None,
     "Meridian Labs releases Halyard"),
    ("Parallax Cloud to buy inference startup Lumenfold for $1.1 billion", None,
     "Parallax Cloud to buy inference startup Lumenfold"),
    ("Parallax Cloud agrees $1.1 billion deal for Lumenfold", None,
     "Parallax Cloud agrees $1.1 billion deal"),
    ("Cobalt Silicon's C7 chip bets everything on inference", None,
     "Cobalt Silicon's C7 chip bets everything"),
    ("Clinical AI makers given 180 days to meet new logging rules", None,
     "Clinical AI makers given 180 days"),
    ("Brightwater Health rolls out AI scribe to 4,000 clinicians", None,
     "Brightwater Health rolls out AI scribe"),
    ("Structured outputs with JSON Schema, step by step", None,
     "Structured outputs with JSON Schema"),
    ("How to fine-tune Llama 3 on a single GPU, step by step", None, "How to fine-tune Llama 3"),
    ("Ferrule 1.0 arrives with speculative decoding built in", None, "Ferrule 1.0 arrives"),
    ("The state of the art of the field of the study of the", None, "The state of the art"),
    ("The rise of the AI engineer (and what it means for you)", None,
     "The rise of the AI engineer"),
    # Whitespace and quotes around the title.
    ('  "Attention   is all you need"  ', None, "Attention is all you need"),
]  # fmt: skip


@pytest.mark.parametrize(("title", "site", "expected"), PHRASES)
def test_headline_phrase(title: str, site: str | None, expected: str) -> None:
    assert headline_phrase(title, 7, site_name=site) == expected


@pytest.mark.parametrize(("title", "site", "expected"), PHRASES)
def test_a_phrase_never_passes_the_limit_nor_dangles(
    title: str, site: str | None, expected: str
) -> None:
    for limit in range(2, 9):
        phrase = headline_phrase(title, limit, site_name=site)
        words = phrase.split()
        assert 1 <= len(words) <= limit, (limit, phrase)
        if limit == 2 and title.startswith("How to"):
            continue  # every word dangles: the first two, as they are
        assert words[-1].lower().strip(",;:") not in {"a", "an", "the", "and", "of", "with", "to"}
        assert not phrase.endswith((",", ":", ";", "-", "—"))


@pytest.mark.parametrize(
    ("title", "limit", "expected"),
    [
        ("Understanding Reasoning Models", 2, "Understanding Reasoning"),
        ("A plain guide to the KV cache", 4, "A plain guide"),
        ("A plain guide to the KV cache", 5, "A plain guide"),
        ("A plain guide to the KV cache", 10, "A plain guide to the KV cache"),
        ("Mixture of experts for people who ship", 3, "Mixture of experts"),
    ],
)
def test_the_word_limit_is_a_setting(title: str, limit: int, expected: str) -> None:
    assert headline_phrase(title, limit) == expected


def test_a_title_that_is_all_kicker_or_empty_still_gives_something() -> None:
    assert headline_phrase("", 7) == ""
    assert headline_phrase("Exclusive", 7) == "Exclusive"
    assert headline_phrase("Breaking: ", 7) == "Breaking"


def test_issue_title_names_the_phrases_and_ends_with_and_more() -> None:
    phrases = [
        "Why Medical AI is Garbage",
        "Realistic Perspectives on DeepSeek Models",
        "Understanding Reasoning Models",
    ]
    assert issue_title(phrases) == (
        "Why Medical AI is Garbage, Realistic Perspectives on DeepSeek Models, "
        "Understanding Reasoning Models, and More"
    )
    assert issue_title(["Only one"]) == "Only one, and More"
    assert issue_title(["A", " ", "B"]) == "A, B, and More"
    assert issue_title([]) == ""
