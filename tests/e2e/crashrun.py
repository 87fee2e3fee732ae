"""Crash harness: `renja-bot run` as a process that can be SIGKILLed, officials on the emulator.

Black-box on purpose, so that it outlives any rewrite of the bot's insides. It uses only
1. the command line (`renja-bot db upgrade`, `user add`, `run`, `run --webhook`), configured
   by environment variables, run as subprocesses;
2. the emulator's public API (`BotApiEmulator`, `EmulatorClient`, `SimulatedUser`);
3. read-only SQL on the database file once the bot has stopped.

The same script of officials is played against an uninterrupted bot and against one that is
killed and restarted at random moments; `compare` says what differs.

How an official copes with a bot that died under them, and why that is honest:
- Every wait counts only the time the bot has been up. A bot that was just killed and is
  starting again owes its answers; the official waits for them.
- A press whose outcome never comes, while the button is still there, is pressed again
  (what anyone does with a button that did nothing); a press the bot answers with a pop-up
  only is taken as its answer. The bot must refuse a press it has already applied;
  re-presses and pop-ups are reported, not failed.
- A file, a text or a command is never re-sent on a hunch: that would be a second version,
  a second reason, a second draft. Only when the bot has been up for `PATIENCE` seconds and
  still owes the answer does the official send it again, and that is recorded as a decision
  the bot lost. The same goes for a task that never reaches its holder: they ask /tugas.
  With a bot that loses nothing none of this happens, and the test fails when it does.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher, unified_diff
from pathlib import Path
from typing import Any, TypeVar

import yaml

from emulator import BotApiEmulator, BotMessage, EmulatorClient, EmulatorError, SimulatedUser
from tests import pg

TOKEN = "123456789:EMULATOR-crash-token"
ADMIN_ID = 900
PDF = "application/pdf"

OFFICIALS = [
    # telegram id, name, position, unit: the seven of tests/conftest.py, kept here so that
    # this harness imports nothing of the bot.
    (101, "Rina Kasubbag", "kasubbag_renja", None),
    (102, "Budi Sekretaris", "sekretaris", "Sekretariat"),
    (103, "Citra Kabid Ekonomi", "kepala_bidang", "Bidang Ekonomi"),
    (104, "Dodi Kabid Infrastruktur", "kepala_bidang", "Bidang Infrastruktur"),
    (105, "Eka Kepala Badan", "kepala_badan", None),
    (106, "Fajar Dinas PU", "forum_skpd", "Dinas PU"),
    (107, "Gita Dinas Pendidikan", "forum_skpd", "Dinas Pendidikan"),
]

# Every minute counts, so that no row's deadline depends on when the test runs; the
# shortest row is 10 minutes, so no reminder (at 80% of it) falls due in a run of a minute.
CALENDAR_24H = "zona_waktu: Asia/Pontianak\nmode: 24_jam\n"

PATIENCE = 5.0
"""Seconds the bot must have been up, owing an answer, before an official acts on it."""
STEP_LIMIT = 60.0
"""Seconds after which a step is given up whatever the bot did."""
TRIES = 3
"""How often an official presses again, asks /tugas or sends again before giving up."""
QUIET = 2.0
"""The bot is done when it has been up and made no Bot API call for this long."""


def renja_bot() -> Path:
    """The `renja-bot` console script of the environment running the tests."""
    found = shutil.which("renja-bot", path=str(Path(sys.executable).parent))
    if found is None:
        raise RuntimeError(f"renja-bot not found next to {sys.executable}; run `make install`")
    return Path(found)


def loop_time() -> float:
    return asyncio.get_running_loop().time()


# -- the command line -------------------------------------------------------------------------


ROOT = Path(__file__).resolve().parents[2]
RENJA_FILE = "menyusun-rencana-kerja.yaml"


def renja_without_meeting() -> str:
    """The Renja SOP with its Forum SKPD as a plain upload.

    The bot runs on real time here, and a meeting's results can only be sent once the
    meeting has begun: its wait is not what this run tests (tests/e2e/test_meeting.py does).
    """
    data = yaml.safe_load((ROOT / "sops" / RENJA_FILE).read_text(encoding="utf-8"))
    for row in data["langkah"]:
        for task in row["tugas"]:
            if task["jenis"] == "rapat":
                task["jenis"] = "unggah"
                for key in ("peserta", "undangan", "bagikan"):
                    task.pop(key, None)
                task["judul"] = "Unggah hasil Forum SKPD"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def base_env(workdir: Path) -> dict[str, str]:
    """Only what the bot is given here: no .env (cwd is `workdir`), no proxy, no real token."""
    workdir.mkdir(parents=True, exist_ok=True)
    calendar = workdir / "kalender-24jam.yaml"
    calendar.write_text(CALENDAR_24H, encoding="utf-8")
    sops = workdir / "sops"
    sops.mkdir(exist_ok=True)
    (sops / RENJA_FILE).write_text(renja_without_meeting(), encoding="utf-8")
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "PYTHONUNBUFFERED": "1",
        "PYTHONIOENCODING": "utf-8",
        "DATABASE_URL": f"sqlite:///{workdir / 'renja.db'}",
        "FILES_DIR": str(workdir / "files"),
        "CALENDAR_FILE": str(calendar),
        "SOPS_DIR": str(sops),
        "ADMIN_TELEGRAM_IDS": str(ADMIN_ID),
        # The emulator sets no rate limits: let the sender (once there is one) go fast.
        "SEND_PRIVATE_PER_SECOND": "100",
        "SEND_PRIVATE_BURST": "100",
        "SEND_GLOBAL_PER_SECOND": "1000",
        # A killed process's claims are free again after this long (the shortest allowed).
        "OUTBOX_LEASE_SECONDS": "5",
    }


def webhook_env() -> dict[str, str]:
    """`renja-bot run --webhook` on a free port of 127.0.0.1, which the emulator posts to."""
    port = pg.free_port()
    return {
        "WEBHOOK_LISTEN_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_PATH": "/telegram",
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "WEBHOOK_SECRET_TOKEN": "rahasia-uji-" + "x" * 20,
        # What a killed process kept is taken over by the next after this long.
        "INBOX_LEASE_SECONDS": "1",
    }


async def cli(workdir: Path, env: dict[str, str], *args: str) -> str:
    """Run `renja-bot ARGS` to completion; its output, or an error that shows it."""
    process = await asyncio.create_subprocess_exec(
        str(renja_bot()),
        *args,
        cwd=workdir,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    text = output.decode("utf-8", "replace")
    if process.returncode != 0:
        raise RuntimeError(f"renja-bot {' '.join(args)} failed ({process.returncode}):\n{text}")
    return text


async def prepare_database(workdir: Path) -> Path:
    """A migrated database with the seven officials registered; copied for every run."""
    env = base_env(workdir)
    await cli(workdir, env, "db", "upgrade")
    adds = []
    for telegram_id, name, position, unit in OFFICIALS:
        args = ["user", "add", "--telegram-id", str(telegram_id), "--name", name]
        args += ["--position", position] + (["--unit", unit] if unit else [])
        adds.append(cli(workdir, env, *args))
    await asyncio.gather(*adds)
    return workdir / "renja.db"


# -- the bot process ----------------------------------------------------------------------------


class BotDied(RuntimeError):
    """The bot process ended without being killed."""


class BotProcess:
    """`renja-bot run` against an emulator; killed with SIGKILL, started again on the same data.

    The bot counts as up from the first Bot API call of the new process (python-telegram-bot
    calls getMe when it initializes), seen in the emulator's log.
    """

    def __init__(
        self,
        workdir: Path,
        env: dict[str, str],
        control: EmulatorClient,
        *,
        webhook: bool = False,
    ) -> None:
        self.workdir = workdir
        self.env = env
        self.control = control
        self.arguments = ["run", "--webhook"] if webhook else ["run"]
        self.log_file = workdir / "bot.log"
        self.process: asyncio.subprocess.Process | None = None
        self.ready_at: float | None = None
        self.starts = 0
        self.stopped = False
        """True between a kill or a stop and the next start: the process is meant to be gone."""
        self._ready = asyncio.Event()
        self._watch: asyncio.Task[None] | None = None

    async def start(self) -> None:
        mark = max((entry.seq for entry in await self.control.log()), default=-1)
        self.starts += 1
        self.stopped = False
        self.ready_at = None
        self._ready.clear()
        with self.log_file.open("a", encoding="utf-8") as log:
            log.write(f"\n===== start {self.starts} =====\n")
            log.flush()
            self.process = await asyncio.create_subprocess_exec(
                str(renja_bot()),
                *self.arguments,
                cwd=self.workdir,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        self._watch = asyncio.create_task(self._watch_ready(self.process, mark))

    async def _watch_ready(self, process: asyncio.subprocess.Process, mark: int) -> None:
        while process.returncode is None:
            entries = await self.control.log()
            if any(e.seq > mark and e.method.lower() == "getme" for e in entries):
                self.ready_at = loop_time()
                self._ready.set()
                return
            await asyncio.sleep(0.05)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def check_alive(self) -> None:
        """Raise `BotDied` if the process ended without being killed or stopped."""
        if self.process is not None and self.process.returncode is not None and not self.stopped:
            raise BotDied(
                f"the bot exited by itself ({self.process.returncode}):\n{self.log_tail()}"
            )

    def up_for(self, since: float) -> float:
        """Seconds the bot has been up since `since` (0 while it is down or starting)."""
        if self.ready_at is None or not self.running:
            return 0.0
        return max(loop_time() - max(self.ready_at, since), 0.0)

    async def wait_ready(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        deadline = loop_time() + timeout
        while not self._ready.is_set():
            if not self.running:
                raise BotDied(f"the bot exited before it was up:\n{self.log_tail()}")
            if loop_time() > deadline:
                raise BotDied(f"the bot was not up after {timeout:.0f} s:\n{self.log_tail()}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), 0.2)

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when the machine loses power."""
        process = self.process
        assert process is not None
        self.stopped = True
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
        await process.wait()
        await self._stop_watching()

    async def stop(self) -> None:
        """SIGTERM, as `systemctl stop` does: the bot finishes cleanly (killed after 20 s)."""
        process = self.process
        if process is None:
            return
        self.stopped = True
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.send_signal(signal.SIGKILL)
                await process.wait()
        await self._stop_watching()

    async def _stop_watching(self) -> None:
        self.ready_at = None
        self._ready.clear()
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_file.exists():
            return "(no log)"
        return "\n".join(self.log_file.read_text(encoding="utf-8").splitlines()[-lines:])


# -- the killer ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kill:
    """One SIGKILL: when, during which step, and what the bot had just done."""

    number: int
    at: float
    """Wall-clock time, as in the emulator's log."""
    step: int
    doing: str
    up_for: float
    last_call: str
    """The last Bot API call the killed process made."""
    unconfirmed: tuple[str, ...]
    """Kinds of the updates still unconfirmed at the emulator: the next process gets them."""

    def __str__(self) -> str:
        pending = ", ".join(self.unconfirmed) or "none"
        return (
            f"kill {self.number:>2} after {self.up_for:.1f} s up, at step {self.step} "
            f"({self.doing}), after {self.last_call}; unconfirmed updates: {pending}"
        )


class Killer:
    """SIGKILLs the bot `count` times at random moments of the script, restarting it at once.

    A kill follows one of `count` steps drawn at random: a random 0-60 ms after the official
    acted, while the bot fetches the update, writes to its database and answers; or, when
    the bot is just starting again, 0-40 ms into its first answer. Kills at random moments
    of wall-clock time mostly find the bot idle, with nothing to lose: most of its time it
    waits for the next update.
    """

    def __init__(self, bot: BotProcess, rng: random.Random, *, count: int, steps: int) -> None:
        self.bot = bot
        self.rng = rng
        self.at = sorted(rng.sample(range(1, steps + 1), min(count, steps)))
        self.kills: list[Kill] = []
        self.acted = 0
        """Steps whose action has been made."""
        self.doing = "start"
        self._changed = asyncio.Condition()
        self._stop = asyncio.Event()

    async def run(self) -> None:
        for number, step in enumerate(self.at, 1):
            if not await self._until_acted(step):
                return
            if self.bot.ready_at is not None:
                await asyncio.sleep(self.rng.uniform(0.0, 0.06))
            else:
                await self.bot.wait_ready()
                await self._first_answer(within=2.0)
                await asyncio.sleep(self.rng.uniform(0.0, 0.04))
            up_for, doing, at = self.bot.up_for(0.0), self.doing, time.time()
            await self.bot.kill()
            calls = [e for e in await self.bot.control.log() if e.method.lower() != "getupdates"]
            last = f"{calls[-1].method} to {calls[-1].chat_id}" if calls else "nothing"
            pending = await self.bot.control.pending_updates()
            unconfirmed = tuple(next(k for k in u if k != "update_id") for u in pending)
            self.kills.append(Kill(number, at, self.acted, doing, up_for, last, unconfirmed))
            await self.bot.start()

    async def _first_answer(self, *, within: float) -> None:
        """Return when the bot calls the Bot API for a chat (or a file), or after `within` s."""
        control = self.bot.control
        mark = max((e.seq for e in await control.log()), default=-1)
        deadline = loop_time() + within
        while loop_time() < deadline:
            if any(
                e.seq > mark and (e.chat_id is not None or e.method.lower() == "getfile")
                for e in await control.log()
            ):
                return
            await asyncio.sleep(0.01)

    async def acting(self, step: int, doing: str) -> None:
        """The official of step `step` has just acted (the update is at the emulator)."""
        async with self._changed:
            self.acted, self.doing = step, doing
            self._changed.notify_all()

    async def stop(self) -> None:
        self._stop.set()
        async with self._changed:
            self._changed.notify_all()

    async def _until_acted(self, step: int) -> bool:
        async with self._changed:
            await self._changed.wait_for(lambda: self.acted >= step or self._stop.is_set())
        return self.acted >= step


# -- the officials ------------------------------------------------------------------------------


class Stalled(Exception):
    """The bot has been up for `PATIENCE` seconds and still owes what an official waits for."""


class StepFailed(RuntimeError):
    """An official cannot go on, however patient."""


Pick = Callable[[list[BotMessage]], BotMessage | None]
T = TypeVar("T")


@dataclass
class Office:
    """The bot, its emulator and the officials' phones, for one run of the script."""

    bot: BotProcess
    phones: dict[int, Phone] = field(default_factory=dict)
    killer: Killer | None = None
    think: tuple[float, float] = (0.0, 0.0)
    rng: random.Random = field(default_factory=random.Random)
    steps: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    """Decisions the bot lost: an official had to send, or ask for, something again."""
    notes: list[str] = field(default_factory=list)
    """Presses made again, pop-ups read: allowed, shown with the result."""
    timeline: list[tuple[float, str]] = field(default_factory=list)
    """(wall-clock time, what an official did), for the record of a run."""

    async def step(self, doing: str, act: Callable[[], Awaitable[T]]) -> T:
        """An official thinks a moment, then acts; a killer may strike right after."""
        self.steps.append(doing)
        if self.think[1] > 0:
            await asyncio.sleep(self.rng.uniform(*self.think))
        result = await act()
        self.timeline.append((time.time(), f"step {len(self.steps)}: {doing}"))
        if self.killer is not None:
            await self.killer.acting(len(self.steps), doing)
        return result


class Phone:
    """One official's phone: acts, and waits for what the bot owes, like a person would."""

    def __init__(self, office: Office, user: SimulatedUser, name: str) -> None:
        self.office = office
        self.user = user
        self.name = name.split()[0]
        self.seen = 0
        """Messages before this index were handed to the script already."""

    async def _await(self, what: str, pick: Pick) -> BotMessage:
        since = loop_time()
        while True:
            try:
                messages = await self.user.wait_until(lambda ms: pick(ms) is not None, 0.3)
            except TimeoutError:
                self.office.bot.check_alive()
                if self.office.bot.up_for(since) >= PATIENCE:
                    raise Stalled(what) from None
                if loop_time() - since > STEP_LIMIT:
                    raise StepFailed(
                        f"{self.name}: {what}: nothing after {STEP_LIMIT:.0f} s"
                    ) from None
                continue
            found = pick(messages)
            assert found is not None
            return found

    def _next(self, test: Callable[[BotMessage], bool]) -> Pick:
        """The first new message that passes `test`; taking it moves past it."""

        def pick(messages: list[BotMessage]) -> BotMessage | None:
            for index in range(self.seen, len(messages)):
                if test(messages[index]):
                    return messages[index]
            return None

        return pick

    async def _advance(self, past: BotMessage) -> BotMessage:
        messages = await self.user.messages()
        self.seen = 1 + next(i for i, m in enumerate(messages) if m.message_id == past.message_id)
        return past

    async def _expect(self, what: str, test: Callable[[BotMessage], bool]) -> BotMessage:
        return await self._advance(await self._await(what, self._next(test)))

    async def expect(self, what: str, test: Callable[[BotMessage], bool]) -> BotMessage:
        """The first new message that passes `test`, waiting for it as long as the bot owes it."""
        try:
            return await self._expect(what, test)
        except Stalled:
            raise StepFailed(
                f"{self.name}: {what} never came although the bot was up {PATIENCE:.0f} s"
            ) from None

    async def _send_until(
        self, what: str, send: Callable[[], Awaitable[object]], test: Callable[[BotMessage], bool]
    ) -> BotMessage:
        """Send once; only if the bot, up for `PATIENCE` s, never answers, send again."""
        await self.office.step(f"{self.name}: {what}", send)
        for _ in range(TRIES):
            try:
                return await self._expect(what, test)
            except Stalled:
                self.office.lost.append(
                    f"{self.name}: {what} — no answer after the bot was up {PATIENCE:.0f} s; "
                    "sent again"
                )
                await send()
        raise StepFailed(f"{self.name}: {what}: no answer after sending {TRIES + 1} times")

    # -- what officials do --------------------------------------------------------------------

    async def start(self) -> None:
        await self._send_until(
            "/start", lambda: self.user.send_text("/start"), lambda m: "Selamat datang" in m.body
        )

    async def command(self, text: str, answer: str) -> BotMessage:
        return await self._send_until(
            text, lambda: self.user.send_text(text), lambda m: answer in m.body
        )

    async def write(self, text: str, answer: str) -> BotMessage:
        """Send a plain text (a return's reason) and wait for the answer that starts so."""
        return await self._send_until(
            f"writes “{text}”",
            lambda: self.user.send_text(text),
            lambda m: m.body.startswith(answer),
        )

    async def upload(self, name: str, content: bytes, caption: str | None = None) -> BotMessage:
        """Send a file; returns the bot's “✅ Diterima” for exactly this content."""
        digest = hashlib.sha256(content).hexdigest()[:12]
        return await self._send_until(
            f"sends {name}",
            lambda: self.user.send_document(name, content, PDF, caption=caption),
            lambda m: m.body.startswith("✅ Diterima") and digest in m.body,
        )

    async def upload_choosing(self, name: str, content: bytes, choice: str) -> BotMessage:
        """Send a file without caption, choose its output when asked; returns the “✅ Diterima”.

        If the bot took the choice (the question lost its buttons) but never says it stored
        the file, the official sends the file again: a decision the bot lost."""
        digest = hashlib.sha256(content).hexdigest()[:12]
        for _ in range(TRIES):
            question = await self._send_until(
                f"sends {name}",
                lambda: self.user.send_document(name, content, PDF),
                lambda m: (
                    m.body.startswith("Berkas ini untuk output yang mana?") and bool(m.buttons)
                ),
            )
            await self.press(question, choice)
            try:
                return await self._expect(
                    f"✅ Diterima for {name}",
                    lambda m: m.body.startswith("✅ Diterima") and digest in m.body,
                )
            except Stalled:
                self.office.lost.append(
                    f"{self.name}: chose {choice} for {name}, never told it was stored although "
                    f"the bot was up {PATIENCE:.0f} s; sent the file again"
                )
        raise StepFailed(f"{self.name}: {name} never stored after sending it {TRIES} times")

    async def task(self, title: str) -> BotMessage:
        """The message of a task given to this official; if it never comes, ask /tugas.

        A copy whose buttons the bot has taken away is a task already done (a message sent
        twice by a killed bot, its second copy closed with the first): it is passed over,
        as an official passes over a message without buttons when looking for the new one.
        """

        def is_task(message: BotMessage) -> bool:
            lines = message.body.split("\n")
            closed = message.edited and not message.buttons
            return len(lines) > 1 and f": {title}" in lines[1] and not closed

        for _ in range(TRIES):
            try:
                return await self._expect(f"task “{title}”", is_task)
            except Stalled:
                self.office.lost.append(
                    f"{self.name}: task “{title}” never came although the bot was up "
                    f"{PATIENCE:.0f} s; asked /tugas"
                )
                await self.user.send_text("/tugas")
        raise StepFailed(f"{self.name}: task “{title}” never came, not even after /tugas")

    async def press(
        self, message: BotMessage, label: str, *, then: str | None = None
    ) -> BotMessage:
        """Press a button; wait for its message to lose its buttons, or for a new message
        starting with `then`. While nothing happens and the button is still there, press
        again; once the bot answers a press with a pop-up and nothing else, go on."""
        query = await self.office.step(
            f"{self.name} presses {label}", lambda: self.user.press(message, label)
        )
        if then is None:
            pick: Pick = self._edited(message.message_id)
            what = f"{label} pressed: its message shown without buttons"
        else:
            pick = self._next(lambda m: m.body.startswith(then))
            what = f"{label} pressed: “{then}…”"
        for _ in range(TRIES):
            try:
                found = await self._await(what, pick)
                return found if then is None else await self._advance(found)
            except Stalled:
                (current,) = [
                    m for m in await self.user.messages() if m.message_id == message.message_id
                ]
                answer = await self.user.callback_answer(query, wait=0)
                if answer is not None and answer.show_alert:
                    self.office.notes.append(
                        f"{self.name}: {label} answered with the pop-up “{answer.text}” and "
                        "nothing else; went on"
                    )
                    return current
                if label not in current.button_texts():
                    raise StepFailed(
                        f"{self.name}: {what}: the button is gone, nothing came"
                    ) from None
                self.office.notes.append(
                    f"{self.name}: {label} did nothing while the bot was up {PATIENCE:.0f} s; "
                    "pressed again"
                )
                with contextlib.suppress(EmulatorError):  # gone just now: wait for the outcome
                    query = await self.user.press(message, label)
        raise StepFailed(f"{self.name}: {what}: nothing after pressing {TRIES + 1} times")

    @staticmethod
    def _edited(message_id: int) -> Pick:
        def pick(messages: list[BotMessage]) -> BotMessage | None:
            for message in messages:
                if message.message_id == message_id and message.edited and not message.buttons:
                    return message
            return None

        return pick


# -- the script -----------------------------------------------------------------------------------


async def play_renja(office: Office) -> None:
    """The Renja SOP from the first /start to the signature, on test_renja_flow.py's path."""
    phones = office.phones
    kasubbag, sekretaris = phones[101], phones[102]
    kabid_eko, kabid_infra, kepala_badan = phones[103], phones[104], phones[105]

    for phone in phones.values():
        await phone.start()

    # Row 1: the konsep, returned once by the Sekretaris, then the Nota Dinas.
    await kasubbag.command("/renja_baru Renja BAPPEDA Tahun 2027", "dibuat")
    await kasubbag.task("Unggah Konsep pendahuluan Renja")
    received = await kasubbag.upload("konsep-v1.pdf", b"%PDF-1.4 konsep v1")
    await kasubbag.press(received, "📤 Kirim")

    review = await sekretaris.task("Telaah Konsep pendahuluan Renja")
    await sekretaris.press(review, "↩️ Kembalikan", then="↩️ Tulis alasan")
    await sekretaris.write("Tambahkan rujukan RENSTRA 2025-2029", "↩️ Dikembalikan oleh")

    await kasubbag.task("Unggah Konsep pendahuluan Renja")
    received = await kasubbag.upload("konsep-v2.pdf", b"%PDF-1.4 konsep v2")
    await kasubbag.press(received, "📤 Kirim")
    review = await sekretaris.task("Telaah Konsep pendahuluan Renja")
    await sekretaris.press(review, "✅ Setujui")

    await kasubbag.task("Terbitkan Nota Dinas")
    received = await kasubbag.upload(
        "nota-dinas.pdf", b"%PDF-1.4 nota dinas", caption="Nota Dinas Nomor: 050/117/BAPPEDA"
    )
    await kasubbag.press(received, "📤 Kirim")

    # Row 2: every unit sends its Rencana Kerja; the Forum is invited and meets.
    for phone, unit in ((kabid_eko, "eko"), (kabid_infra, "infra"), (sekretaris, "sekretariat")):
        await phone.task("Unggah Rencana Kerja unit")
        received = await phone.upload(f"renja-{unit}.pdf", f"%PDF-1.4 renja {unit}".encode())
        await phone.press(received, "📤 Kirim")

    await kasubbag.task("Kirim Undangan Rapat Forum SKPD")
    received = await kasubbag.upload("undangan-forum.pdf", b"%PDF-1.4 undangan")
    await kasubbag.press(received, "📤 Kirim")

    await kasubbag.task("Unggah hasil Forum SKPD")
    await kasubbag.upload(
        "draft-rancangan.pdf", b"%PDF-1.4 draft", caption="Draft Rancangan awal Renja"
    )
    received = await kasubbag.upload_choosing(
        "kesepakatan.pdf", b"%PDF-1.4 kesepakatan", "Hasil Kesepakatan"
    )
    await kasubbag.press(received, "📤 Kirim")

    # Rows 3-5: forwarded, refined, returned once by the Kepala Badan, signed.
    forward = await sekretaris.task("Teruskan hasil Forum SKPD")
    await sekretaris.press(forward, "✅ Teruskan")
    await kasubbag.task("Sempurnakan Rancangan awal Renja")
    received = await kasubbag.upload("rancangan-v1.pdf", b"%PDF-1.4 rancangan v1")
    await kasubbag.press(received, "📤 Kirim")
    review = await sekretaris.task("Telaah Rancangan awal Renja")
    await sekretaris.press(review, "✅ Teruskan ke Kepala Badan")

    decision = await kepala_badan.task("Keputusan Kepala Badan")
    await kepala_badan.press(decision, "↩️ Kembalikan", then="↩️ Tulis arahan")
    await kepala_badan.write("Lengkapi indikator kinerja per program", "↩️ Dikembalikan oleh")

    await kasubbag.task("Sempurnakan Rancangan awal Renja")
    received = await kasubbag.upload("rancangan-v2.pdf", b"%PDF-1.4 rancangan v2")
    await kasubbag.press(received, "📤 Kirim")
    review = await sekretaris.task("Telaah Rancangan awal Renja")
    await sekretaris.press(review, "✅ Teruskan ke Kepala Badan")
    decision = await kepala_badan.task("Keputusan Kepala Badan")
    await kepala_badan.press(decision, "✅ Setujui & tandatangani")
    await kepala_badan.expect("🎉 selesai", lambda m: m.body.startswith("🎉"))


# -- one run --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One message as its chat shows it at the end, and as it was first sent."""

    final: str
    first: str


@dataclass
class Run:
    """What one run of the script left behind."""

    steps: list[str]
    chats: dict[str, list[Received]]
    state: dict[str, list[tuple[Any, ...]]]
    kills: list[Kill] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    """The script could not finish, or the bot died on its own."""
    seconds: float = 0.0
    record: list[tuple[float, str]] = field(default_factory=list)
    """(wall-clock time, event): the officials' acts, the bot's calls, the kills."""


async def play(
    workdir: Path,
    database: Path,
    *,
    kills: int = 0,
    steps: int = 0,
    seed: int = 0,
    think: tuple[float, float] = (0.0, 0.0),
    webhook: bool = False,
) -> Run:
    """Play the script against a fresh emulator and a copy of `database`; kill if asked.

    `webhook`: the bot runs as `renja-bot run --webhook`, on the same port after each
    restart; the emulator posts the updates to it, and retries every few tenths of a second
    while nobody answers there.
    """
    env = base_env(workdir)
    copy_database(database, workdir / "renja.db")
    rng = random.Random(seed)
    started = loop_time()
    failures: list[str] = []
    async with (
        BotApiEmulator(TOKEN, username="renja_bot", first_name="Renja Bot") as emulator,
        EmulatorClient(emulator.control_url) as control,
    ):
        env |= {
            "TELEGRAM_BOT_TOKEN": emulator.token,
            "TELEGRAM_API_BASE_URL": emulator.base_url,
            "TELEGRAM_API_FILE_URL": emulator.base_file_url,
        }
        if webhook:
            env |= webhook_env()
            await control.set_webhook_retry(first=0.1, cap=0.5)
        bot = BotProcess(workdir, env, control, webhook=webhook)
        office = Office(bot, think=think, rng=rng)
        if kills:
            office.killer = Killer(bot, random.Random(seed + 1), count=kills, steps=steps)
        for telegram_id, name, _, _ in OFFICIALS:
            user = await control.user(telegram_id, name.split()[0])
            office.phones[telegram_id] = Phone(office, user, name)
        await bot.start()
        try:
            failures += await play_through(office)
            chats = {
                phone.name: [as_received(m) for m in await phone.user.messages()]
                for phone in office.phones.values()
            }
            record = office.timeline + [
                (
                    e.time,
                    f"  {e.method} chat={e.chat_id} msg={e.message_id} "
                    f"{'' if e.ok else e.error} {short(e.text or '', 70)}",
                )
                for e in await control.log()
            ]
        finally:
            await bot.stop()  # never leave a bot process behind, whatever happened
    if bot.process is not None and bot.process.returncode not in (0, -signal.SIGTERM):
        failures.append(f"the bot exited with {bot.process.returncode}:\n{bot.log_tail()}")
    return Run(
        steps=office.steps,
        chats=chats,
        state=final_state(workdir / "renja.db", workdir / "files"),
        kills=office.killer.kills if office.killer else [],
        lost=office.lost,
        notes=office.notes,
        failures=failures,
        seconds=loop_time() - started,
        record=sorted(
            record + [(k.at, f"=== {k}") for k in (office.killer.kills if office.killer else [])]
        ),
    )


async def play_through(office: Office) -> list[str]:
    """Play the script while the killer (if any) kills; then let the bot finish its work."""
    bot, failures = office.bot, []
    killing = asyncio.create_task(office.killer.run()) if office.killer else None
    try:
        await play_renja(office)
    except (StepFailed, BotDied, EmulatorError) as error:
        failures.append(f"the script stopped at step {len(office.steps)}: {error}")
    finally:
        if office.killer is not None and killing is not None:
            await office.killer.stop()
            try:
                await killing
            except BotDied as error:
                failures.append(f"the bot did not come back after a kill: {error}")
    if not bot.running:
        await bot.start()
    try:
        await settle(bot, bot.control)
    except BotDied as error:
        failures.append(str(error))
    return failures


def copy_database(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{target}{suffix}")


async def settle(bot: BotProcess, control: EmulatorClient) -> None:
    """Wait until the bot is up and has made no Bot API call for `QUIET` seconds."""
    await bot.wait_ready()
    deadline = loop_time() + 30
    last, quiet_since = -1, loop_time()
    while loop_time() < deadline:
        count = len(await control.log())
        if count != last:
            last, quiet_since = count, loop_time()
        elif loop_time() - quiet_since >= QUIET:
            return
        await asyncio.sleep(0.1)
    raise BotDied("the bot never went quiet")


# -- what is compared -----------------------------------------------------------------------------

WHEN = re.compile(
    r"\b(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), \d{1,2} \w+ \d{4} \d{2}:\d{2}( \w+)?"
)


DRAFT_TIME = re.compile(r"^(⏱ Ringkasan waktu [^\n]*\n[^\n]*\n).*", re.DOTALL)
"""A signed draft's working minutes, row by row: counted on the wall clock (a 24-hour
calendar here), so a run that was killed and restarted took longer."""


def render(text: str | None, caption: str | None, buttons: list[str], message: BotMessage) -> str:
    """What the official reads, with the moment of writing and a signed draft's minutes
    left out (runs differ in them)."""
    body = WHEN.sub("<waktu>", text if text is not None else (caption or ""))
    body = DRAFT_TIME.sub(r"\1<menit kerja per langkah>", body)
    if message.document is not None:
        body = f"[berkas {message.document.file_name}] {body}"
    if message.photo:
        body = f"[foto] {body}"
    if buttons:
        body += f" [tombol: {' | '.join(buttons)}]"
    if message.deleted:
        body += " [dihapus]"
    return body


def as_received(message: BotMessage) -> Received:
    final = render(message.text, message.caption, message.button_texts(), message)
    if not message.history:
        return Received(final, final)
    first = message.history[0]
    labels = [button.text for row in first.buttons for button in row]
    return Received(final, render(first.text, first.caption, labels, message))


STATE = {
    "draft": "SELECT title, year, status, revision,"
    " CASE WHEN signed_by IS NOT NULL THEN 1 ELSE 0 END FROM draft ORDER BY id",
    "drafttask": "SELECT task_id, row_no, CASE WHEN is_open THEN 1 ELSE 0 END, outcome,"
    " return_note, shares, submitted FROM drafttask ORDER BY id",
    "auditentry": "SELECT a.action, a.task_id, a.row_no, o.telegram_id, a.share, a.note,"
    " v.document, v.version"
    " FROM auditentry a LEFT JOIN official o ON o.id = a.actor_id"
    " LEFT JOIN documentversion v ON v.id = a.document_version_id ORDER BY a.id",
    "documentversion": "SELECT v.document, v.share, v.version, v.sha256, v.file_name,"
    " v.number, o.telegram_id, v.stored_path"
    " FROM documentversion v JOIN official o ON o.id = v.uploaded_by ORDER BY v.id",
}
"""What a run's final state is compared by (SQL of SQLite and of PostgreSQL alike): drafts,
tasks, audit trail and document versions, without ids or times."""


def final_state(database: Path, files_dir: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Drafts, tasks, audit trail and document versions, read-only, without ids or times."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        state = {name: connection.execute(query).fetchall() for name, query in STATE.items()}
    finally:
        connection.close()
    # Each version's archived file is there and holds what its hash says.
    state["documentversion"] = [
        (*row[:7], _archived(files_dir / row[7], row[3])) for row in state["documentversion"]
    ]
    return state


def _archived(path: Path, sha256: str) -> str:
    if not path.is_file():
        return "file missing"
    return "file ok" if hashlib.sha256(path.read_bytes()).hexdigest() == sha256 else "file differs"


@dataclass
class ChatDiff:
    """How one chat of the killed run differs from the same chat of the calm run."""

    chat: str
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)
    """(calm, killed): the same message as sent, ending differently (an edit that never came)."""
    repeated: list[str] = field(default_factory=list)


def compare_chat(chat: str, expected: list[Received], actual: list[Received]) -> ChatDiff:
    """Align the killed run's messages with the calm run's, in order.

    Where they differ, a message sent as a calm one was sent is that message, changed; an
    extra message sent as another message of this chat was sent is a repeat; the rest is
    missing or unexpected.
    """
    diff = ChatDiff(chat)
    matcher = SequenceMatcher(
        a=[r.final for r in expected], b=[r.final for r in actual], autojunk=False
    )
    firsts = [r.first for r in actual]
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        gone = list(expected[i1:i2])
        for extra in actual[j1:j2]:
            twin = next((r for r in gone if r.first == extra.first), None)
            if twin is not None:
                gone.remove(twin)
                diff.changed.append((twin.final, extra.final))
            elif firsts.count(extra.first) > 1:
                diff.repeated.append(extra.final)
            else:
                diff.unexpected.append(extra.final)
        diff.missing += [r.final for r in gone]
    return diff


def short(text: str, limit: int = 160) -> str:
    one_line = text.replace("\n", " ⏎ ")
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def contrast(calm: str, killed: str) -> str:
    """One message in both runs: its start, then each run's text from where they part."""
    pairs = enumerate(zip(calm, killed, strict=False))
    same = next((i for i, (a, b) in pairs if a != b), min(len(calm), len(killed)))
    cut = max(same - 30, 0)
    return (
        f"{short(calm[: min(cut, 70)], 70)} … calm run: {short(calm[cut:], 110)!r}; "
        f"killed run: {short(killed[cut:], 110)!r}"
    )


def compare(calm: Run, crash: Run) -> list[str]:
    """Every way the crash run differs from the calm one; empty when it does not."""
    problems = list(crash.failures)
    if len(crash.kills) < 10:
        problems.append(f"only {len(crash.kills)} kills happened during the script (10 wanted)")
    for line in crash.lost:
        problems.append(f"decision lost: {line}")
    for table, rows in calm.state.items():
        if crash.state[table] != rows:
            lines = unified_diff(
                [repr(r) for r in rows],
                [repr(r) for r in crash.state[table]],
                "uninterrupted",
                "killed",
                lineterm="",
                n=1,
            )
            problems.append(f"final state differs in {table}:\n" + "\n".join(lines))
    repeats = 0
    for chat, expected in calm.chats.items():
        diff = compare_chat(chat, expected, crash.chats.get(chat, []))
        repeats += len(diff.repeated)
        for calm_body, killed_body in diff.changed:
            problems.append(
                f"{chat}: a message ended differently: {contrast(calm_body, killed_body)}"
            )
        for body in diff.missing:
            problems.append(f"{chat} never got: {short(body)}")
        for body in diff.unexpected:
            problems.append(f"{chat} got, unlike the uninterrupted run: {short(body)}")
    if repeats > len(crash.kills):
        problems.append(f"{repeats} repeated messages for {len(crash.kills)} kills")
    return problems


def describe(calm: Run, crash: Run) -> str:
    """What happened in the crash run, for the test output."""
    lines = [
        f"uninterrupted run: {len(calm.steps)} steps in {calm.seconds:.1f} s; "
        f"killed run: {len(crash.steps)} steps, {len(crash.kills)} kills in {crash.seconds:.1f} s",
        *[str(kill) for kill in crash.kills],
        *crash.notes,
    ]
    for chat, expected in calm.chats.items():
        diff = compare_chat(chat, expected, crash.chats.get(chat, []))
        lines += [f"{chat} got a repeat: {short(body)}" for body in diff.repeated]
    return "\n".join(lines)


def dump(run: Run) -> Iterator[str]:
    """The whole run as text lines (for a failing test's artefacts)."""
    yield json.dumps(run.state, ensure_ascii=False, indent=1, default=str)
    begin = run.record[0][0] if run.record else 0.0
    yield from (f"{moment - begin:8.3f} {event}" for moment, event in run.record)
    for chat, messages in run.chats.items():
        yield f"== {chat}"
        yield from (f"  {short(m.final, 300)}" for m in messages)
