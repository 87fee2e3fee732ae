"""The real application, polling the project's Bot API emulator over HTTP on 127.0.0.1, or
(`mode` "webhook") taking its updates from the emulator's webhook posts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.app import Mode, build_application
from bot.config import Settings
from bot.local import FAST_PACING, Running, emulated, emulator_services, receiving
from bot.sample_office import OFFICIALS, register_officials
from bot.usecases.base import Services
from emulator import BotApiEmulator, EmulatorClient, SimulatedUser
from handlers.common import THROTTLE
from handlers.context import BotApplication
from handlers.reminders import arm
from tests.conftest import TOKEN, FakeClock
from workflow.calendar import OfficeCalendar
from workflow.sop import Sop

ADMIN_ID = 900


@dataclass
class Office:
    """A running bot, its emulator, and the officials' phones."""

    emulator: BotApiEmulator
    control: EmulatorClient
    services: Services
    settings: Settings
    clock: FakeClock
    phones: dict[int, SimulatedUser]
    mode: Mode = "polling"
    running: AsyncExitStack = field(default_factory=AsyncExitStack)
    application: BotApplication | None = None
    bot: Running | None = None
    """The running bot's task and (webhook mode) its addresses."""

    async def start(self) -> None:
        """Start the bot as `renja-bot run` (`--webhook`) would: a new application over the
        same data."""
        self.application = build_application(self.settings, services=self.services, mode=self.mode)
        self.bot = await self.running.enter_async_context(
            receiving(self.application, self.mode, settings=self.settings)
        )

    async def stop(self) -> None:
        await self.running.aclose()
        self.running = AsyncExitStack()
        self.application = None
        self.bot = None

    async def tick(self, **delta: float) -> None:
        """Move the clock, and wake the scheduler as real time passing would."""
        self.clock.advance(**delta)
        assert self.application is not None
        await arm(self.application)

    async def phone(self, telegram_id: int, name: str) -> SimulatedUser:
        user = await self.control.user(telegram_id, name.split()[0])
        self.phones[telegram_id] = user
        return user


@asynccontextmanager
async def running_office(
    root: Path,
    sops: dict[str, Sop],
    *,
    pacing: dict[str, Any] | None = None,
    clock: FakeClock | None = None,
    admin: bool = True,
    mode: Mode = "polling",
    database_url: str | None = None,
    **settings_overrides: Any,
) -> AsyncIterator[Office]:
    """The bot (from `build_application`) over a new database (`database_url`, by default a
    SQLite file in `root`), its emulator, and the seven officials, who have started it;
    `admin`: the administrator has too.

    `pacing`: SEND_* settings; without them the sender keeps Telegram's limits. `mode`: how
    the bot takes its updates (in webhook mode, behind a webhook on 127.0.0.1).
    """
    async with emulated(
        root,
        TOKEN,
        database_url=database_url,
        admin_telegram_ids=[ADMIN_ID],
        max_upload_mb=1,
        **(pacing or {}),
        **settings_overrides,
    ) as (emulator, control, settings):
        # The throttle is one per process: a new office must not inherit an earlier one's
        # silences (the same officials, a test's other database, seconds before).
        THROTTLE.last.clear()
        clock = clock or FakeClock()
        services = emulator_services(
            settings, sops=sops, calendar=OfficeCalendar.default(), clock=clock
        )
        register_officials(services)
        office = Office(emulator, control, services, settings, clock, {}, mode)
        await office.start()
        try:
            if admin:
                admin_phone = await office.phone(ADMIN_ID, "Admin Sistem")
                await admin_phone.send_text("/start")
            for official in OFFICIALS:
                phone = await office.phone(official.telegram_id, official.name)
                await phone.send_text("/start")
                await phone.wait_for_messages(lambda m: "Selamat datang" in m.body)
            yield office
        finally:
            await office.stop()


@pytest.fixture
def mode() -> Mode:
    """How the `office` takes its updates; a test parametrized with `mode` runs in both."""
    return "polling"


@pytest.fixture
async def office(
    tmp_path: Path, sops: dict[str, Sop], clock: FakeClock, mode: Mode, database_url: str
) -> AsyncIterator[Office]:
    """The running office on the test's clock, on SQLite and on PostgreSQL (`database_url`).
    Its emulator enforces no flood limits, so the sender need not keep them
    (test_delivery.py runs with Telegram's limits on both sides)."""
    async with running_office(
        tmp_path,
        sops,
        pacing=FAST_PACING,
        clock=clock,
        admin=False,
        mode=mode,
        database_url=database_url,
    ) as office:
        yield office
