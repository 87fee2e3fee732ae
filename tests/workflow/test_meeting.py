"""Tests for workflow.meeting: reading a typed meeting time, checking it against the office
calendar, the buttons offered instead, the reminders before the meeting and the tally.

Calendar facts used below (config/kalender.yaml, holidays package): 2026-12-24 (Thu) is
"Cuti Bersama Hari Raya Natal", 2026-12-25 (Fri) "Hari Raya Natal"; 2027-01-01 (Fri) is
"Tahun Baru Masehi" and 2027-01-05 (Tue) Isra Mikraj; 2027-02-08..2027-03-09 has the
Ramadan hours.
"""

from __future__ import annotations

import ast
import random
import sys
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.calendar import CalendarConfig, ExtraWorkingDay, OfficeCalendar, WeeklyHours
from workflow.meeting import (
    WEEKDAY_NAMES,
    Answer,
    MeetingReminderKind,
    Tally,
    WhenRefusal,
    WhenRefused,
    check_when,
    day_choices,
    meeting_reminders,
    parse_when,
    schedule_when,
    tally,
    time_choices,
    working_hours_label,
)

WIB = ZoneInfo("Asia/Pontianak")
ROOT = Path(__file__).resolve().parents[2]
CALENDAR = OfficeCalendar.from_file(ROOT / "config" / "kalender.yaml")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=WIB)  # a Tuesday


def wib(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=WIB)


def refusal_of(text: str, now: datetime = NOW) -> WhenRefused:
    with pytest.raises(WhenRefused) as caught:
        parse_when(text, now=now, tz=WIB)
    return caught.value


def hhmm(moments: list[datetime]) -> list[str]:
    return [f"{m:%H:%M}" for m in moments]


# The module stays pure --------------------------------------------------------------------


def test_meeting_imports_only_the_standard_library_and_the_calendar() -> None:
    tree = ast.parse((ROOT / "workflow" / "meeting.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names or name == "workflow.calendar", name


# parse_when: what is understood -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "15/12/2026 09:00",
        "15-12-2026 9.00",
        "15.12.2026 09.00",
        "15/12/2026 pukul 09.00",
        "15/12/2026 pkl. 9:00",
        "15/12/2026 jam 9",
        "15/12/26 09:00",
        "15/12 09:00",
        "15 Desember 2026 09:00",
        "15 DESEMBER 2026 09:00",
        "15 des 2026 9:00",
        "15 Des. 2026 9:00",
        "15-des-2026 9:00",
        "15 dec 2026 9:00",
        "15 December 2026 9:00",
        "15 desember 09:00",
        "2026-12-15 09:00",
        "2026-12-15T09:00",
        "2026/12/15 09:00",
        "Selasa, 15 Desember 2026 pukul 09.00 WIB",
        "hari Selasa tanggal 15 Desember 2026 jam 9",
        "tgl. 15/12/2026 09:00",
        "15/12/2026 09:00 WIB",
        "15/12/2026 09:00WIB",
        "15/12/2026 09.00 wib.",
        "15/12/2026 09:00.",
        "  15 / 12 / 2026    09:00  ",
        "15/12/2026, 09:00",
        "15\u00a0Desember\u00a02026 09:00",
    ],
)
def test_parse_when_reads_a_date_and_time(text: str) -> None:
    assert parse_when(text, now=NOW, tz=WIB) == wib(2026, 12, 15, 9)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hari ini 14:00", wib(2026, 12, 1, 14)),
        ("besok 09:00", wib(2026, 12, 2, 9)),
        ("Besok jam 9", wib(2026, 12, 2, 9)),
        ("besok pukul 13.30 WIB.", wib(2026, 12, 2, 13, 30)),
        ("lusa 10.30", wib(2026, 12, 3, 10, 30)),
        # Today is Tuesday 1 Dec: the next such weekday strictly after today.
        ("Senin 09:00", wib(2026, 12, 7, 9)),
        ("senin depan 09:00", wib(2026, 12, 7, 9)),
        ("hari Senin jam 9", wib(2026, 12, 7, 9)),
        ("selasa 09:00", wib(2026, 12, 8, 9)),
        ("rabu 09:00", wib(2026, 12, 2, 9)),
        ("Jumat 8.00", wib(2026, 12, 4, 8)),
        ("Jum'at 8.00", wib(2026, 12, 4, 8)),
        ("jum’at 8.00", wib(2026, 12, 4, 8)),
        ("sabtu 8:00", wib(2026, 12, 5, 8)),
        ("Minggu 8:00", wib(2026, 12, 6, 8)),
        ("ahad 8:00", wib(2026, 12, 6, 8)),
        ("besok 0:00", wib(2026, 12, 2, 0)),
        ("besok 23:59", wib(2026, 12, 2, 23, 59)),
    ],
)
def test_parse_when_reads_relative_days_and_weekdays(text: str, expected: datetime) -> None:
    assert parse_when(text, now=NOW, tz=WIB) == expected


@pytest.mark.parametrize(
    ("month_word", "month"),
    [
        ("Januari", 1),
        ("jan", 1),
        ("Februari", 2),
        ("Pebruari", 2),
        ("feb", 2),
        ("Maret", 3),
        ("mar", 3),
        ("April", 4),
        ("Mei", 5),
        ("may", 5),
        ("Juni", 6),
        ("jun", 6),
        ("Juli", 7),
        ("jul", 7),
        ("Agustus", 8),
        ("agu", 8),
        ("agt", 8),
        ("aug", 8),
        ("September", 9),
        ("sep", 9),
        ("sept", 9),
        ("Oktober", 10),
        ("okt", 10),
        ("oct", 10),
        ("November", 11),
        ("Nopember", 11),
        ("nov", 11),
        ("Desember", 12),
        ("des", 12),
        ("dec", 12),
    ],
)
def test_parse_when_knows_every_month_name(month_word: str, month: int) -> None:
    assert parse_when(f"3 {month_word} 2027 10:00", now=NOW, tz=WIB) == wib(2027, month, 3, 10)


def test_a_date_without_a_year_is_this_year_or_next_if_it_has_passed() -> None:
    assert parse_when("15/12 09:00", now=NOW, tz=WIB) == wib(2026, 12, 15, 9)
    assert parse_when("1/12 15:00", now=NOW, tz=WIB) == wib(2026, 12, 1, 15)  # today
    assert parse_when("30/11 09:00", now=NOW, tz=WIB) == wib(2027, 11, 30, 9)
    assert parse_when("5 Januari 09:00", now=NOW, tz=WIB) == wib(2027, 1, 5, 9)
    # Today's early hour is still today's date; check_when then says it has passed.
    assert parse_when("1/12 08:00", now=NOW, tz=WIB) == wib(2026, 12, 1, 8)


def test_today_is_the_office_day_not_the_utc_day() -> None:
    late_utc = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # 1 Dec 01:00 in Pontianak
    assert parse_when("besok 09:00", now=late_utc, tz=WIB) == wib(2026, 12, 2, 9)


def test_the_result_is_aware_in_the_given_zone() -> None:
    jakarta = ZoneInfo("Asia/Jakarta")
    start = parse_when("15/12/2026 09:00", now=NOW, tz=jakarta)
    assert start.tzinfo is jakarta
    assert start == datetime(2026, 12, 15, 2, 0, tzinfo=UTC)


def test_a_leap_day_exists_in_a_leap_year() -> None:
    assert parse_when("29/02/2028 09:00", now=NOW, tz=WIB) == wib(2028, 2, 29, 9)


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("besok 09:00", now=datetime(2026, 12, 1, 10, 0), tz=WIB)  # noqa: DTZ001


# parse_when: refusals -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        ".",
        "besok",
        "09:00",
        "besok 9",  # an hour alone needs "jam"/"pukul"
        "besok 9.5",
        "besok 900",
        "besok 09:00:00",
        "kemarin 09:00",
        "minggu depan 09:00 sore",
        "15 foo 2026 09:00",
        "15 juni2026 09:00",
        "15/12/2026",
        "15/12/2026 09:00 WITA",
        "15/12/2026 jam sembilan",
        "2026-12-15 09:00 +07:00",
        "123/12/2026 09:00",
        "15/12/20266 09:00",
        "besok lusa 09:00",
        "Senin besok 09:00",
        "tanggal besok 09:00",
        "09:00 15/12/2026",
        "😀 09:00",
    ],
)
def test_text_that_is_not_a_date_and_time_is_not_understood(text: str) -> None:
    refused = refusal_of(text)
    assert refused.code is WhenRefusal.TIDAK_DIPAHAMI
    assert refused.detail == {}


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2026 09:00",
        "29/02/2027 09:00",
        "29/02 09:00",  # Feb 2027 has no 29th
        "31/04/2027 09:00",
        "32/12/2026 09:00",
        "0/12/2026 09:00",
        "15/13/2026 09:00",
        "15/00/2026 09:00",
        "2026-02-30 09:00",
        "31 Juni 2027 09:00",
        "15/12/0000 09:00",
        "15/12/2026 25:00",
        "15/12/2026 24:00",
        "15/12/2026 09:60",
        "besok jam 99",
        "besok 23:99",
    ],
)
def test_a_date_or_time_that_does_not_exist_is_refused(text: str) -> None:
    assert refusal_of(text).code is WhenRefusal.TANGGAL_TIDAK_ADA


def test_a_weekday_that_does_not_match_the_date_is_refused() -> None:
    refused = refusal_of("Senin, 15 Desember 2026 09:00")  # the 15th is a Tuesday
    assert refused.code is WhenRefusal.TANGGAL_TIDAK_ADA
    assert refused.detail == {"hari": "Senin", "tanggal": "2026-12-15"}


def test_a_wall_time_skipped_by_daylight_saving_does_not_exist() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    now = datetime(2026, 3, 1, 9, 0, tzinfo=berlin)
    with pytest.raises(WhenRefused) as caught:
        parse_when("29/03/2026 02:30", now=now, tz=berlin)
    assert caught.value.code is WhenRefusal.TANGGAL_TIDAK_ADA
    assert parse_when("29/03/2026 03:30", now=now, tz=berlin).utcoffset() == timedelta(hours=2)


def test_the_refusal_reads_like_its_code_and_facts() -> None:
    refused = WhenRefused(WhenRefusal.BUKAN_HARI_KERJA, tanggal="2026-12-25", libur="Natal")
    assert str(refused) == "bukan_hari_kerja(tanggal=2026-12-25, libur=Natal)"
    assert refused.detail == {"tanggal": "2026-12-25", "libur": "Natal"}


# parse_when: properties ------------------------------------------------------------------

_MONTH_WORDS = {
    1: ["Januari", "jan", "JAN"],
    2: ["Februari", "feb", "Pebruari"],
    3: ["Maret", "mar"],
    4: ["April", "apr"],
    5: ["Mei", "may"],
    6: ["Juni", "jun"],
    7: ["Juli", "jul"],
    8: ["Agustus", "agu", "aug"],
    9: ["September", "sep"],
    10: ["Oktober", "okt", "oct"],
    11: ["November", "nov", "Nopember"],
    12: ["Desember", "des", "dec"],
}


def _time_text(moment: datetime, rnd: random.Random) -> str:
    h, m = moment.hour, moment.minute
    forms = [f"{h:02d}:{m:02d}", f"{h}.{m:02d}", f"pukul {h:02d}.{m:02d}", f"pkl {h}:{m:02d}"]
    if m == 0:
        forms += [f"jam {h}", f"pukul {h}"]
    text = rnd.choice(forms)
    if rnd.random() < 0.3:
        text += rnd.choice([" WIB", " wib", "WIB"])
    if rnd.random() < 0.2:
        text += "."
    return text


def _full_date_texts(day: date, rnd: random.Random) -> list[str]:
    d, m, y = day.day, day.month, day.year
    word = rnd.choice(_MONTH_WORDS[m])
    return [
        f"{d:02d}/{m:02d}/{y}",
        f"{d}-{m}-{y}",
        f"{d}.{m}.{y}",
        f"{d} {word} {y}",
        f"{d} {word.upper()} {y}",
        f"{y}-{m:02d}-{d:02d}",
        f"{WEEKDAY_NAMES[day.weekday()]}, {d} {word} {y}",
    ]


_MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(2099, 12, 31, 23, 59),  # noqa: DTZ001
).map(lambda dt: dt.replace(second=0, microsecond=0, tzinfo=WIB))


@settings(max_examples=300, deadline=None)
@given(moment=_MOMENTS, now=_MOMENTS, seed=st.integers())
def test_every_accepted_full_date_format_reads_back(
    moment: datetime, now: datetime, seed: int
) -> None:
    rnd = random.Random(seed)
    for date_text in _full_date_texts(moment.date(), rnd):
        spaces = " " * rnd.randint(1, 3)
        text = f"{date_text}{spaces}{_time_text(moment, rnd)}"
        assert parse_when(text, now=now, tz=WIB) == moment, text


@settings(max_examples=300, deadline=None)
@given(now=_MOMENTS, ahead=st.integers(0, 364), at=st.times(), seed=st.integers())
def test_a_date_without_a_year_is_the_next_one_from_today(
    now: datetime, ahead: int, at: time, seed: int
) -> None:
    rnd = random.Random(seed)
    day = now.date() + timedelta(days=ahead)
    moment = datetime.combine(day, at.replace(second=0, microsecond=0), tzinfo=WIB)
    word = rnd.choice(_MONTH_WORDS[day.month])
    for date_text in (
        f"{day.day}/{day.month}",
        f"{day.day:02d}-{day.month:02d}",
        f"{day.day} {word}",
    ):
        text = f"{date_text} {_time_text(moment, rnd)}"
        assert parse_when(text, now=now, tz=WIB) == moment, text


@settings(max_examples=200, deadline=None)
@given(now=_MOMENTS, ahead=st.integers(0, 7), at=st.times(), seed=st.integers())
def test_relative_days_and_weekdays_read_back(
    now: datetime, ahead: int, at: time, seed: int
) -> None:
    rnd = random.Random(seed)
    day = now.date() + timedelta(days=ahead)
    moment = datetime.combine(day, at.replace(second=0, microsecond=0), tzinfo=WIB)
    texts = []
    if ahead in (0, 1, 2):
        texts.append(("hari ini", "besok", "lusa")[ahead])
    if ahead >= 1:
        name = WEEKDAY_NAMES[day.weekday()]
        texts += [name, name.lower(), f"{name} depan", f"hari {name}"]
    for date_text in texts:
        text = f"{date_text} {_time_text(moment, rnd)}"
        assert parse_when(text, now=now, tz=WIB) == moment, text


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=60))
def test_any_text_is_read_or_refused_with_a_code(text: str) -> None:
    try:
        start = parse_when(text, now=NOW, tz=WIB)
    except WhenRefused as refused:
        assert refused.code in (WhenRefusal.TIDAK_DIPAHAMI, WhenRefusal.TANGGAL_TIDAK_ADA)
    else:
        assert start.tzinfo is WIB


# check_when -----------------------------------------------------------------------------


def refusal_when(start: datetime, now: datetime = NOW, **kwargs: timedelta) -> WhenRefused:
    with pytest.raises(WhenRefused) as caught:
        check_when(start, now=now, calendar=CALENDAR, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    "start",
    [
        wib(2026, 12, 1, 10, 30),  # later today
        wib(2026, 12, 2, 7, 30),  # the very start of the day
        wib(2026, 12, 2, 11, 59),
        wib(2026, 12, 2, 13, 0),  # right after the break
        wib(2026, 12, 2, 15, 59),
        wib(2026, 12, 4, 16, 15),  # Friday runs to 16:30
        wib(2026, 12, 4, 11, 15),
        datetime(2026, 12, 2, 2, 0, tzinfo=UTC),  # 09:00 WIB given in UTC
    ],
)
def test_a_working_time_in_the_future_is_accepted(start: datetime) -> None:
    check_when(start, now=NOW, calendar=CALENDAR)


@pytest.mark.parametrize(
    "start",
    [
        wib(2026, 12, 1, 9, 0),  # earlier today
        NOW,  # not after now
        wib(2026, 11, 29, 9, 0),  # last Sunday: past comes before "not a working day"
        wib(2025, 12, 25, 9, 0),
    ],
)
def test_a_start_not_after_now_has_passed(start: datetime) -> None:
    refused = refusal_when(start)
    assert refused.code is WhenRefusal.SUDAH_LEWAT
    assert refused.detail["tanggal"] == start.astimezone(WIB).date().isoformat()
    assert datetime.fromisoformat(refused.detail["waktu"]) == start


def test_a_lead_keeps_meetings_from_starting_too_soon() -> None:
    lead = timedelta(minutes=30)
    assert refusal_when(wib(2026, 12, 1, 10, 29), lead=lead).code is WhenRefusal.SUDAH_LEWAT
    check_when(wib(2026, 12, 1, 10, 30), now=NOW, calendar=CALENDAR, lead=lead)


def test_a_weekend_is_not_a_working_day() -> None:
    refused = refusal_when(wib(2026, 12, 5, 9, 0))
    assert refused.code is WhenRefusal.BUKAN_HARI_KERJA
    assert refused.detail["tanggal"] == "2026-12-05"
    assert "libur" not in refused.detail


@pytest.mark.parametrize(
    ("start", "holiday"),
    [
        (wib(2026, 12, 25, 9, 0), "Hari Raya Natal"),
        (wib(2026, 12, 24, 9, 0), "Cuti Bersama Hari Raya Natal"),
        (wib(2027, 1, 1, 9, 0), "Tahun Baru Masehi"),
    ],
)
def test_a_holiday_is_not_a_working_day_and_is_named(start: datetime, holiday: str) -> None:
    refused = refusal_when(start)
    assert refused.code is WhenRefusal.BUKAN_HARI_KERJA
    assert refused.detail["tanggal"] == start.date().isoformat()
    assert refused.detail["libur"] == holiday


@pytest.mark.parametrize(
    ("start", "hours"),
    [
        (wib(2026, 12, 2, 7, 0), "07.30–12.00, 13.00–16.00"),
        (wib(2026, 12, 2, 7, 29), "07.30–12.00, 13.00–16.00"),
        (wib(2026, 12, 2, 12, 0), "07.30–12.00, 13.00–16.00"),  # the break starts
        (wib(2026, 12, 2, 12, 30), "07.30–12.00, 13.00–16.00"),
        (wib(2026, 12, 2, 16, 0), "07.30–12.00, 13.00–16.00"),  # the day ends
        (wib(2026, 12, 2, 20, 0), "07.30–12.00, 13.00–16.00"),
        (wib(2026, 12, 4, 11, 30), "07.30–11.30, 13.00–16.30"),  # Friday prayers
        (wib(2026, 12, 4, 16, 30), "07.30–11.30, 13.00–16.30"),
        (wib(2027, 2, 15, 7, 30), "08.00–12.00, 12.30–15.00"),  # Ramadan
    ],
)
def test_a_time_outside_working_hours_is_refused_with_that_days_hours(
    start: datetime, hours: str
) -> None:
    refused = refusal_when(start)
    assert refused.code is WhenRefusal.DI_LUAR_JAM_KERJA
    assert refused.detail["jam_kerja"] == hours
    assert refused.detail["tanggal"] == start.date().isoformat()


def test_the_day_is_the_office_day_of_the_start() -> None:
    # Saturday 00:30 in Pontianak is still Friday in UTC.
    refused = refusal_when(datetime(2026, 12, 4, 17, 30, tzinfo=UTC))
    assert refused.code is WhenRefusal.BUKAN_HARI_KERJA
    assert refused.detail["tanggal"] == "2026-12-05"


def test_a_round_the_clock_calendar_only_refuses_the_past() -> None:
    always = OfficeCalendar.twenty_four_hours()
    check_when(wib(2026, 12, 25, 3, 0), now=NOW, calendar=always)
    with pytest.raises(WhenRefused) as caught:
        check_when(wib(2026, 12, 1, 9, 0), now=NOW, calendar=always)
    assert caught.value.code is WhenRefusal.SUDAH_LEWAT


def test_naive_datetimes_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        check_when(datetime(2026, 12, 2, 9, 0), now=NOW, calendar=CALENDAR)  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        check_when(wib(2026, 12, 2, 9), now=datetime(2026, 12, 1), calendar=CALENDAR)  # noqa: DTZ001


def test_working_hours_label() -> None:
    assert working_hours_label(CALENDAR, date(2026, 12, 3)) == "07.30–12.00, 13.00–16.00"
    assert working_hours_label(CALENDAR, date(2026, 12, 6)) == ""


# schedule_when: every code from typed text ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("nanti saja", WhenRefusal.TIDAK_DIPAHAMI),
        ("31/02/2027 09:00", WhenRefusal.TANGGAL_TIDAK_ADA),
        ("15/12/2026 25:00", WhenRefusal.TANGGAL_TIDAK_ADA),
        ("hari ini 09:00", WhenRefusal.SUDAH_LEWAT),
        ("1/12/2026 10:00", WhenRefusal.SUDAH_LEWAT),
        ("25 Desember 2026 09:00", WhenRefusal.BUKAN_HARI_KERJA),
        ("sabtu 09:00", WhenRefusal.BUKAN_HARI_KERJA),
        ("besok 06.00", WhenRefusal.DI_LUAR_JAM_KERJA),
        ("besok jam 12", WhenRefusal.DI_LUAR_JAM_KERJA),
    ],
)
def test_schedule_when_refuses_with_each_code(text: str, code: WhenRefusal) -> None:
    with pytest.raises(WhenRefused) as caught:
        schedule_when(text, now=NOW, calendar=CALENDAR)
    assert caught.value.code is code


def test_every_refusal_code_is_tested() -> None:
    # The parametrised tests above cover each member; a new code must be added there too.
    assert set(WhenRefusal) == {
        WhenRefusal.TIDAK_DIPAHAMI,
        WhenRefusal.TANGGAL_TIDAK_ADA,
        WhenRefusal.SUDAH_LEWAT,
        WhenRefusal.BUKAN_HARI_KERJA,
        WhenRefusal.DI_LUAR_JAM_KERJA,
    }


def test_schedule_when_gives_the_start_in_the_office_zone() -> None:
    start = schedule_when("Rabu, 2 Desember 2026 pukul 09.00 WIB", now=NOW, calendar=CALENDAR)
    assert start == wib(2026, 12, 2, 9)
    assert start.tzinfo == CALENDAR.tz


# Buttons --------------------------------------------------------------------------------

MON_THU = [
    "07:30", "08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
    "13:00", "13:30", "14:00", "14:30", "15:00", "15:30",
]  # fmt: skip


def test_time_choices_cover_the_working_intervals_on_the_half_hour() -> None:
    earlier = wib(2026, 11, 30, 8, 0)
    assert hhmm(time_choices(CALENDAR, date(2026, 12, 2), now=earlier)) == MON_THU
    friday = time_choices(CALENDAR, date(2026, 12, 4), now=earlier)
    assert hhmm(friday) == [
        "07:30", "08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00",
        "13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00",
    ]  # fmt: skip
    assert all(choice.tzinfo == WIB and choice.date() == date(2026, 12, 4) for choice in friday)


def test_time_choices_are_later_than_now() -> None:
    day = date(2026, 12, 1)
    assert hhmm(time_choices(CALENDAR, day, now=wib(2026, 12, 1, 9, 10)))[0] == "09:30"
    assert hhmm(time_choices(CALENDAR, day, now=wib(2026, 12, 1, 9, 30)))[0] == "10:00"
    assert hhmm(time_choices(CALENDAR, day, now=wib(2026, 12, 1, 12, 0)))[0] == "13:00"
    assert time_choices(CALENDAR, day, now=wib(2026, 12, 1, 15, 30)) == []
    assert time_choices(CALENDAR, date(2026, 11, 30), now=NOW) == []  # yesterday
    lead = timedelta(hours=1)
    assert hhmm(time_choices(CALENDAR, day, now=wib(2026, 12, 1, 9, 10), lead=lead))[0] == "10:30"


def test_time_choices_of_a_day_off_are_empty() -> None:
    assert time_choices(CALENDAR, date(2026, 12, 5), now=NOW) == []  # Saturday
    assert time_choices(CALENDAR, date(2026, 12, 25), now=NOW) == []  # Natal


def test_time_choices_start_on_the_first_half_hour_inside_odd_hours() -> None:
    saturday = date(2026, 12, 5)
    config = CalendarConfig(
        hari_kerja_tambahan=[ExtraWorkingDay(tanggal=saturday, jam=["07:45-09:10"])]
    )
    office = OfficeCalendar(config)
    assert hhmm(time_choices(office, saturday, now=NOW)) == ["08:00", "08:30", "09:00"]
    assert saturday in day_choices(office, now=NOW)


def test_time_choices_in_ramadan_follow_its_hours() -> None:
    assert hhmm(time_choices(CALENDAR, date(2027, 2, 15), now=NOW)) == [
        "08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
        "12:30", "13:00", "13:30", "14:00", "14:30",
    ]  # fmt: skip


def test_more_than_sixteen_choices_are_spread_evenly() -> None:
    always = OfficeCalendar.twenty_four_hours()
    choices = time_choices(always, date(2026, 12, 10), now=NOW)
    assert len(choices) == 16
    assert hhmm(choices)[0] == "00:00"
    assert hhmm(choices)[-1] == "23:30"
    assert choices == sorted(set(choices))
    gaps = {b - a for a, b in pairwise(choices)}
    assert gaps <= {timedelta(minutes=90), timedelta(minutes=120)}
    # Later than now first, then spread: today from 10:00 there are 28 slots left.
    today = time_choices(always, date(2026, 12, 1), now=NOW)
    assert len(today) == 16
    assert hhmm(today)[0] == "10:30"
    assert hhmm(today)[-1] == "23:30"


def test_day_choices_are_the_next_working_days_with_time_left() -> None:
    assert day_choices(CALENDAR, now=NOW) == [
        date(2026, 12, 1),  # today, time left
        date(2026, 12, 2),
        date(2026, 12, 3),
        date(2026, 12, 4),
        date(2026, 12, 7),  # the weekend skipped
        date(2026, 12, 8),
    ]
    assert day_choices(CALENDAR, now=NOW, count=2) == [date(2026, 12, 1), date(2026, 12, 2)]
    assert day_choices(CALENDAR, now=NOW, count=0) == []


def test_day_choices_skip_today_when_its_last_start_has_passed_and_holidays() -> None:
    late = wib(2026, 12, 23, 15, 30)  # 15:30 is the last start, and it is now
    assert day_choices(CALENDAR, now=late) == [
        date(2026, 12, 28),  # 24 cuti bersama, 25 Natal, 26–27 weekend
        date(2026, 12, 29),
        date(2026, 12, 30),
        date(2026, 12, 31),
        date(2027, 1, 4),  # 1 Jan New Year, 2–3 weekend
        date(2027, 1, 6),  # 5 Jan Isra Mikraj
    ]
    assert day_choices(CALENDAR, now=wib(2026, 12, 23, 15, 29))[0] == date(2026, 12, 23)


@settings(max_examples=100, deadline=None)
@given(
    now=st.datetimes(
        min_value=datetime(2026, 1, 1),  # noqa: DTZ001
        max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    ).map(lambda dt: dt.replace(tzinfo=WIB)),
    lead_minutes=st.sampled_from([0, 30, 120]),
)
def test_every_offered_button_is_accepted(now: datetime, lead_minutes: int) -> None:
    lead = timedelta(minutes=lead_minutes)
    days = day_choices(CALENDAR, now=now, count=3, lead=lead)
    assert len(days) == 3
    assert days == sorted(days)
    assert days[0] >= now.date()
    for day in days:
        choices = time_choices(CALENDAR, day, now=now, lead=lead)
        assert 0 < len(choices) <= 16
        for start in choices:
            check_when(start, now=now, calendar=CALENDAR, lead=lead)
            assert start.minute in (0, 30)


# Reminders ------------------------------------------------------------------------------


def test_reminders_the_working_day_before_and_an_hour_before() -> None:
    start = wib(2026, 12, 9, 9, 0)  # Wednesday
    assert meeting_reminders(CALENDAR, start=start, now=NOW) == [
        (MeetingReminderKind.SEHARI, wib(2026, 12, 8, 7, 30)),
        (MeetingReminderKind.SEJAM, wib(2026, 12, 9, 8, 0)),
    ]


def test_the_day_before_a_monday_meeting_is_the_friday() -> None:
    start = wib(2026, 12, 7, 13, 0)
    reminders = meeting_reminders(CALENDAR, start=start, now=NOW)
    assert reminders[0] == (MeetingReminderKind.SEHARI, wib(2026, 12, 4, 7, 30))


def test_the_day_before_skips_holidays() -> None:
    start = wib(2026, 12, 28, 9, 0)
    reminders = meeting_reminders(CALENDAR, start=start, now=NOW)
    assert reminders[0] == (MeetingReminderKind.SEHARI, wib(2026, 12, 23, 7, 30))


def test_the_hour_before_is_a_real_hour_even_outside_working_hours() -> None:
    start = wib(2026, 12, 9, 7, 30)
    assert meeting_reminders(CALENDAR, start=start, now=NOW)[-1] == (
        MeetingReminderKind.SEJAM,
        wib(2026, 12, 9, 6, 30),
    )
    start = wib(2026, 12, 9, 13, 0)
    assert meeting_reminders(CALENDAR, start=start, now=NOW)[-1][1] == wib(2026, 12, 9, 12, 0)


def test_only_future_reminders_are_kept() -> None:
    start = wib(2026, 12, 2, 9, 0)  # tomorrow; today's 07:30 has passed
    assert meeting_reminders(CALENDAR, start=start, now=NOW) == [
        (MeetingReminderKind.SEJAM, wib(2026, 12, 2, 8, 0)),
    ]
    assert meeting_reminders(CALENDAR, start=start, now=wib(2026, 12, 2, 8, 0)) == []
    assert meeting_reminders(CALENDAR, start=start, now=wib(2026, 12, 1, 7, 29)) == [
        (MeetingReminderKind.SEHARI, wib(2026, 12, 1, 7, 30)),
        (MeetingReminderKind.SEJAM, wib(2026, 12, 2, 8, 0)),
    ]


def _late_hours_calendar() -> OfficeCalendar:
    """Every weekday works 23:30–23:45 only: the day before starts an hour before midnight."""
    late = ["23:30-23:45"]
    hours = WeeklyHours(senin=late, selasa=late, rabu=late, kamis=late, jumat=late)
    return OfficeCalendar(CalendarConfig(jam_kerja=hours, hari_libur_nasional=False))


@pytest.mark.parametrize(
    "start",
    [
        wib(2026, 12, 9, 0, 30),  # SEHARI Tue 23:30 == SEJAM Tue 23:30
        wib(2026, 12, 9, 0, 15),  # SEHARI Tue 23:30 after SEJAM Tue 23:15
    ],
)
def test_only_the_hour_before_when_the_day_before_is_not_earlier(start: datetime) -> None:
    reminders = meeting_reminders(_late_hours_calendar(), start=start, now=NOW)
    assert reminders == [(MeetingReminderKind.SEJAM, start - timedelta(hours=1))]


def test_reminders_are_in_the_office_zone_whatever_the_start_zone() -> None:
    start = datetime(2026, 12, 9, 2, 0, tzinfo=UTC)  # 09:00 WIB
    reminders = meeting_reminders(CALENDAR, start=start, now=NOW)
    assert [at for _, at in reminders] == [wib(2026, 12, 8, 7, 30), wib(2026, 12, 9, 8, 0)]
    assert all(at.tzinfo == WIB for _, at in reminders)


@settings(max_examples=100, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2026, 1, 1),  # noqa: DTZ001
        max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    ).map(lambda dt: dt.replace(tzinfo=WIB)),
    before=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)),
)
def test_reminders_are_ordered_future_and_before_the_start(
    start: datetime, before: timedelta
) -> None:
    now = start - before
    reminders = meeting_reminders(CALENDAR, start=start, now=now)
    times = [at for _, at in reminders]
    assert times == sorted(set(times))
    assert all(now < at < start for at in times)
    kinds = [kind for kind, _ in reminders]
    assert kinds in ([], [MeetingReminderKind.SEJAM], list(MeetingReminderKind))
    for kind, at in reminders:
        if kind is MeetingReminderKind.SEHARI:
            assert CALENDAR.is_working_time(at)
            assert at.date() < start.date()
        else:
            assert start - at == timedelta(hours=1)


# Tally ----------------------------------------------------------------------------------


def test_tally_counts_each_answer_and_the_unanswered() -> None:
    answers = [
        Answer.HADIR,
        Answer.HADIR,
        Answer.DIWAKILKAN,
        None,
        Answer.TIDAK_HADIR,
        None,
        None,
    ]
    assert tally(answers) == Tally(hadir=2, diwakilkan=1, tidak_hadir=1, belum=3)
    assert tally(answers).total == 7


def test_tally_of_nobody_is_zero() -> None:
    assert tally([]) == Tally(hadir=0, diwakilkan=0, tidak_hadir=0, belum=0)
    assert tally(iter([])).total == 0


def test_answers_are_stored_as_plain_strings() -> None:
    assert [a.value for a in Answer] == ["hadir", "tidak_hadir", "diwakilkan"]
    assert Answer("diwakilkan") is Answer.DIWAKILKAN
    assert [k.value for k in MeetingReminderKind] == ["rapat_sehari", "rapat_sejam"]
