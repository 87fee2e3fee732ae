"""Telegram text formatting as the Bot API server applies it.

* :func:`parse_html` implements ``parse_mode=HTML`` the way Telegram (tdlib) does: the same
  tags, the same four named character references, and the same error wording.
* :func:`trim` strips surrounding whitespace like Telegram and shifts the entities.
* :func:`detect_entities` finds the entities a Telegram client attaches to text a user types
  (``bot_command``, ``url``, ``mention``, ``hashtag``).

Entity offsets and lengths are counted in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Entity = dict[str, object]

_TAG_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_REFERENCES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityParseError(ValueError):
    """Text could not be parsed with ``parse_mode=HTML``; the message is Telegram's wording."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (the unit of entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    result_index: int


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _decode_reference(source: str, index: int) -> tuple[str, int] | None:
    """Decode ``&lt;``/``&gt;``/``&amp;``/``&quot;``/``&#N;``/``&#xH;`` at ``index``.

    Returns the character and the index after the reference, or ``None`` when the ``&`` is
    literal (Telegram keeps unknown references such as ``&nbsp;`` as plain text).
    """
    end = index + 1
    if source.startswith("#", end):
        end += 1
        base = 10
        if source.startswith(("x", "X"), end):
            base = 16
            end += 1
        digits_start = end
        allowed = "0123456789abcdefABCDEF" if base == 16 else "0123456789"
        while end < len(source) and source[end] in allowed:
            end += 1
        if end == digits_start or not source.startswith(";", end):
            return None
        code = int(source[digits_start:end], base)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code), end + 1
    name_start = end
    while end < len(source) and source[end].isascii() and source[end].isalpha():
        end += 1
    name = source[name_start:end]
    if name not in _NAMED_REFERENCES or not source.startswith(";", end):
        return None
    return _NAMED_REFERENCES[name], end + 1


def _decode_references(value: str) -> str:
    parts: list[str] = []
    index = 0
    while index < len(value):
        decoded = _decode_reference(value, index) if value[index] == "&" else None
        if decoded is None:
            parts.append(value[index])
            index += 1
        else:
            parts.append(decoded[0])
            index = decoded[1]
    return "".join(parts)


def _normalise_link(url: str) -> str | None:
    url = url.strip()
    if re.match(r"^(https?|tg|ftp)://\S+$", url, re.IGNORECASE):
        return url
    if re.match(r"^[\w-]+(\.[\w-]+)+(/\S*)?$", url):
        return "http://" + url
    return None


def parse_html(source: str) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML into plain text and message entities.

    Raises:
        EntityParseError: with the same description Telegram puts after
            ``"Bad Request: can't parse entities: "``.
    """
    result: list[str] = []
    result_len = 0  # characters in ``result`` so far
    utf16 = 0
    entities: list[Entity] = []
    stack: list[_OpenTag] = []
    size = len(source)
    i = 0
    while i < size:
        char = source[i]
        if char == "&":
            decoded = _decode_reference(source, i)
            if decoded is not None:
                result.append(decoded[0])
                result_len += 1
                utf16 += utf16_len(decoded[0])
                i = decoded[1]
                continue
        if char != "<":
            result.append(char)
            result_len += 1
            utf16 += utf16_len(char)
            i += 1
            continue

        begin = i
        i += 1
        if i < size and source[i] == "/":
            i = _close_tag(source, begin, i + 1, stack, entities, result, utf16)
            continue

        name_start = i
        while i < size and not source[i].isspace() and source[i] != ">":
            i += 1
        if i >= size:
            raise EntityParseError(
                f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
            )
        name = source[name_start:i].lower()
        if name not in _TAG_ENTITY_TYPES:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, begin)}'
            )
        argument, i = _parse_attributes(source, begin, i, name)
        if name == "span" and argument != "spoiler":
            raise EntityParseError(
                'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{_byte_offset(source, begin)}"
            )
        stack.append(_OpenTag(name, argument, utf16, result_len))

    if stack:
        raise EntityParseError(
            f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"'
        )
    entities.sort(key=lambda entity: (_int(entity["offset"]), -_int(entity["length"])))
    return "".join(result), entities


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _parse_attributes(source: str, begin: int, i: int, name: str) -> tuple[str, int]:
    """Read the attributes of a start tag; returns the tag argument and the index after ``>``."""
    size = len(source)
    argument = ""
    where = f"at byte offset {_byte_offset(source, begin)}"
    while True:
        while i < size and source[i].isspace():
            i += 1
        if i >= size:
            raise EntityParseError(f'Unclosed start tag "{name}" {where}')
        if source[i] == ">":
            return argument, i + 1
        attribute_start = i
        while i < size and not source[i].isspace() and source[i] not in "=>":
            i += 1
        attribute = source[attribute_start:i].lower()
        if not attribute:
            raise EntityParseError(f'Empty attribute name in the tag "{name}" {where}')
        while i < size and source[i].isspace():
            i += 1
        if i >= size:
            raise EntityParseError(f'Unclosed start tag "{name}" {where}')
        if source[i] != "=":
            if name == "blockquote" and attribute == "expandable":
                argument = "expandable"
                continue
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{name}" {where}'
            )
        i += 1
        while i < size and source[i].isspace():
            i += 1
        if i >= size:
            raise EntityParseError(f'Unclosed start tag "{name}" {where}')
        if source[i] in "'\"":
            quote = source[i]
            end = source.find(quote, i + 1)
            if end == -1:
                raise EntityParseError(f"Unclosed start tag {where}")
            value = _decode_references(source[i + 1 : end])
            i = end + 1
        else:
            token_start = i
            while i < size and source[i].isascii() and (source[i].isalnum() or source[i] in ".-"):
                i += 1
            value = source[token_start:i].lower()
            if i < size and not source[i].isspace() and source[i] != ">":
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset "
                    f"{_byte_offset(source, token_start)}"
                )

        if name == "a" and attribute == "href":
            argument = value
        elif name == "code" and attribute == "class" and value.startswith("language-"):
            argument = value[len("language-") :]
        elif name == "span" and attribute == "class" and value.startswith("tg-"):
            argument = value[len("tg-") :]
        elif name == "tg-emoji" and attribute == "emoji-id":
            argument = value


def _close_tag(
    source: str,
    begin: int,
    i: int,
    stack: list[_OpenTag],
    entities: list[Entity],
    result: list[str],
    utf16: int,
) -> int:
    """Handle ``</name>`` starting at ``begin``; returns the index after ``>``."""
    size = len(source)
    if not stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(source, begin)}")
    name_start = i
    while i < size and not source[i].isspace() and source[i] != ">":
        i += 1
    end_name = source[name_start:i].lower()
    while i < size and source[i].isspace():
        i += 1
    if i >= size or source[i] != ">":
        raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(source, begin)}")
    tag = stack.pop()
    if end_name and end_name != tag.name:
        raise EntityParseError(
            f"Unmatched end tag at byte offset {_byte_offset(source, begin)}, "
            f'expected "</{tag.name}>", found "</{end_name}>"'
        )
    length = utf16 - tag.utf16_offset
    if length > 0:
        entity = _make_entity(tag, length, "".join(result[tag.result_index :]), entities)
        if entity is not None:
            entities.append(entity)
    return i + 1


def _make_entity(
    tag: _OpenTag, length: int, inner_text: str, entities: list[Entity]
) -> Entity | None:
    entity_type = _TAG_ENTITY_TYPES[tag.name]
    entity: Entity = {"type": entity_type, "offset": tag.utf16_offset, "length": length}
    if tag.name == "a":
        url = _normalise_link(tag.argument or inner_text)
        if url is None:
            return None
        entity["url"] = url
    elif tag.name == "code" and tag.argument:
        entity["language"] = tag.argument
    elif tag.name == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and "language" in last
            and last["offset"] == tag.utf16_offset
            and last["length"] == length
        ):
            # <pre><code class="language-x">...</code></pre> is one pre entity with a language.
            entities.pop()
            entity["language"] = last["language"]
    elif tag.name == "blockquote" and tag.argument == "expandable":
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        if not tag.argument:
            return None
        entity["custom_emoji_id"] = tag.argument
    return entity


def trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip leading/trailing whitespace like Telegram, shifting and clipping entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    limit = utf16_len(stripped)
    trimmed: list[Entity] = []
    for entity in entities:
        start = max(_int(entity.get("offset")) - shift, 0)
        end = min(_int(entity.get("offset")) + _int(entity.get("length")) - shift, limit)
        if end > start:
            trimmed.append({**entity, "offset": start, "length": end - start})
    return stripped, trimmed


_AUTO_ENTITY_PATTERNS = (
    (
        "bot_command",
        re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])"),
    ),
    ("url", re.compile(r"(?<![\w@])https?://[^\s<>\"]+", re.IGNORECASE)),
    ("mention", re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{4,32}(?!\w)")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
)


def detect_entities(text: str) -> list[Entity]:
    """Entities a Telegram client would attach to ``text`` typed by a user.

    A command such as ``/start abc`` or ``/renja_baru@renja_bot Judul`` yields a ``bot_command``
    entity covering the command and the optional ``@botname``, which is what
    python-telegram-bot's ``CommandHandler`` looks for at offset 0.
    """
    spans: list[tuple[int, int, str]] = []
    for entity_type, pattern in _AUTO_ENTITY_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if entity_type == "url":
                while end > start and text[end - 1] in ".,;:!?)]}'":
                    end -= 1
            if all(end <= s or start >= e for s, e, _ in spans):
                spans.append((start, end, entity_type))
    spans.sort()
    return [
        {
            "type": entity_type,
            "offset": utf16_len(text[:start]),
            "length": utf16_len(text[start:end]),
        }
        for start, end, entity_type in spans
    ]
