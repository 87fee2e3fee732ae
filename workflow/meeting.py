"""When the Forum SKPD meets, and who is coming (pure).

The organiser types a date and time in Indonesian ("besok 09.00", "15 Desember 2026 pukul
9.00") or presses buttons (`day_choices`, `time_choices`); `schedule_when` turns either into
an aware start time, or refuses with a `WhenRefused` naming the reason. A meeting starts on a
working day, inside working hours, and not in the past. `meeting_reminders` plans the two
reminders before it, and `tally` counts the participants' answers.

Refusals carry the facts to explain them in `detail` (all strings): ``tanggal`` is an ISO
date (``2026-12-25``), ``waktu`` an ISO datetime in the office time zone, ``libur`` a
holiday's Indonesian name, ``jam_kerja`` that day's hours (``07.30–12.00, 13.00–16.00``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from workflow.calendar import OfficeCalendar

MIN_LEAD = timedelta(0)
"""By default a meeting may start at any moment after now (`lead` raises the bar)."""

MAX_TIME_CHOICES = 16
"""At most this many start-time buttons for one day (a keyboard of 4 × 4)."""

SLOT = timedelta(minutes=30)
"""Start times offered as buttons fall on the full and half hour."""

REMINDER_BEFORE = timedelta(hours=1)
"""The last reminder goes out one real hour before the start."""

_SEARCH_DAYS = 400
"""How far ahead (or back) to look for working days before giving up."""


class Answer(StrEnum):
    HADIR = "hadir"
    TIDAK_HADIR = "tidak_hadir"
    DIWAKILKAN = "diwakilkan"


class WhenRefusal(StrEnum):
    TIDAK_DIPAHAMI = "tidak_dipahami"
    """The text is not a date and time we understand."""
    TANGGAL_TIDAK_ADA = "tanggal_tidak_ada"
    """The text has the shape of a date and time, but there is no such one (31/02, 25:00)."""
    SUDAH_LEWAT = "sudah_lewat"
    """The start is not after now (or less than `lead` after it)."""
    BUKAN_HARI_KERJA = "bukan_hari_kerja"
    """Weekend or holiday: ``detail["tanggal"]``, and ``detail["libur"]`` when a holiday."""
    DI_LUAR_JAM_KERJA = "di_luar_jam_kerja"
    """A working day, but not inside its hours: ``detail["jam_kerja"]``."""


class WhenRefused(Exception):
    """The meeting cannot start then; `code` says why and `detail` holds the facts."""

    def __init__(self, code: WhenRefusal, **detail: str) -> None:
        super().__init__(code.value, detail)
        self.code = code
        self.detail = detail

    def __str__(self) -> str:
        facts = ", ".join(f"{key}={value}" for key, value in self.detail.items())
        return f"{self.code.value}({facts})"


# Reading typed dates ------------------------------------------------------------------------

WEEKDAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
"""Indonesian weekday names, Monday first (``date.weekday()`` order)."""

_WEEKDAYS = {name.casefold(): index for index, name in enumerate(WEEKDAY_NAMES)} | {"ahad": 6}

_MONTH_NAMES = (
    ("januari", "jan", "january"),
    ("februari", "pebruari", "feb", "peb", "february"),
    ("maret", "mar", "march"),
    ("april", "apr"),
    ("mei", "may"),
    ("juni", "jun", "june"),
    ("juli", "jul", "july"),
    ("agustus", "agu", "agt", "ags", "aug", "august"),
    ("september", "sep", "sept"),
    ("oktober", "okt", "oct", "october"),
    ("november", "nopember", "nov", "nop"),
    ("desember", "des", "dec", "december"),
)
"""Indonesian month names (with the old spellings Pebruari, Nopember), their usual
abbreviations, and the English ones."""

_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names}

_RELATIVE_DAYS = {"hari ini": 0, "besok": 1, "lusa": 2}

_WEEKDAY_ALT = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))

_TIME = re.compile(
    r"(?P<date>.+?)\s+(?:(?P<kw>pukul|pkl\.?|pk\.?|jam)\s*)?(?P<h>\d{1,2})(?:[.:](?P<m>\d{2}))?"
)
_WEEKDAY_ONLY = re.compile(rf"(?:hari\s+)?(?P<wd>{_WEEKDAY_ALT})(?:\s+depan)?")
_WEEKDAY_PREFIX = re.compile(rf"(?:hari\s+)?(?P<wd>{_WEEKDAY_ALT})\s+")
_TANGGAL_PREFIX = re.compile(r"(?:tanggal|tgl\.?)\s*")
_ISO_DATE = re.compile(r"(?P<y>\d{4})[/.\-](?P<m>\d{1,2})[/.\-](?P<d>\d{1,2})")
_NUMERIC_DATE = re.compile(r"(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})(?:[/.\-](?P<y>\d{4}|\d{2}))?")
_NAMED_DATE = re.compile(r"(?P<d>\d{1,2})[\s/\-]*(?P<mon>[a-z]+)\.?(?:[\s/\-]+(?P<y>\d{4}))?")


def _normalise(text: str) -> str:
    """Lower case, one space between words, no apostrophes, commas, trailing dots or WIB."""
    s = text.casefold()
    s = re.sub(r"['’‘`]", "", s)  # jum'at → jumat
    s = " ".join(s.replace(",", " ").split())
    s = re.sub(r"\s*([/\-])\s*", r"\1", s)  # 15 / 12 / 2026 → 15/12/2026
    s = s.rstrip(". ")
    s = re.sub(r"\s*wib$", "", s).rstrip(". ")
    return re.sub(r"^(\d{4}-\d{1,2}-\d{1,2})t(?=\d)", r"\1 ", s)  # ISO 8601's "T"


def _not_understood() -> WhenRefused:
    return WhenRefused(WhenRefusal.TIDAK_DIPAHAMI)


def _no_such_date() -> WhenRefused:
    return WhenRefused(WhenRefusal.TANGGAL_TIDAK_ADA)


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _no_such_date() from None


def _year_for(month: int, day: int, today: date) -> int:
    """This year, or next year when that day of this year has passed."""
    return today.year + 1 if (month, day) < (today.month, today.day) else today.year


def _parse_date(text: str, today: date) -> date:
    relative = _RELATIVE_DAYS.get(text)
    if relative is not None:
        return today + timedelta(days=relative)
    if match := _WEEKDAY_ONLY.fullmatch(text):
        ahead = (_WEEKDAYS[match["wd"]] - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)

    weekday: int | None = None
    if match := _WEEKDAY_PREFIX.match(text):
        weekday = _WEEKDAYS[match["wd"]]
        text = text[match.end() :]
    if match := _TANGGAL_PREFIX.match(text):
        text = text[match.end() :]

    if match := _ISO_DATE.fullmatch(text):
        found = _make_date(int(match["y"]), int(match["m"]), int(match["d"]))
    elif match := _NUMERIC_DATE.fullmatch(text):
        day, month = int(match["d"]), int(match["m"])
        if match["y"] is None:
            year = _year_for(month, day, today)
        else:
            year = int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)
        found = _make_date(year, month, day)
    elif (match := _NAMED_DATE.fullmatch(text)) and match["mon"] in _MONTHS:
        day, month = int(match["d"]), _MONTHS[match["mon"]]
        year = _year_for(month, day, today) if match["y"] is None else int(match["y"])
        found = _make_date(year, month, day)
    else:
        raise _not_understood()

    if weekday is not None and found.weekday() != weekday:
        # "Senin, 15 Desember 2026" names a day that does not exist: the 15th is a Tuesday.
        raise WhenRefused(
            WhenRefusal.TANGGAL_TIDAK_ADA, hari=WEEKDAY_NAMES[weekday], tanggal=found.isoformat()
        )
    return found


def parse_when(text: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """An aware datetime in tz, or raise WhenRefused(TIDAK_DIPAHAMI / TANGGAL_TIDAK_ADA).

    The date comes first, then the time. Dates: ``15/12/2026``, ``15-12-26``, ``15.12``,
    ``2026-12-15``, ``15 Desember 2026``, ``15 des``, ``hari ini``, ``besok``, ``lusa``,
    ``Senin`` / ``senin depan`` (the next Monday after today); an optional weekday before a
    full date must agree with it, and ``tanggal``/``tgl`` may precede it. A date without a
    year is this year's, or next year's if it has passed. Times: ``09:00``, ``9.00``,
    optionally after ``pukul``/``pkl``/``jam``; ``jam 9`` alone is 09:00. A trailing ``WIB``,
    commas, extra spaces and a trailing dot are ignored.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got naive {now!r}")
    today = now.astimezone(tz).date()
    match = _TIME.fullmatch(_normalise(text))
    if match is None or (match["kw"] is None and match["m"] is None):
        raise _not_understood()
    day = _parse_date(match["date"], today)
    hour, minute = int(match["h"]), int(match["m"] or 0)
    if hour > 23 or minute > 59:
        raise _no_such_date()
    start = datetime.combine(day, time(hour, minute), tzinfo=tz)
    try:
        # A wall time skipped by a daylight-saving jump does not exist (not in WIB, but tz
        # is a parameter).
        exists = start.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == datetime.combine(
            day, time(hour, minute)
        )
    except OverflowError:  # year 1 or 9999 shifted out of range
        exists = False
    if not exists:
        raise _no_such_date()
    return start


# Checking against the office calendar ------------------------------------------------------


def working_hours_label(calendar: OfficeCalendar, day: date) -> str:
    """The working hours of ``day``: ``"07.30–12.00, 13.00–16.00"`` (empty when none)."""
    return ", ".join(
        f"{start:%H.%M}–{end:%H.%M}" for start, end in calendar.working_intervals(day)
    )


def _require_aware(name: str, moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment!r}")


def check_when(
    start: datetime, *, now: datetime, calendar: OfficeCalendar, lead: timedelta = MIN_LEAD
) -> None:
    """Raise WhenRefused when the meeting cannot start then: past, not a working day, or
    outside working hours (start must be inside a working interval of that day).

    Past means ``start <= now``, or ``start < now + lead``. The checks run in that order, so
    last Sunday is "already past", not "not a working day".
    """
    _require_aware("start", start)
    _require_aware("now", now)
    local = start.astimezone(calendar.tz)
    day = local.date()
    facts = {"tanggal": day.isoformat(), "waktu": local.isoformat()}
    if start <= now or start < now + lead:
        raise WhenRefused(WhenRefusal.SUDAH_LEWAT, **facts)
    if not calendar.is_working_day(day):
        holiday = calendar.holiday_name(day)
        if holiday:
            facts["libur"] = holiday
        raise WhenRefused(WhenRefusal.BUKAN_HARI_KERJA, **facts)
    if not calendar.is_working_time(start):
        raise WhenRefused(
            WhenRefusal.DI_LUAR_JAM_KERJA, jam_kerja=working_hours_label(calendar, day), **facts
        )


def schedule_when(
    text: str, *, now: datetime, calendar: OfficeCalendar, lead: timedelta = MIN_LEAD
) -> datetime:
    """parse_when in calendar.tz, then check_when."""
    start = parse_when(text, now=now, tz=calendar.tz)
    check_when(start, now=now, calendar=calendar, lead=lead)
    return start


# Buttons -----------------------------------------------------------------------------------


def _slots(
    calendar: OfficeCalendar, day: date, *, now: datetime, lead: timedelta
) -> list[datetime]:
    """Every full and half hour of ``day`` inside a working interval, after now (+ lead)."""
    earliest = now + lead
    intervals = [
        (s.astimezone(UTC), e.astimezone(UTC)) for s, e in calendar.working_intervals(day)
    ]
    found: list[datetime] = []
    for index in range(24 * 60 // 30):
        wall = datetime.combine(day, time(index // 2, 30 * (index % 2)), tzinfo=calendar.tz)
        instant = wall.astimezone(UTC)
        if instant <= now or instant < earliest:
            continue
        if any(s <= instant < e for s, e in intervals):
            found.append(wall)
    return found


def _evenly(items: list[datetime], count: int) -> list[datetime]:
    """``count`` items spread evenly from the first to the last (all when there are fewer)."""
    if len(items) <= count:
        return items
    if count == 1:
        return items[:1]
    step = (len(items) - 1) / (count - 1)  # > 1, so the rounded indices are distinct
    return [items[round(i * step)] for i in range(count)]


def time_choices(
    calendar: OfficeCalendar, day: date, *, now: datetime, lead: timedelta = MIN_LEAD
) -> list[datetime]:
    """Start times offered as buttons on that day: every full and half hour inside its working
    intervals (not the interval's end), later than now; at most 16, evenly chosen if more.

    Each one passes `check_when` with the same ``now`` and ``lead``.
    """
    _require_aware("now", now)
    return _evenly(_slots(calendar, day, now=now, lead=lead), MAX_TIME_CHOICES)


def day_choices(
    calendar: OfficeCalendar, *, now: datetime, count: int = 6, lead: timedelta = MIN_LEAD
) -> list[date]:
    """The next `count` working days that still have a start time left (today included if so)."""
    _require_aware("now", now)
    day = now.astimezone(calendar.tz).date()
    found: list[date] = []
    for _ in range(_SEARCH_DAYS):
        if len(found) >= count:
            break
        if calendar.is_working_day(day) and _slots(calendar, day, now=now, lead=lead):
            found.append(day)
        day += timedelta(days=1)
    return found


# Reminders ---------------------------------------------------------------------------------


class MeetingReminderKind(StrEnum):
    SEHARI = "rapat_sehari"
    """The working day before, at the start of working hours."""
    SEJAM = "rapat_sejam"
    """One hour before the start."""


def _last_working_day_before(calendar: OfficeCalendar, day: date) -> date | None:
    for back in range(1, _SEARCH_DAYS):
        candidate = day - timedelta(days=back)
        if calendar.is_working_day(candidate):
            return candidate
    return None


def meeting_reminders(
    calendar: OfficeCalendar, *, start: datetime, now: datetime
) -> list[tuple[MeetingReminderKind, datetime]]:
    """In time order, only those still in the future; SEHARI = first working moment of the
    last working day before the meeting's day; SEJAM = start - 1 hour (real hour). If both
    fall at the same moment or SEHARI is not before SEJAM, keep only SEJAM."""
    _require_aware("start", start)
    _require_aware("now", now)
    sejam = (start.astimezone(UTC) - REMINDER_BEFORE).astimezone(calendar.tz)
    planned = [(MeetingReminderKind.SEJAM, sejam)]
    day_before = _last_working_day_before(calendar, start.astimezone(calendar.tz).date())
    if day_before is not None:
        sehari = calendar.working_intervals(day_before)[0][0]
        if sehari < sejam:
            planned.insert(0, (MeetingReminderKind.SEHARI, sehari))
    return [(kind, at) for kind, at in planned if at > now]


# Answers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    hadir: int
    diwakilkan: int
    tidak_hadir: int
    belum: int
    """Invited, not answered yet."""

    @property
    def total(self) -> int:
        return self.hadir + self.diwakilkan + self.tidak_hadir + self.belum


def tally(answers: Iterable[Answer | None]) -> Tally:
    """Count the answers; ``None`` is a participant who has not answered."""
    counts = dict.fromkeys(Answer, 0)
    belum = 0
    for answer in answers:
        if answer is None:
            belum += 1
        else:
            counts[Answer(answer)] += 1
    return Tally(
        hadir=counts[Answer.HADIR],
        diwakilkan=counts[Answer.DIWAKILKAN],
        tidak_hadir=counts[Answer.TIDAK_HADIR],
        belum=belum,
    )
