"""The small pieces of Markdown and TOML the draft file is written in, each with its reader.

Every writer here has a reader that gives back exactly what was written, so
that the curator's untouched text survives a round trip byte for byte; the
readers also accept what a person would type by hand.
"""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date
from urllib.parse import urlsplit

from mustreads.errors import EditError
from mustreads.models import SourceRef

Line = tuple[int, str]  # (1-based number, text) of a line of the file


# Lines that mean something to the reader of the draft file when they start a line.
BULLET = re.compile(r"[-*](?: |$)")
SOURCES = re.compile(r"(?:  )?sources:", re.IGNORECASE)
AUTHOR = re.compile(r"By(?: |$)")


def needs_escape(line: str) -> bool:
    """Whether a line of a summary would be read as structure (or as an escape) if left bare."""
    return line.startswith(("\\", "#", "<!--")) or bool(
        BULLET.match(line) or SOURCES.match(line) or AUTHOR.match(line)
    )


def escape_line(line: str) -> str:
    return "\\" + line if needs_escape(line) else line


def unescape_line(line: str) -> str:
    # Only a backslash that escape_line could have written is taken away: a curator's
    # own Markdown escape such as "\*not emphasis*" stays as typed.
    return line[1:] if line.startswith("\\") and needs_escape(line[1:]) else line


# -- links ------------------------------------------------------------------

_TEXT_ESCAPES = "\\[]"
_BARE_ESCAPES = "\\()"
_ANGLE_ESCAPES = "\\<>"


def _escape(text: str, chars: str) -> str:
    return "".join("\\" + c if c in chars else c for c in text)


def one_line(text: str) -> str:
    """Titles, names and authors live on one line of the file."""
    return text.replace("\r\n", " ").replace("\n", " ")


def link(text: str, url: str) -> str:
    """``[text](url)``; a URL with spaces or control characters goes between angle brackets."""
    if url and not any(c.isspace() or c in "<>" or ord(c) < 0x20 for c in url):
        destination = _escape(url, _BARE_ESCAPES)
    else:
        destination = "<" + _escape(one_line(url), _ANGLE_ESCAPES) + ">"
    return f"[{_escape(one_line(text), _TEXT_ESCAPES)}]({destination})"


class LinkSyntaxError(ValueError):
    """Not a ``[text](url)`` link; the message says what is wrong."""


def read_link(line: str, pos: int) -> tuple[str, str, int]:
    """The link starting at ``line[pos]`` (a ``[``): its text, URL and the index after it."""
    if not line.startswith("[", pos):
        raise LinkSyntaxError("expected '[' to open a link")
    text, pos = _read_until(line, pos + 1, "[", "]", _TEXT_ESCAPES)
    if not line.startswith("(", pos):
        raise LinkSyntaxError("expected '(url)' right after ']'")
    pos += 1
    if line.startswith("<", pos):
        url, pos = _read_until(line, pos + 1, None, ">", _ANGLE_ESCAPES)
        if not line.startswith(")", pos):
            raise LinkSyntaxError("expected ')' after '>'")
        return text, url, pos + 1
    url, pos = _read_until(line, pos, "(", ")", _BARE_ESCAPES)
    if any(c.isspace() for c in url):
        raise LinkSyntaxError("a URL with spaces must be written <like this>")
    return text, url, pos


def _read_until(
    line: str, pos: int, opener: str | None, closer: str, escapes: str
) -> tuple[str, int]:
    """Text up to the ``closer`` that balances, unescaping backslashes; the index after it."""
    out: list[str] = []
    depth = 0
    while pos < len(line):
        char = line[pos]
        if char == "\\" and pos + 1 < len(line):
            following = line[pos + 1]
            out.append(following if following in escapes else char + following)
            pos += 2
            continue
        if char == closer and depth == 0:
            return "".join(out), pos + 1
        if char == opener:
            depth += 1
        elif char == closer:
            depth -= 1
        out.append(char)
        pos += 1
    raise LinkSyntaxError(f"missing '{closer}'")


def read_sources(text: str) -> list[SourceRef]:
    """``[Name](url), [Name](url)``; a bare http(s) URL is accepted and named by its host."""
    sources: list[SourceRef] = []
    pos = _skip_spaces(text, 0)
    while pos < len(text):
        if text.startswith("[", pos):
            name, url, pos = read_link(text, pos)
        else:
            match = re.compile(r"https?://[^\s,]+").match(text, pos)
            if not match:
                raise LinkSyntaxError("write each source as [Name](url)")
            url, pos = match.group(), match.end()
            name = (urlsplit(url).hostname or url).removeprefix("www.")
        sources.append(SourceRef(name=name, url=url))
        pos = _skip_spaces(text, pos)
        if pos < len(text):
            if text[pos] != ",":
                raise LinkSyntaxError("separate the sources with commas")
            pos = _skip_spaces(text, pos + 1)
            if pos == len(text):
                raise LinkSyntaxError("a source is missing after the last comma")
    return sources


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def sources_text(sources: list[SourceRef]) -> str:
    return ", ".join(link(source.name, source.url) for source in sources)


# -- the hidden item comment ------------------------------------------------

ITEM_COMMENT = re.compile(r"<!--\s*item\b(.*)-->\s*$")
_ATTRIBUTE = re.compile(r'\s+(\w+)=(\d+|"(?:[^"\\]|\\.)*")')
INT_KEYS = {"id": "id", "a": "article", "s": "story"}
STR_KEYS = {"title", "url", "by"}


def item_comment(attributes: dict[str, int | str]) -> str:
    parts = []
    for key, value in attributes.items():
        if isinstance(value, int):
            parts.append(f"{key}={value}")
        else:
            # JSON keeps the comment on one line; '>' escaped so "-->" never ends it early.
            quoted = json.dumps(value, ensure_ascii=False).replace(">", "\\u003e")
            parts.append(f"{key}={quoted}")
    return f"<!-- item {' '.join(parts)} -->"


def read_item_comment(line: str) -> dict[str, int | str]:
    """The attributes of an item comment line; ValueError says what is wrong."""
    match = ITEM_COMMENT.match(line)
    if not match:
        raise ValueError("not an item comment")
    inner = match.group(1).rstrip()
    attributes: dict[str, int | str] = {}
    pos = 0
    while pos < len(inner):
        found = _ATTRIBUTE.match(inner, pos)
        if not found:
            raise ValueError(f"cannot read {inner[pos:].strip()!r}")
        key, value = found.groups()
        if key in INT_KEYS and value.isdigit():
            attributes[key] = int(value)
        elif key in STR_KEYS and value.startswith('"'):
            attributes[key] = json.loads(value)
        else:
            raise ValueError(f"unknown attribute {key}={value}")
        pos = found.end()
    return attributes


# -- TOML front matter values ---------------------------------------------------


def _is_control(char: str) -> bool:
    return ord(char) < 0x20 or ord(char) == 0x7F


def toml_string(value: str, *, multiline: bool = False) -> str:
    """A TOML basic string (``\"\"\"`` form when multiline, whose newlines stay newlines)."""
    out = []
    for char in value:
        if char in '\\"':
            out.append("\\" + char)
        elif char == "\n" and multiline:
            out.append(char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif _is_control(char):
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    text = "".join(out)
    if not multiline:
        return f'"{text}"'
    # A line starting "+++" would end the front matter: its first '+' goes escaped.
    text = re.sub(r"(?m)^\+(?=\+\+)", r"\\u002B", text)
    return f'"""\n{text}"""'


def toml_text_block(value: str) -> str:
    """A multi-line TOML string holding ``value`` plus one newline (which the reader drops).

    The literal ``'''`` form needs no escapes, so the curator reads the intro as
    written; values it cannot hold take the escaped basic form.
    """
    value += "\n"
    if (
        "'''" in value
        or any(_is_control(c) and c not in "\t\n" for c in value)
        or re.search(r"(?m)^\+\+\+", value)
    ):
        return toml_string(value, multiline=True)
    return f"'''\n{value}'''"


def split_front_matter(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    start = next((i for i, (_, text) in enumerate(lines) if text.strip()), len(lines))
    if start == len(lines) or lines[start][1].rstrip() != "+++":
        number = lines[start][0] if start < len(lines) else 1
        raise EditError("the file must start with a '+++' line (the front matter)", line=number)
    for end in range(start + 1, len(lines)):
        if lines[end][1].rstrip() == "+++":
            return lines[start + 1 : end], lines[end + 1 :]
    raise EditError(
        "the front matter is not closed: add a '+++' line after it", line=lines[start][0]
    )


def read_front_matter(front: list[Line], week: date) -> dict[str, str]:
    first = front[0][0] if front else 1

    def line_of(key: str) -> int:
        pattern = re.compile(rf"\s*[\"']?{key}[\"']?\s*=")
        return next((n for n, text in front if pattern.match(text)), first - 1)

    try:
        data = tomllib.loads("\n".join(text for _, text in front))
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        reason = re.sub(r"\s*\(at .*\)$", "", str(exc))
        # "at end of document" points at the closing '+++' line.
        number = first + (int(found.group(1)) - 1 if found else len(front))
        raise EditError(f"front matter: {reason}", line=number) from None
    for key, value in data.items():
        if key not in ("title", "subtitle", "intro", "week"):
            raise EditError(
                f"unknown front matter key {key!r} (title, subtitle, intro, week)",
                line=line_of(key),
            )
        if key == "week":
            if type(value) is not date or value != week:
                raise EditError(
                    f"the week is read-only: this draft is for {week.isoformat()}",
                    line=line_of(key),
                )
        elif not isinstance(value, str):
            raise EditError(f"{key} must be a string in quotes", line=line_of(key))
    if "title" not in data:
        raise EditError('the front matter needs a title = "…" line', line=first - 1)
    intro = data.get("intro", "")
    return {
        "title": data["title"],
        "subtitle": data.get("subtitle", ""),
        "intro": intro[:-1] if intro.endswith("\n") else intro,
    }
