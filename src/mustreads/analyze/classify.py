"""Kind classifiers: is an article an event, a resource, or off topic?

* **event** — news: a release, announcement, deal, funding round, acquisition,
  result or policy move; dated and time-bound.
* **resource** — explainer, essay, analysis, tutorial, paper walk-through,
  roadmap, opinion; still worth reading next month.
* **offtopic** — not about AI, ML or the software engineering around them.

The offline default, ``linear``, is a softmax regression over TF-IDF words and
word pairs of the title, text and site name, plus a dozen counted cues (dates,
reporting verbs, money and percentages, quotes for news; "how to", steps,
second person and code for resources; the density of AI vocabulary for being
on topic). It is trained with numpy on first use, in well under a second, from
the labelled examples shipped in ``analyze/data/kinds.jsonl``, and kept for the
life of the process.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import pairwise
from typing import Protocol

import numpy as np

from mustreads.analyze.text import tokenize
from mustreads.config import Settings
from mustreads.errors import MustreadsError
from mustreads.models import Article, Kind
from mustreads.registry import Registry

__all__ = [
    "Classifier",
    "LabelledExample",
    "LinearClassifier",
    "classifiers",
    "get_classifier",
    "load_examples",
]

TRAINING_DATA = "data/kinds.jsonl"
CLASSES: tuple[Kind, ...] = (Kind.EVENT, Kind.RESOURCE, Kind.OFFTOPIC)
MIN_DOCUMENT_FREQUENCY = 2
CUE_WEIGHT = 1.0  # scale of the counted cues next to the unit-length TF-IDF part
L2 = 1e-3
LEARNING_RATE = 2.0
EPOCHS = 400


# Words a news story, a resource or an on-topic piece tends to use. Each cue is
# counted over the title and the first TEXT_WORDS words, as a rate per word,
# and squashed into [0, 1) so that no one cue can dominate.
TEXT_WORDS = 600


def _cue(*alternatives: str, bounded: bool = True) -> re.Pattern[str]:
    """One case-insensitive pattern matching any of ``alternatives`` (regex
    fragments), as whole words unless ``bounded`` is False."""
    body = "|".join(alternatives)
    return re.compile(rf"\b(?:{body})\b" if bounded else body, re.IGNORECASE)


_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|march|april|may|june|july|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_AI_VOCABULARY = _cue(
    r"ai|a\.i\.|ml|llms?|gpt[\w.-]*|models?|neural|training|trained|inference|gpus?|tpus?",
    r"datasets?|machine learning|deep learning|transformers?|agents?|agentic|prompts?",
    r"prompting|tokens?|benchmarks?|fine-?tun\w*|embeddings?|parameters|weights|open-source",
    r"open-weights?|chatbots?|rag|retrieval|reasoning|agi|algorithms?|compute|chips?|python",
    r"apis?|sdk|developers?|engineers?|software|code|coding|evals?|evaluation|vector|attention",
    r"pytorch|cuda|diffusion|multimodal|robotics?|automation|alignment|safety|hallucinat\w*",
    r"context window|latency|throughput|quantiz\w*|distillation|mixture of experts|moe",
    r"classifier|labs?",
)
_CUES: tuple[tuple[re.Pattern[str], float], ...] = (
    # dates and time words
    (
        _cue(
            r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|today|yesterday|this week|last week",
            r"earlier this (?:week|month|year)",
            rf"{_MONTHS}\.? \d{{1,2}}|on \d{{1,2}} {_MONTHS}",
        ),
        60.0,
    ),
    # reporting verbs and press-release words
    (
        _cue(
            r"announced|announces|said|says|told|according to|confirmed|unveiled|unveils",
            r"launched|launches|released|introduced|spokes(?:person|woman|man)|statement",
            r"press release|reported|disclosed|will begin|is rolling out|rolled out|signed",
            r"agreed|contract|shipped|shipping|available (?:today|now)|effective",
        ),
        40.0,
    ),
    # deals, money, courts and regulators
    (
        _cue(
            r"\d+(?:\.\d+)? (?:million|billion)|funding|raised|raises|series [a-f]|valuation",
            r"acquired|acquires|acquisition|investors|led by|deal|shares|stake|revenue",
            r"fine[ds]?|lawsuit|sued|ruling|regulators?",
        ),
        40.0,
    ),
    (_cue(r"[$€£]\s?\d", bounded=False), 40.0),
    # percentages and scores
    (_cue(r"\d\s?%|\bpercent(?:age points?)?\b", bounded=False), 40.0),
    # quotation marks
    (_cue(r"[\"“”]", bounded=False), 30.0),
    # tutorial and guide words
    (
        _cue(
            r"how to|step \d|steps?|guide|tutorial|let's|we'll|you'll|you can|for example",
            r"install|pip install|import \w+|def \w+|example|cheat ?sheet|roadmap|checklist",
            r"lessons?|first,|next,|finally,",
        ),
        40.0,
    ),
    (_cue(r"```|\w\(\)", bounded=False), 40.0),
    # the reader addressed as "you"
    (_cue(r"you(?:r|'re|'ll|'ve)?"), 25.0),
    # an author speaking as "I"
    (_cue(r"I|I'm|I've|my|me"), 25.0),
    # explaining and arguing
    (
        _cue(
            r"why|because|in other words|the idea|intuition|means that|the key|in practice",
            r"trade-?offs?|understand\w*|argue\w*|i think|we think|mental model|the problem with",
            r"explain\w*|consider|imagine|instead of",
        ),
        40.0,
    ),
    # a named actor doing something: "Orrin Labs said", "the ministry announced"
    (
        re.compile(
            r"\b(?:[A-Z][\w-]+|the (?:company|ministry|regulator|agency|lab|startup|firm))"
            r"(?:'s)? (?:said|says|announced|released|unveiled|launched|signed|agreed|published"
            r"|shipped|opened|named|told|confirmed|reported|raised|cut|filed|won|plans|expects)\b"
        ),
        40.0,
    ),
    # names inside a sentence (people, companies, products) and figures: news is
    # about someone in particular doing something countable
    (re.compile(r"(?<=[a-z,] )[A-Z][a-z]+(?:[A-Z]\w*)?\b"), 10.0),
    (re.compile(r"\b\d[\d,.]*\b"), 15.0),
    # plans with a date: news looks ahead to the next step
    (
        _cue(
            r"expects? to|plans? to|will (?:ship|begin|start|launch|release|arrive|close|take)",
            r"next (?:year|month|week|quarter|spring|summer|autumn|winter)|later this year",
            r"in the coming (?:weeks|months)|(?:early|late) next year|by the end of the year",
        ),
        40.0,
    ),
    # AI, ML and AI engineering vocabulary
    (_AI_VOCABULARY, 8.0),
)
# Words that all but settle whether a piece is about AI, counted rather than
# divided by length: one "AI scribe" in a long article still says a lot.
_AI_EXPLICIT = re.compile(
    r"\b(?:AI|A\.I\.|artificial intelligence|machine learning|deep learning|LLMs?"
    r"|(?:large )?language models?|neural networks?|GPUs?|generative)\b"
)
# A capitalised word inside a sentence: the actor a news story keeps naming.
_NAME = re.compile(r"(?<=[a-z,] )[A-Z][a-z]+(?:[A-Z]\w*)?\b")
_TITLE_NEWS = _cue(
    r"launch(?:es)?|raises|acquires|announces|unveils|releases|to buy|buys|sues|wins|signs",
    r"cuts|hires|partners|debuts|fined|bans|passes|approves|opens|closes|reports|tops|beats",
    r"expands|rolls out|ships|adds|delays|drops|names|appoints|invests|secures|lands|files",
    r"says|warns|agrees|plans",
)
_TITLE_RESOURCE = _cue(
    r"^(?:how|why|what|when|a|an|the|understanding|building|inside|notes|lessons|on|against",
    r"in defense of|beyond|toward|towards|from)\b|\bguide\b|\bexplained\b|\bintroduction\b",
    r"\bprimer\b|\btutorial\b|\bhow to\b|\bdeep dive\b|\bwalkthrough\b|\broadmap\b|\?",
    r"^\d+ (?:ways|things|lessons|tips|mistakes|patterns)\b",
    bounded=False,
)
_SITE_NEWS = _cue(
    r"news|times|post|wire|daily|herald|journal|report|chronicle|tribune|gazette|press",
    r"insider|observer|dispatch",
)
_SITE_RESOURCE = _cue(
    r"blog|notes|substack|newsletter|academy|learn\w*|docs|tutorials?|handbook|field guide",
    r"digest|cookbook|engineering",
)


def cue_features(title: str | None, text: str, site_name: str | None) -> np.ndarray:
    """The counted cues of one article, each squashed into [0, 1)."""
    head = " ".join(text.split()[:TEXT_WORDS])
    body = f"{title or ''}\n{head}"
    words = max(len(body.split()), 1)
    values = [1.0 - np.exp(-scale * len(pattern.findall(body)) / words) for pattern, scale in _CUES]
    title = title or ""
    names = Counter(_NAME.findall(head))
    top_name = max(names.values(), default=0)
    values += [
        1.0 - float(np.exp(-0.5 * len(_AI_EXPLICIT.findall(body)))),
        1.0 - float(np.exp(-30.0 * top_name / words)),
        float(bool(_TITLE_NEWS.search(title))),
        float(bool(_TITLE_RESOURCE.search(title))),
        1.0 - float(np.exp(-len(_AI_VOCABULARY.findall(title)))),
        float(bool(site_name and _SITE_NEWS.search(site_name))),
        float(bool(site_name and _SITE_RESOURCE.search(site_name))),
    ]
    return np.array(values)


def tokens(title: str | None, text: str, site_name: str | None) -> list[str]:
    """The bag of words of one article: title words, text words and word pairs
    of the first TEXT_WORDS words, and site-name words, each marked by origin."""
    head = tokenize(" ".join(text.split()[:TEXT_WORDS]))
    bag = [f"t:{w}" for w in tokenize(title or "")]
    bag += head
    bag += [f"{a} {b}" for a, b in pairwise(head)]
    bag += [f"s:{w}" for w in tokenize(site_name or "")]
    return bag


class Classifier(Protocol):
    """Labels a batch of articles, one :class:`Kind` per article, in order."""

    name: str

    def classify(self, articles: Sequence[Article]) -> list[Kind]: ...


classifiers: Registry[Classifier] = Registry("classifier", "mustreads.classifiers")


def get_classifier(name: str, settings: Settings) -> Classifier:
    """The classifier registered as ``name``, built with ``settings``.

    Raises :class:`~mustreads.errors.BackendError` for an unknown name.
    """
    return classifiers.create(name, settings)


@dataclass(frozen=True, slots=True)
class LabelledExample:
    title: str
    text: str
    kind: Kind
    site_name: str | None = None


def load_examples(resource: str = TRAINING_DATA) -> list[LabelledExample]:
    """The labelled examples shipped with the package (JSONL: title, text, kind)."""
    try:
        raw = files("mustreads.analyze").joinpath(resource).read_text(encoding="utf-8")
        return [
            LabelledExample(
                title=record["title"],
                text=record["text"],
                kind=Kind(record["kind"]),
                site_name=record.get("site_name"),
            )
            for record in map(json.loads, filter(str.strip, raw.splitlines()))
        ]
    except (OSError, ValueError, KeyError) as exc:
        raise MustreadsError(f"cannot read the kind training data {resource}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class _Model:
    vocabulary: dict[str, int]
    idf: np.ndarray
    weights: np.ndarray  # (features, classes)
    bias: np.ndarray  # (classes,)

    def features(self, title: str | None, text: str, site_name: str | None) -> np.ndarray:
        bag = np.zeros(len(self.vocabulary))
        for token in tokens(title, text, site_name):
            column = self.vocabulary.get(token)
            if column is not None:
                bag[column] += 1.0
        present = bag > 0
        bag[present] = (1.0 + np.log(bag[present])) * self.idf[present]
        norm = float(np.linalg.norm(bag))
        if norm > 0:
            bag /= norm
        return np.concatenate([bag, CUE_WEIGHT * cue_features(title, text, site_name)])

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return _softmax(rows @ self.weights + self.bias)


@cache
def _trained_model(resource: str = TRAINING_DATA) -> _Model:
    examples = load_examples(resource)
    bags = [tokens(e.title, e.text, e.site_name) for e in examples]
    document_frequency: dict[str, int] = {}
    for bag in bags:
        for token in set(bag):
            document_frequency[token] = document_frequency.get(token, 0) + 1
    kept = sorted(t for t, df in document_frequency.items() if df >= MIN_DOCUMENT_FREQUENCY)
    vocabulary = {token: column for column, token in enumerate(kept)}
    n = len(examples)
    idf = np.array([np.log((n + 1) / (document_frequency[t] + 1)) + 1.0 for t in kept])
    untrained = _Model(vocabulary, idf, np.zeros((0, 0)), np.zeros(0))
    rows = np.stack([untrained.features(e.title, e.text, e.site_name) for e in examples])
    labels = np.array([CLASSES.index(e.kind) for e in examples])
    weights, bias = _fit_softmax(rows, labels, len(CLASSES))
    return _Model(vocabulary, idf, weights, bias)


def _fit_softmax(
    rows: np.ndarray, labels: np.ndarray, classes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression by full-batch gradient descent with L2.

    Deterministic (zero start, fixed steps) and fast at this size: a few hundred
    products of a (examples × features) matrix with a three-column one.
    """
    n, d = rows.shape
    targets = np.eye(classes)[labels]
    weights = np.zeros((d, classes))
    bias = np.zeros(classes)
    velocity_w = np.zeros_like(weights)
    velocity_b = np.zeros_like(bias)
    for _ in range(EPOCHS):
        error = (_softmax(rows @ weights + bias) - targets) / n
        grad_w = rows.T @ error + L2 * weights
        grad_b = error.sum(axis=0)
        velocity_w = 0.9 * velocity_w - LEARNING_RATE * grad_w
        velocity_b = 0.9 * velocity_b - LEARNING_RATE * grad_b
        weights += velocity_w
        bias += velocity_b
    return weights, bias


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    result: np.ndarray = shifted / shifted.sum(axis=-1, keepdims=True)
    return result


class LinearClassifier:
    """The offline kind classifier (see the module docstring)."""

    name = "linear"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def classify(self, articles: Sequence[Article]) -> list[Kind]:
        return [
            self.classify_text(a.title, a.text or a.fallback_text or "", a.site_name)
            for a in articles
        ]

    def classify_text(self, title: str | None, text: str, site_name: str | None = None) -> Kind:
        probabilities = self.probabilities(title, text, site_name)
        return max(probabilities, key=probabilities.__getitem__)

    def probabilities(
        self, title: str | None, text: str, site_name: str | None = None
    ) -> dict[Kind, float]:
        """The model's probability of each kind for one article."""
        model = _trained_model()
        row = model.features(title, text, site_name)
        values = model.probabilities(row[np.newaxis, :])[0]
        return {kind: float(p) for kind, p in zip(CLASSES, values, strict=True)}
