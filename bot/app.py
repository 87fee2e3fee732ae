"""The one factory that builds the Telegram application, and the two ways to run it: long
polling (`serve`) and a webhook (`serve_webhook`)."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
from datetime import timedelta
from typing import Literal

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults

import handlers
from bot import logs, texts
from bot.config import ConfigError, Settings, WebhookConfig
from bot.inbox import Inbox
from bot.polling import Poller
from bot.sender import Sender
from bot.usecases.base import Services, build_services
from bot.webhook import WebhookServer, keep_inbox
from handlers.context import BotApplication, BotContext, BotData
from handlers.reminders import arm

log = logging.getLogger(__name__)

PUBLIC_COMMANDS = [
    BotCommand(command.name, command.menu)
    for command in texts.commands_for(registered=False, can_start=False, is_admin=False)
]
CONCURRENT_UPDATES = 64
"""Updates handled at once: one official's slow upload does not hold the others."""

Mode = Literal["polling", "webhook"]
"""How updates arrive: long polling (one process per bot), or a webhook (one or several
processes behind a proxy, sharing the database)."""


def build_application(
    settings: Settings, *, services: Services | None = None, mode: Mode = "polling"
) -> BotApplication:
    """The bot, wired: settings, use cases, handlers, the sender. Tests use this same factory.

    Note: order matters. `post_init` starts the sender before the reminders are re-armed,
    so that what fell due while the bot was down goes out at once.
    """

    async def post_init(application: BotApplication) -> None:
        await application.bot.set_my_commands(PUBLIC_COMMANDS)
        data = application.bot_data
        data.sender = Sender(
            engine=data.services.engine,
            bot=application.bot,
            admins=data.services.admins,
            pacing=settings.pacing(),
            # A SQLite file polled by one process: claims left at start-up are a killed run's.
            # Behind a webhook, or on PostgreSQL, another process may be sending what it
            # claimed: theirs expire (OUTBOX_LEASE_SECONDS).
            single_process=mode == "polling" and data.services.engine.dialect.name == "sqlite",
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
        # Updates come through bot/polling.py or bot/webhook.py, which keep them until handled.
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
            # getUpdates is refused while a webhook is set (a run in webhook mode leaves it).
            await application.bot.delete_webhook()
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


async def serve_webhook(
    application: BotApplication,
    stop: asyncio.Event,
    webhook: WebhookConfig,
    *,
    lease: timedelta,
    sock: socket.socket | None = None,
) -> None:
    """Take updates from Telegram's webhook until `stop` is set, then shut down cleanly.

    The server listens before `setWebhook` is called, so that Telegram's first posts find it.
    On a clean stop the webhook stays set: other processes may share it, and Telegram keeps
    what arrives while none answers (for up to 24 hours) and sends it once one does.
    `renja-bot run` without `--webhook` deletes it.
    """
    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        try:
            await application.start()
            try:
                await _take_webhook_updates(application, stop, webhook, lease, sock)
            finally:
                await application.stop()
        finally:
            if application.post_shutdown is not None:
                await application.post_shutdown(application)


async def _take_webhook_updates(
    application: BotApplication,
    stop: asyncio.Event,
    webhook: WebhookConfig,
    lease: timedelta,
    sock: socket.socket | None,
) -> None:
    inbox = Inbox(
        application, application.bot_data.services.engine, concurrency=CONCURRENT_UPDATES
    )
    server = WebhookServer(application, inbox, webhook)
    await server.start(sock)
    try:
        await inbox.take_over(lease)  # what a process that died left, if old enough
        try:
            await application.bot.set_webhook(
                url=webhook.url,
                secret_token=webhook.secret_token,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
            )
        except BadRequest as error:
            raise ConfigError(
                f"Telegram menolak webhook {webhook.url}: {error.message}. Periksa "
                "WEBHOOK_URL (HTTPS, port 443, 80, 88 atau 8443) dan WEBHOOK_SECRET_TOKEN."
            ) from None
        await keep_inbox(inbox, stop, lease)
    finally:
        await server.stop()
        await inbox.close()


def run(settings: Settings, *, webhook: bool = False) -> None:
    """`renja-bot run`: long polling, or (`--webhook`) a webhook, until Ctrl+C or SIGTERM."""
    config = settings.webhook() if webhook else None
    logs.configure(
        settings.telegram_bot_token.get_secret_value(),
        secrets=(config.secret_token,) if config is not None else (),
    )
    application = build_application(settings, mode="webhook" if webhook else "polling")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        if config is None:
            log.info("Renja Bot berjalan (long polling). Tekan Ctrl+C untuk berhenti.")
            await serve(application, stop)
            return
        log.info(
            "Renja Bot berjalan (webhook) di %s:%s%s, kesehatan di %s. Tekan Ctrl+C untuk "
            "berhenti.",
            config.listen_host,
            config.port,
            config.path,
            config.health_path,
        )
        await serve_webhook(
            application, stop, config, lease=timedelta(seconds=settings.inbox_lease_seconds)
        )

    asyncio.run(main())
