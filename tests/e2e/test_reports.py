"""/laporan in Telegram: the Kepala Badan receives the text, the chart and the workbook; a
Kasubbag is refused.

The drafts are played by the use cases on the office's clock, with stand-in files the
emulator does not hold: the documents sent with their task messages are refused (and logged),
which this test does not look at.
"""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.usecases import reports
from emulator import BotMessage
from tests.bot.usecases.renja_year import Plan, run_draft
from tests.bot.usecases.test_reports import check_png, check_workbook
from tests.e2e.conftest import Office
from tests.e2e.test_commands import ask

KASUBBAG, SEKRETARIS, KEPALA = 101, 102, 105


def is_workbook(message: BotMessage) -> bool:
    return message.document is not None and (message.document.file_name or "").endswith(".xlsx")


async def test_the_kepala_badan_receives_the_report_as_text_chart_and_workbook(
    office: Office,
) -> None:
    services, clock = office.services, office.clock
    start = clock.now  # Senin 30 November 2026 08:00 WIB
    run_draft(services, clock, Plan(start, {1: 50, 2: 100, 3: 40, 4: 8, 5: 12}))
    run_draft(services, clock, Plan(clock.now, {1: 70, 2: 100}, stop_in=3))

    kepala = office.phones[KEPALA]
    await kepala.send_text("/bantuan")
    (*_, help_text) = await kepala.wait_for_messages(lambda m: "SOP sebagai alur" in m.body)
    assert "/laporan [sop] [periode]" in help_text.body
    assert "laporan" in [c.command for c in await kepala.menu_commands()]

    await kepala.send_text("/laporan renja 2026")
    received = await kepala.wait_for_messages(is_workbook, timeout=60)  # drawn the first time
    text, chart, book = received[-3:]
    assert text.body.startswith("📊 Laporan kinerja — SOP MENYUSUN RENCANA KERJA")
    assert "Draft: 2 (1 selesai, 1 berjalan)" in text.body
    assert "• L3 (30 menit): median 40 · p90 40 — 0 dari 1 tepat waktu (0%)" in text.body
    assert "• Renja BAPPEDA (#2) — L3: Teruskan hasil Forum SKPD" in text.body
    assert chart.document is not None and book.document is not None
    assert chart.document.file_name == "laporan-menyusun-rencana-kerja-2026.png"
    assert chart.caption is not None and chart.caption.startswith("📈 Waktu kerja per langkah")
    check_png(await kepala.download(chart.document))
    data = await kepala.download(book.document)
    assert book.document.file_name == "laporan-menyusun-rencana-kerja-2026.xlsx"
    assert book.document.file_size == len(data)
    rows = check_workbook(data)
    summary = rows["Ringkasan"]
    assert [row[2] for row in summary[1:]] == ["1", "2", "3", "4", "5"]
    assert summary[3][4:8] == (1, 40, 40, 30)  # row 3: one entry of 40 minutes against 30
    assert load_workbook(io.BytesIO(data))["Langkah"].max_row == 1 + 5 + 3

    # The Kasubbag who ran both drafts got the signed one's time, row by row.
    kasubbag = office.phones[KASUBBAG]
    *_, summary_message = await kasubbag.wait_for_messages(
        lambda m: "Ringkasan waktu" in m.body, timeout=30
    )
    assert "Jumlah: 210 menit kerja dari mutu baku 230 menit — dalam mutu baku." in (
        summary_message.body
    )
    assert "• L3 (30 menit): 40 menit kerja — lewat 10 menit" in summary_message.body


async def test_a_kasubbag_asking_for_the_report_is_refused(office: Office) -> None:
    kasubbag = office.phones[KASUBBAG]
    refused = await ask(kasubbag, "/laporan")
    assert refused.body == (
        "Laporan kinerja hanya untuk Kepala Badan dan Sekretaris (termasuk Plh./Plt.) serta "
        "admin. Tidak ada yang berubah."
    )
    assert "laporan" not in [c.command for c in await kasubbag.menu_commands()]
    assert "/laporan" not in (await ask(kasubbag, "/bantuan")).body
    assert not reports.may_report(office.services, telegram_id=KASUBBAG)

    sekretaris = office.phones[SEKRETARIS]
    bad = await ask(sekretaris, "/laporan 2026-13")
    assert bad.body == "Periode “2026-13”: bulan 13 tidak ada (1 sampai 12)."
    empty = await ask(sekretaris, "/laporan 2025")
    assert empty.body.endswith("Belum ada draft yang dimulai pada periode ini.")
