"""Article extraction: one HTML page in, one :class:`~mustreads.models.Extracted` out.

Every extractor follows the same steps; only the main-text step differs:

1. decode bytes (BOM, declared charset, else UTF-8) and parse once with lxml;
2. read metadata from JSON-LD, OpenGraph and meta tags (:mod:`.metadata`);
3. drop scripts and styles, then find the main text (the backend's job);
4. decide what kind of page this is (:mod:`.pagekind`): bot checks, error
   pages and subscription walls come back BLOCKED or PAYWALLED with no text,
   and a page with fewer than ``min_words`` words of main text comes back EMPTY.

``text`` is set exactly when the status is OK.

Backends: ``trafilatura`` and ``readability`` run one library each;
``ensemble`` (the default) runs both on the same tree and lets them vote
paragraph by paragraph (:mod:`.vote`).
"""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

from lxml import html as lxml_html
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mustreads.errors import ConfigError, ExtractError
from mustreads.ingest.backends import (
    BACKEND_ERRORS,
    Favor,
    readability_blocks,
    trafilatura_blocks,
)
from mustreads.ingest.htmlpage import decode_html, parse_html, strip_inert, visible_text
from mustreads.ingest.metadata import PageMeta, read_metadata
from mustreads.ingest.pagekind import (
    STAND_IN_MAX_WORDS,
    PageKind,
    challenge_scripts,
    challenge_widgets,
    classify_page,
)
from mustreads.ingest.textblocks import Block, count_words, render
from mustreads.ingest.vote import clean, vote
from mustreads.models import ArticleStatus, Extracted
from mustreads.registry import Registry

_WORD = re.compile(r"\w+")


@runtime_checkable
class Extractor(Protocol):
    """Finds the article in one HTML page."""

    name: str

    def extract(
        self, html: str | bytes, url: str | None = None, *, http_status: int | None = None
    ) -> Extracted: ...


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_words: int = Field(40, ge=0, description="Fewer words of main text than this is EMPTY")


class _TrafilaturaOptions(_Options):
    favor: Favor = Field("balanced", description="trafilatura's focus: balanced, precision, recall")
    fast: bool = Field(False, description="Skip trafilatura's own fallback extractors")


def _validate(model: type[_Options], name: str, **values: object) -> _Options:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"{name} extractor: {key}: {first['msg']}", backend=name) from exc


class _PipelineExtractor:
    """The shared steps; subclasses say how the main text is found."""

    name: str

    def __init__(self, options: _Options) -> None:
        self.min_words = options.min_words

    def extract(
        self, html: str | bytes, url: str | None = None, *, http_status: int | None = None
    ) -> Extracted:
        if not isinstance(html, str | bytes):
            raise ExtractError(
                f"cannot extract from {type(html).__name__}: expected str or bytes",
                url=url,
                backend=self.name,
            )
        if not html.strip():
            raise ExtractError("empty page: nothing to extract from", url=url, backend=self.name)
        text = decode_html(html) if isinstance(html, bytes) else html
        tree = parse_html(text)
        if tree is None:
            return self._not_article(
                PageKind(ArticleStatus.EMPTY, "no HTML document could be parsed"), http_status
            )
        meta = read_metadata(tree, url)
        markers = challenge_scripts(tree)
        has_password = bool(tree.xpath("//input[@type='password']"))
        strip_inert(tree)
        blocks, failure = self._main_blocks(tree, url, meta)
        main_text = render(blocks)
        main_words = count_words(main_text)
        page_text = ""
        if main_words <= max(STAND_IN_MAX_WORDS, self.min_words):
            # only pages this short can be stand-ins; long ones skip the whole-page scans
            markers += challenge_widgets(tree)
            page_text = visible_text(tree)
        kind = classify_page(
            headings=meta.headings,
            page_text=page_text,
            main_words=main_words,
            markers=markers,
            not_free=meta.paywalled,
            has_password_field=has_password,
            http_status=http_status,
        )
        if kind is None and main_words < self.min_words:
            why = f"{main_words} words of main text, fewer than {self.min_words}"
            kind = PageKind(ArticleStatus.EMPTY, f"{failure}; {why}" if failure else why)
        result = Extracted(
            text=None if kind else main_text,
            extractor=self.name,
            status=kind.status if kind else ArticleStatus.OK,
            reason=kind.reason if kind else None,
            title=meta.title,
            author=meta.author,
            published_at=meta.published_at,
            site_name=meta.site_name,
            language=meta.language,
            image=meta.image,
            canonical_url=meta.canonical_url,
        )
        return result

    def _not_article(self, kind: PageKind, http_status: int | None) -> Extracted:
        by_status = classify_page(headings=[], page_text="", main_words=0, http_status=http_status)
        final = by_status or kind
        return Extracted(text=None, extractor=self.name, status=final.status, reason=final.reason)

    def _main_blocks(
        self, tree: lxml_html.HtmlElement, url: str | None, meta: PageMeta
    ) -> tuple[list[Block], str | None]:
        """The main text as blocks, and why a backend failed (None when none did)."""
        raise NotImplementedError


class TrafilaturaExtractor(_PipelineExtractor):
    """trafilatura alone (comments left out)."""

    name = "trafilatura"

    def __init__(
        self, *, min_words: int = 40, favor: Favor = "balanced", fast: bool = False
    ) -> None:
        options = _validate(
            _TrafilaturaOptions, self.name, min_words=min_words, favor=favor, fast=fast
        )
        assert isinstance(options, _TrafilaturaOptions)
        super().__init__(options)
        self.favor: Favor = options.favor
        self.fast = options.fast

    def _main_blocks(
        self, tree: lxml_html.HtmlElement, url: str | None, meta: PageMeta
    ) -> tuple[list[Block], str | None]:
        try:
            return trafilatura_blocks(tree, favor=self.favor, fast=self.fast), None
        except BACKEND_ERRORS as exc:
            return [], f"trafilatura failed: {exc!r}"


class ReadabilityExtractor(_PipelineExtractor):
    """readability-lxml alone."""

    name = "readability"

    def __init__(self, *, min_words: int = 40) -> None:
        super().__init__(_validate(_Options, self.name, min_words=min_words))

    def _main_blocks(
        self, tree: lxml_html.HtmlElement, url: str | None, meta: PageMeta
    ) -> tuple[list[Block], str | None]:
        try:
            return readability_blocks(tree), None
        except BACKEND_ERRORS as exc:
            return [], f"readability failed: {exc!r}"


class EnsembleExtractor(_PipelineExtractor):
    """trafilatura and readability on one tree, voting paragraph by paragraph."""

    name = "ensemble"

    def __init__(self, *, min_words: int = 40) -> None:
        super().__init__(_validate(_Options, self.name, min_words=min_words))

    def _main_blocks(
        self, tree: lxml_html.HtmlElement, url: str | None, meta: PageMeta
    ) -> tuple[list[Block], str | None]:
        failures: list[str] = []
        primary: list[Block] = []
        secondary: list[Block] = []
        try:
            # balanced and fast: readability stands in for trafilatura's own fallbacks
            primary = trafilatura_blocks(tree, favor="balanced", fast=True)
        except BACKEND_ERRORS as exc:
            failures.append(f"trafilatura failed: {exc!r}")
        try:
            secondary = readability_blocks(tree)
        except BACKEND_ERRORS as exc:
            failures.append(f"readability failed: {exc!r}")
        titles = [_WORD.findall(t) for t in (meta.title, *meta.headings) if t]
        if failures and not (primary or secondary):
            return [], "; ".join(failures)
        ballot = vote(primary, secondary, titles)
        blocks = ballot.blocks or clean(primary or secondary, titles)
        return blocks, "; ".join(failures) or None


extractors: Registry[Extractor] = Registry("extractor", "mustreads.extractors")


def get_extractor(name: str, **options: object) -> Extractor:
    """The extractor registered as ``name``, built with ``options``.

    Raises :class:`~mustreads.errors.BackendError` for an unknown name and
    :class:`~mustreads.errors.ConfigError` for an option it does not take.
    """
    factory = extractors.get(name)
    try:
        return factory(**options)
    except TypeError as exc:
        raise ConfigError(f"{name} extractor: {exc}", backend=name) from exc


def extract_article(
    html: str | bytes,
    url: str | None = None,
    *,
    extractor: str = "ensemble",
    http_status: int | None = None,
    min_words: int = 40,
) -> Extracted:
    """Extract one page with the extractor named ``extractor``."""
    return get_extractor(extractor, min_words=min_words).extract(html, url, http_status=http_status)
