"""Long polling that loses no update: each is kept in the inbox before Telegram is told.

python-telegram-bot's own Updater confirms updates (the next getUpdates offset) as soon as it
has fetched them, before a handler has run; a bot killed in between loses them. Here every
fetched batch is written to the inbox first (bot/inbox.py), handled concurrently, and removed
from the inbox only once handled. At start-up, what an earlier run left unhandled is handled
first.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.engine import Engine
from telegram import Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError

from bot.inbox import Inbox
from bot.logs import failure
from bot.pacing import retry_seconds
from handlers.context import BotApplication

log = logging.getLogger(__name__)

BACKOFF_CAP_SECONDS = 30.0


class Poller:
    """getUpdates in a loop; every update kept in the inbox, then handled (bot/inbox.py)."""

    def __init__(
        self,
        application: BotApplication,
        engine: Engine,
        *,
        timeout: int = 10,
        concurrency: int = 64,
    ) -> None:
        self.application = application
        self.timeout = timeout
        self.inbox = Inbox(application, engine, concurrency=concurrency)

    async def run(self, stop: asyncio.Event) -> None:
        """Handle what an earlier run left, then poll until `stop` is set."""
        await self.inbox.handle_unhandled()
        offset: int | None = None
        failures = 0
        stopping = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set():
                fetch = asyncio.create_task(self._fetch(offset))
                await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not fetch.done():
                    fetch.cancel()
                    break
                try:
                    updates = fetch.result()
                except RetryAfter as error:
                    await self._pause(stop, retry_seconds(error))
                    continue
                except (Conflict, InvalidToken) as error:
                    log.error("polling refused: %s", error.message)
                    await self._pause(stop, BACKOFF_CAP_SECONDS)
                    continue
                except TelegramError as error:  # 5xx, a proxy's page, time-out, no connection
                    failures += 1
                    delay = min(BACKOFF_CAP_SECONDS, 0.5 * 2**failures)
                    log.warning("getUpdates failed (%s); again in %.1f s", failure(error), delay)
                    await self._pause(stop, delay)
                    continue
                failures = 0
                if not updates:
                    continue
                await self.inbox.keep([(u.update_id, u.to_dict()) for u in updates])
                # Only now may Telegram forget them: the next call confirms this offset.
                offset = updates[-1].update_id + 1
                for update in updates:  # as fetched: no need to parse the kept copy again
                    await self.inbox.handle(update.update_id, update)
        finally:
            stopping.cancel()
            await self.inbox.close()

    async def _fetch(self, offset: int | None) -> tuple[Update, ...]:
        return await self.application.bot.get_updates(
            offset=offset, timeout=self.timeout, allowed_updates=Update.ALL_TYPES
        )

    async def _pause(self, stop: asyncio.Event, seconds: float) -> None:
        try:
            await asyncio.wait_for(stop.wait(), timeout=seconds)
        except TimeoutError:
            pass
