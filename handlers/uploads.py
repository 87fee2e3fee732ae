"""Documents and photos sent by officials: checked, downloaded, hashed, archived, stored."""

from __future__ import annotations

import logging
import re
from pathlib import PurePosixPath

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot import texts
from bot.usecases import drafts, uploads
from bot.usecases.errors import InvalidInput, NotRegistered, StaleTask
from bot.usecases.views import UploadOption
from handlers.callbacks import Press, Verb
from handlers.common import submit_keyboard
from handlers.context import BotContext
from storage.drafts import NewFile
from storage.files import archive
from workflow.engine import ActionRefused, Upload

log = logging.getLogger(__name__)

ACCEPTED_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


def accepted(file_name: str, mime_type: str | None) -> bool:
    suffix = PurePosixPath(file_name.lower()).suffix
    return suffix in ACCEPTED_TYPES or (mime_type or "") in set(ACCEPTED_TYPES.values()) - {
        "image/png"
    }


NUMBER = re.compile(r"\bnomor\s*[:.]?\s*(\S[^\n]{0,79})", re.IGNORECASE)


def document_number(caption: str | None) -> str | None:
    """The official number written in a caption ("Nomor: 050/123/BAPPEDA"), if any."""
    found = NUMBER.search(caption or "")
    return found.group(1).strip() if found else None


def match_caption(caption: str | None, options: list[UploadOption]) -> UploadOption | None:
    """The output a caption names (case and spacing ignored), if exactly one fits."""
    if not caption:
        return None
    wanted = " ".join(caption.lower().split())
    exact = [o for o in options if " ".join(o.name.lower().split()) == wanted]
    if len(exact) == 1:
        return exact[0]
    partial = [o for o in options if " ".join(o.name.lower().split()) in wanted]
    if len({(o.draft_task_id, o.document) for o in partial}) == 1:
        return partial[0]
    return None


async def file_received(update: Update, context: BotContext) -> None:
    """Accept a document or photo for an upload task, or say why not (nothing stored)."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    services = context.services
    if message.document is not None:
        document = message.document
        file_id, unique_id = document.file_id, document.file_unique_id
        file_name = document.file_name or "berkas"
        mime_type = document.mime_type or "application/octet-stream"
        size = document.file_size or 0
        if not accepted(file_name, document.mime_type):
            await message.reply_text(texts.WRONG_FILE_TYPE.format(name=file_name[:80]))
            return
    elif message.photo:
        photo = message.photo[-1]  # the largest size
        file_id, unique_id = photo.file_id, photo.file_unique_id
        file_name = f"foto-{message.message_id}.jpg"
        mime_type = "image/jpeg"
        size = photo.file_size or 0
    else:
        return
    try:
        options = uploads.upload_options(services, telegram_id=user.id)
    except NotRegistered:
        await message.reply_text(
            texts.NOT_REGISTERED.format(id=user.id), parse_mode=ParseMode.HTML
        )
        return
    if not options:
        await message.reply_text(texts.NO_UPLOAD_EXPECTED)
        return
    limit = services.max_upload_bytes
    if size > limit:
        await message.reply_text(
            texts.FILE_TOO_LARGE.format(size=texts.size_text(size), limit=texts.size_text(limit))
        )
        return
    chosen = match_caption(message.caption, options)
    if chosen is None and len(options) == 1:
        chosen = options[0]
    if chosen is None:
        staged = uploads.stage_upload(
            services,
            telegram_id=user.id,
            telegram_file_id=file_id,
            telegram_file_unique_id=unique_id,
            file_name=file_name,
            mime_type=mime_type,
            size=size,
            options=options,
        )
        many = len({o.draft.id for o in options}) > 1
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        texts.option_label(option, many),
                        callback_data=Press(Verb.PILIH_OUTPUT, staged.staged_id, index).encode(),
                    )
                ]
                for index, option in enumerate(staged.options)
            ]
        )
        await message.reply_text(texts.which_output(), reply_markup=keyboard)
        return
    await store_upload(
        context,
        chat_id=message.chat_id,
        telegram_id=user.id,
        option=chosen,
        telegram_file_id=file_id,
        telegram_file_unique_id=unique_id,
        file_name=file_name,
        mime_type=mime_type,
        number=document_number(message.caption),
    )


async def store_upload(
    context: BotContext,
    *,
    chat_id: int,
    telegram_id: int,
    option: UploadOption,
    telegram_file_id: str,
    telegram_file_unique_id: str,
    file_name: str,
    mime_type: str,
    number: str | None = None,
) -> None:
    """Download, hash and archive the file, then store it as the output's next version."""
    services = context.services
    try:
        telegram_file = await context.bot.get_file(telegram_file_id)
        data = bytes(await telegram_file.download_as_bytearray())
    except TelegramError as error:
        await context.bot.send_message(chat_id, texts.DOWNLOAD_FAILED.format(reason=error.message))
        return
    if len(data) > services.max_upload_bytes:
        limit = texts.size_text(services.max_upload_bytes)
        await context.bot.send_message(
            chat_id, texts.FILE_TOO_LARGE.format(size=texts.size_text(len(data)), limit=limit)
        )
        return
    stored_path, digest = archive(
        services.files_dir, draft_id=option.draft.id, data=data, file_name=file_name
    )
    new_file = NewFile(
        file_name=file_name,
        mime_type=mime_type,
        size=len(data),
        sha256=digest,
        telegram_file_id=telegram_file_id,
        telegram_file_unique_id=telegram_file_unique_id,
        stored_path=stored_path,
        number=number,
    )
    try:
        outcome = drafts.act(
            services,
            telegram_id=telegram_id,
            draft_id=option.draft.id,
            action=Upload(option.document),
            draft_task_id=option.draft_task_id,
            new_file=new_file,
        )
    except ActionRefused as error:
        await context.bot.send_message(chat_id, texts.refusal(error), parse_mode=ParseMode.HTML)
        return
    except StaleTask as error:
        await context.bot.send_message(chat_id, texts.stale(error, services.tz))
        return
    except InvalidInput as error:
        await context.bot.send_message(chat_id, str(error))
        return
    assert outcome.document is not None
    missing = outcome.still_missing
    await context.bot.send_message(
        chat_id,
        texts.upload_received(outcome.document, missing),
        parse_mode=ParseMode.HTML,
        reply_markup=None if missing else submit_keyboard(option.draft.id, option.draft_task_id),
    )
