"""The static site of the published issues, built incrementally; and publishing.

``build_site`` writes, below ``<root>/site/``::

    index.html              home: the latest issue's teaser and the recent issues
    archive/index.html      every issue
    about/index.html
    issues/<slug>/index.html
    feed.xml  atom.xml      RSS 2.0 and Atom 1.0: the free part of the latest 20 issues
    sitemap.xml             home, archive, about and every issue page
    assets/style.css

Only published issues appear, and only their free part: pages are rendered with
``paid=False``. Each output is recorded in ``site/.build.json`` with a digest of
what it was made from (the templates and settings, the issue, its neighbours …)
and of its bytes. An output whose inputs are unchanged and whose file still has
the recorded bytes is neither rendered nor written; one rendered to the same
bytes is not written either. After one more issue is published, that leaves the
new page, its previous neighbour's page (now with a "next" link), the home and
archive pages, both feeds and the sitemap.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from mustreads.compose.draft import pending_draft
from mustreads.compose.render import Renderer, issue_path
from mustreads.config import Settings
from mustreads.errors import NotFoundError, UserError
from mustreads.models import Issue, IssueStatus, utcnow
from mustreads.publish.feeds import FEED_ENTRIES, atom_feed, feed_entries, rss_feed, sitemap
from mustreads.store import Store

__all__ = ["MANIFEST", "SITE_DIR", "Published", "SiteReport", "build_site", "publish"]

SITE_DIR = "site"
MANIFEST = ".build.json"
RECENT = 10  # issues listed on the home page
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


@dataclass(slots=True)
class SiteReport:
    out: Path
    issues: int = 0  # published issues on the site
    written: list[str] = field(default_factory=list)  # paths below ``out``
    skipped: list[str] = field(default_factory=list)  # unchanged, left as they were
    removed: list[str] = field(default_factory=list)  # written by an earlier build, now gone

    @property
    def files(self) -> int:
        return len(self.written) + len(self.skipped)


def _digest(*parts: object) -> str:
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a site is for everyone to read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _Output:
    """The files of one build: renders and writes only what changed."""

    def __init__(self, out: Path, fingerprint: str, *, incremental: bool) -> None:
        self.out = out
        self.fingerprint = fingerprint
        self.incremental = incremental
        self.previous = self._load_manifest()
        self.current: dict[str, dict[str, str]] = {}
        self.report = SiteReport(out)

    def _load_manifest(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads((self.out / MANIFEST).read_text())
            files = data["files"]
        except (OSError, ValueError, KeyError, TypeError):
            return {}
        return files if isinstance(files, dict) else {}

    def emit(self, path: str, deps: object, render: Callable[[], str]) -> None:
        """Make ``path`` from ``render()``, which depends on nothing but ``deps``."""
        key = _digest(self.fingerprint, path, deps)
        target = self.out / path
        known = self.previous.get(path) if self.incremental else None
        on_disk = _file_digest(target) if self.incremental else None
        if known and known.get("deps") == key and on_disk == known.get("sha256"):
            self.current[path] = known
            self.report.skipped.append(path)
            return
        data = render().encode()
        digest = hashlib.sha256(data).hexdigest()
        if on_disk == digest:
            self.report.skipped.append(path)
        else:
            _write_atomic(target, data)
            self.report.written.append(path)
        self.current[path] = {"deps": key, "sha256": digest}

    def finish(self) -> SiteReport:
        for path in sorted(set(self.previous) - set(self.current)):
            target = self.out / path
            # only files this tool wrote are removed, and never outside the site
            if target.resolve().is_relative_to(self.out.resolve()) and target.is_file():
                target.unlink()
                self.report.removed.append(path)
        manifest = {"version": 1, "files": dict(sorted(self.current.items()))}
        _write_atomic(self.out / MANIFEST, json.dumps(manifest, indent=1).encode())
        return self.report


def _page_path(issue: Issue) -> str:
    slug = issue.slug or str(issue.number)
    if not _SLUG.fullmatch(slug) or ".." in slug:
        raise UserError(f"issue #{issue.number}: slug {slug!r} cannot name a folder of the site")
    return issue_path(issue) + "index.html"


def _issue_digest(issue: Issue) -> str:
    # The dataclass repr names every field, items and sources included, and is
    # far quicker than asdict(); item row ids in it only cost a render, no write.
    return hashlib.sha256(repr(issue).encode()).hexdigest()


def _entry(issue: Issue | None) -> list[Any] | None:
    """What a page shows of another issue: a link with its number and title."""
    if issue is None:
        return None
    return [issue.number, issue.slug, issue.title, issue.subtitle, issue.published_at]


def build_site(
    store: Store,
    settings: Settings,
    root: Path,
    out: Path | None = None,
    *,
    incremental: bool = True,
) -> SiteReport:
    """Build the static site of the published issues into ``out`` (``<root>/site``).

    With ``incremental`` (the default) files whose inputs did not change are
    skipped; without it every file is rendered and written.
    """
    out = out if out is not None else root / SITE_DIR
    renderer = Renderer(settings, root)
    newest_first = store.published_issues()
    oldest_first = newest_first[::-1]
    digests = {issue.id: _issue_digest(issue) for issue in newest_first}
    output = _Output(out, renderer.fingerprint, incremental=incremental)

    output.emit("assets/style.css", None, lambda: renderer.render("style.css"))
    for index, issue in enumerate(oldest_first):
        previous = oldest_first[index - 1] if index > 0 else None
        following = oldest_first[index + 1] if index + 1 < len(oldest_first) else None
        output.emit(
            _page_path(issue),
            [digests[issue.id], _entry(previous), _entry(following)],
            functools.partial(
                renderer.issue_html, issue, paid=False, previous=previous, next_issue=following
            ),
        )

    # views and feed entries are made at most once, and only if a page needs them
    free_views = functools.cache(lambda: renderer.views(newest_first))
    entries = functools.cache(lambda: feed_entries(renderer, newest_first))
    listing = [_entry(issue) for issue in newest_first]
    latest = newest_first[0] if newest_first else None
    output.emit(
        "index.html",
        [listing[:RECENT], digests[latest.id] if latest else None],
        lambda: renderer.render(
            "index.html",
            base="",
            latest=renderer.view(latest, paid=False) if latest else None,
            recent=free_views()[1 : RECENT + 1],
        ),
    )
    output.emit(
        "archive/index.html",
        listing,
        lambda: renderer.render("archive.html", base="../", issues=free_views()),
    )
    output.emit("about/index.html", None, lambda: renderer.render("about.html", base="../"))
    in_feeds = [digests[issue.id] for issue in newest_first[: FEED_ENTRIES + 1]]
    output.emit("feed.xml", in_feeds, lambda: rss_feed(renderer, newest_first, entries()))
    output.emit("atom.xml", in_feeds, lambda: atom_feed(renderer, newest_first, entries()))
    output.emit("sitemap.xml", listing, lambda: sitemap(renderer, newest_first, free_views()))
    report = output.finish()
    report.issues = len(newest_first)
    return report


# -- publishing ---------------------------------------------------------------


@dataclass(slots=True)
class Published:
    issue: Issue
    site: SiteReport
    again: bool  # an issue published before, published again with force


def _issue_to_publish(store: Store, week: date | None, force: bool) -> Issue:
    found = pending_draft(store, week)
    if found is not None:
        return found
    if week is not None:
        done = next((i for i in store.published_issues() if i.week == week), None)
        if done is None:
            raise NotFoundError(f"no issue for the week ending {week}: run `mustreads draft`")
    else:
        published = store.published_issues()
        if not published:
            raise NotFoundError("no draft to publish: run `mustreads draft` first")
        done = published[0]
    if not force:
        raise UserError(
            f"issue #{done.number} (week ending {done.week}) is already published:"
            " pass --force to publish it again"
        )
    return done


def publish(
    store: Store,
    settings: Settings,
    root: Path,
    *,
    week: date | None = None,
    force: bool = False,
    out: Path | None = None,
    now: datetime | None = None,
) -> Published:
    """Publish the latest draft (or ``week``'s issue), then build the site.

    A new issue gets the next number, its number as slug, and ``now`` as date.
    An issue already published is refused unless ``force``; then it is saved
    and rendered again with its number, slug and date unchanged.
    """
    issue = _issue_to_publish(store, week, force)
    again = issue.status is IssueStatus.PUBLISHED
    if not again:
        numbers = [i.number for i in store.published_issues() if i.number is not None]
        issue.number = max(numbers, default=0) + 1
        issue.slug = None
        issue.published_at = None
    slug = issue.slug or str(issue.number)
    issue = store.publish_issue(issue, slug=slug, published_at=now or utcnow())
    report = build_site(store, settings, root, out)
    return Published(issue=issue, site=report, again=again)
