"""What a holder of a parallel task is shown: their own unit's part, and Kirim once it is in."""

from __future__ import annotations

import dataclasses
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot import notify, texts
from bot.usecases import drafts, officials, reading
from bot.usecases.base import Services
from bot.usecases.views import Outcome, TaskBriefing
from tests.bot.usecases.files import new_file
from workflow.engine import Approve, Return, Submit, Upload
from workflow.organisation import parse_organisation
from workflow.sop import parse_sop

TZ = ZoneInfo("Asia/Jakarta")
RK = "rencana_kerja_unit"
RK_NAME = "Rencana Kerja unit"


def upload(services: Services, telegram_id: int, document: str, name: str) -> Outcome:
    return drafts.act(
        services,
        telegram_id=telegram_id,
        draft_id=1,
        action=Upload(document),
        new_file=new_file(name),
    )


def submit(services: Services, telegram_id: int) -> Outcome:
    return drafts.act(services, telegram_id=telegram_id, draft_id=1, action=Submit())


def up_to_the_units(services: Services) -> Outcome:
    """Rows 1 and 2 of the Renja: the outcome that opens the units' parallel upload."""
    drafts.start_draft(services, telegram_id=101, title="Renja 2027")
    upload(services, 101, "konsep_pendahuluan", "konsep.pdf")
    submit(services, 101)
    drafts.act(services, telegram_id=102, draft_id=1, action=Approve())
    upload(services, 101, "nota_dinas", "nota.pdf")
    return submit(services, 101)


def seen_by(services: Services, telegram_id: int) -> TaskBriefing:
    """The one open task of an official, as /tugas shows it to them."""
    (found,) = reading.open_tasks_for(services, telegram_id=telegram_id)
    return found.for_holder(official_id(services, telegram_id))


def official_id(services: Services, telegram_id: int) -> int:
    return officials.person(services, telegram_id=telegram_id).official_id


def offers_kirim(services: Services, telegram_id: int, found: TaskBriefing) -> bool:
    """Whether the messages a person is sent about a task end with the Kirim button."""
    person = officials.person(services, telegram_id=telegram_id)
    sop = services.sops[found.draft.sop_id]
    messages = notify.briefing(person, found, sop, TZ)
    return any(m.payload.get("text") == texts.READY_TO_SUBMIT for m in messages)


def test_a_unit_that_uploaded_its_part_is_offered_kirim(office: Services) -> None:
    opened = up_to_the_units(office)
    (task,) = opened.opened
    for telegram_id in (102, 103, 104):  # nothing is in yet: no one is offered Kirim
        mine = task.for_holder(official_id(office, telegram_id))
        assert mine.missing == (RK_NAME,)
        assert not offers_kirim(office, telegram_id, task)

    upload(office, 103, RK, "rk-ekonomi.pdf")

    ekonomi = seen_by(office, 103)
    assert ekonomi.units == ("Bidang Ekonomi",)
    assert ekonomi.missing == ()
    assert [d.file_name for d in ekonomi.documents] == ["rk-ekonomi.pdf"]
    assert ekonomi.ready_to_submit
    assert offers_kirim(office, 103, ekonomi)

    infrastruktur = seen_by(office, 104)
    assert infrastruktur.missing == (RK_NAME,)
    assert infrastruktur.documents == ()  # another unit's part is not theirs to send
    assert not offers_kirim(office, 104, infrastruktur)

    whole = reading.open_tasks_for(office, telegram_id=104)[0]  # as /status would see it
    assert whole.missing == (f"{RK_NAME} (Bidang Infrastruktur)", f"{RK_NAME} (Sekretariat)")
    assert not whole.ready_to_submit


def test_a_holder_of_two_units_is_shown_what_each_still_lacks(office: Services) -> None:
    officials.register_official(
        office,
        telegram_id=102,
        name="Budi Sekretaris",
        position="kepala_bidang",
        unit="Bidang Infrastruktur",
        acting="Plt.",
    )
    up_to_the_units(office)
    upload(office, 104, RK, "rk-infrastruktur.pdf")

    both = seen_by(office, 102)
    assert both.units == ("Bidang Infrastruktur", "Sekretariat")
    assert both.missing == (f"{RK_NAME} (Sekretariat)",)
    assert [d.file_name for d in both.documents] == ["rk-infrastruktur.pdf"]
    assert not both.ready_to_submit  # Kirim for two units at once would be refused

    submit(office, 104)
    upload(office, 102, RK, "rk-sekretariat.pdf")  # one unit left: no longer ambiguous

    left = seen_by(office, 102)
    assert left.units == ("Sekretariat",)
    assert left.missing == ()
    assert [d.file_name for d in left.documents] == ["rk-sekretariat.pdf"]
    assert offers_kirim(office, 102, left)


SMALL_OFFICE = """
jabatan:
  kepala_bidang: {nama: Kepala Bidang, pemegang: banyak, per_unit: true}
  sekretaris: {nama: Sekretaris}
"""

RETURNED_SOP = """
format: 2
id: laporan-unit
identitas: {judul: LAPORAN UNIT}
pelaksana: [kepala_bidang, sekretaris]
dokumen:
  laporan: {nama: Laporan unit, per_unit: true}
langkah:
  - nomor: 1
    aktivitas: Setiap bidang mengunggah laporannya.
    pelaksana: [kepala_bidang]
    waktu: 60
    output: [Laporan unit]
    tugas:
      - {id: laporan, jenis: unggah_paralel, oleh: [kepala_bidang], judul: Unggah laporan,
         dokumen: [laporan]}
  - nomor: 2
    aktivitas: Sekretaris memeriksa laporan.
    pelaksana: [sekretaris]
    waktu: 30
    output: [Laporan diperiksa]
    tugas:
      - {id: periksa, jenis: keputusan, oleh: sekretaris, judul: Periksa laporan,
         telaah: [laporan], kembali_ke: laporan}
"""


@pytest.fixture
def returned(services: Services) -> Services:
    office = parse_organisation(yaml.safe_load(SMALL_OFFICE))  # no list of units
    sop = parse_sop(yaml.safe_load(RETURNED_SOP), organisation=office, source="test")
    services = dataclasses.replace(services, sops={sop.id: sop})
    for telegram_id, name, position, unit in [
        (201, "Sari Sekretaris", "sekretaris", None),
        (202, "Tono Kabid A", "kepala_bidang", "Bidang A"),
        (203, "Umi Kabid B", "kepala_bidang", "Bidang B"),
    ]:
        officials.register_official(
            services, telegram_id=telegram_id, name=name, position=position, unit=unit
        )
    return services


def test_after_a_return_each_unit_sends_its_part_again(returned: Services) -> None:
    drafts.start_draft(returned, telegram_id=202, title="Laporan 2027")
    for telegram_id, name in [(202, "a-v1.pdf"), (203, "b-v1.pdf")]:
        upload(returned, telegram_id, "laporan", name)
        submit(returned, telegram_id)
    back = drafts.act(returned, telegram_id=201, draft_id=1, action=Return("Lengkapi data"))

    (task,) = back.opened
    assert task.return_note == "Lengkapi data"
    for telegram_id in (202, 203):  # the message a return sends: nothing of this round yet
        mine = task.for_holder(official_id(returned, telegram_id))
        assert mine.missing == ("Laporan unit",)
        assert mine.documents == ()
        assert not offers_kirim(returned, telegram_id, task)

    upload(returned, 203, "laporan", "b-v2.pdf")
    b = seen_by(returned, 203)
    assert [d.file_name for d in b.documents] == ["b-v2.pdf"]
    assert offers_kirim(returned, 203, b)
    assert not offers_kirim(returned, 202, seen_by(returned, 202))
