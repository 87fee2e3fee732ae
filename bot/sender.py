"""The one sender: delivers the outbox to Telegram within its limits, until each row arrives.

One asyncio task claims the oldest waiting row of each chat (so a chat's messages keep their
order), waits for that chat's and the bot's sending budget, sends, and records the result:

- sent, or an edit with nothing left to do ("message is not modified"): done;
- 429 `RetryAfter`: that chat waits the time Telegram gave; the other chats go on;
- 5xx, time-outs, dropped connections: tried again with exponential backoff and jitter;
- blocked, deactivated, never started, chat not found: failed for good, with every message
  still waiting for that chat, and the administrators are told once.

The database is the source of truth: the task only wakes up when told that rows were
written (`wake`) or when the next row falls due, and anything it had claimed when the
process died is claimed again once the claim expires.
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram import (
    Bot,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaDocument,
    InputMediaPhoto,
    Message,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot import texts
from bot.logs import failure
from bot.pacing import Pacer, Pacing, retry_seconds
from storage import officials as official_store
from storage import outbox as outbox_store
from storage.db import reader
from storage.outbox import Claimed

log = logging.getLogger(__name__)

WallClock = Callable[[], datetime]

DONE_ALREADY = ("message is not modified", "message to edit not found", "message can't be edited")
"""Edits Telegram refuses because there is nothing left to do: they count as done."""

SEND_READ_TIMEOUT = 30.0
"""Seconds to wait for Telegram's answer to a send or an edit (PTB's default: 5). A call that
times out may still be carried out: tried again a second later, it arrived twice, and the
copy and the messages after it came before the late original. Only an answer later than
this can still do so."""

UNREACHABLE_NOTICE_AFTER = timedelta(hours=24)
"""A chat that failed is reported to the administrators again only after this long."""


class Sender:
    """Delivers the outbox; `start` in post_init, `stop` in post_shutdown."""

    def __init__(
        self,
        *,
        engine: Engine,
        bot: Bot,
        admins: frozenset[int] = frozenset(),
        pacing: Pacing | None = None,
        clock: WallClock = lambda: datetime.now(UTC),
        single_process: bool = True,
    ) -> None:
        self.engine = engine
        self.bot = bot
        self.admins = admins
        self.pacing = pacing or Pacing()
        self.clock = clock
        self.single_process = single_process
        self.worker = f"sender-{secrets.token_hex(4)}"
        self.pacer = Pacer(self.pacing)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._in_flight: set[asyncio.Task[None]] = set()
        self._sent: list[_Sent] = []
        """Sends done whose result is not recorded yet."""
        self._recorder: asyncio.Task[None] | None = None
        self.last_loop_at: datetime | None = None

    # Lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        if self.single_process:
            # Polling allows one process per bot: what is still claimed, a killed run claimed.
            await asyncio.to_thread(self._release_claims)
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        """Stop claiming; let what is being sent finish (briefly), then return."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        self._task = None
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=10)

    def wake(self) -> None:
        """Rows were written: look at the outbox now rather than at the next alarm."""
        self._wake.set()

    @property
    def alive(self) -> bool:
        return self._task is not None and not self._task.done()

    async def drain(self, seconds: float = 30.0) -> None:
        """Wait until nothing is due or being sent (tests and the demo)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while loop.time() < deadline:
            if not self._in_flight:
                due = await asyncio.to_thread(self._next_attempt_at)
                if due is None:
                    return
            self.wake()
            await asyncio.sleep(0.02)
        raise TimeoutError("outbox not drained")

    # The loop ------------------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            self.last_loop_at = self.clock()
            free = self.pacing.in_flight - len(self._in_flight)
            delay = 1.0  # other processes write rows too: look at least every second
            if free > 0:
                rows: list[Claimed] = []
                due: datetime | None = None
                try:
                    rows, due = await asyncio.to_thread(self._claim, free)
                except Exception:
                    log.exception("outbox: claiming failed; trying again shortly")
                for row in rows:
                    task = asyncio.create_task(self._deliver(row))
                    self._in_flight.add(task)
                    task.add_done_callback(self._done)
                if due is not None:
                    delay = min(delay, max(0.0, (due - self.clock()).total_seconds()))
            # With every slot taken, a delivery that ends wakes the loop (`_done`).
            await self._sleep(delay)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._wake.set()  # a slot is free, and the chat's next row may be due now

    async def _sleep(self, delay: float) -> None:
        # Not `wait_for`: on Python 3.11 it can swallow the cancellation `stop` sends.
        try:
            async with asyncio.timeout(delay):
                await self._wake.wait()
        except TimeoutError:
            pass

    # Delivery ------------------------------------------------------------------------------

    async def _deliver(self, first: Claimed) -> None:
        """Send a claimed row; while its chat can take more at once, go on with its next."""
        row: Claimed | None = first
        while row is not None:
            row = await self._deliver_one(row)

    async def _deliver_one(self, row: Claimed) -> Claimed | None:
        """Send one row and record the result; the chat's next row, claimed with the result
        in one transaction, when it may go at once."""
        assert row.id is not None
        try:
            try:
                message_id = await self._send(row)
            finally:
                self.pacer.settle(row.chat_id)
        except RetryAfter as error:
            wait = retry_seconds(error)
            log.info(
                "outbox %s: Telegram asks to wait %.0f s (chat %s)", row.id, wait, row.chat_id
            )
            await self._record(
                outbox_store.postpone,
                row_id=row.id,
                until=self.clock() + timedelta(seconds=wait),
                error=f"429: Flood control exceeded. Retry in {wait:g} seconds",
                failed_try=False,
            )
        except ChatMigrated as error:
            await asyncio.to_thread(self._record_migration, row, error.new_chat_id)
        except BadRequest as error:
            if any(phrase in error.message.lower() for phrase in DONE_ALREADY):
                return await self._record_sent(row, None)
            if "chat not found" in error.message.lower():
                await asyncio.to_thread(self._unreachable, row, error.message)
            else:
                log.error("outbox %s to chat %s refused: %s", row.id, row.chat_id, error.message)
                await self._record(outbox_store.mark_failed, row_id=row.id, error=error.message)
        except Forbidden as error:
            await asyncio.to_thread(self._unreachable, row, error.message)
        except (NetworkError, TelegramError) as error:
            await self._retry_later(row, failure(error))
        except Exception as error:  # never let one row stop the sender
            log.exception("outbox %s: unexpected error", row.id)
            await self._retry_later(row, f"{type(error).__name__}: {error}")
        else:
            return await self._record_sent(row, message_id)
        return None

    async def _record_sent(self, row: Claimed, message_id: int | None) -> Claimed | None:
        """Mark the row sent and, when the chat may have its next message now, claim that
        one in the same transaction: no other round of claiming, no second commit.

        Sends that end while a record is being written wait and are recorded together, in
        the next transaction.
        """
        go_on = not self._stopping and self.pacer.ready(row.chat_id)
        recorded: asyncio.Future[Claimed | None] = asyncio.get_running_loop().create_future()
        self._sent.append(_Sent(row, message_id, go_on, recorded))
        if self._recorder is None or self._recorder.done():
            self._recorder = asyncio.create_task(self._record_sends())
        return await recorded

    async def _record_sends(self) -> None:
        while self._sent:
            batch, self._sent = self._sent, []
            try:
                following = await asyncio.to_thread(self._sent_then_next, batch)
            except Exception as error:
                for sent in batch:
                    if not sent.recorded.done():
                        sent.recorded.set_exception(error)
            else:
                for sent, row in zip(batch, following, strict=True):
                    if not sent.recorded.done():
                        sent.recorded.set_result(row)

    async def _send(self, row: Claimed) -> int | None:
        payload: dict[str, Any] = row.payload
        parse_mode = payload.get("parse_mode")
        markup = _markup(payload.get("reply_markup"))
        if row.kind == outbox_store.MESSAGE:
            await self.pacer.acquire(row.chat_id)
            sent = await self.bot.send_message(
                row.chat_id,
                payload["text"],
                parse_mode=parse_mode,
                reply_markup=markup,
                read_timeout=SEND_READ_TIMEOUT,
            )
            return sent.message_id
        if row.kind in (outbox_store.DOCUMENT, outbox_store.PHOTO):
            await self.pacer.acquire(row.chat_id)
            send = (
                self.bot.send_photo if row.kind == outbox_store.PHOTO else self.bot.send_document
            )
            sent = await send(
                row.chat_id,
                _file(payload),
                caption=payload.get("caption"),
                parse_mode=parse_mode,
                reply_markup=markup,
                read_timeout=SEND_READ_TIMEOUT,
            )
            return sent.message_id
        if row.kind == outbox_store.ALBUM:
            items = payload["items"]
            await self.pacer.acquire(row.chat_id, len(items))
            media = (
                InputMediaPhoto
                if payload.get("media") == outbox_store.PHOTO
                else InputMediaDocument
            )
            album: tuple[Message, ...] = await self.bot.send_media_group(
                row.chat_id,
                [
                    media(
                        _file(item, in_album=True),
                        caption=item.get("caption"),
                        parse_mode=parse_mode,
                    )
                    for item in items
                ],
                read_timeout=SEND_READ_TIMEOUT,
            )
            return album[0].message_id if album else None
        target = self._edit_target(row)
        if target is None:
            return None  # the message to edit never arrived: nothing to change
        await self.pacer.acquire(row.chat_id)
        if row.kind == outbox_store.EDIT_TEXT:
            await self.bot.edit_message_text(
                payload["text"],
                chat_id=row.chat_id,
                message_id=target,
                parse_mode=parse_mode,
                reply_markup=markup,
                read_timeout=SEND_READ_TIMEOUT,
            )
        else:
            await self.bot.edit_message_reply_markup(
                chat_id=row.chat_id,
                message_id=target,
                reply_markup=None,
                read_timeout=SEND_READ_TIMEOUT,
            )
        return target

    def _edit_target(self, row: Claimed) -> int | None:
        if row.edit_of is None:
            found = row.payload.get("message_id")
            return int(found) if found is not None else None
        return row.edit_target

    async def _retry_later(self, row: Claimed, error: str) -> None:
        assert row.id is not None
        backoff = min(
            self.pacing.backoff_cap_seconds, self.pacing.backoff_base_seconds * 2**row.attempts
        )
        delay = backoff * random.uniform(0.5, 1.0)  # jitter: retries of many rows spread out
        log.warning("outbox %s to chat %s: %s; again in %.1f s", row.id, row.chat_id, error, delay)
        await self._record(
            outbox_store.postpone,
            row_id=row.id,
            until=self.clock() + timedelta(seconds=delay),
            error=error,
            failed_try=True,
        )

    def _unreachable(self, row: Claimed, reason: str) -> None:
        """The chat cannot receive anything: fail what is owed to it, tell the admins once."""
        assert row.id is not None
        log.warning("outbox %s: chat %s unreachable: %s", row.id, row.chat_id, reason)
        now = self.clock()
        with Session(self.engine) as session:
            known = outbox_store.failed_since(
                session,
                chat_id=row.chat_id,
                since=now - UNREACHABLE_NOTICE_AFTER,
                exclude=row.id,
            )
            outbox_store.mark_failed(session, row_id=row.id, worker=self.worker, error=reason)
            outbox_store.fail_waiting(session, chat_id=row.chat_id, error=reason)
            if not known:
                name = str(row.chat_id)
                if row.official_id is not None:
                    official = official_store.official_by_id(session, official_id=row.official_id)
                    name = official.name if official else name
                for admin in sorted(self.admins - {row.chat_id}):
                    outbox_store.enqueue(
                        session,
                        chat_id=admin,
                        kind=outbox_store.MESSAGE,
                        payload={
                            "text": texts.delivery_failed(name, row.chat_id, reason),
                            "parse_mode": "HTML",
                        },
                        now=now,
                    )
            session.commit()

    def _record_migration(self, row: Claimed, new_chat_id: int) -> None:
        assert row.id is not None
        with Session(self.engine) as session:
            outbox_store.postpone(
                session,
                row_id=row.id,
                worker=self.worker,
                until=self.clock(),
                error=f"chat moved to {new_chat_id}",
                failed_try=False,
            )
            outbox_store.move_chat(session, old_chat_id=row.chat_id, new_chat_id=new_chat_id)
            session.commit()

    async def _record(self, change: Callable[..., bool], **values: Any) -> None:
        def write() -> None:
            with Session(self.engine) as session:
                change(session, worker=self.worker, **values)
                session.commit()

        await asyncio.to_thread(write)

    # Database helpers (run in a thread) ----------------------------------------------------

    def _claim(self, limit: int) -> tuple[list[Claimed], datetime | None]:
        """Claim up to `limit` heads; and when the next one may be claimed (the alarm)."""
        with Session(self.engine, expire_on_commit=False) as session:
            rows = outbox_store.claim_heads(
                session,
                now=self.clock(),
                worker=self.worker,
                lease=timedelta(seconds=self.pacing.lease_seconds),
                limit=limit,
            )
            due = outbox_store.next_attempt_at(session)
            session.commit()
            return rows, due

    def _sent_then_next(self, batch: list[_Sent]) -> list[Claimed | None]:
        """Record sends (one transaction), each with its chat's next row when it goes on."""
        now = self.clock()
        lease = timedelta(seconds=self.pacing.lease_seconds)
        following: list[Claimed | None] = []
        with Session(self.engine, expire_on_commit=False) as session:
            for sent in batch:
                outbox_store.mark_sent(
                    session,
                    row_id=sent.row.id,
                    worker=self.worker,
                    now=now,
                    message_id=sent.message_id,
                )
                following.append(
                    outbox_store.claim_next_of_chat(
                        session, chat_id=sent.row.chat_id, now=now, worker=self.worker, lease=lease
                    )
                    if sent.go_on
                    else None
                )
            session.commit()
        return following

    def _next_attempt_at(self) -> datetime | None:
        with Session(reader(self.engine)) as session:
            return outbox_store.next_attempt_at(session)

    def _release_claims(self) -> None:
        with Session(self.engine) as session:
            if released := outbox_store.release_claims(session):
                log.info("outbox: %s claims of an earlier run released", released)
            session.commit()


def _file(item: dict[str, Any], *, in_album: bool = False) -> str | InputFile:
    """A file Telegram already holds (its id), or one the bot made: a text given whole (a
    calendar file), or a file it keeps, by its path (a flowchart picture).

    In an album a new file is a part named by `attach://`; on its own it is the
    method's own file part.
    """
    if "content" in item:
        data = str(item["content"]).encode()
        return InputFile(data, filename=str(item["file_name"]), attach=in_album)
    if "path" in item:
        with open(str(item["path"]), "rb") as stream:
            picture = stream.read()
        return InputFile(picture, filename=str(item["file_name"]), attach=in_album)
    return str(item["file_id"])


@dataclass(frozen=True)
class _Sent:
    """A send done, waiting for its result to be recorded."""

    row: Claimed
    message_id: int | None
    go_on: bool
    """Whether to claim the chat's next row with it."""
    recorded: asyncio.Future[Claimed | None]
    """Set once recorded: the chat's next row, claimed, or None."""


def _markup(data: object) -> InlineKeyboardMarkup | None:
    if not isinstance(data, dict):
        return None
    rows = data.get("inline_keyboard") or []
    return InlineKeyboardMarkup.de_json(data, None) if rows else None
