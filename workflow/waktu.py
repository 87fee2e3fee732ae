"""Time as an SOP document writes it: "60 menit", "2 jam", "1 hari", "30 detik", "1 minggu".

The Waktu (mutu baku) of a row is kept as written, to be shown as written ("1 hari", never
"450 mnt"), and counted on the office calendar: seconds, minutes and hours are working time
(`OfficeCalendar.add_working_time`); days and weeks are working days, due at the same clock
time on the n-th next working day (`OfficeCalendar.add_working_days`). A week is five
working days. A bare number is minutes, as the first SOP files wrote it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator

from workflow.calendar import OfficeCalendar


class Unit(StrEnum):
    DETIK = "detik"
    MENIT = "menit"
    JAM = "jam"
    HARI = "hari"
    """A working day."""
    MINGGU = "minggu"
    """Five working days."""


_SECONDS = {Unit.DETIK: 1, Unit.MENIT: 60, Unit.JAM: 3600}
_DAYS = {Unit.HARI: 1, Unit.MINGGU: 5}
_UNITS = {
    "detik": Unit.DETIK,
    "dtk": Unit.DETIK,
    "menit": Unit.MENIT,
    "menit kerja": Unit.MENIT,
    "mnt": Unit.MENIT,
    "jam": Unit.JAM,
    "jam kerja": Unit.JAM,
    "hari": Unit.HARI,
    "hari kerja": Unit.HARI,
    "minggu": Unit.MINGGU,
    "minggu kerja": Unit.MINGGU,
    "pekan": Unit.MINGGU,
}
_WRITTEN = re.compile(r"^(\d+(?:[.,]\d+)?)\s*([^\d\s].*?)?$")

HOW_TO_WRITE = (
    "tulis angka dan satuannya: detik, menit, jam, hari (hari kerja) atau minggu, "
    "misalnya '60 menit', '2 jam', '1 hari'"
)


def _number_text(amount: Decimal) -> str:
    """'2', '1,5' (Indonesian decimal comma)."""
    text = format(amount.normalize(), "f")
    return text.replace(".", ",")


@dataclass(frozen=True)
class Waktu:
    """An amount of time as a document writes it."""

    amount: Decimal
    unit: Unit

    @property
    def text(self) -> str:
        """As written: '60 menit', '1 hari', '1,5 jam'."""
        return f"{_number_text(self.amount)} {self.unit.value}"

    def __str__(self) -> str:
        return self.text

    @property
    def is_days(self) -> bool:
        """Counted in working days (hari, minggu) rather than working time."""
        return self.unit in _DAYS

    @property
    def seconds(self) -> int:
        """Working seconds, for detik, menit and jam."""
        return int(self.amount * _SECONDS[self.unit])

    @property
    def working_days(self) -> int:
        """Working days, for hari and minggu."""
        return int(self.amount * _DAYS[self.unit])

    @classmethod
    def minutes(cls, minutes: int) -> Waktu:
        return cls(Decimal(minutes), Unit.MENIT)


def parse_waktu(value: Any) -> Waktu:
    """Read a waktu as written in a file; a bare number is minutes.

    Raises ValueError with an Indonesian message saying how to write it.
    """
    if isinstance(value, Waktu):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"waktu tidak dapat dibaca; {HOW_TO_WRITE}")
    written = " ".join(str(value).split()).lower()
    match = _WRITTEN.match(written)
    if match is None:
        raise ValueError(f"waktu tidak dapat dibaca; {HOW_TO_WRITE}")
    number, unit_text = match.groups()
    unit = _UNITS.get(unit_text or "menit")
    if unit is None:
        raise ValueError(f"satuan waktu '{unit_text}' tidak dikenal; {HOW_TO_WRITE}")
    try:
        amount = Decimal(number.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise ValueError(f"waktu tidak dapat dibaca; {HOW_TO_WRITE}") from None
    if amount <= 0:
        raise ValueError("waktu harus lebih dari nol")
    if unit in _DAYS and amount != amount.to_integral_value():
        raise ValueError(
            "hari dan minggu dihitung utuh (hari kerja); tulis pecahan hari dalam jam, "
            "misalnya '4 jam'"
        )
    if unit in _SECONDS and amount * _SECONDS[unit] != (amount * _SECONDS[unit]).to_integral():
        raise ValueError("waktu harus dapat dihitung dalam detik utuh")
    return Waktu(amount, unit)


WaktuField = Annotated[Waktu, PlainValidator(parse_waktu), PlainSerializer(str)]
"""A waktu in a file's model: read with `parse_waktu`, written back as text."""


def _seconds_text(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if not rest:
        return f"{minutes} menit"
    if not minutes:
        return f"{rest} detik"
    return f"{minutes} menit {rest} detik"


def total_text(items: Sequence[Waktu]) -> str:
    """The sum of several waktu, written as a document would: in their one unit when they
    share it ('230 menit', '25 hari'), else as days plus minutes ('3 hari + 90 menit')."""
    if not items:
        return "0 menit"
    units = {item.unit for item in items}
    if len(units) == 1:
        return Waktu(sum((item.amount for item in items), Decimal(0)), units.pop()).text
    days = sum(item.working_days for item in items if item.is_days)
    seconds = sum(item.seconds for item in items if not item.is_days)
    parts = [f"{days} hari"] if days else []
    if seconds:
        parts.append(_seconds_text(seconds))
    return " + ".join(parts)


def sums_to(total: Waktu, items: Sequence[Waktu]) -> bool | None:
    """Whether `total` is the sum of `items`; None when that cannot be told because a
    working day is not a fixed number of minutes (some of them are in days)."""
    if total.is_days or any(item.is_days for item in items):
        return None
    return total.seconds == sum(item.seconds for item in items)


def due_at(calendar: OfficeCalendar, start: datetime, waktu: Waktu) -> datetime:
    """When a row entered at `start` is due: its working time on the office calendar, or
    for days and weeks the same clock time that many working days later."""
    if waktu.is_days:
        return calendar.add_working_days(start, waktu.working_days)
    return calendar.add_working_time(start, timedelta(seconds=waktu.seconds))


def deadline(calendar: OfficeCalendar, start: datetime, waktu: Waktu) -> tuple[datetime, int]:
    """The due time of a row entered at `start`, and the working minutes until it (rounded
    up: a row of 30 seconds has one minute), which reminders take their percentages of."""
    due = due_at(calendar, start, waktu)
    span = calendar.working_time_between(start, due)
    return due, math.ceil(span / timedelta(minutes=1))
