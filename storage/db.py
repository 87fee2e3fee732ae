"""The database engine: SQLite in WAL mode with a busy timeout, and its migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import create_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 10_000


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
    """An engine for `url`; for a SQLite file its folder is created first."""
    parsed = make_url(url)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False} if is_sqlite else {})
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin_immediate)
    return engine


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head", *, agency_name: str | None = None) -> None:
    """Create the database, or bring an existing one up to date; data is kept.

    `agency_name`: the name of the default agency, should this upgrade create it (the
    organisation file's `instansi`); every existing official and draft belongs to it.
    """
    make_engine(url).dispose()  # creates the folder of a SQLite file
    config = alembic_config(url)
    config.attributes["agency_name"] = agency_name
    command.upgrade(config, revision)


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
