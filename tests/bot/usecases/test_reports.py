"""Performance reports over a year of Renja drafts played on the office calendar: the
figures against hand-computed ones, the text, the chart, the workbook, who may ask, and a
draft's own time when it is signed."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from matplotlib import image
from openpyxl import load_workbook
from PIL import Image
from sqlmodel import col, select

from bot import report_files, texts
from bot.config import ConfigError, Settings
from bot.limits import plain_text
from bot.sample_office import register_officials
from bot.usecases import drafts, officials, reports
from bot.usecases.base import Services, build_services
from bot.usecases.errors import InvalidInput, NotRegistered
from bot.usecases.report_views import TrailLine
from storage.db import make_engine, upgrade
from storage.models import Official, OutboxMessage
from tests.bot.usecases.files import new_file
from tests.bot.usecases.renja_year import (
    KASUBBAG,
    KEPALA,
    PLH,
    REPORT_AT,
    SEKRETARIS,
    WIB,
    play_year,
)
from tests.conftest import MAX_UPLOAD_BYTES, ROOT, FakeClock
from workflow.calendar import OfficeCalendar
from workflow.engine import Approve, Submit, Upload
from workflow.organisation import Organisation
from workflow.report import parse_period, year_period
from workflow.sop import Sop, load_sop

RENJA = "menyusun-rencana-kerja"
ADMIN = 900
STRANGER = 999


pytestmark = pytest.mark.xdist_group("report_year")  # its module fixture is built once


@dataclasses.dataclass
class Year:
    services: Services
    clock: FakeClock


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory, sops: dict[str, Sop]) -> Iterator[Year]:
    """The six drafts of 2026 (tests/bot/usecases/renja_year.py), played once; the clock at
    Tuesday 3 November 2026 15:00 WIB. Tests may add to the outbox, never change drafts."""
    root = tmp_path_factory.mktemp("year")
    url = f"sqlite:///{root / 'renja.db'}"
    upgrade(url)
    clock = FakeClock()
    services = Services(
        engine=make_engine(url),
        sops=sops,
        calendar=OfficeCalendar.default(),
        clock=clock,
        files_dir=root / "files",
        max_upload_bytes=MAX_UPLOAD_BYTES,
        admins=frozenset({ADMIN}),
    )
    play_year(services, clock)
    yield Year(services, clock)
    clock.now = REPORT_AT


@pytest.fixture
def office_year(year: Year) -> Iterator[Services]:
    """The year's services, the clock put back after each test."""
    yield year.services
    year.clock.now = REPORT_AT


def wall(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A wall-clock time in WIB as Excel holds it (no zone)."""
    return datetime(year, month, day, hour, minute, tzinfo=WIB).replace(tzinfo=None)


def outbox_after(services: Services, last: int) -> list[OutboxMessage]:
    with services.reading() as session:
        return list(
            session.exec(
                select(OutboxMessage)
                .where(col(OutboxMessage.id) > last)
                .order_by(col(OutboxMessage.id))
            ).all()
        )


def last_row(services: Services) -> int:
    rows = outbox_after(services, 0)
    return rows[-1].id or 0 if rows else 0


# The figures --------------------------------------------------------------------------------


def test_the_years_figures_are_those_computed_by_hand(office_year: Services) -> None:
    report = reports.build(office_year, sop_id=None, period=year_period(2026))
    # Only the Renja has drafts: the report is the Renja's.
    assert report.sops == ((RENJA, "MENYUSUN RENCANA KERJA"),)
    assert (report.drafts, report.finished) == (6, 5)
    figures = {
        line.row_label: (s.count, s.median, s.p90, s.standard, s.on_time)
        for line in report.rows
        for s in [line.stats]
    }
    assert figures == {
        # 40 50 55 60 65 70: median (55+60)/2; p90 rank ⌈5.4⌉ = 6; ≤ 60: four.
        "1": (6, 57.5, 70, 60, 4),
        # 90 100 100 110 125 150 (draft 6 left row 2 too): ≤ 120: four.
        "2": (6, 105, 150, 120, 4),
        # 20 25 28 30 35 45 (draft 3 twice: 45, then 20 after the return).
        "3": (6, 29, 45, 30, 4),
        # 5 8 9 10 10 12.
        "4": (6, 9.5, 12, 10, 5),
        # 6 10 11 12 15 20 (20: the entry the Kepala Badan returned; 15: his Plh.).
        "5": (6, 11.5, 20, 10, 2),
    }
    assert [line.stats.share_on_time for line in report.rows] == pytest.approx(
        [4 / 6, 4 / 6, 4 / 6, 5 / 6, 2 / 6]
    )
    # Median against standard: 115%, 96.7%, 95.8%, 95%, 87.5%.
    assert [line.row_label for line in report.slowest] == ["5", "3", "1"]
    # The Kepala Badan's six turns (his Plh.'s among them) are the slowest: 6 10 11 12 15 20.
    first = report.positions[0]
    assert (first.position, first.label) == ("kepala_badan", "Kepala Badan")
    assert (first.stats.count, first.stats.median, first.stats.total) == (6, 11.5, 74)
    assert [p.position for p in report.positions][1] == "sekretaris"


def test_the_open_draft_is_late_by_working_minutes_on_the_office_calendar(
    office_year: Services,
) -> None:
    report = reports.build(office_year, sop_id=RENJA, period=year_period(2026))
    (still,) = report.open_drafts
    assert (still.draft_id, still.row_label, still.task_title) == (
        6,
        "3",
        "Teruskan hasil Forum SKPD",
    )
    assert still.holders == ("Budi Sekretaris (Sekretaris)",)
    assert still.due_at == datetime(2026, 11, 3, 11, 10, tzinfo=WIB)
    # 11:10-12:00 and 13:00-15:00 on Tuesday: the lunch break does not count.
    assert (still.late_minutes, still.left_minutes) == (170, 0)


def test_every_row_entry_with_who_held_it_and_the_acting_official(
    office_year: Services,
) -> None:
    report = reports.build(office_year, sop_id=RENJA, period=year_period(2026))
    assert len(report.entries) == 31  # 5 + 5 + 8 (a return) + 5 + 5 + 3 (still open)
    third = [e for e in report.entries if e.draft_id == 3]
    assert [(e.row_no, e.minutes, e.on_time, e.result) for e in third] == [
        (1, 60, True, "selesai"),
        (2, 110, True, "selesai"),
        (3, 45, False, "selesai"),
        (4, 10, True, "selesai"),
        (5, 20, False, "dikembalikan"),
        (3, 20, True, "selesai"),
        (4, 5, True, "selesai"),
        (5, 6, True, "selesai"),
    ]
    assert third[1].waited > 0  # the wait for the Forum SKPD meeting, not counted
    (acting,) = [e for e in report.entries if e.draft_id == 4 and e.row_no == 5]
    assert acting.holders == "Dewi Plh (Plh. Kepala Badan)"
    assert (acting.minutes, acting.standard, acting.on_time) == (15, 10, False)
    running = report.entries[-1]
    assert (running.draft_id, running.left_at, running.minutes, running.result) == (
        6,
        None,
        None,
        "berjalan",
    )
    signed = [t for t in report.trail if t.action == "menyetujui & menandatangani"]
    assert [(t.draft_id, t.actor, t.position) for t in signed] == [
        (1, "Eka Kepala Badan", "Kepala Badan"),
        (2, "Eka Kepala Badan", "Kepala Badan"),
        (3, "Eka Kepala Badan", "Kepala Badan"),
        (4, "Dewi Plh", "Plh. Kepala Badan"),
        (5, "Eka Kepala Badan", "Kepala Badan"),
    ]


def test_the_text_names_the_figures_the_slowest_and_the_open_draft(
    office_year: Services,
) -> None:
    report = reports.build(office_year, sop_id=None, period=year_period(2026))
    text = plain_text(texts.report_message(report, WIB))
    lines = text.splitlines()
    assert lines[:3] == [
        "📊 Laporan kinerja — SOP MENYUSUN RENCANA KERJA",
        "Periode: 1 Januari 2026 – 31 Desember 2026 (draft yang dimulai pada periode ini)",
        "Draft: 6 (5 selesai, 1 berjalan)",
    ]
    for line in (
        "• L1 (60 menit): median 57,5 · p90 70 — 4 dari 6 tepat waktu (67%)",
        "• L5 (10 menit): median 11,5 · p90 20 — 2 dari 6 tepat waktu (33%)",
        "1. L5 Kepala Badan menelaah, mempertimbangkan kembali, selanjutny… — median 11,5 "
        "menit kerja = 115% dari 10 menit",
        "1. Kepala Badan — 11,5 menit (6 giliran, jumlah 1 jam 14 menit)",
        "• Renja BAPPEDA (#6) — L3: Teruskan hasil Forum SKPD; pemegang: Budi Sekretaris "
        "(Sekretaris)",
        "  ⚠️ Terlambat 2 jam 50 menit kerja (batas Selasa, 3 November 2026 11:10 WIB)",
        "📎 Grafik (PNG) dan lembar kerja Excel menyusul.",
    ):
        assert line in lines, line
    assert "p90: peringkat terdekat" in text


def test_a_month_a_day_and_a_range(office_year: Services) -> None:
    may = reports.build(office_year, sop_id=RENJA, period=parse_period("2026-05"))
    assert may.drafts == 1 and [e.draft_id for e in may.entries] == [3] * 8
    assert [(line.row_label, line.stats.count) for line in may.rows] == [
        ("1", 1),
        ("2", 1),
        ("3", 2),
        ("4", 2),
        ("5", 2),
    ]
    half = reports.build(office_year, sop_id=RENJA, period=parse_period("2026-01..2026-06"))
    assert half.drafts == 3 and not half.open_drafts
    empty = reports.build(office_year, sop_id=None, period=parse_period("2026-11-03"))
    assert empty.empty and empty.sops == ()
    assert plain_text(texts.report_message(empty, WIB)).splitlines() == [
        "📊 Laporan kinerja — semua SOP",
        "Periode: 3 November 2026 (draft yang dimulai pada periode ini)",
        "Belum ada draft yang dimulai pada periode ini.",
    ]


# /laporan: text, chart and workbook through the outbox --------------------------------------


def check_png(data: bytes) -> tuple[int, int]:
    """A real PNG image: its signature, and it opens (matplotlib and Pillow). Its size."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    pixels = image.imread(io.BytesIO(data), format="png")
    assert pixels.ndim == 3 and pixels.shape[0] > 300 and pixels.shape[1] > 800
    with Image.open(io.BytesIO(data)) as picture:
        picture.verify()
    return pixels.shape[1], pixels.shape[0]


def check_workbook(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    """The three sheets, typed, each with its header frozen and an auto filter over the
    whole table; their rows (header first)."""
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Ringkasan", "Langkah", "Jejak"]
    rows: dict[str, list[tuple[object, ...]]] = {}
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == sheet.dimensions
        rows[sheet.title] = list(sheet.iter_rows(values_only=True))
    return rows


def test_the_kepala_badan_receives_the_text_the_chart_and_the_workbook(
    office_year: Services,
) -> None:
    before = last_row(office_year)
    reports.request(office_year, telegram_id=KEPALA, chat_id=KEPALA, args=[])
    sent = outbox_after(office_year, before)
    assert [row.kind for row in sent] == ["pesan", "dokumen", "dokumen"]
    assert all(row.chat_id == KEPALA for row in sent)
    assert sent[0].payload["text"].startswith("📊 <b>Laporan kinerja — SOP MENYUSUN")
    chart, book = sent[1].payload, sent[2].payload
    assert chart["file_name"] == "laporan-menyusun-rencana-kerja-2026.png"
    assert book["file_name"] == "laporan-menyusun-rencana-kerja-2026.xlsx"
    assert chart["caption"].startswith("📈 Waktu kerja per langkah")
    kept = Path(chart["path"])
    assert kept.parent == office_year.files_dir / "laporan"
    check_png(kept.read_bytes())
    rows = check_workbook(Path(book["path"]).read_bytes())
    assert len(rows["Ringkasan"]) == 1 + 5
    assert len(rows["Langkah"]) == 1 + 31


def test_the_workbook_is_typed_in_local_time(office_year: Services) -> None:
    report = reports.build(office_year, sop_id=RENJA, period=year_period(2026))
    data = report_files.workbook_xlsx(report, WIB)
    book = load_workbook(io.BytesIO(data))
    summary = book["Ringkasan"]
    assert [c.value for c in summary[1]] == [
        "SOP",
        "No",
        "Langkah",
        "Aktivitas",
        "Jumlah",
        "Median (menit kerja)",
        "P90 (menit kerja)",
        "Mutu baku (menit kerja)",
        "Waktu SOP",
        "Tepat waktu",
        "Persen tepat waktu",
    ]
    first = [c.value for c in summary[2]]
    assert first[:3] == ["MENYUSUN RENCANA KERJA", 1, "1"]
    assert first[4:] == [6, 57.5, 70, 60, "60 menit", 4, pytest.approx(4 / 6)]
    assert all(type(value) is int for value in (first[1], first[4], first[6], first[7]))
    assert summary["F2"].number_format == "0.0" and summary["K2"].number_format == "0%"

    steps = book["Langkah"]
    header = [c.value for c in steps[1]]
    assert header[:9] == [
        "Draft",
        "Judul",
        "SOP",
        "No",
        "Langkah",
        "Pemegang",
        "Masuk (WIB)",
        "Batas waktu (WIB)",
        "Selesai (WIB)",
    ]
    (acting,) = [
        [c.value for c in row] for row in steps.iter_rows(min_row=2) if row[0].value == 4
    ][4:5]
    assert acting[:6] == [4, "Renja BAPPEDA", RENJA, 5, "5", "Dewi Plh (Plh. Kepala Badan)"]
    # Tuesday 7 July 2026, 11:43 to 11:58 WIB: naive wall-clock times, as Excel keeps them.
    assert acting[6:9] == [
        wall(2026, 7, 7, 11, 43),
        wall(2026, 7, 7, 11, 53),
        wall(2026, 7, 7, 11, 58),
    ]
    assert acting[9:] == [15, 10, "10 menit", False, "selesai", 0]
    entered = steps.cell(row=2, column=7)
    assert isinstance(entered.value, datetime) and entered.number_format == "dd/mm/yyyy hh:mm"
    open_row = [c.value for c in steps[steps.max_row]]
    assert open_row[8:10] == [None, None] and open_row[13] == "berjalan"

    trail = book["Jejak"]
    signed = [
        [c.value for c in row]
        for row in trail.iter_rows(min_row=2)
        if row[8].value == "menyetujui & menandatangani" and row[0].value == 4
    ]
    assert signed == [
        [
            4,
            RENJA,
            wall(2026, 7, 7, 11, 58),
            5,
            "5",
            "Keputusan Kepala Badan",
            "Dewi Plh",
            "Plh. Kepala Badan",
            "menyetujui & menandatangani",
            None,
            None,
            None,
            None,
        ]
    ]
    assert isinstance(trail.cell(row=2, column=3).value, datetime)
    returned = [row[10].value for row in trail.iter_rows(min_row=2) if row[0].value == 3]
    assert "Lengkapi indikator kinerja per program" in returned


def test_notes_that_look_like_formulas_stay_text_and_control_characters_go(
    office_year: Services,
) -> None:
    report = reports.build(office_year, sop_id=RENJA, period=parse_period("2026-01"))
    line = report.trail[0]
    forged = TrailLine(**{**dataclasses.asdict(line), "note": '=HYPERLINK("x")\x07 catatan'})
    report = dataclasses.replace(report, trail=(forged, *report.trail[1:]))
    book = load_workbook(io.BytesIO(report_files.workbook_xlsx(report, WIB)))
    note = book["Jejak"].cell(row=2, column=11)
    assert (note.value, note.data_type) == ('=HYPERLINK("x") catatan', "s")


def test_the_chart_of_two_sops_has_a_panel_each(
    services: Services, clock: FakeClock, organisation: Organisation
) -> None:
    demo_sop = load_sop(ROOT / "bot" / "demo_sop.yaml", organisation=organisation)
    both = dataclasses.replace(services, sops={**services.sops, demo_sop.id: demo_sop})
    register_officials(both)
    drafts.start_draft(both, telegram_id=KASUBBAG, title="Renja 2027", sop_id=RENJA)
    drafts.start_draft(both, telegram_id=KASUBBAG, title="Monev III", sop_id=demo_sop.id)
    clock.advance(minutes=30)
    for action in (Upload("laporan_monev"), Submit()):
        new = new_file("monev.pdf") if isinstance(action, Upload) else None
        drafts.act(both, telegram_id=KASUBBAG, draft_id=2, action=action, new_file=new)
    clock.advance(minutes=20)
    drafts.act(both, telegram_id=SEKRETARIS, draft_id=2, action=Approve())

    report = reports.build(both, sop_id=None, period=year_period(2026))
    assert [key for key, _ in report.sops] == ["demo-laporan-monev", RENJA]
    assert [(line.sop_id, line.row_label) for line in report.rows] == [
        ("demo-laporan-monev", "1"),
        ("demo-laporan-monev", "2"),
    ]
    # A row of days: its standard is the working minutes of that day (Monday 08:30 to
    # Tuesday 08:30), 450; it took 20.
    assert report.rows[1].stats.standard == 450
    assert report_files.file_stem(report) == "laporan-semua-2026"
    text = plain_text(texts.report_message(report, WIB))
    assert "📊 Laporan kinerja — 2 SOP" in text
    assert "• L2 (1 hari ≈ 450 menit): median 20 · p90 20 — 1 dari 1 tepat waktu (100%)" in text
    width, height = check_png(report_files.chart_png(report, WIB))
    assert width > height
    only_demo = reports.build(both, sop_id="demo-laporan-monev", period=year_period(2026))
    assert only_demo.sops == (("demo-laporan-monev", "LAPORAN MONEV TRIWULAN (CONTOH DEMO)"),)


def test_the_period_is_counted_in_the_office_time_zone(
    services: Services, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 12, 1, 8, 0, tzinfo=WIB)
    register_officials(services)
    clock.now = datetime(2026, 12, 31, 23, 30, tzinfo=WIB)  # 16:30 UTC
    drafts.start_draft(services, telegram_id=KASUBBAG, title="Renja 2027 (malam)")
    clock.now = datetime(2027, 1, 1, 0, 30, tzinfo=WIB)  # 31 Desember 17:30 UTC
    drafts.start_draft(services, telegram_id=KASUBBAG, title="Renja 2028 (malam)")
    first = reports.build(services, sop_id=RENJA, period=year_period(2026))
    second = reports.build(services, sop_id=RENJA, period=year_period(2027))
    assert [e.draft_title for e in first.entries] == ["Renja 2027 (malam)"]
    assert [e.draft_title for e in second.entries] == ["Renja 2028 (malam)"]


# Who may ask, and what -----------------------------------------------------------------------


def test_a_kasubbag_is_refused_and_nothing_is_written(office_year: Services) -> None:
    before = last_row(office_year)
    with pytest.raises(InvalidInput) as refused:
        reports.request(office_year, telegram_id=KASUBBAG, chat_id=KASUBBAG, args=["2026"])
    assert str(refused.value) == (
        "Laporan kinerja hanya untuk Kepala Badan dan Sekretaris (termasuk Plh./Plt.) serta "
        "admin. Tidak ada yang berubah."
    )
    assert outbox_after(office_year, before) == []
    assert not reports.may_report(office_year, telegram_id=KASUBBAG)
    with pytest.raises(NotRegistered):
        reports.request(office_year, telegram_id=STRANGER, chat_id=STRANGER, args=[])


def test_the_sekretaris_an_administrator_and_a_plh_in_office_may(
    office_year: Services, year: Year
) -> None:
    assert reports.may_report(office_year, telegram_id=SEKRETARIS)
    assert reports.may_report(office_year, telegram_id=KEPALA)
    assert reports.may_report(office_year, telegram_id=ADMIN)  # not registered as an official
    before = last_row(office_year)
    reports.request(office_year, telegram_id=ADMIN, chat_id=ADMIN, args=["renja", "2026-05"])
    assert [row.kind for row in outbox_after(office_year, before)] == [
        "pesan",
        "dokumen",
        "dokumen",
    ]
    # Dewi is Plh. Kepala Badan from 1 to 10 July, and only then.
    assert not reports.may_report(office_year, telegram_id=PLH)
    year.clock.now = datetime(2026, 7, 8, 9, 0, tzinfo=WIB)
    assert reports.may_report(office_year, telegram_id=PLH)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["2026-13"], "Periode “2026-13”: bulan 13 tidak ada (1 sampai 12)."),
        (["2026-06-30..2026-01-01"], "tanggal awal 30-06-2026 sesudah tanggal akhir"),
        (["2026/03"], "Periode “2026/03” tidak dapat dibaca. Tulis misalnya 2026, 2026-03"),
        (["kemarin"], "SOP 'kemarin' tidak ada. Pilihan: menyusun-rencana-kerja (renja). Periode"),
        (["cuti"], "SOP 'cuti' tidak ada. Pilihan: menyusun-rencana-kerja (renja)."),
        (["renja", "renja_baru"], "Cara pakai: /laporan [sop] [periode]"),
        (["2026", "2027"], "Cara pakai: /laporan [sop] [periode]"),
        (["renja", "2026", "lagi"], "Cara pakai: /laporan [sop] [periode]"),
    ],
)
def test_arguments_that_cannot_be_read_are_refused_and_nothing_is_written(
    office_year: Services, args: list[str], says: str
) -> None:
    before = last_row(office_year)
    with pytest.raises(InvalidInput) as refused:
        reports.request(office_year, telegram_id=KEPALA, chat_id=KEPALA, args=args)
    assert says in str(refused.value)
    assert outbox_after(office_year, before) == []


@pytest.mark.parametrize(
    "written",
    ["menyusun-rencana-kerja", "MENYUSUN-RENCANA-KERJA", "renja", "renja_baru", "/renja_baru"],
)
def test_an_sop_by_its_id_or_its_own_command(office_year: Services, written: str) -> None:
    assert reports.read_args(office_year, [written]) == (RENJA, year_period(2026))
    assert reports.read_args(office_year, ["2025", written]) == (RENJA, year_period(2025))


def test_an_empty_period_answers_with_the_text_alone(office_year: Services) -> None:
    before = last_row(office_year)
    reports.request(office_year, telegram_id=KEPALA, chat_id=KEPALA, args=["2025"])
    (only,) = outbox_after(office_year, before)
    assert "Belum ada draft yang dimulai pada periode ini." in only.payload["text"]


# A draft's own time, when it is signed -------------------------------------------------------


def test_the_kasubbag_receives_each_drafts_time_row_by_row_when_it_is_signed(
    office_year: Services,
) -> None:
    summaries = [
        row.payload["text"]
        for row in outbox_after(office_year, 0)
        if row.chat_id == KASUBBAG and "Ringkasan waktu" in row.payload.get("text", "")
    ]
    assert len(summaries) == 5  # drafts 1 to 5; the sixth is still open
    (third,) = [text for text in summaries if "(#3)" in text]
    assert plain_text(third).splitlines() == [
        "⏱ Ringkasan waktu Renja BAPPEDA (#3)",
        "SOP MENYUSUN RENCANA KERJA — ditandatangani oleh Eka Kepala Badan.",
        "Jumlah: 276 menit kerja dari mutu baku 230 menit — lewat 46 menit.",
        "• L1 (60 menit): 60 menit kerja",
        "• L2 (120 menit): 110 menit kerja",
        "• L3 (30 menit): 65 menit kerja, 2 kali — lewat 35 menit",
        "• L4 (10 menit): 15 menit kerja, 2 kali — lewat 5 menit",
        "• L5 (10 menit): 26 menit kerja, 2 kali — lewat 16 menit",
        "Waktu menunggu rapat tidak dihitung.",
    ]
    (first,) = [text for text in summaries if "(#1)" in text]
    assert "Jumlah: 193 menit kerja dari mutu baku 230 menit — dalam mutu baku." in first
    (fourth,) = [text for text in summaries if "(#4)" in text]
    assert "ditandatangani oleh Dewi Plh." in fourth


def test_a_drafts_time_goes_to_who_holds_its_first_step_when_its_starter_left(
    services: Services, clock: FakeClock, organisation: Organisation
) -> None:
    demo_sop = load_sop(ROOT / "bot" / "demo_sop.yaml", organisation=organisation)
    monev = dataclasses.replace(services, sops={demo_sop.id: demo_sop})
    register_officials(monev)
    drafts.start_draft(monev, telegram_id=KASUBBAG, title="Monev III")
    drafts.act(
        monev,
        telegram_id=KASUBBAG,
        draft_id=1,
        action=Upload("laporan_monev"),
        new_file=new_file("monev.pdf"),
    )
    drafts.act(monev, telegram_id=KASUBBAG, draft_id=1, action=Submit())
    with monev.session() as session:  # Rina leaves the office; Sari takes her position
        rina = session.exec(select(Official).where(Official.telegram_id == KASUBBAG)).one()
        rina.active = False
        session.add(rina)
        session.commit()
    officials.register_official(monev, telegram_id=110, name="Sari", position="kasubbag_renja")
    before = last_row(monev)
    clock.advance(minutes=45)
    drafts.act(monev, telegram_id=SEKRETARIS, draft_id=1, action=Approve())
    (summary,) = [
        row
        for row in outbox_after(monev, before)
        if "Ringkasan waktu" in row.payload.get("text", "")
    ]
    assert summary.chat_id == 110
    assert "• L2 (1 hari ≈ 450 menit): 45 menit kerja" in plain_text(summary.payload["text"])


def test_the_reporting_positions_are_a_setting_checked_against_the_office(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'renja.db'}"
    written = "sekretaris; kepala_badan"
    settings = Settings(_env_file=None, database_url=url, report_positions=written)
    assert settings.report_positions == ["sekretaris", "kepala_badan"]
    assert build_services(settings).report_positions == {"sekretaris", "kepala_badan"}
    assert Settings(_env_file=None).report_positions == ["kepala_badan", "sekretaris"]
    wrong = Settings(_env_file=None, database_url=url, report_positions="kepala_badan,camat")
    with pytest.raises(ConfigError) as refused:
        build_services(wrong)
    assert "REPORT_POSITIONS: jabatan camat tidak ada di organisasi kantor" in str(refused.value)
