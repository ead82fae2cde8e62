"""Counted cues for the kind classifier: what news, resources and AI pieces say.

Each cue counts words (looked up in the article's token counts), word prefixes,
and a few phrases or shapes (regular expressions). Counts become rates per
word, squashed into [0, 1) so that no one cue dominates; a few cues read the
title or the site name instead. Counting tokens with set look-ups instead of
one big case-insensitive regular expression per cue keeps this to a fraction
of a millisecond per article.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from mustreads.analyze.text import tokenize

__all__ = ["cue_features"]


@dataclass(frozen=True, slots=True)
class _Cue:
    scale: float  # how fast the rate saturates: 40 means 1 hit in 40 words gives ~0.63
    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    phrases: re.Pattern[str] | None = None  # searched in the lower-cased text
    shapes: re.Pattern[str] | None = None  # searched in the text as written

    def count(self, counts: Counter[str], lower: str, text: str) -> int:
        hits = sum(counts[w] for w in self.words if w in counts)
        if self.prefixes:
            hits += sum(n for w, n in counts.items() if w.startswith(self.prefixes))
        if self.phrases is not None:
            hits += len(self.phrases.findall(lower))
        if self.shapes is not None:
            hits += len(self.shapes.findall(text))
        return hits


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _phrases(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")


_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|march|april|may|june|july|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_AI = _Cue(
    8.0,
    _words(
        "ai ml llm llms model models neural training trained inference gpu gpus tpu tpus dataset "
        "datasets transformer transformers agent agents agentic prompt prompts prompting token "
        "tokens benchmark benchmarks embedding embeddings parameters weights open-source "
        "open-weights open-weight chatbot chatbots rag retrieval reasoning agi algorithm "
        "algorithms compute chip chips python api apis sdk developer developers engineer "
        "engineers software code coding eval evals evaluation vector attention pytorch cuda "
        "diffusion multimodal robot robotics automation alignment safety latency throughput "
        "distillation moe classifier lab labs"
    ),
    prefixes=("gpt", "fine-tun", "finetun", "hallucinat", "quantiz"),
    phrases=_phrases(
        r"a\.i\.", "machine learning", "deep learning", "context window", "mixture of experts"
    ),
)
_CUES: tuple[_Cue, ...] = (
    # dates and time words
    _Cue(
        60.0,
        _words("monday tuesday wednesday thursday friday saturday sunday today yesterday"),
        phrases=_phrases(
            "this week",
            "last week",
            r"earlier this (?:week|month|year)",
            rf"{_MONTHS}\.? \d{{1,2}}",
            rf"on \d{{1,2}} {_MONTHS}",
        ),
    ),
    # reporting verbs and press-release words
    _Cue(
        40.0,
        _words(
            "announced announces said says told confirmed unveiled unveils launched launches "
            "released introduced spokesperson spokeswoman spokesman statement reported disclosed "
            "signed agreed contract shipped shipping effective"
        ),
        phrases=_phrases(
            "according to",
            "press release",
            "will begin",
            "is rolling out",
            "rolled out",
            r"available (?:today|now)",
        ),
    ),
    # deals, money, courts and regulators
    _Cue(
        40.0,
        _words(
            "million billion funding raised raises valuation acquired acquires acquisition "
            "investors deal shares stake revenue fine fined fines lawsuit sued ruling regulator "
            "regulators"
        ),
        phrases=_phrases(r"series [a-f]", "led by"),
    ),
    _Cue(40.0, shapes=re.compile(r"[$€£]\s?\d")),
    # percentages and scores
    _Cue(40.0, _words("percent"), shapes=re.compile(r"\d\s?%")),
    # quotation marks
    _Cue(30.0, shapes=re.compile(r"[\"“”]")),
    # tutorial and guide words
    _Cue(
        40.0,
        _words(
            "step steps guide tutorial let's we'll you'll install example roadmap checklist "
            "lesson lessons cheatsheet"
        ),
        phrases=_phrases(
            "how to",
            "you can",
            "for example",
            "cheat sheet",
            r"step \d",
            r"import \w+",
            r"def \w+",
            "first,",
            "next,",
            "finally,",
        ),
    ),
    _Cue(40.0, shapes=re.compile(r"```|\w\(\)")),
    # the reader addressed as "you"
    _Cue(25.0, _words("you your you're you'll you've")),
    # an author speaking as "I"
    _Cue(25.0, _words("my me"), shapes=re.compile(r"\bI(?:'m|'ve)?\b")),
    # explaining and arguing
    _Cue(
        40.0,
        _words("why because intuition consider imagine"),
        prefixes=("understand", "argu", "explain", "trade-off", "tradeoff"),
        phrases=_phrases(
            "in other words",
            "the idea",
            "means that",
            "the key",
            "in practice",
            "i think",
            "we think",
            "mental model",
            "the problem with",
            "instead of",
        ),
    ),
    # a named actor doing something: "Orrin Labs said", "the ministry announced"
    _Cue(
        40.0,
        shapes=re.compile(
            r"\b(?:[A-Z][\w-]+|the (?:company|ministry|regulator|agency|lab|startup|firm))"
            r"(?:'s)? (?:said|says|announced|released|unveiled|launched|signed|agreed|published"
            r"|shipped|opened|named|told|confirmed|reported|raised|cut|filed|won|plans|expects)\b"
        ),
    ),
    # names inside a sentence (people, companies, products) and figures: news is
    # about someone in particular doing something countable
    _Cue(10.0, shapes=re.compile(r"(?<=[a-z,] )[A-Z][a-z]+(?:[A-Z]\w*)?\b")),
    _Cue(15.0, shapes=re.compile(r"\b\d[\d,.]*\b")),
    # plans with a date: news looks ahead to the next step
    _Cue(
        40.0,
        phrases=_phrases(
            r"expects? to",
            r"plans? to",
            r"will (?:ship|begin|start|launch|release|arrive|close|take)",
            r"next (?:year|month|week|quarter|spring|summer|autumn|winter)",
            "later this year",
            r"in the coming (?:weeks|months)",
            r"(?:early|late) next year",
            "by the end of the year",
        ),
    ),
    # AI, ML and AI engineering vocabulary
    _AI,
)
# Words that all but settle whether a piece is about AI, counted rather than
# divided by length: one "AI scribe" in a long article still says a lot.
_AI_EXPLICIT = re.compile(
    r"\b(?:AI|A\.I\.|artificial intelligence|machine learning|deep learning|LLMs?"
    r"|(?:large )?language models?|neural networks?|GPUs?|generative)\b"
)
# A capitalised word inside a sentence: the actor a news story keeps naming.
_NAME = re.compile(r"(?<=[a-z,] )[A-Z][a-z]+(?:[A-Z]\w*)?\b")
_TITLE_NEWS = _phrases(
    r"launch(?:es)?|raises|acquires|announces|unveils|releases|to buy|buys|sues|wins|signs",
    r"cuts|hires|partners|debuts|fined|bans|passes|approves|opens|closes|reports|tops|beats",
    r"expands|rolls out|ships|adds|delays|drops|names|appoints|invests|secures|lands|files",
    r"says|warns|agrees|plans",
)
_TITLE_RESOURCE = re.compile(
    r"^(?:how|why|what|when|a|an|the|understanding|building|inside|notes|lessons|on|against"
    r"|in defense of|beyond|toward|towards|from)\b|\bguide\b|\bexplained\b|\bintroduction\b"
    r"|\bprimer\b|\btutorial\b|\bhow to\b|\bdeep dive\b|\bwalkthrough\b|\broadmap\b|\?"
    r"|^\d+ (?:ways|things|lessons|tips|mistakes|patterns)\b"
)
_SITE_NEWS = _phrases(
    r"news|times|post|wire|daily|herald|journal|report|chronicle|tribune|gazette|press",
    r"insider|observer|dispatch",
)
_SITE_RESOURCE = _phrases(
    r"blog|notes|substack|newsletter|academy|learn\w*|docs|tutorials?|handbook|field guide",
    r"digest|cookbook|engineering",
)


def cue_features(
    title: str | None, head: str, head_tokens: list[str], site_name: str | None
) -> np.ndarray:
    """The counted cues of one article, each in [0, 1).

    ``head`` is the start of the text the classifier reads and ``head_tokens``
    its tokens (:func:`mustreads.analyze.text.tokenize`).
    """
    title = title or ""
    title_lower = title.lower()
    text = f"{title}\n{head}"
    lower = text.lower()
    title_tokens = tokenize(title)
    counts = Counter(head_tokens)
    counts.update(title_tokens)
    words = max(len(head_tokens) + len(title_tokens), 1)
    values = [_squash(cue.count(counts, lower, text) * cue.scale / words) for cue in _CUES]
    top_name = max(Counter(_NAME.findall(head)).values(), default=0)
    title_ai = _AI.count(Counter(title_tokens), title_lower, title)
    site = (site_name or "").lower()
    values += [
        _squash(0.5 * len(_AI_EXPLICIT.findall(text))),
        _squash(30.0 * top_name / words),
        float(bool(_TITLE_NEWS.search(title_lower))),
        float(bool(_TITLE_RESOURCE.search(title_lower))),
        _squash(float(title_ai)),
        float(bool(site and _SITE_NEWS.search(site))),
        float(bool(site and _SITE_RESOURCE.search(site))),
    ]
    return np.array(values)


def _squash(x: float) -> float:
    return 1.0 - math.exp(-x)
