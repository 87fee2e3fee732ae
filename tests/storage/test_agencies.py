"""Several agencies in one database: every query that lists drafts, tasks or holders is
scoped to one agency, and a database of one office upgrades into its default agency."""

from __future__ import annotations

import hashlib
from pathlib import Path

from alembic import command
from sqlalchemy import text
from sqlmodel import Session, select

from bot.sample_office import OFFICIALS, SECOND_OFFICIALS, register_second_agency
from bot.usecases import drafts, invites, officials, reading
from bot.usecases.base import Services
from storage import agencies as agency_store
from storage import drafts as draft_store
from storage import meetings as meeting_store
from storage import officials as official_store
from storage.db import alembic_config, make_engine, upgrade
from storage.drafts import NewFile
from storage.models import Agency, Draft, Invite, Official, PositionGroup
from tests.conftest import FakeClock
from workflow.calendar import OfficeCalendar
from workflow.engine import Submit, Upload
from workflow.sop import Sop


def ids(agency: Agency | None) -> int:
    assert agency is not None and agency.id is not None
    return agency.id


def test_staff_and_rosters_are_one_agencys(office: Services, clock: FakeClock) -> None:
    register_second_agency(office)
    with office.session() as session:
        utama = ids(agency_store.default_agency(session))
        dinkes = ids(agency_store.agency_by_key(session, key="dinkes"))
        first = official_store.staff(session, now=clock.now, agency_id=utama)
        second = official_store.staff(session, now=clock.now, agency_id=dinkes)
        assert {o.telegram_id for o in first.officials.values()} == {
            o.telegram_id for o in OFFICIALS
        }
        assert {o.telegram_id for o in second.officials.values()} == {
            o.telegram_id for o in SECOND_OFFICIALS
        }
        roster = official_store.roster(session, now=clock.now, agency_id=dinkes)
        assert [h.name for h in roster["sekretaris"]] == ["Tono Sekretaris Dinkes"]
        assert "forum_skpd" not in roster
        # The same account is an actor of its own agency's staff only.
        assert first.actor(202) is None and second.actor(202) is not None


def test_drafts_and_open_tasks_are_listed_per_agency(office: Services) -> None:
    register_second_agency(office)
    ours = drafts.start_draft(office, telegram_id=101, title="Renja BAPPEDA 2027").draft.id
    theirs = drafts.start_draft(office, telegram_id=201, title="Renja Dinkes 2027").draft.id
    with office.session() as session:
        utama = ids(agency_store.default_agency(session))
        dinkes = ids(agency_store.agency_by_key(session, key="dinkes"))
        assert [d.id for d in draft_store.drafts(session, agency_id=utama)] == [ours]
        assert [d.id for d in draft_store.drafts(session, agency_id=dinkes)] == [theirs]
        assert [d.id for d in draft_store.drafts(session, agency_id=None)] == [ours, theirs]
        kinds = {"konsep_pendahuluan"}
        found = draft_store.open_tasks_among(session, agency_id=dinkes, task_ids=kinds, limit=10)
        assert [draft.id for _, draft in found] == [theirs]
        # Naming the other agency's draft finds nothing.
        assert (
            draft_store.open_tasks_among(
                session, agency_id=utama, task_ids=kinds, draft_id=theirs, limit=10
            )
            == []
        )
        assert [t.draft_id for t in draft_store.open_tasks(session, agency_id=utama)] == [ours]
        assert meeting_store.latest_meetings(session, agency_id=dinkes) == []


def test_groups_are_one_agencys(office: Services, clock: FakeClock) -> None:
    register_second_agency(office)
    with office.session() as session:
        utama = ids(agency_store.default_agency(session))
        dinkes = ids(agency_store.agency_by_key(session, key="dinkes"))
        for agency_id, chat_id in ((utama, -100), (dinkes, -200)):
            meeting_store.register_group(
                session,
                position="forum_skpd",
                agency_id=agency_id,
                chat_id=chat_id,
                title="Forum",
                registered_by=900,
                now=clock.now,
            )
        found = meeting_store.groups_of(session, positions={"forum_skpd"}, agency_id=dinkes)
        assert [group.chat_id for group in found] == [-200]


OLD_ROWS = (
    "INSERT INTO official (telegram_id, name, active, created_at) VALUES "
    "(101, 'Rina Kasubbag', 1, '2026-11-02 01:00:00'), "
    "(102, 'Budi Sekretaris', 1, '2026-11-02 01:00:00')",
    "INSERT INTO assignment (official_id, position, unit, valid_from) VALUES "
    "(1, 'kasubbag_renja', NULL, '2026-11-02 01:00:00'), "
    "(2, 'sekretaris', 'Sekretariat', '2026-11-02 01:00:00')",
    "INSERT INTO draft (sop_id, title, year, status, revision, created_by, created_at) VALUES "
    "('menyusun-rencana-kerja', 'Renja Lama 2027', 2027, 'aktif', 0, 1, "
    "'2026-11-30 01:00:00')",
    "INSERT INTO drafttask (draft_id, task_id, row_no, is_open, entered_at, shares, submitted) "
    "VALUES (1, 'konsep_pendahuluan', 1, 1, '2026-11-30 01:00:00', '[]', '[]')",
    "INSERT INTO rowclock (draft_id, row_no, standard_minutes, standard_text, entered_at, "
    "due_at, waited_minutes) VALUES (1, 1, 60, '60 menit', '2026-11-30 01:00:00', "
    "'2026-11-30 02:00:00', 0)",
    "INSERT INTO invite (token, position, unit, created_by, created_at, expires_at) VALUES "
    "('undangan-lama', 'kepala_bidang', 'Bidang Ekonomi', 900, '2026-11-30 00:00:00', "
    "'2026-12-03 00:00:00')",
    "INSERT INTO position_group (position, chat_id, title, registered_by, registered_at, "
    "active) VALUES ('forum_skpd', -100, 'Forum SKPD', 900, '2026-11-02 01:00:00', 1)",
)


def new_file(content: bytes) -> NewFile:
    digest = hashlib.sha256(content).hexdigest()
    return NewFile("konsep.pdf", "application/pdf", len(content), digest, "f", "u", "1/x.pdf")


def test_a_database_of_one_office_upgrades_into_its_default_agency(
    tmp_path: Path, sops: dict[str, Sop], clock: FakeClock
) -> None:
    url = f"sqlite:///{tmp_path / 'lama.db'}"
    upgrade(url, "0008")
    engine = make_engine(url)
    with engine.begin() as connection:
        for statement in OLD_ROWS:
            connection.execute(text(statement))
    engine.dispose()

    name = "Badan Perencanaan Pembangunan Daerah Provinsi Kalimantan Barat"
    upgrade(url, agency_name=name)
    services = Services(
        engine=make_engine(url),
        sops=sops,
        calendar=OfficeCalendar.default(),
        clock=clock,
        files_dir=tmp_path / "files",
        max_upload_bytes=1024 * 1024,
    )
    with Session(services.engine) as session:
        (agency,) = agency_store.agencies(session)
        assert (agency.key, agency.name) == ("utama", name)
        for column in (
            Official.agency_id,
            Draft.agency_id,
            Invite.agency_id,
            PositionGroup.agency_id,
        ):
            assert set(session.exec(select(column)).all()) == {agency.id}
        assert not any(o.agency_admin for o in session.exec(select(Official)).all())

    # The office works on as before: its officials see and act on the draft they had.
    (status,) = reading.draft_status(
        services, scope=officials.scope(services, telegram_id=102), draft_id=None
    )
    assert status.draft.title == "Renja Lama 2027" and status.agency is None
    drafts.act(
        services,
        telegram_id=101,
        draft_id=1,
        action=Upload("konsep_pendahuluan"),
        new_file=new_file(b"konsep"),
    )
    outcome = drafts.act(services, telegram_id=101, draft_id=1, action=Submit())
    assert [p.telegram_id for b in outcome.opened for p in b.holders] == [102]
    assert [t.draft.id for t in reading.open_tasks_for(services, telegram_id=102)] == [1]
    # The invitation made before the upgrade registers into the default agency.
    joined = invites.redeem_invite(
        services, token="undangan-lama", telegram_id=103, name="Citra", username=None
    )
    assert joined.agency_key == "utama"
    started = drafts.start_draft(services, telegram_id=101, title="Renja Perubahan 2027")
    with Session(services.engine) as session:
        draft = draft_store.get_draft(session, draft_id=started.draft.id)
        assert draft is not None and draft.agency_id == agency.id
    services.engine.dispose()

    # And back: the downgrade leaves the database of one office it was.
    command.downgrade(alembic_config(url), "0008")
    engine = make_engine(url)
    with engine.connect() as connection:
        columns = [row[1] for row in connection.execute(text("PRAGMA table_info(draft)"))]
        assert "agency_id" not in columns
        assert connection.execute(text("SELECT count(*) FROM draft")).scalar() == 2
    engine.dispose()


def test_a_new_database_starts_with_one_agency(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'baru.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        assert [(a.key, a.name) for a in agency_store.agencies(session)] == [
            ("utama", "Instansi utama")
        ]
    engine.dispose()
