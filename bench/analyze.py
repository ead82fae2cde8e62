"""Benchmark: analyze throughput on one core, extractive (the offline default).

Takes the readable articles of the demo web (real prose, 200-550 words) and
repeats them up to N, then times, in one process (one core):

- baseline: the lead-3 summary (first three sentences), the cheapest summary
  anyone would ship — what splitting alone costs;
- classify: the linear kind classifier;
- topics: topic assignment;
- summarize: the extractive summarizer, told the kind as the pipeline does;
- analyze: the three together, per article.

Prints articles per second for each and each one's time as a ratio to the baseline.

Usage: python bench/analyze.py [--articles 2000] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence

from mustreads.analyze.classify import LinearClassifier
from mustreads.analyze.summarize.extractive import ExtractiveSummarizer
from mustreads.analyze.text import split_sentences
from mustreads.analyze.topics import assign_topics
from mustreads.config import Settings
from mustreads.demo import catalog
from mustreads.models import Article, Kind


def corpus(size: int) -> list[Article]:
    pages = [p for p in catalog() if p.special is None]
    return [
        Article(
            link_id=i,
            id=i,
            url=pages[i % len(pages)].url("http://bench"),
            extractor="bench",
            title=pages[i % len(pages)].title,
            site_name=pages[i % len(pages)].site_name,
            text=pages[i % len(pages)].text,
        )
        for i in range(size)
    ]


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    settings = Settings()
    articles = corpus(args.articles)
    classifier = LinearClassifier(settings)
    summarizer = ExtractiveSummarizer(settings)
    classifier.classify(articles[:1])  # train once, outside the timings
    kinds = classifier.classify(articles)

    def lead3() -> None:
        for a in articles:
            " ".join(split_sentences(a.text or "")[:3])

    def summarize(chosen: Sequence[Kind]) -> None:
        for article, kind in zip(articles, chosen, strict=True):
            summarizer.summarize_text(article.text or "", article.title, is_news=kind is Kind.EVENT)

    def analyze() -> None:
        summarize(classifier.classify(articles))
        for a in articles:
            assign_topics(a, settings.analyze.topics)

    timings = {
        "baseline_lead3": best_of(args.repeat, lead3),
        "classify": best_of(args.repeat, lambda: classifier.classify(articles)),
        "topics": best_of(
            args.repeat, lambda: [assign_topics(a, settings.analyze.topics) for a in articles]
        ),
        "summarize": best_of(args.repeat, lambda: summarize(kinds)),
        "analyze": best_of(args.repeat, analyze),
    }
    words = sum(len((a.text or "").split()) for a in articles) / len(articles)
    figures = {
        "articles": len(articles),
        "mean_words": round(words),
        **{f"{k}_articles_per_s": round(len(articles) / t, 1) for k, t in timings.items()},
        **{
            f"{k}_ratio_to_baseline": round(t / timings["baseline_lead3"], 1)
            for k, t in timings.items()
            if k != "baseline_lead3"
        },
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:34} {value}")


if __name__ == "__main__":
    main()
