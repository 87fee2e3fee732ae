"""The inbox of received updates: kept until handled, renewed by the process handling them,
taken over by another once nobody renewed them for the lease."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage import updates as update_store
from storage.db import make_engine

T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


def keep(engine: Engine, update_id: int, at: datetime) -> None:
    with Session(engine) as session:
        update_store.receive(session, updates=[(update_id, {"update_id": update_id})], now=at)
        session.commit()


def take_over(engine: Engine, now: datetime) -> list[int]:
    with Session(engine) as session:
        taken = update_store.take_over(session, kept_before=now - LEASE, now=now)
        session.commit()
    return [update_id for update_id, _ in taken]


def test_only_updates_nobody_renewed_for_the_lease_are_taken_over(database_url: str) -> None:
    engine = make_engine(database_url)
    keep(engine, 3, T0)
    keep(engine, 1, T0 + timedelta(seconds=5))
    keep(engine, 2, T0 + timedelta(seconds=20))
    with Session(engine) as session:  # the process handling 2 is alive: it renews it
        update_store.renew(session, update_ids=[2], now=T0 + timedelta(seconds=30))
        session.commit()

    now = T0 + timedelta(seconds=40)
    assert take_over(engine, now) == [1, 3]  # oldest update first
    assert take_over(engine, now) == []  # now this process's: nobody else takes them
    assert take_over(engine, now + LEASE + timedelta(seconds=1)) == [1, 2, 3]  # not renewed


def test_an_update_is_kept_once_and_forgotten_once_handled(database_url: str) -> None:
    engine = make_engine(database_url)
    keep(engine, 7, T0)
    keep(engine, 7, T0 + timedelta(hours=1))  # Telegram sent it again: still one
    with Session(engine) as session:
        assert update_store.unhandled(session) == [(7, {"update_id": 7})]
        update_store.handled(session, update_ids=[7])
        session.commit()
        assert update_store.unhandled(session) == []
