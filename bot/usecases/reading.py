"""Reading: what an official sees of drafts and tasks (/tugas, /status, /riwayat).

An official reads their own agency's drafts only (`Scope`); a province-level administrator
reads every agency's, each named. A draft of another agency is one that does not exist.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.usecases import views
from bot.usecases.base import Scope, Services, require_draft, require_member
from bot.usecases.errors import DraftNotFound
from bot.usecases.views import AuditLine, DocumentView, DraftStatusView, DraftView, TaskBriefing
from storage import agencies as agency_store
from storage import drafts as draft_store
from storage import officials as official_store
from storage.models import AuditEntry, Official
from workflow.engine import Holder, holdings_for, share_for
from workflow.sop import Sop


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


def open_tasks_for(
    services: Services, *, telegram_id: int, limit: int | None = None
) -> list[TaskBriefing]:
    """Open tasks this official may act on now (for a parallel task: unit not yet in), in
    their agency's drafts, oldest first; at most `limit` of them."""
    now = services.clock()
    with services.reading() as session:
        member = require_member(session, telegram_id=telegram_id, now=now)
        actor = member.actor
        kinds = _task_kinds(services, actor.holdings)
        roster = official_store.roster(session, now=now, agency_id=member.agency_id)
        found: list[TaskBriefing] = []
        rows = draft_store.open_tasks_among(
            session, agency_id=member.agency_id, task_ids=kinds, limit=2**31 - 1
        )
        for task, draft in rows:
            sop = services.sops.get(draft.sop_id)
            if sop is None:
                continue
            definition = sop.task(task.task_id)
            mine = holdings_for(sop, definition, actor, roster)
            if not mine:
                continue
            if task.shares:
                units = {share_for(sop, definition, h) for h in mine}
                if not units & (set(task.shares) - set(task.submitted)):
                    continue
            found.append(views.briefing(session, sop, draft, task, now=now))
            if limit is not None and len(found) >= limit:
                break
        return found


def count_open_tasks(services: Services, *, telegram_id: int) -> int:
    """How many open tasks of the kinds this official holds their agency's drafts have."""
    now = services.clock()
    with services.reading() as session:
        member = require_member(session, telegram_id=telegram_id, now=now)
        kinds = _task_kinds(services, member.actor.holdings)
        return draft_store.count_open_tasks_among(
            session, agency_id=member.agency_id, task_ids=kinds
        )


def _task_kinds(services: Services, holdings: tuple[Holder, ...]) -> set[str]:
    """Tasks these positions may act on: their own, and outside parties' they act for."""
    positions = {h.position for h in holdings}
    return {
        task.id
        for sop in services.sops.values()
        for task in sop.tasks
        if positions & set(sop.acting_positions(task))
    }


def draft_status(
    services: Services, *, scope: Scope, draft_id: int | None = None
) -> list[DraftStatusView]:
    """Every active draft the reader sees (or one draft), with its open task and row times;
    for a reader of every agency (of several), each named with its agency."""
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
        # Named for a reader of every agency, once there are several to tell apart.
        labelled = scope.every and len(agency_store.agencies(session)) > 1
        names = (
            agency_store.agency_names(session, ids={d.agency_id for d in selected})
            if labelled
            else {}
        )
        statuses: list[DraftStatusView] = []
        for draft in selected:
            assert draft.id is not None
            sop = services.sops[draft.sop_id]
            task = draft_store.open_task(session, draft_id=draft.id)
            briefing = (
                views.briefing(session, sop, draft, task, now=services.clock()) if task else None
            )
            rows = tuple(
                views.row_time(clock, sop)
                for clock in draft_store.row_clocks(session, draft_id=draft.id)
            )
            left = late = 0
            if briefing is not None and briefing.due_at is not None:
                now = services.clock()
                counting_from = now  # a row waiting for its meeting counts from its start
                if briefing.meeting_at is not None and briefing.meeting_at > now:
                    counting_from = briefing.meeting_at
                left = services.calendar.working_minutes_between(counting_from, briefing.due_at)
                late = services.calendar.working_minutes_between(briefing.due_at, now)
            statuses.append(
                DraftStatusView(
                    views.draft_view(draft),
                    briefing,
                    rows,
                    left,
                    late,
                    agency=names.get(draft.agency_id) if labelled else None,
                )
            )
        return statuses


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
        return views.draft_view(draft), [_audit_line(session, sop, e, people) for e in entries]


def _audit_line(
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
    )
