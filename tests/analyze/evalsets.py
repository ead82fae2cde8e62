"""The labelled evaluation sets of summaries and kinds, and their quality floors.

Two sets, neither used for training (``analyze/data/kinds.jsonl`` is):

* ``eval`` — tests/data/analyze/eval.jsonl, written for these tests: 32 articles of
  200–500 words with kind, key facts and the boilerplate lines mixed into them;
* ``demo`` — the demo web's catalog: every page a reader could get (not a bot
  check, dead link or paywall stub), duplicates left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from mustreads.models import Kind

DATA = Path(__file__).parent.parent / "data" / "analyze"
FLOORS = Path(__file__).parent.parent / "quality_floors.json"


@dataclass(frozen=True)
class LabelledArticle:
    id: str
    title: str
    text: str
    site_name: str | None
    kind: Kind
    key_facts: tuple[str, ...]
    boilerplate: tuple[str, ...] = ()  # lines known to be page furniture


@cache
def own_set() -> tuple[LabelledArticle, ...]:
    rows = [json.loads(line) for line in (DATA / "eval.jsonl").read_text().splitlines() if line]
    return tuple(
        LabelledArticle(
            r["id"], r["title"], r["text"], r["site_name"], Kind(r["kind"]),
            tuple(r["key_facts"]), tuple(r["boilerplate"]),
        )
        for r in rows
    )  # fmt: skip


@cache
def demo_set() -> tuple[LabelledArticle, ...]:
    from mustreads.demo import catalog

    return tuple(
        LabelledArticle(a.id, a.title, "\n".join(a.paragraphs), a.site_name, a.kind, tuple(a.facts))
        for a in catalog()
        if a.special not in ("botcheck", "dead", "paywall") and a.duplicate_of is None
    )


SETS = {"eval": own_set, "demo": demo_set}


def floors(section: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FLOORS.read_text())[section]
    return data
