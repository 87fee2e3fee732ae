"""The texts and buttons of /status and /tugas fit Telegram's limits, whatever they hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import notify, texts
from bot.callbacks import MAX_ID, Verb, decode
from bot.limits import CALLBACK_DATA_BYTES, MESSAGE_LIMIT, plain_text, visible_len
from bot.usecases.views import DraftLine, DraftView, ListFilter, ListPage, RowTally

TZ = ZoneInfo("Asia/Pontianak")
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
HOSTILE = "<>&\"'👍🏽é\u0301\u202e\u200b🇮🇩 "
words = st.text(
    alphabet=st.one_of(st.characters(codec="utf-8"), st.sampled_from(HOSTILE)),
    min_size=1,
    max_size=300,
)
big = st.integers(0, MAX_ID)


@st.composite
def lines(draw: st.DrawFn) -> DraftLine:
    late = draw(st.booleans())
    return DraftLine(
        draft=DraftView(
            id=draw(big),
            sop_id=draw(words),
            title=draw(words),
            year=2027,
            status="aktif",
            created_at=NOW,
            finished_at=None,
        ),
        draft_task_id=draw(big),
        row_label=draw(words),
        task_title=draw(words),
        holders=tuple(draw(st.lists(words, max_size=30))),
        due_at=draw(st.one_of(st.none(), st.just(NOW + timedelta(days=3)))),
        late=late,
        minutes_left=0 if late else draw(big),
        minutes_late=draw(big) if late else 0,
        meeting_at=draw(st.one_of(st.none(), st.just(NOW + timedelta(hours=2)))),
    )


@st.composite
def pages(draw: st.DrawFn) -> ListPage:
    items = tuple(draw(st.lists(lines(), min_size=1, max_size=10)))
    matching = draw(st.integers(len(items), MAX_ID))
    size = 10
    page_count = max(1, -(-matching // size))
    return ListPage(
        filter=draw(st.sampled_from(ListFilter)),
        total=matching,
        late=draw(st.integers(0, matching)),
        rows=tuple(
            draw(
                st.lists(
                    st.builds(RowTally, words, words, big, big),
                    max_size=60,
                )
            )
        ),
        worst=tuple(draw(st.lists(lines(), max_size=3))),
        matching=matching,
        page=draw(st.integers(1, page_count)),
        pages=page_count,
        page_size=size,
        items=items,
    )


@settings(max_examples=150, deadline=None)
@given(found=pages(), titles=st.dictionaries(words, words, max_size=5))
def test_a_list_is_one_message_that_ends_with_its_page(
    found: ListPage, titles: dict[str, str]
) -> None:
    for html in (
        texts.status_overview(found, TZ, titles),
        texts.tasks_overview(found, TZ, titles),
    ):
        assert visible_len(html) <= MESSAGE_LIMIT
        shown = plain_text(html)
        last = shown.splitlines()[-1]
        assert last.startswith(
            f"Halaman {texts.number_text(found.page)}/{texts.number_text(found.pages)}."
        )
        for line in found.items:  # every item of the page is there, however long
            assert f"#{line.draft.id} " in shown


@given(page=st.integers(1, MAX_ID), pages=st.integers(1, MAX_ID), ids=st.lists(big, max_size=10))
def test_page_buttons_fit_and_stop_at_either_end(page: int, pages: int, ids: list[int]) -> None:
    page = min(page, pages)
    keyboard = notify.list_keyboard(
        Verb.HALAMAN_TUGAS, ListFilter.TERLAMBAT, page, pages, open_drafts=ids
    )
    rows = keyboard.inline_keyboard if keyboard else ()
    buttons = [button for row in rows for button in row]
    assert len(buttons) <= 100 and all(len(row) <= 8 for row in rows)
    targets = []
    for button in buttons:
        assert isinstance(button.callback_data, str)
        assert len(button.callback_data.encode()) <= CALLBACK_DATA_BYTES
        press = decode(button.callback_data)
        assert press is not None
        if press.verb is Verb.HALAMAN_TUGAS:
            assert press.first == ListFilter.TERLAMBAT
            targets.append(press.second)
        else:
            assert press.verb is Verb.BUKA_TUGAS
    assert [b.text for b in buttons[: len(ids)]] == [f"#{i}" for i in ids]
    assert all(1 <= target <= pages and target != page for target in targets)
    assert (page - 1 in targets) == (page > 1)  # ◀ only after the first page
    assert (page + 1 in targets) == (page < pages)  # ▶ only before the last
    assert targets == sorted(set(targets))


def test_a_page_of_the_office_reads_like_this() -> None:
    line = DraftLine(
        draft=DraftView(12, "renja", "Renja <Kecamatan> & Desa", 2027, "aktif", NOW, None),
        draft_task_id=40,
        row_label="2a",
        task_title="Telaah Konsep pendahuluan Renja",
        holders=("Budi Sekretaris",),
        due_at=NOW - timedelta(hours=1),
        late=True,
        minutes_left=0,
        minutes_late=75,
    )
    found = ListPage(
        filter=ListFilter.SEMUA,
        total=2010,
        late=1005,
        rows=(RowTally("renja", "1", 1500, 1005), RowTally("renja", "2a", 510, 0)),
        worst=(line,),
        matching=2010,
        page=2,
        pages=201,
        page_size=10,
        items=(line,),
    )
    assert plain_text(texts.status_overview(found, TZ, {"renja": "MENYUSUN RENCANA KERJA"})) == (
        "📊 Draft aktif: 2.010\n"
        "⚠️ Terlambat: 1.005\n"
        "\n"
        "MENYUSUN RENCANA KERJA\n"
        "• Langkah 1: 1.500 (⚠️ 1.005 terlambat)\n"
        "• Langkah 2a: 510\n"
        "\n"
        "Paling terlambat\n"
        "• #12 Renja <Kecamatan> & Desa, L2a — ⚠️ terlambat 1 jam 15 menit kerja\n"
        "\n"
        "Draft 11 dari 2.010\n"
        "• #12 Renja <Kecamatan> & Desa, L2a: Telaah Konsep pendahuluan Renja · Budi "
        "Sekretaris · ⚠️ terlambat 1 jam 15 menit kerja\n"
        "\n"
        "Halaman 2/201. Rincian satu draft: /status <nomor>."
    )
    keyboard = notify.list_keyboard(Verb.HALAMAN_STATUS, ListFilter.SEMUA, 2, 201)
    assert keyboard is not None
    assert [b.text for row in keyboard.inline_keyboard for b in row] == ["◀ 1", "3 ▶", "201 ⏭"]


def test_an_empty_list_says_what_is_missing() -> None:
    def empty(total: int, chosen: ListFilter) -> ListPage:
        return ListPage(chosen, total, 0, (), (), 0 if chosen else total, 1, 1, 10, ())

    assert texts.status_overview(empty(0, ListFilter.SEMUA), TZ, {}) == (
        "Tidak ada draft yang aktif."
    )
    assert texts.status_overview(empty(0, ListFilter.TERLAMBAT), TZ, {}) == (
        "Tidak ada draft yang aktif."
    )
    assert texts.status_overview(empty(7, ListFilter.TERLAMBAT), TZ, {}) == (
        "Tidak ada draft yang terlambat. 👍"
    )
    assert texts.tasks_overview(empty(0, ListFilter.TERLAMBAT), TZ, {}) == texts.NO_TASKS
    assert texts.tasks_overview(empty(7, ListFilter.TERLAMBAT), TZ, {}) == (
        "Tidak ada tugas Bapak/Ibu yang terlambat. 👍"
    )
