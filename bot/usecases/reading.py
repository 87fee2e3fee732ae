"""Reading: what an official sees of drafts and tasks (/tugas, /status, /riwayat).

An official reads their own agency's drafts only (`Scope`); a province-level administrator
reads every agency's, each named. A draft of another agency is one that does not exist.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel import Session

from bot import texts
from bot.callbacks import MAX_ID
from bot.usecases import views
from bot.usecases.base import Scope, Services, require_draft, require_member
from bot.usecases.errors import DraftNotFound, InvalidInput
from bot.usecases.views import (
    AuditLine,
    DocumentView,
    DraftLine,
    DraftStatusView,
    DraftView,
    ListFilter,
    ListPage,
    RowTally,
    TaskBriefing,
)
from storage import agencies as agency_store
from storage import drafts as draft_store
from storage import officials as official_store
from storage.models import AuditEntry, Draft, Official
from storage.officials import Staff
from workflow.engine import Actor, DraftStatus, Roster, holders_of, holdings_for, share_for
from workflow.sop import Sop, Task, TaskKind


def briefing(services: Services, *, scope: Scope, draft_task_id: int) -> TaskBriefing:
    with services.reading() as session:
        task = draft_store.draft_task(session, draft_task_id=draft_task_id)
        if task is None:
            raise DraftNotFound(0)
        try:
            draft = require_draft(
                session, sops=services.sops, draft_id=task.draft_id, agency_id=scope.agency_id
            )
        except DraftNotFound:
            raise DraftNotFound(0) from None  # as for a task that does not exist
        return views.briefing(
            session, services.sops[draft.sop_id], draft, task, now=services.clock()
        )


def briefing_documents(
    services: Services, *, scope: Scope, draft_id: int, task_id: str
) -> list[DocumentView]:
    """The latest versions of the documents a task produced."""
    with services.reading() as session:
        draft = require_draft(
            session, sops=services.sops, draft_id=draft_id, agency_id=scope.agency_id
        )
        sop = services.sops[draft.sop_id]
        versions = draft_store.latest_versions(
            session, draft_id=draft_id, documents=sop.task(task_id).dokumen
        )
        return [views.document_view(session, sop, v) for v in versions]


PAGE_SIZE = 10
"""Items on one page of /status and /tugas."""
WORST_SHOWN = 3
"""The most overdue drafts a list's summary names."""


def open_tasks_for(
    services: Services, *, telegram_id: int, limit: int | None = None
) -> list[TaskBriefing]:
    """Open tasks this official may act on now (for a parallel task: unit not yet in),
    oldest first; at most `limit` of them."""
    now = services.clock()
    with services.reading() as session:
        member = require_member(session, telegram_id=telegram_id, now=now)
        staff = official_store.staff(session, now=now, agency_id=member.agency_id)
        scope = _my_scope(services, session, member.actor, staff.roster, member.agency_id)
        entries = draft_store.open_page(
            session,
            scope=scope,
            now=now,
            late_only=False,
            order="task",
            limit=limit if limit is not None else MAX_ID,
        )
        return [
            views.briefing(session, services.sops[e.draft.sop_id], e.draft, e.task, now=now)
            for e in entries
        ]


def task_list(
    services: Services,
    *,
    telegram_id: int,
    filter: ListFilter = ListFilter.SEMUA,
    page: int = 1,
    briefings_up_to: int = 0,
) -> ListPage:
    """/tugas: my open tasks summarised (per row, the late ones), and one page of them,
    oldest first (the late ones: the most overdue first). When the filter selects at most
    `briefings_up_to`, each of them comes whole, to be sent with its buttons."""
    now = services.clock()
    with services.reading() as session:
        member = require_member(session, telegram_id=telegram_id, now=now)
        staff = official_store.staff(session, now=now, agency_id=member.agency_id)
        scope = _my_scope(services, session, member.actor, staff.roster, member.agency_id)
        found, entries = _list_page(services, session, scope, filter, page, "task", now, staff)
        if found.matching <= min(briefings_up_to, found.page_size):
            briefings = tuple(
                views.briefing(
                    session, services.sops[e.draft.sop_id], e.draft, e.task, now=now, staff=staff
                )
                for e in entries
            )
            found = replace(found, briefings=briefings)
        return found


def status_list(
    services: Services,
    *,
    scope: Scope,
    filter: ListFilter = ListFilter.SEMUA,
    page: int = 1,
    details_up_to: int = 0,
) -> ListPage:
    """/status: every active draft the reader sees summarised (per row, the late ones), and
    one page of them by number (the late ones: the most overdue first). When the filter
    selects at most `details_up_to`, each of them comes in full."""
    now = services.clock()
    with services.reading() as session:
        listed = draft_store.OpenScope(dict.fromkeys(services.sops), agency_id=scope.agency_id)
        staff = (
            official_store.staff(session, now=now, agency_id=scope.agency_id)
            if scope.agency_id is not None
            else None
        )
        found, entries = _list_page(services, session, listed, filter, page, "draft", now, staff)
        if found.matching <= min(details_up_to, found.page_size):
            names = _agency_names(session, scope, [e.draft for e in entries])
            found = replace(
                found,
                details=tuple(
                    _status_of(services, session, e.draft, names.get(e.draft.agency_id))
                    for e in entries
                ),
            )
        return found


def task_of_draft(services: Services, *, telegram_id: int, draft_id: int) -> TaskBriefing:
    """/tugas <nomor>: the task a draft waits on, if this official may act on it now."""
    now = services.clock()
    with services.reading() as session:
        member = require_member(session, telegram_id=telegram_id, now=now)
        actor = member.actor
        draft = require_draft(
            session, sops=services.sops, draft_id=draft_id, agency_id=member.agency_id
        )
        sop = services.sops[draft.sop_id]
        staff = official_store.staff(session, now=now, agency_id=draft.agency_id)
        task = draft_store.open_task(session, draft_id=draft_id)
        if (
            draft.status != DraftStatus.AKTIF.value
            or task is None
            or not _mine(sop, task.task_id, task.shares, task.submitted, actor, staff.roster)
        ):
            raise InvalidInput(texts.not_waiting_for_you(draft_id))
        return views.briefing(session, sop, draft, task, now=now, staff=staff)


def _list_page(
    services: Services,
    session: Session,
    scope: draft_store.OpenScope,
    filter: ListFilter,
    page: int,
    order: draft_store.ListOrder,
    now: datetime,
    staff: Staff | None,
    size: int = PAGE_SIZE,
) -> tuple[ListPage, list[draft_store.OpenEntry]]:
    """The summary and one page of a list (the page clamped to those there are now), with
    the page's rows. `staff`: the roster the holders are named from (None: each draft's
    agency's, for a reader of every agency)."""
    staffs: dict[int, Staff] = {}

    def staff_of(draft: Draft) -> Staff:
        if staff is not None:
            return staff
        if draft.agency_id not in staffs:
            staffs[draft.agency_id] = official_store.staff(
                session, now=now, agency_id=draft.agency_id
            )
        return staffs[draft.agency_id]

    counts = [
        c
        for c in draft_store.open_row_counts(session, scope=scope, now=now)
        if c.sop_id in services.sops
    ]
    total = sum(c.total for c in counts)
    late = sum(c.late for c in counts)
    late_only = filter is ListFilter.TERLAMBAT
    matching = late if late_only else total
    pages = max(1, -(-matching // size))
    page = min(max(page, 1), pages)
    entries = draft_store.open_page(
        session,
        scope=scope,
        now=now,
        late_only=late_only,
        order="due" if late_only else order,
        limit=size,
        offset=(page - 1) * size,
    )
    worst: list[draft_store.OpenEntry] = []
    if late and not late_only:
        worst = draft_store.open_page(
            session, scope=scope, now=now, late_only=True, order="due", limit=WORST_SHOWN
        )
    found = ListPage(
        filter=filter,
        total=total,
        late=late,
        rows=tuple(
            RowTally(c.sop_id, services.sops[c.sop_id].row_label(c.row_no), c.total, c.late)
            for c in counts
        ),
        worst=tuple(_line(services, e, staff_of(e.draft), now) for e in worst),
        matching=matching,
        page=page,
        pages=pages,
        page_size=size,
        items=tuple(_line(services, e, staff_of(e.draft), now) for e in entries),
    )
    return found, entries


def _line(
    services: Services, entry: draft_store.OpenEntry, staff: Staff, now: datetime
) -> DraftLine:
    """One item of a list, from rows already read."""
    draft, task, clock = entry.draft, entry.task, entry.clock
    assert task.id is not None
    sop = services.sops[draft.sop_id]
    try:
        definition: Task | None = sop.task(task.task_id)
    except KeyError:  # a task the SOP file no longer has
        definition = None
    holders = holders_of(definition, staff.roster, sop) if definition is not None else ()
    due_at = clock.due_at if clock is not None else None
    waiting = clock.wait_until if clock is not None else None
    meeting_at = waiting if waiting is not None and waiting > now else None
    late = due_at is not None and due_at < now
    left = past = 0
    if due_at is not None:
        if late:
            past = services.calendar.working_minutes_between(due_at, now)
        else:
            left = services.calendar.working_minutes_between(meeting_at or now, due_at)
    return DraftLine(
        draft=views.draft_view(draft),
        draft_task_id=task.id,
        row_label=sop.row_label(task.row_no),
        task_title=definition.judul if definition is not None else task.task_id,
        holders=tuple(dict.fromkeys(h.name for h in holders)),
        due_at=due_at,
        late=late,
        minutes_left=left,
        minutes_late=past,
        meeting_at=meeting_at,
    )


def _my_scope(
    services: Services, session: Session, actor: Actor, roster: Roster, agency_id: int
) -> draft_store.OpenScope:
    """The open tasks this official may act on now: every task of a kind they hold, but of a
    parallel (or joint) task not those where no part of theirs is still open."""
    held: dict[str, frozenset[str]] = {}
    split: dict[str, frozenset[str]] = {}
    for sop_id, sop in services.sops.items():
        kinds = [t for t in sop.tasks if holdings_for(sop, t, actor, roster)]
        held[sop_id] = frozenset(t.id for t in kinds)
        split[sop_id] = frozenset(t.id for t in kinds if _split(t))
    done = frozenset(
        row.id
        for row in draft_store.open_shared(session, tasks=split, agency_id=agency_id)
        if not _mine(
            services.sops[row.sop_id], row.task_id, row.shares, row.submitted, actor, roster
        )
    )
    return draft_store.OpenScope(held, but=done, agency_id=agency_id)


def _split(task: Task) -> bool:
    """Whether the task's rows may be split in shares, each someone's own part."""
    return task.jenis == TaskKind.UNGGAH_PARALEL or task.is_joint


def _mine(
    sop: Sop,
    task_id: str,
    shares: list[str],
    submitted: list[str],
    actor: Actor,
    roster: Roster,
) -> bool:
    """Whether the actor may act on an open task now (of a split one: a part of theirs is
    still open)."""
    try:
        definition = sop.task(task_id)
    except KeyError:
        return False
    mine = holdings_for(sop, definition, actor, roster)
    if not mine:
        return False
    if not shares:
        return True
    units = {share_for(sop, definition, h) for h in mine}
    return bool(units & (set(shares) - set(submitted)))


def draft_status(
    services: Services, *, scope: Scope, draft_id: int | None = None
) -> list[DraftStatusView]:
    """Every active draft the reader sees (or one draft), with its open task and row times."""
    with services.reading() as session:
        if draft_id is not None:
            selected = [
                require_draft(
                    session, sops=services.sops, draft_id=draft_id, agency_id=scope.agency_id
                )
            ]
        else:
            selected = [
                d
                for d in draft_store.drafts(session, agency_id=scope.agency_id)
                if d.sop_id in services.sops
            ]
        names = _agency_names(session, scope, selected)
        return [
            _status_of(services, session, draft, names.get(draft.agency_id)) for draft in selected
        ]


def _agency_names(session: Session, scope: Scope, drafts: list[Draft]) -> dict[int, str]:
    """Each draft's agency name, for a reader of every agency once there are several to
    tell apart; none otherwise."""
    if not scope.every or len(agency_store.agencies(session)) <= 1:
        return {}
    return agency_store.agency_names(session, ids={d.agency_id for d in drafts})


def _status_of(
    services: Services, session: Session, draft: Draft, agency: str | None = None
) -> DraftStatusView:
    """One draft in full: its open task, its row times, the time left or how late."""
    assert draft.id is not None
    sop = services.sops[draft.sop_id]
    now = services.clock()
    task = draft_store.open_task(session, draft_id=draft.id)
    briefing = views.briefing(session, sop, draft, task, now=now) if task else None
    rows = tuple(
        views.row_time(clock, sop) for clock in draft_store.row_clocks(session, draft_id=draft.id)
    )
    left = late = 0
    if briefing is not None and briefing.due_at is not None:
        counting_from = now  # a row waiting for its meeting counts from its start
        if briefing.meeting_at is not None and briefing.meeting_at > now:
            counting_from = briefing.meeting_at
        left = services.calendar.working_minutes_between(counting_from, briefing.due_at)
        late = services.calendar.working_minutes_between(briefing.due_at, now)
    return DraftStatusView(views.draft_view(draft), briefing, rows, left, late, agency=agency)


def history(
    services: Services, *, scope: Scope, draft_id: int
) -> tuple[DraftView, list[AuditLine]]:
    """The audit trail of a draft the reader sees, oldest first."""
    with services.reading() as session:
        draft = require_draft(
            session, sops=services.sops, draft_id=draft_id, agency_id=scope.agency_id
        )
        sop = services.sops[draft.sop_id]
        entries = draft_store.audit_trail(session, draft_id=draft_id)
        ids = {e.actor_id for e in entries if e.actor_id is not None}
        people = official_store.officials_by_ids(session, ids=ids)
        return views.draft_view(draft), [audit_line(session, sop, e, people) for e in entries]


def audit_line(
    session: Session, sop: Sop, entry: AuditEntry, people: dict[int, Official]
) -> AuditLine:
    document = None
    if entry.document_version_id is not None:
        version = draft_store.document_version(session, version_id=entry.document_version_id)
        if version is not None:
            document = views.document_view(session, sop, version)
    actor = people.get(entry.actor_id) if entry.actor_id is not None else None
    party = entry.on_behalf_of
    if party is not None and party in sop.pelaksana:
        party = sop.position(party).nama
    return AuditLine(
        at=entry.at,
        actor=actor.name if actor else "sistem",
        position=entry.position,
        acting=entry.acting,
        action=entry.action,
        task_id=entry.task_id,
        row_no=entry.row_no,
        note=entry.note,
        document=document,
        on_behalf_of=party,
        choice=entry.choice,
        row_label=sop.row_label(entry.row_no),
        position_name=(
            sop.organisation.position(entry.position).label
            if entry.position in sop.organisation.positions
            else entry.position
        ),
    )
