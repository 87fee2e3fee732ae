"""The load benchmark: the bot in a big office against a bare python-telegram-bot bot.

`python -m benchmarks load [--backend sqlite|postgresql] [--database-url URL] [--processes N]`.

The office: 10,000 drafts open at the Sekretaris's review (Telaah Konsep pendahuluan Renja)
and 50,000 reminders waiting. A few hundred of the drafts are made through the use cases
(start, upload, send to review), as an official would; the first of them is then copied,
row for row (draft, tasks, row clock, document version, audit lines, reminders, and the
outbox rows it wrote, all sent), up to the 10,000, and the reminders are topped up with
overdue ones ('terlambat') of the copies' rows. Every reminder falls due after the bot's
clock: none goes out during the measures. The office is made once per backend and copied
for every start of the bot measured, so each starts from the same office.

The variants (`ALL`, all of them by default):
- SQLite, one polling process;
- PostgreSQL, one polling process;
- PostgreSQL, two webhook processes (`--processes 2`): each is `renja-bot run --webhook`'s
  server (`benchmarks/botprocess.py`) on a port of its own, behind emulator/proxy.py's
  round-robin proxy (in a process of its own, up before them, as in a deployment); the
  emulator posts the updates to the proxy once a process has called setWebhook.
PostgreSQL is a server the benchmark starts itself in a temporary folder, the way the tests
do (tests/pg.py: Debian's server binaries, initdb and pg_ctl, with fsync off), or the one
`--database-url postgresql+psycopg://USER@HOST/postgres` names (the office and its copies
are databases of their own there, dropped at the end). Without server binaries, and no
URL, the PostgreSQL variants are skipped with a line that says so (`make postgresql`
installs them).

Measured for each variant, against the bare bot (one polling process, on an emulator of its
own shared by the variants) in turns in the same run:
- start-up: from the start of the process(es) to the first update handled: a Setujui
  pressed before they start, handled when the next holder's message has arrived at the
  emulator (the bare bot: its one message). Both bots are started in turns, ours each time
  on a fresh copy;
- decisions per second with 1 and with 16 presses in flight, and the latency from a press
  to the next holder's message, as `benchmarks/decisions.py` measures them (the two bots
  running at the same time and taking turns);
- peak memory: the high-water mark of resident memory (VmHWM) of the bot's process (of two
  processes: the sum of both), after its start-up (of two: once both have called
  setWebhook, as the first update may be handled while the other still starts) and after
  all its decisions, which begin once both are up.

The reviewer's task messages are put on the phone before the bot starts, as the sender
would have sent them (the outbox rows are marked sent, with their message ids): the bot
starts with nothing owed. Flood limits are off and the bot's pacing high.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlmodel
from sqlalchemy import Table, create_engine, func, insert, select, text, update
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, col
from telegram import InlineKeyboardMarkup

from benchmarks import botprocess, decisions
from benchmarks.common import (
    KASUBBAG,
    OFFICIALS,
    SEKRETARIS,
    START,
    Emulator,
    bot_process,
    count_as_delivered,
    emulator_process,
    percentile,
    proxy_process,
    services_at,
)
from benchmarks.decisions import (
    BARE_NOTICE,
    OUR_NOTICE,
    Contestant,
    Press,
    Run,
    bare_presses,
    phones,
    seed_reviews,
    setup_bot,
)
from bot.usecases import officials
from bot.usecases.base import Services
from emulator import EmulatorClient, SimulatedUser
from storage import outbox as outbox_store
from storage import reminders as reminder_store
from storage.db import upgrade
from storage.models import (
    AuditEntry,
    DocumentVersion,
    Draft,
    DraftTask,
    OutboxMessage,
    Reminder,
    RowClock,
)
from tests import pg
from workflow.engine import DraftStatus
from workflow.reminders import ReminderKind

NEXT_HOLDER = KASUBBAG
SQLITE, POSTGRESQL = "sqlite", "postgresql"
COPIED = (Draft, DraftTask, RowClock, DocumentVersion, AuditEntry, Reminder, OutboxMessage)
"""The tables of a draft's rows, in the order they are copied (each refers to earlier ones)."""
BATCH = 2_000
"""Rows per INSERT."""
LONGEST_START = 120.0
"""Seconds a start-up may take before the benchmark gives up."""
Process = asyncio.subprocess.Process


class NotAvailable(RuntimeError):
    """The variant asked for cannot be measured here (and why)."""


@dataclass(frozen=True)
class LoadSizes:
    drafts: int
    reminders: int
    """Waiting reminders in all."""
    decisions: list[tuple[int, int]]
    """(in flight, decisions measured)."""
    starts: int
    """Start-ups measured per bot."""

    @property
    def pressed(self) -> int:
        """Presses made on each bot, and so drafts made through the use cases: one per
        start-up, one to see the bot ready before the decisions, and one per decision."""
        return self.starts + 1 + sum(decisions.WARM_UP + count for _, count in self.decisions)


FULL = LoadSizes(10_000, 50_000, [(1, 40), (16, 160)], 3)
QUICK = LoadSizes(50, 200, [(1, 2), (16, 16)], 1)


@dataclass(frozen=True)
class Office:
    """The prepared database: what it holds and how long it took to make."""

    drafts: int
    open_drafts: int
    waiting_reminders: int
    outbox_rows: int
    seconds: float


@dataclass(frozen=True)
class Result:
    office: Office
    variant: Variant
    sizes: LoadSizes
    start_up: tuple[list[float], list[float]]
    """Seconds, ours and the bare bot's."""
    start_memory: tuple[int, int]
    """Peak resident bytes after start-up (the largest of the start-ups; of two processes,
    the sum of theirs)."""
    runs: dict[int, tuple[Run, Run]]
    """By presses in flight: ours, the bare bot's."""
    run_memory: tuple[int, int]
    """Peak resident bytes after all decisions."""


# Backends ----------------------------------------------------------------------------------


class Backend:
    """Where the office's database lives: made once, copied for each bot process."""

    name = ""
    office_url = ""
    """The prepared database, once created."""

    def create(self) -> str:
        """Create the empty database the office is prepared in; its URL."""
        raise NotImplementedError

    def copy(self, label: str) -> str:
        """A copy of the prepared database; its URL."""
        raise NotImplementedError

    def finish_preparing(self, engine: Engine) -> None:
        """After the seeding, before the first copy."""

    def drop_copies(self) -> None:
        """Remove the copies made."""


class SqliteBackend(Backend):
    """A file; each copy is a copy of the file."""

    name = SQLITE

    def __init__(self, url: str | None, folder: Path) -> None:
        database = make_url(url).database if url else None
        self.path = Path(database) if database else folder / "load.db"
        if self.path.name in ("", ":memory:"):
            raise NotAvailable("the load benchmark needs a SQLite file, not an in-memory one")
        if self.path.exists():
            raise FileExistsError(
                f"{self.path} exists: the load benchmark makes its own database, name a new file"
            )
        self.copies: list[Path] = []

    @staticmethod
    def _files(path: Path) -> list[Path]:
        return [path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))]

    def create(self) -> str:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.office_url = f"sqlite:///{self.path}"
        return self.office_url

    def finish_preparing(self, engine: Engine) -> None:
        engine.dispose()
        with sqlite3.connect(self.path) as connection:  # everything into the file itself
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def copy(self, label: str) -> str:
        target = self.path.with_name(f"{self.path.stem}-{label}{self.path.suffix}")
        for stale in self._files(target):
            stale.unlink(missing_ok=True)
        shutil.copyfile(self.path, target)
        self.copies.append(target)
        return f"sqlite:///{target}"

    def drop_copies(self) -> None:
        for target in self.copies:
            for path in self._files(target):
                path.unlink(missing_ok=True)


class PostgresBackend(Backend):
    """A server: the office is made in a database of its own, each copy is a database
    created from it (CREATE DATABASE … TEMPLATE); all of them are dropped at the end. The
    URL given names the server and a database to connect to for that (e.g. `postgres`)."""

    name = POSTGRESQL

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.prefix = f"renja_load_{os.getpid()}"
        self.made: list[str] = []

    def _at(self, database: str) -> str:
        return self.url.set(database=database).render_as_string(hide_password=False)

    def _create(self, database: str, template: str | None = None) -> str:
        admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                like = f" TEMPLATE {template}" if template else ""
                connection.exec_driver_sql(f"CREATE DATABASE {database}{like}")
        finally:
            admin.dispose()
        self.made.append(database)
        return self._at(database)

    def create(self) -> str:
        self.office_url = self._create(f"{self.prefix}_office")
        return self.office_url

    def finish_preparing(self, engine: Engine) -> None:
        engine.dispose()  # a template may have no connection open

    def copy(self, label: str) -> str:
        return self._create(f"{self.prefix}_{label}", template=f"{self.prefix}_office")

    def drop_copies(self) -> None:
        admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                for database in reversed(self.made):
                    connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        finally:
            admin.dispose()
        self.made.clear()


def backend_for(url: str | None, folder: Path) -> Backend:
    """The backend of `url` (None: a SQLite file in `folder`), or NotAvailable."""
    if url is None:
        return SqliteBackend(None, folder)
    name = make_url(url).get_backend_name()
    if name == SQLITE:
        return SqliteBackend(url, folder)
    if name == POSTGRESQL:
        return PostgresBackend(url)
    raise NotAvailable(f"no such backend for the load benchmark: {name}")


@dataclass(frozen=True)
class Variant:
    """Where the bot's data lives, and how many processes serve it."""

    backend: str
    processes: int

    @property
    def name(self) -> str:
        return f"{self.backend}, {self.how}"

    @property
    def how(self) -> str:
        return "1 process" if self.processes == 1 else f"{self.processes} webhook processes"

    @property
    def short(self) -> str:
        """The variant, in the name of each of its rows."""
        return self.backend if self.processes == 1 else f"{self.backend} ×{self.processes}"


ALL = (Variant(SQLITE, 1), Variant(POSTGRESQL, 1), Variant(POSTGRESQL, 2))
"""What `python -m benchmarks load` measures without options."""


def variants(
    database_url: str | None, processes: int | None, backend: str | None = None
) -> list[Variant]:
    """The variants asked for: a backend (`database_url`'s, or `backend`; else every one)
    and a number of processes (else: one, and two on PostgreSQL); NotAvailable for what
    cannot be measured."""
    if processes is not None and processes < 1:
        raise NotAvailable("--processes must be 1 or more")
    if database_url is not None:
        named = make_url(database_url).get_backend_name()
        if named not in (SQLITE, POSTGRESQL):
            raise NotAvailable(f"no such backend for the load benchmark: {named}")
        if backend is not None and backend != named:
            raise NotAvailable(f"--database-url is a {named} URL, not {backend}")
        backend = named
    chosen = [
        variant
        for variant in ALL
        if backend in (None, variant.backend) and processes in (None, variant.processes)
    ]
    if processes is not None and processes > 1:
        if backend == SQLITE:
            raise NotAvailable(
                f"{processes} webhook processes share one PostgreSQL database, not a SQLite "
                "file: leave out --database-url (a PostgreSQL server is started), or give a "
                "postgresql+psycopg:// URL"
            )
        chosen = [Variant(POSTGRESQL, processes)]
    return chosen


@contextlib.contextmanager
def backend_of(name: str, database_url: str | None, folder: Path) -> Iterator[Backend]:
    """The backend `name`: at `database_url` when given; else a SQLite file in `folder`, or a
    PostgreSQL server started for the block the way the tests start theirs (tests/pg.py),
    or NotAvailable when no PostgreSQL server binaries are installed. Its copies are
    removed at the end, and the server stopped."""
    if database_url is not None or name == SQLITE:
        backend = backend_for(database_url, folder)
        try:
            yield backend
        finally:
            backend.drop_copies()
        return
    binaries = pg.find_binaries()
    if binaries is None:
        raise NotAvailable(
            f"{pg.MISSING}: `make postgresql` installs them (Debian's postgresql package), "
            "or give a server with --database-url postgresql+psycopg://USER@HOST/postgres"
        )
    server = pg.PostgresServer(binaries)
    try:
        server.start()
        backend = PostgresBackend(server.url("postgres"))
        try:
            yield backend
        finally:
            backend.drop_copies()
    finally:
        server.stop()


# Seeding -----------------------------------------------------------------------------------


def prepare(backend: Backend, folder: Path, sizes: LoadSizes) -> Office:
    """The office: `sizes.pressed` drafts through the use cases, the rest copies of the
    first, the reminders topped up; every message owed counted as delivered except the
    reviewer's task messages of the drafts made through the use cases."""
    if sizes.drafts < sizes.pressed:
        raise ValueError(f"{sizes.drafts:,} drafts are fewer than the {sizes.pressed} pressed")
    began = time.perf_counter()
    services = office_at(folder, backend.create())
    seed_reviews(services, 1, "bench-konsep")
    with Session(services.engine) as session:
        outbox_upto = session.execute(select(func.max(col(OutboxMessage.id)))).scalar() or 0
        per_draft = len(reminder_store.reminders_of(session, draft_id=1))
    copies = sizes.drafts - sizes.pressed
    copy_draft(services.engine, draft_id=1, outbox_upto=outbox_upto, copies=copies)
    seed_reviews(services, sizes.pressed - 1, "bench-konsep")
    extra = sizes.reminders - per_draft * sizes.drafts
    if extra < 0:
        raise ValueError(f"each draft has {per_draft} reminders: ask for {per_draft}× the drafts")
    top_up_reminders(services.engine, extra, drafts=range(2, copies + 2) if copies else None)
    with Session(services.engine) as session:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.status) == outbox_store.WAITING, ~_review_task())
            .values(status=outbox_store.SENT, sent_at=datetime.now(UTC))
        )
        session.commit()
    made = count(services.engine, seconds=time.perf_counter() - began)
    backend.finish_preparing(services.engine)
    return made


def office_at(folder: Path, url: str) -> Services:
    """A migrated database at `url` with the officials of the Renja SOP registered."""
    upgrade(url)
    services = services_at(folder, lambda: START, url)
    for telegram_id, name, position, unit in OFFICIALS:
        officials.register_official(
            services, telegram_id=telegram_id, name=name, position=position, unit=unit
        )
    return services


def _review_task() -> Any:
    """The reviewer's task messages (with their Setujui), as opposed to what else is owed."""
    return (
        (col(OutboxMessage.chat_id) == SEKRETARIS)
        & (col(OutboxMessage.kind) == outbox_store.MESSAGE)
        & col(OutboxMessage.tag).is_not(None)
    )


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def copy_draft(engine: Engine, *, draft_id: int, outbox_upto: int, copies: int) -> None:
    """`copies` copies of the draft's rows, with new ids and the references between them
    renumbered; its outbox rows (those up to id `outbox_upto`) all sent. Each copy's
    reminders fall due a second later than the one before."""
    if copies <= 0:
        return
    with Session(engine) as session:
        template: dict[str, list[dict[str, Any]]] = {}
        bases: dict[str, int] = {}
        for model in COPIED:
            table = _table(model)
            if model is OutboxMessage:
                where = table.c.id <= outbox_upto
            else:
                where = (table.c.id if model is Draft else table.c.draft_id) == draft_id
            rows = session.execute(select(table).where(where).order_by(table.c.id)).mappings()
            template[table.name] = [dict(row) for row in rows]
            bases[table.name] = session.execute(select(func.max(table.c.id))).scalar() or 0
        numbering = Numbering(template, bases, datetime.now(UTC))
        per_batch = max(1, BATCH // max(len(rows) for rows in template.values()))
        for first in range(0, copies, per_batch):
            numbers = range(first, min(copies, first + per_batch))
            for model in COPIED:
                table = _table(model)
                session.execute(
                    insert(table),
                    [
                        numbering.row(table.name, row, number)
                        for number in numbers
                        for row in template[table.name]
                    ],
                )
        _advance_sequences(session)
        session.commit()


@dataclass(frozen=True)
class Numbering:
    """The ids of the copies: copy n of the template's row i of a table gets the table's
    highest id before copying + n × (the template's rows in it) + i + 1."""

    template: dict[str, list[dict[str, Any]]]
    bases: dict[str, int]
    sent_at: datetime

    def id(self, table: str, old: int | None, number: int) -> int | None:
        if old is None:
            return None
        ids = [row["id"] for row in self.template[table]]
        return self.bases[table] + number * len(ids) + ids.index(old) + 1

    def row(self, name: str, row: dict[str, Any], number: int) -> dict[str, Any]:
        """Row `row` of table `name` in copy `number` (from 0)."""
        copied = dict(row, id=self.id(name, row["id"], number))
        if "draft_id" in row:
            copied["draft_id"] = self.id("draft", row["draft_id"], number)
        if name == "draft":
            copied["title"] = f"Renja {copied['id']}"
        elif name == "documentversion":
            copied["draft_task_id"] = self.id("drafttask", row["draft_task_id"], number)
        elif name == "auditentry":
            version = row["document_version_id"]
            copied["document_version_id"] = self.id("documentversion", version, number)
        elif name == "reminder":
            if row["meeting_id"] is not None:
                raise ValueError("the copied draft must have no meeting")
            copied["row_clock_id"] = self.id("rowclock", row["row_clock_id"], number)
            copied["due_at"] = row["due_at"] + timedelta(seconds=number + 1)
        elif name == "outbox":
            copied["edit_of"] = self.id("outbox", row["edit_of"], number)
            tag = row["tag"] or ""
            if tag.startswith("tugas:"):
                task = self.id("drafttask", int(tag.removeprefix("tugas:")), number)
                copied["tag"] = f"tugas:{task}"
            copied.update(status=outbox_store.SENT, sent_at=self.sent_at, claimed_until=None)
        return copied


def top_up_reminders(engine: Engine, extra: int, *, drafts: range | None) -> None:
    """`extra` overdue reminders ('terlambat') more, a day apart, on the open row clocks of
    `drafts` (None: of every draft) in turn; all due after the bot's clock."""
    if extra <= 0:
        return
    with Session(engine) as session:
        clock = _table(RowClock)
        found = select(clock.c.id, clock.c.draft_id, clock.c.due_at).where(
            col(RowClock.left_at).is_(None)
        )
        if drafts is not None:
            found = found.where(col(RowClock.draft_id).between(drafts.start, drafts.stop - 1))
        clocks = session.execute(found.order_by(col(RowClock.id))).all()
        if not clocks:
            raise ValueError("no open row clock to add reminders to")
        rows = []
        for index in range(extra):
            clock_id, draft_id, due_at = clocks[index % len(clocks)]
            rows.append(
                {
                    "draft_id": draft_id,
                    "row_clock_id": clock_id,
                    "kind": ReminderKind.TERLAMBAT.value,
                    "due_at": max(due_at, START) + timedelta(days=1 + index // len(clocks)),
                }
            )
        for first in range(0, len(rows), BATCH):
            session.execute(insert(_table(Reminder)), rows[first : first + BATCH])
        session.commit()


def _advance_sequences(session: Session) -> None:
    """PostgreSQL's id sequences do not see ids inserted as given: move them past those."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in COPIED:
        name = _table(model).name
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT max(id) FROM {name}))"
            )
        )


def count(engine: Engine, *, seconds: float) -> Office:
    """What the office holds."""
    with Session(engine) as session:

        def number(statement: Any) -> int:
            return int(session.execute(statement).scalar() or 0)

        waiting = (col(Reminder.sent_at).is_(None)) & (col(Reminder.cancelled_at).is_(None))
        return Office(
            drafts=number(select(func.count()).select_from(Draft)),
            open_drafts=number(
                select(func.count()).where(col(Draft.status) == DraftStatus.AKTIF.value)
            ),
            waiting_reminders=number(select(func.count()).where(waiting)),
            outbox_rows=number(select(func.count()).select_from(OutboxMessage)),
            seconds=seconds,
        )


# Measuring ---------------------------------------------------------------------------------


async def put_tasks_on_phone(
    emulator: Emulator, folder: Path, url: str, reviewer: SimulatedUser, limit: int | None
) -> list[Press]:
    """The reviewer's task messages owed in the database at `url` (the first `limit`), sent
    with the bot's account as the sender would send them and recorded as sent with their
    message ids; everything else owed counted as delivered. Their Setujui, by draft."""
    services = services_at(folder, lambda: START, url)
    try:
        with Session(services.engine) as session:
            owed = sqlmodel.select(OutboxMessage).where(
                col(OutboxMessage.status) == outbox_store.WAITING, _review_task()
            )
            rows = list(session.exec(owed.order_by(col(OutboxMessage.id)).limit(limit)).all())
        presses: list[Press] = []
        sent_ids: dict[int, int] = {}
        async with setup_bot(emulator) as bot:
            for row in rows:
                payload = row.payload
                markup = InlineKeyboardMarkup.de_json(payload["reply_markup"], bot)
                assert markup is not None
                sent = await bot.send_message(
                    row.chat_id,
                    payload["text"],
                    parse_mode=payload.get("parse_mode"),
                    reply_markup=markup,
                )
                button = markup.inline_keyboard[0][0]
                found = OUR_NOTICE.search(payload["text"])
                if not found or not str(button.callback_data or "").startswith("1:ap:"):
                    raise RuntimeError(f"outbox row {row.id} is no review task with Setujui")
                presses.append(Press(int(found.group(1)), reviewer, sent.message_id, button.text))
                sent_ids[row.id or 0] = sent.message_id
        with Session(services.engine) as session:
            now = datetime.now(UTC)
            for row_id, message_id in sent_ids.items():
                session.execute(
                    update(OutboxMessage)
                    .where(col(OutboxMessage.id) == row_id)
                    .values(status=outbox_store.SENT, sent_at=now, telegram_message_id=message_id)
                )
            session.commit()
        count_as_delivered(services)
        return presses
    finally:
        services.engine.dispose()


async def forget_updates(emulator: Emulator) -> None:
    """Drop whatever waits for the bot (the phones' /start), and its webhook if it has one:
    a bot that starts finds only what is pressed after this (a webhook process, once it
    has called setWebhook)."""
    async with setup_bot(emulator) as bot:
        await bot.delete_webhook(drop_pending_updates=True)


def peak_memory(pid: int) -> int:
    """The process's high-water mark of resident memory, in bytes (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


async def first_handled(
    control: EmulatorClient, press: Press, notice: re.Pattern[str], started: float
) -> float:
    """Seconds from `started` until the next holder's message of `press` has arrived.

    Its answer is not waited for: a press older than Telegram allows (15 seconds) can no
    longer be answered, and a slow start-up may leave it so; the decision is made all the
    same."""
    deadline = time.monotonic() + LONGEST_START
    while (await control.stats()).chat(NEXT_HOLDER).accepted < 1:
        if time.monotonic() > deadline:
            raise TimeoutError("the bot handled no update after its start")
        await asyncio.sleep(0.005)
    for entry in await control.log():
        if entry.ok and entry.method == "sendMessage" and entry.chat_id == NEXT_HOLDER:
            found = notice.search(entry.text or "")
            if found and int(found.group(1)) == press.key and entry.time >= started:
                return entry.time - started
    raise RuntimeError(f"no next-holder message for {press.key} in the emulator's log")


@dataclass(frozen=True)
class Bots:
    """A bot's running processes."""

    processes: list[Process]
    webhooks: int = 0
    """How many of them call setWebhook once they are up."""
    since: float = 0.0
    """When they were started (wall time)."""

    async def all_up(self, control: EmulatorClient) -> None:
        """Until each webhook process has called setWebhook (is wholly up): the first
        update may be handled by one while the other still starts."""
        deadline = time.monotonic() + LONGEST_START
        while self.webhooks:
            calls = [
                entry
                for entry in await control.log()
                if entry.ok and entry.method == "setWebhook" and entry.time >= self.since
            ]
            if len(calls) >= self.webhooks:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.webhooks - len(calls)} webhook processes never came up")
            await asyncio.sleep(0.05)

    def peak_memory(self) -> int:
        """The sum of the processes' high-water marks."""
        return sum(peak_memory(process.pid) for process in self.processes)


Starter = Callable[[str | None], AbstractAsyncContextManager[Bots]]
"""Starts a bot's processes, over a database copy (ours) or none (bare), for a block."""


@dataclass
class Side:
    """One bot's emulator, the way it is started, and its presses."""

    kind: str
    emulator: Emulator
    control: EmulatorClient
    notice: re.Pattern[str]
    start: Starter


def bare_bot(emulator: Emulator) -> Starter:
    @contextlib.asynccontextmanager
    async def start(_: str | None) -> AsyncIterator[Bots]:
        async with bot_process(emulator, "bare") as process:
            yield Bots([process])

    return start


@contextlib.asynccontextmanager
async def our_bot(emulator: Emulator, folder: Path, processes: int) -> AsyncIterator[Starter]:
    """How our bot is started: one polling process; or `processes` webhook processes on
    ports of their own, behind the round-robin proxy (started now, for the whole block, as
    it is always up in front of them), the emulator posting to the proxy."""
    if processes == 1:

        @contextlib.asynccontextmanager
        async def polling(url: str | None) -> AsyncIterator[Bots]:
            async with bot_process(emulator, "ours", folder, url) as process:
                yield Bots([process])

        yield polling
        return
    ports = [pg.free_port() for _ in range(processes)]
    backends = [f"http://127.0.0.1:{port}{botprocess.WEBHOOK_PATH}" for port in ports]
    async with proxy_process(backends) as proxy:

        @contextlib.asynccontextmanager
        async def webhook(url: str | None) -> AsyncIterator[Bots]:
            since = time.time()
            async with contextlib.AsyncExitStack() as stack:
                started = [
                    await stack.enter_async_context(
                        bot_process(emulator, "ours", folder, url, webhook=(port, proxy.url))
                    )
                    for port in ports
                ]
                yield Bots(started, webhooks=processes, since=since)

        yield webhook
    took = ", ".join(f"{proxy.forwarded.get(backend, 0):,}" for backend in backends)
    progress(f"load: the proxy forwarded {took} updates to the {processes} processes")
    if sum(proxy.failed.values()):
        progress(f"load: posts the processes could not take: {sum(proxy.failed.values())}")


async def start_up(side: Side, press: Press, url: str | None) -> tuple[float, int]:
    """The bot started with `press` waiting: seconds to its first update handled, and its
    peak memory then (of several processes: the sum, once all are up)."""
    await forget_updates(side.emulator)
    await side.control.reset_stats()
    await press.user.press(press.message_id, press.label)
    started = time.time()
    async with side.start(url) as bots:
        seconds = await first_handled(side.control, press, side.notice, started)
        await bots.all_up(side.control)
        return seconds, bots.peak_memory()


async def run(
    sizes: LoadSizes,
    database_url: str | None = None,
    processes: int | None = None,
    backend: str | None = None,
) -> tuple[list[Result], list[str]]:
    """Prepare the office once per backend, then measure each variant asked for (see
    `variants`) against the bare bot; what was measured, and why what was not was skipped."""
    chosen = variants(database_url, processes, backend)
    results: list[Result] = []
    skipped: list[str] = []
    with (
        tempfile.TemporaryDirectory(prefix="renja-load-") as name,
        contextlib.ExitStack() as backends,
    ):
        folder = Path(name)
        ready: dict[str, Backend] = {}
        for backend_name in dict.fromkeys(variant.backend for variant in chosen):
            try:
                ready[backend_name] = backends.enter_context(
                    backend_of(backend_name, database_url, folder)
                )
            except NotAvailable as error:
                hows = "; ".join(v.how for v in chosen if v.backend == backend_name)
                skipped.append(f"load on {backend_name} ({hows}) skipped: {error}")
                progress(skipped[-1])
        measured = [variant for variant in chosen if variant.backend in ready]
        if not measured:
            return results, skipped
        offices: dict[str, Office] = {}
        async with (
            emulator_process() as bare_emulator,
            EmulatorClient(bare_emulator.control_url) as bare_control,
        ):
            bare_waiting = await bare_presses(
                bare_control, bare_emulator, sizes.pressed * len(measured)
            )
            bare = Side("bare", bare_emulator, bare_control, BARE_NOTICE, bare_bot(bare_emulator))
            for variant in measured:
                store = ready[variant.backend]
                if variant.backend not in offices:
                    progress(
                        f"load: preparing {sizes.drafts:,} drafts and {sizes.reminders:,} "
                        f"waiting reminders on {variant.backend}"
                    )
                    made = await asyncio.to_thread(prepare, store, folder, sizes)
                    offices[variant.backend] = made
                    progress(
                        f"load: office ready in {made.seconds:.1f} s: {made.drafts:,} drafts "
                        f"({made.open_drafts:,} open), {made.waiting_reminders:,} waiting "
                        f"reminders, {made.outbox_rows:,} outbox rows"
                    )
                presses, bare_waiting = (
                    bare_waiting[: sizes.pressed],
                    bare_waiting[sizes.pressed :],
                )
                results.append(
                    await measure(
                        sizes, store, folder, offices[variant.backend], variant, bare, presses
                    )
                )
    return results, skipped


async def measure(
    sizes: LoadSizes,
    backend: Backend,
    folder: Path,
    made: Office,
    variant: Variant,
    bare: Side,
    bare_waiting: list[Press],
) -> Result:
    """One variant against the bare bot: start-ups in turns, then the decisions."""
    label = f"p{variant.processes}"
    async with (
        emulator_process() as ours_emulator,
        EmulatorClient(ours_emulator.control_url) as ours_control,
        our_bot(ours_emulator, folder, variant.processes) as start_ours,
    ):
        await ours_control.reset()
        if variant.processes > 1:  # a delivery refused is tried again soon (as in the tests)
            await ours_control.set_webhook_retry(first=0.1, cap=0.5)
        _, reviewer = await phones(ours_control, [NEXT_HOLDER, SEKRETARIS])
        ours = Side("ours", ours_emulator, ours_control, OUR_NOTICE, start_ours)

        times: dict[str, list[float]] = {"ours": [], "bare": []}
        memory = {"ours": 0, "bare": 0}
        for number in range(sizes.starts):
            progress(f"load ({variant.name}): start-up {number + 1} of {sizes.starts}, both bots")
            url = backend.copy(f"{label}_start{number}")
            (press,) = await put_tasks_on_phone(ours_emulator, folder, url, reviewer, limit=1)
            for side, this, copy in ((ours, press, url), (bare, bare_waiting[number], None)):
                seconds, peak = await start_up(side, this, copy)
                times[side.kind].append(seconds)
                memory[side.kind] = max(memory[side.kind], peak)

        progress(f"load ({variant.name}): decisions, both bots in turns")
        url = backend.copy(f"{label}_decisions")
        ours_first, *ours_presses = await put_tasks_on_phone(
            ours_emulator, folder, url, reviewer, None
        )
        bare_first, *bare_presses_left = bare_waiting[sizes.starts :]
        firsts = ((ours, ours_first), (bare, bare_first))
        for side, first in firsts:  # each bot sees the first press once it is up
            await forget_updates(side.emulator)
            await side.control.reset_stats()
            await first.user.press(first.message_id, first.label)
        started = time.time()
        async with bare.start(None) as bare_bots, ours.start(url) as ours_bots:
            for side, first in firsts:
                await first_handled(side.control, first, side.notice, started)
            await ours_bots.all_up(ours_control)
            runs = await decisions.compare(
                Contestant(ours_control, ours_presses, OUR_NOTICE),
                Contestant(bare.control, bare_presses_left, BARE_NOTICE),
                sizes.decisions,
            )
            run_memory = (ours_bots.peak_memory(), bare_bots.peak_memory())
    return Result(
        office=made,
        variant=variant,
        sizes=sizes,
        start_up=(times["ours"], times["bare"]),
        start_memory=(memory["ours"], memory["bare"]),
        runs=runs,
        run_memory=run_memory,
    )


def progress(what: str) -> None:
    print(f"… {what}", file=sys.stderr, flush=True)


Row = tuple[str, str, str, str]


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:9.2f} ms"


def mib(size: int) -> str:
    return f"{size / 2**20:9.1f} MiB"


def rows(result: Result) -> list[Row]:
    """The table's rows: measure, value (ours), baseline (the bare bot), ratio."""
    made = result.office
    variant = result.variant
    load = f"load {variant.short}:"
    table: list[Row] = [
        (
            f"load ({variant.name}): {made.open_drafts:,} open drafts, "
            f"{made.waiting_reminders:,} reminders",
            f"{made.seconds:9.1f} s",
            "",
            "to seed",
        )
    ]
    for in_flight, (ours, bare) in result.runs.items():
        where = f"{in_flight} in flight ({ours.decisions} presses)"
        table += [
            (
                f"{load} decisions/s, {where}",
                f"{ours.per_second:9.1f} /s",
                f"{bare.per_second:9.1f} /s",
                f"{ours.per_second / bare.per_second:6.2f}× a bare PTB bot",
            ),
            (
                f"{load} press → next holder, median, {in_flight} in flight",
                ms(ours.median),
                ms(bare.median),
                f"{ours.median / bare.median:6.1f}× the bare bot's",
            ),
            (
                f"{load} press → next holder, p99, {in_flight} in flight",
                ms(ours.p99),
                ms(bare.p99),
                f"{ours.p99 / bare.p99:6.1f}× the bare bot's",
            ),
        ]
    ours_start, bare_start = (percentile(times, 50) for times in result.start_up)
    starts = len(result.start_up[0])
    processes = variant.processes
    summed = "" if processes == 1 else f", sum of {processes} processes"
    both = {1: "", 2: " of both"}.get(processes, f" of all {processes}")
    table += [
        (
            f"{load} start-up{both} → first update handled, median of {starts}",
            ms(ours_start),
            ms(bare_start),
            f"{ours_start / bare_start:6.1f}× the bare bot's",
        ),
        (
            f"{load} peak memory (VmHWM{summed}) after start-up",
            mib(result.start_memory[0]),
            mib(result.start_memory[1]),
            f"{result.start_memory[0] / result.start_memory[1]:6.1f}× the bare bot's",
        ),
        (
            f"{load} peak memory (VmHWM{summed}) after all decisions",
            mib(result.run_memory[0]),
            mib(result.run_memory[1]),
            f"{result.run_memory[0] / result.run_memory[1]:6.1f}× the bare bot's",
        ),
    ]
    return table
