"""The outbox seen from the office: what is still owed, what could not be delivered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from bot import notify
from bot.usecases.base import Services
from bot.usecases.views import OutboxLine, OutboxReport
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
