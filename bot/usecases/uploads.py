"""Uploads: a file an official sends, from its arrival to a new version of a document.

`receive` decides, before anything is downloaded, whether a file is expected and for which
output (the caption names it, or the official chooses from buttons: `take_staged`).
`store` then judges the file by its content, archives it and records it as the next
version; the engine decides the rest, as for any action.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot import filetypes, notify, texts
from bot.callbacks import Press, Verb
from bot.usecases import drafts, views
from bot.usecases.base import (
    Origin,
    Services,
    mark_handled,
    require_actor,
    require_draft,
    require_member,
    require_open,
)
from bot.usecases.errors import InvalidInput
from bot.usecases.views import Outcome, UploadOption
from storage import conversations as conversation_store
from storage import drafts as draft_store
from storage import officials as official_store
from storage.drafts import NewFile
from storage.files import archive
from storage.models import StagedUpload
from workflow.engine import Actor, Holder, Upload, holdings_for, missing_documents, share_for
from workflow.sop import Sop

MAX_CHOICES = 8
"""Buttons offered for one file; with more, the official names the draft in the caption."""

NUMBER = re.compile(r"\bnomor\s*[:.]?\s*(\S[^\n]{0,79})", re.IGNORECASE)
PHOTO = "foto"
DRAFT = re.compile(r"(?:^|\s)#([0-9]{1,9})\b")


@dataclass(frozen=True)
class IncomingFile:
    """A document or photo as Telegram announced it (nothing downloaded yet)."""

    file_id: str
    unique_id: str
    file_name: str | None
    size: int | None
    is_photo: bool = False
    caption: str | None = None


@dataclass(frozen=True)
class Accepted:
    """A file that may be downloaded now, for this output."""

    option: UploadOption
    incoming: IncomingFile
    number: str | None
    staged_id: int | None = None
    """The kept file this is, used up in the same commit as the new version."""


def document_number(caption: str | None) -> str | None:
    """The official number written in a caption ("Nomor: 050/123/BAPPEDA"), if any."""
    found = NUMBER.search(caption or "")
    return found.group(1).strip() if found else None


def receive(
    services: Services, *, telegram_id: int, incoming: IncomingFile, origin: Origin | None = None
) -> Accepted | None:
    """Accept a file for an output now, or keep it and ask which output (None), or refuse."""
    if incoming.size is not None and incoming.size > services.max_upload_bytes:
        raise InvalidInput(_too_large(incoming.size, services.max_upload_bytes))
    wanted = DRAFT.search(incoming.caption or "")
    options = upload_options(
        services, telegram_id=telegram_id, draft_id=int(wanted.group(1)) if wanted else None
    )
    if not options:
        raise InvalidInput(texts.NO_UPLOAD_EXPECTED)
    chosen = match_caption(incoming.caption, options)
    if chosen is None and len(options) == 1:
        chosen = options[0]
    if chosen is not None:
        return Accepted(chosen, incoming, document_number(incoming.caption))
    if len(options) > MAX_CHOICES:
        raise InvalidInput(texts.NAME_THE_DRAFT)
    _stage(services, telegram_id=telegram_id, incoming=incoming, options=options, origin=origin)
    return None


def upload_options(
    services: Services, *, telegram_id: int, draft_id: int | None = None
) -> list[UploadOption]:
    """The outputs this official may upload now, in their agency's drafts, the missing ones
    first.

    Bounded whatever the number of drafts: at most MAX_CHOICES + 1 open tasks are read.
    """
    now = services.clock()
    with services.session() as session:
        member = require_member(session, telegram_id=telegram_id, now=now)
        actor = member.actor
        mine = {
            task.id
            for sop in services.sops.values()
            for task in sop.tasks
            if task.is_upload
            and any(h.position in sop.acting_positions(task) for h in actor.holdings)
        }
        found = draft_store.open_tasks_among(
            session,
            agency_id=member.agency_id,
            task_ids=mine,
            draft_id=draft_id,
            limit=MAX_CHOICES + 1,
        )
        roster = (
            official_store.roster(session, now=now, agency_id=member.agency_id) if found else {}
        )
        options: list[UploadOption] = []
        for task, draft in found:
            sop = services.sops.get(draft.sop_id)
            if sop is None or task.id is None:
                continue
            state = draft_store.load_state(session, draft=draft)
            share = _my_share(sop, actor, roster, task.task_id, task.shares, task.submitted)
            if share is None:
                continue
            missing = set(missing_documents(sop, state, share=share or None))
            for key in sop.task(task.task_id).dokumen:
                options.append(
                    UploadOption(
                        views.draft_view(draft),
                        task.id,
                        key,
                        sop.document(key).nama,
                        key in missing,
                    )
                )
    options.sort(key=lambda option: not option.missing)
    return options


def _my_share(
    sop: Sop,
    actor: Actor,
    roster: dict[str, list[Holder]],
    task_id: str,
    shares: list[str],
    submitted: list[str],
) -> str | None:
    """The official's part of a task: "" for a whole task, their unit that has not
    submitted yet for a parallel one (their position in a joint step), None when nothing is
    left for them."""
    definition = sop.task(task_id)
    mine = holdings_for(sop, definition, actor, roster)
    if not shares:
        return "" if mine else None
    for holding in mine:
        unit = share_for(sop, definition, holding)
        if unit in shares and unit not in submitted:
            return unit
    return None


def match_caption(caption: str | None, options: list[UploadOption]) -> UploadOption | None:
    """The output a caption names (case and spacing ignored), if exactly one fits."""
    if not caption:
        return None
    wanted = " ".join(caption.lower().split())
    exact = [o for o in options if " ".join(o.name.lower().split()) == wanted]
    if len(exact) == 1:
        return exact[0]
    partial = [o for o in options if " ".join(o.name.lower().split()) in wanted]
    if len({(o.draft_task_id, o.document) for o in partial}) == 1:
        return partial[0]
    return None


def _stage(
    services: Services,
    *,
    telegram_id: int,
    incoming: IncomingFile,
    options: list[UploadOption],
    origin: Origin | None,
) -> None:
    """Keep the file until its official says which output it is, and ask with buttons."""
    now = services.clock()
    with services.session() as session:
        mark_handled(session, origin, now)
        actor = require_actor(session, telegram_id=telegram_id, now=now)
        staged = conversation_store.add_staged_upload(
            session,
            staged=StagedUpload(
                official_id=actor.official_id,
                telegram_file_id=incoming.file_id,
                telegram_file_unique_id=incoming.unique_id,
                file_name=filetypes.display_name(incoming.file_name),
                # The type is judged from the content once downloaded; this only remembers
                # whether Telegram holds the file as a photo.
                mime_type=PHOTO if incoming.is_photo else "",
                size=incoming.size or 0,
                options=[[str(o.draft_task_id), o.document] for o in options],
                created_at=now,
            ),
        )
        assert staged.id is not None
        many = len({o.draft.id for o in options}) > 1
        keyboard = notify.keyboard(
            [
                (texts.option_label(option, many), Press(Verb.PILIH_OUTPUT, staged.id, index))
                for index, option in enumerate(options)
            ]
        )
        notify.write(session, [notify.text(telegram_id, texts.which_output(), keyboard=keyboard)])
        session.commit()


def take_staged(
    services: Services,
    *,
    telegram_id: int,
    staged_id: int,
    choice: int,
) -> Accepted:
    """The kept file and the output chosen for it (it is used up when stored)."""
    now = services.clock()
    stale = InvalidInput(texts.CHOICE_EXPIRED)
    with services.session() as session:
        member = require_member(session, telegram_id=telegram_id, now=now)
        staged = conversation_store.staged_upload(session, staged_id=staged_id)
        if staged is None or staged.official_id != member.actor.official_id:
            raise InvalidInput(texts.FILE_NOT_FOUND)
        if staged.resolved or not 0 <= choice < len(staged.options):
            raise stale
        task_id, document = staged.options[choice]
        task = draft_store.draft_task(session, draft_task_id=int(task_id))
        if task is None:
            raise stale
        draft = require_draft(
            session, sops=services.sops, draft_id=task.draft_id, agency_id=member.agency_id
        )
        sop = services.sops[draft.sop_id]
        if not task.is_open:
            require_open(session, sop=sop, draft_task_id=int(task_id), draft_id=draft.id or 0)
        name = sop.document(document).nama
        option = UploadOption(views.draft_view(draft), int(task_id), document, name, True)
        incoming = IncomingFile(
            file_id=staged.telegram_file_id,
            unique_id=staged.telegram_file_unique_id,
            file_name=staged.file_name,
            size=staged.size,
            is_photo=staged.mime_type == PHOTO,
        )
        return Accepted(option, incoming, None, staged_id=staged_id)


def store(
    services: Services,
    *,
    telegram_id: int,
    accepted: Accepted,
    data: bytes,
    origin: Origin | None = None,
) -> Outcome:
    """Judge the downloaded file by its content, archive it, record it as the next version."""
    if not data:
        raise InvalidInput(texts.EMPTY_FILE)
    if len(data) > services.max_upload_bytes:
        raise InvalidInput(_too_large(len(data), services.max_upload_bytes))
    incoming = accepted.incoming
    found = filetypes.detect(data)
    if found is None or (incoming.is_photo and found not in (filetypes.JPEG, filetypes.PNG)):
        raise InvalidInput(texts.WRONG_FILE_TYPE.format(name=_label(incoming)))
    default = f"foto{found.extension}" if incoming.is_photo else None
    name = filetypes.display_name(incoming.file_name or default, found)
    option = accepted.option
    stored_path, digest = archive(
        services.files_dir, draft_id=option.draft.id, data=data, extension=found.extension
    )
    new_file = NewFile(
        file_name=name,
        mime_type=found.mime_type,
        size=len(data),
        sha256=digest,
        telegram_file_id=incoming.file_id,
        telegram_file_unique_id=incoming.unique_id,
        stored_path=stored_path,
        number=accepted.number,
        media="foto" if incoming.is_photo else "dokumen",
    )
    return drafts.act(
        services,
        telegram_id=telegram_id,
        draft_id=option.draft.id,
        action=Upload(option.document),
        draft_task_id=option.draft_task_id,
        new_file=new_file,
        origin=origin,
        staged_id=accepted.staged_id,
    )


def _label(incoming: IncomingFile) -> str:
    return filetypes.display_name(incoming.file_name or "foto")


def _too_large(size: int, limit: int) -> str:
    return texts.FILE_TOO_LARGE.format(size=texts.size_text(size), limit=texts.size_text(limit))
