"""`mustreads edit` as a curator meets it: the real console script, an editor that is a script."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from mustreads.config import load_settings
from mustreads.models import Issue, Section, Tier
from mustreads.store import Store
from tests.compose.test_markdown import issue

# An "editor" that applies the replacements in $EDIT_WITH (a JSON list: old, new, old, new …)
# to the file it is given, and fails if one is not found.
EDITOR = """\
import json, os, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
parts = json.loads(os.environ["EDIT_WITH"])
for old, new in zip(parts[::2], parts[1::2]):
    if old not in text:
        sys.exit(f"editor script: {old!r} not in the file")
    text = text.replace(old, new, 1)
open(path, "w", encoding="utf-8").write(text)
if os.environ.get("EDITOR_SQL"):  # someone else changes the store meanwhile
    import sqlite3
    with sqlite3.connect(os.path.join("data", "mustreads.db")) as db:
        db.execute(os.environ["EDITOR_SQL"])
sys.exit(int(os.environ.get("EDITOR_STATUS", "0")))
"""


@pytest.fixture
def pub(tmp_path: Path) -> Path:
    result = mustreads("init", "pub", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (tmp_path / "editor.py").write_text(EDITOR)
    return tmp_path / "pub"


@pytest.fixture
def store(pub: Path) -> Iterator[Store]:
    with Store.open(load_settings(pub).store.url) as opened:
        yield opened


def mustreads(
    *args: str, cwd: Path, edits: tuple[str, ...] = (), status: int = 0, sql: str = ""
) -> subprocess.CompletedProcess[str]:
    editor = f"{shlex.quote(sys.executable)} {shlex.quote(str(cwd.parent / 'editor.py'))}"
    env = {**os.environ, "VISUAL": "", "EDITOR": editor, "EDIT_WITH": json.dumps(edits),
           "EDITOR_STATUS": str(status), "EDITOR_SQL": sql, "COLUMNS": "200"}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "mustreads", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def saved_draft(store: Store) -> Issue:
    """issue() saved as a draft, as the store gives it back; its items name no article or
    story (the store has none)."""
    draft = issue()
    items = [replace(item, id=None, article_id=None, story_id=None) for item in draft.items]
    return store.get_issue(store.save_issue(replace(draft, id=None, items=items)).id or 0)


def test_an_edit_is_saved_and_counted(pub: Path, store: Store) -> None:
    draft = saved_draft(store)
    evals = draft.section(Section.RESOURCES)[1]
    block = f"<!-- item id={evals.id} -->\n### [Evals](https://r.example/2)\n\nHow to eval.\n\n"
    result = mustreads(
        "edit", cwd=pub,
        edits=('title = "A, B, C, and More"', 'title = "Models, Chips, and More"',
               block, "", "<!-- paywall -->\n\n", f"<!-- paywall -->\n\n{block}"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Saved the draft of 2025-01-31: title changed, 1 item moved" in result.stdout
    stored = store.latest_draft()
    assert stored is not None and stored.id == draft.id
    assert stored.title == "Models, Chips, and More"
    assert [(i.title, i.tier) for i in stored.section(Section.RESOURCES)] == [
        ("Attention [explained]", Tier.FREE), ("Evals", Tier.PAID), ("Paid one", Tier.PAID),
    ]  # fmt: skip
    unchanged = mustreads("edit", "--week", "2025-01-31", cwd=pub)
    assert unchanged.returncode == 0, unchanged.stderr
    assert "No changes" in unchanged.stdout
    assert store.latest_draft() == stored


def test_a_bad_edit_leaves_the_draft_and_keeps_the_text(pub: Path, store: Store) -> None:
    draft = saved_draft(store)
    before = store.latest_draft()
    result = mustreads("edit", cwd=pub, edits=("### [Evals](https://r.example/2)", "### Evals"))
    assert result.returncode == 2
    assert result.stderr.startswith(
        "mustreads: error: line 35: a resource needs a title line '### [Title](url)'"
    )
    assert "data/draft-edit.md" in result.stderr and "--resume" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert store.latest_draft() == before
    kept = pub / "data" / "draft-edit.md"
    assert "### Evals\n" in kept.read_text()

    resumed = mustreads(
        "edit", "--resume", cwd=pub, edits=("### Evals", "### [Evals](https://e.x)")
    )
    assert resumed.returncode == 0, resumed.stderr
    stored = store.get_issue(draft.id or 0)
    assert stored.section(Section.RESOURCES)[1].url == "https://e.x"
    assert not kept.exists()


def test_the_editor_failing_changes_nothing(pub: Path, store: Store) -> None:
    saved_draft(store)
    before = store.latest_draft()
    result = mustreads("edit", cwd=pub, edits=("A, B, C", "X"), status=1)
    assert result.returncode == 2
    assert "the editor exited with status 1" in result.stderr
    assert store.latest_draft() == before


def test_a_draft_changed_meanwhile_is_not_overwritten(pub: Path, store: Store) -> None:
    saved_draft(store)
    result = mustreads(
        "edit", cwd=pub, edits=("A, B, C", "X, Y, Z"), sql="UPDATE issues SET title = 'Redrafted'"
    )
    assert result.returncode == 1
    assert "the draft changed while you were editing" in result.stderr
    stored = store.latest_draft()
    assert stored is not None and stored.title == "Redrafted"
    assert 'title = "X, Y, Z, and More"' in (pub / "data" / "draft-edit.md").read_text()


def test_no_draft_and_published_issues(pub: Path, store: Store) -> None:
    result = mustreads("edit", cwd=pub)
    assert result.returncode == 2
    assert result.stderr == "mustreads: error: no draft: run `mustreads draft` first\n"
    published = store.publish_issue(
        saved_draft(store), slug="1", published_at=datetime(2025, 1, 31, tzinfo=UTC)
    )
    assert published.week == date(2025, 1, 31)
    result = mustreads("edit", "--week", "2025-01-31", cwd=pub)
    assert result.returncode == 2
    assert "published (number 1): a published issue is not editable" in result.stderr
