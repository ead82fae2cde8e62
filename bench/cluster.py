"""Benchmark: near-duplicate detection and story clustering at 10k and 100k articles.

Generates synthetic news (seeded): a Zipf-distributed background vocabulary;
stories of 2-5 articles from distinct sites that share a company, a product
name, an amount and a handful of event words (dense in the first two sentences,
sparse after) but are otherwise worded independently;
single articles; and, for about 3% of articles, a syndicated copy or a light
rewrite (one word in twenty replaced) on another site. Companies recur across
stories, so the same name shows up in unrelated events. The corpus keeps a
constant density of ~150 articles a day, as a newsroom's would, so the window
holds the same load at every size and linear code should scale by 10x.

Prints, per size: seconds and microseconds per article for dedupe and for
clustering, planted duplicates found and false ones, pairwise precision, recall
and F1 of the stories; then the growth ratio time(largest) / time(smallest)
against the size ratio (10 for 10k -> 100k is linear).

Usage: python bench/cluster.py [--sizes 10000,100000] [--seed 1] [--per-day 150]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from mustreads.analyze.cluster import cluster_stories, pair_scores
from mustreads.analyze.dedupe import find_duplicates
from mustreads.models import Article, Kind

SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in ["a", "e", "i", "o", "u", "ai", "ou"]]
START = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass
class Corpus:
    articles: list[Article]
    stories: dict[int, str]  # article id -> planted story
    duplicates: dict[int, int]  # planted copy -> original
    kinds: dict[int, Kind]


def make_words(rng: np.random.Generator, count: int, low: int, high: int) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        n = int(rng.integers(low, high + 1))
        words.add("".join(SYLLABLES[int(i)] for i in rng.integers(0, len(SYLLABLES), n)))
    return sorted(words)


def generate(n: int, seed: int, per_day: float) -> Corpus:
    rng = np.random.default_rng(seed)
    vocab = make_words(rng, 20000, 2, 4)
    zipf = np.cumsum(1.0 / np.arange(1, len(vocab) + 1) ** 1.05)
    zipf /= zipf[-1]
    companies = [w.capitalize() for w in make_words(rng, max(50, n // 40), 2, 3)]
    sites = [f"site{i}.example" for i in range(max(20, n // 200))]
    days = n / per_day
    corpus = Corpus([], {}, {}, {})
    next_id = 1
    story_no = 0

    def background(k: int) -> list[str]:
        return [vocab[int(i)] for i in np.searchsorted(zipf, rng.random(k))]

    def add(title: str, text: str, site: str, when: datetime, story: str) -> int:
        nonlocal next_id
        article_id = next_id
        next_id += 1
        corpus.articles.append(
            Article(
                link_id=article_id,
                id=article_id,
                url=f"https://{site}/a/{article_id}",
                extractor="bench",
                title=title,
                site_name=site,
                published_at=when,
                text=text,
            )
        )
        corpus.stories[article_id] = story
        corpus.kinds[article_id] = Kind.EVENT
        return article_id

    while len(corpus.articles) < n:
        story_no += 1
        story = f"s{story_no}"
        when = START + timedelta(days=float(rng.uniform(0, days)))
        company = companies[int(rng.integers(len(companies)))]
        product = f"{vocab[int(rng.integers(len(vocab)))].capitalize()}-{int(rng.integers(2, 12))}"
        amount = f"${int(rng.integers(5, 900))} million"
        event_words = [vocab[int(i)] for i in rng.integers(200, len(vocab), 10)]
        size = int(rng.choice([1, 1, 1, 2, 2, 3, 4, 5]))
        chosen_sites = rng.choice(len(sites), size=size, replace=False)
        for s in chosen_sites:
            site = sites[int(s)]
            at = when + timedelta(hours=float(rng.uniform(0, 60)))
            facts = [company, product, amount, *rng.choice(event_words, 6, replace=False)]
            title_words = [company, *rng.choice(event_words, 3, replace=False), product]
            sentences = []
            for n_sentence in range(int(rng.integers(8, 14))):
                words = background(int(rng.integers(9, 16)))
                # A news lead states the facts; the rest of the piece adds background.
                for _ in range(3 if n_sentence < 2 else int(rng.random() < 0.4)):
                    words.insert(int(rng.integers(1, len(words))), str(rng.choice(facts)))
                sentences.append(words[0].capitalize() + " " + " ".join(words[1:]) + ".")
            text = " ".join(sentences)
            article_id = add(" ".join(title_words), text, site, at, story)
            if rng.random() < 0.03:  # a syndicated copy or a light rewrite elsewhere
                copy = text
                if rng.random() < 0.5:
                    tokens = text.split(" ")
                    for i in rng.choice(len(tokens), size=len(tokens) // 20, replace=False):
                        tokens[int(i)] = background(1)[0]
                    copy = " ".join(tokens)
                other = sites[(int(s) + 1) % len(sites)]
                later = at + timedelta(hours=float(rng.uniform(1, 48)))
                dup = add(" ".join(title_words), copy, other, later, story)
                corpus.duplicates[dup] = article_id
    return corpus


def run(n: int, seed: int, per_day: float) -> dict[str, float]:
    corpus = generate(n, seed, per_day)
    articles = corpus.articles
    t0 = time.perf_counter()
    found = find_duplicates(articles)
    t1 = time.perf_counter()
    originals = [a for a in articles if a.id not in found]
    stories = cluster_stories(originals, corpus.kinds, window_days=4.0)
    t2 = time.perf_counter()
    truth = {i: s for i, s in corpus.stories.items() if i not in found}
    scores = pair_scores(stories, truth)
    planted = sum(1 for copy, original in corpus.duplicates.items() if found.get(copy) == original)
    false = sum(1 for copy in found if corpus.stories[copy] != corpus.stories[found[copy]])
    extra = sum(1 for copy in found if copy not in corpus.duplicates)
    n_real = len(articles)
    per = 1e6 / n_real
    print(
        f"{n_real:>7} articles  dedupe {t1 - t0:7.2f} s ({(t1 - t0) * per:6.0f} us/article)"
        f"  cluster {t2 - t1:7.2f} s ({(t2 - t1) * per:6.0f} us/article)"
    )
    print(
        f"         duplicates: {planted}/{len(corpus.duplicates)} planted found, "
        f"{extra} unplanted ({false} across stories); stories: {len(stories)}, pairwise "
        f"P {scores.precision:.3f} R {scores.recall:.3f} F1 {scores.f1:.3f}"
    )
    return {"n": n_real, "dedupe": t1 - t0, "cluster": t2 - t1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated sizes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-day", type=float, default=150.0, help="articles per day")
    args = parser.parse_args()
    results = [run(int(s), args.seed, args.per_day) for s in args.sizes.split(",")]
    if len(results) > 1:
        first, last = results[0], results[-1]
        ratio = last["n"] / first["n"]
        for key in ("dedupe", "cluster"):
            print(
                f"growth {key}: time x{last[key] / first[key]:.1f} for size x{ratio:.1f} "
                f"(linear: x{ratio:.1f})"
            )


if __name__ == "__main__":
    main()
