"""Acting officials (Plh., Plt.): reading the command that sets one, and when its period
ends (pure).

`/plh <jabatan> <nama> <sampai>` names a position of the office (by its key, name or an
alias; for a position held per unit, the unit may follow), a registered official, and the
last day the acting official acts, which counts to the end of that working day.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from workflow.calendar import OfficeCalendar
from workflow.organisation import Organisation, fold

PLH = "Plh."
"""Pelaksana Harian: acts for a holder who is away for a while (leave, duty travel)."""
PLT = "Plt."
"""Pelaksana Tugas: acts for a position whose holder is gone or not yet appointed."""

LOOK_BACK_DAYS = 31
"""How far back from the day named the last working day is looked for (long holidays)."""

_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", re.ASCII)
_LOCAL = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", re.ASCII)


def parse_day(text: str) -> date | None:
    """`YYYY-MM-DD` or `DD-MM-YYYY` ('/' or '.' between too); None if it is neither, or no
    such day exists."""
    text = text.strip()
    if found := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in found.groups())
    elif found := _LOCAL.fullmatch(text):
        day, month, year = (int(part) for part in found.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def period_end(calendar: OfficeCalendar, day: date) -> datetime | None:
    """When a period that lasts through `day` ends: the close of that working day, or of the
    last working day before it when it is none (a weekend, a holiday); None if there is no
    working day in the month before it."""
    for back in range(LOOK_BACK_DAYS + 1):
        intervals = calendar.working_intervals(day - timedelta(days=back))
        if intervals:
            return intervals[-1][1]
    return None


@dataclass(frozen=True)
class Request:
    """The words of `/plh`, read: which position (and unit), whom, until which day."""

    position: str
    unit: str | None
    name: str
    day: str
    """As typed; `parse_day` reads it."""


@dataclass(frozen=True)
class Unread:
    """Words that do not make a request: too few, or no position of the office first."""

    too_few: bool
    words: str
    """The words that should have named the position and the person."""


def read_request(organisation: Organisation, words: Sequence[str]) -> Request | Unread:
    """Split `<jabatan> [unit] <nama> <sampai>`: the longest run of first words that names
    a position, then (for a position held per unit) the longest that names a unit, the last
    word the day, and the person's name between."""
    if len(words) < 3:
        return Unread(too_few=True, words=" ".join(words))
    day, rest = words[-1], list(words[:-1])
    for end in range(len(rest) - 1, 0, -1):
        position = organisation.jabatan_named(" ".join(rest[:end]))
        if position is None:
            continue
        unit, name = None, rest[end:]
        if organisation.jabatan[position].per_unit:
            for unit_end in range(len(name) - 1, 0, -1):
                unit = unit_named(organisation, " ".join(name[:unit_end]))
                if unit is not None:
                    name = name[unit_end:]
                    break
        return Request(position, unit, " ".join(name), day)
    return Unread(too_few=False, words=" ".join(rest))


def unit_named(organisation: Organisation, words: str) -> str | None:
    """The office's unit called so ('Bidang Ekonomi', or only 'ekonomi'), if exactly one is."""
    wanted = fold(words)
    if not wanted:
        return None
    found = [u for u in organisation.unit if fold(u) == wanted or fold(u).endswith(f" {wanted}")]
    return found[0] if len(found) == 1 else None


def people_named(query: str, people: Mapping[int, str]) -> list[int]:
    """Who `query` names, without regard to case: the one whose whole name it is, else
    everyone whose name has all its words (several: the caller asks which)."""
    wanted = fold(query)
    if not wanted:
        return []
    exact = [key for key, name in people.items() if fold(name) == wanted]
    if exact:
        return exact
    words = set(wanted.split())
    return [key for key, name in people.items() if words <= set(fold(name).split())]
