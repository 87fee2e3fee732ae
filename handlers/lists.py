"""/status and /tugas: a few drafts or tasks in full, many summarised and paged; the page
buttons, which rewrite the list in place, and the buttons that open one task from it."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup, Message, Update

from bot import notify, texts
from bot.callbacks import Press, Verb, decode, parse_id
from bot.limits import chunks
from bot.usecases import delivery, officials, reading
from bot.usecases.base import Origin
from bot.usecases.errors import InvalidInput
from bot.usecases.views import ListFilter, ListPage
from handlers.common import answer, answers_refusals
from handlers.context import BotContext

PAGE_VERBS = frozenset({Verb.HALAMAN_STATUS, Verb.HALAMAN_TUGAS})
LIST_VERBS = PAGE_VERBS | {Verb.BUKA_TUGAS}


def list_argument(command: str, args: Sequence[str] | None) -> tuple[ListFilter, int | None]:
    """What follows /status or /tugas: nothing, a draft's number, or a filter word."""
    if not args:
        return ListFilter.SEMUA, None
    if len(args) > 1:
        raise InvalidInput(texts.too_many_list_arguments(command))
    word = args[0]
    if (found := texts.FILTER_WORDS.get(word.casefold())) is not None:
        return found, None
    number = parse_id(word)
    if number is None:
        raise InvalidInput(texts.bad_list_argument(command, word))
    return ListFilter.SEMUA, number


def _who(update: Update) -> tuple[int, int]:
    assert update.effective_user is not None and update.effective_chat is not None
    return update.effective_user.id, update.effective_chat.id


@answers_refusals
async def status(update: Update, context: BotContext) -> None:
    """Where the active drafts stand: a few in full; many as counts per row, the most
    overdue, and a page with ◀ ▶. `/status <nomor>`: one draft; `/status terlambat`."""
    uid, chat_id = _who(update)
    scope = await context.call(officials.scope, telegram_id=uid)  # refuses a stranger first
    chosen, draft_id = list_argument("status", context.args)
    tz, titles = context.services.tz, _sop_titles(context)
    if draft_id is not None:
        views = await context.call(reading.draft_status, scope=scope, draft_id=draft_id)
        message = texts.status_message(views, tz, titles)
        await context.call(
            delivery.owe, messages=[notify.text(chat_id, chunk) for chunk in chunks(message)]
        )
        return
    found = await context.call(
        reading.status_list, scope=scope, filter=chosen, details_up_to=texts.STATUS_IN_FULL
    )
    if found.details:
        await context.reply(chat_id, texts.status_message(list(found.details), tz, titles))
        return
    html, keyboard = _status_page(context, found)
    await context.reply(chat_id, html, keyboard=keyboard)


@answers_refusals
async def tugas(update: Update, context: BotContext) -> None:
    """My open tasks: a few each with its buttons; many as counts per row, the most
    overdue, and a page with a button per task. `/tugas <nomor>`: that draft's task."""
    uid, chat_id = _who(update)
    me = await context.call(officials.person, telegram_id=uid)
    chosen, draft_id = list_argument("tugas", context.args)
    services = context.services
    if draft_id is not None:
        found_task = await context.call(reading.task_of_draft, telegram_id=uid, draft_id=draft_id)
        sop = services.sops[found_task.draft.sop_id]
        await context.call(
            delivery.owe, messages=notify.briefing(me, found_task, sop, services.tz)
        )
        return
    found = await context.call(
        reading.task_list, telegram_id=uid, filter=chosen, briefings_up_to=texts.TASKS_ONE_BY_ONE
    )
    if found.briefings:
        messages = [
            message
            for briefing in found.briefings
            for message in notify.briefing(
                me, briefing, services.sops[briefing.draft.sop_id], services.tz
            )
        ]
        await context.call(delivery.owe, messages=messages)
        return
    html, keyboard = _tasks_page(context, found)
    await context.reply(chat_id, html, keyboard=keyboard)


async def press(update: Update, context: BotContext, pressed: Press, origin: Origin) -> None:
    """A page button (the list rewritten in place) or a task opened from a list (the
    caller answers refusals)."""
    query = update.callback_query
    assert query is not None
    uid = query.from_user.id
    if pressed.verb is Verb.BUKA_TUGAS:
        me = await context.call(officials.person, telegram_id=uid)
        found_task = await context.call(
            reading.task_of_draft, telegram_id=uid, draft_id=pressed.first
        )
        sop = context.services.sops[found_task.draft.sop_id]
        await context.call(
            delivery.owe, messages=notify.briefing(me, found_task, sop, context.services.tz)
        )
        await answer(update, context, None)
        return
    _require_own_list(query.message, uid, pressed)
    try:
        chosen = ListFilter(pressed.first)
    except ValueError:
        raise InvalidInput(texts.BUTTON_EXPIRED) from None
    if pressed.verb is Verb.HALAMAN_STATUS:
        scope = await context.call(officials.scope, telegram_id=uid)
        found = await context.call(
            reading.status_list, scope=scope, filter=chosen, page=pressed.second
        )
        html, keyboard = _status_page(context, found)
    else:
        found = await context.call(
            reading.task_list, telegram_id=uid, filter=chosen, page=pressed.second
        )
        html, keyboard = _tasks_page(context, found)
    assert origin.chat_id is not None and origin.message_id is not None
    await context.call(
        delivery.owe,
        messages=[notify.edit(origin.chat_id, origin.message_id, html, keyboard=keyboard)],
    )
    await answer(update, context, None)


def _require_own_list(message: object, uid: int, pressed: Press) -> None:
    """A page button works on a list in the presser's own chat: not on a list forwarded
    from someone else's, nor with data forged onto a message that is no such list."""
    if not isinstance(message, Message):
        raise InvalidInput(texts.BUTTON_EXPIRED)
    if message.chat.id != uid:
        raise InvalidInput(texts.LIST_NOT_YOURS)
    markup = message.reply_markup
    shown = {
        found.verb
        for row in (markup.inline_keyboard if markup else ())
        for button in row
        if isinstance(button.callback_data, str)
        and (found := decode(button.callback_data)) is not None
    }
    if pressed.verb not in shown:
        raise InvalidInput(texts.BUTTON_EXPIRED)


def _status_page(context: BotContext, found: ListPage) -> tuple[str, InlineKeyboardMarkup | None]:
    html = texts.status_overview(found, context.services.tz, _sop_titles(context))
    if not found.matching:
        return html, None
    keyboard = notify.list_keyboard(Verb.HALAMAN_STATUS, found.filter, found.page, found.pages)
    return html, keyboard


def _tasks_page(context: BotContext, found: ListPage) -> tuple[str, InlineKeyboardMarkup | None]:
    html = texts.tasks_overview(found, context.services.tz, _sop_titles(context))
    if not found.matching:
        return html, None
    keyboard = notify.list_keyboard(
        Verb.HALAMAN_TUGAS,
        found.filter,
        found.page,
        found.pages,
        open_drafts=[line.draft.id for line in found.items],
    )
    return html, keyboard


def _sop_titles(context: BotContext) -> dict[str, str]:
    """Each loaded SOP's title, by id: every draft is named with its SOP's."""
    return {key: sop.identitas.judul for key, sop in context.services.sops.items()}
