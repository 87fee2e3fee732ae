"""Fixtures for the Bot API emulator tests (the emulator, its control client and a bare Bot
are tests/conftest.py's): a user who has started the bot, plain HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from emulator import EmulatorClient, SimulatedUser


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
