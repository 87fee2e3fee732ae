"""The one factory that builds the Telegram application, and the polling loop that runs it."""

from __future__ import annotations

import asyncio
import logging
import signal

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults

import handlers
from bot import logs, texts
from bot.config import Settings
from bot.polling import Poller
from bot.sender import Sender
from bot.usecases.base import Services, build_services
from handlers.context import BotApplication, BotContext, BotData
from handlers.reminders import arm

log = logging.getLogger(__name__)

PUBLIC_COMMANDS = [
    BotCommand(command.name, command.menu)
    for command in texts.commands_for(registered=False, can_start=False, is_admin=False)
]
CONCURRENT_UPDATES = 64
"""Updates handled at once: one official's slow upload does not hold the others."""


def build_application(settings: Settings, *, services: Services | None = None) -> BotApplication:
    """The bot, wired: settings, use cases, handlers, the sender. Tests use this same factory.

    Note: order matters. `post_init` starts the sender before the reminders are re-armed,
    so that what fell due while the bot was down goes out at once.
    """

    async def post_init(application: BotApplication) -> None:
        await application.bot.delete_webhook()
        await application.bot.set_my_commands(PUBLIC_COMMANDS)
        data = application.bot_data
        data.sender = Sender(
            engine=data.services.engine,
            bot=application.bot,
            admins=data.services.admins,
            pacing=settings.pacing(),
            # A SQLite file has one process: claims left at start-up are a killed run's. A
            # PostgreSQL database may have others sending: theirs expire (OUTBOX_LEASE_SECONDS).
            single_process=data.services.engine.dialect.name == "sqlite",
        )
        await data.sender.start()
        # The schedule is rebuilt from the database: what fell due while down goes out now.
        await arm(application)

    async def post_shutdown(application: BotApplication) -> None:
        data = application.bot_data
        if data.sender is not None:
            await data.sender.stop()
            data.sender = None
        # Closing PostgreSQL's pooled connections talks to the server: not on the loop.
        await asyncio.to_thread(data.services.engine.dispose)

    application = (
        ApplicationBuilder()
        .token(settings.bot_token())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .context_types(ContextTypes(context=BotContext, bot_data=BotData))
        # Updates are fetched by bot/polling.py, which keeps them until handled.
        .updater(None)
        # The sender and the handlers call Telegram at the same time.
        .connection_pool_size(128)
        .pool_timeout(10)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data.services = services or build_services(settings)
    # The poller and the sender report a passing failure themselves, in one line.
    logs.quiet_passing_failures()
    handlers.register(application)
    application.add_error_handler(_log_error)
    return application


async def _log_error(update: object, context: BotContext) -> None:
    """Log what failed, by update id and kind: never people's names, words or files."""
    if isinstance(update, Update):
        kinds = [key for key, value in update.to_dict().items() if key != "update_id" and value]
        what = f"update {update.update_id} ({', '.join(kinds)})"
    else:
        what = type(update).__name__
    log.error("error while handling %s", what, exc_info=context.error)


async def serve(
    application: BotApplication,
    stop: asyncio.Event,
    *,
    poll_timeout: float = 10,
) -> None:
    """Poll for updates until `stop` is set, then shut down cleanly."""
    async with application:
        # `run_polling` would call the lifecycle hooks; this loop runs them itself.
        if application.post_init is not None:
            await application.post_init(application)
        try:
            await application.start()
            poller = Poller(
                application,
                application.bot_data.services.engine,
                timeout=int(poll_timeout),
                concurrency=CONCURRENT_UPDATES,
            )
            await poller.run(stop)
            await application.stop()
        finally:
            if application.post_shutdown is not None:
                await application.post_shutdown(application)


def run(settings: Settings) -> None:
    """`renja-bot run`: long polling until Ctrl+C or SIGTERM."""
    logs.configure(settings.telegram_bot_token.get_secret_value())
    application = build_application(settings)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        log.info("Renja Bot berjalan (long polling). Tekan Ctrl+C untuk berhenti.")
        await serve(application, stop)

    asyncio.run(main())
