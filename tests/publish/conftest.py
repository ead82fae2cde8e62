"""Fixtures of the publish tests: a built site and a server for it on 127.0.0.1.

The site holds two published issues (see :func:`sample_issues`). The server is bound
before the site is built, so the publication's ``url`` is the server's own address and
any absolute link the pages carry (stylesheet, feeds, canonical) resolves here.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mustreads.config import PublicationSettings, Settings
from mustreads.models import Issue, IssueItem, Section, SourceRef, Tier
from mustreads.publish.site import build_site
from mustreads.store import Store

# Pages every build must write; the tests check each of them.
EXPECTED_PAGES = (
    "index.html",
    "archive/index.html",
    "about/index.html",
    "issues/1/index.html",
    "issues/2/index.html",
)


@dataclass(frozen=True)
class BuiltSite:
    root: Path  # the folder holding index.html
    base_url: str  # where the test server serves ``root``, ending in "/"
    settings: Settings
    issues: list[Issue]  # published, oldest first

    @property
    def latest(self) -> Issue:
        return self.issues[-1]

    def pages(self) -> list[Path]:
        return sorted(self.root.rglob("*.html"))

    def url(self, path: str = "") -> str:
        return self.base_url + path.lstrip("/")

    def issue_url(self, issue: Issue) -> str:
        return self.url(f"issues/{issue.number}/")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean


@pytest.fixture(scope="session")
def site_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A threaded stdlib HTTP server on 127.0.0.1 over an (empty) folder: (folder, base URL)."""
    folder = tmp_path_factory.mktemp("published") / "site"
    folder.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield folder, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def built_site(site_server: tuple[Path, str]) -> BuiltSite:
    """The two sample issues published in a SQLite store, and the site built from it."""
    folder, base_url = site_server
    settings = Settings(publication=PublicationSettings(url=base_url))
    with Store.open(f"sqlite:///{folder.parent / 'mustreads.db'}") as store:
        previous: Issue | None = None
        for number, draft in enumerate(sample_issues(), start=1):
            draft.previous_id = previous.id if previous else None
            saved = store.save_issue(draft)
            when = datetime.combine(draft.week, time(9), UTC)
            previous = store.publish_issue(saved, slug=str(number), published_at=when)
        build_site(store, settings, folder.parent, folder)
        issues = store.published_issues()[::-1]
    return BuiltSite(root=folder, base_url=base_url, settings=settings, issues=issues)


def _event(title: str, url: str, summary: str, *sources: tuple[str, str]) -> IssueItem:
    refs = [SourceRef(name, source_url) for name, source_url in sources]
    return IssueItem(Section.EVENTS, title, url, summary, sources=refs)


def _resource(
    title: str, url: str, summary: str, author: str | None = None, *, paid: bool = False
) -> IssueItem:
    tier = Tier.PAID if paid else Tier.FREE
    return IssueItem(Section.RESOURCES, title, url, summary, author=author, tier=tier)


def sample_issues() -> list[Issue]:
    """Two drafts, oldest first, shaped like real issues.

    The content is chosen to stress a layout: a long unbroken identifier in a summary,
    markup characters in titles, several sources on one event, and paid resources
    (whose titles must never reach the public pages).
    """
    circuit, gradient = "https://circuitline.example/", "https://gradientnotes.example/"
    first = Issue(
        week=date(2025, 1, 24),
        title="Halyard's Open Weights, KV Caches & More",
        subtitle="An AI engineer's must-reads for 1-24-25",
        intro="Here are the articles worth your time this week.",
        items=[
            _event(
                "Meridian releases Halyard with open weights",
                circuit + "meridian-halyard-open-weights",
                "Meridian published the weights of Halyard under a permissive licence. "
                "The release includes an evaluation report.",
                ("Circuitline", circuit + "h"),
                ("Tensorwire", "https://tensorwire.example/h"),
            ),
            _event(
                "Parallax agrees to buy Lumenfold",
                circuit + "parallax-to-buy-lumenfold",
                "The deal values the inference start-up at $1.2 billion.",
                ("Circuitline", circuit + "p"),
            ),
            _resource(
                "A plain guide to the KV cache",
                gradient + "plain-guide-to-the-kv-cache",
                "Why decoding is memory-bound, and what caching keys and values saves.",
                "Ada Lindqvist",
            ),
            _resource(
                "Routing without an auxiliary loss",
                gradient + "routing-without-auxiliary-loss",
                "How a bias term keeps mixture-of-experts routers balanced.",
                "Ada Lindqvist",
            ),
            _resource(
                "Distilling reasoning traces, step by step",
                gradient + "distilling-reasoning-traces",
                "A worked recipe for distilling long chains of thought.",
                paid=True,
            ),
        ],
    )
    second = Issue(
        week=date(2025, 1, 31),
        title="Ferrule 1.0, Wren-8B's CodeLadder Catch & <More>",
        subtitle="An AI engineer's must-reads for 1-31-25",
        intro="Here are the articles worth your time this week. New to the field? "
        "Start with the [learning roadmap](https://example.org/roadmap).",
        items=[
            _event(
                "Ferrule 1.0 ships speculative decoding by default",
                circuit + "ferrule-1-0-speculative-decoding",
                "The serving library now drafts tokens with a small model and verifies "
                "them in one pass of torch.nn.functional."
                "scaled_dot_product_attention_with_paged_kv_cache_and_draft_tokens, "
                "which doubles throughput on long outputs.",
                ("Circuitline", circuit + "f"),
                ("Tensorwire", "https://tensorwire.example/f"),
                ("Stackwise", "https://stackwise.example/f"),
            ),
            _event(
                "Wren-8B scored on a contaminated CodeLadder split",
                circuit + "wren-8b-codeladder-catch",
                "Researchers found test problems in the training data; the maintainers "
                "withdrew the leaderboard entry.",
                ("Circuitline", circuit + "w"),
                ("Gradient Notes", gradient + "w"),
            ),
            _event(
                "Clinical AI tools must log model versions",
                "https://pulsepolicy.example/clinical-ai-tools-must-log-versions",
                "A new rule requires hospitals to record which model produced each suggestion.",
                ("Pulse Policy", "https://pulsepolicy.example/c"),
            ),
            _resource(
                "What test-time compute buys you",
                gradient + "what-test-time-compute-buys-you",
                "Sampling more and verifying beats a bigger model only up to a point; "
                "the essay measures where.",
                "Ada Lindqvist",
            ),
            _resource(
                "Notes on a first week with Halyard",
                gradient + "halyard-first-notes",
                "Prompting habits that carried over from other open models, and two that did not.",
                "Sam Okafor",
            ),
            _resource(
                "The token budget of a coding agent",
                "https://tokenbudget.example/coding-agent-budget",
                "Where an agent's tokens go in a day of real tasks.",
            ),
            _resource(
                "Cobalt C7 inference economics, in depth",
                circuit + "cobalt-c7-inference-bet",
                "What the accelerator's memory bandwidth means for cost per token.",
                paid=True,
            ),
            _resource(
                "Evaluating retrieval without labels",
                "https://stackwise.example/evaluating-retrieval-without-labels",
                "Three ways to judge a retriever before anyone labels a query.",
                "Mia Torres",
                paid=True,
            ),
        ],
    )
    return [first, second]
