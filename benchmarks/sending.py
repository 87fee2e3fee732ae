"""The sender's throughput to many chats, against the emulator WITH Telegram's flood limits.

One message is owed to each of N chats (`storage.outbox.enqueue`); `bot.sender.Sender`
with the default `Pacing()` delivers them; the time runs from its start until the outbox is
drained. Telegram allows about 30 messages a second overall: the aim is to use at least 95%
of that without a single 429.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session
from telegram import Bot
from telegram.request import HTTPXRequest

from benchmarks.common import Emulator
from bot.pacing import Pacing
from bot.sender import Sender
from emulator import EmulatorClient
from storage import outbox as outbox_store
from storage.db import make_engine, upgrade

FIRST_CHAT = 10_001
TELEGRAM_PER_SECOND = 30.0
"""Telegram's overall limit, and the emulator's default global bucket."""


@dataclass(frozen=True)
class Delivery:
    chats: int
    seconds: float
    accepted: int
    too_many_requests: int

    @property
    def per_second(self) -> float:
        return self.accepted / self.seconds


async def run(emulator: Emulator, chats: int) -> Delivery:
    async with EmulatorClient(emulator.control_url) as control:
        await control.reset()
        for offset in range(chats):
            user = await control.user(FIRST_CHAT + offset, f"Penerima{offset}")
            await user.send_text("/start")  # the bot may write to them
        await control.set_flood_limits()
        with tempfile.TemporaryDirectory(prefix="renja-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'outbox.db'}"
            upgrade(url)
            engine = make_engine(url)
            with Session(engine) as session:
                now = datetime.now(UTC)
                for offset in range(chats):
                    outbox_store.enqueue(
                        session,
                        chat_id=FIRST_CHAT + offset,
                        kind=outbox_store.MESSAGE,
                        payload={"text": f"Pesan <b>{offset}</b>", "parse_mode": "HTML"},
                        now=now,
                    )
                session.commit()
            # The pool the application uses (bot/app.py): the sender serves 32 chats at once.
            request = HTTPXRequest(connection_pool_size=128, pool_timeout=10)
            async with Bot(
                emulator.token,
                base_url=emulator.base_url,
                base_file_url=emulator.base_file_url,
                request=request,
            ) as bot:
                await control.reset_stats()
                sender = Sender(engine=engine, bot=bot, pacing=Pacing())
                began = time.perf_counter()
                await sender.start()
                try:
                    await sender.drain(seconds=max(60.0, chats / 10))
                    seconds = time.perf_counter() - began
                finally:
                    await sender.stop()
            engine.dispose()
        stats = await control.stats()
        await control.set_flood_limits(False)
    return Delivery(chats, seconds, stats.accepted, stats.too_many_requests)
