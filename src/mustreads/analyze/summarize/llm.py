"""Abstractive summaries from any OpenAI-compatible chat model, checked and with a fallback.

For each article the ``llm.prompt`` template is rendered (``str.format`` with
the fields in :data:`PROMPT_FIELDS`; the text trimmed to ``llm.max_input_tokens``
by :mod:`mustreads.analyze.trim`) and sent to the endpoint; all articles of a
batch go concurrently, ``llm.concurrency`` at a time. The answer is cleaned
(quotes, "Here is a summary:" preambles, reasoning blocks, list markers and
extra whitespace removed; cut to ``analyze.max_sentences`` sentences and
``analyze.max_words`` words at a sentence boundary) and then:

* checked by :func:`~mustreads.analyze.grounding.check_grounding` against the
  article: a summary that fails is kept but marked ``grounded=False`` with the
  failing sentences in ``error``, so it is never published unseen;
* replaced by the extractive summary when the call fails, the answer is empty
  or the model refuses: ``Summary(summarizer="extractive",
  error="llm: <reason>; used extractive")``.

Answers are cached under a hash of the article text, the rendered prompt and
the model, so a second run over the same articles sends no request.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import string
from collections.abc import Callable, Sequence

from mustreads.analyze.grounding import check_grounding
from mustreads.analyze.llm_client import ChatClient, run_sync
from mustreads.analyze.summarize import Summarizer, SummaryCache
from mustreads.analyze.text import split_sentences
from mustreads.analyze.trim import estimate_tokens, trim_to_budget
from mustreads.config import Settings
from mustreads.errors import ConfigError, MustreadsError
from mustreads.models import Article, ArticleStatus, Kind, Summary

__all__ = [
    "PROMPT_FIELDS",
    "LLMSummarizer",
    "MemoryCache",
    "SummaryCache",
    "cache_key",
    "check_template",
    "clean_answer",
    "is_refusal",
]

PROMPT_FIELDS = (
    "publication",
    "title",
    "text",
    "language",
    "min_sentences",
    "max_sentences",
    "max_words",
)
MIN_ARTICLE_TOKENS = 100  # what the article keeps of the input budget, whatever the template
LANGUAGE_NAMES = {
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "sv": "Swedish", "da": "Danish", "no": "Norwegian",
    "nb": "Norwegian", "fi": "Finnish", "pl": "Polish", "cs": "Czech", "ru": "Russian",
    "uk": "Ukrainian", "tr": "Turkish", "ar": "Arabic", "he": "Hebrew", "hi": "Hindi",
    "ja": "Japanese", "ko": "Korean", "zh": "Chinese", "vi": "Vietnamese", "id": "Indonesian",
}  # fmt: skip


class MemoryCache:
    """A :class:`SummaryCache` in a dict, for tests and one-off runs."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.data.get(key)

    def put(self, key: str, value: str) -> None:
        self.data[key] = value

    def __len__(self) -> int:
        return len(self.data)


def cache_key(text: str, prompt: str, model: str) -> str:
    """sha256 of the article text, the rendered prompt and the model name."""
    digest = hashlib.sha256()
    for part in (model, prompt, text):
        digest.update(part.encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def check_template(template: str) -> None:
    """Raise :class:`ConfigError` unless ``template`` uses only :data:`PROMPT_FIELDS`
    and contains ``{text}``."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise ConfigError(f"llm.prompt: {exc} (write {{{{ and }}}} for a literal brace)") from exc
    known = ", ".join("{" + name + "}" for name in PROMPT_FIELDS)
    for name in fields:
        if name not in PROMPT_FIELDS:
            raise ConfigError(f"llm.prompt: unknown field {{{name}}} (known: {known})")
    if "text" not in fields:
        raise ConfigError("llm.prompt: the template must contain {text}, the article")
    try:  # a field inside a format spec ("{title:{width}}") only shows when rendering
        template.format(**dict.fromkeys(PROMPT_FIELDS, ""))
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(f"llm.prompt: cannot be rendered: {exc!r}") from exc


_THINKING = re.compile(r"<(think|thinking|reasoning)>.*?(?:</\1>|\Z)", re.DOTALL | re.IGNORECASE)
_PREAMBLE = re.compile(
    r"""^\s*(?:(?:sure|certainly|okay|ok|of\ course)[,!.]?\s+)?
    (?:(?:here(?:'s|’s|\ is|\ are)|below\ is)\b[^:\n]{0,100}:
      |here(?:'s|’s|\ is)\ (?:a|the|your)\b[^\n]{0,80}?\bsummary\b[^\n]*?[.!]?\s*\n
      |(?:summary|tl;?dr)\s*:)""",
    re.IGNORECASE | re.VERBOSE,
)
_SIGN_OFF = re.compile(
    r"\n\s*(?:let me know|i hope this helps|would you like|feel free to)\b.*\Z",
    re.IGNORECASE | re.DOTALL,
)
_LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+", re.MULTILINE)
_QUOTES = {'"': '"', "“": "”", "'": "'", "‘": "’", "«": "»"}
_REFUSAL = re.compile(
    r"""^(?:i(?:'m|’m|\ am)\ (?:sorry|unable|not\ able)
      |i\ (?:can(?:'|’)?t|cannot|won(?:'|’)t|will\ not|do\ not|don(?:'|’)t)
         \ (?:help|assist|provide|summari[sz]e|do\ that|comply|fulfil|access|see|have)
      |sorry\b|i\ apologi[sz]e|unfortunately,?\ i\b|as\ an\ ai\b|as\ a\ (?:large\ )?language\ model
      |there\ is\ no\ (?:article|text)|no\ article\ (?:text\ )?(?:was\ )?provided)""",
    re.IGNORECASE | re.VERBOSE,
)


def clean_answer(answer: str, *, max_sentences: int, max_words: int) -> str:
    """The model's answer as a plain summary: no reasoning, preamble, quotes or list,
    whitespace collapsed, cut at a sentence boundary to the sentence and word limits."""
    text = _THINKING.sub("", answer).strip()
    text = _SIGN_OFF.sub("", text)
    text = _PREAMBLE.sub("", text, count=1)
    text = text.replace("**", "").replace("__", "")
    text = re.sub(r"^\s*#+\s*", "", text, flags=re.MULTILINE)
    text = _LIST_MARKER.sub("", text)
    text = " ".join(text.split())
    while len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
        text = text[1:-1].strip()
    sentences = split_sentences(text)
    kept: list[str] = []
    words = 0
    for sentence in sentences[:max_sentences]:
        count = len(sentence.split())
        if kept and words + count > max_words:
            break
        kept.append(sentence)
        words += count
    return " ".join(kept)


def is_refusal(answer: str) -> bool:
    """Whether the answer declines the task ("I can't help with that", "As an AI …")."""
    head = answer.strip().lstrip("\"'“‘")[:200]
    return bool(_REFUSAL.match(head)) or "as an ai language model" in head.lower()


class LLMSummarizer:
    """The ``llm`` summarizer (see the module docstring)."""

    name = "llm"

    def __init__(self, settings: Settings, *, cache: SummaryCache | None = None) -> None:
        self.settings = settings
        self.cache = cache
        self.template = settings.llm.prompt
        check_template(self.template)
        overhead = estimate_tokens(self.template.format(**self._fields(None), text=""))
        if overhead > settings.llm.max_input_tokens - MIN_ARTICLE_TOKENS:
            raise ConfigError(
                f"llm.prompt takes about {overhead} tokens by itself, leaving the article less"
                f" than {MIN_ARTICLE_TOKENS} of llm.max_input_tokens"
                f" ({settings.llm.max_input_tokens}): shorten it or raise the limit"
            )
        ChatClient(settings.llm)  # a bad api_base is a configuration error: say so now
        self._extractive: Summarizer | None = None

    def summarize(
        self,
        articles: Sequence[Article],
        progress: Callable[[int], None] | None = None,
        *,
        kinds: Sequence[Kind | None] | None = None,  # the prompt is the same for every kind
    ) -> list[Summary]:
        if not articles:
            return []
        return run_sync(self.summarize_async(articles, progress))

    async def summarize_async(
        self, articles: Sequence[Article], progress: Callable[[int], None] | None = None
    ) -> list[Summary]:
        async with ChatClient(self.settings.llm) as client:

            async def one(article: Article) -> Summary:
                try:
                    return await self._summarize_article(client, article)
                finally:
                    if progress is not None:
                        progress(1)

            return list(await asyncio.gather(*(one(article) for article in articles)))

    def render_prompt(self, article: Article) -> str:
        """The prompt sent for ``article``, its text trimmed to the input budget."""
        fields = self._fields(article)
        overhead = estimate_tokens(self.template.format(**fields, text=""))
        budget = max(self.settings.llm.max_input_tokens - overhead, MIN_ARTICLE_TOKENS)
        text = _article_text(article)
        return self.template.format(
            **fields, text=trim_to_budget(text, budget, title=article.title)
        )

    def _fields(self, article: Article | None) -> dict[str, object]:
        analyze = self.settings.analyze
        language = self.settings.publication.language
        return {
            "publication": self.settings.publication.name,
            "title": (article.title or "(untitled)") if article else "",
            "language": LANGUAGE_NAMES.get(language.split("-")[0].lower(), language),
            "min_sentences": min(analyze.min_sentences, analyze.max_sentences),
            "max_sentences": analyze.max_sentences,
            "max_words": analyze.max_words,
        }

    async def _summarize_article(self, client: ChatClient, article: Article) -> Summary:
        if article.status is not ArticleStatus.OK:
            return Summary("", self.name, error=f"article is {article.status.value}")
        text = _article_text(article)
        if not text:
            return Summary("", self.name, error="article has no text")
        prompt = self.render_prompt(article)
        key = cache_key(text, prompt, self.settings.llm.model)
        answer = self.cache.get(key) if self.cache is not None else None
        if answer is None:
            try:
                raw = await client.complete([{"role": "user", "content": prompt}])
            except MustreadsError as exc:
                return self._fallback(article, str(exc))
            if is_refusal(raw):
                return self._fallback(article, f"the model declined: {_shorten(raw)!r}")
            answer = clean_answer(
                raw,
                max_sentences=self.settings.analyze.max_sentences,
                max_words=self.settings.analyze.max_words,
            )
            if not answer:
                return self._fallback(article, "empty answer")
            if is_refusal(answer):
                return self._fallback(article, f"the model declined: {_shorten(answer)!r}")
            if self.cache is not None:
                self.cache.put(key, answer)
        report = check_grounding(answer, f"{article.title or ''}\n\n{text}")
        if report.grounded:
            return Summary(answer, self.name, grounded=True)
        return Summary(answer, self.name, grounded=False, error=f"ungrounded: {report.describe()}")

    def _fallback(self, article: Article, reason: str) -> Summary:
        """The extractive summary, with the reason the model's was not used."""
        if self._extractive is None:
            from mustreads.analyze.summarize.extractive import ExtractiveSummarizer  # on demand

            self._extractive = ExtractiveSummarizer(self.settings)
        error = f"llm: {reason}; used extractive"
        try:
            [summary] = self._extractive.summarize([article])
        except MustreadsError as exc:  # recorded on the row: the batch goes on
            return Summary("", self.name, error=f"{error}, which failed too: {exc}")
        if summary.error:
            error += f", which failed too: {summary.error}"
        return Summary(summary.text, summary.summarizer, grounded=summary.grounded, error=error)


def _article_text(article: Article) -> str:
    return (article.text or article.fallback_text or "").strip()


def _shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
