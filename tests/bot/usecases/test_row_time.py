"""Rows written in days and hours: their due times on the office calendar, their reminders,
and how every message shows them (as the SOP writes them, with the document's numbers)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot import texts
from bot.usecases import drafts, officials, reading, reminders
from bot.usecases.base import EVERY_AGENCY, Services
from bot.usecases.views import RowTime
from storage import drafts as draft_store
from storage import reminders as reminder_store
from storage.drafts import NewFile
from tests.conftest import FakeClock
from workflow.engine import Approve, Submit, Upload
from workflow.organisation import Organisation
from workflow.sop import parse_sop

WIB = ZoneInfo("Asia/Pontianak")

LETTER_SOP = """
format: 2
id: surat-dinas
identitas:
  judul: PENYELESAIAN SURAT DINAS
  nomor: 800/12/UMUM
  tanggal_pembuatan: 2012-03-05
  tanggal_efektif: 1 April 2012
  disahkan_oleh: Sekretaris
pelaksana: [staf_umum, kasubbag_umum]
dokumen:
  konsep: {nama: Konsep surat}
langkah:
  - nomor: 1
    aktivitas: Menyiapkan konsep surat.
    pelaksana: [staf_umum]
    waktu: 1 hari
    output: [Konsep surat]
    keterangan: Memakai tata naskah dinas.
    tugas:
      - {id: konsep, jenis: unggah, oleh: staf_umum, judul: Unggah konsep, dokumen: [konsep]}
  - nomor: 1a
    aktivitas: Memeriksa konsep surat.
    pelaksana: [kasubbag_umum]
    waktu: 2 jam
    output: []
    pengingat: {ulangi_setiap_menit: 20}
    tugas:
      - {id: periksa, jenis: keputusan, oleh: kasubbag_umum, judul: Periksa konsep,
         telaah: [konsep], kembali_ke: konsep}
"""


@pytest.fixture
def letters(services: Services, organisation: Organisation, clock: FakeClock) -> Services:
    sop = parse_sop(yaml.safe_load(LETTER_SOP), organisation=organisation)
    services = dataclasses.replace(services, sops={sop.id: sop})
    for telegram_id, name, position in [
        (301, "Sari Staf", "staf_umum"),
        (302, "Tono Kasubbag", "kasubbag_umum"),
        (303, "Umi Sekretaris", "sekretaris"),
    ]:
        officials.register_official(
            services, telegram_id=telegram_id, name=name, position=position
        )
    clock.now = datetime(2026, 12, 4, 15, 0, tzinfo=WIB)  # Jumat 15:00
    return services


def test_a_day_entered_on_friday_afternoon_is_due_on_monday_afternoon(
    letters: Services, clock: FakeClock
) -> None:
    outcome = drafts.start_draft(letters, telegram_id=301, title="Surat undangan")
    (briefing,) = outcome.opened
    sop = letters.sops["surat-dinas"]
    assert briefing.due_at == datetime(2026, 12, 7, 15, 0, tzinfo=WIB)
    message = texts.task_message(briefing, sop, WIB)
    assert "<b>Langkah 1: Unggah konsep</b>" in message
    assert "Batas waktu: Senin, 7 Desember 2026 15:00 WIB — 1 hari kerja" in message
    assert "mnt" not in message
    with letters.session() as session:
        (clock_row,) = draft_store.row_clocks(session, draft_id=1)
        # Friday 15:00-16:30 and Monday 07:30-15:00 less the break: 480 working minutes.
        assert (clock_row.standard_minutes, clock_row.standard_text) == (480, "1 hari")
        kinds = [
            (r.kind, r.due_at.astimezone(WIB).strftime("%a %H:%M"))
            for r in reminder_store.reminders_of(session, draft_id=1)
        ]
    # The default scales with the row: the superior hears when it is 48 minutes late.
    assert kinds == [
        ("hampir", "Mon 13:24"),
        ("jatuh_tempo", "Mon 15:00"),
        ("eskalasi", "Mon 15:48"),
    ]


def test_an_hours_row_labelled_as_written_with_its_own_reminders(
    letters: Services, clock: FakeClock
) -> None:
    drafts.start_draft(letters, telegram_id=301, title="Surat undangan")
    clock.advance(hours=1)  # 16:00
    drafts.act(
        letters,
        telegram_id=301,
        draft_id=1,
        action=Upload("konsep"),
        new_file=NewFile("k.pdf", "application/pdf", 3, "0" * 64, "id-k", "u-k", "1/k.pdf"),
    )
    outcome = drafts.act(letters, telegram_id=301, draft_id=1, action=Submit())
    (briefing,) = outcome.opened
    sop = letters.sops["surat-dinas"]
    assert (briefing.row_label, briefing.standard_text, briefing.outputs) == ("1a", "2 jam", ())
    # Friday 16:00: 30 minutes on Friday, 90 on Monday morning.
    assert briefing.due_at == datetime(2026, 12, 7, 9, 0, tzinfo=WIB)
    message = texts.task_message(briefing, sop, WIB)
    assert "<b>Langkah 1a: Periksa konsep</b>" in message
    assert "Output: -" in message
    assert "— 2 jam kerja" in message

    # The row's own policy: the overdue reminder repeats every 20 working minutes.
    clock.now = datetime(2026, 12, 7, 9, 0, tzinfo=WIB)
    sent = reminders.deliver_due_reminders(letters)
    assert [notice.kind.value for notice in sent] == ["jatuh_tempo"]
    with letters.session() as session:
        waiting = [r for r in reminder_store.reminders_of(session, draft_id=1) if not r.outcome]
        assert [(r.kind, r.due_at.astimezone(WIB).strftime("%H:%M")) for r in waiting] == [
            ("eskalasi", "09:15"),
            ("terlambat", "09:20"),
        ]

    clock.advance(minutes=30)
    drafts.act(letters, telegram_id=302, draft_id=1, action=Approve())
    (status,) = reading.draft_status(letters, scope=EVERY_AGENCY, draft_id=1)
    lines = [texts.row_time_line(row, WIB) for row in status.rows]
    assert lines == [
        "• L1: 60 menit / 1 hari, selesai",
        "• L1a: 150 menit / 2 jam, selesai (lewat 30 menit)",
    ]
    _, audit = reading.history(letters, scope=EVERY_AGENCY, draft_id=1)
    assert [line.row_label for line in audit] == ["1", "1", "1", "1a"]


def test_rows_kept_before_the_time_as_written_show_their_minutes() -> None:
    at = datetime(2026, 12, 7, 9, 0, tzinfo=WIB)
    old = RowTime(
        row_no=2,
        standard_minutes=60,
        standard_text="60 menit",
        row_label="2",
        entered_at=at,
        due_at=at + timedelta(hours=1),
        left_at=at + timedelta(minutes=75),
        completed=True,
        minutes_used=75,
    )
    assert texts.row_time_line(old, WIB) == "• L2: 75 / 60 menit, selesai (lewat 15 menit)"


def test_the_sop_as_text_shows_its_identity_and_notes(
    letters: Services,
) -> None:
    message = texts.sop_message(letters.sops["surat-dinas"])
    for expected in (
        "Nomor: 800/12/UMUM",
        "Tanggal pembuatan: 5 Maret 2012",
        "Tanggal efektif: 1 April 2012",
        "Disahkan oleh: Sekretaris",
        "<b>1a. Memeriksa konsep surat.</b>",
        "Waktu: 1 hari · Output: Konsep surat",
        "Waktu: 2 jam · Output: -",
        "Keterangan: Memakai tata naskah dinas.",
        "<b>Jumlah waktu: 1 hari + 120 menit</b>",
    ):
        assert expected in message, message
