"""The Forum SKPD meeting, end to end over HTTP: fifty agencies invited, answers, a deputy, a
change of time, reminders on the office clock, the results; and the refusals around it.

The officials of tests/conftest.py are joined by 48 more Forum SKPD participants, each from
their own agency (with Fajar's and Gita's, fifty). One of them never opened the bot, so
Telegram refuses every message to them. A Forum group, registered by the administrator with
/forum_grup, follows the meeting in one post the bot keeps editing.

Then refusals, each of which must leave everything as it was; and two hundred invitations
sent at once through Telegram's flood limits, at Telegram's pace.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from bot.local import FAST_PACING, emulator_settings
from bot.usecases import meetings, reading
from bot.usecases.base import EVERY_AGENCY
from bot.usecases.officials import register_official
from emulator import BotMessage, SimulatedGroup, SimulatedUser
from storage import meetings as meeting_store
from storage import officials as official_store
from storage.models import Meeting, MeetingInput
from tests.e2e.conftest import ADMIN_ID, Office, running_office
from tests.e2e.meeting import (
    ORGANISER,
    PDF,
    reach_meeting,
    reach_meeting_task,
    schedule_meeting,
)
from workflow.sop import Sop

WIB = ZoneInfo("Asia/Pontianak")
FAJAR, GITA = 106, 107
"""The two Forum SKPD participants every e2e office has (Dinas PU, Dinas Pendidikan)."""
NEW = range(2001, 2049)
"""48 more participants, each from their own agency."""
NEVER_STARTED = 2048
"""Registered by the office, but never pressed Start: Telegram refuses every message."""
PARTICIPANTS = [FAJAR, GITA, *NEW]

HADIR = [FAJAR, *range(2001, 2010)]
TIDAK_HADIR = list(range(2010, 2015))
CHANGED_MIND = 2015
"""Answers ❌ Tidak hadir, then ✅ Hadir."""
DEPUTY = "Budi Santoso, Kepala Seksi Program"
SILENT = [*range(2016, 2048)]
"""Started the bot, never answer."""
RECONFIRMED = list(range(2001, 2005))
"""Press ✅ Hadir again once the time has changed."""

BOT_LOGGERS = ("bot", "handlers", "storage", "workflow")
ANSWER_BUTTONS = ["✅ Hadir", "❌ Tidak hadir", "👥 Diwakilkan"]
GROUP_ID = -1002026
GROUP_TITLE = "Forum SKPD Kalimantan Barat"
FIRST_TIME = datetime(2026, 12, 2, 9, 0, tzinfo=WIB)  # Rabu
NEW_TIME = datetime(2026, 12, 3, 10, 0, tzinfo=WIB)  # Kamis


def unit_of(telegram_id: int) -> str:
    return {FAJAR: "Dinas PU", GITA: "Dinas Pendidikan"}.get(
        telegram_id, f"Dinas Instansi {telegram_id - 2000:02d}"
    )


def name_of(telegram_id: int) -> str:
    return {FAJAR: "Fajar Dinas PU", GITA: "Gita Dinas Pendidikan"}.get(
        telegram_id, f"Peserta {telegram_id - 2000:02d}"
    )


def first_line(message: BotMessage) -> str:
    """What an official sees first of a message: a file's name, or the first line."""
    if message.document is not None:
        return f"[berkas] {message.document.file_name}"
    return message.body.split("\n")[0]


async def calendar_file(office: Office, message: BotMessage) -> Event:
    """The one event of an .ics the bot sent, parsed; METHOD is on its `method` key."""
    assert message.document is not None and message.document.file_name is not None
    assert message.document.file_name.endswith(".ics")
    calendar = Calendar.from_ical(await office.control.download(message.document.file_id))
    (event,) = calendar.walk("VEVENT")
    assert isinstance(event, Event)
    event["method"] = str(calendar["METHOD"])
    return event


def check_event(event: Event, *, method: str, sequence: int, start: datetime) -> None:
    assert event["method"] == method
    assert str(event["UID"]) == "rapat-1@renja-bot"
    assert event.decoded("SEQUENCE") == sequence
    begins = event.decoded("DTSTART")
    assert begins == start and begins.utcoffset() == timedelta(hours=7)  # the same instant
    assert str(begins.tzinfo) == "Asia/Pontianak"
    assert event.decoded("DTEND") - begins == timedelta(hours=2)
    assert str(event["LOCATION"]) == "Aula BAPPEDA Lt. 2"


async def join(office: Office, telegram_ids: list[int], *, start: bool = True) -> None:
    """Register Forum SKPD participants and give them phones; they press Start."""
    for telegram_id in telegram_ids:
        register_official(
            office.services,
            telegram_id=telegram_id,
            name=name_of(telegram_id),
            position="forum_skpd",
            unit=unit_of(telegram_id),
        )

    async def starts(phone: SimulatedUser) -> None:
        await phone.send_text("/start")
        # 200 welcomes take seven seconds at Telegram's 30 a second; a busy machine, more.
        await phone.wait_for_messages(lambda m: "Selamat datang" in m.body, 120)

    phones = [await office.phone(i, name_of(i)) for i in telegram_ids]
    if start:
        await asyncio.gather(*(starts(phone) for phone in phones))


async def forum_group(office: Office, admin: SimulatedUser) -> SimulatedGroup:
    """The Forum's Telegram group: the administrator adds the bot and registers it."""
    group = await office.control.group(GROUP_ID, GROUP_TITLE, [admin], admins=[admin])
    await group.add_bot(by=admin)
    await admin.send_text("/forum_grup", group=group)
    (registered,) = await group.wait_for_messages(1, 10)
    assert registered.body == f"✅ Grup “{GROUP_TITLE}” terdaftar sebagai grup Forum SKPD."
    return group


async def answer(phone: SimulatedUser, message: BotMessage, label: str) -> str | None:
    """Press an answer button; the text of the pop-up the bot answered with."""
    query = await phone.press(message, label)
    answered = await phone.callback_answer(query, 10)
    assert answered is not None, (phone, label)
    return answered.text


async def shows(
    phone: SimulatedUser | SimulatedGroup, message: BotMessage, text: str
) -> BotMessage:
    """Wait until the message says `text` (after an edit)."""
    found = await phone.wait_until(
        lambda ms: any(m.message_id == message.message_id and text in m.body for m in ms), 20
    )
    return next(m for m in found if m.message_id == message.message_id)


def bot_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Errors (tracebacks included) the bot's own loggers wrote."""
    return [
        f"{record.name}: {record.getMessage()}"
        for record in caplog.records
        if record.levelno >= logging.ERROR and record.name.split(".")[0] in BOT_LOGGERS
    ]


@pytest.mark.slow
async def test_a_forum_of_fifty_agencies_meets(
    office: Office, caplog: pytest.LogCaptureFixture
) -> None:
    # Group edits are gathered for 3 s (not 10) to keep the test short: still far fewer
    # edits than answers.
    office.services.group_edit_seconds = 3.0
    kasubbag = office.phones[ORGANISER]
    admin = await office.phone(ADMIN_ID, "Admin Sistem")
    await admin.send_text("/start")  # not an official, but the bot may now write to them
    await admin.wait_for_messages(1)
    await join(office, [i for i in NEW if i != NEVER_STARTED])
    await join(office, [NEVER_STARTED], start=False)
    phones = {telegram_id: office.phones[telegram_id] for telegram_id in PARTICIPANTS}
    reached = [i for i in PARTICIPANTS if i != NEVER_STARTED]
    group = await forum_group(office, admin)
    task = await reach_meeting_task(office)
    assert task.button_texts() == ["📅 Jadwalkan rapat"]

    # Scheduling: a Saturday first, refused in Indonesian; then a working day, typed.
    await kasubbag.press(task, "📅 Jadwalkan rapat")
    (*_, ask) = await kasubbag.wait_for_messages(lambda m: "Kapan rapat dimulai" in m.body)
    assert ask.button_texts()[:3] == ["Sen, 30 Nov", "Sel, 1 Des", "Rab, 2 Des"]
    await kasubbag.send_text("Sabtu, 5 Desember 2026 pukul 09.00")
    (refused,) = await kasubbag.wait_for_messages(1)
    assert refused.body == (
        "Sabtu, 5 Desember 2026 bukan hari kerja. Pilih hari kerja. "
        "Silakan coba lagi, atau /batal untuk membatalkan."
    )
    assert meetings_of_draft(office) == []
    await kasubbag.send_text("02/12/2026 09:00")
    await kasubbag.wait_for_messages(lambda m: m.body.startswith("Di mana rapat diadakan"))
    await kasubbag.send_text("Aula BAPPEDA Lt. 2")
    await kasubbag.wait_for_messages(lambda m: m.body.startswith("Apa agenda rapat"))
    await kasubbag.send_text("Pembahasan Rancangan awal Renja")
    (attach,) = await kasubbag.wait_for_messages(1)
    assert attach.button_texts() == ["📎 Undangan Rapat v1", "Tanpa lampiran"]
    await kasubbag.press(attach, "📎 Undangan Rapat v1")
    (check,) = await kasubbag.wait_for_messages(lambda m: m.body.startswith("Periksa"))
    assert "🗓 Rabu, 2 Desember 2026\n🕘 09:00–11:00 WIB" in check.body
    assert "Akan dikirim kepada 50 peserta." in check.body
    await kasubbag.press(check, "✅ Kirim undangan")
    (*_, sent) = await kasubbag.wait_for_messages(lambda m: m.body.startswith("✅ Undangan"))
    assert sent.body.startswith(
        "✅ Undangan dikirim kepada 50 peserta: Rabu, 2 Desember 2026 09:00 WIB"
    )

    # Every participant who started the bot: the invitation, the Undangan, the calendar file.
    invitations: dict[int, BotMessage] = {}

    async def invited(telegram_id: int) -> None:
        invitation, undangan, ics = await phones[telegram_id].wait_for_messages(3, 30)
        assert invitation.body.startswith("📨 Undangan Rapat\nRapat Forum SKPD")
        assert "🗓 Rabu, 2 Desember 2026\n🕘 09:00–11:00 WIB" in invitation.body
        assert invitation.body.endswith("Mohon konfirmasi kehadiran sebelum rapat dimulai.")
        assert invitation.button_texts() == ANSWER_BUTTONS
        assert first_line(undangan) == "[berkas] undangan-forum.pdf"
        assert first_line(ics) == "[berkas] undangan-rapat-2026-12-02.ics"
        assert undangan.media_group_id is not None
        assert undangan.media_group_id == ics.media_group_id  # one album
        invitations[telegram_id] = invitation

    await asyncio.gather(*(invited(i) for i in reached))
    (*_, ics) = await phones[FAJAR].messages()
    event = await calendar_file(office, ics)
    check_event(event, method="REQUEST", sequence=0, start=FIRST_TIME)
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(hours=1)
    # Telegram refuses the one who never started the bot; the administrator hears it once.
    (notice,) = await admin.wait_for_messages(1, 15)
    assert notice.body.startswith(
        f"⚠️ Pesan untuk {name_of(NEVER_STARTED)} (ID {NEVER_STARTED}) tidak dapat dikirim: "
        "ia belum pernah membuka bot"
    )
    (post,) = await group.wait_for_messages(1, 15)
    assert post.body.startswith("📨 Undangan Rapat\nRapat Forum SKPD")
    assert "⏳ Belum menjawab 50 (dari 50)" in post.body

    # Answers, all at once: present, absent, one changes their mind, one sends a deputy.
    async def says(telegram_id: int, label: str) -> None:
        popup = await answer(phones[telegram_id], invitations[telegram_id], label)
        assert popup == label
        await shows(phones[telegram_id], invitations[telegram_id], f"Jawaban Bapak/Ibu: {label}")

    async def changes_mind() -> None:
        await says(CHANGED_MIND, "❌ Tidak hadir")
        await says(CHANGED_MIND, "✅ Hadir")

    async def sends_deputy() -> None:
        gita = phones[GITA]
        assert await answer(gita, invitations[GITA], "👥 Diwakilkan") is None
        (question,) = await gita.wait_for_messages(1, 10)
        assert question.body.startswith("Siapa yang mewakili Bapak/Ibu di Rapat Forum SKPD?")
        await gita.send_text(DEPUTY)
        (recorded,) = await gita.wait_for_messages(1, 10)
        assert recorded.body == (
            f"Tercatat: 👥 Diwakilkan: {DEPUTY}. Jawaban dapat diubah sampai rapat dimulai."
        )

    await asyncio.gather(
        *(says(i, "✅ Hadir") for i in HADIR),
        *(says(i, "❌ Tidak hadir") for i in TIDAK_HADIR),
        changes_mind(),
        sends_deputy(),
    )
    answers = len(HADIR) + len(TIDAK_HADIR) + 2 + 1
    tally = "✅ Hadir 11 · 👥 Diwakilkan 1 · ❌ Tidak hadir 5 · ⏳ Belum menjawab 33 (dari 50)"
    await shows(group, post, tally)  # a few seconds after the first answer

    # The organiser's view, and a change of time from it.
    await kasubbag.send_text("/rapat 1")
    (report,) = await kasubbag.wait_for_messages(1, 10)
    assert report.body.startswith("🗓 Rapat (terjadwal)")
    assert tally in report.body
    assert f"• Gita Dinas Pendidikan — Dinas Pendidikan (diwakili {DEPUTY})\n" in report.body
    assert report.button_texts() == ["🔁 Ubah jadwal", "🚫 Batalkan rapat"]
    await kasubbag.press(report, "🔁 Ubah jadwal")
    (ask,) = await kasubbag.wait_for_messages(1, 10)
    assert "Jadwal sekarang: Rabu, 2 Desember 2026 09:00 WIB." in ask.body
    await kasubbag.send_text("3 Desember 2026 pukul 10.00")
    (check,) = await kasubbag.wait_for_messages(1, 10)
    assert check.body.startswith("Periksa jadwal baru:")
    assert "🗓 Kamis, 3 Desember 2026\n🕘 10:00–12:00 WIB" in check.body
    await kasubbag.press(check, "✅ Simpan jadwal baru")
    (*_, moved) = await kasubbag.wait_for_messages(lambda m: m.body.startswith("✅ Jadwal baru"))
    assert moved.body.startswith(
        "✅ Jadwal baru dikirim kepada 50 peserta: Kamis, 3 Desember 2026 10:00 WIB"
    )

    # Everyone hears the new time, with a calendar file that moves the same event; an
    # answer is kept, and the participant is asked to confirm it.
    changes: dict[int, BotMessage] = {}

    async def told_of_change(telegram_id: int) -> None:
        change, ics = await phones[telegram_id].wait_for_messages(2, 30)
        assert change.body.startswith("🔁 Jadwal rapat diubah\nRapat Forum SKPD")
        assert "🗓 Kamis, 3 Desember 2026\n🕘 10:00–12:00 WIB" in change.body
        assert change.button_texts() == ANSWER_BUTTONS
        assert first_line(ics) == "[berkas] undangan-rapat-2026-12-03.ics"
        changes[telegram_id] = change

    await asyncio.gather(*(told_of_change(i) for i in reached))
    (*_, ics) = await phones[GITA].messages()
    check_event(await calendar_file(office, ics), method="REQUEST", sequence=1, start=NEW_TIME)
    kept = "Jawaban Bapak/Ibu sebelumnya: {}. Jadwal berubah: mohon konfirmasi ulang."
    assert changes[FAJAR].body.endswith(kept.format("✅ Hadir"))
    assert changes[GITA].body.endswith(kept.format(f"👥 Diwakilkan: {DEPUTY}"))
    assert changes[2010].body.endswith(kept.format("❌ Tidak hadir"))
    assert changes[2016].body.endswith("Mohon konfirmasi kehadiran sebelum rapat dimulai.")
    (changed,) = await group.wait_for_messages(1, 15)
    assert changed.body == (
        "🔁 Jadwal Rapat Forum SKPD diubah: Kamis, 3 Desember 2026 10:00 WIB, Aula BAPPEDA Lt. 2."
    )
    await shows(group, post, "🗓 Kamis, 3 Desember 2026\n🕘 10:00–12:00 WIB")

    async def reconfirms(telegram_id: int) -> None:
        assert await answer(phones[telegram_id], changes[telegram_id], "✅ Hadir") == "✅ Hadir"
        await shows(phones[telegram_id], changes[telegram_id], "Jawaban Bapak/Ibu: ✅ Hadir.")

    await asyncio.gather(*(reconfirms(i) for i in RECONFIRMED))
    answers += len(RECONFIRMED)

    # Reminders, on the office clock: the working day before at 07.30, then an hour before.
    # Whoever comes, sends a deputy, or has not answered is reminded; whoever has not
    # answered, or not confirmed again, gets the answer buttons once more.
    await office.tick(hours=47.5)  # Rabu 07.30: the first time's reminders (Selasa, Rabu) are gone
    assert office.clock().astimezone(WIB) == datetime(2026, 12, 2, 7, 30, tzinfo=WIB)
    reminded = [i for i in reached if i not in TIDAK_HADIR]

    async def reminder(telegram_id: int, soon: str) -> BotMessage:
        (message,) = await phones[telegram_id].wait_for_messages(1, 30)
        assert message.body.startswith(f"⏰ Pengingat rapat — dimulai {soon}\nRapat Forum SKPD")
        assert "🗓 Kamis, 3 Desember 2026\n🕘 10:00–12:00 WIB" in message.body
        nudged = telegram_id not in RECONFIRMED
        assert message.button_texts() == (ANSWER_BUTTONS if nudged else []), telegram_id
        return message

    day_before = await asyncio.gather(
        *(reminder(i, "pada Kamis, 3 Desember 2026") for i in reminded)
    )
    said = {i: m.body.split("\n")[-1] for i, m in zip(reminded, day_before, strict=True)}
    assert said[2001] == "Jawaban Bapak/Ibu: ✅ Hadir. Dapat diubah sampai rapat dimulai."
    assert said[2016] == "Bapak/Ibu belum menjawab undangan ini. Mohon konfirmasi kehadiran."
    assert said[FAJAR] == kept.format("✅ Hadir")
    assert said[GITA] == kept.format(f"👥 Diwakilkan: {DEPUTY}")

    await office.tick(hours=25.5)  # Kamis 09.00
    hour_before = await asyncio.gather(*(reminder(i, "satu jam lagi") for i in reminded))
    for telegram_id, message in zip(reminded, hour_before, strict=True):
        assert message.body.split("\n")[-1] == said[telegram_id]

    # The meeting begins: answers can no longer change.
    await office.tick(hours=1)
    popup = await answer(phones[2016], changes[2016], "✅ Hadir")
    assert popup == "Rapat sudah dimulai; jadwal dan jawaban tidak dapat diubah lagi."

    # The organiser sends the results: the participants and the group receive the agreement.
    await kasubbag.send_document(
        "draft-rancangan.pdf", b"%PDF-1.4 draft", PDF, caption="Draft Rancangan awal Renja"
    )
    await kasubbag.wait_for_messages(lambda m: m.body.startswith("✅ Diterima"), 10)
    await kasubbag.send_document("kesepakatan.pdf", b"%PDF-1.4 kesepakatan", PDF)
    (*_, question) = await kasubbag.wait_for_messages(lambda m: bool(m.buttons), 10)
    await kasubbag.press(question, "Hasil Kesepakatan")
    (*_, received) = await kasubbag.wait_for_messages(
        lambda m: m.body.startswith("✅ Diterima"), 10
    )
    await kasubbag.press(received, "📤 Kirim")
    await shows(kasubbag, received, "Dikirim oleh Rina Kasubbag")

    async def results(telegram_id: int) -> None:
        notice, agreement = await phones[telegram_id].wait_for_messages(2, 30)
        assert notice.body == (
            "ℹ️ Renja BAPPEDA Tahun 2027 (#1)\n"
            "Hasil Rapat Forum SKPD telah dikirim. Terlampir dokumennya."
        )
        assert first_line(agreement) == "[berkas] kesepakatan.pdf"

    await asyncio.gather(*(results(i) for i in reached))
    heading, agreement = await group.wait_for_messages(2, 30)
    assert heading.body == "📄 Hasil Rapat Forum SKPD (Renja BAPPEDA Tahun 2027):"
    assert first_line(agreement) == "[berkas] kesepakatan.pdf"
    await shows(group, post, "✔️ Selesai — Rapat")

    # Every participant's chat, whole; no answer button is left anywhere.
    for telegram_id in reached:
        chat = await phones[telegram_id].messages()
        expected = [
            f"Selamat datang, Bapak/Ibu {name_of(telegram_id)}. "
            f"Jabatan: Forum SKPD ({unit_of(telegram_id)}).",
            "📨 Undangan Rapat",
            "[berkas] undangan-forum.pdf",
            "[berkas] undangan-rapat-2026-12-02.ics",
        ]
        if telegram_id == GITA:
            expected += [
                "Siapa yang mewakili Bapak/Ibu di Rapat Forum SKPD? Ketik nama dan jabatannya, "
                f"misalnya: {DEPUTY}. /batal untuk membatalkan.",
                f"Tercatat: 👥 Diwakilkan: {DEPUTY}. Jawaban dapat diubah sampai rapat dimulai.",
            ]
        # A change answered on its own message shows the answer there, as an invitation.
        changed_to = (
            "📨 Undangan Rapat" if telegram_id in RECONFIRMED else "🔁 Jadwal rapat diubah"
        )
        expected += [changed_to, "[berkas] undangan-rapat-2026-12-03.ics"]
        if telegram_id not in TIDAK_HADIR:
            expected += [
                "⏰ Pengingat rapat — dimulai pada Kamis, 3 Desember 2026",
                "⏰ Pengingat rapat — dimulai satu jam lagi",
            ]
        expected += ["ℹ️ Renja BAPPEDA Tahun 2027 (#1)", "[berkas] kesepakatan.pdf"]
        assert [first_line(m) for m in chat] == expected, telegram_id
        assert all(m.buttons == [] for m in chat), telegram_id
    assert await phones[NEVER_STARTED].messages() == []
    (first_invitation, changed_mind) = [
        (await phones[i].messages())[1] for i in (2010, CHANGED_MIND)
    ]
    assert first_invitation.body.endswith(
        "Jawaban Bapak/Ibu: ❌ Tidak hadir. Dapat diubah sampai rapat dimulai."
    )
    shown = [v.text.split("\n")[-1] for v in changed_mind.history if v.text]
    assert list(dict.fromkeys([*shown, changed_mind.body.split("\n")[-1]])) == [
        "Mohon konfirmasi kehadiran sebelum rapat dimulai.",
        "Jawaban Bapak/Ibu: ❌ Tidak hadir. Dapat diubah sampai rapat dimulai.",
        "Jawaban Bapak/Ibu: ✅ Hadir. Dapat diubah sampai rapat dimulai.",
    ]

    # The group: its one post, edited in place to the final count, far fewer times than
    # there were answers; the change and the results posted below it.
    assert [first_line(m) for m in await group.messages()] == [
        f"✅ Grup “{GROUP_TITLE}” terdaftar sebagai grup Forum SKPD.",
        "✔️ Selesai — Rapat",
        "🔁 Jadwal Rapat Forum SKPD diubah: Kamis, 3 Desember 2026 10:00 WIB, Aula BAPPEDA Lt. 2.",
        "📄 Hasil Rapat Forum SKPD (Renja BAPPEDA Tahun 2027):",
        "[berkas] kesepakatan.pdf",
    ]
    (post,) = [m for m in await group.messages() if m.message_id == post.message_id]
    assert "🗓 Kamis, 3 Desember 2026\n🕘 10:00–12:00 WIB" in post.body
    assert post.body.split("\n")[-2] == f"Kehadiran: {tally}"
    assert post.edited and 3 <= len(post.history) <= answers // 4, len(post.history)

    # The organiser's view: who answered what, the deputy, who did not answer, and who
    # could not be reached, with what to do about it.
    await kasubbag.send_text("/rapat 1")
    (report,) = await kasubbag.wait_for_messages(1, 10)
    assert report.buttons == []
    sections = report.body.split("\n\n")
    assert sections[0].startswith("🗓 Rapat (selesai)\nRapat Forum SKPD")
    assert "🗓 Kamis, 3 Desember 2026\n🕘 10:00–12:00 WIB" in sections[0]
    assert sections[1] == tally

    def listed(telegram_id: int, note: str = "") -> str:
        return f"• {name_of(telegram_id)} — {unit_of(telegram_id)}{note}"

    again = " (belum konfirmasi ulang)"
    assert sections[2:] == [
        "\n".join(
            [
                "✅ Hadir (11)",
                listed(FAJAR, again),
                *(listed(i) for i in RECONFIRMED),
                *(listed(i, again) for i in range(2005, 2010)),
                listed(CHANGED_MIND, again),
            ]
        ),
        f"👥 Diwakilkan (1)\n{listed(GITA, f' (diwakili {DEPUTY})' + again)}",
        "\n".join(["❌ Tidak hadir (5)", *(listed(i, again) for i in TIDAK_HADIR)]),
        "\n".join(["⏳ Belum menjawab (32)", *(listed(i) for i in SILENT)]),
        "\n".join(
            [
                "📵 Tidak dapat dihubungi (1)",
                listed(NEVER_STARTED),
                "Telegram tidak mengizinkan bot menulis lebih dulu kepada orang yang belum "
                "pernah membuka bot atau yang memblokirnya. Kirimkan kepada mereka tautan bot "
                "(atau tautan /undang): begitu mereka menekan Start, undangan terkirim.",
            ]
        ),
    ]

    # The audit trail: every answer as it was given, and how each participant ended up.
    _, trail = reading.history(office.services, scope=EVERY_AGENCY, draft_id=1)
    given = [
        (line.actor, line.action, line.note)
        for line in trail
        if line.action in ("hadir", "tidak_hadir", "diwakilkan")
    ]
    assert Counter(given) == Counter(
        [
            *((name_of(i), "hadir", None) for i in (*HADIR, *RECONFIRMED, CHANGED_MIND)),
            *((name_of(i), "tidak_hadir", None) for i in (*TIDAK_HADIR, CHANGED_MIND)),
            (name_of(GITA), "diwakilkan", DEPUTY),
        ]
    )
    changed_mind_said = [action for actor, action, _ in given if actor == name_of(CHANGED_MIND)]
    assert changed_mind_said == ["tidak_hadir", "hadir"]
    attendance = {line.actor: line.note for line in trail if line.action == "kehadiran"}
    assert attendance == {
        **{name_of(i): "hadir" for i in (*HADIR, CHANGED_MIND)},
        **{name_of(i): "tidak hadir" for i in TIDAK_HADIR},
        name_of(GITA): f"diwakilkan: {DEPUTY}",
        **{name_of(i): "tidak menjawab" for i in (*SILENT, NEVER_STARTED)},
    }
    assert [line.action for line in trail if line.action.startswith("rapat_")] == [
        "rapat_dijadwalkan",
        "rapat_diubah",
    ]

    # /riwayat shows them, in Indonesian.
    await kasubbag.send_text("/riwayat 1")
    history = await kasubbag.wait_for_messages(lambda m: "Waktu per langkah" in m.body, 15)
    text = "\n".join(m.body for m in history)
    assert text.startswith("🗂 Riwayat Renja BAPPEDA Tahun 2027 (#1)")
    for line in (
        "— L2 Rina Kasubbag menjadwalkan rapat: “Rabu, 2 Desember 2026 09:00 WIB, "
        "Aula BAPPEDA Lt. 2”",
        "— L2 Rina Kasubbag mengubah jadwal rapat: “Rabu, 2 Desember 2026 09:00 WIB → "
        "Kamis, 3 Desember 2026 10:00 WIB”",
        "— L2 Fajar Dinas PU akan hadir di rapat\n",
        "— L2 Peserta 10 tidak akan hadir di rapat\n",
        f"— L2 Gita Dinas Pendidikan diwakilkan di rapat: “{DEPUTY}”",
        "Kamis, 3 Desember 2026 10:00 WIB — L2 Fajar Dinas PU tercatat dalam daftar hadir: "
        "“hadir”",
        f"— L2 Gita Dinas Pendidikan tercatat dalam daftar hadir: “diwakilkan: {DEPUTY}”",
        "— L2 Peserta 48 tercatat dalam daftar hadir: “tidak menjawab”",
    ):
        assert line in text, line
    assert text.count("tercatat dalam daftar hadir") == 50
    assert "_" not in text  # no internal name of an action

    # The administrator was told once about the participant Telegram refuses.
    assert sum(m.body.startswith("⚠️") for m in await admin.messages()) == 1
    assert bot_errors(caplog) == []


# Refusals: each leaves everything as it was ---------------------------------------------------


def meetings_of_draft(office: Office) -> list[Meeting]:
    with office.services.session() as session:
        return meeting_store.meetings_of_draft(session, draft_id=1)


def awaited(office: Office, telegram_id: int) -> MeetingInput | None:
    """What the bot waits for this official to type about a meeting."""
    with office.services.session() as session:
        official = official_store.official_by_telegram_id(session, telegram_id=telegram_id)
        assert official is not None and official.id is not None
        return meeting_store.pending_input(session, official_id=official.id)


async def hint_for(phone: SimulatedUser, text: str) -> None:
    """Typed text the bot waits for nothing about: only the hint comes back."""
    await phone.send_text(text)
    (*_, hint) = await phone.wait_for_messages(lambda m: m.body.startswith("Renja Bot"), 10)
    assert hint.body == "Renja Bot bekerja dengan tombol dan perintah. Ketik /tugas atau /bantuan."


async def test_scheduling_refused_or_called_off_changes_nothing(office: Office) -> None:
    kasubbag, sekretaris = office.phones[ORGANISER], office.phones[102]
    task = await reach_meeting_task(office)
    done = "Kirim Undangan Rapat Forum SKPD telah diselesaikan"
    await sekretaris.wait_for_messages(lambda m: done in m.body, 10)
    # The notice's document follows it: only then has everything owed to them arrived.
    await sekretaris.wait_for_messages(lambda m: m.document is not None, 10)
    seen = len(await sekretaris.messages())

    # The Sekretaris presses 📅 on the Kasubbag's task (forwarded to them): refused.
    query = await sekretaris.press_forwarded(kasubbag, task, "📅 Jadwalkan rapat")
    refused = await sekretaris.callback_answer(query, 10)
    assert refused is not None and refused.show_alert
    assert refused.text == (
        "Hanya pemegang tugas rapat (Kasubbag. Renja & Monev) yang dapat mengatur rapat ini."
    )
    assert len(await sekretaris.messages()) == seen
    assert awaited(office, 102) is None
    await hint_for(sekretaris, "02/12/2026 09:00")
    (task,) = [m for m in await kasubbag.messages() if m.message_id == task.message_id]
    assert task.button_texts() == ["📅 Jadwalkan rapat"]  # the owner's copy keeps it

    # Times the office calendar refuses: each is explained, and the question stays open.
    await kasubbag.press(task, "📅 Jadwalkan rapat")
    (ask,) = await kasubbag.wait_for_messages(1, 10)
    assert ask.body.startswith("📅 Rapat Forum SKPD\nKapan rapat dimulai?")
    again = " Silakan coba lagi, atau /batal untuk membatalkan."
    for typed, answered in (
        ("30/11/2026 07:45", "Waktu itu sudah lewat. Pilih waktu yang akan datang."),
        ("Minggu 6/12/2026 10:00", "Minggu, 6 Desember 2026 bukan hari kerja. Pilih hari kerja."),
        (
            "02/12/2026 17:00",
            "Jam itu di luar jam kerja kantor (07.30–12.00, 13.00–16.00). Pilih jam kerja.",
        ),
        ("31/11/2026 09:00", "Tanggal atau jam itu tidak ada. Periksa lagi, misalnya 15/12/2026."),
        (
            "rapat minggu depan",
            "Tanggal dan jam tidak dipahami. Tulis seperti 15/12/2026 "
            "09:00, 15-12-2026 9.00 atau besok 09:00.",
        ),
    ):
        await kasubbag.send_text(typed)
        (refusal,) = await kasubbag.wait_for_messages(1, 10)
        assert refusal.body == answered + again, typed
        pending = awaited(office, ORGANISER)
        assert pending is not None and pending.step == "waktu" and "starts_at" not in pending.data

    # /batal while scheduling: the question's buttons go, nothing is scheduled.
    await kasubbag.send_text("/batal")
    (cancelled,) = await kasubbag.wait_for_messages(1, 10)
    assert cancelled.body == "Pengaturan rapat dibatalkan. Tidak ada yang berubah."
    await shows_no_buttons(kasubbag, ask)
    assert awaited(office, ORGANISER) is None
    await hint_for(kasubbag, "02/12/2026 09:00")
    assert meetings_of_draft(office) == []

    # A place of two characters is refused; the bot still waits for the place.
    await kasubbag.press(task, "📅 Jadwalkan rapat")
    await kasubbag.wait_for_messages(lambda m: "Kapan rapat dimulai" in m.body, 10)
    await kasubbag.send_text("02/12/2026 09:00")
    await kasubbag.wait_for_messages(lambda m: m.body.startswith("Di mana rapat diadakan"), 10)
    await kasubbag.send_text("A1")
    (short,) = await kasubbag.wait_for_messages(1, 10)
    assert short.body == "Terlalu pendek: tulis paling sedikit 3 huruf atau angka." + again
    pending = awaited(office, ORGANISER)
    assert pending is not None and pending.step == "tempat" and "place" not in pending.data
    await kasubbag.send_text("Aula BAPPEDA Lt. 2")
    await kasubbag.wait_for_messages(lambda m: m.body.startswith("Apa agenda rapat"), 10)
    await kasubbag.send_text("/batal")
    await kasubbag.wait_for_messages(lambda m: m.body.startswith("Pengaturan rapat dibatalkan"))
    assert meetings_of_draft(office) == []
    for forum in (FAJAR, GITA):  # nobody was invited
        assert len(await office.phones[forum].messages()) == 1  # the welcome


async def shows_no_buttons(phone: SimulatedUser, message: BotMessage) -> None:
    await phone.wait_until(
        lambda ms: any(m.message_id == message.message_id and not m.buttons for m in ms), 10
    )


async def test_a_cancelled_meeting_is_withdrawn_and_can_be_scheduled_again(
    office: Office,
) -> None:
    kasubbag, fajar = office.phones[ORGANISER], office.phones[FAJAR]
    await reach_meeting_task(office)
    await schedule_meeting(office, kasubbag)
    invitation, _, ics = await fajar.wait_for_messages(3, 10)
    first = await calendar_file(office, ics)
    assert await answer(fajar, invitation, "✅ Hadir") == "✅ Hadir"
    await shows(fajar, invitation, "Jawaban Bapak/Ibu: ✅ Hadir.")
    hadir = invitation.button("✅ Hadir").callback_data
    assert hadir is not None

    # 🚫 Batalkan rapat, then Tidak jadi: nothing changes.
    await kasubbag.send_text("/rapat 1")
    (report,) = await kasubbag.wait_for_messages(1, 10)
    await kasubbag.press(report, "🚫 Batalkan rapat")
    (question,) = await kasubbag.wait_for_messages(1, 10)
    assert question.body.startswith("Batalkan Rapat Forum SKPD pada Senin, 30 November 2026")
    assert question.body.endswith("? Semua peserta akan diberi tahu.")
    assert question.button_texts() == ["🚫 Ya, batalkan rapat", "Tidak jadi"]
    assert await answer(kasubbag, question, "Tidak jadi") == "Tidak ada yang berubah."
    await shows_no_buttons(kasubbag, question)
    assert [m.status for m in meetings_of_draft(office)] == ["dijadwalkan"]

    # 🚫 Ya: everyone is told, with a calendar file that removes the event.
    await kasubbag.press(report, "🚫 Batalkan rapat")
    (question,) = await kasubbag.wait_for_messages(1, 10)
    await kasubbag.press(question, "🚫 Ya, batalkan rapat")
    (*_, done) = await kasubbag.wait_for_messages(lambda m: m.body.startswith("🚫 Rapat"), 10)
    assert done.body == (
        "🚫 Rapat dibatalkan dan peserta diberi tahu. "
        "Jadwalkan lagi dengan tombol 📅 Jadwalkan rapat pada /rapat 1."
    )
    cancelled = "🚫 Rapat dibatalkan\nRapat Forum SKPD"
    for phone in (fajar, office.phones[GITA]):
        await phone.wait_for_messages(lambda m: m.body.startswith(cancelled), 10)
        (withdrawal,) = await phone.wait_for_messages(1, 10)
        assert first_line(withdrawal) == "[berkas] batal-rapat-2026-11-30.ics"
        event = await calendar_file(office, withdrawal)
        assert event["method"] == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
        assert str(event["UID"]) == str(first["UID"]) == "rapat-1@renja-bot"
        assert event.decoded("SEQUENCE") == first.decoded("SEQUENCE") + 1 == 1
        await shows_no_buttons(phone, (await phone.messages())[1])  # the invitation

    # An answer pressed on the cancelled meeting (a stale copy of its buttons): refused.
    query = await fajar.press_forged(invitation, hadir)
    refused = await fajar.callback_answer(query, 10)
    assert refused is not None and refused.text == "Rapat ini sudah dibatalkan."
    _, trail = reading.history(office.services, scope=EVERY_AGENCY, draft_id=1)
    assert [line.action for line in trail if line.action in ("hadir", "rapat_dibatalkan")] == [
        "hadir",
        "rapat_dibatalkan",
    ]

    # The organiser is offered 📅 again, on /rapat and on the task.
    await kasubbag.send_text("/rapat 1")
    (report,) = await kasubbag.wait_for_messages(1, 10)
    assert report.body.startswith("🗓 Rapat (dibatalkan)")
    assert report.button_texts() == ["📅 Jadwalkan rapat"]
    await kasubbag.send_text("/tugas")
    (*_, task) = await kasubbag.wait_for_messages(lambda m: bool(m.buttons), 10)
    assert task.body.split("\n")[1] == "Langkah 2: Rapat Forum SKPD"
    assert task.button_texts() == ["📅 Jadwalkan rapat"]
    await kasubbag.press(report, "📅 Jadwalkan rapat")
    (ask,) = await kasubbag.wait_for_messages(1, 10)
    assert "Kapan rapat dimulai?" in ask.body


async def test_an_answer_after_the_meeting_began_changes_nothing(office: Office) -> None:
    kasubbag, gita = office.phones[ORGANISER], office.phones[GITA]
    await reach_meeting_task(office)
    await schedule_meeting(office, kasubbag)
    invitation, *_ = await gita.wait_for_messages(3, 10)
    await reach_meeting(office)

    popup = await answer(gita, invitation, "✅ Hadir")
    assert popup == "Rapat sudah dimulai; jadwal dan jawaban tidak dapat diubah lagi."
    shown = await shows_no_buttons_then(gita, invitation)
    assert shown.body.endswith("Mohon konfirmasi kehadiran sebelum rapat dimulai.")
    found = meetings.report(office.services, telegram_id=ORGANISER, draft_id=1)
    assert [(i.name, i.answer) for i in found.invitees] == [
        (name_of(FAJAR), None),
        (name_of(GITA), None),
    ]
    _, trail = reading.history(office.services, scope=EVERY_AGENCY, draft_id=1)
    assert "hadir" not in [line.action for line in trail]
    # Nor can the organiser still move it.
    await kasubbag.send_text("/rapat 1")
    (report,) = await kasubbag.wait_for_messages(1, 10)
    assert report.body.startswith("🗓 Rapat (dimulai)")
    assert report.buttons == []


async def shows_no_buttons_then(phone: SimulatedUser, message: BotMessage) -> BotMessage:
    await shows_no_buttons(phone, message)
    (found,) = [m for m in await phone.messages() if m.message_id == message.message_id]
    return found


# Volume: two hundred invitations through Telegram's flood limits ---------------------------

CROWD = 200
"""Participants invited at once: Fajar, Gita, and 198 more agencies."""
TELEGRAM_PER_SECOND = 30.0
"""Telegram's overall limit, and the emulator's default."""


@pytest.mark.slow
async def test_two_hundred_invitations_keep_telegrams_limits(
    tmp_path: Path,
    sops: dict[str, Sop],
    caplog: pytest.LogCaptureFixture,
    record_property: Callable[[str, object], None],
    database_url: str,
) -> None:
    crowd = [FAJAR, GITA, *range(3001, 3001 + CROWD - 2)]
    async with running_office(
        tmp_path, sops, pacing=FAST_PACING, database_url=database_url
    ) as office:
        await join(office, crowd[2:])
        await reach_meeting_task(office)
        # The bot is started again as it runs in the office: the sender at Telegram's
        # pace (the settings' defaults), the emulator enforcing Telegram's limits.
        assert office.application is not None and office.application.bot_data.sender
        await office.application.bot_data.sender.drain(30)
        await office.stop()
        office.settings = emulator_settings(
            office.emulator,
            database_url=office.settings.database_url,
            files_dir=office.settings.files_dir,
            admin_telegram_ids=[ADMIN_ID],
            max_upload_mb=1,
        )
        await office.start()
        await office.control.set_flood_limits()
        await office.control.reset_stats()
        caplog.clear()

        started = time.monotonic()
        # The organiser's confirmation is owed after the invitations: it comes last.
        await schedule_meeting(
            office, office.phones[ORGANISER], when="02/12/2026 09:00", confirmed_within=45
        )
        assert office.application is not None and office.application.bot_data.sender
        await office.application.bot_data.sender.drain(60)
        took = time.monotonic() - started
        stats = await office.control.stats()
        log = await office.control.log()

        # Every invitation arrived whole: the message with its buttons, the Undangan and the
        # calendar file.
        for telegram_id in crowd:
            _, invitation, undangan, ics = await office.phones[telegram_id].messages()
            assert invitation.body.startswith("📨 Undangan Rapat"), telegram_id
            assert invitation.button_texts() == ANSWER_BUTTONS
            assert first_line(undangan) == "[berkas] undangan-forum.pdf"
            assert first_line(ics) == "[berkas] undangan-rapat-2026-12-02.ics"
        # No 429 went unhandled, and the sender kept the limits, so there was none to handle.
        refused = [e for e in log if e.error and "Too Many Requests" in e.error]
        for refusal in refused:
            assert any(
                later.seq > refusal.seq and later.ok and later.method == refusal.method
                for later in log
                if later.chat_id == refusal.chat_id
            ), refusal
        assert stats.too_many_requests == 0, [(e.method, e.chat_id) for e in refused]
        assert bot_errors(caplog) == []
        assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"

        # The rate: every message (an album's files each count) to the participants, from
        # the first to the last, against Telegram's 30 a second.
        sent = [at for i in crowd for at in stats.chat(i).accepted_at]
        assert len(sent) == 3 * CROWD
        rate = (len(sent) - 1) / (max(sent) - min(sent))
        record_property("invitations_per_second", round(rate, 1))
        record_property("share_of_telegrams_limit", round(rate / TELEGRAM_PER_SECOND, 2))
        print(
            f"{CROWD} invitations ({len(sent)} messages) in {took:.1f} s: "
            f"{rate:.1f} messages/s, {rate / TELEGRAM_PER_SECOND:.0%} of Telegram's limit"
        )
        assert rate <= TELEGRAM_PER_SECOND * 1.05
        assert rate >= TELEGRAM_PER_SECOND * 0.75, rate
        assert took < 50
