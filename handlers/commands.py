"""Command handlers: /start, /bantuan, /renja_baru, /tugas, /status, /riwayat, /sop, /batal,
/undang."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot import texts
from bot.usecases import drafts, invites, officials, reading, returns
from bot.usecases.base import Services
from bot.usecases.errors import (
    DraftNotFound,
    InvalidInput,
    InviteRefused,
    NotAdmin,
    NotRegistered,
)
from handlers.common import notify, send_briefing, set_menu
from handlers.context import BotContext
from workflow.engine import ActionRefused


async def reply(update: Update, text: str) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)


async def start(update: Update, context: BotContext) -> None:
    """Welcome an official, register the opener of an invitation, or say whom to ask."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    services = context.services
    if context.args:
        try:
            invites.redeem_invite(
                services,
                token=context.args[0],
                telegram_id=user.id,
                name=user.full_name,
                username=user.username,
            )
        except InviteRefused as error:
            await reply(update, texts.INVITE_PROBLEMS[error.problem])
            return
    try:
        actor = officials.actor(services, telegram_id=user.id)
    except NotRegistered:
        await reply(update, texts.NOT_REGISTERED.format(id=user.id))
        return
    positions = [
        officials.position_label(services, position=h.position, unit=h.unit, acting=h.acting)
        for h in actor.holdings
    ]
    await reply(update, texts.welcome(actor.name, positions))
    await set_menu(context, chat.id, user.id)


async def bantuan(update: Update, context: BotContext) -> None:
    """Show the commands this official may use."""
    assert update.effective_user is not None
    services = context.services
    uid = update.effective_user.id
    await reply(
        update,
        texts.help_message(
            officials.can_start_draft(services, telegram_id=uid),
            officials.is_admin(services, telegram_id=uid),
        ),
    )


async def renja_baru(update: Update, context: BotContext) -> None:
    """Start a new Renja draft (the Kasubbag)."""
    assert update.effective_user is not None
    title = " ".join(context.args or [])
    if not title:
        await reply(update, texts.NEED_TITLE)
        return
    try:
        outcome = drafts.start_draft(
            context.services, telegram_id=update.effective_user.id, title=title
        )
    except NotRegistered:
        await reply(update, texts.NOT_REGISTERED.format(id=update.effective_user.id))
        return
    except ActionRefused as error:
        await reply(update, texts.refusal(error))
        return
    except InvalidInput as error:
        await reply(update, str(error))
        return
    await reply(update, texts.draft_started(outcome.draft.title, outcome.draft.id))
    await notify(context, outcome)


async def tugas(update: Update, context: BotContext) -> None:
    """List my open tasks, each with its buttons."""
    assert update.effective_user is not None
    uid = update.effective_user.id
    try:
        briefings = reading.open_tasks_for(context.services, telegram_id=uid)
    except NotRegistered:
        await reply(update, texts.NOT_REGISTERED.format(id=uid))
        return
    if not briefings:
        await reply(update, texts.NO_TASKS)
        return
    services = context.services
    me = officials.person(services, telegram_id=uid)
    for briefing in briefings:
        await send_briefing(context, me, briefing)


def _draft_id(text: str) -> int | None:
    cleaned = text.strip().lstrip("#")
    return int(cleaned) if cleaned.isdigit() else None


async def status(update: Update, context: BotContext) -> None:
    """Where every active draft (or one) stands: row, holder, deadline, late or not."""
    assert update.effective_user is not None
    services = context.services
    if not _registered(services, update.effective_user.id):
        await reply(update, texts.NOT_REGISTERED.format(id=update.effective_user.id))
        return
    draft_id = None
    if context.args:
        draft_id = _draft_id(context.args[0])
        if draft_id is None:
            await reply(update, texts.NOT_A_NUMBER.format(text=context.args[0][:20]))
            return
    try:
        views = reading.draft_status(services, draft_id=draft_id)
    except DraftNotFound:
        await reply(update, texts.DRAFT_NOT_FOUND.format(id=draft_id))
        return
    await reply(update, texts.status_message(views, services.tz))


async def riwayat(update: Update, context: BotContext) -> None:
    """The audit trail of a draft."""
    assert update.effective_user is not None
    services = context.services
    if not _registered(services, update.effective_user.id):
        await reply(update, texts.NOT_REGISTERED.format(id=update.effective_user.id))
        return
    if not context.args:
        await reply(update, texts.NEED_DRAFT_ID)
        return
    draft_id = _draft_id(context.args[0])
    if draft_id is None:
        await reply(update, texts.NOT_A_NUMBER.format(text=context.args[0][:20]))
        return
    try:
        draft, lines = reading.history(services, draft_id=draft_id)
        (status_view,) = reading.draft_status(services, draft_id=draft_id)
    except DraftNotFound:
        await reply(update, texts.DRAFT_NOT_FOUND.format(id=draft_id))
        return
    message = texts.history_message(draft.title, draft.id, lines, status_view.rows, services.tz)
    for chunk in _chunks(message):
        await reply(update, chunk)


async def sop(update: Update, context: BotContext) -> None:
    """The SOP table, row by row."""
    services = context.services
    await reply(update, texts.sop_message(services.sops[services.default_sop]))


async def batal(update: Update, context: BotContext) -> None:
    """Cancel whatever the bot was waiting for from me."""
    assert update.effective_user is not None
    cancelled = returns.cancel(context.services, telegram_id=update.effective_user.id)
    await reply(update, texts.RETURN_CANCELLED if cancelled else texts.NOTHING_TO_CANCEL)


async def undang(update: Update, context: BotContext) -> None:
    """Create a one-time registration link for a position (administrators)."""
    assert update.effective_user is not None
    services = context.services
    if not officials.is_admin(services, telegram_id=update.effective_user.id):
        await reply(update, texts.ONLY_ADMIN)
        return
    positions = ", ".join(sorted(officials.position_names(services)))
    if not context.args:
        await reply(update, texts.INVITE_USAGE.format(positions=positions))
        return
    position = context.args[0]
    unit = " ".join(context.args[1:]) or None
    try:
        token, expires = invites.create_invite(
            services, admin_telegram_id=update.effective_user.id, position=position, unit=unit
        )
    except (InvalidInput, NotAdmin) as error:
        await reply(update, str(error) or texts.ONLY_ADMIN)
        return
    link = f"https://t.me/{context.bot.username}?start={token}"
    label = officials.position_label(services, position=position, unit=unit)
    await reply(update, texts.invite_created(link, label, texts.when_text(expires, services.tz)))


async def unknown_command(update: Update, context: BotContext) -> None:
    """Answer a command the bot does not know."""
    await reply(update, texts.UNKNOWN_COMMAND)


def _registered(services: Services, telegram_id: int) -> bool:
    try:
        officials.actor(services, telegram_id=telegram_id)
    except NotRegistered:
        return False
    return True


def _chunks(text: str, limit: int = 4000) -> list[str]:
    """Split a long message at line ends, under Telegram's 4096 characters."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        if current and len(current) + len(line) + 1 > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line[:limit]
    if current:
        chunks.append(current)
    return chunks
