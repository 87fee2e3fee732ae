"""The database tables. The database is the source of truth for every draft and action."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Index, UniqueConstraint, false
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class AwareDateTime(TypeDecorator[datetime]):
    """Always hands back timezone-aware UTC datetimes; refuses naive ones.

    PostgreSQL keeps them as `timestamptz`; SQLite, which keeps no zone, as UTC without one.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: every time must carry a time zone")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if _zoneless(dialect) else utc

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _zoneless(dialect: Any) -> bool:
    return dialect is None or getattr(dialect, "name", "") == "sqlite"


class Agency(SQLModel, table=True):
    """An agency (instansi, an SKPD) of the region: its officials hold the office's positions
    within it and run their own drafts; one bot serves several."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    """How commands name it (`dinkes`)."""
    name: str
    created_at: datetime = Field(sa_type=AwareDateTime)


class Official(SQLModel, table=True):
    """A person who uses the bot, known by their Telegram account, in one agency."""

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_type=BigInteger, unique=True)
    name: str
    username: str | None = None
    active: bool = True
    created_at: datetime = Field(sa_type=AwareDateTime)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    agency_admin: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    """Administers their agency: invites its officials, registers its groups."""


class Assignment(SQLModel, table=True):
    """An official holding a position (for a unit) during a period; acting ones too."""

    id: int | None = Field(default=None, primary_key=True)
    official_id: int = Field(foreign_key="official.id", index=True)
    position: str = Field(index=True)
    unit: str | None = None
    acting: str | None = None
    valid_from: datetime = Field(sa_type=AwareDateTime)
    valid_until: datetime | None = Field(default=None, sa_type=AwareDateTime)
    replaces_id: int | None = Field(default=None, foreign_key="assignment.id")
    """For an acting official: the holder's assignment they stand in for. While it lasts the
    roster has them in the holder's place (an acting one without it is one holder more)."""


class ActingPeriod(SQLModel, table=True):
    """An acting official (Plh. or Plt.) for a holder, from its proposal (/plh) to its end.

    Set (`ditetapkan`), it has an `assignment`; when `valid_until` has passed, the scheduler
    claims its end (`ended_at` set where it was empty) and gives the holder their tasks back.
    """

    __tablename__ = "acting_period"
    # "The earliest period still to end" reads this index in order and stops at the first.
    __table_args__ = (Index("ix_acting_period_ending", "status", "ended_at", "valid_until"),)

    id: int | None = Field(default=None, primary_key=True)
    acting: str
    """'Plh.' or 'Plt.'."""
    position: str
    unit: str | None = None
    official_id: int = Field(foreign_key="official.id", index=True)
    """Who acts."""
    holder_id: int = Field(foreign_key="official.id")
    replaces_id: int = Field(foreign_key="assignment.id")
    """The holder's assignment."""
    valid_until: datetime = Field(sa_type=AwareDateTime)
    status: str
    """'usulan' (proposed, awaiting ✅ Tetapkan), 'ditetapkan' (set) or 'dibatalkan'."""
    proposed_by: int = Field(sa_type=BigInteger)
    """The Telegram id of whoever proposed it (only they can set it)."""
    proposed_at: datetime = Field(sa_type=AwareDateTime)
    valid_from: datetime | None = Field(default=None, sa_type=AwareDateTime)
    """When it was set: the period starts then."""
    assignment_id: int | None = Field(default=None, foreign_key="assignment.id")
    ended_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    """When its end was acted on (the tasks returned to the holder)."""


class Draft(SQLModel, table=True):
    """One run of an SOP: a Renja draft for one year."""

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    """The agency whose draft it is (its creator's): its roster acts on it, and only its
    officials see it."""
    sop_id: str = Field(index=True)
    title: str
    year: int
    status: str = Field(index=True)
    revision: int = 0
    """Bumped on every change, so two concurrent changes cannot both win."""
    created_by: int = Field(foreign_key="official.id")
    created_at: datetime = Field(sa_type=AwareDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    signed_by: int | None = Field(default=None, foreign_key="official.id")
    result: str | None = None
    """The stated result of the outcome that ended it ("Surat dikembalikan ke pengirim")."""
    audit_head: str = Field(default="0" * 64, sa_column_kwargs={"server_default": "0" * 64})
    """The hash of the last entry of its audit trail (storage/audit.py); zeros before any."""


class DraftTask(SQLModel, table=True):
    """Each time a draft enters a task: the open one, and every one before it."""

    # "The open task of this draft" reads this index. Given only the index on `is_open`,
    # SQLite picks it and walks every open task of every draft.
    __table_args__ = (Index("ix_drafttask_open_of_draft", "draft_id", "is_open"),)

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    task_id: str
    row_no: int
    is_open: bool = Field(default=True, index=True)
    entered_at: datetime = Field(sa_type=AwareDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    closed_by: int | None = Field(default=None, foreign_key="official.id")
    outcome: str | None = None
    return_note: str | None = None
    shares: list[str] = Field(default_factory=list, sa_type=JSON)
    submitted: list[str] = Field(default_factory=list, sa_type=JSON)


class DocumentVersion(SQLModel, table=True):
    """One uploaded version of one document of a draft, archived and hashed."""

    __table_args__ = (UniqueConstraint("draft_id", "document", "share", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    draft_task_id: int = Field(foreign_key="drafttask.id", index=True)
    document: str
    share: str = ""
    version: int
    file_name: str
    mime_type: str
    size: int
    sha256: str = Field(index=True)
    telegram_file_id: str
    telegram_file_unique_id: str = ""
    stored_path: str
    number: str | None = None
    """The official document number, for documents that carry one (Nota Dinas)."""
    media: str = Field(default="dokumen", sa_column_kwargs={"server_default": "dokumen"})
    """How Telegram holds the file: 'dokumen' or 'foto' (a photo's id cannot be sent as a
    document, nor the other way round)."""
    uploaded_by: int = Field(foreign_key="official.id")
    uploaded_at: datetime = Field(sa_type=AwareDateTime)


class AuditEntry(SQLModel, table=True):
    """Append-only: who did what to which draft, when, with which document version.

    Each entry is chained to the one before it in the same draft (storage/audit.py)."""

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    at: datetime = Field(sa_type=AwareDateTime)
    actor_id: int | None = Field(default=None, foreign_key="official.id")
    position: str = ""
    acting: str | None = None
    action: str
    task_id: str
    row_no: int
    note: str | None = None
    document_version_id: int | None = Field(default=None, foreign_key="documentversion.id")
    share: str = ""
    on_behalf_of: str | None = None
    """The outside party (position key) the official acted for ("atas nama")."""
    choice: str | None = None
    """The label of the named outcome chosen at a decision."""
    prev_hash: str = Field(default="", sa_column_kwargs={"server_default": ""})
    """The `entry_hash` of the draft's entry before this one (zeros for the first)."""
    entry_hash: str = Field(default="", sa_column_kwargs={"server_default": ""})
    """The SHA-256 (hex) of this entry's canonical content, `prev_hash` included."""


class RowClock(SQLModel, table=True):
    """Each time a draft enters a row: when, when it is due, when it left and how."""

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    row_no: int
    standard_minutes: int
    """The row's time in working minutes from entering to its due time (a row of days
    counts the minutes of those days, as the calendar had them when it was entered)."""
    standard_text: str = Field(default="", sa_column_kwargs={"server_default": ""})
    """The row's time as the SOP writes it ('60 menit', '1 hari'), shown to people."""
    entered_at: datetime = Field(sa_type=AwareDateTime)
    due_at: datetime = Field(sa_type=AwareDateTime, index=True)
    left_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    completed: bool | None = None
    minutes_used: int | None = None
    """Working minutes between entering and leaving, against the standard (waits excluded)."""
    wait_from: datetime | None = Field(default=None, sa_type=AwareDateTime)
    wait_until: datetime | None = Field(default=None, sa_type=AwareDateTime)
    """A wait for a scheduled meeting: from scheduling to the meeting's start. Its working
    minutes do not count against the row's standard."""
    waited_minutes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    """Working minutes of waits already over (a cancelled meeting's, or all when left)."""


class Invite(SQLModel, table=True):
    """A one-time link that registers whoever opens it in a position."""

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(unique=True, index=True)
    position: str
    unit: str | None = None
    created_by: int = Field(sa_type=BigInteger)
    """The administrator's Telegram id."""
    created_at: datetime = Field(sa_type=AwareDateTime)
    expires_at: datetime = Field(sa_type=AwareDateTime)
    used_by: int | None = Field(default=None, foreign_key="official.id")
    used_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    agency_id: int = Field(foreign_key="agency.id")
    """The agency whoever opens it joins."""


class PendingReply(SQLModel, table=True):
    """An official pressed Kembalikan (or an outcome that asks for a note, or ⏭ Lewati):
    their next text is the reason (or arahan, or note)."""

    id: int | None = Field(default=None, primary_key=True)
    official_id: int = Field(foreign_key="official.id", unique=True)
    draft_task_id: int = Field(foreign_key="drafttask.id")
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    message_id: int | None = None
    """The task message whose buttons go once the return is made."""
    created_at: datetime = Field(sa_type=AwareDateTime)
    choice: int | None = None
    """The decision's outcome (index into its outcomes) the note is for; None: a return."""
    skip: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    """The note is the reason an optional step is skipped."""


class StagedUpload(SQLModel, table=True):
    """A file received whose output the official has not named yet."""

    id: int | None = Field(default=None, primary_key=True)
    official_id: int = Field(foreign_key="official.id", index=True)
    telegram_file_id: str
    telegram_file_unique_id: str = ""
    file_name: str
    mime_type: str
    size: int
    options: list[list[str]] = Field(default_factory=list, sa_type=JSON)
    """The outputs it may be: [draft task id, document key] pairs, as offered."""
    created_at: datetime = Field(sa_type=AwareDateTime)
    resolved: bool = False


class Reminder(SQLModel, table=True):
    """A reminder of a row entry: when it is due, and whether it went out.

    Sending first claims the row (`sent_at` set where it was empty), so a reminder can
    never go out twice; one that is no longer needed is cancelled or skipped instead.
    """

    # "The earliest waiting reminder" reads this index in order and stops at the first row.
    __table_args__ = (Index("ix_reminder_waiting", "sent_at", "cancelled_at", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    row_clock_id: int = Field(foreign_key="rowclock.id", index=True)
    kind: str
    due_at: datetime = Field(sa_type=AwareDateTime, index=True)
    sent_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    outcome: str | None = None
    """'terkirim', 'dilewati' (a later one went out instead) or 'dibatalkan' (row left)."""
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    """For a meeting's reminder (kinds 'rapat_*'): the meeting."""


class OutboxMessage(SQLModel, table=True):
    """A message the bot owes someone, written with the state change that caused it.

    The sender delivers the rows of one chat in `id` order, one at a time, until each is sent
    or has failed for good. A row is claimed before it is sent (`claimed_until`), so two
    bot processes never send the same row; a claim that outlives its process expires.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_waiting_chat", "status", "chat_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger)
    official_id: int | None = Field(default=None, foreign_key="official.id")
    """Who the chat belongs to, when it is an official's (for the administrators' notice)."""
    kind: str
    """'pesan', 'dokumen', 'album', 'ubah_teks' or 'hapus_tombol'."""
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    edit_of: int | None = Field(default=None)
    """For an edit of a message the outbox itself sent: that row's id."""
    tag: str | None = Field(default=None, index=True)
    """What the message is about (e.g. a task's buttons), so it can be edited later."""
    status: str = "menunggu"
    """'menunggu' (waiting), 'terkirim' (sent) or 'gagal' (failed for good)."""
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=AwareDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=AwareDateTime)
    claimed_by: str | None = None
    last_error: str | None = None
    telegram_message_id: int | None = None
    created_at: datetime = Field(sa_type=AwareDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class HandledUpdate(SQLModel, table=True):
    """A Telegram update that changed something: delivered again, it changes nothing."""

    __tablename__ = "handled_update"

    update_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    at: datetime = Field(sa_type=AwareDateTime)


class InboxUpdate(SQLModel, table=True):
    """An update received from Telegram and not yet handled to the end.

    Stored before Telegram is told it arrived, removed once handled: an update fetched by a
    process that was killed is handled by the next one, not lost.
    """

    __tablename__ = "inbox_update"

    update_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    received_at: datetime = Field(sa_type=AwareDateTime)
    """When it was received; in webhook mode renewed while its process still handles it, so
    that an update older than INBOX_LEASE_SECONDS was left by a process that died."""


class Meeting(SQLModel, table=True):
    """A scheduled meeting of a `rapat` task: when, where, what, and its group post."""

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    draft_task_id: int = Field(foreign_key="drafttask.id", index=True)
    organiser_id: int = Field(foreign_key="official.id")
    status: str = Field(index=True)
    """'dijadwalkan' (scheduled), 'dibatalkan' (cancelled) or 'selesai' (results sent)."""
    starts_at: datetime = Field(sa_type=AwareDateTime)
    ends_at: datetime = Field(sa_type=AwareDateTime)
    place: str
    agenda: str
    undangan_version_id: int | None = Field(default=None, foreign_key="documentversion.id")
    """The signed Undangan sent with the invitations, if one was chosen."""
    sequence: int = 0
    """The calendar files' SEQUENCE: 0 when scheduled, one more on every change."""
    group_chat_id: int | None = Field(default=None, sa_type=BigInteger)
    group_post_id: int | None = None
    """The outbox row of the post in the participants' group, edited as answers arrive."""
    created_at: datetime = Field(sa_type=AwareDateTime)
    updated_at: datetime = Field(sa_type=AwareDateTime)


class MeetingInvitee(SQLModel, table=True):
    """One participant of a meeting and their answer (the latest; every answer is audited)."""

    __tablename__ = "meeting_invitee"
    __table_args__ = (UniqueConstraint("meeting_id", "official_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    official_id: int = Field(foreign_key="official.id", index=True)
    unit: str | None = None
    """The participant's agency (instansi), as registered."""
    answer: str | None = None
    """'hadir', 'tidak_hadir', 'diwakilkan', or None while they have not answered."""
    deputy: str | None = None
    """Who attends for them (name and position), when diwakilkan."""
    answered_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    reconfirm: bool = False
    """The meeting changed after they answered: their answer stands until they confirm."""
    invitation_id: int | None = None
    """The outbox row of their invitation (whether it could be delivered)."""


class MeetingInput(SQLModel, table=True):
    """What the bot waits to hear from an official about a meeting.

    The organiser scheduling or rescheduling step by step (`kind` 'jadwal' or 'ubah'), or a
    participant naming their deputy ('wakil'). One at a time per official.
    """

    __tablename__ = "meeting_input"

    id: int | None = Field(default=None, primary_key=True)
    official_id: int = Field(foreign_key="official.id", unique=True)
    kind: str
    draft_task_id: int | None = Field(default=None, foreign_key="drafttask.id")
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    step: str
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = Field(sa_type=AwareDateTime)


class PositionGroup(SQLModel, table=True):
    """A Telegram group of a position's holders (the Forum SKPD's), where the bot posts."""

    __tablename__ = "position_group"

    id: int | None = Field(default=None, primary_key=True)
    position: str = Field(index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    """Whose meetings are posted there: one agency's."""
    chat_id: int = Field(sa_type=BigInteger, unique=True)
    title: str = ""
    registered_by: int = Field(sa_type=BigInteger)
    """The administrator's Telegram id."""
    registered_at: datetime = Field(sa_type=AwareDateTime)
    active: bool = True
