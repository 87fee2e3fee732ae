"""Reminder planning on the office calendar (pure)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from workflow.calendar import OfficeCalendar
from workflow.reminders import PlannedReminder, ReminderKind, next_overdue, plan, send_time
from workflow.sop import ReminderPolicy

WIB = ZoneInfo("Asia/Pontianak")
CALENDAR = OfficeCalendar.default()
POLICY = ReminderPolicy()


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WIB)


def planned(
    entered: datetime, minutes: int, policy: ReminderPolicy = POLICY
) -> list[tuple[str, datetime]]:
    due = CALENDAR.add_working_minutes(entered, minutes)
    result = plan(policy, CALENDAR, entered_at=entered, due_at=due, minutes=minutes, superior=True)
    return [(r.kind.value, r.at.astimezone(WIB)) for r in result]


def test_a_row_gets_80_percent_due_and_escalation() -> None:
    # Senin 30 November 2026, 08:00 + 60 working minutes.
    assert planned(at(30, 8), 60) == [
        ("hampir", at(30, 8, 48)),
        ("jatuh_tempo", at(30, 9)),
        ("eskalasi", at(30, 9)),
    ]


def test_friday_afternoon_reminders_wait_for_monday_morning() -> None:
    # Jumat 27 November 16:00 + 60: 30 minutes on Friday, 30 on Monday.
    assert planned(at(27, 16), 60) == [
        ("hampir", at(30, 7, 48)),
        ("jatuh_tempo", at(30, 8)),
        ("eskalasi", at(30, 8)),
    ]


def test_across_the_lunch_break() -> None:
    assert planned(at(30, 11, 30), 60)[0] == ("hampir", at(30, 13, 18))


def test_a_due_time_at_closing_is_kept() -> None:
    assert planned(at(30, 15), 60)[1] == ("jatuh_tempo", at(30, 16))


def test_send_time_never_at_night_or_on_a_holiday() -> None:
    assert send_time(CALENDAR, at(30, 20)) == at(1, 7, 30, month=12)
    assert send_time(CALENDAR, at(30, 10, 5)) == at(30, 10, 5)
    # Kamis 24 Desember (cuti bersama) and Jumat 25 Desember (Natal): Monday 28th.
    assert send_time(CALENDAR, at(23, 17, month=12)) == at(28, 7, 30, month=12)


def test_overdue_reminders_repeat_in_working_minutes() -> None:
    assert next_overdue(POLICY, CALENDAR, at(30, 9)) == at(30, 10)
    assert next_overdue(POLICY, CALENDAR, at(30, 15, 30)) == at(1, 8, month=12)


def test_policy_switches() -> None:
    quiet = ReminderPolicy(ingatkan_saat_jatuh_tempo=False, eskalasi=False, ulangi_setiap_menit=30)
    assert planned(at(30, 8), 60, quiet) == [
        ("hampir", at(30, 8, 48)),
        ("terlambat", at(30, 9, 30)),
    ]
    result = plan(
        POLICY, CALENDAR, entered_at=at(30, 8), due_at=at(30, 9), minutes=60, superior=False
    )
    assert PlannedReminder(ReminderKind.ESKALASI, at(30, 9)) not in result


def test_a_one_minute_row_has_no_early_reminder() -> None:
    assert [kind for kind, _ in planned(at(30, 8), 1)] == ["jatuh_tempo", "eskalasi"]
