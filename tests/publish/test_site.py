"""The static site built from the store (SQLite, and PostgreSQL when configured),
incremental rebuilds, publishing, and the ``mustreads publish`` command."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest

from mustreads.config import PublicationSettings, Settings
from mustreads.errors import NotFoundError, UserError
from mustreads.models import Issue, IssueStatus
from mustreads.publish import build_site, publish
from mustreads.publish.site import MANIFEST
from mustreads.store import Store
from tests.publish.test_render import (
    PAID_HOST,
    PAID_MARK,
    SITE,
    assert_free,
    assert_nothing_executable,
    hostile_issue,
)

FIRST_WEEK = date(2025, 1, 3)
STATIC = {"index.html", "archive/index.html", "about/index.html", "assets/style.css",
          "feed.xml", "atom.xml", "sitemap.xml"}  # fmt: skip
LIST_PAGES = {"index.html", "archive/index.html", "feed.xml", "atom.xml", "sitemap.xml"}


def week(n: int) -> date:
    return FIRST_WEEK + timedelta(weeks=n - 1)


def add_published(store: Store, n: int) -> Issue:
    """Issue ``n`` saved as a draft, then published as number ``n``."""
    draft = hostile_issue(None, week(n))
    draft.title = f"Issue {n} title, <b>bold</b> & more"
    store.save_issue(draft)
    when = datetime.combine(week(n), datetime.min.time(), UTC)
    return store.publish_issue(draft, slug=str(n), published_at=when)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


@pytest.fixture
def settings() -> Settings:
    return Settings(publication=PublicationSettings(url=SITE))


def site_files(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def test_site_has_every_page_and_nothing_paid(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    for n in (1, 2, 3):
        add_published(store, n)
    draft = hostile_issue(None, week(4))
    draft.title = "UNPUBLISHED-DRAFT"
    store.save_issue(draft)

    report = build_site(store, settings, tmp_path)
    out = tmp_path / "site"
    files = site_files(out)
    pages = {f"issues/{n}/index.html" for n in (1, 2, 3)}
    assert set(files) == STATIC | pages
    assert sorted(report.written) == sorted(files) and report.skipped == []
    assert report.issues == 3 and report.out == out
    for path, data in files.items():
        text = data.decode()
        assert_free(text)  # no paid title, URL or summary in any file
        assert "UNPUBLISHED-DRAFT" not in text, path
        if path.endswith(".html"):
            assert_nothing_executable(text)
            assert text.startswith("<!doctype html>"), path


def test_pages_link_to_each_other(store: Store, settings: Settings, tmp_path: Path) -> None:
    for n in (1, 2, 3):
        add_published(store, n)
    build_site(store, settings, tmp_path)
    out = tmp_path / "site"

    home = lxml.html.parse(out / "index.html").getroot()
    teaser = home.find_class("teaser")[0]
    assert teaser.find(".//h3/a").get("href") == "issues/3/"
    recent = [a.get("href") for a in home.find_class("issue-list")[0].iter("a")]
    assert recent == ["issues/2/", "issues/1/"]
    assert home.find(".//link[@rel='stylesheet']").get("href") == "assets/style.css"

    archive = lxml.html.parse(out / "archive" / "index.html").getroot()
    listed = [a.get("href") for a in archive.find_class("issue-list")[0].iter("a")]
    assert listed == ["../issues/3/", "../issues/2/", "../issues/1/"]

    middle = lxml.html.parse(out / "issues" / "2" / "index.html").getroot()
    nav = [a.get("href") for a in middle.find_class("issue-nav")[0].iter("a")]
    assert nav == ["../../issues/1/", "../../issues/3/"]
    assert middle.find(".//link[@rel='canonical']").get("href") == SITE + "issues/2/"
    assert "Keep reading with a 7-day free trial" in middle.text_content()

    about = (out / "about" / "index.html").read_text()
    assert "7 days" in about and SITE + "subscribe/" in about
    css = (out / "assets" / "style.css").read_text()
    assert "max-width: 42rem" in css and "overflow-wrap: anywhere" in css


def test_an_empty_site_builds(store: Store, settings: Settings, tmp_path: Path) -> None:
    report = build_site(store, settings, tmp_path)
    assert set(report.written) == STATIC
    assert "The first issue is on its way" in (tmp_path / "site" / "index.html").read_text()


def test_incremental_rebuild_rewrites_only_what_changed(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    for n in (1, 2, 3):
        add_published(store, n)
    build_site(store, settings, tmp_path)
    out = tmp_path / "site"
    again = build_site(store, settings, tmp_path)
    assert again.written == [] and len(again.skipped) == len(STATIC) + 3

    add_published(store, 4)
    after_new = build_site(store, settings, tmp_path)
    assert set(after_new.written) == LIST_PAGES | {"issues/4/index.html", "issues/3/index.html"}
    assert (
        '<a class="next" rel="next" href="../../issues/4/">'
        in (out / "issues" / "3" / "index.html").read_text()
    )

    # a file deleted or changed by hand is made again
    (out / "issues" / "1" / "index.html").unlink()
    (out / "about" / "index.html").write_text("defaced")
    repaired = build_site(store, settings, tmp_path)
    assert set(repaired.written) == {"issues/1/index.html", "about/index.html"}

    # without incremental, everything is written
    full = build_site(store, settings, tmp_path, incremental=False)
    assert len(full.written) == len(STATIC) + 4 and full.skipped == []


def test_a_template_change_rewrites_the_pages_it_changes(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    for n in (1, 2):
        add_published(store, n)
    build_site(store, settings, tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "about.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Our own about page</h1>{% endblock %}'
    )
    report = build_site(store, settings, tmp_path)
    assert report.written == ["about/index.html"]  # rendered again, the same bytes elsewhere
    assert "Our own about page" in (tmp_path / "site" / "about" / "index.html").read_text()


def test_an_edited_issue_rewrites_its_page_and_its_neighbours(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    issues = [add_published(store, n) for n in (1, 2, 3)]
    build_site(store, settings, tmp_path)
    middle = issues[1]
    middle.title = "A better title"
    store.publish_issue(middle, slug="2", published_at=datetime.now(UTC))
    report = build_site(store, settings, tmp_path)
    neighbours = {f"issues/{n}/index.html" for n in (1, 2, 3)}
    # the sitemap lists addresses and dates only: unchanged
    assert set(report.written) == neighbours | LIST_PAGES - {"sitemap.xml"}


def test_out_folder_and_stale_files(store: Store, settings: Settings, tmp_path: Path) -> None:
    add_published(store, 1)
    out = tmp_path / "elsewhere"
    build_site(store, settings, tmp_path, out)
    assert (out / "issues" / "1" / "index.html").is_file()
    assert not (tmp_path / "site").exists()
    (out / "keep.txt").write_text("not ours")
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["files"]["gone/index.html"] = manifest["files"]["index.html"]
    manifest["files"]["../outside.html"] = manifest["files"]["index.html"]
    (out / MANIFEST).write_text(json.dumps(manifest))
    (tmp_path / "outside.html").write_text("not in the site")
    (out / "gone").mkdir()
    (out / "gone" / "index.html").write_text("old")
    report = build_site(store, settings, tmp_path, out)
    assert report.removed == ["gone/index.html"] and (out / "keep.txt").exists()
    assert (tmp_path / "outside.html").exists()


def test_a_slug_that_cannot_be_a_folder_is_refused(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    issue = add_published(store, 1)
    store.publish_issue(issue, slug="../../etc", published_at=datetime.now(UTC))
    with pytest.raises(UserError, match="slug"):
        build_site(store, settings, tmp_path)


# -- publishing ----------------------------------------------------------------


def test_publish_numbers_the_draft_and_builds_the_site(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    add_published(store, 1)
    store.save_issue(hostile_issue(None, week(2)))
    now = datetime(2025, 1, 10, 8, tzinfo=UTC)
    done = publish(store, settings, tmp_path, now=now)
    assert done.issue.number == 2 and done.issue.slug == "2" and not done.again
    assert done.issue.status is IssueStatus.PUBLISHED and done.issue.published_at == now
    assert "issues/2/index.html" in done.site.written
    assert store.latest_draft() is None

    with pytest.raises(UserError, match="already published"):
        publish(store, settings, tmp_path)
    with pytest.raises(UserError, match="already published"):
        publish(store, settings, tmp_path, week=week(1))

    # forced: the same number and date, the page rendered again
    stored = store.issue_by_number(2)
    stored.title = "Corrected title"
    store.save_issue(stored)
    again = publish(store, settings, tmp_path, week=week(2), force=True)
    assert again.again and again.issue.number == 2 and again.issue.published_at == now
    assert "Corrected title" in (tmp_path / "site" / "issues" / "2" / "index.html").read_text()


def test_publish_a_given_week(store: Store, settings: Settings, tmp_path: Path) -> None:
    store.save_issue(hostile_issue(None, week(1)))
    store.save_issue(hostile_issue(None, week(2)))
    done = publish(store, settings, tmp_path, week=week(1))
    assert done.issue.week == week(1) and done.issue.number == 1
    assert store.latest_draft() is not None
    with pytest.raises(NotFoundError):
        publish(store, settings, tmp_path, week=week(9))


def test_nothing_to_publish(store: Store, settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="draft"):
        publish(store, settings, tmp_path)


def test_publish_command(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mustreads", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert run("init", "pub").returncode == 0
    root = tmp_path / "pub"
    with Store.open(f"sqlite:///{root / 'data' / 'mustreads.db'}") as store:
        store.save_issue(hostile_issue(None, week(1)))
    done = run("publish", "-C", str(root))
    assert done.returncode == 0, done.stderr
    assert "Published issue #1" in done.stdout and str(root / "site") in done.stdout
    assert "written" in done.stdout
    assert (root / "site" / "issues" / "1" / "index.html").is_file()
    refused = run("publish", "-C", str(root))
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert "Traceback" not in refused.stderr
    forced = run("publish", "-C", str(root), "--force")
    assert forced.returncode == 0 and "Published again issue #1" in forced.stdout
    assert "0 written" in forced.stdout
    bad = run("publish", "-C", str(root), "--week", "soon")
    assert bad.returncode == 2 and "not a date" in bad.stderr
    assert PAID_MARK not in (root / "site" / "index.html").read_text()
    assert PAID_HOST not in (root / "site" / "feed.xml").read_text()
