"""Webhook mode: Telegram posts each update to the bot's own small web server.

python-telegram-bot's built-in webhook server (`Updater.start_webhook`, tornado) answers
Telegram as soon as an update is on its in-memory `update_queue`: a process killed before
handling it loses it. This server follows PTB's custom-webhook pattern with aiohttp (already
needed by the emulator) and the inbox instead of the queue:

- a request without Telegram's `X-Telegram-Bot-Api-Secret-Token` header, or with another
  value, is answered 403 and changes nothing;
- an update is written to the inbox (committed) before the answer 200; only then may
  Telegram forget it. If the database does not take it, the answer is 500, and Telegram
  sends it again later;
- it is then handled like a polled one (bot/inbox.py), one person's updates in the order
  they came;
- `GET` on the health path answers whether the database answers and the sender runs.

Several processes may run behind one proxy and share one database: each renews the updates
it is handling, and takes over those a dead process left (`INBOX_LEASE_SECONDS`).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import socket
from datetime import timedelta

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.config import ConfigError, WebhookConfig
from bot.inbox import Inbox
from handlers.context import BotApplication
from storage.db import ping

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_TIMEOUT_SECONDS = 5.0
"""A database that has not answered the health check's query by then does not answer."""
LARGEST_UPDATE = 1024 * 1024
"""Bytes of one request; an update is a few kilobytes (files are fetched with getFile)."""


class WebhookServer:
    """The web server Telegram posts updates to, with the health endpoint."""

    def __init__(self, application: BotApplication, inbox: Inbox, config: WebhookConfig) -> None:
        self.application = application
        self.inbox = inbox
        self.config = config
        self._secret = config.secret_token.encode()
        self._runner: web.AppRunner | None = None
        self.port = 0
        """The port it listens on (known once started)."""

    def web_application(self) -> web.Application:
        app = web.Application(client_max_size=LARGEST_UPDATE)
        app.router.add_post(self.config.path, self.receive)
        app.router.add_get(self.config.health_path, self.health)
        return app

    async def start(self, sock: socket.socket | None = None) -> None:
        """Listen on the configured address, or on `sock` (already bound)."""
        runner = web.AppRunner(self.web_application(), access_log=None, shutdown_timeout=5.0)
        await runner.setup()
        site: web.BaseSite
        if sock is not None:
            site = web.SockSite(runner, sock)
        else:
            site = web.TCPSite(runner, self.config.listen_host, self.config.port)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            where = f"{self.config.listen_host}:{self.config.port}"
            raise ConfigError(
                f"Server webhook tidak dapat dibuka di {where} ({error.strerror}). Periksa "
                "WEBHOOK_LISTEN_HOST dan WEBHOOK_PORT, atau hentikan proses lain di port itu."
            ) from None
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop taking requests; those being answered are answered first."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def receive(self, request: web.Request) -> web.Response:
        """An update from Telegram: kept, then answered 200, then handled."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook request refused: no or wrong secret token")
            return web.Response(status=403, text="Forbidden")
        try:
            payload = await request.json()
        except ValueError:
            return web.Response(status=400, text="Bad Request: JSON expected")
        update_id = payload.get("update_id") if isinstance(payload, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return web.Response(status=400, text="Bad Request: an Update expected")
        try:
            await self.inbox.keep([(update_id, payload)])
        except Exception:  # the database did not take it: Telegram will send it again
            log.exception("update %s could not be kept; Telegram is asked to resend", update_id)
            return web.Response(status=500, text="Internal Server Error")
        await self.inbox.handle(update_id, payload)
        return web.Response(status=200)

    async def health(self, request: web.Request) -> web.Response:
        """200 when the database answers and the sender runs, else 503; JSON either way."""
        data = self.application.bot_data
        database = await database_answers(data.services.engine)
        sender = data.sender is not None and data.sender.alive
        healthy = database and sender
        body = {"ok": healthy, "database": database, "sender": sender}
        return web.json_response(body, status=200 if healthy else 503)


async def database_answers(engine: Engine) -> bool:
    """Whether a trivial query gets an answer within `HEALTH_TIMEOUT_SECONDS`."""
    try:
        await asyncio.wait_for(asyncio.to_thread(ping, engine), HEALTH_TIMEOUT_SECONDS)
    except Exception as error:  # no connection, no file, a time-out: it does not answer
        log.warning("health: the database does not answer (%s)", type(error).__name__)
        return False
    return True


async def keep_inbox(inbox: Inbox, stop: asyncio.Event, lease: timedelta) -> None:
    """Until `stop`: renew the updates this process handles, and take over those a process
    that died left, every third of the lease."""
    while not stop.is_set():
        try:
            await inbox.keep_claims()
            await inbox.take_over(lease)
        except Exception:
            log.exception("the inbox could not be looked after; trying again")
        try:
            await asyncio.wait_for(stop.wait(), timeout=lease.total_seconds() / 3)
        except TimeoutError:
            pass
