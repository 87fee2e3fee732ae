"""Python client for the emulator's control side: simulated users on their phones.

Everything goes over real HTTP to the ``/_emu/`` endpoints, so the emulator may run in
another process. Typical use::

    async with EmulatorClient(emulator.control_url) as client:
        budi = await client.user(1001, "Budi", username="budi")
        await budi.send_text("/start")
        [welcome] = await budi.wait_for_messages(1)
        query_id = await budi.press(welcome, "Setuju")
        assert (await budi.callback_answer(query_id)) is not None
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

import httpx

JsonDict = dict[str, Any]


class EmulatorError(RuntimeError):
    """The emulator refused a control request (e.g. pressing a button that is not there)."""


@dataclass(frozen=True)
class Button:
    """An inline keyboard button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class FileInfo:
    """A document, or one size of a photo."""

    file_id: str
    file_unique_id: str
    file_size: int
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None

    @classmethod
    def from_json(cls, data: JsonDict) -> FileInfo:
        """Build from a Bot API Document/PhotoSize object."""
        return cls(
            file_id=data["file_id"],
            file_unique_id=data["file_unique_id"],
            file_size=data.get("file_size", 0),
            file_name=data.get("file_name"),
            mime_type=data.get("mime_type"),
            width=data.get("width"),
            height=data.get("height"),
        )


def _buttons(rows: list[list[JsonDict]]) -> list[list[Button]]:
    return [[Button(b["text"], b.get("callback_data"), b.get("url")) for b in row] for row in rows]


@dataclass(frozen=True)
class MessageVersion:
    """The content a message had before one of its edits."""

    text: str | None
    html: str | None
    caption: str | None
    caption_html: str | None
    buttons: list[list[Button]]
    edit_date: int | None

    @classmethod
    def from_json(cls, data: JsonDict) -> MessageVersion:
        """Build from the control-side JSON."""
        return cls(
            text=data["text"],
            html=data["html"],
            caption=data["caption"],
            caption_html=data["caption_html"],
            buttons=_buttons(data["buttons"]),
            edit_date=data["edit_date"],
        )


@dataclass(frozen=True)
class BotMessage:
    """A message the bot sent to a user (or anybody's message in a group), as it is now.

    ``text``/``caption`` are what the user reads (HTML tags stripped, entities unescaped);
    ``html``/``caption_html`` are the raw strings the bot sent (markup included when the bot
    used ``parse_mode=HTML``). ``history`` holds the earlier versions, oldest first.
    The messages of one album share a ``media_group_id``. In a group, ``from_bot`` is
    ``False`` for members' messages and ``sender_id`` names the member.
    """

    message_id: int
    chat_id: int
    date: int
    text: str | None = None
    html: str | None = None
    parse_mode: str | None = None
    media_group_id: str | None = None
    from_bot: bool = True
    sender_id: int | None = None
    caption: str | None = None
    caption_html: str | None = None
    buttons: list[list[Button]] = field(default_factory=list)
    document: FileInfo | None = None
    photo: list[FileInfo] = field(default_factory=list)
    reply_to_message_id: int | None = None
    reply_markup: JsonDict | None = None
    edited: bool = False
    deleted: bool = False
    history: list[MessageVersion] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: JsonDict) -> BotMessage:
        """Build from the control-side JSON."""
        return cls(
            message_id=data["message_id"],
            chat_id=data["chat_id"],
            date=data["date"],
            text=data["text"],
            html=data["html"],
            parse_mode=data["parse_mode"],
            media_group_id=data.get("media_group_id"),
            from_bot=data.get("from_bot", True),
            sender_id=data.get("sender_id"),
            caption=data["caption"],
            caption_html=data["caption_html"],
            buttons=_buttons(data["buttons"]),
            document=FileInfo.from_json(data["document"]) if data["document"] else None,
            photo=[FileInfo.from_json(size) for size in data["photo"]],
            reply_to_message_id=data["reply_to_message_id"],
            reply_markup=data["reply_markup"],
            edited=data["edited"],
            deleted=data["deleted"],
            history=[MessageVersion.from_json(version) for version in data["history"]],
        )

    @property
    def body(self) -> str:
        """The text, else the caption, else an empty string."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def force_reply(self) -> bool:
        """Whether the bot asked the user to reply to this message (ForceReply)."""
        return bool(self.reply_markup and self.reply_markup.get("force_reply"))

    def button_texts(self) -> list[str]:
        """Labels of all inline buttons, row by row."""
        return [button.text for row in self.buttons for button in row]

    def button(self, text: str) -> Button:
        """The inline button with exactly this label."""
        for row in self.buttons:
            for button in row:
                if button.text == text:
                    return button
        raise LookupError(f"no button {text!r}; buttons: {self.button_texts()}")


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered to a button press (``answerCallbackQuery``)."""

    text: str | None
    show_alert: bool
    url: str | None


@dataclass(frozen=True)
class MenuCommand:
    """One entry of the command menu a user sees."""

    command: str
    description: str


@dataclass(frozen=True)
class LogEntry:
    """One Bot API call the bot made, in order across all users.

    ``getUpdates`` is left out unless a fault was injected into it. ``text`` is the resulting
    message text or caption for calls that return a message; ``ok`` tells whether the call
    took effect and ``error`` what the bot was answered instead of success (Telegram's
    description, or ``"Bad Gateway"`` / ``"connection closed without an answer"``);
    ``fault`` names an injected fault. A ``done_but_failed`` call has ``ok`` and ``error``.
    """

    seq: int
    time: float
    method: str
    chat_id: int | None
    message_id: int | None
    ok: bool
    error: str | None
    text: str | None
    fault: str | None = None

    @classmethod
    def from_json(cls, data: JsonDict) -> LogEntry:
        """Build from the control-side JSON."""
        names = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})


@dataclass(frozen=True)
class ChatStats:
    """The bot's messages in one chat: accepted sends and 429 answers, with their times.

    Times are seconds since the emulator started, on real monotonic time (the emulated
    clock of message dates does not move them). An album of N counts N sends.
    """

    accepted: int
    too_many_requests: int
    accepted_at: list[float]
    too_many_requests_at: list[float]

    @classmethod
    def from_json(cls, data: JsonDict) -> ChatStats:
        """Build from the control-side JSON."""
        return cls(
            accepted=data["accepted"],
            too_many_requests=data["too_many_requests"],
            accepted_at=list(data["accepted_at"]),
            too_many_requests_at=list(data["too_many_requests_at"]),
        )

    def rate(self) -> float:
        """Accepted sends per second between the first and the last (0 for fewer than 2)."""
        if len(self.accepted_at) < 2:
            return 0.0
        span = self.accepted_at[-1] - self.accepted_at[0]
        return (len(self.accepted_at) - 1) / span if span > 0 else float("inf")


@dataclass(frozen=True)
class SendStats:
    """``GET /_emu/stats``: what the bot's sends met, overall and per chat.

    ``too_many_requests`` counts every 429 the bot was answered (flood control and injected
    ones); ``faults`` counts injected faults by kind (``"500"``, ``"drop"``...).
    """

    elapsed: float
    accepted: int
    too_many_requests: int
    faults: dict[str, int]
    chats: dict[int, ChatStats]

    @classmethod
    def from_json(cls, data: JsonDict) -> SendStats:
        """Build from the control-side JSON."""
        return cls(
            elapsed=data["elapsed"],
            accepted=data["accepted"],
            too_many_requests=data["too_many_requests"],
            faults=dict(data["faults"]),
            chats={int(key): ChatStats.from_json(value) for key, value in data["chats"].items()},
        )

    def chat(self, chat_id: int) -> ChatStats:
        """The statistics of one chat (zeros when the bot never wrote there)."""
        return self.chats.get(chat_id) or ChatStats(0, 0, [], [])


class HasMessageId(Protocol):
    """Anything with a ``message_id``: a :class:`BotMessage`, a ``telegram.Message``..."""

    @property
    def message_id(self) -> int: ...


MessageRef = int | HasMessageId
"""A message given by id or by any object that has a ``message_id``."""

MessagePredicate = Callable[[BotMessage], bool]


class EmulatorClient:
    """Control-side client of a running :class:`~emulator.server.BotApiEmulator`."""

    def __init__(self, base_http_url: str, *, http_timeout: float = 30.0) -> None:
        # trust_env=False: never route 127.0.0.1 through a proxy from the environment.
        self._http = httpx.AsyncClient(
            base_url=base_http_url.rstrip("/"), timeout=http_timeout, trust_env=False
        )

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> EmulatorClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def call(self, http_method: str, path: str, *, wait: float = 0.0, **kwargs: Any) -> Any:
        """Make a control request and return its ``result`` (raises :class:`EmulatorError`)."""
        timeout = self._http.timeout.read or 30.0
        response = await self._http.request(http_method, path, timeout=timeout + wait, **kwargs)
        if response.headers.get("content-type", "").startswith("application/json"):
            data = response.json()
            if not data.get("ok"):
                raise EmulatorError(data.get("description", response.text))
            return data["result"]
        response.raise_for_status()
        return response.content

    async def user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = None,
    ) -> SimulatedUser:
        """Register a user (who has not started the bot yet) and return them."""
        await self.call(
            "POST",
            "/_emu/users",
            json={
                "id": user_id,
                "first_name": first_name,
                "username": username,
                "last_name": last_name,
                "language_code": language_code,
            },
        )
        return SimulatedUser(self, user_id, first_name, username)

    async def reset(self) -> None:
        """Forget all users, chats, messages, files, updates, menus and the log."""
        await self.call("POST", "/_emu/reset")

    async def log(self) -> list[LogEntry]:
        """Every Bot API call the bot made so far, in order, across all users."""
        return [LogEntry.from_json(entry) for entry in await self.call("GET", "/_emu/log")]

    async def pending_updates(self) -> list[JsonDict]:
        """Updates the bot has not confirmed yet (raw Bot API JSON)."""
        result: list[JsonDict] = await self.call("GET", "/_emu/updates")
        return result

    async def advance_clock(self, seconds: float) -> float:
        """Move the emulator's time forward; returns the new emulated unix time."""
        result = await self.call("POST", "/_emu/clock", json={"advance": seconds})
        return float(result["now"])

    async def set_callback_query_max_age(self, seconds: float) -> None:
        """How long the bot may take to answer a button press before it is too old."""
        await self.call("POST", "/_emu/config", json={"callback_query_max_age": seconds})

    async def config(self, **changes: Any) -> JsonDict:
        """Change settings (``POST /_emu/config``, see there) and return all of them."""
        result: JsonDict = await self.call("POST", "/_emu/config", json=changes)
        return result

    async def set_flood_limits(
        self,
        enabled: bool = True,
        *,
        private_burst: float | None = None,
        private_per_second: float | None = None,
        group_burst: float | None = None,
        group_per_minute: float | None = None,
        global_burst: float | None = None,
        global_per_second: float | None = None,
    ) -> JsonDict:
        """Switch Telegram's flood limits on (or off), changing the bucket sizes given.

        Defaults: 3 at once then 1/s per private chat, 20/min per group, 30/s overall. The
        buckets start full. Returns the limits now in force.
        """
        sizes = {
            "private_burst": private_burst,
            "private_per_second": private_per_second,
            "group_burst": group_burst,
            "group_per_minute": group_per_minute,
            "global_burst": global_burst,
            "global_per_second": global_per_second,
        }
        limits = {"enabled": enabled, **{k: v for k, v in sizes.items() if v is not None}}
        result = await self.config(flood_limits=limits)
        return dict(result["flood_limits"])

    async def set_faults(
        self,
        rate: float,
        kinds: list[str] | None = None,
        *,
        seed: int | None = None,
        methods: list[str] | None = None,
        slow_seconds: float | None = None,
    ) -> JsonDict:
        """Make ``rate`` of the bot's calls fail with one of ``kinds`` (all kinds if ``None``).

        Kinds: ``"500"``, ``"502"``, ``"429"``, ``"slow"``, ``"drop"``,
        ``"done_but_failed"``. ``methods`` restricts them to those Bot API methods (default
        all, ``getUpdates`` included); ``seed`` makes the draw reproducible.
        """
        plan: JsonDict = {"rate": rate, "kinds": kinds, "seed": seed, "methods": methods}
        if slow_seconds is not None:
            plan["slow_seconds"] = slow_seconds
        result = await self.config(faults=plan)
        return dict(result["faults"])

    async def set_latency(self, seconds: float) -> float:
        """Make every Bot API call wait ``seconds`` before it is carried out, as a call across
        the internet to Telegram does (0: none). Returns the latency now in force."""
        result = await self.config(latency=seconds)
        return float(result["latency"])

    async def set_webhook_retry(
        self,
        *,
        first: float | None = None,
        cap: float | None = None,
        answer_within: float | None = None,
    ) -> JsonDict:
        """How a failed webhook delivery is tried again: at once, then after ``first``
        seconds, doubling up to ``cap``; ``answer_within``: how long an answer is waited for.
        Returns the settings now in force."""
        given = {"first": first, "cap": cap, "answer_within": answer_within}
        result = await self.config(webhook_retry={k: v for k, v in given.items() if v is not None})
        return dict(result["webhook_retry"])

    async def clear_faults(self) -> None:
        """No more injected faults."""
        await self.config(faults=None)

    async def stats(self) -> SendStats:
        """Accepted sends and 429s per chat (with times), and injected faults by kind."""
        return SendStats.from_json(await self.call("GET", "/_emu/stats"))

    async def reset_stats(self) -> None:
        """Count from zero again."""
        await self.call("POST", "/_emu/stats/reset")

    async def group(
        self,
        chat_id: int,
        title: str,
        members: list[SimulatedUser],
        *,
        admins: list[SimulatedUser] | None = None,
    ) -> SimulatedGroup:
        """Create a basic group (negative id) of registered users; the first created it.

        The bot is not in it until a member adds it (:meth:`SimulatedGroup.add_bot`).
        """
        await self.call(
            "POST",
            "/_emu/groups",
            json={
                "id": chat_id,
                "title": title,
                "members": [member.id for member in members],
                "admins": [admin.id for admin in admins or []],
            },
        )
        return SimulatedGroup(self, chat_id, title)

    async def download(self, file_id: str) -> bytes:
        """Raw bytes of any file the emulator knows (no 20 MB limit: users have none)."""
        response = await self._http.get(f"/_emu/files/{file_id}")
        if response.status_code != 200:
            raise EmulatorError(f"unknown file_id {file_id!r}")
        return response.content


class _MessageWatcher:
    """Reading a chat's bot messages, waiting for new ones with a cursor."""

    client: EmulatorClient
    _seen: int

    def _messages_path(self) -> str:
        raise NotImplementedError

    def _describe(self) -> str:
        raise NotImplementedError

    async def _fetch_all(
        self, after_version: int | None, wait: float
    ) -> tuple[int, list[BotMessage]]:
        params: dict[str, str] = {}
        if after_version is not None:
            params = {"after_version": str(after_version), "timeout": str(wait)}
        result = await self.client.call("GET", self._messages_path(), params=params, wait=wait)
        return int(result["version"]), [BotMessage.from_json(m) for m in result["messages"]]

    async def _fetch(self, after_version: int | None, wait: float) -> tuple[int, list[BotMessage]]:
        version, messages = await self._fetch_all(after_version, wait)
        return version, [m for m in messages if m.from_bot]

    async def messages(self, *, include_deleted: bool = True) -> list[BotMessage]:
        """All messages the bot sent here, current state, oldest first."""
        _, messages = await self._fetch(None, 0.0)
        return [m for m in messages if include_deleted or not m.deleted]

    async def last_message(self) -> BotMessage:
        """The newest bot message that was not deleted."""
        visible = await self.messages(include_deleted=False)
        if not visible:
            raise LookupError(f"the bot has sent no message to {self._describe()}")
        return visible[-1]

    async def wait_until(
        self,
        predicate: Callable[[list[BotMessage]], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - forwarded to the server-side long poll
    ) -> list[BotMessage]:
        """Wait until ``predicate(all bot messages)`` holds; returns those messages.

        Use it to wait for edits, e.g. ``wait_until(lambda ms: ms[0].edited)``.
        """
        deadline = _loop_time() + timeout
        version: int | None = None  # None: first look, answered at once
        while True:
            remaining = max(deadline - _loop_time(), 0.0)
            version, messages = await self._fetch(version, remaining)
            if predicate(messages):
                return messages
            if _loop_time() >= deadline:
                raise TimeoutError(
                    f"{self._describe()}: condition not met within {timeout}s; bot messages: "
                    f"{[m.body for m in messages]}"
                )

    async def wait_for_messages(
        self,
        count_or_predicate: int | MessagePredicate = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - forwarded to the server-side long poll
    ) -> list[BotMessage]:
        """Wait for bot messages this reader has not been handed yet.

        Every reader keeps a cursor: each call returns messages after the ones earlier calls
        returned (deleted ones included, so the count stays stable), then moves the cursor.

        * ``wait_for_messages(2)`` returns exactly the next 2 new messages.
        * ``wait_for_messages(lambda m: "Selesai" in m.body)`` returns the new messages up to
          and including the first one that matches.

        Raises :class:`TimeoutError` listing what did arrive.
        """
        found: list[BotMessage] = []

        def ready(messages: list[BotMessage]) -> bool:
            new = messages[self._seen :]
            if isinstance(count_or_predicate, int):
                if len(new) < count_or_predicate:
                    return False
                found[:] = new[:count_or_predicate]
                return True
            for index, message in enumerate(new):
                if count_or_predicate(message):
                    found[:] = new[: index + 1]
                    return True
            return False

        try:
            await self.wait_until(ready, timeout)
        except TimeoutError:
            messages = await self.messages()
            raise TimeoutError(
                f"{self._describe()}: expected {count_or_predicate!r} new bot message(s) "
                f"within {timeout}s; new ones: {[m.body for m in messages[self._seen :]]}"
            ) from None
        self._seen += len(found)
        return found


class SimulatedUser(_MessageWatcher):
    """One Telegram user talking to the bot from their phone.

    Every way of writing takes ``group=``: the user then writes in that group (they must
    be a member) instead of their private chat with the bot.
    """

    def __init__(
        self, client: EmulatorClient, user_id: int, first_name: str, username: str | None
    ) -> None:
        self.client = client
        self.id = user_id
        self.first_name = first_name
        self.username = username
        self._seen = 0  # bot messages already returned by wait_for_messages

    @property
    def chat_id(self) -> int:
        """The private chat with the bot (same as the user id)."""
        return self.id

    def __repr__(self) -> str:
        return f"SimulatedUser(id={self.id}, first_name={self.first_name!r})"

    def _messages_path(self) -> str:
        return f"/_emu/users/{self.id}/messages"

    def _describe(self) -> str:
        return f"user {self.id}"

    async def _post(self, action: str, group: SimulatedGroup | None, **kwargs: Any) -> JsonDict:
        """POST a user action, naming the group (if any) as ``chat_id``."""
        if group is not None:
            if "json" in kwargs:
                kwargs["json"] = {**kwargs["json"], "chat_id": group.id}
            else:
                kwargs["data"] = {**kwargs.get("data", {}), "chat_id": str(group.id)}
        result: JsonDict = await self.client.call(
            "POST", f"/_emu/users/{self.id}/{action}", **kwargs
        )
        return result

    # -- sending ---------------------------------------------------------------------------

    async def send_text(
        self, text: str, *, reply_to: MessageRef | None = None, group: SimulatedGroup | None = None
    ) -> int:
        """Send a text message; returns its message_id.

        Commands (``/start abc``, ``/renja_baru Judul``) carry a ``bot_command`` entity.
        Sending anything starts the chat (and unblocks the bot), like Telegram.
        """
        message = await self._post(
            "text", group, json={"text": text, "reply_to_message_id": _message_id(reply_to)}
        )
        return int(message["message_id"])

    async def send_document(
        self,
        file_name: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        *,
        group: SimulatedGroup | None = None,
    ) -> int:
        """Send a file as a document; returns the message_id.

        ``file_name`` arrives exactly as given, control characters included (a multipart
        file name would escape them); ``content`` may be empty, as a third-party app may send.
        """
        data = {"file_name": file_name}
        if caption:
            data["caption"] = caption
        message = await self._post(
            "document", group, files={"document": (file_name, content, mime_type)}, data=data
        )
        return int(message["message_id"])

    async def send_photo(
        self,
        content: bytes,
        caption: str | None = None,
        *,
        width: int | None = None,
        height: int | None = None,
        group: SimulatedGroup | None = None,
    ) -> int:
        """Send a photo (delivered as a list of PhotoSize); returns the message_id."""
        data: dict[str, str] = {}
        if caption:
            data["caption"] = caption
        if width is not None and height is not None:
            data.update(width=str(width), height=str(height))
        message = await self._post(
            "photo", group, files={"photo": ("photo.jpg", content, "image/jpeg")}, data=data
        )
        return int(message["message_id"])

    async def send_sticker(self, emoji: str = "👍", *, group: SimulatedGroup | None = None) -> int:
        """Send a (static) sticker: ``message.sticker`` with this emoji; returns the id."""
        message = await self._post("sticker", group, json={"emoji": emoji})
        return int(message["message_id"])

    async def send_voice(
        self,
        content: bytes | None = None,
        *,
        duration: int = 3,
        caption: str | None = None,
        group: SimulatedGroup | None = None,
    ) -> int:
        """Record a voice note (``message.voice``, audio/ogg); returns the message_id."""
        data = {"duration": str(duration)}
        if caption:
            data["caption"] = caption
        files = {"voice": ("voice.oga", content, "audio/ogg")} if content else None
        message = await self._post("voice", group, data=data, files=files)
        return int(message["message_id"])

    async def send_location(
        self, latitude: float, longitude: float, *, group: SimulatedGroup | None = None
    ) -> int:
        """Share a location (``message.location``); returns the message_id."""
        message = await self._post(
            "location", group, json={"latitude": latitude, "longitude": longitude}
        )
        return int(message["message_id"])

    async def send_contact(
        self,
        phone_number: str,
        first_name: str,
        *,
        last_name: str | None = None,
        user_id: int | None = None,
        group: SimulatedGroup | None = None,
    ) -> int:
        """Share a contact (``message.contact``); returns the message_id."""
        contact: JsonDict = {"phone_number": phone_number, "first_name": first_name}
        if last_name is not None:
            contact["last_name"] = last_name
        if user_id is not None:
            contact["user_id"] = user_id
        message = await self._post("contact", group, json=contact)
        return int(message["message_id"])

    async def edit_text(
        self, message: MessageRef, text: str, *, group: SimulatedGroup | None = None
    ) -> None:
        """Edit the text of a message this user sent: the bot gets an ``edited_message``."""
        await self._post("edit", group, json={"message_id": _message_id(message), "text": text})

    async def edit_caption(
        self, message: MessageRef, caption: str, *, group: SimulatedGroup | None = None
    ) -> None:
        """Edit the caption of a file this user sent (``""`` removes it): ``edited_message``."""
        await self._post(
            "edit", group, json={"message_id": _message_id(message), "caption": caption}
        )

    async def press(
        self, message: MessageRef, button_text: str, *, group: SimulatedGroup | None = None
    ) -> str:
        """Press the inline button with exactly this label; returns the callback query id.

        Raises :class:`EmulatorError` if the message does not show such a button right now.
        """
        result = await self._post(
            "press",
            group,
            json={"message_id": _message_id(message), "button_text": button_text},
        )
        return str(result["callback_query_id"])

    async def press_forwarded(
        self, owner: SimulatedUser, message: MessageRef, button_text: str
    ) -> str:
        """Press a button on a bot message that ``owner`` forwarded to this user.

        The bot gets a callback query from this user whose ``message`` is the original in
        ``owner``'s chat; returns the callback query id.
        """
        result = await self.client.call(
            "POST",
            f"/_emu/users/{self.id}/press",
            json={
                "message_id": _message_id(message),
                "button_text": button_text,
                "chat_id": owner.id,
            },
        )
        return str(result["callback_query_id"])

    async def press_forged(
        self, message: MessageRef, data: str, *, owner: SimulatedUser | None = None
    ) -> str:
        """Press on a bot message with callback data of the user's choosing, not a button's.

        What a tampered client (or a button left by an older version of the bot) sends: the
        bot must answer it and change nothing. ``owner``: the message is in that user's chat
        and was forwarded to this one. Returns the callback query id.
        """
        request: JsonDict = {"message_id": _message_id(message), "data": data}
        if owner is not None:
            request["chat_id"] = owner.id
        result = await self.client.call("POST", f"/_emu/users/{self.id}/press", json=request)
        return str(result["callback_query_id"])

    async def block(self) -> None:
        """Block the bot: further sends fail with 403 ``bot was blocked by the user``."""
        await self.client.call("POST", f"/_emu/users/{self.id}/block")

    async def unblock(self) -> None:
        """Unblock the bot (sending any message also does this)."""
        await self.client.call("POST", f"/_emu/users/{self.id}/unblock")

    async def deactivate(self) -> None:
        """Delete the account: further sends fail with 403 ``user is deactivated``."""
        await self.client.call("POST", f"/_emu/users/{self.id}/deactivate")

    # -- reading ---------------------------------------------------------------------------

    async def callback_answer(self, query_id: str, wait: float = 5.0) -> CallbackAnswer | None:
        """What the bot answered to that press, waiting up to ``wait`` seconds; else ``None``."""
        result = await self.client.call(
            "GET", f"/_emu/callback_queries/{query_id}", params={"timeout": str(wait)}, wait=wait
        )
        if not result["answered"]:
            return None
        return CallbackAnswer(result["text"], result["show_alert"], result["url"])

    async def download(self, file: str | FileInfo) -> bytes:
        """Download a file the bot sent (or anything else the emulator knows)."""
        return await self.client.download(file.file_id if isinstance(file, FileInfo) else file)

    async def menu_commands(self) -> list[MenuCommand]:
        """The command menu this user sees (chat scope, then private chats, then default)."""
        result = await self.client.call("GET", f"/_emu/users/{self.id}/commands")
        return [MenuCommand(c["command"], c["description"]) for c in result]


class SimulatedGroup(_MessageWatcher):
    """A basic group of simulated users, as its members' phones show it.

    Members write in it with ``user.send_text(..., group=group)``. :meth:`messages` and
    :meth:`wait_for_messages` see the bot's messages; :meth:`all_messages` everybody's.
    """

    def __init__(self, client: EmulatorClient, chat_id: int, title: str) -> None:
        self.client = client
        self.id = chat_id
        self.title = title
        self._seen = 0

    @property
    def chat_id(self) -> int:
        """The group's (negative) chat id."""
        return self.id

    def __repr__(self) -> str:
        return f"SimulatedGroup(id={self.id}, title={self.title!r})"

    def _messages_path(self) -> str:
        return f"/_emu/groups/{self.id}/messages"

    def _describe(self) -> str:
        return f"group {self.id}"

    async def add_bot(self, by: SimulatedUser) -> None:
        """A member adds the bot: ``my_chat_member`` (left -> member) from ``by``, then the
        service message ``new_chat_members``."""
        await self.client.call("POST", f"/_emu/groups/{self.id}/add_bot", json={"by": by.id})

    async def remove_bot(self, by: SimulatedUser) -> None:
        """A member removes the bot: ``my_chat_member`` (member -> kicked)."""
        await self.client.call("POST", f"/_emu/groups/{self.id}/remove_bot", json={"by": by.id})

    async def add_member(self, user: SimulatedUser, by: SimulatedUser | None = None) -> None:
        """``user`` joins (added by ``by``, or by link): a ``new_chat_members`` message."""
        await self.client.call(
            "POST",
            f"/_emu/groups/{self.id}/members",
            json={"user_id": user.id, "by": by.id if by else None},
        )

    async def all_messages(self) -> list[BotMessage]:
        """Every message in the group, the members' included, oldest first."""
        _, messages = await self._fetch_all(None, 0.0)
        return messages


def _message_id(message: MessageRef | None) -> int | None:
    return message if message is None or isinstance(message, int) else message.message_id


def _loop_time() -> float:
    return asyncio.get_running_loop().time()
