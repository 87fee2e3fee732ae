"""Webhook delivery: what Telegram's Bot API server does once a bot has called setWebhook.

Modelled on telegram-bot-api's WebhookActor. Each pending update is POSTed as JSON to the
webhook URL, with the ``X-Telegram-Bot-Api-Secret-Token`` header when a secret token was set.
The updates of one queue (a chat; one person's button presses) go one at a time and in
order: the next is sent once the webhook has answered the one before. Different queues go
in parallel, up to ``max_connections``.

An answer other than 2xx, or none, is an error: ``getWebhookInfo`` shows it
(``last_error_date``, ``last_error_message`` in Telegram's words) and the update is tried
again, at once the first time, then after a delay that doubles up to a cap (Telegram's: a
minute or two); a ``Retry-After`` header gives the delay instead. Redirects are not followed.

Telegram requires an HTTPS URL; the emulator also accepts ``http://127.0.0.1`` (on any port),
as a self-hosted Bot API server in ``--local`` mode accepts plain HTTP, and it only ever
connects to 127.0.0.1: an update for any other address fails with a message that says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass

import aiohttp
from yarl import URL

from emulator.state import EmulatorState, UpdateRecord

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
IDLE_SECONDS = 60.0
"""With nothing due, look again after this long (or as soon as something changes)."""
LONGEST_RETRY_AFTER = 3600
NOT_LOCAL = "emulator: webhooks are delivered to http://127.0.0.1 only"


@dataclass
class WebhookRetry:
    """How deliveries are tried again, and how long an answer is waited for (seconds)."""

    first: float = 1.0
    """The delay after the second failure in a row; it doubles with each next one."""
    cap: float = 60.0
    answer_within: float = 60.0

    def to_json(self) -> dict[str, float]:
        return {"first": self.first, "cap": self.cap, "answer_within": self.answer_within}

    def updated(self, changes: dict[str, object]) -> WebhookRetry:
        """A copy with some fields changed; unknown fields and bad values are refused."""
        values = self.to_json()
        for name, value in changes.items():
            if name not in values:
                raise ValueError(f"unknown webhook_retry field: {name}")
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"webhook_retry {name} must be a positive number")
            values[name] = float(value)
        return WebhookRetry(**values)


@dataclass
class _Schedule:
    failures: int = 0
    delay: float = 0.0
    due: float = 0.0


class WebhookPusher:
    """Pushes the pending updates of an :class:`EmulatorState` to its webhook, if one is set."""

    def __init__(self, state: EmulatorState, retry: WebhookRetry | None = None) -> None:
        self.state = state
        self.retry = retry or WebhookRetry()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._busy: dict[tuple[str, int], asyncio.Task[None]] = {}
        self._schedules: dict[int, _Schedule] = {}
        self._generation = state.webhook_generation

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()
        self._task = asyncio.create_task(self._run(), name="emulator-webhook")

    async def stop(self) -> None:
        tasks = [task for task in (self._task, *self._busy.values()) if task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None
        self._busy.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            state = self.state
            if state.webhook_generation != self._generation:
                self._generation = state.webhook_generation
                self._schedules.clear()  # a new webhook: everything is tried at once
            wait = IDLE_SECONDS
            if state.webhook_url:
                now = loop.time()
                heads: dict[tuple[str, int], UpdateRecord] = {}
                for update in state.pending_updates():
                    heads.setdefault(state.webhook_queue(update), update)
                for queue, update in heads.items():
                    if queue in self._busy:
                        continue
                    if len(self._busy) >= state.webhook_max_connections:
                        break
                    schedule = self._schedules.get(update.update_id)
                    if schedule is not None and schedule.due > now:
                        wait = min(wait, schedule.due - now)
                        continue
                    self._busy[queue] = asyncio.create_task(self._deliver(queue, update))
            await state.updates_signal.wait(wait)

    async def _deliver(self, queue: tuple[str, int], update: UpdateRecord) -> None:
        generation = self.state.webhook_generation
        try:
            error, retry_after = await self._post(update)
            if error is None:
                self._schedules.pop(update.update_id, None)
                self.state.webhook_delivered(update)
            elif generation == self.state.webhook_generation:
                self.state.webhook_failed(error)
                self._schedule_retry(update, retry_after)
        finally:
            self._busy.pop(queue, None)
            self.state.updates_signal.notify()

    def _schedule_retry(self, update: UpdateRecord, retry_after: int) -> None:
        schedule = self._schedules.setdefault(update.update_id, _Schedule())
        if retry_after > 0:
            wait = float(min(retry_after, LONGEST_RETRY_AFTER))
        elif schedule.failures == 0:
            wait = 0.0
        else:
            schedule.delay = min(self.retry.cap, schedule.delay * 2 or self.retry.first)
            wait = schedule.delay
        schedule.failures += 1
        schedule.due = asyncio.get_running_loop().time() + wait

    async def _post(self, update: UpdateRecord) -> tuple[str | None, int]:
        """Telegram's error for this delivery (``None``: delivered), and a Retry-After."""
        url = URL(self.state.webhook_url)
        if url.scheme != "http" or url.host != "127.0.0.1":
            return NOT_LOCAL, 0
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if self.state.webhook_secret_token:
            headers[SECRET_HEADER] = self.state.webhook_secret_token
        body = json.dumps(update.to_api(), ensure_ascii=False).encode()
        try:
            async with self._session.post(
                url,
                data=body,
                headers=headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self.retry.answer_within),
            ) as response:
                await response.read()
                if 200 <= response.status <= 299:
                    return None, 0
                error = f"Wrong response from the webhook: {response.status} {response.reason}"
                return error, _retry_after(response.headers.get("Retry-After"))
        except aiohttp.ClientConnectorError:
            return "Connection refused", 0
        except TimeoutError:
            return "Read timeout expired", 0
        except aiohttp.ClientError:
            return "Webhook connection closed", 0


def _retry_after(value: str | None) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0
