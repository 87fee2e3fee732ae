"""Two `renja-bot run --webhook` processes on one PostgreSQL database, behind one proxy.

What a deployment with two bot processes does: Telegram posts every update to one public
address, a reverse proxy spreads the posts over the processes (round robin here, and to the
other process when one does not answer), and both share the database: the inbox, the
outbox, the drafts' row locks and the reminders' claims.

The Renja SOP is played by the crash harness's officials (tests/e2e/crashrun.py) once
against a single process on SQLite (the reference) and once against the two processes.
Every official must receive exactly the reference's messages: none missing, none sent
twice, none else; and the drafts, tasks, audit trail and document versions must end the same.
A second run SIGKILLs one of the two processes during the script, just after it took an
update, and starts it again: the other takes the update over, and nothing is lost.

A hundred overdue drafts, and both processes start at once: each reminder and each
escalation goes out, and no message twice. Again with one process started first (so that
the rows it claims are known to be its own) and SIGKILLed while it sends the reminders
beside the other, then started again: the rows it had claimed are sent by a process once
their lease (OUTBOX_LEASE_SECONDS, 5 s here) ends; the only repeat allowed is of a row it
held, sent to Telegram just before the kill and not yet recorded as sent.

Setujui pressed twice at the same instant, five times on five drafts: the two presses go
to the two processes, which handle them at once; one approval, one next task, the draft as
after one press, and the second press answered "already handled".
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import signal
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bot.sample_office import register_officials
from bot.texts import RECORDED
from bot.usecases import drafts
from bot.usecases.base import Services
from emulator import BotApiEmulator, BotMessage, CallbackAnswer, EmulatorClient
from emulator.proxy import Proxy
from storage import outbox as outbox_store
from storage.db import make_engine, upgrade
from tests import pg
from tests.e2e.crashrun import (
    OFFICIALS,
    ROOT,
    STATE,
    TOKEN,
    BotProcess,
    Office,
    Phone,
    Received,
    Run,
    StepFailed,
    _archived,
    as_received,
    base_env,
    compare_chat,
    loop_time,
    play,
    play_renja,
    settle,
    short,
    webhook_env,
)
from workflow.calendar import OfficeCalendar
from workflow.organisation import load_organisation
from workflow.sop import load_sops

pytestmark = [pytest.mark.pg, pytest.mark.slow, pytest.mark.xdist_group("two_processes")]

PATH = "/telegram"
KILLS = 5
THINK = (0.3, 0.7)
"""An official's pause before acting, in the run with kills: time for the killed process
to come back between kills."""
SEED = 20261129


# -- the runs -----------------------------------------------------------------------------------


@dataclass
class PairRun:
    """What one run of the script against the two processes left behind."""

    chats: dict[str, list[Received]]
    state: dict[str, list[tuple[Any, ...]]]
    forwarded: dict[str, int]
    failed: dict[str, int]
    kills: int
    steps: int
    lost: list[str]
    notes: list[str]
    failures: list[str]
    seconds: float


def sample_office(url: str, files_dir: Path, *, ago: timedelta = timedelta(0)) -> None:
    """Migrate the database at `url` and register the seven officials of bot/sample_office.py
    (as of `ago` before now), one after the other: the order of their positions is the order
    of a task's shares."""
    upgrade(url)
    engine = make_engine(url)
    organisation = load_organisation(ROOT / "config" / "organisasi.yaml")
    try:
        register_officials(
            Services(
                engine=engine,
                sops=load_sops(ROOT / "sops", organisation=organisation),
                calendar=OfficeCalendar.default(),
                clock=lambda: datetime.now(UTC) - ago,
                files_dir=files_dir,
                max_upload_bytes=20 * 1024 * 1024,
            )
        )
    finally:
        engine.dispose()


def postgres_state(url: str, files_dir: Path) -> dict[str, list[tuple[Any, ...]]]:
    """crashrun.final_state's rows, read from PostgreSQL."""
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as connection:
        state = {name: connection.execute(query).fetchall() for name, query in STATE.items()}
    state["documentversion"] = [
        (*row[:7], _archived(files_dir / row[7], row[3])) for row in state["documentversion"]
    ]
    # JSON columns come back as lists; SQLite gives them as their text.
    state["drafttask"] = [
        (*row[:5], json.dumps(row[5]), json.dumps(row[6])) for row in state["drafttask"]
    ]
    return state


async def kill_and_restart(
    bot: BotProcess, proxy: Proxy, backend: str, *, count: int, done: asyncio.Event
) -> int:
    """SIGKILL `bot` `count` times, each 0-50 ms after it answered an update 200 (it holds the
    update in the inbox and is handling it), and start it again at once; until `done`."""
    rng = random.Random(SEED)
    kills = 0
    while kills < count and not done.is_set():
        took = proxy.took.setdefault(backend, asyncio.Event())
        took.clear()
        waits = {asyncio.create_task(took.wait()), asyncio.create_task(done.wait())}
        _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        if done.is_set():
            break
        await asyncio.sleep(rng.uniform(0.0, 0.05))
        await bot.kill()
        kills += 1
        await bot.start()
        await bot.wait_ready()
    return kills


@dataclass
class Pair:
    """Two webhook processes on one database, the emulator, and the proxy between them."""

    control: EmulatorClient
    proxy: Proxy
    bots: list[BotProcess]


@asynccontextmanager
async def two_processes(workdir: Path, url: str) -> AsyncIterator[Pair]:
    """The emulator, the proxy, and two (not yet started) `renja-bot run --webhook` processes
    on database `url`, each in a folder of its own; both stopped (SIGTERM) at the end."""
    shared = base_env(workdir)
    shared["DATABASE_URL"] = url
    envs = [webhook_env(), webhook_env()]
    backends = [f"http://127.0.0.1:{env['WEBHOOK_PORT']}{PATH}" for env in envs]
    async with (
        BotApiEmulator(TOKEN, username="renja_bot", first_name="Renja Bot") as emulator,
        EmulatorClient(emulator.control_url) as control,
        Proxy(backends, PATH).running() as proxy,
    ):
        await control.set_webhook_retry(first=0.1, cap=0.5)
        bots = []
        for number, env in enumerate(envs, 1):
            folder = workdir / f"bot-{number}"
            folder.mkdir()
            telegram = {
                "TELEGRAM_BOT_TOKEN": emulator.token,
                "TELEGRAM_API_BASE_URL": emulator.base_url,
                "TELEGRAM_API_FILE_URL": emulator.base_file_url,
                "WEBHOOK_URL": proxy.url,
            }
            bots.append(BotProcess(folder, shared | env | telegram, control, webhook=True))
        try:
            yield Pair(control, proxy, bots)
        finally:
            for bot in bots:
                await bot.stop()


async def play_two(workdir: Path, url: str, *, kills: int = 0) -> PairRun:
    """The script against two webhook processes on database `url`, behind a proxy."""
    sample_office(url, workdir / "files")
    started = loop_time()
    failures: list[str] = []
    done = asyncio.Event()
    async with two_processes(workdir, url) as pair:
        control, proxy, bots = pair.control, pair.proxy, pair.bots
        backends = proxy.backends
        steady, killed = bots
        office = Office(steady, think=THINK if kills else (0.0, 0.0), rng=random.Random(SEED))
        for telegram_id, name, _, _ in OFFICIALS:
            user = await control.user(telegram_id, name.split()[0])
            office.phones[telegram_id] = Phone(office, user, name)
        for bot in bots:  # one after the other: each is up at its own getMe
            await bot.start()
            await bot.wait_ready()
        killing = asyncio.create_task(
            kill_and_restart(killed, proxy, backends[1], count=kills, done=done)
        )
        try:
            await play_renja(office)
        except StepFailed as error:
            failures.append(f"the script stopped at step {len(office.steps)}: {error}")
        done.set()
        made = await killing
        if not killed.running:
            await killed.start()
        await killed.wait_ready()
        await settle(steady, control)
        chats = {
            phone.name: [as_received(m) for m in await phone.user.messages()]
            for phone in office.phones.values()
        }
    for bot in bots:
        if bot.process is not None and bot.process.returncode not in (0, -signal.SIGTERM):
            failures.append(f"a bot exited with {bot.process.returncode}:\n{bot.log_tail()}")
    return PairRun(
        chats=chats,
        state=postgres_state(url, workdir / "files"),
        forwarded=dict(proxy.forwarded),
        failed=dict(proxy.failed),
        kills=made,
        steps=len(office.steps),
        lost=office.lost,
        notes=office.notes,
        failures=failures,
        seconds=loop_time() - started,
    )


DRAFT_NUMBER = re.compile(r"\(#\d+")


def numberless(messages: list[Received]) -> list[Received]:
    """The messages with the draft's number left out. The run has one draft, but PostgreSQL
    may number it 2: a transaction that drew number 1 and was then killed with its process
    (or rolled back) does not give the number back, as SQLite does."""
    return [
        Received(DRAFT_NUMBER.sub("(#<n>", m.final), DRAFT_NUMBER.sub("(#<n>", m.first))
        for m in messages
    ]


def differences(reference: Run, run: PairRun) -> list[str]:
    """Every way the two processes' run differs from the single process's; a message sent
    again by a process killed between sending it and noting it sent is allowed once per kill."""
    problems = list(run.failures) + [f"decision lost: {line}" for line in run.lost]
    repeats: list[str] = []
    for table, rows in reference.state.items():
        if run.state[table] != rows:
            problems.append(f"{table} differs:\n  {rows}\n  {run.state[table]}")
    for chat, expected in reference.chats.items():
        diff = compare_chat(chat, numberless(expected), numberless(run.chats.get(chat, [])))
        repeats += [f"{chat} got twice: {short(body)}" for body in diff.repeated]
        problems += [f"{chat} never got: {short(body)}" for body in diff.missing]
        problems += [f"{chat} got, unlike one process: {short(body)}" for body in diff.unexpected]
        problems += [
            f"{chat}: a message ended differently: {short(a)} / {short(b)}"
            for a, b in diff.changed
        ]
    if len(repeats) > run.kills:
        problems += repeats
    else:
        print("\n".join(repeats))
    return problems


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The script against one `renja-bot run --webhook` on SQLite."""
    template = tmp_path_factory.mktemp("template")
    database = template / "renja.db"
    sample_office(f"sqlite:///{database}", template / "files")
    run = asyncio.run(play(tmp_path_factory.mktemp("reference"), database, webhook=True))
    assert (run.failures, run.lost) == ([], [])
    return run


@pytest.fixture
def database(postgres: pg.PostgresServer) -> Iterator[str]:
    name = postgres.new_database()
    yield postgres.url(name)
    postgres.drop_database(name)


def test_two_processes_send_each_message_once(
    tmp_path: Path, database: str, reference: Run
) -> None:
    run = asyncio.run(play_two(tmp_path, database))
    print(f"{run.steps} steps in {run.seconds:.1f} s; proxy: {run.forwarded}, {run.failed}")
    problems = differences(reference, run)
    assert not problems, f"logs in {tmp_path}\n" + "\n".join(problems)
    # Both processes took updates, and neither ever refused one.
    assert len(run.forwarded) == 2, run.forwarded
    assert run.failed == {}


def test_a_process_killed_beside_another_loses_nothing(
    tmp_path: Path, database: str, reference: Run
) -> None:
    """The second process is SIGKILLed five times just after it took an update, and started
    again at once; the first takes over what it held, and the proxy sends to the first
    while the second does not answer. Nothing is lost: every official gets every message
    (at most one repeat per kill), and the final state is the single process's."""
    run = asyncio.run(play_two(tmp_path, database, kills=KILLS))
    print(
        f"{run.steps} steps, {run.kills} kills in {run.seconds:.1f} s; "
        f"proxy: {run.forwarded}, {run.failed}; {run.notes}"
    )
    problems = differences(reference, run)
    assert not problems, f"logs in {tmp_path}\n" + "\n".join(problems)
    assert run.kills == KILLS
    assert len(run.forwarded) == 2, run.forwarded


DRAFTS = 100
REMINDER_MARKS = ("⏰", "⚠️ Terlambat")
ESCALATION_MARK = "🔺 Eskalasi"
SENT_BEFORE_KILL = 30
"""Reminders and escalations the emulator accepts before one process is killed."""
TITLE = re.compile(r"📋 (Renja Uji \d{3}) \(")
TAG = re.compile(r"<[^>]+>")


def open_overdue_drafts(workdir: Path, url: str, titles: list[str]) -> None:
    """Drafts opened a day ago by the Kasubbag (the processes' SOPs and 24-hour calendar),
    whose first row is overdue: every one has reminders due."""
    organisation = load_organisation(ROOT / "config" / "organisasi.yaml")
    engine = make_engine(url)
    services = Services(
        engine=engine,
        sops=load_sops(workdir / "sops", organisation=organisation),
        calendar=OfficeCalendar.from_file(workdir / "kalender-24jam.yaml"),
        clock=lambda: datetime.now(UTC) - timedelta(days=1),
        files_dir=workdir / "files",
        max_upload_bytes=20 * 1024 * 1024,
    )
    try:
        for title in titles:
            drafts.start_draft(services, telegram_id=101, title=title)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Claim:
    """An outbox row claimed for sending, as the database shows it."""

    row_id: int
    chat_id: int
    worker: str
    until: datetime
    title: str | None
    """The draft the message is about (None for a message about none)."""


def claims(url: str) -> set[Claim]:
    """The waiting outbox rows some sender has claimed."""
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as connection:
        rows = connection.execute(
            "SELECT id, chat_id, claimed_by, claimed_until, payload->>'text' FROM outbox"
            " WHERE status = %s AND claimed_by IS NOT NULL",
            (outbox_store.WAITING,),
        ).fetchall()
    return {
        Claim(row_id, chat_id, worker, until, found[1] if (found := TITLE.match(plain)) else None)
        for row_id, chat_id, worker, until, html in rows
        for plain in [TAG.sub("", html or "")]
    }


def outbox_statuses(url: str) -> dict[int, tuple[str, datetime | None]]:
    """Each outbox row's status, and when it was sent."""
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as connection:
        rows = connection.execute("SELECT id, status, sent_at FROM outbox").fetchall()
    return {row_id: (status, sent_at) for row_id, status, sent_at in rows}


def is_reminder(body: str) -> bool:
    return any(mark in body for mark in (*REMINDER_MARKS, ESCALATION_MARK))


async def start_and_kill(pair: Pair, url: str) -> set[Claim]:
    """Start the second process, then the first once the second sends; once
    `SENT_BEFORE_KILL` reminders are out and the second holds a row it is sending, SIGKILL it
    and start it again at once. The claims it held then."""
    survivor, victim = pair.bots
    await victim.start()
    deadline = loop_time() + 60
    while not (held := await asyncio.to_thread(claims, url)):
        assert loop_time() < deadline, "the process never sent anything"
        await asyncio.sleep(0.01)
    (worker,) = {claim.worker for claim in held}  # it is the only one that sends so far
    await survivor.start()
    while True:
        assert loop_time() < deadline, "the reminders never went out"
        log = await pair.control.log()
        sent = sum(1 for e in log if e.method == "sendMessage" and is_reminder(e.text or ""))
        held = {c for c in await asyncio.to_thread(claims, url) if c.worker == worker}
        if sent >= SENT_BEFORE_KILL and held:
            break
        await asyncio.sleep(0.01)
    await victim.kill()
    held = {c for c in await asyncio.to_thread(claims, url) if c.worker == worker}
    await victim.start()
    for bot in pair.bots:
        await bot.wait_ready()
    return held


async def until_outbox_sent(url: str, within: float = 60.0) -> None:
    deadline = loop_time() + within
    while any(
        status == outbox_store.WAITING
        for status, _ in (await asyncio.to_thread(outbox_statuses, url)).values()
    ):
        assert loop_time() < deadline, "the outbox never emptied"
        await asyncio.sleep(0.2)


@pytest.mark.parametrize("kill", [False, True], ids=["calm", "killed"])
def test_reminders_of_many_drafts_go_out_once(tmp_path: Path, database: str, kill: bool) -> None:
    """A hundred drafts whose reminders are all due when two processes start at once: each
    reminder and each escalation reaches its official, and no message twice.

    `killed`: the second process starts first, the first joins once it sends; the second is
    SIGKILLed while both send the reminders, and started again at once. The rows it had
    claimed are sent by a process after their lease ends; a row it had sent but not yet
    recorded as sent goes out again: the only repeat allowed, at most once per row it held
    (one per chat it was sending to)."""

    async def run() -> tuple[dict[int, list[str]], set[Claim]]:
        async with two_processes(tmp_path, database) as pair:
            users = {
                telegram_id: await pair.control.user(telegram_id, name.split()[0])
                for telegram_id, name, _, _ in OFFICIALS
            }
            # Every official starts the bot (a bot cannot write first); then the processes
            # stop, and the drafts are opened.
            await pair.bots[0].start()
            await pair.bots[0].wait_ready()
            for user in users.values():
                await user.send_text("/start")
                await user.wait_for_messages(lambda m: "Selamat datang" in m.body, 30)
            await pair.bots[0].stop()
            await asyncio.to_thread(open_overdue_drafts, tmp_path, database, titles)
            held: set[Claim] = set()
            if kill:
                held = await start_and_kill(pair, database)
            else:  # both start at once, both find every reminder due
                for bot in pair.bots:
                    await bot.start()
                for bot in pair.bots:
                    await bot.wait_ready()
            await until_outbox_sent(database)
            await settle(pair.bots[0], pair.control)
            await settle(pair.bots[1], pair.control)
            for bot in pair.bots:  # anything a process still had to send, it sends first
                await bot.stop()
            for bot in pair.bots:
                assert bot.process is not None
                assert bot.process.returncode in (0, -signal.SIGTERM), bot.log_tail()
            chats = {
                telegram_id: [m.body for m in await user.messages()]
                for telegram_id, user in users.items()
            }
            return chats, held

    base_env(tmp_path)
    sample_office(database, tmp_path / "files", ago=timedelta(days=2))
    titles = [f"Renja Uji {number:03}" for number in range(1, DRAFTS + 1)]
    started = datetime.now(UTC)
    chats, held = asyncio.run(run())
    statuses = outbox_statuses(database)
    print(
        f"{DRAFTS} drafts in {(datetime.now(UTC) - started).total_seconds():.1f} s; "
        f"claims the killed process held: {sorted(held, key=lambda c: c.row_id)}"
    )
    if kill:
        # The killed process was sending: what it held was sent, once its lease had ended.
        assert held, "the killed process held no claim"
        for claim in held:
            status, sent_at = statuses[claim.row_id]
            assert status == outbox_store.SENT, claim
            assert sent_at is not None and sent_at >= claim.until, (claim, sent_at)
    assert {status for status, _ in statuses.values()} == {outbox_store.SENT}
    repeats = []
    for telegram_id, bodies in chats.items():
        for body in {b for b in bodies if bodies.count(b) > 1}:
            found = TITLE.match(body)
            # Its row was one the killed process held (and had sent just before the kill).
            held_row = [
                c for c in held if c.chat_id == telegram_id and found and c.title == found[1]
            ]
            assert held_row and bodies.count(body) == 2, (telegram_id, body)
            repeats.append(body)
    print(f"{len(repeats)} sent again after the kill: {[short(b, 70) for b in repeats]}")
    assert len(repeats) <= len(held)
    rina, budi = chats[101], chats[102]
    reminded = [b for b in rina if any(mark in b for mark in REMINDER_MARKS)]
    escalated = [b for b in budi if ESCALATION_MARK in b]
    for title in titles:
        mine = {b for b in reminded if b.startswith(f"📋 {title} (")}
        assert len(mine) == 1, (title, mine)
        up = {b for b in escalated if b.startswith(f"📋 {title} (")}
        assert len(up) == 1, (title, up)
        tasks = {b for b in rina if b.startswith(f"📋 {title} (") and b not in mine}
        assert len(tasks) == 1, (title, tasks)


RACES = 5
REVIEW = "Telaah Konsep pendahuluan Renja"
APPROVE = "✅ Setujui"


@dataclass
class Press:
    """One draft's review approved: the press (or presses) and what came of it."""

    title: str
    answers: list[CallbackAnswer | None]
    backends: list[str]
    """The process each press's update went to."""
    messages: dict[str, list[str]]
    """Per official, the messages that came or changed with the press, the draft's title
    and number written as <judul> and <n>."""
    state: dict[str, list[tuple[Any, ...]]]
    """The draft's tasks and audit trail."""


def draft_state(url: str, title: str) -> dict[str, list[tuple[Any, ...]]]:
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as connection:
        found = connection.execute("SELECT id FROM draft WHERE title = %s", (title,)).fetchone()
        assert found is not None, title
        draft_id = found[0]
        return {
            "draft": connection.execute(
                "SELECT status, revision FROM draft WHERE id = %s", (draft_id,)
            ).fetchall(),
            "drafttask": connection.execute(
                "SELECT task_id, row_no, is_open, outcome, shares::text, submitted::text"
                " FROM drafttask WHERE draft_id = %s ORDER BY id",
                (draft_id,),
            ).fetchall(),
            "auditentry": connection.execute(
                "SELECT a.action, a.task_id, a.row_no, o.telegram_id, a.share, a.note"
                " FROM auditentry a LEFT JOIN official o ON o.id = a.actor_id"
                " WHERE a.draft_id = %s ORDER BY a.id",
                (draft_id,),
            ).fetchall(),
        }


def test_presses_racing_at_two_processes_give_one_transition(
    tmp_path: Path, database: str
) -> None:
    """The Sekretaris presses Setujui on a review twice at the same instant; Telegram posts
    the second press once the first is taken (one person's presses are one queue), the proxy
    sends it to the other process, and both handle them at once. Exactly one approval is
    recorded, the Kasubbag gets the next task once, the draft ends as after one press; both
    presses are answered, one of them with "already handled". Five races; a sixth draft
    approved with one press is the measure."""
    titles = [f"Renja Balapan {number}" for number in range(RACES + 1)]

    def normal(body: str, title: str) -> str:
        return DRAFT_NUMBER.sub("(#<n>", body.replace(title, "<judul>"))

    async def approve(
        pair: Pair, office: Office, review: BotMessage, title: str, times: int
    ) -> Press:
        sekretaris = office.phones[102].user
        before = {
            phone.name: {m.message_id: as_received(m).final for m in await phone.user.messages()}
            for phone in office.phones.values()
        }
        queries = await asyncio.gather(*(sekretaris.press(review, APPROVE) for _ in range(times)))
        answers = [await sekretaris.callback_answer(query, wait=20) for query in queries]
        await settle(pair.bots[0], pair.control)
        messages = {}
        for phone in office.phones.values():
            seen = before[phone.name]
            messages[phone.name] = [
                normal(as_received(m).final, title)
                for m in await phone.user.messages()
                if seen.get(m.message_id) != as_received(m).final
            ]
        backends = [
            backend
            for update, backend in pair.proxy.taken
            if update.get("callback_query", {}).get("id") in queries
        ]
        state = await asyncio.to_thread(draft_state, database, title)
        return Press(title, answers, backends, messages, state)

    async def run() -> list[Press]:
        async with two_processes(tmp_path, database) as pair:
            office = Office(pair.bots[0])
            for telegram_id, name, _, _ in OFFICIALS:
                user = await pair.control.user(telegram_id, name.split()[0])
                office.phones[telegram_id] = Phone(office, user, name)
            for bot in pair.bots:
                await bot.start()
                await bot.wait_ready()
            kasubbag, sekretaris = office.phones[101], office.phones[102]
            for phone in office.phones.values():
                await phone.start()
            reviews = []
            for number, title in enumerate(titles):
                await kasubbag.command(f"/renja_baru {title}", "dibuat")
                await kasubbag.task("Unggah Konsep pendahuluan Renja")
                content = f"%PDF-1.4 konsep {number}".encode()
                received = await kasubbag.upload(f"konsep-{number}.pdf", content)
                await kasubbag.press(received, "📤 Kirim")
                reviews.append(await sekretaris.task(REVIEW))
            await settle(pair.bots[0], pair.control)
            return [
                await approve(pair, office, review, title, 1 if number == 0 else 2)
                for number, (review, title) in enumerate(zip(reviews, titles, strict=True))
            ]

    base_env(tmp_path)
    sample_office(database, tmp_path / "files")
    once, *races = asyncio.run(run())
    assert once.answers == [CallbackAnswer(RECORDED, False, None)]
    print(f"one press: {once.messages}\n{once.state}")
    apart = 0
    for race in races:
        print(f"{race.title}: {race.backends}, {race.answers}")
        assert (race.messages, race.state) == (once.messages, once.state), race.title
        approvals = [entry for entry in race.state["auditentry"] if entry[3] == 102]
        assert len(approvals) == 1, approvals
        assert len(race.backends) == 2
        apart += len(set(race.backends)) == 2
        answered = sorted(race.answers, key=lambda answer: answer is None or answer.show_alert)
        first, second = answered
        assert first == CallbackAnswer(RECORDED, False, None), race.answers
        assert second is not None and second.show_alert, race.answers
        assert second.text is not None
        assert second.text.startswith(f"Tugas “{REVIEW}” sudah ditangani oleh "), second.text
    # The two presses of a race went to the two processes (round robin; only a post one
    # process could not take goes to the other one instead).
    assert apart > RACES // 2, apart
