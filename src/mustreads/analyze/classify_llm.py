"""The ``llm`` kind classifier: ask the chat model whether an article is an event,
a resource or off topic, and fall back to the ``linear`` classifier when it
cannot say.

The answer must be one word (``event``, ``resource``, ``offtopic``; case,
surrounding punctuation, quotes and a reasoning block are forgiven,
"off-topic" is accepted). Anything else, a failed call, or an article without
text or whose page was blocked goes to
:class:`~mustreads.analyze.classify.LinearClassifier`, so one bad answer never
stops the batch. :meth:`LLMClassifier.classify_with_reasons` says, per
article, why the fallback was used.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mustreads.analyze.llm_client import ChatClient, run_sync
from mustreads.analyze.trim import trim_to_budget
from mustreads.config import Settings
from mustreads.errors import MustreadsError
from mustreads.models import Article, ArticleStatus, Kind

if TYPE_CHECKING:  # classify.py loads numpy; it is imported only for a fallback
    from mustreads.analyze.classify import Classifier

__all__ = ["CLASSIFY_PROMPT", "LLMClassifier", "parse_kind"]

CLASSIFY_PROMPT = """\
You sort articles for {publication}, a weekly reading list for AI engineers. \
Classify the article below with exactly one word:

event: news; a release, announcement, deal, funding round, acquisition, result or policy move
resource: an explainer, essay, analysis, tutorial, paper walk-through, roadmap or opinion
offtopic: not about AI, machine learning or the software engineering around them

Title: {title}

{text}

Answer with one word: event, resource or offtopic."""
# Telling an event from a resource needs the opening, not the whole piece.
MAX_CLASSIFY_TOKENS = 1500

_THINKING = re.compile(r"<(think|thinking|reasoning)>.*?(?:</\1>|\Z)", re.DOTALL | re.IGNORECASE)
_WORDS = {
    "event": Kind.EVENT,
    "resource": Kind.RESOURCE,
    "offtopic": Kind.OFFTOPIC,
    "off-topic": Kind.OFFTOPIC,
}


def parse_kind(answer: str) -> Kind | None:
    """The kind named by a one-word answer, or None for anything else."""
    word = _THINKING.sub("", answer).strip().lower()
    word = word.strip(" \t\n\"'“”‘’`*_.,:;!()[]")
    word = re.sub(r"^off\s+topic$", "offtopic", word)
    return _WORDS.get(word)


class LLMClassifier:
    """Kinds from the chat model, with the linear classifier as fallback."""

    name = "llm"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        ChatClient(settings.llm)  # a bad api_base is a configuration error: say so now
        self._linear: Classifier | None = None

    def classify(self, articles: Sequence[Article]) -> list[Kind]:
        return [kind for kind, _ in self.classify_with_reasons(articles)]

    def scores(self, articles: Sequence[Article]) -> list[dict[Kind, float]]:
        """The model answers with a label, not probabilities: all weight on it."""
        return [{k: float(k is kind) for k in Kind} for kind in self.classify(articles)]

    def classify_with_reasons(self, articles: Sequence[Article]) -> list[tuple[Kind, str | None]]:
        """Each article's kind and, when the linear classifier gave it, why."""
        if not articles:
            return []
        return run_sync(self.classify_async(articles))

    async def classify_async(self, articles: Sequence[Article]) -> list[tuple[Kind, str | None]]:
        async with ChatClient(self.settings.llm) as client:
            tasks = (self._classify_article(client, article) for article in articles)
            return list(await asyncio.gather(*tasks))

    def render_prompt(self, article: Article) -> str:
        text = (article.text or article.fallback_text or "").strip()
        budget = min(self.settings.llm.max_input_tokens, MAX_CLASSIFY_TOKENS)
        return CLASSIFY_PROMPT.format(
            publication=self.settings.publication.name,
            title=article.title or "(untitled)",
            text=trim_to_budget(text, budget, title=article.title),
        )

    async def _classify_article(
        self, client: ChatClient, article: Article
    ) -> tuple[Kind, str | None]:
        if article.status is not ArticleStatus.OK:
            return self._fallback(article, f"article is {article.status.value}")
        if not (article.text or article.fallback_text or "").strip():
            return self._fallback(article, "article has no text")
        try:
            answer = await client.complete(
                [{"role": "user", "content": self.render_prompt(article)}]
            )
        except MustreadsError as exc:
            return self._fallback(article, str(exc))
        kind = parse_kind(answer)
        if kind is None:
            shown = " ".join(answer.split())[:60]
            return self._fallback(
                article, f"answer is not one of event/resource/offtopic: {shown!r}"
            )
        return kind, None

    def _fallback(self, article: Article, reason: str) -> tuple[Kind, str]:
        if self._linear is None:
            from mustreads.analyze.classify import LinearClassifier  # only when a fallback is due

            self._linear = LinearClassifier(self.settings)
        [kind] = self._linear.classify([article])
        return kind, f"llm: {reason}; used linear"
