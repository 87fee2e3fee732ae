"""The real application, polling the project's Bot API emulator over HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.local import emulator_settings, polling
from bot.usecases import officials
from bot.usecases.base import Services
from emulator import BotApiEmulator, EmulatorClient, SimulatedUser
from handlers.context import BotApplication
from handlers.reminders import arm
from storage.db import make_engine
from tests.conftest import OFFICIALS, FakeClock
from workflow.calendar import OfficeCalendar
from workflow.sop import Sop

TOKEN = "123456789:EMULATOR-test-token"
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
    running: AsyncExitStack = field(default_factory=AsyncExitStack)
    application: BotApplication | None = None

    async def start(self) -> None:
        """Start the bot as `renja-bot run` would: a new application over the same data."""
        self.application = build_application(self.settings, services=self.services)
        await self.running.enter_async_context(polling(self.application))

    async def stop(self) -> None:
        await self.running.aclose()
        self.running = AsyncExitStack()
        self.application = None

    def tick(self, **delta: float) -> None:
        """Move the clock, and wake the scheduler as real time passing would."""
        self.clock.advance(**delta)
        assert self.application is not None
        arm(self.application)

    async def phone(self, telegram_id: int, name: str) -> SimulatedUser:
        user = await self.control.user(telegram_id, name.split()[0])
        self.phones[telegram_id] = user
        return user


@pytest.fixture
async def office(
    tmp_path: Path, database_url: str, sops: dict[str, Sop], clock: FakeClock
) -> AsyncIterator[Office]:
    async with (
        BotApiEmulator(TOKEN, username="renja_bot", first_name="Renja Bot") as emulator,
        EmulatorClient(emulator.control_url) as control,
    ):
        settings = emulator_settings(
            emulator,
            database_url=database_url,
            files_dir=tmp_path / "files",
            admin_telegram_ids=[ADMIN_ID],
            max_upload_mb=1,
            # This emulator enforces no flood limits: the sender need not keep them.
            # (test_delivery.py runs with Telegram's limits on both sides.)
            send_private_per_second=100,
            send_private_burst=100,
            send_global_per_second=1000,
        )
        services = Services(
            engine=make_engine(database_url),
            sops=sops,
            calendar=OfficeCalendar.default(),
            clock=clock,
            files_dir=settings.files_dir,
            max_upload_bytes=settings.max_upload_bytes,
            admins=frozenset({ADMIN_ID}),
        )
        for telegram_id, name, position, unit in OFFICIALS:
            officials.register_official(
                services, telegram_id=telegram_id, name=name, position=position, unit=unit
            )
        office = Office(emulator, control, services, settings, clock, {})
        await office.start()
        try:
            for telegram_id, name, _, _ in OFFICIALS:
                phone = await office.phone(telegram_id, name)
                await phone.send_text("/start")
                await phone.wait_for_messages(lambda m: "Selamat datang" in m.body)
            yield office
        finally:
            await office.stop()
