"""Returns: the Kembalikan button asks for a reason, and the next message the official types
is that reason."""

from __future__ import annotations

from bot import notify, texts
from bot.usecases import drafts, views
from bot.usecases.base import Origin, Services, require_actor, require_draft, require_open
from bot.usecases.errors import InvalidInput, StaleTask
from bot.usecases.views import Outcome, TaskBriefing
from storage import conversations as conversation_store
from storage import drafts as draft_store
from storage import meetings as meeting_store
from storage import officials as official_store
from workflow.engine import Return, apply

NOTE_MAX = 1000
"""A return's reason or arahan: enough for a paragraph, short enough for every message."""


def begin_return(
    services: Services,
    *,
    telegram_id: int,
    draft_id: int,
    draft_task_id: int,
    origin: Origin | None = None,
) -> TaskBriefing:
    """Check a return is allowed, then wait for the reason from this official."""
    now = services.clock()
    with services.session() as session:
        actor = require_actor(session, telegram_id=telegram_id, now=now)
        draft = require_draft(session, sops=services.sops, draft_id=draft_id)
        sop = services.sops[draft.sop_id]
        require_open(session, sop=sop, draft_task_id=draft_task_id, draft_id=draft_id)
        state = draft_store.load_state(session, draft=draft)
        roster = official_store.roster(session, now=now)
        # A dry run: the engine refuses here exactly as it would with the reason.
        apply(sop, state, actor=actor, action=Return("uji coba"), roster=roster, now=now)
        meeting_store.clear_input(session, official_id=actor.official_id)
        conversation_store.set_pending_reply(
            session,
            official_id=actor.official_id,
            draft_task_id=draft_task_id,
            now=now,
            chat_id=origin.chat_id if origin else None,
            message_id=origin.message_id if origin else None,
        )
        task = draft_store.draft_task(session, draft_task_id=draft_task_id)
        assert task is not None
        briefing = views.briefing(session, sop, draft, task, now=now)
        notify.write(session, [notify.text(telegram_id, texts.ask_return_reason(briefing))])
        session.commit()
        return briefing


def awaited_return(services: Services, *, telegram_id: int) -> TaskBriefing | None:
    """The task whose return reason this official is expected to type, if any."""
    found = _awaited(services, telegram_id)
    return found[0] if found else None


def _awaited(
    services: Services, telegram_id: int
) -> tuple[TaskBriefing, int | None, int | None] | None:
    now = services.clock()
    with services.session() as session:
        actor = official_store.actor(session, telegram_id=telegram_id, now=now)
        if actor is None:
            return None
        pending = conversation_store.pending_reply(session, official_id=actor.official_id)
        if pending is None:
            return None
        task = draft_store.draft_task(session, draft_task_id=pending.draft_task_id)
        if task is None:
            return None
        draft = require_draft(session, sops=services.sops, draft_id=task.draft_id)
        briefing = views.briefing(
            session, services.sops[draft.sop_id], draft, task, now=services.clock()
        )
        return briefing, pending.chat_id, pending.message_id


def complete_return(
    services: Services, *, telegram_id: int, note: str, origin: Origin | None = None
) -> Outcome:
    """Return the awaited task with this note; the wait ends unless the note is refused."""
    found = _awaited(services, telegram_id)
    if found is None:
        raise InvalidInput("Tidak ada pengembalian yang menunggu alasan.")
    if len(note) > NOTE_MAX:
        raise InvalidInput(texts.NOTE_TOO_LONG.format(limit=NOTE_MAX, length=len(note)))
    briefing, chat_id, message_id = found
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
            action=Return(note),
            draft_task_id=briefing.draft_task_id,
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
