"""Reminder planning on the office calendar (pure)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from workflow.calendar import OfficeCalendar
from workflow.reminders import PlannedReminder, ReminderKind, next_overdue, plan, send_time
from workflow.sop import ReminderPolicy
from workflow.waktu import deadline, parse_waktu

WIB = ZoneInfo("Asia/Pontianak")
CALENDAR = OfficeCalendar.default()
POLICY = ReminderPolicy(ulangi_setiap_menit=60, eskalasi_setelah_menit=0)
"""The Renja SOP's: repeat every hour, tell the superior at the due time."""
SCALED = ReminderPolicy()
"""What an SOP that writes nothing gets: everything scales with the row's time."""


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WIB)


def planned(
    entered: datetime, minutes: int, policy: ReminderPolicy = POLICY
) -> list[tuple[str, datetime]]:
    due = CALENDAR.add_working_minutes(entered, minutes)
    result = plan(policy, CALENDAR, entered_at=entered, due_at=due, minutes=minutes, superior=True)
    return [(r.kind.value, r.at.astimezone(WIB)) for r in result]


def planned_waktu(
    entered: datetime, written: str, policy: ReminderPolicy = SCALED
) -> list[tuple[str, datetime]]:
    due, minutes = deadline(CALENDAR, entered, parse_waktu(written))
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
    assert next_overdue(POLICY, CALENDAR, at(30, 9), minutes=60) == at(30, 10)
    assert next_overdue(POLICY, CALENDAR, at(30, 15, 30), minutes=60) == at(1, 8, month=12)


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


def test_a_one_minute_row_by_default_escalates_only_when_really_late() -> None:
    # Senin 08:00 + 1 menit: due 08:01; the superior hears 15 working minutes later, and
    # the holder is reminded again every 30 working minutes, not every minute.
    assert planned_waktu(at(30, 8), "1 menit") == [
        ("jatuh_tempo", at(30, 8, 1)),
        ("eskalasi", at(30, 8, 16)),
    ]
    assert next_overdue(SCALED, CALENDAR, at(30, 8, 1), minutes=1) == at(30, 8, 31)


def test_a_ten_day_row_by_default_nags_once_a_working_day() -> None:
    # Senin 30 November 08:00 + 10 hari kerja: Senin 14 Desember 08:00 (4500 working
    # minutes). 80% is 3600 working minutes in: Kamis 10 Desember 08:00.
    entered = at(30, 8)
    assert deadline(CALENDAR, entered, parse_waktu("10 hari")) == (at(14, 8, month=12), 4500)
    assert planned_waktu(entered, "10 hari") == [
        ("hampir", at(10, 8, month=12)),
        ("jatuh_tempo", at(14, 8, month=12)),
        ("eskalasi", at(15, 8, month=12)),  # late by 450 minutes: one working day
    ]
    overdue = next_overdue(SCALED, CALENDAR, at(14, 8, month=12), minutes=4500)
    assert overdue == at(15, 8, month=12)


def test_what_an_sop_or_a_row_writes_wins_over_the_scaled_default() -> None:
    written = ReminderPolicy(ulangi_setiap_menit=120, eskalasi_setelah_menit=60)
    assert (written.repeat_minutes(1), written.escalate_after(4500)) == (120, 60)
    assert (SCALED.repeat_minutes(1), SCALED.escalate_after(1)) == (30, 15)
    assert (SCALED.repeat_minutes(4500), SCALED.escalate_after(4500)) == (450, 450)
    row = ReminderPolicy(eskalasi=False)
    merged = written.overridden_by(row)
    assert (merged.ulangi_setiap_menit, merged.eskalasi) == (120, False)
