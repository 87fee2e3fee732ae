"""Bot API methods beyond the basics, through a bare python-telegram-bot ``Bot``."""

from __future__ import annotations

import struct

import pytest
from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    MenuButtonCommands,
    Message,
    ReplyKeyboardRemove,
    ReplyParameters,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest

from emulator import BotApiEmulator, EmulatorClient, EmulatorError, SimulatedUser

# Only the PNG header matters: the emulator reads the dimensions from IHDR.
BIG_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + struct.pack(">II", 1600, 1200) + b"pixels"


async def test_photo_upload_sizes_and_resend(bot: Bot, budi: SimulatedUser) -> None:
    sent = await bot.send_photo(
        budi.id, BIG_PNG, caption="<b>Bukti</b> rapat", parse_mode=ParseMode.HTML
    )
    assert [(p.width, p.height) for p in sent.photo] == [(90, 68), (320, 240), (1600, 1200)]
    assert sent.caption == "Bukti rapat"
    assert sent.caption_entities[0].type == "bold"

    again = await bot.send_photo(budi.id, sent.photo[-1].file_id)
    assert [p.file_id for p in again.photo] == [p.file_id for p in sent.photo]
    with pytest.raises(BadRequest, match=r"^Can't use file of type photo as document$"):
        await bot.send_document(budi.id, sent.photo[0].file_id)

    shown = await budi.last_message()
    assert await budi.download(shown.photo[-1]) == BIG_PNG
    file = await bot.get_file(sent.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == BIG_PNG


async def test_edit_caption_and_text_of_a_document(bot: Bot, budi: SimulatedUser) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Unduh", url="https://x.id/f")]])
    sent = await bot.send_document(
        budi.id, b"isi", filename="nota.txt", caption="Nota dinas", reply_markup=markup
    )
    with pytest.raises(EmulatorError, match="not a callback button"):
        await budi.press(sent, "Unduh")
    with pytest.raises(BadRequest, match=r"^There is no text in the message to edit$"):
        await bot.edit_message_text("teks", budi.id, sent.message_id)
    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await bot.edit_message_caption(
            budi.id, sent.message_id, caption="Nota dinas", reply_markup=markup
        )

    edited = await bot.edit_message_caption(budi.id, sent.message_id, caption="Nota dinas (rev)")
    assert isinstance(edited, Message) and edited.edit_date is not None
    [shown] = await budi.messages()
    assert (shown.caption, shown.edited, shown.buttons) == ("Nota dinas (rev)", True, [])
    assert shown.history[0].caption == "Nota dinas"
    assert shown.history[0].buttons[0][0].url == "https://x.id/f"


async def test_force_reply_and_the_users_answer(bot: Bot, budi: SimulatedUser) -> None:
    question = await bot.send_message(
        budi.id, "Judul renja?", reply_markup=ForceReply(input_field_placeholder="Judul")
    )
    assert question.reply_markup is None  # only inline keyboards are part of a Message
    shown = await budi.last_message()
    assert shown.force_reply and shown.buttons == []

    await budi.send_text("Renja Dinas Pendidikan 2027", reply_to=question)
    updates = await bot.get_updates()
    answer = updates[-1].message
    assert answer is not None and answer.reply_to_message is not None
    assert answer.reply_to_message.message_id == question.message_id
    assert answer.reply_to_message.text == "Judul renja?"

    removed = await bot.send_message(budi.id, "Terima kasih", reply_markup=ReplyKeyboardRemove())
    assert (await budi.last_message()).reply_markup == {"remove_keyboard": True}
    assert removed.text == "Terima kasih"


async def test_replies_and_link_previews(bot: Bot, budi: SimulatedUser) -> None:
    [start] = [u.message for u in await bot.get_updates() if u.message]
    assert start is not None
    reply = await bot.send_message(
        budi.id,
        "Lihat https://renja.example.go.id",
        reply_parameters=ReplyParameters(start.message_id),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "/start"
    assert reply.link_preview_options is not None and reply.link_preview_options.is_disabled
    assert (await budi.last_message()).reply_to_message_id == start.message_id

    with pytest.raises(BadRequest, match=r"^Message to be replied not found$"):
        await bot.send_message(budi.id, "x", reply_parameters=ReplyParameters(999))
    lenient = ReplyParameters(999, allow_sending_without_reply=True)
    assert (
        await bot.send_message(budi.id, "x", reply_parameters=lenient)
    ).reply_to_message is None


async def test_small_methods(bot: Bot, budi: SimulatedUser, control: EmulatorClient) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456789, "renja_bot", True)
    assert await bot.send_chat_action(budi.id, ChatAction.TYPING)
    assert await bot.set_chat_menu_button(budi.id, MenuButtonCommands())
    assert isinstance(await bot.get_chat_menu_button(budi.id), MenuButtonCommands)
    chat = await bot.get_chat(budi.id)
    assert (chat.type, chat.first_name, chat.username) == ("private", "Budi", "budi_kalbar")
    assert await bot.log_out() and await bot.close()

    methods = [(entry.method, entry.ok) for entry in await control.log()]
    assert ("sendChatAction", True) in methods and ("setChatMenuButton", True) in methods


async def test_log_records_failures_too(
    bot: Bot, budi: SimulatedUser, control: EmulatorClient
) -> None:
    with pytest.raises(BadRequest):
        await bot.send_message(budi.id, "<b>", parse_mode=ParseMode.HTML)
    last = (await control.log())[-1]
    assert (last.method, last.chat_id, last.ok) == ("sendMessage", budi.id, False)
    assert last.error is not None and last.error.startswith("Bad Request: can't parse entities")


async def test_reset_forgets_the_world_but_not_update_ids(
    bot: Bot, budi: SimulatedUser, control: EmulatorClient
) -> None:
    [before] = await bot.get_updates()
    await control.reset()
    assert await control.log() == []
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(budi.id, "Halo")

    again = await control.user(1001, "Budi")
    await again.send_text("/start")
    [after] = await bot.get_updates(offset=before.update_id + 1)
    assert after.update_id > before.update_id


async def test_waiting_for_messages(bot: Bot, budi: SimulatedUser) -> None:
    await bot.send_message(budi.id, "satu")
    await bot.send_message(budi.id, "dua")
    await bot.send_message(budi.id, "tiga: Selesai")

    assert [m.text for m in await budi.wait_for_messages(1)] == ["satu"]
    done = await budi.wait_for_messages(lambda m: "Selesai" in m.body)
    assert [m.text for m in done] == ["dua", "tiga: Selesai"]
    with pytest.raises(TimeoutError, match="new ones: \\[\\]"):
        await budi.wait_for_messages(1, timeout=0.2)


async def test_emulator_listens_on_loopback_only(emu: BotApiEmulator) -> None:
    assert emu.base_url == f"http://127.0.0.1:{emu.port}/bot"
    assert emu.base_file_url == f"http://127.0.0.1:{emu.port}/file/bot"
    with pytest.raises(ValueError, match="token"):
        BotApiEmulator("not-a-token")


async def test_pressing_a_button_on_a_forwarded_message(
    bot: Bot, budi: SimulatedUser, control: EmulatorClient
) -> None:
    siti = await control.user(1002, "Siti")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Setujui", callback_data="ok:7")]])
    sent = await bot.send_message(budi.id, "Telaah konsep", reply_markup=markup)

    query_id = await siti.press_forwarded(budi, sent, "Setujui")
    [update] = [u for u in await bot.get_updates() if u.callback_query]
    query = update.callback_query
    assert query is not None and query.id == query_id
    assert (query.from_user.id, query.data) == (siti.id, "ok:7")
    assert isinstance(query.message, Message)
    assert (query.message.chat.id, query.message.message_id) == (budi.id, sent.message_id)
    with pytest.raises(EmulatorError, match="no bot message"):
        await siti.press(sent, "Setujui")  # not in Siti's own chat


async def test_a_tampered_client_presses_with_forged_callback_data(
    bot: Bot, budi: SimulatedUser
) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Setujui", callback_data="ok:7")]])
    sent = await bot.send_message(budi.id, "Telaah konsep", reply_markup=markup)
    plain = await bot.send_message(budi.id, "Tanpa tombol")

    first = await budi.press_forged(sent, "ok:999999999999999999999")
    second = await budi.press_forged(plain, "sampah")
    queries = [u.callback_query for u in await bot.get_updates() if u.callback_query]
    assert [(q.id, q.data) for q in queries] == [
        (first, "ok:999999999999999999999"),
        (second, "sampah"),
    ]
    assert await budi.callback_answer(first, wait=0) is None
    await bot.answer_callback_query(first, "Tombol ini sudah tidak berlaku.")
    assert await budi.callback_answer(first, wait=0) is not None
    with pytest.raises(EmulatorError, match="no bot message"):
        await budi.press_forged(12345, "ok:1")
