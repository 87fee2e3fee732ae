"""The bot behind a webhook (`renja-bot run --webhook`): only Telegram's posts are taken, each
kept before it is answered, a dead process's updates handled by the next, and a health check.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, select
from telegram import Update

from bot import texts
from bot.app import Mode
from storage import updates as update_store
from storage.models import HandledUpdate, InboxUpdate
from tests.e2e.conftest import Office
from tests.e2e.probes import settle

RINA = 101


@pytest.fixture
def mode() -> Mode:
    return "webhook"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as client:
        yield client


def tugas_from_rina(update_id: int) -> dict[str, Any]:
    """The update Telegram posts when Rina sends /tugas."""
    rina = {"id": RINA, "first_name": "Rina"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 10_000 + update_id % 10_000,
            "from": {**rina, "is_bot": False},
            "chat": {**rina, "type": "private"},
            "date": int(time.time()),
            "text": "/tugas",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def eventually(ready: Callable[[], bool]) -> None:
    """Until `ready()` holds (what the bot and the emulator do meanwhile)."""
    async with asyncio.timeout(10):
        while True:
            if ready():
                return
            await asyncio.sleep(0.01)


async def until_settled(office: Office) -> None:
    """The phones' /start handled and removed from the inbox (just after their handling)."""
    await settle(office)
    await eventually(lambda: not inbox_and_handled(office)[0])


def inbox_and_handled(office: Office) -> tuple[list[int], list[int]]:
    with Session(office.services.engine) as session:
        inbox = session.exec(select(InboxUpdate.update_id)).all()
        handled = session.exec(select(HandledUpdate.update_id)).all()
    return sorted(inbox), sorted(handled)


async def test_the_bot_sets_its_webhook_with_the_secret_and_every_update_type(
    office: Office,
) -> None:
    assert office.bot is not None and office.bot.webhook is not None
    state = office.emulator.state
    assert state.webhook_url == office.bot.webhook_url
    assert state.webhook_secret_token == office.bot.webhook.secret_token
    assert state.allowed_updates == list(Update.ALL_TYPES)
    # The officials' /start went through the webhook: nothing is left for getUpdates.
    assert [entry.method for entry in await office.control.log()].count("setWebhook") == 1
    assert await office.control.pending_updates() == []


async def test_only_posts_with_telegrams_secret_token_are_taken(
    office: Office, http: httpx.AsyncClient
) -> None:
    assert office.bot is not None and office.bot.webhook is not None
    url, secret = office.bot.webhook_url, office.bot.webhook.secret_token
    header = "X-Telegram-Bot-Api-Secret-Token"
    rina = office.phones[RINA]
    await until_settled(office)
    before, welcome = inbox_and_handled(office), await rina.messages()

    missing = await http.post(url, json=tugas_from_rina(900_001))
    wrong = await http.post(url, json=tugas_from_rina(900_002), headers={header: secret + "x"})
    empty = await http.post(url, json=tugas_from_rina(900_003), headers={header: ""})
    assert [missing.status_code, wrong.status_code, empty.status_code] == [403, 403, 403]
    assert inbox_and_handled(office) == before  # nothing kept, nothing acted on

    right = await http.post(url, json=tugas_from_rina(900_004), headers={header: secret})
    assert right.status_code == 200
    (answer,) = await rina.wait_for_messages(1)
    assert answer.body == texts.NO_TASKS
    await settle(office)
    assert await rina.messages() == [*welcome, answer]  # the refused three: never handled


async def test_a_post_that_is_no_update_is_refused_and_nothing_kept(
    office: Office, http: httpx.AsyncClient
) -> None:
    assert office.bot is not None and office.bot.webhook is not None
    url = office.bot.webhook_url
    headers = {"X-Telegram-Bot-Api-Secret-Token": office.bot.webhook.secret_token}
    await until_settled(office)
    before = inbox_and_handled(office)
    for body in (b"bukan json", b"[1, 2]", b'{"update_id": "1"}', b'{"message": {}}'):
        response = await http.post(url, content=body, headers=headers)
        assert response.status_code == 400
    assert (await http.get(url)).status_code == 405
    assert inbox_and_handled(office) == before


async def test_health_says_whether_the_database_and_the_sender_answer(
    office: Office, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    assert office.bot is not None and office.application is not None
    healthy = await http.get(office.bot.health_url)
    assert healthy.status_code == 200
    assert healthy.json() == {"ok": True, "database": True, "sender": True}

    engine = office.services.engine
    blocker = tmp_path / "bukan-folder"
    blocker.write_text("a file where the database's folder should be")
    office.services.engine = create_engine(f"sqlite:///{blocker / 'renja.db'}")
    try:
        unreachable = await http.get(office.bot.health_url)
    finally:
        office.services.engine.dispose()
        office.services.engine = engine
    assert unreachable.status_code == 503
    assert unreachable.json() == {"ok": False, "database": False, "sender": True}
    assert (await http.get(office.bot.health_url)).status_code == 200

    sender = office.application.bot_data.sender
    assert sender is not None
    await sender.stop()
    stopped = await http.get(office.bot.health_url)
    assert stopped.status_code == 503
    assert stopped.json() == {"ok": False, "database": True, "sender": False}


async def test_an_update_kept_by_a_process_that_died_is_handled_by_the_next(
    office: Office,
) -> None:
    await office.stop()
    # What a process killed after answering Telegram 200 leaves: the update, in the inbox.
    left_at = datetime.now(UTC) - timedelta(seconds=office.settings.inbox_lease_seconds + 1)
    with Session(office.services.engine) as session:
        update_store.receive(session, updates=[(950_001, tugas_from_rina(950_001))], now=left_at)
        session.commit()

    await office.start()
    (answer,) = await office.phones[RINA].wait_for_messages(1)
    assert answer.body == texts.NO_TASKS
    await settle(office)
    await eventually(lambda: inbox_and_handled(office)[0] == [])


async def test_what_arrives_while_no_process_answers_is_delivered_to_the_next(
    office: Office,
) -> None:
    await office.control.set_webhook_retry(first=0.05, cap=0.2)
    await office.stop()  # a clean stop leaves the webhook set
    assert office.emulator.state.webhook_url != ""
    rina = office.phones[RINA]
    await rina.send_text("/tugas")
    await eventually(lambda: office.emulator.state.webhook_last_error_message is not None)
    assert office.emulator.state.webhook_last_error_message == "Connection refused"
    assert len(await office.control.pending_updates()) == 1

    await office.start()
    (answer,) = await rina.wait_for_messages(1)
    assert answer.body == texts.NO_TASKS


async def test_polling_again_after_a_webhook(office: Office) -> None:
    await office.stop()
    office.mode = "polling"  # `renja-bot run` without --webhook deletes the webhook
    await office.start()
    rina = office.phones[RINA]
    await rina.send_text("/tugas")
    (answer,) = await rina.wait_for_messages(1)
    assert answer.body == texts.NO_TASKS
    assert office.emulator.state.webhook_url == ""


async def test_a_port_in_use_is_refused_with_a_clear_message(office: Office) -> None:
    from bot.app import build_application, serve_webhook
    from bot.config import ConfigError

    assert office.bot is not None and office.bot.webhook is not None
    taken = office.bot.webhook  # the running bot listens there
    second = build_application(office.settings, services=office.services, mode="webhook")
    with pytest.raises(ConfigError, match=r"Server webhook tidak dapat dibuka di 127\.0\.0\.1:"):
        await serve_webhook(second, asyncio.Event(), taken, lease=timedelta(seconds=30))


async def test_a_webhook_telegram_refuses_stops_the_bot_with_telegrams_words(
    office: Office,
) -> None:
    from dataclasses import replace

    from bot.app import build_application, serve_webhook
    from bot.config import ConfigError

    assert office.bot is not None and office.bot.webhook is not None
    refused = replace(
        office.bot.webhook, port=0, url="http://renja.bappeda.example.go.id/telegram"
    )
    second = build_application(office.settings, services=office.services, mode="webhook")
    with pytest.raises(ConfigError) as raised:
        await serve_webhook(second, asyncio.Event(), refused, lease=timedelta(seconds=30))
    assert "an https url must be provided for webhook" in str(raised.value).lower()
    assert office.emulator.state.webhook_url == office.bot.webhook_url  # still the first's
