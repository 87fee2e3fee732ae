"""Updates kept in the database until handled, whether fetched (polling) or pushed (webhook).

An update is written to the inbox before Telegram is told it arrived (the next getUpdates
offset, or the webhook's HTTP 200), handled in a task of its own, and removed from the inbox
only once handled. A process killed in between leaves it in the inbox, and the next process
handles it. A state change is recorded with its update id (`handled_update`), so an update
handled twice changes nothing the second time.

Polling allows one process per bot: at start-up it handles every update left in the inbox.
Behind a webhook several processes may share one database; each renews the updates it is
handling (`keep_claims`), and takes over those nobody renewed for the lease (`take_over`):
the process that received them died.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram import Update

from handlers.context import BotApplication
from storage import updates as update_store

log = logging.getLogger(__name__)

CLOSING_SECONDS = 15.0
"""On a clean stop, how long the updates being handled may take to finish."""

Kept = tuple[int, dict[str, Any]]
"""An update id and the update as Telegram sent it (JSON)."""


class Inbox:
    """Keeps updates, handles each in its own task (at most `concurrency`), then forgets it."""

    def __init__(
        self, application: BotApplication, engine: Engine, *, concurrency: int = 64
    ) -> None:
        self.application = application
        self.engine = engine
        self.slots = asyncio.Semaphore(concurrency)
        self.in_flight = application.bot_data.updates_in_flight
        self.handling: set[int] = set()
        """Ids of the updates this process is handling now."""
        self.done: list[int] = []
        """Updates handled to the end, not yet removed from the inbox."""
        self.forgetting: asyncio.Task[None] | None = None

    async def keep(self, kept: list[Kept]) -> None:
        """Write updates to the inbox (committed when this returns); one kept already stays."""
        await asyncio.to_thread(self._receive, kept)

    async def handle(self, update_id: int, update: Update | dict[str, Any]) -> None:
        """Handle a kept update (or its kept payload) in a task of its own.

        Waits while `concurrency` updates are being handled. An update this process is
        handling already (Telegram sent it again) is not started twice.
        """
        if update_id in self.handling:
            return
        self.handling.add(update_id)
        await self.slots.acquire()
        task = asyncio.create_task(self._handle(update_id, update))
        self.in_flight.add(task)
        task.add_done_callback(self._finished)

    async def handle_unhandled(self) -> None:
        """Handle every update an earlier run left (one process per bot: polling)."""
        for update_id, payload in await asyncio.to_thread(self._unhandled):
            log.info("update %s from an earlier run is handled now", update_id)
            await self.handle(update_id, payload)

    async def take_over(self, lease: timedelta) -> None:
        """Handle the updates nobody renewed for `lease`: their process died."""
        now = datetime.now(UTC)
        taken = await asyncio.to_thread(self._take_over, now - lease, now)
        for update_id, payload in taken:
            if update_id not in self.handling:
                log.info("update %s left by a process that stopped is handled now", update_id)
                await self.handle(update_id, payload)

    async def keep_claims(self) -> None:
        """Renew the updates being handled here, so that no other process takes them over."""
        if self.handling:
            await asyncio.to_thread(self._renew, sorted(self.handling), datetime.now(UTC))

    async def close(self) -> None:
        """Let the updates being handled finish (at most `CLOSING_SECONDS`), and forget them."""
        if self.in_flight:
            await asyncio.wait(self.in_flight, timeout=CLOSING_SECONDS)
        while self.forgetting is not None:
            await self.forgetting

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
                    self.handling.difference_update(done)
        finally:
            self.forgetting = None

    # Database (in threads) -----------------------------------------------------------------

    def _unhandled(self) -> list[Kept]:
        with Session(self.engine) as session:
            return update_store.unhandled(session)

    def _receive(self, kept: list[Kept]) -> None:
        with Session(self.engine) as session:
            update_store.receive(session, updates=kept, now=datetime.now(UTC))
            session.commit()

    def _take_over(self, kept_before: datetime, now: datetime) -> list[Kept]:
        with Session(self.engine) as session:
            taken = update_store.take_over(session, kept_before=kept_before, now=now)
            session.commit()
            return taken

    def _renew(self, update_ids: list[int], now: datetime) -> None:
        with Session(self.engine) as session:
            update_store.renew(session, update_ids=update_ids, now=now)
            session.commit()

    def _handled(self, update_ids: list[int]) -> None:
        with Session(self.engine) as session:
            update_store.handled(session, update_ids=update_ids)
            session.commit()
