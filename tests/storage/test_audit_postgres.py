"""The hash chain on PostgreSQL: the same bytes as on SQLite, and one chain per draft while
several connections append to it at once.

Runs when RENJA_TEST_POSTGRES_URL names a scratch database (its `public` schema is dropped and
made anew), e.g. postgresql+psycopg://renja@127.0.0.1:5432/renja_test; skipped otherwise.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from bot.sample_office import register_officials
from bot.usecases.base import Services
from storage import audit as audit_store
from storage import drafts as draft_store
from storage.db import make_engine, upgrade
from tests.conftest import MAX_UPLOAD_BYTES, FakeClock
from tests.storage.test_audit import konsep_returned
from workflow.calendar import OfficeCalendar
from workflow.sop import Sop

URL = os.environ.get("RENJA_TEST_POSTGRES_URL", "")
pytestmark = pytest.mark.skipif(not URL, reason="RENJA_TEST_POSTGRES_URL is not set")


@pytest.fixture
def postgres() -> Iterator[str]:
    pytest.importorskip("psycopg")
    engine = make_engine(URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(URL)
    yield URL


def chain_of(url: str, sops: dict[str, Sop], files: Path) -> tuple[Services, list[str]]:
    clock = FakeClock()
    services = Services(
        engine=make_engine(url),
        sops=sops,
        calendar=OfficeCalendar.default(),
        clock=clock,
        files_dir=files,
        max_upload_bytes=MAX_UPLOAD_BYTES,
    )
    register_officials(services)
    konsep_returned(services, clock)
    with Session(services.engine) as session:
        entries = draft_store.audit_trail(session, draft_id=1)
        assert audit_store.verify(session, files_dir=files).sound
    return services, [e.entry_hash for e in entries]


def test_the_same_trail_hashes_the_same_on_both_databases(
    postgres: str, database_url: str, sops: dict[str, Sop], tmp_path: Path
) -> None:
    on_postgres, hashes = chain_of(postgres, sops, tmp_path / "pg")
    on_sqlite, expected = chain_of(database_url, sops, tmp_path / "sqlite")
    on_postgres.engine.dispose()
    on_sqlite.engine.dispose()
    assert hashes == expected and len(hashes) == 6


def test_connections_appending_at_once_keep_one_chain(
    postgres: str, sops: dict[str, Sop], tmp_path: Path
) -> None:
    services, _ = chain_of(postgres, sops, tmp_path / "pg")

    def append(writer: int) -> None:
        for number in range(25):
            with Session(services.engine) as session:
                audit_store.add_entry(
                    session,
                    draft_id=1,
                    at=datetime.now(UTC),
                    action="kirim",
                    task_id="konsep_pendahuluan",
                    row_no=1,
                    note=f"{writer}-{number}",
                )
                session.commit()

    writers = [threading.Thread(target=append, args=(n,)) for n in range(4)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    with Session(services.engine) as session:
        check = audit_store.verify(session, files_dir=tmp_path / "pg")
    services.engine.dispose()
    assert check.entry_problems == []
    assert check.entries == 6 + 4 * 25
