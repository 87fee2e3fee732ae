"""Several writers at once on PostgreSQL (READ COMMITTED): claims skip what another holds and
never wait; changes of one draft wait for each other, and the second sees the first.

On SQLite one writer holds the whole database (BEGIN IMMEDIATE): there is nothing of this
to show in one process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.usecases import drafts, reminders
from bot.usecases.base import Services
from storage import drafts as draft_store
from storage import outbox as outbox_store
from storage import reminders as reminder_store
from storage.models import Draft
from tests.bot.usecases.files import new_file
from tests.conftest import FakeClock
from workflow.engine import Upload

pytestmark = pytest.mark.pg

LEASE = timedelta(seconds=60)


@pytest.fixture
def backend() -> str:
    """These tests are PostgreSQL's own."""
    return "postgresql"


@pytest.fixture
def engine(office: Services) -> Iterator[Engine]:
    yield office.engine


def waiting_for_a_lock(engine: Engine) -> bool:
    """Whether a connection of this database waits for a row lock right now."""
    with engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar()
    return bool(found)


def test_two_senders_claim_different_heads_without_waiting(
    office: Services, engine: Engine, clock: FakeClock
) -> None:
    with Session(engine) as session:
        for chat in range(1, 7):
            for n in range(2):
                outbox_store.enqueue(
                    session, chat_id=chat, kind="pesan", payload={"text": f"{n}"}, now=clock.now
                )
        session.commit()
    with Session(engine) as first, Session(engine) as second:
        taken = outbox_store.claim_heads(first, now=clock.now, worker="satu", lease=LEASE, limit=2)
        # The first has not committed: its rows are locked, and the second skips them.
        others = outbox_store.claim_heads(
            second, now=clock.now, worker="dua", lease=LEASE, limit=10
        )
        second.commit()
        first.commit()
    assert len(taken) == 2 and len(others) == 4
    assert {row.chat_id for row in taken} | {row.chat_id for row in others} == set(range(1, 7))
    assert not {row.id for row in taken} & {row.id for row in others}
    # A chat's next row waits for its head, whoever holds it.
    with Session(engine) as third:
        assert (
            outbox_store.claim_heads(third, now=clock.now, worker="tiga", lease=LEASE, limit=10)
            == []
        )


def test_reminders_another_run_holds_or_whose_draft_changes_are_skipped(
    office: Services, engine: Engine, clock: FakeClock
) -> None:
    first_id = drafts.start_draft(office, telegram_id=101, title="Renja 2027").draft.id
    second_id = drafts.start_draft(office, telegram_id=101, title="Renja 2028").draft.id
    clock.advance(minutes=48)
    with Session(engine) as run, Session(engine) as other_run, Session(engine) as action:
        held = reminder_store.due_reminders(run, now=clock.now, lock=True)
        assert {r.draft_id for r in held} == {first_id, second_id}
        assert reminder_store.due_reminders(other_run, now=clock.now, lock=True) == []
        run.rollback()
        # An action on the first draft holds its row: its reminders wait for the next run.
        draft_store.get_draft(action, draft_id=first_id, lock=True)
        found = reminder_store.due_reminders(other_run, now=clock.now, lock=True)
        assert {r.draft_id for r in found} == {second_id}
        other_run.rollback()
        action.rollback()
    sent = reminders.deliver_due_reminders(office)
    assert len(sent) == 2
    assert reminders.deliver_due_reminders(office) == []


def test_a_change_of_a_draft_waits_for_the_one_before_and_sees_it(
    office: Services, engine: Engine
) -> None:
    draft_id = drafts.start_draft(office, telegram_id=101, title="Renja 2027").draft.id
    failures: list[BaseException] = []

    def upload() -> None:
        try:
            # No retry: the change must not meet a revision it did not read.
            drafts._act(
                office,
                101,
                draft_id,
                Upload("konsep_pendahuluan"),
                None,
                new_file("a"),
                None,
                None,
            )
        except BaseException as error:  # reported in the test's own thread
            failures.append(error)

    with Session(engine) as holder:
        draft = draft_store.get_draft(holder, draft_id=draft_id, lock=True)
        assert draft is not None
        worker = threading.Thread(target=upload)
        worker.start()
        while not waiting_for_a_lock(engine):
            worker.join(0.01)
            assert worker.is_alive(), failures
        # Meanwhile another change of the same draft commits.
        holder.execute(
            update(Draft).where(Draft.id == draft_id).values(revision=Draft.revision + 1)  # type: ignore[arg-type]
        )
        holder.commit()
    worker.join()
    assert failures == []
    with office.session() as session:
        draft = draft_store.get_draft(session, draft_id=draft_id)
        assert draft is not None and draft.revision == 3  # start, the change, the upload
        assert len(draft_store.document_versions(session, draft_id=draft_id)) == 1
