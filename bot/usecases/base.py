"""What every use case works with, and the checks several of them share.

A use case is a function taking `Services` first and keyword-only arguments after it. It
opens one session, loads what it needs, asks the pure engine, writes the result and commits
once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.config import ConfigError, Settings
from bot.usecases.errors import AlreadyHandled, DraftNotFound, NotRegistered, StaleTask
from storage import drafts as draft_store
from storage import officials as official_store
from storage import updates as update_store
from storage.db import locks_rows, make_engine, reader
from storage.models import Draft, DraftTask, Official
from storage.officials import Staff
from workflow.calendar import OfficeCalendar
from workflow.engine import Actor
from workflow.organisation import Organisation, load_organisation
from workflow.sop import Sop, load_sops

Clock = Callable[[], datetime]


@dataclass(kw_only=True)
class Services:
    """One database, the loaded SOPs, the office calendar, the clock, and the settings the
    use cases and handlers need."""

    engine: Engine
    sops: dict[str, Sop]
    calendar: OfficeCalendar
    clock: Clock
    files_dir: Path
    """Where received files are archived."""
    max_upload_bytes: int
    admins: frozenset[int] = frozenset()
    report_positions: frozenset[str] = frozenset({"kepala_badan", "sekretaris"})
    """Positions whose holders (acting ones too) may ask for a performance report."""
    invite_valid: timedelta = timedelta(hours=72)
    default_sop: str = "menyusun-rencana-kerja"
    display_tz: ZoneInfo | None = None
    """The time zone of every time shown (TIMEZONE); without it, the calendar's."""
    meeting_minutes: int = 120
    meeting_organizer_email: str = "renja-bot@bappeda.invalid"
    group_edit_seconds: float = 10.0

    def __post_init__(self) -> None:
        if self.default_sop not in self.sops:
            self.default_sop = next(iter(self.sops))

    @property
    def organisation(self) -> Organisation:
        """The office whose positions the SOPs name (all are loaded against the same one)."""
        return next(iter(self.sops.values())).organisation

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session that only reads: it does not queue behind writers for the lock."""
        with Session(reader(self.engine), expire_on_commit=False) as session:
            yield session

    @property
    def tz(self) -> ZoneInfo:
        return self.display_tz or self.calendar.tz


def load_office_sops(settings: Settings) -> dict[str, Sop]:
    """The SOPs of the configured folder, read against the configured organisation."""
    organisation = load_organisation(settings.organization_file)
    return load_sops(settings.sops_dir, organisation=organisation)


def report_positions(settings: Settings, organisation: Organisation) -> frozenset[str]:
    """REPORT_POSITIONS, each a position of the office."""
    unknown = [key for key in settings.report_positions if key not in organisation.positions]
    if unknown:
        known = ", ".join(organisation.positions)
        raise ConfigError(
            f"REPORT_POSITIONS: jabatan {', '.join(unknown)} tidak ada di organisasi kantor "
            f"({settings.organization_file}). Pilihan: {known}."
        )
    return frozenset(settings.report_positions)


def build_services(settings: Settings) -> Services:
    """The services over the configured database, SOP folder and office calendar."""
    organisation = load_organisation(settings.organization_file)
    sops = load_sops(settings.sops_dir, organisation=organisation)
    return Services(
        engine=make_engine(settings.database_url),
        sops=sops,
        calendar=OfficeCalendar.from_file(settings.calendar_file),
        clock=lambda: datetime.now(UTC),
        files_dir=settings.files_dir,
        max_upload_bytes=settings.max_upload_bytes,
        admins=frozenset(settings.admin_telegram_ids),
        report_positions=report_positions(settings, organisation),
        invite_valid=timedelta(hours=settings.invite_valid_hours),
        display_tz=ZoneInfo(settings.timezone),
        meeting_minutes=settings.meeting_minutes,
        meeting_organizer_email=settings.meeting_organizer_email,
        group_edit_seconds=settings.group_edit_seconds,
    )


@dataclass(frozen=True)
class Origin:
    """Where an action came from: its update, and the message whose button was pressed."""

    update_id: int | None = None
    chat_id: int | None = None
    message_id: int | None = None
    message_html: str | None = None
    """The pressed message's text, rewritten with the decision once it is made."""


def mark_handled(session: Session, origin: Origin | None, now: datetime) -> None:
    """Refuse an update that already changed something (Telegram delivers it again after a
    restart that came before the bot confirmed it)."""
    if origin is None or origin.update_id is None:
        return
    if not update_store.mark_handled(session, update_id=origin.update_id, now=now):
        raise AlreadyHandled(origin.update_id)


def require_actor(
    session: Session, *, telegram_id: int, now: datetime, staff: Staff | None = None
) -> Actor:
    """The registered, active official behind the account (from `staff` when it has them:
    an official holding no position is read on their own)."""
    actor = staff.actor(telegram_id) if staff is not None else None
    if actor is None:
        actor = official_store.actor(session, telegram_id=telegram_id, now=now)
    if actor is None:
        raise NotRegistered(telegram_id)
    return actor


def require_official(session: Session, *, telegram_id: int) -> Official:
    """The registered, active official behind the account (with their agency)."""
    official = official_store.official_by_telegram_id(session, telegram_id=telegram_id)
    if official is None or not official.active:
        raise NotRegistered(telegram_id)
    return official


@dataclass(frozen=True)
class Member:
    """A registered official as a use case sees them: their positions, and their agency."""

    actor: Actor
    agency_id: int
    agency_admin: bool


def require_member(session: Session, *, telegram_id: int, now: datetime) -> Member:
    """The registered, active official behind the account, with their agency."""
    official = require_official(session, telegram_id=telegram_id)
    return Member(
        actor=official_store.actor_of(session, official=official, now=now),
        agency_id=official.agency_id,
        agency_admin=official.agency_admin,
    )


@dataclass(frozen=True)
class Scope:
    """Whose drafts a reader sees: one agency's, or (a province-level administrator) every
    agency's, each shown with its agency's name."""

    agency_id: int | None
    """None: every agency."""

    @property
    def every(self) -> bool:
        return self.agency_id is None


EVERY_AGENCY = Scope(None)


def require_draft(
    session: Session, *, sops: dict[str, Sop], draft_id: int, agency_id: int | None
) -> Draft:
    """The draft, if it is one of `agency_id` (None: of any agency, for a province-level
    reader, or for a draft the bot's own rows name). A draft of another agency is refused
    exactly as one that does not exist: its number tells nothing. In a session that writes,
    the draft is locked until its commit (changes of one draft wait for each other, as
    SQLite's single writer makes them)."""
    draft = draft_store.get_draft(session, draft_id=draft_id, lock=locks_rows(session))
    if draft is None or draft.sop_id not in sops:
        raise DraftNotFound(draft_id)
    if agency_id is not None and draft.agency_id != agency_id:
        raise DraftNotFound(draft_id)
    return draft


@dataclass(frozen=True)
class Party:
    """A draft an official acts on, the staff of the draft's agency (its roster, the people
    to tell), and the official, who is one of that agency."""

    draft: Draft
    staff: Staff
    actor: Actor


def require_party(
    session: Session, *, sops: dict[str, Sop], draft_id: int, telegram_id: int, now: datetime
) -> Party:
    """The draft an official acts on, with the staff of its agency (read once, in one query:
    the roster, the actor, the people to tell). An official of another agency is told the
    draft does not exist; a stranger, that they are not registered. In a session that
    writes, the draft is locked until its commit, as `require_draft` locks it."""
    try:
        draft = require_draft(session, sops=sops, draft_id=draft_id, agency_id=None)
    except DraftNotFound:
        require_official(session, telegram_id=telegram_id)  # a stranger: not registered
        raise
    staff = official_store.staff(session, now=now, agency_id=draft.agency_id)
    actor = staff.actor(telegram_id)
    if actor is None:  # not holding a position of the draft's agency now: read on their own
        official = require_official(session, telegram_id=telegram_id)
        if official.agency_id != draft.agency_id:
            raise DraftNotFound(draft_id)
        actor = official_store.actor_of(session, official=official, now=now)
    return Party(draft, staff, actor)


def require_open(
    session: Session,
    *,
    sop: Sop,
    draft_task_id: int,
    draft_id: int,
    task: DraftTask | None = None,
) -> None:
    """The pressed task is still open (`task`: it, when the caller has read it already)."""
    if task is None or task.id != draft_task_id:
        task = draft_store.draft_task(session, draft_task_id=draft_task_id)
    if task is None or task.draft_id != draft_id:
        raise DraftNotFound(draft_id)
    if not task.is_open:
        handler = None
        if task.closed_by is not None:
            official = official_store.official_by_id(session, official_id=task.closed_by)
            handler = official.name if official else None
        raise StaleTask(
            task_title=sop.task(task.task_id).judul,
            handled_by=handler,
            handled_at=task.closed_at,
            outcome=task.outcome,
        )
