"""Two agencies in one bot, at the use-case level: each official starts, sees, acts on and is
reminded of their own agency's drafts only; another agency's draft is one that does not
exist; administrators work in their agency, province-level ones in any they name."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.sample_office import register_second_agency
from bot.usecases import (
    decisions,
    drafts,
    invites,
    meetings,
    officials,
    reading,
    reminders,
    returns,
    starting,
    uploads,
)
from bot.usecases import sops as sop_usecases
from bot.usecases.base import EVERY_AGENCY, Services
from bot.usecases.errors import (
    DraftNotFound,
    InvalidInput,
    InviteProblem,
    InviteRefused,
    NotAdmin,
    NotRegistered,
)
from storage import drafts as draft_store
from storage import outbox as outbox_store
from tests.bot.usecases.files import new_file
from tests.bot.usecases.test_meetings import schedule, to_the_forum
from tests.conftest import FakeClock
from workflow.engine import Approve, Return, Submit, Upload
from workflow.meeting import Answer
from workflow.sop import Sop

RINA, BUDI, SARI, TONO, UMAR = 101, 102, 201, 202, 203
PROVINCE_ADMIN = 900


@pytest.fixture
def two(office: Services) -> Services:
    """The office of BAPPEDA (the default agency) and Dinas Kesehatan, side by side; Tono
    administers Dinas Kesehatan; 900 administers the province."""
    register_second_agency(office)
    office.admins = frozenset({PROVINCE_ADMIN})
    return office


def start_both(services: Services) -> tuple[int, int]:
    ours = drafts.start_draft(services, telegram_id=RINA, title="Renja BAPPEDA 2027")
    theirs = drafts.start_draft(services, telegram_id=SARI, title="Renja Dinkes 2027")
    return ours.draft.id, theirs.draft.id


def test_a_draft_goes_to_the_holders_of_its_own_agency(two: Services) -> None:
    _, theirs = start_both(two)
    drafts.act(
        two,
        telegram_id=SARI,
        draft_id=theirs,
        action=Upload("konsep_pendahuluan"),
        new_file=new_file("konsep-dinkes.pdf"),
    )
    submitted = drafts.act(two, telegram_id=SARI, draft_id=theirs, action=Submit())
    (review,) = submitted.opened
    assert [p.telegram_id for p in review.holders] == [TONO]
    assert [t.draft.id for t in reading.open_tasks_for(two, telegram_id=TONO)] == [theirs]
    assert reading.open_tasks_for(two, telegram_id=BUDI) == []
    assert reading.task_list(two, telegram_id=BUDI).total == 0
    assert reading.task_list(two, telegram_id=TONO).total == 1


def test_another_agencys_draft_is_refused_as_one_that_does_not_exist(two: Services) -> None:
    ours, theirs = start_both(two)
    before = reading.history(two, scope=EVERY_AGENCY, draft_id=theirs)[1]
    with two.reading() as session:
        task = draft_store.open_task(session, draft_id=theirs)
    assert task is not None and task.id is not None
    budi = officials.scope(two, telegram_id=BUDI)
    for call in (
        lambda: reading.history(two, scope=budi, draft_id=theirs),
        lambda: reading.draft_status(two, scope=budi, draft_id=theirs),
        lambda: drafts.act(two, telegram_id=BUDI, draft_id=theirs, action=Approve()),
        lambda: drafts.act(two, telegram_id=RINA, draft_id=theirs, action=Return("tidak")),
        lambda: returns.begin_return(
            two, telegram_id=BUDI, draft_id=theirs, draft_task_id=task.id or 0
        ),
        lambda: meetings.begin_scheduling(
            two, telegram_id=RINA, draft_id=theirs, draft_task_id=task.id or 0
        ),
    ):
        with pytest.raises(DraftNotFound) as refused:
            call()
        assert refused.value.draft_id == theirs
    # Pressed on a task of theirs, as on a task that does not exist: nothing names it.
    for draft_task_id in (task.id, 999):
        with pytest.raises(DraftNotFound) as refused:
            decisions.choose(two, telegram_id=RINA, draft_task_id=draft_task_id, choice=0)
        assert refused.value.draft_id == 0
    # A file captioned with their draft's number is for no task of Rina's.
    assert uploads.upload_options(two, telegram_id=RINA, draft_id=theirs) == []
    assert reading.history(two, scope=EVERY_AGENCY, draft_id=theirs)[1] == before
    # Each sees their own in /status; the province sees both, each named.
    assert [s.draft.id for s in reading.draft_status(two, scope=budi)] == [ours]
    tono = officials.scope(two, telegram_id=TONO)
    assert [s.draft.id for s in reading.draft_status(two, scope=tono)] == [theirs]
    province = officials.scope(two, telegram_id=PROVINCE_ADMIN)
    assert [(s.draft.id, s.agency) for s in reading.draft_status(two, scope=province)] == [
        (ours, "Instansi utama"),
        (theirs, "Dinas Kesehatan Provinsi Kalimantan Barat"),
    ]
    assert all(s.agency is None for s in reading.draft_status(two, scope=budi))


def test_reminders_and_escalations_stay_in_the_drafts_agency(
    two: Services, clock: FakeClock
) -> None:
    ours, theirs = start_both(two)
    clock.advance(minutes=48)  # 80% of row 1
    notices = reminders.deliver_due_reminders(two)
    early = sorted((n.briefing.draft.id, [p.telegram_id for p in n.recipients]) for n in notices)
    assert early == [(ours, [RINA]), (theirs, [SARI])]
    clock.advance(minutes=12)  # due: the Kasubbag's superior, the Sekretaris, is told
    notices = reminders.deliver_due_reminders(two)
    sent = sorted(
        (n.briefing.draft.id, n.kind.value, [p.telegram_id for p in n.recipients]) for n in notices
    )
    assert sent == [
        (ours, "eskalasi", [BUDI]),
        (ours, "jatuh_tempo", [RINA]),
        (theirs, "eskalasi", [TONO]),
        (theirs, "jatuh_tempo", [SARI]),
    ]


def second_sops(sops: dict[str, Sop]) -> dict[str, Sop]:
    """The shipped SOPs, and one that only Dinas Kesehatan runs."""
    renja = sops["menyusun-rencana-kerja"]
    own = renja.model_copy(update={"id": "renja-dinkes", "perintah": None, "instansi": "dinkes"})
    own._organisation = renja.organisation
    return {**sops, own.id: own}


def test_baru_offers_the_agencys_own_sops_and_the_shared_ones(
    two: Services, sops: dict[str, Sop]
) -> None:
    two.sops = second_sops(sops)
    assert [s.sop.id for s in starting.startable(two, telegram_id=RINA)] == [
        "menyusun-rencana-kerja"
    ]
    found = starting.startable(two, telegram_id=SARI)
    assert [s.sop.id for s in found] == ["menyusun-rencana-kerja", "renja-dinkes"]
    with pytest.raises(InvalidInput, match="tidak dijalankan di instansi Bapak/Ibu"):
        starting.choose(two, telegram_id=RINA, number=found[1].number)
    with pytest.raises(InvalidInput, match="tidak dijalankan di instansi Bapak/Ibu"):
        drafts.start_draft(two, telegram_id=RINA, title="Renja Coba", sop_id="renja-dinkes")
    started = drafts.start_draft(
        two, telegram_id=SARI, title="Renja Sendiri", sop_id="renja-dinkes"
    )
    assert [p.telegram_id for b in started.opened for p in b.holders] == [SARI]


def test_sop_shows_the_agencys_own_sops_and_the_shared_ones(
    two: Services, sops: dict[str, Sop]
) -> None:
    two.sops = second_sops(sops)
    assert [sop.id for sop in sop_usecases.readable(two, telegram_id=RINA)] == [
        "menyusun-rencana-kerja"
    ]
    assert [sop.id for sop in sop_usecases.readable(two, telegram_id=SARI)] == [
        "menyusun-rencana-kerja",
        "renja-dinkes",
    ]
    assert len(sop_usecases.readable(two, telegram_id=PROVINCE_ADMIN)) == 2
    owed = outbox_rows(two)
    # Another agency's own SOP is one that does not exist, and nothing is owed.
    with pytest.raises(
        InvalidInput, match=r"SOP 'renja-dinkes' tidak ada\. Pilihan: menyusun-rencana-kerja\.$"
    ):
        sop_usecases.send_sop(two, telegram_id=RINA, chat_id=RINA, sop_id="renja-dinkes")
    with pytest.raises(NotRegistered):
        sop_usecases.send_sop(two, telegram_id=777, chat_id=777)
    assert outbox_rows(two) == owed
    sop_usecases.send_sop(two, telegram_id=SARI, chat_id=SARI, sop_id="renja-dinkes")
    sop_usecases.send_sop(
        two, telegram_id=PROVINCE_ADMIN, chat_id=PROVINCE_ADMIN, sop_id="renja-dinkes"
    )
    assert outbox_rows(two) == owed + 4
    # With only another agency's own SOP loaded, there is nothing to show: said, and nothing
    # is owed.
    two.sops = {"renja-dinkes": two.sops["renja-dinkes"]}
    with pytest.raises(InvalidInput, match=r"^Belum ada SOP yang dijalankan di instansi"):
        sop_usecases.send_sop(two, telegram_id=RINA, chat_id=RINA)
    assert outbox_rows(two) == owed + 4


def outbox_rows(services: Services) -> int:
    with services.reading() as session:
        return sum(outbox_store.counts(session).values())


def test_invitations_register_into_the_administrators_agency(two: Services) -> None:
    link = invites.create_invite(
        two, admin_telegram_id=TONO, position="kepala_bidang", unit="Bidang Ekonomi"
    )
    assert link.agency_name == "Dinas Kesehatan Provinsi Kalimantan Barat"
    joined = invites.redeem_invite(
        two, token=link.token, telegram_id=205, name="Wati", username=None
    )
    assert joined.agency_key == "dinkes"
    with pytest.raises(InvalidInput, match="hanya mengelola instansi Dinas Kesehatan"):
        invites.create_invite(
            two, admin_telegram_id=TONO, position="sekretaris", unit=None, agency_key="utama"
        )
    with pytest.raises(NotAdmin):
        invites.create_invite(two, admin_telegram_id=UMAR, position="sekretaris", unit=None)
    # The province-level administrator names the agency, once there are several.
    with pytest.raises(InvalidInput, match=r"Sebutkan instansinya \(kunci\): utama, dinkes\."):
        invites.create_invite(
            two, admin_telegram_id=PROVINCE_ADMIN, position="sekretaris", unit=None
        )
    link = invites.create_invite(
        two,
        admin_telegram_id=PROVINCE_ADMIN,
        position="kepala_bidang",
        unit="Bidang Infrastruktur",
        agency_key="utama",
    )
    # Someone of Dinas Kesehatan cannot join BAPPEDA by it: one person, one agency.
    with pytest.raises(InviteRefused) as refused:
        invites.redeem_invite(two, token=link.token, telegram_id=UMAR, name="Umar", username=None)
    assert refused.value.problem is InviteProblem.INSTANSI_LAIN
    assert officials.admin_level(two, telegram_id=TONO) is officials.AdminLevel.INSTANSI
    assert officials.admin_level(two, telegram_id=UMAR) is officials.AdminLevel.NONE
    assert officials.admin_level(two, telegram_id=PROVINCE_ADMIN) is officials.AdminLevel.PROVINSI


def test_another_agencys_meeting_is_refused_as_one_that_does_not_exist(
    two: Services, clock: FakeClock
) -> None:
    entry = to_the_forum(two)
    schedule(two, entry)
    # Sari holds the organiser's position, Kasubbag. Renja & Monev, but in Dinas Kesehatan.
    calls: list[Callable[[], object]] = [
        lambda: meetings.ask_cancel(two, telegram_id=SARI, meeting_id=1),
        lambda: meetings.begin_reschedule(two, telegram_id=SARI, meeting_id=1),
        lambda: meetings.answer(two, telegram_id=TONO, meeting_id=1, given=Answer.HADIR),
        lambda: meetings.answer(two, telegram_id=TONO, meeting_id=99, given=Answer.HADIR),
    ]
    for call in calls:
        with pytest.raises(InvalidInput, match="Pilihan ini sudah tidak berlaku"):
            call()
    with pytest.raises(InvalidInput, match="Belum ada rapat yang dijadwalkan"):
        meetings.report(two, telegram_id=SARI, draft_id=None)
    assert meetings.report(two, telegram_id=RINA, draft_id=None).meeting.id == 1


def test_with_one_agency_nothing_is_named_or_asked(office: Services) -> None:
    """A single office upgraded from before agencies: the province's administrator reads
    /status as before, and invites without naming an agency."""
    office.admins = frozenset({PROVINCE_ADMIN})
    drafts.start_draft(office, telegram_id=RINA, title="Renja BAPPEDA 2027")
    province = officials.scope(office, telegram_id=PROVINCE_ADMIN)
    (status,) = reading.draft_status(office, scope=province)
    assert status.agency is None
    link = invites.create_invite(
        office, admin_telegram_id=PROVINCE_ADMIN, position="sekretaris", unit=None
    )
    assert link.agency_name == "Instansi utama"
