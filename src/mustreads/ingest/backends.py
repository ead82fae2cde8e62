"""The two third-party extractors, run on a tree mustreads already parsed.

Both libraries would happily parse the page again; handing them the shared
tree saves that parse, and for readability also its ``lxml`` Cleaner pass
(the tree has lost its scripts and styles already). Each returns
:class:`~mustreads.ingest.textblocks.Block` lists so the ensemble can compare
them. Neither touches the tree it is given: trafilatura copies it, and
readability gets a copy for every attempt it makes.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Literal

import trafilatura
from lxml import etree, html
from readability import Document
from readability.readability import Unparseable

from mustreads.ingest.textblocks import Block, blocks_of

Favor = Literal["balanced", "precision", "recall"]

# What a third-party extractor may raise on a page it cannot handle. The page
# is then treated as giving no text from that extractor; the batch goes on.
BACKEND_ERRORS: tuple[type[BaseException], ...] = (
    Unparseable,
    ValueError,
    TypeError,
    AttributeError,
    LookupError,
    etree.LxmlError,
    RecursionError,
)

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def trafilatura_blocks(
    tree: html.HtmlElement, *, favor: Favor = "balanced", fast: bool = True
) -> list[Block]:
    """trafilatura's main text as blocks; comments left out, links kept for link density."""
    # No url: trafilatura would only use it to make link targets absolute,
    # which costs time and which nothing here reads.
    document = trafilatura.bare_extraction(
        tree,
        url=None,
        fast=fast,
        favor_precision=favor == "precision",
        favor_recall=favor == "recall",
        include_comments=False,
        include_links=True,
        include_tables=True,
        with_metadata=False,
    )
    body = getattr(document, "body", None)
    return blocks_of(body) if body is not None else []


class _TreeDocument(Document):  # type: ignore[misc]  # readability ships no type hints
    """readability's Document over a tree that is already parsed and cleaned.

    ``Document._parse`` normally re-parses the input and runs lxml's Cleaner
    (most of readability's time on large pages). Our tree has no scripts,
    styles or comments left, so a fresh copy with hidden elements dropped,
    as readability itself would, is all each attempt needs.
    """

    def _parse(self, input: Any) -> Any:
        doc = copy.copy(input)
        for elem in doc.xpath("//*[@hidden] | //*[@style]"):
            if elem.get("hidden") is not None or _HIDDEN_STYLE.search(elem.get("style", "")):
                elem.drop_tree()
        return doc


def readability_blocks(tree: html.HtmlElement) -> list[Block]:
    """readability's article as blocks."""
    summary = _TreeDocument(tree).summary(html_partial=True)
    if not summary or not summary.strip():
        return []
    return blocks_of(html.fromstring(summary))
