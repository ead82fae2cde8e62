"""Benchmark: `mustreads fetch` over N feeds served on loopback.

Serves N generated RSS feeds (with ETag/Last-Modified) from a threaded HTTP
server on 127.0.0.1, then in one run measures:

- baseline: bare httpx GETs of the same N URLs at the same concurrency (no
  parsing, no store) — what the network and server alone cost;
- first fetch: mustreads polls every feed, parses it and stores its links;
- second fetch: every feed answers 304; nothing is parsed.

Usage: python bench/fetch_feeds.py [--feeds 1000] [--entries 10] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from sqlalchemy import update

from mustreads.models import Source
from mustreads.publication import init_publication, open_publication
from mustreads.store import schema

START = time.time()


def make_feed(index: int, entries: int, base: str) -> bytes:
    items = "".join(
        f"<item><title>Feed {index} post {n}</title>"
        f"<link>{base}/post/{index}/{n}?utm_source=rss</link>"
        f'<guid isPermaLink="false">feed-{index}-{n}</guid>'
        f"<pubDate>{format_datetime(datetime.fromtimestamp(START - n * 3600, UTC))}</pubDate>"
        f"<description>&lt;p&gt;Entry {n} of feed {index}.&lt;/p&gt;</description>"
        "</item>"
        for n in range(entries)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Bench feed {index}</title><link>{base}/site/{index}</link>"
        f"<description>Feed {index}</description>{items}</channel></rss>"
    ).encode()


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def __init__(self, feeds: int, entries: int) -> None:
        super().__init__(("127.0.0.1", 0), FeedHandler)
        base = f"http://127.0.0.1:{self.server_address[1]}"
        self.bodies = {f"/feed/{i}.xml": make_feed(i, entries, base) for i in range(feeds)}
        self.etags = {path: hashlib.sha1(body).hexdigest() for path, body in self.bodies.items()}
        self.counts = {"200": 0, "304": 0}
        self.lock = threading.Lock()
        self.base = base


class FeedHandler(BaseHTTPRequestHandler):
    server: FeedServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = self.server.bodies.get(self.path)
        if body is None:
            self.send_error(404)
            return
        etag = f'"{self.server.etags[self.path]}"'
        if self.headers.get("If-None-Match") == etag:
            with self.server.lock:
                self.server.counts["304"] += 1
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with self.server.lock:
            self.server.counts["200"] += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


async def baseline(urls: list[str], concurrency: int) -> float:
    limit = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:

        async def get(url: str) -> None:
            async with limit:
                (await client.get(url)).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(get(url) for url in urls))
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    server = FeedServer(args.feeds, args.entries)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    urls = [server.base + path for path in server.bodies]

    base_seconds = asyncio.run(baseline(urls, args.concurrency))
    server.counts.update({"200": 0, "304": 0})

    with tempfile.TemporaryDirectory() as tmp:
        root = init_publication(
            Path(tmp) / "pub",
            {
                "fetch": {
                    "allow_private_networks": True,
                    "concurrency": args.concurrency,
                    "per_host_concurrency": args.concurrency,
                    "per_host_delay": 0.0,
                }
            },
        )
        with open_publication(root) as pub:
            for url in urls:
                pub.store.add_source(Source(url=url))
            started = time.perf_counter()
            first = pub.fetch(links=False)
            first_seconds = time.perf_counter() - started
            first_counts = dict(server.counts)
            server.counts.update({"200": 0, "304": 0})
            with pub.store.engine.begin() as conn:  # make every feed due again
                conn.execute(update(schema.sources).values(next_fetch_at=None))
            started = time.perf_counter()
            second = pub.fetch(links=False)
            second_seconds = time.perf_counter() - started
            second_counts = dict(server.counts)
    server.shutdown()

    figures = {
        "feeds": args.feeds,
        "entries_per_feed": args.entries,
        "concurrency": args.concurrency,
        "baseline_httpx_feeds_per_s": round(args.feeds / base_seconds, 1),
        "first_fetch_feeds_per_s": round(args.feeds / first_seconds, 1),
        "first_fetch_ratio_to_baseline": round(first_seconds / base_seconds, 2),
        "first_fetch_new_links": first.new_links,
        "first_fetch_failed": first.feeds_failed,
        "second_fetch_feeds_per_s": round(args.feeds / second_seconds, 1),
        "second_fetch_ratio_to_baseline": round(second_seconds / base_seconds, 2),
        "second_fetch_not_modified": second.feeds_not_modified,
        "server_answers_first": first_counts,
        "server_answers_second": second_counts,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:34} {value}")
    ok = second.feeds_not_modified == args.feeds and first.feeds_failed == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
