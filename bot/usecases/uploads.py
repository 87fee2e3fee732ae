"""Uploads: which outputs an official may be sending a file for, and a file kept until they
say which output it is. Storing the file as a new version is `drafts.act` with `Upload`."""

from __future__ import annotations

from bot.usecases import reading, views
from bot.usecases.base import Services, require_actor, require_draft, require_open
from bot.usecases.errors import InvalidInput
from bot.usecases.views import StagedView, UploadOption
from storage import conversations as conversation_store
from storage import drafts as draft_store
from storage.models import StagedUpload


def upload_options(services: Services, *, telegram_id: int) -> list[UploadOption]:
    """Every output this official may upload now, the missing ones first."""
    options: list[UploadOption] = []
    for briefing in reading.open_tasks_for(services, telegram_id=telegram_id):
        if not briefing.task.is_upload:
            continue
        sop = services.sops[briefing.draft.sop_id]
        missing = {sop.document(key).nama for key in briefing.task.dokumen} & set(briefing.missing)
        for key in briefing.task.dokumen:
            name = sop.document(key).nama
            options.append(
                UploadOption(briefing.draft, briefing.draft_task_id, key, name, name in missing)
            )
    options.sort(key=lambda option: not option.missing)
    return options


def stage_upload(
    services: Services,
    *,
    telegram_id: int,
    telegram_file_id: str,
    telegram_file_unique_id: str,
    file_name: str,
    mime_type: str,
    size: int,
    options: list[UploadOption],
) -> StagedView:
    """Keep a received file until its official says which output it is."""
    now = services.clock()
    with services.session() as session:
        actor = require_actor(session, telegram_id=telegram_id, now=now)
        staged = conversation_store.add_staged_upload(
            session,
            staged=StagedUpload(
                official_id=actor.official_id,
                telegram_file_id=telegram_file_id,
                telegram_file_unique_id=telegram_file_unique_id,
                file_name=file_name,
                mime_type=mime_type,
                size=size,
                options=[[str(o.draft_task_id), o.document] for o in options],
                created_at=now,
            ),
        )
        session.commit()
        assert staged.id is not None
        return StagedView(staged.id, tuple(options))


def take_staged(
    services: Services, *, telegram_id: int, staged_id: int, choice: int
) -> tuple[StagedUpload, UploadOption]:
    """The staged file and the output chosen for it; the staging is used up."""
    now = services.clock()
    with services.session() as session:
        actor = require_actor(session, telegram_id=telegram_id, now=now)
        staged = conversation_store.staged_upload(session, staged_id=staged_id)
        if staged is None or staged.official_id != actor.official_id:
            raise InvalidInput("Berkas ini tidak ditemukan.")
        if staged.resolved or not 0 <= choice < len(staged.options):
            raise InvalidInput("Pilihan ini sudah tidak berlaku. Kirim ulang berkasnya.")
        task_id, document = staged.options[choice]
        task = draft_store.draft_task(session, draft_task_id=int(task_id))
        if task is None:
            raise InvalidInput("Pilihan ini sudah tidak berlaku. Kirim ulang berkasnya.")
        draft = require_draft(session, sops=services.sops, draft_id=task.draft_id)
        sop = services.sops[draft.sop_id]
        if not task.is_open:
            require_open(session, sop=sop, draft_task_id=int(task_id), draft_id=draft.id or 0)
        staged.resolved = True
        session.add(staged)
        session.commit()
        option = UploadOption(
            views.draft_view(draft), int(task_id), document, sop.document(document).nama, True
        )
        return staged, option
