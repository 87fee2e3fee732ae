"""What every handler shares: the services, and sending task messages to officials."""

from __future__ import annotations

import logging

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot import texts
from bot.usecases import officials, reading
from bot.usecases.views import Outcome, Person, TaskBriefing
from handlers.callbacks import Press, Verb
from handlers.context import BotContext
from handlers.reminders import arm
from workflow.engine import Audit, Notice, NoticeReason
from workflow.sop import TaskKind

log = logging.getLogger(__name__)


def task_keyboard(briefing: TaskBriefing) -> InlineKeyboardMarkup | None:
    draft_id, task_id = briefing.draft.id, briefing.draft_task_id
    if briefing.task.is_review:
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        texts.approve_label(briefing),
                        callback_data=Press(Verb.SETUJUI, draft_id, task_id).encode(),
                    ),
                    InlineKeyboardButton(
                        texts.KEMBALIKAN,
                        callback_data=Press(Verb.KEMBALIKAN, draft_id, task_id).encode(),
                    ),
                ]
            ]
        )
    return None


def submit_keyboard(draft_id: int, draft_task_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.KIRIM, callback_data=Press(Verb.KIRIM, draft_id, draft_task_id).encode()
                )
            ]
        ]
    )


async def send_briefing(context: BotContext, person: Person, briefing: TaskBriefing) -> None:
    """The task message with its buttons, then the latest documents (re-sent by file id)."""
    services = context.services
    sop = services.sops[briefing.draft.sop_id]
    try:
        await context.bot.send_message(
            person.telegram_id,
            texts.task_message(briefing, sop, services.tz),
            parse_mode=ParseMode.HTML,
            reply_markup=task_keyboard(briefing),
        )
        for document in briefing.documents:
            await context.bot.send_document(
                person.telegram_id,
                document.telegram_file_id,
                caption=texts.document_caption(document),
                parse_mode=ParseMode.HTML,
            )
        if briefing.task.is_upload and not briefing.missing and briefing.documents:
            await context.bot.send_message(
                person.telegram_id,
                "Dokumen sudah lengkap. Tekan Kirim untuk meneruskan.",
                reply_markup=submit_keyboard(briefing.draft.id, briefing.draft_task_id),
            )
    except TelegramError as error:
        # One official who cannot be reached must not stop the others being told.
        log.warning("cannot reach %s (%s): %s", person.name, person.telegram_id, error)


async def notify(context: BotContext, outcome: Outcome) -> None:
    """Tell everyone an action concerns: first who only needs to know, then the new holders."""
    await _inform(context, outcome)
    for briefing in outcome.opened:
        for person in briefing.holders:
            await send_briefing(context, person, briefing)
    if outcome.opened:
        arm(context.application)  # a new row may have planned reminders


async def _inform(context: BotContext, outcome: Outcome) -> None:
    if not outcome.informed:
        return
    services = context.services
    sop = services.sops[outcome.draft.sop_id]
    actor = _actor_name(outcome)
    reasons = {e.task_id: e.reason for e in outcome.transition.effects if isinstance(e, Notice)}
    for person, task_id in outcome.informed:
        if reasons.get(task_id) == NoticeReason.DITANDATANGANI:
            what = texts.signed_notice(actor)
        else:
            what = texts.task_done_notice(sop.task(task_id).judul, actor)
        try:
            await context.bot.send_message(
                person.telegram_id,
                texts.notice_message(outcome.draft.title, outcome.draft.id, what),
                parse_mode=ParseMode.HTML,
            )
            if sop.task(task_id).jenis in (TaskKind.UNGGAH, TaskKind.RAPAT):
                for document in reading.briefing_documents(
                    services, draft_id=outcome.draft.id, task_id=task_id
                ):
                    await context.bot.send_document(
                        person.telegram_id,
                        document.telegram_file_id,
                        caption=texts.document_caption(document),
                        parse_mode=ParseMode.HTML,
                    )
        except TelegramError as error:
            log.warning("cannot reach %s (%s): %s", person.name, person.telegram_id, error)


def _actor_name(outcome: Outcome) -> str:
    for effect in outcome.transition.effects:
        if isinstance(effect, Audit) and effect.actor_id in outcome.people:
            return outcome.people[effect.actor_id].name
    return "pejabat"


async def set_menu(context: BotContext, chat_id: int, telegram_id: int) -> None:
    """The command menu of one official: what they may do."""
    services = context.services
    commands = [
        BotCommand("tugas", "Tugas saya yang menunggu"),
        BotCommand("status", "Posisi setiap draft"),
        BotCommand("riwayat", "Jejak audit draft"),
        BotCommand("sop", "Tabel SOP"),
        BotCommand("batal", "Batalkan isian"),
        BotCommand("bantuan", "Bantuan"),
    ]
    if officials.can_start_draft(services, telegram_id=telegram_id):
        commands.insert(0, BotCommand("renja_baru", "Mulai draft Renja baru"))
    if officials.is_admin(services, telegram_id=telegram_id):
        commands.append(BotCommand("undang", "Tautan pendaftaran pejabat"))
    try:
        await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:
        log.warning("cannot set the menu of %s: %s", chat_id, error)
