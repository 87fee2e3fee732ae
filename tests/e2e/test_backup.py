"""Backups taken while the officials work: each restores to a database whose every chain and
archived file checks out."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import Session

from storage import audit as audit_store
from storage import backup as backup_store
from storage.db import make_engine
from tests.e2e.conftest import Office
from tests.e2e.people import Renja

RESTORED = 8
"""How many of the backups are restored and checked (spread over the run), besides the last."""


@pytest.fixture
def backend() -> str:
    """Backups are of a SQLite file (a PostgreSQL database is backed up with pg_dump)."""
    return "sqlite"


def restored_check(source: Path, into: Path) -> audit_store.Check:
    url = f"sqlite:///{into / 'renja.db'}"
    backup_store.restore(url, files_dir=into / "files", source=source)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return audit_store.verify(session, files_dir=into / "files")
    finally:
        engine.dispose()


async def test_backups_taken_while_officials_press_restore_to_a_sound_database(
    office: Office, tmp_path: Path
) -> None:
    people = await Renja.of(office)
    work = asyncio.create_task(people.run())
    url, files = office.settings.database_url, office.settings.files_dir
    taken: list[Path] = []
    while not work.done():
        target = tmp_path / "cadangan" / f"renja-{len(taken):03d}.tar.gz"
        await asyncio.to_thread(backup_store.backup, url, files_dir=files, target=target)
        taken.append(target)
        await asyncio.sleep(0.05)  # the officials' presses go on between backups
    await work
    last = tmp_path / "cadangan" / "renja-akhir.tar.gz"
    backup_store.backup(url, files_dir=files, target=last)

    step = max(1, len(taken) // RESTORED)
    checks = [
        restored_check(source, tmp_path / "pulih" / source.name)
        for source in [*taken[::step], last]
    ]
    assert all(check.sound for check in checks), [
        (c.entry_problems, c.file_problems) for c in checks if not c.sound
    ]
    final = checks[-1]
    assert final.drafts == 1 and final.files == 11
    with Session(office.services.engine) as session:
        assert audit_store.verify(session, files_dir=files).entries == final.entries
    # Some were taken in the middle of the draft, with part of its trail.
    assert any(0 < check.entries < final.entries for check in checks[:-1])
