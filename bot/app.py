"""The one factory that builds the Telegram application, and the polling loop that runs it."""

from __future__ import annotations

import asyncio
import logging
import signal

from telegram import BotCommand, Update
from telegram.ext import ApplicationBuilder, ContextTypes

import handlers
from bot.config import Settings
from bot.usecases.base import Services, build_services
from handlers.context import BotApplication, BotContext, BotData
from handlers.reminders import arm

log = logging.getLogger(__name__)

PUBLIC_COMMANDS = [
    BotCommand("start", "Mulai / daftar"),
    BotCommand("bantuan", "Bantuan"),
]


def build_application(settings: Settings, *, services: Services | None = None) -> BotApplication:
    """The bot, wired: settings, use cases and handlers. Tests use this same factory."""

    async def post_init(application: BotApplication) -> None:
        await application.bot.delete_webhook()
        await application.bot.set_my_commands(PUBLIC_COMMANDS)

    application = (
        ApplicationBuilder()
        .token(settings.bot_token())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .context_types(ContextTypes(context=BotContext, bot_data=BotData))
        .post_init(post_init)
        .build()
    )
    application.bot_data.services = services or build_services(settings)
    handlers.register(application)
    application.add_error_handler(_log_error)
    return application


async def _log_error(update: object, context: BotContext) -> None:
    log.error("error while handling %s", update, exc_info=context.error)


async def serve(
    application: BotApplication,
    stop: asyncio.Event,
    *,
    poll_timeout: float = 10,
) -> None:
    """Poll for updates until `stop` is set, then shut down cleanly."""
    async with application:
        await application.start()
        # The schedule is rebuilt from the database: what fell due while down goes out now.
        arm(application)
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0,
            timeout=int(poll_timeout),
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
        )
        await stop.wait()
        await application.updater.stop()
        await application.stop()


def run(settings: Settings) -> None:
    """`renja-bot run`: long polling until Ctrl+C or SIGTERM."""
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    application = build_application(settings)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        log.info("Renja Bot berjalan (long polling). Tekan Ctrl+C untuk berhenti.")
        await serve(application, stop)

    asyncio.run(main())
