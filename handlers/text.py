"""Plain text: the reason for a return the official started, or a short hint."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot import texts
from bot.usecases import officials, returns
from bot.usecases.errors import InvalidInput, NotRegistered, StaleTask
from handlers.common import notify
from handlers.context import BotContext
from workflow.engine import ActionRefused, AuditAction


async def text_received(update: Update, context: BotContext) -> None:
    """Take the awaited return reason, or point to the commands."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    services = context.services
    if returns.awaited_return(services, telegram_id=user.id) is None:
        try:
            officials.actor(services, telegram_id=user.id)
        except NotRegistered:
            await message.reply_text(
                texts.NOT_REGISTERED.format(id=user.id), parse_mode=ParseMode.HTML
            )
            return
        await message.reply_text(texts.TEXT_HINT)
        return
    try:
        done = returns.complete_return(services, telegram_id=user.id, note=message.text or "")
    except ActionRefused as error:
        await message.reply_text(texts.refusal(error), parse_mode=ParseMode.HTML)
        return
    except StaleTask as error:
        await message.reply_text(texts.stale(error, services.tz))
        return
    except InvalidInput as error:
        await message.reply_text(str(error))
        return
    me = officials.person(services, telegram_id=user.id)
    line = texts.outcome_line(AuditAction.KEMBALIKAN.value, me.name, services.clock(), services.tz)
    if done.chat_id is not None and done.message_id is not None:
        sop = services.sops[done.briefing.draft.sop_id]
        original = texts.task_message(done.briefing, sop, services.tz)
        try:
            await context.bot.edit_message_text(
                f"{original}\n\n<b>{line}</b>",
                chat_id=done.chat_id,
                message_id=done.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=None,
            )
        except BadRequest:
            pass  # the message is gone or unchanged; the return itself is recorded
    await message.reply_text(f"{line}\nCatatan: {message.text}")
    await notify(context, done.outcome)
