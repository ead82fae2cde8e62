from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from mustreads.config import Settings, default_config_text, dump_settings, load_settings
from mustreads.errors import ConfigError

DOCS = Path(__file__).parents[1] / "docs" / "configuration.md"


def all_keys() -> list[str]:
    keys = []
    for section, field in Settings.model_fields.items():
        model = field.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        keys += [f"{section}.{name}" for name in model.model_fields]
    return keys


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text()
    missing = [key for key in all_keys() if f"`{key}`" not in text]
    assert missing == []


def test_precedence_defaults_file_env_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mustreads.toml").write_text(
        "[fetch]\nconcurrency = 4\nretries = 1\nbackoff = 3.0\n"
    )
    monkeypatch.setenv("MUSTREADS_FETCH__RETRIES", "5")
    monkeypatch.setenv("MUSTREADS_FETCH__BACKOFF", "7")
    settings = load_settings(tmp_path, {"fetch": {"backoff": 9.0}})
    assert settings.fetch.concurrency == 4  # file over default
    assert settings.fetch.retries == 5  # env over file
    assert settings.fetch.backoff == 9.0  # flag over env
    assert settings.fetch.max_bytes == 10_000_000  # default


def test_relative_sqlite_path_is_relative_to_the_publication(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.store.url == f"sqlite:///{tmp_path.resolve()}/data/mustreads.db"


def test_secret_from_file_is_read_and_redacted(tmp_path: Path) -> None:
    (tmp_path / "key").write_text("sk-123\n")
    (tmp_path / "mustreads.toml").write_text(f'[llm]\napi_key_file = "{tmp_path / "key"}"\n')
    settings = load_settings(tmp_path)
    assert settings.llm.api_key is not None
    assert settings.llm.api_key.get_secret_value() == "sk-123"
    assert dump_settings(settings)["llm"]["api_key"] == "********"


def test_password_in_store_url_is_redacted(tmp_path: Path) -> None:
    (tmp_path / "mustreads.toml").write_text(
        '[store]\nurl = "postgresql+psycopg://news:hunter2@db.example/news"\n'
    )
    shown = dump_settings(load_settings(tmp_path))["store"]["url"]
    assert "hunter2" not in shown and "db.example" in shown


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("[fetch]\nconcurrency = 0\n", {}, "mustreads.toml: fetch.concurrency: Input should be"),
        ("[fetch]\nbogus = 1\n", {}, "mustreads.toml: fetch.bogus: unknown setting"),
        ("[nonsense]\n", {}, "nonsense: unknown setting"),
        ("[fetch\n", {}, "mustreads.toml: "),
        ("", {"MUSTREADS_FETCH__RETRIES": "many"}, "MUSTREADS_FETCH__RETRIES: fetch.retries"),
        ('[llm]\napi_key_file = "/nonexistent/key"\n', {}, "cannot read /nonexistent/key"),
    ],
)
def test_bad_settings_give_one_line_naming_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, env: dict[str, str], message: str
) -> None:
    (tmp_path / "mustreads.toml").write_text(text)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_init_template_parses_and_sets_chosen_values() -> None:
    parsed = tomllib.loads(default_config_text({"fetch": {"concurrency": 3}}))
    assert parsed["fetch"] == {"concurrency": 3}
    assert set(parsed) == set(Settings.model_fields)
