"""Time as an SOP document writes it, and a row's due time on the office calendar."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from workflow.calendar import OfficeCalendar
from workflow.waktu import Unit, Waktu, deadline, due_at, parse_waktu, sums_to, total_text

WIB = ZoneInfo("Asia/Pontianak")
CALENDAR = OfficeCalendar.default()


def at(month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=WIB)


@pytest.mark.parametrize(
    ("written", "text", "unit"),
    [
        (60, "60 menit", Unit.MENIT),
        ("60", "60 menit", Unit.MENIT),
        ("60 Menit", "60 menit", Unit.MENIT),
        ("60 mnt", "60 menit", Unit.MENIT),
        ("2 jam", "2 jam", Unit.JAM),
        ("1,5 jam", "1,5 jam", Unit.JAM),
        ("1 hari", "1 hari", Unit.HARI),
        ("10 hari kerja", "10 hari", Unit.HARI),
        ("30 detik", "30 detik", Unit.DETIK),
        ("1 minggu", "1 minggu", Unit.MINGGU),
    ],
)
def test_written_forms(written: object, text: str, unit: Unit) -> None:
    waktu = parse_waktu(written)
    assert (waktu.text, waktu.unit) == (text, unit)


def test_amounts() -> None:
    assert parse_waktu("1,5 jam").seconds == 5400
    assert parse_waktu("30 detik").seconds == 30
    assert parse_waktu("1 minggu").working_days == 5
    assert parse_waktu("1 hari").is_days and not parse_waktu("8 jam").is_days
    assert Waktu.minutes(60) == parse_waktu("60 menit") == Waktu(Decimal(60), Unit.MENIT)


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("2 hr", "satuan waktu 'hr' tidak dikenal"),
        ("satu jam", "waktu tidak dapat dibaca"),
        ("0 menit", "waktu harus lebih dari nol"),
        ("1,5 hari", "hari dan minggu dihitung utuh"),
        ("0,001 detik", "detik utuh"),
        (True, "waktu tidak dapat dibaca"),
    ],
)
def test_refused_in_indonesian(written: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_waktu(written)


def test_totals_as_a_document_writes_them() -> None:
    minutes = [parse_waktu(x) for x in (60, 120, 30, 10, 10)]
    assert total_text(minutes) == "230 menit"
    assert total_text([parse_waktu("2 hari"), parse_waktu("3 hari")]) == "5 hari"
    mixed = [parse_waktu(x) for x in ("1 hari", "1 minggu", "90 menit", "2 jam", "30 detik")]
    assert total_text(mixed) == "6 hari + 210 menit 30 detik"
    assert sums_to(parse_waktu("230 menit"), minutes) is True
    assert sums_to(parse_waktu("4 jam"), minutes) is False
    assert sums_to(parse_waktu("6 hari"), mixed) is None


@pytest.mark.parametrize(
    ("start", "written", "due", "minutes"),
    [
        # Senin 15:00 + 1 hari: Selasa 15:00, a working day's 450 minutes.
        (at(11, 30, 15), "1 hari", at(12, 1, 15), 450),
        # Jumat 15:00 + 1 hari: Senin 15:00 (Friday's longer afternoon: 480 minutes).
        (at(12, 4, 15), "1 hari", at(12, 7, 15), 480),
        # Rabu 23 Desember 15:00 + 1 hari: cuti bersama and Natal, then the weekend.
        (at(12, 23, 15), "1 hari", at(12, 28, 15), 450),
        # Senin 15:00 + 2 jam: one hour on Monday, one on Tuesday morning.
        (at(11, 30, 15), "2 jam", at(12, 1, 8, 30), 120),
        # 30 detik before closing: 10 seconds on Monday, 20 on Tuesday; one minute counted.
        (at(11, 30, 15, 59, 50), "30 detik", at(12, 1, 7, 30, 20), 1),
        (at(11, 30, 8), "1 minggu", at(12, 7, 8), 2250),
    ],
)
def test_due_time_on_the_office_calendar(
    start: datetime, written: str, due: datetime, minutes: int
) -> None:
    waktu = parse_waktu(written)
    assert due_at(CALENDAR, start, waktu) == due
    assert deadline(CALENDAR, start, waktu) == (due, minutes)
