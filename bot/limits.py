"""Telegram's size limits, counted as Telegram counts them.

Telegram measures text in UTF-16 code units after parsing the markup, so a 👍 counts 2 and
`&amp;` counts 1. A message over the limit is refused outright, so we cut it ourselves.
"""

from __future__ import annotations

import unicodedata
from html import escape
from html.parser import HTMLParser
from typing import Literal

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
ALERT_LIMIT = 200  # answerCallbackQuery's pop-up text
CALLBACK_DATA_BYTES = 64  # UTF-8 bytes, not characters

ELLIPSIS = "…"
ZWJ = "\u200d"
REGIONAL_INDICATORS = "".join(chr(c) for c in range(0x1F1E6, 0x1F200))


def utf16_len(text: str) -> int:
    # surrogatepass: a lone surrogate is one unit, as it would be in Telegram's strings
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clip(text: str, limit: int) -> str:
    """Plain text cut to `limit` UTF-16 units, ending with "…" when it had to be cut."""
    if utf16_len(text) <= limit:
        return text
    if limit < 1:
        return ""
    return _prefix(text, limit - 1).rstrip() + ELLIPSIS


def _prefix(text: str, units: int) -> str:
    """The longest start of `text` within `units` UTF-16 units that splits no character.

    Code points keep surrogate pairs whole; beyond that, a cut never leaves a letter without
    its combining marks, an emoji without its modifier or ZWJ partner, or half a flag.
    """
    end, used = len(text), 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > units:
            end = index
            break
    else:
        return text
    while end > 0 and (_extends(text[end]) or text[end - 1] == ZWJ):
        end -= 1
    flags = len(text[:end]) - len(text[:end].rstrip(REGIONAL_INDICATORS))
    if flags % 2 and text[end] in REGIONAL_INDICATORS:
        end -= 1  # a flag is two regional indicators; half of one shows as a letter
    return text[:end]


def _extends(char: str) -> bool:
    """True for a code point that belongs to the character before it."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")  # incl. variation selectors, keycap
        or char == ZWJ
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # tags of subdivision flags
    )


# HTML parse mode ----------------------------------------------------------------------------

Kind = Literal["start", "end", "text"]


class _Tokens(HTMLParser):
    """(kind, tag name, value): a start tag as written, an end tag, or text with its
    entities resolved."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple[Kind, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append(("start", tag, self.get_starttag_text() or f"<{tag}>"))

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(("end", tag, ""))

    def handle_data(self, data: str) -> None:
        self.tokens.append(("text", "", data))


def _tokens(html: str) -> list[tuple[Kind, str, str]]:
    parser = _Tokens()
    parser.feed(html)
    parser.close()
    return parser.tokens


def plain_text(html: str) -> str:
    """What a pop-up (which has no parse mode) should show: no tags, entities resolved."""
    return "".join(value for kind, _, value in _tokens(html) if kind == "text")


def visible_len(html: str) -> int:
    """The length Telegram counts for an HTML-parse-mode text."""
    return utf16_len(plain_text(html))


def fit_html(html: str, limit: int = MESSAGE_LIMIT) -> str:
    """`html` itself when it fits; else its visible text cut to fit, markup kept balanced."""
    if utf16_len(html) <= limit:  # the visible text is never longer than its markup
        return html
    tokens = _tokens(html)
    if utf16_len("".join(value for kind, _, value in tokens if kind == "text")) <= limit:
        return html
    if limit < 1:
        return ""
    budget = limit - 1  # room for the ellipsis
    out: list[str] = []
    open_tags: list[tuple[str, int]] = []  # name, and where its start tag is in `out`
    for kind, tag, value in tokens:
        if kind == "start":
            open_tags.append((tag, len(out)))
            out.append(value)
        elif kind == "end":
            if any(name == tag for name, _ in open_tags):  # a stray end tag is dropped
                while (closing := open_tags.pop()[0]) != tag:
                    out.append(f"</{closing}>")
                out.append(f"</{tag}>")
        elif utf16_len(value) <= budget:
            out.append(escape(value, quote=False))
            budget -= utf16_len(value)
        else:
            if kept := _prefix(value, budget).rstrip():
                out.append(escape(kept, quote=False))
            break
    # An element the cut left empty (a link without text, a custom emoji without its emoji)
    # is dropped; what is still open is closed.
    while open_tags and open_tags[-1][1] == len(out) - 1:
        open_tags.pop()
        out.pop()
    if out and not out[-1].startswith("<"):  # text is escaped, so only tags start with "<"
        out[-1] = out[-1].rstrip()  # "kata…", not "kata …"
    out += (f"</{name}>" for name, _ in reversed(open_tags))
    return "".join(out) + ELLIPSIS


def chunks(html: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split a long message at line ends, each part within Telegram's 4,096 characters.

    Lengths are counted as Telegram counts them, on the visible text: a note of 1,000 "<"
    is 1,000 characters, not the 4,000 of its escaped HTML. Cutting the HTML instead cut
    notes short and left half an entity ("&lt") behind. A line too long on its own is cut
    by `fit_html`, which keeps entities and tags whole. No element spans two lines here.
    """
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for line in html.split("\n"):
        line = fit_html(line, limit)
        size = visible_len(line)
        if current and used + 1 + size > limit:
            parts.append("\n".join(current))
            current, used = [], 0
        used += size + (1 if current else 0)
        current.append(line)
    if current:
        parts.append("\n".join(current))
    return parts
