"""Use cases: what officials and administrators can do, independent of Telegram.

Each method opens one session, loads what it needs, asks the pure engine, writes the
result and commits once. Results are plain values (views), never open database rows, so a
caller can send Telegram messages after the session has closed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.usecases.base import Services
from storage.db import make_engine
from workflow.calendar import OfficeCalendar
from workflow.sop import load_sops


class Workflow(Services):
    """The application's use cases, being moved out into one module per feature."""


def build_workflow(settings: Settings) -> Workflow:
    """The use cases over the configured database, SOP folder and office calendar."""
    return Workflow(
        engine=make_engine(settings.database_url),
        sops=load_sops(settings.sops_dir),
        calendar=OfficeCalendar.from_file(settings.calendar_file),
        clock=lambda: datetime.now(UTC),
        files_dir=settings.files_dir,
        max_upload_bytes=settings.max_upload_bytes,
        admins=frozenset(settings.admin_telegram_ids),
        invite_valid=timedelta(hours=settings.invite_valid_hours),
        display_tz=ZoneInfo(settings.timezone),
    )
