"""The Forum SKPD meeting at the use-case level: the row's clock, reminders, changes, refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import col, select

from bot.usecases import drafts, meetings
from bot.usecases.base import Services
from bot.usecases.errors import InvalidInput
from storage import drafts as draft_store
from storage import meetings as meeting_store
from storage import reminders as reminder_store
from storage.models import OutboxMessage, RowClock
from tests.bot.usecases.files import new_file
from tests.conftest import FakeClock
from workflow.engine import ActionRefused, Approve, Refusal, Submit, Upload
from workflow.meeting import Answer

KASUBBAG, SEKRETARIS, KABID_EKO, KABID_INFRA, FORUM_A, FORUM_B = 101, 102, 103, 104, 106, 107
WED_0900 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # Rabu 2 Desember 2026 09:00 WIB
THU_1000 = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)


def do(services: Services, who: int, action: Upload | Submit | Approve) -> None:
    new = new_file(f"{who}-{action}.pdf") if isinstance(action, Upload) else None
    drafts.act(services, telegram_id=who, draft_id=1, action=action, new_file=new)


def to_the_forum(services: Services) -> int:
    """Rows 1 and 2 up to the meeting; the open task's entry id."""
    drafts.start_draft(services, telegram_id=KASUBBAG, title="Renja 2027")
    do(services, KASUBBAG, Upload("konsep_pendahuluan"))
    do(services, KASUBBAG, Submit())
    do(services, SEKRETARIS, Approve())
    do(services, KASUBBAG, Upload("nota_dinas"))
    do(services, KASUBBAG, Submit())
    for who in (KABID_EKO, KABID_INFRA, SEKRETARIS):
        do(services, who, Upload("rencana_kerja_unit"))
        do(services, who, Submit())
    do(services, KASUBBAG, Upload("undangan_rapat"))
    do(services, KASUBBAG, Submit())
    with services.reading() as session:
        task = draft_store.open_task(session, draft_id=1)
    assert task is not None and task.task_id == "forum_skpd" and task.id is not None
    return task.id


def schedule(services: Services, entry: int, when: str = "02/12/2026 09:00") -> None:
    meetings.begin_scheduling(services, telegram_id=KASUBBAG, draft_id=1, draft_task_id=entry)
    for text in (when, "Aula BAPPEDA Lt. 2", "Pembahasan Rancangan awal Renja"):
        assert meetings.take_text(services, telegram_id=KASUBBAG, text=text)
    meetings.choose_undangan(services, telegram_id=KASUBBAG, draft_task_id=entry, version_id=0)
    meetings.confirm(services, telegram_id=KASUBBAG, draft_task_id=entry)


def row_two(services: Services) -> RowClock:
    with services.reading() as session:
        clock = draft_store.running_clock(session, draft_id=1)
    assert clock is not None and clock.row_no == 2
    return clock


def outbox(services: Services) -> list[OutboxMessage]:
    with services.reading() as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def test_the_row_waits_for_the_meeting_and_counts_only_its_own_minutes(
    office: Services, clock: FakeClock
) -> None:
    entry = to_the_forum(office)
    entered = row_two(office).entered_at
    assert entered == clock.now  # Senin 08:00 WIB: everything above took no time
    schedule(office, entry)
    waiting = row_two(office)
    assert (waiting.wait_from, waiting.wait_until) == (clock.now, WED_0900)
    # 120 working minutes from the meeting's start: Rabu 11:00.
    assert waiting.due_at == WED_0900 + timedelta(hours=2)
    with office.reading() as session:
        planned = [
            (r.kind, r.due_at, r.meeting_id is not None)
            for r in reminder_store.reminders_of(session, draft_id=1)
            if r.row_clock_id == waiting.id and r.cancelled_at is None
        ]
    # The row's own reminders moved with it (80% of 120 minutes after the start), and the
    # meeting's: the working day before at the start of hours, and an hour before.
    assert ("hampir", WED_0900 + timedelta(minutes=96), False) in planned
    assert ("rapat_sehari", datetime(2026, 12, 1, 0, 30, tzinfo=UTC), True) in planned
    assert ("rapat_sejam", WED_0900 - timedelta(hours=1), True) in planned

    # The meeting begins; its results come 30 minutes later.
    clock.now = WED_0900 + timedelta(minutes=30)
    do(office, KASUBBAG, Upload("draft_rancangan_awal"))
    do(office, KASUBBAG, Upload("hasil_kesepakatan"))
    do(office, KASUBBAG, Submit())
    with office.reading() as session:
        left = next(c for c in draft_store.row_clocks(session, draft_id=1) if c.row_no == 2)
    assert left.minutes_used == 30
    waited = office.calendar.working_minutes_between(entered, WED_0900)
    assert left.waited_minutes == waited > 0


def test_results_wait_for_the_meeting(office: Services, clock: FakeClock) -> None:
    entry = to_the_forum(office)
    do(office, KASUBBAG, Upload("draft_rancangan_awal"))
    do(office, KASUBBAG, Upload("hasil_kesepakatan"))
    with pytest.raises(ActionRefused) as refused:
        do(office, KASUBBAG, Submit())
    assert refused.value.code == Refusal.RAPAT_BELUM_DIJADWALKAN
    schedule(office, entry)
    with pytest.raises(ActionRefused) as refused:
        do(office, KASUBBAG, Submit())
    assert refused.value.code == Refusal.RAPAT_BELUM_DIMULAI
    clock.now = WED_0900
    do(office, KASUBBAG, Submit())
    with office.reading() as session:
        trail = draft_store.audit_trail(session, draft_id=1)
    attendance = [(e.actor_id, e.note) for e in trail if e.action == "kehadiran"]
    assert attendance == [(6, "tidak menjawab"), (7, "tidak menjawab")]


def test_invitations_carry_a_calendar_file_and_a_move_raises_its_sequence(
    office: Services, clock: FakeClock
) -> None:
    entry = to_the_forum(office)
    schedule(office, entry)
    (meeting,) = meetings_of(office)
    meetings.answer(office, telegram_id=FORUM_A, meeting_id=meeting, given=Answer.HADIR)
    first = calendar_files(office, FORUM_A)
    assert [(c["METHOD"], c.walk("VEVENT")[0]["SEQUENCE"]) for c in first] == [("REQUEST", 0)]
    event = first[0].walk("VEVENT")[0]
    assert event.decoded("DTSTART") == WED_0900
    assert str(event["UID"]) == f"rapat-{meeting}@renja-bot"

    meetings.begin_reschedule(office, telegram_id=KASUBBAG, meeting_id=meeting)
    assert meetings.take_text(office, telegram_id=KASUBBAG, text="03/12/2026 10:00")
    meetings.confirm(office, telegram_id=KASUBBAG, draft_task_id=entry)
    moved = calendar_files(office, FORUM_A)[-1].walk("VEVENT")[0]
    assert (moved["SEQUENCE"], str(moved["UID"])) == (1, str(event["UID"]))
    assert moved.decoded("DTSTART") == THU_1000
    assert row_two(office).due_at == THU_1000 + timedelta(hours=2)
    with office.reading() as session:
        invitee = meeting_store.invitee(session, meeting_id=meeting, official_id=6)
        assert invitee is not None and invitee.answer == "hadir" and invitee.reconfirm

    meetings.cancel_meeting(office, telegram_id=KASUBBAG, meeting_id=meeting)
    cancelled = calendar_files(office, FORUM_A)[-1]
    assert cancelled["METHOD"] == "CANCEL"
    assert cancelled.walk("VEVENT")[0]["SEQUENCE"] == 2
    # The wait ended: the row counts again from now, its 120 minutes untouched.
    clock_now = clock.now
    assert row_two(office).due_at == office.calendar.add_working_minutes(clock_now, 120)
    with pytest.raises(InvalidInput):
        meetings.answer(office, telegram_id=FORUM_B, meeting_id=meeting, given=Answer.HADIR)
    # The task can be scheduled again.
    schedule(office, entry, "03/12/2026 10:00")
    assert len(meetings_of(office)) == 2


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("kemarin sore", "tidak dipahami"),
        ("31/02/2026 09:00", "tidak ada"),
        ("29/11/2026 09:00", "sudah lewat"),
        ("05/12/2026 09:00", "bukan hari kerja"),
        ("25/12/2026 09:00", "bukan hari kerja"),
        ("02/12/2026 19:00", "di luar jam kerja"),
    ],
)
def test_a_bad_time_is_refused_and_asked_again(office: Services, typed: str, says: str) -> None:
    entry = to_the_forum(office)
    meetings.begin_scheduling(office, telegram_id=KASUBBAG, draft_id=1, draft_task_id=entry)
    with pytest.raises(InvalidInput) as refused:
        meetings.take_text(office, telegram_id=KASUBBAG, text=typed)
    assert says in str(refused.value) and "coba lagi" in str(refused.value)
    with office.reading() as session:
        pending = meeting_store.pending_input(session, official_id=1)
    assert pending is not None and pending.step == "waktu"  # nothing moved on
    assert meetings.take_text(office, telegram_id=KASUBBAG, text="02/12/2026 09:00")


def test_refusals_change_nothing(office: Services, clock: FakeClock) -> None:
    entry = to_the_forum(office)
    with pytest.raises(InvalidInput, match="Hanya pemegang tugas rapat"):
        meetings.begin_scheduling(office, telegram_id=SEKRETARIS, draft_id=1, draft_task_id=entry)
    meetings.begin_scheduling(office, telegram_id=KASUBBAG, draft_id=1, draft_task_id=entry)
    meetings.take_text(office, telegram_id=KASUBBAG, text="02/12/2026 09:00")
    with pytest.raises(InvalidInput, match="Terlalu pendek"):
        meetings.take_text(office, telegram_id=KASUBBAG, text="A1")
    with pytest.raises(InvalidInput, match="Terlalu panjang"):
        meetings.take_text(office, telegram_id=KASUBBAG, text="x" * 201)
    with pytest.raises(InvalidInput, match="tidak berlaku"):
        meetings.confirm(office, telegram_id=KASUBBAG, draft_task_id=entry)
    assert meetings.cancel_input(office, telegram_id=KASUBBAG)
    assert not meetings.take_text(office, telegram_id=KASUBBAG, text="Aula")
    assert meetings_of(office) == []

    schedule(office, entry)
    (meeting,) = meetings_of(office)
    with pytest.raises(InvalidInput, match="sudah dijadwalkan"):
        meetings.begin_scheduling(office, telegram_id=KASUBBAG, draft_id=1, draft_task_id=entry)
    with pytest.raises(InvalidInput, match="tidak termasuk peserta"):
        meetings.answer(office, telegram_id=KABID_EKO, meeting_id=meeting, given=Answer.HADIR)
    with pytest.raises(InvalidInput, match="Hanya pemegang tugas rapat"):
        meetings.begin_reschedule(office, telegram_id=FORUM_A, meeting_id=meeting)
    clock.now = WED_0900
    with pytest.raises(InvalidInput, match="sudah dimulai"):
        meetings.answer(office, telegram_id=FORUM_A, meeting_id=meeting, given=Answer.HADIR)
    with pytest.raises(InvalidInput, match="sudah dimulai"):
        meetings.begin_reschedule(office, telegram_id=KASUBBAG, meeting_id=meeting)
    with office.reading() as session:
        answers = [i.answer for i, _ in meeting_store.invitees(session, meeting_id=meeting)]
    assert answers == [None, None]


def test_the_group_post_takes_many_answers_in_one_edit(office: Services, clock: FakeClock) -> None:
    office.admins = frozenset({900})
    meetings.register_group(office, telegram_id=900, chat_id=-5001, title="Forum SKPD Kalbar")
    entry = to_the_forum(office)
    schedule(office, entry)
    (meeting,) = meetings_of(office)
    meetings.answer(office, telegram_id=FORUM_A, meeting_id=meeting, given=Answer.HADIR)
    meetings.answer(office, telegram_id=FORUM_B, meeting_id=meeting, given=Answer.DIWAKILKAN)
    assert meetings.take_text(office, telegram_id=FORUM_B, text="Budi Santoso, Kasi Program")
    meetings.answer(office, telegram_id=FORUM_A, meeting_id=meeting, given=Answer.TIDAK_HADIR)
    edits = [r for r in outbox(office) if r.chat_id == -5001 and r.kind == "ubah_teks"]
    assert len(edits) == 1  # three answers, one edit waiting with the newest summary
    assert "Diwakilkan 1" in edits[0].payload["text"]
    assert "Tidak hadir 1" in edits[0].payload["text"]
    assert edits[0].next_attempt_at > edits[0].created_at  # it waits a little for more


def meetings_of(services: Services) -> list[int]:
    with services.reading() as session:
        return [m.id or 0 for m in meeting_store.meetings_of_draft(session, draft_id=1)]


def calendar_files(services: Services, telegram_id: int) -> list[Calendar]:
    found = []
    for row in outbox(services):
        if row.chat_id != telegram_id:
            continue
        items = row.payload.get("items", [row.payload])
        for item in items:
            if "content" in item:
                found.append(Calendar.from_ical(item["content"]))
    return found
