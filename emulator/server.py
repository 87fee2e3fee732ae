"""HTTP server speaking the Telegram Bot API on 127.0.0.1, plus a JSON control side.

Bot side (what python-telegram-bot talks to)::

    POST {base_url}{token}/{method}          form, multipart or JSON parameters
    GET  {base_file_url}{token}/{file_path}  file downloads

Control side (what simulated users and tests talk to), all JSON under ``/_emu/``; see
:class:`BotApiEmulator` for the list and :mod:`emulator.client` for a Python client.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from yarl import URL

from emulator.client import EmulatorClient
from emulator.formatting import Entity, EntityParseError, parse_html, trim
from emulator.limits import (
    BAD_GATEWAY_HTML,
    Fault,
    FaultInjector,
    FaultPlan,
    FloodControl,
    FloodLimits,
    StatsRecorder,
    message_cost,
)
from emulator.state import (
    MAX_DOWNLOAD_SIZE,
    ApiError,
    ChatRecord,
    Clock,
    Conversation,
    EmulatorState,
    GroupRecord,
    JsonDict,
    MessageRecord,
    StoredFile,
    bad_request,
    forbidden,
)
from emulator.webhook import WebhookPusher, WebhookRetry

# Lengths are counted in Unicode characters of the text after entity parsing: TDLib's
# get_input_message_content refuses a bot's text when utf8_length(text) exceeds
# message_text_length_max (4096); utf8_length counts code points, not UTF-16 units.
MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_ANSWER_LENGTH = 200
"""``answerCallbackQuery`` text; longer is refused with ``Bad Request: MESSAGE_TOO_LONG``."""
MAX_INLINE_BUTTONS = 100
"""Buttons in one inline keyboard; more is ``Bad Request: reply markup is too long``."""
MAX_ALBUM_SIZE = 10
MAX_UPLOAD_SIZE = 50 * 1024 * 1024
"""Bots may upload files up to 50 MB."""
MAX_REQUEST_SIZE = MAX_UPLOAD_SIZE + 1024 * 1024
MAX_CONTROL_WAIT = 60.0

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"

_INLINE_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "web_app",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_GROUP_ADMIN_RIGHTS: JsonDict = {
    "status": "administrator",
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}
"""What an administrator (not the creator) of a basic group may do."""


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    content: bytes


class Params:
    """Parameters of one request, from the query string and a form, multipart or JSON body.

    Form values arrive as strings (python-telegram-bot JSON-encodes every non-string value),
    JSON bodies carry typed values; the accessors accept both.
    """

    def __init__(self, values: dict[str, object], files: dict[str, UploadedFile]) -> None:
        self.values = values
        self.files = files

    @classmethod
    async def from_request(cls, request: web.Request) -> Params:
        """Read every parameter of ``request``."""
        values: dict[str, object] = dict(request.query)
        files: dict[str, UploadedFile] = {}
        if not request.body_exists:
            return cls(values, files)
        try:
            if request.content_type == "application/json":
                body = await request.json()
                if not isinstance(body, dict):
                    raise bad_request("JSON object expected")
                values.update(body)
            else:
                form = await request.post()
                for name, value in form.items():
                    if isinstance(value, web.FileField):
                        content = value.file.read()
                        files[name] = UploadedFile(value.filename, value.content_type, content)
                    elif isinstance(value, str):
                        values[name] = value
                    else:
                        values[name] = bytes(value).decode("utf-8", "replace")
        except web.HTTPRequestEntityTooLarge:
            raise ApiError(413, "Request Entity Too Large") from None
        except (ValueError, UnicodeDecodeError):
            raise bad_request("can't parse request body") from None
        return cls(values, files)

    def text(self, name: str) -> str | None:
        """A string parameter (numbers given in a JSON body are converted)."""
        value = self.values.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value)

    def integer(self, name: str) -> int | None:
        """An integer parameter, or ``None`` when absent."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def number(self, name: str) -> float | None:
        """A numeric parameter, or ``None`` when absent."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        try:
            return float(str(value).strip())
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        """A boolean parameter (``true``/``1``), ``False`` when absent."""
        value = self.values.get(name)
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1")

    def json(self, name: str, what: str | None = None) -> object:
        """A JSON-serialized parameter (object or array), decoded; ``None`` when absent."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        if not value.strip():
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {what or name} JSON object") from None


def _api_response(status: int, payload: JsonDict) -> web.Response:
    return web.json_response(payload, status=status)


def _api_error(error: ApiError) -> web.Response:
    payload: JsonDict = {
        "ok": False,
        "error_code": error.error_code,
        "description": error.description,
    }
    if error.retry_after is None:
        return _api_response(error.error_code, payload)
    # As Telegram's Bot API server answers flood control (Query::set_retry_after_error and
    # HttpConnection::send_response).
    payload["parameters"] = {"retry_after": error.retry_after}
    response = _api_response(error.error_code, payload)
    response.headers["Retry-After"] = str(error.retry_after)
    return response


MAX_SECRET_TOKEN_LENGTH = 256
MAX_WEBHOOK_CONNECTIONS = 100
WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]*")


def check_webhook_url(url: str) -> None:
    """Refuse a webhook URL as Telegram does; plain HTTP only to 127.0.0.1 (the emulator)."""
    if "://" not in url:
        url = "https://" + url  # Telegram reads a URL without a scheme as HTTPS
    try:
        parsed = URL(url)
        port = parsed.port
    except ValueError:
        raise bad_request("invalid webhook URL specified") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise bad_request("invalid webhook URL specified")
    if parsed.scheme == "http":
        if parsed.host != "127.0.0.1":
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    elif port not in WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


_LOST = {"502": "Bad Gateway", "drop": "connection closed without an answer"}
_STICKER_WEBP = (
    b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00"
    b"\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
)
"""A 1x1 WebP picture: the bytes of every simulated sticker."""
_VOICE_OGG = b"OggS\x00\x02" + bytes(20) + b"OpusHead"
"""The start of an Ogg/Opus stream: the bytes of a voice note recorded without a file."""
"""What the bot gets when the answer is lost, as written in the log."""


class BotApi:
    """The Bot API methods, operating on an :class:`EmulatorState`.

    Every method takes the request :class:`Params` and returns the ``result`` value, or
    raises :class:`ApiError` with Telegram's own error code and description.
    ``getUpdates`` is asynchronous and lives in :class:`BotApiEmulator`.
    """

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.methods: dict[str, Callable[[Params], object]] = {
            "getme": self.get_me,
            "logout": self.harmless,
            "close": self.harmless,
            "setwebhook": self.set_webhook,
            "deletewebhook": self.delete_webhook,
            "getwebhookinfo": self.get_webhook_info,
            "getchat": self.get_chat,
            "sendmessage": self.send_message,
            "senddocument": self.send_document,
            "sendphoto": self.send_photo,
            "sendmediagroup": self.send_media_group,
            "copymessage": self.copy_message,
            "forwardmessage": self.forward_message,
            "getchatmember": self.get_chat_member,
            "getchatadministrators": self.get_chat_administrators,
            "getchatmembercount": self.get_chat_member_count,
            "editmessagetext": self.edit_message_text,
            "editmessagecaption": self.edit_message_caption,
            "editmessagereplymarkup": self.edit_message_reply_markup,
            "deletemessage": self.delete_message,
            "deletemessages": self.delete_messages,
            "answercallbackquery": self.answer_callback_query,
            "getfile": self.get_file,
            "sendchataction": self.send_chat_action,
            "setmycommands": self.set_my_commands,
            "getmycommands": self.get_my_commands,
            "deletemycommands": self.delete_my_commands,
            "setchatmenubutton": self.set_chat_menu_button,
            "getchatmenubutton": self.get_chat_menu_button,
        }

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def chat_id(params: Params, name: str = "chat_id") -> int:
        """The numeric chat id; private chats cannot be addressed by @username."""
        raw = params.text(name)
        if raw is None or not raw.strip():
            raise bad_request(f"{name} is empty")
        try:
            return int(raw.strip())
        except ValueError:
            raise bad_request("chat not found") from None

    def sending_chat(self, params: Params, name: str = "chat_id") -> Conversation:
        """The chat the bot wants to send to, checking that it may, in Telegram's words."""
        chat = self.state.conversation(self.chat_id(params, name))
        if isinstance(chat, GroupRecord):
            self.check_group_member(chat)
            return chat
        assert isinstance(chat, ChatRecord)
        user = chat.user
        if user.deactivated:
            raise forbidden("user is deactivated")
        if user.blocked:
            raise forbidden("bot was blocked by the user")
        if not user.started:
            raise forbidden("bot can't initiate conversation with a user")
        return chat

    @staticmethod
    def check_group_member(group: GroupRecord) -> None:
        """Writing to a group needs the bot to be in it."""
        if group.bot_status == "kicked":
            raise forbidden("bot was kicked from the group chat")
        if group.bot_status != "member":
            raise forbidden("bot is not a member of the group chat")

    @staticmethod
    def entity_list(value: object) -> list[Entity]:
        """Entities given explicitly (``entities`` / ``caption_entities``)."""
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
            raise bad_request("can't parse entities JSON object")
        return [dict(entity) for entity in value]

    @staticmethod
    def format_text(
        source: str, parse_mode: str | None, entities: list[Entity]
    ) -> tuple[str, list[Entity]]:
        """Apply ``parse_mode`` (HTML is parsed; Markdown modes are kept verbatim) and trim."""
        if parse_mode:
            mode = parse_mode.lower()
            if mode == "html":
                try:
                    text, entities = parse_html(source)
                except EntityParseError as exc:
                    raise bad_request(f"can't parse entities: {exc}") from None
            elif mode in ("markdown", "markdownv2"):
                text, entities = source, []
            else:
                raise bad_request("unsupported parse_mode")
        else:
            text = source
        return trim(text, entities)

    def caption(self, params: Params) -> tuple[str | None, list[Entity], str | None]:
        """Caption text, entities and source, validated like Telegram."""
        return self.checked_caption(
            params.text("caption"),
            params.text("parse_mode"),
            params.json("caption_entities", "entities"),
        )

    def checked_caption(
        self, source: str | None, parse_mode: str | None, entities_value: object
    ) -> tuple[str | None, list[Entity], str | None]:
        """A caption after entity parsing, at most 1024 characters."""
        if not source:
            return None, [], None
        entities = self.entity_list(entities_value)
        caption, entities = self.format_text(source, parse_mode, entities)
        if len(caption) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        if not caption:
            return None, [], source
        return caption, entities, source

    @staticmethod
    def reply_markup(params: Params) -> JsonDict | None:
        """Validated ``reply_markup``; an empty inline keyboard counts as none."""
        markup = params.json("reply_markup", "reply keyboard markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            if any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
                return dict(markup)
            raise bad_request("can't parse reply keyboard markup JSON object")
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise bad_request("can't parse inline keyboard button: Text must be a String")
                data = button.get("callback_data")
                if data is not None and (
                    not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64
                ):
                    raise bad_request("BUTTON_DATA_INVALID")
                if not any(key in button for key in _INLINE_BUTTON_ACTIONS):
                    raise bad_request(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
        if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
            raise bad_request("reply markup is too long")  # Telegram's REPLY_MARKUP_TOO_LONG
        rows = [row for row in rows if row]
        return {"inline_keyboard": rows} if rows else None

    def reply_to(self, params: Params, chat: Conversation) -> int | None:
        """The message being replied to (``reply_parameters`` or legacy fields)."""
        reply = params.json("reply_parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow = bool(reply.get("allow_sending_without_reply"))
        else:
            message_id = params.integer("reply_to_message_id")
            allow = params.flag("allow_sending_without_reply")
        if not isinstance(message_id, int):
            return None
        if self.state.message(chat.id, message_id) is None:
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return message_id

    def input_files(self, params: Params, kind: str) -> list[StoredFile]:
        """The ``document``/``photo`` parameter: a new upload or an existing file_id."""
        part = params.files.get(kind)
        value = params.text(kind)
        if part is None and value and value.startswith("attach://"):
            part = params.files.get(value.removeprefix("attach://"))
        if part is None and (not value or not value.strip()):
            raise bad_request(f"there is no {kind} in the request")
        return self.resolve_file(kind, part, value)

    def resolve_file(
        self, kind: str, part: UploadedFile | None, value: str | None
    ) -> list[StoredFile]:
        """A new upload (stored now) or a known file_id of the right kind."""
        if part is not None:
            self.check_upload(part)
            if kind == "photo":
                return self.state.store_photo(part.content)
            return [self.state.store_document(part.content, part.filename, part.content_type)]
        stored = self.state.files.get((value or "").strip())
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
        if kind == "photo":
            return [self.state.files[file_id] for file_id in stored.photo_group]
        return [stored]

    @staticmethod
    def check_upload(part: UploadedFile) -> None:
        """Bots upload 1 byte to 50 MB."""
        if not part.content:
            raise bad_request("file must be non-empty")
        if len(part.content) > MAX_UPLOAD_SIZE:
            raise ApiError(413, "Request Entity Too Large")

    def message_to_edit(self, params: Params) -> MessageRecord:
        """The bot message addressed by ``chat_id`` + ``message_id``."""
        if params.text("inline_message_id"):
            raise bad_request("message to edit not found")  # no inline mode here
        message_id = params.integer("message_id")
        if params.text("chat_id") is None or message_id is None:
            raise bad_request("message identifier is not specified")
        chat = self.state.conversation(self.chat_id(params))
        if isinstance(chat, GroupRecord):
            self.check_group_member(chat)
        message = self.state.message(chat.id, message_id)
        if message is None:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    def apply_edit(self, message: MessageRecord, **changes: Any) -> JsonDict:
        """Keep the old content in the history, change the message, return it."""
        message.history.append(self.state.content_view(message))
        for name, value in changes.items():
            setattr(message, name, value)
        message.edit_date = int(self.state.now())
        return self.state.message_to_api(message)

    @staticmethod
    def current_inline_markup(message: MessageRecord) -> JsonDict | None:
        """The message's inline keyboard in ``reply_markup`` form, or ``None``."""
        rows = message.inline_keyboard
        return {"inline_keyboard": rows} if rows else None

    def edit_markup(self, params: Params) -> JsonDict | None:
        """``reply_markup`` of an edit; only inline keyboards apply to existing messages."""
        markup = self.reply_markup(params)
        return markup if markup is not None and "inline_keyboard" in markup else None

    def scope_key(self, params: Params) -> tuple[str, int | None, str]:
        """Key of a ``BotCommandScope`` plus ``language_code``."""
        scope = params.json("scope") or {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise bad_request("can't parse BotCommandScope JSON object")
        scope_type = scope["type"]
        chat_id: int | None = None
        if scope_type in ("chat", "chat_administrators", "chat_member"):
            raw = scope.get("chat_id")
            try:
                chat_id = int(str(raw))
            except ValueError:
                raise bad_request("chat not found") from None
            self.state.conversation(chat_id)
        return scope_type, chat_id, params.text("language_code") or ""

    # -- methods ---------------------------------------------------------------------------

    def get_me(self, params: Params) -> object:
        """``getMe``."""
        return {
            **self.state.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.state.group_privacy,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def harmless(self, params: Params) -> object:
        """``logOut`` and ``close``: accepted, nothing happens."""
        return True

    def set_webhook(self, params: Params) -> object:
        """``setWebhook``: updates are posted to ``url`` (see :mod:`emulator.webhook`).

        Validated as Telegram does (telegram-bot-api's ``process_set_webhook_query`` and
        ``WebhookActor``): an HTTPS URL on port 443, 80, 88 or 8443; a secret token of at most
        256 characters of ``A-Z a-z 0-9 _ -`` (empty: none); ``max_connections`` clamped to
        1-100. Unlike Telegram, plain ``http://127.0.0.1`` on any port is accepted too (as a
        self-hosted Bot API server in ``--local`` mode accepts HTTP): the emulator delivers to
        127.0.0.1 only. An empty URL removes the webhook.
        """
        url = (params.text("url") or "").strip()
        secret = params.text("secret_token") or ""
        if url:
            check_webhook_url(url)
        if len(secret) > MAX_SECRET_TOKEN_LENGTH:
            raise bad_request("secret token is too long")
        if not _SECRET_TOKEN.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        connections = params.integer("max_connections")
        if connections is not None:
            connections = min(max(connections, 1), MAX_WEBHOOK_CONNECTIONS)
        allowed = params.json("allowed_updates")
        if isinstance(allowed, list):
            self.state.allowed_updates = [str(kind) for kind in allowed]
        if params.flag("drop_pending_updates"):
            self.state.updates.clear()
        self.state.set_webhook(url, secret if url else "", connections)
        return True

    def delete_webhook(self, params: Params) -> object:
        """``deleteWebhook`` (optionally dropping pending updates): back to ``getUpdates``."""
        if params.flag("drop_pending_updates"):
            self.state.updates.clear()
        self.state.set_webhook("", "")
        return True

    def get_webhook_info(self, params: Params) -> object:
        """``getWebhookInfo``: the URL, what is pending, and the last delivery error."""
        state = self.state
        info: JsonDict = {
            "url": state.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(state.pending_updates()),
        }
        if state.webhook_last_error_date is not None:
            info["last_error_date"] = state.webhook_last_error_date
            info["last_error_message"] = state.webhook_last_error_message
        if state.webhook_url:
            info["max_connections"] = state.webhook_max_connections
            if state.allowed_updates:
                info["allowed_updates"] = list(state.allowed_updates)
        return info

    def get_chat(self, params: Params) -> object:
        """``getChat`` for a private chat or a group."""
        chat = self.state.conversation(self.chat_id(params))
        gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription")
        return {
            **chat.chat_to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {**dict.fromkeys(gifts, True), "gifts_from_channels": False},
        }

    def chat_member(self, chat: Conversation, user_id: int) -> JsonDict:
        """The Bot API ``ChatMember`` of ``user_id`` (the bot included) in ``chat``."""
        if user_id == self.state.bot_id:
            status = chat.bot_status if isinstance(chat, GroupRecord) else "member"
            data: JsonDict = {"user": self.state.bot_user(), "status": status}
            if status == "kicked":
                data["until_date"] = 0
            return data
        user = self.state.user(user_id)
        if user is None:
            raise bad_request("user not found")
        if isinstance(chat, GroupRecord):
            if user_id not in chat.members:
                return {"user": user.to_api(), "status": "left"}
            if user_id == chat.members[0]:
                return {"user": user.to_api(), "status": "creator", "is_anonymous": False}
            if user_id in chat.admins:
                return {"user": user.to_api(), **_GROUP_ADMIN_RIGHTS}
            return {"user": user.to_api(), "status": "member"}
        if user_id != chat.id:
            raise bad_request("user not found")
        return {"user": user.to_api(), "status": "member"}

    def get_chat_member(self, params: Params) -> object:
        """``getChatMember``."""
        chat = self.state.conversation(self.chat_id(params))
        user_id = params.integer("user_id")
        if user_id is None:
            raise bad_request('parameter "user_id" is required')
        return self.chat_member(chat, user_id)

    def get_chat_administrators(self, params: Params) -> object:
        """``getChatAdministrators``: the creator, then the administrators (no bots)."""
        chat = self.state.conversation(self.chat_id(params))
        if not isinstance(chat, GroupRecord):
            return []  # private chats have no administrators
        admins = [chat.members[0], *chat.admins]
        return [self.chat_member(chat, user_id) for user_id in admins]

    def get_chat_member_count(self, params: Params) -> object:
        """``getChatMemberCount`` (the bot counts when it is a member)."""
        chat = self.state.conversation(self.chat_id(params))
        if not isinstance(chat, GroupRecord):
            return 2
        return len(chat.members) + (chat.bot_status == "member")

    @staticmethod
    def required_text(params: Params) -> str:
        """The ``text`` parameter, which Telegram requires to be non-empty."""
        source = params.text("text")
        if not source:
            raise bad_request("message text is empty")
        return source

    def message_text(
        self, params: Params, source: str, parse_mode: str | None
    ) -> tuple[str, list[Entity]]:
        """The text as the user will read it, with its entities, within Telegram's limits."""
        entities = self.entity_list(params.json("entities"))
        text, entities = self.format_text(source, parse_mode, entities)
        if not text:
            raise bad_request("message text is empty")
        if len(text) > MAX_MESSAGE_LENGTH:
            raise bad_request("message is too long")
        return text, entities

    def send_message(self, params: Params) -> object:
        """``sendMessage``."""
        source = self.required_text(params)
        markup = self.reply_markup(params)
        chat = self.sending_chat(params)
        parse_mode = params.text("parse_mode")
        text, entities = self.message_text(params, source, parse_mode)
        preview = params.json("link_preview_options")
        message = self.state.add_message(
            chat,
            from_bot=True,
            text=text,
            entities=entities,
            source_text=source,
            parse_mode=parse_mode,
            reply_markup=markup,
            reply_to_message_id=self.reply_to(params, chat),
            link_preview_options=preview if isinstance(preview, dict) else None,
        )
        return self.state.message_to_api(message)

    def _send_media(self, params: Params, kind: str) -> object:
        markup = self.reply_markup(params)
        chat = self.sending_chat(params)
        caption, entities, source = self.caption(params)
        files = self.input_files(params, kind)
        message = self.state.add_message(
            chat,
            from_bot=True,
            caption=caption,
            caption_entities=entities,
            source_caption=source,
            parse_mode=params.text("parse_mode"),
            document=files[0] if kind == "document" else None,
            photo=files if kind == "photo" else [],
            reply_markup=markup,
            reply_to_message_id=self.reply_to(params, chat),
        )
        return self.state.message_to_api(message)

    def send_document(self, params: Params) -> object:
        """``sendDocument`` (multipart upload or an existing file_id)."""
        return self._send_media(params, "document")

    def send_photo(self, params: Params) -> object:
        """``sendPhoto`` (multipart upload or an existing file_id)."""
        return self._send_media(params, "photo")

    def _album_media(self, params: Params) -> list[JsonDict]:
        """The ``media`` parameter of ``sendMediaGroup``, read as the Bot API server reads it."""
        if params.values.get("media") is None:
            raise bad_request('parameter "media" is required')
        media = params.json("media")
        if media is None:
            media = []
        if not isinstance(media, list):
            raise bad_request("expected an Array of InputMedia")
        items: list[JsonDict] = []
        for item in media:
            if not isinstance(item, dict):
                raise bad_request("can't parse InputMedia: expected an Object")
            kind = item.get("type")
            if not isinstance(kind, str):
                raise bad_request('can\'t parse InputMedia: field "type" must be a String')
            if kind in ("video", "audio"):
                raise ApiError(501, f"Not Implemented: the emulator has no {kind} messages")
            if kind not in ("photo", "document"):
                raise bad_request(f'can\'t parse InputMedia: type "{kind}" is unsupported')
            source = item.get("media")
            if not isinstance(source, str) or not source.strip():
                raise bad_request("can't parse InputMedia: media not found")
            if source.startswith("attach://") and source[9:] not in params.files:
                raise bad_request("can't parse InputMedia: media not found")
            items.append(item)
        if not items:
            raise bad_request("there are no messages to send")
        if len(items) > MAX_ALBUM_SIZE:
            raise bad_request("too many messages to send as an album")
        return items

    def send_media_group(self, params: Params) -> object:
        """``sendMediaGroup``: 1-10 photos, or 1-10 documents, sent as one album.

        Every item is checked before anything is stored; the messages share a
        ``media_group_id`` (a single item is an ordinary message, as TDLib sends it).
        """
        chat = self.sending_chat(params)
        items = self._album_media(params)
        captions = [
            self.checked_caption(
                item.get("caption") if isinstance(item.get("caption"), str) else None,
                item.get("parse_mode") if isinstance(item.get("parse_mode"), str) else None,
                item.get("caption_entities"),
            )
            for item in items
        ]
        kinds = {str(item["type"]) for item in items}
        if len(kinds) > 1 and "document" in kinds:
            raise bad_request("document can't be mixed with other media types")
        for item in items:  # every file is checked before anything is stored
            media = str(item["media"])
            if media.startswith("attach://"):
                self.check_upload(params.files[media[len("attach://") :]])
            else:
                self.resolve_file(str(item["type"]), None, media)
        reply_to = self.reply_to(params, chat)
        group_id = self.state.new_media_group_id() if len(items) > 1 else None
        sent = []
        for item, (caption, entities, caption_source) in zip(items, captions, strict=True):
            media = str(item["media"])
            part = (
                params.files.get(media[len("attach://") :])
                if media.startswith("attach://")
                else None
            )
            stored = self.resolve_file(str(item["type"]), part, media)
            parse_mode = item.get("parse_mode")
            message = self.state.add_message(
                chat,
                from_bot=True,
                caption=caption,
                caption_entities=entities,
                source_caption=caption_source,
                parse_mode=parse_mode if isinstance(parse_mode, str) else None,
                document=stored[0] if item["type"] == "document" else None,
                photo=stored if item["type"] == "photo" else [],
                media_group_id=group_id,
                reply_to_message_id=reply_to,
            )
            sent.append(self.state.message_to_api(message))
        return sent

    def _source_message(self, params: Params, missing: str) -> MessageRecord:
        """The message ``from_chat_id`` + ``message_id`` names (for copies and forwards)."""
        from_chat = self.state.conversation(self.chat_id(params, "from_chat_id"))
        message_id = params.integer("message_id")
        message = self.state.message(from_chat.id, message_id) if message_id else None
        if message is None:
            raise bad_request(missing)
        if not (message.text or message.has_media or message.sticker or message.extra):
            raise bad_request("message can't be copied")
        if "new_chat_members" in message.extra:
            raise bad_request("message can't be copied")
        return message

    @staticmethod
    def copied_content(message: MessageRecord) -> JsonDict:
        """The content fields of a message, for a copy or a forward."""
        return {
            "text": message.text,
            "entities": list(message.entities),
            "caption": message.caption,
            "caption_entities": list(message.caption_entities),
            "source_text": message.source_text,
            "source_caption": message.source_caption,
            "parse_mode": message.parse_mode,
            "document": message.document,
            "photo": list(message.photo),
            "sticker": message.sticker,
            "voice": message.voice,
            "extra": dict(message.extra),
        }

    def copy_message(self, params: Params) -> object:
        """``copyMessage``: the content without a link to the original; returns a MessageId."""
        chat = self.sending_chat(params)
        original = self._source_message(params, "message to copy not found")
        markup = self.reply_markup(params)
        content = self.copied_content(original)
        if params.values.get("caption") is not None and original.has_media:
            caption, entities, source = self.caption(params)
            content.update(caption=caption, caption_entities=entities, source_caption=source)
            content["parse_mode"] = params.text("parse_mode")
        message = self.state.add_message(
            chat,
            from_bot=True,
            reply_markup=markup,
            reply_to_message_id=self.reply_to(params, chat),
            **content,
        )
        return {"message_id": message.message_id}

    def forward_message(self, params: Params) -> object:
        """``forwardMessage``: the same content, with ``forward_origin`` naming its sender."""
        chat = self.sending_chat(params)
        original = self._source_message(params, "message to forward not found")
        if original.from_bot:
            sender = self.state.bot_user()
        else:
            user = self.state.user(original.sender_id or original.chat_id)
            sender = user.to_api() if user is not None else {}
        content = self.copied_content(original)
        origin = {"type": "user", "date": original.date, "sender_user": sender}
        content["extra"] = {**content["extra"], "forward_origin": origin}
        message = self.state.add_message(chat, from_bot=True, **content)
        return self.state.message_to_api(message)

    def edit_message_text(self, params: Params) -> object:
        """``editMessageText``; omitting ``reply_markup`` removes the inline keyboard."""
        source = self.required_text(params)
        markup = self.edit_markup(params)
        message = self.message_to_edit(params)
        parse_mode = params.text("parse_mode")
        text, entities = self.message_text(params, source, parse_mode)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        if (
            text == message.text
            and entities == message.entities
            and markup == self.current_inline_markup(message)
        ):
            raise bad_request(NOT_MODIFIED)
        preview = params.json("link_preview_options")
        return self.apply_edit(
            message,
            text=text,
            entities=entities,
            source_text=source,
            parse_mode=parse_mode,
            reply_markup=markup,
            link_preview_options=preview if isinstance(preview, dict) else None,
        )

    def edit_message_caption(self, params: Params) -> object:
        """``editMessageCaption``; omitting ``caption`` removes it."""
        markup = self.edit_markup(params)
        message = self.message_to_edit(params)
        caption, entities, source = self.caption(params)
        if not message.has_media:
            raise bad_request("there is no caption in the message to edit")
        if (
            caption == message.caption
            and entities == message.caption_entities
            and markup == self.current_inline_markup(message)
        ):
            raise bad_request(NOT_MODIFIED)
        return self.apply_edit(
            message,
            caption=caption,
            caption_entities=entities,
            source_caption=source,
            parse_mode=params.text("parse_mode"),
            reply_markup=markup,
        )

    def edit_message_reply_markup(self, params: Params) -> object:
        """``editMessageReplyMarkup``; omitting ``reply_markup`` removes the keyboard."""
        markup = self.edit_markup(params)
        message = self.message_to_edit(params)
        if markup == self.current_inline_markup(message):
            raise bad_request(NOT_MODIFIED)
        return self.apply_edit(message, reply_markup=markup)

    def delete_message(self, params: Params) -> object:
        """``deleteMessage``."""
        chat = self.state.conversation(self.chat_id(params))
        message_id = params.integer("message_id")
        message = self.state.message(chat.id, message_id) if message_id else None
        if message is None:
            raise bad_request("message to delete not found")
        message.deleted = True
        return True

    def delete_messages(self, params: Params) -> object:
        """``deleteMessages`` (missing messages are skipped, as Telegram does)."""
        chat = self.state.conversation(self.chat_id(params))
        ids = params.json("message_ids")
        if not isinstance(ids, list) or not ids:
            raise bad_request("message identifiers are not specified")
        for message_id in ids:
            if not isinstance(message_id, int):
                raise bad_request("message identifiers are not specified")
            message = self.state.message(chat.id, message_id)
            if message is not None:
                message.deleted = True
        return True

    def answer_callback_query(self, params: Params) -> object:
        """``answerCallbackQuery``: once per query, within the configured age."""
        text = params.text("text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        query = self.state.callback_queries.get(params.text("callback_query_id") or "")
        if (
            query is None
            or query.answered
            or self.state.now() - query.created_at > self.state.callback_query_max_age
        ):
            raise bad_request(QUERY_TOO_OLD)
        query.answered = True
        query.answer_text = text
        query.show_alert = params.flag("show_alert")
        query.answer_url = params.text("url")
        return True

    def get_file(self, params: Params) -> object:
        """``getFile``; files over 20 MB cannot be downloaded by bots."""
        file_id = (params.text("file_id") or "").strip()
        if not file_id:
            raise bad_request("file_id not specified")
        stored = self.state.files.get(file_id)
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > MAX_DOWNLOAD_SIZE:
            raise bad_request("file is too big")
        return stored.to_file()

    def send_chat_action(self, params: Params) -> object:
        """``sendChatAction``."""
        self.sending_chat(params)
        if params.text("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def set_my_commands(self, params: Params) -> object:
        """``setMyCommands`` for a scope and language; an empty list deletes them."""
        commands = params.json("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        stored: list[JsonDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name = str(command.get("command", "")).removeprefix("/")
            description = str(command.get("description", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise bad_request("BOT_COMMAND_INVALID")
            stored.append({"command": name, "description": description})
        key = self.scope_key(params)
        if stored:
            self.state.commands[key] = stored
        else:
            self.state.commands.pop(key, None)
        return True

    def get_my_commands(self, params: Params) -> object:
        """``getMyCommands`` for exactly the given scope and language."""
        return self.state.commands.get(self.scope_key(params), [])

    def delete_my_commands(self, params: Params) -> object:
        """``deleteMyCommands``."""
        self.state.commands.pop(self.scope_key(params), None)
        return True

    def set_chat_menu_button(self, params: Params) -> object:
        """``setChatMenuButton`` for one chat or (without ``chat_id``) the default."""
        chat_id = self.chat_id(params) if params.text("chat_id") else None
        if chat_id is not None:
            self.state.conversation(chat_id)
        button = params.json("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or not isinstance(button.get("type"), str):
            raise bad_request("can't parse menu button JSON object")
        self.state.menu_buttons[chat_id] = dict(button)
        return True

    def get_chat_menu_button(self, params: Params) -> object:
        """``getChatMenuButton``."""
        chat_id = self.chat_id(params) if params.text("chat_id") else None
        buttons = self.state.menu_buttons
        return buttons.get(chat_id) or buttons.get(None) or {"type": "default"}


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


MAX_LATENCY = 10.0
"""The longest network latency the emulator plays, in seconds."""


class BotApiEmulator:
    """A Telegram Bot API server on 127.0.0.1 for one bot, with a control side.

    Point python-telegram-bot at it with ``base_url(emulator.base_url)`` and
    ``base_file_url(emulator.base_file_url)``. Simulated users are driven through the JSON
    control endpoints (see :class:`emulator.client.EmulatorClient`)::

        POST /_emu/reset                         forget all users, groups, chats, messages,
                                                 files, the log, the statistics and buckets
        GET  /_emu/log                           every Bot API call the bot made, in order
        GET  /_emu/updates                       updates not yet confirmed by the bot
        GET  /_emu/stats                         accepted sends and 429s per chat, faults
        POST /_emu/stats/reset                   count from zero again
        POST /_emu/clock        {"advance": s}   move emulated time forward
        POST /_emu/config       {"callback_query_max_age": s, "group_privacy": bool,
                                 "flood_limits": bool | {FloodLimits fields},
                                 "faults": null | {"rate", "kinds", "seed", "methods",
                                                   "slow_seconds"},
                                 "webhook_retry": {"first", "cap", "answer_within"},
                                 "latency": s}
                                                 -> the whole config
        POST /_emu/users        {"id", "first_name", "last_name", "username", "language_code"}
        POST /_emu/users/{id}/text      {"text", "reply_to_message_id", "chat_id"?}
        POST /_emu/users/{id}/document  multipart "document" file, "caption", "chat_id"?,
                                        "file_name"? (any characters; else the part's name)
        POST /_emu/users/{id}/photo     multipart "photo" file, "caption", "width", "height"
        POST /_emu/users/{id}/sticker   {"emoji", "chat_id"?}
        POST /_emu/users/{id}/voice     multipart "voice" file (optional), "duration",
                                        "caption", "chat_id"?
        POST /_emu/users/{id}/location  {"latitude", "longitude", "chat_id"?}
        POST /_emu/users/{id}/contact   {"phone_number", "first_name", "last_name",
                                         "user_id", "chat_id"?}
        POST /_emu/users/{id}/edit      {"message_id", "text" | "caption", "chat_id"?}
                                        -> an edited_message update
        POST /_emu/users/{id}/press     {"message_id", "button_text", "chat_id"?}
                                        -> {"callback_query_id"}; chat_id: a group, or another
                                        user's chat whose bot message was forwarded to this user
                                        {"message_id", "data"}: forged callback data instead
                                        of a button's (a tampered client)
        POST /_emu/users/{id}/block  |  /unblock  |  /deactivate
        GET  /_emu/users/{id}/messages?after_version=V&timeout=T   (long-polls for changes)
        GET  /_emu/users/{id}/commands           the command menu this user sees
        POST /_emu/groups       {"id" (< 0), "title", "members": [user ids, creator first],
                                 "admins": [user ids]}
        POST /_emu/groups/{id}/members     {"user_id", "by"?}   a user joins the group
        POST /_emu/groups/{id}/add_bot     {"by"}   -> my_chat_member + new_chat_members
        POST /_emu/groups/{id}/remove_bot  {"by"}   -> my_chat_member (kicked)
        GET  /_emu/groups/{id}/messages?after_version=V&timeout=T  every message in the group
        GET  /_emu/callback_queries/{id}?timeout=T                 (waits for the answer)
        GET  /_emu/files/{file_id}               raw bytes of any known file

    Control answers are ``{"ok": true, "result": ...}`` or ``{"ok": false, "description"}``.
    ``chat_id`` on a user's action names a group the user is a member of.

    Options, all off by default and all settable later through ``/_emu/config``:

    * ``flood_limits``: ``True`` or a :class:`~emulator.limits.FloodLimits`: message-creating
      and editing calls beyond Telegram's limits (per private chat, per group, per bot;
      token buckets on real monotonic time) get Telegram's 429 with ``retry_after``.
    * ``faults``: a :class:`~emulator.limits.FaultPlan` (or its JSON form): random 500, 502,
      429, slow answers, dropped connections, and calls carried out whose answer is lost.
    * ``group_privacy``: the bot's privacy mode in groups (on, as for a new bot).
    * ``webhook_retry``: how a failed webhook delivery is tried again
      (:class:`~emulator.webhook.WebhookRetry`; Telegram's pace by default).
    * ``latency``: seconds every Bot API call waits before it is carried out, as a call to
      Telegram's servers across the internet does (0: a call on the same machine).

    Updates are fetched with ``getUpdates``, or, once the bot has called ``setWebhook``,
    posted to its webhook (:mod:`emulator.webhook`); ``getUpdates`` is then refused with
    Telegram's 409 Conflict until ``deleteWebhook``.

    In the same process :meth:`configure` changes them as ``POST /_emu/config`` does, and
    :attr:`stats` holds what ``GET /_emu/stats`` shows.

    Telegram's refusals to deliver are always on: ``bot was blocked by the user``, ``bot
    can't initiate conversation with a user`` (registered, never wrote to the bot), ``user is
    deactivated``, ``bot is not a member of the group chat`` and ``chat not found``.
    """

    def __init__(
        self,
        token: str,
        *,
        username: str = "renja_bot",
        first_name: str = "Renja Bot",
        clock: Clock | None = None,
        flood_limits: bool | FloodLimits = False,
        faults: FaultPlan | JsonDict | None = None,
        group_privacy: bool = True,
        webhook_retry: WebhookRetry | None = None,
    ) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("a bot token looks like '123456:secret'")
        self.token = token
        self.state = EmulatorState(int(bot_id), username, first_name, clock)
        self.state.group_privacy = group_privacy
        self.api = BotApi(self.state)
        if isinstance(flood_limits, bool):
            flood_limits = FloodLimits(enabled=flood_limits)
        self.flood = FloodControl(flood_limits)
        if not isinstance(faults, FaultPlan):
            faults = FaultPlan.from_json(faults)
        self.faults = FaultInjector(faults)
        self.stats = StatsRecorder()
        self.webhook = WebhookPusher(self.state, webhook_retry)
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._closing = False
        self._poll_generation = 0
        self.latency = 0.0
        """Seconds each Bot API call waits before it is carried out (the network's)."""

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1 (``port=0`` picks a free port)."""
        if self._runner is not None:
            raise RuntimeError("emulator already started")
        self._closing = False
        app = web.Application(client_max_size=MAX_REQUEST_SIZE)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_bot_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_download)
        self._add_control_routes(app)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        await self.webhook.start()

    async def stop(self) -> None:
        """Stop webhook deliveries, wake every long poll and shut the server down."""
        if self._runner is None:
            return
        await self.webhook.stop()
        self._closing = True
        self.state.updates_signal.notify()
        self.state.changes_signal.notify()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- addresses and settings ------------------------------------------------------------

    @property
    def port(self) -> int:
        """The TCP port (after :meth:`start`)."""
        if not self._port:
            raise RuntimeError("emulator not started")
        return self._port

    @property
    def base_url(self) -> str:
        """python-telegram-bot ``base_url``; the token is appended directly."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """python-telegram-bot ``base_file_url``; the token is appended directly."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def control_url(self) -> str:
        """Root URL for :class:`~emulator.client.EmulatorClient`."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def clock(self) -> Clock:
        """The time source (unix seconds or aware datetime); replace it to control time."""
        return self.state.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self.state.clock = clock

    def advance_clock(self, seconds: float) -> float:
        """Move emulated time forward; returns the new emulated time."""
        return self.state.advance_clock(seconds)

    @property
    def callback_query_max_age(self) -> float:
        """Seconds within which a callback query must be answered (default 15)."""
        return self.state.callback_query_max_age

    @callback_query_max_age.setter
    def callback_query_max_age(self, seconds: float) -> None:
        self.state.callback_query_max_age = seconds

    def client(self) -> EmulatorClient:
        """A new control client for this emulator (close it with ``aclose``)."""
        return EmulatorClient(self.control_url)

    # -- bot side --------------------------------------------------------------------------

    async def _handle_bot_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _api_error(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        if self.latency:
            await asyncio.sleep(self.latency)
        key = method.lower()
        handler = self.api.methods.get(key)
        if handler is None and key != "getupdates":
            return _api_error(ApiError(404, "Not Found"))
        params: Params | None = None
        fault: Fault | None = None
        try:
            params = await Params.from_request(request)
            fault = self.faults.draw(method)
            if fault is not None:
                self.stats.fault(fault.kind)
                answered = self._fault_instead_of_call(request, method, params, fault)
                if answered is not None:
                    return answered
                if fault.kind == "slow":
                    await asyncio.sleep(self.faults.plan.slow_seconds)
            if handler is None:
                updates = await self._get_updates(params)
                if fault is not None:
                    self._record(method, params, None, None, fault)
                result: object = updates
            else:
                result = self._call(method, handler, params)
        except ApiError as exc:
            if handler is not None or fault is not None:
                self._record(method, params, None, exc.description, fault)
            return _api_error(exc)
        if handler is not None:
            self._record(method, params, result, None, fault)
        if fault is not None and fault.kind == "done_but_failed":
            return self._lost_answer(request, fault.ending)
        return _api_response(200, {"ok": True, "result": result})

    def _call(self, method: str, handler: Callable[[Params], object], params: Params) -> object:
        """Run one Bot API method under flood control, counting what it sent."""
        media = params.json("media") if method.lower() == "sendmediagroup" else None
        cost = message_cost(method, len(media) if isinstance(media, list) else None)
        if not cost:
            return handler(params)
        chat_id = self._target_chat(params)
        is_group = chat_id is not None and chat_id < 0
        retry_after = self.flood.retry_after(chat_id, is_group, cost)
        if retry_after is not None:
            self.stats.too_many_requests(chat_id)
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
            )
        result = handler(params)
        sent = len(result) if isinstance(result, list) else 1
        self.flood.consume(chat_id, is_group, sent)
        self.stats.accepted(chat_id, sent)
        return result

    @staticmethod
    def _target_chat(params: Params) -> int | None:
        try:
            return params.integer("chat_id")
        except ApiError:
            return None

    def _fault_instead_of_call(
        self, request: web.Request, method: str, params: Params, fault: Fault
    ) -> web.Response | None:
        """The answer of a fault that prevents the call, or ``None`` to go on with it."""
        if fault.kind == "500":
            error = ApiError(500, "Internal Server Error")
            self._record(method, params, None, error.description, fault)
            return _api_error(error)
        if fault.kind == "429":
            self.stats.too_many_requests(self._target_chat(params))
            error = ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                retry_after=fault.retry_after,
            )
            self._record(method, params, None, error.description, fault)
            return _api_error(error)
        if fault.kind in ("502", "drop"):
            self._record(method, params, None, _LOST[fault.kind], fault)
            return self._lost_answer(request, fault.kind)
        return None

    @staticmethod
    def _lost_answer(request: web.Request, how: str) -> web.Response:
        """A 502 page from the proxy, or (``"drop"``) a connection closed without an answer."""
        if how == "drop":
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=502)  # never reaches the client
        return web.Response(status=502, text=BAD_GATEWAY_HTML, content_type="text/html")

    def _record(
        self,
        method: str,
        params: Params | None,
        result: object,
        error: str | None,
        fault: Fault | None = None,
    ) -> None:
        chat_id = message_id = None
        text = None
        if params is not None:
            try:
                chat_id = params.integer("chat_id")
                message_id = params.integer("message_id")
            except ApiError:
                pass
        query_id = params.text("callback_query_id") if params is not None else None
        query = self.state.callback_queries.get(query_id or "")
        if query is not None:
            chat_id, message_id = query.chat_id, query.message_id
        if isinstance(result, list) and result and isinstance(result[0], dict):
            result = result[0]  # an album: its first message
        if isinstance(result, dict) and "message_id" in result:
            message_id = result["message_id"]
            if "chat" in result:
                chat_id = result["chat"]["id"]
            text = result.get("text", result.get("caption"))
        ok = error is None
        if fault is not None and fault.kind == "done_but_failed":
            error = _LOST[fault.ending]  # carried out, but this is what the bot got
        self.state.record(
            method,
            chat_id=chat_id,
            message_id=message_id,
            error=error,
            text=text,
            ok=ok,
            fault=fault.kind if fault is not None else None,
        )
        self.state.changed()

    async def _get_updates(self, params: Params) -> list[JsonDict]:
        state = self.state
        if state.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.integer("offset") or 0
        limit = min(max(params.integer("limit") or 100, 1), 100)
        timeout = max(params.number("timeout") or 0.0, 0.0)
        allowed = params.json("allowed_updates")
        if isinstance(allowed, list):
            state.allowed_updates = [str(kind) for kind in allowed]
        state.confirm_updates(offset)
        # A newer getUpdates terminates an older one that is still waiting.
        self._poll_generation += 1
        generation = self._poll_generation
        state.updates_signal.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            updates = state.deliverable_updates(limit)
            remaining = deadline - loop.time()
            if updates or remaining <= 0 or self._closing:
                return updates
            await state.updates_signal.wait(remaining)
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )

    async def _handle_download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _api_error(ApiError(401, "Unauthorized"))
        path = request.match_info["file_path"]
        stored = next((f for f in self.state.files.values() if f.file_path == path), None)
        if stored is None:
            return _api_error(ApiError(404, "Not Found"))
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

    # -- control side ----------------------------------------------------------------------

    def _add_control_routes(self, app: web.Application) -> None:
        routes: list[tuple[str, str, Callable[[web.Request, Params], Awaitable[object]]]] = [
            ("POST", "/_emu/reset", self._ctl_reset),
            ("GET", "/_emu/log", self._ctl_log),
            ("GET", "/_emu/updates", self._ctl_updates),
            ("GET", "/_emu/stats", self._ctl_stats),
            ("POST", "/_emu/stats/reset", self._ctl_stats_reset),
            ("POST", "/_emu/clock", self._ctl_clock),
            ("POST", "/_emu/config", self._ctl_config),
            ("POST", "/_emu/users", self._ctl_register),
            ("POST", "/_emu/users/{user_id}/text", self._ctl_text),
            ("POST", "/_emu/users/{user_id}/document", self._ctl_document),
            ("POST", "/_emu/users/{user_id}/photo", self._ctl_photo),
            ("POST", "/_emu/users/{user_id}/sticker", self._ctl_sticker),
            ("POST", "/_emu/users/{user_id}/voice", self._ctl_voice),
            ("POST", "/_emu/users/{user_id}/location", self._ctl_location),
            ("POST", "/_emu/users/{user_id}/contact", self._ctl_contact),
            ("POST", "/_emu/users/{user_id}/edit", self._ctl_edit),
            ("POST", "/_emu/users/{user_id}/press", self._ctl_press),
            ("POST", "/_emu/users/{user_id}/block", self._ctl_block),
            ("POST", "/_emu/users/{user_id}/unblock", self._ctl_unblock),
            ("POST", "/_emu/users/{user_id}/deactivate", self._ctl_deactivate),
            ("GET", "/_emu/users/{user_id}/messages", self._ctl_messages),
            ("GET", "/_emu/users/{user_id}/commands", self._ctl_commands),
            ("POST", "/_emu/groups", self._ctl_create_group),
            ("POST", "/_emu/groups/{chat_id}/members", self._ctl_group_member),
            ("POST", "/_emu/groups/{chat_id}/add_bot", self._ctl_add_bot),
            ("POST", "/_emu/groups/{chat_id}/remove_bot", self._ctl_remove_bot),
            ("GET", "/_emu/groups/{chat_id}/messages", self._ctl_group_messages),
            ("GET", "/_emu/callback_queries/{query_id}", self._ctl_callback_query),
        ]
        for http_method, path, handler in routes:
            app.router.add_route(http_method, path, self._control(handler))
        app.router.add_get("/_emu/files/{file_id}", self._ctl_file)

    @staticmethod
    def _control(
        handler: Callable[[web.Request, Params], Awaitable[object]],
    ) -> Handler:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            try:
                result = await handler(request, await Params.from_request(request))
            except ApiError as exc:
                description = exc.description.removeprefix("Bad Request: ")
                return web.json_response({"ok": False, "description": description}, status=400)
            except (ValueError, TypeError) as exc:
                return web.json_response({"ok": False, "description": str(exc)}, status=400)
            return web.json_response({"ok": True, "result": result})

        return wrapped

    @staticmethod
    def _user_id(request: web.Request) -> int:
        try:
            return int(request.match_info["user_id"])
        except ValueError:
            raise bad_request("user id must be a number") from None

    @staticmethod
    def _group_id(request: web.Request) -> int:
        try:
            return int(request.match_info["chat_id"])
        except ValueError:
            raise bad_request("chat id must be a number") from None

    async def _wait_for_change(self, after_version: int | None, seconds: float) -> None:
        if after_version is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(seconds, MAX_CONTROL_WAIT)
        while self.state.version <= after_version and not self._closing:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            await self.state.changes_signal.wait(remaining)

    async def _ctl_reset(self, request: web.Request, params: Params) -> object:
        self.state.reset()
        self.flood.reset()
        self.stats.reset()
        return True

    async def _ctl_log(self, request: web.Request, params: Params) -> object:
        return [entry.to_json() for entry in self.state.log]

    async def _ctl_updates(self, request: web.Request, params: Params) -> object:
        return [update.to_api() for update in self.state.updates]

    async def _ctl_stats(self, request: web.Request, params: Params) -> object:
        return self.stats.to_json()

    async def _ctl_stats_reset(self, request: web.Request, params: Params) -> object:
        self.stats.reset()
        return True

    async def _ctl_clock(self, request: web.Request, params: Params) -> object:
        return {"now": self.state.advance_clock(params.number("advance") or 0.0)}

    def config(self) -> JsonDict:
        """The current settings, as ``POST /_emu/config`` answers them."""
        return {
            "callback_query_max_age": self.state.callback_query_max_age,
            "group_privacy": self.state.group_privacy,
            "flood_limits": self.flood.limits.to_json(),
            "faults": self.faults.plan.to_json(),
            "webhook_retry": self.webhook.retry.to_json(),
            "latency": self.latency,
        }

    def configure(
        self,
        *,
        flood_limits: bool | FloodLimits | JsonDict | None = None,
        faults: FaultPlan | JsonDict | None = None,
        group_privacy: bool | None = None,
        webhook_retry: WebhookRetry | JsonDict | None = None,
        latency: float | None = None,
    ) -> None:
        """Change settings while running (``None`` leaves one as it is).

        ``flood_limits``: ``True``/``False`` switches limits on or off with the current sizes;
        a dict changes the given :class:`FloodLimits` fields (and switches them on unless it
        says ``"enabled": false``). ``faults``: a new plan (an empty dict stops faults). Both
        restart from scratch: full buckets, the fault generator at its seed.
        ``webhook_retry``: a :class:`~emulator.webhook.WebhookRetry`, or a dict of the fields
        to change (``first``, ``cap``, ``answer_within``, in seconds). ``latency``: seconds
        each Bot API call waits first (0 to 10).
        """
        if latency is not None:
            if not 0 <= latency <= MAX_LATENCY:
                raise ValueError(f"latency must be 0 to {MAX_LATENCY} seconds")
            self.latency = float(latency)
        if isinstance(flood_limits, bool):
            self.flood.configure(
                FloodLimits(**{**self.flood.limits.to_json(), "enabled": flood_limits})
            )
        elif isinstance(flood_limits, FloodLimits):
            self.flood.configure(flood_limits)
        elif flood_limits is not None:
            self.flood.configure(self.flood.limits.updated({"enabled": True, **flood_limits}))
        if faults is not None:
            self.faults.configure(
                faults if isinstance(faults, FaultPlan) else FaultPlan.from_json(faults)
            )
        if group_privacy is not None:
            self.state.group_privacy = group_privacy
        if isinstance(webhook_retry, WebhookRetry):
            self.webhook.retry = webhook_retry
        elif webhook_retry is not None:
            self.webhook.retry = self.webhook.retry.updated(webhook_retry)

    async def _ctl_config(self, request: web.Request, params: Params) -> object:
        max_age = params.number("callback_query_max_age")
        if max_age is not None:
            self.state.callback_query_max_age = max_age
        flood = params.values.get("flood_limits")
        if flood is not None and not isinstance(flood, bool | dict):
            raise bad_request("flood_limits must be true, false or an object")
        faults = params.values.get("faults", ...)
        if faults is not ... and faults is not None and not isinstance(faults, dict):
            raise bad_request("faults must be null or an object")
        privacy = params.values.get("group_privacy")
        retry = params.values.get("webhook_retry")
        if retry is not None and not isinstance(retry, dict):
            raise bad_request("webhook_retry must be an object")
        latency = params.number("latency")
        if latency is not None and not 0 <= latency <= MAX_LATENCY:
            raise bad_request(f"latency must be 0 to {MAX_LATENCY} seconds")
        self.configure(
            flood_limits=flood,
            faults=None if faults is ... else (faults or {}),
            group_privacy=None if privacy is None else params.flag("group_privacy"),
            webhook_retry=retry,
            latency=latency,
        )
        return self.config()

    async def _ctl_register(self, request: web.Request, params: Params) -> object:
        user_id = params.integer("id")
        first_name = params.text("first_name")
        if user_id is None or not first_name:
            raise bad_request("id and first_name are required")
        user = self.state.register_user(
            user_id,
            first_name,
            last_name=params.text("last_name"),
            username=params.text("username"),
            language_code=params.text("language_code"),
        )
        return user.to_api()

    async def _ctl_text(self, request: web.Request, params: Params) -> object:
        message = self.state.user_sends(
            self._user_id(request),
            chat_id=params.integer("chat_id"),
            text=params.text("text") or "",
            reply_to_message_id=params.integer("reply_to_message_id"),
        )
        return self.state.message_to_api(message)

    async def _ctl_document(self, request: web.Request, params: Params) -> object:
        user_id = self._user_id(request)
        self.state.chat(user_id)
        part = params.files.get("document")
        if part is None:
            raise bad_request("a multipart 'document' file is required")
        # Telegram's own apps refuse to send an empty file, other clients may not. A name
        # given as a field arrives as the app reports it, control characters included.
        file_name = params.text("file_name") or part.filename
        stored = self.state.store_document(part.content, file_name, part.content_type)
        message = self.state.user_sends(
            user_id,
            chat_id=params.integer("chat_id"),
            document=stored,
            caption=params.text("caption") or None,
            reply_to_message_id=params.integer("reply_to_message_id"),
        )
        return self.state.message_to_api(message)

    async def _ctl_photo(self, request: web.Request, params: Params) -> object:
        user_id = self._user_id(request)
        self.state.chat(user_id)
        part = params.files.get("photo")
        if part is None or not part.content:
            raise bad_request("a non-empty multipart 'photo' file is required")
        sizes = self.state.store_photo(
            part.content, params.integer("width"), params.integer("height")
        )
        message = self.state.user_sends(
            user_id,
            chat_id=params.integer("chat_id"),
            photo=sizes,
            caption=params.text("caption") or None,
            reply_to_message_id=params.integer("reply_to_message_id"),
        )
        return self.state.message_to_api(message)

    async def _ctl_sticker(self, request: web.Request, params: Params) -> object:
        user_id = self._user_id(request)
        self.state.chat(user_id)
        sticker = self.state.store_sticker(_STICKER_WEBP, params.text("emoji") or "👍")
        message = self.state.user_sends(
            user_id,
            chat_id=params.integer("chat_id"),
            sticker=sticker,
            reply_to_message_id=params.integer("reply_to_message_id"),
        )
        return self.state.message_to_api(message)

    async def _ctl_voice(self, request: web.Request, params: Params) -> object:
        user_id = self._user_id(request)
        self.state.chat(user_id)
        part = params.files.get("voice")
        content = part.content if part is not None and part.content else _VOICE_OGG
        duration = params.integer("duration") or 1
        if duration < 0:
            raise bad_request("duration must not be negative")
        voice = self.state.store_voice(content, duration, part.content_type if part else None)
        message = self.state.user_sends(
            user_id,
            chat_id=params.integer("chat_id"),
            voice=voice,
            caption=params.text("caption") or None,
            reply_to_message_id=params.integer("reply_to_message_id"),
        )
        return self.state.message_to_api(message)

    async def _ctl_location(self, request: web.Request, params: Params) -> object:
        latitude, longitude = params.number("latitude"), params.number("longitude")
        if latitude is None or longitude is None:
            raise bad_request("latitude and longitude are required")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise bad_request("latitude must be within ±90 and longitude within ±180")
        message = self.state.user_sends(
            self._user_id(request),
            chat_id=params.integer("chat_id"),
            extra={"location": {"latitude": latitude, "longitude": longitude}},
            reply_to_message_id=params.integer("reply_to_message_id"),
        )
        return self.state.message_to_api(message)

    async def _ctl_contact(self, request: web.Request, params: Params) -> object:
        phone, first_name = params.text("phone_number"), params.text("first_name")
        if not phone or not first_name:
            raise bad_request("phone_number and first_name are required")
        contact: JsonDict = {"phone_number": phone, "first_name": first_name}
        if params.text("last_name"):
            contact["last_name"] = params.text("last_name")
        if params.integer("user_id") is not None:
            contact["user_id"] = params.integer("user_id")
        message = self.state.user_sends(
            self._user_id(request),
            chat_id=params.integer("chat_id"),
            extra={"contact": contact},
            reply_to_message_id=params.integer("reply_to_message_id"),
        )
        return self.state.message_to_api(message)

    async def _ctl_edit(self, request: web.Request, params: Params) -> object:
        message_id = params.integer("message_id")
        if message_id is None:
            raise bad_request("message_id is required")
        message = self.state.user_edits(
            self._user_id(request),
            message_id,
            chat_id=params.integer("chat_id"),
            text=params.text("text"),
            caption=params.text("caption"),
        )
        return self.state.message_to_api(message)

    async def _ctl_press(self, request: web.Request, params: Params) -> object:
        message_id = params.integer("message_id")
        button_text, forged = params.text("button_text"), params.text("data")
        if message_id is None or (button_text is None) == (forged is None):
            raise bad_request("message_id and one of button_text or data are required")
        query = self.state.press_button(
            self._user_id(request),
            message_id,
            button_text,
            chat_id=params.integer("chat_id"),
            forged_data=forged,
        )
        return {"callback_query_id": query.id}

    async def _ctl_block(self, request: web.Request, params: Params) -> object:
        self.state.block(self._user_id(request))
        return True

    async def _ctl_unblock(self, request: web.Request, params: Params) -> object:
        self.state.unblock(self._user_id(request))
        return True

    async def _ctl_deactivate(self, request: web.Request, params: Params) -> object:
        self.state.deactivate(self._user_id(request))
        return True

    async def _ctl_messages(self, request: web.Request, params: Params) -> object:
        chat = self.state.chat(self._user_id(request))
        await self._wait_for_change(params.integer("after_version"), params.number("timeout") or 0)
        return {
            "version": self.state.version,
            "messages": [
                self.state.message_view(message)
                for message in chat.messages.values()
                if message.from_bot
            ],
        }

    async def _ctl_commands(self, request: web.Request, params: Params) -> object:
        return self.state.commands_for_user(self._user_id(request))

    def _group_view(self, group: GroupRecord) -> JsonDict:
        return {
            **group.chat_to_api(),
            "members": list(group.members),
            "admins": list(group.admins),
            "bot_status": group.bot_status,
        }

    async def _ctl_create_group(self, request: web.Request, params: Params) -> object:
        chat_id, title = params.integer("id"), params.text("title")
        members = params.json("members")
        admins = params.json("admins") or []
        if chat_id is None or title is None:
            raise bad_request("id and title are required")
        if not isinstance(members, list) or not isinstance(admins, list):
            raise bad_request("members (and admins) must be lists of user ids")
        group = self.state.create_group(
            chat_id, title, [int(m) for m in members], [int(a) for a in admins]
        )
        return self._group_view(group)

    async def _ctl_group_member(self, request: web.Request, params: Params) -> object:
        user_id = params.integer("user_id")
        if user_id is None:
            raise bad_request("user_id is required")
        chat_id = self._group_id(request)
        self.state.add_group_member(chat_id, user_id, params.integer("by"))
        return self._group_view(self.state.group(chat_id))

    async def _ctl_add_bot(self, request: web.Request, params: Params) -> object:
        by = params.integer("by")
        if by is None:
            raise bad_request("by (the member who adds the bot) is required")
        chat_id = self._group_id(request)
        self.state.add_bot(chat_id, by)
        return self._group_view(self.state.group(chat_id))

    async def _ctl_remove_bot(self, request: web.Request, params: Params) -> object:
        by = params.integer("by")
        if by is None:
            raise bad_request("by (the member who removes the bot) is required")
        chat_id = self._group_id(request)
        self.state.remove_bot(chat_id, by)
        return self._group_view(self.state.group(chat_id))

    async def _ctl_group_messages(self, request: web.Request, params: Params) -> object:
        group = self.state.group(self._group_id(request))
        await self._wait_for_change(params.integer("after_version"), params.number("timeout") or 0)
        return {
            "version": self.state.version,
            "messages": [self.state.message_view(message) for message in group.messages.values()],
        }

    async def _ctl_callback_query(self, request: web.Request, params: Params) -> object:
        query = self.state.callback_queries.get(request.match_info["query_id"])
        if query is None:
            raise bad_request("unknown callback query")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(params.number("timeout") or 0.0, MAX_CONTROL_WAIT)
        while not query.answered and not self._closing:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await self.state.changes_signal.wait(remaining)
        return {
            "id": query.id,
            "data": query.data,
            "answered": query.answered,
            "text": query.answer_text,
            "show_alert": query.show_alert,
            "url": query.answer_url,
        }

    async def _ctl_file(self, request: web.Request) -> web.StreamResponse:
        stored = self.state.files.get(request.match_info["file_id"])
        if stored is None:
            return web.json_response({"ok": False, "description": "unknown file_id"}, status=404)
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )
