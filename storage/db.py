"""The database engine and its migrations.

SQLite (one file, one process) runs in WAL mode with a busy timeout, every writing
transaction taking the write lock at BEGIN. PostgreSQL (several processes) runs in READ
COMMITTED: what SQLite's single writer lock serialised is serialised there by row locks
(`SELECT ... FOR UPDATE` on the draft, `SKIP LOCKED` for claims).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 10_000
POOL_SIZE = 10
"""Connections kept open to PostgreSQL: use cases run in threads, a few at a time."""
POOL_OVERFLOW = 20
"""More opened for a busy moment (many updates at once), closed again after it."""
POOL_TIMEOUT_SECONDS = 30


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is switched off: `_begin_immediate` starts
    # every transaction itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while one writer commits; the busy timeout makes a second
    # writer wait instead of failing with "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    # In WAL mode NORMAL never corrupts the database, and a commit needs no fsync of its
    # own (the WAL is synced at checkpoints). A killed process loses nothing; a power cut
    # or a crash of the machine can roll back the last commits: a decision then goes
    # together with the messages it owes, but an update already confirmed to Telegram
    # whose receipt was rolled back is not handled again.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    # Updates run in threads at the same time. A deferred transaction that read first and
    # writes later fails at once ("database is locked") when another writer committed in
    # between; taking the write lock at BEGIN makes it wait its turn (busy_timeout) instead.
    # A session that only reads (`reader`) needs no lock and waits for nobody.
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


READ_ONLY = "renja_read_only"


def reader(engine: Engine) -> Engine:
    """The same database for sessions that only read: they never wait for the write lock."""
    return engine.execution_options(**{READ_ONLY: True})


def make_engine(url: str) -> Engine:
    """An engine for `url`: SQLite (its folder is created first) or PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(
            url,
            # A connection the server closed (restart, idle timeout) is replaced, not used.
            pool_pre_ping=True,
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            pool_timeout=POOL_TIMEOUT_SECONDS,
            isolation_level="READ COMMITTED",
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def locks_rows(session: Session) -> bool:
    """Whether a row read for a change must be locked (`SELECT ... FOR UPDATE`): on
    PostgreSQL, in a session that writes. SQLite's writer already holds the whole database
    (BEGIN IMMEDIATE), and a `reader` changes nothing."""
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        return False
    return not bind.get_execution_options().get(READ_ONLY, False)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Create the database, or bring an existing one up to date; data is kept."""
    make_engine(url).dispose()  # creates the folder of a SQLite file
    command.upgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    """The newest revision the migrations know."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
