"""The grounding check: faithful paraphrases pass, fabricated sentences fail.

The articles and summaries are hand-written for these tests; the companies and
models in them are invented. Each faithful summary paraphrases the way a
chat model does (reordering, merging sentences, adding a "why it matters"
clause); each fabrication changes one thing: a number, a name, or a claim the
article never makes.
"""

from __future__ import annotations

import pytest

from mustreads.analyze.grounding import check_grounding

RELEASE = """\
Kestrel Labs releases Kestrel-70B, an open-weights model for code

Kestrel Labs, a Berlin startup founded in 2022, released Kestrel-70B on Tuesday, a
70-billion-parameter language model trained mostly on source code. The weights are
available under the Apache 2.0 license on Hugging Face.

The company says the model scores 71.2% on HumanEval, ahead of its previous model,
Kestrel-13B, which scored 48.9%. It was trained on 4 trillion tokens using 2,048 GPUs
over three months.

Kestrel-70B supports a context window of 32,000 tokens and can be served with vLLM.
Chief executive Mara Lind said the team wanted developers to run a capable coding model
on their own hardware instead of sending proprietary code to an external API.

The release comes as several labs compete to ship open models for software engineering."""

FUNDING = """\
Norvale raises $400 million to build inference chips

Norvale, a chip designer based in Austin, has raised $400 million in a Series C round
led by Granite Ventures, bringing its total funding to $720 million. The company
designs accelerators built specifically for running large language models rather than
training them.

Norvale says its first chip, the N1, delivers three times the tokens per second of a
comparable GPU while drawing 40% less power. Samples are shipping to a small group of
cloud providers, and volume production is planned for 2026.

The money will be used to hire about 150 engineers and to expand the software stack so
that popular open models run on the N1 without changes."""

TUTORIAL = """\
A practical guide to quantizing models with 4-bit weights

Quantization stores the weights of a neural network with fewer bits, which shrinks the
memory a model needs and often speeds up inference. Most open models are published in
16-bit precision, so a 4-bit version needs roughly a quarter of the memory.

The simplest approach is round-to-nearest, which maps each weight to the closest value
on a fixed grid. It works well at 8 bits but loses noticeable accuracy at 4 bits.
Methods such as GPTQ and AWQ do better by using a small calibration dataset to decide
how to round each group of weights so that the layer's outputs change as little as
possible.

Before you ship a quantized model, measure it on your own task: perplexity on a generic
corpus can hide regressions that matter for your users. Keep the 16-bit model as a
baseline and compare outputs on a few hundred real prompts."""

POLICY = """\
Regulators publish draft rules for general-purpose AI models

The European Commission on Monday published a draft code of practice for providers of
general-purpose AI models, setting out how they should document training data and
report serious incidents under the AI Act.

The draft asks providers to publish a summary of the content used for training and to
keep technical documentation for national authorities. Models trained with more than
10^25 floating-point operations would face extra obligations, including adversarial
testing and cybersecurity safeguards.

Industry groups have until the end of the month to comment. The final code is expected
before the obligations take effect in August."""

PAPER = """\
Smaller reward models, better alignment? A new paper says yes

Researchers at the University of Toronto report that a reward model with 1.3 billion
parameters, trained on carefully filtered preference data, matched a 7-billion-parameter
reward model when used to fine-tune a chat assistant.

The team removed preference pairs on which human annotators disagreed, which cut the
dataset by 30% but improved agreement with held-out human judgments by 3.5 points.
They argue that data quality matters more than reward model size at this scale.

The authors caution that their experiments cover only English conversations and a
single base model, and they release their filtering code so others can test the idea."""

FAITHFUL = [
    (
        RELEASE,
        "Berlin startup Kestrel Labs has released Kestrel-70B, an open-weights model with "
        "70 billion parameters trained mostly on code and published under the Apache 2.0 "
        "license. It scores 71.2% on HumanEval, well ahead of Kestrel-13B. The release "
        "lets developers run a capable coding model on their own hardware rather than "
        "sending proprietary code to an external API.",
    ),
    (
        RELEASE,
        "Kestrel-70B was trained on 4 trillion tokens with 2,048 GPUs over three months and "
        "supports a 32,000-token context window. The weights are on Hugging Face and the "
        "model can be served with vLLM.",
    ),
    (
        FUNDING,
        "Austin chip designer Norvale raised $400 million in a Series C led by Granite "
        "Ventures, for $720 million in total funding. Its N1 accelerator, built for running "
        "large language models, delivers three times the tokens per second of a comparable "
        "GPU while using 40% less power. Volume production is planned for 2026.",
    ),
    (
        FUNDING,
        "Norvale will use the new money to hire about 150 engineers and expand its software "
        "stack so popular open models run on the N1 unchanged, while samples already ship "
        "to a few cloud providers.",
    ),
    (
        TUTORIAL,
        "Quantization stores a network's weights with fewer bits, so a 4-bit model needs "
        "roughly a quarter of the memory of a 16-bit one and often runs faster. Simple "
        "round-to-nearest works at 8 bits but loses accuracy at 4 bits, while GPTQ and AWQ "
        "use a small calibration dataset to decide how to round each group of weights. "
        "The guide advises measuring a quantized model on your own task against the "
        "16-bit baseline.",
    ),
    (
        POLICY,
        "The European Commission published a draft code of practice telling providers of "
        "general-purpose AI models how to document training data and report serious "
        "incidents under the AI Act. Models trained with more than 10^25 floating-point "
        "operations would face extra obligations such as adversarial testing. The final "
        "code is expected before the obligations take effect in August.",
    ),
    (
        PAPER,
        "University of Toronto researchers found that a 1.3-billion-parameter reward model "
        "trained on filtered preference data matched a 7-billion-parameter one when "
        "fine-tuning a chat assistant. Removing pairs on which annotators disagreed cut the "
        "dataset by 30% but improved agreement with held-out human judgments by 3.5 points, "
        "suggesting data quality matters more than size. The experiments cover only "
        "English conversations and a single base model.",
    ),
]

FABRICATED = [
    # an invented number
    (RELEASE, "Kestrel-70B scores 84.5% on HumanEval, ahead of Kestrel-13B.", "number"),
    (RELEASE, "The model was trained on 9 trillion tokens using 2,048 GPUs.", "number"),
    (FUNDING, "Norvale raised $600 million in a Series C led by Granite Ventures.", "number"),
    (PAPER, "Filtering cut the dataset by 45% but improved agreement by 3.5 points.", "number"),
    # an invented company, person or place
    (RELEASE, "Kestrel Labs trained the model with support from Microsoft.", "name"),
    (FUNDING, "The round was led by Sequoia Capital, with Granite Ventures joining.", "name"),
    (POLICY, "The draft was written together with OpenAI and Google DeepMind.", "name"),
    (PAPER, "Researchers at Stanford report that a 1.3 billion parameter model matched it.",
     "name"),
    # a claim the article never makes
    (RELEASE, "The company plans to charge enterprise customers a monthly subscription fee "
     "for priority support.", "passage"),
    (FUNDING, "Critics warn that the startup's valuation is inflated and its chip overheats "
     "under sustained load.", "passage"),
    (TUTORIAL, "Quantized models are illegal to redistribute commercially in most countries.",
     "passage"),
    (POLICY, "Providers that break the rules would be banned from selling smartphones and "
     "laptops in stores.", "passage"),
]  # fmt: skip


@pytest.mark.parametrize(("source", "summary"), FAITHFUL)
def test_a_faithful_paraphrase_is_grounded(source: str, summary: str) -> None:
    report = check_grounding(summary, source)
    assert report.grounded, report.describe()
    assert report.failures == []
    assert all(check.passage for check in report.sentences)


@pytest.mark.parametrize(("source", "sentence", "why"), FABRICATED)
def test_a_fabricated_sentence_is_caught(source: str, sentence: str, why: str) -> None:
    # Slipped between two faithful sentences, the fabrication alone must fail.
    faithful = [s for src, s in FAITHFUL if src is source]
    summary = f"{faithful[0] if faithful else ''} {sentence}".strip()
    report = check_grounding(summary, source)
    assert not report.grounded
    [failure] = report.failures
    assert failure.sentence == sentence
    assert failure.reason is not None
    assert {"number": "number", "name": "name", "passage": "no passage"}[why] in failure.reason
    assert sentence[:30] in report.describe()


def test_the_report_names_what_is_missing() -> None:
    report = check_grounding("Norvale raised $600 million from Sequoia Capital.", FUNDING)
    [failure] = report.failures
    assert failure.missing_numbers == ("$600 million",)
    assert failure.missing_names == ("Sequoia", "Capital")


@pytest.mark.parametrize(
    ("summary", "source"),
    [
        ("Meta released a 70B model.", "Meta released a model with 70 billion parameters."),
        ("It raised $0.4 billion.", "The company raised 400 million dollars in funding."),
        ("Accuracy rose by 3.5 percent.", "Accuracy rose by 3.5% on the test set."),
        ("The company hired seven engineers.", "The company hired 7 engineers last year."),
        ("The company hired 7 engineers.", "The company hired seven engineers last year."),
        ("They trained it on 1,000 GPUs.", "They trained it on 1000 GPUs in Iowa."),
        ("Mistral's Codestral models write code.", "Mistral released Codestral, a model for code."),
        ("OpenAI said GPT-4o costs less.", "OpenAI said on Monday that GPT-4o costs less."),
    ],
)
def test_numbers_and_names_match_across_spellings(summary: str, source: str) -> None:
    report = check_grounding(summary, source)
    assert report.grounded, report.describe()


@pytest.mark.parametrize(
    ("summary", "source"),
    [
        ("Meta released a 70B model.", "Meta released a model with 7 billion parameters."),
        ("It raised $400 billion.", "The company raised $400 million in funding."),
        ("OpenAI said GPT-5 costs less.", "OpenAI said on Monday that GPT-4o costs less."),
        ("Anthropic said the model costs less.", "OpenAI said the model costs less."),
    ],
)
def test_a_changed_number_or_name_fails(summary: str, source: str) -> None:
    assert not check_grounding(summary, source).grounded


def test_an_empty_summary_is_not_grounded() -> None:
    report = check_grounding("", RELEASE)
    assert not report.grounded
    assert report.describe() == "the summary is empty"


def test_sentence_start_capitals_are_not_taken_for_names() -> None:
    source = "Researchers trained the model on public code from many repositories."
    report = check_grounding("Researchers trained the model on public code.", source)
    assert report.grounded, report.describe()
