"""The read-only commands, and their refusals, as an official sees them."""

from __future__ import annotations

from sqlmodel import Session

from bot.usecases import reading, sops
from bot.usecases.base import EVERY_AGENCY
from emulator import BotMessage, SimulatedUser
from storage import audit as audit_store
from tests.e2e.conftest import Office
from workflow.flowchart import png_size


async def ask(phone: SimulatedUser, text: str) -> BotMessage:
    await phone.send_text(text)
    (reply,) = await phone.wait_for_messages(1)
    return reply


async def test_status_history_and_the_sop(office: Office) -> None:
    kasubbag, sekretaris = office.phones[101], office.phones[102]
    assert (await ask(sekretaris, "/status")).body == "Tidak ada draft yang aktif."
    await kasubbag.send_text("/renja_baru Renja BAPPEDA 2027")
    await kasubbag.wait_for_messages(lambda m: "Langkah 1" in m.body)

    office.clock.advance(minutes=20)
    status = await ask(sekretaris, "/status")
    assert status.body.splitlines() == [
        "📋 Renja BAPPEDA 2027 (#1, tahun 2027)",
        "SOP: MENYUSUN RENCANA KERJA",
        "Langkah 1: Unggah Konsep pendahuluan Renja",
        "Pemegang: Rina Kasubbag",
        "Batas waktu: Senin, 30 November 2026 09:00 WIB",
        "⏳ Sisa waktu: 40 menit kerja",
    ]
    # 15:40 is 6 hours 40 minutes of wall time, but 5 hours 40 minutes of working time.
    office.clock.advance(hours=7, minutes=20)
    assert (await ask(sekretaris, "/status 1")).body.endswith("⚠️ Terlambat 5 jam 40 menit kerja")

    history = await ask(kasubbag, "/riwayat 1")
    assert history.body.splitlines()[1] == "SOP: MENYUSUN RENCANA KERJA"
    assert "• Senin, 30 November 2026 08:00 WIB — L1 Rina Kasubbag membuat draft" in history.body
    assert "• L1: berjalan, batas waktu Senin, 30 November 2026 09:00 WIB" in history.body
    # The head of the trail's hash chain, short, for anyone to note and compare later.
    with Session(office.services.engine) as session:
        head = audit_store.chain_head(session, draft_id=1)
    assert head is not None and head != audit_store.GENESIS
    assert f"🔗 Rantai jejak: {head[:16]}" in history.body.splitlines()

    tasks = await ask(kasubbag, "/tugas")
    assert "Unggah Konsep pendahuluan Renja" in tasks.body
    assert (await ask(sekretaris, "/tugas")).body.startswith("Tidak ada tugas yang menunggu")
    help_text = (await ask(kasubbag, "/bantuan")).body
    assert "/renja_baru" in help_text and "/undang" not in help_text


async def test_sop_brings_the_flowchart_picture_and_the_table(office: Office) -> None:
    sekretaris = office.phones[102]
    await sekretaris.send_text("/sop")
    picture, table = await sekretaris.wait_for_messages(2, timeout=30)  # drawn the first time
    assert picture.caption is not None
    assert picture.caption.startswith("🗺 Bagan alir SOP MENYUSUN RENCANA KERJA")
    largest = picture.photo[-1]
    data = await sekretaris.download(largest)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert (largest.width, largest.height) == png_size(data)
    assert largest.width is not None and largest.width >= 1600
    assert table.body.startswith("📘 SOP MENYUSUN RENCANA KERJA")
    assert "Waktu: 60 menit · Output: Nota Dinas" in table.body
    assert "Jumlah waktu: 230 menit" in table.body

    # Asked again, the picture kept is sent again (not drawn anew).
    await sekretaris.send_text("/sop menyusun-rencana-kerja")
    again, _ = await sekretaris.wait_for_messages(2)
    assert await sekretaris.download(again.photo[-1]) == data
    kept = [path.name for path in (office.services.files_dir / "gambar").iterdir()]
    assert kept == [sops.picture_name(office.services.sops["menyusun-rencana-kerja"])]

    refused = await ask(sekretaris, "/sop cuti")
    assert refused.body == "SOP 'cuti' tidak ada. Pilihan: menyusun-rencana-kerja."


async def test_bad_command_input_gets_a_hint(office: Office) -> None:
    kasubbag, kepala_badan = office.phones[101], office.phones[105]
    replies = {
        "/riwayat": "Sebutkan nomor draft, misalnya: /riwayat 1",
        "/riwayat satu": "“satu” bukan nomor draft. Contoh: /status 1",
        "/status 99": "Draft #99 tidak ditemukan. Lihat /status untuk daftar draft.",
        "/renja_baru": "Tulis judulnya: /renja_baru Renja BAPPEDA Tahun 2027",
        "/renja_baru ab": "Judul draft terlalu pendek: tulis paling sedikit 3 huruf atau angka.",
        "/hapus 1": "Perintah tidak dikenal. Ketik /bantuan untuk daftar perintah.",
        "/batal": "Tidak ada yang sedang menunggu. Tidak ada yang berubah.",
    }
    for text, expected in replies.items():
        assert (await ask(kasubbag, text)).body == expected, text
    refused = await ask(kepala_badan, "/renja_baru Renja 2027")
    assert refused.body == "Tugas ini untuk Kasubbag. Renja & Monev, bukan untuk Bapak/Ibu."
    assert reading.draft_status(office.services, scope=EVERY_AGENCY) == []


async def test_each_official_sees_the_menu_for_what_they_may_do(office: Office) -> None:
    kasubbag, sekretaris = office.phones[101], office.phones[102]
    menu = [command.command for command in await kasubbag.menu_commands()]
    assert menu[:2] == ["baru", "renja_baru"] and "tugas" in menu and "undang" not in menu
    theirs = [command.command for command in await sekretaris.menu_commands()]
    assert "renja_baru" not in theirs and "baru" not in theirs


async def test_baru_lists_the_sops_i_may_start_and_asks_for_the_title(office: Office) -> None:
    kasubbag, sekretaris = office.phones[101], office.phones[102]
    offer = await ask(kasubbag, "/baru")
    assert offer.body == "Draft SOP mana yang akan dimulai? Pilih di bawah."
    assert offer.button_texts() == ["MENYUSUN RENCANA KERJA"]
    await kasubbag.press(offer, "MENYUSUN RENCANA KERJA")
    (question,) = await kasubbag.wait_for_messages(1)
    assert "Tulis judul draft, misalnya: Renja BAPPEDA Tahun 2027" in question.body
    assert (await ask(kasubbag, "/batal")).body == "Dibatalkan. Tidak ada yang berubah."
    assert reading.draft_status(office.services, scope=EVERY_AGENCY) == []

    offer = await ask(kasubbag, "/baru")
    await kasubbag.press(offer, "MENYUSUN RENCANA KERJA")
    await kasubbag.wait_for_messages(1)
    await kasubbag.send_text("Renja BAPPEDA Tahun 2028")
    await kasubbag.wait_for_messages(lambda m: "dibuat (#1)" in m.body)
    (status,) = reading.draft_status(office.services, scope=EVERY_AGENCY)
    assert status.draft.title == "Renja BAPPEDA Tahun 2028"

    refused = await ask(sekretaris, "/baru")
    assert refused.body.startswith("Tidak ada SOP yang dapat Bapak/Ibu mulai")


async def test_a_photo_of_a_scanned_page_is_accepted(office: Office) -> None:
    kasubbag = office.phones[101]
    await kasubbag.send_text("/renja_baru Renja 2027")
    await kasubbag.wait_for_messages(lambda m: "Langkah 1" in m.body)
    scan = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64  # Telegram serves photos as JPEG
    await kasubbag.send_photo(scan, caption="Konsep pendahuluan Renja")
    (received,) = await kasubbag.wait_for_messages(1)
    assert received.body.startswith("✅ Diterima: Konsep pendahuluan Renja, versi 1")
    (status,) = reading.draft_status(office.services, scope=EVERY_AGENCY, draft_id=1)
    assert status.briefing is not None
    (document,) = status.briefing.documents
    assert document.mime_type == "image/jpeg" and document.file_name.startswith("foto-")
