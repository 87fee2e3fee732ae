"""Drafts: starting one, and every official's action on it (approve, return, submit, upload).

What happens when an official presses a button or sends a file ends in `act`: the engine
decides, `_record` writes the transition with its row clocks and reminders, and the outcome
says who must now be told.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel import Session

from bot.usecases import views
from bot.usecases.base import Services, require_actor, require_draft, require_open
from bot.usecases.errors import InvalidInput
from bot.usecases.views import Outcome
from storage import drafts as draft_store
from storage import officials as official_store
from storage.drafts import ConcurrentChange, NewFile
from storage.models import Draft, DraftTask, RowClock
from workflow import engine, reminders
from workflow.engine import Action, Transition, Upload, apply, missing_documents
from workflow.sop import Sop


def start_draft(
    services: Services,
    *,
    telegram_id: int,
    title: str,
    year: int | None = None,
    sop_id: str | None = None,
) -> Outcome:
    """Open a new draft of an SOP (the Renja by default)."""
    title = " ".join(title.split())
    if len(title) < 3:
        raise InvalidInput("Judul draft terlalu pendek.")
    if len(title) > 200:
        raise InvalidInput("Judul draft terlalu panjang (paling banyak 200 huruf).")
    sop = services.sops[sop_id or services.default_sop]
    now = services.clock()
    year = year or now.astimezone(services.calendar.tz).year + 1
    with services.session() as session:
        actor = require_actor(session, telegram_id=telegram_id, now=now)
        roster = official_store.roster(session, now=now)
        transition = engine.start_draft(sop, actor=actor, roster=roster, now=now)
        draft = draft_store.create_draft(
            session,
            sop_id=sop.id,
            title=title,
            year=year,
            created_by=actor.official_id,
            now=now,
        )
        opened = _record(services, session, sop, draft, transition, now, None)
        session.commit()
        return views.outcome(session, sop, draft, transition, opened, roster, now=services.clock())


def act(
    services: Services,
    *,
    telegram_id: int,
    draft_id: int,
    action: Action,
    draft_task_id: int | None = None,
    new_file: NewFile | None = None,
) -> Outcome:
    """One official's action on a draft; `draft_task_id` pins it to a task (buttons)."""
    for attempt in range(3):
        try:
            return _act(services, telegram_id, draft_id, action, draft_task_id, new_file)
        except ConcurrentChange:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _act(
    services: Services,
    telegram_id: int,
    draft_id: int,
    action: Action,
    draft_task_id: int | None,
    new_file: NewFile | None,
) -> Outcome:
    now = services.clock()
    with services.session() as session:
        actor = require_actor(session, telegram_id=telegram_id, now=now)
        draft = require_draft(session, sops=services.sops, draft_id=draft_id)
        sop = services.sops[draft.sop_id]
        if draft_task_id is not None:
            require_open(session, sop=sop, draft_task_id=draft_task_id, draft_id=draft_id)
        state = draft_store.load_state(session, draft=draft)
        roster = official_store.roster(session, now=now)
        transition = apply(sop, state, actor=actor, action=action, roster=roster, now=now)
        if isinstance(action, Upload) and new_file is None:
            raise InvalidInput("Unggahan tanpa berkas.")
        opened = _record(services, session, sop, draft, transition, now, new_file)
        session.commit()
        outcome = views.outcome(
            session, sop, draft, transition, opened, roster, now=services.clock()
        )
        if not isinstance(action, Upload):
            return outcome
        versions = draft_store.document_versions(session, draft_id=draft_id)
        uploaded = versions[-1]
        missing = missing_documents(sop, transition.state, share=uploaded.share or None)
        return replace(
            outcome,
            document=views.document_view(session, sop, uploaded),
            still_missing=tuple(sop.document(key).nama for key in missing),
        )


def _record(
    services: Services,
    session: Session,
    sop: Sop,
    draft: Draft,
    transition: Transition,
    now: datetime,
    new_file: NewFile | None,
) -> list[DraftTask]:
    def plan_reminders(clock: RowClock) -> list[tuple[str, datetime]]:
        planned = reminders.plan(
            sop.pengingat,
            services.calendar,
            entered_at=clock.entered_at,
            due_at=clock.due_at,
            minutes=clock.standard_minutes,
            superior=True,
        )
        return [(reminder.kind.value, reminder.at) for reminder in planned]

    return draft_store.record_transition(
        session,
        draft=draft,
        transition=transition,
        now=now,
        due_at=services.calendar.add_working_minutes,
        minutes_between=services.calendar.working_minutes_between,
        new_file=new_file,
        plan_reminders=plan_reminders,
    )
