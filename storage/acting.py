"""Queries about acting periods (Plh., Plt.): proposals, setting one, and the atomic claim of
a period's end that the scheduler acts on once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import ActingPeriod, Assignment, Official
from storage.officials import is_current

PROPOSED = "usulan"
SET = "ditetapkan"
CANCELLED = "dibatalkan"


def propose(
    session: Session,
    *,
    acting: str,
    position: str,
    unit: str | None,
    official_id: int,
    holder_id: int,
    replaces_id: int,
    valid_until: datetime,
    proposed_by: int,
    now: datetime,
) -> ActingPeriod:
    period = ActingPeriod(
        acting=acting,
        position=position,
        unit=unit,
        official_id=official_id,
        holder_id=holder_id,
        replaces_id=replaces_id,
        valid_until=valid_until,
        status=PROPOSED,
        proposed_by=proposed_by,
        proposed_at=now,
    )
    session.add(period)
    session.flush()
    return period


def period(session: Session, *, period_id: int) -> ActingPeriod | None:
    return session.get(ActingPeriod, period_id)


def decide(session: Session, *, period_id: int, status: str, now: datetime) -> bool:
    """Set or cancel a proposal; False when it was decided already (a second press)."""
    values: dict[str, object] = {"status": status}
    if status == SET:
        values["valid_from"] = now
    result = session.execute(
        update(ActingPeriod)
        .where(col(ActingPeriod.id) == period_id, col(ActingPeriod.status) == PROPOSED)
        .values(**values)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def overlapping(
    session: Session,
    *,
    agency_id: int,
    position: str,
    unit: str | None,
    start: datetime,
    end: datetime,
) -> list[ActingPeriod]:
    """Periods set for the agency's position (and unit) that share a moment with
    [start, end)."""
    return list(
        session.exec(
            select(ActingPeriod)
            .join(Official, col(Official.id) == ActingPeriod.holder_id)
            .where(
                Official.agency_id == agency_id,
                ActingPeriod.status == SET,
                ActingPeriod.position == position,
                col(ActingPeriod.unit).is_(None) if unit is None else ActingPeriod.unit == unit,
                col(ActingPeriod.valid_from) < end,
                col(ActingPeriod.valid_until) > start,
            )
            .order_by(col(ActingPeriod.valid_from))
        ).all()
    )


def _ending() -> list[object]:
    return [ActingPeriod.status == SET, col(ActingPeriod.ended_at).is_(None)]


def due_ends(session: Session, *, now: datetime) -> list[ActingPeriod]:
    """Set periods whose end has come and that nobody has acted on yet, oldest first."""
    return list(
        session.exec(
            select(ActingPeriod)
            .where(*_ending(), col(ActingPeriod.valid_until) <= now)  # type: ignore[arg-type]
            .order_by(col(ActingPeriod.valid_until), col(ActingPeriod.id))
        ).all()
    )


def next_end(session: Session) -> datetime | None:
    """When the next set period ends that nobody has acted on (the scheduler's alarm)."""
    return session.exec(
        select(ActingPeriod.valid_until)
        .where(*_ending())  # type: ignore[arg-type]
        .order_by(col(ActingPeriod.valid_until))
        .limit(1)
    ).first()


def claim_end(session: Session, *, period_id: int, now: datetime) -> bool:
    """Mark a period's end as acted on; False when someone else already did."""
    result = session.execute(
        update(ActingPeriod)
        .where(col(ActingPeriod.id) == period_id, *_ending())  # type: ignore[arg-type]
        .values(ended_at=now)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def holders(
    session: Session, *, agency_id: int, position: str, now: datetime
) -> list[tuple[Assignment, Official]]:
    """Who holds the agency's position now in their own right (acting officials left out,
    holders an acting official stands in for kept), active officials only, oldest first."""
    rows = session.exec(
        select(Assignment, Official)
        .join(Official, col(Official.id) == Assignment.official_id)
        .where(
            Official.active == True,  # noqa: E712
            Official.agency_id == agency_id,
            Assignment.position == position,
            col(Assignment.acting).is_(None),
            *is_current(now),
        )
        .order_by(col(Assignment.id))
    ).all()
    return [(assignment, official) for assignment, official in rows]


def periods(session: Session) -> list[ActingPeriod]:
    return list(session.exec(select(ActingPeriod).order_by(col(ActingPeriod.id))).all())
