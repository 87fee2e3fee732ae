"""Long polling that loses no update: each is kept in the inbox before Telegram is told.

python-telegram-bot's own Updater confirms updates (the next getUpdates offset) as soon as it
has fetched them, before a handler has run; a bot killed in between loses them. Here every
fetched batch is written to the inbox first, handled concurrently, and removed from the inbox
only once handled. At start-up, what an earlier run left unhandled is handled first. A state
change is recorded with its update id (`handled_update`), so an update handled twice after a
crash changes nothing the second time.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram import Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError

from bot.logs import failure
from bot.pacing import retry_seconds
from handlers.context import BotApplication
from storage import updates as update_store

log = logging.getLogger(__name__)

BACKOFF_CAP_SECONDS = 30.0


class Poller:
    """getUpdates in a loop; every update handled in its own task, at most `concurrency`."""

    def __init__(
        self,
        application: BotApplication,
        engine: Engine,
        *,
        timeout: int = 10,
        concurrency: int = 64,
    ) -> None:
        self.application = application
        self.engine = engine
        self.timeout = timeout
        self.slots = asyncio.Semaphore(concurrency)
        self.in_flight = application.bot_data.updates_in_flight
        self.done: list[int] = []
        """Updates handled to the end, not yet removed from the inbox."""
        self.forgetting: asyncio.Task[None] | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Handle what an earlier run left, then poll until `stop` is set."""
        for update_id, payload in await asyncio.to_thread(self._unhandled):
            log.info("update %s from an earlier run is handled now", update_id)
            await self._spawn(update_id, payload)
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
                kept = [(u.update_id, u.to_dict()) for u in updates]
                await asyncio.to_thread(self._receive, kept)
                # Only now may Telegram forget them: the next call confirms this offset.
                offset = updates[-1].update_id + 1
                for update in updates:  # as fetched: no need to parse the kept copy again
                    await self._spawn(update.update_id, update)
        finally:
            stopping.cancel()
            if self.in_flight:
                await asyncio.wait(self.in_flight, timeout=15)
            while self.forgetting is not None:
                await self.forgetting

    async def _fetch(self, offset: int | None) -> tuple[Update, ...]:
        return await self.application.bot.get_updates(
            offset=offset, timeout=self.timeout, allowed_updates=Update.ALL_TYPES
        )

    async def _pause(self, stop: asyncio.Event, seconds: float) -> None:
        try:
            await asyncio.wait_for(stop.wait(), timeout=seconds)
        except TimeoutError:
            pass

    async def _spawn(self, update_id: int, update: Update | dict[str, Any]) -> None:
        """Handle an update (or, from the inbox, its kept payload) in a task of its own."""
        await self.slots.acquire()
        task = asyncio.create_task(self._handle(update_id, update))
        self.in_flight.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.in_flight.discard(task)
        self.slots.release()

    async def _handle(self, update_id: int, update: Update | dict[str, Any]) -> None:
        try:
            if not isinstance(update, Update):
                update = Update.de_json(update, self.application.bot)
            await self.application.process_update(update)
        except Exception:  # a handler's own errors go to the error handler; this is the rest
            log.exception("update %s could not be handled", update_id)
        self.done.append(update_id)
        if self.forgetting is None:
            self.forgetting = asyncio.create_task(self._forget())

    async def _forget(self) -> None:
        """Remove handled updates from the inbox, those of a busy moment in one transaction.

        An update is removed only after it was handled; one handled but not yet removed when
        the process dies is handled again, and changes nothing the second time.
        """
        try:
            while self.done:
                done, self.done = self.done, []
                try:
                    await asyncio.to_thread(self._handled, done)
                except Exception:
                    log.exception("handled updates could not be removed from the inbox")
        finally:
            self.forgetting = None

    # Database (in threads) -----------------------------------------------------------------

    def _unhandled(self) -> list[tuple[int, dict[str, Any]]]:
        with Session(self.engine) as session:
            return update_store.unhandled(session)

    def _receive(self, kept: list[tuple[int, dict[str, Any]]]) -> None:
        with Session(self.engine) as session:
            update_store.receive(session, updates=kept, now=datetime.now(UTC))
            session.commit()

    def _handled(self, update_ids: list[int]) -> None:
        with Session(self.engine) as session:
            update_store.handled(session, update_ids=update_ids)
            session.commit()
