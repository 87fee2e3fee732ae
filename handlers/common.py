"""What every handler shares: one place that turns a refusal into its answer, the menu."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from html import escape
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, Message, Update
from telegram.error import TelegramError

from bot import notify, texts
from bot.limits import ALERT_LIMIT, clip, plain_text
from bot.usecases import officials, reports, starting
from bot.usecases.base import Services
from bot.usecases.errors import (
    AlreadyHandled,
    DraftNotFound,
    InvalidInput,
    InviteRefused,
    NotAdmin,
    NotRegistered,
    StaleTask,
)
from handlers.context import BotContext
from workflow.engine import ActionRefused

log = logging.getLogger(__name__)

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]

REFUSALS = (
    NotRegistered,
    DraftNotFound,
    InvalidInput,
    NotAdmin,
    InviteRefused,
    StaleTask,
    ActionRefused,
)

STRANGER_INTERVAL = 10.0
"""A stranger (or someone repeating a refused command) is answered at most this often."""


INVITE_INTERVAL = 60.0
INVITE_BURST = 3
"""A refused invitation link is explained this often: a newcomer may try a few links."""


class Throttle:
    """At most `burst` answers per person and kind of answer in an interval (floods,
    strangers)."""

    def __init__(self) -> None:
        self.last: dict[tuple[int, str], tuple[float, int]] = {}
        """(user, kind) -> when the current interval started, answers given in it."""

    def allow(
        self, user_id: int, kind: str, interval: float = STRANGER_INTERVAL, *, burst: int = 1
    ) -> bool:
        now = time.monotonic()
        if len(self.last) > 10_000:  # forget old entries rather than grow without limit
            self.last = {k: v for k, v in self.last.items() if now - v[0] < interval}
        key = (user_id, kind)
        started, given = self.last.get(key, (-interval, 0))
        if now - started >= interval:
            started, given = now, 0
        if given >= burst:
            return False
        self.last[key] = (started, given + 1)
        return True


THROTTLE = Throttle()


def refusal_text(error: Exception, context: BotContext) -> str:
    """The Indonesian answer to a refused action (HTML)."""
    if isinstance(error, NotRegistered):
        return texts.NOT_REGISTERED.format(id=error.args[0] if error.args else "?")
    if isinstance(error, DraftNotFound):
        return texts.DRAFT_NOT_FOUND.format(id=error.draft_id)
    if isinstance(error, InvalidInput):
        return escape(str(error))
    if isinstance(error, NotAdmin):
        return texts.ONLY_ADMIN
    if isinstance(error, InviteRefused):
        return texts.INVITE_PROBLEMS[error.problem]
    if isinstance(error, StaleTask):
        return texts.stale(error, context.services.tz)
    if isinstance(error, ActionRefused):
        return texts.refusal(error)
    raise TypeError(type(error))


class Turns:
    """One person's updates are handled one at a time, in the order Telegram gave them.

    The application handles updates concurrently so that one official's slow upload does
    not hold the others; but two updates of the same person must not overtake each other:
    a file sent right after /renja_baru must find the draft, and of two quick presses on
    the same button the first must be the one recorded. A waiting task queues on the
    person's lock, which asyncio hands over first come, first served.

    A handler whose state changes are made may end its turn early (`BotContext.end_turn`):
    answering a press, a call to Telegram, then no longer holds the person's next update.
    """

    def __init__(self) -> None:
        self.locks: dict[int, tuple[asyncio.Lock, int]] = {}
        """Person -> their lock, and how many updates hold or wait for it."""

    @asynccontextmanager
    async def of(self, user_id: int) -> AsyncIterator[Callable[[], None]]:
        """Hold the person's turn for the block; what it yields ends the turn earlier."""
        lock, users = self.locks.get(user_id) or (asyncio.Lock(), 0)
        self.locks[user_id] = (lock, users + 1)
        try:
            await lock.acquire()
            held = True

            def end() -> None:
                nonlocal held
                if held:
                    held = False
                    lock.release()

            try:
                yield end
            finally:
                end()
        finally:
            lock, users = self.locks[user_id]
            if users == 1:
                del self.locks[user_id]  # nobody waits: forget the person
            else:
                self.locks[user_id] = (lock, users - 1)


TURNS = Turns()


def answers_refusals(callback: Handler) -> Handler:
    """Route every refusal of a handler to one answer: a pop-up for a press, else a reply.

    The handler runs in its sender's turn (`Turns`).
    """

    @functools.wraps(callback)
    async def in_turn(update: Update, context: BotContext) -> None:
        user = update.effective_user
        if user is None:
            await guarded(update, context)
            return
        async with TURNS.of(user.id) as end_turn:
            context.end_turn = end_turn
            await guarded(update, context)

    async def guarded(update: Update, context: BotContext) -> None:
        try:
            await callback(update, context)
        except AlreadyHandled:
            if update.callback_query is not None:
                await answer(update, context, None)
        except REFUSALS as error:
            user = update.effective_user
            if isinstance(error, NotRegistered) and user is not None:
                error = NotRegistered(user.id)
            text = refusal_text(error, context)
            if update.callback_query is not None:
                await answer(update, context, text, alert=True)
                if isinstance(error, StaleTask | DraftNotFound | InvalidInput):
                    await drop_pressed_buttons(update, context)
                return
            chat = update.effective_chat
            if chat is None or user is None:
                return
            # Whoever keeps sending what only registered officials can use (a command, an
            # invitation link) is answered once in a while, not once per message.
            if isinstance(error, NotRegistered) and not THROTTLE.allow(user.id, "asing"):
                return
            if isinstance(error, InviteRefused) and not THROTTLE.allow(
                user.id, "undangan", INVITE_INTERVAL, burst=INVITE_BURST
            ):
                return
            await context.reply(chat.id, text)
        except Exception:
            # Not a refusal: the error handler logs it. The official is still answered, so
            # that a press does not spin and a message is not met with silence.
            await _apologise(update, context)
            raise

    return in_turn


async def _apologise(update: Update, context: BotContext) -> None:
    """Say that something went wrong: at once for a press, once in a while for messages."""
    if update.callback_query is not None:
        await answer(update, context, texts.SOMETHING_WENT_WRONG, alert=True)
        return
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or not THROTTLE.allow(user.id, "gangguan", 60.0):
        return
    try:
        await context.reply(chat.id, texts.SOMETHING_WENT_WRONG)
    except Exception:  # the outbox may be what failed; the first error is the one to log
        log.warning("update %s: the failure could not be reported", update.update_id)


async def answer(
    update: Update, context: BotContext, text: str | None, *, alert: bool = False
) -> None:
    """Answer a press at once (Telegram wants it within seconds); a pop-up is plain text."""
    query = update.callback_query
    assert query is not None
    shown = clip(plain_text(text), ALERT_LIMIT) if text else None
    try:
        await query.answer(shown, show_alert=alert and bool(shown))
    except TelegramError as error:
        # The decision is already recorded; a lost answer only leaves the spinner turning.
        log.warning("press %s not answered: %s", query.id, error)


async def drop_pressed_buttons(update: Update, context: BotContext) -> None:
    """Take the buttons off a message whose press led nowhere, in the presser's own chat.

    A message forwarded to someone else is still the original in its owner's chat: a press
    there that is refused for the presser (or forged) must not take the owner's buttons.
    """
    query = update.callback_query
    if query is None or query.message is None:
        return
    chat_id, message_id = query.message.chat.id, query.message.message_id
    if chat_id != query.from_user.id:
        return
    # Only a button the message really shows is stale; data it never carried was forged,
    # and the message's real buttons stay.
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    shown = {
        button.callback_data
        for row in (markup.inline_keyboard if markup else ())
        for button in row
    }
    if query.data not in shown:
        return
    await context.call(_drop, chat_id=chat_id, message_id=message_id)


def _drop(services: Services, *, chat_id: int, message_id: int) -> None:
    with services.session() as session:
        notify.write(session, [notify.drop_buttons(chat_id, message_id)])
        session.commit()


async def set_menu(context: BotContext, chat_id: int, telegram_id: int) -> None:
    """The command menu of one official: what they may do (from the one command table)."""
    rights = await context.call(officials.rights, telegram_id=telegram_id)
    can_report = await context.call(reports.may_report, telegram_id=telegram_id)
    allowed = texts.commands_for(
        registered=True,
        can_start=rights.can_start,
        is_admin=rights.admin >= officials.AdminLevel.INSTANSI,
        is_province_admin=rights.admin is officials.AdminLevel.PROVINSI,
        shortcuts=shortcut_commands(context.services),
        can_appoint=rights.can_appoint,
        can_report=can_report,
    )
    commands = [BotCommand(c.name, c.menu) for c in allowed if c.name != "start"]
    try:
        await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:
        log.warning("cannot set the menu of %s: %s", chat_id, error)


def shortcut_commands(services: Services) -> list[texts.CommandText]:
    """The SOPs' own commands that start a draft (`perintah` in their files)."""
    return [
        texts.shortcut_command(name, sop) for name, sop in starting.shortcuts(services).items()
    ]
