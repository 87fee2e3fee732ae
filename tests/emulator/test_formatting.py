"""Telegram HTML parse mode and entity detection, without any server."""

from __future__ import annotations

import pytest

from emulator.formatting import EntityParseError, detect_entities, parse_html, trim, utf16_len


def test_tags_become_entities_and_references_are_unescaped() -> None:
    text, entities = parse_html(
        '<b>Renja</b> &lt;2027&gt; &amp; <i>draf <u>awal</u></i> <a href="https://x.id/a?b=1&amp;c=2">'
        "tautan</a> &nbsp; &#128512;"
    )
    assert text == "Renja <2027> & draf awal tautan &nbsp; 😀"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 5},
        {"type": "italic", "offset": 15, "length": 9},
        {"type": "underline", "offset": 20, "length": 4},
        {"type": "text_link", "offset": 25, "length": 6, "url": "https://x.id/a?b=1&c=2"},
    ]


def test_offsets_count_utf16_code_units() -> None:
    text, entities = parse_html("😀 <b>ok</b>")
    assert text == "😀 ok"
    assert entities == [{"type": "bold", "offset": 3, "length": 2}]
    assert utf16_len("😀") == 2


def test_pre_with_language_spoiler_and_expandable_quote() -> None:
    text, entities = parse_html(
        '<pre><code class="language-python">x = 1</code></pre>'
        '<span class="tg-spoiler">s</span><blockquote expandable>q</blockquote><B>B</B>'
    )
    assert text == "x = 1sqB"
    assert entities == [
        {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        {"type": "spoiler", "offset": 5, "length": 1},
        {"type": "expandable_blockquote", "offset": 6, "length": 1},
        {"type": "bold", "offset": 7, "length": 1},
    ]


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        (
            "<a href>x</a>",
            'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0',
        ),
        ("x <", "Unclosed start tag at byte offset 2"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ],
)
def test_errors_use_telegram_wording(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as info:
        parse_html(source)
    assert str(info.value) == error


def test_trim_shifts_entities() -> None:
    assert trim("  \n<b>", [{"type": "bold", "offset": 3, "length": 3}]) == (
        "<b>",
        [{"type": "bold", "offset": 0, "length": 3}],
    )


def test_detected_entities_include_commands_with_bot_name() -> None:
    assert detect_entities("/renja_baru@renja_bot Judul") == [
        {"type": "bot_command", "offset": 0, "length": 21}
    ]
    assert detect_entities("/start abc") == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert detect_entities("lihat https://x.id/a, @kepala_dinas #renja") == [
        {"type": "url", "offset": 6, "length": 14},
        {"type": "mention", "offset": 22, "length": 13},
        {"type": "hashtag", "offset": 36, "length": 6},
    ]
    assert detect_entities("a/b bukan perintah") == []
