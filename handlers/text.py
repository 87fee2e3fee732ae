"""Plain text: the reason for a return the official started, or a short hint."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import texts
from bot.usecases import officials, returns
from bot.usecases.errors import InvalidInput, NotRegistered, StaleTask
from handlers.common import notify
from handlers.context import services
from workflow.engine import ActionRefused, AuditAction


async def text_received(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Take the awaited return reason, or point to the commands."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    found = services(context)
    if returns.awaited_return(found.workflow, telegram_id=user.id) is None:
        try:
            officials.actor(found.workflow, telegram_id=user.id)
        except NotRegistered:
            await message.reply_text(
                texts.NOT_REGISTERED.format(id=user.id), parse_mode=ParseMode.HTML
            )
            return
        await message.reply_text(texts.TEXT_HINT)
        return
    try:
        done = returns.complete_return(
            found.workflow, telegram_id=user.id, note=message.text or ""
        )
    except ActionRefused as error:
        await message.reply_text(texts.refusal(error), parse_mode=ParseMode.HTML)
        return
    except StaleTask as error:
        await message.reply_text(texts.stale(error, found.tz))
        return
    except InvalidInput as error:
        await message.reply_text(str(error))
        return
    me = officials.person(found.workflow, telegram_id=user.id)
    line = texts.outcome_line(
        AuditAction.KEMBALIKAN.value, me.name, found.workflow.clock(), found.tz
    )
    if done.chat_id is not None and done.message_id is not None:
        sop = found.workflow.sops[done.briefing.draft.sop_id]
        original = texts.task_message(done.briefing, sop, found.tz)
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
