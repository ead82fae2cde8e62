"""A small offline web written for mustreads: seven fictional sites, their feeds, and labels.

``catalog(anchor)`` lists every page with its ground truth (kind, story,
topics, key facts, exact body text); ``DemoWeb`` serves the sites on
127.0.0.1; ``opml(base_url)`` lists the feeds. See docs/demo.md.
"""

from mustreads.demo.catalog import TOPICS, DemoArticle, DemoSite, Special, catalog, sites
from mustreads.demo.feeds import DemoFeed, demo_feeds, opml
from mustreads.demo.server import DemoRequest, DemoWeb

__all__ = [
    "TOPICS",
    "DemoArticle",
    "DemoFeed",
    "DemoRequest",
    "DemoSite",
    "DemoWeb",
    "Special",
    "catalog",
    "demo_feeds",
    "opml",
    "sites",
]
