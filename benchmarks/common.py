"""What the benchmarks share: the office they set up, and the emulator they run the bot on.

The emulator runs in its own process (`python -m emulator`), so that the bot being measured
does not also pay for the Bot API it talks to; both processes read the same wall clock, so
the emulator's log times and the driver's press times can be compared directly.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import signal
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from bot.config import Settings
from bot.usecases import meetings, officials
from bot.usecases.base import Services
from storage import drafts as draft_store
from storage import meetings as meeting_store
from storage import officials as official_store
from storage import outbox as outbox_store
from storage.db import make_engine, upgrade
from storage.drafts import NewFile
from storage.models import OutboxMessage
from workflow.calendar import OfficeCalendar
from workflow.organisation import load_organisation
from workflow.sop import load_sops

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
TOKEN = "123456789:BENCH-emulator-token"
KASUBBAG, SEKRETARIS = 101, 102
OFFICIALS = [
    (KASUBBAG, "Kasubbag", "kasubbag_renja", None),
    (SEKRETARIS, "Sekretaris", "sekretaris", "Sekretariat"),
    (103, "Kabid Ekonomi", "kepala_bidang", "Bidang Ekonomi"),
    (105, "Kepala Badan", "kepala_badan", None),
    (106, "Forum", "forum_skpd", "Dinas PU"),
]
FAST_PACING: dict[str, Any] = {
    "send_private_per_second": 100_000,
    "send_private_burst": 100_000,
    "send_group_per_minute": 6_000_000,
    "send_global_per_second": 100_000,
}
"""SEND_* settings so high that the sender's pacing never waits (flood limits are off)."""


@dataclass
class MovableClock:
    """The office clock of a benchmark: still, until a meeting has to begin."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


def schedule_meeting(services: Services, *, draft_id: int, starts: datetime) -> int:
    """The Kasubbag schedules the draft's open meeting through the use cases, as from the
    chat: 📅, the time typed, a place, an agenda, the Undangan attached when there is one,
    ✅ Kirim undangan. Returns how many use cases that took."""
    with services.reading() as session:
        task = draft_store.open_task(session, draft_id=draft_id)
        organiser = official_store.official_by_telegram_id(session, telegram_id=KASUBBAG)
        assert task is not None and task.id is not None
        assert organiser is not None and organiser.id is not None
    meetings.begin_scheduling(
        services, telegram_id=KASUBBAG, draft_id=draft_id, draft_task_id=task.id
    )
    typed = (
        f"{starts.astimezone(services.tz):%d/%m/%Y %H:%M}",
        "Aula BAPPEDA Lt. 2",
        "Pembahasan Rancangan awal Renja",
    )
    for text in typed:
        assert meetings.take_text(services, telegram_id=KASUBBAG, text=text)
    with services.reading() as session:
        pending = meeting_store.pending_input(session, official_id=organiser.id)
        assert pending is not None
        offered = pending.data.get("undangan_offered")
    if offered is not None:
        meetings.choose_undangan(
            services, telegram_id=KASUBBAG, draft_task_id=task.id, version_id=int(offered)
        )
    meetings.confirm(services, telegram_id=KASUBBAG, draft_task_id=task.id)
    return 1 + len(typed) + (offered is not None) + 1


def new_file(name: str, telegram_file_id: str | None = None) -> NewFile:
    digest = hashlib.sha256(name.encode()).hexdigest()
    file_id = telegram_file_id or f"id-{digest[:8]}"
    return NewFile(name, "application/pdf", 10, digest, file_id, digest[:8], name)


def services_at(
    folder: Path, clock: Callable[[], datetime], database_url: str | None = None
) -> Services:
    """The use cases' services over the database in `folder` (another process may share it),
    or at `database_url`; the archived files in `folder`."""
    return Services(
        engine=make_engine(database_url or f"sqlite:///{folder / 'bench.db'}"),
        sops=load_sops(
            ROOT / "sops", organisation=load_organisation(ROOT / "config" / "organisasi.yaml")
        ),
        calendar=OfficeCalendar.twenty_four_hours(),
        clock=clock,
        files_dir=folder / "files",
        max_upload_bytes=20 * 1024 * 1024,
    )


def office(folder: Path, clock: Callable[[], datetime]) -> Services:
    """A migrated database in `folder`, with the officials of the Renja SOP registered."""
    upgrade(f"sqlite:///{folder / 'bench.db'}")
    services = services_at(folder, clock)
    for telegram_id, name, position, unit in OFFICIALS:
        officials.register_official(
            services, telegram_id=telegram_id, name=name, position=position, unit=unit
        )
    return services


def count_as_delivered(services: Services, *, chat_id: int | None = None) -> int:
    """Every message still owed (to `chat_id`, or to anyone) counts as delivered long ago.

    Set-up only: the drafts a benchmark starts with were built through the use cases, which
    owe their officials thousands of messages; in a real office those went out when each
    draft was made. Sending them all now would measure a backlog, not the bot.
    """
    owed = update(OutboxMessage).where(col(OutboxMessage.status) == outbox_store.WAITING)
    if chat_id is not None:
        owed = owed.where(col(OutboxMessage.chat_id) == chat_id)
    with Session(services.engine) as session:
        result = session.execute(owed.values(status=outbox_store.SENT, sent_at=datetime.now(UTC)))
        session.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Emulator:
    """Where the emulator process listens."""

    token: str
    base_url: str
    base_file_url: str
    control_url: str

    def settings(self, folder: Path, services: Services, **overrides: Any) -> Settings:
        """The bot's settings: this emulator, the office's database, fast pacing."""
        return Settings(
            _env_file=None,
            telegram_bot_token=self.token,
            telegram_api_base_url=self.base_url,
            telegram_api_file_url=self.base_file_url,
            database_url=services.engine.url.render_as_string(hide_password=False),
            files_dir=folder / "files",
            **{**FAST_PACING, **overrides},
        )


@asynccontextmanager
async def emulator_process() -> AsyncIterator[Emulator]:
    """`python -m emulator` on a free port of 127.0.0.1, for the length of the block."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "emulator",
        "--port",
        "0",
        "--token",
        TOKEN,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        urls: dict[str, str] = {}
        while len(urls) < 3:
            line = (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode()
            if not line:
                raise RuntimeError("the emulator stopped before it listened")
            name, _, value = line.partition("=")
            urls[name.strip()] = value.strip()
        yield Emulator(TOKEN, urls["base_url"], urls["base_file_url"], urls["control_url"])
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


@asynccontextmanager
async def bot_process(
    emulator: Emulator,
    kind: str,
    folder: Path | None = None,
    database_url: str | None = None,
    *,
    webhook: tuple[int, str] | None = None,
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m benchmarks.botprocess` (the bot alone in its process) for the block; the
    office's database is `folder`'s own, or the one at `database_url`. `webhook`: (port,
    the address the emulator posts to): ours takes its updates by webhook on that port."""
    arguments = [
        "--token",
        emulator.token,
        "--base-url",
        emulator.base_url,
        "--base-file-url",
        emulator.base_file_url,
    ]
    if folder is not None:
        arguments += ["--folder", str(folder)]
    if database_url is not None:
        arguments += ["--database-url", database_url]
    if webhook is not None:
        arguments += ["--webhook-port", str(webhook[0]), "--webhook-url", webhook[1]]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.botprocess", kind, *arguments, cwd=ROOT
    )
    try:
        yield process
    finally:
        await _stop(process, f"the {kind} bot")


async def _stop(process: asyncio.subprocess.Process, what: str) -> None:
    """SIGTERM, then SIGKILL after 30 seconds; an error if it ended badly."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout=30)
        except TimeoutError:
            process.kill()
            await process.wait()
    if process.returncode not in (0, -signal.SIGKILL):
        raise RuntimeError(f"{what} ended with {process.returncode}")


@dataclass
class ProxyProcess:
    """Where the proxy listens; once it has stopped, what it forwarded to each backend."""

    url: str
    forwarded: dict[str, int] = field(default_factory=dict)
    """Updates each backend answered 200."""
    failed: dict[str, int] = field(default_factory=dict)
    """Posts a backend could not take (and the proxy sent to another)."""


@asynccontextmanager
async def proxy_process(backends: list[str]) -> AsyncIterator[ProxyProcess]:
    """emulator/proxy.py's round-robin proxy in front of `backends`, in a process of its own
    (`python -m benchmarks.botprocess proxy`), for the block."""
    arguments = [argument for backend in backends for argument in ("--backend", backend)]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.botprocess",
        "proxy",
        *arguments,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode()
        name, _, url = line.partition("=")
        if name.strip() != "url":
            raise RuntimeError("the proxy stopped before it listened")
        proxy = ProxyProcess(url.strip())
        yield proxy
    finally:
        await _stop(process, "the proxy")
    for line in (await process.stdout.read()).decode().splitlines():
        name, _, value = line.partition("=")
        if name.strip() in ("forwarded", "failed"):
            setattr(proxy, name.strip(), json.loads(value))


def percentile(values: list[float], percent: float) -> float:
    """The nearest-rank percentile (the largest value for p99 of fewer than 100 values)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]
