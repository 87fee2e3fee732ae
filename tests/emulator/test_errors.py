"""Telegram's own errors, seen through python-telegram-bot and as raw Bot API JSON."""

from __future__ import annotations

import datetime as dtm

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken
from telegram.request import HTTPXRequest

from emulator import BotApiEmulator, EmulatorClient, SimulatedUser

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=t) for t in labels]])


@pytest.fixture
async def sent(bot: Bot, budi: SimulatedUser) -> Message:
    """A bot message with two buttons in Budi's chat."""
    return await bot.send_message(budi.id, "Pilih", reply_markup=keyboard("Ya", "Tidak"))


async def call(
    raw_http: httpx.AsyncClient, emu: BotApiEmulator, method: str, **params: object
) -> tuple[int, dict[str, object]]:
    """POST like python-telegram-bot does (form fields) and return status and JSON."""
    data = {key: value if isinstance(value, str) else str(value) for key, value in params.items()}
    response = await raw_http.post(f"{emu.base_url}{emu.token}/{method}", data=data)
    return response.status_code, response.json()


async def assert_error(
    raw_http: httpx.AsyncClient,
    emu: BotApiEmulator,
    method: str,
    code: int,
    description: str,
    **params: object,
) -> None:
    status, body = await call(raw_http, emu, method, **params)
    assert (status, body) == (code, {"ok": False, "error_code": code, "description": description})


# -- sending ------------------------------------------------------------------------------


async def test_empty_text(bot: Bot, budi: SimulatedUser, raw_http: httpx.AsyncClient) -> None:
    with pytest.raises(BadRequest, match=r"^Message text is empty$"):
        await bot.send_message(budi.id, "   \n ")
    assert bot.base_url.startswith("http://127.0.0.1:")


async def test_empty_text_raw(
    emu: BotApiEmulator, budi: SimulatedUser, raw_http: httpx.AsyncClient
) -> None:
    await assert_error(
        raw_http, emu, "sendMessage", 400, "Bad Request: message text is empty", chat_id=budi.id
    )
    await assert_error(
        raw_http,
        emu,
        "sendMessage",
        400,
        "Bad Request: message text is empty",
        chat_id=budi.id,
        text="<b> </b>",
        parse_mode="HTML",
    )


async def test_length_is_counted_after_entity_parsing(
    bot: Bot, emu: BotApiEmulator, budi: SimulatedUser, raw_http: httpx.AsyncClient
) -> None:
    fits = await bot.send_message(budi.id, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    assert fits.text == "a" * 4096
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(budi.id, "<i>" + "a" * 4097 + "</i>", parse_mode="HTML")
    await assert_error(
        raw_http,
        emu,
        "sendMessage",
        400,
        "Bad Request: message is too long",
        chat_id=budi.id,
        text="x" * 4097,
    )


async def test_caption_too_long(
    bot: Bot, emu: BotApiEmulator, budi: SimulatedUser, raw_http: httpx.AsyncClient
) -> None:
    with pytest.raises(BadRequest, match=r"^Message caption is too long$"):
        await bot.send_document(budi.id, b"data", filename="a.txt", caption="c" * 1025)
    response = await raw_http.post(
        f"{emu.base_url}{emu.token}/sendDocument",
        data={"chat_id": str(budi.id), "caption": "c" * 1025},
        files={"document": ("a.txt", b"data", "text/plain")},
    )
    assert response.json()["description"] == "Bad Request: message caption is too long"


async def test_callback_data_over_64_bytes(
    bot: Bot, emu: BotApiEmulator, budi: SimulatedUser, raw_http: httpx.AsyncClient
) -> None:
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="é" * 32)]])
    await bot.send_message(budi.id, "64 bytes is fine", reply_markup=ok)
    too_long = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("ok", callback_data="x")],
            [InlineKeyboardButton("no", callback_data="y" * 65)],
        ]
    )
    with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
        await bot.send_message(budi.id, "Pilih", reply_markup=too_long)
    await assert_error(
        raw_http,
        emu,
        "sendMessage",
        400,
        "Bad Request: BUTTON_DATA_INVALID",
        chat_id=budi.id,
        text="Pilih",
        reply_markup=too_long.to_json(),
    )


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("<b>tebal", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("Anggaran < 5 juta", 'Unsupported start tag "" at byte offset 9'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("é</b>", "Unexpected end tag at byte offset 2"),
        ('<a href="https://x.id>x</a>', "Unclosed start tag at byte offset 0"),
    ],
)
async def test_malformed_html(
    emu: BotApiEmulator,
    budi: SimulatedUser,
    raw_http: httpx.AsyncClient,
    text: str,
    description: str,
) -> None:
    await assert_error(
        raw_http,
        emu,
        "sendMessage",
        400,
        f"Bad Request: can't parse entities: {description}",
        chat_id=budi.id,
        text=text,
        parse_mode="HTML",
    )


async def test_malformed_html_through_ptb(bot: Bot, budi: SimulatedUser) -> None:
    with pytest.raises(BadRequest, match=r"^Can't parse entities: can't find end tag"):
        await bot.send_message(budi.id, "<b>tebal", parse_mode=ParseMode.HTML)


async def test_who_may_be_written_to(
    bot: Bot, emu: BotApiEmulator, control: EmulatorClient, raw_http: httpx.AsyncClient
) -> None:
    never_started = await control.user(2001, "Andi")
    blocked = await control.user(2002, "Rina")
    await blocked.send_text("/start")
    await blocked.block()

    with pytest.raises(
        Forbidden, match=r"^Forbidden: bot can't initiate conversation with a user$"
    ):
        await bot.send_message(never_started.id, "Halo")
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await bot.send_message(blocked.id, "Halo")
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(999_999, "Halo")
    await assert_error(
        raw_http,
        emu,
        "sendMessage",
        403,
        "Forbidden: bot was blocked by the user",
        chat_id=blocked.id,
        text="Halo",
    )
    await assert_error(
        raw_http, emu, "sendMessage", 400, "Bad Request: chat not found", chat_id=5, text="x"
    )

    # Writing to the bot again unblocks it, as Telegram's "Restart" does.
    await never_started.send_text("/start")
    await blocked.send_text("/start")
    await bot.send_message(never_started.id, "Halo")
    await bot.send_message(blocked.id, "Halo lagi")
    statuses = [
        update.my_chat_member.new_chat_member.status
        for update in await bot.get_updates()
        if update.my_chat_member
    ]
    assert statuses == ["kicked", "member"]


# -- editing, deleting, callback queries -------------------------------------------------


async def test_edit_to_identical_content_and_markup(
    bot: Bot, emu: BotApiEmulator, budi: SimulatedUser, sent: Message, raw_http: httpx.AsyncClient
) -> None:
    markup = keyboard("Ya", "Tidak")
    with pytest.raises(BadRequest, match=r"^Message is not modified: specified new message"):
        await bot.edit_message_text("Pilih", budi.id, sent.message_id, reply_markup=markup)
    await assert_error(
        raw_http,
        emu,
        "editMessageReplyMarkup",
        400,
        NOT_MODIFIED,
        chat_id=budi.id,
        message_id=sent.message_id,
        reply_markup=markup.to_json(),
    )
    # Same text without the markup is a change: the buttons are removed.
    edited = await bot.edit_message_text("Pilih", budi.id, sent.message_id)
    assert isinstance(edited, Message) and edited.reply_markup is None
    assert (await budi.last_message()).buttons == []


async def test_edit_missing_message(
    bot: Bot, emu: BotApiEmulator, budi: SimulatedUser, raw_http: httpx.AsyncClient
) -> None:
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", budi.id, 777)
    await assert_error(
        raw_http,
        emu,
        "editMessageText",
        400,
        "Bad Request: message to edit not found",
        chat_id=budi.id,
        message_id=777,
        text="x",
    )


async def test_delete(bot: Bot, budi: SimulatedUser, sent: Message) -> None:
    assert await bot.delete_message(budi.id, sent.message_id)
    with pytest.raises(BadRequest, match=r"^Message to delete not found$"):
        await bot.delete_message(budi.id, sent.message_id)
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", budi.id, sent.message_id)
    [gone] = await budi.messages()
    assert gone.deleted and await budi.messages(include_deleted=False) == []


async def test_callback_query_unknown_or_answered_twice(
    bot: Bot, emu: BotApiEmulator, budi: SimulatedUser, sent: Message, raw_http: httpx.AsyncClient
) -> None:
    query_id = await budi.press(sent.message_id, "Ya")
    [update] = [u for u in await bot.get_updates() if u.callback_query]
    assert update.callback_query is not None and update.callback_query.data == "Ya"
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == sent.message_id

    assert await bot.answer_callback_query(query_id, text="Tersimpan")
    answer = await budi.callback_answer(query_id, wait=0)
    assert answer is not None and answer.text == "Tersimpan"
    with pytest.raises(BadRequest, match=r"^Query is too old and response timeout expired"):
        await bot.answer_callback_query(query_id)
    await assert_error(
        raw_http, emu, "answerCallbackQuery", 400, QUERY_TOO_OLD, callback_query_id="123"
    )


async def test_callback_query_too_old_with_an_injected_clock(raw_http: httpx.AsyncClient) -> None:
    now = [1_800_000_000.0]
    async with (
        BotApiEmulator("42:clock", clock=lambda: now[0]) as emulator,
        emulator.client() as control,
        Bot(emulator.token, base_url=emulator.base_url) as bot,
    ):
        user = await control.user(7, "Dewi")
        await user.send_text("/start")
        sent = await bot.send_message(7, "Pilih", reply_markup=keyboard("Ya"))
        assert sent.date == dtm.datetime.fromtimestamp(1_800_000_000, dtm.UTC)

        in_time = await user.press(sent, "Ya")
        now[0] += 15
        assert await bot.answer_callback_query(in_time)

        late = await user.press(sent, "Ya")
        now[0] += 15.5
        with pytest.raises(BadRequest, match=r"^Query is too old"):
            await bot.answer_callback_query(late)
        assert await user.callback_answer(late, wait=0) is None


async def test_callback_max_age_and_clock_from_the_control_side(
    bot: Bot, control: EmulatorClient, budi: SimulatedUser, sent: Message
) -> None:
    await control.set_callback_query_max_age(60)
    query_id = await budi.press(sent, "Tidak")
    await control.advance_clock(59)
    assert await bot.answer_callback_query(query_id)
    late = await budi.press(sent, "Tidak")
    await control.advance_clock(61)
    with pytest.raises(BadRequest, match=r"^Query is too old"):
        await bot.answer_callback_query(late)


# -- files ----------------------------------------------------------------------------------


async def test_file_errors(
    bot: Bot, emu: BotApiEmulator, budi: SimulatedUser, raw_http: httpx.AsyncClient
) -> None:
    big = bytes(20 * 1024 * 1024 + 1)
    await budi.send_document("arsip.zip", big, "application/zip")
    [update] = [u for u in await bot.get_updates() if u.message and u.message.document]
    assert update.message is not None and update.message.document is not None
    document = update.message.document
    assert document.file_size == len(big)

    with pytest.raises(BadRequest, match=r"^File is too big$"):
        await bot.get_file(document.file_id)
    with pytest.raises(BadRequest, match=r"^Invalid file_id$"):
        await bot.get_file("BQACAgIAAxkBAAI-no-such-file")
    with pytest.raises(BadRequest, match=r"^Wrong file identifier/http url specified$"):
        await bot.send_document(budi.id, "BQACAgIAAxkBAAI-no-such-file")
    await assert_error(
        raw_http,
        emu,
        "sendDocument",
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
        chat_id=budi.id,
        document="no-such-file",
    )
    await assert_error(
        raw_http, emu, "getFile", 400, "Bad Request: file is too big", file_id=document.file_id
    )

    # Re-sending a known file_id works and needs no upload; the user gets the same bytes.
    resent = await bot.send_document(budi.id, document.file_id, caption="arsip")
    assert resent.document is not None and resent.document.file_id == document.file_id
    assert await budi.download(resent.document.file_id) == big


# -- the endpoint itself --------------------------------------------------------------------


async def test_wrong_token_and_unknown_method(
    emu: BotApiEmulator, raw_http: httpx.AsyncClient
) -> None:
    response = await raw_http.post(f"{emu.base_url}123:wrong/getMe")
    assert (response.status_code, response.json()) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    await assert_error(raw_http, emu, "sendTelepathy", 404, "Not Found")


async def test_ptb_reports_an_invalid_token(emu: BotApiEmulator) -> None:
    requests = HTTPXRequest(), HTTPXRequest()
    bot = Bot(
        "123:wrong", base_url=emu.base_url, request=requests[0], get_updates_request=requests[1]
    )
    try:
        with pytest.raises(InvalidToken, match=r"rejected by the server"):
            await bot.initialize()
    finally:
        for request in requests:
            await request.shutdown()
