"""The curator's review: edit the draft as Markdown in $VISUAL or $EDITOR."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from mustreads.cli.app import DirOption, app, open_dir
from mustreads.cli.output import console
from mustreads.compose.changes import compare_issues
from mustreads.compose.draft import pending_draft
from mustreads.compose.markdown import EditError, issue_to_markdown, markdown_to_issue
from mustreads.compose.week import parse_week
from mustreads.errors import MustreadsError, NotFoundError, UserError
from mustreads.models import Issue, utcnow
from mustreads.publication import Publication

KEPT_EDIT = Path("data") / "draft-edit.md"  # in the publication folder


@app.command()
def edit(
    week: Annotated[
        str | None,
        typer.Option("--week", help="The draft of this week, YYYY-MM-DD (default: the latest)"),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option("--resume", help=f"Edit again the text a failed edit kept in {KEPT_EDIT}"),
    ] = False,
    directory: DirOption = None,
) -> None:
    """Review the draft as Markdown in $VISUAL or $EDITOR; saved if it reads back cleanly."""
    day = parse_week(week) if week is not None else None
    with open_dir(directory) as pub:
        draft = _load_draft(pub, day)
        kept = pub.root / KEPT_EDIT
        if resume:
            try:
                original = kept.read_text(encoding="utf-8")
            except OSError:
                raise UserError(f"nothing to resume: {_shown(kept)} does not exist") from None
        else:
            original = issue_to_markdown(draft)
        edited = _edit_in_editor(original, f"draft-{draft.week.isoformat()}.md", kept)
        if "\r\n" in edited and "\r\n" not in original:
            edited = edited.replace("\r\n", "\n")  # the editor saved with Windows line ends
        try:
            issue = markdown_to_issue(edited, draft)
        except EditError as exc:
            _keep(kept, edited)
            raise EditError(
                f"{exc.reason} (the draft is unchanged; your edit is kept in {_shown(kept)}:"
                " fix it with `mustreads edit --resume`)",
                line=exc.line,
            ) from None
        changed = issue != draft
        if changed:
            _check_unchanged_since(pub, draft, kept, edited)
            issue.edited_at = utcnow()  # from now on, `draft` and `run` keep this draft
            pub.store.save_issue(issue)
    if resume:
        kept.unlink(missing_ok=True)
    if changed:
        what = compare_issues(draft, issue).describe()
        console.print(f"Saved the draft of {issue.week.isoformat()}: {what}.")
    else:
        console.print(f"No changes to the draft of {issue.week.isoformat()}.")


def _load_draft(pub: Publication, week: date | None) -> Issue:
    draft = pending_draft(pub.store, week)
    if draft is not None:
        return draft
    if week is not None:
        published = [i for i in pub.store.published_issues() if i.week == week]
        if published:
            raise UserError(
                f"the issue of {week.isoformat()} is published (number {published[0].number}):"
                " a published issue is not editable"
            )
        raise UserError(f"no draft for {week.isoformat()}: run `mustreads draft --week {week}`")
    raise UserError("no draft: run `mustreads draft` first")


def _edit_in_editor(text: str, name: str, kept: Path) -> str:
    """``text`` after the curator's editor has had it; the editor's own failure is a UserError."""
    command = shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")
    if not command:
        raise UserError("$VISUAL or $EDITOR is set but empty: name an editor, e.g. EDITOR=nano")
    with tempfile.TemporaryDirectory(prefix="mustreads-") as folder:
        path = Path(folder) / name
        path.write_bytes(text.encode("utf-8"))
        try:
            status = subprocess.run([*command, str(path)], check=False).returncode  # noqa: S603
        except OSError as exc:
            raise UserError(
                f"cannot start the editor {command[0]!r} ({exc.strerror}): set $VISUAL or $EDITOR"
            ) from None
        if status != 0:
            raise UserError(f"the editor exited with status {status}: the draft is unchanged")
        data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        _keep(kept, data)
        raise EditError(
            f"not UTF-8 text (the draft is unchanged; your edit is kept in {_shown(kept)})",
            line=data[: exc.start].count(b"\n") + 1,
        ) from None


def _check_unchanged_since(pub: Publication, draft: Issue, kept: Path, edited: str) -> None:
    """Refuse to overwrite a draft that changed (or went) while the curator was editing."""
    assert draft.id is not None
    try:
        current: Issue | None = pub.store.get_issue(draft.id)
    except NotFoundError:
        current = None
    if current != draft:
        _keep(kept, edited)
        raise MustreadsError(
            "the draft changed while you were editing and was left as it is now; your edit is"
            f" kept in {_shown(kept)}: `mustreads edit --resume` to apply it"
        )


def _keep(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it is below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
