"""Telegram's limits on what the bot sends, with Telegram's own error texts."""

from __future__ import annotations

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest

from emulator import BotApiEmulator, SimulatedUser

from .test_errors import NOT_MODIFIED, assert_error


def grid(rows: int, columns: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(f"{r}.{c}", callback_data=f"{r}:{c}") for c in range(columns)]
            for r in range(rows)
        ]
    )


async def test_an_inline_keyboard_holds_100_buttons(
    bot: Bot, emu: BotApiEmulator, budi: SimulatedUser, raw_http: httpx.AsyncClient
) -> None:
    await bot.send_message(budi.id, "100 tombol", reply_markup=grid(25, 4))
    with pytest.raises(BadRequest, match=r"^Reply markup is too long$"):
        await bot.send_message(budi.id, "101 tombol", reply_markup=grid(101, 1))
    sent = await bot.send_message(budi.id, "Pilih", reply_markup=grid(1, 2))
    with pytest.raises(BadRequest, match=r"^Reply markup is too long$"):
        await bot.edit_message_reply_markup(budi.id, sent.message_id, reply_markup=grid(26, 4))
    await assert_error(
        raw_http,
        emu,
        "sendMessage",
        400,
        "Bad Request: reply markup is too long",
        chat_id=budi.id,
        text="x",
        reply_markup=grid(11, 10).to_json(),
    )


async def test_callback_data_of_65_bytes(bot: Bot, budi: SimulatedUser) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Setujui", callback_data="s" * 65)]])
    with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
        await bot.send_message(budi.id, "Telaah", reply_markup=markup)


async def test_a_popup_answer_holds_200_characters(
    bot: Bot, emu: BotApiEmulator, budi: SimulatedUser, raw_http: httpx.AsyncClient
) -> None:
    sent = await bot.send_message(budi.id, "Pilih", reply_markup=grid(1, 1))
    first = await budi.press(sent, "0.0")
    with pytest.raises(BadRequest, match=r"^Message_too_long$"):
        await bot.answer_callback_query(first, text="é" * 201, show_alert=True)
    assert await budi.callback_answer(first, wait=0) is None  # still unanswered
    assert await bot.answer_callback_query(first, text="é" * 200, show_alert=True)
    second = await budi.press(sent, "0.0")
    await assert_error(
        raw_http,
        emu,
        "answerCallbackQuery",
        400,
        "Bad Request: MESSAGE_TOO_LONG",
        callback_query_id=second,
        text="x" * 201,
    )


async def test_same_markup_and_missing_messages(
    bot: Bot, emu: BotApiEmulator, budi: SimulatedUser, raw_http: httpx.AsyncClient
) -> None:
    sent = await bot.send_message(budi.id, "Pilih", reply_markup=grid(1, 2))
    with pytest.raises(BadRequest, match=r"^Message is not modified: specified new message"):
        await bot.edit_message_reply_markup(budi.id, sent.message_id, reply_markup=grid(1, 2))
    await assert_error(
        raw_http,
        emu,
        "editMessageReplyMarkup",
        400,
        NOT_MODIFIED,
        chat_id=budi.id,
        message_id=sent.message_id,
        reply_markup=grid(1, 2).to_json(),
    )
    for method in ("editMessageText", "editMessageCaption", "editMessageReplyMarkup"):
        await assert_error(
            raw_http,
            emu,
            method,
            400,
            "Bad Request: message to edit not found",
            chat_id=budi.id,
            message_id=9999,
            text="x",
        )


async def test_lengths_count_characters_after_entity_parsing(
    bot: Bot, budi: SimulatedUser
) -> None:
    # TDLib counts the text a user reads in Unicode characters (utf8_length): an emoji
    # outside the BMP is one character though it is two UTF-16 code units.
    emoji = "\U0001f4c4"
    sent = await bot.send_message(
        budi.id, "<b>" + emoji * 4096 + "</b>", parse_mode=ParseMode.HTML
    )
    assert sent.text == emoji * 4096
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(budi.id, emoji * 4097)
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.edit_message_text(emoji * 4097, budi.id, sent.message_id)
    document = await bot.send_document(
        budi.id, b"isi", filename="a.txt", caption="<i>" + emoji * 1024 + "</i>", parse_mode="HTML"
    )
    assert document.caption == emoji * 1024
    with pytest.raises(BadRequest, match=r"^Message caption is too long$"):
        await bot.edit_message_caption(
            budi.id, document.message_id, caption="&lt;" * 1025, parse_mode="HTML"
        )
