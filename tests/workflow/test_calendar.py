"""Tests for workflow.calendar: the office's working calendar and working-minute arithmetic.

Holiday facts used below were checked against ``holidays`` 0.109,
``country_holidays("ID", categories=("public", "government"), years=2026)``:
2026-12-24 (Thu) "Cuti Bersama Hari Raya Natal", 2026-12-25 (Fri) "Hari Raya Natal",
2026-03-18 (Wed) cuti bersama Nyepi, 2026-03-19 (Thu) Nyepi, 2026-03-20 (Fri) and
2026-03-23/24 (Mon/Tue) cuti bersama Idul Fitri, 2026-03-21 (Sat) Idul Fitri.
"""

from __future__ import annotations

import random
import time as time_module
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from workflow.calendar import (
    CalendarConfig,
    CalendarConfigError,
    ExtraHoliday,
    ExtraWorkingDay,
    OfficeCalendar,
    RamadanHours,
    RamadanPeriod,
    WeeklyHours,
    load_calendar_config,
)

WIB = ZoneInfo("Asia/Pontianak")
ROOT = Path(__file__).resolve().parents[2]
CONFIG_FILE = ROOT / "config" / "kalender.yaml"


def wib(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=WIB)


@pytest.fixture(scope="module")
def cal() -> OfficeCalendar:
    return OfficeCalendar.default()


@pytest.fixture(scope="module")
def ramadan_cal() -> OfficeCalendar:
    return OfficeCalendar(
        CalendarConfig(ramadan=[RamadanPeriod(mulai=date(2027, 2, 8), selesai=date(2027, 3, 9))])
    )


# --- weekly hours and breaks ----------------------------------------------------------------


def test_weekday_sanity() -> None:
    # The dates the tests rely on.
    assert date(2026, 11, 30).weekday() == 0  # Senin, 30 November 2026
    assert date(2026, 12, 4).weekday() == 4  # Jumat
    assert date(2027, 2, 8).weekday() == 0
    assert date(2027, 2, 12).weekday() == 4


def test_default_week_is_37_5_hours(cal: OfficeCalendar) -> None:
    assert cal.config.jam_kerja.minutes_per_week() == 37 * 60 + 30
    week = [date(2026, 11, 30) + timedelta(days=i) for i in range(7)]
    assert [cal.working_minutes_on(d) for d in week] == [450, 450, 450, 450, 450, 0, 0]
    assert RamadanHours().minutes_per_week() == 32 * 60 + 30


def test_working_intervals_are_aware_in_office_tz(cal: OfficeCalendar) -> None:
    assert cal.tz == WIB
    assert cal.working_intervals(date(2026, 11, 30)) == [
        (wib(2026, 11, 30, 7, 30), wib(2026, 11, 30, 12)),
        (wib(2026, 11, 30, 13), wib(2026, 11, 30, 16)),
    ]
    assert cal.working_intervals(date(2026, 12, 4)) == [
        (wib(2026, 12, 4, 7, 30), wib(2026, 12, 4, 11, 30)),
        (wib(2026, 12, 4, 13), wib(2026, 12, 4, 16, 30)),
    ]
    for start, end in cal.working_intervals(date(2026, 12, 4)):
        assert start.tzinfo == WIB and end.tzinfo == WIB
    assert cal.working_intervals(date(2026, 12, 5)) == []


def test_crossing_lunch_break_monday_to_thursday(cal: OfficeCalendar) -> None:
    # 30 minutes before 12:00, the remaining 30 after 13:00.
    assert cal.add_working_minutes(wib(2026, 11, 30, 11, 30), 60) == wib(2026, 11, 30, 13, 30)
    assert cal.add_working_minutes(wib(2026, 12, 3, 11, 50), 10) == wib(2026, 12, 3, 12)
    assert cal.add_working_minutes(wib(2026, 12, 3, 11, 50), 11) == wib(2026, 12, 3, 13, 1)


def test_crossing_friday_longer_break(cal: OfficeCalendar) -> None:
    assert cal.add_working_minutes(wib(2026, 12, 4, 11), 60) == wib(2026, 12, 4, 13, 30)
    # Starting inside the break: counting starts at 13:00.
    assert cal.add_working_minutes(wib(2026, 12, 4, 12), 30) == wib(2026, 12, 4, 13, 30)


def test_due_at_end_of_day_not_next_morning(cal: OfficeCalendar) -> None:
    assert cal.add_working_minutes(wib(2026, 11, 30, 15), 60) == wib(2026, 11, 30, 16)
    assert cal.add_working_minutes(wib(2026, 12, 4, 15, 30), 60) == wib(2026, 12, 4, 16, 30)
    assert cal.add_working_minutes(wib(2026, 11, 30, 11), 60) == wib(2026, 11, 30, 12)


def test_friday_afternoon_domain_example(cal: OfficeCalendar) -> None:
    # DOMAIN.md: a 60-minute row entered Friday 16:00 is due Monday 08:00.
    assert cal.add_working_minutes(wib(2026, 12, 4, 16), 60) == wib(2026, 12, 7, 8)


def test_weekend_start(cal: OfficeCalendar) -> None:
    assert cal.add_working_minutes(wib(2026, 12, 5, 10), 60) == wib(2026, 12, 7, 8, 30)
    assert cal.add_working_minutes(wib(2026, 12, 6, 23, 59), 30) == wib(2026, 12, 7, 8)


def test_start_at_night(cal: OfficeCalendar) -> None:
    assert cal.add_working_minutes(wib(2026, 12, 1, 22), 30) == wib(2026, 12, 2, 8)
    assert cal.add_working_minutes(wib(2026, 12, 2, 5), 30) == wib(2026, 12, 2, 8)
    # Friday night → Monday.
    assert cal.add_working_minutes(wib(2026, 12, 4, 20), 120) == wib(2026, 12, 7, 9, 30)


def test_zero_minutes_is_start_itself(cal: OfficeCalendar) -> None:
    night = wib(2026, 12, 5, 23, 15)
    assert cal.add_working_minutes(night, 0) == night
    working = wib(2026, 11, 30, 9, 5, 7)
    assert cal.add_working_minutes(working, 0) == working


def test_other_timezones_in_and_out(cal: OfficeCalendar) -> None:
    # Friday 16:00 WIB = 09:00 UTC.
    due = cal.add_working_minutes(datetime(2026, 12, 4, 9, tzinfo=UTC), 60)
    assert due == wib(2026, 12, 7, 8)
    assert due.tzinfo == WIB
    # 08:00 WITA (Makassar, UTC+8) = 07:00 WIB → before office hours in Pontianak.
    assert not cal.is_working_time(datetime(2026, 11, 30, 8, tzinfo=ZoneInfo("Asia/Makassar")))


def test_naive_datetimes_and_negative_minutes_rejected(cal: OfficeCalendar) -> None:
    naive = datetime(2026, 11, 30, 9)  # noqa: DTZ001 - deliberately naive
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.add_working_minutes(naive, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.is_working_time(naive)
    with pytest.raises(ValueError, match="negative"):
        cal.add_working_minutes(wib(2026, 11, 30, 9), -1)


# --- holidays -------------------------------------------------------------------------------


def test_national_holiday_and_cuti_bersama(cal: OfficeCalendar) -> None:
    christmas, cuti = date(2026, 12, 25), date(2026, 12, 24)
    assert cal.holiday_name(christmas) == "Hari Raya Natal"
    assert cal.holiday_name(cuti) == "Cuti Bersama Hari Raya Natal"
    assert not cal.is_working_day(christmas)
    assert not cal.is_working_day(cuti)
    assert cal.working_intervals(cuti) == []
    assert cal.holiday_name(date(2026, 12, 23)) is None
    assert cal.holiday_name(date(2026, 12, 5)) is None  # a plain Saturday is not a holiday
    # Wed 23 Dec 15:30 + 60: 30 min Wednesday; Thu 24 cuti bersama, Fri 25 Natal, weekend.
    assert cal.add_working_minutes(wib(2026, 12, 23, 15, 30), 60) == wib(2026, 12, 28, 8)
    assert cal.working_minutes_between(wib(2026, 12, 23, 7), wib(2026, 12, 28, 23)) == 2 * 450


def test_long_lebaran_season_2026(cal: OfficeCalendar) -> None:
    # 18 Mar cuti bersama Nyepi, 19 Nyepi, 20 cuti bersama Idul Fitri, 21/22 Idul Fitri
    # (weekend), 23/24 cuti bersama Idul Fitri.
    for day in (18, 19, 20, 21, 22, 23, 24):
        assert not cal.is_working_day(date(2026, 3, day))
        assert cal.holiday_name(date(2026, 3, day)), day
    assert cal.is_working_day(date(2026, 3, 25))
    assert cal.add_working_minutes(wib(2026, 3, 17, 15), 120) == wib(2026, 3, 25, 8, 30)
    assert cal.next_working_moment(wib(2026, 3, 17, 16)) == wib(2026, 3, 25, 7, 30)


def test_national_holidays_can_be_switched_off() -> None:
    cal = OfficeCalendar(CalendarConfig(hari_libur_nasional=False))
    assert cal.is_working_day(date(2026, 12, 24))
    assert cal.holiday_name(date(2026, 12, 25)) is None


def test_extra_office_holiday() -> None:
    cal = OfficeCalendar(
        CalendarConfig(
            libur_tambahan=[ExtraHoliday(tanggal=date(2026, 12, 31), nama="Cuti bersama tambahan")]
        )
    )
    assert not cal.is_working_day(date(2026, 12, 31))
    assert cal.holiday_name(date(2026, 12, 31)) == "Cuti bersama tambahan"
    # Wed 30 Dec 15:00 + 90: 60 min Wed; Thu 31 extra holiday; Fri 1 Jan Tahun Baru; weekend.
    assert cal.add_working_minutes(wib(2026, 12, 30, 15), 90) == wib(2027, 1, 4, 8)


def test_extra_working_saturday() -> None:
    cal = OfficeCalendar(
        CalendarConfig(
            hari_kerja_tambahan=[
                ExtraWorkingDay(tanggal=date(2026, 12, 5)),  # Saturday, Monday hours
                ExtraWorkingDay(tanggal=date(2026, 12, 12), jam=["08:00-12:00"]),
                ExtraWorkingDay(tanggal=date(2026, 12, 24), keterangan="lembur"),  # cuti bersama
            ]
        )
    )
    assert cal.is_working_day(date(2026, 12, 5))
    assert cal.working_intervals(date(2026, 12, 5)) == [
        (wib(2026, 12, 5, 7, 30), wib(2026, 12, 5, 12)),
        (wib(2026, 12, 5, 13), wib(2026, 12, 5, 16)),
    ]
    # The Friday example now lands on Saturday.
    assert cal.add_working_minutes(wib(2026, 12, 4, 16), 60) == wib(2026, 12, 5, 8)
    assert cal.working_intervals(date(2026, 12, 12)) == [
        (wib(2026, 12, 12, 8), wib(2026, 12, 12, 12))
    ]
    # An extra working day overrides a cuti bersama, and is then not a holiday.
    assert cal.is_working_day(date(2026, 12, 24))
    assert cal.holiday_name(date(2026, 12, 24)) is None
    assert not cal.is_working_day(date(2026, 12, 25))


# --- Ramadan --------------------------------------------------------------------------------


def test_ramadan_hours(ramadan_cal: OfficeCalendar) -> None:
    cal = ramadan_cal
    monday, friday = date(2027, 2, 8), date(2027, 2, 12)
    assert cal.working_intervals(monday) == [
        (wib(2027, 2, 8, 8), wib(2027, 2, 8, 12)),
        (wib(2027, 2, 8, 12, 30), wib(2027, 2, 8, 15)),
    ]
    assert cal.working_intervals(friday) == [
        (wib(2027, 2, 12, 8), wib(2027, 2, 12, 11, 30)),
        (wib(2027, 2, 12, 12, 30), wib(2027, 2, 12, 15, 30)),
    ]
    assert not cal.is_working_time(wib(2027, 2, 8, 7, 45))
    assert cal.next_working_moment(wib(2027, 2, 8, 7, 45)) == wib(2027, 2, 8, 8)
    # Half-hour break Monday–Thursday.
    assert cal.add_working_minutes(wib(2027, 2, 8, 11, 30), 60) == wib(2027, 2, 8, 13)
    # Friday 15:00 + 60 → 30 min Friday, Monday 08:00 + 30.
    assert cal.add_working_minutes(wib(2027, 2, 12, 15), 60) == wib(2027, 2, 15, 8, 30)
    # Regular hours before and after the period.
    assert cal.working_intervals(date(2027, 2, 1))[0][0] == wib(2027, 2, 1, 7, 30)
    assert cal.working_intervals(date(2027, 3, 16))[0][0] == wib(2027, 3, 16, 7, 30)
    # Holidays still win inside Ramadan (Nyepi 2027-03-08, per the holidays package).
    assert not cal.is_working_day(date(2027, 3, 8))


def test_extra_working_day_in_ramadan_uses_ramadan_monday_hours() -> None:
    cal = OfficeCalendar(
        CalendarConfig(
            ramadan=[RamadanPeriod(mulai=date(2027, 2, 8), selesai=date(2027, 3, 9))],
            hari_kerja_tambahan=[ExtraWorkingDay(tanggal=date(2027, 2, 13))],  # Saturday
        )
    )
    assert cal.working_intervals(date(2027, 2, 13)) == [
        (wib(2027, 2, 13, 8), wib(2027, 2, 13, 12)),
        (wib(2027, 2, 13, 12, 30), wib(2027, 2, 13, 15)),
    ]


# --- 24-hour mode ---------------------------------------------------------------------------


def test_twenty_four_hours_mode() -> None:
    cal = OfficeCalendar.twenty_four_hours("Asia/Pontianak")
    assert cal.is_24_hours
    assert cal.tz == WIB
    sat_night = wib(2026, 12, 5, 23, 30)
    assert cal.is_working_time(sat_night)
    assert cal.add_working_minutes(sat_night, 60) == wib(2026, 12, 6, 0, 30)
    assert cal.is_working_day(date(2026, 12, 25))  # holidays do not stop the clock
    assert cal.add_working_minutes(wib(2026, 12, 24, 9), 3 * 24 * 60) == wib(2026, 12, 27, 9)
    assert cal.working_minutes_between(wib(2026, 12, 4, 16), wib(2026, 12, 7, 8)) == 64 * 60
    assert cal.next_working_moment(sat_night) == sat_night
    assert cal.working_intervals(date(2026, 12, 5)) == [(wib(2026, 12, 5), wib(2026, 12, 6))]


def test_twenty_four_hours_counts_real_minutes_across_dst() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    cal = OfficeCalendar.twenty_four_hours(berlin)
    # Clocks jump from 02:00 to 03:00 on 2026-03-29: 4 real hours after 23:00 is 04:00 CEST.
    start = datetime(2026, 3, 28, 23, tzinfo=berlin)
    due = cal.add_working_minutes(start, 240)
    assert due == datetime(2026, 3, 29, 4, tzinfo=berlin)
    assert cal.working_minutes_between(start, due) == 240


# --- next_working_moment and is_working_time ------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (wib(2026, 11, 30, 9), wib(2026, 11, 30, 9)),  # inside: itself
        (wib(2026, 11, 30, 9, 0, 30), wib(2026, 11, 30, 9, 0, 30)),
        (wib(2026, 11, 30, 6), wib(2026, 11, 30, 7, 30)),  # early morning
        (wib(2026, 11, 30, 12), wib(2026, 11, 30, 13)),  # lunch break
        (wib(2026, 11, 30, 16), wib(2026, 12, 1, 7, 30)),  # end of the day is not inside
        (wib(2026, 12, 4, 11, 45), wib(2026, 12, 4, 13)),  # Friday break
        (wib(2026, 12, 4, 16, 30), wib(2026, 12, 7, 7, 30)),  # Friday evening → Monday
        (wib(2026, 12, 6, 12), wib(2026, 12, 7, 7, 30)),  # Sunday
        (wib(2026, 12, 23, 16, 5), wib(2026, 12, 28, 7, 30)),  # before Christmas holidays
    ],
)
def test_next_working_moment(cal: OfficeCalendar, moment: datetime, expected: datetime) -> None:
    result = cal.next_working_moment(moment)
    assert result == expected
    assert result.tzinfo == WIB
    assert cal.is_working_time(result)


def test_is_working_time_boundaries(cal: OfficeCalendar) -> None:
    assert cal.is_working_time(wib(2026, 11, 30, 7, 30))
    assert not cal.is_working_time(wib(2026, 11, 30, 7, 29, 59))
    assert cal.is_working_time(wib(2026, 11, 30, 11, 59, 59))
    assert not cal.is_working_time(wib(2026, 11, 30, 12))
    assert not cal.is_working_time(wib(2026, 11, 30, 16))
    assert cal.is_working_time(wib(2026, 12, 4, 16, 15))  # Friday until 16:30
    assert not cal.is_working_time(wib(2026, 12, 25, 9))


# --- working_minutes_between ----------------------------------------------------------------


def test_working_minutes_between_basics(cal: OfficeCalendar) -> None:
    mon = date(2026, 11, 30)
    assert cal.working_minutes_between(wib(2026, 11, 30, 9), wib(2026, 11, 30, 9)) == 0
    assert cal.working_minutes_between(wib(2026, 11, 30, 10), wib(2026, 11, 30, 9)) == 0
    assert cal.working_minutes_between(wib(2026, 11, 30, 11), wib(2026, 11, 30, 14)) == 120
    assert cal.working_minutes_between(wib(2026, 11, 30), wib(2026, 12, 1)) == 450
    assert cal.working_minutes_between(wib(2026, 11, 30, 9), wib(2026, 11, 30, 9, 0, 59)) == 0
    # A whole normal week.
    week_end = wib(2026, 12, 7)
    assert cal.working_minutes_between(wib(2026, 11, 30), week_end) == 5 * 450
    assert cal.working_minutes_on(mon) == 450


def test_between_is_inverse_of_add_random(cal: OfficeCalendar) -> None:
    calendars = [
        cal,
        OfficeCalendar(
            CalendarConfig(
                libur_tambahan=[ExtraHoliday(tanggal=date(2026, 12, 31), nama="Libur kantor")],
                hari_kerja_tambahan=[ExtraWorkingDay(tanggal=date(2026, 12, 5))],
                ramadan=[RamadanPeriod(mulai=date(2027, 2, 8), selesai=date(2027, 3, 9))],
            )
        ),
        OfficeCalendar.twenty_four_hours(),
    ]
    rng = random.Random(20261130)
    origin = wib(2025, 12, 1)
    for _ in range(1500):
        office = rng.choice(calendars)
        start = origin + timedelta(seconds=rng.randrange(0, 500 * 86400))
        if rng.random() < 0.3:
            start = start.replace(second=0)  # also exact minutes
        minutes = rng.choice([0, 1, 10, 30, 60, 120, 230, rng.randrange(0, 6000)])
        due = office.add_working_minutes(start, minutes)
        assert office.working_minutes_between(start, due) == minutes, (start, minutes)
        if minutes:
            # The due time is the first instant at which the minutes are used up.
            assert due > start
            assert office.working_minutes_between(start, due - timedelta(seconds=1)) == (
                minutes - 1
            )
            # The due moment lies in working time or at the end of a working interval.
            before = due - timedelta(microseconds=1)
            assert office.is_working_time(before)
        # add(start, between(start, end)) never passes end.
        end = start + timedelta(seconds=rng.randrange(0, 20 * 86400))
        used = office.working_minutes_between(start, end)
        assert office.add_working_minutes(start, used) <= end


def test_large_amounts_are_fast(cal: OfficeCalendar) -> None:
    began = time_module.perf_counter()
    start = wib(2026, 1, 5, 8)
    due = cal.add_working_minutes(start, 10_000)
    assert cal.working_minutes_between(start, due) == 10_000
    far = cal.add_working_minutes(start, 450 * 250 * 5)  # about five working years
    assert far.year >= 2030
    assert cal.working_minutes_between(start, far) == 450 * 250 * 5
    assert time_module.perf_counter() - began < 5


# --- configuration --------------------------------------------------------------------------


def test_default_config_file_matches_built_in_defaults() -> None:
    config = load_calendar_config(CONFIG_FILE)
    defaults = CalendarConfig()
    assert config.zona_waktu == defaults.zona_waktu == "Asia/Pontianak"
    assert config.mode == defaults.mode == "jam_kerja"
    assert config.jam_kerja == defaults.jam_kerja == WeeklyHours()
    assert config.hari_libur_nasional is True
    assert config.ramadan, "the file carries the Ramadan 1448 H example"
    for period in config.ramadan:
        assert period.jam_kerja == RamadanHours()
    ramadan_1448 = config.ramadan[0]
    assert (ramadan_1448.mulai, ramadan_1448.selesai) == (date(2027, 2, 8), date(2027, 3, 9))
    cal = OfficeCalendar.from_file(CONFIG_FILE)
    assert cal.add_working_minutes(wib(2026, 12, 4, 16), 60) == wib(2026, 12, 7, 8)


def test_empty_config_file_gives_defaults(tmp_path: Path) -> None:
    path = tmp_path / "kalender.yaml"
    path.write_text("# kosong\n", encoding="utf-8")
    assert load_calendar_config(path) == CalendarConfig()


def test_intervals_are_normalised_and_sorted(tmp_path: Path) -> None:
    path = tmp_path / "kalender.yaml"
    path.write_text(
        'jam_kerja:\n  senin: ["13.00-16.00", "7:30-12:00"]\n  sabtu: ["08:00-12:00"]\n',
        encoding="utf-8",
    )
    config = load_calendar_config(path)
    assert config.jam_kerja.senin == ["07:30-12:00", "13:00-16:00"]
    assert config.jam_kerja.sabtu == ["08:00-12:00"]
    assert config.jam_kerja.jumat == WeeklyHours().jumat  # unspecified days keep defaults


def _load_error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "kalender.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarConfigError) as info:
        load_calendar_config(path)
    message = str(info.value)
    assert str(path) in message
    return message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('jam_kerja:\n  senin: ["07:30-25:00"]\n', "jam_kerja.senin.0"),
        ('jam_kerja:\n  senin: ["pagi"]\n', "HH:MM-HH:MM"),
        ('jam_kerja:\n  selasa: ["12:00-08:00"]\n', "jam_kerja.selasa.0"),
        ('jam_kerja:\n  rabu: ["08:00-12:00", "11:00-14:00"]\n', "tumpang tindih"),
        ('jam_kerja:\n  senen: ["08:00-12:00"]\n', "jam_kerja.senen"),
        ("jam_kerj: {}\n", "jam_kerj: kolom tidak dikenal"),
        ("mode: malam\n", "mode"),
        ("zona_waktu: Asia/Borneo\n", "zona_waktu"),
        ("hari_libur_nasional: mungkin\n", "hari_libur_nasional"),
        ("libur_tambahan:\n  - tanggal: 2026-12-31\n", "libur_tambahan.0.nama"),
        ("libur_tambahan:\n  - tanggal: 31-12-2026\n    nama: x\n", "libur_tambahan.0.tanggal"),
        (
            "libur_tambahan:\n  - {tanggal: 2026-12-31, nama: a}\n"
            "  - {tanggal: 2026-12-31, nama: b}\n",
            "dua kali",
        ),
        (
            "hari_kerja_tambahan:\n  - tanggal: 2026-12-05\n    jam: []\n",
            "hari_kerja_tambahan.0.jam",
        ),
        ("ramadan:\n  - mulai: 2027-03-09\n    selesai: 2027-02-08\n", "ramadan.0"),
        ("ramadan:\n  - mulai: 2027-02-08\n    selesai: 2028-03-09\n", "terlalu panjang"),
        (
            "ramadan:\n  - {mulai: 2027-02-08, selesai: 2027-03-01}\n"
            "  - {mulai: 2027-02-20, selesai: 2027-03-09}\n",
            "ramadan: periode Ramadan tumpang tindih",
        ),
        (
            "libur_tambahan: [{tanggal: 2026-12-05, nama: x}]\n"
            "hari_kerja_tambahan: [{tanggal: 2026-12-05}]\n",
            "libur_tambahan / hari_kerja_tambahan",
        ),
        ("jam_kerja: {senin: [], selasa: [], rabu: [], kamis: [], jumat: []}\n", "jam_kerja"),
        ("- a\n- b\n", "pemetaan"),
        ("jam_kerja: [unclosed\n", "YAML"),
    ],
)
def test_config_errors_name_file_and_field(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in _load_error(tmp_path, text)


def test_config_errors_are_never_pydantic_english(tmp_path: Path) -> None:
    for text, expected in (
        ("mode: malam\n", "mode: harus salah satu dari: 'jam_kerja' atau '24_jam'"),
        ("zona_waktu: 7\n", "zona_waktu: harus teks (tertulis: 7)"),
        ("jam_kerja:\n  senin: 8\n", "jam_kerja.senin: harus berupa daftar"),
    ):
        message = _load_error(tmp_path, text)
        assert expected in message
        assert "Input should" not in message


def test_missing_config_file(tmp_path: Path) -> None:
    missing = tmp_path / "tidak-ada.yaml"
    with pytest.raises(CalendarConfigError, match=r"tidak-ada\.yaml"):
        load_calendar_config(missing)


def test_config_error_is_a_value_error() -> None:
    assert issubclass(CalendarConfigError, ValueError)


# --- working days ("1 hari") ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Monday 15:00 + 1 hari: Tuesday 15:00.
        (wib(2026, 11, 30, 15), 1, wib(2026, 12, 1, 15)),
        # Friday 15:00 + 1 hari: the weekend is skipped, Monday 15:00.
        (wib(2026, 12, 4, 15), 1, wib(2026, 12, 7, 15)),
        # Wednesday 23 December 15:00 + 1 hari: Thursday is cuti bersama, Friday Natal.
        (wib(2026, 12, 23, 15), 1, wib(2026, 12, 28, 15)),
        # Wednesday 17 March 2026 10:00 + 2 hari: Nyepi and Lebaran close the office
        # until Wednesday 25 March.
        (wib(2026, 3, 17, 10), 2, wib(2026, 3, 26, 10)),
        # A start at night counts from the next working moment (Tuesday 07:30).
        (wib(2026, 11, 30, 20), 1, wib(2026, 12, 2, 7, 30)),
        # Saturday: from Monday 07:30.
        (wib(2026, 12, 5, 10), 1, wib(2026, 12, 8, 7, 30)),
        # Friday 16:15 is after Monday's closing: clipped to Monday 16:00.
        (wib(2026, 11, 27, 16, 15), 1, wib(2026, 11, 30, 16)),
        # Monday 11:45 + 4 hari is Friday 11:45, in Friday's break: clipped to 11:30.
        (wib(2026, 11, 30, 11, 45), 4, wib(2026, 12, 4, 11, 30)),
        # A week is five working days.
        (wib(2026, 11, 30, 9), 5, wib(2026, 12, 7, 9)),
        # Zero days: the start (moved into working time).
        (wib(2026, 11, 28, 9), 0, wib(2026, 11, 30, 7, 30)),
    ],
)
def test_add_working_days(
    cal: OfficeCalendar, start: datetime, days: int, expected: datetime
) -> None:
    assert cal.add_working_days(start, days) == expected


def test_working_days_in_ramadan_are_clipped_to_its_hours(ramadan_cal: OfficeCalendar) -> None:
    # Thursday 4 February 2027 15:45 (regular hours) + 1 hari: Friday is cuti bersama
    # Imlek, and Monday 8 February is in Ramadan (08:00-15:00): 15:45 is after closing.
    assert ramadan_cal.add_working_days(wib(2027, 2, 4, 15, 45), 1) == wib(2027, 2, 8, 15)


def test_add_working_time_counts_seconds(cal: OfficeCalendar) -> None:
    # Monday 15:59:50 + 30 seconds: 10 on Monday, 20 on Tuesday morning.
    assert cal.add_working_time(wib(2026, 11, 30, 15, 59, 50), timedelta(seconds=30)) == wib(
        2026, 12, 1, 7, 30, 20
    )
    assert cal.working_time_between(
        wib(2026, 11, 30, 15, 59, 50), wib(2026, 12, 1, 7, 30, 20)
    ) == (timedelta(seconds=30))
    with pytest.raises(ValueError):
        cal.add_working_days(wib(2026, 11, 30, 9), -1)
