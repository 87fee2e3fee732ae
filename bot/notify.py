"""What each person must receive after a state change, as messages owed (outbox rows).

Use cases call these inside their own transaction, so a decision and the messages it owes
are written together or not at all; the sender delivers them afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.callbacks import Press, Verb
from bot.limits import CAPTION_LIMIT, fit_html
from bot.usecases.views import DocumentView, Outcome, Person, TaskBriefing
from storage import outbox as outbox_store
from workflow.engine import Audit, Notice, NoticeReason
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


def edit(chat_id: int, message_id: int, html: str) -> Outgoing:
    """The pressed message, rewritten with what was decided, without its buttons."""
    payload = {"text": fit_html(html), "parse_mode": "HTML", "message_id": message_id}
    return Outgoing(chat_id, outbox_store.EDIT_TEXT, payload)


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
    if not briefing.task.is_review:
        return None
    draft_id, task_id = briefing.draft.id, briefing.draft_task_id
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.approve_label(briefing),
                    callback_data=Press(Verb.SETUJUI, draft_id, task_id).encode(),
                ),
                InlineKeyboardButton(
                    texts.KEMBALIKAN,
                    callback_data=Press(Verb.KEMBALIKAN, draft_id, task_id).encode(),
                ),
            ]
        ]
    )


def submit_keyboard(draft_id: int, draft_task_id: int) -> InlineKeyboardMarkup:
    press = Press(Verb.KIRIM, draft_id, draft_task_id)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.KIRIM, callback_data=press.encode())]]
    )


def briefing(person: Person, found: TaskBriefing, sop: Sop, tz: ZoneInfo) -> list[Outgoing]:
    """The task message with its buttons, then the latest documents, then Kirim if ready."""
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
    if found.task.is_upload and not found.missing and found.documents:
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
    reasons = {e.task_id: e.reason for e in found.transition.effects if isinstance(e, Notice)}
    for person, task_id in found.informed:
        if reasons.get(task_id) == NoticeReason.DITANDATANGANI:
            what = texts.signed_notice(actor)
        else:
            what = texts.task_done_notice(sop.task(task_id).judul, actor)
        messages.append(
            text(
                person.telegram_id,
                texts.notice_message(found.draft.title, found.draft.id, what),
                official_id=person.official_id,
            )
        )
        if sop.task(task_id).jenis in (TaskKind.UNGGAH, TaskKind.RAPAT):
            messages += documents(person, produced.get(task_id, []))
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
    """Owe these messages, in this order, in the caller's transaction."""
    outbox_store.enqueue_all(
        session,
        messages=[
            {
                "chat_id": message.chat_id,
                "kind": message.kind,
                "payload": message.payload,
                "official_id": message.official_id,
                "tag": message.tag,
            }
            for message in messages
        ],
        now=datetime.now(UTC),  # delivery runs on real time, whatever the office's clock says
    )


def drop_task_buttons(
    session: Session, *, draft_task_id: int, keep: tuple[int, int] | None = None
) -> None:
    """Every copy of a task's buttons goes, but the pressed message (`keep`: chat, message)."""
    drops: list[dict[str, Any]] = [
        {
            "chat_id": sent.chat_id,
            "kind": outbox_store.DROP_BUTTONS,
            "payload": {},
            "edit_of": sent.id,
        }
        for sent in outbox_store.tagged(session, tag=task_tag(draft_task_id))
        if (keep is None or (sent.chat_id, sent.telegram_message_id) != keep)
        and sent.payload.get("reply_markup")
    ]
    outbox_store.enqueue_all(session, messages=drops, now=datetime.now(UTC))
