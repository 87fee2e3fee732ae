"""sendMediaGroup as the Bot API answers it: albums of documents or photos, and refusals."""

from __future__ import annotations

import json
import struct

import httpx
import pytest
from telegram import Bot, InputMediaDocument, InputMediaPhoto, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from emulator import BotApiEmulator, SimulatedUser

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + struct.pack(">II", 640, 480) + b"pixels"


async def uploaded_documents(bot: Bot, user: SimulatedUser, count: int) -> list[str]:
    """file_ids of ``count`` documents the bot uploaded earlier."""
    ids = []
    for number in range(count):
        sent = await bot.send_document(user.id, f"isi {number}".encode(), filename=f"{number}.txt")
        assert sent.document is not None
        ids.append(sent.document.file_id)
    return ids


async def test_three_documents_by_file_id(bot: Bot, budi: SimulatedUser) -> None:
    ids = await uploaded_documents(bot, budi, 3)
    album = await bot.send_media_group(
        budi.id,
        [
            InputMediaDocument(ids[0], caption="<b>Nota</b> dinas", parse_mode=ParseMode.HTML),
            InputMediaDocument(ids[1]),
            InputMediaDocument(ids[2], caption="Lampiran"),
        ],
    )
    assert all(isinstance(message, Message) for message in album)
    assert [m.document.file_id for m in album if m.document] == ids
    assert len({m.media_group_id for m in album}) == 1 and album[0].media_group_id
    assert [m.caption for m in album] == ["Nota dinas", None, "Lampiran"]
    assert album[0].caption_entities[0].type == "bold"

    shown = (await budi.messages())[3:]
    assert [m.media_group_id for m in shown] == [album[0].media_group_id] * 3
    assert [m.caption_html for m in shown] == ["<b>Nota</b> dinas", None, "Lampiran"]
    assert [m.message_id for m in shown] == [m.message_id for m in album]


async def test_three_documents_uploaded_with_attach(
    bot: Bot, budi: SimulatedUser, emu: BotApiEmulator, raw_http: httpx.AsyncClient
) -> None:
    album = await bot.send_media_group(
        budi.id,
        [InputMediaDocument(f"bagian {n}".encode(), filename=f"bab{n}.pdf") for n in range(3)],
        caption="Rancangan Renja",  # PTB puts it on the first item
    )
    names = [m.document.file_name for m in album if m.document]
    assert names == ["bab0.pdf", "bab1.pdf", "bab2.pdf"]
    assert album[0].caption == "Rancangan Renja" and album[1].caption is None
    assert album[2].document is not None
    assert await budi.download(album[2].document.file_id) == b"bagian 2"

    # The same, by hand: the media array names the multipart parts.
    media = [
        {"type": "document", "media": "attach://a"},
        {"type": "document", "media": "attach://b", "caption": "kedua"},
    ]
    response = await raw_http.post(
        f"{emu.base_url}{emu.token}/sendMediaGroup",
        data={"chat_id": str(budi.id), "media": json.dumps(media)},
        files={"a": ("a.txt", b"A", "text/plain"), "b": ("b.txt", b"B", "text/plain")},
    )
    result = response.json()["result"]
    assert [m["document"]["file_name"] for m in result] == ["a.txt", "b.txt"]
    assert result[0]["media_group_id"] == result[1]["media_group_id"]
    assert result[0]["media_group_id"] != album[0].media_group_id


async def test_photos_and_a_single_item(bot: Bot, budi: SimulatedUser) -> None:
    album = await bot.send_media_group(
        budi.id, [InputMediaPhoto(PNG, caption="Rapat"), InputMediaPhoto(PNG)]
    )
    assert [len(m.photo) for m in album] == [3, 3]
    assert album[0].media_group_id == album[1].media_group_id
    [single] = await bot.send_media_group(budi.id, [InputMediaPhoto(PNG)])
    assert single.media_group_id is None  # one item is an ordinary message


async def test_refusals(
    bot: Bot, budi: SimulatedUser, emu: BotApiEmulator, raw_http: httpx.AsyncClient
) -> None:
    [doc_id] = await uploaded_documents(bot, budi, 1)
    photo = await bot.send_photo(budi.id, PNG)
    photo_id = photo.photo[-1].file_id
    before = len(await budi.messages())

    with pytest.raises(BadRequest, match=r"^Document can't be mixed with other media types$"):
        await bot.send_media_group(budi.id, [InputMediaDocument(doc_id), InputMediaPhoto(PNG)])
    with pytest.raises(BadRequest, match=r"^Too many messages to send as an album$"):
        await bot.send_media_group(budi.id, [InputMediaDocument(doc_id)] * 11)
    with pytest.raises(BadRequest, match=r"^Message caption is too long$"):
        await bot.send_media_group(
            budi.id,
            [InputMediaDocument(doc_id), InputMediaDocument(doc_id, caption="x" * 1025)],
        )
    with pytest.raises(BadRequest, match=r"^Wrong file identifier/http url specified$"):
        await bot.send_media_group(
            budi.id,
            [InputMediaDocument(doc_id)] * 2 + [InputMediaDocument("BQACAgIAAxkBAAI-missing")],
        )
    with pytest.raises(BadRequest, match=r"^Can't use file of type photo as document$"):
        await bot.send_media_group(
            budi.id, [InputMediaDocument(doc_id), InputMediaDocument(photo_id)]
        )

    async def refused(media: object, **files: tuple[str, bytes, str]) -> str:
        response = await raw_http.post(
            f"{emu.base_url}{emu.token}/sendMediaGroup",
            data={"chat_id": str(budi.id), "media": json.dumps(media)},
            files=files or None,
        )
        assert response.status_code == 400
        return str(response.json()["description"])

    assert await refused([]) == "Bad Request: there are no messages to send"
    assert await refused({"type": "document"}) == "Bad Request: expected an Array of InputMedia"
    missing = [
        {"type": "document", "media": "attach://gone"},
        {"type": "document", "media": doc_id},
    ]
    assert await refused(missing) == "Bad Request: can't parse InputMedia: media not found"
    empty = [{"type": "document", "media": "attach://a"}, {"type": "document", "media": doc_id}]
    assert (
        await refused(empty, a=("a.txt", b"", "text/plain"))
        == "Bad Request: file must be non-empty"
    )
    # Nothing of a refused album was sent.
    assert len(await budi.messages()) == before
    # A caption counts after entity parsing, per item with its own parse_mode.
    fits = "<b>" + "y" * 1024 + "</b>"
    [first, _] = await bot.send_media_group(
        budi.id,
        [
            InputMediaDocument(doc_id, caption=fits, parse_mode=ParseMode.HTML),
            InputMediaDocument(doc_id),
        ],
    )
    assert first.caption == "y" * 1024
