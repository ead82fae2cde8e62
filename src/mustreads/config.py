"""Publication settings: defaults < ``mustreads.toml`` < ``MUSTREADS_*`` env < flags.

Settings are built once, at the edge (the CLI or the web app), by
:func:`load_settings` and passed down as one typed object. Nested keys map to
environment variables with a double underscore: ``fetch.timeout`` is
``MUSTREADS_FETCH__TIMEOUT``. Any secret can be given as ``*_file`` (or
``MUSTREADS_…_FILE``) naming a file that holds it; secrets are redacted by
:func:`dump_settings`.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from mustreads.errors import ConfigError

CONFIG_FILE = "mustreads.toml"
ENV_PREFIX = "MUSTREADS_"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class PublicationSettings(Section):
    name: str = Field("An AI engineer's must-reads", description="Name of the newsletter")
    url: str = Field("http://localhost:8000/", description="Public address of the web archive")
    language: str = Field("en", description="Language of the issues (BCP 47)")
    description: str = Field(
        "The week's most useful reading for AI engineers, chosen and summarized.",
        description="One line about the newsletter (about page, feeds, meta tags)",
    )
    author: str = Field("The editors", description="Who writes it (feeds, about page)")


class StoreSettings(Section):
    url: str = Field(
        "sqlite:///data/mustreads.db",
        description="SQLAlchemy URL; a relative SQLite path is relative to the publication folder",
    )


class FetchSettings(Section):
    concurrency: int = Field(16, ge=1, le=512, description="Downloads in flight at once")
    per_host_concurrency: int = Field(2, ge=1, le=64, description="Downloads in flight per host")
    per_host_delay: float = Field(0.5, ge=0, description="Seconds between two requests to one host")
    connect_timeout: float = Field(10.0, gt=0, description="Seconds to open a connection")
    read_timeout: float = Field(20.0, gt=0, description="Seconds to wait for each chunk")
    total_timeout: float = Field(60.0, gt=0, description="Seconds for one whole download")
    max_bytes: int = Field(10_000_000, ge=1024, description="Largest body accepted, in bytes")
    max_redirects: int = Field(5, ge=0, le=20, description="Redirects followed per request")
    retries: int = Field(2, ge=0, le=10, description="Retries after a transient failure")
    backoff: float = Field(1.0, ge=0, description="First retry delay in seconds, doubled each time")
    max_retry_after: float = Field(
        300.0, ge=0, description="Longest Retry-After honoured within one run, in seconds"
    )
    user_agent: str = Field(
        "mustreads/0.1 (+https://github.com/mustreads/mustreads)",
        description="User-Agent header sent with every request",
    )
    allow_private_networks: bool = Field(
        False,
        description="Allow loopback/private/link-local addresses (tests and the demo only)",
    )
    allowed_networks: list[str] = Field(
        default_factory=list,
        description="Address ranges (CIDR) let through the guard, e.g. an intranet",
    )
    feed_interval: float = Field(60.0, gt=0, description="Minutes between two polls of a feed")
    max_feed_backoff: float = Field(
        24 * 60.0, gt=0, description="Longest wait after repeated feed failures, in minutes"
    )
    link_attempts: int = Field(3, ge=1, description="Runs that try a page before giving up")


class ExtractSettings(Section):
    extractor: str = Field("ensemble", description="Extraction backend, by name")
    min_words: int = Field(40, ge=0, description="Fewer words than this is not an article")


DEFAULT_SUMMARY_PROMPT = """\
Summarize the article below for the readers of {publication}, a weekly reading list \
for AI engineers. Write {min_sentences} to {max_sentences} plain sentences, at most \
{max_words} words in all, in {language}: what the piece says and why it matters. State \
only facts found in the article. No preamble, no "In this article", no lists.

Title: {title}

{text}"""

DEFAULT_TOPICS: dict[str, list[str]] = {
    "models": ["model", "release", "weights", "parameters", "checkpoint", "open-weights"],
    "reasoning": ["reasoning", "chain of thought", "chain-of-thought", "thinking", "o1"],
    "moe": ["mixture of experts", "mixture-of-experts", "moe", "experts", "router"],
    "inference": ["inference", "latency", "throughput", "quantization", "serving", "gpu"],
    "policy": ["regulation", "policy", "law", "act", "government", "compliance"],
    "careers": ["career", "hiring", "interview", "roadmap", "job", "learn"],
    "healthcare": ["medical", "health", "clinical", "patients", "hospital", "diagnosis"],
    "tooling": ["library", "framework", "tool", "sdk", "open source", "release notes"],
    "research": ["paper", "benchmark", "study", "arxiv", "researchers", "dataset"],
}


class LLMSettings(Section):
    api_base: str = Field(
        "http://127.0.0.1:11434/v1",
        description="OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp server, OpenAI)",
    )
    model: str = Field("llama3.1:8b", description="Model name sent to the endpoint")
    api_key: SecretStr | None = Field(None, description="API key (or api_key_file = PATH)")
    timeout: float = Field(120.0, gt=0, description="Seconds to wait for one answer")
    concurrency: int = Field(4, ge=1, le=256, description="Requests in flight at once")
    retries: int = Field(2, ge=0, le=10, description="Retries after a transient failure")
    backoff: float = Field(1.0, ge=0, description="First retry delay in seconds, doubled each time")
    temperature: float = Field(0.2, ge=0, le=2, description="Sampling temperature")
    max_input_tokens: int = Field(
        3000, ge=200, description="Longer articles are trimmed to their most informative passages"
    )
    prompt: str = Field(DEFAULT_SUMMARY_PROMPT, description="Summary prompt template")


class AnalyzeSettings(Section):
    summarizer: str = Field("extractive", description="Summarizer backend: extractive or llm")
    classifier: str = Field("linear", description="Kind classifier backend: linear or llm")
    min_sentences: int = Field(2, ge=1, le=5, description="Fewest sentences in a summary")
    max_sentences: int = Field(3, ge=1, le=8, description="Most sentences in a summary")
    max_words: int = Field(70, ge=15, le=300, description="Most words in a summary")
    topics: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_TOPICS.items()},
        description="Topic taxonomy: topic -> keywords",
    )
    story_window_days: float = Field(
        4.0, gt=0, description="Articles further apart than this are never one story"
    )
    story_event_threshold: float = Field(
        0.15,
        ge=0,
        le=1,
        description="An article this likely to be news may join a story; joining one makes it news",
    )


class RankSettings(Section):
    relevance: float = Field(1.0, description="Weight of relevance to the topic profile")
    freshness: float = Field(0.5, description="Weight of freshness")
    source: float = Field(0.3, description="Weight of the source's weight")
    coverage: float = Field(0.6, description="Weight of story coverage (number of sources)")
    pinned: float = Field(3.0, description="Weight of a curator pin")
    note: float = Field(0.5, description="Weight of a curator note")
    half_life_days: float = Field(3.5, gt=0, description="Freshness halves every so many days")
    topic_profile: dict[str, float] = Field(
        default_factory=lambda: {
            "models": 1.0,
            "reasoning": 1.0,
            "moe": 0.8,
            "inference": 0.8,
            "policy": 0.5,
            "careers": 0.6,
            "healthcare": 0.6,
            "tooling": 0.7,
            "research": 0.8,
        },
        description="How much the publication cares about each topic",
    )
    source_weights: dict[str, float] = Field(
        default_factory=dict, description="Host -> weight (default 1.0)"
    )


class ComposeSettings(Section):
    weekday: str = Field(
        "friday",
        pattern="^(monday|tuesday|wednesday|thursday|friday|saturday|sunday)$",
        description="Day the issue goes out; its week ends that day",
    )
    events: int = Field(5, ge=0, le=50, description="News stories in 'Events you should know'")
    resources: int = Field(8, ge=0, le=100, description="Articles in 'Resources you should read'")
    free_resources: int = Field(
        3, ge=0, description="The first N resources are free; the rest are for paid readers"
    )
    title_items: int = Field(3, ge=1, le=5, description="Items named in the title")
    title_words: int = Field(7, ge=2, le=20, description="Most words of one headline phrase")
    subtitle: str = Field(
        "An AI engineer's must-reads for {date}", description="Subtitle template ({date})"
    )
    date_format: str = Field(
        "{m}-{d}-{yy}", description="Date in the subtitle: {m} {d} {mm} {dd} {yy} {yyyy} {month}"
    )
    intro: str = Field(
        "Here are the articles, guides and news about AI engineering worth your time this week."
        " New to the field? Start with the [learning roadmap](https://example.org/roadmap).",
        description="Intro paragraph of every issue (Markdown)",
    )
    previous_text: str = Field(
        "If you missed last week's must-reads, check them out here:",
        description="Text before the link to the previous issue",
    )
    paywall_text: str = Field(
        "Keep reading with a 7-day free trial", description="Shown to free readers at the paywall"
    )
    trial_days: int = Field(7, ge=0, description="Length of the free trial, in days")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    publication: PublicationSettings = PublicationSettings()
    store: StoreSettings = StoreSettings()
    fetch: FetchSettings = FetchSettings()
    extract: ExtractSettings = ExtractSettings()
    analyze: AnalyzeSettings = AnalyzeSettings()
    llm: LLMSettings = LLMSettings()
    rank: RankSettings = RankSettings()
    compose: ComposeSettings = ComposeSettings()

    @model_validator(mode="before")
    @classmethod
    def _read_secret_files(cls, data: Any) -> Any:
        return _resolve_secret_files(data) if isinstance(data, dict) else data


def _resolve_secret_files(data: dict[str, Any]) -> dict[str, Any]:
    """Replace ``key_file = PATH`` by ``key = <contents of PATH>`` at any depth."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out[key] = _resolve_secret_files(value)
        elif key.endswith("_file") and isinstance(value, str | os.PathLike):
            try:
                out[key[: -len("_file")]] = Path(value).read_text().strip()
            except OSError as exc:
                raise ValueError(f"{key}: cannot read {value}: {exc.strerror}") from exc
        else:
            out[key] = value
    return out


class _DictSource(PydanticBaseSettingsSource):
    """A settings source over an already parsed mapping (the TOML file)."""

    def __init__(self, settings_cls: type[BaseSettings], data: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self._data = data

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


def read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path.name}: {exc.strerror}") from exc


def load_settings(root: Path, overrides: dict[str, Any] | None = None) -> Settings:
    """Build the settings of the publication in ``root``; ``overrides`` come from flags."""
    file_data = read_config_file(root / CONFIG_FILE)

    class _Loaded(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings, env_settings, _DictSource(settings_cls, file_data))

    try:
        loaded = _Loaded(**(overrides or {}))
    except ValidationError as exc:
        raise ConfigError(_describe_validation_error(exc, file_data)) from exc
    except ValueError as exc:  # a secret file that cannot be read
        raise ConfigError(str(exc)) from exc
    settings = Settings.model_validate(loaded.model_dump())
    settings.store.url = resolve_store_url(settings.store.url, root)
    return settings


def _describe_validation_error(exc: ValidationError, file_data: dict[str, Any]) -> str:
    first = exc.errors()[0]
    loc = [str(part) for part in first["loc"]]
    key = ".".join(loc)
    node: Any = file_data
    for part in loc:
        node = node.get(part) if isinstance(node, dict) else None
    env_name = ENV_PREFIX + "__".join(loc).upper()
    if node is not None:
        where = CONFIG_FILE
    elif env_name in os.environ:
        where = env_name
    else:
        where = "settings"
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown setting"
    extra = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {key}: {message}{extra}"


def resolve_store_url(url: str, root: Path) -> str:
    """Make a relative SQLite path absolute, relative to the publication folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str((root / url[len(prefix) :]).resolve())
    return url


def dump_settings(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data, with every secret redacted."""

    def redact(value: Any) -> Any:
        if isinstance(value, SecretStr):
            return "********" if value.get_secret_value() else ""
        if isinstance(value, BaseModel):
            return {name: redact(getattr(value, name)) for name in type(value).model_fields}
        return value

    data: dict[str, Any] = redact(settings)
    data["store"]["url"] = _redact_url_password(data["store"]["url"])
    return data


def _redact_url_password(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:  # not a database URL: nothing to hide, shown as written
        return url


def default_config_text(values: dict[str, dict[str, Any]] | None = None) -> str:
    """A ``mustreads.toml`` with every setting commented out at its default.

    ``values`` (section -> key -> value) are written uncommented instead.
    """
    values = values or {}
    lines = [
        "# mustreads publication settings.",
        "# Every key below is commented out at its default; uncomment to change it.",
        "# Environment variables override this file: fetch.concurrency is",
        "# MUSTREADS_FETCH__CONCURRENCY. Secrets may be given as <key>_file = PATH.",
    ]
    for section_name, section_field in Settings.model_fields.items():
        section_type = section_field.annotation
        assert isinstance(section_type, type) and issubclass(section_type, BaseModel)
        lines += ["", f"[{section_name}]"]
        # Tables go last: a key written after a [sub.table] header would land inside it.
        fields = sorted(
            section_type.model_fields.items(),
            key=lambda item: isinstance(item[1].get_default(call_default_factory=True), dict),
        )
        for name, info in fields:
            if info.description:
                lines.append(f"# {info.description}")
            if name in values.get(section_name, {}):
                chosen = {name: values[section_name][name]}
                lines.append(tomli_w.dumps(chosen, multiline_strings=True).strip())
                continue
            default = info.get_default(call_default_factory=True)
            if default is None or isinstance(default, SecretStr):
                lines.append(f'# {name} = ""')
                continue
            if isinstance(default, dict):
                rendered = tomli_w.dumps({section_name: {name: default}}, multiline_strings=True)
            else:
                rendered = tomli_w.dumps({name: default}, multiline_strings=True)
            lines += [f"# {line}".rstrip() for line in rendered.strip().splitlines()]
    return "\n".join(lines) + "\n"
