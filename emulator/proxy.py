"""A reverse proxy on 127.0.0.1 in front of several webhook processes of the bot.

What a deployment with several bot processes has between Telegram and them: Telegram posts
every update to one public address, and the proxy spreads the posts over the processes
(round robin here), sending a post to the next process when one does not answer or answers
with a server error. The tests and the load benchmark put it between the emulator's webhook
delivery and two `renja-bot run --webhook` processes.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web


@dataclass
class Proxy:
    """A reverse proxy on 127.0.0.1: each POST to the next backend in turn; to the other one
    when a backend does not answer or answers with an error."""

    backends: list[str]
    path: str = "/telegram"
    """Where the proxy takes the posts."""
    port: int = 0
    forwarded: dict[str, int] = field(default_factory=dict)
    """Updates each backend answered 200."""
    failed: dict[str, int] = field(default_factory=dict)
    """Posts a backend could not take (down, or an error)."""
    took: dict[str, asyncio.Event] = field(default_factory=dict)
    """Set when a backend answers an update 200."""
    taken: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    """Each update a backend answered 200, as posted, with that backend; in order."""
    _turn: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    async def forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() in ("content-type", "x-telegram-bot-api-secret-token")
        }
        first = next(self._turn) % len(self.backends)
        order = self.backends[first:] + self.backends[:first]
        assert self.session is not None
        for backend in order:
            try:
                async with self.session.post(backend, data=body, headers=headers) as answer:
                    text = await answer.read()
                    if answer.status < 500:
                        if answer.status == 200:
                            self.forwarded[backend] = self.forwarded.get(backend, 0) + 1
                            self.taken.append((_update(body), backend))
                            self.took.setdefault(backend, asyncio.Event()).set()
                        return web.Response(status=answer.status, body=text)
            except (aiohttp.ClientError, TimeoutError):
                pass
            self.failed[backend] = self.failed.get(backend, 0) + 1
        return web.Response(status=502, text="Bad Gateway")

    session: aiohttp.ClientSession | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Proxy]:
        app = web.Application()
        app.router.add_post(self.path, self.forward)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(runner.addresses[0][1])
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            self.session = session
            try:
                yield self
            finally:
                self.session = None
                await runner.cleanup()


def _update(body: bytes) -> dict[str, Any]:
    """The posted update (an empty dict if it was not a JSON object)."""
    try:
        update = json.loads(body)
    except ValueError:
        return {}
    return update if isinstance(update, dict) else {}
