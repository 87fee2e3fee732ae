"""Injected faults: what the bot sees, what the user sees, and what the log and stats say."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TimedOut

from emulator import BotApiEmulator, EmulatorClient, EmulatorError, SimulatedUser
from emulator.limits import FaultInjector, FaultPlan
from tests.conftest import TOKEN


async def only(
    control: EmulatorClient, kind: str, *, seed: int | None = None, slow_seconds: float = 3.0
) -> None:
    """Every sendMessage fails with ``kind``; other methods are left alone."""
    await control.set_faults(
        1.0, [kind], methods=["sendMessage"], seed=seed, slow_seconds=slow_seconds
    )


async def test_500_changes_nothing(
    bot: Bot, budi: SimulatedUser, control: EmulatorClient, emu: BotApiEmulator
) -> None:
    await only(control, "500")
    with pytest.raises(NetworkError, match=r"^Internal Server Error$"):
        await bot.send_message(budi.id, "Halo")
    assert await budi.messages() == []
    async with httpx.AsyncClient(trust_env=False) as raw:
        response = await raw.post(
            f"{emu.base_url}{emu.token}/sendMessage", data={"chat_id": budi.id, "text": "x"}
        )
    assert (response.status_code, response.json()) == (
        500,
        {"ok": False, "error_code": 500, "description": "Internal Server Error"},
    )
    assert await bot.get_me()  # not in the plan's methods
    [first, second] = [e for e in await control.log() if e.method == "sendMessage"]
    assert (first.ok, first.error, first.fault, first.chat_id) == (
        False,
        "Internal Server Error",
        "500",
        budi.id,
    )
    assert second.fault == "500"
    assert (await control.stats()).faults == {"500": 2}


async def test_502_is_the_proxys_html_page(
    bot: Bot, budi: SimulatedUser, control: EmulatorClient, emu: BotApiEmulator
) -> None:
    await only(control, "502")
    with pytest.raises(NetworkError, match=r"^Bad Gateway \(502\)"):
        await bot.send_message(budi.id, "Halo")
    async with httpx.AsyncClient(trust_env=False) as raw:
        response = await raw.post(
            f"{emu.base_url}{emu.token}/sendMessage", data={"chat_id": budi.id, "text": "x"}
        )
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>502 Bad Gateway</title>" in response.text
    assert await budi.messages() == []
    assert [e.error for e in await control.log() if e.fault] == ["Bad Gateway"] * 2


async def test_429_carries_a_short_retry_after(
    bot: Bot, budi: SimulatedUser, control: EmulatorClient
) -> None:
    await only(control, "429", seed=3)
    for _ in range(5):
        with pytest.raises(RetryAfter, match=r"Retry in 0:00:0[123]$"):
            await bot.send_message(budi.id, "Halo")
    stats = await control.stats()
    assert stats.faults == {"429": 5} and stats.chat(budi.id).too_many_requests == 5
    assert await budi.messages() == []


async def test_slow_answers_late_and_the_message_is_sent_anyway(
    bot: Bot, budi: SimulatedUser, control: EmulatorClient
) -> None:
    await only(control, "slow", slow_seconds=0.4)
    loop = asyncio.get_running_loop()
    started = loop.time()
    sent = await bot.send_message(budi.id, "pelan")
    assert loop.time() - started >= 0.4 and sent.text == "pelan"

    with pytest.raises(TimedOut):
        await bot.send_message(budi.id, "tak sabar", read_timeout=0.1)
    # The bot gave up waiting, but Telegram carried the call out.
    [_, late] = await budi.wait_for_messages(2, timeout=2)
    assert late.text == "tak sabar"
    assert (await control.stats()).faults == {"slow": 2}


async def test_drop_closes_the_connection_without_an_answer(
    bot: Bot, budi: SimulatedUser, control: EmulatorClient
) -> None:
    await only(control, "drop")
    with pytest.raises(NetworkError, match="Server disconnected without sending a response"):
        await bot.send_message(budi.id, "Halo")
    assert await budi.messages() == []
    [entry] = [e for e in await control.log() if e.method == "sendMessage"]
    assert (entry.ok, entry.fault, entry.error) == (
        False,
        "drop",
        "connection closed without an answer",
    )


async def test_done_but_failed_delivers_although_the_call_raised(
    bot: Bot, budi: SimulatedUser, control: EmulatorClient
) -> None:
    await only(control, "done_but_failed", seed=0)
    for number in range(4):
        with pytest.raises(NetworkError):
            await bot.send_message(budi.id, f"terkirim {number}")
    assert [m.text for m in await budi.messages()] == [f"terkirim {n}" for n in range(4)]
    entries = [e for e in await control.log() if e.method == "sendMessage"]
    assert all(e.ok and e.fault == "done_but_failed" for e in entries)
    assert {e.error for e in entries} <= {"Bad Gateway", "connection closed without an answer"}
    stats = await control.stats()
    assert stats.faults == {"done_but_failed": 4} and stats.chat(budi.id).accepted == 4


async def test_faults_in_get_updates_are_logged(bot: Bot, control: EmulatorClient) -> None:
    await control.set_faults(1.0, ["500"], methods=["getUpdates"])
    with pytest.raises(NetworkError):
        await bot.get_updates()
    await control.clear_faults()
    assert await bot.get_updates() == ()
    [entry] = [e for e in await control.log() if e.method == "getUpdates"]
    assert (entry.method, entry.fault, entry.ok) == ("getUpdates", "500", False)


async def test_rate_and_seed_make_a_reproducible_mix(
    bot: Bot, budi: SimulatedUser, control: EmulatorClient
) -> None:
    async def run() -> list[str | None]:
        await control.reset()
        user = await control.user(budi.id, "Budi")
        await user.send_text("/start")
        await control.set_faults(0.5, ["500", "429"], seed=42, methods=["sendMessage"])
        outcomes: list[str | None] = []
        for _ in range(20):
            try:
                await bot.send_message(user.id, "x")
                outcomes.append(None)
            except RetryAfter:
                outcomes.append("429")
            except NetworkError:
                outcomes.append("500")
        return outcomes

    first, second = await run(), await run()
    assert first == second
    assert {None, "429", "500"} <= set(first)


async def test_faults_from_the_constructor_and_bad_settings() -> None:
    plan = {"rate": 1.0, "kinds": ["500"], "methods": ["getMyCommands"]}
    async with (
        BotApiEmulator(TOKEN, faults=plan) as emu,
        emu.client() as control,
        Bot(TOKEN, base_url=emu.base_url) as bot,
    ):
        with pytest.raises(NetworkError):
            await bot.get_my_commands()
        assert (await control.config())["faults"]["kinds"] == ["500"]
        with pytest.raises(EmulatorError, match="unknown fault kinds"):
            await control.set_faults(0.5, ["teapot"])
        with pytest.raises(EmulatorError, match="rate must be between 0 and 1"):
            await control.set_faults(2.0)


def test_the_injector_draws_only_for_the_plans_methods() -> None:
    injector = FaultInjector(FaultPlan(rate=1.0, kinds=("429",), seed=1, methods=frozenset()))
    assert injector.draw("sendMessage") is None
    injector.configure(FaultPlan(rate=1.0, kinds=("429", "done_but_failed"), seed=1))
    faults = [injector.draw("SendMessage") for _ in range(50)]
    assert all(f is not None for f in faults)
    assert {f.retry_after for f in faults if f and f.kind == "429"} == {1, 2, 3}
    assert {f.ending for f in faults if f and f.kind == "done_but_failed"} == {"502", "drop"}
    injector.configure(FaultPlan(rate=0.0))
    assert injector.draw("sendMessage") is None


async def test_latency_delays_every_call_and_changes_nothing_else(
    bot: Bot, budi: SimulatedUser, control: EmulatorClient
) -> None:
    """A call across the internet: carried out, and answered, no sooner than the latency."""
    assert (await control.config())["latency"] == 0.0
    assert await control.set_latency(0.2) == 0.2
    loop = asyncio.get_running_loop()
    began = loop.time()
    sent = await bot.send_message(budi.id, "Halo")
    assert loop.time() - began >= 0.2
    (message,) = await budi.messages()
    assert (message.body, message.message_id) == ("Halo", sent.message_id)
    assert await control.set_latency(0) == 0.0
    for wrong in (-1, 11, "nan", "lama"):
        with pytest.raises(EmulatorError, match=r"latency must be 0 to 10|invalid latency"):
            await control.config(latency=wrong)
    assert (await control.config())["latency"] == 0.0
