"""The figures of a performance report: pure statistics over working minutes, and periods.

No database and no Telegram: plain numbers in, plain numbers out.

Methods, as the report states them:

- **median**: the middle value of the sorted minutes; of an even count, the mean of the two
  middle values (so it may end in ,5).
- **p90** (90th percentile): by the *nearest rank*: sorted ascending, the value at rank
  ⌈0,9 · n⌉ (counted from 1). It is always a value that was observed: of 1 to 10 entries,
  the largest; of 11 to 20, the second largest; and so on.
- **on time**: an entry whose working minutes are at most its own standard (the standard
  the row had when the draft entered it); the share on time is on-time entries over all
  entries that have left the row.
"""

from __future__ import annotations

import calendar as month_calendar
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

P90 = 90

FIRST_YEAR = 2000
LAST_YEAR = 2100
"""Periods outside these years are refused as typing slips."""

PERIOD_EXAMPLES = "2026, 2026-03 atau 2026-01-01..2026-06-30"


def median(values: Sequence[int]) -> float:
    """The median of the values (the mean of the two middle ones for an even count)."""
    if not values:
        raise ValueError("median of no values")
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: Sequence[int], p: int) -> int:
    """The p-th percentile by nearest rank: the value at rank ⌈p/100 · n⌉ of the sorted
    values (1-based). An observed value, never an interpolation."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 < p <= 100:
        raise ValueError("p must be in (0, 100]")
    ordered = sorted(values)
    rank = math.ceil(p * len(ordered) / 100)
    return ordered[rank - 1]


def share(part: int, whole: int) -> float:
    """part / whole, 0 for nothing."""
    return part / whole if whole else 0.0


# Rows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One finished row entry: the working minutes it used, against its own standard."""

    sop_id: str
    row_no: int
    minutes: int
    standard: int

    @property
    def on_time(self) -> bool:
        return self.minutes <= self.standard


@dataclass(frozen=True)
class RowStats:
    """The figures of one SOP row over the entries of a period."""

    sop_id: str
    row_no: int
    count: int
    median: float
    p90: int
    standard: int
    """The row's standard in working minutes: the median (nearest rank) of its entries'
    standards; for rows in minutes and hours the one value they all share."""
    on_time: int

    @property
    def share_on_time(self) -> float:
        return share(self.on_time, self.count)

    @property
    def median_ratio(self) -> float:
        """The median against the standard (1.0: exactly the standard)."""
        return self.median / self.standard if self.standard else math.inf


def row_stats(samples: Iterable[Sample]) -> list[RowStats]:
    """The figures of every row that has samples, by SOP then row."""
    grouped: dict[tuple[str, int], list[Sample]] = defaultdict(list)
    for sample in samples:
        grouped[(sample.sop_id, sample.row_no)].append(sample)
    found: list[RowStats] = []
    for (sop_id, row_no), group in sorted(grouped.items()):
        minutes = [s.minutes for s in group]
        found.append(
            RowStats(
                sop_id=sop_id,
                row_no=row_no,
                count=len(group),
                median=median(minutes),
                p90=percentile(minutes, P90),
                standard=percentile([s.standard for s in group], 50),
                on_time=sum(s.on_time for s in group),
            )
        )
    return found


def slowest_rows(stats: Iterable[RowStats], limit: int = 3) -> list[RowStats]:
    """The rows whose median is furthest over (or least under) their standard, relative to
    it: slowest first."""
    return sorted(stats, key=lambda s: (-s.median_ratio, -s.p90, s.sop_id, s.row_no))[:limit]


# Positions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    """One position's turn at a task: from the task's opening to its holder's action."""

    position: str
    minutes: int


@dataclass(frozen=True)
class PositionStats:
    position: str
    count: int
    median: float
    total: int


def position_stats(turns: Iterable[Turn]) -> list[PositionStats]:
    """Each position's turns: how many, their median and total working minutes; slowest
    (by median, then total) first."""
    grouped: dict[str, list[int]] = defaultdict(list)
    for turn in turns:
        grouped[turn.position].append(turn.minutes)
    found = [
        PositionStats(position, len(minutes), median(minutes), sum(minutes))
        for position, minutes in grouped.items()
    ]
    return sorted(found, key=lambda s: (-s.median, -s.total, s.position))


# One draft --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowUse:
    """The working minutes one draft spent in one row, against the row's standard."""

    row_no: int
    minutes: int | None
    """Every entry's minutes added up; None when the draft never entered the row."""
    entries: int
    standard: int | None
    """The row's standard in working minutes (its first entry's); None when unknown."""

    @property
    def over(self) -> int:
        """Working minutes over the standard (0 when within it, or unknown)."""
        if self.minutes is None or self.standard is None:
            return 0
        return max(0, self.minutes - self.standard)


@dataclass(frozen=True)
class DraftTime:
    rows: tuple[RowUse, ...]

    @property
    def minutes(self) -> int:
        return sum(row.minutes or 0 for row in self.rows)

    @property
    def standard(self) -> int:
        return sum(row.standard or 0 for row in self.rows)


def draft_time(
    standards: Sequence[tuple[int, int | None]], entries: Iterable[tuple[int, int, int]]
) -> DraftTime:
    """A draft's working minutes row by row.

    `standards`: every row of the SOP in order, (row, standard minutes when the SOP gives
    a fixed number, else None); `entries`: the draft's finished row entries in order,
    (row, minutes used, the entry's standard).
    """
    used: dict[int, int] = defaultdict(int)
    count: dict[int, int] = defaultdict(int)
    first: dict[int, int] = {}
    for row_no, minutes, standard in entries:
        used[row_no] += minutes
        count[row_no] += 1
        first.setdefault(row_no, standard)
    rows = tuple(
        RowUse(
            row_no=row_no,
            minutes=used[row_no] if count[row_no] else None,
            entries=count[row_no],
            standard=first.get(row_no, fixed),
        )
        for row_no, fixed in standards
    )
    return DraftTime(rows)


# Periods ----------------------------------------------------------------------------------


class PeriodError(ValueError):
    """A period that cannot be read; the message says how to write one (Indonesian)."""


@dataclass(frozen=True)
class Period:
    """Whole days, both ends included."""

    start: date
    end: date

    @property
    def label(self) -> str:
        """'2026', '2026-03', '2026-03-15' or '2026-01-01..2026-06-30' (for file names)."""
        if self.start == self.end:
            return self.start.isoformat()
        if self.start == date(self.start.year, 1, 1) and self.end == date(self.start.year, 12, 31):
            return str(self.start.year)
        last = month_calendar.monthrange(self.start.year, self.start.month)[1]
        if (
            self.start.day == 1
            and self.end == self.start.replace(day=last)
            and self.start.month == self.end.month
        ):
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


_YEAR = re.compile(r"^(\d{4})$", re.ASCII)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
"""ASCII digits only: '٢٠٢٦' is not read as a year."""


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31))


def parse_period(text: str) -> Period:
    """'2026' (a year), '2026-03' (a month), '2026-03-15' (a day), or two of these joined
    by '..' (from the first one's start to the second one's end)."""
    written = text.strip()
    if ".." in written:
        first, _, second = written.partition("..")
        start = _part(first.strip(), written).start
        end = _part(second.strip(), written).end
        if start > end:
            raise PeriodError(
                f"Periode “{written}”: tanggal awal {start:%d-%m-%Y} sesudah tanggal akhir "
                f"{end:%d-%m-%Y}."
            )
        return Period(start, end)
    return _part(written, written)


def _part(part: str, whole: str) -> Period:
    try:
        if found := _YEAR.match(part):
            year = _year(int(found.group(1)), whole)
            return year_period(year)
        if found := _MONTH.match(part):
            year, month = _year(int(found.group(1)), whole), int(found.group(2))
            if not 1 <= month <= 12:
                raise PeriodError(f"Periode “{whole}”: bulan {month} tidak ada (1 sampai 12).")
            last = month_calendar.monthrange(year, month)[1]
            return Period(date(year, month, 1), date(year, month, last))
        if found := _DAY.match(part):
            year = _year(int(found.group(1)), whole)
            day = date(year, int(found.group(2)), int(found.group(3)))
            return Period(day, day)
    except PeriodError:
        raise
    except ValueError:
        raise PeriodError(f"Periode “{whole}”: tanggal {part} tidak ada.") from None
    raise PeriodError(f"Periode “{whole}” tidak dapat dibaca. Tulis misalnya {PERIOD_EXAMPLES}.")


def _year(year: int, whole: str) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(f"Periode “{whole}”: tahun {year} di luar {FIRST_YEAR}–{LAST_YEAR}.")
    return year
