"""Queries about drafts: their tasks, documents, audit trail and row clocks.

`load_state` turns the rows of a draft into the engine's `DraftState`; `record_transition`
writes what the engine decided back as rows, in the caller's session, and refuses when
someone else changed the draft since it was loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, bindparam, case, event, false, func, or_, update
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from storage import audit as audit_store
from storage import reminders as reminder_store
from storage.meetings import DONE as MEETING_DONE
from storage.meetings import SCHEDULED as MEETING_SCHEDULED
from storage.models import AuditEntry, DocumentVersion, Draft, DraftTask, Meeting, RowClock
from workflow.engine import (
    Audit,
    AuditAction,
    DraftFinished,
    DraftState,
    DraftStatus,
    OpenTask,
    RowEntered,
    RowLeft,
    TaskClosed,
    TaskOpened,
    Transition,
)
from workflow.waktu import Waktu


class ConcurrentChange(Exception):
    """The draft changed after it was loaded; nothing of this change was written."""


@dataclass(frozen=True)
class NewFile:
    """An uploaded file, already archived, to be stored as the next version."""

    file_name: str
    mime_type: str
    size: int
    sha256: str
    telegram_file_id: str
    telegram_file_unique_id: str
    stored_path: str
    number: str | None = None
    media: str = "dokumen"


DueAt = Callable[[datetime, Waktu], tuple[datetime, int]]
"""A row entered at a moment with its waktu: when it is due, and the working minutes until
then (workflow.waktu.deadline on the office calendar)."""
MinutesBetween = Callable[[datetime, datetime], int]
PlanReminders = Callable[[RowClock], list[tuple[str, datetime]]]
"""The reminders of a row entry: (kind, when) pairs."""


def create_draft(
    session: Session,
    *,
    agency_id: int,
    sop_id: str,
    title: str,
    year: int,
    created_by: int,
    now: datetime,
) -> Draft:
    draft = Draft(
        agency_id=agency_id,
        sop_id=sop_id,
        title=title,
        year=year,
        status=DraftStatus.AKTIF.value,
        created_by=created_by,
        created_at=now,
    )
    session.add(draft)
    session.flush()
    return draft


LOCKED = "renja_locked_drafts"


def get_draft(session: Session, *, draft_id: int, lock: bool = False) -> Draft | None:
    """The draft, whichever its agency (a use case checks the agency before showing it:
    bot.usecases.base.require_draft); `lock`: locked for the rest of the transaction
    (`SELECT ... FOR UPDATE`),
    read afresh once locked, so that a change waits for the one before it and works on
    what it wrote (PostgreSQL; on SQLite the writer holds the whole database)."""
    locked = _locked(session)
    if lock and draft_id not in locked:
        locked.add(draft_id)
        return session.get(Draft, draft_id, with_for_update=True, populate_existing=True)
    return session.get(Draft, draft_id)


def lock_draft(session: Session, *, draft_id: int) -> bool:
    """Lock the draft for the rest of the transaction; False when it already was (what the
    session read since then is what the lock holds)."""
    if draft_id in _locked(session):
        return False
    get_draft(session, draft_id=draft_id, lock=True)
    return True


def _locked(session: Session) -> set[int]:
    locked: set[int] = session.info.setdefault(LOCKED, set())
    return locked


@event.listens_for(OrmSession, "after_transaction_end")
def _locks_released(session: OrmSession, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(LOCKED, None)


def drafts(session: Session, *, agency_id: int | None, active_only: bool = True) -> list[Draft]:
    """The drafts of one agency (None: of every agency), oldest first."""
    query = select(Draft).order_by(col(Draft.id))
    if agency_id is not None:
        query = query.where(Draft.agency_id == agency_id)
    if active_only:
        query = query.where(Draft.status == DraftStatus.AKTIF.value)
    return list(session.exec(query).all())


# Built once, the statements every action runs: building one costs more than running it.
OPEN_TASK = select(DraftTask).where(
    DraftTask.draft_id == bindparam("draft"),
    DraftTask.is_open == True,  # noqa: E712
)
VERSIONS = (
    select(DocumentVersion)
    .where(DocumentVersion.draft_id == bindparam("draft"))
    .order_by(col(DocumentVersion.id))
)
RUNNING_CLOCK = select(RowClock).where(
    RowClock.draft_id == bindparam("draft"), col(RowClock.left_at).is_(None)
)
BUMP_REVISION = (
    update(Draft)
    .where(col(Draft.id) == bindparam("draft"), col(Draft.revision) == bindparam("seen"))
    .values(revision=bindparam("seen") + 1)
)


def open_task(session: Session, *, draft_id: int) -> DraftTask | None:
    return session.exec(OPEN_TASK, params={"draft": draft_id}).first()


def open_tasks(session: Session, *, agency_id: int) -> list[DraftTask]:
    """Every open task of the agency's drafts, oldest first."""
    return list(
        session.exec(
            select(DraftTask)
            .join(Draft, col(Draft.id) == col(DraftTask.draft_id))
            .where(col(DraftTask.is_open).is_(True), col(Draft.agency_id) == agency_id)
            .order_by(col(DraftTask.id))
        ).all()
    )


def open_tasks_among(
    session: Session,
    *,
    agency_id: int,
    task_ids: set[str],
    draft_id: int | None = None,
    limit: int,
) -> list[tuple[DraftTask, Draft]]:
    """Open tasks of these kinds in the agency's drafts (one draft's, or any), oldest
    first, at most `limit`."""
    query = (
        select(DraftTask, Draft)
        .join(Draft, col(Draft.id) == col(DraftTask.draft_id))
        .where(
            col(DraftTask.is_open).is_(True),
            col(DraftTask.task_id).in_(task_ids),
            Draft.agency_id == agency_id,
        )
    )
    if draft_id is not None:
        query = query.where(DraftTask.draft_id == draft_id)
    return [
        (task, draft)
        for task, draft in session.exec(query.order_by(col(DraftTask.id)).limit(limit)).all()
    ]


# Lists of open tasks (/status, /tugas): counted and paged in SQL --------------------------


@dataclass(frozen=True)
class OpenScope:
    """Which open tasks of active drafts a list covers."""

    tasks: Mapping[str, frozenset[str] | None]
    """SOP id -> the ids of its tasks in the list (None: every task of that SOP)."""
    but: frozenset[int] = frozenset()
    """But not these open tasks, by row id (parallel ones where the caller's part is in)."""
    agency_id: int | None = None
    """Only this agency's drafts (None: every agency's)."""


@dataclass(frozen=True)
class RowCount:
    """How many open tasks of a list stand in one row of one SOP, and how many are late."""

    sop_id: str
    row_no: int
    total: int
    late: int


@dataclass(frozen=True)
class OpenEntry:
    """One item of a list: the draft, its open task, and the row's running clock."""

    draft: Draft
    task: DraftTask
    clock: RowClock | None


@dataclass(frozen=True)
class SharedTask:
    """An open task split in shares (units, or positions of a joint step)."""

    id: int
    sop_id: str
    task_id: str
    shares: list[str]
    submitted: list[str]


ListOrder = Literal["draft", "task", "due"]
"""Drafts by number, tasks oldest first, or the most overdue first."""


def _in_scope(scope: OpenScope) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    for sop_id, task_ids in sorted(scope.tasks.items()):
        if task_ids is None:
            parts.append(col(Draft.sop_id) == sop_id)
        elif task_ids:
            parts.append(
                and_(col(Draft.sop_id) == sop_id, col(DraftTask.task_id).in_(sorted(task_ids)))
            )
    if not parts:
        return false()
    chosen = or_(*parts)
    if scope.agency_id is not None:
        chosen = and_(chosen, col(Draft.agency_id) == scope.agency_id)
    if scope.but:
        return and_(chosen, col(DraftTask.id).not_in(sorted(scope.but)))
    return chosen


def _open_of_active(query: Any, scope: OpenScope) -> Any:
    """`query` over the open tasks of active drafts in scope, with their running clocks."""
    return (
        query.select_from(DraftTask)
        .join(Draft, col(Draft.id) == col(DraftTask.draft_id))
        .outerjoin(
            RowClock,
            and_(
                col(RowClock.draft_id) == col(DraftTask.draft_id), col(RowClock.left_at).is_(None)
            ),
        )
        .where(
            col(DraftTask.is_open).is_(True),
            col(Draft.status) == DraftStatus.AKTIF.value,
            _in_scope(scope),
        )
    )


def _late(now: datetime) -> ColumnElement[bool]:
    return col(RowClock.due_at) < now


def open_row_counts(session: Session, *, scope: OpenScope, now: datetime) -> list[RowCount]:
    """Per SOP and row: the open tasks in scope, and how many are past their due time
    (one GROUP BY)."""
    late = func.sum(case((_late(now), 1), else_=0))
    query = _open_of_active(
        select(col(Draft.sop_id), col(DraftTask.row_no), func.count(), late), scope
    )
    rows = session.exec(
        query.group_by(col(Draft.sop_id), col(DraftTask.row_no)).order_by(
            col(Draft.sop_id), col(DraftTask.row_no)
        )
    ).all()
    return [
        RowCount(sop_id, row_no, int(total), int(late or 0))
        for sop_id, row_no, total, late in rows
    ]


def open_page(
    session: Session,
    *,
    scope: OpenScope,
    now: datetime,
    late_only: bool,
    order: ListOrder,
    limit: int,
    offset: int = 0,
) -> list[OpenEntry]:
    """One page of the open tasks in scope (`late_only`: those past their due time)."""
    query = _open_of_active(select(Draft, DraftTask, RowClock), scope)
    if late_only:
        query = query.where(_late(now))
    if order == "due":
        query = query.order_by(col(RowClock.due_at), col(Draft.id))
    elif order == "task":
        query = query.order_by(col(DraftTask.id))
    else:
        query = query.order_by(col(Draft.id))
    rows = session.exec(query.limit(limit).offset(offset)).all()
    return [OpenEntry(draft, task, clock) for draft, task, clock in rows]


def open_shared(
    session: Session, *, tasks: Mapping[str, frozenset[str]], agency_id: int | None
) -> list[SharedTask]:
    """The open tasks of these kinds (SOP id -> task ids) in active drafts, with their
    shares and the shares already submitted: whose part is still open. Only those columns
    are read, not whole rows."""
    found: list[SharedTask] = []
    for sop_id, task_ids in sorted(tasks.items()):
        if not task_ids:
            continue
        query = _open_of_active(
            select(
                col(DraftTask.id),
                col(DraftTask.task_id),
                col(DraftTask.shares),
                col(DraftTask.submitted),
            ),
            OpenScope({sop_id: task_ids}, agency_id=agency_id),
        )
        found += [
            SharedTask(row_id or 0, sop_id, task_id, list(shares or []), list(submitted or []))
            for row_id, task_id, shares, submitted in session.exec(query).all()
        ]
    return found


def draft_task(session: Session, *, draft_task_id: int) -> DraftTask | None:
    return session.get(DraftTask, draft_task_id)


def document_versions(
    session: Session, *, draft_id: int, draft_task_id: int | None = None
) -> list[DocumentVersion]:
    if draft_task_id is None:
        return list(session.exec(VERSIONS, params={"draft": draft_id}).all())
    query = select(DocumentVersion).where(DocumentVersion.draft_id == draft_id)
    if draft_task_id is not None:
        query = query.where(DocumentVersion.draft_task_id == draft_task_id)
    return list(session.exec(query.order_by(col(DocumentVersion.id))).all())


def latest_versions(
    session: Session, *, draft_id: int, documents: tuple[str, ...]
) -> list[DocumentVersion]:
    """The newest version of each named document (and of each unit's share), in order."""
    return latest_of(document_versions(session, draft_id=draft_id), documents)


def latest_of(
    versions: list[DocumentVersion], documents: tuple[str, ...]
) -> list[DocumentVersion]:
    """Of a draft's versions (oldest first), the newest of each named document and share."""
    latest: dict[tuple[str, str], DocumentVersion] = {}
    for version in versions:
        if version.document in documents:
            latest[(version.document, version.share)] = version
    return sorted(latest.values(), key=lambda v: (documents.index(v.document), v.share))


def document_version(session: Session, *, version_id: int) -> DocumentVersion | None:
    return session.get(DocumentVersion, version_id)


def audit_trail(session: Session, *, draft_id: int) -> list[AuditEntry]:
    return list(
        session.exec(
            select(AuditEntry).where(AuditEntry.draft_id == draft_id).order_by(col(AuditEntry.id))
        ).all()
    )


def row_clocks(session: Session, *, draft_id: int) -> list[RowClock]:
    return list(
        session.exec(
            select(RowClock).where(RowClock.draft_id == draft_id).order_by(col(RowClock.id))
        ).all()
    )


def running_clock(session: Session, *, draft_id: int) -> RowClock | None:
    return session.exec(RUNNING_CLOCK, params={"draft": draft_id}).first()


def load_state(session: Session, *, draft: Draft) -> DraftState:
    """The engine's view of a draft, rebuilt from its rows."""
    assert draft.id is not None
    versions = document_versions(session, draft_id=draft.id)
    task = open_task(session, draft_id=draft.id)
    meeting_at = meeting_start(session, task) if task is not None else None
    return state_of(draft, task, versions, meeting_at=meeting_at)


def state_of(
    draft: Draft,
    task: DraftTask | None,
    versions: list[DocumentVersion],
    *,
    meeting_at: datetime | None = None,
) -> DraftState:
    """The engine's view of a draft from rows already read: its open task and versions, and
    (for a meeting) when the meeting starts (`meeting_start`)."""
    current: OpenTask | None = None
    if task is not None:
        current = OpenTask(
            task_id=task.task_id,
            row_no=task.row_no,
            entered_at=task.entered_at,
            shares=tuple(task.shares),
            submitted=frozenset(task.submitted),
            uploaded=frozenset(
                (v.document, v.share) for v in versions if v.draft_task_id == task.id
            ),
            return_note=task.return_note,
            meeting_at=meeting_at,
        )
    return DraftState(
        status=DraftStatus(draft.status),
        task=current,
        documents=frozenset((v.document, v.share) for v in versions),
    )


def meeting_start(session: Session, task: DraftTask) -> datetime | None:
    """When the meeting of an open `rapat` task starts: the one scheduled for it, or one
    held for the same task before the draft came back to it (None: no meeting)."""
    found = session.exec(
        select(Meeting.starts_at)
        .join(DraftTask, col(DraftTask.id) == col(Meeting.draft_task_id))
        .where(
            Meeting.draft_id == task.draft_id,
            DraftTask.task_id == task.task_id,
            col(Meeting.status).in_((MEETING_SCHEDULED, MEETING_DONE)),
        )
        .order_by(col(Meeting.id).desc())
    ).first()
    return found


def waited_minutes(clock: RowClock, until: datetime, minutes_between: MinutesBetween) -> int:
    """Working minutes a row entry spent waiting for a meeting, up to `until`."""
    waited = clock.waited_minutes
    if clock.wait_from is not None and clock.wait_until is not None:
        end = min(clock.wait_until, until)
        if end > clock.wait_from:
            waited += minutes_between(clock.wait_from, end)
    return waited


def _claim(session: Session, draft: Draft) -> None:
    """Bump the draft's revision, unless another change got there first."""
    result = session.connection().execute(
        BUMP_REVISION, {"draft": draft.id, "seen": draft.revision}
    )
    if result.rowcount != 1:
        raise ConcurrentChange(f"draft {draft.id} changed meanwhile")
    # What the row now holds, without reading it back.
    set_committed_value(draft, "revision", draft.revision + 1)


class _Unread:
    """A value the caller has not read: `record_transition` reads it itself."""


UNREAD = _Unread()


@dataclass(frozen=True)
class Recorded:
    """What `record_transition` wrote that the caller goes on with."""

    opened: list[DraftTask]
    """The tasks the transition opened."""
    clock: RowClock | None
    """The row clock it started, if it entered a row."""
    version: DocumentVersion | None
    """The version it stored, if it stored one."""


def record_transition(
    session: Session,
    *,
    draft: Draft,
    transition: Transition,
    now: datetime,
    due_at: DueAt,
    minutes_between: MinutesBetween,
    new_file: NewFile | None = None,
    plan_reminders: PlanReminders | None = None,
    current: DraftTask | _Unread | None = UNREAD,
) -> Recorded:
    """Write the engine's decision as rows.

    `current` is the draft's open task as the caller read it (with the draft, before the
    transition); unless given, it is read here.
    """
    assert draft.id is not None
    _claim(session, draft)
    if isinstance(current, _Unread):
        current = open_task(session, draft_id=draft.id)
    opened: list[DraftTask] = []
    entered: RowClock | None = None
    version: DocumentVersion | None = None
    for effect in transition.effects:
        match effect:
            case Audit():
                if effect.action == AuditAction.UNGGAH and new_file is not None:
                    assert current is not None and current.id is not None
                    version = _store_version(
                        session,
                        draft_id=draft.id,
                        draft_task_id=current.id,
                        document=effect.document or "",
                        share=effect.share,
                        new_file=new_file,
                        uploaded_by=effect.actor_id,
                        now=now,
                    )
                audit_store.add_entry(
                    session,
                    draft_id=draft.id,
                    at=now,
                    actor_id=effect.actor_id,
                    position=effect.position,
                    acting=effect.acting,
                    action=effect.action.value,
                    task_id=effect.task_id,
                    row_no=effect.row_no,
                    note=effect.note,
                    document_version_id=version.id if version is not None else None,
                    share=effect.share,
                    on_behalf_of=effect.on_behalf_of,
                    choice=effect.choice,
                )
            case TaskClosed():
                if current is not None:
                    current.is_open = False
                    current.closed_at = now
                    current.outcome = effect.outcome.value
                    current.closed_by = _actor_of(transition)
                    session.add(current)
                    current = None
            case TaskOpened():
                task = DraftTask(
                    draft_id=draft.id,
                    task_id=effect.task_id,
                    row_no=effect.row_no,
                    entered_at=now,
                    return_note=effect.return_note,
                    shares=list(transition.state.task.shares) if transition.state.task else [],
                )
                session.add(task)
                session.flush()
                opened.append(task)
                current = task
            case RowEntered():
                due, minutes = due_at(now, effect.waktu)
                entered = RowClock(
                    draft_id=draft.id,
                    row_no=effect.row_no,
                    standard_minutes=minutes,
                    standard_text=effect.waktu.text,
                    entered_at=now,
                    due_at=due,
                )
                session.add(entered)
                session.flush()
                assert entered.id is not None
                for kind, when in plan_reminders(entered) if plan_reminders else []:
                    reminder_store.add_reminder(
                        session,
                        draft_id=draft.id,
                        row_clock_id=entered.id,
                        kind=kind,
                        due_at=when,
                    )
            case RowLeft():
                clock = running_clock(session, draft_id=draft.id)
                if clock is not None and clock.id is not None:
                    clock.left_at = now
                    clock.completed = effect.completed
                    waited = waited_minutes(clock, now, minutes_between)
                    clock.minutes_used = minutes_between(clock.entered_at, now) - waited
                    clock.waited_minutes = waited
                    clock.wait_from = clock.wait_until = None
                    session.add(clock)
                    reminder_store.cancel_for_clock(session, row_clock_id=clock.id, now=now)
            case DraftFinished():
                draft.status = DraftStatus.SELESAI.value
                draft.finished_at = now
                draft.signed_by = effect.signed_by
                draft.result = effect.result
                session.add(draft)
    state_task = transition.state.task
    if current is not None and state_task is not None and current.task_id == state_task.task_id:
        current.submitted = sorted(state_task.submitted)
        session.add(current)
    session.flush()
    return Recorded(opened, entered, version)


def _actor_of(transition: Transition) -> int | None:
    for effect in transition.effects:
        if isinstance(effect, Audit):
            return effect.actor_id
    return None


def _store_version(
    session: Session,
    *,
    draft_id: int,
    draft_task_id: int,
    document: str,
    share: str,
    new_file: NewFile,
    uploaded_by: int,
    now: datetime,
) -> DocumentVersion:
    previous = session.exec(
        select(DocumentVersion.version)
        .where(
            DocumentVersion.draft_id == draft_id,
            DocumentVersion.document == document,
            DocumentVersion.share == share,
        )
        .order_by(col(DocumentVersion.version).desc())
    ).first()
    version = DocumentVersion(
        draft_id=draft_id,
        draft_task_id=draft_task_id,
        document=document,
        share=share,
        version=(previous or 0) + 1,
        file_name=new_file.file_name,
        mime_type=new_file.mime_type,
        size=new_file.size,
        sha256=new_file.sha256,
        telegram_file_id=new_file.telegram_file_id,
        telegram_file_unique_id=new_file.telegram_file_unique_id,
        stored_path=new_file.stored_path,
        number=new_file.number,
        media=new_file.media,
        uploaded_by=uploaded_by,
        uploaded_at=now,
    )
    session.add(version)
    session.flush()
    return version
