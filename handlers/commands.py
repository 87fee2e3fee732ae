"""Command handlers: /start, /bantuan, /renja_baru, /riwayat, /sop, /laporan, /batal, /plh,
/plt, /undang, /kotak_keluar (/status and /tugas: handlers/lists.py)."""

from __future__ import annotations

from html import escape

from telegram import Update

from bot import notify, texts
from bot.callbacks import parse_id
from bot.limits import chunks, clip
from bot.usecases import (
    acting,
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
from workflow.acting import PLH, PLT


def _who(update: Update) -> tuple[int, int]:
    """(user id, chat id) of a command."""
    assert update.effective_user is not None and update.effective_chat is not None
    return update.effective_user.id, update.effective_chat.id


async def _refuse_strangers(context: BotContext, uid: int) -> None:
    """Tell a stranger to register, whatever the command (answered at most once in a while:
    see `answers_refusals`); province-level administrators pass, registered as officials or
    not."""
    if not officials.is_province_admin(context.services, telegram_id=uid):
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
    rights = await context.call(officials.rights, telegram_id=uid)
    can_report = await context.call(reports.may_report, telegram_id=uid)
    shortcuts = shortcut_commands(context.services)
    await context.reply(
        chat_id,
        texts.help_message(
            rights.can_start,
            rights.admin >= officials.AdminLevel.INSTANSI,
            shortcuts,
            is_province_admin=rights.admin is officials.AdminLevel.PROVINSI,
            can_appoint=rights.can_appoint,
            can_report=can_report,
        ),
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
async def riwayat(update: Update, context: BotContext) -> None:
    """The audit trail of a draft (of my agency)."""
    uid, chat_id = _who(update)
    scope = await context.call(officials.scope, telegram_id=uid)  # refuses a stranger
    if not context.args:
        await context.reply(chat_id, texts.NEED_DRAFT_ID)
        return
    draft_id = _draft_number(context.args[0])
    draft, lines = await context.call(reading.history, scope=scope, draft_id=draft_id)
    (status_view,) = await context.call(reading.draft_status, scope=scope, draft_id=draft_id)
    message = texts.history_message(
        draft.title,
        draft.id,
        lines,
        status_view.rows,
        context.services.tz,
        sop_title=_sop_titles(context).get(draft.sop_id, draft.sop_id),
        chain_head=draft.chain_head,
        agency=status_view.agency,
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
    sop_id = context.args[0][:64] if context.args else None
    await context.call(sops.send_sop, telegram_id=uid, chat_id=chat_id, sop_id=sop_id)


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
async def plh(update: Update, context: BotContext) -> None:
    """Propose an acting official (Plh.) for a position: a summary to confirm comes back."""
    await _propose_acting(update, context, PLH)


@answers_refusals
async def plt(update: Update, context: BotContext) -> None:
    """Propose an acting official (Plt.) for a position: a summary to confirm comes back."""
    await _propose_acting(update, context, PLT)


async def _propose_acting(update: Update, context: BotContext, kind: str) -> None:
    uid, chat_id = _who(update)
    await _refuse_strangers(context, uid)
    words = [word[:100] for word in (context.args or [])[:20]]
    await context.call(
        acting.propose,
        telegram_id=uid,
        acting=kind,
        words=words,
        chat_id=chat_id,
        origin=Origin(update.update_id),
    )


@answers_refusals
async def undang(update: Update, context: BotContext) -> None:
    """Create a one-time registration link for a position of my agency (administrators;
    a province-level administrator names the agency first: /undang dinkes sekretaris)."""
    uid, chat_id = _who(update)
    services = context.services
    await _refuse_strangers(context, uid)
    if not await context.call(officials.is_admin, telegram_id=uid):
        raise NotAdmin(uid)
    words = list(context.args or [])
    holdable = officials.holdable_positions(services)
    agency_key = None
    if len(words) >= 2 and words[0] not in holdable:
        agency_key = words.pop(0)
    if not words:
        positions = ", ".join(sorted(holdable))
        await context.reply(chat_id, texts.INVITE_USAGE.format(positions=escape(positions)))
        return
    position = words[0]
    unit = " ".join(words[1:]).strip().strip("\"“”'").strip() or None
    link = await context.call(
        invites.create_invite,
        admin_telegram_id=uid,
        position=position,
        unit=unit,
        agency_key=agency_key,
    )
    url = f"https://t.me/{context.bot.username}?start={link.token}"
    label = officials.position_label(services, position=position, unit=unit)
    expires = texts.when_text(link.expires_at, services.tz)
    await context.reply(chat_id, texts.invite_created(url, label, expires, link.agency_name))


@answers_refusals
async def kotak_keluar(update: Update, context: BotContext) -> None:
    """What the bot still owes, and what could not be delivered (province-level
    administrators: the outbox is every agency's)."""
    uid, chat_id = _who(update)
    await _refuse_strangers(context, uid)
    if not officials.is_province_admin(context.services, telegram_id=uid):
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
