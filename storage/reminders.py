"""Queries about reminders: planned rows, the atomic claim that sends one at most once.

A claim is part of the transaction that owes the reminder's messages: a process that dies
before its commit claimed nothing, so a reminder claim needs no lease.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage import acting as acting_store
from storage.models import Draft, Reminder

SENT = "terkirim"
SKIPPED = "dilewati"
CANCELLED = "dibatalkan"


def add_reminder(
    session: Session, *, draft_id: int, row_clock_id: int, kind: str, due_at: datetime
) -> Reminder:
    reminder = Reminder(draft_id=draft_id, row_clock_id=row_clock_id, kind=kind, due_at=due_at)
    session.add(reminder)
    session.flush()
    return reminder


def _waiting() -> list[object]:
    return [col(Reminder.sent_at).is_(None), col(Reminder.cancelled_at).is_(None)]


def due_reminders(session: Session, *, now: datetime, lock: bool = False) -> list[Reminder]:
    """Reminders whose time has come and that have neither gone out nor been cancelled.

    `lock` (PostgreSQL): each is locked with its draft until the commit, and those another
    process holds, or whose draft is being changed right now, are skipped (`SKIP LOCKED`):
    they wait for the next run. A change of a draft locks the draft, then its reminders;
    taking both here without waiting for either can never deadlock with it.
    """
    query = (
        select(Reminder)
        .join(Draft, col(Draft.id) == col(Reminder.draft_id))
        .where(col(Reminder.due_at) <= now, *_waiting())  # type: ignore[arg-type]
        .order_by(col(Reminder.due_at), col(Reminder.id))
    )
    if lock:
        query = query.with_for_update(skip_locked=True)
    return list(session.exec(query).all())


def next_due(session: Session) -> datetime | None:
    """When the next waiting reminder falls due (the scheduler's alarm time)."""
    found = session.exec(
        select(Reminder.due_at)
        .where(*_waiting())  # type: ignore[arg-type]
        .order_by(col(Reminder.due_at))
        .limit(1)
    ).first()
    return found


def next_alarm(session: Session) -> datetime | None:
    """When the scheduler must wake next: the next waiting reminder, or the next end of an
    acting period still to be acted on, whichever comes first."""
    times = [t for t in (next_due(session), acting_store.next_end(session)) if t is not None]
    return min(times, default=None)


def claim(session: Session, *, reminder_id: int, now: datetime, outcome: str = SENT) -> bool:
    """Mark a waiting reminder as handled; False when someone else already did."""
    values: dict[str, object] = {"outcome": outcome}
    if outcome == SENT:
        values["sent_at"] = now
    else:
        values["cancelled_at"] = now
    result = session.execute(
        update(Reminder)
        .where(col(Reminder.id) == reminder_id, *_waiting())  # type: ignore[arg-type]
        .values(**values)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def cancel_for_clock(session: Session, *, row_clock_id: int, now: datetime) -> None:
    """The row was left: its waiting reminders will never be needed."""
    session.execute(
        update(Reminder)
        .where(col(Reminder.row_clock_id) == row_clock_id, *_waiting())  # type: ignore[arg-type]
        .values(cancelled_at=now, outcome=CANCELLED)
    )


def reminders_of(session: Session, *, draft_id: int) -> list[Reminder]:
    return list(
        session.exec(
            select(Reminder).where(Reminder.draft_id == draft_id).order_by(col(Reminder.id))
        ).all()
    )
