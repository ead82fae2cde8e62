"""What a curator's edit changed in a draft, counted for one line of feedback."""

from __future__ import annotations

from dataclasses import dataclass, field

from mustreads.models import Issue, IssueItem

_CONTENT = ("title", "url", "summary", "author", "sources", "article_id", "story_id")


@dataclass(slots=True)
class IssueChanges:
    fields: list[str] = field(default_factory=list)  # of title, subtitle, intro
    added: int = 0
    removed: int = 0
    moved: int = 0  # to another section or across the paywall
    edited: int = 0  # title, link, summary, author, sources or article/story rewritten
    reordered: bool = False  # kept items in another order within their section and tier

    def __bool__(self) -> bool:
        return bool(
            self.fields or self.added or self.removed or self.moved or self.edited
            or self.reordered
        )  # fmt: skip

    def describe(self) -> str:
        if not self:
            return "no changes"
        parts = [f"{name} changed" for name in self.fields]
        counts = (("added", self.added), ("removed", self.removed), ("moved", self.moved),
                  ("edited", self.edited))  # fmt: skip
        for verb, count in counts:
            if count:
                parts.append(f"{count} item{'s' if count != 1 else ''} {verb}")
        if self.reordered:
            parts.append("items reordered")
        return ", ".join(parts)


def _key(item: IssueItem) -> object:
    if item.id is not None:
        return ("id", item.id)
    if item.article_id is not None or item.story_id is not None:
        return ("ref", item.article_id, item.story_id)
    # Written by hand, so no ids: only an unchanged copy of it matches.
    return ("content", *(repr(getattr(item, name)) for name in _CONTENT))


def compare_issues(before: Issue, after: Issue) -> IssueChanges:
    """What changed from ``before`` to ``after``, items matched by id (or article and story)."""
    changes = IssueChanges(
        fields=[
            n for n in ("title", "subtitle", "intro") if getattr(before, n) != getattr(after, n)
        ]
    )
    unmatched: dict[object, list[int]] = {}
    for index, item in enumerate(before.items):
        unmatched.setdefault(_key(item), []).append(index)
    # For each (section, tier) group of ``after``, the ``before`` indices in their new order.
    order: dict[object, list[int]] = {}
    for item in after.items:
        key = _key(item)
        if not unmatched.get(key):
            changes.added += 1
            continue
        index = unmatched[key].pop(0)
        old = before.items[index]
        if (old.section, old.tier) != (item.section, item.tier):
            changes.moved += 1
        else:
            order.setdefault((item.section, item.tier), []).append(index)
        if any(getattr(old, name) != getattr(item, name) for name in _CONTENT):
            changes.edited += 1
    changes.removed = sum(len(left) for left in unmatched.values())
    changes.reordered = any(indices != sorted(indices) for indices in order.values())
    return changes
