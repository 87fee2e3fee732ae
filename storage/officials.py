"""Queries about officials and the positions they hold."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, or_
from sqlmodel import Session, col, select

from storage.models import Assignment, Official
from workflow.engine import Actor, Holder


def add_official(
    session: Session,
    *,
    telegram_id: int,
    name: str,
    now: datetime,
    agency_id: int,
    username: str | None = None,
    agency_admin: bool = False,
) -> Official:
    official = Official(
        telegram_id=telegram_id,
        name=name,
        username=username,
        created_at=now,
        agency_id=agency_id,
        agency_admin=agency_admin,
    )
    session.add(official)
    session.flush()
    return official


def make_agency_admin(session: Session, *, official: Official) -> None:
    official.agency_admin = True
    session.add(official)
    session.flush()


def official_by_telegram_id(session: Session, *, telegram_id: int) -> Official | None:
    return session.exec(select(Official).where(Official.telegram_id == telegram_id)).first()


def official_by_id(session: Session, *, official_id: int) -> Official | None:
    return session.get(Official, official_id)


def officials_by_ids(session: Session, *, ids: set[int]) -> dict[int, Official]:
    if not ids:
        return {}
    found = session.exec(select(Official).where(col(Official.id).in_(ids))).all()
    return {official.id: official for official in found if official.id is not None}


def assign_position(
    session: Session,
    *,
    official_id: int,
    position: str,
    valid_from: datetime,
    unit: str | None = None,
    acting: str | None = None,
    valid_until: datetime | None = None,
    replaces_id: int | None = None,
) -> Assignment:
    assignment = Assignment(
        official_id=official_id,
        position=position,
        unit=unit,
        acting=acting,
        valid_from=valid_from,
        valid_until=valid_until,
        replaces_id=replaces_id,
    )
    session.add(assignment)
    session.flush()
    return assignment


def is_current(now: Any) -> list[ColumnElement[bool]]:
    """Conditions: the assignment is in force at `now`."""
    return [
        col(Assignment.valid_from) <= now,
        or_(col(Assignment.valid_until).is_(None), col(Assignment.valid_until) > now),
    ]


CURRENT_ASSIGNMENTS = (
    select(Assignment, Official)
    .join(Official, col(Official.id) == Assignment.official_id)
    .where(
        Official.active == True,  # noqa: E712
        Official.agency_id == bindparam("agency"),
        *is_current(bindparam("now")),
    )
    .order_by(col(Assignment.id))
)
"""Built once: every action reads it, and building a statement costs more than running it."""


def current_assignments(
    session: Session, *, now: datetime, agency_id: int
) -> list[tuple[Assignment, Official]]:
    """Every position held now by an active official of the agency, oldest assignment first;
    a holder for whom an acting official stands in now is left out (the acting one is in)."""
    rows = session.exec(CURRENT_ASSIGNMENTS, params={"now": now, "agency": agency_id}).all()
    replaced = {assignment.replaces_id for assignment, _ in rows if assignment.replaces_id}
    return [
        (assignment, official) for assignment, official in rows if assignment.id not in replaced
    ]


REPLACED_NOW = (
    select(Assignment.replaces_id)
    .join(Official, col(Official.id) == Assignment.official_id)
    .where(
        Official.active == True,  # noqa: E712
        col(Assignment.replaces_id).in_(bindparam("ids", expanding=True)),
        *is_current(bindparam("now")),
    )
)


def _holder(assignment: Assignment, official: Official) -> Holder:
    assert official.id is not None
    return Holder(
        official_id=official.id,
        name=official.name,
        position=assignment.position,
        unit=assignment.unit,
        acting=assignment.acting,
    )


@dataclass(frozen=True)
class Staff:
    """Who holds each position of one agency now, and the officials behind them: read once
    per use case, in one query, for the roster, the actor and the people to tell."""

    agency_id: int
    roster: dict[str, list[Holder]]
    officials: dict[int, Official]
    """Every active official holding a position now, by official id."""
    holdings: dict[int, tuple[Holder, ...]]
    """What each of them holds, oldest assignment first."""

    def actor(self, telegram_id: int) -> Actor | None:
        """The official behind this account, if they hold a position of this agency now."""
        for official_id, official in self.officials.items():
            if official.telegram_id == telegram_id:
                return Actor(official_id, official.name, self.holdings[official_id])
        return None


def staff(session: Session, *, now: datetime, agency_id: int) -> Staff:
    """Who holds each position of the agency now, with the officials: an acting official in
    the place of the holder they stand in for while the period lasts (one without a holder to
    stand in for beside the holders). Every roster a draft's tasks are given to is read here,
    with the draft's agency: no official of another agency is ever a holder."""
    holders: dict[str, list[Holder]] = defaultdict(list)
    officials: dict[int, Official] = {}
    holdings: dict[int, list[Holder]] = defaultdict(list)
    for assignment, official in current_assignments(session, now=now, agency_id=agency_id):
        holder = _holder(assignment, official)
        holders[assignment.position].append(holder)
        officials[holder.official_id] = official
        holdings[holder.official_id].append(holder)
    return Staff(
        agency_id=agency_id,
        roster=dict(holders),
        officials=officials,
        holdings={official_id: tuple(held) for official_id, held in holdings.items()},
    )


def roster(session: Session, *, now: datetime, agency_id: int) -> dict[str, list[Holder]]:
    """Who holds each position of the agency now (acting officials included)."""
    return staff(session, now=now, agency_id=agency_id).roster


def actor(session: Session, *, telegram_id: int, now: datetime) -> Actor | None:
    """The registered, active official behind a Telegram account, with the positions they
    hold now (not those an acting official holds for them now)."""
    official = official_by_telegram_id(session, telegram_id=telegram_id)
    if official is None or not official.active or official.id is None:
        return None
    return actor_of(session, official=official, now=now)


def actor_of(session: Session, *, official: Official, now: datetime) -> Actor:
    """An official already read, with the positions they hold now."""
    assert official.id is not None
    assignments = session.exec(
        select(Assignment)
        .where(Assignment.official_id == official.id, *is_current(now))
        .order_by(col(Assignment.id))
    ).all()
    if assignments:
        ids = [assignment.id for assignment in assignments]
        replaced = set(session.exec(REPLACED_NOW, params={"ids": ids, "now": now}).all())
        assignments = [a for a in assignments if a.id not in replaced]
    return Actor(
        official_id=official.id,
        name=official.name,
        holdings=tuple(_holder(assignment, official) for assignment in assignments),
    )


def list_officials(
    session: Session, *, agency_id: int | None = None
) -> list[tuple[Official, list[Assignment]]]:
    """Every official (of one agency, or of all), with every assignment they ever had."""
    query = select(Official).order_by(col(Official.id))
    if agency_id is not None:
        query = query.where(Official.agency_id == agency_id)
    officials = session.exec(query).all()
    assignments = session.exec(select(Assignment).order_by(col(Assignment.id))).all()
    by_official: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        by_official[assignment.official_id].append(assignment)
    return [(official, by_official[official.id or 0]) for official in officials]
