"""What use cases return: plain values, never open database rows, and the builders that
turn rows into them. A caller can send Telegram messages after the session has closed."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import IntEnum
from pathlib import Path

from sqlmodel import Session

from storage import agencies as agency_store
from storage import drafts as draft_store
from storage import officials as official_store
from storage.audit import EntryProblem, FileProblem
from storage.models import DocumentVersion, Draft, DraftTask, Official, RowClock
from storage.officials import Staff
from workflow.engine import (
    NO_SHARE,
    DraftState,
    Holder,
    Notice,
    NoticeReason,
    RowEntered,
    RowLeft,
    Transition,
    holders_of,
    missing_documents,
    pending_shares,
    share_for,
)
from workflow.reminders import ReminderKind
from workflow.sop import Sop, Task, TaskKind


@dataclass(frozen=True)
class Person:
    official_id: int
    telegram_id: int
    name: str


@dataclass(frozen=True)
class DraftView:
    id: int
    sop_id: str
    title: str
    year: int
    status: str
    created_at: datetime
    finished_at: datetime | None
    result: str | None = None
    """The stated result it ended with ("Surat dikembalikan ke pengirim"), if any."""
    chain_head: str = ""
    """The hash of the last entry of its audit trail (storage/audit.py)."""


@dataclass(frozen=True)
class DossierSummary:
    """What `renja-bot draft export` wrote."""

    draft_id: int
    path: Path
    entries: int
    documents: int
    members: int
    """Files in the ZIP, the manifest not counted."""
    manifest: str
    chain_head: str
    chain_problem: EntryProblem | None
    """The first problem of the draft's chain, if it does not check out."""
    file_problems: list[FileProblem]
    """Archived files missing (left out of the ZIP) or changed (put in as they are)."""


@dataclass(frozen=True)
class DocumentView:
    version_id: int
    document: str
    name: str
    share: str
    version: int
    file_name: str
    mime_type: str
    size: int
    sha256: str
    telegram_file_id: str
    stored_path: str
    uploaded_by: str
    uploaded_at: datetime
    number: str | None
    media: str = "dokumen"
    """'dokumen' or 'foto': how Telegram holds the file."""


@dataclass(frozen=True)
class UnitPart:
    """One unit's part of a parallel task (unggah_paralel), or one position's part of a
    joint step (bersama: semua)."""

    unit: str
    holder_ids: frozenset[int]
    missing: tuple[str, ...]
    """Names of the documents this unit must still upload."""
    submitted: bool


@dataclass(frozen=True)
class TaskBriefing:
    """Everything a message about one open task needs.

    In a parallel task `documents` and `missing` cover every unit; what one holder is shown
    comes from `for_holder`, which keeps only the units that holder still submits for.
    """

    draft: DraftView
    draft_task_id: int
    task: Task
    row_no: int
    row_label: str
    """The row's number as the SOP writes it ('2a')."""
    activity: str
    persyaratan: tuple[str, ...]
    outputs: tuple[str, ...]
    standard_text: str
    """The row's time as the SOP writes it ('60 menit', '1 hari')."""
    entered_at: datetime
    due_at: datetime | None
    is_open: bool
    return_note: str | None
    holders: tuple[Person, ...]
    documents: tuple[DocumentView, ...]
    """The latest version of each document the holder must read or has uploaded."""
    missing: tuple[str, ...]
    pending_units: tuple[str, ...]
    submitted_units: tuple[str, ...]
    meeting_at: datetime | None = None
    """For a meeting (rapat): when it starts, once scheduled."""
    parts: tuple[UnitPart, ...] = ()
    """Parallel task: each unit's part."""
    units: tuple[str, ...] = ()
    """Parallel task, as one holder sees it (`for_holder`): the units they still submit for;
    in a joint step, the positions they still act for."""
    acting_for: tuple[str, ...] = ()
    """Outside parties (names) whose result the holders record on their behalf."""

    def for_holder(self, official_id: int) -> TaskBriefing:
        """The task as one holder sees it: in a parallel task, only their own open units'
        documents and what those units still lack; in a joint step, their open parts."""
        mine = [p for p in self.parts if official_id in p.holder_ids and not p.submitted]
        if self.task.is_joint:
            return replace(self, units=tuple(p.unit for p in mine))
        if self.task.jenis != TaskKind.UNGGAH_PARALEL:
            return self
        units = tuple(p.unit for p in mine)
        if len(mine) == 1:
            missing = mine[0].missing
        else:  # several units: say which lacks what
            missing = tuple(f"{name} ({p.unit})" for p in mine for name in p.missing)
        return replace(
            self,
            documents=tuple(d for d in self.documents if d.share in (*units, NO_SHARE)),
            missing=missing,
            units=units,
        )

    @property
    def ready_to_submit(self) -> bool:
        """Whether Kirim can be pressed now: everything uploaded, and in a parallel task
        for exactly one unit of the holder's (the engine refuses a Kirim that is unclear)."""
        if not (self.is_open and self.task.is_upload) or self.missing or not self.documents:
            return False
        if self.task.is_joint:
            return bool(self.units)
        return self.task.jenis != TaskKind.UNGGAH_PARALEL or len(self.units) == 1


@dataclass(frozen=True)
class Outcome:
    """What an action changed, and who must now be told."""

    draft: DraftView
    transition: Transition
    opened: tuple[TaskBriefing, ...]
    people: dict[int, Person]
    document: DocumentView | None = None
    informed: tuple[tuple[Person, str, NoticeReason], ...] = ()
    """People who only need to know: (person, task id of what happened, why they are told)."""
    still_missing: tuple[str, ...] = ()
    """After an upload: what the uploader (for their unit) must still upload."""
    next_reminder_at: datetime | None = None
    """When the earliest waiting reminder falls due, read in the action's transaction;
    only meaningful when `reminders_changed`."""

    @property
    def reminders_changed(self) -> bool:
        """Whether the action planned or cancelled reminders (it entered or left a row)."""
        return any(isinstance(e, RowEntered | RowLeft) for e in self.transition.effects)

    still_open: TaskBriefing | None = None
    """A joint step one position has acted on: the task the others must still act on."""


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: str
    position: str
    acting: str | None
    action: str
    task_id: str
    row_no: int
    note: str | None
    document: DocumentView | None
    on_behalf_of: str | None = None
    """The outside party (its name) the official acted for."""
    choice: str | None = None
    """The label of the outcome chosen at a decision."""
    row_label: str = ""
    """The row's number as the SOP writes it ('2a')."""
    position_name: str = ""
    """The name of the position the official acted in ('Sekretaris')."""


@dataclass(frozen=True)
class RowTime:
    row_no: int
    standard_minutes: int
    """Working minutes from entering the row to its due time."""
    standard_text: str
    """The row's time as the SOP writes it ('60 menit', '1 hari')."""
    row_label: str
    entered_at: datetime
    due_at: datetime
    left_at: datetime | None
    completed: bool | None
    minutes_used: int | None
    waited_minutes: int = 0
    """Working minutes spent waiting for a meeting, not counted against the standard."""
    waiting_until: datetime | None = None
    """While the row waits for a meeting: its start."""


@dataclass(frozen=True)
class DraftStatusView:
    draft: DraftView
    briefing: TaskBriefing | None
    rows: tuple[RowTime, ...] = field(default_factory=tuple)
    minutes_left: int = 0
    """Working minutes until the open row is due (0 once it is due)."""
    minutes_late: int = 0
    """Working minutes past the open row's due time."""
    agency: str | None = None
    """The draft's agency, named for a reader who sees every agency's drafts."""


class ListFilter(IntEnum):
    """What a list of drafts or tasks shows (its number travels in the page buttons)."""

    SEMUA = 0
    TERLAMBAT = 1
    """Only those past their row's due time."""


@dataclass(frozen=True)
class RowTally:
    """How many drafts (or tasks) stand in one row of one SOP, and how many of them late."""

    sop_id: str
    row_label: str
    total: int
    late: int


@dataclass(frozen=True)
class DraftLine:
    """One item of a list: a draft, the task it waits on, and its time."""

    draft: DraftView
    draft_task_id: int
    row_label: str
    task_title: str
    holders: tuple[str, ...]
    due_at: datetime | None
    late: bool
    """Past the row's due time."""
    minutes_left: int
    minutes_late: int
    """Working minutes before the due time, and past it."""
    meeting_at: datetime | None = None
    """While the row waits for its meeting: when the meeting starts."""


@dataclass(frozen=True)
class ListPage:
    """A list summarised, and one page of it: /status and /tugas, and their page buttons."""

    filter: ListFilter
    total: int
    """Everything the list covers (every active draft; every task of mine)."""
    late: int
    rows: tuple[RowTally, ...]
    """Per SOP and row, in order."""
    worst: tuple[DraftLine, ...]
    """The most overdue few (none when the list shows only the late ones)."""
    matching: int
    """What the filter selects: `total`, or `late`."""
    page: int
    """1-based, within 1..pages (a page asked beyond the end shows the last)."""
    pages: int
    page_size: int
    items: tuple[DraftLine, ...]
    details: tuple[DraftStatusView, ...] = ()
    """/status of a few drafts: each in full, when they all fit in one message."""
    briefings: tuple[TaskBriefing, ...] = ()
    """/tugas of a few tasks: each task, to send with its buttons."""

    @property
    def first_number(self) -> int:
        """The place of the page's first item in the whole list (1-based)."""
        return (self.page - 1) * self.page_size + 1


@dataclass(frozen=True)
class OfficialView:
    person: Person
    username: str | None
    active: bool
    positions: tuple[tuple[str, str | None, str | None], ...]
    """(position key, unit, acting) of each current assignment."""
    agency_key: str = ""
    agency_name: str = ""
    agency_admin: bool = False
    """Administers their agency."""


@dataclass(frozen=True)
class UploadOption:
    """An output an official may be uploading now."""

    draft: DraftView
    draft_task_id: int
    document: str
    name: str
    missing: bool


@dataclass(frozen=True)
class StagedView:
    staged_id: int
    options: tuple[UploadOption, ...]


@dataclass(frozen=True)
class ReminderNotice:
    """A reminder that was claimed and must now go out."""

    kind: ReminderKind
    recipients: tuple[Person, ...]
    briefing: TaskBriefing
    """The task the draft waits on now."""
    due_at: datetime
    late_minutes: int
    """Working minutes past the due time (0 before it)."""
    left_minutes: int
    """Working minutes before the due time (0 after it)."""


@dataclass(frozen=True)
class ActingView:
    """A proposed or set period, as its messages show it."""

    period_id: int
    acting: str
    """'Plh.' or 'Plt.'."""
    position: str
    """The position's name, with the unit for a position held per unit."""
    official: Person
    holder: Person
    valid_until: datetime
    valid_from: datetime | None = None
    """When it was set (None while it is a proposal)."""


@dataclass(frozen=True)
class OutboxLine:
    id: int
    chat_id: int
    recipient: str | None
    kind: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime


@dataclass(frozen=True)
class OutboxReport:
    counts: dict[str, int]
    lines: tuple[OutboxLine, ...]
    """The newest rows still waiting or failed."""


# Builders: rows in, views out ----------------------------------------------------------


def person_view(official: Official) -> Person:
    assert official.id is not None
    return Person(official.id, official.telegram_id, official.name)


def draft_view(draft: Draft) -> DraftView:
    assert draft.id is not None
    return DraftView(
        id=draft.id,
        sop_id=draft.sop_id,
        title=draft.title,
        year=draft.year,
        status=draft.status,
        created_at=draft.created_at,
        finished_at=draft.finished_at,
        result=draft.result,
        chain_head=draft.audit_head,
    )


def row_time(clock: RowClock, sop: Sop) -> RowTime:
    return RowTime(
        row_no=clock.row_no,
        standard_minutes=clock.standard_minutes,
        # Rows entered before the time was kept as written counted whole minutes.
        standard_text=clock.standard_text or f"{clock.standard_minutes} menit",
        row_label=sop.row_label(clock.row_no),
        entered_at=clock.entered_at,
        due_at=clock.due_at,
        left_at=clock.left_at,
        completed=clock.completed,
        minutes_used=clock.minutes_used,
        waited_minutes=clock.waited_minutes,
        waiting_until=clock.wait_until,
    )


def official_view(session: Session, official: Official, now: datetime) -> OfficialView:
    actor = official_store.actor(session, telegram_id=official.telegram_id, now=now)
    holdings = actor.holdings if actor else ()
    agency = agency_store.agency_by_id(session, agency_id=official.agency_id)
    return OfficialView(
        person=person_view(official),
        username=official.username,
        active=official.active,
        positions=tuple((h.position, h.unit, h.acting) for h in holdings),
        agency_key=agency.key if agency else "",
        agency_name=agency.name if agency else "",
        agency_admin=official.agency_admin,
    )


def document_view(session: Session, sop: Sop, version: DocumentVersion) -> DocumentView:
    assert version.id is not None
    uploader = official_store.official_by_id(session, official_id=version.uploaded_by)
    return DocumentView(
        version_id=version.id,
        document=version.document,
        name=sop.document(version.document).nama
        if version.document in sop.dokumen
        else version.document,
        share=version.share,
        version=version.version,
        file_name=version.file_name,
        mime_type=version.mime_type,
        size=version.size,
        sha256=version.sha256,
        telegram_file_id=version.telegram_file_id,
        stored_path=version.stored_path,
        uploaded_by=uploader.name if uploader else "?",
        uploaded_at=version.uploaded_at,
        number=version.number,
        media=version.media,
    )


def briefing(
    session: Session,
    sop: Sop,
    draft: Draft,
    task: DraftTask,
    *,
    now: datetime,
    staff: Staff | None = None,
    versions: list[DocumentVersion] | None = None,
    clock: RowClock | None = None,
) -> TaskBriefing:
    """What a message about `task` needs. A use case that has already read the staff, the
    draft's versions (oldest first) or its running row clock passes them on."""
    assert draft.id is not None and task.id is not None
    definition = sop.task(task.task_id)
    row = sop.row(task.row_no)
    if task.is_open and clock is None:
        clock = draft_store.running_clock(session, draft_id=draft.id)
    staff = staff or official_store.staff(session, now=now, agency_id=draft.agency_id)
    holders = holders_of(definition, staff.roster, sop)
    holder_ids = {h.official_id for h in holders}
    if versions is None:
        versions = draft_store.document_versions(session, draft_id=draft.id)
    wanted = definition.telaah or definition.dokumen
    latest = draft_store.latest_of(versions, wanted)
    if definition.is_upload:
        latest = [v for v in latest if v.draft_task_id == task.id]
    missing: list[str] = []
    pending: list[str] = []
    parts: list[UnitPart] = []
    # Only an open task is the draft's open task, whose state the engine knows.
    state = draft_store.state_of(draft, task, versions) if task.is_open else None
    if definition.jenis == TaskKind.UNGGAH_PARALEL:
        parts = _unit_parts(sop, task, holders, state)
        missing = [f"{name} ({p.unit})" for p in parts if not p.submitted for name in p.missing]
    elif state is not None:
        missing = [sop.document(key).nama for key in missing_documents(sop, state)]
    if definition.is_joint:
        parts = _unit_parts(sop, task, holders, None)
    if state is not None:
        pending = pending_shares(state)
    return TaskBriefing(
        draft=draft_view(draft),
        draft_task_id=task.id,
        task=definition,
        row_no=task.row_no,
        row_label=row.label,
        activity=row.aktivitas,
        persyaratan=row.persyaratan,
        outputs=row.output,
        standard_text=row.waktu.text,
        entered_at=task.entered_at,
        due_at=clock.due_at if clock is not None and task.is_open else None,
        is_open=task.is_open,
        return_note=task.return_note,
        holders=tuple(
            person_view(staff.officials[i]) for i in sorted(holder_ids) if i in staff.officials
        ),
        documents=tuple(document_view(session, sop, v) for v in latest),
        missing=tuple(missing),
        pending_units=tuple(pending),
        submitted_units=tuple(task.submitted),
        meeting_at=(
            draft_store.meeting_start(session, task)
            if definition.jenis == TaskKind.RAPAT and task.is_open
            else None
        ),
        parts=tuple(parts),
        acting_for=tuple(
            dict.fromkeys(sop.position(h.on_behalf_of).nama for h in holders if h.on_behalf_of)
        ),
    )


def _unit_parts(
    sop: Sop, task: DraftTask, holders: tuple[Holder, ...], state: DraftState | None
) -> list[UnitPart]:
    """Each unit of a parallel task (or position of a joint step): who acts for it and what
    it still lacks (nothing once the task is closed, `state` None)."""
    definition = sop.task(task.task_id)
    parts: list[UnitPart] = []
    for unit in task.shares:
        missing = []
        if state is not None and state.task is not None:
            missing = [sop.document(key).nama for key in missing_documents(sop, state, share=unit)]
        parts.append(
            UnitPart(
                unit=unit,
                holder_ids=frozenset(
                    h.official_id for h in holders if share_for(sop, definition, h) == unit
                ),
                missing=tuple(missing),
                submitted=unit in task.submitted,
            )
        )
    return parts


def outcome(
    session: Session,
    sop: Sop,
    draft: Draft,
    transition: Transition,
    opened: list[DraftTask],
    staff: Staff,
    *,
    now: datetime,
    versions: list[DocumentVersion] | None = None,
    clock: RowClock | None = None,
) -> Outcome:
    """What a transition changed and who must be told; `versions` and `clock` as they are
    after it, when the use case has them."""
    people = {
        official_id: person_view(official) for official_id, official in staff.officials.items()
    }
    informed: list[tuple[Person, str, NoticeReason]] = []
    for effect in transition.effects:
        if isinstance(effect, Notice):
            seen: set[int] = set()
            for holder in effect.holders:
                if holder.official_id in people and holder.official_id not in seen:
                    seen.add(holder.official_id)
                    informed.append((people[holder.official_id], effect.task_id, effect.reason))
    briefings = tuple(
        briefing(session, sop, draft, task, now=now, staff=staff, versions=versions, clock=clock)
        for task in opened
    )
    still_open = None
    waiting = any(
        isinstance(e, Notice) and e.reason == NoticeReason.MENUNGGU_BERSAMA
        for e in transition.effects
    )
    if waiting and draft.id is not None:
        current = draft_store.open_task(session, draft_id=draft.id)
        if current is not None:
            still_open = briefing(session, sop, draft, current, now=now, staff=staff)
    return Outcome(
        draft=draft_view(draft),
        transition=transition,
        opened=briefings,
        people=people,
        informed=tuple(informed),
        still_open=still_open,
    )


# Meetings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingView:
    """A scheduled (or cancelled, or held) meeting, as its messages show it."""

    id: int
    draft: DraftView
    draft_task_id: int
    task_title: str
    status: str
    starts_at: datetime
    ends_at: datetime
    place: str
    agenda: str
    organiser: str
    organiser_position: str
    sequence: int
    undangan: DocumentView | None = None


@dataclass(frozen=True)
class InviteeView:
    official_id: int
    telegram_id: int
    name: str
    unit: str | None
    answer: str | None
    """'hadir', 'tidak_hadir', 'diwakilkan' or None (no answer yet)."""
    deputy: str | None
    reconfirm: bool
    reachable: bool | None
    """False when the invitation could not be delivered; None while it is on its way."""


@dataclass(frozen=True)
class MeetingReport:
    """The organiser's view: the meeting, and who answered what."""

    meeting: MeetingView
    invitees: tuple[InviteeView, ...]
    can_change: bool
    """The viewer may reschedule or cancel it (its organiser, before it starts)."""
    started: bool
