"""Queries about the outbox: messages owed, claimed one at a time, delivered in order.

A chat's rows go out in `id` order: only the oldest waiting row of a chat (its head) can be
claimed, so a task message is always sent before its documents, and an edit after the
message it edits. A claim is a lease (`claimed_until`): the claimer sends and records the
result; a claim whose process died expires and the row is taken again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from storage.models import Official, OutboxMessage

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


def _free(now: datetime) -> Any:
    return or_(col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) < now)


def claim_heads(
    session: Session, *, now: datetime, worker: str, lease: timedelta, limit: int
) -> list[OutboxMessage]:
    """Claim up to `limit` chat heads that are due; each claimed by this worker only."""
    heads = (
        select(func.min(OutboxMessage.id))
        .where(OutboxMessage.status == WAITING)
        .group_by(col(OutboxMessage.chat_id))
    )
    candidates = session.exec(
        select(OutboxMessage)
        .where(
            col(OutboxMessage.id).in_(heads),
            col(OutboxMessage.next_attempt_at) <= now,
            _free(now),
        )
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    ).all()
    claimed: list[OutboxMessage] = []
    for row in candidates:
        result = session.execute(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id) == row.id,
                col(OutboxMessage.status) == WAITING,
                _free(now),
            )
            .values(claimed_until=now + lease, claimed_by=worker)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            session.refresh(row)
            claimed.append(row)
    return claimed


def _finish(session: Session, row_id: int, worker: str, **values: Any) -> bool:
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id, col(OutboxMessage.claimed_by) == worker)
        .values(claimed_until=None, claimed_by=None, **values)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def mark_sent(
    session: Session, *, row_id: int, worker: str, now: datetime, message_id: int | None
) -> bool:
    """The row arrived (or there was nothing left to do, e.g. an edit already made)."""
    return _finish(
        session,
        row_id,
        worker,
        status=SENT,
        sent_at=now,
        telegram_message_id=message_id,
        attempts=OutboxMessage.attempts + 1,
    )


def postpone(
    session: Session, *, row_id: int, worker: str, until: datetime, error: str, failed_try: bool
) -> bool:
    """Try again at `until`; a failed try counts towards the backoff, a flood wait does not."""
    values: dict[str, Any] = {"next_attempt_at": until, "last_error": error[:500]}
    if failed_try:
        values["attempts"] = OutboxMessage.attempts + 1
    return _finish(session, row_id, worker, **values)


def mark_failed(session: Session, *, row_id: int, worker: str, error: str) -> bool:
    """The row can never arrive (blocked, chat not found, refused as malformed)."""
    return _finish(
        session,
        row_id,
        worker,
        status=FAILED,
        last_error=error[:500],
        attempts=OutboxMessage.attempts + 1,
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


def tagged(session: Session, *, tag: str) -> list[OutboxMessage]:
    """Rows about one thing (a task's buttons), sent or still waiting."""
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.tag == tag, col(OutboxMessage.status) != FAILED)
            .order_by(col(OutboxMessage.id))
        ).all()
    )


def next_attempt_at(session: Session) -> datetime | None:
    """When the earliest waiting row may be tried (the sender's alarm)."""
    return session.exec(
        select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.status == WAITING)
    ).first()


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
