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
) -> BotMessage:
    """Press 📅 Jadwalkan rapat; give the time (typed, or the first offered buttons), place
    and agenda; attach the Undangan; send. Returns the organiser's confirmation."""
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
        lambda m: m.body.startswith("✅ Undangan dikirim")
    )
    return done


def meeting_start(office: Office, draft_id: int = 1) -> datetime:
    found = meetings.report(
        office.services, telegram_id=office.phones[ORGANISER].id, draft_id=draft_id
    )
    return found.meeting.starts_at


def reach_meeting(office: Office, draft_id: int = 1) -> None:
    """The office clock moves to the meeting's start."""
    start = meeting_start(office, draft_id)
    if start > office.clock():
        office.tick(seconds=(start - office.clock()).total_seconds())


async def hold_meeting(office: Office, organiser: SimulatedUser) -> BotMessage:
    """Schedule the meeting with the first offered time, then let it begin."""
    done = await schedule_meeting(office, organiser)
    reach_meeting(office)
    return done
