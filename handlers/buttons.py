"""Button presses: Setujui, Kembalikan, Kirim, and choosing which output a file is.

Every press is checked against the database, never trusted: the task must still be open
and the presser must hold it.
"""

from __future__ import annotations

import re

from telegram import CallbackQuery, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot import texts
from bot.usecases import drafts, officials, returns, uploads
from bot.usecases.errors import DraftNotFound, InvalidInput, NotRegistered, StaleTask
from bot.usecases.views import Outcome
from handlers.callbacks import Press, Verb, decode
from handlers.common import notify
from handlers.context import BotContext
from handlers.uploads import store_upload
from workflow.engine import ActionRefused, Approve, Audit, DraftStatus, Submit

ALERT_LIMIT = 200


async def button(update: Update, context: BotContext) -> None:
    """Route a press to its action; answer every press."""
    query = update.callback_query
    assert query is not None
    press = decode(query.data)
    if press is None:
        await _alert(query, texts.BUTTON_EXPIRED)
        await _drop_buttons(query)
        return
    try:
        if press.verb is Verb.KEMBALIKAN:
            await _ask_reason(query, context, press)
        elif press.verb is Verb.PILIH_OUTPUT:
            await _choose_output(query, context, press)
        else:
            await _decide(query, context, press)
    except NotRegistered:
        await _alert(query, texts.NOT_REGISTERED_SHORT.format(id=query.from_user.id))
    except StaleTask as error:
        await _alert(query, texts.stale(error, context.services.tz))
        await _drop_buttons(query)
    except ActionRefused as error:
        await _alert(query, texts.refusal(error))
    except (DraftNotFound, InvalidInput) as error:
        message = str(error) if isinstance(error, InvalidInput) else texts.BUTTON_EXPIRED
        await _alert(query, message)
        await _drop_buttons(query)


async def _alert(query: CallbackQuery, text: str) -> None:
    """A pop-up answer; Telegram shows at most 200 characters of it."""
    plain = re.sub(r"<[^>]+>", "", text)
    await query.answer(
        plain if len(plain) <= ALERT_LIMIT else plain[: ALERT_LIMIT - 1] + "…", show_alert=True
    )


async def _decide(query: CallbackQuery, context: BotContext, press: Press) -> None:
    services = context.services
    action = Approve() if press.verb is Verb.SETUJUI else Submit()
    outcome = drafts.act(
        services,
        telegram_id=query.from_user.id,
        draft_id=press.first,
        action=action,
        draft_task_id=press.second,
    )
    await query.answer("Tercatat.")
    await _show_outcome(query, context, outcome)
    await notify(context, outcome)


async def _show_outcome(query: CallbackQuery, context: BotContext, outcome: Outcome) -> None:
    """Edit the pressed message: its text plus what was decided, and no buttons."""
    services = context.services
    audits = [e for e in outcome.transition.effects if isinstance(e, Audit)]
    action = audits[0].action.value if audits else ""
    me = officials.person(services, telegram_id=query.from_user.id)
    line = texts.outcome_line(action, me.name, services.clock(), services.tz)
    message = query.message
    original = message.text_html if isinstance(message, Message) and message.text else ""
    try:
        await query.edit_message_text(
            f"{original}\n\n<b>{line}</b>" if original else line,
            parse_mode=ParseMode.HTML,
            reply_markup=None,
        )
    except BadRequest:
        await _drop_buttons(query)
    if outcome.transition.state.status is DraftStatus.SELESAI:
        await context.bot.send_message(
            query.from_user.id,
            texts.draft_finished(outcome.draft.title, outcome.draft.id),
            parse_mode=ParseMode.HTML,
        )


async def _ask_reason(query: CallbackQuery, context: BotContext, press: Press) -> None:
    message = query.message
    briefing = returns.begin_return(
        context.services,
        telegram_id=query.from_user.id,
        draft_id=press.first,
        draft_task_id=press.second,
        chat_id=message.chat.id if message else None,
        message_id=message.message_id if message else None,
    )
    await query.answer()
    await context.bot.send_message(
        query.from_user.id, texts.ask_return_reason(briefing), parse_mode=ParseMode.HTML
    )


async def _choose_output(query: CallbackQuery, context: BotContext, press: Press) -> None:
    staged, option = uploads.take_staged(
        context.services,
        telegram_id=query.from_user.id,
        staged_id=press.first,
        choice=press.second,
    )
    await query.answer(option.name[:190])
    try:
        await query.edit_message_text(
            f"Berkas {staged.file_name}: {option.name}.", reply_markup=None
        )
    except BadRequest:
        await _drop_buttons(query)
    await store_upload(
        context,
        chat_id=query.from_user.id,
        telegram_id=query.from_user.id,
        option=option,
        telegram_file_id=staged.telegram_file_id,
        telegram_file_unique_id=staged.telegram_file_unique_id,
        file_name=staged.file_name,
        mime_type=staged.mime_type,
    )


async def _drop_buttons(query: CallbackQuery) -> None:
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest:
        pass  # already without buttons ("message is not modified")
