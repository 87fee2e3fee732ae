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

from emulator.client import EmulatorClient
from emulator.formatting import Entity, EntityParseError, parse_html, trim
from emulator.state import (
    MAX_DOWNLOAD_SIZE,
    ApiError,
    ChatRecord,
    Clock,
    EmulatorState,
    JsonDict,
    MessageRecord,
    StoredFile,
    bad_request,
)

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
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
    return _api_response(
        error.error_code,
        {"ok": False, "error_code": error.error_code, "description": error.description},
    )


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

    def sending_chat(self, params: Params) -> ChatRecord:
        """The chat the bot wants to send to, checking that it may."""
        chat = self.state.chat(self.chat_id(params))
        if chat.user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if not chat.user.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

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
        source = params.text("caption")
        if not source:
            return None, [], None
        entities = self.entity_list(params.json("caption_entities", "entities"))
        caption, entities = self.format_text(source, params.text("parse_mode"), entities)
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
        rows = [row for row in rows if row]
        return {"inline_keyboard": rows} if rows else None

    def reply_to(self, params: Params, chat: ChatRecord) -> int | None:
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
        if self.state.message(chat.user.id, message_id) is None:
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
        if part is not None:
            if not part.content:
                raise bad_request("file must be non-empty")
            if len(part.content) > MAX_UPLOAD_SIZE:
                raise ApiError(413, "Request Entity Too Large")
            if kind == "photo":
                return self.state.store_photo(part.content)
            return [self.state.store_document(part.content, part.filename, part.content_type)]
        if not value or not value.strip():
            raise bad_request(f"there is no {kind} in the request")
        stored = self.state.files.get(value.strip())
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
        if kind == "photo":
            return [self.state.files[file_id] for file_id in stored.photo_group]
        return [stored]

    def message_to_edit(self, params: Params) -> MessageRecord:
        """The bot message addressed by ``chat_id`` + ``message_id``."""
        if params.text("inline_message_id"):
            raise bad_request("message to edit not found")  # no inline mode here
        message_id = params.integer("message_id")
        if params.text("chat_id") is None or message_id is None:
            raise bad_request("message identifier is not specified")
        chat = self.state.chat(self.chat_id(params))
        message = self.state.message(chat.user.id, message_id)
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
            self.state.chat(chat_id)
        return scope_type, chat_id, params.text("language_code") or ""

    # -- methods ---------------------------------------------------------------------------

    def get_me(self, params: Params) -> object:
        """``getMe``."""
        return {
            **self.state.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def harmless(self, params: Params) -> object:
        """``logOut`` and ``close``: accepted, nothing happens."""
        return True

    def set_webhook(self, params: Params) -> object:
        """``setWebhook``: accepted and remembered, but updates are never pushed to it."""
        url = (params.text("url") or "").strip()
        if url and not url.lower().startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.state.webhook_url = url
        return True

    def delete_webhook(self, params: Params) -> object:
        """``deleteWebhook`` (optionally dropping pending updates)."""
        self.state.webhook_url = ""
        if params.flag("drop_pending_updates"):
            self.state.updates.clear()
        return True

    def get_webhook_info(self, params: Params) -> object:
        """``getWebhookInfo``."""
        return {
            "url": self.state.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.state.updates),
        }

    def get_chat(self, params: Params) -> object:
        """``getChat`` for a private chat."""
        chat = self.state.chat(self.chat_id(params))
        gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription")
        return {
            **chat.user.chat_to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {**dict.fromkeys(gifts, True), "gifts_from_channels": False},
        }

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
        chat = self.state.chat(self.chat_id(params))
        message_id = params.integer("message_id")
        message = self.state.message(chat.user.id, message_id) if message_id else None
        if message is None:
            raise bad_request("message to delete not found")
        message.deleted = True
        return True

    def delete_messages(self, params: Params) -> object:
        """``deleteMessages`` (missing messages are skipped, as Telegram does)."""
        chat = self.state.chat(self.chat_id(params))
        ids = params.json("message_ids")
        if not isinstance(ids, list) or not ids:
            raise bad_request("message identifiers are not specified")
        for message_id in ids:
            if not isinstance(message_id, int):
                raise bad_request("message identifiers are not specified")
            message = self.state.message(chat.user.id, message_id)
            if message is not None:
                message.deleted = True
        return True

    def answer_callback_query(self, params: Params) -> object:
        """``answerCallbackQuery``: once per query, within the configured age."""
        query = self.state.callback_queries.get(params.text("callback_query_id") or "")
        if (
            query is None
            or query.answered
            or self.state.now() - query.created_at > self.state.callback_query_max_age
        ):
            raise bad_request(QUERY_TOO_OLD)
        query.answered = True
        query.answer_text = params.text("text")
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
            self.state.chat(chat_id)
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


class BotApiEmulator:
    """A Telegram Bot API server on 127.0.0.1 for one bot, with a control side.

    Point python-telegram-bot at it with ``base_url(emulator.base_url)`` and
    ``base_file_url(emulator.base_file_url)``. Simulated users are driven through the JSON
    control endpoints (see :class:`emulator.client.EmulatorClient`)::

        POST /_emu/reset                         forget all users, chats, messages, files
        GET  /_emu/log                           every Bot API call the bot made, in order
        GET  /_emu/updates                       updates not yet confirmed by the bot
        POST /_emu/clock        {"advance": s}   move emulated time forward
        POST /_emu/config       {"callback_query_max_age": s}
        POST /_emu/users        {"id", "first_name", "last_name", "username", "language_code"}
        POST /_emu/users/{id}/text      {"text", "reply_to_message_id"}
        POST /_emu/users/{id}/document  multipart "document" file, "caption"
        POST /_emu/users/{id}/photo     multipart "photo" file, "caption", "width", "height"
        POST /_emu/users/{id}/press     {"message_id", "button_text", "chat_id"?}
                                        -> {"callback_query_id"}; chat_id: another user's chat
                                        whose bot message was forwarded to this user
        POST /_emu/users/{id}/block  |  /unblock
        GET  /_emu/users/{id}/messages?after_version=V&timeout=T   (long-polls for changes)
        GET  /_emu/users/{id}/commands           the command menu this user sees
        GET  /_emu/callback_queries/{id}?timeout=T                 (waits for the answer)
        GET  /_emu/files/{file_id}               raw bytes of any known file

    Control answers are ``{"ok": true, "result": ...}`` or ``{"ok": false, "description"}``.
    """

    def __init__(
        self,
        token: str,
        *,
        username: str = "renja_bot",
        first_name: str = "Renja Bot",
        clock: Clock | None = None,
    ) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("a bot token looks like '123456:secret'")
        self.token = token
        self.state = EmulatorState(int(bot_id), username, first_name, clock)
        self.api = BotApi(self.state)
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._closing = False
        self._poll_generation = 0

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

    async def stop(self) -> None:
        """Wake every long poll and shut the server down."""
        if self._runner is None:
            return
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
        key = method.lower()
        handler = self.api.methods.get(key)
        if handler is None and key != "getupdates":
            return _api_error(ApiError(404, "Not Found"))
        params: Params | None = None
        try:
            params = await Params.from_request(request)
            if handler is None:
                return _api_response(200, {"ok": True, "result": await self._get_updates(params)})
            result = handler(params)
        except ApiError as exc:
            self._record(method, params, None, exc.description)
            return _api_error(exc)
        self._record(method, params, result, None)
        return _api_response(200, {"ok": True, "result": result})

    def _record(
        self, method: str, params: Params | None, result: object, error: str | None
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
        if isinstance(result, dict) and "message_id" in result:
            message_id = result["message_id"]
            chat_id = result["chat"]["id"]
            text = result.get("text", result.get("caption"))
        self.state.record(method, chat_id=chat_id, message_id=message_id, error=error, text=text)
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
            ("POST", "/_emu/clock", self._ctl_clock),
            ("POST", "/_emu/config", self._ctl_config),
            ("POST", "/_emu/users", self._ctl_register),
            ("POST", "/_emu/users/{user_id}/text", self._ctl_text),
            ("POST", "/_emu/users/{user_id}/document", self._ctl_document),
            ("POST", "/_emu/users/{user_id}/photo", self._ctl_photo),
            ("POST", "/_emu/users/{user_id}/press", self._ctl_press),
            ("POST", "/_emu/users/{user_id}/block", self._ctl_block),
            ("POST", "/_emu/users/{user_id}/unblock", self._ctl_unblock),
            ("GET", "/_emu/users/{user_id}/messages", self._ctl_messages),
            ("GET", "/_emu/users/{user_id}/commands", self._ctl_commands),
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
            return web.json_response({"ok": True, "result": result})

        return wrapped

    @staticmethod
    def _user_id(request: web.Request) -> int:
        try:
            return int(request.match_info["user_id"])
        except ValueError:
            raise bad_request("user id must be a number") from None

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
        return True

    async def _ctl_log(self, request: web.Request, params: Params) -> object:
        return [entry.to_json() for entry in self.state.log]

    async def _ctl_updates(self, request: web.Request, params: Params) -> object:
        return [update.to_api() for update in self.state.updates]

    async def _ctl_clock(self, request: web.Request, params: Params) -> object:
        return {"now": self.state.advance_clock(params.number("advance") or 0.0)}

    async def _ctl_config(self, request: web.Request, params: Params) -> object:
        max_age = params.number("callback_query_max_age")
        if max_age is not None:
            self.state.callback_query_max_age = max_age
        return {"callback_query_max_age": self.state.callback_query_max_age}

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
            text=params.text("text") or "",
            reply_to_message_id=params.integer("reply_to_message_id"),
        )
        return self.state.message_to_api(message)

    async def _ctl_document(self, request: web.Request, params: Params) -> object:
        user_id = self._user_id(request)
        self.state.chat(user_id)
        part = params.files.get("document")
        if part is None or not part.content:
            raise bad_request("a non-empty multipart 'document' file is required")
        stored = self.state.store_document(part.content, part.filename, part.content_type)
        message = self.state.user_sends(
            user_id,
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
            photo=sizes,
            caption=params.text("caption") or None,
            reply_to_message_id=params.integer("reply_to_message_id"),
        )
        return self.state.message_to_api(message)

    async def _ctl_press(self, request: web.Request, params: Params) -> object:
        message_id = params.integer("message_id")
        button_text = params.text("button_text")
        if message_id is None or button_text is None:
            raise bad_request("message_id and button_text are required")
        query = self.state.press_button(
            self._user_id(request), message_id, button_text, chat_id=params.integer("chat_id")
        )
        return {"callback_query_id": query.id}

    async def _ctl_block(self, request: web.Request, params: Params) -> object:
        self.state.block(self._user_id(request))
        return True

    async def _ctl_unblock(self, request: web.Request, params: Params) -> object:
        self.state.unblock(self._user_id(request))
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
