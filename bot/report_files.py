"""A performance report as files: its chart (PNG, matplotlib's Agg canvas, no pyplot) and its
workbook (XLSX, openpyxl) with the sheets Ringkasan, Langkah and Jejak.

In the workbook every time is a real Excel date-time in the office's time zone (Excel keeps
no zone: the cells hold the local wall time, and the headers say WIB), numbers are numbers
(ints as ints), the header row is frozen and every sheet has an auto filter over its data.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot import texts
from bot.usecases.report_views import ReportView, RowLine

DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
PERCENT_FORMAT = "0%"
DECIMAL_FORMAT = "0.0"

ON_TIME = "#2e7d32"
LATE = "#ef6c00"
STANDARD = "#c62828"
SPREAD = "#37474f"
DPI = 120
WIDTH_INCHES = 11.0


def file_stem(report: ReportView) -> str:
    """'laporan-menyusun-rencana-kerja-2026', 'laporan-semua-2026-01-01_2026-06-30'."""
    label = report.period.label.replace("..", "_")
    return f"laporan-{report.sop_id or 'semua'}-{label}"


# The chart ----------------------------------------------------------------------------------


def chart_png(report: ReportView, tz: ZoneInfo) -> bytes:
    """Each row's working minutes against its standard, one panel per SOP: a bar to the
    median (green within the standard, orange over it) and a line on to the 90th
    percentile, in percent of the row's standard (the red line), with the minutes and the
    share on time written beside."""
    panels = [
        (title, [line for line in report.rows if line.sop_id == sop_id])
        for sop_id, title in report.sops
    ]
    panels = [(title, lines) for title, lines in panels if lines]
    heights = [1.3 + 0.62 * len(lines) for _, lines in panels] or [2.0]
    figure = Figure(figsize=(WIDTH_INCHES, sum(heights) + 1.2), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.suptitle(
        f"Waktu kerja per langkah terhadap mutu baku — {texts.report_title(report)}\n"
        f"{texts.period_text(report.period)} · dibuat {texts.when_text(report.made_at, tz)}",
        fontsize=11,
    )
    if not panels:
        axes = figure.add_subplot(1, 1, 1)
        axes.set_axis_off()
        axes.text(0.5, 0.5, "Belum ada langkah yang selesai.", ha="center", va="center")
    else:
        grid = figure.add_gridspec(len(panels), 1, height_ratios=heights, hspace=0.55)
        for index, (title, lines) in enumerate(panels):
            _panel(figure.add_subplot(grid[index, 0]), title, lines)
        figure.legend(
            handles=[
                Patch(color=ON_TIME, label="median dalam mutu baku"),
                Patch(color=LATE, label="median melewati mutu baku"),
                Line2D([], [], color=SPREAD, marker="|", markersize=10, label="sampai p90"),
                Line2D([], [], color=STANDARD, linewidth=2.5, label="mutu baku (100%)"),
            ],
            loc="lower center",
            ncol=4,
            frameon=False,
            fontsize=9,
        )
    figure.subplots_adjust(left=0.24, right=0.97, top=1 - 0.85 / figure.get_figheight())
    figure.subplots_adjust(bottom=0.75 / figure.get_figheight())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _panel(axes: Any, title: str, lines: Sequence[RowLine]) -> None:
    """One SOP's rows, each in percent of its own standard (rows of 10 minutes and of
    5 days side by side), with the minutes written beside."""
    places = list(range(len(lines)))
    medians = [_percent(line.stats.median, line) for line in lines]
    colours = [ON_TIME if line.stats.median <= line.stats.standard else LATE for line in lines]
    axes.barh(places, medians, height=0.55, color=colours, zorder=2)
    for place, line in zip(places, lines, strict=True):
        axes.plot(
            [_percent(line.stats.median, line), _percent(line.stats.p90, line)],
            [place, place],
            color=SPREAD,
            linewidth=1.5,
            marker="|",
            markevery=[1],
            markersize=10,
            zorder=3,
        )
    axes.axvline(100, color=STANDARD, linewidth=2.5, zorder=4)
    widest = max(100.0, *(_percent(line.stats.p90, line) for line in lines))
    for place, line in zip(places, lines, strict=True):
        stats = line.stats
        right = max(100.0, _percent(stats.p90, line), _percent(stats.median, line))
        axes.text(
            right + widest * 0.02,
            place,
            f"median {texts.decimal_text(stats.median)} · p90 {stats.p90} / {stats.standard} "
            f"menit\n{texts.percent_text(stats.share_on_time)} tepat waktu "
            f"({stats.on_time} dari {stats.count})",
            va="center",
            fontsize=8,
        )
    axes.set_xlim(0, widest * 1.6)
    axes.set_yticks(places)
    axes.set_yticklabels(
        [
            f"L{line.row_label} ({line.standard_text})\n{_short(line.activity, 34)}"
            for line in lines
        ],
        fontsize=8,
    )
    axes.invert_yaxis()
    axes.set_title(title, fontsize=10, loc="left")
    axes.set_xlabel("% dari mutu baku (menit kerja terpakai ÷ mutu baku langkah)", fontsize=8)
    axes.xaxis.set_major_formatter(lambda value, _: f"{value:.0f}%")
    axes.tick_params(axis="x", labelsize=8)
    axes.grid(axis="x", color="#dddddd", zorder=0)


def _percent(minutes: float, line: RowLine) -> float:
    return 100 * minutes / line.stats.standard if line.stats.standard else 0.0


def _short(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# The workbook -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    width: float
    number_format: str | None = None


RINGKASAN = (
    Column("SOP", 28),
    Column("No", 6),
    Column("Langkah", 9),
    Column("Aktivitas", 48),
    Column("Jumlah", 9),
    Column("Median (menit kerja)", 12, DECIMAL_FORMAT),
    Column("P90 (menit kerja)", 12),
    Column("Mutu baku (menit kerja)", 12),
    Column("Waktu SOP", 12),
    Column("Tepat waktu", 11),
    Column("Persen tepat waktu", 12, PERCENT_FORMAT),
)
LANGKAH = (
    Column("Draft", 7),
    Column("Judul", 30),
    Column("SOP", 24),
    Column("No", 6),
    Column("Langkah", 9),
    Column("Pemegang", 40),
    Column("Masuk (WIB)", 17, DATETIME_FORMAT),
    Column("Batas waktu (WIB)", 17, DATETIME_FORMAT),
    Column("Selesai (WIB)", 17, DATETIME_FORMAT),
    Column("Menit kerja", 11),
    Column("Mutu baku (menit kerja)", 12),
    Column("Waktu SOP", 12),
    Column("Tepat waktu", 11),
    Column("Hasil", 13),
    Column("Menunggu rapat (menit kerja)", 14),
)
JEJAK = (
    Column("Draft", 7),
    Column("SOP", 24),
    Column("Waktu (WIB)", 17, DATETIME_FORMAT),
    Column("No", 6),
    Column("Langkah", 9),
    Column("Tugas", 32),
    Column("Pejabat", 24),
    Column("Jabatan", 28),
    Column("Tindakan", 26),
    Column("Pilihan", 18),
    Column("Catatan", 40),
    Column("Dokumen", 40),
    Column("Atas nama", 20),
)


def workbook_xlsx(report: ReportView, tz: ZoneInfo) -> bytes:
    """The report's workbook: Ringkasan (per row), Langkah (every row entry), Jejak (the
    whole audit trail of the report's drafts)."""

    def local(moment: datetime | None) -> datetime | None:
        # Excel has no time zones: the office's wall time, as its people read it.
        if moment is None:
            return None
        return moment.astimezone(tz).replace(tzinfo=None, microsecond=0)

    # Write-only: rows are streamed to the file, so a year of trail stays cheap.
    book = Workbook(write_only=True)
    _fill(
        book.create_sheet("Ringkasan"),
        RINGKASAN,
        (
            [
                line.sop_title,
                line.stats.row_no,
                line.row_label,
                line.activity,
                line.stats.count,
                float(line.stats.median),
                line.stats.p90,
                line.stats.standard,
                line.standard_text,
                line.stats.on_time,
                line.stats.share_on_time,
            ]
            for line in report.rows
        ),
    )
    _fill(
        book.create_sheet("Langkah"),
        LANGKAH,
        (
            [
                entry.draft_id,
                entry.draft_title,
                entry.sop_id,
                entry.row_no,
                entry.row_label,
                entry.holders,
                local(entry.entered_at),
                local(entry.due_at),
                local(entry.left_at),
                entry.minutes,
                entry.standard,
                entry.standard_text,
                entry.on_time,
                entry.result,
                entry.waited,
            ]
            for entry in report.entries
        ),
    )
    _fill(
        book.create_sheet("Jejak"),
        JEJAK,
        (
            [
                line.draft_id,
                line.sop_id,
                local(line.at),
                line.row_no,
                line.row_label,
                line.task_title,
                line.actor,
                line.position,
                line.action,
                line.choice,
                line.note,
                line.document,
                line.on_behalf_of,
            ]
            for line in report.trail
        ),
    )
    book.properties.creator = "Renja Bot"
    book.properties.title = f"Laporan kinerja — {texts.report_title(report)}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center")


def _fill(sheet: WriteOnlyWorksheet, columns: Sequence[Column], rows: Iterable[list[Any]]) -> None:
    """The header, the rows (typed as they are), each column's format and width, the
    header frozen and an auto filter over the whole table."""
    # Set before the first row, which writes them. A write-only sheet has a Worksheet's
    # column_dimensions and auto_filter (Worksheet._setup) that its stubs leave out.
    layout: Any = sheet
    sheet.freeze_panes = "A2"
    for number, column in enumerate(columns, 1):
        layout.column_dimensions[get_column_letter(number)].width = column.width
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.name)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGNMENT
        header.append(cell)
    sheet.append(header)
    count = 0
    for values in rows:
        sheet.append(
            [_cell(sheet, column, value) for column, value in zip(columns, values, strict=True)]
        )
        count += 1
    layout.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"


def _cell(sheet: WriteOnlyWorksheet, column: Column, value: Any) -> Cell | Any:
    """A value as its column types it: a date-time or a share with its number format, a
    text without the control characters an XLSX cannot hold (a note may carry them), and
    one that starts with '=' kept as text, never read as a formula."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
    if column.number_format is None or value is None:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = column.number_format
    return cell
