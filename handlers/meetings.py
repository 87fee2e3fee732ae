"""Meetings: the scheduling and answer buttons, /rapat, and /forum_grup in a group."""

from __future__ import annotations

from telegram import Update

from bot import texts
from bot.callbacks import Press, Verb, parse_id
from bot.limits import MESSAGE_LIMIT, chunks
from bot.usecases import meetings, officials
from bot.usecases.base import Origin
from bot.usecases.errors import InvalidInput
from handlers.common import answer, answers_refusals
from handlers.context import BotContext
from handlers.reminders import arm
from workflow.meeting import Answer

MEETING_VERBS = frozenset(
    {
        Verb.RAPAT_JADWAL,
        Verb.RAPAT_HARI,
        Verb.RAPAT_JAM,
        Verb.RAPAT_LAMPIRAN,
        Verb.RAPAT_KIRIM,
        Verb.RAPAT_UBAH,
        Verb.RAPAT_BATAL,
        Verb.RAPAT_BATAL_YA,
        Verb.RAPAT_TIDAK_JADI,
        Verb.HADIR,
        Verb.TIDAK_HADIR,
        Verb.DIWAKILKAN,
    }
)
ANSWERS = {
    Verb.HADIR: Answer.HADIR,
    Verb.TIDAK_HADIR: Answer.TIDAK_HADIR,
    Verb.DIWAKILKAN: Answer.DIWAKILKAN,
}


async def press(update: Update, context: BotContext, pressed: Press, origin: Origin) -> None:
    """A meeting button (the caller answers refusals): call its use case, answer the press."""
    query = update.callback_query
    assert query is not None
    uid = query.from_user.id
    verb, first, second = pressed.verb, pressed.first, pressed.second
    if verb is Verb.RAPAT_JADWAL:
        await context.call(
            meetings.begin_scheduling,
            telegram_id=uid,
            draft_id=first,
            draft_task_id=second,
            origin=origin,
        )
    elif verb is Verb.RAPAT_HARI:
        await context.call(meetings.pick_day, telegram_id=uid, draft_task_id=first, ordinal=second)
    elif verb is Verb.RAPAT_JAM:
        await context.call(
            meetings.pick_time, telegram_id=uid, draft_task_id=first, minutes=second, origin=origin
        )
    elif verb is Verb.RAPAT_LAMPIRAN:
        await context.call(
            meetings.choose_undangan, telegram_id=uid, draft_task_id=first, version_id=second
        )
    elif verb is Verb.RAPAT_KIRIM:
        await context.call(meetings.confirm, telegram_id=uid, draft_task_id=first, origin=origin)
        await answer(update, context, texts.RECORDED)
        await arm(context.application)  # the meeting's reminders, and the row's moved ones
        return
    elif verb is Verb.RAPAT_UBAH:
        await context.call(meetings.begin_reschedule, telegram_id=uid, meeting_id=first)
    elif verb is Verb.RAPAT_BATAL:
        await context.call(meetings.ask_cancel, telegram_id=uid, meeting_id=first)
    elif verb is Verb.RAPAT_BATAL_YA:
        await context.call(
            meetings.cancel_meeting, telegram_id=uid, meeting_id=first, origin=origin
        )
        await answer(update, context, texts.RECORDED)
        await arm(context.application)
        return
    elif verb is Verb.RAPAT_TIDAK_JADI:
        await context.call(meetings.dismiss, origin=origin)
        await answer(update, context, texts.NOTHING_CHANGED)
        return
    else:
        given = ANSWERS[verb]
        await context.call(
            meetings.answer, telegram_id=uid, meeting_id=first, given=given, origin=origin
        )
        if given is not Answer.DIWAKILKAN:
            await answer(update, context, texts.ANSWER_LABELS[given.value])
            return
    await answer(update, context, None)


@answers_refusals
async def rapat(update: Update, context: BotContext) -> None:
    """/rapat [nomor draft]: the meeting, and who answered what."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    draft_id = None
    if context.args:
        draft_id = parse_id(context.args[0])
        if draft_id is None:
            raise InvalidInput(texts.NOT_A_NUMBER.format(text=context.args[0][:20]))
    found = await context.call(meetings.report, telegram_id=user.id, draft_id=draft_id)
    parts = chunks(texts.meeting_report(found, context.services.tz), MESSAGE_LIMIT)
    for part in parts[:-1]:
        await context.reply(message.chat_id, part)
    await context.reply(message.chat_id, parts[-1], keyboard=meetings.report_keyboard(found))


@answers_refusals
async def forum_grup(update: Update, context: BotContext) -> None:
    """/forum_grup in a group, by an administrator: the bot posts the meetings there."""
    message = update.effective_message
    user = update.effective_user
    chat = update.effective_chat
    assert message is not None and user is not None and chat is not None
    if chat.type not in ("group", "supergroup"):
        raise InvalidInput(texts.GROUP_ONLY)
    # /forum_grup [jabatan] [instansi]: a word that is no position names the agency (for a
    # province-level administrator).
    position = agency_key = None
    positions = officials.position_names(context.services)
    for word in (context.args or [])[:2]:
        if word in positions and position is None:
            position = word
        else:
            agency_key = word
    await context.call(
        meetings.register_group,
        telegram_id=user.id,
        chat_id=chat.id,
        title=chat.title or "",
        position=position,
        agency_key=agency_key,
    )
