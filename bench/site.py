"""Benchmark: building the static site for a long-running publication.

Generates N published issues (seeded) in a SQLite store in a temporary folder,
each shaped like a real one: 5 events with 1-3 sources, 8 resources of which 3
free, summaries with Markdown links and emphasis. Times a full build of the site
(every page rendered and written), then publishes one more issue and times the
incremental rebuild, which should render and write only the new page, its
previous neighbour, the home and archive pages, the feeds and the sitemap.

Prints: issues, files of the site, seconds of the full build, seconds and files
written by the incremental one, and the ratio incremental / full.

Usage: python bench/site.py [--issues 500] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from mustreads.config import PublicationSettings, Settings
from mustreads.models import Issue, IssueItem, Section, SourceRef, Tier
from mustreads.publish import build_site
from mustreads.store import Store

WORDS = ("model", "inference", "cache", "token", "agent", "router", "expert", "weights",
         "latency", "benchmark", "retrieval", "reasoning", "decoding", "kernel", "compiler",
         "dataset", "license", "policy", "serving", "quantization", "memory", "bandwidth",
         "cluster", "evaluation", "training")  # fmt: skip
SITES = ("Circuitline", "Tensorwire", "Gradient Notes", "Stackwise", "Token Budget")
FIRST_WEEK = date(2016, 1, 1)


def phrase(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def summary(rng: random.Random) -> str:
    sentences = [phrase(rng, 10, 22).capitalize() + "." for _ in range(rng.randint(2, 3))]
    link = f"[{rng.choice(WORDS)}](https://ref.example/{rng.randrange(10**6)})"
    sentences[0] = sentences[0].replace(" ", f" *{rng.choice(WORDS)}* {link} ", 1)
    return " ".join(sentences)


def make_issue(rng: random.Random, n: int) -> Issue:
    week = FIRST_WEEK + timedelta(weeks=n - 1)
    items = []
    for e in range(5):
        sources = [
            SourceRef(site, f"https://{site.lower().replace(' ', '')}.example/{n}/{e}")
            for site in rng.sample(SITES, rng.randint(1, 3))
        ]
        items.append(IssueItem(Section.EVENTS, phrase(rng, 5, 9).capitalize(),
                               sources[0].url, summary(rng), sources=sources))  # fmt: skip
    for r in range(8):
        items.append(
            IssueItem(
                Section.RESOURCES,
                phrase(rng, 4, 10).capitalize(),
                f"https://read.example/{n}/{r}",
                summary(rng),
                tier=Tier.FREE if r < 3 else Tier.PAID,
                author=rng.choice(["Ada Lindqvist", "Sam Okafor", None]),
            )
        )
    return Issue(
        week=week,
        title=", ".join(item.title.split(" ", 2)[0] for item in items[:3]) + ", and More",
        subtitle=f"An AI engineer's must-reads for {week.month}-{week.day}-{week.year % 100}",
        intro="Here are the articles worth your time. Start with the "
        "[learning roadmap](https://example.org/roadmap).",
        items=items,
    )


def publish(store: Store, rng: random.Random, n: int) -> None:
    issue = store.save_issue(make_issue(rng, n))
    when = datetime.combine(issue.week, datetime.min.time(), UTC)
    store.publish_issue(issue, slug=str(n), published_at=when)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    settings = Settings(publication=PublicationSettings(url="https://mustreads.example/"))
    with tempfile.TemporaryDirectory(prefix="mustreads-bench-site-") as tmp:
        root = Path(tmp)
        with Store.open(f"sqlite:///{root / 'bench.db'}") as store:
            for n in range(1, args.issues + 1):
                publish(store, rng, n)

            start = time.perf_counter()
            full = build_site(store, settings, root)
            full_s = time.perf_counter() - start

            publish(store, rng, args.issues + 1)
            start = time.perf_counter()
            incremental = build_site(store, settings, root)
            incremental_s = time.perf_counter() - start

    print(f"issues: {args.issues} (+1)  site files: {full.files}")
    print(f"full build:        {full_s:7.2f} s  {len(full.written)} files written")
    print(
        f"incremental build: {incremental_s:7.2f} s  {len(incremental.written)} files written,"
        f" {len(incremental.skipped)} unchanged: {', '.join(sorted(incremental.written))}"
    )
    print(f"incremental / full: {incremental_s / full_s:.3f}")


if __name__ == "__main__":
    main()
