"""Documents and photos sent by officials: announced, downloaded, handed to the use case."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut

from bot import texts
from bot.pacing import retry_seconds
from bot.usecases import uploads
from bot.usecases.base import Origin
from bot.usecases.errors import InvalidInput
from bot.usecases.uploads import Accepted, IncomingFile
from handlers.common import answers_refusals
from handlers.context import BotContext
from handlers.reminders import rearm

log = logging.getLogger(__name__)


@answers_refusals
async def file_received(update: Update, context: BotContext) -> None:
    """Accept a document or photo for an upload task, or say why not (nothing stored)."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    if message.document is not None:
        document = message.document
        incoming = IncomingFile(
            file_id=document.file_id,
            unique_id=document.file_unique_id,
            file_name=document.file_name,
            size=document.file_size,
            caption=message.caption,
        )
    elif message.photo:
        photo = message.photo[-1]  # the largest size
        incoming = IncomingFile(
            file_id=photo.file_id,
            unique_id=photo.file_unique_id,
            file_name=f"foto-{message.message_id}.jpg",
            size=photo.file_size,
            is_photo=True,
            caption=message.caption,
        )
    else:
        return
    origin = Origin(update_id=update.update_id)
    accepted = await context.call(
        uploads.receive, telegram_id=user.id, incoming=incoming, origin=origin
    )
    if accepted is not None:
        await download_and_store(context, user.id, accepted, origin)


async def download_and_store(
    context: BotContext, telegram_id: int, accepted: Accepted, origin: Origin
) -> None:
    """Download the file (never more than the limit), then store it through the use case."""
    data = await _download(context, accepted.incoming.file_id)
    outcome = await context.call(
        uploads.store, telegram_id=telegram_id, accepted=accepted, data=data, origin=origin
    )
    rearm(context.application, outcome)


DOWNLOAD_TRIES = 3


async def _download(context: BotContext, file_id: str) -> bytes:
    """The file's bytes; a passing failure (5xx, time-out) is tried again before giving up."""
    limit = context.services.max_upload_bytes
    for attempt in range(1, DOWNLOAD_TRIES + 1):
        try:
            telegram_file = await context.bot.get_file(file_id)
            if telegram_file.file_size is not None and telegram_file.file_size > limit:
                size, most = texts.size_text(telegram_file.file_size), texts.size_text(limit)
                raise InvalidInput(texts.FILE_TOO_LARGE.format(size=size, limit=most))
            return bytes(await telegram_file.download_as_bytearray())
        except RetryAfter as error:
            if attempt == DOWNLOAD_TRIES:
                raise InvalidInput(texts.DOWNLOAD_FAILED) from error
            await asyncio.sleep(min(retry_seconds(error), 5.0))
        except (NetworkError, TimedOut) as error:
            log.warning("download of %s failed (try %s): %s", file_id, attempt, error.message)
            if attempt == DOWNLOAD_TRIES:
                raise InvalidInput(texts.DOWNLOAD_FAILED) from error
            await asyncio.sleep(0.5 * attempt)
        except TelegramError as error:  # e.g. the file is too big for the Bot API
            log.warning("download of %s refused: %s", file_id, error.message)
            raise InvalidInput(texts.DOWNLOAD_FAILED) from error
    raise AssertionError("unreachable")
