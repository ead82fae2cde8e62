"""The command line as a user meets it: the real console script, in a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from mustreads.cli import app
from mustreads.demo.server import DemoWeb

DOCS = Path(__file__).parents[1] / "docs" / "cli.md"


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mustreads", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


def command_paths() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    paths = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            paths += [f"{name} {sub}" for sub in subcommands]
        else:
            paths.append(name)
    return sorted(paths)


@pytest.fixture(scope="module")
def demo_web() -> Iterator[DemoWeb]:
    with DemoWeb() as web:
        yield web


@pytest.fixture
def pub(tmp_path: Path) -> Path:
    result = run("init", "pub", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path / "pub"


def test_every_command_has_help_and_is_documented() -> None:
    documented = DOCS.read_text()
    for path in command_paths():
        command = path.split()
        import typer.testing

        result = typer.testing.CliRunner().invoke(app, [*command, "--help"])
        assert result.exit_code == 0, path
        assert "Usage" in result.output
        assert f"mustreads {path}" in documented, f"docs/cli.md does not document `{path}`"


def test_init_writes_commented_defaults_that_load(pub: Path) -> None:
    text = (pub / "mustreads.toml").read_text()
    assert "# concurrency = 16" in text
    assert (pub / "data").is_dir() and (pub / "site").is_dir()
    again = run("init", "pub", cwd=pub.parent)
    assert again.returncode == 2
    assert "already exists" in again.stderr


def test_config_show_applies_env_and_redacts_secrets(pub: Path) -> None:
    (pub / "key.txt").write_text("sk-very-secret\n")
    with (pub / "mustreads.toml").open("a") as fh:
        fh.write('\n[llm]\napi_key_file = "key.txt"\n')
    # A [llm] table already exists (commented keys only): appending a second one is a TOML error.
    broken = run("config", "show", cwd=pub)
    assert broken.returncode == 2
    assert broken.stderr.count("\n") == 1 and "Traceback" not in broken.stderr
    text = (pub / "mustreads.toml").read_text().replace('\n[llm]\napi_key_file = "key.txt"\n', "")
    text = text.replace("[llm]\n", '[llm]\napi_key_file = "key.txt"\n', 1)
    (pub / "mustreads.toml").write_text(text)
    shown = run("config", "show", "--json", cwd=pub, env={"MUSTREADS_FETCH__CONCURRENCY": "3"})
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["fetch"]["concurrency"] == 3
    assert data["llm"]["api_key"] == "********"
    assert "sk-very-secret" not in shown.stdout


def test_config_show_prints_toml_that_parses_back(pub: Path) -> None:
    shown = run("config", "show", cwd=pub)
    assert shown.returncode == 0, shown.stderr
    data = tomllib.loads(shown.stdout)
    assert data["fetch"]["concurrency"] == 16
    assert "api_key" not in data["llm"]  # unset: TOML has no null


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "not a url"], "not an http(s) URL"),
        (["add", "https://example.org/x", "--section", "gossip"], "unknown section"),
        (["feeds", "remove", "https://nowhere.example/feed"], "unknown feed"),
        (["feeds", "add", "ftp://example.org/feed"], "not an http(s) URL"),
        (["feeds", "import", "missing.opml"], "cannot read"),
        (["feeds", "import", "bad.opml"], "unreadable OPML"),
        (["analyze", "--since", "last tuesday"], "not a date"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(pub: Path, args: list[str], message: str) -> None:
    (pub / "bad.opml").write_text("<opml><body><outline xmlUrl='x'")
    result = run(*args, cwd=pub)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_invalid_setting_names_the_key(pub: Path) -> None:
    text = (pub / "mustreads.toml").read_text().replace("[fetch]\n", '[fetch]\ntimeout = "x"\n', 1)
    (pub / "mustreads.toml").write_text(text)
    result = run("feeds", "list", cwd=pub)
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "mustreads: error: mustreads.toml: fetch.timeout: unknown setting"
    )


def test_feeds_add_list_export_import_remove(pub: Path, tmp_path: Path) -> None:
    assert run("feeds", "add", "https://a.example/feed.xml", cwd=pub).returncode == 0
    assert run("feeds", "add", "https://b.example/atom", "--title", "B", cwd=pub).returncode == 0
    duplicate = run("feeds", "add", "https://a.example/feed.xml", cwd=pub)
    assert duplicate.returncode == 2 and "already added" in duplicate.stderr
    exported = run("feeds", "export", "-o", str(tmp_path / "out.opml"), cwd=pub)
    assert exported.returncode == 0
    listed = json.loads(run("feeds", "list", "--json", cwd=pub).stdout)
    assert [f["url"] for f in listed] == ["https://a.example/feed.xml", "https://b.example/atom"]
    assert listed[0]["status"] == "new"
    assert run("feeds", "remove", "1", cwd=pub).returncode == 0
    imported = run("feeds", "import", str(tmp_path / "out.opml"), cwd=pub)
    assert "Imported 1 feeds, skipped 1" in imported.stdout
    titles = {
        f["url"]: f["title"] for f in json.loads(run("feeds", "list", "--json", cwd=pub).stdout)
    }
    assert titles["https://b.example/atom"] == "B"


def test_add_link_twice_keeps_one_row_and_the_curator_signals(pub: Path) -> None:
    first = json.loads(
        run("add", "https://a.example/post?utm_source=x#top", "--json", cwd=pub).stdout
    )
    second = json.loads(
        run(
            "add",
            "https://A.example/post",
            "--note",
            "great explainer",
            "--pin",
            "--section",
            "resources",
            "--json",
            cwd=pub,
        ).stdout
    )
    assert first == {"id": 1, "url": "https://a.example/post", "created": True}
    assert second == {"id": 1, "url": "https://a.example/post", "created": False}


def test_extract_jsonl_keeps_the_contract(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html lang='en'><head><title>Hello</title><meta name='author' content='Ada Lovelace'>"
        "</head><body><article>"
        + "".join(
            f"<p>Paragraph {i} explains how attention layers mix tokens in a model.</p>"
            for i in range(8)
        )
        + "</article></body></html>"
    )
    result = run("extract", str(page), "missing.html", "--jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    keys = {
        "input",
        "url",
        "title",
        "author",
        "date",
        "site_name",
        "language",
        "text",
        "extractor",
        "error",
    }
    assert keys <= set(first) and keys <= set(second)
    assert first["author"] == "Ada Lovelace" and first["error"] is None
    assert "attention layers" in first["text"]
    assert second["text"] is None and "cannot read" in second["error"]


def test_fetch_from_the_demo_web(pub: Path, demo_web: DemoWeb) -> None:
    env = {
        "MUSTREADS_FETCH__ALLOW_PRIVATE_NETWORKS": "true",
        "MUSTREADS_FETCH__PER_HOST_DELAY": "0",
    }
    (pub / "feeds.opml").write_text(demo_web.opml())
    assert run("feeds", "import", "feeds.opml", cwd=pub).returncode == 0
    result = run("fetch", "--json", cwd=pub, env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["feeds_failed"] == 0
    assert report["articles"]["ok"] >= 30
    assert report["store"]["articles_ok"] == report["articles"]["ok"]
    listed = run("feeds", "list", cwd=pub, env=env)
    assert re.search(r"Circuitline.*ok", listed.stdout, re.S)


def test_the_guard_is_on_by_default(pub: Path, demo_web: DemoWeb) -> None:
    assert run("feeds", "add", demo_web.feed_urls()[0], cwd=pub).returncode == 0
    result = run("fetch", "--json", cwd=pub)
    report = json.loads(result.stdout)
    assert report["feeds_failed"] == 1
    assert "refused" in report["errors"][0]["error"]
