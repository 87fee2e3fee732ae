"""The office's working calendar: which minutes count against an SOP row's time standard.

The Waktu (time standard) of an SOP row is measured in *working minutes*. This module knows
the office's weekly hours, national holidays and cuti bersama (from the ``holidays``
package), the office's own extra holidays and extra working days, and Ramadan hours; and it
does working-time arithmetic on timezone-aware datetimes.

Pure code: nothing here does I/O at import time. The calendar file is read only by
:func:`load_calendar_config`, which takes an explicit path.

Built-in defaults (Perpres 21/2023, Keppres 68/1995, Pergub Kalbar 1/2013; 37.5 hours a
week, five working days):

* Senin–Kamis 07:30–16:00, istirahat 12:00–13:00 (7.5 h a day);
* Jumat 07:30–16:30, istirahat 11:30–13:00 (7.5 h);
* Sabtu, Minggu: libur.

Ramadan defaults (the hours KemenPAN-RB has set every year since 2018 for five-day offices,
now Perpres 21/2023; 32.5 hours a week):

* Senin–Kamis 08:00–15:00, istirahat 12:00–12:30 (6.5 h);
* Jumat 08:00–15:30, istirahat 11:30–12:30 (6.5 h);
* Sabtu, Minggu: libur.

Which hours apply to a date, highest priority first:

1. mode ``24_jam``: the whole day, every day;
2. ``hari_kerja_tambahan``: its own hours, or else the Monday hours of the schedule in force
   (Ramadan or regular) — this overrides weekends and holidays;
3. ``libur_tambahan`` and (when ``hari_libur_nasional`` is on) national holidays and cuti
   bersama: no hours;
4. a ``ramadan`` period: that period's weekly hours;
5. the regular weekly hours ``jam_kerja``.

Working intervals are half-open: ``[start, end)``. A due time can therefore be the end of an
interval (Monday 15:00 + 60 working minutes is Monday 16:00), and that moment is not itself
working time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from workflow.validation import message as indonesian

__all__ = [
    "DEFAULT_TIMEZONE",
    "WEEKDAY_KEYS",
    "CalendarConfig",
    "CalendarConfigError",
    "ExtraHoliday",
    "ExtraWorkingDay",
    "OfficeCalendar",
    "RamadanHours",
    "RamadanPeriod",
    "WeeklyHours",
    "load_calendar_config",
]

DEFAULT_TIMEZONE = "Asia/Pontianak"

#: Config keys of the weekdays, index = ``date.weekday()`` (Monday = 0).
WEEKDAY_KEYS: tuple[str, ...] = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")

_HOLIDAY_COUNTRY = "ID"
_HOLIDAY_CATEGORIES = ("public", "government")  # "government" holds cuti bersama
_HOLIDAY_LANGUAGE = "id"

#: A calendar with no working minute for this many consecutive days is treated as broken.
_MAX_IDLE_DAYS = 3660
#: Ramadan lasts 29 or 30 days; a longer period is almost surely a typo (e.g. a wrong year).
_MAX_RAMADAN_DAYS = 31

_INTERVAL_RE = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})\s*$")

_MINUTE = timedelta(minutes=1)


# --------------------------------------------------------------------------------------------
# Configuration model
# --------------------------------------------------------------------------------------------


def _parse_interval(text: str) -> tuple[int, int]:
    """``"07:30-12:00"`` → ``(450, 720)`` (minutes after midnight). ``24:00`` may end it."""
    m = _INTERVAL_RE.match(text)
    if m is None:
        raise ValueError(
            f"format jam harus 'HH:MM-HH:MM', mis. '07:30-12:00' "
            f"(expected 'HH:MM-HH:MM'); diberikan: {text!r}"
        )
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2 != 0):
        raise ValueError(f"jam tidak valid (invalid time of day): {text!r}")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end <= start:
        raise ValueError(
            f"jam selesai harus setelah jam mulai (end must be after start): {text!r}"
        )
    return start, end


def _format_interval(start: int, end: int) -> str:
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def _normalize_interval(text: str) -> str:
    return _format_interval(*_parse_interval(text))


#: One working interval of a day, written ``"HH:MM-HH:MM"`` (``"07.30-12.00"`` is accepted too).
Interval = Annotated[str, AfterValidator(_normalize_interval)]


def _check_day(intervals: list[str]) -> list[str]:
    """Sort a day's intervals and reject overlaps."""
    ordered = sorted(intervals, key=_parse_interval)
    for before, after in pairwise(ordered):
        if _parse_interval(after)[0] < _parse_interval(before)[1]:
            raise ValueError(f"interval jam tumpang tindih (overlapping): {before} dan {after}")
    return ordered


DayHours = Annotated[list[Interval], AfterValidator(_check_day)]


class WeeklyHours(BaseModel):
    """Working intervals for each weekday; an empty list is a day off."""

    model_config = ConfigDict(extra="forbid")

    senin: DayHours = Field(default_factory=lambda: ["07:30-12:00", "13:00-16:00"])
    selasa: DayHours = Field(default_factory=lambda: ["07:30-12:00", "13:00-16:00"])
    rabu: DayHours = Field(default_factory=lambda: ["07:30-12:00", "13:00-16:00"])
    kamis: DayHours = Field(default_factory=lambda: ["07:30-12:00", "13:00-16:00"])
    jumat: DayHours = Field(default_factory=lambda: ["07:30-11:30", "13:00-16:30"])
    sabtu: DayHours = Field(default_factory=list)
    minggu: DayHours = Field(default_factory=list)

    def for_weekday(self, weekday: int) -> list[str]:
        """The intervals of a weekday (``0`` = Monday … ``6`` = Sunday)."""
        value: list[str] = getattr(self, WEEKDAY_KEYS[weekday])
        return value

    def minutes_per_week(self) -> int:
        return sum(
            end - start
            for weekday in range(7)
            for start, end in map(_parse_interval, self.for_weekday(weekday))
        )


class RamadanHours(WeeklyHours):
    """Weekly hours during Ramadan; the defaults are the national Ramadan hours."""

    senin: DayHours = Field(default_factory=lambda: ["08:00-12:00", "12:30-15:00"])
    selasa: DayHours = Field(default_factory=lambda: ["08:00-12:00", "12:30-15:00"])
    rabu: DayHours = Field(default_factory=lambda: ["08:00-12:00", "12:30-15:00"])
    kamis: DayHours = Field(default_factory=lambda: ["08:00-12:00", "12:30-15:00"])
    jumat: DayHours = Field(default_factory=lambda: ["08:00-11:30", "12:30-15:30"])
    sabtu: DayHours = Field(default_factory=list)
    minggu: DayHours = Field(default_factory=list)


class ExtraHoliday(BaseModel):
    """An office holiday not in the national list (e.g. a late cuti bersama, a local day)."""

    model_config = ConfigDict(extra="forbid")

    tanggal: date
    nama: str = Field(min_length=1)


class ExtraWorkingDay(BaseModel):
    """A day the office works although it is a weekend or holiday (e.g. a swapped day)."""

    model_config = ConfigDict(extra="forbid")

    tanggal: date
    #: Own hours; ``None`` = the Monday hours of the schedule in force that day.
    jam: DayHours | None = None
    keterangan: str | None = None

    @field_validator("jam")
    @classmethod
    def _not_empty(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not value:
            raise ValueError(
                "hari kerja tambahan harus punya jam kerja; hapus 'jam' untuk memakai jam "
                "hari Senin (an extra working day needs hours; omit 'jam' for Monday's)"
            )
        return value


class RamadanPeriod(BaseModel):
    """A Ramadan period (inclusive dates) with its own weekly hours."""

    model_config = ConfigDict(extra="forbid")

    mulai: date
    selesai: date
    jam_kerja: RamadanHours = Field(default_factory=RamadanHours)
    keterangan: str | None = None

    @model_validator(mode="after")
    def _check_range(self) -> Self:
        if self.selesai < self.mulai:
            raise ValueError(
                f"'selesai' ({self.selesai}) harus sama dengan atau setelah 'mulai' "
                f"({self.mulai}) ('selesai' must not be before 'mulai')"
            )
        days = (self.selesai - self.mulai).days + 1
        if days > _MAX_RAMADAN_DAYS:
            raise ValueError(
                f"periode Ramadan {self.mulai}..{self.selesai} terlalu panjang ({days} hari; "
                f"Ramadan 29-30 hari) — periksa tahunnya (period too long, check the year)"
            )
        return self

    def contains(self, d: date) -> bool:
        return self.mulai <= d <= self.selesai


class CalendarConfig(BaseModel):
    """The office calendar, as written in ``config/kalender.yaml``."""

    model_config = ConfigDict(extra="forbid")

    #: IANA time zone of the office; Kalimantan Barat is WIB (UTC+7).
    zona_waktu: str = DEFAULT_TIMEZONE
    #: ``jam_kerja``: office hours only. ``24_jam``: every minute of every day counts.
    mode: Literal["jam_kerja", "24_jam"] = "jam_kerja"
    jam_kerja: WeeklyHours = Field(default_factory=WeeklyHours)
    #: Use national holidays and cuti bersama from the ``holidays`` package.
    hari_libur_nasional: bool = True
    libur_tambahan: list[ExtraHoliday] = Field(default_factory=list)
    hari_kerja_tambahan: list[ExtraWorkingDay] = Field(default_factory=list)
    ramadan: list[RamadanPeriod] = Field(default_factory=list)

    @field_validator("zona_waktu")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"zona waktu tidak dikenal (unknown time zone): {value!r}; "
                f"contoh: 'Asia/Pontianak'"
            ) from None
        return value

    @field_validator("libur_tambahan")
    @classmethod
    def _unique_holidays(cls, value: list[ExtraHoliday]) -> list[ExtraHoliday]:
        _reject_duplicates([item.tanggal for item in value])
        return value

    @field_validator("hari_kerja_tambahan")
    @classmethod
    def _unique_working_days(cls, value: list[ExtraWorkingDay]) -> list[ExtraWorkingDay]:
        _reject_duplicates([item.tanggal for item in value])
        return value

    @field_validator("ramadan")
    @classmethod
    def _no_overlapping_ramadan(cls, value: list[RamadanPeriod]) -> list[RamadanPeriod]:
        ordered = sorted(value, key=lambda p: p.mulai)
        for before, after in pairwise(ordered):
            if after.mulai <= before.selesai:
                raise ValueError(
                    f"periode Ramadan tumpang tindih (overlapping periods): "
                    f"{before.mulai}..{before.selesai} dan {after.mulai}..{after.selesai}"
                )
        return ordered

    @model_validator(mode="after")
    def _check_consistency(self) -> Self:
        both = {h.tanggal for h in self.libur_tambahan} & {
            w.tanggal for w in self.hari_kerja_tambahan
        }
        if both:
            listed = ", ".join(str(d) for d in sorted(both))
            raise ValueError(
                f"libur_tambahan / hari_kerja_tambahan: tanggal {listed} ada di keduanya "
                f"(a date cannot be both an extra holiday and an extra working day)"
            )
        if self.mode == "jam_kerja" and self.jam_kerja.minutes_per_week() == 0:
            raise ValueError(
                "jam_kerja: tidak ada jam kerja sama sekali dalam seminggu "
                "(no working hours in the week); isi jam kerja atau pakai mode '24_jam'"
            )
        return self


def _reject_duplicates(dates: list[date]) -> None:
    seen: set[date] = set()
    for d in dates:
        if d in seen:
            raise ValueError(f"tanggal {d} tercantum dua kali (date listed twice)")
        seen.add(d)


class CalendarConfigError(ValueError):
    """The calendar file is missing or invalid; the message names the file and the field."""


_MESSAGES_ID = {
    "extra_forbidden": "kolom tidak dikenal (unknown field)",
    "missing": "wajib diisi (required field)",
    "date_from_datetime_parsing": "tanggal tidak valid, tulis YYYY-MM-DD (invalid date)",
    "date_parsing": "tanggal tidak valid, tulis YYYY-MM-DD (invalid date)",
    "date_type": "tanggal tidak valid, tulis YYYY-MM-DD (invalid date)",
    "bool_parsing": "harus true atau false (must be a boolean)",
    "bool_type": "harus true atau false (must be a boolean)",
    "list_type": "harus berupa daftar (must be a list)",
    "model_type": "harus berupa pemetaan kunci: nilai (must be a mapping)",
    "dict_type": "harus berupa pemetaan kunci: nilai (must be a mapping)",
}


def _describe(error: ErrorDetails) -> str:
    loc = ".".join(str(part) for part in error["loc"]) or "(akar berkas / file root)"
    kind = error["type"]
    if kind in _MESSAGES_ID:
        message = _MESSAGES_ID[kind]
    elif kind == "value_error":
        message = error["msg"].removeprefix("Value error, ")
    else:  # pydantic's own English must not reach the administrator
        message = "; ".join(indonesian(error))
    return f"  - {loc}: {message}"


def load_calendar_config(path: str | Path) -> CalendarConfig:
    """Read and validate a calendar file (YAML). An empty file gives the built-in defaults.

    Raises :class:`CalendarConfigError` whose message names the file and each bad field.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise CalendarConfigError(
            f"Berkas kalender {str(file)!r} tidak dapat dibaca (cannot read calendar file): "
            f"{exc.strerror or exc}"
        ) from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CalendarConfigError(
            f"Berkas kalender {str(file)!r} bukan YAML yang valid (invalid YAML): {exc}"
        ) from exc
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise CalendarConfigError(
            f"Berkas kalender {str(file)!r} tidak valid: isi berkas harus berupa pemetaan "
            f"kunci: nilai (the file must contain a mapping), bukan {type(raw).__name__}"
        )
    try:
        return CalendarConfig.model_validate(raw)
    except ValidationError as exc:
        details = "\n".join(_describe(err) for err in exc.errors())
        raise CalendarConfigError(
            f"Berkas kalender {str(file)!r} tidak valid (invalid calendar file):\n{details}"
        ) from exc


# --------------------------------------------------------------------------------------------
# Working-time arithmetic
# --------------------------------------------------------------------------------------------

_UtcInterval = tuple[datetime, datetime]


class OfficeCalendar:
    """Working-time arithmetic for one office. Every datetime must be timezone-aware.

    Results are returned in the office time zone. Per-day intervals are cached, so a calendar
    object should be built once and shared (rebuild it after changing the config).
    """

    def __init__(self, config: CalendarConfig | None = None) -> None:
        self._config = config if config is not None else CalendarConfig()
        self._tz = ZoneInfo(self._config.zona_waktu)
        self._extra_holidays = {h.tanggal: h.nama for h in self._config.libur_tambahan}
        self._extra_working = {w.tanggal: w for w in self._config.hari_kerja_tambahan}
        self._national: holidays.HolidayBase | None = None
        if self._config.hari_libur_nasional:
            languages = holidays.list_localized_countries().get(_HOLIDAY_COUNTRY, [])
            language = _HOLIDAY_LANGUAGE if _HOLIDAY_LANGUAGE in languages else None
            self._national = holidays.country_holidays(
                _HOLIDAY_COUNTRY, categories=_HOLIDAY_CATEGORIES, language=language
            )
        self._day_cache: dict[date, tuple[_UtcInterval, ...]] = {}

    # -- construction ----------------------------------------------------------------------

    @classmethod
    def default(cls) -> OfficeCalendar:
        """The built-in calendar: Asia/Pontianak, civil-service hours, national holidays."""
        return cls(CalendarConfig())

    @classmethod
    def twenty_four_hours(cls, tz: str | ZoneInfo = DEFAULT_TIMEZONE) -> OfficeCalendar:
        """A calendar where every minute counts (for tests, demos, round-the-clock offices)."""
        key = tz.key if isinstance(tz, ZoneInfo) else tz
        return cls(CalendarConfig(zona_waktu=key, mode="24_jam"))

    @classmethod
    def from_file(cls, path: str | Path) -> OfficeCalendar:
        """Load ``path`` with :func:`load_calendar_config` and build the calendar."""
        return cls(load_calendar_config(path))

    # -- properties ------------------------------------------------------------------------

    @property
    def config(self) -> CalendarConfig:
        return self._config

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    @property
    def is_24_hours(self) -> bool:
        return self._config.mode == "24_jam"

    # -- days ------------------------------------------------------------------------------

    def holiday_name(self, d: date) -> str | None:
        """The name of the office or national holiday (or cuti bersama) on ``d``.

        ``None`` when there is none, or when ``d`` is an extra working day. Names come from
        the ``holidays`` package in Indonesian; several holidays on one day are joined by
        ``"; "``. Independent of the mode (in ``24_jam`` mode holidays do not stop the clock).
        """
        if d in self._extra_working:
            return None
        names: list[str] = []
        if d in self._extra_holidays:
            names.append(self._extra_holidays[d])
        if self._national is not None:
            national = self._national.get(d)
            if national:
                names.extend(n for n in str(national).split("; ") if n not in names)
        return "; ".join(names) if names else None

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` has any working time."""
        return bool(self._utc_intervals(d))

    def working_intervals(self, d: date) -> list[tuple[datetime, datetime]]:
        """The half-open working intervals of ``d``, as aware datetimes in the office tz."""
        return [
            (s.astimezone(self._tz), e.astimezone(self._tz)) for s, e in self._utc_intervals(d)
        ]

    def working_minutes_on(self, d: date) -> int:
        """Total working minutes of the day ``d``."""
        return sum((e - s for s, e in self._utc_intervals(d)), timedelta()) // _MINUTE

    # -- instants --------------------------------------------------------------------------

    def is_working_time(self, dt: datetime) -> bool:
        """Whether the instant ``dt`` lies inside a working interval."""
        instant = self._to_utc(dt)
        day = instant.astimezone(self._tz).date()
        return any(s <= instant < e for s, e in self._utc_intervals(day))

    def next_working_moment(self, dt: datetime) -> datetime:
        """``dt`` itself if it is working time, else the start of the next working interval."""
        instant = self._to_utc(dt)
        for s, e in self._intervals_from(instant):
            if e > instant:
                return max(s, instant).astimezone(self._tz)
        raise AssertionError("unreachable")  # pragma: no cover - _intervals_from raises first

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """The instant at which ``minutes`` working minutes, counted from ``start``, run out.

        Counting starts at the next working moment when ``start`` is outside working time.
        The result may be the end of a working interval (Mon 15:00 + 60 → Mon 16:00).
        ``minutes == 0`` returns ``start`` (in the office tz).
        """
        if minutes < 0:
            raise ValueError(f"minutes must not be negative, got {minutes}")
        return self.add_working_time(start, timedelta(minutes=minutes))

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which ``duration`` of working time, counted from ``start``, runs
        out (as :meth:`add_working_minutes`, to the second: a row of "30 detik")."""
        if duration < timedelta():
            raise ValueError(f"duration must not be negative, got {duration}")
        instant = self._to_utc(start)
        if not duration:
            return instant.astimezone(self._tz)
        remaining = duration
        for s, e in self._intervals_from(instant):
            if e <= instant:
                continue
            begin = max(s, instant)
            available = e - begin  # both UTC: a true elapsed duration
            if remaining <= available:
                return (begin + remaining).astimezone(self._tz)
            remaining -= available
        raise AssertionError("unreachable")  # pragma: no cover - _intervals_from raises first

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same clock time on the ``days``-th next working day: a row of "1 hari"
        entered Monday 15:00 is due Tuesday 15:00, entered Friday 15:00 on Monday 15:00.

        A ``start`` outside working time counts from the next working moment. When that
        clock time is outside the target day's hours it is clipped into them: before they
        begin, to their beginning; after they end or in a break, to the end of the hours
        worked before it (the working time in between is the same).
        """
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        begin = self.next_working_moment(start)
        if days == 0:
            return begin
        day = begin.date()
        for _ in range(days):
            day = self._next_working_day(day)
        intervals = self.working_intervals(day)
        wanted = datetime.combine(day, begin.time(), tzinfo=self._tz)
        if wanted <= intervals[0][0]:
            return intervals[0][0]
        clipped = intervals[0][0]
        for s, e in intervals:
            if s <= wanted <= e:
                return wanted
            if e < wanted:
                clipped = e
        return clipped

    def working_minutes_between(self, start: datetime, end: datetime) -> int:
        """Whole working minutes in ``[start, end)``; ``0`` when ``end <= start``.

        The inverse of :meth:`add_working_minutes`:
        ``working_minutes_between(s, add_working_minutes(s, m)) == m``.
        """
        return self.working_time_between(start, end) // _MINUTE

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The working time in ``[start, end)``; zero when ``end <= start``."""
        lo, hi = self._to_utc(start), self._to_utc(end)
        if hi <= lo:
            return timedelta()
        total = timedelta()
        d = lo.astimezone(self._tz).date()
        last = hi.astimezone(self._tz).date()
        while d <= last:
            for s, e in self._utc_intervals(d):
                a, b = max(s, lo), min(e, hi)
                if b > a:
                    total += b - a
            d += timedelta(days=1)
        return total

    # -- internals -------------------------------------------------------------------------

    def _to_utc(self, dt: datetime) -> datetime:
        """Check that ``dt`` is aware; return the same instant in UTC (exact arithmetic)."""
        if dt.tzinfo is None or dt.utcoffset() is None:
            raise ValueError(f"datetime must be timezone-aware, got naive {dt!r}")
        return dt.astimezone(UTC)

    def _next_working_day(self, d: date) -> date:
        """The first working day after ``d``."""
        for offset in range(1, _MAX_IDLE_DAYS + 2):
            candidate = d + timedelta(days=offset)
            if self._utc_intervals(candidate):
                return candidate
        raise ValueError(
            f"kalender tidak punya jam kerja selama {_MAX_IDLE_DAYS} hari setelah {d} "
            "(no working time found)"
        )

    def _intervals_from(self, instant: datetime) -> Iterator[_UtcInterval]:
        """Working intervals (UTC) from the office-local day of ``instant`` onwards."""
        d = instant.astimezone(self._tz).date()
        idle = 0
        while True:
            intervals = self._utc_intervals(d)
            if intervals:
                idle = 0
                yield from intervals
            else:
                idle += 1
                if idle > _MAX_IDLE_DAYS:
                    raise ValueError(
                        f"kalender tidak punya jam kerja selama {_MAX_IDLE_DAYS} hari setelah "
                        f"{d - timedelta(days=_MAX_IDLE_DAYS)} (no working time found)"
                    )
            d += timedelta(days=1)

    def _utc_intervals(self, d: date) -> tuple[_UtcInterval, ...]:
        cached = self._day_cache.get(d)
        if cached is None:
            cached = tuple(
                (self._at(d, start).astimezone(UTC), self._at(d, end).astimezone(UTC))
                for start, end in self._minute_spans(d)
            )
            self._day_cache[d] = cached
        return cached

    def _at(self, d: date, minute_of_day: int) -> datetime:
        """Office-local wall-clock time ``minute_of_day`` on ``d`` (1440 = next midnight)."""
        day, minute = divmod(minute_of_day, 24 * 60)
        return datetime.combine(
            d + timedelta(days=day), time(minute // 60, minute % 60), tzinfo=self._tz
        )

    def _minute_spans(self, d: date) -> list[tuple[int, int]]:
        if self.is_24_hours:
            return [(0, 24 * 60)]
        schedule = self._weekly_hours(d)
        extra = self._extra_working.get(d)
        if extra is not None:
            hours = extra.jam if extra.jam is not None else schedule.senin
            return [_parse_interval(text) for text in hours]
        if d in self._extra_holidays or (self._national is not None and d in self._national):
            return []
        return [_parse_interval(text) for text in schedule.for_weekday(d.weekday())]

    def _weekly_hours(self, d: date) -> WeeklyHours:
        for period in self._config.ramadan:
            if period.contains(d):
                return period.jam_kerja
        return self._config.jam_kerja
