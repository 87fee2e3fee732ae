"""Telegram's limits, counted in UTF-16 units of the text after HTML parsing."""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.limits import (
    ALERT_LIMIT,
    CALLBACK_DATA_BYTES,
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    clip,
    fit_html,
    plain_text,
    utf16_len,
    visible_len,
)

THUMBS_UP = "👍"
FLAG_ID = "🇮🇩"


def test_the_limits_are_telegrams() -> None:
    assert (MESSAGE_LIMIT, CAPTION_LIMIT, ALERT_LIMIT, CALLBACK_DATA_BYTES) == (
        4096,
        1024,
        200,
        64,
    )


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("", 0),
        ("Rencana Kerja", 13),
        ("Pémda", 5),
        (THUMBS_UP, 2),  # outside the BMP: a surrogate pair
        (FLAG_ID, 4),
        ("Setujui ✅", 9),  # ✅ is in the BMP
        ("👨\u200d👩\u200d👧", 8),
        ("\ud83d", 1),  # a lone surrogate, as a broken JSON string can carry
    ],
)
def test_utf16_len_counts_code_units(text: str, units: int) -> None:
    assert utf16_len(text) == units


# clip ----------------------------------------------------------------------------------------


def test_clip_leaves_text_that_fits() -> None:
    assert clip("Draf disetujui", 14) == "Draf disetujui"


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Rencana Kerja Perangkat Daerah", 14, "Rencana Kerja…"),
        (f"Bagus {THUMBS_UP}{THUMBS_UP}", 9, f"Bagus {THUMBS_UP}…"),
        (f"Bagus {THUMBS_UP}{THUMBS_UP}", 8, "Bagus…"),  # never half a surrogate pair
        (f"{FLAG_ID}{FLAG_ID}", 6, f"{FLAG_ID}…"),
        (f"{FLAG_ID}{FLAG_ID}", 4, "…"),  # never half a flag
        ("Pe\u0301mda", 3, "P…"),  # never a letter without its accent
        (f"{THUMBS_UP}\U0001f3fd ok", 3, "…"),  # never a thumb without its skin tone
        ("abc", 1, "…"),
        ("abc", 0, ""),
    ],
)
def test_clip_cuts_whole_characters_and_adds_an_ellipsis(
    text: str, limit: int, expected: str
) -> None:
    assert clip(text, limit) == expected


@given(st.text(), st.integers(min_value=0, max_value=300))
def test_clip_fits_and_is_a_prefix(text: str, limit: int) -> None:
    clipped = clip(text, limit)
    assert utf16_len(clipped) <= limit
    if clipped != text:
        assert clipped in ("", "…") or clipped.endswith("…")
        assert text.startswith(clipped[:-1])


# visible_len and plain_text ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "units"),
    [
        ("<b>Rapat</b> &amp; <i>evaluasi</i>", 16),
        ("&lt;b&gt;", 3),
        ("&#123;&#x7D;&quot;", 3),
        ("&#128077;", 2),  # 👍 written as an entity is still two units
        ('<a href="https://example.go.id/?a=1&amp;b=2">tautan</a>', 6),
        ("<b><i><u>Renja</u></i></b> 👍", 8),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', 2),
        ("<blockquote>Kutipan\nbaris dua</blockquote>", 17),
    ],
)
def test_visible_len_counts_what_telegram_counts(html: str, units: int) -> None:
    assert visible_len(html) == units


def test_plain_text_unescapes_for_a_pop_up() -> None:
    # answerCallbackQuery has no parse mode: an alert must show "&", not "&amp;".
    html = "<b>Bidang Sosial &amp; Budaya</b> &lt;draf&gt; &#8211; sudah disetujui"
    assert plain_text(html) == "Bidang Sosial & Budaya <draf> – sudah disetujui"


# fit_html ------------------------------------------------------------------------------------


def balanced(html: str) -> bool:
    """True when every tag html.parser sees is closed, in order."""

    class Checker(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.stack: list[str] = []
            self.ok = True

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.stack.append(tag)

        def handle_endtag(self, tag: str) -> None:
            self.ok = self.ok and bool(self.stack) and self.stack.pop() == tag

    checker = Checker()
    checker.feed(html)
    checker.close()
    return checker.ok and not checker.stack


def test_fit_html_leaves_a_fitting_message_alone() -> None:
    html = "<b>Draf</b> <i>disetujui</i> &amp; dikirim"
    assert fit_html(html, visible_len(html)) is html


@pytest.mark.parametrize(
    ("html", "limit", "expected"),
    [
        ("<b>Rapat &amp; <i>evaluasi</i></b> renja", 10, "<b>Rapat &amp; <i>e</i></b>…"),
        ("&amp;&amp;&amp;&amp;", 3, "&amp;&amp;…"),  # never half an entity
        ("<b>A</b><i>BC</i>", 2, "<b>A</b>…"),  # <i></i> left empty is dropped
        (f"Oke <b>{THUMBS_UP}{THUMBS_UP}</b>", 6, "Oke…"),
        ('<a href="https://example.go.id/?a=1&amp;b=2">tautan panjang</a>', 7, None),
        (
            'Lihat <tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> ya',
            7,
            "Lihat…",  # a custom emoji is never left without its emoji
        ),
        (
            "<pre><code>baris satu\nbaris dua</code></pre>",
            11,
            "<pre><code>baris satu</code></pre>…",
        ),
        ("a</b>bcdef", 3, "ab…"),  # a stray end tag is dropped
        ("<b>tidak ditutup", 5, "<b>tida</b>…"),
    ],
)
def test_fit_html_cuts_the_text_and_keeps_the_markup(
    html: str, limit: int, expected: str | None
) -> None:
    fitted = fit_html(html, limit)
    if expected is None:  # the link keeps its address, attributes untouched
        expected = '<a href="https://example.go.id/?a=1&amp;b=2">tautan</a>…'
    assert fitted == expected
    assert visible_len(fitted) <= limit
    assert balanced(fitted)


def test_fit_html_cuts_a_long_report_to_the_message_limit() -> None:
    line = "<b>Bidang Infrastruktur &amp; Kewilayahan</b>: draf 👍 <i>disetujui</i>\n"
    html = line * 200
    fitted = fit_html(html)
    assert visible_len(html) > MESSAGE_LIMIT
    assert visible_len(fitted) <= MESSAGE_LIMIT
    assert visible_len(fitted) > MESSAGE_LIMIT - 60  # it uses the room it has
    assert fitted.endswith("…")
    assert balanced(fitted)


TAGS = [
    ("<b>", "</b>"),
    ("<strong>", "</strong>"),
    ("<i>", "</i>"),
    ("<em>", "</em>"),
    ("<u>", "</u>"),
    ("<ins>", "</ins>"),
    ("<s>", "</s>"),
    ("<strike>", "</strike>"),
    ("<del>", "</del>"),
    ('<span class="tg-spoiler">', "</span>"),
    ("<tg-spoiler>", "</tg-spoiler>"),
    ('<a href="https://example.go.id/renja?x=1&amp;y=2">', "</a>"),
    ("<code>", "</code>"),
    ('<pre><code class="language-python">', "</code></pre>"),
    ("<blockquote>", "</blockquote>"),
    ("<blockquote expandable>", "</blockquote>"),
    ('<tg-emoji emoji-id="5368324170671202286">', "</tg-emoji>"),
]

html_texts = st.text().map(escape)
html_documents = st.recursive(
    html_texts,
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(TAGS), inner).map(lambda t: t[0][0] + t[1] + t[0][1]),
        st.lists(inner, min_size=2, max_size=4).map("".join),
    ),
    max_leaves=12,
)


@given(html_documents, st.integers(min_value=1, max_value=120))
def test_fit_html_always_fits_and_stays_balanced(html: str, limit: int) -> None:
    fitted = fit_html(html, limit)
    assert visible_len(fitted) <= limit
    assert balanced(fitted)
    if visible_len(html) <= limit:
        assert fitted == html
    else:
        assert fitted.endswith("…")
        assert plain_text(html).startswith(plain_text(fitted)[:-1])
