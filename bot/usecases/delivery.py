"""The outbox seen from the office: what is still owed, what could not be delivered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot import notify
from bot.usecases.base import Services
from bot.usecases.views import OutboxLine, OutboxReport
from storage import meetings as meeting_store
from storage import outbox as outbox_store


def owe(services: Services, *, messages: Sequence[notify.Outgoing]) -> None:
    """Owe these messages (answers to a command), in this order."""
    with services.session() as session:
        notify.write(session, messages)
        session.commit()


def report(services: Services, *, limit: int = 20) -> OutboxReport:
    with services.session() as session:
        counts = outbox_store.counts(session)
        lines = tuple(
            OutboxLine(
                id=row.id or 0,
                chat_id=row.chat_id,
                recipient=name,
                kind=row.kind,
                status=row.status,
                attempts=row.attempts,
                last_error=row.last_error,
                created_at=row.created_at,
            )
            for row, name in outbox_store.listing(session, limit=limit)
        )
        return OutboxReport(counts, lines)


def retry(services: Services, *, row_id: int) -> bool:
    """Send a failed message again (after the person unblocked the bot, say)."""
    with services.session() as session:
        done = outbox_store.retry(session, row_id=row_id, now=datetime.now(UTC))
        session.commit()
        return done


REDELIVER_WITHIN = timedelta(days=7)
"""How old a message that could not be delivered may be to be sent once the person starts
the bot after all."""


def redeliver(services: Services, *, chat_id: int) -> int:
    """The person opened the bot (pressed Start): what could not reach them lately is sent
    now, in its order, after the welcome. Returns how many messages."""
    now = datetime.now(UTC)
    with services.session() as session:
        moved = outbox_store.requeue_failed(
            session, chat_id=chat_id, since=now - REDELIVER_WITHIN, now=now
        )
        for old, new in moved.items():
            meeting_store.move_invitation(session, old_id=old, new_id=new)
        session.commit()
        return len(moved)
