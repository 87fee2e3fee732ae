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

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes

from benchmarks.common import KASUBBAG, START, Emulator, services_at
from bot.app import build_application, serve
from handlers.context import BotApplication

NEXT_HOLDER = KASUBBAG


async def approve(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press, send one message."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await context.bot.send_message(NEXT_HOLDER, f"#{query.data} disetujui")


def bare(emulator: Emulator) -> Application:  # type: ignore[type-arg]
    application = (
        ApplicationBuilder()
        .token(emulator.token)
        .base_url(emulator.base_url)
        .base_file_url(emulator.base_file_url)
        .build()
    )
    application.add_handler(CallbackQueryHandler(approve))
    return application


def ours(emulator: Emulator, folder: Path) -> BotApplication:
    services = services_at(folder, lambda: START)
    return build_application(emulator.settings(folder, services), services=services)


async def run(application: BotApplication) -> None:
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
    args = parser.parse_args()
    emulator = Emulator(args.token, args.base_url, args.base_file_url, control_url="")
    if args.kind == "bare":
        bare(emulator).run_polling(
            poll_interval=0,
            timeout=1,
            allowed_updates=Update.ALL_TYPES,
            stop_signals=(signal.SIGTERM,),
        )
        return
    asyncio.run(run(ours(emulator, args.folder)))


if __name__ == "__main__":
    main()
