"""The database engine and its migrations.

SQLite (one file, one process) runs in WAL mode with a busy timeout, every writing
transaction taking the write lock at BEGIN. PostgreSQL (several processes) runs in READ
COMMITTED: what SQLite's single writer lock serialised is serialised there by row locks
(`SELECT ... FOR UPDATE` on the draft, `SKIP LOCKED` for claims).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, create_engine

# Alembic is imported by the functions that migrate: the running bot never needs it, and
# importing it costs its start-up about half a second.
if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 10_000
POOL_SIZE = 10
"""Connections kept open to PostgreSQL: use cases run in threads, a few at a time."""
POOL_OVERFLOW = 20
"""More opened for a busy moment (many updates at once), closed again after it."""
POOL_TIMEOUT_SECONDS = 30


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is switched off: `_Writers.begin` starts
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


class _Writers:
    """The writing transactions of one engine's threads, one at a time, in turn.

    Updates run in threads at the same time. A deferred transaction that read first and
    writes later fails at once ("database is locked") when another writer committed in
    between; taking the write lock at BEGIN (IMMEDIATE) makes it wait its turn instead. A
    session that only reads (`reader`) needs no lock and waits for nobody.

    SQLite itself makes a writer that finds the lock taken sleep and try again (1, 2, 5, 10
    … 100 ms at a time, up to the busy timeout), while the lock may long be free: with many
    updates in flight, writers waited far longer than the writes took. This process's
    writers queue on a lock of their own first, each woken as soon as the one before has
    given its connection back; only writers of other processes meet SQLite's busy wait.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def begin(self, connection: Connection) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
            return
        info = connection.info  # the DB-API connection's, kept until it is given back
        took = False
        if not info.get(_HOLDS):  # a connection that committed and goes on still holds it
            # Should a turn never come (a connection never given back), SQLite's own busy
            # timeout decides after this one, as without the queue.
            took = self.lock.acquire(timeout=BUSY_TIMEOUT_MS / 1000)
            info[_HOLDS] = took
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if took:
                self.given_back(None, connection)
            raise

    def given_back(self, _dbapi_connection: Any, record: Any) -> None:
        """The connection is back in the pool (its transaction ended): the next may write."""
        if record.info.pop(_HOLDS, False):
            self.lock.release()


_HOLDS = "renja_holds_write_turn"
_WRITERS: weakref.WeakKeyDictionary[Engine, _Writers] = weakref.WeakKeyDictionary()


def write_turn_taken(engine: Engine) -> bool:
    """Whether one of the engine's connections holds the write turn (a SQLite engine)."""
    writers = _WRITERS.get(engine)
    return writers is not None and writers.lock.locked()


READ_ONLY = "renja_read_only"


def reader(engine: Engine) -> Engine:
    """The same database for sessions that only read: they never wait for the write lock."""
    return engine.execution_options(**{READ_ONLY: True})


def ping(engine: Engine) -> None:
    """A trivial query, in a transaction that takes no lock; raises if the database does not
    answer."""
    with reader(engine).connect() as connection:
        connection.exec_driver_sql("SELECT 1").scalar_one()


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
    writers = _WRITERS[engine] = _Writers()
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", writers.begin)
    event.listen(engine, "checkin", writers.given_back)
    return engine


def statements_of(engine: Engine, action: Callable[[], object]) -> int:
    """How many SQL statements `action` runs on the engine (what the benchmarks and the
    tests count: a list or a decision must not run more in a bigger office)."""
    count = 0

    def counted(*_: Any) -> None:
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", counted)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count


def locks_rows(session: Session) -> bool:
    """Whether a row read for a change must be locked (`SELECT ... FOR UPDATE`): on
    PostgreSQL, in a session that writes. SQLite's writer already holds the whole database
    (BEGIN IMMEDIATE), and a `reader` changes nothing."""
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        return False
    return not bind.get_execution_options().get(READ_ONLY, False)


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head", *, agency_name: str | None = None) -> None:
    """Create the database, or bring an existing one up to date; data is kept.

    `agency_name`: the name of the default agency, should this upgrade create it (the
    organisation file's `instansi`); every existing official and draft belongs to it.
    """
    from alembic import command

    make_engine(url).dispose()  # creates the folder of a SQLite file
    config = alembic_config(url)
    config.attributes["agency_name"] = agency_name
    command.upgrade(config, revision)


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


def is_up_to_date(url: str) -> bool:
    """Whether the database exists and has every migration (a missing SQLite file is not
    created by asking)."""
    from alembic.script import ScriptDirectory

    parsed = make_url(url)
    database = parsed.database
    is_file = parsed.get_backend_name() == "sqlite" and database not in (None, "", ":memory:")
    if is_file and database and not Path(database).expanduser().is_file():
        return False
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    return current_revision(url) == head
