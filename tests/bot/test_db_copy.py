"""`renja-bot db copy`: a SQLite database the office worked in, copied whole to PostgreSQL (and
to another SQLite file), checked table by table; the bot goes on in the copy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.cli import main
from bot.sample_office import register_officials
from bot.usecases import drafts, invites, reading, reminders
from bot.usecases.base import EVERY_AGENCY, Services
from storage import copy as copying
from storage.db import make_engine, upgrade
from tests.bot.usecases.files import new_file
from tests.conftest import MAX_UPLOAD_BYTES, FakeClock
from tests.pg import PostgresServer
from workflow.calendar import OfficeCalendar
from workflow.engine import Approve, Return, Submit, Upload
from workflow.sop import Sop

ADMIN = 900


def services_on(url: str, sops: dict[str, Sop], clock: FakeClock, files: Path) -> Services:
    return Services(
        engine=make_engine(url),
        sops=sops,
        calendar=OfficeCalendar.default(),
        clock=clock,
        files_dir=files,
        max_upload_bytes=MAX_UPLOAD_BYTES,
        admins=frozenset({ADMIN}),
    )


@pytest.fixture
def worked_in(tmp_path: Path, sops: dict[str, Sop], clock: FakeClock) -> Iterator[str]:
    """A SQLite database after a morning of work: two drafts, uploads, a return, approvals,
    reminders sent and skipped, an invitation, and every message owed on the way."""
    url = f"sqlite:///{tmp_path / 'kantor.db'}"
    upgrade(url)
    office = services_on(url, sops, clock, tmp_path / "files")
    register_officials(office)
    first = drafts.start_draft(office, telegram_id=101, title="Renja BAPPEDA 2027").draft.id
    drafts.start_draft(office, telegram_id=101, title="Renja BAPPEDA 2028")
    for version in ("v1", "v2"):
        drafts.act(
            office,
            telegram_id=101,
            draft_id=first,
            action=Upload("konsep_pendahuluan"),
            new_file=new_file(f"konsep-{version}.pdf"),
        )
        drafts.act(office, telegram_id=101, draft_id=first, action=Submit())
        clock.advance(minutes=50)
        reminders.deliver_due_reminders(office)
        if version == "v1":
            drafts.act(office, telegram_id=102, draft_id=first, action=Return("Tambah RENSTRA"))
    drafts.act(office, telegram_id=102, draft_id=first, action=Approve())
    invites.create_invite(office, admin_telegram_id=ADMIN, position="forum_skpd", unit="Dinkes")
    office.engine.dispose()
    yield url


@pytest.fixture
def target_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty database, not even migrated: SQLite, or one of the PostgreSQL server's."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'salinan' / 'renja.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    name = server.new_database(migrated=False)
    yield server.url(name)
    server.drop_database(name)


def rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as connection:
        return {
            table.name: [
                dict(row._mapping)
                for row in connection.execute(
                    select(table).order_by(*table.primary_key.columns)
                ).all()
            ]
            for table in copying.tables()
        }


def test_a_database_worked_in_is_copied_whole_and_the_bot_goes_on_in_the_copy(
    worked_in: str,
    target_url: str,
    sops: dict[str, Sop],
    clock: FakeClock,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["db", "copy", "--from", worked_in, "--to", target_url]) == 0
    out = capsys.readouterr().out
    source, target = make_engine(worked_in), make_engine(target_url)
    before, after = rows(source), rows(target)
    # Every row, field by field: times (aware, UTC), JSON, booleans, ids.
    assert after == before
    assert len(before["auditentry"]) >= 8 and len(before["outbox"]) >= 10
    assert any(row["outcome"] == "terkirim" for row in before["reminder"])
    for table, found in before.items():
        assert f"{table} " in out and f"{len(found):>8}  {len(found):>8}" in out
    assert "BEDA" not in out and "cocok" in out
    source.dispose()
    target.dispose()

    # The bot works on in the copy: new rows get ids after the copied ones.
    copy = services_on(target_url, sops, clock, tmp_path / "files")
    clock.advance(minutes=5)
    outcome = drafts.act(
        copy,
        telegram_id=101,
        draft_id=2,
        action=Upload("konsep_pendahuluan"),
        new_file=new_file("konsep-2028.pdf"),
    )
    assert outcome.document is not None
    _, trail = reading.history(copy, scope=EVERY_AGENCY, draft_id=1)
    assert [line.action for line in trail][-1] == "setujui"
    assert trail[0].at.tzinfo is not None
    newest = rows(copy.engine)["auditentry"][-1]
    assert newest["id"] == len(before["auditentry"]) + 1
    copy.engine.dispose()


def test_a_target_that_holds_data_is_refused_and_keeps_it(
    worked_in: str, target_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "copy", "--from", worked_in, "--to", target_url]) == 0
    capsys.readouterr()
    assert main(["db", "copy", "--from", worked_in, "--to", target_url]) == 1
    assert "sudah berisi data" in capsys.readouterr().err
    target = make_engine(target_url)
    assert len(rows(target)["official"]) == 7
    target.dispose()


def test_a_source_not_at_the_newest_schema_or_missing_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = f"sqlite:///{tmp_path / 'lama.db'}"
    upgrade(old, "0001")
    target = f"sqlite:///{tmp_path / 'baru.db'}"
    assert main(["db", "copy", "--from", old, "--to", target]) == 1
    assert "renja-bot db upgrade" in capsys.readouterr().err
    missing = f"sqlite:///{tmp_path / 'tidak-ada.db'}"
    assert main(["db", "copy", "--from", missing, "--to", target]) == 1
    assert "tidak ada" in capsys.readouterr().err
    assert not (tmp_path / "tidak-ada.db").exists()


def test_counts_that_differ_or_a_failed_check_fail_the_copy(
    worked_in: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    empty = f"sqlite:///{tmp_path / 'kosong.db'}"
    upgrade(empty)
    source, target = make_engine(worked_in), make_engine(empty)
    report = copying.check_copy(source, target)
    source.dispose()
    target.dispose()
    assert not report.ok
    assert "official: 7 baris di sumber, 0 di tujuan" in report.problems

    # The audit trail's own check runs on every copy: what it finds fails the copy.
    monkeypatch.setattr(copying, "check_audit_chain", lambda connection: ["rantai putus"])
    target_url = f"sqlite:///{tmp_path / 'salinan.db'}"
    assert main(["db", "copy", "--from", worked_in, "--to", target_url]) == 1
    assert "rantai putus" in capsys.readouterr().err
