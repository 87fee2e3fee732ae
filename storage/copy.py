"""Copying a whole database to another (SQLite to PostgreSQL, or back), checked table by table.

The target is migrated to the newest schema first and must hold no rows. Every table is
copied in foreign-key order, in batches, in one transaction of the target: a copy that fails
leaves the target empty. PostgreSQL's id sequences are then set past the copied ids, and the
rows of every table are counted on both sides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage import audit
from storage.db import current_revision, head_revision, make_engine, reader, upgrade

BATCH_ROWS = 1000


class CopyRefused(Exception):
    """The copy cannot start; nothing was written."""


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int

    @property
    def matches(self) -> bool:
        return self.source == self.target


@dataclass(frozen=True)
class CopyReport:
    counts: list[TableCount]
    problems: list[str]
    """What the checks after the copy found wrong (rows counted apart, a broken chain)."""

    @property
    def ok(self) -> bool:
        return not self.problems


def tables() -> list[Table]:
    """Every table of the schema, each after the tables it refers to."""
    return list(SQLModel.metadata.sorted_tables)


def shown(url: str) -> str:
    """A database URL as it may be printed: without its password."""
    return make_url(url).render_as_string(hide_password=True)


MIGRATIONS_OWN = ("agency",)
"""Tables the migrations fill themselves (the default agency): an otherwise empty target
has rows there, which the source's replace."""


def copy_database(
    source_url: str,
    target_url: str,
    *,
    batch_rows: int = BATCH_ROWS,
    progress: Callable[[str, int], None] | None = None,
) -> CopyReport:
    """Copy every row of `source_url` into `target_url` (migrated here, and empty)."""
    parsed = make_url(source_url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        raise CopyRefused(f"basis data sumber tidak ada: {shown(source_url)}")
    head = head_revision()
    found = current_revision(source_url)
    if found != head:
        raise CopyRefused(
            f"basis data sumber pada revisi {found or '(kosong)'}, bukan {head}: "
            f"jalankan dulu `DATABASE_URL={shown(source_url)} renja-bot db upgrade`"
        )
    upgrade(target_url)
    source, target = make_engine(source_url), make_engine(target_url)
    try:
        with target.connect() as connection:
            filled = [
                table.name
                for table in tables()
                if table.name not in MIGRATIONS_OWN and _count(connection, table)
            ]
        if filled:
            raise CopyRefused(
                "basis data tujuan sudah berisi data (tabel "
                + ", ".join(filled)
                + "): salin hanya ke basis data yang kosong"
            )
        with reader(source).connect() as reading, target.begin() as writing:
            for name in MIGRATIONS_OWN:  # the source's own take their place
                writing.execute(text(f'DELETE FROM "{name}"'))
            for table in tables():
                copied = _copy_table(reading, writing, table, batch_rows)
                if progress is not None:
                    progress(table.name, copied)
            if writing.dialect.name == "postgresql":
                reset_sequences(writing)
        return check_copy(source, target)
    finally:
        source.dispose()
        target.dispose()


def _count(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _copy_table(reading: Connection, writing: Connection, table: Table, batch_rows: int) -> int:
    """Copy one table in primary-key order, `batch_rows` at a time; how many rows."""
    rows = reading.execution_options(yield_per=batch_rows).execute(
        select(table).order_by(*table.primary_key.columns)
    )
    copied = 0
    for batch in rows.partitions():
        writing.execute(table.insert(), [dict(row._mapping) for row in batch])
        copied += len(batch)
    return copied


def reset_sequences(connection: Connection) -> None:
    """Ids given by PostgreSQL go on after the copied ones (the copy wrote them itself)."""
    quote = connection.dialect.identifier_preparer.quote
    for table in tables():
        for column in table.primary_key.columns:
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": quote(table.name), "column": column.name},
            ).scalar()
            if sequence is None:  # an id that is given, not counted (a Telegram update's)
                continue
            name = quote(column.name)
            connection.execute(
                text(
                    f"SELECT setval(:sequence, COALESCE(MAX({name}), 1), MAX({name}) IS NOT NULL)"
                    f" FROM {quote(table.name)}"
                ),
                {"sequence": sequence},
            )


def check_copy(source: Engine, target: Engine) -> CopyReport:
    """Count every table on both sides; then the checks of the copied data itself."""
    with reader(source).connect() as reading, target.connect() as written:
        counts = [
            TableCount(table.name, _count(reading, table), _count(written, table))
            for table in tables()
        ]
        problems = [
            f"{count.table}: {count.source} baris di sumber, {count.target} di tujuan"
            for count in counts
            if not count.matches
        ]
        problems += check_audit_chain(written)
    return CopyReport(counts, problems)


def check_audit_chain(connection: Connection) -> list[str]:
    """Every draft's audit chain checked on the copied rows (`audit verify`'s own check):
    a copy whose chain breaks fails, naming the first entry that does not match."""
    with Session(bind=connection) as session:
        _, _, problems = audit.verify_chains(session)
    return [
        f"jejak audit draft #{p.draft_id}"
        + (f", entri #{p.entry_id}" if p.entry_id is not None else "")
        + f": {p.flaw.value} (tercatat {p.expected[:16]}, ditemukan {p.found[:16]})"
        for p in problems
    ]
