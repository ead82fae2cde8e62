"""Refusing XML that declares a DTD, before any XML parser sees it.

An internal DTD subset can declare entities that expand exponentially
("billion laughs") or point at files and URLs (external entities). A feed has
no business declaring either, so a document whose prolog holds a DOCTYPE with
an internal subset, or any ``<!ENTITY``, is refused outright. The prolog is
read in every encoding a parser might choose for these bytes, so the check
cannot be dodged by declaring UTF-16, UTF-7 or EBCDIC.
"""

from __future__ import annotations

import codecs
import re

_ELEMENT_START_RE = re.compile(r"<[A-Za-z_:]")
_DECLARED_ENCODING_RE = re.compile(r"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""")
_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def _candidate_encodings(content: bytes, content_type: str) -> list[str]:
    """Every encoding a parser might read ``content`` in, so the guard sees what it sees.

    Latin-1 stands for all ASCII-compatible encodings (the markup is ASCII in all of
    them); then byte-order marks, the UTF-16/32 zero-byte patterns, EBCDIC and
    whatever the XML declaration or the Content-Type header name, however odd
    (UTF-7 can spell ``<`` without the byte 0x3C).
    """
    names = ["latin-1"]
    if b"\x00" in content[:4] or content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        names += ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"]
    if content[:4] == b"\x4c\x6f\xa7\x94":
        names.append("cp037")
    head = content[:1024].decode("latin-1")
    for match in (_DECLARED_ENCODING_RE.search(head), _CHARSET_RE.search(content_type)):
        if match:
            names.append(match.group(1))
    unique: dict[str, None] = {}
    for name in names:
        try:
            unique.setdefault(codecs.lookup(name).name)
        except LookupError:
            continue
    return list(unique)


def _skip_quoted_until(text: str, start: int, stops: str) -> tuple[int, str] | None:
    """Index and character of the first of ``stops`` outside quotes, from ``start``."""
    quote = ""
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in stops:
            return index, char
    return None


def _prolog_declares_dtd(text: str) -> bool | None:
    """Whether the prolog holds a DOCTYPE internal subset or an ENTITY declaration.

    None when ``text`` ends inside the prolog.
    """
    # Anything that says ENTITY before the first thing that looks like an element is
    # refused, comments included: feedparser's own DOCTYPE handling reads that region
    # by regex, not as XML.
    first_element = _ELEMENT_START_RE.search(text)
    if "<!ENTITY" in text[: first_element.start() if first_element else len(text)].upper():
        return True
    index = 0
    while True:
        lt = text.find("<", index)
        if lt < 0:
            return None
        if text.startswith("<!--", lt):
            end = text.find("-->", lt + 4)
            if end < 0:
                return None
            index = end + 3
        elif text.startswith("<?", lt):
            end = text.find("?>", lt + 2)
            if end < 0:
                return None
            index = end + 2
        elif text[lt : lt + 9].upper() == "<!DOCTYPE":
            found = _skip_quoted_until(text, lt + 9, "[>")
            return None if found is None else found[1] == "["
        elif text[lt : lt + 8].upper() == "<!ENTITY":
            return True
        elif _ELEMENT_START_RE.match(text, lt):
            return False  # the root element: no declaration may follow
        else:
            index = lt + 1  # stray text; let the parser judge it


def declares_dtd(content: bytes, content_type: str) -> bool:
    # The whole document is decoded (the scan itself stops at the root element): a
    # prolog may be padded with comments past any window we would pick.
    for encoding in _candidate_encodings(content, content_type):
        try:
            text = content.decode(encoding, "replace")
        except (LookupError, ValueError, TypeError):  # a codec that is no text codec
            continue
        if _prolog_declares_dtd(text):
            return True
    return False


# --- RSS and Atom, through feedparser -----------------------------------------------
