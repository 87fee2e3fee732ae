"""Returns and other notes: the Kembalikan button (an outcome that asks for a note, ⏭ Lewati)
asks for a reason, and the next message the official types is that reason."""

from __future__ import annotations

from bot import notify, texts
from bot.usecases import drafts, views
from bot.usecases.base import Origin, Services, require_draft, require_open, require_party
from bot.usecases.errors import InvalidInput, StaleTask
from bot.usecases.views import Outcome, TaskBriefing
from storage import conversations as conversation_store
from storage import drafts as draft_store
from storage import meetings as meeting_store
from storage import officials as official_store
from workflow.engine import Action, Choose, Return, Skip, apply
from workflow.sop import NoteRule

NOTE_MAX = 1000
"""A return's reason or arahan: enough for a paragraph, short enough for every message."""


def begin_return(
    services: Services,
    *,
    telegram_id: int,
    draft_id: int,
    draft_task_id: int,
    origin: Origin | None = None,
    choice: int | None = None,
    skip: bool = False,
) -> TaskBriefing:
    """Check a return is allowed, then wait for the reason from this official.

    With `choice`, the note is for that outcome of a decision; with `skip`, it is the
    reason an optional step is skipped.
    """
    now = services.clock()
    with services.session() as session:
        party = require_party(
            session, sops=services.sops, draft_id=draft_id, telegram_id=telegram_id, now=now
        )
        draft, actor, roster = party.draft, party.actor, party.staff.roster
        sop = services.sops[draft.sop_id]
        require_open(session, sop=sop, draft_task_id=draft_task_id, draft_id=draft_id)
        state = draft_store.load_state(session, draft=draft)
        # A dry run: the engine refuses here exactly as it would with the reason.
        trial = _action("uji coba", choice, skip)
        apply(sop, state, actor=actor, action=trial, roster=roster, now=now)
        meeting_store.clear_input(session, official_id=actor.official_id)
        conversation_store.set_pending_reply(
            session,
            official_id=actor.official_id,
            draft_task_id=draft_task_id,
            now=now,
            chat_id=origin.chat_id if origin else None,
            message_id=origin.message_id if origin else None,
            choice=choice,
            skip=skip,
        )
        task = draft_store.draft_task(session, draft_task_id=draft_task_id)
        assert task is not None
        briefing = views.briefing(session, sop, draft, task, now=now, staff=party.staff)
        notify.write(session, [_question(telegram_id, briefing, choice, skip)])
        session.commit()
        return briefing


def _action(note: str, choice: int | None, skip: bool) -> Action:
    """What the awaited note completes: a skip, a decision's outcome, or a return."""
    if skip:
        return Skip(note)
    if choice is not None:
        return Choose(choice, note)
    return Return(note)


def _question(
    telegram_id: int, briefing: TaskBriefing, choice: int | None, skip: bool
) -> notify.Outgoing:
    if skip:
        return notify.text(telegram_id, texts.ask_skip_reason(briefing))
    if choice is None:
        return notify.text(telegram_id, texts.ask_return_reason(briefing))
    outcome = briefing.task.outcomes[choice]
    required = outcome.catatan == NoteRule.WAJIB
    return notify.text(
        telegram_id,
        texts.ask_choice_note(briefing, outcome.label, required),
        # Tagged as the task's: its button goes once the task is decided, however.
        keyboard=None
        if required
        else notify.without_note_keyboard(briefing.draft_task_id, choice),
        tag=None if required else notify.task_tag(briefing.draft_task_id),
    )


def awaited_return(services: Services, *, telegram_id: int) -> TaskBriefing | None:
    """The task whose return reason this official is expected to type, if any."""
    found = _awaited(services, telegram_id)
    return found[0] if found else None


def _awaited(
    services: Services, telegram_id: int
) -> tuple[TaskBriefing, int | None, int | None, Action] | None:
    """The awaited task, the pressed message (chat, message), and the action its note
    completes (with an empty note)."""
    with services.session() as session:
        official = official_store.official_by_telegram_id(session, telegram_id=telegram_id)
        if official is None or not official.active or official.id is None:
            return None
        pending = conversation_store.pending_reply(session, official_id=official.id)
        if pending is None:
            return None
        task = draft_store.draft_task(session, draft_task_id=pending.draft_task_id)
        if task is None:
            return None
        draft = require_draft(
            session, sops=services.sops, draft_id=task.draft_id, agency_id=official.agency_id
        )
        briefing = views.briefing(
            session, services.sops[draft.sop_id], draft, task, now=services.clock()
        )
        return (
            briefing,
            pending.chat_id,
            pending.message_id,
            _action("", pending.choice, pending.skip),
        )


def complete_return(
    services: Services, *, telegram_id: int, note: str, origin: Origin | None = None
) -> Outcome:
    """Return the awaited task with this note; the wait ends unless the note is refused."""
    found = _awaited(services, telegram_id)
    if found is None:
        raise InvalidInput("Tidak ada pengembalian yang menunggu alasan.")
    if len(note) > NOTE_MAX:
        raise InvalidInput(texts.NOTE_TOO_LONG.format(limit=NOTE_MAX, length=len(note)))
    briefing, chat_id, message_id, awaited = found
    sop = services.sops[briefing.draft.sop_id]
    pressed = Origin(
        update_id=origin.update_id if origin else None,
        chat_id=chat_id,
        message_id=message_id,
        message_html=texts.task_message(briefing, sop, services.tz),
    )
    match awaited:
        case Skip():
            action: Action = Skip(note)
        case Choose():
            action = Choose(awaited.choice, note)
        case _:
            action = Return(note)
    try:
        return drafts.act(
            services,
            telegram_id=telegram_id,
            draft_id=briefing.draft.id,
            action=action,
            draft_task_id=briefing.draft_task_id,
            origin=pressed,
        )
    except StaleTask:
        cancel(services, telegram_id=telegram_id)
        raise


def complete_without_note(
    services: Services,
    *,
    telegram_id: int,
    draft_task_id: int,
    choice: int,
    origin: Origin | None = None,
) -> Outcome:
    """➡️ Tanpa catatan: the awaited outcome is chosen without a note."""
    found = _awaited(services, telegram_id)
    if found is None or found[0].draft_task_id != draft_task_id or found[3] != Choose(choice, ""):
        raise InvalidInput(texts.CHOICE_EXPIRED_NOTE)
    briefing, chat_id, message_id, _ = found
    sop = services.sops[briefing.draft.sop_id]
    pressed = Origin(
        update_id=origin.update_id if origin else None,
        chat_id=chat_id,
        message_id=message_id,
        message_html=texts.task_message(briefing, sop, services.tz),
    )
    try:
        return drafts.act(
            services,
            telegram_id=telegram_id,
            draft_id=briefing.draft.id,
            action=Choose(choice),
            draft_task_id=draft_task_id,
            origin=pressed,
        )
    except StaleTask:
        cancel(services, telegram_id=telegram_id)
        raise


def cancel(services: Services, *, telegram_id: int) -> bool:
    """Forget what the bot was waiting for from this official (/batal)."""
    now = services.clock()
    with services.session() as session:
        actor = official_store.actor(session, telegram_id=telegram_id, now=now)
        if actor is None:
            return False
        cleared = conversation_store.clear_pending_reply(session, official_id=actor.official_id)
        for staged in conversation_store.unresolved_uploads(
            session, official_id=actor.official_id
        ):
            staged.resolved = True
            session.add(staged)
            cleared = True
        session.commit()
        return cleared
