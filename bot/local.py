"""Running the real application against the project's Bot API emulator (demo and tests)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.app import serve
from bot.config import Settings
from emulator import BotApiEmulator
from handlers.context import BotApplication


def emulator_settings(
    emulator: BotApiEmulator, *, database_url: str, files_dir: Path, **overrides: Any
) -> Settings:
    """Settings that point the bot at `emulator`, ignoring any `.env` file."""
    return Settings(
        _env_file=None,
        telegram_bot_token=emulator.token,
        telegram_api_base_url=emulator.base_url,
        telegram_api_file_url=emulator.base_file_url,
        database_url=database_url,
        files_dir=files_dir,
        **overrides,
    )


@asynccontextmanager
async def polling(
    application: BotApplication,
) -> AsyncIterator[asyncio.Task[None]]:
    """Poll in the background while the block runs; shut down cleanly after it."""
    stop = asyncio.Event()
    task = asyncio.create_task(serve(application, stop, poll_timeout=1))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)
