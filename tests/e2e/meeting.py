"""The organiser schedules the Forum SKPD meeting from their phone, as an official would."""

from __future__ import annotations

from datetime import datetime

from bot.usecases import meetings
from emulator import BotMessage, SimulatedUser
from tests.e2e.conftest import Office

ORGANISER = 101


async def schedule_meeting(
    office: Office,
    organiser: SimulatedUser,
    *,
    when: str | None = None,
    place: str = "Aula BAPPEDA Lt. 2",
    agenda: str = "Pembahasan Rancangan awal Renja",
    attach_undangan: bool = True,
    confirmed_within: float = 5.0,
) -> BotMessage:
    """Press 📅 Jadwalkan rapat; give the time (typed, or the first offered buttons), place
    and agenda; attach the Undangan; send. Returns the organiser's confirmation, which comes
    after the invitations (`confirmed_within` seconds)."""
    await organiser.wait_until(
        lambda ms: any("📅 Jadwalkan rapat" in m.button_texts() for m in ms), 10.0
    )
    task = [m for m in await organiser.messages() if "📅 Jadwalkan rapat" in m.button_texts()]
    await organiser.press(task[-1], "📅 Jadwalkan rapat")
    (*_, ask) = await organiser.wait_for_messages(lambda m: "Kapan rapat dimulai" in m.body)
    if when is None:
        await organiser.press(ask, ask.button_texts()[0])
        (*_, times) = await organiser.wait_for_messages(lambda m: "Pukul berapa" in m.body)
        await organiser.press(times, times.button_texts()[0])
    else:
        await organiser.send_text(when)
    await organiser.wait_for_messages(lambda m: "Di mana rapat diadakan" in m.body)
    await organiser.send_text(place)
    await organiser.wait_for_messages(lambda m: "Apa agenda rapat" in m.body)
    await organiser.send_text(agenda)
    (*_, last) = await organiser.wait_for_messages(
        lambda m: m.body.startswith(("Lampirkan Undangan", "Periksa undangan"))
    )
    if last.body.startswith("Lampirkan"):
        await organiser.press(last, last.button_texts()[0 if attach_undangan else 1])
        (*_, last) = await organiser.wait_for_messages(
            lambda m: m.body.startswith("Periksa undangan")
        )
    await organiser.press(last, "✅ Kirim undangan")
    (*_, done) = await organiser.wait_for_messages(
        lambda m: m.body.startswith("✅ Undangan dikirim"), confirmed_within
    )
    return done


def meeting_start(office: Office, draft_id: int = 1) -> datetime:
    found = meetings.report(
        office.services, telegram_id=office.phones[ORGANISER].id, draft_id=draft_id
    )
    return found.meeting.starts_at


async def reach_meeting(office: Office, draft_id: int = 1) -> None:
    """The office clock moves to the meeting's start."""
    start = meeting_start(office, draft_id)
    if start > office.clock():
        await office.tick(seconds=(start - office.clock()).total_seconds())


async def hold_meeting(office: Office, organiser: SimulatedUser) -> BotMessage:
    """Schedule the meeting with the first offered time, then let it begin."""
    done = await schedule_meeting(office, organiser)
    await reach_meeting(office)
    return done


# Reaching the meeting -------------------------------------------------------------------------

PDF = "application/pdf"


async def _upload_and_send(
    phone: SimulatedUser, name: str, content: bytes, caption: str | None = None
) -> None:
    """Send a file, wait for its receipt, press 📤 Kirim and see it sent."""
    await phone.send_document(name, content, PDF, caption=caption)
    (*_, received) = await phone.wait_for_messages(lambda m: m.body.startswith("✅ Diterima"))
    await phone.press(received, "📤 Kirim")
    await phone.wait_until(
        lambda ms: any(
            m.message_id == received.message_id and "Dikirim oleh" in m.body for m in ms
        )
    )


async def _task(phone: SimulatedUser, title: str) -> BotMessage:
    """The next task message for this task (its second line names it)."""

    def names(message: BotMessage) -> bool:
        lines = message.body.split("\n")
        return len(lines) > 1 and lines[1].endswith(f": {title}")

    (*_, found) = await phone.wait_for_messages(names, 15.0)
    return found


async def reach_meeting_task(office: Office) -> BotMessage:
    """Rows 1 and 2 as in test_renja_flow, without detours, up to the Forum SKPD meeting:
    the konsep approved, the Nota Dinas, every unit's Rencana Kerja, the signed Undangan.
    Returns the Kasubbag's task message of the meeting (with 📅 Jadwalkan rapat)."""
    kasubbag, sekretaris = office.phones[ORGANISER], office.phones[102]
    await kasubbag.send_text("/renja_baru Renja BAPPEDA Tahun 2027")
    await _task(kasubbag, "Unggah Konsep pendahuluan Renja")
    await _upload_and_send(kasubbag, "konsep.pdf", b"%PDF-1.4 konsep")
    review = await _task(sekretaris, "Telaah Konsep pendahuluan Renja")
    await sekretaris.press(review, "✅ Setujui")
    await _task(kasubbag, "Terbitkan Nota Dinas")
    caption = "Nota Dinas Nomor: 050/117/BAPPEDA"
    await _upload_and_send(kasubbag, "nota-dinas.pdf", b"%PDF-1.4 nota dinas", caption)
    for telegram_id, unit in ((103, "eko"), (104, "infra"), (102, "sekretariat")):
        phone = office.phones[telegram_id]
        await _task(phone, "Unggah Rencana Kerja unit")
        await _upload_and_send(phone, f"renja-{unit}.pdf", f"%PDF-1.4 renja {unit}".encode())
    await _task(kasubbag, "Kirim Undangan Rapat Forum SKPD")
    await _upload_and_send(kasubbag, "undangan-forum.pdf", b"%PDF-1.4 undangan")
    return await _task(kasubbag, "Rapat Forum SKPD")
