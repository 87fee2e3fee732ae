"""Hostile input over HTTP, as an official (or a stranger) could send it from a phone.

Every test asserts the Indonesian answer, and that nothing changed that should not have:
the audit trail, the document versions, the drafts, the archive (`probes.snapshot`).
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import texts
from bot.limits import MESSAGE_LIMIT, utf16_len
from bot.usecases import drafts, returns, uploads
from bot.usecases.errors import InviteProblem
from bot.usecases.returns import NOTE_MAX
from emulator import BotMessage, SimulatedUser
from storage.drafts import document_versions
from storage.files import sha256_of
from tests.e2e.conftest import ADMIN_ID, Office
from tests.e2e.probes import archived, failures, forget_throttle, settle, snapshot

PDF = "application/pdf"
REAL_PDF = b"%PDF-1.4\n% konsep pendahuluan\n"
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
RLO = "\u202e"  # right-to-left override: "laporan\u202efdp.exe" shows as "laporanexe.pdf"


@pytest.fixture(autouse=True)
def fresh_throttle() -> Iterator[None]:
    forget_throttle()
    yield
    forget_throttle()


def docx() -> bytes:
    """The smallest package the bot takes for a DOCX: its content types and document part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


async def draft_started(office: Office, title: str = "Renja 2027") -> BotMessage:
    kasubbag = office.phones[101]
    await kasubbag.send_text(f"/renja_baru {title}")
    (*_, task) = await kasubbag.wait_for_messages(lambda m: "Langkah 1" in m.body)
    return task


async def konsep_sent(office: Office) -> BotMessage:
    """Start a draft and send the konsep; returns the Sekretaris's review message."""
    kasubbag, sekretaris = office.phones[101], office.phones[102]
    await draft_started(office)
    await kasubbag.send_document("konsep.pdf", REAL_PDF, PDF)
    (*_, received) = await kasubbag.wait_for_messages(lambda m: m.body.startswith("✅ Diterima"))
    await kasubbag.press(received, "📤 Kirim")
    (*_, review) = await sekretaris.wait_for_messages(lambda m: "Telaah Konsep" in m.body)
    await sekretaris.wait_for_messages(1)  # the konsep itself
    return review


async def ask(phone: SimulatedUser, text: str) -> BotMessage:
    await phone.send_text(text)
    (reply,) = await phone.wait_for_messages(1)
    return reply


async def answer_of(phone: SimulatedUser, query_id: str) -> str:
    answer = await phone.callback_answer(query_id)
    assert answer is not None, f"press {query_id} was not answered"
    return answer.text or ""


async def refused_calls(office: Office) -> list[str]:
    """What Telegram refused the bot (too long, can't parse entities...)."""
    return [f"{e.method}: {e.error}" for e in await office.control.log() if e.error]


def versions(office: Office, draft_id: int = 1) -> list[tuple[int, str, str]]:
    with office.services.session() as session:
        return [
            (v.version, v.file_name, v.stored_path)
            for v in document_versions(session, draft_id=draft_id)
        ]


# Return reasons -----------------------------------------------------------------------------


async def test_a_return_reason_over_the_limit_is_refused_and_one_at_the_limit_reaches_everyone(
    office: Office,
) -> None:
    kasubbag, sekretaris = office.phones[101], office.phones[102]
    review = await konsep_sent(office)
    await sekretaris.press(review, "↩️ Kembalikan")
    await sekretaris.wait_for_messages(lambda m: "Tulis alasan pengembalian" in m.body)
    before = snapshot(office.services)

    await sekretaris.send_text(("Kurang rujukan. " * 256)[:4095] + "!")  # 4,096: a full message
    (refused,) = await sekretaris.wait_for_messages(1)
    assert refused.body == (
        "Catatannya terlalu panjang (4096 huruf; paling banyak 1000). Mohon ringkas dan "
        "kirim lagi. Belum ada yang berubah."
    )
    assert snapshot(office.services) == before  # the wait for the reason goes on, too

    # 1,000 characters that HTML must escape (and an emoji, two units in Telegram's count).
    note = ("Perbaiki 👍 " + "<&>" * 400)[: NOTE_MAX - 1] + "."
    assert len(note) == NOTE_MAX
    await sekretaris.send_text(note)
    (*_, echo) = await sekretaris.wait_for_messages(
        lambda m: m.body.startswith("↩️ Dikembalikan oleh")
    )
    assert echo.body.endswith(f"\nCatatan: {note}")
    (pressed,) = [m for m in await sekretaris.messages() if m.message_id == review.message_id]
    assert pressed.buttons == [] and "Dikembalikan oleh Budi Sekretaris" in pressed.body

    (*_, task) = await kasubbag.wait_for_messages(lambda m: "dengan catatan" in m.body)
    assert f"Dikembalikan dengan catatan: {note}" in task.body
    await kasubbag.send_text("/tugas")
    (*_, again) = await kasubbag.wait_for_messages(lambda m: "Langkah 1" in m.body)
    assert f"Dikembalikan dengan catatan: {note}" in again.body
    seen = len(await kasubbag.messages())
    await kasubbag.send_text("/riwayat 1")
    await settle(office)
    history = "\n".join(m.body for m in (await kasubbag.messages())[seen:])
    assert history.startswith("🗂 Riwayat Renja 2027 (#1)")
    assert f"mengembalikan: “{note}”\n" in history

    for phone in (kasubbag, sekretaris):
        assert all(utf16_len(m.body) <= MESSAGE_LIMIT for m in await phone.messages())
    assert await refused_calls(office) == []


# Titles -------------------------------------------------------------------------------------


async def test_a_title_too_long_or_of_invisible_characters_starts_nothing(office: Office) -> None:
    kasubbag = office.phones[101]
    before = snapshot(office.services)
    reply = await ask(kasubbag, "/renja_baru " + "Rencana Kerja " * 15)  # 209 characters
    assert reply.body == "Judul draft terlalu panjang (paling banyak 200 huruf)."
    for invisible in ("\u200b\u200b\u200b\u200b", "\u200b \u200c \u200d \ufeff", "\u2066\u2069"):
        reply = await ask(kasubbag, f"/renja_baru {invisible}")
        assert reply.body == texts.TITLE_TOO_SHORT
    assert snapshot(office.services) == before
    # Exactly at the limit is a title.
    await draft_started(office, "R" * 200)
    assert [d["title"] for d in snapshot(office.services)["Draft"]] == ["R" * 200]


# Numbers and forged presses -----------------------------------------------------------------


async def test_numbers_out_of_range_and_markup_are_refused_as_plain_text(office: Office) -> None:
    kasubbag = office.phones[101]
    await draft_started(office)
    before = snapshot(office.services)
    refusals = {
        "/status 99999999999999999999999": "“9999999999999999999…” bukan nomor draft.",
        "/riwayat " + "7" * 4000: "“7777777777777777777…” bukan nomor draft.",
        "/status ²": "“²” bukan nomor draft.",
        "/status ١٢": "“١٢” bukan nomor draft.",
        "/status <b>": "“<b>” bukan nomor draft.",
        "/riwayat <a href='x'>1</a>": "“<a” bukan nomor draft.",
        "/status 2147483648": "“2147483648” bukan nomor draft.",
        "/riwayat -1": "“-1” bukan nomor draft.",
        "/riwayat 2147483647": "Draft #2147483647 tidak ditemukan.",
        "/status 0": "Draft #0 tidak ditemukan.",
    }
    for command, start in refusals.items():
        reply = await ask(kasubbag, command)
        assert reply.body.startswith(start), (command, reply.body)
    assert "bukan nomor draft" not in (await ask(kasubbag, "/status #1")).body
    assert snapshot(office.services) == before
    assert await refused_calls(office) == []


FORGED = [
    "1:ap:123456789012345678901:1",
    "1:ap:1:123456789012345678901",
    "1:rt:2147483648:1",
    "1:ap:-1:1",
    "1:ap:01:2",
    "1:ap:١:2",
    "1:ap:1",
    "1:zz:1:2",
    "2:ap:1:2",
    "1:ap:1:2:3",
    " 1:ap:1:2",
    "sampah",
    "\x00",
    "<b>1</b>",
    "1:ap:999:2",
    "1:rt:1:999",
    "1:sb:1:2",
    "1:up:999:0",
    "1:up:0:2147483647",
    "x" * 64,
]


async def test_forged_presses_are_answered_and_change_nothing(
    office: Office, caplog: pytest.LogCaptureFixture
) -> None:
    sekretaris, kabid = office.phones[102], office.phones[103]
    review = await konsep_sent(office)
    (started,) = [m for m in await office.phones[101].messages() if "dibuat (#1)" in m.body]
    before = snapshot(office.services)

    presses: list[tuple[SimulatedUser, str]] = []
    for data in FORGED:
        # On a message without buttons in the presser's own chat...
        presses.append((office.phones[101], await office.phones[101].press_forged(started, data)))
        # ...and on the Sekretaris's live review, forwarded to someone who holds no task.
        presses.append((kabid, await kabid.press_forged(review, data, owner=sekretaris)))
    for phone, query in presses:
        assert await answer_of(phone, query)
    # The real buttons, pressed by the Kabid on the forwarded review: refused, nothing dropped.
    for label in ("✅ Setujui", "↩️ Kembalikan"):
        text = await answer_of(kabid, await kabid.press_forwarded(sekretaris, review, label))
        assert text == "Tugas ini untuk Sekretaris, bukan untuk Bapak/Ibu."
    await settle(office)

    assert snapshot(office.services) == before
    (still,) = [m for m in await sekretaris.messages() if m.message_id == review.message_id]
    assert still.button_texts() == ["✅ Setujui", "↩️ Kembalikan"] and not still.edited
    assert await answer_of(sekretaris, await sekretaris.press(review, "✅ Setujui")) == "Tercatat."
    assert failures(caplog) == []


async def test_a_file_choice_pressed_by_someone_else_keeps_the_owners_buttons(
    office: Office,
) -> None:
    kasubbag, sekretaris = office.phones[101], office.phones[102]
    await draft_started(office, "Renja 2027")
    await draft_started(office, "Renja Perubahan 2027")
    await kasubbag.send_document("konsep.pdf", REAL_PDF, PDF)
    (choice,) = await kasubbag.wait_for_messages(1)
    assert choice.body == texts.which_output()
    label = choice.button_texts()[0]
    before = snapshot(office.services)

    query = await sekretaris.press_forwarded(kasubbag, choice, label)
    assert await answer_of(sekretaris, query) == texts.FILE_NOT_FOUND
    await settle(office)
    (still,) = [m for m in await kasubbag.messages() if m.message_id == choice.message_id]
    assert still.button_texts() == choice.button_texts()
    assert snapshot(office.services) == before

    await kasubbag.press(choice, label)
    await kasubbag.wait_for_messages(lambda m: m.body.startswith("✅ Diterima"))
    assert [v[0] for v in versions(office)] == [1]


# Administrators ------------------------------------------------------------------------------


async def test_undang_without_arguments_shows_its_usage(office: Office) -> None:
    admin = await office.phone(ADMIN_ID, "Admin")
    before = snapshot(office.services)
    reply = await ask(admin, "/undang")
    assert reply.body.startswith("Cara pakai: /undang [instansi] <jabatan> [unit]. ")
    assert "sekretaris" in reply.body
    assert snapshot(office.services) == before


# Uploads, judged by their content -----------------------------------------------------------


async def test_programs_dressed_as_documents_are_refused(office: Office) -> None:
    kasubbag = office.phones[101]
    await draft_started(office)
    before = snapshot(office.services)
    disguises = [
        ("program.exe", PROGRAM, PDF, "program.exe"),
        ("konsep.pdf", PROGRAM, PDF, "konsep.pdf"),
        (f"laporan{RLO}fdp.exe", PROGRAM, PDF, "laporanfdp.exe"),
        ("konsep.pdf", b"\x7fELF\x02\x01\x01" + b"%PDF-1.4", PDF, "konsep.pdf"),
        ("konsep.pdf", b"#!/bin/sh\n%PDF-1.4\nrm -rf /", PDF, "konsep.pdf"),
        ("konsep.pdf", b"MZ" + REAL_PDF, PDF, "konsep.pdf"),
        ("konsep.pdf", b"<html><script>alert(1)</script>", PDF, "konsep.pdf"),
    ]
    for name, content, mime, shown in disguises:
        await kasubbag.send_document(name, content, mime)
        (reply,) = await kasubbag.wait_for_messages(1)
        assert reply.body == texts.WRONG_FILE_TYPE.format(name=shown)
        assert RLO not in reply.body
    assert snapshot(office.services) == before
    assert archived(office.settings.files_dir) == []


async def test_an_empty_file_is_refused_and_no_version_is_made(office: Office) -> None:
    kasubbag = office.phones[101]
    await draft_started(office)
    before = snapshot(office.services)
    await kasubbag.send_document("konsep.pdf", b"", PDF)
    (reply,) = await kasubbag.wait_for_messages(1)
    assert reply.body == texts.EMPTY_FILE
    assert versions(office) == []
    assert snapshot(office.services) == before


async def test_names_are_labels_only_and_files_are_archived_as_what_they_are(
    office: Office,
) -> None:
    kasubbag = office.phones[101]
    await draft_started(office)
    uploads_sent = [
        (f"laporan{RLO}fdp.exe", REAL_PDF + b"1", "laporanfdp.exe", ".pdf"),
        ("konsep\nbaru.pdf", REAL_PDF + b"2", "konsep baru.pdf", ".pdf"),
        ("kon\x00sep\r.pdf", REAL_PDF + b"3", "konsep .pdf", ".pdf"),
        ("konsep.pdf", docx(), "konsep.pdf", ".docx"),
        ("scan.pdf", JPEG, "scan.pdf", ".jpg"),
    ]
    for name, content, _, _ in uploads_sent:
        await kasubbag.send_document(name, content, PDF)
        (reply,) = await kasubbag.wait_for_messages(1)
        assert reply.body.startswith("✅ Diterima: Konsep pendahuluan Renja, versi"), reply.body
    files_dir = office.settings.files_dir
    stored = versions(office)
    assert [(v, label) for v, label, _ in stored] == [
        (n, label) for n, (_, _, label, _) in enumerate(uploads_sent, start=1)
    ]
    for (_, _, path), (_, content, _, extension) in zip(stored, uploads_sent, strict=True):
        assert Path(path).suffix == extension
        assert Path(path).stem == sha256_of(files_dir / path)
        assert (files_dir / path).read_bytes() == content
    assert archived(files_dir) == sorted(path for _, _, path in stored)


# Edits -------------------------------------------------------------------------------------


async def test_an_edited_command_makes_no_second_draft(office: Office) -> None:
    kasubbag = office.phones[101]
    command = await kasubbag.send_text("/renja_baru Renja 2027")
    await kasubbag.wait_for_messages(lambda m: "Langkah 1" in m.body)
    before = snapshot(office.services)
    await kasubbag.edit_text(command, "/renja_baru Renja 2028")
    (reply,) = await kasubbag.wait_for_messages(1)
    assert reply.body == texts.EDIT_IGNORED
    await settle(office)
    assert snapshot(office.services) == before
    assert [d["title"] for d in before["Draft"]] == ["Renja 2027"]


async def test_an_edited_caption_is_not_a_new_upload(office: Office) -> None:
    kasubbag = office.phones[101]
    await draft_started(office)
    sent = await kasubbag.send_document("konsep.pdf", REAL_PDF, PDF, caption="Konsep")
    await kasubbag.wait_for_messages(lambda m: m.body.startswith("✅ Diterima"))
    before = snapshot(office.services)
    await kasubbag.edit_caption(sent, "Konsep pendahuluan Renja Nomor: 050/1/BAPPEDA")
    (reply,) = await kasubbag.wait_for_messages(1)
    assert reply.body == texts.EDIT_IGNORED
    await settle(office)
    assert snapshot(office.services) == before
    assert [v[0] for v in versions(office)] == [1]


# Floods ------------------------------------------------------------------------------------


async def test_a_stranger_flooding_the_bot_is_answered_once(
    office: Office, caplog: pytest.LogCaptureFixture
) -> None:
    stranger = await office.phone(666, "Tamu")
    before = snapshot(office.services)
    kinds = ("/start", "/tugas", "halo", "/renja_baru Judul", "/status 1", "/xyz", "/batal")
    for n in range(200):
        await stranger.send_text(f"{kinds[n % len(kinds)]} {n}")
    await settle(office)
    replies = [m.body for m in await stranger.messages()]
    # Told once to register; the invitation links they tried are explained only a few times.
    assert sum("belum terdaftar" in reply for reply in replies) == 1
    assert replies.count(texts.INVITE_PROBLEMS[InviteProblem.TIDAK_DIKENAL]) <= 3
    assert len(replies) <= 4
    assert snapshot(office.services) == before
    assert failures(caplog) == []


async def test_an_official_repeating_commands_is_answered_and_changes_nothing(
    office: Office, caplog: pytest.LogCaptureFixture
) -> None:
    kabid = office.phones[103]
    before = snapshot(office.services)
    for _ in range(30):
        await kabid.send_text("/tugas")
    replies = await kabid.wait_for_messages(30, timeout=15)
    assert {m.body for m in replies} == {texts.NO_TASKS}
    for _ in range(20):
        await kabid.send_text("/tidak_ada")
        await kabid.send_text("halo?")
    await settle(office)
    hints = [m.body for m in await kabid.messages()][30 + 1 :]  # after the /start welcome
    assert 1 <= hints.count(texts.UNKNOWN_COMMAND) <= 2
    assert 1 <= hints.count(texts.TEXT_HINT) <= 2
    assert snapshot(office.services) == before
    assert failures(caplog) == []


# Other kinds of message, and the log -------------------------------------------------------


async def test_stickers_voice_locations_and_contacts_get_a_one_line_hint(office: Office) -> None:
    phones = [office.phones[n] for n in (101, 102, 103, 104)]
    before = snapshot(office.services)
    await phones[0].send_sticker("🤔")
    await phones[1].send_voice(duration=5)
    await phones[2].send_location(-0.0263, 109.3425)
    await phones[3].send_contact("+628123456789", "Budi", user_id=102)
    for phone in phones:
        (hint,) = await phone.wait_for_messages(1)
        assert hint.body == texts.UNSUPPORTED_CONTENT and "\n" not in hint.body
    await phones[0].send_sticker("👍")  # again at once: no second hint
    await settle(office)
    assert len(await phones[0].messages()) == 2  # the welcome and one hint
    assert snapshot(office.services) == before


def fail(*args: object, **kwargs: object) -> object:
    raise RuntimeError("simulated failure")


async def test_the_error_log_names_updates_not_people_or_their_words(
    office: Office, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    kasubbag, sekretaris = office.phones[101], office.phones[102]
    review = await konsep_sent(office)
    caplog.set_level(logging.INFO)
    monkeypatch.setattr(returns, "awaited_return", fail)
    monkeypatch.setattr(uploads, "receive", fail)
    monkeypatch.setattr(drafts, "act", fail)

    await kasubbag.send_text("Anggaran rahasia Pak Camat 2027")
    await kasubbag.send_document("rahasia-anggaran.pdf", REAL_PDF, PDF, caption="sangat rahasia")
    query = await sekretaris.press(review, "✅ Setujui")
    assert await answer_of(sekretaris, query) == texts.SOMETHING_WENT_WRONG
    await settle(office)
    # Told once that something went wrong, not once per message.
    said = [m.body for m in await kasubbag.messages()]
    assert said.count(texts.SOMETHING_WENT_WRONG) == 1

    errors = failures(caplog)
    assert len(errors) == 3
    assert sorted(r.getMessage().split(" (")[1] for r in errors) == [
        "callback_query)",
        "message)",
        "message)",
    ]
    assert all(r.getMessage().startswith("error while handling update ") for r in errors)
    for secret in ("rahasia", "Camat", "Rina", "Budi", "Kasubbag", "Sekretaris", "anggaran"):
        assert secret not in caplog.text


async def test_status_of_many_drafts_shows_every_one_page_by_page(office: Office) -> None:
    kasubbag = office.phones[101]
    for n in range(1, 41):
        await kasubbag.send_text(f"/renja_baru Renja Kecamatan {n:02d} <Tahun> 2027")
    await settle(office)
    seen = len(await kasubbag.messages())
    await kasubbag.send_text("/status")
    await settle(office)
    (status,) = (await kasubbag.messages())[seen:]  # one message, whatever the number
    pages = [status.body]
    for page in range(2, 5):
        await kasubbag.press(status, f"{page} ▶")
        turned = f"Halaman {page}/4."
        messages = await kasubbag.wait_until(lambda ms: turned in ms[seen].body)  # noqa: B023
        status = messages[seen]
        pages.append(status.body)
    assert status.button_texts() == ["⏮ 1", "◀ 3"]
    assert all(utf16_len(page) <= MESSAGE_LIMIT for page in pages)
    shown = "\n".join(pages)
    for n in range(1, 41):
        assert shown.count(f"#{n} Renja Kecamatan {n:02d} <Tahun> 2027, L1") == 1
    assert "…" not in shown


async def test_tugas_offers_kirim_to_a_unit_that_uploaded_its_part(office: Office) -> None:
    kasubbag, sekretaris, kabid = office.phones[101], office.phones[102], office.phones[103]
    review = await konsep_sent(office)
    await sekretaris.press(review, "✅ Setujui")
    await kasubbag.wait_for_messages(lambda m: "Terbitkan Nota Dinas" in m.body)
    await kasubbag.send_document("nota.pdf", REAL_PDF + b"nota", PDF)
    (*_, received) = await kasubbag.wait_for_messages(lambda m: m.body.startswith("✅ Diterima"))
    await kasubbag.press(received, "📤 Kirim")
    await kabid.wait_for_messages(lambda m: "Unggah Rencana Kerja unit" in m.body)
    await kabid.send_document("rk-ekonomi.pdf", REAL_PDF + b"ekonomi", PDF)
    (*_, receipt) = await kabid.wait_for_messages(lambda m: m.body.startswith("✅ Diterima"))
    assert receipt.button_texts() == ["📤 Kirim"]  # the receipt offers it...
    await settle(office)
    seen = len(await kabid.messages())
    await kabid.send_text("/tugas")
    await settle(office)
    again = await kabid.messages()
    assert any(m.button_texts() == ["📤 Kirim"] for m in again[seen:])  # ...and so does /tugas
