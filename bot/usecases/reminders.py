"""Reminders: when the scheduler must wake next, and claiming what has fallen due.

Reminders are rows, planned when a row of the SOP is entered; the scheduler is only an
alarm clock rebuilt from them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot import notify, texts
from bot.usecases import meetings, views
from bot.usecases.base import Services, require_draft
from bot.usecases.views import Person, ReminderNotice
from storage import drafts as draft_store
from storage import officials as official_store
from storage import reminders as reminder_store
from storage.db import locks_rows
from storage.models import Draft, DraftTask, Reminder, RowClock
from workflow import reminders
from workflow.engine import holders_to_act
from workflow.reminders import ReminderKind
from workflow.sop import Sop


def next_reminder_at(services: Services) -> datetime | None:
    """When the scheduler must wake up next: a reminder, or the end of an acting period."""
    with services.reading() as session:
        return reminder_store.next_alarm(session)


def deliver_due_reminders(services: Services) -> list[ReminderNotice]:
    """Claim every reminder whose time has come, and owe its messages in the same commit.

    Per row entry only the newest of the holder's due reminders goes out (a bot that was
    down sends one, not one per missed interval); a row already left sends nothing.
    """
    now = services.clock()
    notices: list[ReminderNotice] = []
    with services.session() as session:
        due = reminder_store.due_reminders(session, now=now, lock=locks_rows(session))
        meeting_messages = meetings.due_reminders(
            services, session, [r for r in due if r.meeting_id is not None], now
        )
        by_clock: dict[int, list[Reminder]] = {}
        for reminder in (r for r in due if r.meeting_id is None):
            by_clock.setdefault(reminder.row_clock_id, []).append(reminder)
        for clock_id, items in by_clock.items():
            notices.extend(_deliver_row(services, session, clock_id, items, now))
        notify.write(
            session,
            [
                notify.text(
                    person.telegram_id,
                    texts.reminder_message(notice, services.tz),
                    official_id=person.official_id,
                )
                for notice in notices
                for person in notice.recipients
            ]
            + meeting_messages,
        )
        session.commit()
    return notices


def _deliver_row(
    services: Services, session: Session, clock_id: int, items: list[Reminder], now: datetime
) -> list[ReminderNotice]:
    clock = session.get(RowClock, clock_id)
    # The reminder's own draft, whichever its agency: its recipients are of that agency.
    draft = require_draft(session, sops=services.sops, draft_id=items[0].draft_id, agency_id=None)
    task = draft_store.open_task(session, draft_id=items[0].draft_id)
    if clock is None or clock.left_at is not None or task is None:
        for reminder in items:
            reminder_store.claim(
                session,
                reminder_id=reminder.id or 0,
                now=now,
                outcome=reminder_store.CANCELLED,
            )
        return []
    sop = services.sops[draft.sop_id]
    to_holder = [r for r in items if not ReminderKind(r.kind).to_superior]
    chosen = [r for r in items if ReminderKind(r.kind).to_superior] + to_holder[-1:]
    for reminder in to_holder[:-1]:
        reminder_store.claim(
            session, reminder_id=reminder.id or 0, now=now, outcome=reminder_store.SKIPPED
        )
    briefing = views.briefing(session, sop, draft, task, now=services.clock())
    notices: list[ReminderNotice] = []
    for reminder in chosen:
        kind = ReminderKind(reminder.kind)
        recipients = _reminder_recipients(session, sop, draft, task, kind, now)
        outcome = reminder_store.SENT if recipients else reminder_store.SKIPPED
        if not reminder_store.claim(
            session, reminder_id=reminder.id or 0, now=now, outcome=outcome
        ):
            continue  # another process got there first
        if kind in (ReminderKind.JATUH_TEMPO, ReminderKind.TERLAMBAT):
            reminder_store.add_reminder(
                session,
                draft_id=clock.draft_id,
                row_clock_id=clock_id,
                kind=ReminderKind.TERLAMBAT.value,
                due_at=reminders.next_overdue(
                    sop.reminder_policy(clock.row_no),
                    services.calendar,
                    now,
                    minutes=clock.standard_minutes,
                ),
            )
        if recipients:
            # Sent on time, the reminder speaks of its own moment (a job fires a few
            # milliseconds late; "12 menit" must not become "11 menit").
            moment = reminder.due_at if now - reminder.due_at < timedelta(minutes=1) else now
            notices.append(
                ReminderNotice(
                    kind=kind,
                    recipients=recipients,
                    briefing=briefing,
                    due_at=clock.due_at,
                    late_minutes=services.calendar.working_minutes_between(clock.due_at, moment),
                    left_minutes=services.calendar.working_minutes_between(moment, clock.due_at),
                )
            )
    return notices


def _reminder_recipients(
    session: Session,
    sop: Sop,
    draft: Draft,
    task: DraftTask,
    kind: ReminderKind,
    now: datetime,
) -> tuple[Person, ...]:
    """The holders still to act, or for an escalation their superiors: in the draft's
    agency only."""
    definition = sop.task(task.task_id)
    roster = official_store.roster(session, now=now, agency_id=draft.agency_id)
    holders = holders_to_act(definition, roster, sop, shares=task.shares, submitted=task.submitted)
    if kind.to_superior:
        superiors = {
            sop.position(h.position).atasan
            for h in holders
            if sop.position(h.position).atasan is not None
        }
        acting_ids = {h.official_id for h in holders}
        holders = tuple(
            h
            for key in sorted(k for k in superiors if k is not None)
            for h in roster.get(key, ())
            if h.official_id not in acting_ids
        )
    ids = list(dict.fromkeys(h.official_id for h in holders))
    people = official_store.officials_by_ids(session, ids=set(ids))
    return tuple(views.person_view(people[i]) for i in ids if i in people)
