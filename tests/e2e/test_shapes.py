"""The incoming-mail SOP (tests/data/sop-surat-masuk.yaml) on the officials' phones, over
real HTTP: the decision's buttons named as the document names them, a note asked or left
out, a hand-over with one button, and an end without a signature with its stated result."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.local import FAST_PACING
from bot.usecases import officials
from emulator import BotMessage, SimulatedUser
from tests.conftest import ROOT, FakeClock, shapes_organisation
from tests.e2e.conftest import Office, running_office
from tests.e2e.test_renja_flow import press_and_wait, task_message, upload
from workflow.sop import load_sop, load_sops

OFFICE = shapes_organisation()
MAIL = Path(__file__).resolve().parents[1] / "data" / "sop-surat-masuk.yaml"
ANI, BAYU, CAHYA, DEWI = 201, 202, 203, 204
MAIL_STAFF = (
    (ANI, "Ani Persuratan", "petugas_persuratan"),
    (BAYU, "Bayu Persuratan", "petugas_persuratan"),
    (CAHYA, "Cahya Kasubbag TU", "kasubbag_tu"),
    (DEWI, "Dewi Kabag Umum", "kepala_bagian_umum"),
)


@pytest.fixture
async def mail_office(
    tmp_path: Path, clock: FakeClock, database_url: str
) -> AsyncIterator[Office]:
    """The running office with the incoming-mail SOP beside the Renja, and the four
    officials of its positions, who have started the bot."""
    sops = load_sops(ROOT / "sops", organisation=OFFICE)
    mail = load_sop(MAIL, organisation=OFFICE)
    async with running_office(
        tmp_path,
        {**sops, mail.id: mail},
        pacing=FAST_PACING,
        clock=clock,
        admin=False,
        database_url=database_url,
    ) as office:
        for telegram_id, name, position in MAIL_STAFF:
            officials.register_official(
                office.services, telegram_id=telegram_id, name=name, position=position
            )
            phone = await office.phone(telegram_id, name)
            await phone.send_text("/start")
            await phone.wait_for_messages(lambda m: "Selamat datang" in m.body)
        yield office


async def begin(phone: SimulatedUser, title: str) -> None:
    """/baru offers the one SOP this official may start (of the office's two); its title."""
    await phone.send_text("/baru")
    (offer,) = await phone.wait_for_messages(1)
    (label,) = offer.button_texts()
    await phone.press(offer, label)
    await phone.wait_for_messages(lambda m: "Tulis judul draft" in m.body)
    await phone.send_text(title)
    await phone.wait_for_messages(lambda m: "dibuat (#" in m.body)


async def to_the_address_check(office: Office) -> BotMessage:
    """The mail is recorded and scanned; the Kasubbag TU's decision arrives."""
    ani, cahya = office.phones[ANI], office.phones[CAHYA]
    await begin(ani, "Surat Dinas PU 12/2026")
    record = await task_message(ani, "Catat dan pindai surat masuk")
    assert record.buttons == []
    received = await upload(ani, "surat-dinas-pu.pdf", b"%PDF-1.4 surat masuk")
    await press_and_wait(ani, received, "📤 Kirim")
    check = await task_message(cahya, "Periksa alamat surat")
    assert check.button_texts() == ["Sesuai", "Salah alamat"]
    assert "Pilih salah satu: “Sesuai” / “Salah alamat”." in check.body
    return check


async def await_text(phone: SimulatedUser, start: str) -> BotMessage:
    (*_, found) = await phone.wait_for_messages(lambda m: m.body.startswith(start), 10)
    return found


async def test_private_mail_is_sorted_and_handed_over(mail_office: Office) -> None:
    office = mail_office
    ani, bayu, cahya = office.phones[ANI], office.phones[BAYU], office.phones[CAHYA]
    check = await to_the_address_check(office)
    chosen = await press_and_wait(cahya, check, "Sesuai")
    assert "☑️ Dipilih “Sesuai” oleh Cahya Kasubbag TU" in chosen.body

    # The three-way branch: Pribadi welcomes a note, and may go on without one.
    sort = await task_message(cahya, "Golongkan surat")
    assert sort.button_texts() == ["Dinas", "Pribadi", "Undangan"]
    await cahya.press(sort, "Pribadi")
    question = await await_text(cahya, "☑️ “Pribadi” untuk Golongkan surat")
    assert question.button_texts() == ["➡️ Tanpa catatan"]
    await cahya.press(question, "➡️ Tanpa catatan")
    messages = await cahya.wait_until(
        lambda ms: (
            any(m.message_id == sort.message_id and m.edited and not m.buttons for m in ms)
            and any(m.message_id == question.message_id and not m.buttons for m in ms)
        ),
        10,
    )
    (sorted_,) = [m for m in messages if m.message_id == sort.message_id]
    assert "☑️ Dipilih “Pribadi” oleh Cahya Kasubbag TU" in sorted_.body

    # Private mail goes straight to the hand-over: one button, for either Petugas.
    hand_over = await task_message(bayu, "Serahkan surat kepada yang dituju")
    assert hand_over.button_texts() == ["✅ Sudah diserahkan"]
    assert "Setelah diserahkan, tekan ✅ Sudah diserahkan." in hand_over.body
    other_copy = await task_message(ani, "Serahkan surat kepada yang dituju")
    done = await press_and_wait(bayu, hand_over, "✅ Sudah diserahkan")
    assert "🤝 Diserahkan oleh Bayu Persuratan" in done.body
    await await_text(bayu, "🎉 Draft Surat Dinas PU 12/2026 (#1) selesai.")
    await ani.wait_until(
        lambda ms: any(m.message_id == other_copy.message_id and not m.buttons for m in ms), 10
    )
    told = await await_text(cahya, "ℹ️ Surat Dinas PU 12/2026")
    assert "Serahkan surat kepada yang dituju telah diselesaikan oleh Bayu Persuratan" in (
        told.body
    )

    await cahya.send_text("/riwayat 1")
    trail = await await_text(cahya, "🗂 Riwayat")
    assert "Cahya Kasubbag TU memilih “Sesuai”" in trail.body
    assert "Cahya Kasubbag TU memilih “Pribadi”" in trail.body
    assert "Bayu Persuratan menyerahkan" in trail.body


async def test_wrong_address_ends_with_the_mail_returned(mail_office: Office) -> None:
    office = mail_office
    cahya, bayu = office.phones[CAHYA], office.phones[BAYU]
    check = await to_the_address_check(office)
    await cahya.press(check, "Salah alamat")
    question = await await_text(cahya, "☑️ “Salah alamat” untuk Periksa alamat surat")
    assert question.buttons == []  # the note is required
    await cahya.send_text("Ditujukan kepada Fakultas Teknik")
    finished = await await_text(cahya, "🏁 Draft Surat Dinas PU 12/2026 (#1) selesai")
    assert finished.body.endswith("selesai: Surat dikembalikan ke pengirim.")
    (decided,) = [m for m in await cahya.messages() if m.message_id == check.message_id]
    assert decided.buttons == []
    assert "☑️ Dipilih “Salah alamat” oleh Cahya Kasubbag TU" in decided.body

    told = await await_text(bayu, "ℹ️ Surat Dinas PU 12/2026")
    assert "Hasil: Surat dikembalikan ke pengirim." in told.body
    await cahya.send_text("/status 1")
    status = await await_text(cahya, "📋 Surat Dinas PU 12/2026")
    assert "Hasil: Surat dikembalikan ke pengirim" in status.body


LAKIP = Path(__file__).resolve().parents[1] / "data" / "sop-lakip.yaml"
EKO, FITRI, GILANG = 211, 212, 213
LAKIP_STAFF = (
    (EKO, "Eko Kasubbag Program", "kasubbag_program"),
    (FITRI, "Fitri JFU", "jfu_program"),
    (GILANG, "Gilang JFU", "jfu_program"),
    (214, "Hana Sekretaris", "sekretaris_dinas"),
    (215, "Irwan Kepala Dinas", "kepala_dinas"),
)


@pytest.fixture
async def lakip_office(
    tmp_path: Path, clock: FakeClock, database_url: str
) -> AsyncIterator[Office]:
    """The running office with the LAKIP SOP beside the Renja."""
    sops = load_sops(ROOT / "sops", organisation=OFFICE)
    lakip = load_sop(LAKIP, organisation=OFFICE)
    async with running_office(
        tmp_path,
        {**sops, lakip.id: lakip},
        pacing=FAST_PACING,
        clock=clock,
        admin=False,
        database_url=database_url,
    ) as office:
        for telegram_id, name, position in LAKIP_STAFF:
            officials.register_official(
                office.services, telegram_id=telegram_id, name=name, position=position
            )
            phone = await office.phone(telegram_id, name)
            await phone.send_text("/start")
            await phone.wait_for_messages(lambda m: "Selamat datang" in m.body)
        yield office


async def test_joint_step_skip_and_a_result_recorded_on_behalf(lakip_office: Office) -> None:
    office = lakip_office
    eko, fitri, gilang = office.phones[EKO], office.phones[FITRI], office.phones[GILANG]
    await begin(fitri, "LAKIP 2026")
    gather = await task_message(fitri, "Kumpulkan data capaian kinerja")
    assert "Dikerjakan bersama: Kasubbag. Program, JFU Perencanaan" in gather.body
    await task_message(eko, "Kumpulkan data capaian kinerja")
    received = await upload(fitri, "data-kinerja.pdf", b"%PDF-1.4 data kinerja")
    await press_and_wait(fitri, received, "📤 Kirim")

    # The JFU's part is in: the Kasubbag is told, given the document, and Kirim.
    told = await await_text(eko, "ℹ️ LAKIP 2026")
    assert "Fitri JFU telah menyelesaikan bagiannya pada Kumpulkan data capaian kinerja" in (
        told.body
    )
    ready = await await_text(eko, "Dokumen sudah lengkap")
    await press_and_wait(eko, ready, "📤 Kirim")

    # Either of the two drafts the LAKIP.
    await task_message(gilang, "Susun draft LAKIP")
    received = await upload(gilang, "draft-lakip.pdf", b"%PDF-1.4 draft lakip")
    await press_and_wait(gilang, received, "📤 Kirim")

    # The optional step is skipped with a reason.
    optional = await task_message(eko, "Unggah masukan unit kerja")
    assert optional.button_texts() == ["⏭ Lewati"]
    await eko.press(optional, "⏭ Lewati")
    await await_text(eko, "⏭ Lewati Unggah masukan unit kerja")
    await eko.send_text("Tidak ada masukan unit")
    await eko.wait_until(
        lambda ms: any(
            m.message_id == optional.message_id and "⏭ Dilewati oleh Eko" in m.body for m in ms
        ),
        10,
    )

    # Nobody holds the Bagian Organisasi: the Kasubbag records its result on its behalf.
    on_behalf = await task_message(eko, "Catat hasil asistensi Bagian Organisasi")
    assert "atas nama Bagian Organisasi Setda" in on_behalf.body
    received = await upload(eko, "berita-acara.pdf", b"%PDF-1.4 asistensi")
    sent = await press_and_wait(eko, received, "📤 Kirim")
    assert "📤 Dikirim oleh Eko Kasubbag Program atas nama Bagian Organisasi Setda" in sent.body
    verify = await task_message(eko, "Verifikasi Bagian Organisasi")
    assert verify.button_texts() == ["✅ Terverifikasi", "↩️ Kembalikan"]

    await eko.send_text("/riwayat 1")
    trail = await await_text(eko, "🗂 Riwayat")
    assert "Eko Kasubbag Program melewati langkah ini: “Tidak ada masukan unit”" in trail.body
    assert "Eko Kasubbag Program atas nama Bagian Organisasi Setda mengirim" in trail.body
