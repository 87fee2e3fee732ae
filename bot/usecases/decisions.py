"""Decisions with named outcomes: a button per outcome, as the SOP document names them.

An outcome that asks for a note (catatan wajib or boleh) waits for it as a return does
(bot/usecases/returns.py); any other is chosen at once.
"""

from __future__ import annotations

from bot.usecases import drafts, returns
from bot.usecases.base import Origin, Services, require_draft, require_official
from bot.usecases.errors import DraftNotFound
from bot.usecases.views import Outcome, TaskBriefing
from storage import drafts as draft_store
from workflow.engine import Choose
from workflow.sop import NoteRule


def choose(
    services: Services,
    *,
    telegram_id: int,
    draft_task_id: int,
    choice: int,
    origin: Origin | None = None,
) -> Outcome | TaskBriefing:
    """The outcome `choice` of a decision: its outcome, or the task whose note is asked."""
    with services.reading() as session:
        official = require_official(session, telegram_id=telegram_id)
        task = draft_store.draft_task(session, draft_task_id=draft_task_id)
        if task is None:
            raise DraftNotFound(0)
        try:
            draft = require_draft(
                session, sops=services.sops, draft_id=task.draft_id, agency_id=official.agency_id
            )
        except DraftNotFound:
            raise DraftNotFound(0) from None  # as for a task that does not exist
    outcomes = services.sops[draft.sop_id].task(task.task_id).outcomes
    if 0 <= choice < len(outcomes) and outcomes[choice].catatan != NoteRule.TIDAK:
        return returns.begin_return(
            services,
            telegram_id=telegram_id,
            draft_id=task.draft_id,
            draft_task_id=draft_task_id,
            origin=origin,
            choice=choice,
        )
    return drafts.act(
        services,
        telegram_id=telegram_id,
        draft_id=task.draft_id,
        action=Choose(choice),
        draft_task_id=draft_task_id,
        origin=origin,
    )
