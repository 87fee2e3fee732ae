"""Command handlers: /start, /bantuan, /renja_baru, /tugas, /status, /riwayat, /sop,
/laporan, /batal, /undang, /kotak_keluar."""

from __future__ import annotations

from html import escape

from telegram import Update

from bot import notify, texts
from bot.callbacks import parse_id
from bot.limits import chunks, clip
from bot.usecases import (
    delivery,
    drafts,
    invites,
    meetings,
    officials,
    reading,
    reports,
    returns,
    sops,
    starting,
)
from bot.usecases.base import Origin
from bot.usecases.errors import InvalidInput, NotAdmin
from handlers.common import THROTTLE, answers_refusals, set_menu, shortcut_commands
from handlers.context import BotContext
from handlers.reminders import rearm


def _who(update: Update) -> tuple[int, int]:
    """(user id, chat id) of a command."""
    assert update.effective_user is not None and update.effective_chat is not None
    return update.effective_user.id, update.effective_chat.id


async def _refuse_strangers(context: BotContext, uid: int) -> None:
    """Tell a stranger to register, whatever the command (answered at most once in a while:
    see `answers_refusals`); administrators pass, registered as officials or not."""
    if not officials.is_admin(context.services, telegram_id=uid):
        await context.call(officials.actor, telegram_id=uid)


def _draft_number(text: str) -> int:
    number = parse_id(text)
    if number is None:
        raise InvalidInput(texts.NOT_A_NUMBER.format(text=clip(text, 20)))
    return number


@answers_refusals
async def start(update: Update, context: BotContext) -> None:
    """Welcome an official, register the opener of an invitation, or say whom to ask."""
    user = update.effective_user
    uid, chat_id = _who(update)
    assert user is not None
    if context.args:
        await context.call(
            invites.redeem_invite,
            token=context.args[0][:64],
            telegram_id=uid,
            name=user.full_name,
            username=user.username,
        )
    actor = await context.call(officials.actor, telegram_id=uid)
    positions = [
        officials.position_label(
            context.services, position=h.position, unit=h.unit, acting=h.acting
        )
        for h in actor.holdings
    ]
    # The menu first: the welcome goes out through the outbox and may arrive at once, and
    # whoever reads it and opens the menu should find the commands it speaks of.
    await set_menu(context, chat_id, uid)
    await context.reply(chat_id, texts.welcome(actor.name, positions))
    # Someone who had never opened the bot (or had blocked it) now can be written to.
    await context.call(delivery.redeliver, chat_id=chat_id)


@answers_refusals
async def bantuan(update: Update, context: BotContext) -> None:
    """Show the commands this official may use."""
    uid, chat_id = _who(update)
    await _refuse_strangers(context, uid)
    can_start = await context.call(officials.can_start_draft, telegram_id=uid)
    can_report = await context.call(reports.may_report, telegram_id=uid)
    is_admin = officials.is_admin(context.services, telegram_id=uid)
    shortcuts = shortcut_commands(context.services)
    await context.reply(
        chat_id, texts.help_message(can_start, is_admin, shortcuts, can_report=can_report)
    )


@answers_refusals
async def baru(update: Update, context: BotContext) -> None:
    """The SOPs I may start, to choose one; then the bot asks for the title."""
    uid, _ = _who(update)
    await _refuse_strangers(context, uid)
    await context.call(starting.offer, telegram_id=uid)


@answers_refusals
async def start_by_shortcut(update: Update, context: BotContext) -> None:
    """An SOP's own command (`perintah` in its file, e.g. /renja_baru <judul>)."""
    uid, chat_id = _who(update)
    await _refuse_strangers(context, uid)
    message = update.effective_message
    assert message is not None and message.text is not None
    command = message.text.split()[0].removeprefix("/").split("@")[0]
    sop = starting.by_command(context.services, command=command)
    assert sop is not None  # registered only for the SOPs' own commands
    title = " ".join(context.args or [])
    if not title:
        await context.reply(chat_id, texts.need_title(command, sop))
        return
    outcome = await context.call(
        drafts.start_draft,
        telegram_id=uid,
        title=title,
        sop_id=sop.id,
        origin=Origin(update.update_id),
    )
    rearm(context.application, outcome)


@answers_refusals
async def tugas(update: Update, context: BotContext) -> None:
    """List my open tasks (the first few), each with its buttons."""
    uid, chat_id = _who(update)
    me = await context.call(officials.person, telegram_id=uid)
    shown = await context.call(reading.open_tasks_for, telegram_id=uid, limit=texts.TASKS_SHOWN)
    if not shown:
        await context.reply(chat_id, texts.NO_TASKS)
        return
    services = context.services
    messages = [
        message
        for briefing in shown
        for message in notify.briefing(
            me, briefing, services.sops[briefing.draft.sop_id], services.tz
        )
    ]
    if len(shown) == texts.TASKS_SHOWN:
        total = await context.call(reading.count_open_tasks, telegram_id=uid)
        if total > len(shown):
            messages.append(notify.text(chat_id, texts.more_tasks(len(shown), total)))
    await context.call(delivery.owe, messages=messages)


@answers_refusals
async def status(update: Update, context: BotContext) -> None:
    """Where every active draft (or one) stands: row, holder, deadline, late or not."""
    uid, chat_id = _who(update)
    await context.call(officials.actor, telegram_id=uid)  # refuses a stranger
    draft_id = _draft_number(context.args[0]) if context.args else None
    views = await context.call(reading.draft_status, draft_id=draft_id)
    message = texts.status_message(views, context.services.tz, _sop_titles(context))
    await context.call(
        delivery.owe, messages=[notify.text(chat_id, chunk) for chunk in chunks(message)]
    )


@answers_refusals
async def riwayat(update: Update, context: BotContext) -> None:
    """The audit trail of a draft."""
    uid, chat_id = _who(update)
    await context.call(officials.actor, telegram_id=uid)
    if not context.args:
        await context.reply(chat_id, texts.NEED_DRAFT_ID)
        return
    draft_id = _draft_number(context.args[0])
    draft, lines = await context.call(reading.history, draft_id=draft_id)
    (status_view,) = await context.call(reading.draft_status, draft_id=draft_id)
    message = texts.history_message(
        draft.title,
        draft.id,
        lines,
        status_view.rows,
        context.services.tz,
        sop_title=_sop_titles(context).get(draft.sop_id, draft.sop_id),
    )
    await context.call(
        delivery.owe, messages=[notify.text(chat_id, chunk) for chunk in chunks(message)]
    )


def _sop_titles(context: BotContext) -> dict[str, str]:
    """Each loaded SOP's title, by id: every draft is named with its SOP's."""
    return {key: sop.identitas.judul for key, sop in context.services.sops.items()}


@answers_refusals
async def sop(update: Update, context: BotContext) -> None:
    """The SOP's flowchart picture, then its table row by row (/sop [id])."""
    uid, chat_id = _who(update)
    await _refuse_strangers(context, uid)
    sop_id = context.args[0][:64] if context.args else None
    await context.call(sops.send_sop, chat_id=chat_id, sop_id=sop_id)


@answers_refusals
async def laporan(update: Update, context: BotContext) -> None:
    """The performance report: a text, a chart and a workbook (/laporan [sop] [periode])."""
    uid, chat_id = _who(update)
    await context.call(
        reports.request, telegram_id=uid, chat_id=chat_id, args=list(context.args or [])
    )


@answers_refusals
async def batal(update: Update, context: BotContext) -> None:
    """Cancel whatever the bot was waiting for from me."""
    uid, chat_id = _who(update)
    await _refuse_strangers(context, uid)
    awaited = await context.call(meetings.cancel_input, telegram_id=uid)
    if awaited is not None:
        said = (
            texts.RETURN_CANCELLED if awaited == starting.TITLE else texts.MEETING_INPUT_CANCELLED
        )
        await context.reply(chat_id, said)
        return
    cancelled = await context.call(returns.cancel, telegram_id=uid)
    await context.reply(chat_id, texts.RETURN_CANCELLED if cancelled else texts.NOTHING_TO_CANCEL)


@answers_refusals
async def undang(update: Update, context: BotContext) -> None:
    """Create a one-time registration link for a position (administrators)."""
    uid, chat_id = _who(update)
    services = context.services
    await _refuse_strangers(context, uid)
    if not officials.is_admin(services, telegram_id=uid):
        raise NotAdmin(uid)
    if not context.args:
        positions = ", ".join(sorted(officials.holdable_positions(services)))
        await context.reply(chat_id, texts.INVITE_USAGE.format(positions=escape(positions)))
        return
    position = context.args[0]
    unit = " ".join(context.args[1:]).strip().strip("\"“”'").strip() or None
    token, expires = await context.call(
        invites.create_invite, admin_telegram_id=uid, position=position, unit=unit
    )
    link = f"https://t.me/{context.bot.username}?start={token}"
    label = officials.position_label(services, position=position, unit=unit)
    await context.reply(
        chat_id, texts.invite_created(link, label, texts.when_text(expires, services.tz))
    )


@answers_refusals
async def kotak_keluar(update: Update, context: BotContext) -> None:
    """What the bot still owes, and what could not be delivered (administrators)."""
    uid, chat_id = _who(update)
    await _refuse_strangers(context, uid)
    if not officials.is_admin(context.services, telegram_id=uid):
        raise NotAdmin(uid)
    report = await context.call(delivery.report)
    await context.reply(chat_id, texts.outbox_report(report, context.services.tz))


@answers_refusals
async def unknown_command(update: Update, context: BotContext) -> None:
    """Answer a command the bot does not know (once in a while, for a flood)."""
    uid, chat_id = _who(update)
    await _refuse_strangers(context, uid)
    if THROTTLE.allow(uid, "perintah", 3.0):
        await context.reply(chat_id, texts.UNKNOWN_COMMAND)
