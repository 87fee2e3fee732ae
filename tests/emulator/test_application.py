"""A real python-telegram-bot Application long-polling the emulator, driven by simulated users."""

from __future__ import annotations

import asyncio
import hashlib
import html
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from emulator import BotApiEmulator, EmulatorClient, EmulatorError, MenuCommand

App = Application[Any, Any, Any, Any, Any, Any]

# A 1x1 PNG: the emulator reads the dimensions from the header.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    payload = " ".join(context.args or [])
    context.bot_data.setdefault("starts", []).append((user.id, payload))
    await message.reply_text(
        f"<b>Selamat datang</b>, {html.escape(user.first_name)} &amp; kode <code>{payload}</code>",
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("Setujui", callback_data="approve"),
                    InlineKeyboardButton("Tolak", callback_data="reject"),
                ]
            ]
        ),
    )


async def on_renja_baru(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("Renja baru: " + " ".join(context.args or []))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(f"Dipilih: {query.data}", show_alert=query.data == "reject")
    await query.edit_message_text(f"Keputusan: {query.data}")  # no markup: buttons go away


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    data = bytes(await (await document.get_file()).download_as_bytearray())
    context.bot_data["received"] = data
    await message.reply_document(
        document=data,
        filename=f"salinan-{document.file_name}",
        caption=f"Diterima {len(data)} byte, sha256 {hashlib.sha256(data).hexdigest()[:12]}",
    )


async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.photo
    largest = message.photo[-1]
    data = await (await largest.get_file()).download_as_bytearray()
    await message.reply_photo(
        photo=largest.file_id, caption=f"Foto {largest.width}x{largest.height}, {len(data)} byte"
    )


@pytest.fixture
async def app(emu: BotApiEmulator) -> AsyncIterator[App]:
    application = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", on_start))
    application.add_handler(CommandHandler("renja_baru", on_renja_baru))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(filters.Document.ALL, on_document))
    application.add_handler(MessageHandler(filters.PHOTO, on_photo))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=2)
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


async def test_start_command_reaches_the_handler(app: App, control: EmulatorClient) -> None:
    budi = await control.user(1001, "Budi", username="budi_kalbar")

    await budi.send_text("/start undangan-42")
    [welcome] = await budi.wait_for_messages(1)

    assert app.bot_data["starts"] == [(1001, "undangan-42")]
    assert welcome.text == "Selamat datang, Budi & kode undangan-42"
    assert welcome.html == ("<b>Selamat datang</b>, Budi &amp; kode <code>undangan-42</code>")
    assert welcome.parse_mode == "HTML"
    assert welcome.button_texts() == ["Setujui", "Tolak"]
    assert welcome.button("Tolak").callback_data == "reject"
    assert welcome.message_id == 2  # the user's /start is message 1 of the chat


async def test_command_addressed_to_the_bot_by_name(app: App, control: EmulatorClient) -> None:
    siti = await control.user(1002, "Siti")
    await siti.send_text("/renja_baru@renja_bot Renja Dinas 2027")
    [reply] = await siti.wait_for_messages(1)
    assert reply.text == "Renja baru: Renja Dinas 2027"


async def test_button_press_is_answered_and_the_buttons_disappear(
    app: App, control: EmulatorClient
) -> None:
    budi = await control.user(1001, "Budi")
    await budi.send_text("/start")
    [welcome] = await budi.wait_for_messages(1)

    query_id = await budi.press(welcome, "Tolak")
    answer = await budi.callback_answer(query_id)
    [edited] = await budi.wait_until(lambda messages: messages[0].edited)

    assert answer is not None
    assert (answer.text, answer.show_alert) == ("Dipilih: reject", True)
    assert edited.text == "Keputusan: reject"
    assert edited.buttons == []
    assert [version.text for version in edited.history] == [welcome.text]
    assert edited.history[0].buttons == welcome.buttons
    with pytest.raises(EmulatorError, match=r"has no button 'Setujui'"):
        await budi.press(edited, "Setujui")
    # Nothing new was sent: the edit changed the existing message.
    assert len(await budi.messages()) == 1


async def test_document_round_trip_keeps_every_byte(app: App, control: EmulatorClient) -> None:
    budi = await control.user(1001, "Budi")
    content = bytes(range(256)) * 40 + b"\x00\xff renja"

    await budi.send_document("renja-2027.pdf", content, "application/pdf", caption="draf")
    [copy] = await budi.wait_for_messages(1)

    assert app.bot_data["received"] == content
    assert copy.document is not None
    assert copy.document.file_name == "salinan-renja-2027.pdf"
    assert copy.document.mime_type == "application/pdf"
    assert copy.document.file_size == len(content)
    assert copy.caption is not None and copy.caption.startswith(f"Diterima {len(content)} byte")
    assert await budi.download(copy.document) == content


async def test_photo_round_trip(app: App, control: EmulatorClient) -> None:
    budi = await control.user(1001, "Budi")
    await budi.send_photo(PNG_1X1, caption="bukti")
    [reply] = await budi.wait_for_messages(1)
    assert reply.caption == f"Foto 1x1, {len(PNG_1X1)} byte"
    assert reply.photo and reply.photo[-1].width == 1
    assert await budi.download(reply.photo[-1]) == PNG_1X1


async def test_polling_confirms_updates_and_log_keeps_order_across_users(
    app: App, control: EmulatorClient
) -> None:
    budi = await control.user(1001, "Budi")
    siti = await control.user(1002, "Siti")
    await budi.send_text("/start a")
    await siti.send_text("/start b")
    await budi.wait_for_messages(1)
    await siti.wait_for_messages(1)
    await budi.send_text("/renja_baru X")
    await budi.wait_for_messages(1)

    sends = [(e.chat_id, e.text) for e in await control.log() if e.method == "sendMessage"]
    assert sends == [
        (1001, "Selamat datang, Budi & kode a"),
        (1002, "Selamat datang, Siti & kode b"),
        (1001, "Renja baru: X"),
    ]
    assert all(entry.ok for entry in await control.log())
    # The updater confirmed what it processed, as soon as it polled again.
    await budi.send_text("/renja_baru Y")
    await budi.wait_for_messages(1)
    assert await _pending_after_next_poll(control) == []


async def _pending_after_next_poll(control: EmulatorClient) -> list[dict[str, Any]]:
    """Pending updates once the updater has had a moment to issue its next getUpdates."""
    for _ in range(50):
        pending = await control.pending_updates()
        if not pending:
            break
        await asyncio.sleep(0.02)
    return pending


async def test_menu_commands_per_scope(app: App, control: EmulatorClient) -> None:
    budi = await control.user(1001, "Budi")
    siti = await control.user(1002, "Siti")
    await app.bot.set_my_commands([BotCommand("start", "Mulai")])
    await app.bot.set_my_commands(
        [BotCommand("renja_baru", "Buat renja")], scope=BotCommandScopeChat(1002)
    )

    assert await budi.menu_commands() == [MenuCommand("start", "Mulai")]
    assert await siti.menu_commands() == [MenuCommand("renja_baru", "Buat renja")]
    assert [c.command for c in await app.bot.get_my_commands()] == ["start"]

    await app.bot.delete_my_commands(scope=BotCommandScopeChat(1002))
    assert await siti.menu_commands() == [MenuCommand("start", "Mulai")]
