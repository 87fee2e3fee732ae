"""Fixtures for the Bot API emulator tests: a running emulator, its control client, a Bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot

from emulator import BotApiEmulator, EmulatorClient, SimulatedUser

TOKEN = "123456789:EMULATOR-test-token"


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(TOKEN, username="renja_bot", first_name="Renja Bot") as emulator:
        yield emulator


@pytest.fixture
async def control(emu: BotApiEmulator) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emu.control_url) as client:
        yield client


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    """A bare python-telegram-bot ``Bot`` pointed at the emulator (no polling)."""
    async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as tg_bot:
        yield tg_bot


@pytest.fixture
async def budi(control: EmulatorClient) -> SimulatedUser:
    """A user who has started the bot."""
    user = await control.user(1001, "Budi", username="budi_kalbar")
    await user.send_text("/start")
    return user


@pytest.fixture
async def raw_http() -> AsyncIterator[httpx.AsyncClient]:
    """Plain HTTP, to check the exact JSON Telegram would answer."""
    async with httpx.AsyncClient(trust_env=False) as client:
        yield client
