"""The audit trail's hash chain: how an entry is hashed, how entries link, what the check
names when a row or an archived file was tampered with, and the migration that chains the
entries written before."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import Session

from bot.usecases import drafts
from bot.usecases.base import Services
from storage import audit as audit_store
from storage import drafts as draft_store
from storage.audit import GENESIS, Flaw
from storage.db import alembic_config, make_engine, upgrade
from storage.drafts import NewFile
from storage.files import archive
from storage.models import AuditEntry
from tests.conftest import FakeClock
from workflow.engine import Return, Submit, Upload


def filed(services: Services, content: bytes, name: str, draft_id: int = 1) -> NewFile:
    """A file archived under FILES_DIR as an upload would be, ready to store as a version."""
    stored, digest = archive(services.files_dir, draft_id=draft_id, data=content, extension=".pdf")
    return NewFile(
        file_name=name,
        mime_type="application/pdf",
        size=len(content),
        sha256=digest,
        telegram_file_id=f"file-{digest[:8]}",
        telegram_file_unique_id=digest[:12],
        stored_path=stored,
    )


def konsep_returned(services: Services, clock: FakeClock) -> int:
    """A draft whose konsep was sent, returned and sent again: six entries, two files."""
    draft_id = drafts.start_draft(services, telegram_id=101, title="Renja 2027").draft.id
    konsep = Upload("konsep_pendahuluan")
    v1 = filed(services, b"%PDF-1.4 konsep v1", "konsep-v1.pdf")
    drafts.act(services, telegram_id=101, draft_id=draft_id, action=konsep, new_file=v1)
    drafts.act(services, telegram_id=101, draft_id=draft_id, action=Submit())
    clock.advance(minutes=20)
    drafts.act(services, telegram_id=102, draft_id=draft_id, action=Return("Tambahkan RENSTRA"))
    v2 = filed(services, b"%PDF-1.4 konsep v2", "konsep-v2.pdf")
    drafts.act(services, telegram_id=101, draft_id=draft_id, action=konsep, new_file=v2)
    drafts.act(services, telegram_id=101, draft_id=draft_id, action=Submit())
    return draft_id


def check(services: Services) -> audit_store.Check:
    with Session(services.engine) as session:
        return audit_store.verify(session, files_dir=services.files_dir)


def tamper(services: Services, statement: str) -> None:
    """Change the database behind the bot's back, as someone with the file could."""
    with services.engine.begin() as connection:
        connection.execute(text(statement))


# The canonical content ----------------------------------------------------------------------


def test_the_content_hashed_is_sorted_json_with_utc_times() -> None:
    wib = timezone(timedelta(hours=7))
    entry = AuditEntry(
        draft_id=3,
        at=datetime(2026, 11, 30, 8, 5, 9, 1234, tzinfo=wib),
        actor_id=None,
        position="sekretaris",
        acting="Plh.",
        action="kembalikan",
        task_id="telaah_konsep",
        row_no=1,
        note="Tambahkan “RENSTRA”",
        document_version_id=None,
        share="",
        on_behalf_of=None,
        choice=None,
        prev_hash=GENESIS,
    )
    fields = {name: getattr(entry, name) for name in audit_store.CHAINED_FIELDS}
    expected = (
        '{"acting":"Plh.","action":"kembalikan","actor_id":null,'
        '"at":"2026-11-30T01:05:09.001234+00:00","choice":null,"document_version_id":null,'
        '"draft_id":3,"note":"Tambahkan \\u201cRENSTRA\\u201d","on_behalf_of":null,'
        f'"position":"sekretaris","prev_hash":"{GENESIS}","row_no":1,"share":"",'
        '"task_id":"telaah_konsep"}'
    )
    assert audit_store.canonical(fields) == expected.encode("ascii")
    assert audit_store.content_hash(entry) == hashlib.sha256(expected.encode()).hexdigest()
    # The same moment in another zone is the same content.
    fields["at"] = entry.at.astimezone(UTC)
    assert audit_store.canonical(fields) == expected.encode("ascii")


def test_a_naive_time_cannot_be_hashed() -> None:
    fields: dict[str, object] = {name: None for name in audit_store.CHAINED_FIELDS}
    fields["at"] = datetime(2026, 1, 1)  # noqa: DTZ001
    with pytest.raises(ValueError, match="naive"):
        audit_store.canonical(fields)


# The chain ----------------------------------------------------------------------------------


def test_entries_link_in_id_order_and_the_draft_keeps_the_head(
    office: Services, clock: FakeClock, database_url: str
) -> None:
    draft_id = konsep_returned(office, clock)
    office.engine.dispose()
    engine = make_engine(database_url)  # read back from the file, not from memory
    with Session(engine) as session:
        entries = draft_store.audit_trail(session, draft_id=draft_id)
        head = audit_store.chain_head(session, draft_id=draft_id)
    engine.dispose()
    assert [e.action for e in entries] == [
        "dibuat",
        "unggah",
        "kirim",
        "kembalikan",
        "unggah",
        "kirim",
    ]
    assert entries[0].prev_hash == GENESIS
    for before, after in pairwise(entries):
        assert after.prev_hash == before.entry_hash
    assert all(e.entry_hash == audit_store.content_hash(e) for e in entries)
    assert len({e.entry_hash for e in entries}) == len(entries)
    assert head == entries[-1].entry_hash


def test_each_draft_has_its_own_chain(office: Services, clock: FakeClock) -> None:
    first = drafts.start_draft(office, telegram_id=101, title="Renja 2027").draft.id
    second = drafts.start_draft(office, telegram_id=101, title="Renja 2028").draft.id
    drafts.act(
        office,
        telegram_id=101,
        draft_id=first,
        action=Upload("konsep_pendahuluan"),
        new_file=filed(office, b"%PDF-1.4 a", "a.pdf"),
    )
    with Session(office.engine) as session:
        one = draft_store.audit_trail(session, draft_id=first)
        two = draft_store.audit_trail(session, draft_id=second)
    assert [e.prev_hash for e in two] == [GENESIS]
    assert one[1].prev_hash == one[0].entry_hash
    assert check(office).sound


def test_an_untouched_database_checks_out(office: Services, clock: FakeClock) -> None:
    konsep_returned(office, clock)
    result = check(office)
    assert result.sound
    assert (result.drafts, result.entries, result.files) == (1, 6, 2)


def test_an_edited_entry_is_named(office: Services, clock: FakeClock) -> None:
    konsep_returned(office, clock)
    tamper(office, "UPDATE auditentry SET note = 'Sudah sesuai' WHERE id = 4")
    (problem,) = check(office).entry_problems
    assert (problem.draft_id, problem.entry_id, problem.flaw) == (1, 4, Flaw.ISI_DIUBAH)
    assert problem.after_entry_id == 3


def test_an_edited_time_is_named(office: Services, clock: FakeClock) -> None:
    konsep_returned(office, clock)
    tamper(office, "UPDATE auditentry SET at = '2026-11-30 00:30:00.000000' WHERE id = 2")
    (problem,) = check(office).entry_problems
    assert (problem.entry_id, problem.flaw) == (2, Flaw.ISI_DIUBAH)


def test_a_deleted_entry_breaks_the_link_of_the_next(office: Services, clock: FakeClock) -> None:
    konsep_returned(office, clock)
    tamper(office, "DELETE FROM auditentry WHERE id = 4")
    (problem,) = check(office).entry_problems
    assert (problem.draft_id, problem.entry_id, problem.flaw) == (1, 5, Flaw.RANTAI_PUTUS)
    assert problem.after_entry_id == 3


def test_a_deleted_first_entry_is_named(office: Services, clock: FakeClock) -> None:
    konsep_returned(office, clock)
    tamper(office, "DELETE FROM auditentry WHERE id = 1")
    (problem,) = check(office).entry_problems
    assert (problem.entry_id, problem.flaw, problem.after_entry_id) == (
        2,
        Flaw.RANTAI_PUTUS,
        None,
    )


def test_a_deleted_last_entry_leaves_the_head_dangling(office: Services, clock: FakeClock) -> None:
    konsep_returned(office, clock)
    tamper(office, "DELETE FROM auditentry WHERE id = 6")
    (problem,) = check(office).entry_problems
    assert (problem.entry_id, problem.flaw, problem.after_entry_id) == (None, Flaw.EKOR_HILANG, 5)


def test_an_entry_slipped_in_with_the_right_hashes_is_named(
    office: Services, clock: FakeClock
) -> None:
    """Someone who knows the format forges a well-linked entry: the draft's head gives it away."""
    draft_id = konsep_returned(office, clock)
    with Session(office.engine) as session:
        last = draft_store.audit_trail(session, draft_id=draft_id)[-1]
        forged = AuditEntry(
            draft_id=draft_id,
            at=clock.now,
            actor_id=2,
            position="sekretaris",
            action="setujui",
            task_id="telaah_konsep",
            row_no=1,
            prev_hash=last.entry_hash,
        )
        forged.entry_hash = audit_store.content_hash(forged)
        session.add(forged)  # not through add_entry: the head stays
        session.commit()
        assert forged.id == 7
    (problem,) = check(office).entry_problems
    assert (problem.entry_id, problem.flaw, problem.after_entry_id) == (7, Flaw.RANTAI_PUTUS, 6)


def test_only_the_first_problem_of_a_chain_is_named_and_others_chains_still_checked(
    office: Services, clock: FakeClock
) -> None:
    konsep_returned(office, clock)
    other = drafts.start_draft(office, telegram_id=101, title="Renja 2028").draft.id
    tamper(office, "UPDATE auditentry SET note = 'x' WHERE id IN (2, 5)")
    tamper(office, f"UPDATE auditentry SET position = 'kepala_badan' WHERE draft_id = {other}")
    problems = check(office).entry_problems
    assert [(p.draft_id, p.entry_id, p.flaw) for p in problems] == [
        (1, 2, Flaw.ISI_DIUBAH),
        (other, 7, Flaw.ISI_DIUBAH),
    ]


# The archive --------------------------------------------------------------------------------


def test_a_changed_file_is_named(office: Services, clock: FakeClock) -> None:
    konsep_returned(office, clock)
    stored = office.files_dir / "1" / f"{hashlib.sha256(b'%PDF-1.4 konsep v2').hexdigest()}.pdf"
    stored.write_bytes(b"%PDF-1.4 konsep v2, diganti")
    result = check(office)
    assert result.entry_problems == []
    (problem,) = result.file_problems
    assert (problem.draft_id, problem.version_id, problem.flaw) == (1, 2, Flaw.BERKAS_BERUBAH)
    assert (problem.document, problem.version, problem.file_name) == (
        "konsep_pendahuluan",
        2,
        "konsep-v2.pdf",
    )
    assert problem.found == hashlib.sha256(b"%PDF-1.4 konsep v2, diganti").hexdigest()


def test_a_missing_file_is_named(office: Services, clock: FakeClock) -> None:
    konsep_returned(office, clock)
    stored = office.files_dir / "1" / f"{hashlib.sha256(b'%PDF-1.4 konsep v1').hexdigest()}.pdf"
    stored.unlink()
    (problem,) = check(office).file_problems
    assert (problem.version_id, problem.flaw, problem.found) == (1, Flaw.BERKAS_HILANG, "")


# The migration ------------------------------------------------------------------------------


def test_the_migration_chains_the_entries_written_before(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lama.db'}"
    upgrade(url, "0008")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO official (id, telegram_id, name, active, created_at) "
                "VALUES (1, 555, 'Pejabat Lama', 1, '2026-01-05 01:00:00')"
            )
        )
        for draft_id in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO draft (id, sop_id, title, year, status, revision, created_by, "
                    "created_at) VALUES (:id, 'menyusun-rencana-kerja', 'Renja', 2027, 'aktif', "
                    "0, 1, '2026-01-05 01:00:00')"
                ),
                {"id": draft_id},
            )
        # Two drafts' entries interleaved, as they are written.
        for number, draft_id in enumerate((1, 2, 1, 1, 2), 1):
            connection.execute(
                text(
                    "INSERT INTO auditentry (id, draft_id, at, actor_id, position, action, "
                    "task_id, row_no, note, share) VALUES (:id, :draft, :at, 1, 'kasubbag_renja',"
                    " 'kirim', 'konsep_pendahuluan', 1, :note, '')"
                ),
                {
                    "id": number,
                    "draft": draft_id,
                    "at": f"2026-01-05 0{number}:00:00.{number:06d}",
                    "note": f"catatan {number}" if number % 2 else None,
                },
            )
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        result = audit_store.verify(session, files_dir=tmp_path / "files")
        assert result.sound and (result.drafts, result.entries) == (2, 5)
        one = draft_store.audit_trail(session, draft_id=1)
        two = draft_store.audit_trail(session, draft_id=2)
        assert [e.id for e in one] == [1, 3, 4] and [e.id for e in two] == [2, 5]
        assert one[0].prev_hash == two[0].prev_hash == GENESIS
        assert one[1].prev_hash == one[0].entry_hash and two[1].prev_hash == two[0].entry_hash
        assert audit_store.chain_head(session, draft_id=1) == one[-1].entry_hash
        assert audit_store.chain_head(session, draft_id=2) == two[-1].entry_hash
        # What the migration hashed is what the bot hashes.
        assert all(e.entry_hash == audit_store.content_hash(e) for e in one + two)
        # The trail goes on from the migrated head.
        entry = audit_store.add_entry(
            session,
            draft_id=1,
            at=datetime(2026, 1, 6, 1, 0, tzinfo=UTC),
            action="setujui",
            task_id="telaah_konsep",
            row_no=1,
        )
        session.commit()
        assert entry.prev_hash == one[-1].entry_hash
        assert audit_store.verify(session, files_dir=tmp_path / "files").sound
    engine.dispose()


def test_down_and_up_again_the_migration_rebuilds_the_same_chain(
    office: Services, clock: FakeClock, database_url: str
) -> None:
    """The migration hashes an entry as the bot did when it wrote it."""
    draft_id = konsep_returned(office, clock)
    with Session(office.engine) as session:
        written = [e.entry_hash for e in draft_store.audit_trail(session, draft_id=draft_id)]
    office.engine.dispose()
    command.downgrade(alembic_config(database_url), "0008")
    upgrade(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        rebuilt = [e.entry_hash for e in draft_store.audit_trail(session, draft_id=draft_id)]
        assert audit_store.verify(session, files_dir=office.files_dir).sound
    engine.dispose()
    assert rebuilt == written
