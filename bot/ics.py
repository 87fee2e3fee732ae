"""The calendar file sent with a Forum SKPD invitation (iCalendar, RFC 5545 / iTIP, RFC 5546).

`request` is the invitation (and every later change of it: same UID, higher SEQUENCE), and
`cancel` withdraws it. Times carry ``TZID=Asia/Pontianak`` with a VTIMEZONE for it, so a
calendar app that does not know the zone still puts the meeting at the right instant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone, vCalAddress

PRODID = "-//BAPPEDA Provinsi Kalimantan Barat//Renja Bot//ID"

ALARM_BEFORE = timedelta(hours=1)
"""The calendar app's own reminder, as the bot's last one: an hour before the start."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
"""Control characters RFC 5545 forbids in TEXT (tab and newline are allowed)."""


@dataclass(frozen=True)
class MeetingEvent:
    uid: str
    """Stable across changes, e.g. ``"rapat-12@renja-bot"``."""
    sequence: int
    """0 for the first invitation, +1 on every change (and on the cancel)."""
    start: datetime
    end: datetime
    summary: str
    location: str
    description: str
    organizer_name: str
    organizer_email: str
    stamp: datetime
    """When this version was made (DTSTAMP)."""
    tz: ZoneInfo
    """The office time zone (Asia/Pontianak)."""

    def __post_init__(self) -> None:
        for name in ("start", "end", "stamp"):
            moment: datetime = getattr(self, name)
            if moment.tzinfo is None or moment.utcoffset() is None:
                raise ValueError(f"{name} must be timezone-aware, got naive {moment!r}")
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        if self.sequence < 0:
            raise ValueError(f"sequence must not be negative, got {self.sequence}")
        if not self.uid.strip():
            raise ValueError("uid must not be empty")


def request(event: MeetingEvent) -> bytes:
    """The invitation: METHOD:REQUEST, STATUS:CONFIRMED, a display alarm an hour before."""
    vevent = _event(event, status="CONFIRMED")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _text(event.summary) or "Rapat")
    alarm.add("trigger", -ALARM_BEFORE)
    vevent.add_component(alarm)
    data: bytes = _calendar(event, method="REQUEST", vevent=vevent).to_ical()
    return data


def cancel(event: MeetingEvent) -> bytes:
    """The withdrawal: METHOD:CANCEL, STATUS:CANCELLED, same UID, the given SEQUENCE."""
    vevent = _event(event, status="CANCELLED")
    data: bytes = _calendar(event, method="CANCEL", vevent=vevent).to_ical()
    return data


def file_name(event: MeetingEvent, *, cancelled: bool = False) -> str:
    """``undangan-rapat-2026-12-15.ics``, or ``batal-rapat-2026-12-15.ics`` for a cancel."""
    prefix = "batal" if cancelled else "undangan"
    return f"{prefix}-rapat-{event.start.astimezone(event.tz):%Y-%m-%d}.ics"


def _text(value: str) -> str:
    """Line ends as ``\\n`` and no control characters; icalendar escapes the rest."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _parameter(value: str) -> str:
    """A parameter value (CN) on one line, its spaces collapsed (parsers strip them).
    RFC 5545 has no backslash escape in parameters, but icalendar's parser (and others)
    read one, so a backslash becomes a slash."""
    return " ".join(_text(value).split()).replace("\\", "/")


def _event(event: MeetingEvent, *, status: str) -> Event:
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", event.stamp.astimezone(UTC))
    vevent.add("dtstart", event.start.astimezone(event.tz))
    vevent.add("dtend", event.end.astimezone(event.tz))
    vevent.add("summary", _text(event.summary))
    vevent.add("location", _text(event.location))
    vevent.add("description", _text(event.description))
    organizer = vCalAddress(f"mailto:{event.organizer_email.strip()}")
    organizer.params["CN"] = _parameter(event.organizer_name)
    vevent.add("organizer", organizer)
    vevent.add("status", status)
    vevent.add("transp", "OPAQUE")
    return vevent


def _calendar(event: MeetingEvent, *, method: str, vevent: Event) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(_timezone(event))
    calendar.add_component(vevent)
    return calendar


def _timezone(event: MeetingEvent) -> Timezone:
    """The VTIMEZONE of the office zone, covering the meeting (and a year around it)."""
    first = event.start.astimezone(event.tz).year
    last = event.end.astimezone(event.tz).year
    return Timezone.from_tzinfo(
        event.tz,
        tzid=event.tz.key,
        first_date=date(first - 1, 1, 1),
        last_date=date(last + 2, 1, 1),
    )
