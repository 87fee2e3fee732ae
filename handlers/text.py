"""Plain text: the reason for a return the official started, or a short hint."""

from __future__ import annotations

from telegram import Update

from bot import texts
from bot.usecases import meetings, officials, returns, starting
from bot.usecases.base import Origin
from handlers.common import THROTTLE, answers_refusals
from handlers.context import BotContext
from handlers.reminders import rearm


@answers_refusals
async def text_received(update: Update, context: BotContext) -> None:
    """Take the awaited return reason, or point to the commands."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    origin = Origin(update_id=update.update_id)
    text = message.text or ""
    if await context.call(meetings.take_text, telegram_id=user.id, text=text, origin=origin):
        return
    started = await context.call(
        starting.take_title, telegram_id=user.id, text=text, origin=origin
    )
    if started is not None:
        rearm(context.application, started)  # the new draft's first row plans its reminders
        return
    awaited = await context.call(returns.awaited_return, telegram_id=user.id)
    if awaited is None:
        await context.call(officials.actor, telegram_id=user.id)  # refuses a stranger
        if THROTTLE.allow(user.id, "petunjuk", 3.0):
            await context.reply(message.chat_id, texts.TEXT_HINT)
        return
    outcome = await context.call(
        returns.complete_return,
        telegram_id=user.id,
        note=text,
        origin=origin,
    )
    rearm(context.application, outcome)


async def edited(update: Update, context: BotContext) -> None:
    """An edited message acts on nothing; say so once in a while."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or not THROTTLE.allow(user.id, "diubah", 30.0):
        return
    await context.reply(chat.id, texts.EDIT_IGNORED)


async def other_content(update: Update, context: BotContext) -> None:
    """Stickers, voice notes, locations, contacts: a one-line hint."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or not THROTTLE.allow(user.id, "lain", 10.0):
        return
    await context.reply(chat.id, texts.UNSUPPORTED_CONTENT)
