"""Webhook delivery: setWebhook as Telegram validates it, updates posted with the secret
token, one at a time per chat and in order, several chats at once up to max_connections,
retried on failure, reported by getWebhookInfo."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiohttp import web
from telegram import Bot

from emulator import BotApiEmulator, EmulatorClient, SimulatedUser

SECRET = "rahasia_WEBHOOK-123"
CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


@dataclass
class Delivery:
    """One POST the webhook received."""

    secret: str | None
    update: dict[str, Any]

    @property
    def text(self) -> str | None:
        message = self.update.get("message") or {}
        return message.get("text")


@dataclass
class Receiver:
    """A bot's webhook on 127.0.0.1 that records what it is sent and answers as told."""

    url: str = ""
    deliveries: list[Delivery] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    """Answers to give, in order; 200 once they are used up."""
    held: dict[str, asyncio.Event] = field(default_factory=dict)
    """Texts whose answer waits until their event is set."""

    async def receive(self, request: web.Request) -> web.Response:
        update = await request.json()
        delivery = Delivery(request.headers.get("X-Telegram-Bot-Api-Secret-Token"), update)
        self.deliveries.append(delivery)
        if delivery.text in self.held:
            await self.held[delivery.text].wait()
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)

    async def wait_for(self, ready: Callable[[], bool]) -> None:
        """Until `ready()` holds (what the emulator and this webhook did meanwhile)."""
        async with asyncio.timeout(10):
            while True:
                if ready():
                    return
                await asyncio.sleep(0.01)

    def texts(self) -> list[str | None]:
        return [delivery.text for delivery in self.deliveries]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/hook", hook.receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    hook.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        yield hook
    finally:
        for event in hook.held.values():
            event.set()
        await runner.cleanup()


@pytest.fixture
async def fast_retries(control: EmulatorClient) -> None:
    await control.set_webhook_retry(first=0.01, cap=0.05)


async def call(raw_http: httpx.AsyncClient, emu: BotApiEmulator, method: str, **data: Any) -> Any:
    response = await raw_http.post(f"{emu.base_url}{emu.token}/{method}", json=data)
    return response.json()


@pytest.mark.parametrize(
    ("params", "description"),
    [
        (
            {"url": "http://renja.example.go.id/hook"},
            "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
        ),
        (
            {"url": "http://192.168.1.5:8080/hook"},
            "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
        ),
        (
            {"url": "https://renja.example.go.id:8080/hook"},
            "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
        ),
        (
            {"url": "https://renja.example.go.id/hook", "secret_token": "a" * 257},
            "Bad Request: secret token is too long",
        ),
        (
            {"url": "https://renja.example.go.id/hook", "secret_token": "rahasia+kita"},
            "Bad Request: secret token contains unallowed characters",
        ),
        (
            {"url": "https://renja.example.go.id/hook", "secret_token": "rahasia kita"},
            "Bad Request: secret token contains unallowed characters",
        ),
    ],
)
async def test_set_webhook_refuses_what_telegram_refuses(
    emu: BotApiEmulator, raw_http: httpx.AsyncClient, params: dict[str, str], description: str
) -> None:
    answer = await call(raw_http, emu, "setWebhook", **params)
    assert answer == {"ok": False, "error_code": 400, "description": description}
    assert (await call(raw_http, emu, "getWebhookInfo"))["result"]["url"] == ""


async def test_telegrams_own_urls_and_secrets_are_accepted(bot: Bot) -> None:
    for url in ("https://renja.example.go.id/hook", "https://renja.example.go.id:8443/x"):
        assert await bot.set_webhook(url, secret_token="A-z_09" * 42 + "abcd")  # 256
        assert (await bot.get_webhook_info()).url == url
    assert await bot.set_webhook("http://127.0.0.1:9/hook")  # the emulator's own exception


async def test_updates_are_posted_with_the_secret_token_and_polling_is_refused(
    bot: Bot,
    budi: SimulatedUser,
    receiver: Receiver,
    emu: BotApiEmulator,
    raw_http: httpx.AsyncClient,
) -> None:
    assert await bot.set_webhook(receiver.url, secret_token=SECRET, drop_pending_updates=True)
    await budi.send_text("halo")
    await receiver.wait_for(lambda: len(receiver.deliveries) == 1)

    (delivery,) = receiver.deliveries
    assert delivery.secret == SECRET
    assert delivery.text == "halo"
    assert delivery.update["message"]["from"]["id"] == budi.chat_id
    assert isinstance(delivery.update["update_id"], int)
    answer = await call(raw_http, emu, "getUpdates")
    assert answer == {"ok": False, "error_code": 409, "description": CONFLICT}
    await receiver.wait_for(lambda: emu.state.updates == [])
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.last_error_date) == (receiver.url, 0, None)
    assert info.max_connections == 40


async def test_no_secret_token_no_header(
    bot: Bot, budi: SimulatedUser, receiver: Receiver
) -> None:
    assert await bot.set_webhook(receiver.url, drop_pending_updates=True)
    await budi.send_text("tanpa rahasia")
    await receiver.wait_for(lambda: len(receiver.deliveries) == 1)
    assert receiver.deliveries[0].secret is None


async def test_one_update_at_a_time_per_chat_in_order(
    bot: Bot, control: EmulatorClient, budi: SimulatedUser, receiver: Receiver
) -> None:
    sari = await control.user(1002, "Sari")
    assert await bot.set_webhook(receiver.url, secret_token=SECRET, drop_pending_updates=True)
    receiver.held["satu"] = asyncio.Event()
    await budi.send_text("satu")
    await receiver.wait_for(lambda: receiver.texts() == ["satu"])
    await budi.send_text("dua")
    await budi.send_text("tiga")
    await sari.send_text("/start")  # another chat is not held up by Budi's

    await receiver.wait_for(lambda: "/start" in receiver.texts())
    assert receiver.texts() == ["satu", "/start"]  # "dua" waits for the answer to "satu"
    receiver.held["satu"].set()
    await receiver.wait_for(lambda: len(receiver.deliveries) == 4)
    assert receiver.texts() == ["satu", "/start", "dua", "tiga"]


async def test_updates_of_different_chats_are_posted_at_once(
    bot: Bot, control: EmulatorClient, receiver: Receiver
) -> None:
    """As Telegram does: up to `max_connections` (40 unless set) posts at once, each to its
    own connection; one unanswered post holds up only its own chat."""
    people = [await control.user(3001 + n, f"Orang{n}") for n in range(12)]
    assert await bot.set_webhook(receiver.url, secret_token=SECRET, drop_pending_updates=True)
    for n, person in enumerate(people):
        receiver.held[f"pesan {n}"] = asyncio.Event()
        await person.send_text(f"pesan {n}")
    # Twelve posts are open at once: none has been answered yet.
    await receiver.wait_for(lambda: len(receiver.deliveries) == 12)
    assert set(receiver.texts()) == {f"pesan {n}" for n in range(12)}


async def test_no_more_posts_at_once_than_max_connections(
    bot: Bot, control: EmulatorClient, receiver: Receiver
) -> None:
    people = [await control.user(3101 + n, f"Orang{n}") for n in range(3)]
    assert await bot.set_webhook(
        receiver.url, secret_token=SECRET, max_connections=2, drop_pending_updates=True
    )
    assert (await bot.get_webhook_info()).max_connections == 2
    for n, person in enumerate(people):
        receiver.held[f"pesan {n}"] = asyncio.Event()
        await person.send_text(f"pesan {n}")
    await receiver.wait_for(lambda: len(receiver.deliveries) == 2)
    await asyncio.sleep(0.3)  # a third connection would have been opened by now
    assert receiver.texts() == ["pesan 0", "pesan 1"]
    receiver.held["pesan 1"].set()  # one answered: its connection takes the next update
    await receiver.wait_for(lambda: len(receiver.deliveries) == 3)
    assert receiver.texts() == ["pesan 0", "pesan 1", "pesan 2"]


async def test_a_failed_delivery_is_retried_and_reported(
    bot: Bot, budi: SimulatedUser, receiver: Receiver, emu: BotApiEmulator, fast_retries: None
) -> None:
    assert await bot.set_webhook(receiver.url, secret_token=SECRET, drop_pending_updates=True)
    receiver.statuses = [500, 403, 502]
    await budi.send_text("coba lagi")
    await receiver.wait_for(lambda: len(receiver.deliveries) == 4)
    await receiver.wait_for(lambda: emu.state.updates == [])

    assert receiver.texts() == ["coba lagi"] * 4
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 502 Bad Gateway"
    assert info.last_error_date is not None


async def test_an_unreachable_webhook_keeps_the_updates_pending(
    bot: Bot, budi: SimulatedUser, receiver: Receiver, emu: BotApiEmulator, fast_retries: None
) -> None:
    closed = web.AppRunner(web.Application())
    await closed.setup()
    site = web.TCPSite(closed, "127.0.0.1", 0)
    await site.start()
    port = closed.addresses[0][1]
    await closed.cleanup()  # nobody listens there any more
    assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", drop_pending_updates=True)
    await budi.send_text("ada orang?")
    await receiver.wait_for(lambda: emu.state.webhook_last_error_message is not None)

    info = await bot.get_webhook_info()
    assert info.last_error_message == "Connection refused"
    assert info.pending_update_count == 1
    # The bot comes back at another address: what waited is delivered at once.
    assert await bot.set_webhook(receiver.url, secret_token=SECRET)
    await receiver.wait_for(lambda: receiver.texts() == ["ada orang?"])


async def test_a_new_address_is_tried_at_once_whatever_the_backoff(
    bot: Bot, control: EmulatorClient, budi: SimulatedUser, receiver: Receiver
) -> None:
    await control.set_webhook_retry(first=600, cap=600)
    assert await bot.set_webhook(receiver.url, drop_pending_updates=True)
    receiver.statuses = [503, 503]
    await budi.send_text("sabar")
    await receiver.wait_for(lambda: len(receiver.deliveries) == 2)  # at once, then 600 s
    assert await bot.set_webhook(receiver.url, secret_token=SECRET)  # a new secret: afresh
    await receiver.wait_for(lambda: len(receiver.deliveries) == 3)
    assert receiver.deliveries[-1].secret == SECRET


async def test_allowed_updates_are_kept_and_others_dropped(
    bot: Bot, budi: SimulatedUser, receiver: Receiver
) -> None:
    assert await bot.set_webhook(
        receiver.url, allowed_updates=["callback_query"], drop_pending_updates=True
    )
    await budi.send_text("tidak diteruskan")
    info = await bot.get_webhook_info()
    assert info.allowed_updates == ("callback_query",)
    assert info.pending_update_count == 0
    assert receiver.deliveries == []


async def test_delete_webhook_goes_back_to_polling_with_what_was_pending(
    bot: Bot, budi: SimulatedUser, receiver: Receiver, fast_retries: None
) -> None:
    assert await bot.set_webhook(receiver.url, drop_pending_updates=True)
    receiver.statuses = [500] * 1000
    await budi.send_text("masih menunggu")
    await receiver.wait_for(lambda: len(receiver.deliveries) >= 2)
    assert await bot.delete_webhook()
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("", 1)
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.text == "masih menunggu"
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()
