"""When the holder of a late row is reminded and their superior told (pure).

Each time a draft enters a row, `plan` gives the reminders of that row: one when most of
the time is used, one at the due time, and the superior's escalation once the row is late
by `escalate_after` working minutes. An overdue reminder, once sent, is followed by the next
one `repeat_minutes` working minutes later (`next_overdue`). Both scale with the row's time
unless the SOP or the row says otherwise (`ReminderPolicy`). Every time is moved into
working hours (`send_time`): a reminder never goes out at night or on a holiday.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from workflow.calendar import OfficeCalendar
from workflow.sop import ReminderPolicy


class ReminderKind(StrEnum):
    HAMPIR = "hampir"
    """Most of the row's time is used."""
    JATUH_TEMPO = "jatuh_tempo"
    """The due time has come."""
    TERLAMBAT = "terlambat"
    """Overdue, repeated at a steady interval."""
    ESKALASI = "eskalasi"
    """The superior is told the row is overdue."""

    @property
    def to_superior(self) -> bool:
        return self is ReminderKind.ESKALASI


@dataclass(frozen=True)
class PlannedReminder:
    kind: ReminderKind
    at: datetime


def send_time(calendar: OfficeCalendar, at: datetime) -> datetime:
    """`at` if it falls in working hours (or closes a working interval), else the next
    working moment: a reminder due at 16:00 goes out at 16:00, one due at night waits."""
    if calendar.is_working_time(at) or calendar.is_working_time(at - timedelta(seconds=1)):
        return at
    return calendar.next_working_moment(at)


def plan(
    policy: ReminderPolicy,
    calendar: OfficeCalendar,
    *,
    entered_at: datetime,
    due_at: datetime,
    minutes: int,
    superior: bool,
    used: int = 0,
) -> list[PlannedReminder]:
    """The reminders of one row entry, in time order.

    `minutes`: the row's time in working minutes, which the policy's defaults scale with.
    `used`: working minutes the row had used before `entered_at` (a row whose clock stood
    still while it waited for a meeting counts on from there); a reminder whose moment
    was already passed then is not planned again.
    """
    planned: list[PlannedReminder] = []
    early = math.ceil(minutes * policy.ingatkan_pada_persen / 100)
    if used < early < minutes:
        planned.append(
            PlannedReminder(
                ReminderKind.HAMPIR,
                send_time(calendar, calendar.add_working_minutes(entered_at, early - used)),
            )
        )
    if policy.ingatkan_saat_jatuh_tempo:
        planned.append(PlannedReminder(ReminderKind.JATUH_TEMPO, send_time(calendar, due_at)))
    else:
        planned.append(
            PlannedReminder(
                ReminderKind.TERLAMBAT, next_overdue(policy, calendar, due_at, minutes=minutes)
            )
        )
    if policy.eskalasi and superior:
        late = calendar.add_working_minutes(due_at, policy.escalate_after(minutes))
        planned.append(PlannedReminder(ReminderKind.ESKALASI, send_time(calendar, late)))
    return sorted(planned, key=lambda reminder: reminder.at)


def next_overdue(
    policy: ReminderPolicy, calendar: OfficeCalendar, after: datetime, *, minutes: int
) -> datetime:
    """The next overdue reminder of a row of `minutes` working minutes: the policy's
    interval (`repeat_minutes`) of working minutes after `after`."""
    repeat = policy.repeat_minutes(minutes)
    return send_time(calendar, calendar.add_working_minutes(after, repeat))
