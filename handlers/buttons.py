"""Button presses: Setujui, Kembalikan, Kirim, a decision's outcomes, ⏭ Lewati, choosing
which output a file is, setting an acting official (✅ Tetapkan / ❌ Batal), and the pages
of /status and /tugas.

Every press is checked against the database, never trusted: the task must still be open
and the presser must hold it. Every press is answered.
"""

from __future__ import annotations

from telegram import Message, Update

from bot import texts
from bot.callbacks import Press, Verb, decode
from bot.usecases import acting, decisions, drafts, returns, starting, uploads
from bot.usecases.base import Origin
from bot.usecases.views import Outcome
from handlers import lists, meetings
from handlers.common import REFUSALS, answer, answers_refusals, drop_pressed_buttons, refusal_text
from handlers.context import BotContext
from handlers.reminders import arm_at, rearm
from handlers.uploads import download_and_store
from workflow.engine import Approve, Submit


@answers_refusals
async def button(update: Update, context: BotContext) -> None:
    """Route a press to its use case; answer every press."""
    query = update.callback_query
    assert query is not None
    press = decode(query.data)
    if press is None:
        await answer(update, context, texts.BUTTON_EXPIRED, alert=True)
        await drop_pressed_buttons(update, context)
        return
    origin = _origin(update)
    if press.verb is Verb.BARU:
        await context.call(starting.choose, telegram_id=query.from_user.id, number=press.first)
        await answer(update, context, None)
    elif press.verb in meetings.MEETING_VERBS:
        await meetings.press(update, context, press, origin)
    elif press.verb in lists.LIST_VERBS:
        await lists.press(update, context, press, origin)
    elif press.verb in (Verb.KEMBALIKAN, Verb.LEWATI):
        await context.call(
            returns.begin_return,
            telegram_id=query.from_user.id,
            draft_id=press.first,
            draft_task_id=press.second,
            origin=origin,
            skip=press.verb is Verb.LEWATI,
        )
        context.end_turn()  # the answer does not hold this official's next update
        await answer(update, context, None)
    elif press.verb is Verb.PILIH:
        chosen = await context.call(
            decisions.choose,
            telegram_id=query.from_user.id,
            draft_task_id=press.first,
            choice=press.second,
            origin=origin,
        )
        context.end_turn()
        await answer(update, context, texts.RECORDED if isinstance(chosen, Outcome) else None)
        if isinstance(chosen, Outcome):
            rearm(context.application, chosen)
    elif press.verb is Verb.TANPA_CATATAN:
        outcome = await context.call(
            returns.complete_without_note,
            telegram_id=query.from_user.id,
            draft_task_id=press.first,
            choice=press.second,
            origin=origin,
        )
        context.end_turn()
        await answer(update, context, texts.RECORDED)
        rearm(context.application, outcome)
    elif press.verb is Verb.PILIH_OUTPUT:
        await _choose_output(update, context, press, origin)
    elif press.verb is Verb.PLH_TETAPKAN:
        moved = await context.call(
            acting.confirm, telegram_id=query.from_user.id, period_id=press.first, origin=origin
        )
        context.end_turn()
        await answer(update, context, texts.RECORDED)
        # The period's end is an alarm too.
        arm_at(context.application, moved.next_alarm_at, keep_earlier=True)
    elif press.verb is Verb.PLH_BATAL:
        await context.call(
            acting.cancel, telegram_id=query.from_user.id, period_id=press.first, origin=origin
        )
        context.end_turn()
        await answer(update, context, None)
    else:
        outcome = await context.call(
            drafts.act,
            telegram_id=query.from_user.id,
            draft_id=press.first,
            action=Approve() if press.verb is Verb.SETUJUI else Submit(),
            draft_task_id=press.second,
            origin=origin,
        )
        context.end_turn()  # the answer does not hold this official's next update
        await answer(update, context, texts.RECORDED)
        rearm(context.application, outcome)  # the next row may have planned reminders


async def _choose_output(
    update: Update, context: BotContext, press: Press, origin: Origin
) -> None:
    query = update.callback_query
    assert query is not None
    accepted = await context.call(
        uploads.take_staged,
        telegram_id=query.from_user.id,
        staged_id=press.first,
        choice=press.second,
    )
    await answer(update, context, accepted.option.name)
    try:
        await download_and_store(context, query.from_user.id, accepted, origin)
    except REFUSALS as error:
        # The press is answered already: what went wrong with the file is said in the chat.
        await context.reply(query.from_user.id, refusal_text(error, context))


def _origin(update: Update) -> Origin:
    """The update and the pressed message, which the decision rewrites."""
    query = update.callback_query
    assert query is not None
    message = query.message
    if not isinstance(message, Message):
        return Origin(update_id=update.update_id)
    return Origin(
        update_id=update.update_id,
        chat_id=message.chat.id,
        message_id=message.message_id,
        message_html=message.text_html if message.text else None,
    )
