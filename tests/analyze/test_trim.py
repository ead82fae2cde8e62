"""Trimming a long article to the model's input budget."""

from __future__ import annotations

from mustreads.analyze.trim import estimate_tokens, trim_to_budget
from tests.analyze.test_grounding import RELEASE

LEAD = (
    "Kestrel Labs released Kestrel-70B on Tuesday, an open-weights language model for code "
    "that the Berlin lab says rivals much larger coding models."
)
ON_TOPIC = [
    "Kestrel-70B scores 71.2% on the HumanEval coding benchmark, against 48.9% for Kestrel-13B, "
    "the lab's previous coding model.",
    "The model was trained on 4 trillion tokens, most of them source code, using 2,048 GPUs "
    "over three months.",
    "The weights of Kestrel-70B are published under the Apache 2.0 license, so companies can "
    "run the coding model on their own servers.",
    "Kestrel Labs says the model handles a context window of 32,000 tokens, enough for a "
    "medium-sized code repository.",
    "Serving Kestrel-70B takes two GPUs with 80 GB of memory each, or one with 4-bit weights, "
    "the lab says.",
    "Developers who tried early versions of the model say it is strongest at Python and "
    "TypeScript code and weaker at Rust.",
]
DIGRESSIONS = [
    "Berlin's startup scene has grown quickly since the 2010s, helped by cheap rents and a "
    "steady flow of students from across Europe.",
    "The launch party took place in a converted brewery in Kreuzberg, where guests ate "
    "pretzels and listened to a jazz trio until midnight.",
    "Lind, who grew up on a farm in Sweden, still spends her summers sailing around the "
    "islands of the Stockholm archipelago.",
    "Rain fell for most of the afternoon, and several visitors arrived late because of a "
    "strike on the city's tram network.",
    "Photo: the office of the lab, courtesy of the company.",
    "Subscribe to our newsletter to get more stories like this in your inbox every week.",
    "Related stories: five gadgets we loved this year, and how to pick a standing desk.",
]


def long_text() -> str:
    # Digressions first and last, facts in between: position alone cannot pass this test.
    paragraphs = [LEAD, *DIGRESSIONS[:2], *ON_TOPIC, *DIGRESSIONS[2:]]
    return "\n".join(paragraphs)


def test_trimming_keeps_the_lead_and_the_best_passages_within_budget() -> None:
    text = long_text()
    budget = estimate_tokens(LEAD) + 150
    assert estimate_tokens(text) > 2 * budget
    trimmed = trim_to_budget(text, budget, title="Kestrel Labs releases a 70B coding model")
    assert estimate_tokens(trimmed) <= budget
    kept = trimmed.split("\n\n")
    assert kept[0] == LEAD
    assert len(kept) >= 5
    assert set(kept[1:]) <= set(ON_TOPIC), [p for p in kept if p not in ON_TOPIC]
    assert kept[1:] == [p for p in ON_TOPIC if p in kept]  # original order


def test_a_text_that_fits_is_not_trimmed() -> None:
    assert trim_to_budget(RELEASE, 5000) == RELEASE


def test_a_huge_lead_is_cut_to_the_budget() -> None:
    text = " ".join(["word"] * 1000) + "\nsecond paragraph"
    trimmed = trim_to_budget(text, 200)
    assert 190 <= estimate_tokens(trimmed) <= 200


def test_tokens_are_estimated_from_words_and_characters() -> None:
    assert estimate_tokens("ten words " * 5) == 13  # 10 words x 1.3
    assert estimate_tokens("https://example.com/a/very/long/path?with=query") == 12  # 47 chars / 4
    assert estimate_tokens("") == 0


def test_a_single_huge_paragraph_is_cut_into_sentence_groups() -> None:
    sentences = [
        f"Sentence {n} talks about the Kestrel model and its code benchmark." for n in range(80)
    ]
    text = " ".join(sentences)
    trimmed = trim_to_budget(text, 300)
    assert estimate_tokens(trimmed) <= 300
    assert trimmed.startswith("Sentence 0 talks")
    assert len(trimmed.split("\n\n")) > 1
