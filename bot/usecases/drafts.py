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
from bot.usecases import agencies, meetings, reports, views
from bot.usecases.base import (
    Origin,
    Services,
    mark_handled,
    require_actor,
    require_official,
    require_open,
    require_party,
)
from bot.usecases.errors import InvalidInput
from bot.usecases.views import Outcome
from storage import conversations as conversation_store
from storage import drafts as draft_store
from storage import meetings as input_store
from storage import officials as official_store
from storage import reminders as reminder_store
from storage.drafts import ConcurrentChange, NewFile
from storage.models import DocumentVersion, Draft, DraftTask, RowClock
from workflow import engine, reminders
from workflow.engine import (
    Action,
    Audit,
    Choose,
    DraftFinished,
    DraftStatus,
    Notice,
    Return,
    Skip,
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
    """Open a new draft of an SOP in the starter's agency; the first holders (of that agency)
    are told."""
    title = clean_title(title)
    sop = services.sops[sop_id or services.default_sop]
    now = services.clock()
    next_year = now.astimezone(services.calendar.tz).year + 1
    year = (year or next_year) if sop.tahun else 0  # 0: its drafts are not for a year
    with services.session() as session:
        mark_handled(session, origin, now)
        agency_id = require_official(session, telegram_id=telegram_id).agency_id
        staff = official_store.staff(session, now=now, agency_id=agency_id)
        actor = require_actor(session, telegram_id=telegram_id, now=now, staff=staff)
        if not agencies.offers(session, sop, agency_id=agency_id):
            raise InvalidInput(texts.sop_of_other_agency(sop.identitas.judul))
        input_store.clear_input(session, official_id=actor.official_id)  # an awaited title
        transition = engine.start_draft(sop, actor=actor, roster=staff.roster, now=now)
        draft = draft_store.create_draft(
            session,
            agency_id=agency_id,
            sop_id=sop.id,
            title=title,
            year=year,
            created_by=actor.official_id,
            now=now,
        )
        recorded = _record(services, session, sop, draft, transition, now, None, None)
        outcome = views.outcome(
            session, sop, draft, transition, recorded.opened, staff, now=now, versions=[]
        )
        started = notify.text(telegram_id, texts.draft_started(outcome.draft.title, draft.id or 0))
        notify.write(session, [started, *_told(services, session, sop, outcome, [])])
        outcome = _with_next_reminder(session, outcome)
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
        # Each row is read once here and passed along: the staff (roster, actor and the
        # people to tell), the draft, its open task and its versions.
        mark_handled(session, origin, now)
        party = require_party(
            session, sops=services.sops, draft_id=draft_id, telegram_id=telegram_id, now=now
        )
        draft, staff, actor = party.draft, party.staff, party.actor
        if staged_id is not None:
            _use_up_staged(session, staged_id)
        sop = services.sops[draft.sop_id]
        current = draft_store.open_task(session, draft_id=draft_id)
        if draft_task_id is not None:
            pressed = current if current is not None and current.id == draft_task_id else None
            require_open(
                session, sop=sop, draft_task_id=draft_task_id, draft_id=draft_id, task=pressed
            )
        versions = draft_store.document_versions(session, draft_id=draft_id)
        meeting_at = None  # read only for a meeting: a decision pays for no more statements
        if current is not None and sop.task(current.task_id).jenis == TaskKind.RAPAT:
            meeting_at = draft_store.meeting_start(session, current)
        state = draft_store.state_of(draft, current, versions, meeting_at=meeting_at)
        transition = apply(sop, state, actor=actor, action=action, roster=staff.roster, now=now)
        if isinstance(action, Upload) and new_file is None:
            raise InvalidInput("Unggahan tanpa berkas.")
        acted_on = draft_task_id
        if acted_on is None and current is not None:
            acted_on = current.id
        recorded = _record(services, session, sop, draft, transition, now, new_file, current)
        if recorded.version is not None:
            versions = [*versions, recorded.version]
        outcome = views.outcome(
            session,
            sop,
            draft,
            transition,
            recorded.opened,
            staff,
            now=now,
            versions=versions,
            clock=recorded.clock,
        )
        if isinstance(action, Upload):
            uploaded = versions[-1]
            missing = missing_documents(sop, transition.state, share=uploaded.share or None)
            outcome = replace(
                outcome,
                document=views.document_view(session, sop, uploaded),
                still_missing=tuple(sop.document(key).nama for key in missing),
            )
        if isinstance(action, Return | Choose | Skip):
            conversation_store.clear_pending_reply(session, official_id=actor.official_id)
        messages = _to_actor(
            services, sop, outcome, actor.name, telegram_id, action, acted_on, origin
        )
        # The pressed message is rewritten first; only then do the other copies lose their
        # buttons (an official must never see the buttons go before the decision shows).
        notify.write(session, messages)
        task = draft_store.draft_task(session, draft_task_id=acted_on) if acted_on else None
        if task is not None and not task.is_open:
            keep = None
            if origin is not None and origin.chat_id and origin.message_id:
                keep = (origin.chat_id, origin.message_id)
            notify.drop_task_buttons(session, draft_task_id=acted_on or 0, keep=keep)
        notify.write(session, _told(services, session, sop, outcome, versions))
        if outcome.transition.state.status is DraftStatus.SELESAI:
            # Its time row by row, to whoever started it.
            notify.write(session, reports.finished_summary(services, session, sop, draft, staff))
        if (
            task is not None
            and not task.is_open
            and sop.task(task.task_id).jenis == TaskKind.RAPAT
        ):
            notify.write(session, meetings.results_sent(services, session, sop, task.id or 0, now))
        outcome = _with_next_reminder(session, outcome)
        session.commit()
        return outcome


def _with_next_reminder(session: Session, outcome: Outcome) -> Outcome:
    """The scheduler's next alarm, read here (in the worker thread, in the same
    transaction) when the action changed the reminders: the handler need not read it."""
    if not outcome.reminders_changed:
        return outcome
    return replace(outcome, next_reminder_at=reminder_store.next_alarm(session))


def _use_up_staged(session: Session, staged_id: int) -> None:
    """A kept file becomes a version once: a second choice of it is refused."""
    staged = conversation_store.staged_upload(session, staged_id=staged_id)
    if staged is None or staged.resolved:
        raise InvalidInput(texts.CHOICE_EXPIRED)
    staged.resolved = True
    session.add(staged)


def _to_actor(
    services: Services,
    sop: Sop,
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
    audit = audits[0] if audits else None
    party = audit.on_behalf_of if audit else None
    line = texts.outcome_line(
        audit.action.value if audit else "",
        name,
        services.clock(),
        services.tz,
        choice=audit.choice if audit else None,
        on_behalf_of=sop.position(party).nama if party in sop.pelaksana else party,
        acting_as=(
            f"{audit.acting} {sop.organisation.position(audit.position).label}"
            if audit is not None and audit.acting and audit.position in sop.organisation.positions
            else None
        ),
    )
    messages: list[notify.Outgoing] = []
    if origin is not None and origin.chat_id is not None and origin.message_id is not None:
        rewritten = f"{origin.message_html}\n\n<b>{line}</b>" if origin.message_html else line
        messages.append(notify.edit(origin.chat_id, origin.message_id, rewritten))
    note = audit.note if audit else None
    if isinstance(action, Return | Choose | Skip) and note:
        messages.append(notify.text(telegram_id, texts.returned_echo(line, note)))
    if outcome.transition.state.status is DraftStatus.SELESAI:
        result = next(
            (e.result for e in outcome.transition.effects if isinstance(e, DraftFinished)), None
        )
        messages.append(
            notify.text(telegram_id, texts.draft_finished(draft.title, draft.id, result))
        )
    return messages


def _told(
    services: Services,
    session: Session,
    sop: Sop,
    outcome: Outcome,
    versions: list[DocumentVersion],
) -> list[notify.Outgoing]:
    """Everyone else the outcome concerns, with the documents of what was finished
    (`versions`: the draft's, after the action, oldest first)."""
    produced: dict[str, list[views.DocumentView]] = {}
    for effect in outcome.transition.effects:
        if isinstance(effect, Notice) and effect.task_id not in produced:
            latest = draft_store.latest_of(versions, sop.task(effect.task_id).dokumen)
            produced[effect.task_id] = [views.document_view(session, sop, v) for v in latest]
    return notify.outcome(outcome, sop, services.tz, produced)


def _record(
    services: Services,
    session: Session,
    sop: Sop,
    draft: Draft,
    transition: Transition,
    now: datetime,
    new_file: NewFile | None,
    current: DraftTask | None,
) -> draft_store.Recorded:
    """Write the transition; `current` is the draft's open task, read before it."""

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
        current=current,
    )
