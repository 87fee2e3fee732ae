"""In-memory world of the Bot API emulator.

Everything Telegram would remember about one bot lives here: users and their private chats,
every message with its current content and edit history, uploaded files, callback queries,
the pending update queue, command menus and a log of every Bot API call the bot made.

This module knows nothing about HTTP; :mod:`emulator.server` exposes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import secrets
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from emulator.formatting import Entity, detect_entities

JsonDict = dict[str, Any]
Clock = Callable[[], float | datetime]
"""A time source: unix seconds, or a timezone-aware datetime."""

MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
"""Bots cannot ``getFile`` files bigger than this (Telegram's 20 MB limit)."""

DEFAULT_CALLBACK_QUERY_MAX_AGE = 15.0
"""Seconds after which an unanswered callback query can no longer be answered."""

DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "callback_query",
        "inline_query",
        "chosen_inline_result",
        "my_chat_member",
        "poll",
        "poll_answer",
        "chat_join_request",
        "pre_checkout_query",
        "shipping_query",
    }
)
"""Update types delivered when ``allowed_updates`` is empty or was never set."""

DEFAULT_WEBHOOK_MAX_CONNECTIONS = 40
"""Simultaneous webhook connections when ``setWebhook`` gives no ``max_connections``."""


class ApiError(Exception):
    """A Bot API failure, answered as ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, error_code: int, description: str, *, retry_after: int | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after


def bad_request(description: str) -> ApiError:
    """A 400 error; ``description`` is the part after ``"Bad Request: "``."""
    return ApiError(400, f"Bad Request: {description}")


def forbidden(description: str) -> ApiError:
    """A 403 error; ``description`` is the part after ``"Forbidden: "``."""
    return ApiError(403, f"Forbidden: {description}")


class Signal:
    """Wakes every current waiter when notified (an :class:`asyncio.Event` that re-arms)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake everybody waiting right now."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        """Wait until the next :meth:`notify`, or at most ``seconds``."""
        event = self._event
        if seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()


@dataclass
class UserRecord:
    """A simulated Telegram user; their private chat with the bot has the same id."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    started: bool = False
    blocked: bool = False
    deactivated: bool = False

    def to_api(self) -> JsonDict:
        """The Bot API ``User`` object."""
        data: JsonDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data

    def chat_to_api(self) -> JsonDict:
        """The Bot API ``Chat`` object of the private chat with this user."""
        data: JsonDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        for key in ("last_name", "username"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass
class StoredFile:
    """A file known to the emulator, uploaded by the bot or by a user."""

    file_id: str
    file_unique_id: str
    kind: str  # "document", "photo", "sticker" or "voice"
    content: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    photo_group: list[str] = field(default_factory=list)  # file_ids of all sizes of a photo
    duration: int = 0  # voice notes
    emoji: str | None = None  # stickers

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.content)

    def to_document(self) -> JsonDict:
        """The Bot API ``Document`` object."""
        data: JsonDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name is not None:
            data["file_name"] = self.file_name
        if self.mime_type is not None:
            data["mime_type"] = self.mime_type
        return data

    def to_photo_size(self) -> JsonDict:
        """The Bot API ``PhotoSize`` object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "width": self.width,
            "height": self.height,
        }

    def to_sticker(self) -> JsonDict:
        """The Bot API ``Sticker`` object (a regular, static sticker)."""
        data: JsonDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "type": "regular",
            "width": self.width,
            "height": self.height,
            "is_animated": False,
            "is_video": False,
        }
        if self.emoji is not None:
            data["emoji"] = self.emoji
        return data

    def to_voice(self) -> JsonDict:
        """The Bot API ``Voice`` object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "duration": self.duration,
            "mime_type": self.mime_type or "audio/ogg",
        }

    def to_file(self) -> JsonDict:
        """The Bot API ``File`` object (``getFile`` result)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


@dataclass
class MessageRecord:
    """One message in a private chat or a group, in its current state."""

    chat_id: int
    message_id: int
    date: int
    from_bot: bool
    sender_id: int | None = None  # the user who sent it (None for the bot's messages)
    text: str | None = None
    entities: list[Entity] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[Entity] = field(default_factory=list)
    source_text: str | None = None  # as the bot sent it (HTML markup when parse_mode=HTML)
    source_caption: str | None = None
    parse_mode: str | None = None
    document: StoredFile | None = None
    photo: list[StoredFile] = field(default_factory=list)
    sticker: StoredFile | None = None
    voice: StoredFile | None = None
    media_group_id: str | None = None
    extra: JsonDict = field(default_factory=dict)  # location, contact, service fields...
    reply_markup: JsonDict | None = None
    reply_to_message_id: int | None = None
    link_preview_options: JsonDict | None = None
    edit_date: int | None = None
    deleted: bool = False
    history: list[JsonDict] = field(default_factory=list)

    @property
    def inline_keyboard(self) -> list[list[JsonDict]]:
        """Rows of inline buttons currently attached (empty when none)."""
        if self.reply_markup is None:
            return []
        rows = self.reply_markup.get("inline_keyboard")
        return rows if isinstance(rows, list) else []

    @property
    def has_media(self) -> bool:
        """Whether this message carries a caption-able file (document, photo, voice)."""
        return self.document is not None or bool(self.photo) or self.voice is not None


@dataclass(kw_only=True)
class Conversation:
    """A chat the bot can write to: a private chat or a group."""

    id: int
    next_message_id: int = 1
    messages: dict[int, MessageRecord] = field(default_factory=dict)

    def chat_to_api(self) -> JsonDict:
        """The Bot API ``Chat`` object."""
        raise NotImplementedError


@dataclass(kw_only=True)
class ChatRecord(Conversation):
    """The private chat between the bot and one user (same id as the user)."""

    user: UserRecord

    def chat_to_api(self) -> JsonDict:
        """The Bot API ``Chat`` object of the private chat."""
        return self.user.chat_to_api()


@dataclass(kw_only=True)
class GroupRecord(Conversation):
    """A basic group (negative id) with its members; the bot may or may not be one of them.

    ``bot_status`` is the bot's ``ChatMember`` status: ``"left"`` (never added, or left),
    ``"member"``, or ``"kicked"`` (removed by a member).
    """

    title: str
    members: list[int] = field(default_factory=list)  # user ids; the first is the creator
    admins: list[int] = field(default_factory=list)  # user ids besides the creator
    bot_status: str = "left"

    def chat_to_api(self) -> JsonDict:
        """The Bot API ``Chat`` object of the group."""
        return {"id": self.id, "type": "group", "title": self.title}


@dataclass
class CallbackQueryRecord:
    """A press on an inline button and what the bot answered."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created_at: float
    answered: bool = False
    answer_text: str | None = None
    show_alert: bool = False
    answer_url: str | None = None


@dataclass
class UpdateRecord:
    """A pending update, e.g. ``kind="message"`` with the Message as ``payload``."""

    update_id: int
    kind: str
    payload: JsonDict

    def to_api(self) -> JsonDict:
        """The Bot API ``Update`` object."""
        return {"update_id": self.update_id, self.kind: self.payload}


@dataclass
class LogEntry:
    """One Bot API call made by the bot (``getUpdates`` only when a fault was injected).

    ``ok`` tells whether the call took effect; ``error`` is what the bot was answered
    instead of success; ``fault`` names an injected fault (see :class:`emulator.limits.FaultPlan`).
    """

    seq: int
    time: float
    method: str
    chat_id: int | None
    message_id: int | None
    ok: bool
    error: str | None = None
    text: str | None = None
    fault: str | None = None

    def to_json(self) -> JsonDict:
        """Plain JSON form for the control endpoints."""
        return {
            "seq": self.seq,
            "time": self.time,
            "method": self.method,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "ok": self.ok,
            "error": self.error,
            "text": self.text,
            "fault": self.fault,
        }


def image_size(content: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG image, or ``None`` if not recognised."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        width, height = struct.unpack("<HH", content[6:10])
        return int(width), int(height)
    if content.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(content):
            if content[index] != 0xFF:
                index += 1
                continue
            marker = content[index + 1]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD):
                height, width = struct.unpack(">HH", content[index + 5 : index + 9])
                return int(width), int(height)
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                index += 2
                continue
            (segment_length,) = struct.unpack(">H", content[index + 2 : index + 4])
            index += 2 + int(segment_length)
    return None


class EmulatorState:
    """Everything the emulated Telegram remembers about one bot and its users."""

    def __init__(
        self,
        bot_id: int,
        bot_username: str,
        bot_first_name: str,
        clock: Clock | None = None,
    ) -> None:
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.clock: Clock = clock or time.time
        self.clock_offset = 0.0
        self.callback_query_max_age = DEFAULT_CALLBACK_QUERY_MAX_AGE
        self.group_privacy = True  # the bot sees only commands, replies and mentions in groups
        # Counters survive reset() so that a running bot's getUpdates offset stays valid.
        self._next_update_id = 1
        self._next_query_id = 1
        self._next_file = 1
        self._next_log_seq = 1
        self._next_media_group = 1
        self.version = 0
        self.updates_signal = Signal()
        self.changes_signal = Signal()
        self.webhook_generation = 0
        self.reset()

    def reset(self) -> None:
        """Forget users, chats, messages, files, queries, updates, menus and the log."""
        self.chats: dict[int, ChatRecord] = {}
        self.groups: dict[int, GroupRecord] = {}
        self.files: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.updates: list[UpdateRecord] = []
        self.commands: dict[tuple[str, int | None, str], list[JsonDict]] = {}
        self.menu_buttons: dict[int | None, JsonDict] = {}
        self.log: list[LogEntry] = []
        self.allowed_updates: list[str] = []
        self.webhook_url = ""
        self.webhook_secret_token = ""
        self.webhook_max_connections = DEFAULT_WEBHOOK_MAX_CONNECTIONS
        self.webhook_last_error_date: int | None = None
        self.webhook_last_error_message: str | None = None
        self.webhook_generation += 1  # deliveries under way belong to a forgotten webhook
        self.changed()

    # -- time and change notification ----------------------------------------------------

    def now(self) -> float:
        """Current emulated time (unix seconds): the clock plus any :meth:`advance_clock`."""
        value = self.clock()
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("the emulator clock must return timezone-aware datetimes")
            value = value.timestamp()
        return value + self.clock_offset

    def advance_clock(self, seconds: float) -> float:
        """Move emulated time forward; returns the new time."""
        self.clock_offset += seconds
        return self.now()

    def changed(self) -> None:
        """Record that something observable changed and wake control-side waiters."""
        self.version += 1
        self.changes_signal.notify()

    # -- bot identity ----------------------------------------------------------------------

    def bot_user(self) -> JsonDict:
        """The bot as a Bot API ``User`` (as it appears in ``from``)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # -- users and chats -------------------------------------------------------------------

    def register_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> UserRecord:
        """Create the user (or update their names); they have not started the bot yet."""
        if user_id <= 0:
            raise bad_request("user id must be positive")
        chat = self.chats.get(user_id)
        if chat is None:
            user = UserRecord(user_id, first_name, last_name, username, language_code)
            self.chats[user_id] = ChatRecord(id=user_id, user=user)
            return user
        user = chat.user
        user.first_name, user.last_name = first_name, last_name
        user.username, user.language_code = username, language_code
        return user

    def chat(self, chat_id: int) -> ChatRecord:
        """The chat with that id, or the Bot API's ``chat not found``."""
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def conversation(self, chat_id: int) -> Conversation:
        """The private chat or group with that id, or the Bot API's ``chat not found``."""
        found: Conversation | None = self.chats.get(chat_id) or self.groups.get(chat_id)
        if found is None:
            raise bad_request("chat not found")
        return found

    def user(self, user_id: int) -> UserRecord | None:
        """A registered user, or ``None``."""
        chat = self.chats.get(user_id)
        return chat.user if chat else None

    def message(self, chat_id: int, message_id: int) -> MessageRecord | None:
        """A message that exists and was not deleted, or ``None``."""
        chat: Conversation | None = self.chats.get(chat_id) or self.groups.get(chat_id)
        message = chat.messages.get(message_id) if chat else None
        return None if message is None or message.deleted else message

    def add_message(self, chat: Conversation, *, from_bot: bool, **fields: Any) -> MessageRecord:
        """Append a new message to ``chat``."""
        message = MessageRecord(
            chat_id=chat.id,
            message_id=chat.next_message_id,
            date=int(self.now()),
            from_bot=from_bot,
            **fields,
        )
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        return message

    # -- files -----------------------------------------------------------------------------

    def _new_ids(self, prefix: str) -> tuple[str, str]:
        number = self._next_file
        self._next_file += 1
        file_id = f"{prefix}{number:06d}{secrets.token_urlsafe(12)}"
        return file_id, f"AgAD{number:06d}{secrets.token_hex(3)}"

    def store_document(
        self, content: bytes, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        """Keep an uploaded document and give it a new file_id."""
        file_id, unique_id = self._new_ids("BQACAgIAAxkBAAI")
        if mime_type is None or mime_type == "application/octet-stream":
            guessed = mimetypes.guess_type(file_name or "", strict=False)[0]
            mime_type = guessed or mime_type
        suffix = ""
        if file_name and "." in file_name:
            extension = file_name.rsplit(".", 1)[1]
            # Telegram keeps a plain extension in the path, never what could break a URL.
            suffix = f".{extension}" if extension.isascii() and extension.isalnum() else ""
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=unique_id,
            kind="document",
            content=content,
            file_path=f"documents/file_{self._next_file - 1}{suffix}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[file_id] = stored
        return stored

    def store_sticker(self, content: bytes, emoji: str | None) -> StoredFile:
        """Keep a (static, 512x512) sticker a user sent."""
        file_id, unique_id = self._new_ids("CAACAgIAAxkBAAI")
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=unique_id,
            kind="sticker",
            content=content,
            file_path=f"stickers/file_{self._next_file - 1}.webp",
            mime_type="image/webp",
            width=512,
            height=512,
            emoji=emoji,
        )
        self.files[file_id] = stored
        return stored

    def store_voice(self, content: bytes, duration: int, mime_type: str | None) -> StoredFile:
        """Keep a voice note a user recorded."""
        file_id, unique_id = self._new_ids("AwACAgIAAxkBAAI")
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=unique_id,
            kind="voice",
            content=content,
            file_path=f"voice/file_{self._next_file - 1}.oga",
            mime_type=mime_type or "audio/ogg",
            duration=duration,
        )
        self.files[file_id] = stored
        return stored

    def new_media_group_id(self) -> str:
        """A fresh ``media_group_id`` for an album."""
        number = self._next_media_group
        self._next_media_group += 1
        return str(13_000_000_000_000_000 + number)

    def store_photo(
        self, content: bytes, width: int | None = None, height: int | None = None
    ) -> list[StoredFile]:
        """Keep an uploaded photo as a list of PhotoSize files, smallest first.

        Telegram would resize the picture; the emulator cannot, so every size serves the
        original bytes and only the reported dimensions differ.
        """
        if width is None or height is None:
            width, height = image_size(content) or (1280, 960)
        dimensions: list[tuple[int, int]] = []
        for side in (90, 320):
            scale = side / max(width, height, 1)
            if scale < 1:
                dimensions.append((max(1, round(width * scale)), max(1, round(height * scale))))
        dimensions.append((width, height))
        sizes: list[StoredFile] = []
        for size_width, size_height in dimensions:
            file_id, unique_id = self._new_ids("AgACAgIAAxkBAAI")
            sizes.append(
                StoredFile(
                    file_id=file_id,
                    file_unique_id=unique_id,
                    kind="photo",
                    content=content,
                    file_path=f"photos/file_{self._next_file - 1}.jpg",
                    width=size_width,
                    height=size_height,
                )
            )
        group = [size.file_id for size in sizes]
        for size in sizes:
            size.photo_group = group
            self.files[size.file_id] = size
        return sizes

    # -- serialisation to Bot API objects ---------------------------------------------------

    def message_to_api(self, message: MessageRecord, *, with_reply: bool = True) -> JsonDict:
        """The Bot API ``Message`` object for ``message`` in its current state."""
        chat = self.conversation(message.chat_id)
        data: JsonDict = {"message_id": message.message_id}
        if message.from_bot:
            data["from"] = self.bot_user()
        else:
            sender = self.user(message.sender_id if message.sender_id is not None else chat.id)
            if sender is not None:
                data["from"] = sender.to_api()
        data.update({"chat": chat.chat_to_api(), "date": message.date})
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if with_reply and message.reply_to_message_id is not None:
            replied = chat.messages.get(message.reply_to_message_id)
            if replied is not None and not replied.deleted:
                data["reply_to_message"] = self.message_to_api(replied, with_reply=False)
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
            if message.link_preview_options is not None:
                data["link_preview_options"] = message.link_preview_options
        if message.media_group_id is not None:
            data["media_group_id"] = message.media_group_id
        if message.document is not None:
            data["document"] = message.document.to_document()
        if message.photo:
            data["photo"] = [size.to_photo_size() for size in message.photo]
        if message.sticker is not None:
            data["sticker"] = message.sticker.to_sticker()
        if message.voice is not None:
            data["voice"] = message.voice.to_voice()
        data.update(message.extra)
        if message.caption is not None:
            data["caption"] = message.caption
            if message.caption_entities:
                data["caption_entities"] = message.caption_entities
        if message.inline_keyboard:
            data["reply_markup"] = {"inline_keyboard": message.inline_keyboard}
        return data

    def message_view(self, message: MessageRecord) -> JsonDict:
        """The control-side view of a message (what a simulated user's phone shows)."""
        view = self.content_view(message)
        view.update(
            {
                "message_id": message.message_id,
                "chat_id": message.chat_id,
                "date": message.date,
                "from_bot": message.from_bot,
                "sender_id": message.sender_id,
                "media_group_id": message.media_group_id,
                "parse_mode": message.parse_mode,
                "reply_markup": message.reply_markup,
                "document": message.document.to_document() if message.document else None,
                "photo": [size.to_photo_size() for size in message.photo],
                "reply_to_message_id": message.reply_to_message_id,
                "edited": message.edit_date is not None,
                "deleted": message.deleted,
                "history": list(message.history),
            }
        )
        return view

    @staticmethod
    def content_view(message: MessageRecord) -> JsonDict:
        """The editable content of a message (kept in the edit history)."""
        return {
            "text": message.text,
            "html": message.source_text,
            "caption": message.caption,
            "caption_html": message.source_caption,
            "buttons": [
                [
                    {
                        "text": button.get("text", ""),
                        "callback_data": button.get("callback_data"),
                        "url": button.get("url"),
                    }
                    for button in row
                ]
                for row in message.inline_keyboard
            ],
            "edit_date": message.edit_date,
        }

    # -- updates ---------------------------------------------------------------------------

    def enqueue_update(self, kind: str, payload: JsonDict) -> UpdateRecord:
        """Queue an update for the bot's next ``getUpdates``."""
        update = UpdateRecord(self._next_update_id, kind, payload)
        self._next_update_id += 1
        self.updates.append(update)
        self.updates_signal.notify()
        return update

    def confirm_updates(self, offset: int) -> None:
        """Apply ``getUpdates`` offset semantics: forget confirmed updates."""
        if offset > 0:
            self.updates = [update for update in self.updates if update.update_id >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]

    def deliverable_updates(self, limit: int) -> list[JsonDict]:
        """Up to ``limit`` pending updates of the allowed types (others are dropped)."""
        return [update.to_api() for update in self.pending_updates()[:limit]]

    def pending_updates(self) -> list[UpdateRecord]:
        """The pending updates of the allowed types, oldest first (others are dropped)."""
        allowed = set(self.allowed_updates) or DEFAULT_UPDATE_TYPES
        self.updates = [update for update in self.updates if update.kind in allowed]
        return self.updates

    # -- webhook ---------------------------------------------------------------------------

    def set_webhook(self, url: str, secret_token: str, max_connections: int | None = None) -> None:
        """Deliver updates to ``url`` from now on (``""``: stop, back to ``getUpdates``).

        A new URL or secret starts delivery afresh: waiting retries are tried at once, as
        Telegram's server starts a new webhook connection then.
        """
        if (url, secret_token) != (self.webhook_url, self.webhook_secret_token):
            self.webhook_generation += 1
        self.webhook_url = url
        self.webhook_secret_token = secret_token
        if max_connections is not None:
            self.webhook_max_connections = max_connections
        if not url:
            self.webhook_max_connections = DEFAULT_WEBHOOK_MAX_CONNECTIONS
        self.updates_signal.notify()
        self.changed()

    def webhook_delivered(self, update: UpdateRecord) -> None:
        """The webhook answered 2xx: the update is no longer pending."""
        with contextlib.suppress(ValueError):
            self.updates.remove(update)
        self.changed()

    def webhook_failed(self, message: str) -> None:
        """A delivery failed: ``getWebhookInfo`` shows the last error until the next one."""
        self.webhook_last_error_date = int(self.now())
        self.webhook_last_error_message = message
        self.changed()

    @staticmethod
    def webhook_queue(update: UpdateRecord) -> tuple[str, int]:
        """Telegram's webhook queue of an update: one update of a queue is in flight at a
        time, in order. A chat's messages share one queue; a person's button presses share
        another (Telegram keys callback queries by the user, not by the chat)."""
        payload = update.payload
        if update.kind == "callback_query":
            return ("user", int(payload["from"]["id"]))
        chat = payload.get("chat")
        if isinstance(chat, dict) and "id" in chat:
            return ("chat", int(chat["id"]))
        sender = payload.get("from")
        if isinstance(sender, dict) and "id" in sender:
            return ("user", int(sender["id"]))
        return ("update", update.update_id)

    # -- what simulated users do -----------------------------------------------------------

    def _user_chat(self, user_id: int) -> ChatRecord:
        chat = self.chats.get(user_id)
        if chat is None:
            raise bad_request(f"user {user_id} is not registered")
        return chat

    def _bot_member(self, status: str) -> JsonDict:
        data: JsonDict = {"user": self.bot_user(), "status": status}
        if status == "kicked":
            data["until_date"] = 0  # banned forever
        return data

    def _chat_member_update(self, chat: JsonDict, by: UserRecord, old: str, new: str) -> None:
        self.enqueue_update(
            "my_chat_member",
            {
                "chat": chat,
                "from": by.to_api(),
                "date": int(self.now()),
                "old_chat_member": self._bot_member(old),
                "new_chat_member": self._bot_member(new),
            },
        )

    def block(self, user_id: int) -> None:
        """The user blocks the bot (the bot gets a ``my_chat_member`` update)."""
        user = self._user_chat(user_id).user
        if not user.blocked:
            user.blocked = True
            self._chat_member_update(user.chat_to_api(), user, "member", "kicked")

    def unblock(self, user_id: int) -> None:
        """The user unblocks the bot (the bot gets a ``my_chat_member`` update)."""
        user = self._user_chat(user_id).user
        if user.blocked:
            user.blocked = False
            self._chat_member_update(user.chat_to_api(), user, "kicked", "member")

    def deactivate(self, user_id: int) -> None:
        """The user deletes their account: the bot can no longer write to them."""
        self._user_chat(user_id).user.deactivated = True
        self.changed()

    def _active_user(self, user_id: int) -> UserRecord:
        user = self._user_chat(user_id).user
        if user.deactivated:
            raise bad_request(f"user {user_id} is deactivated")
        return user

    def _target(self, user: UserRecord, chat_id: int | None) -> Conversation:
        """Where a user writes: their private chat, or a group they are a member of."""
        if chat_id is None or chat_id == user.id:
            return self.chats[user.id]
        group = self.groups.get(chat_id)
        if group is None:
            raise bad_request(f"no group {chat_id}")
        if user.id not in group.members:
            raise bad_request(f"user {user.id} is not a member of group {chat_id}")
        return group

    def bot_sees(self, group: GroupRecord, message: MessageRecord) -> bool:
        """Whether a user's message in a group reaches the bot.

        With privacy mode on (the default, see ``getMe.can_read_all_group_messages``) the bot
        only gets commands (not addressed to another bot), messages that mention it, replies
        to its own messages and service messages.
        """
        if group.bot_status != "member":
            return False
        if not self.group_privacy or "new_chat_members" in message.extra:
            return True
        replied = group.messages.get(message.reply_to_message_id or 0)
        if replied is not None and replied.from_bot:
            return True
        text = message.text if message.text is not None else message.caption or ""
        mention = "@" + self.bot_username.lower()
        if mention in text.lower():
            return True
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            _, _, addressee = command.partition("@")
            return not addressee or addressee.lower() == self.bot_username.lower()
        return False

    def user_sends(
        self,
        user_id: int,
        *,
        chat_id: int | None = None,
        text: str | None = None,
        caption: str | None = None,
        document: StoredFile | None = None,
        photo: list[StoredFile] | None = None,
        sticker: StoredFile | None = None,
        voice: StoredFile | None = None,
        extra: JsonDict | None = None,
        reply_to_message_id: int | None = None,
    ) -> MessageRecord:
        """A user sends a message to the bot (``chat_id``: to a group they are in).

        In the private chat this starts (and unblocks) the chat; the bot gets a ``message``
        update (in a group only when :meth:`bot_sees` it).
        """
        user = self._active_user(user_id)
        target = self._target(user, chat_id)
        if text is not None and not text.strip():
            raise bad_request("message text is empty")
        if (
            reply_to_message_id is not None
            and self.message(target.id, reply_to_message_id) is None
        ):
            raise bad_request("message to be replied not found")
        if isinstance(target, ChatRecord):
            self.unblock(user_id)
            user.started = True
        message = self.add_message(
            target,
            from_bot=False,
            sender_id=user_id,
            text=text,
            entities=detect_entities(text) if text else [],
            caption=caption,
            caption_entities=detect_entities(caption) if caption else [],
            document=document,
            photo=photo or [],
            sticker=sticker,
            voice=voice,
            extra=dict(extra or {}),
            reply_to_message_id=reply_to_message_id,
        )
        if not isinstance(target, GroupRecord) or self.bot_sees(target, message):
            self.enqueue_update("message", self.message_to_api(message))
        self.changed()
        return message

    def user_edits(
        self,
        user_id: int,
        message_id: int,
        *,
        chat_id: int | None = None,
        text: str | None = None,
        caption: str | None = None,
    ) -> MessageRecord:
        """A user edits the text (or a file's caption) of a message they sent earlier.

        The bot gets an ``edited_message`` update with the new content and ``edit_date``.
        """
        user = self._active_user(user_id)
        target = self._target(user, chat_id)
        message = self.message(target.id, message_id)
        if message is None or message.from_bot or message.sender_id != user_id:
            raise bad_request(f"user {user_id} sent no message {message_id} in chat {target.id}")
        if (text is None) == (caption is None):
            raise bad_request("give either text or caption")
        before = self.content_view(message)
        if text is not None:
            if message.text is None:
                raise bad_request("there is no text in the message to edit")
            if not text.strip():
                raise bad_request("message text is empty")
            if text == message.text:
                raise bad_request("message is not modified")
            message.text, message.entities = text, detect_entities(text)
        elif caption is not None:
            if not message.has_media:
                raise bad_request("there is no caption in the message to edit")
            new_caption = caption or None
            if new_caption == message.caption:
                raise bad_request("message is not modified")
            message.caption = new_caption
            message.caption_entities = detect_entities(caption) if caption else []
        message.history.append(before)
        message.edit_date = int(self.now())
        if not isinstance(target, GroupRecord) or self.bot_sees(target, message):
            self.enqueue_update("edited_message", self.message_to_api(message))
        self.changed()
        return message

    # -- groups ----------------------------------------------------------------------------

    def group(self, chat_id: int) -> GroupRecord:
        """The group with that id (control side)."""
        group = self.groups.get(chat_id)
        if group is None:
            raise bad_request(f"no group {chat_id}")
        return group

    def create_group(
        self, chat_id: int, title: str, members: list[int], admins: list[int] | None = None
    ) -> GroupRecord:
        """Create a basic group of registered users (the first one created it).

        The bot is not in it until a member adds it (:meth:`add_bot`).
        """
        if chat_id >= 0:
            raise bad_request("a group id must be negative")
        if chat_id in self.groups:
            raise bad_request(f"group {chat_id} exists already")
        if not title.strip():
            raise bad_request("a group needs a title")
        if not members:
            raise bad_request("a group needs at least one member")
        for user_id in [*members, *(admins or [])]:
            self._active_user(user_id)
        group = GroupRecord(
            id=chat_id, title=title, members=list(dict.fromkeys(members)), admins=[]
        )
        group.admins = [uid for uid in admins or [] if uid in group.members[1:]]
        self.groups[chat_id] = group
        self.changed()
        return group

    def add_group_member(self, chat_id: int, user_id: int, by_user_id: int | None) -> None:
        """A member adds another user (or the user joins by link): a service message."""
        group = self.group(chat_id)
        user = self._active_user(user_id)
        if user_id in group.members:
            raise bad_request(f"user {user_id} is already a member of group {chat_id}")
        adder = self._active_user(by_user_id) if by_user_id is not None else user
        if adder.id != user.id and adder.id not in group.members:
            raise bad_request(f"user {adder.id} is not a member of group {chat_id}")
        group.members.append(user_id)
        self._service_message(group, adder, {"new_chat_members": [user.to_api()]})

    def _service_message(self, group: GroupRecord, by: UserRecord, fields: JsonDict) -> None:
        message = self.add_message(group, from_bot=False, sender_id=by.id, extra=fields)
        if self.bot_sees(group, message):
            self.enqueue_update("message", self.message_to_api(message))
        self.changed()

    def add_bot(self, chat_id: int, by_user_id: int) -> None:
        """A member adds the bot: a ``my_chat_member`` update from them, then the service
        message ``new_chat_members``, as Telegram sends both."""
        group = self.group(chat_id)
        adder = self._active_user(by_user_id)
        if by_user_id not in group.members:
            raise bad_request(f"user {by_user_id} is not a member of group {chat_id}")
        if group.bot_status == "member":
            raise bad_request(f"the bot is already a member of group {chat_id}")
        old, group.bot_status = group.bot_status, "member"
        self._chat_member_update(group.chat_to_api(), adder, old, "member")
        self._service_message(group, adder, {"new_chat_members": [self.bot_user()]})

    def remove_bot(self, chat_id: int, by_user_id: int) -> None:
        """A member removes the bot: a ``my_chat_member`` update (status ``kicked``)."""
        group = self.group(chat_id)
        remover = self._active_user(by_user_id)
        if by_user_id not in group.members:
            raise bad_request(f"user {by_user_id} is not a member of group {chat_id}")
        if group.bot_status != "member":
            raise bad_request(f"the bot is not a member of group {chat_id}")
        group.bot_status = "kicked"
        self._chat_member_update(group.chat_to_api(), remover, "member", "kicked")
        self.changed()

    def press_button(
        self,
        user_id: int,
        message_id: int,
        button_text: str | None,
        *,
        chat_id: int | None = None,
        forged_data: str | None = None,
    ) -> CallbackQueryRecord:
        """A user presses the inline button labelled ``button_text`` on a bot message.

        ``chat_id`` names another user's chat: the message was forwarded to the presser,
        who presses its button (Telegram keeps callback buttons on forwarded messages).
        ``forged_data`` is sent as the callback data instead of a button's, whatever the
        message shows: a tampered client, or a button left by an older version of the bot.
        """
        chat = self._user_chat(user_id)
        owner = chat_id if chat_id is not None else user_id
        group = self.groups.get(owner)
        if group is not None and user_id not in group.members:
            raise bad_request(f"user {user_id} is not a member of group {owner}")
        message = self.message(owner, message_id)
        if message is None or not message.from_bot:
            raise bad_request(f"no bot message {message_id} in chat {owner}")
        data = forged_data if forged_data is not None else self._button_data(message, button_text)
        query = CallbackQueryRecord(
            id=str(4_000_000_000_000_000 + self._next_query_id),
            user_id=user_id,
            chat_id=owner,
            message_id=message_id,
            data=data,
            created_at=self.now(),
        )
        self._next_query_id += 1
        self.callback_queries[query.id] = query
        self.enqueue_update(
            "callback_query",
            {
                "id": query.id,
                "from": chat.user.to_api(),
                "message": self.message_to_api(message),
                "chat_instance": str(-(10**18) - user_id),
                "data": data,
            },
        )
        self.changed()
        return query

    @staticmethod
    def _button_data(message: MessageRecord, button_text: str | None) -> str:
        buttons = [button for row in message.inline_keyboard for button in row]
        button = next((b for b in buttons if b.get("text") == button_text), None)
        if button is None:
            labels = [b.get("text") for b in buttons]
            raise bad_request(
                f"message {message.message_id} has no button {button_text!r}; "
                f"buttons now: {labels}"
            )
        data = button.get("callback_data")
        if not isinstance(data, str):
            raise bad_request(f"button {button_text!r} is not a callback button")
        return data

    # -- commands --------------------------------------------------------------------------

    def commands_for_user(self, user_id: int) -> list[JsonDict]:
        """The command menu the user sees, resolved in Telegram's documented order."""
        user = self._user_chat(user_id).user
        language = user.language_code or ""
        for scope in (("chat", user_id), ("all_private_chats", None), ("default", None)):
            for lang in (language, ""):
                commands = self.commands.get((scope[0], scope[1], lang))
                if commands:
                    return commands
        return []

    # -- log -------------------------------------------------------------------------------

    def record(
        self,
        method: str,
        *,
        chat_id: int | None,
        message_id: int | None,
        error: str | None = None,
        text: str | None = None,
        ok: bool | None = None,
        fault: str | None = None,
    ) -> None:
        """Append a Bot API call to the log (``ok`` defaults to "no error")."""
        self.log.append(
            LogEntry(
                seq=self._next_log_seq,
                time=self.now(),
                method=method,
                chat_id=chat_id,
                message_id=message_id,
                ok=error is None if ok is None else ok,
                error=error,
                text=text,
                fault=fault,
            )
        )
        self._next_log_seq += 1
