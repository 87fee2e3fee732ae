"""Telegram updates: received ones kept until handled (the inbox), and those already acted
on, so that a redelivered update changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.models import HandledUpdate, InboxUpdate

INBOX = InboxUpdate.__table__  # type: ignore[attr-defined]

# Built once, for each database: every action runs the first. "Insert unless already there"
# is spelled the same on both (ON CONFLICT DO NOTHING), by each dialect's own `insert`.
MARK_HANDLED = {
    name: insert(HandledUpdate)
    .values(update_id=bindparam("handled"), at=bindparam("when"))
    .on_conflict_do_nothing(index_elements=["update_id"])
    # An INSERT's row count is kept only when asked for (psycopg's would be lost).
    .execution_options(preserve_rowcount=True)
    for name, insert in (("sqlite", sqlite.insert), ("postgresql", postgresql.insert))
}
KEEP = {
    name: insert(INBOX)
    .values(update_id=bindparam("kept"), payload=bindparam("body"), received_at=bindparam("at"))
    .on_conflict_do_nothing(index_elements=["update_id"])
    for name, insert in (("sqlite", sqlite.insert), ("postgresql", postgresql.insert))
}


def mark_handled(session: Session, *, update_id: int, now: datetime) -> bool:
    """Record that an update is being acted on; False when it already was (a redelivery).

    Called in the transaction of the state change itself: if that change rolls back, so
    does this mark, and the update can be acted on again.
    """
    # One statement: insert unless already there (a unique key, then ask what happened).
    connection = session.connection()
    result = connection.execute(
        MARK_HANDLED[connection.dialect.name], {"handled": update_id, "when": now}
    )
    return bool(result.rowcount == 1)


def receive(session: Session, *, updates: list[tuple[int, dict[str, Any]]], now: datetime) -> None:
    """Keep fetched updates until they are handled; one already kept is not kept twice."""
    connection = session.connection()
    connection.execute(
        KEEP[connection.dialect.name],
        [{"kept": update_id, "body": payload, "at": now} for update_id, payload in updates],
    )


def unhandled(session: Session) -> list[tuple[int, dict[str, Any]]]:
    """Updates received by an earlier run that it did not finish handling, oldest first."""
    rows = session.exec(select(InboxUpdate).order_by(col(InboxUpdate.update_id))).all()
    return [(row.update_id, row.payload) for row in rows]


FORGET = delete(InboxUpdate).where(
    col(InboxUpdate.update_id).in_(bindparam("done", expanding=True))
)


def handled(session: Session, *, update_ids: list[int]) -> None:
    """These updates have been handled to the end: forget them."""
    session.connection().execute(FORGET, {"done": update_ids})


def take_over(
    session: Session, *, kept_before: datetime, now: datetime
) -> list[tuple[int, dict[str, Any]]]:
    """Updates whose time (`received_at`, renewed by `renew`) is older than `kept_before`:
    the process that received them died. They become this process's (their time is set to
    `now`), oldest first.

    One statement: of two processes asking at once, each update goes to one of them.
    """
    taken = session.connection().execute(
        update(InboxUpdate)
        .where(col(InboxUpdate.received_at) < kept_before)
        .values(received_at=now)
        .returning(col(InboxUpdate.update_id), col(InboxUpdate.payload))
    )
    return sorted(((row[0], row[1]) for row in taken), key=lambda kept: kept[0])


def renew(session: Session, *, update_ids: list[int], now: datetime) -> None:
    """These updates are still being handled by this process: no other may take them over."""
    session.connection().execute(
        update(InboxUpdate)
        .where(col(InboxUpdate.update_id).in_(update_ids))
        .values(received_at=now)
    )
