"""A bot under measurement, in a process of its own: `python -m benchmarks.botprocess`.

`bare` is a plain python-telegram-bot bot: the default `Application`, whose one handler
answers a press and sends one message to the next holder. `ours` is the real
`build_application` over the office a benchmark prepared in `--folder` (or at
`--database-url`), polled by `bot.app.serve` (as `renja-bot run` does); the bare one by PTB's
own `run_polling`. Both poll with one-second long polls until SIGTERM.

With `--webhook-port`, `ours` takes its updates by webhook instead, as `renja-bot run
--webhook` does (`bot.app.serve_webhook`: its own server on that port of 127.0.0.1, and
setWebhook to `--webhook-url`, the proxy's address). `proxy` is emulator/proxy.py's
round-robin proxy in front of such processes (`--backend`, once for each), which prints its
address, runs until SIGTERM, and then prints how many updates each process took.

The officials the benchmark plays, and the emulator, run in other processes: what this
process spends is the bot's alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes

if TYPE_CHECKING:
    from bot.config import Settings
    from handlers.context import BotApplication

NEXT_HOLDER = 101
"""The Kasubbag (`benchmarks.common.KASUBBAG`): the bare bot's process imports nothing of
the project's, so that its start-up and memory are python-telegram-bot's alone."""
WEBHOOK_PATH = "/telegram"
"""Where the webhook processes and the proxy take the emulator's posts."""
WEBHOOK_SECRET = "renja-load-benchmark-" + "0" * 24


async def approve(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press, send one message (as ours does, also when the press is too old
    to be answered)."""
    query = update.callback_query
    assert query is not None
    try:
        await query.answer()
    except TelegramError:
        pass
    await context.bot.send_message(NEXT_HOLDER, f"#{query.data} disetujui")


def bare(token: str, base_url: str, base_file_url: str) -> Application:  # type: ignore[type-arg]
    application = (
        ApplicationBuilder().token(token).base_url(base_url).base_file_url(base_file_url).build()
    )
    application.add_handler(CallbackQueryHandler(approve))
    return application


def ours(args: argparse.Namespace) -> tuple[Settings, BotApplication]:
    from benchmarks.common import START, Emulator, services_at
    from bot.app import build_application

    emulator = Emulator(args.token, args.base_url, args.base_file_url, control_url="")
    services = services_at(args.folder, lambda: START, args.database_url)
    webhook: dict[str, object] = {}
    if args.webhook_port is not None:
        webhook = {
            "webhook_listen_host": "127.0.0.1",
            "webhook_port": args.webhook_port,
            "webhook_path": WEBHOOK_PATH,
            "webhook_url": args.webhook_url,
            "webhook_secret_token": WEBHOOK_SECRET,
        }
    settings = emulator.settings(args.folder, services, **webhook)
    return settings, build_application(
        settings, services=services, mode="polling" if args.webhook_port is None else "webhook"
    )


async def run(settings: Settings, application: BotApplication, webhook: bool) -> None:
    from bot.app import serve, serve_webhook

    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    if webhook:
        lease = timedelta(seconds=settings.inbox_lease_seconds)
        await serve_webhook(application, stop, settings.webhook(), lease=lease)
    else:
        # The same loop as `bot.local.polling`: long polls of one second.
        await serve(application, stop, poll_timeout=1)


async def proxy(backends: list[str]) -> None:
    from emulator.proxy import Proxy

    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with Proxy(backends, WEBHOOK_PATH).running() as running:
        print(f"url = {running.url}", flush=True)
        await stop.wait()
        print(f"forwarded = {json.dumps(running.forwarded)}", flush=True)
        print(f"failed = {json.dumps(running.failed)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=["bare", "ours", "proxy"])
    parser.add_argument("--token")
    parser.add_argument("--base-url")
    parser.add_argument("--base-file-url")
    parser.add_argument("--folder", type=Path, help="the office (ours)")
    parser.add_argument("--database-url", help="the office's database (ours; default: --folder's)")
    parser.add_argument("--webhook-port", type=int, help="ours: take updates by webhook here")
    parser.add_argument("--webhook-url", help="ours: the address the emulator posts to")
    parser.add_argument("--backend", action="append", default=[], help="proxy: a process's URL")
    args = parser.parse_args()
    if args.kind == "proxy":
        asyncio.run(proxy(args.backend))
        return
    if args.kind == "bare":
        bare(args.token, args.base_url, args.base_file_url).run_polling(
            poll_interval=0,
            timeout=1,
            allowed_updates=Update.ALL_TYPES,
            stop_signals=(signal.SIGTERM,),
        )
        return
    settings, application = ours(args)
    asyncio.run(run(settings, application, webhook=args.webhook_port is not None))


if __name__ == "__main__":
    main()
