"""Queries about the outbox: messages owed, claimed one at a time, delivered in order.

A chat's rows go out in `id` order: only the oldest waiting row of a chat (its head) can be
claimed, so a task message is always sent before its documents, and an edit after the
message it edits. A claim is a lease (`claimed_until`): the claimer sends and records the
result; a claim whose process died expires and the row is taken again.

Claiming is one UPDATE. On PostgreSQL the rows it takes are selected `FOR UPDATE SKIP
LOCKED`: two senders claiming at once take different rows, neither waits for the other, and
a row claimed meanwhile is checked again (READ COMMITTED) and left. On SQLite the writer
holds the whole database while it claims.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, bindparam, func, insert, literal_column, or_, update
from sqlmodel import Session, col, select

from storage.models import AwareDateTime, Official, OutboxMessage

WAITING = "menunggu"
SENT = "terkirim"
FAILED = "gagal"

# What a row asks of Telegram.
MESSAGE = "pesan"
DOCUMENT = "dokumen"
PHOTO = "foto"
ALBUM = "album"
"""2 to 10 documents, or 2 to 10 photos, in one message group (they cannot be mixed)."""
EDIT_TEXT = "ubah_teks"
DROP_BUTTONS = "hapus_tombol"

OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
"""The sender's bookkeeping runs on the table itself (SQLAlchemy Core): it is on every send's
path, and needs no ORM objects."""


def enqueue(
    session: Session,
    *,
    chat_id: int,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    official_id: int | None = None,
    edit_of: int | None = None,
    tag: str | None = None,
    not_before: datetime | None = None,
) -> OutboxMessage:
    """Owe `chat_id` a message; it goes out after everything owed to that chat before it
    (and not before `not_before`, when given)."""
    row = OutboxMessage(
        chat_id=chat_id,
        kind=kind,
        payload=payload,
        official_id=official_id,
        edit_of=edit_of,
        tag=tag,
        status=WAITING,
        next_attempt_at=max(now, not_before) if not_before is not None else now,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def waiting_edit(session: Session, *, edit_of: int, now: datetime) -> OutboxMessage | None:
    """An edit of row `edit_of` still waiting and not being sent: a newer text can replace
    its payload instead of queueing one more edit."""
    return session.exec(
        select(OutboxMessage)
        .where(
            OutboxMessage.edit_of == edit_of,
            OutboxMessage.status == WAITING,
            _free(now),
        )
        .order_by(col(OutboxMessage.id).desc())
    ).first()


def enqueue_all(session: Session, *, messages: list[dict[str, Any]], now: datetime) -> None:
    """Owe several messages at once, in this order, in one statement.

    Each is a dict of `chat_id`, `kind`, `payload` and optionally `official_id`, `edit_of`,
    `tag`. Nothing is handed back: a use case that owes messages never needs their rows.
    """
    if not messages:
        return
    session.execute(
        insert(OUTBOX),
        [
            {
                "official_id": None,
                "edit_of": None,
                "tag": None,
                **message,
                "status": WAITING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for message in messages
        ],
    )


def _free(now: Any) -> Any:
    """Not claimed, or claimed by a claim that expired before `now`."""
    return or_(OUTBOX.c.claimed_until.is_(None), OUTBOX.c.claimed_until < now)


@dataclass(frozen=True)
class Claimed:
    """A row claimed for sending, with what the sender needs of it."""

    id: int
    chat_id: int
    kind: str
    payload: dict[str, Any]
    official_id: int | None
    edit_of: int | None
    tag: str | None
    attempts: int
    next_attempt_at: datetime
    edit_target: int | None
    """For an edit of a row the outbox sent (`edit_of`): that message's Telegram id, as
    recorded when the row was claimed (it was sent before: it is older, in the same chat)."""


def _heads() -> Any:
    """The oldest waiting row of each chat: the only one of its chat that may be sent."""
    return (
        select(func.min(OUTBOX.c.id)).where(OUTBOX.c.status == WAITING).group_by(OUTBOX.c.chat_id)
    )


def _claiming(which: Any, dialect: str) -> Any:
    """Claim the rows `which` selects, in one statement, returning what the sender needs.

    Built once for each database (parameters bound at each call): building a statement
    costs more than running it.
    """
    # Spelled out: SQLAlchemy writes RETURNING's columns without their table, and inside
    # the subquery a bare `edit_of` would be the edited row's own.
    target = literal_column(
        "(SELECT edited.telegram_message_id FROM outbox AS edited"
        " WHERE edited.id = outbox.edit_of)",
        Integer,
    )
    now: Any = bindparam("now")
    if dialect == "postgresql":
        # Selected once, before the update, and locked (skipping rows another claimer holds).
        # Not `IN (subquery)`: PostgreSQL may run that subquery again for each row it
        # updates, and each run, skipping the rows already claimed, returns the next ones:
        # the LIMIT would hold for each run, not for the claim.
        picked = which.with_for_update(skip_locked=True).cte("picked").prefix_with("MATERIALIZED")
        chosen = OUTBOX.c.id == picked.c.id
    else:
        chosen = OUTBOX.c.id.in_(which)
    return (
        update(OUTBOX)
        .where(chosen, OUTBOX.c.status == WAITING, _free(now))
        .values(claimed_until=bindparam("until"), claimed_by=bindparam("worker"))
        .returning(*(OUTBOX.c[name] for name in CLAIMED_COLUMNS), target)
    )


CLAIMED_COLUMNS = (
    "id",
    "chat_id",
    "kind",
    "payload",
    "official_id",
    "edit_of",
    "tag",
    "attempts",
    "next_attempt_at",
)
DIALECTS = ("sqlite", "postgresql")
CLAIM_HEADS = {
    dialect: _claiming(
        select(OUTBOX.c.id)
        .where(
            OUTBOX.c.id.in_(_heads()),
            OUTBOX.c.next_attempt_at <= bindparam("now"),
            _free(bindparam("now")),
        )
        .order_by(OUTBOX.c.next_attempt_at, OUTBOX.c.id)
        .limit(bindparam("limit")),
        dialect,
    )
    for dialect in DIALECTS
}
CLAIM_NEXT_OF_CHAT = {
    dialect: _claiming(
        select(OUTBOX.c.id).where(
            OUTBOX.c.id
            == select(func.min(OUTBOX.c.id))
            .where(OUTBOX.c.chat_id == bindparam("chat"), OUTBOX.c.status == WAITING)
            .scalar_subquery(),
            OUTBOX.c.next_attempt_at <= bindparam("now"),
        ),
        dialect,
    )
    for dialect in DIALECTS
}


def _claim(session: Session, claiming: dict[str, Any], **values: Any) -> list[Claimed]:
    connection = session.connection()
    found = connection.execute(claiming[connection.dialect.name], values).all()
    return sorted((Claimed(*row) for row in found), key=lambda row: (row.next_attempt_at, row.id))


def claim_heads(
    session: Session, *, now: datetime, worker: str, lease: timedelta, limit: int
) -> list[Claimed]:
    """Claim up to `limit` chat heads that are due; each claimed by this worker only."""
    return _claim(session, CLAIM_HEADS, now=now, until=now + lease, worker=worker, limit=limit)


def claim_next_of_chat(
    session: Session, *, chat_id: int, now: datetime, worker: str, lease: timedelta
) -> Claimed | None:
    """Claim the head of one chat if it is due and free (the sender goes on with that chat)."""
    claimed = _claim(
        session, CLAIM_NEXT_OF_CHAT, now=now, until=now + lease, worker=worker, chat=chat_id
    )
    return claimed[0] if claimed else None


def _finish(session: Session, row_id: int, worker: str, **values: Any) -> bool:
    result = session.connection().execute(
        update(OUTBOX)
        .where(OUTBOX.c.id == row_id, OUTBOX.c.claimed_by == worker)
        .values(claimed_until=None, claimed_by=None, **values)
    )
    return bool(result.rowcount == 1)


MARK_SENT = (
    update(OUTBOX)
    .where(OUTBOX.c.id == bindparam("row"), OUTBOX.c.claimed_by == bindparam("claimer"))
    .values(
        claimed_until=None,
        claimed_by=None,
        status=SENT,
        sent_at=bindparam("at"),
        telegram_message_id=bindparam("message"),
        attempts=OUTBOX.c.attempts + 1,
    )
)


def mark_sent(
    session: Session, *, row_id: int, worker: str, now: datetime, message_id: int | None
) -> bool:
    """The row arrived (or there was nothing left to do, e.g. an edit already made)."""
    result = session.connection().execute(
        MARK_SENT, {"row": row_id, "claimer": worker, "at": now, "message": message_id}
    )
    return bool(result.rowcount == 1)


def postpone(
    session: Session, *, row_id: int, worker: str, until: datetime, error: str, failed_try: bool
) -> bool:
    """Try again at `until`; a failed try counts towards the backoff, a flood wait does not."""
    values: dict[str, Any] = {"next_attempt_at": until, "last_error": error[:500]}
    if failed_try:
        values["attempts"] = OUTBOX.c.attempts + 1
    return _finish(session, row_id, worker, **values)


def mark_failed(session: Session, *, row_id: int, worker: str, error: str) -> bool:
    """The row can never arrive (blocked, chat not found, refused as malformed)."""
    return _finish(
        session,
        row_id,
        worker,
        status=FAILED,
        last_error=error[:500],
        attempts=OUTBOX.c.attempts + 1,
    )


def fail_waiting(session: Session, *, chat_id: int, error: str) -> int:
    """Every unclaimed waiting row of a chat that cannot be reached fails with it."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.chat_id) == chat_id,
            col(OutboxMessage.status) == WAITING,
            col(OutboxMessage.claimed_by).is_(None),
        )
        .values(status=FAILED, last_error=error[:500])
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def failed_since(session: Session, *, chat_id: int, since: datetime, exclude: int) -> bool:
    """Whether a row to this chat already failed since `since` (the administrators know)."""
    found = session.exec(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.status == FAILED,
            col(OutboxMessage.created_at) >= since,
            col(OutboxMessage.id) != exclude,
        )
        .limit(1)
    ).first()
    return found is not None


def move_chat(session: Session, *, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: what was owed to it goes to its new id."""
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.chat_id) == old_chat_id, col(OutboxMessage.status) == WAITING)
        .values(chat_id=new_chat_id)
    )


def row(session: Session, *, row_id: int) -> OutboxMessage | None:
    return session.get(OutboxMessage, row_id)


TAGGED = (
    select(OutboxMessage)
    .where(OutboxMessage.tag == bindparam("tag"), col(OutboxMessage.status) != FAILED)
    .order_by(col(OutboxMessage.id))
)


def tagged(session: Session, *, tag: str) -> list[OutboxMessage]:
    """Rows about one thing (a task's buttons), sent or still waiting."""
    return list(session.exec(TAGGED, params={"tag": tag}).all())


def _next_attempt_at(larger: Any) -> Any:
    claimable = larger(
        OUTBOX.c.next_attempt_at,
        func.coalesce(OUTBOX.c.claimed_until, OUTBOX.c.next_attempt_at),
    )
    return select(func.min(claimable, type_=AwareDateTime)).where(OUTBOX.c.id.in_(_heads()))


NEXT_ATTEMPT_AT = {
    # The larger of two values: SQLite's max() of several arguments, PostgreSQL's greatest().
    "sqlite": _next_attempt_at(func.max),
    "postgresql": _next_attempt_at(func.greatest),
}


def next_attempt_at(session: Session) -> datetime | None:
    """When a waiting row may next be claimed (the sender's alarm); None when none waits.

    Only a chat's head can be claimed, and a claimed head only once its claim expires: a
    row behind a head being sent is not due yet, however old it is.
    """
    connection = session.connection()
    found: datetime | None = connection.execute(NEXT_ATTEMPT_AT[connection.dialect.name]).scalar()
    return found


def release_claims(session: Session) -> int:
    """Forget every claim: at start-up of the only process, claims left are a dead one's."""
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.claimed_by).is_not(None), col(OutboxMessage.status) == WAITING)
        .values(claimed_until=None, claimed_by=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def listing(
    session: Session, *, statuses: tuple[str, ...] = (WAITING, FAILED), limit: int = 50
) -> list[tuple[OutboxMessage, str | None]]:
    """The newest rows of the given statuses, with the recipient's name where known."""
    return [
        (found, name)
        for found, name in session.exec(
            select(OutboxMessage, Official.name)
            .join(Official, col(Official.id) == col(OutboxMessage.official_id), isouter=True)
            .where(col(OutboxMessage.status).in_(statuses))
            .order_by(col(OutboxMessage.id).desc())
            .limit(limit)
        ).all()
    ]


def counts(session: Session) -> dict[str, int]:
    """How many rows are waiting, sent and failed."""
    found = session.exec(
        select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status))
    ).all()
    return {status: int(count) for status, count in found}


def retry(session: Session, *, row_id: int, now: datetime) -> bool:
    """Send a failed row again (an administrator's decision, e.g. after an unblock)."""
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id, col(OutboxMessage.status) == FAILED)
        .values(status=WAITING, next_attempt_at=now, attempts=0, claimed_until=None)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def requeue_failed(
    session: Session, *, chat_id: int, since: datetime, now: datetime
) -> dict[int, int]:
    """Owe again, as new rows after everything owed so far, the messages (not edits) to
    `chat_id` that failed since `since`; the old rows stay as they were. Old id -> new id."""
    failed = session.exec(
        select(OutboxMessage)
        .where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.status == FAILED,
            col(OutboxMessage.created_at) >= since,
            col(OutboxMessage.kind).in_((MESSAGE, DOCUMENT, PHOTO, ALBUM)),
        )
        .order_by(col(OutboxMessage.id))
    ).all()
    moved: dict[int, int] = {}
    for row in failed:
        copy = enqueue(
            session,
            chat_id=chat_id,
            kind=row.kind,
            payload=dict(row.payload),
            now=now,
            official_id=row.official_id,
            tag=row.tag,
        )
        row.tag = None  # the copy carries it: later edits find the copy
        row.last_error = f"{row.last_error or ''} (dikirim ulang sebagai #{copy.id})".strip()
        session.add(row)
        moved[row.id or 0] = copy.id or 0
    return moved
