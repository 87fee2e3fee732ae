"""Tests for bot.ics: the invitation's calendar file, read back as a calendar app would."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Alarm, Calendar, Event, Timezone

from bot.ics import PRODID, MeetingEvent, cancel, file_name, request

WIB = ZoneInfo("Asia/Pontianak")

EVENT = MeetingEvent(
    uid="rapat-12@renja-bot",
    sequence=0,
    start=datetime(2026, 12, 15, 9, 0, tzinfo=WIB),
    end=datetime(2026, 12, 15, 11, 0, tzinfo=WIB),
    summary="Forum SKPD: Rancangan Awal Renja 2027",
    location="Aula BAPPEDA Provinsi Kalimantan Barat, Jl. Ahmad Yani; Pontianak",
    description="Agenda:\n1. Pembukaan\n2. Pembahasan Rancangan Awal Renja; kesepakatan",
    organizer_name="Kasubbag. Rencana Kerja dan Monev",
    organizer_email="renja@bappeda.kalbarprov.go.id",
    stamp=datetime(2026, 12, 1, 9, 15, tzinfo=WIB),
    tz=WIB,
)


def parse(data: bytes) -> tuple[Calendar, Event]:
    calendar = Calendar.from_ical(data)
    events = calendar.events
    assert len(events) == 1
    return calendar, events[0]


def unfolded_lines(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


# The invitation -------------------------------------------------------------------------


def test_request_is_an_itip_request_for_the_meeting() -> None:
    calendar, event = parse(request(EVENT))
    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == PRODID
    assert event["UID"] == "rapat-12@renja-bot"
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event["SUMMARY"] == EVENT.summary
    assert event["LOCATION"] == EVENT.location
    assert event["DESCRIPTION"] == EVENT.description


def test_start_and_end_are_in_pontianak_at_the_right_instant() -> None:
    _, event = parse(request(EVENT))
    assert event.start == datetime(2026, 12, 15, 2, 0, tzinfo=UTC)
    assert event.end == datetime(2026, 12, 15, 4, 0, tzinfo=UTC)
    assert isinstance(event.start, datetime)
    assert isinstance(event.end, datetime)
    assert str(event.start.tzinfo) == "Asia/Pontianak"
    assert str(event.end.tzinfo) == "Asia/Pontianak"
    lines = unfolded_lines(request(EVENT))
    assert "DTSTART;TZID=Asia/Pontianak:20261215T090000" in lines
    assert "DTEND;TZID=Asia/Pontianak:20261215T110000" in lines


def test_a_start_given_in_another_zone_is_written_in_pontianak() -> None:
    utc_event = replace(
        EVENT,
        start=datetime(2026, 12, 15, 2, 0, tzinfo=UTC),
        end=datetime(2026, 12, 15, 4, 0, tzinfo=UTC),
    )
    assert request(utc_event) == request(EVENT)


def test_the_stamp_is_written_in_utc() -> None:
    _, event = parse(request(EVENT))
    assert datetime(2026, 12, 1, 2, 15, tzinfo=UTC) == event.DTSTAMP
    assert "DTSTAMP:20261201T021500Z" in unfolded_lines(request(EVENT))


def test_the_file_carries_its_own_pontianak_time_zone() -> None:
    calendar, _ = parse(request(EVENT))
    timezones = calendar.walk("VTIMEZONE")
    assert len(timezones) == 1
    vtimezone = timezones[0]
    assert isinstance(vtimezone, Timezone)
    assert vtimezone["TZID"] == "Asia/Pontianak"
    # A calendar app that knows no zone names uses the VTIMEZONE's own rules.
    rules = vtimezone.to_tz(lookup_tzid=False)
    for moment in (EVENT.start, EVENT.end):
        local = moment.replace(tzinfo=None).replace(tzinfo=rules)
        assert local.utcoffset() == timedelta(hours=7)
        assert local == moment


def test_the_organizer_has_a_name_and_a_mailto_address() -> None:
    _, event = parse(request(EVENT))
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:renja@bappeda.kalbarprov.go.id"
    assert organizer.params["CN"] == "Kasubbag. Rencana Kerja dan Monev"


def test_the_invitation_reminds_an_hour_before() -> None:
    _, event = parse(request(EVENT))
    alarms = event.walk("VALARM")
    assert len(alarms) == 1
    alarm = alarms[0]
    assert isinstance(alarm, Alarm)
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm["DESCRIPTION"]
    assert alarm.decoded("TRIGGER") == timedelta(hours=-1)


def test_the_file_is_folded_with_crlf_line_ends() -> None:
    long_event = replace(EVENT, description="Pembahasan Rancangan Awal Renja — " * 20)
    data = request(long_event)
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert any(line.startswith(b" ") for line in data.split(b"\r\n"))
    _, event = parse(data)
    assert event["DESCRIPTION"] == long_event.description


def test_folding_never_splits_a_character() -> None:
    wide = replace(EVENT, summary="Rapat é😀ü ✓ " * 30, location="ร้าน" * 40)
    for line in request(wide).split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # each physical line is whole UTF-8


def test_text_is_escaped_as_rfc_5545_says() -> None:
    tricky = replace(
        EVENT,
        summary="Rapat; Forum, SKPD\\2027",
        location="Ruang 1, Lantai 2;\nGedung A",
        description="Baris satu\r\nBaris dua\rBaris tiga",
    )
    lines = unfolded_lines(request(tricky))
    assert "SUMMARY:Rapat\\; Forum\\, SKPD\\\\2027" in lines
    assert "LOCATION:Ruang 1\\, Lantai 2\\;\\nGedung A" in lines
    assert "DESCRIPTION:Baris satu\\nBaris dua\\nBaris tiga" in lines
    _, event = parse(request(tricky))
    assert event["SUMMARY"] == "Rapat; Forum, SKPD\\2027"
    assert event["LOCATION"] == "Ruang 1, Lantai 2;\nGedung A"
    assert event["DESCRIPTION"] == "Baris satu\nBaris dua\nBaris tiga"


def test_control_characters_are_dropped() -> None:
    noisy = replace(EVENT, summary="Rapat\x00 Forum\x07\x1b SKPD\tA")
    _, event = parse(request(noisy))
    assert event["SUMMARY"] == "Rapat Forum SKPD\tA"


def test_an_organizer_name_with_quotes_and_commas_survives() -> None:
    quoted = replace(EVENT, organizer_name=' Kasubbag "Renja", Monev;\tPlh.\nKalbar ')
    _, event = parse(request(quoted))
    assert event["ORGANIZER"].params["CN"] == 'Kasubbag "Renja", Monev; Plh. Kalbar'


def test_a_backslash_in_the_organizer_name_becomes_a_slash() -> None:
    # A parameter has no escapes in RFC 5545, but parsers read "CN=a\\:mailto" as "a:mailto".
    _, event = parse(request(replace(EVENT, organizer_name="Renja\\")))
    assert event["ORGANIZER"].params["CN"] == "Renja/"
    assert str(event["ORGANIZER"]) == "mailto:renja@bappeda.kalbarprov.go.id"


def test_the_same_event_gives_the_same_bytes() -> None:
    assert request(EVENT) == request(replace(EVENT))


_TEXT = st.text(st.characters(codec="utf-8"), max_size=200)


@settings(max_examples=200, deadline=None)
@given(summary=_TEXT, location=_TEXT, description=_TEXT, name=_TEXT)
def test_any_text_reads_back(summary: str, location: str, description: str, name: str) -> None:
    event = replace(
        EVENT, summary=summary, location=location, description=description, organizer_name=name
    )
    data = request(event)
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    _, parsed = parse(data)

    def clean(text: str) -> str:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text)

    assert parsed["SUMMARY"] == clean(summary)
    assert parsed["LOCATION"] == clean(location)
    assert parsed["DESCRIPTION"] == clean(description)
    assert parsed["ORGANIZER"].params["CN"] == " ".join(clean(name).split()).replace("\\", "/")
    assert parsed["UID"] == EVENT.uid
    assert parsed.start == EVENT.start


# Reschedule and cancel ------------------------------------------------------------------


def test_a_reschedule_is_the_same_uid_with_the_next_sequence() -> None:
    moved = replace(
        EVENT,
        sequence=1,
        start=datetime(2026, 12, 16, 13, 0, tzinfo=WIB),
        end=datetime(2026, 12, 16, 15, 0, tzinfo=WIB),
        stamp=datetime(2026, 12, 2, 8, 0, tzinfo=WIB),
    )
    calendar, event = parse(request(moved))
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == EVENT.uid
    assert event["SEQUENCE"] == 1
    assert event["STATUS"] == "CONFIRMED"
    assert event.start == datetime(2026, 12, 16, 6, 0, tzinfo=UTC)
    assert datetime(2026, 12, 2, 1, 0, tzinfo=UTC) == event.DTSTAMP
    assert file_name(moved) == "undangan-rapat-2026-12-16.ics"


def test_cancel_withdraws_the_same_meeting() -> None:
    withdrawn = replace(EVENT, sequence=2, stamp=datetime(2026, 12, 3, 10, 0, tzinfo=WIB))
    data = cancel(withdrawn)
    calendar, event = parse(data)
    assert calendar["METHOD"] == "CANCEL"
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == PRODID
    assert event["UID"] == EVENT.uid
    assert event["SEQUENCE"] == 2
    assert event["STATUS"] == "CANCELLED"
    assert event.start == EVENT.start
    assert str(event["ORGANIZER"]) == "mailto:renja@bappeda.kalbarprov.go.id"
    assert event.walk("VALARM") == []
    assert len(calendar.walk("VTIMEZONE")) == 1
    assert "DTSTART;TZID=Asia/Pontianak:20261215T090000" in unfolded_lines(data)


# File names and checks ------------------------------------------------------------------


def test_file_names_carry_the_office_date() -> None:
    assert file_name(EVENT) == "undangan-rapat-2026-12-15.ics"
    assert file_name(EVENT, cancelled=True) == "batal-rapat-2026-12-15.ics"
    late_utc = replace(
        EVENT,
        start=datetime(2026, 12, 14, 23, 30, tzinfo=UTC),  # 06:30 on the 15th in Pontianak
        end=datetime(2026, 12, 15, 1, 0, tzinfo=UTC),
    )
    assert file_name(late_utc) == "undangan-rapat-2026-12-15.ics"


@pytest.mark.parametrize(
    "changes",
    [
        {"start": datetime(2026, 12, 15, 9, 0)},  # noqa: DTZ001
        {"stamp": datetime(2026, 12, 1, 9, 0)},  # noqa: DTZ001
        {"end": datetime(2026, 12, 15, 9, 0, tzinfo=WIB)},
        {"end": datetime(2026, 12, 15, 8, 0, tzinfo=WIB)},
        {"sequence": -1},
        {"uid": " "},
    ],
)
def test_an_impossible_event_is_a_programming_error(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        replace(EVENT, **changes)  # type: ignore[arg-type]
