"""Invitations to a Forum SKPD meeting of N participants, against the emulator WITH Telegram's
flood limits.

The draft is taken to its meeting and the meeting scheduled through the use cases
(`bot.usecases.meetings`), the Undangan attached: each participant is owed the invitation
with its answer buttons and an album of the Undangan and the calendar file, three messages
as Telegram counts them. `bot.sender.Sender` with the default `Pacing()` delivers them; the
time runs from its start until the outbox is drained. Telegram allows about 30 messages a
second overall: the aim, as for the sender alone (benchmarks/sending.py), is to use nearly
all of it without a single 429.
"""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from pathlib import Path

from telegram import Bot
from telegram.request import HTTPXRequest

from benchmarks.common import (
    KASUBBAG,
    SEKRETARIS,
    START,
    Emulator,
    MovableClock,
    count_as_delivered,
    new_file,
    office,
    schedule_meeting,
)
from benchmarks.sending import Delivery
from bot.pacing import Pacing
from bot.sender import Sender
from bot.usecases import drafts, officials
from bot.usecases.base import Services
from emulator import EmulatorClient
from workflow.engine import Action, Approve, Submit, Upload

FORUM = 106
"""The Forum SKPD participant of the benchmarks' office (benchmarks/common.py)."""
FIRST_PARTICIPANT = 20_001
MESSAGES_PER_INVITATION = 3
"""The invitation, then the Undangan and the calendar file as one album (two messages)."""


async def run(emulator: Emulator, participants: int) -> Delivery:
    """Schedule a meeting of `participants` (at least 1) and deliver its invitations."""
    chats = [FORUM, *range(FIRST_PARTICIPANT, FIRST_PARTICIPANT + participants - 1)]
    async with EmulatorClient(emulator.control_url) as control:
        await control.reset()
        for telegram_id in (KASUBBAG, *chats):
            user = await control.user(telegram_id, f"Peserta{telegram_id}")
            await user.send_text("/start")  # the bot may write to them
        # The pool the application uses (bot/app.py): the sender serves 32 chats at once.
        request = HTTPXRequest(connection_pool_size=128, pool_timeout=10)
        async with Bot(
            emulator.token,
            base_url=emulator.base_url,
            base_file_url=emulator.base_file_url,
            request=request,
        ) as bot:
            # The signed Undangan, as Telegram holds it once the Kasubbag has sent it.
            sent = await bot.send_document(
                KASUBBAG, b"%PDF-1.4 undangan", filename="undangan-forum.pdf"
            )
            assert sent.document is not None
            undangan = sent.document.file_id
            with tempfile.TemporaryDirectory(prefix="renja-bench-") as folder:
                clock = MovableClock()
                services = office(Path(folder), clock)
                for telegram_id in chats[1:]:
                    officials.register_official(
                        services,
                        telegram_id=telegram_id,
                        name=f"Peserta {telegram_id}",
                        position="forum_skpd",
                        unit=f"Dinas {telegram_id}",
                    )
                draft = to_the_meeting(services, undangan)
                count_as_delivered(services)  # what the draft owed so far went long ago
                schedule_meeting(services, draft_id=draft, starts=START + timedelta(days=2))
                # The Kasubbag's questions and confirmation: theirs, not the invitations.
                count_as_delivered(services, chat_id=KASUBBAG)
                await control.set_flood_limits()
                await control.reset_stats()
                sender = Sender(engine=services.engine, bot=bot, pacing=Pacing())
                began = time.perf_counter()
                await sender.start()
                try:
                    await sender.drain(seconds=max(60.0, participants / 3))
                    seconds = time.perf_counter() - began
                finally:
                    await sender.stop()
                services.engine.dispose()
        stats = await control.stats()
        await control.set_flood_limits(False)
    accepted = sum(stats.chat(telegram_id).accepted for telegram_id in chats)
    assert accepted == MESSAGES_PER_INVITATION * participants, accepted
    # Messages the participants' chats took (an album's files each count).
    return Delivery(participants, seconds, accepted, stats.too_many_requests)


def to_the_meeting(services: Services, undangan_file_id: str) -> int:
    """A new draft, taken through the use cases to its Forum SKPD meeting; its id."""
    draft = drafts.start_draft(services, telegram_id=KASUBBAG, title="Renja 2027").draft.id
    steps: list[tuple[int, Action]] = [
        (KASUBBAG, Upload("konsep_pendahuluan")),
        (KASUBBAG, Submit()),
        (SEKRETARIS, Approve()),
        (KASUBBAG, Upload("nota_dinas")),
        (KASUBBAG, Submit()),
        (103, Upload("rencana_kerja_unit")),
        (103, Submit()),
        (SEKRETARIS, Upload("rencana_kerja_unit")),
        (SEKRETARIS, Submit()),
        (KASUBBAG, Upload("undangan_rapat")),
        (KASUBBAG, Submit()),
    ]
    for index, (who, action) in enumerate(steps):
        document = None
        if isinstance(action, Upload):
            file_id = undangan_file_id if action.document == "undangan_rapat" else None
            document = new_file(f"{index}.pdf", file_id)
        drafts.act(services, telegram_id=who, draft_id=draft, action=action, new_file=document)
    return draft
