"""Storage: data survives closing and reopening, migrations keep data and match the models."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from bot.usecases import drafts, reading
from bot.usecases.base import EVERY_AGENCY, Services
from storage import drafts as draft_store
from storage import officials as official_store
from storage.db import (
    alembic_config,
    current_revision,
    make_engine,
    reader,
    upgrade,
    write_turn_taken,
)
from storage.drafts import ConcurrentChange, NewFile
from storage.models import AwareDateTime
from tests.conftest import FakeClock
from tests.pg import PostgresServer
from workflow.calendar import OfficeCalendar
from workflow.engine import Approve, Return, Submit, Upload
from workflow.sop import Sop


def new_file(content: bytes, name: str = "konsep.pdf") -> NewFile:
    digest = hashlib.sha256(content).hexdigest()
    return NewFile(
        file_name=name,
        mime_type="application/pdf",
        size=len(content),
        sha256=digest,
        telegram_file_id=f"file-{digest[:8]}",
        telegram_file_unique_id=digest[:12],
        stored_path=f"1/{digest}.pdf",
    )


def test_drafts_documents_and_audit_survive_reopening(
    office: Services, database_url: str, sops: dict[str, Sop], clock: FakeClock
) -> None:
    started = drafts.start_draft(office, telegram_id=101, title="Renja BAPPEDA 2027", year=2027)
    draft_id = started.draft.id
    drafts.act(
        office,
        telegram_id=101,
        draft_id=draft_id,
        action=Upload("konsep_pendahuluan"),
        new_file=new_file(b"v1"),
    )
    drafts.act(office, telegram_id=101, draft_id=draft_id, action=Submit())
    clock.advance(minutes=20)
    drafts.act(office, telegram_id=102, draft_id=draft_id, action=Return("Tambahkan RENSTRA"))
    drafts.act(
        office,
        telegram_id=101,
        draft_id=draft_id,
        action=Upload("konsep_pendahuluan"),
        new_file=new_file(b"v2"),
    )
    office.engine.dispose()

    reopened = Services(
        engine=make_engine(database_url),
        sops=sops,
        calendar=OfficeCalendar.default(),
        clock=clock,
        files_dir=office.files_dir,
        max_upload_bytes=office.max_upload_bytes,
    )
    _, trail = reading.history(reopened, scope=EVERY_AGENCY, draft_id=draft_id)
    assert [(line.actor, line.action) for line in trail] == [
        ("Rina Kasubbag", "dibuat"),
        ("Rina Kasubbag", "unggah"),
        ("Rina Kasubbag", "kirim"),
        ("Budi Sekretaris", "kembalikan"),
        ("Rina Kasubbag", "unggah"),
    ]
    assert trail[3].note == "Tambahkan RENSTRA"
    versions = [(line.document.version, line.document.sha256) for line in trail if line.document]
    assert versions == [
        (1, hashlib.sha256(b"v1").hexdigest()),
        (2, hashlib.sha256(b"v2").hexdigest()),
    ]
    assert all(line.at.tzinfo is not None for line in trail)
    (status,) = reading.draft_status(reopened, scope=EVERY_AGENCY, draft_id=draft_id)
    assert status.briefing is not None
    assert status.briefing.task.id == "konsep_pendahuluan"
    assert status.briefing.return_note == "Tambahkan RENSTRA"
    assert [d.version for d in status.briefing.documents] == [2]
    assert status.rows[0].row_no == 1
    # Entered Monday 08:00 WIB: 60 working minutes later is 09:00 WIB (02:00 UTC).
    assert status.rows[0].due_at.isoformat() == "2026-11-30T02:00:00+00:00"
    # Carry on after reopening: the state is rebuilt from the rows.
    drafts.act(reopened, telegram_id=101, draft_id=draft_id, action=Submit())
    outcome = drafts.act(reopened, telegram_id=102, draft_id=draft_id, action=Approve())
    assert [b.task.id for b in outcome.opened] == ["nota_dinas"]


def test_db_upgrade_keeps_existing_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lama.db'}"
    upgrade(url, "0001")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO official (telegram_id, name, active, created_at) "
                "VALUES (555, 'Pejabat Lama', 1, '2026-01-05 01:00:00')"
            )
        )
    engine.dispose()
    upgrade(url)
    upgrade(url)
    assert current_revision(url) is not None
    engine = make_engine(url)
    with Session(engine) as session:
        official = official_store.official_by_telegram_id(session, telegram_id=555)
        assert official is not None
        assert official.name == "Pejabat Lama"
        assert official.created_at.tzinfo is not None
    engine.dispose()


def test_migrations_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def test_each_database_runs_as_the_bot_needs(database_url: str, backend: str) -> None:
    """SQLite: WAL with a busy timeout. PostgreSQL: READ COMMITTED, every time a timestamptz."""
    engine = make_engine(database_url)
    with engine.connect() as connection:
        if backend == "sqlite":
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
        else:
            isolation = connection.execute(text("SHOW transaction_isolation")).scalar()
            assert isolation == "read committed"
            types = connection.execute(
                text(
                    "SELECT DISTINCT data_type FROM information_schema.columns"
                    " WHERE table_schema = current_schema() AND data_type LIKE 'timestamp%'"
                )
            ).all()
            assert types == [("timestamp with time zone",)]
    engine.dispose()


def test_writers_of_one_process_take_turns(tmp_path: Path) -> None:
    """Many threads read, add one and write back, each in its own transaction: none fails
    with "database is locked", none loses another's change, and the turn is free after."""
    engine = make_engine(f"sqlite:///{tmp_path / 'turns.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))

    def add(_: int) -> None:
        with Session(engine) as session:
            n = session.execute(text("SELECT n FROM counter")).scalar_one()
            session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
            session.commit()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(add, range(200)))
    with Session(reader(engine)) as session:
        assert session.execute(text("SELECT n FROM counter")).scalar_one() == 200
    assert not write_turn_taken(engine)
    engine.dispose()


def test_the_write_turn_is_given_back_however_a_transaction_ends(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'turn.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    assert not write_turn_taken(engine)

    with Session(engine) as session:  # committed
        session.execute(text("INSERT INTO t VALUES (1)"))
        assert write_turn_taken(engine)
        session.commit()
        assert not write_turn_taken(engine)

    with pytest.raises(RuntimeError), Session(engine) as session:  # failed: rolled back
        session.execute(text("INSERT INTO t VALUES (2)"))
        raise RuntimeError("the use case refused")
    assert not write_turn_taken(engine)

    with engine.connect() as connection:  # commits and goes on: keeps its turn, no wait
        connection.execute(text("INSERT INTO t VALUES (3)"))
        connection.commit()
        connection.execute(text("INSERT INTO t VALUES (4)"))
        connection.commit()
        assert write_turn_taken(engine)
    assert not write_turn_taken(engine)

    with Session(reader(engine)) as session:  # reading takes no turn
        assert session.execute(text("SELECT count(*) FROM t")).scalar_one() == 3
        assert not write_turn_taken(engine)
    engine.dispose()


@pytest.mark.pg
def test_timestamps_of_an_older_postgresql_database_become_timestamptz(
    postgres: PostgresServer,
) -> None:
    """A database migrated before times were timestamptz keeps its times (they were UTC)."""
    name = postgres.new_database(migrated=False)
    url = postgres.url(name)
    try:
        upgrade(url, "0008")
        engine = make_engine(url)
        with engine.begin() as connection:
            # As the migrations made them then: times without a zone.
            for table, column in connection.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns"
                    " WHERE table_schema = current_schema()"
                    " AND data_type = 'timestamp with time zone'"
                )
            ).all():
                connection.execute(
                    text(
                        f'ALTER TABLE "{table}" ALTER COLUMN "{column}"'
                        f" TYPE timestamp USING \"{column}\" AT TIME ZONE 'UTC'"
                    )
                )
            connection.execute(
                text(
                    "INSERT INTO official (telegram_id, name, active, created_at) "
                    "VALUES (555, 'Pejabat Lama', true, '2026-01-05 01:00:00')"
                )
            )
        engine.dispose()
        upgrade(url)
        assert current_revision(url) == "0012"
        engine = make_engine(url)
        with engine.connect() as connection:
            kinds = connection.execute(
                text(
                    "SELECT count(*) FROM information_schema.columns"
                    " WHERE table_schema = current_schema()"
                    " AND data_type = 'timestamp without time zone'"
                )
            ).scalar()
            assert kinds == 0
        with Session(engine) as session:
            official = official_store.official_by_telegram_id(session, telegram_id=555)
            assert official is not None
            assert official.created_at == datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
        engine.dispose()
        command.downgrade(alembic_config(url), "0008")  # the times lose their zone, not value
        engine = make_engine(url)
        with engine.connect() as connection:
            kept = connection.execute(
                text("SELECT created_at FROM official WHERE telegram_id = 555")
            ).scalar()
            assert kept == datetime(2026, 1, 5, 1, 0)  # noqa: DTZ001 (the column has no zone)
        engine.dispose()
    finally:
        postgres.drop_database(name)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        AwareDateTime().process_bind_param(datetime(2026, 1, 1), None)  # noqa: DTZ001


def test_a_concurrent_change_writes_nothing(office: Services, clock: FakeClock) -> None:
    started = drafts.start_draft(office, telegram_id=101, title="Renja 2027")
    with office.session() as second:
        # Loaded here, written below after another change: SQLite serialises writers
        # (BEGIN IMMEDIATE), so the stale copy is what a slower update would hold.
        draft_b = draft_store.get_draft(second, draft_id=started.draft.id)
        second.commit()
    with office.session() as first, office.session() as second:
        draft_a = draft_store.get_draft(first, draft_id=started.draft.id)
        assert draft_a is not None and draft_b is not None
        state = draft_store.load_state(first, draft=draft_a)
        from workflow.engine import Actor, apply

        roster = official_store.roster(first, now=clock.now, agency_id=draft_a.agency_id)
        actor = official_store.actor(first, telegram_id=101, now=clock.now)
        assert isinstance(actor, Actor)
        transition = apply(
            office.sops["menyusun-rencana-kerja"],
            state,
            actor=actor,
            action=Upload("konsep_pendahuluan"),
            roster=roster,
            now=clock.now,
        )
        kwargs = {
            "transition": transition,
            "now": clock.now,
            "due_at": office.calendar.add_working_minutes,
            "minutes_between": office.calendar.working_minutes_between,
            "new_file": new_file(b"x"),
        }
        draft_store.record_transition(first, draft=draft_a, **kwargs)  # type: ignore[arg-type]
        first.commit()
        with pytest.raises(ConcurrentChange):
            draft_store.record_transition(second, draft=draft_b, **kwargs)  # type: ignore[arg-type]
        second.rollback()
    with office.session() as session:
        assert len(draft_store.document_versions(session, draft_id=started.draft.id)) == 1


def test_an_update_is_marked_handled_once_and_kept_once(database_url: str) -> None:
    from storage import updates as update_store

    engine = make_engine(database_url)
    now = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    with Session(engine) as session:
        assert update_store.mark_handled(session, update_id=8, now=now)
        assert not update_store.mark_handled(session, update_id=8, now=now)
        update_store.receive(session, updates=[(9, {"update_id": 9})], now=now)
        update_store.receive(session, updates=[(9, {"update_id": 9, "again": True})], now=now)
        session.commit()
    with Session(engine) as session:
        assert update_store.unhandled(session) == [(9, {"update_id": 9})]
        update_store.handled(session, update_ids=[9])
        session.commit()
        assert update_store.unhandled(session) == []
    engine.dispose()
