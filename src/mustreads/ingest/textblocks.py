"""Cut an element tree into text blocks (paragraphs, headings, list items, rows).

Both extractors hand back a tree: trafilatura its own XML (``p``, ``head``,
``list/item``, ``ref`` …) and readability cleaned HTML (``p``, ``h2``, ``li``,
``a`` …). One walker understands both vocabularies so the two outputs can be
compared block by block, each block knowing how many of its words sit inside
links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

# Tags that end the running line and start a new block, in either vocabulary.
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "aside", "header", "footer", "nav",
        "h1", "h2", "h3", "h4", "h5", "h6", "head",
        "ul", "ol", "dl", "list", "li", "item", "dt", "dd",
        "blockquote", "quote", "pre", "code", "figure", "figcaption",
        "table", "tbody", "thead", "tfoot", "tr", "row", "form", "fieldset",
        "address", "hr", "body", "html", "center", "details", "summary", "caption",
    }
)  # fmt: skip
_KIND_OF = {
    **dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6", "head"), "heading"),
    **dict.fromkeys(("li", "item", "dt", "dd"), "item"),
    **dict.fromkeys(("tr", "row"), "row"),
    "pre": "pre",
}
_CELL_TAGS = frozenset({"td", "th", "cell"})
_LINK_TAGS = frozenset({"a", "ref"})
_BREAK_TAGS = frozenset({"br", "lb"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "button", "select"})

_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_WORD = re.compile(r"\w+")
# Scripts written without spaces between words: kana, CJK ideographs.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(slots=True)
class Block:
    """One paragraph-like piece of text and what kind of element it came from."""

    text: str
    kind: str = "p"  # p, heading, item, row, pre
    link_words: int = 0
    words: list[str] = field(default_factory=list)

    @property
    def word_count(self) -> int:
        return len(self.words)

    @property
    def link_density(self) -> float:
        return self.link_words / len(self.words) if self.words else 0.0


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._parts: list[str] = []
        self._link_words = 0
        self._kind = "p"

    def flush(self) -> None:
        text = _tidy("".join(self._parts))
        if text:
            words = _WORD.findall(text)
            if words:
                self.blocks.append(
                    Block(text, self._kind, min(self._link_words, len(words)), words)
                )
        self._parts = []
        self._link_words = 0
        self._kind = "p"

    def add(self, text: str | None, in_link: bool) -> None:
        if text:
            self._parts.append(text)
            if in_link:
                self._link_words += len(_WORD.findall(text))

    def walk(self, el: etree._Element, in_link: bool = False) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag or tag in _SKIP_TAGS:
            return
        if tag in _BREAK_TAGS:
            self._parts.append("\n")
            return
        is_block = tag in _BLOCK_TAGS
        if is_block:
            self.flush()
            self._kind = _KIND_OF.get(tag, "p")
        elif tag in _CELL_TAGS and self._parts:
            self._parts.append(" | ")
        inner_link = in_link or tag in _LINK_TAGS
        self.add(el.text, inner_link)
        kind = self._kind
        for child in el:
            self.walk(child, inner_link)
            # text after a nested block still belongs to this one
            self._kind = kind
            self.add(child.tail, inner_link)
        if is_block:
            self.flush()


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line).strip(" |")


def count_words(text: str) -> int:
    """Words in ``text``, counting two characters of Chinese or Japanese as one word.

    Splitting on spaces would see a whole Japanese paragraph as one word and
    call a long article empty.
    """
    unspaced = len(_UNSPACED.findall(text))
    if not unspaced:
        return len(text.split())
    spaced = len(_UNSPACED.sub(" ", text).split())
    return spaced + (unspaced + 1) // 2


def blocks_of(root: etree._Element) -> list[Block]:
    """The text blocks under ``root``, in document order."""
    walker = _Walker()
    walker.walk(root)
    walker.flush()
    return walker.blocks


def render(blocks: list[Block]) -> str:
    """Plain text: one block per paragraph, blank lines between, list items bulleted."""
    out: list[str] = []
    for block in blocks:
        text = block.text
        if block.kind == "item":
            text = "- " + text
        if out and block.kind == "item" and out[-1].startswith("- "):
            out[-1] += "\n" + text
        else:
            out.append(text)
    return "\n\n".join(out)
