"""Reading /plh: the day, the end of the period, the position (and unit), the person."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from workflow.acting import Request, Unread, parse_day, people_named, period_end, read_request
from workflow.calendar import OfficeCalendar
from workflow.organisation import Organisation, OrganisationFileError, fold, parse_organisation


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-12-04", date(2026, 12, 4)),
        ("04-12-2026", date(2026, 12, 4)),
        ("4/12/2026", date(2026, 12, 4)),
        ("2026.12.4", date(2026, 12, 4)),
        ("31-02-2026", None),
        ("2026-13-01", None),
        ("besok", None),
        ("04-12-26", None),
        ("", None),
        ("١٢-١٢-٢٠٢٦", None),
    ],
)
def test_a_day_is_written_iso_or_as_offices_write_it(text: str, day: date | None) -> None:
    assert parse_day(text) == day


def test_a_period_lasts_to_the_end_of_the_working_day() -> None:
    calendar = OfficeCalendar.default()
    # Monday closes at 16:00 WIB, Friday at 16:30; a Saturday counts to Friday's close.
    assert period_end(calendar, date(2026, 11, 30)) == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert period_end(calendar, date(2026, 12, 4)) == datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
    assert period_end(calendar, date(2026, 12, 5)) == datetime(2026, 12, 4, 9, 30, tzinfo=UTC)


def test_the_position_is_named_by_its_key_name_or_alias(organisation: Organisation) -> None:
    assert organisation.jabatan_named("sekretaris") == "sekretaris"
    assert organisation.jabatan_named("Sekban") == "sekretaris"
    assert organisation.jabatan_named("KABID") == "kepala_bidang"
    assert organisation.jabatan_named("kepala_badan") == "kepala_badan"
    assert organisation.jabatan_named("Kepala  Badan") == "kepala_badan"
    assert organisation.jabatan_named("Kasubbag. Renja & Monev") == "kasubbag_renja"
    assert organisation.jabatan_named("kasubbag renja monev") == "kasubbag_renja"
    assert organisation.jabatan_named("forum_skpd") is None  # an outside party has no Plh.
    assert organisation.jabatan_named("...") is None
    assert fold("Kasubbag. Renja & Monev") == "kasubbag renja monev"


def test_an_alias_names_one_position_only() -> None:
    data = {
        "jabatan": {
            "sekretaris": {"nama": "Sekretaris", "alias": ["sekban"]},
            "kepala_badan": {"nama": "Kepala Badan", "alias": ["Sekban"]},
        }
    }
    with pytest.raises(OrganisationFileError, match="'sekban' juga dipakai jabatan"):
        parse_organisation(data)


def test_the_words_of_a_request(organisation: Organisation) -> None:
    def read(text: str) -> Request | Unread:
        return read_request(organisation, text.split())

    assert read("sekretaris Citra 2026-12-04") == Request(
        "sekretaris", None, "Citra", "2026-12-04"
    )
    assert read("Kepala Badan Budi Sekretaris 04-12-2026") == Request(
        "kepala_badan", None, "Budi Sekretaris", "04-12-2026"
    )
    assert read("kabid ekonomi Rina 2026-12-04") == Request(
        "kepala_bidang", "Bidang Ekonomi", "Rina", "2026-12-04"
    )
    assert read("Kepala Bidang Bidang Sosial Budaya Rina Kasubbag 2026-12-04") == Request(
        "kepala_bidang", "Bidang Sosial Budaya", "Rina Kasubbag", "2026-12-04"
    )
    # Without a unit the name stays whole (the holder is then looked for among all).
    assert read("kabid Rina 2026-12-04") == Request("kepala_bidang", None, "Rina", "2026-12-04")
    assert read("sekretaris 2026-12-04") == Unread(too_few=True, words="sekretaris 2026-12-04")
    assert read("bendahara Citra 2026-12-04") == Unread(too_few=False, words="bendahara Citra")


def test_a_person_is_named_whole_or_by_words() -> None:
    people = {1: "Citra Kabid Ekonomi", 2: "Dodi Kabid Infrastruktur", 3: "Citra"}
    assert people_named("citra", people) == [3]  # a whole name first
    assert people_named("CITRA kabid", people) == [1]
    assert people_named("kabid", people) == [1, 2]
    assert people_named("Cit", people) == []
    assert people_named("  ", people) == []
