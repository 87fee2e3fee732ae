"""Running the real application against the project's Bot API emulator (demo and tests)."""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.app import Mode, serve, serve_webhook
from bot.config import Settings, WebhookConfig
from bot.usecases.base import Clock, Services
from emulator import BotApiEmulator, EmulatorClient
from handlers.context import BotApplication
from storage.db import make_engine, upgrade
from workflow.calendar import OfficeCalendar
from workflow.sop import Sop

FAST_PACING: dict[str, Any] = {
    "send_private_per_second": 100,
    "send_private_burst": 100,
    "send_global_per_second": 1000,
}
"""SEND_* settings for an emulator that enforces no flood limits: the sender need not keep
Telegram's, and nothing waits for pacing."""


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
async def emulated(
    root: Path, token: str, *, database_url: str | None = None, **overrides: Any
) -> AsyncIterator[tuple[BotApiEmulator, EmulatorClient, Settings]]:
    """The emulator and its control client for the length of the block, a migrated database
    (`database_url`, by default a SQLite file in `root`) and the files' folder in `root`, and
    the settings that point the bot at them."""
    database_url = database_url or f"sqlite:///{root / 'renja.db'}"
    await asyncio.to_thread(upgrade, database_url)
    async with (
        BotApiEmulator(token, username="renja_bot", first_name="Renja Bot") as emulator,
        EmulatorClient(emulator.control_url) as control,
    ):
        settings = emulator_settings(
            emulator, database_url=database_url, files_dir=root / "files", **overrides
        )
        yield emulator, control, settings


def emulator_services(
    settings: Settings, *, sops: dict[str, Sop], calendar: OfficeCalendar, clock: Clock
) -> Services:
    """The use cases' services for `settings`, with the caller's SOPs, calendar and clock."""
    return Services(
        engine=make_engine(settings.database_url),
        sops=sops,
        calendar=calendar,
        clock=clock,
        files_dir=settings.files_dir,
        max_upload_bytes=settings.max_upload_bytes,
        admins=frozenset(settings.admin_telegram_ids),
        report_positions=frozenset(settings.report_positions),
        group_edit_seconds=settings.group_edit_seconds,
    )


@dataclass(frozen=True)
class Running:
    """A bot running in the background: its task and, in webhook mode, where it listens."""

    task: asyncio.Task[None]
    webhook: WebhookConfig | None = None

    @property
    def webhook_url(self) -> str:
        assert self.webhook is not None, "not in webhook mode"
        return self.webhook.url

    @property
    def health_url(self) -> str:
        assert self.webhook is not None, "not in webhook mode"
        return self.webhook.url.removesuffix(self.webhook.path) + self.webhook.health_path


def local_webhook(sock: socket.socket, settings: Settings) -> WebhookConfig:
    """Webhook settings for a server on `sock` (bound to 127.0.0.1), which the emulator posts
    to over plain HTTP; the secret token is the settings' own, or a new one."""
    port = sock.getsockname()[1]
    secret = settings.webhook_secret_token.get_secret_value() or secrets.token_urlsafe(32)
    return WebhookConfig(
        listen_host="127.0.0.1",
        port=port,
        path=settings.webhook_path,
        url=f"http://127.0.0.1:{port}{settings.webhook_path}",
        secret_token=secret,
        health_path=settings.webhook_health_path,
    )


@asynccontextmanager
async def receiving(
    application: BotApplication, mode: Mode = "polling", *, settings: Settings | None = None
) -> AsyncIterator[Running]:
    """Run the bot in the background while the block runs, polling or (with its `settings`)
    behind a webhook on a free port of 127.0.0.1; shut down cleanly after it."""
    stop = asyncio.Event()
    if mode == "polling":
        running = Running(asyncio.create_task(serve(application, stop, poll_timeout=1)))
    else:
        assert settings is not None, "webhook mode needs the settings"
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        webhook = local_webhook(sock, settings)
        lease = timedelta(seconds=settings.inbox_lease_seconds)
        serving = serve_webhook(application, stop, webhook, lease=lease, sock=sock)
        running = Running(asyncio.create_task(serving), webhook)
    try:
        yield running
    finally:
        stop.set()
        await asyncio.wait_for(running.task, timeout=15)


@asynccontextmanager
async def polling(
    application: BotApplication,
) -> AsyncIterator[asyncio.Task[None]]:
    """Poll in the background while the block runs; shut down cleanly after it."""
    async with receiving(application) as running:
        yield running.task
