"""The LLM backends against a real OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mustreads.analyze.classify_llm import LLMClassifier, parse_kind
from mustreads.analyze.llm_client import ChatClient, parse_retry_after
from mustreads.analyze.summarize import get_summarizer
from mustreads.analyze.summarize.extractive import ExtractiveSummarizer
from mustreads.analyze.summarize.llm import (
    LLMSummarizer,
    MemoryCache,
    clean_answer,
    is_refusal,
)
from mustreads.analyze.trim import estimate_tokens
from mustreads.config import Settings
from mustreads.errors import ConfigError
from mustreads.models import Article, ArticleStatus, Kind
from tests.analyze.openai_server import OpenAIServer, RecordedRequest, Reply
from tests.analyze.test_grounding import FUNDING, PAPER, RELEASE, TUTORIAL
from tests.analyze.test_trim import DIGRESSIONS, LEAD, ON_TOPIC, long_text

RELEASE_SUMMARY = (
    "Berlin startup Kestrel Labs has released Kestrel-70B, an open-weights model with 70 "
    "billion parameters trained mostly on code. It scores 71.2% on HumanEval, well ahead of "
    "Kestrel-13B."
)
FABRICATED = " The company plans to charge enterprise customers $50 a month for support."


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as running:
        yield running


def settings_for(server: OpenAIServer, **llm: Any) -> Settings:
    values: dict[str, Any] = {"api_base": server.url, "model": "test-model", "retries": 0}
    return Settings(llm=values | llm)  # type: ignore[arg-type]


def article(text: str = RELEASE, n: int = 1, **fields: Any) -> Article:
    title, _, body = text.partition("\n\n")
    values: dict[str, Any] = {"title": title, "text": body}
    return Article(link_id=n, url=f"https://news.example/{n}", extractor="test", **values | fields)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- prompt and request ---------------------------------------------------------------


def test_the_request_carries_the_rendered_prompt(server: OpenAIServer) -> None:
    server.default = Reply(RELEASE_SUMMARY)
    settings = settings_for(server, temperature=0.1)
    [summary] = LLMSummarizer(settings).summarize([article()])
    assert (summary.summarizer, summary.grounded, summary.error) == ("llm", True, None)
    assert summary.text == RELEASE_SUMMARY
    [request] = server.requests
    assert request.path == "/v1/chat/completions"
    assert request.json["model"] == "test-model"
    assert request.json["temperature"] == 0.1
    prompt = request.prompt
    assert "Title: Kestrel Labs releases Kestrel-70B" in prompt
    assert "at most 70 words" in prompt
    assert "2 to 3 plain sentences" in prompt
    assert "in English" in prompt
    assert "An AI engineer's must-reads" in prompt
    assert "Chief executive Mara Lind said" in prompt  # the article fits: sent whole
    assert "authorization" not in request.headers


def test_a_custom_template_gets_every_field(server: OpenAIServer) -> None:
    server.default = Reply(RELEASE_SUMMARY)
    template = (
        "{publication}|{title}|{language}|{min_sentences}-{max_sentences}|{max_words}\n{text}"
    )
    settings = settings_for(server, prompt=template)
    settings.analyze.max_words = 55
    settings.publication.language = "fr-CA"
    LLMSummarizer(settings).summarize([article()])
    head, _, text = server.requests[0].prompt.partition("\n")
    assert head == "An AI engineer's must-reads|Kestrel Labs releases Kestrel-70B, an " \
        "open-weights model for code|French|2-3|55"  # fmt: skip
    assert text.startswith("Kestrel Labs, a Berlin startup")


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("Summarize {article} please: {text}", "unknown field {article}"),
        ("Summarize {0}: {text}", "unknown field {0}"),
        ("Summarize {title.upper}: {text}", "unknown field {title.upper}"),
        ("Summarize {title}", "must contain {text}"),
        ("Summarize {text", "literal brace"),
    ],
)
def test_a_bad_template_is_a_config_error_at_construction(template: str, message: str) -> None:
    settings = Settings(llm={"prompt": template})  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=message.replace("{", r"\{").replace(".", r"\.")):
        LLMSummarizer(settings)


def test_the_api_key_is_sent_as_bearer(server: OpenAIServer, tmp_path: Path) -> None:
    server.default = Reply(RELEASE_SUMMARY)
    LLMSummarizer(settings_for(server, api_key="sk-inline")).summarize([article()])
    key_file = tmp_path / "llm-key"
    key_file.write_text("sk-from-file\n")
    settings = Settings(llm={"api_base": server.url, "api_key_file": str(key_file)})  # type: ignore[arg-type]
    LLMSummarizer(settings).summarize([article()])
    auth = [request.headers.get("authorization") for request in server.requests]
    assert auth == ["Bearer sk-inline", "Bearer sk-from-file"]


# -- timeouts, retries, concurrency ----------------------------------------------------


def test_the_timeout_comes_from_the_settings(server: OpenAIServer) -> None:
    server.default = Reply(RELEASE_SUMMARY, delay=1.5)
    [slow_but_fine] = LLMSummarizer(settings_for(server, timeout=3)).summarize([article()])
    assert (slow_but_fine.summarizer, slow_but_fine.text) == ("llm", RELEASE_SUMMARY)
    fast_fail = LLMSummarizer(settings_for(server, timeout=0.5))
    ExtractiveSummarizer(fast_fail.settings).summarize([article()])  # warm: time only the call
    started = time.monotonic()
    [too_slow] = fast_fail.summarize([article()])
    assert time.monotonic() - started < 1.4
    assert too_slow.summarizer == "extractive"
    assert too_slow.text  # the extractive summary
    assert too_slow.error is not None
    assert too_slow.error.startswith("llm: the LLM endpoint did not answer within 0.5 s")
    assert too_slow.error.endswith("; used extractive")


def test_server_errors_are_retried_with_backoff(server: OpenAIServer) -> None:
    server.queue(Reply(status=500), Reply(status=503))
    server.default = Reply(RELEASE_SUMMARY)
    [summary] = LLMSummarizer(settings_for(server, retries=2, backoff=0.2)).summarize([article()])
    assert summary.summarizer == "llm"
    first, second, third = (request.at for request in server.requests)
    assert second - first >= 0.2
    assert third - second >= 0.4  # doubled


def test_retry_after_is_honoured(server: OpenAIServer) -> None:
    server.queue(Reply(status=429, headers={"Retry-After": "1"}, error="slow down"))
    server.default = Reply(RELEASE_SUMMARY)
    [summary] = LLMSummarizer(settings_for(server, retries=1, backoff=0.01)).summarize([article()])
    assert summary.summarizer == "llm"
    first, second = (request.at for request in server.requests)
    assert second - first >= 0.95


def test_retries_run_out_into_the_fallback(server: OpenAIServer) -> None:
    server.default = Reply(status=502, error="bad gateway")
    [summary] = LLMSummarizer(settings_for(server, retries=2, backoff=0.01)).summarize([article()])
    assert len(server.requests) == 3
    assert summary.summarizer == "extractive"
    assert summary.error is not None
    assert "HTTP 502: bad gateway" in summary.error


def test_concurrency_is_limited(server: OpenAIServer) -> None:
    server.default = Reply(RELEASE_SUMMARY, delay=0.3)
    done: list[int] = []
    articles = [article(n=n) for n in range(6)]
    summaries = LLMSummarizer(settings_for(server, concurrency=2)).summarize(articles, done.append)
    assert len(summaries) == 6
    assert server.max_in_flight == 2
    assert done == [1] * 6


# -- caching ---------------------------------------------------------------------------


def test_a_second_run_makes_no_request(server: OpenAIServer) -> None:
    server.default = Reply(RELEASE_SUMMARY)
    cache = MemoryCache()
    articles = [article(RELEASE, 1), article(FUNDING, 2)]
    first = LLMSummarizer(settings_for(server), cache=cache).summarize(articles)
    assert len(server.requests) == 2
    assert len(cache) == 2
    second = LLMSummarizer(settings_for(server), cache=cache).summarize(articles)
    assert len(server.requests) == 2
    assert second == first
    LLMSummarizer(settings_for(server, model="other-model"), cache=cache).summarize(articles[:1])
    assert len(server.requests) == 3  # another model is another answer


def test_failures_are_not_cached(server: OpenAIServer) -> None:
    server.queue(Reply(status=500))
    server.default = Reply(RELEASE_SUMMARY)
    cache = MemoryCache()
    [first] = LLMSummarizer(settings_for(server), cache=cache).summarize([article()])
    [second] = LLMSummarizer(settings_for(server), cache=cache).summarize([article()])
    assert (first.summarizer, second.summarizer) == ("extractive", "llm")


# -- fallbacks and clear errors --------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply("I'm sorry, but I can't help with that."), "the model declined"),
        (Reply("As an AI language model, I cannot summarize articles."), "the model declined"),
        (Reply(""), "empty answer"),
        (Reply(None), "empty answer"),
        (Reply(body=b"<html>not json"), "not a chat completion"),
        (Reply(body=b'{"choices": []}'), "not a chat completion"),
        (Reply(status=400, error="context length exceeded"), "HTTP 400: context length"),
        (Reply(status=404, error="model 'test-model' not found"), "does not know model"),
    ],
)
def test_a_bad_answer_falls_back_to_extractive(
    server: OpenAIServer, reply: Reply, reason: str
) -> None:
    server.default = reply
    [summary] = LLMSummarizer(settings_for(server)).summarize([article()])
    assert summary.summarizer == "extractive"
    assert summary.text
    assert summary.error is not None
    assert summary.error.startswith("llm: ")
    assert reason in summary.error
    assert summary.error.endswith("; used extractive")


def test_a_refused_key_says_how_to_fix_it_and_is_asked_once(server: OpenAIServer) -> None:
    server.default = Reply(status=401, error="invalid api key")
    articles = [article(RELEASE, 1), article(FUNDING, 2), article(PAPER, 3)]
    settings = settings_for(server, api_key="wrong", concurrency=1)
    summaries = LLMSummarizer(settings).summarize(articles)
    assert len(server.requests) == 1  # the others are not sent: they would fail the same way
    for summary in summaries:
        assert summary.summarizer == "extractive"
        assert summary.error is not None
        assert "the endpoint refused the API key" in summary.error
        assert "set llm.api_key_file or MUSTREADS_LLM__API_KEY" in summary.error


def test_an_unreachable_endpoint_is_named() -> None:
    api_base = f"http://127.0.0.1:{free_port()}/v1"
    settings = Settings(llm={"api_base": api_base, "retries": 1, "backoff": 0.01})  # type: ignore[arg-type]
    summaries = LLMSummarizer(settings).summarize([article(RELEASE, 1), article(FUNDING, 2)])
    for summary in summaries:
        assert summary.summarizer == "extractive"
        assert summary.error is not None
        assert f"cannot reach the LLM endpoint at {api_base}" in summary.error


def test_one_bad_answer_never_stops_the_batch(server: OpenAIServer) -> None:
    def respond(request: RecordedRequest) -> Reply:
        return Reply(status=500) if "Norvale" in request.prompt else Reply(RELEASE_SUMMARY)

    server.default = respond
    blocked = article(TUTORIAL, 4, status=ArticleStatus.BLOCKED)
    articles = [article(RELEASE, 1), article(FUNDING, 2), article(RELEASE, 3), blocked]
    summaries = LLMSummarizer(settings_for(server)).summarize(articles)
    assert [s.summarizer for s in summaries] == ["llm", "extractive", "llm", "llm"]
    assert summaries[3].error == "article is blocked"
    assert len(server.requests) == 3  # a blocked page is never sent


def test_a_summary_is_cleaned(server: OpenAIServer) -> None:
    server.default = Reply(f'Sure! Here is a summary of the article:\n\n"{RELEASE_SUMMARY}"')
    [summary] = LLMSummarizer(settings_for(server)).summarize([article()])
    assert summary.text == RELEASE_SUMMARY


# -- grounding -------------------------------------------------------------------------


def test_a_fabricated_sentence_is_flagged_and_a_faithful_summary_passes(
    server: OpenAIServer,
) -> None:
    server.default = lambda request: Reply(
        RELEASE_SUMMARY + (FABRICATED if "Norvale" in request.prompt else "")
    )
    faithful, fabricated = LLMSummarizer(settings_for(server)).summarize(
        [article(RELEASE, 1), article(FUNDING.replace("Austin", "Austin, Kestrel"), 2)]
    )
    assert (faithful.grounded, faithful.error) == (True, None)
    assert fabricated.summarizer == "llm"
    assert fabricated.grounded is False
    assert fabricated.error is not None
    assert fabricated.error.startswith("ungrounded: ")
    assert "The company plans to charge" in fabricated.error


# -- trimming --------------------------------------------------------------------------


def test_a_long_article_is_trimmed_in_the_request(server: OpenAIServer) -> None:
    server.default = Reply(LEAD)
    settings = settings_for(server, max_input_tokens=300)
    LLMSummarizer(settings).summarize([article(f"Kestrel news\n\n{long_text()}")])
    prompt = server.requests[0].prompt
    assert estimate_tokens(prompt) <= 300
    assert LEAD in prompt
    assert ON_TOPIC[0] in prompt
    assert DIGRESSIONS[0] not in prompt


# -- cleaning and parsing --------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Here's a concise summary:\n\nA. B is c.", "A. B is c."),
        ("Summary: The model is out.", "The model is out."),
        ("<think>The user wants...</think>\nThe model is out.", "The model is out."),
        ("“The model is out.”", "The model is out."),
        ("- The model is out.\n- It is fast.", "The model is out. It is fast."),
        ("The model is out.\n\nLet me know if you need more!", "The model is out."),
        ("One. Two. Three. Four.", "One. Two. Three."),
        ("**The model** is   out.", "The model is out."),
    ],
)
def test_clean_answer(answer: str, expected: str) -> None:
    assert clean_answer(answer, max_sentences=3, max_words=70) == expected


def test_clean_answer_cuts_at_a_sentence_within_the_word_limit() -> None:
    answer = "First sentence has five words. " + "Second " * 20 + "ends."
    assert clean_answer(answer, max_sentences=3, max_words=15) == "First sentence has five words."


@pytest.mark.parametrize(
    ("answer", "refusal"),
    [
        ("I can't help with that.", True),
        ("I cannot summarize this article.", True),
        ("As an AI, I do not have opinions.", True),
        ("Sorry, there is no article text.", True),
        ("I’m unable to access the link.", True),
        ("Kestrel Labs cannot release the weights yet.", False),
        ("Ilya Sutskever said he can't share details.", False),
    ],
)
def test_is_refusal(answer: str, refusal: bool) -> None:
    assert is_refusal(answer) is refusal


def test_retry_after_header_forms() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert 0 <= (parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") or 0) < 1


# -- classifier, registry, event loops ---------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ("event", Kind.EVENT),
        ("Resource.", Kind.RESOURCE),
        ("**off-topic**", Kind.OFFTOPIC),
        ("Off topic", Kind.OFFTOPIC),
        ("<think>news?</think> event", Kind.EVENT),
        ("It is an event", None),
        ("event or resource", None),
        ("", None),
    ],
)
def test_parse_kind_is_strict(answer: str, kind: Kind | None) -> None:
    assert parse_kind(answer) is kind


def test_the_classifier_asks_and_falls_back_to_linear(server: OpenAIServer) -> None:
    replies = {"Kestrel": "Event", "Norvale": "I would say this is news.", "quantizing": "resource"}
    server.default = lambda request: next(
        Reply(answer) for key, answer in replies.items() if key in request.prompt
    )
    classifier = LLMClassifier(settings_for(server))
    articles = [article(RELEASE, 1), article(FUNDING, 2), article(TUTORIAL, 3)]
    results = classifier.classify_with_reasons(articles)
    assert [kind for kind, _ in results] == [Kind.EVENT, Kind.EVENT, Kind.RESOURCE]
    assert results[0][1] is None
    assert results[1][1] is not None
    assert results[1][1].startswith("llm: answer is not one of event/resource/offtopic")
    assert results[1][1].endswith("; used linear")
    assert any("Title: Kestrel Labs releases" in r.prompt for r in server.requests)
    blocked = article(TUTORIAL, 4, status=ArticleStatus.BLOCKED)
    [(_, reason)] = classifier.classify_with_reasons([blocked])
    assert reason == "llm: article is blocked; used linear"
    assert len(server.requests) == 3  # a blocked page is never sent
    server.default = Reply(status=500)
    assert classifier.classify([article(TUTORIAL, 3)]) == [Kind.RESOURCE]


def test_the_backends_are_registered(server: OpenAIServer) -> None:
    from mustreads.analyze.classify import get_classifier

    settings = settings_for(server)
    assert isinstance(get_summarizer("llm", settings), LLMSummarizer)
    assert isinstance(get_classifier("llm", settings), LLMClassifier)


def test_summarize_works_inside_a_running_event_loop(server: OpenAIServer) -> None:
    server.default = Reply(RELEASE_SUMMARY)
    summarizer = LLMSummarizer(settings_for(server))

    async def from_async_code() -> str:
        [summary] = summarizer.summarize([article()])
        return summary.summarizer

    assert asyncio.run(from_async_code()) == "llm"


def test_the_client_rejects_a_non_http_base() -> None:
    settings = Settings(llm={"api_base": "127.0.0.1:11434/v1"})  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="http"):
        ChatClient(settings.llm)
