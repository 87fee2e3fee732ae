"""Seven officials take a Renja draft through all five rows, over real HTTP."""

from __future__ import annotations

import hashlib

import pytest

from bot.usecases import reading
from bot.usecases.base import EVERY_AGENCY
from emulator import BotMessage, SimulatedUser
from storage.files import sha256_of
from tests.e2e.conftest import Office
from tests.e2e.meeting import reach_meeting, schedule_meeting

PDF = "application/pdf"


def summary(message: BotMessage) -> str:
    """One line per message: what an official sees first."""
    if message.document is not None:
        return f"[berkas] {message.document.file_name}"
    return message.body.split("\n")[0]


async def upload(
    phone: SimulatedUser, name: str, content: bytes, caption: str | None = None
) -> BotMessage:
    await phone.send_document(name, content, PDF, caption=caption)
    (*_, received) = await phone.wait_for_messages(lambda m: m.body.startswith("✅ Diterima"))
    return received


async def press_and_wait(phone: SimulatedUser, message: BotMessage, label: str) -> BotMessage:
    """Press a button and wait until the message shows the outcome without buttons."""
    await phone.press(message, label)
    messages = await phone.wait_until(
        lambda ms: any(
            m.message_id == message.message_id and m.edited and not m.buttons for m in ms
        )
    )
    return next(m for m in messages if m.message_id == message.message_id)


async def task_message(phone: SimulatedUser, title: str) -> BotMessage:
    (*_, found) = await phone.wait_for_messages(
        lambda m: f": {title}" in m.body.split("\n")[1:2][0] if "\n" in m.body else False
    )
    return found


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_renja_from_start_to_signature(office: Office) -> None:
    kasubbag, sekretaris = office.phones[101], office.phones[102]
    kabid_eko, kabid_infra = office.phones[103], office.phones[104]
    kepala_badan, forum_a, forum_b = office.phones[105], office.phones[106], office.phones[107]

    # Row 1: the Kasubbag starts the draft and sends the konsep.
    await kasubbag.send_text("/renja_baru Renja BAPPEDA Tahun 2027")
    konsep = await task_message(kasubbag, "Unggah Konsep pendahuluan Renja")
    assert "Batas waktu: Senin, 30 November 2026 09:00 WIB — 60 menit kerja" in konsep.body
    assert konsep.buttons == []
    received = await upload(kasubbag, "konsep-v1.pdf", b"%PDF-1.4 konsep v1")
    assert "Konsep pendahuluan Renja, versi 1" in received.body
    assert hashlib.sha256(b"%PDF-1.4 konsep v1").hexdigest()[:12] in received.body
    sent = await press_and_wait(kasubbag, received, "📤 Kirim")
    assert "Dikirim oleh Rina Kasubbag" in sent.body

    # The Sekretaris returns it with a reason.
    review = await task_message(sekretaris, "Telaah Konsep pendahuluan Renja")
    assert review.button_texts() == ["✅ Setujui", "↩️ Kembalikan"]
    (document,) = await sekretaris.wait_for_messages(1)
    assert document.document is not None and document.document.file_name == "konsep-v1.pdf"
    await sekretaris.press(review, "↩️ Kembalikan")
    await sekretaris.wait_for_messages(lambda m: "Tulis alasan pengembalian" in m.body)
    await sekretaris.send_text("Tambahkan rujukan RENSTRA 2025-2029")
    await sekretaris.wait_for_messages(lambda m: m.body.startswith("↩️ Dikembalikan oleh"))
    (review,) = [m for m in await sekretaris.messages() if m.message_id == review.message_id]
    assert review.buttons == [] and "Dikembalikan oleh Budi Sekretaris" in review.body

    again = await task_message(kasubbag, "Unggah Konsep pendahuluan Renja")
    assert "Dikembalikan dengan catatan: Tambahkan rujukan RENSTRA 2025-2029" in again.body
    received = await upload(kasubbag, "konsep-v2.pdf", b"%PDF-1.4 konsep v2")
    assert "versi 2" in received.body
    await press_and_wait(kasubbag, received, "📤 Kirim")
    review = await task_message(sekretaris, "Telaah Konsep pendahuluan Renja")
    approved = await press_and_wait(sekretaris, review, "✅ Setujui")
    assert "Disetujui oleh Budi Sekretaris" in approved.body

    nota = await task_message(kasubbag, "Terbitkan Nota Dinas")
    assert "Tulis nomor resminya di keterangan berkas" in nota.body
    received = await upload(
        kasubbag,
        "nota-dinas.pdf",
        b"%PDF-1.4 nota dinas",
        caption="Nota Dinas Nomor: 050/117/BAPPEDA",
    )
    assert "Nota Dinas, Nomor 050/117/BAPPEDA, versi 1" in received.body
    await press_and_wait(kasubbag, received, "📤 Kirim")

    # Row 2: every unit sends its Rencana Kerja; the Forum is invited.
    for phone, unit in ((kabid_eko, "eko"), (kabid_infra, "infra"), (sekretaris, "sekretariat")):
        await phone.wait_for_messages(lambda m: "Nota Dinas telah diselesaikan" in m.body)
        await task_message(phone, "Unggah Rencana Kerja unit")
        received = await upload(phone, f"renja-{unit}.pdf", f"%PDF-1.4 renja {unit}".encode())
        await press_and_wait(phone, received, "📤 Kirim")

    await task_message(kasubbag, "Kirim Undangan Rapat Forum SKPD")
    received = await upload(kasubbag, "undangan-forum.pdf", b"%PDF-1.4 undangan")
    await press_and_wait(kasubbag, received, "📤 Kirim")
    await task_message(kasubbag, "Rapat Forum SKPD")
    await schedule_meeting(office, kasubbag)
    invitations = {}
    for phone in (forum_a, forum_b):
        invitation, *files = await phone.wait_for_messages(3)
        assert invitation.body.startswith("📨 Undangan Rapat")
        assert invitation.button_texts() == ["✅ Hadir", "❌ Tidak hadir", "👥 Diwakilkan"]
        names = [f.document.file_name or "" for f in files if f.document is not None]
        assert names[0] == "undangan-forum.pdf" and names[1].endswith(".ics")
        invitations[phone] = invitation
    await forum_a.press(invitations[forum_a], "✅ Hadir")
    await forum_a.wait_until(lambda ms: any("Jawaban Bapak/Ibu: ✅ Hadir" in m.body for m in ms))
    await reach_meeting(office)
    await upload(
        kasubbag, "draft-rancangan.pdf", b"%PDF-1.4 draft", caption="Draft Rancangan awal Renja"
    )
    await kasubbag.send_document("kesepakatan.pdf", b"%PDF-1.4 kesepakatan", PDF)
    (question,) = await kasubbag.wait_for_messages(1)
    assert question.body == "Berkas ini untuk output yang mana? Pilih di bawah."
    assert question.button_texts() == ["Hasil Kesepakatan", "Draft Rancangan awal Renja"]
    await kasubbag.press(question, "Hasil Kesepakatan")
    (*_, received) = await kasubbag.wait_for_messages(lambda m: m.body.startswith("✅ Diterima"))
    assert "Hasil Kesepakatan, versi 1" in received.body
    await press_and_wait(kasubbag, received, "📤 Kirim")

    # Rows 3-5: forwarded, refined, returned once by the Kepala Badan, signed.
    forward = await task_message(sekretaris, "Teruskan hasil Forum SKPD")
    await press_and_wait(sekretaris, forward, "✅ Teruskan")
    await task_message(kasubbag, "Sempurnakan Rancangan awal Renja")
    received = await upload(kasubbag, "rancangan-v1.pdf", b"%PDF-1.4 rancangan v1")
    await press_and_wait(kasubbag, received, "📤 Kirim")
    review = await task_message(sekretaris, "Telaah Rancangan awal Renja")
    await press_and_wait(sekretaris, review, "✅ Teruskan ke Kepala Badan")

    decision = await task_message(kepala_badan, "Keputusan Kepala Badan")
    assert decision.button_texts() == ["✅ Setujui & tandatangani", "↩️ Kembalikan"]
    assert "bukan TTE" in decision.body
    await kepala_badan.press(decision, "↩️ Kembalikan")
    await kepala_badan.wait_for_messages(lambda m: "Tulis arahan" in m.body)
    await kepala_badan.send_text("Lengkapi indikator kinerja per program")
    await kepala_badan.wait_for_messages(lambda m: m.body.startswith("↩️ Dikembalikan oleh"))

    again = await task_message(kasubbag, "Sempurnakan Rancangan awal Renja")
    assert "Lengkapi indikator kinerja per program" in again.body
    received = await upload(kasubbag, "rancangan-v2.pdf", b"%PDF-1.4 rancangan v2")
    assert "Rancangan awal Renja, versi 2" in received.body
    await press_and_wait(kasubbag, received, "📤 Kirim")
    review = await task_message(sekretaris, "Telaah Rancangan awal Renja")
    await press_and_wait(sekretaris, review, "✅ Teruskan ke Kepala Badan")
    decision = await task_message(kepala_badan, "Keputusan Kepala Badan")
    (document,) = await kepala_badan.wait_for_messages(1)
    assert document.document is not None and document.document.file_name == "rancangan-v2.pdf"
    signed = await press_and_wait(kepala_badan, decision, "✅ Setujui & tandatangani")
    assert "Disetujui & ditandatangani oleh Eka Kepala Badan" in signed.body
    await kepala_badan.wait_for_messages(lambda m: "selesai" in m.body)
    for phone in (kasubbag, sekretaris):
        await phone.wait_for_messages(lambda m: "ditandatangani oleh Eka Kepala Badan" in m.body)

    # Who received what, in order (a Kepala Bidang and a Forum participant, whole).
    assert [summary(m) for m in await kabid_eko.messages()] == [
        "Selamat datang, Bapak/Ibu Citra Kabid Ekonomi. Jabatan: Kepala Bidang (Bidang Ekonomi).",
        "ℹ️ Renja BAPPEDA Tahun 2027 (#1)",
        "[berkas] nota-dinas.pdf",
        "📋 Renja BAPPEDA Tahun 2027 (#1, tahun 2027)",
        "✅ Diterima: Rencana Kerja unit — Bidang Ekonomi, versi 1 (diunggah Citra Kabid "
        "Ekonomi, SHA-256 " + hashlib.sha256(b"%PDF-1.4 renja eko").hexdigest()[:12] + ").",
        "ℹ️ Renja BAPPEDA Tahun 2027 (#1)",
        "[berkas] undangan-forum.pdf",
    ]
    assert [summary(m) for m in await forum_b.messages()] == [
        "Selamat datang, Bapak/Ibu Gita Dinas Pendidikan. Jabatan: Forum SKPD (Dinas Pendidikan).",
        "📨 Undangan Rapat",
        "[berkas] undangan-forum.pdf",
        "[berkas] undangan-rapat-2026-11-30.ics",
        "ℹ️ Renja BAPPEDA Tahun 2027 (#1)",
        "[berkas] kesepakatan.pdf",
    ]
    # No button is left anywhere once the draft is signed.
    for phone in office.phones.values():
        for message in await phone.messages():
            assert message.buttons == [], (phone, message.body)

    # The archive holds every version, each matching its recorded hash.
    (status,) = reading.draft_status(office.services, scope=EVERY_AGENCY, draft_id=1)
    assert status.draft.status == "selesai"
    _, trail = reading.history(office.services, scope=EVERY_AGENCY, draft_id=1)
    documents = [line.document for line in trail if line.document is not None]
    assert len(documents) == 11
    for version in documents:
        stored = office.settings.files_dir / version.stored_path
        assert sha256_of(stored) == version.sha256
        assert await office.control.download(version.telegram_file_id) == stored.read_bytes()
    assert [line.action for line in trail].count("kembalikan") == 2
