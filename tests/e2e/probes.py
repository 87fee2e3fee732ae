"""What hostile-input tests look at: everything that matters, and when the bot is done."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import SQLModel, select

from bot.usecases.base import Services
from handlers.common import THROTTLE
from storage import files
from storage.models import (
    ActingPeriod,
    Assignment,
    AuditEntry,
    DocumentVersion,
    Draft,
    DraftTask,
    Invite,
    Official,
    PendingReply,
    Reminder,
    RowClock,
    StagedUpload,
)
from tests.e2e.conftest import Office

STATE: tuple[type[SQLModel], ...] = (
    Official,
    Assignment,
    ActingPeriod,
    Draft,
    DraftTask,
    DocumentVersion,
    AuditEntry,
    RowClock,
    Reminder,
    Invite,
    PendingReply,
    StagedUpload,
)
"""Every table whose rows are the office's state; the outbox and handled updates are not."""

Snapshot = dict[str, list[dict[str, Any]]]


def snapshot(services: Services) -> Snapshot:
    """Every row of the office's state, and the archived files, in a comparable form."""
    found: Snapshot = {}
    with services.session() as session:
        for model in STATE:
            rows = session.exec(select(model)).all()
            found[model.__name__] = sorted(
                (row.model_dump() for row in rows), key=lambda row: row["id"]
            )
    found["files"] = [{"path": path} for path in archived(services.files_dir)]
    return found


def archived(files_dir: Path) -> list[str]:
    """The archive's files, relative to it: what was received. The flowcharts the bot drew
    for /sop (`storage.files.PICTURES`) are a cache of the SOP files, and the reports'
    charts and workbooks (`storage.files.REPORTS`) are drawn from the state: neither is
    state itself, and those who may ask for them may do so at any time."""
    if not files_dir.exists():
        return []
    return sorted(
        p.relative_to(files_dir).as_posix()
        for p in files_dir.rglob("*")
        if p.is_file() and p.relative_to(files_dir).parts[0] not in (files.PICTURES, files.REPORTS)
    )


async def settle(
    office: Office, *, deliver: bool = True, quiet_polls: int = 3, seconds: float = 15.0
) -> None:
    """Wait until every update was fetched and handled, and (`deliver`) every message owed
    was delivered."""
    application = office.application
    assert application is not None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    quiet = 0
    while quiet < quiet_polls:
        if loop.time() > deadline:
            raise TimeoutError("the bot did not settle")
        busy = (
            bool(await office.control.pending_updates())
            or not application.update_queue.empty()
            or application.update_processor.current_concurrent_updates > 0
            or bool(application.bot_data.updates_in_flight)
        )
        quiet = 0 if busy else quiet + 1
        await asyncio.sleep(0.005)
    sender = application.bot_data.sender
    assert sender is not None
    if deliver:
        await sender.drain()


def failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Records of errors: anything logged at ERROR or above, and anything with a traceback."""
    return [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def forget_throttle() -> None:
    """The throttle is one per process: a test must not inherit another test's silences."""
    THROTTLE.last.clear()
