"""The audit trail as a hash chain per draft, and the checks of the trail and the archive.

Every entry stores the SHA-256 of its content (`entry_hash`) and the hash of the entry before
it in the same draft (`prev_hash`; the first one links to `GENESIS`); the draft keeps the
hash of its last entry (`Draft.audit_head`). An entry edited in place no longer matches its
own hash; an entry deleted or slipped in breaks the link of the one after it; a deleted last
entry leaves the draft's head pointing at nothing. Every entry is written by `add_entry`.

The content hashed is a canonical serialisation of the entry's fields (`canonical`): JSON
with sorted keys, no spaces, ASCII only, times as UTC ISO-8601 with microseconds and an
explicit offset, None as null. It gives the same bytes whichever database the entry was
read back from. The row id is not part of it (the database assigns it on insert); the order
of a chain is the order of ids, and the links guard it.

The chain shows tampering by anyone who edits rows without knowing how they are hashed.
Someone who rewrites a whole chain with recomputed hashes also changes its head: a head
someone kept elsewhere (/riwayat shows it, `renja-bot draft export` writes it) then no longer
matches.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from storage.files import sha256_of
from storage.models import AuditEntry, DocumentVersion, Draft

GENESIS = "0" * 64
"""What the first entry of every draft links to."""

CHAINED_FIELDS = (
    "draft_id",
    "at",
    "actor_id",
    "position",
    "acting",
    "action",
    "task_id",
    "row_no",
    "note",
    "document_version_id",
    "share",
    "on_behalf_of",
    "choice",
    "prev_hash",
)
"""The fields an entry's hash covers. A column added later is not among them until the
format is changed on purpose (and every chain rehashed by a migration)."""


def _canonical_value(value: object) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: every time must carry a time zone")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def canonical(fields: Mapping[str, object]) -> bytes:
    """The bytes hashed for an entry with these field values (see the module's doc)."""
    data = {name: _canonical_value(fields[name]) for name in CHAINED_FIELDS}
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode(
        "ascii"
    )


def hash_of(fields: Mapping[str, object]) -> str:
    """The SHA-256 (hex) of an entry's canonical content, its own link included."""
    return hashlib.sha256(canonical(fields)).hexdigest()


def content_hash(entry: AuditEntry) -> str:
    """The hash of the entry as it is now (what `entry_hash` should hold)."""
    return hash_of({name: getattr(entry, name) for name in CHAINED_FIELDS})


def add_entry(
    session: Session,
    *,
    draft_id: int,
    at: datetime,
    action: str,
    task_id: str,
    row_no: int,
    actor_id: int | None = None,
    position: str = "",
    acting: str | None = None,
    note: str | None = None,
    document_version_id: int | None = None,
    share: str = "",
    on_behalf_of: str | None = None,
    choice: str | None = None,
) -> AuditEntry:
    """Append an entry to the draft's trail, linked to the one before it.

    The draft's row is locked while its head is read (PostgreSQL: FOR UPDATE; SQLite
    serialises writers anyway with BEGIN IMMEDIATE), so two transactions never link to the
    same entry. Entries added in one transaction are inserted in the order they were added,
    so their ids follow the chain.
    """
    head = (
        session.connection()
        .execute(select(Draft.audit_head).where(Draft.id == draft_id).with_for_update())
        .scalar_one()
    )
    entry = AuditEntry(
        draft_id=draft_id,
        at=at,
        actor_id=actor_id,
        position=position,
        acting=acting,
        action=action,
        task_id=task_id,
        row_no=row_no,
        note=note,
        document_version_id=document_version_id,
        share=share,
        on_behalf_of=on_behalf_of,
        choice=choice,
        prev_hash=head,
    )
    entry.entry_hash = content_hash(entry)
    session.add(entry)
    session.connection().execute(
        update(Draft).where(col(Draft.id) == draft_id).values(audit_head=entry.entry_hash)
    )
    loaded = session.identity_map.get(session.identity_key(Draft, draft_id))
    if loaded is not None:
        set_committed_value(loaded, "audit_head", entry.entry_hash)
    return entry


def chain_head(session: Session, *, draft_id: int) -> str | None:
    """The hash of the draft's last entry (GENESIS before the first); None: no such draft."""
    return session.exec(select(Draft.audit_head).where(Draft.id == draft_id)).first()


# Checking ------------------------------------------------------------------------------------


class Flaw(StrEnum):
    """What is wrong with an entry, a chain or an archived file."""

    ISI_DIUBAH = "isi_diubah"
    """The entry's content no longer matches its hash: it was edited."""
    RANTAI_PUTUS = "rantai_putus"
    """The entry does not link to the entry before it: a row was deleted or inserted."""
    EKOR_HILANG = "ekor_hilang"
    """The draft's head is not its last entry's hash: its last entries were deleted."""
    BERKAS_BERUBAH = "berkas_berubah"
    """The archived file's SHA-256 is not the one recorded."""
    BERKAS_HILANG = "berkas_hilang"
    """The archived file is not there."""


@dataclass(frozen=True)
class EntryProblem:
    """The first thing wrong in one draft's chain."""

    draft_id: int
    entry_id: int | None
    """The entry where it shows (None: the draft's head, after its last entry)."""
    flaw: Flaw
    expected: str
    found: str
    after_entry_id: int | None = None
    """The last entry that still checks out before it (None: none)."""


@dataclass(frozen=True)
class FileProblem:
    """An archived file that does not match its document version."""

    draft_id: int
    version_id: int
    document: str
    version: int
    file_name: str
    stored_path: str
    flaw: Flaw
    expected: str
    found: str


@dataclass(frozen=True)
class Check:
    """What `verify` looked at and what it found."""

    drafts: int
    entries: int
    files: int
    entry_problems: list[EntryProblem]
    file_problems: list[FileProblem]

    @property
    def sound(self) -> bool:
        return not self.entry_problems and not self.file_problems


def check_chain(draft_id: int, entries: list[AuditEntry], head: str | None) -> EntryProblem | None:
    """The first problem of one draft's chain (its entries oldest first, its head)."""
    expected_prev = GENESIS
    previous: int | None = None
    for entry in entries:
        if entry.prev_hash != expected_prev or (previous is not None and expected_prev == head):
            # A link that does not hold, or an entry behind the one the draft names as its
            # last: either way a row was deleted before it or it was slipped in.
            return EntryProblem(
                draft_id, entry.id, Flaw.RANTAI_PUTUS, expected_prev, entry.prev_hash, previous
            )
        computed = content_hash(entry)
        if computed != entry.entry_hash:
            return EntryProblem(
                draft_id, entry.id, Flaw.ISI_DIUBAH, entry.entry_hash, computed, previous
            )
        expected_prev = entry.entry_hash
        previous = entry.id
    if head is not None and head != expected_prev:
        return EntryProblem(draft_id, None, Flaw.EKOR_HILANG, head, expected_prev, previous)
    return None


def verify_chains(session: Session) -> tuple[int, int, list[EntryProblem]]:
    """Check every draft's chain: (drafts, entries, the first problem of each broken one)."""
    heads = {
        draft_id: head
        for draft_id, head in session.exec(select(Draft.id, Draft.audit_head)).all()
        if draft_id is not None
    }
    by_draft: dict[int, list[AuditEntry]] = {}
    count = 0
    query = select(AuditEntry).order_by(col(AuditEntry.draft_id), col(AuditEntry.id))
    for entry in session.exec(query):
        by_draft.setdefault(entry.draft_id, []).append(entry)
        count += 1
    problems: list[EntryProblem] = []
    for draft_id in sorted(set(heads) | set(by_draft)):
        problem = check_chain(draft_id, by_draft.get(draft_id, []), heads.get(draft_id))
        if problem is not None:
            problems.append(problem)
    return len(heads), count, problems


def verify_files(session: Session, *, files_dir: Path) -> tuple[int, list[FileProblem]]:
    """Check every document version's archived file against its recorded SHA-256."""
    versions = session.exec(select(DocumentVersion).order_by(col(DocumentVersion.id))).all()
    problems: list[FileProblem] = []
    for version in versions:
        assert version.id is not None
        path = files_dir / version.stored_path
        flaw: Flaw | None = None
        found = ""
        if not path.is_file():
            flaw = Flaw.BERKAS_HILANG
        else:
            found = sha256_of(path)
            if found != version.sha256:
                flaw = Flaw.BERKAS_BERUBAH
        if flaw is not None:
            problems.append(
                FileProblem(
                    draft_id=version.draft_id,
                    version_id=version.id,
                    document=version.document,
                    version=version.version,
                    file_name=version.file_name,
                    stored_path=version.stored_path,
                    flaw=flaw,
                    expected=version.sha256,
                    found=found,
                )
            )
    return len(versions), problems


def verify(session: Session, *, files_dir: Path) -> Check:
    """Check every chain and every archived file."""
    drafts, entries, entry_problems = verify_chains(session)
    files, file_problems = verify_files(session, files_dir=files_dir)
    return Check(drafts, entries, files, entry_problems, file_problems)
