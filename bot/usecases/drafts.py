"""Drafts: starting one, and every official's action on it (approve, return, submit, upload).

What happens when an official presses a button or sends a file ends in `act`: the engine
decides, `_record` writes the transition with its row clocks and reminders, and the outcome
says who must now be told.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import datetime
from functools import partial

from sqlmodel import Session

from bot import notify, texts
from bot.usecases import meetings, views
from bot.usecases.base import (
    Origin,
    Services,
    mark_handled,
    require_actor,
    require_draft,
    require_open,
)
from bot.usecases.errors import InvalidInput
from bot.usecases.views import Outcome
from storage import conversations as conversation_store
from storage import drafts as draft_store
from storage import officials as official_store
from storage.drafts import ConcurrentChange, NewFile
from storage.models import Draft, DraftTask, RowClock
from workflow import engine, reminders
from workflow.engine import (
    Action,
    Audit,
    DraftStatus,
    Notice,
    Return,
    Transition,
    Upload,
    apply,
    missing_documents,
)
from workflow.sop import Sop, TaskKind
from workflow.waktu import deadline

TITLE_MAX = 200


def start_draft(
    services: Services,
    *,
    telegram_id: int,
    title: str,
    year: int | None = None,
    sop_id: str | None = None,
    origin: Origin | None = None,
) -> Outcome:
    """Open a new draft of an SOP (the Renja by default); the first holders are told."""
    title = clean_title(title)
    sop = services.sops[sop_id or services.default_sop]
    now = services.clock()
    year = year or now.astimezone(services.calendar.tz).year + 1
    with services.session() as session:
        mark_handled(session, origin, now)
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
        outcome = views.outcome(session, sop, draft, transition, opened, roster, now=now)
        started = notify.text(telegram_id, texts.draft_started(outcome.draft.title, draft.id or 0))
        notify.write(session, [started, *_told(services, session, sop, outcome)])
        session.commit()
        return outcome


def clean_title(title: str) -> str:
    """A title as it will be shown: one line, no invisible characters, of sensible length."""
    visible = "".join(c for c in title if unicodedata.category(c) not in ("Cc", "Cf"))
    cleaned = " ".join(visible.split())
    if sum(c.isalnum() for c in cleaned) < 3:
        raise InvalidInput(texts.TITLE_TOO_SHORT)
    if len(cleaned) > TITLE_MAX:
        raise InvalidInput(texts.TITLE_TOO_LONG.format(limit=TITLE_MAX))
    return cleaned


def act(
    services: Services,
    *,
    telegram_id: int,
    draft_id: int,
    action: Action,
    draft_task_id: int | None = None,
    new_file: NewFile | None = None,
    origin: Origin | None = None,
    staged_id: int | None = None,
) -> Outcome:
    """One official's action on a draft; `draft_task_id` pins it to a task (buttons).

    The decision, its audit line and every message it owes are written in one transaction.
    """
    for attempt in range(3):
        try:
            return _act(
                services, telegram_id, draft_id, action, draft_task_id, new_file, origin, staged_id
            )
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
    origin: Origin | None,
    staged_id: int | None,
) -> Outcome:
    now = services.clock()
    with services.session() as session:
        mark_handled(session, origin, now)
        actor = require_actor(session, telegram_id=telegram_id, now=now)
        if staged_id is not None:
            _use_up_staged(session, staged_id)
        draft = require_draft(session, sops=services.sops, draft_id=draft_id)
        sop = services.sops[draft.sop_id]
        if draft_task_id is not None:
            require_open(session, sop=sop, draft_task_id=draft_task_id, draft_id=draft_id)
        state = draft_store.load_state(session, draft=draft)
        roster = official_store.roster(session, now=now)
        transition = apply(sop, state, actor=actor, action=action, roster=roster, now=now)
        if isinstance(action, Upload) and new_file is None:
            raise InvalidInput("Unggahan tanpa berkas.")
        acted_on = draft_task_id
        if acted_on is None and (open_task := draft_store.open_task(session, draft_id=draft_id)):
            acted_on = open_task.id
        opened = _record(services, session, sop, draft, transition, now, new_file)
        outcome = views.outcome(session, sop, draft, transition, opened, roster, now=now)
        if isinstance(action, Upload):
            versions = draft_store.document_versions(session, draft_id=draft_id)
            uploaded = versions[-1]
            missing = missing_documents(sop, transition.state, share=uploaded.share or None)
            outcome = replace(
                outcome,
                document=views.document_view(session, sop, uploaded),
                still_missing=tuple(sop.document(key).nama for key in missing),
            )
        if isinstance(action, Return):
            conversation_store.clear_pending_reply(session, official_id=actor.official_id)
        messages = _to_actor(services, outcome, actor.name, telegram_id, action, acted_on, origin)
        # The pressed message is rewritten first; only then do the other copies lose their
        # buttons (an official must never see the buttons go before the decision shows).
        notify.write(session, messages)
        task = draft_store.draft_task(session, draft_task_id=acted_on) if acted_on else None
        if task is not None and not task.is_open:
            keep = None
            if origin is not None and origin.chat_id and origin.message_id:
                keep = (origin.chat_id, origin.message_id)
            notify.drop_task_buttons(session, draft_task_id=acted_on or 0, keep=keep)
        notify.write(session, _told(services, session, sop, outcome))
        if (
            task is not None
            and not task.is_open
            and sop.task(task.task_id).jenis == TaskKind.RAPAT
        ):
            notify.write(session, meetings.results_sent(services, session, sop, task.id or 0, now))
        session.commit()
        return outcome


def _use_up_staged(session: Session, staged_id: int) -> None:
    """A kept file becomes a version once: a second choice of it is refused."""
    staged = conversation_store.staged_upload(session, staged_id=staged_id)
    if staged is None or staged.resolved:
        raise InvalidInput(texts.CHOICE_EXPIRED)
    staged.resolved = True
    session.add(staged)


def _to_actor(
    services: Services,
    outcome: Outcome,
    name: str,
    telegram_id: int,
    action: Action,
    draft_task_id: int | None,
    origin: Origin | None,
) -> list[notify.Outgoing]:
    """What the official who acted sees: the receipt, or the pressed message rewritten."""
    draft = outcome.draft
    if isinstance(action, Upload):
        assert outcome.document is not None
        ready = not outcome.still_missing and draft_task_id is not None
        chosen = []
        if origin is not None and origin.chat_id and origin.message_id:  # a choice's buttons
            document = outcome.document
            chosen = [
                notify.edit(
                    origin.chat_id,
                    origin.message_id,
                    texts.output_chosen(document.file_name, document.name),
                )
            ]
        return [
            *chosen,
            notify.text(
                telegram_id,
                texts.upload_received(outcome.document, outcome.still_missing),
                keyboard=notify.submit_keyboard(draft.id, draft_task_id or 0) if ready else None,
                tag=notify.task_tag(draft_task_id) if draft_task_id else None,
            ),
        ]
    audits = [e for e in outcome.transition.effects if isinstance(e, Audit)]
    verb = audits[0].action.value if audits else ""
    line = texts.outcome_line(verb, name, services.clock(), services.tz)
    messages: list[notify.Outgoing] = []
    if origin is not None and origin.chat_id is not None and origin.message_id is not None:
        rewritten = f"{origin.message_html}\n\n<b>{line}</b>" if origin.message_html else line
        messages.append(notify.edit(origin.chat_id, origin.message_id, rewritten))
    if isinstance(action, Return):
        messages.append(notify.text(telegram_id, texts.returned_echo(line, action.note)))
    if outcome.transition.state.status is DraftStatus.SELESAI:
        messages.append(notify.text(telegram_id, texts.draft_finished(draft.title, draft.id)))
    return messages


def _told(
    services: Services, session: Session, sop: Sop, outcome: Outcome
) -> list[notify.Outgoing]:
    """Everyone else the outcome concerns, with the documents of what was finished."""
    produced: dict[str, list[views.DocumentView]] = {}
    for effect in outcome.transition.effects:
        if isinstance(effect, Notice) and effect.task_id not in produced:
            versions = draft_store.latest_versions(
                session, draft_id=outcome.draft.id, documents=sop.task(effect.task_id).dokumen
            )
            produced[effect.task_id] = [views.document_view(session, sop, v) for v in versions]
    return notify.outcome(outcome, sop, services.tz, produced)


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
            sop.reminder_policy(clock.row_no),
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
        due_at=partial(deadline, services.calendar),
        minutes_between=services.calendar.working_minutes_between,
        new_file=new_file,
        plan_reminders=plan_reminders,
    )
