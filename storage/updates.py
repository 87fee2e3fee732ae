"""Telegram updates already acted on, so that a redelivered update changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.models import HandledUpdate


def mark_handled(session: Session, *, update_id: int, now: datetime) -> bool:
    """Record that an update is being acted on; False when it already was (a redelivery).

    Called in the transaction of the state change itself: if that change rolls back, so
    does this mark, and the update can be acted on again.
    """
    if session.get(HandledUpdate, update_id) is not None:
        return False
    session.add(HandledUpdate(update_id=update_id, at=now))
    session.flush()
    return True
