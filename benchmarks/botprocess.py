"""A bot under measurement, in a process of its own: `python -m benchmarks.botprocess`.

`bare` is a plain python-telegram-bot bot: the default `Application`, whose one handler
answers a press and sends one message to the next holder. `ours` is the real
`build_application` over the office a benchmark prepared in `--folder`, polled by
`bot.app.serve` (as `renja-bot run` does); the bare one by PTB's own `run_polling`. Both poll
with one-second long polls until SIGTERM.

The officials the benchmark plays, and the emulator, run in other processes: what this
process spends is the bot's alone.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from pathlib import Path
from typing import TYPE_CHECKING

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes

if TYPE_CHECKING:
    from handlers.context import BotApplication

NEXT_HOLDER = 101
"""The Kasubbag (`benchmarks.common.KASUBBAG`): the bare bot's process imports nothing of
the project's, so that its start-up and memory are python-telegram-bot's alone."""


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


def ours(args: argparse.Namespace) -> BotApplication:
    from benchmarks.common import START, Emulator, services_at
    from bot.app import build_application

    emulator = Emulator(args.token, args.base_url, args.base_file_url, control_url="")
    services = services_at(args.folder, lambda: START, args.database_url)
    return build_application(emulator.settings(args.folder, services), services=services)


async def run(application: BotApplication) -> None:
    from bot.app import serve

    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    # The same loop as `bot.local.polling`: long polls of one second.
    await serve(application, stop, poll_timeout=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=["bare", "ours"])
    parser.add_argument("--token", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--base-file-url", required=True)
    parser.add_argument("--folder", type=Path, help="the office (ours)")
    parser.add_argument("--database-url", help="the office's database (ours; default: --folder's)")
    args = parser.parse_args()
    if args.kind == "bare":
        bare(args.token, args.base_url, args.base_file_url).run_polling(
            poll_interval=0,
            timeout=1,
            allowed_updates=Update.ALL_TYPES,
            stop_signals=(signal.SIGTERM,),
        )
        return
    asyncio.run(run(ours(args)))


if __name__ == "__main__":
    main()
