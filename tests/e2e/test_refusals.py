"""Every refusal over HTTP: a clear Indonesian message, and nothing changes."""

from __future__ import annotations

import pytest

from bot.usecases import officials, reading
from bot.usecases.base import EVERY_AGENCY
from emulator import BotMessage, SimulatedUser
from tests.e2e.conftest import ADMIN_ID, Office

PDF = "application/pdf"


async def konsep_sent(office: Office) -> BotMessage:
    """Start a draft and send the konsep; returns the Sekretaris's review message."""
    kasubbag, sekretaris = office.phones[101], office.phones[102]
    await kasubbag.send_text("/renja_baru Renja 2027")
    await kasubbag.wait_for_messages(lambda m: "Langkah 1" in m.body)
    await kasubbag.send_document("konsep.pdf", b"%PDF-1.4 konsep", PDF)
    (*_, received) = await kasubbag.wait_for_messages(lambda m: m.body.startswith("✅ Diterima"))
    await kasubbag.press(received, "📤 Kirim")
    (*_, review) = await sekretaris.wait_for_messages(lambda m: "Telaah Konsep" in m.body)
    await sekretaris.wait_for_messages(1)  # the konsep itself
    return review


def audit_count(office: Office) -> int:
    _, trail = reading.history(office.services, scope=EVERY_AGENCY, draft_id=1)
    return len(trail)


async def answer_text(phone: SimulatedUser, query_id: str) -> str:
    answer = await phone.callback_answer(query_id)
    assert answer is not None
    return answer.text or ""


async def test_a_forwarded_button_pressed_by_someone_else(office: Office) -> None:
    review = await konsep_sent(office)
    kabid = office.phones[103]
    before = audit_count(office)
    query = await kabid.press_forwarded(office.phones[102], review, "✅ Setujui")
    assert await answer_text(kabid, query) == "Tugas ini untuk Sekretaris, bukan untuk Bapak/Ibu."
    assert audit_count(office) == before
    (still,) = [
        m for m in await office.phones[102].messages() if m.message_id == review.message_id
    ]
    assert still.button_texts() == ["✅ Setujui", "↩️ Kembalikan"]


async def test_a_stale_button_says_who_handled_it_and_every_copy_loses_its_buttons(
    office: Office,
) -> None:
    sekretaris = office.phones[102]
    review = await konsep_sent(office)
    await sekretaris.send_text("/tugas")
    (*_, again) = await sekretaris.wait_for_messages(lambda m: "Telaah Konsep" in m.body)
    await sekretaris.wait_for_messages(1)
    before = audit_count(office) + 1
    decided = await sekretaris.press(again, "✅ Setujui")
    stale = await sekretaris.press(review, "✅ Setujui")  # the older copy, before it changes
    answers = sorted(
        [await answer_text(sekretaris, decided), await answer_text(sekretaris, stale)]
    )
    assert answers[0] == "Tercatat."
    text = answers[1]
    assert text.startswith("Tugas “Telaah Konsep pendahuluan Renja” sudah ditangani oleh Budi")
    assert "Senin, 30 November 2026 08:00 WIB" in text
    await sekretaris.wait_until(
        lambda ms: all(
            not m.buttons for m in ms if m.message_id in (review.message_id, again.message_id)
        )
    )
    assert audit_count(office) == before


async def test_a_double_press_changes_nothing_the_second_time(office: Office) -> None:
    sekretaris = office.phones[102]
    review = await konsep_sent(office)
    first = await sekretaris.press(review, "✅ Setujui")
    second = await sekretaris.press(review, "✅ Setujui")  # before the edit arrives
    # Handled at the same time, either press may be the one that counts.
    answers = sorted([await answer_text(sekretaris, first), await answer_text(sekretaris, second)])
    assert answers[0] == "Tercatat." and "sudah ditangani oleh Budi" in answers[1]
    _, trail = reading.history(office.services, scope=EVERY_AGENCY, draft_id=1)
    assert [line.action for line in trail].count("setujui") == 1
    await office.phones[101].wait_for_messages(lambda m: "Terbitkan Nota Dinas" in m.body)


async def test_a_return_needs_a_reason(office: Office) -> None:
    sekretaris = office.phones[102]
    review = await konsep_sent(office)
    before = audit_count(office)
    await sekretaris.press(review, "↩️ Kembalikan")
    await sekretaris.wait_for_messages(lambda m: "Tulis alasan pengembalian" in m.body)
    await sekretaris.send_text("?!")
    (refused,) = await sekretaris.wait_for_messages(1)
    assert refused.body.startswith("Catatan pengembalian wajib diisi (paling sedikit 3 huruf)")
    await sekretaris.send_text("/batal")
    (cancelled,) = await sekretaris.wait_for_messages(1)
    assert cancelled.body == "Dibatalkan. Tidak ada yang berubah."
    await sekretaris.send_text("baik")
    (hint,) = await sekretaris.wait_for_messages(1)
    assert "/tugas" in hint.body
    assert audit_count(office) == before
    (still,) = [m for m in await sekretaris.messages() if m.message_id == review.message_id]
    assert still.button_texts() == ["✅ Setujui", "↩️ Kembalikan"]


async def test_wrong_type_oversize_and_unexpected_files_are_not_stored(office: Office) -> None:
    kasubbag, sekretaris = office.phones[101], office.phones[102]
    await sekretaris.send_document("catatan.pdf", b"%PDF-1.4", PDF)
    (reply,) = await sekretaris.wait_for_messages(1)
    assert reply.body.startswith("Saat ini tidak ada dokumen yang diminta dari Bapak/Ibu")

    await kasubbag.send_text("/renja_baru Renja 2027")
    await kasubbag.wait_for_messages(lambda m: "Langkah 1" in m.body)
    await kasubbag.send_document("program.exe", b"MZ...", "application/x-msdownload")
    (reply,) = await kasubbag.wait_for_messages(1)
    assert reply.body.startswith("Jenis berkas “program.exe” tidak diterima.")
    downloads = [e.method for e in await office.control.log()].count("getFile")
    await kasubbag.send_document("besar.pdf", b"%PDF-1.4" + b"0" * (1024 * 1024 + 10), PDF)
    (reply,) = await kasubbag.wait_for_messages(1)
    assert reply.body == "Berkas terlalu besar (1,0 MB); batasnya 1,0 MB. Berkas tidak disimpan."
    # Refused from its declared size: the bot never even downloads it.
    assert [e.method for e in await office.control.log()].count("getFile") == downloads
    with office.services.session() as session:
        from storage.drafts import document_versions

        assert document_versions(session, draft_id=1) == []
    assert not any(office.settings.files_dir.rglob("*.*"))


async def test_an_unregistered_user_is_told_whom_to_ask(office: Office) -> None:
    for offset, text in enumerate(("/start", "/tugas", "/renja_baru Coba", "halo", "/status")):
        stranger = await office.phone(555 + offset, "Tamu")
        await stranger.send_text(text)
        (reply,) = await stranger.wait_for_messages(1)
        assert reply.body.startswith("Mohon maaf, Bapak/Ibu belum terdaftar di Renja Bot.")
        assert str(555 + offset) in reply.body
    stranger = await office.phone(560, "Tamu")
    await stranger.send_document("a.pdf", b"%PDF-1.4", PDF)
    (reply,) = await stranger.wait_for_messages(1)
    assert "belum terdaftar" in reply.body
    assert all(o.person.telegram_id < 555 for o in officials.officials(office.services))


async def test_a_flooding_stranger_is_answered_once(office: Office) -> None:
    stranger = await office.phone(570, "Tamu")
    for n in range(30):
        await stranger.send_text(f"/tugas {n}")
    await stranger.send_text("/start")
    (reply,) = await stranger.wait_for_messages(1)
    assert "belum terdaftar" in reply.body
    with pytest.raises(TimeoutError):
        await stranger.wait_for_messages(1, timeout=1.5)


async def test_invites_work_once_and_expire(office: Office) -> None:
    admin = await office.phone(ADMIN_ID, "Admin")
    await admin.send_text("/undang kepala_bidang Bidang Sosial Budaya")
    (reply,) = await admin.wait_for_messages(1)
    assert "Kepala Bidang (Bidang Sosial Budaya)" in reply.body
    token = reply.body.split("?start=")[1].split()[0]

    newcomer = await office.phone(301, "Hana")
    await newcomer.send_text(f"/start {token}")
    (welcome,) = await newcomer.wait_for_messages(1)
    assert "Jabatan: Kepala Bidang (Bidang Sosial Budaya)" in welcome.body
    assert "tugas" in [c.command for c in await newcomer.menu_commands()]

    another = await office.phone(302, "Iwan")
    await another.send_text(f"/start {token}")
    (reply,) = await another.wait_for_messages(1)
    assert reply.body == "Tautan undangan ini sudah dipakai. Mohon minta tautan baru ke admin."

    await admin.send_text("/undang sekretaris")
    (reply,) = await admin.wait_for_messages(1)
    token = reply.body.split("?start=")[1].split()[0]
    office.clock.advance(hours=73)
    await another.send_text(f"/start {token}")
    (reply,) = await another.wait_for_messages(1)
    assert reply.body == "Tautan undangan sudah kedaluwarsa. Mohon minta tautan baru ke admin."
    await another.send_text("/start bukan-token")
    (reply,) = await another.wait_for_messages(1)
    assert reply.body.startswith("Tautan undangan tidak dikenal.")
    assert [v.person.telegram_id for v in officials.officials(office.services)].count(302) == 0

    kasubbag = office.phones[101]
    await kasubbag.send_text("/undang sekretaris")
    (reply,) = await kasubbag.wait_for_messages(1)
    assert reply.body == "Perintah ini hanya untuk admin."
