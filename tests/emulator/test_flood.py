"""Telegram's flood limits: per private chat, per group, per bot, answered as Telegram does."""

from __future__ import annotations

import asyncio
import datetime as dtm

import httpx
import pytest
from telegram import Bot, InputMediaDocument
from telegram.error import RetryAfter

from emulator import BotApiEmulator, EmulatorClient, FloodLimits, SimulatedUser
from emulator.limits import FloodControl, TokenBucket
from tests.conftest import TOKEN


def retry_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds (a timedelta: bot/__init__.py opts in to PTB_TIMEDELTA)."""
    value = error.retry_after
    assert isinstance(value, dtm.timedelta)
    return value.total_seconds()


async def started(control: EmulatorClient, user_id: int, name: str) -> SimulatedUser:
    user = await control.user(user_id, name)
    await user.send_text("/start")
    return user


async def test_off_by_default(bot: Bot, budi: SimulatedUser, control: EmulatorClient) -> None:
    for number in range(12):
        await bot.send_message(budi.id, f"pesan {number}")
    stats = await control.stats()
    assert (stats.accepted, stats.too_many_requests) == (12, 0)
    assert stats.chat(budi.id).accepted == 12


async def test_a_burst_to_one_chat_gets_429_as_telegram_answers_it(
    emu: BotApiEmulator,
    bot: Bot,
    budi: SimulatedUser,
    control: EmulatorClient,
    raw_http: httpx.AsyncClient,
) -> None:
    limits = await control.set_flood_limits()
    assert (limits["private_burst"], limits["private_per_second"]) == (3, 1.0)

    sent, refused = [], []
    for number in range(10):
        try:
            sent.append(await bot.send_message(budi.id, f"pengumuman {number}"))
        except RetryAfter as error:
            refused.append(retry_seconds(error))
    assert len(sent) == 3 and len(refused) == 7
    assert all(1 <= seconds <= 3 for seconds in refused)
    assert [m.text for m in await budi.messages()] == [f"pengumuman {n}" for n in range(3)]

    response = await raw_http.post(
        f"{emu.base_url}{emu.token}/sendMessage", data={"chat_id": str(budi.id), "text": "x"}
    )
    body = response.json()
    retry_after = body["parameters"]["retry_after"]
    assert response.status_code == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {retry_after}",
        "parameters": {"retry_after": retry_after},
    }
    assert isinstance(retry_after, int) and retry_after >= 1
    assert response.headers["Retry-After"] == str(retry_after)

    refusals = [e for e in await control.log() if e.method == "sendMessage" and not e.ok]
    assert len(refusals) == 8
    assert refusals[0].error is not None
    assert refusals[0].error.startswith("Too Many Requests: retry after ")
    stats = await control.stats()
    chat = stats.chat(budi.id)
    assert (chat.accepted, chat.too_many_requests) == (3, 8)
    assert len(chat.too_many_requests_at) == 8 and chat.accepted_at == sorted(chat.accepted_at)
    assert stats.too_many_requests == 8


async def test_after_retry_after_the_send_goes_through(
    bot: Bot, budi: SimulatedUser, control: EmulatorClient
) -> None:
    await control.set_flood_limits(private_burst=1, private_per_second=2)
    await bot.send_message(budi.id, "satu")
    with pytest.raises(RetryAfter) as refused:
        await bot.send_message(budi.id, "dua")
    assert retry_seconds(refused.value) == 1  # whole seconds, never 0
    await asyncio.sleep(retry_seconds(refused.value))
    await bot.send_message(budi.id, "dua")
    assert [m.text for m in await budi.messages()] == ["satu", "dua"]


async def test_a_refused_call_changes_nothing_and_costs_nothing(
    bot: Bot, budi: SimulatedUser, control: EmulatorClient
) -> None:
    await control.set_flood_limits(private_burst=2, private_per_second=1)
    first = await bot.send_message(budi.id, "satu")
    await bot.edit_message_text("satu (rev)", budi.id, first.message_id)  # edits count too
    for _ in range(5):
        with pytest.raises(RetryAfter):
            await bot.send_message(budi.id, "dua")
    assert len(await budi.messages()) == 1
    await asyncio.sleep(1.05)
    await bot.send_message(budi.id, "dua")  # the refusals did not deepen the debt


async def test_uncounted_methods_pass_and_are_not_counted(
    bot: Bot, budi: SimulatedUser, control: EmulatorClient
) -> None:
    await control.set_flood_limits(private_burst=1, global_burst=1)
    await bot.send_message(budi.id, "satu")
    for _ in range(5):
        await bot.get_me()
        await bot.send_chat_action(budi.id, "typing")
        await bot.get_updates()
    await bot.delete_message(budi.id, 1 + 1)  # the message after /start
    assert (await control.stats()).accepted == 1


async def test_an_album_counts_as_its_messages(
    bot: Bot, budi: SimulatedUser, control: EmulatorClient
) -> None:
    await control.set_flood_limits(private_burst=5, private_per_second=1)
    album = [InputMediaDocument(f"isi {n}".encode(), filename=f"{n}.txt") for n in range(4)]
    assert len(await bot.send_media_group(budi.id, album)) == 4
    await bot.send_message(budi.id, "satu lagi")
    with pytest.raises(RetryAfter):
        await bot.send_message(budi.id, "terlalu cepat")
    assert (await control.stats()).chat(budi.id).accepted == 5


async def test_the_overall_bucket_spans_chats(bot: Bot, control: EmulatorClient) -> None:
    users = [await started(control, 3000 + n, f"Pegawai {n}") for n in range(4)]
    await control.set_flood_limits(global_burst=6, global_per_second=6)
    for user in users[:3]:
        await bot.send_message(user.id, "a")
        await bot.send_message(user.id, "b")
    with pytest.raises(RetryAfter) as refused:
        await bot.send_message(users[3].id, "c")  # its own chat is untouched
    assert retry_seconds(refused.value) == 1
    stats = await control.stats()
    assert stats.accepted == 6 and stats.chat(users[3].id).too_many_requests == 1


async def test_limits_from_the_constructor() -> None:
    async with (
        BotApiEmulator(TOKEN, flood_limits=FloodLimits(enabled=True, private_burst=1)) as emu,
        emu.client() as control,
        Bot(TOKEN, base_url=emu.base_url) as bot,
    ):
        user = await started(control, 7, "Dewi")
        await bot.send_message(user.id, "satu")
        with pytest.raises(RetryAfter):
            await bot.send_message(user.id, "dua")
        config = await control.config()
        assert config["flood_limits"]["enabled"] is True
        await control.set_flood_limits(enabled=False)
        await bot.send_message(user.id, "dua")


async def test_reset_refills_the_buckets_and_clears_the_stats(
    bot: Bot, budi: SimulatedUser, control: EmulatorClient
) -> None:
    await control.set_flood_limits(private_burst=1)
    await bot.send_message(budi.id, "satu")
    with pytest.raises(RetryAfter):
        await bot.send_message(budi.id, "dua")
    await control.reset()
    assert (await control.stats()).accepted == 0
    again = await started(control, budi.id, "Budi")
    await bot.send_message(again.id, "dua")
    assert (await control.config())["flood_limits"]["enabled"] is True


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBucket(capacity=3, rate=1.0, now=0.0)
    for _ in range(3):
        assert bucket.wait(1, 0.0) == 0
        bucket.take(1, 0.0)
    assert bucket.wait(1, 0.0) == pytest.approx(1.0)
    assert bucket.wait(1, 0.5) == pytest.approx(0.5)
    assert bucket.wait(1, 1.0) == 0
    # More than the capacity goes out on a full bucket and leaves a debt.
    bucket = TokenBucket(capacity=3, rate=1.0, now=0.0)
    bucket.take(10, 0.0)
    assert bucket.wait(1, 0.0) == pytest.approx(8.0)


def test_flood_control_rounds_up_to_whole_seconds() -> None:
    now = [100.0]
    control = FloodControl(
        FloodLimits(enabled=True, group_burst=20, group_per_minute=20), clock=lambda: now[0]
    )
    for _ in range(20):
        assert control.retry_after(-42, True, 1) is None
        control.consume(-42, True, 1)
    assert control.retry_after(-42, True, 1) == 3  # a token every 3 s
    now[0] += 2.5
    assert control.retry_after(-42, True, 1) == 1
    now[0] += 0.5
    assert control.retry_after(-42, True, 1) is None
