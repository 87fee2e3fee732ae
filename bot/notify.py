"""What each person must receive after a state change, as messages owed (outbox rows).

Use cases call these inside their own transaction, so a decision and the messages it owes
are written together or not at all; the sender delivers them afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.callbacks import Press, Verb
from bot.limits import CAPTION_LIMIT, fit_html
from bot.usecases.views import DocumentView, Outcome, Person, TaskBriefing
from storage import outbox as outbox_store
from workflow.engine import Audit, DraftFinished, NoticeReason
from workflow.sop import Sop, TaskKind

ALBUM_SIZE = 10
"""Telegram groups at most ten files in one album."""


@dataclass(frozen=True)
class Outgoing:
    """One message owed to one chat."""

    chat_id: int
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    official_id: int | None = None
    tag: str | None = None
    """What it is about, so that it can be edited later (a task's buttons)."""


def task_tag(draft_task_id: int) -> str:
    return f"tugas:{draft_task_id}"


def text(
    chat_id: int,
    html: str,
    *,
    keyboard: InlineKeyboardMarkup | None = None,
    official_id: int | None = None,
    tag: str | None = None,
) -> Outgoing:
    """A message in HTML, cut to fit Telegram's 4,096 characters if it must be."""
    payload: dict[str, Any] = {"text": fit_html(html), "parse_mode": "HTML"}
    if keyboard is not None:
        payload["reply_markup"] = keyboard.to_dict()
    return Outgoing(chat_id, outbox_store.MESSAGE, payload, official_id, tag)


def edit(
    chat_id: int, message_id: int, html: str, *, keyboard: InlineKeyboardMarkup | None = None
) -> Outgoing:
    """The pressed message, rewritten with what was decided: without its buttons, unless
    `keyboard` gives the ones it keeps."""
    payload: dict[str, Any] = {
        "text": fit_html(html),
        "parse_mode": "HTML",
        "message_id": message_id,
    }
    if keyboard is not None:
        payload["reply_markup"] = keyboard.to_dict()
    return Outgoing(chat_id, outbox_store.EDIT_TEXT, payload)


def picture(chat_id: int, path: Path, *, file_name: str, caption: str, as_photo: bool) -> Outgoing:
    """A picture the bot drew and kept as a file (a flowchart): the sender reads it when it
    sends, so the outbox holds its path, not its bytes. As a photo, or as a document (full
    resolution)."""
    payload: dict[str, Any] = {
        "path": str(path),
        "file_name": file_name,
        "caption": fit_html(caption, CAPTION_LIMIT),
        "parse_mode": "HTML",
    }
    kind = outbox_store.PHOTO if as_photo else outbox_store.DOCUMENT
    return Outgoing(chat_id, kind, payload)


def kept_document(chat_id: int, path: Path, *, file_name: str, caption: str) -> Outgoing:
    """A file the bot made and kept (a report's chart or workbook), as a document: the
    sender reads it when it sends."""
    payload: dict[str, Any] = {
        "path": str(path),
        "file_name": file_name,
        "caption": fit_html(caption, CAPTION_LIMIT),
        "parse_mode": "HTML",
    }
    return Outgoing(chat_id, outbox_store.DOCUMENT, payload)


def drop_buttons(chat_id: int, message_id: int) -> Outgoing:
    return Outgoing(chat_id, outbox_store.DROP_BUTTONS, {"message_id": message_id})


def documents(person: Person, found: Sequence[DocumentView]) -> list[Outgoing]:
    """The files, as albums of up to ten (photos and documents go in separate albums)."""
    messages: list[Outgoing] = []
    for media in (outbox_store.DOCUMENT, outbox_store.PHOTO):
        items = [
            {
                "file_id": d.telegram_file_id,
                "caption": fit_html(texts.document_caption(d), CAPTION_LIMIT),
            }
            for d in found
            if (outbox_store.PHOTO if d.media == "foto" else outbox_store.DOCUMENT) == media
        ]
        for start in range(0, len(items), ALBUM_SIZE):
            chunk = items[start : start + ALBUM_SIZE]
            payload: dict[str, Any]
            if len(chunk) == 1:
                payload = {**chunk[0], "parse_mode": "HTML"}
                messages.append(Outgoing(person.telegram_id, media, payload, person.official_id))
            else:
                payload = {"items": chunk, "media": media, "parse_mode": "HTML"}
                messages.append(
                    Outgoing(person.telegram_id, outbox_store.ALBUM, payload, person.official_id)
                )
    return messages


def _caption(document: DocumentView) -> str:
    return fit_html(texts.document_caption(document), CAPTION_LIMIT)


def keyboard(buttons: Sequence[tuple[str, Press]]) -> InlineKeyboardMarkup:
    """One button a row: (label, press)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=press.encode())] for label, press in buttons]
    )


def task_keyboard(briefing: TaskBriefing) -> InlineKeyboardMarkup | None:
    """The task message's buttons: a decision's outcomes (one button each, named as the
    document names them), Setujui / Kembalikan, a hand-over's one button, a meeting's 📅;
    and ⏭ Lewati under an optional step."""
    task = briefing.task
    draft_id, task_id = briefing.draft.id, briefing.draft_task_id
    rows: list[list[InlineKeyboardButton]] = []

    def button(label: str, press: Press) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=press.encode())

    if task.jenis == TaskKind.RAPAT and briefing.meeting_at is None:
        rows.append([button(texts.JADWALKAN, Press(Verb.RAPAT_JADWAL, draft_id, task_id))])
    elif task.pilihan:
        rows += [
            [button(choice.label, Press(Verb.PILIH, task_id, index))]
            for index, choice in enumerate(task.pilihan)
        ]
    elif task.is_review:
        rows.append(
            [
                button(texts.approve_label(briefing), Press(Verb.SETUJUI, draft_id, task_id)),
                button(texts.KEMBALIKAN, Press(Verb.KEMBALIKAN, draft_id, task_id)),
            ]
        )
    elif task.jenis == TaskKind.SERAH:
        rows.append([button(texts.handover_label(briefing), Press(Verb.KIRIM, draft_id, task_id))])
    if task.opsional:
        rows.append([button(texts.LEWATI, Press(Verb.LEWATI, draft_id, task_id))])
    return InlineKeyboardMarkup(rows) if rows else None


OPEN_BUTTONS_PER_ROW = 5
"""Buttons that open a task, side by side under a /tugas page (Telegram shows up to 8)."""


def page_buttons(verb: Verb, filter: int, page: int, pages: int) -> list[InlineKeyboardButton]:
    """◀ and ▶ (and the first and last page, when they are further): none past either end."""
    targets: list[tuple[str, int]] = []
    if page > 1:
        if page - 1 > 1:
            targets.append((texts.PAGE_FIRST, 1))
        targets.append((texts.PAGE_BACK, page - 1))
    if page < pages:
        targets.append((texts.PAGE_NEXT, page + 1))
        if page + 1 < pages:
            targets.append((texts.PAGE_LAST, pages))
    return [
        InlineKeyboardButton(
            label.format(page=texts.number_text(target)),
            callback_data=Press(verb, filter, target).encode(),
        )
        for label, target in targets
    ]


def list_keyboard(
    verb: Verb, filter: int, page: int, pages: int, *, open_drafts: Sequence[int] = ()
) -> InlineKeyboardMarkup | None:
    """Under a page of /status or /tugas: a button per task to open it (`open_drafts`),
    then the page buttons. None when there is nothing to press."""
    rows = [
        [
            InlineKeyboardButton(
                texts.OPEN_TASK.format(id=draft_id),
                callback_data=Press(Verb.BUKA_TUGAS, draft_id, 0).encode(),
            )
            for draft_id in open_drafts[start : start + OPEN_BUTTONS_PER_ROW]
        ]
        for start in range(0, len(open_drafts), OPEN_BUTTONS_PER_ROW)
    ]
    if navigation := page_buttons(verb, filter, page, pages):
        rows.append(navigation)
    return InlineKeyboardMarkup(rows) if rows else None


def without_note_keyboard(draft_task_id: int, choice: int) -> InlineKeyboardMarkup:
    """Under the question for an outcome's optional note: go on without one."""
    press = Press(Verb.TANPA_CATATAN, draft_task_id, choice)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.TANPA_CATATAN, callback_data=press.encode())]]
    )


def submit_keyboard(draft_id: int, draft_task_id: int) -> InlineKeyboardMarkup:
    press = Press(Verb.KIRIM, draft_id, draft_task_id)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.KIRIM, callback_data=press.encode())]]
    )


def briefing(person: Person, found: TaskBriefing, sop: Sop, tz: ZoneInfo) -> list[Outgoing]:
    """The task message with its buttons, then the latest documents, then Kirim if ready
    (in a parallel task: the person's own unit's documents, and Kirim when it is complete)."""
    found = found.for_holder(person.official_id)
    tag = task_tag(found.draft_task_id)
    messages = [
        text(
            person.telegram_id,
            texts.task_message(found, sop, tz),
            keyboard=task_keyboard(found),
            official_id=person.official_id,
            tag=tag,
        )
    ]
    messages += documents(person, found.documents)
    if found.ready_to_submit:
        messages.append(
            text(
                person.telegram_id,
                texts.READY_TO_SUBMIT,
                keyboard=submit_keyboard(found.draft.id, found.draft_task_id),
                official_id=person.official_id,
                tag=tag,
            )
        )
    return messages


def outcome(
    found: Outcome, sop: Sop, tz: ZoneInfo, produced: dict[str, list[DocumentView]]
) -> list[Outgoing]:
    """Everyone an action concerns: first who only needs to know, then the new holders.

    `produced` holds, per task id, the documents that task produced (sent with a notice).
    """
    messages: list[Outgoing] = []
    actor = _actor_name(found)
    audits = {e.task_id: e for e in found.transition.effects if isinstance(e, Audit)}
    result = next(
        (e.result for e in found.transition.effects if isinstance(e, DraftFinished)), None
    )
    for person, task_id, reason in found.informed:
        task = sop.task(task_id)
        files = produced.get(task_id, [])
        audit = audits.get(task_id)
        if reason == NoticeReason.DITANDATANGANI:
            what = texts.signed_notice(actor)
        elif reason == NoticeReason.HASIL_RAPAT:
            what = texts.meeting_results_notice(task.judul)
            files = [f for f in files if f.document in task.shared_with_participants]
        elif reason == NoticeReason.DILEWATI:
            what = texts.skipped_notice(task.judul, actor, audit.note if audit else None)
            files = []
        elif reason == NoticeReason.MENUNGGU_BERSAMA:
            waiting = found.still_open.pending_units if found.still_open else ()
            what = texts.joint_waiting_notice(task.judul, actor, waiting)
            files = []
        else:
            choice = audit.choice if audit else None
            what = texts.task_done_notice(task.judul, actor, choice, result)
        messages.append(
            text(
                person.telegram_id,
                texts.notice_message(found.draft.title, found.draft.id, what),
                official_id=person.official_id,
            )
        )
        if task.jenis in (TaskKind.UNGGAH, TaskKind.RAPAT):
            messages += documents(person, files)
        if reason == NoticeReason.MENUNGGU_BERSAMA and found.still_open and task.is_upload:
            # Their part of the joint upload: the documents so far, and Kirim once complete.
            messages += briefing(person, found.still_open, sop, tz)
    for opened in found.opened:
        for person in opened.holders:
            messages += briefing(person, opened, sop, tz)
    return messages


def _actor_name(found: Outcome) -> str:
    for effect in found.transition.effects:
        if isinstance(effect, Audit) and effect.actor_id in found.people:
            return found.people[effect.actor_id].name
    return "pejabat"


def write(session: Session, messages: Iterable[Outgoing]) -> None:
    """Owe these messages, in this order, in the caller's transaction (one statement)."""
    outbox_store.enqueue_all(
        session,
        messages=[_row(message) for message in messages],
        now=datetime.now(UTC),  # delivery runs on real time, whatever the office's clock says
    )


def write_each(session: Session, messages: Iterable[Outgoing]) -> list[int]:
    """Owe these messages, in this order, and hand back their row ids (for what must be
    found again: an invitation's delivery, a group post that is edited)."""
    now = datetime.now(UTC)
    return [
        outbox_store.enqueue(session, **_row(message), now=now).id or 0 for message in messages
    ]


def _row(message: Outgoing) -> dict[str, Any]:
    return {
        "chat_id": message.chat_id,
        "kind": message.kind,
        "payload": message.payload,
        "official_id": message.official_id,
        "tag": message.tag,
    }


def drop_task_buttons(
    session: Session,
    *,
    draft_task_id: int,
    keep: tuple[int, int] | None = None,
    chat_id: int | None = None,
) -> None:
    """Every copy of a task's buttons goes, but the pressed message (`keep`: chat, message);
    with `chat_id`, only the copies in that chat (a task that moved to someone else)."""
    drop_tagged_buttons(session, tag=task_tag(draft_task_id), keep=keep, chat_id=chat_id)


def drop_tagged_buttons(
    session: Session,
    *,
    tag: str,
    keep: tuple[int, int] | None = None,
    chat_id: int | None = None,
) -> None:
    """The buttons of every message with this tag (in `chat_id` only, when given) go (those
    never delivered are left)."""
    drops: list[dict[str, Any]] = []
    for sent in outbox_store.tagged(session, tag=tag):
        if chat_id is not None and sent.chat_id != chat_id:
            continue
        if keep is not None and (sent.chat_id, sent.telegram_message_id) == keep:
            continue
        sent.tag = None  # its buttons are going: never again looked for
        session.add(sent)
        if not sent.payload.get("reply_markup") or sent.status == outbox_store.FAILED:
            continue
        drops.append(
            {
                "chat_id": sent.chat_id,
                "kind": outbox_store.DROP_BUTTONS,
                "payload": {},
                "edit_of": sent.id,
            }
        )
    outbox_store.enqueue_all(session, messages=drops, now=datetime.now(UTC))
