"""Reminders and escalation on a controllable clock, and across a restart of the bot."""

from __future__ import annotations

import hashlib
from zoneinfo import ZoneInfo

import pytest

from bot.usecases import drafts
from emulator import BotMessage, SimulatedUser
from storage import reminders as reminder_store
from storage.drafts import NewFile
from tests.e2e.conftest import Office
from workflow.engine import Approve, Submit, Upload

PDF = "application/pdf"
WIB = ZoneInfo("Asia/Pontianak")


async def quiet(*phones: SimulatedUser) -> None:
    """Nothing new arrives on these phones."""
    for phone in phones:
        with pytest.raises(TimeoutError):
            await phone.wait_for_messages(1, timeout=0.4)


async def one(phone: SimulatedUser) -> BotMessage:
    (message,) = await phone.wait_for_messages(1)
    return message


async def submit_upload(phone: SimulatedUser, name: str) -> None:
    await phone.send_document(name, f"%PDF-1.4 {name}".encode(), PDF)
    (*_, received) = await phone.wait_for_messages(lambda m: m.body.startswith("✅ Diterima"))
    await phone.press(received, "📤 Kirim")
    await phone.wait_until(
        lambda ms: any(m.message_id == received.message_id and not m.buttons for m in ms)
    )


async def test_reminders_and_escalation_of_a_row(office: Office) -> None:
    kasubbag, sekretaris, kepala_badan = office.phones[101], office.phones[102], office.phones[105]
    others = [office.phones[i] for i in (103, 104, 106, 107)]
    # Senin 30 November 2026 08:00 WIB: row 1 (60 minutes) is due at 09:00.
    await kasubbag.send_text("/renja_baru Renja 2027")
    await kasubbag.wait_for_messages(lambda m: "Langkah 1" in m.body)

    await office.tick(minutes=47)  # 08:47
    await quiet(kasubbag, sekretaris, kepala_badan)
    await office.tick(minutes=1)  # 08:48: 80% of the time is used
    reminder = await one(kasubbag)
    assert "Langkah 1: Unggah Konsep pendahuluan Renja" in reminder.body
    assert "⏰ Pengingat: sisa waktu 12 menit kerja. Batas waktu: Senin, 30 November 2026 " in (
        reminder.body
    )

    office.clock.advance(minutes=2)  # 08:50: the Sekretaris now holds the row
    await submit_upload(kasubbag, "konsep.pdf")
    await sekretaris.wait_for_messages(2)  # the review and the konsep

    await office.tick(minutes=10)  # 09:00: due; the Sekretaris's superior is told
    due = await one(sekretaris)
    assert "⏰ Batas waktu sudah tiba (Senin, 30 November 2026 09:00 WIB)" in due.body
    escalation = await one(kepala_badan)
    assert "Langkah 1: Telaah Konsep pendahuluan Renja" in escalation.body
    assert "🔺 Eskalasi: batas waktu Senin, 30 November 2026 09:00 WIB terlewati." in (
        escalation.body
    )
    assert "Pemegang tugas: Budi Sekretaris." in escalation.body
    await quiet(kasubbag)

    await office.tick(minutes=60)  # 10:00: overdue, repeated every 60 working minutes
    late = await one(sekretaris)
    assert "⚠️ Terlambat 1 jam kerja dari batas waktu Senin, 30 November 2026 09:00 WIB" in (
        late.body
    )

    # The row is done at 10:10; its reminders stop, row 2 (due 13:10) has its own.
    office.clock.advance(minutes=5)
    messages = await sekretaris.messages()
    review = next(m for m in messages if "Telaah Konsep" in m.body and m.buttons)
    await sekretaris.press(review, "✅ Setujui")
    await kasubbag.wait_for_messages(lambda m: "Terbitkan Nota Dinas" in m.body)
    office.clock.advance(minutes=5)
    await submit_upload(kasubbag, "nota-dinas.pdf")
    for phone in (sekretaris, *others[:2]):
        await phone.wait_for_messages(lambda m: "Unggah Rencana Kerja unit" in m.body)
    with office.services.session() as session:
        waiting = [r for r in reminder_store.reminders_of(session, draft_id=1) if not r.outcome]
    # Leaving the row cancels its reminders at once: the alarm never wakes for them.
    assert [r.kind for r in waiting] == ["hampir", "jatuh_tempo", "eskalasi"]
    await office.tick(minutes=90)  # 11:40, before row 2's 80% (11:46)
    await quiet(kasubbag, sekretaris, kepala_badan, *others)

    with office.services.session() as session:
        kinds = [
            (r.kind, r.outcome, r.due_at.astimezone(WIB).strftime("%H:%M"))
            for r in reminder_store.reminders_of(session, draft_id=1)
        ]
    assert kinds == [
        ("hampir", "terkirim", "08:48"),
        ("jatuh_tempo", "terkirim", "09:00"),
        ("eskalasi", "terkirim", "09:00"),
        ("terlambat", "terkirim", "10:00"),
        ("terlambat", "dibatalkan", "11:00"),
        ("hampir", None, "11:46"),
        ("jatuh_tempo", None, "13:10"),
        ("eskalasi", None, "13:10"),
    ]


def new_file(name: str) -> NewFile:
    digest = hashlib.sha256(name.encode()).hexdigest()
    return NewFile(name, PDF, len(name), digest, f"id-{name}", digest[:8], f"2/{digest}.pdf")


async def test_a_restart_sends_what_fell_due_once(office: Office) -> None:
    kasubbag, sekretaris, kepala_badan = office.phones[101], office.phones[102], office.phones[105]
    for title in ("Renja 2027", "Renja Perubahan 2027"):
        await kasubbag.send_text(f"/renja_baru {title}")
        await kasubbag.wait_for_messages(lambda m: "Langkah 1" in m.body)
    await office.stop()

    # While the bot is down: draft 2 leaves row 1, and the clock passes two reminder times
    # of draft 1 (08:48 and 09:00).
    office.clock.advance(minutes=20)
    flow = office.services
    drafts.act(
        flow,
        telegram_id=101,
        draft_id=2,
        action=Upload("konsep_pendahuluan"),
        new_file=new_file("k"),
    )
    drafts.act(flow, telegram_id=101, draft_id=2, action=Submit())
    drafts.act(flow, telegram_id=102, draft_id=2, action=Approve())
    drafts.act(
        flow, telegram_id=101, draft_id=2, action=Upload("nota_dinas"), new_file=new_file("n")
    )
    drafts.act(flow, telegram_id=101, draft_id=2, action=Submit())
    office.clock.advance(minutes=45)  # 09:05

    await office.start()
    # What draft 2's actions owed while the bot was down arrives too; of draft 1's two due
    # reminders, only the newest.
    await kasubbag.wait_for_messages(lambda m: "⏰ Batas waktu sudah tiba" in m.body)
    await sekretaris.wait_for_messages(lambda m: "🔺 Eskalasi" in m.body)
    await quiet(kasubbag, kepala_badan, sekretaris)
    reminded = [m.body for m in await kasubbag.messages() if "⏰" in m.body]
    assert len(reminded) == 1 and reminded[0].startswith("📋 Renja 2027 (#1")
    escalated = [m.body for m in await sekretaris.messages() if "🔺 Eskalasi" in m.body]
    assert len(escalated) == 1 and escalated[0].startswith("📋 Renja 2027 (#1")
    # The Kepala Bidang's task opened while the bot was down: it was owed, and it arrives.
    await office.phones[103].wait_for_messages(
        lambda m: m.body.startswith("📋 Renja Perubahan 2027 (#2") and "Langkah 2" in m.body
    )

    with office.services.session() as session:
        first = [(r.kind, r.outcome) for r in reminder_store.reminders_of(session, draft_id=1)]
        second = [(r.kind, r.outcome) for r in reminder_store.reminders_of(session, draft_id=2)]
    assert first == [
        ("hampir", "dilewati"),
        ("jatuh_tempo", "terkirim"),
        ("eskalasi", "terkirim"),
        ("terlambat", None),
    ]
    assert second[:3] == [
        ("hampir", "dibatalkan"),
        ("jatuh_tempo", "dibatalkan"),
        ("eskalasi", "dibatalkan"),
    ]
    assert all(outcome is None for _, outcome in second[3:])
