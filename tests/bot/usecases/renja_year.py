"""A year of Renja drafts on the office calendar, each row taking the working minutes a plan
gives: for the report tests (the use cases, and /laporan in the emulator)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.sample_office import register_officials
from bot.usecases import drafts, meetings, officials
from bot.usecases.base import Services
from storage import drafts as draft_store
from tests.bot.usecases.files import new_file
from tests.conftest import FakeClock
from workflow.engine import Action, Approve, Return, Submit, Upload

WIB = ZoneInfo("Asia/Pontianak")
KASUBBAG, SEKRETARIS, KABID_EKO, KABID_INFRA, KEPALA = 101, 102, 103, 104, 105
PLH = 108
"""Dewi, Plh. Kepala Badan for a few days of July."""


@dataclass(frozen=True)
class Plan:
    """One draft: when it starts, and the working minutes each row takes."""

    start: datetime
    minutes: dict[int, int]
    """Row → working minutes; rows 3 to 5 when the Kepala Badan returns it."""
    again: dict[int, int] = field(default_factory=dict)
    """With a return at row 5: rows 3, 4 and 5 the second time."""
    signer: int = KEPALA
    stop_in: int | None = None
    """Leave the draft open once it has entered this row."""


def monday(day: int, month: int) -> datetime:
    """08:00 WIB on a day of 2026."""
    return datetime.combine(date(2026, month, day), time(8, 0), tzinfo=WIB)


YEAR: tuple[Plan, ...] = (
    Plan(monday(12, 1), {1: 50, 2: 100, 3: 25, 4: 8, 5: 10}),
    Plan(monday(2, 3), {1: 70, 2: 150, 3: 30, 4: 12, 5: 12}),
    Plan(monday(4, 5), {1: 60, 2: 110, 3: 45, 4: 10, 5: 20}, again={3: 20, 4: 5, 5: 6}),
    Plan(monday(6, 7), {1: 40, 2: 125, 3: 28, 4: 10, 5: 15}, signer=PLH),
    Plan(monday(7, 9), {1: 55, 2: 90, 3: 35, 4: 9, 5: 11}),
    Plan(monday(2, 11), {1: 65, 2: 100}, stop_in=3),
)
"""Six drafts of 2026: on time, late, returned once by the Kepala Badan, signed by his Plh.,
and one still open (in row 3 since Tuesday 3 November 10:40 WIB, due 11:10)."""

REPORT_AT = datetime(2026, 11, 3, 15, 0, tzinfo=WIB)
"""When the report is asked for: the open draft is 2 hours 50 working minutes late."""


def register_year_office(services: Services, clock: FakeClock) -> None:
    """The seven officials (from the first day of the year), and Dewi, Plh. Kepala Badan
    from 1 to 10 July."""
    clock.now = datetime(2026, 1, 2, 7, 0, tzinfo=WIB)
    register_officials(services)
    clock.now = datetime(2026, 7, 1, 7, 0, tzinfo=WIB)
    officials.register_official(
        services,
        telegram_id=PLH,
        name="Dewi Plh",
        position="kepala_badan",
        acting="Plh.",
        valid_until=datetime(2026, 7, 11, tzinfo=WIB),
    )


def spend(services: Services, clock: FakeClock, minutes: int) -> None:
    """Working minutes pass on the office calendar."""
    clock.now = services.calendar.add_working_minutes(clock.now, minutes)


def act(services: Services, draft_id: int, who: int, action: Action) -> None:
    new = new_file(f"d{draft_id}-{action.document}.pdf") if isinstance(action, Upload) else None
    drafts.act(services, telegram_id=who, draft_id=draft_id, action=action, new_file=new)


def upload_and_send(services: Services, draft_id: int, who: int, *documents: str) -> None:
    for document in documents:
        act(services, draft_id, who, Upload(document))
    act(services, draft_id, who, Submit())


def run_draft(services: Services, clock: FakeClock, plan: Plan) -> int:
    """Play one draft of the plan; its id."""
    clock.now = plan.start
    outcome = drafts.start_draft(services, telegram_id=KASUBBAG, title="Renja BAPPEDA")
    draft_id = outcome.draft.id
    minutes = plan.minutes
    # Row 1: the Sekretaris takes the row's minutes to review the konsep.
    upload_and_send(services, draft_id, KASUBBAG, "konsep_pendahuluan")
    spend(services, clock, minutes[1])
    act(services, draft_id, SEKRETARIS, Approve())
    upload_and_send(services, draft_id, KASUBBAG, "nota_dinas")
    # Row 2: the units at once, then the Forum SKPD the next working day at 09:00; the
    # wait for it does not count, the results come the row's minutes after it begins.
    for who in (KABID_EKO, KABID_INFRA, SEKRETARIS):
        upload_and_send(services, draft_id, who, "rencana_kerja_unit")
    upload_and_send(services, draft_id, KASUBBAG, "undangan_rapat")
    meeting_at = schedule_forum(services, clock, draft_id)
    clock.now = meeting_at
    spend(services, clock, minutes[2])
    upload_and_send(services, draft_id, KASUBBAG, "draft_rancangan_awal", "hasil_kesepakatan")
    if plan.stop_in == 3:
        return draft_id
    # Row 3: forwarded at once; the Kasubbag takes the row's minutes to refine it.
    act(services, draft_id, SEKRETARIS, Approve())
    rounds = [minutes, plan.again] if plan.again else [minutes]
    for number, spent in enumerate(rounds):
        spend(services, clock, spent[3])
        upload_and_send(services, draft_id, KASUBBAG, "rancangan_awal")
        spend(services, clock, spent[4])
        act(services, draft_id, SEKRETARIS, Approve())
        spend(services, clock, spent[5])
        if number + 1 < len(rounds):
            act(services, draft_id, KEPALA, Return("Lengkapi indikator kinerja per program"))
        else:
            act(services, draft_id, plan.signer, Approve())
    return draft_id


def schedule_forum(services: Services, clock: FakeClock, draft_id: int) -> datetime:
    """The Kasubbag schedules the Forum SKPD for the next working day at 09:00 WIB."""
    with services.reading() as session:
        task = draft_store.open_task(session, draft_id=draft_id)
    assert task is not None and task.task_id == "forum_skpd" and task.id is not None
    day = clock.now.astimezone(WIB).date() + timedelta(days=1)
    while not services.calendar.is_working_day(day):
        day += timedelta(days=1)
    meetings.begin_scheduling(
        services, telegram_id=KASUBBAG, draft_id=draft_id, draft_task_id=task.id
    )
    for text in (f"{day:%d/%m/%Y} 09:00", "Aula BAPPEDA Lt. 2", "Pembahasan Renja"):
        assert meetings.take_text(services, telegram_id=KASUBBAG, text=text)
    meetings.choose_undangan(services, telegram_id=KASUBBAG, draft_task_id=task.id, version_id=0)
    meetings.confirm(services, telegram_id=KASUBBAG, draft_task_id=task.id)
    return datetime.combine(day, time(9, 0), tzinfo=WIB)


def play_year(services: Services, clock: FakeClock) -> list[int]:
    """The office, the six drafts of :data:`YEAR`, and the clock at :data:`REPORT_AT`."""
    register_year_office(services, clock)
    played = [run_draft(services, clock, plan) for plan in YEAR]
    clock.now = REPORT_AT
    return played
