"""Polling through Telegram's passing failures: one warning line each, and the bot goes on."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.e2e.conftest import Office

REASONS = {
    "500": "NetworkError: Internal Server Error",
    "502": "NetworkError: Bad Gateway (502)",  # the proxy's HTML page is not repeated
    "drop": "NetworkError: httpx.RemoteProtocolError",
}


@pytest.mark.parametrize("kind", sorted(REASONS))
async def test_a_failed_poll_is_one_warning_line(
    office: Office, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    caplog.set_level(logging.INFO)
    await office.control.set_faults(1.0, [kind], methods=["getUpdates"])
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while not [r for r in caplog.records if r.name == "bot.polling"]:
        assert loop.time() < deadline, "no failed poll was reported"
        await asyncio.sleep(0.05)
    await office.control.set_faults(0.0)

    rina = office.phones[101]
    await rina.send_text("/tugas")  # polling goes on once Telegram answers again
    await rina.wait_for_messages(1)

    (line, *_) = [r for r in caplog.records if r.name == "bot.polling"]
    assert line.levelno == logging.WARNING
    assert line.exc_info is None and "\n" not in line.getMessage()
    assert line.getMessage().startswith(f"getUpdates failed ({REASONS[kind]}")
    assert "<html>" not in caplog.text
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
