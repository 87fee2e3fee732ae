"""getUpdates semantics: long polling, offsets, limits, allowed_updates, conflicts."""

from __future__ import annotations

import asyncio
import datetime as dtm

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Conflict

from emulator import BotApiEmulator, EmulatorClient, SimulatedUser


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    bot: Bot, control: EmulatorClient
) -> None:
    user = await control.user(1001, "Budi")
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)
    assert not poll.done()

    await user.send_text("halo")
    updates = await asyncio.wait_for(poll, 2)

    assert loop.time() - started < 1.0
    assert [u.message.text for u in updates if u.message] == ["halo"]


async def test_long_poll_without_updates_waits_for_its_timeout(bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=dtm.timedelta(milliseconds=300)) == ()
    assert 0.25 <= loop.time() - started < 1.0
    started = loop.time()
    assert await bot.get_updates(timeout=0) == ()
    assert loop.time() - started < 0.2


async def test_offset_confirms_earlier_updates(bot: Bot, control: EmulatorClient) -> None:
    user = await control.user(1001, "Budi")
    for text in ("satu", "dua", "tiga"):
        await user.send_text(text)

    first = await bot.get_updates()
    assert [u.message.text for u in first if u.message] == ["satu", "dua", "tiga"]
    assert [u.update_id for u in await bot.get_updates()] == [u.update_id for u in first]
    limited = await bot.get_updates(limit=1)
    assert [u.update_id for u in limited] == [first[0].update_id]

    rest = await bot.get_updates(offset=first[1].update_id)
    assert [u.message.text for u in rest if u.message] == ["dua", "tiga"]
    assert await bot.get_updates(offset=first[-1].update_id + 1) == ()
    assert await control.pending_updates() == []

    await user.send_text("empat")
    await user.send_text("lima")
    newest = await bot.get_updates(offset=-1)
    assert [u.message.text for u in newest if u.message] == ["lima"]
    assert newest[0].update_id > first[-1].update_id
    assert len(await bot.get_updates()) == 1  # "empat" was forgotten


async def test_allowed_updates_filters_and_is_remembered(bot: Bot, budi: SimulatedUser) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Ya", callback_data="ya")]])
    sent = await bot.send_message(budi.id, "Pilih", reply_markup=markup)
    await budi.press(sent, "Ya")
    await budi.send_text("teks biasa")

    only_queries = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.data for u in only_queries if u.callback_query] == ["ya"]
    assert all(u.message is None for u in only_queries)
    await budi.send_text("diabaikan")
    assert [u.callback_query is not None for u in await bot.get_updates()] == [True]

    await bot.get_updates(allowed_updates=[])  # back to the default set
    await budi.send_text("diterima")
    texts = [u.message.text for u in await bot.get_updates() if u.message]
    assert texts == ["diterima"]


async def test_a_newer_long_poll_terminates_the_older_one(emu: BotApiEmulator) -> None:
    async with (
        Bot(emu.token, base_url=emu.base_url) as first,
        Bot(emu.token, base_url=emu.base_url) as second,
    ):
        older = asyncio.create_task(first.get_updates(timeout=10))
        await asyncio.sleep(0.1)
        newer = asyncio.create_task(second.get_updates(timeout=dtm.timedelta(milliseconds=200)))
        with pytest.raises(Conflict, match=r"terminated by other getUpdates request"):
            await asyncio.wait_for(older, 2)
        assert await newer == ()


async def test_stopping_the_emulator_ends_a_long_poll(raw_http: httpx.AsyncClient) -> None:
    emulator = BotApiEmulator("5:stop")
    await emulator.start()
    url = f"{emulator.base_url}{emulator.token}/getUpdates"
    poll = asyncio.create_task(raw_http.post(url, data={"timeout": "30"}))
    await asyncio.sleep(0.1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await emulator.stop()
    response = await asyncio.wait_for(poll, 2)
    assert response.json() == {"ok": True, "result": []}
    assert loop.time() - started < 1.0


async def test_webhook_blocks_polling_until_deleted(bot: Bot) -> None:
    assert await bot.set_webhook("https://renja.example.go.id/hook")
    assert (await bot.get_webhook_info()).url == "https://renja.example.go.id/hook"
    with pytest.raises(Conflict, match=r"can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()
