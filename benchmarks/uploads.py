"""Upload latency and SQL statements per approval, with few drafts and with many.

The Kasubbag has an open upload task (Konsep pendahuluan Renja) in every one of N drafts and
sends a document whose caption names the draft and the output ("#12 Konsep pendahuluan
Renja"); the time is taken from sending it until the receipt ("✅ Diterima") is on the
phone. Two offices, of the smaller and of the larger N, each with its own
bot and emulator, are measured in turns: the aim is the same cost at both.

Statements are counted with SQLAlchemy's `before_cursor_execute` on the engine, for one
approval (`drafts.act`, as the Setujui handler calls it), with the bot stopped so that only
the approval's own statements count (BEGIN IMMEDIATE included).
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

from benchmarks.common import (
    KASUBBAG,
    SEKRETARIS,
    START,
    bot_process,
    count_as_delivered,
    emulator_process,
    new_file,
    office,
    percentile,
)
from benchmarks.decisions import phones
from bot import notify
from bot.usecases import drafts
from bot.usecases.base import Origin, Services
from emulator import EmulatorClient, SimulatedUser
from storage import drafts as draft_store
from storage import outbox as outbox_store
from workflow.engine import Approve, Submit, Upload

OUTPUT = "Konsep pendahuluan Renja"
PDF = b"%PDF-1.4 konsep pendahuluan"


@dataclass(frozen=True)
class AtSize:
    """One office size: its upload latencies and the statements of one approval."""

    drafts: int
    upload_seconds: list[float]
    statements: int

    @property
    def median(self) -> float:
        return percentile(self.upload_seconds, 50)


def start_drafts(services: Services, count: int) -> None:
    for _ in range(count):
        drafts.start_draft(services, telegram_id=KASUBBAG, title="Renja BAPPEDA")


def statements_per_approval(services: Services, draft_id: int, update_id: int) -> int:
    """Bring a draft to the review, then count the statements of its approval."""
    drafts.act(
        services,
        telegram_id=KASUBBAG,
        draft_id=draft_id,
        action=Upload("konsep_pendahuluan"),
        new_file=new_file(f"konsep-{draft_id}.pdf"),
    )
    drafts.act(services, telegram_id=KASUBBAG, draft_id=draft_id, action=Submit())
    with services.session() as session:
        task = draft_store.open_task(session, draft_id=draft_id)
        assert task is not None and task.id is not None
        task_id = task.id
        # The Sekretaris's task message arrives (as the sender would record it), so that the
        # press below is on it, as a real press is: its buttons need no separate removal.
        now = datetime.now(UTC)
        heads = outbox_store.claim_heads(
            session, now=now, worker="bench", lease=timedelta(minutes=1), limit=1_000
        )
        for row in heads:
            assert row.id is not None
            outbox_store.mark_sent(
                session, row_id=row.id, worker="bench", now=now, message_id=row.id
            )
        session.commit()
        (pressed,) = [row.id for row in heads if row.tag == notify.task_tag(task_id)]
    count = 0

    def counted(*_: Any) -> None:
        nonlocal count
        count += 1

    event.listen(services.engine, "before_cursor_execute", counted)
    try:
        drafts.act(
            services,
            telegram_id=SEKRETARIS,
            draft_id=draft_id,
            action=Approve(),
            draft_task_id=task_id,
            origin=Origin(
                update_id=update_id,
                chat_id=SEKRETARIS,
                message_id=pressed,
                message_html="<b>Telaah Konsep pendahuluan Renja</b>",
            ),
        )
    finally:
        event.remove(services.engine, "before_cursor_execute", counted)
    return count


async def upload(kasubbag: SimulatedUser, draft_id: int) -> float:
    """Seconds from sending a file for a draft until its receipt is on the phone."""
    began = time.perf_counter()
    await kasubbag.send_document(
        f"konsep-{draft_id}.pdf", PDF, "application/pdf", caption=f"#{draft_id} {OUTPUT}"
    )
    (*_, receipt) = await kasubbag.wait_for_messages(
        lambda m: m.body.startswith("✅ Diterima"), timeout=60
    )
    seconds = time.perf_counter() - began
    if OUTPUT not in receipt.body:
        raise RuntimeError(f"unexpected receipt: {receipt.body}")
    return seconds


def prepare(folder: Path, size: int, samples: int) -> tuple[int, list[int]]:
    """An office of `size` drafts; the statements of one approval there, and the drafts to
    upload to (any but that one, none twice)."""
    services = office(folder, lambda: START)
    start_drafts(services, size)
    approve, *ids = random.Random(size).sample(range(1, size + 1), samples + 2)
    statements = statements_per_approval(services, approve, 1_000_000 + size)
    count_as_delivered(services)
    services.engine.dispose()
    return statements, ids


async def run(sizes: tuple[int, int], samples: int) -> list[AtSize]:
    """Latency and statements at each size.

    Each office has its bot and an emulator of its own, both started afresh; the uploads
    alternate between them, so that whatever else the machine does at that moment weighs
    on both sizes alike.
    """
    with tempfile.TemporaryDirectory(prefix="renja-bench-") as folder:
        roots = [Path(folder) / f"office-{size}" for size in sizes]
        prepared = [
            await asyncio.to_thread(prepare, root, size, samples)
            for root, size in zip(roots, sizes, strict=True)
        ]
        async with AsyncExitStack() as stack:
            emulators = [await stack.enter_async_context(emulator_process()) for _ in sizes]
            kasubbags: list[SimulatedUser] = []
            for each, root in zip(emulators, roots, strict=True):
                control = await stack.enter_async_context(EmulatorClient(each.control_url))
                await control.reset()
                kasubbags += await phones(control, [KASUBBAG])
                await stack.enter_async_context(bot_process(each, "ours", root))
            seconds: list[list[float]] = [[], []]
            for turn in range(samples + 1):
                order = [0, 1] if turn % 2 == 0 else [1, 0]
                for which in order:
                    ids = prepared[which][1]
                    seconds[which].append(await upload(kasubbags[which], ids[turn]))
    # The first upload to each waited for its bot to start: not counted.
    return [
        AtSize(size, taken[1:], statements)
        for size, taken, (statements, _) in zip(sizes, seconds, prepared, strict=True)
    ]
