"""What careless users send, and the users the bot cannot reach, in Telegram's words."""

from __future__ import annotations

import re
from collections.abc import Awaitable

import httpx
import pytest
from telegram import Bot, Message, MessageOriginUser, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import filters

from emulator import BotApiEmulator, EmulatorClient, EmulatorError, SimulatedUser

from .test_errors import assert_error


async def latest(bot: Bot) -> Update:
    updates = await bot.get_updates()
    await bot.get_updates(offset=updates[-1].update_id + 1)
    return updates[-1]


async def test_editing_a_sent_text(bot: Bot, budi: SimulatedUser) -> None:
    message_id = await budi.send_text("Renja Dinas Pendidkan 2027")
    await latest(bot)
    await budi.edit_text(message_id, "Renja Dinas Pendidikan 2027")
    update = await latest(bot)
    assert update.edited_message is not None and update.message is None
    edited = update.edited_message
    assert (edited.message_id, edited.text) == (message_id, "Renja Dinas Pendidikan 2027")
    assert edited.edit_date is not None
    assert filters.UpdateType.EDITED_MESSAGE.check_update(update)
    assert filters.TEXT.check_update(update)
    assert not filters.UpdateType.MESSAGE.check_update(update)

    with pytest.raises(EmulatorError, match="not modified"):
        await budi.edit_text(message_id, "Renja Dinas Pendidikan 2027")
    with pytest.raises(EmulatorError, match="sent no message"):
        await budi.edit_text(1 + message_id, "x")


async def test_editing_a_documents_caption(bot: Bot, budi: SimulatedUser) -> None:
    message_id = await budi.send_document("renja.pdf", b"%PDF", "application/pdf", "ND 12/2027")
    await latest(bot)
    await budi.edit_caption(message_id, "ND 13/2027")
    update = await latest(bot)
    assert update.edited_message is not None
    assert update.edited_message.caption == "ND 13/2027"
    assert update.edited_message.document is not None
    assert filters.Document.PDF.check_update(update)
    with pytest.raises(EmulatorError, match="no text in the message"):
        await budi.edit_text(message_id, "teks")


async def sent_and_received(bot: Bot, sending: Awaitable[int]) -> tuple[Update, Message]:
    """Let the user send; the update the bot got (checked to be no text) and its message."""
    await latest(bot)
    message_id = await sending
    update = await latest(bot)
    assert update.message is not None and update.message.message_id == message_id
    assert not filters.TEXT.check_update(update) and not filters.Document.ALL.check_update(update)
    return update, update.message


async def test_a_sticker(bot: Bot, budi: SimulatedUser) -> None:
    update, message = await sent_and_received(bot, budi.send_sticker("😅"))
    assert filters.Sticker.STATIC.check_update(update)
    assert message.sticker is not None and message.sticker.emoji == "😅"


async def test_a_voice_note(bot: Bot, budi: SimulatedUser) -> None:
    update, message = await sent_and_received(
        bot, budi.send_voice(b"OggS-rekaman", caption="dengar")
    )
    assert filters.VOICE.check_update(update) and not filters.AUDIO.check_update(update)
    assert message.voice is not None and message.voice.mime_type == "audio/ogg"
    assert message.caption == "dengar"


async def test_a_location(bot: Bot, budi: SimulatedUser) -> None:
    update, message = await sent_and_received(bot, budi.send_location(-0.0263, 109.3425))
    assert filters.LOCATION.check_update(update) and message.location is not None
    assert (message.location.latitude, message.location.longitude) == (-0.0263, 109.3425)


async def test_a_contact(bot: Bot, budi: SimulatedUser) -> None:
    update, message = await sent_and_received(
        bot, budi.send_contact("+6281234567", "Siti", user_id=1002)
    )
    assert filters.CONTACT.check_update(update) and message.contact is not None
    assert (message.contact.phone_number, message.contact.user_id) == ("+6281234567", 1002)


async def test_voice_notes_can_be_downloaded(bot: Bot, budi: SimulatedUser) -> None:
    await budi.send_voice(b"OggS-rekaman-rapat")
    update = await latest(bot)
    assert update.message is not None and update.message.voice is not None
    file = await bot.get_file(update.message.voice.file_id)
    assert bytes(await file.download_as_bytearray()) == b"OggS-rekaman-rapat"


async def test_who_cannot_be_reached(
    bot: Bot,
    emu: BotApiEmulator,
    control: EmulatorClient,
    budi: SimulatedUser,
    raw_http: httpx.AsyncClient,
) -> None:
    never_started = await control.user(2001, "Andi")
    with pytest.raises(
        Forbidden, match=r"^Forbidden: bot can't initiate conversation with a user$"
    ):
        await bot.send_message(never_started.id, "Halo")
    await budi.block()
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await bot.send_document(budi.id, b"x", filename="x.txt")
    await budi.unblock()
    await budi.deactivate()
    with pytest.raises(Forbidden, match=r"^Forbidden: user is deactivated$"):
        await bot.send_message(budi.id, "Halo")
    await assert_error(
        raw_http,
        emu,
        "sendMessage",
        403,
        "Forbidden: user is deactivated",
        chat_id=budi.id,
        text="Halo",
    )
    with pytest.raises(EmulatorError, match="deactivated"):
        await budi.send_text("/start")
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(123_456, "Halo")


async def test_copy_and_forward(bot: Bot, control: EmulatorClient, budi: SimulatedUser) -> None:
    siti = await control.user(1002, "Siti")
    await siti.send_text("/start")
    message_id = await budi.send_document("renja.pdf", b"%PDF", "application/pdf", "Final")
    copy = await bot.copy_message(siti.id, budi.id, message_id, caption="Dari Budi")
    forwarded = await bot.forward_message(siti.id, budi.id, message_id)
    assert isinstance(forwarded.forward_origin, MessageOriginUser)
    assert forwarded.forward_origin.sender_user.id == budi.id
    shown = await siti.messages()
    assert [m.caption for m in shown] == ["Dari Budi", "Final"]
    assert shown[0].message_id == copy.message_id
    assert shown[0].document is not None and await siti.download(shown[0].document) == b"%PDF"
    with pytest.raises(BadRequest, match=r"^Message to copy not found$"):
        await bot.copy_message(siti.id, budi.id, 999)
    with pytest.raises(BadRequest, match=r"^Message to forward not found$"):
        await bot.forward_message(siti.id, budi.id, 999)


async def test_a_document_name_arrives_as_the_app_reports_it(
    bot: Bot, budi: SimulatedUser
) -> None:
    await budi.send_document("laporan\nbaru\x00.pdf", b"%PDF-1.4", "application/pdf")
    await budi.send_document("kosong.p\u202edf", b"", "application/pdf")
    first, second = [u.message for u in await bot.get_updates()][-2:]
    assert first is not None and first.document is not None
    assert first.document.file_name == "laporan\nbaru\x00.pdf"
    assert second is not None and second.document is not None
    assert (second.document.file_name, second.document.file_size) == ("kosong.p\u202edf", 0)
    # The file path keeps only a plain extension: nothing there could break the URL.
    paths = [(await bot.get_file(d.file_id)).file_path for d in (first.document, second.document)]
    names = [re.sub(r"file_[0-9]+", "file_N", (path or "").rsplit("/", 1)[1]) for path in paths]
    assert names == ["file_N.pdf", "file_N"]
