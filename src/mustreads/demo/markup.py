"""The small subset of Markdown that demo article bodies are written in.

Bodies are blocks separated by blank lines: ``## heading``, a list whose
lines all start with ``- ``, or a paragraph. Inline: ``**strong**``,
``*em*``, `` `code` `` and ``[text](url)``. We parse it ourselves, rather than
pull in a Markdown library, so that the HTML the pages carry and the plain
text the labels carry come from one parse and cannot disagree.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["p", "h2", "ul"]

_INLINE = re.compile(
    r"\*\*(?P<strong>.+?)\*\*"
    r"|\*(?P<em>[^*]+?)\*"
    r"|`(?P<code>[^`]+?)`"
    r"|\[(?P<text>[^\]]+)\]\((?P<href>[^)\s]+)\)"
)


@dataclass(frozen=True, slots=True)
class Block:
    kind: BlockKind
    items: tuple[str, ...]  # one source line for p and h2, one per list item for ul


def parse_blocks(source: str) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", source.strip()):
        lines = [line.strip() for line in chunk.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if len(lines) == 1 and lines[0].startswith("## "):
            blocks.append(Block("h2", (lines[0][3:].strip(),)))
        elif all(line.startswith("- ") for line in lines):
            blocks.append(Block("ul", tuple(line[2:].strip() for line in lines)))
        else:
            blocks.append(Block("p", (" ".join(lines),)))
    return tuple(blocks)


def inline_text(source: str) -> str:
    """The words a reader sees: inline markers dropped, link targets dropped."""

    def plain(match: re.Match[str]) -> str:
        return next(group for group in match.group("strong", "em", "code", "text") if group)

    return _INLINE.sub(plain, source)


def inline_html(source: str) -> str:
    """HTML for one line of inline markup; everything else is escaped."""
    out: list[str] = []
    position = 0
    for match in _INLINE.finditer(source):
        out.append(html.escape(source[position : match.start()], quote=False))
        if match.group("strong"):
            out.append(f"<strong>{html.escape(match.group('strong'))}</strong>")
        elif match.group("em"):
            out.append(f"<em>{html.escape(match.group('em'))}</em>")
        elif match.group("code"):
            out.append(f"<code>{html.escape(match.group('code'))}</code>")
        else:
            href = html.escape(match.group("href"), quote=True)
            out.append(f'<a href="{href}">{html.escape(match.group("text"))}</a>')
        position = match.end()
    out.append(html.escape(source[position:], quote=False))
    return "".join(out)


def paragraphs(blocks: tuple[Block, ...]) -> tuple[str, ...]:
    """Plain text of the body: one string per paragraph, heading or list item."""
    return tuple(inline_text(item) for block in blocks for item in block.items)


def blocks_html(blocks: tuple[Block, ...]) -> str:
    parts: list[str] = []
    for block in blocks:
        if block.kind == "ul":
            items = "".join(f"<li>{inline_html(item)}</li>" for item in block.items)
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append(f"<{block.kind}>{inline_html(block.items[0])}</{block.kind}>")
    return "\n".join(parts)
