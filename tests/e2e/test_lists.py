"""/status and /tugas of an office with thousands of drafts: one message each, within
Telegram's limits, with the right counts, paged in place with ◀ ▶; and their refusals.

The drafts are written straight into the tables (`benchmarks.lists.fill`): the lists are
what is tested, not the thousands of steps that would lead there.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import update
from sqlmodel import col

from benchmarks.lists import SPREAD, fill
from bot.limits import CALLBACK_DATA_BYTES, MESSAGE_LIMIT, utf16_len
from bot.texts import number_text
from emulator import BotMessage, SimulatedUser
from storage.models import Draft
from tests.e2e.conftest import Office
from tests.e2e.probes import settle

DRAFTS = 2_010
SEKRETARIS_TASKS = {
    "konsultasi_sekretaris",
    "rencana_kerja_unit",
    "teruskan_hasil_forum",
    "telaah_sekretaris",
}
ROW_OF = {
    "konsultasi_sekretaris": "1",
    "konsep_pendahuluan": "1",
    "rencana_kerja_unit": "2",
    "teruskan_hasil_forum": "3",
    "telaah_sekretaris": "4",
    "keputusan_kepala_badan": "5",
}


def expected(count: int, *, sekretaris: bool) -> tuple[Counter[str], Counter[str]]:
    """Per row, the drafts `fill` makes (all, or those the Sekretaris may act on), and the
    late ones, worked out from its rule rather than read back."""
    total: Counter[str] = Counter()
    late: Counter[str] = Counter()
    for n in range(count):
        task, turn = SPREAD[n % len(SPREAD)], n // len(SPREAD)
        if sekretaris and (
            task not in SEKRETARIS_TASKS or (task == "rencana_kerja_unit" and turn % 3 == 1)
        ):
            continue  # not hers, or the Sekretariat's part of the units' upload is in
        total[ROW_OF[task]] += 1
        late[ROW_OF[task]] += turn % 2 == 0
    return total, late


def fits(message: BotMessage) -> None:
    """Within Telegram's limits: the text, each button's data, the keyboard's size."""
    assert utf16_len(message.body) <= MESSAGE_LIMIT
    buttons = [button for row in message.buttons for button in row]
    assert len(buttons) <= 100 and all(len(row) <= 8 for row in message.buttons)
    for button in buttons:
        assert button.callback_data is not None
        assert len(button.callback_data.encode()) <= CALLBACK_DATA_BYTES


async def only_answer(office: Office, phone: SimulatedUser, text: str) -> BotMessage:
    """The one message a command is answered with (and nothing after it)."""
    await phone.send_text(text)
    (reply,) = await phone.wait_for_messages(1)
    await settle(office)
    assert [m for m in await phone.messages() if m.message_id > reply.message_id] == []
    return reply


async def turn_page(
    phone: SimulatedUser, message: BotMessage, label: str, shows: str
) -> BotMessage:
    """Press a page button; the same message, once it shows `shows`."""
    await phone.press(message, label)
    messages = await phone.wait_until(
        lambda ms: any(m.message_id == message.message_id and shows in m.body for m in ms)
    )
    (now,) = [m for m in messages if m.message_id == message.message_id]
    return now


def summary_lines(total: Counter[str], late: Counter[str]) -> list[str]:
    return [
        f"• Langkah {row}: {number_text(total[row])}"
        + (f" (⚠️ {number_text(late[row])} terlambat)" if late[row] else "")
        for row in sorted(total)
    ]


async def test_status_of_2010_drafts_is_one_message_paged_in_place(office: Office) -> None:
    sekretaris = office.phones[102]
    fill(office.services, DRAFTS)
    total, late = expected(DRAFTS, sekretaris=False)

    status = await only_answer(office, sekretaris, "/status")
    fits(status)
    lines = status.body.splitlines()
    assert lines[:2] == [
        "📊 Draft aktif: 2.010",
        f"⚠️ Terlambat: {number_text(sum(late.values()))}",
    ]
    assert lines[3] == "MENYUSUN RENCANA KERJA"
    assert lines[4:9] == summary_lines(total, late)
    # The most overdue: the last of the late turn, 2,005 to 2,010 minutes past their time.
    worst = lines[lines.index("Paling terlambat") + 1 :][:3]
    assert [line.split(",")[0] for line in worst] == [
        "• #2010 Renja Kecamatan 2010",
        "• #2009 Renja Kecamatan 2009",
        "• #2008 Renja Kecamatan 2008",
    ]
    assert "Draft 1–10 dari 2.010" in lines
    assert [line.split(" ")[1] for line in lines if line.startswith("• #")][3:] == [
        f"#{n}" for n in range(1, 11)
    ]
    assert lines[-1].startswith("Halaman 1/201.")
    assert status.button_texts() == ["2 ▶", "201 ⏭"]
    seen = len(await sekretaris.messages())

    page = await turn_page(sekretaris, status, "2 ▶", "Halaman 2/201.")
    fits(page)
    assert "Draft 11–20 dari 2.010" in page.body and "• #11 Renja Kecamatan 11, L" in page.body
    assert page.button_texts() == ["◀ 1", "3 ▶", "201 ⏭"]
    page = await turn_page(sekretaris, page, "201 ⏭", "Halaman 201/201.")
    fits(page)
    assert "Draft 2.001–2.010 dari 2.010" in page.body
    assert page.button_texts() == ["⏮ 1", "◀ 200"]  # no ▶ on the last page
    page = await turn_page(sekretaris, page, "⏮ 1", "Halaman 1/201.")
    assert page.button_texts() == ["2 ▶", "201 ⏭"]  # no ◀ on the first
    page = await turn_page(sekretaris, page, "201 ⏭", "Halaman 201/201.")

    # Meanwhile all but 50 drafts are finished: page 200 no longer exists, and its button
    # shows the last page there is now.
    with office.services.session() as session:
        session.execute(update(Draft).where(col(Draft.id) > 50).values(status="selesai"))
        session.commit()
    page = await turn_page(sekretaris, page, "◀ 200", "Halaman 5/5.")
    assert page.body.startswith("📊 Draft aktif: 50\n")
    assert "Draft 41–50 dari 50" in page.body
    assert page.button_texts() == ["⏮ 1", "◀ 4"]
    assert len(await sekretaris.messages()) == seen  # every page was the same message


async def test_tugas_of_2010_drafts_is_one_message_whose_buttons_open_each_task(
    office: Office,
) -> None:
    sekretaris = office.phones[102]
    fill(office.services, DRAFTS)
    total, late = expected(DRAFTS, sekretaris=True)

    tasks = await only_answer(office, sekretaris, "/tugas")
    fits(tasks)
    lines = tasks.body.splitlines()
    assert lines[:2] == [
        f"📥 Tugas yang menunggu Bapak/Ibu: {number_text(sum(total.values()))}",
        f"⚠️ Terlambat: {number_text(sum(late.values()))}",
    ]
    assert lines[4:8] == summary_lines(total, late)
    pages = -(-sum(total.values()) // 10)
    assert lines[-1].startswith(f"Halaman 1/{pages}.")
    # Hers, oldest first: drafts 5, 6, 11 and 12 wait on others, and 8 on the units'
    # upload where the Sekretariat's part is in.
    shown = ["#1", "#2", "#3", "#4", "#7", "#9", "#10", "#13", "#14", "#15"]
    assert tasks.button_texts() == [*shown, "2 ▶", f"{pages} ⏭"]
    assert [len(row) for row in tasks.buttons] == [5, 5, 2]

    await sekretaris.press(tasks, "#3")
    (opened,) = await sekretaris.wait_for_messages(1)
    assert "Renja Kecamatan 3 (#3, tahun 2027)" in opened.body
    assert "Langkah 3: Teruskan hasil Forum SKPD" in opened.body
    assert opened.button_texts() == ["✅ Teruskan", "↩️ Kembalikan"]

    page = await turn_page(sekretaris, tasks, "2 ▶", f"Halaman 2/{pages}.")
    fits(page)
    assert page.button_texts()[:2] == ["#16", "#19"]

    # /tugas <nomor> opens one draft's task as the button does; /tugas terlambat pages
    # only the late ones, the most overdue first.
    again = await only_answer(office, sekretaris, "/tugas 3")
    assert again.body == opened.body and again.button_texts() == opened.button_texts()
    overdue = await only_answer(office, sekretaris, "/tugas terlambat")
    fits(overdue)
    late_pages = -(-sum(late.values()) // 10)
    assert f"Tugas terlambat 1–10 dari {number_text(sum(late.values()))}" in overdue.body
    assert overdue.body.splitlines()[-1].startswith(f"Halaman 1/{late_pages}.")
    assert "Paling terlambat" not in overdue.body  # the page itself is that
    assert overdue.button_texts()[:3] == ["#2008", "#2007", "#2005"]  # the last late turn


async def test_tugas_sends_up_to_five_tasks_each_with_its_buttons(office: Office) -> None:
    sekretaris = office.phones[102]
    fill(office.services, 5, tasks=("konsultasi_sekretaris",))
    await sekretaris.send_text("/tugas")
    each = await sekretaris.wait_for_messages(5)
    assert [m.body.splitlines()[0] for m in each] == [
        f"📋 Renja Kecamatan {n} (#{n}, tahun 2027)" for n in range(1, 6)
    ]
    assert all(m.button_texts() == ["✅ Setujui", "↩️ Kembalikan"] for m in each)

    fill(office.services, 1, tasks=("konsultasi_sekretaris",))
    summary = await only_answer(office, sekretaris, "/tugas")
    assert summary.body.startswith("📥 Tugas yang menunggu Bapak/Ibu: 6\n")
    assert summary.body.splitlines()[-1].startswith("Halaman 1/1.")
    assert summary.button_texts() == [f"#{n}" for n in range(1, 7)]  # one page: no ◀ ▶


async def test_status_terlambat_and_bad_filters(office: Office) -> None:
    kasubbag, sekretaris, kabid = office.phones[101], office.phones[102], office.phones[103]
    replies = {
        "/status": "Tidak ada draft yang aktif.",
        "/status terlambat": "Tidak ada draft yang aktif.",
        "/tugas terlambat": "Tidak ada tugas yang menunggu Bapak/Ibu saat ini. 👍",
        "/status kemarin": (
            "“kemarin” bukan nomor draft. Contoh: /status 12, atau /status terlambat untuk "
            "yang terlambat saja."
        ),
        "/tugas semua": (
            "“semua” bukan nomor draft. Contoh: /tugas 12, atau /tugas terlambat untuk yang "
            "terlambat saja."
        ),
        "/status 1 2": "Sebutkan satu saja: nomor draft (/status 12) atau “terlambat” "
        "(/status terlambat).",
        "/tugas terlambat 1": "Sebutkan satu saja: nomor draft (/tugas 12) atau “terlambat” "
        "(/tugas terlambat).",
        "/tugas 99": "Draft #99 tidak ditemukan. Lihat /status untuk daftar draft.",
        "/tugas <b>": "“<b>” bukan nomor draft. Contoh: /tugas 12, atau /tugas terlambat "
        "untuk yang terlambat saja.",
    }
    for text, expected_reply in replies.items():
        assert (await only_answer(office, kasubbag, text)).body == expected_reply, text

    fill(office.services, 12, tasks=("konsultasi_sekretaris", "konsep_pendahuluan"))
    late = await only_answer(office, sekretaris, "/status TERLAMBAT")
    assert "Draft terlambat 1–6 dari 6" in late.body
    numbers = [line.split(" ")[1] for line in late.body.splitlines() if line.startswith("• #")]
    assert numbers == ["#10", "#9", "#6", "#5", "#2", "#1"]  # the most overdue first
    assert late.buttons == []  # one page

    not_hers = await only_answer(office, sekretaris, "/tugas 2")
    assert not_hers.body == (
        "Draft #2 tidak sedang menunggu tindakan Bapak/Ibu. Lihat /status 2 atau /tugas."
    )
    assert (await only_answer(office, kabid, "/tugas terlambat")).body == (
        "Tidak ada tugas yang menunggu Bapak/Ibu saat ini. 👍"
    )
    await sekretaris.send_text("/tugas terlambat")  # three late: each with its buttons
    hers = await sekretaris.wait_for_messages(3)
    assert [m.body.splitlines()[0] for m in hers] == [
        f"📋 Renja Kecamatan {n} (#{n}, tahun 2027)"
        for n in (9, 5, 1)  # most overdue first
    ]
    assert all(m.button_texts() == ["✅ Setujui", "↩️ Kembalikan"] for m in hers)


async def test_page_buttons_work_only_on_the_list_in_ones_own_chat(office: Office) -> None:
    kasubbag, sekretaris = office.phones[101], office.phones[102]
    fill(office.services, 30, tasks=("konsultasi_sekretaris",))
    status = await only_answer(office, sekretaris, "/status")
    assert status.button_texts() == ["2 ▶", "3 ⏭"]

    # Forwarded to the Kasubbag and pressed there: the Sekretaris's list stays as it was.
    query = await kasubbag.press_forwarded(sekretaris, status, "2 ▶")
    answer = await kasubbag.callback_answer(query)
    assert answer is not None and answer.text == (
        "Daftar ini milik orang lain. Ketik /tugas atau /status untuk daftar Bapak/Ibu sendiri."
    )
    # Page data forged onto a task message: nothing is rewritten.
    task = await only_answer(office, sekretaris, "/tugas 1")
    query = await sekretaris.press_forged(task, "1:ls:0:2")
    answer = await sekretaris.callback_answer(query)
    assert answer is not None and answer.text == "Tombol ini sudah tidak berlaku."
    await settle(office)
    now = {m.message_id: m for m in await sekretaris.messages()}
    assert now[status.message_id].body == status.body and not now[status.message_id].edited
    assert now[task.message_id].body == task.body and not now[task.message_id].edited

    # Every draft finished meanwhile: the list says so and loses its buttons.
    with office.services.session() as session:
        session.execute(update(Draft).values(status="selesai"))
        session.commit()
    emptied = await turn_page(sekretaris, status, "2 ▶", "Tidak ada draft yang aktif.")
    assert emptied.body == "Tidak ada draft yang aktif." and emptied.buttons == []
