"""Acting officials from the chat: /plh proposed, set, its tasks moved there and back, the
trail, reminders; and every refusal, which changes nothing."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from bot import texts
from bot.callbacks import Press, Verb, decode
from bot.usecases import acting, drafts, reading, reminders
from bot.usecases.base import EVERY_AGENCY, Origin, Services
from bot.usecases.errors import InvalidInput, NotRegistered
from storage import acting as acting_store
from storage import agencies as agency_store
from storage import audit as audit_store
from storage import officials as official_store
from storage.models import ActingPeriod, Assignment, Draft, DraftTask, OutboxMessage
from tests.bot.usecases.files import new_file
from tests.conftest import FakeClock
from workflow.engine import Approve, Submit, Upload

WIB = ZoneInfo("Asia/Pontianak")
RINA, BUDI, CITRA, DODI, EKA = 101, 102, 103, 104, 105
ADMIN = 900


@pytest.fixture
def office(office: Services) -> Services:
    office.admins = frozenset({ADMIN})
    return office


def to_review(services: Services, title: str) -> int:
    """A new draft whose konsep waits for the Sekretaris's review; its id."""
    started = drafts.start_draft(services, telegram_id=RINA, title=title)
    draft_id = started.draft.id
    drafts.act(
        services,
        telegram_id=RINA,
        draft_id=draft_id,
        action=Upload("konsep_pendahuluan"),
        new_file=new_file(f"konsep-{draft_id}.pdf"),
    )
    drafts.act(services, telegram_id=RINA, draft_id=draft_id, action=Submit())
    return draft_id


def outbox(services: Services, *, after: int = 0) -> list[OutboxMessage]:
    with services.session() as session:
        return list(
            session.exec(
                select(OutboxMessage)
                .where(col(OutboxMessage.id) > after)
                .order_by(col(OutboxMessage.id))
            ).all()
        )


def last_id(services: Services) -> int:
    rows = outbox(services)
    return rows[-1].id or 0 if rows else 0


def to(rows: list[OutboxMessage], chat_id: int) -> list[OutboxMessage]:
    return [row for row in rows if row.chat_id == chat_id]


def buttons(row: OutboxMessage) -> list[tuple[str, Press | None]]:
    markup: dict[str, Any] = row.payload.get("reply_markup") or {}
    return [
        (button["text"], decode(button["callback_data"]))
        for line in markup.get("inline_keyboard", [])
        for button in line
    ]


def propose(services: Services, telegram_id: int, text: str, kind: str = "Plh.") -> int:
    """Propose; the period's id (from the ✅ Tetapkan button of the summary)."""
    before = last_id(services)
    acting.propose(
        services, telegram_id=telegram_id, acting=kind, words=text.split(), chat_id=telegram_id
    )
    (summary,) = outbox(services, after=before)
    (tetapkan, press), (batal, _) = buttons(summary)
    assert (tetapkan, batal) == ("✅ Tetapkan", "❌ Batal")
    assert press is not None and press.verb is Verb.PLH_TETAPKAN
    return press.first


def state(services: Services) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    with services.session() as session:
        periods = [p.model_dump() for p in session.exec(select(ActingPeriod)).all()]
        held = [a.model_dump() for a in session.exec(select(Assignment)).all()]
    return periods, held


def test_a_plh_sekretaris_takes_the_tasks_for_the_period_and_gives_them_back(
    office: Services, clock: FakeClock
) -> None:
    first = to_review(office, "Renja 2027")
    # Monday 30 November 2026, 08:00 WIB: the Kepala Badan (the Sekretaris's atasan) sets
    # Citra as Plh. Sekretaris until the end of today's working day (16:00 WIB).
    period_id = propose(office, EKA, "sekretaris citra 30-11-2026")
    (summary,) = to(outbox(office), EKA)
    assert summary.payload["text"].splitlines()[:5] == [
        "👤 <b>Penetapan Plh. Sekretaris</b> (pelaksana harian)",
        "Plh.: Citra Kabid Ekonomi",
        "Menggantikan: Budi Sekretaris (Sekretaris)",
        "Mulai: saat ditetapkan",
        "Sampai: Senin, 30 November 2026 16:00 WIB (akhir hari kerja)",
    ]
    assert holding(office, "sekretaris", clock) == [("Budi Sekretaris", "Sekretariat", None)]

    before = last_id(office)
    budi_task = next(
        r
        for r in to(outbox(office), BUDI)
        if r.tag and buttons(r) and "Telaah" in r.payload["text"]
    )
    moved = acting.confirm(
        office,
        telegram_id=EKA,
        period_id=period_id,
        origin=Origin(update_id=1, chat_id=EKA, message_id=77),
    )
    assert [t.draft.id for t in moved.gained] == [first]
    assert moved.next_alarm_at is not None
    rows = outbox(office, after=before)
    (edited,) = to(rows, EKA)
    assert (
        edited.kind == "ubah_teks"
        and "✅ Ditetapkan oleh Eka Kepala Badan" in (edited.payload["text"])
    )
    notice, dropped = to(rows, BUDI)
    assert (
        "Citra Kabid Ekonomi ditetapkan sebagai Plh. Sekretaris menggantikan Bapak/Ibu"
        in (notice.payload["text"])
    )
    assert "• Telaah Konsep pendahuluan Renja — Renja 2027 (#1)" in notice.payload["text"]
    assert (dropped.kind, dropped.edit_of) == ("hapus_tombol", budi_task.id)
    told, task, *documents = to(rows, CITRA)
    assert (
        "Bapak/Ibu Citra Kabid Ekonomi ditetapkan sebagai Plh. Sekretaris"
        in (told.payload["text"])
    )
    assert "Langkah 1: Telaah Konsep pendahuluan Renja" in task.payload["text"]
    assert [label for label, _ in buttons(task)] == ["✅ Setujui", "↩️ Kembalikan"]
    assert task.tag == budi_task.tag and len(documents) == 1

    # While it lasts: a new draft's review goes to Citra, not Budi.
    before = last_id(office)
    second = to_review(office, "Renja Perubahan 2027")
    rows = outbox(office, after=before)
    assert to(rows, BUDI) == []
    assert any("Telaah Konsep" in r.payload.get("text", "") for r in to(rows, CITRA))
    assert [b.draft.id for b in reading.open_tasks_for(office, telegram_id=CITRA)] == [
        first,
        second,
    ]
    assert reading.open_tasks_for(office, telegram_id=BUDI) == []

    # The reminders of the row go to Citra, the escalation to the Kepala Badan.
    clock.advance(hours=1)  # 09:00: row 1 of the first draft is due
    notices = reminders.deliver_due_reminders(office)
    due = {(n.kind.value, p.telegram_id) for n in notices for p in n.recipients}
    assert ("jatuh_tempo", CITRA) in due and ("eskalasi", EKA) in due
    assert not any(telegram_id == BUDI for _, telegram_id in due)

    # Citra approves: the trail reads "Plh. Sekretaris, Citra …", a.n. Sekretaris.
    drafts.act(office, telegram_id=CITRA, draft_id=first, action=Approve())
    draft, lines = reading.history(office, scope=EVERY_AGENCY, draft_id=first)
    trail = texts.history_message(draft.title, draft.id, lines, (), WIB)
    assert "L1 Plh. Sekretaris, Citra Kabid Ekonomi menyetujui a.n. Sekretaris" in trail, trail
    assert "L1 Rina Kasubbag mengirim" in trail
    # The move itself is in the trail, between the sending and Citra's approval.
    moved_line = (
        "08:00 WIB — L1 sistem mengalihkan tugas: “kepada Plh. Sekretaris, Citra Kabid Ekonomi "
        "menggantikan Budi Sekretaris sampai Senin, 30 November 2026 16:00 WIB; ditetapkan "
        "oleh Eka Kepala Badan”"
    )
    assert moved_line in trail, trail
    assert trail.index("mengirim") < trail.index(moved_line) < trail.index("menyetujui a.n.")
    # Budi can no longer act for the Sekretaris meanwhile.
    with pytest.raises(Exception, match="bukan_pemegang"):
        drafts.act(office, telegram_id=BUDI, draft_id=second, action=Approve())

    # 16:00 WIB: the period ends; the second draft's review goes back to Budi.
    clock.advance(hours=6, minutes=59)
    assert acting.end_due_periods(office) == []
    assert reminders.next_reminder_at(office) is not None
    before = last_id(office)
    clock.advance(minutes=1)
    (ended,) = acting.end_due_periods(office)
    assert ended.ended and [t.draft.id for t in ended.gained] == [second]
    assert acting.end_due_periods(office) == []  # once
    rows = outbox(office, after=before)
    notice, *drops = to(rows, CITRA)
    assert "Masa Bapak/Ibu sebagai Plh. Sekretaris berakhir" in notice.payload["text"]
    assert drops and {d.kind for d in drops} == {"hapus_tombol"}
    back, task, *_ = to(rows, BUDI)
    assert "Tugas Sekretaris kembali kepada Bapak/Ibu" in back.payload["text"]
    assert "Renja Perubahan 2027" in task.payload["text"] and buttons(task)
    assert [b.draft.id for b in reading.open_tasks_for(office, telegram_id=BUDI)] == [second]
    assert reading.open_tasks_for(office, telegram_id=CITRA) == []
    drafts.act(office, telegram_id=BUDI, draft_id=second, action=Approve())
    draft, lines = reading.history(office, scope=EVERY_AGENCY, draft_id=second)
    trail = texts.history_message(draft.title, draft.id, lines, (), WIB)
    assert (
        "16:00 WIB — L1 sistem mengembalikan tugas: “kepada Budi Sekretaris; masa Plh. "
        "Sekretaris, Citra Kabid Ekonomi berakhir”" in trail
    ), trail
    # The first draft's task had been decided: nothing of it went back.
    draft, lines = reading.history(office, scope=EVERY_AGENCY, draft_id=first)
    assert [line.action for line in lines].count("tugas_kembali") == 0
    with office.reading() as session:
        # The chains hold with the moves in them (the test's uploads have no file on disk).
        assert audit_store.verify(session, files_dir=office.files_dir).entry_problems == []


def holding(
    services: Services, position: str, clock: FakeClock
) -> list[tuple[str, str | None, str | None]]:
    """Who holds the position now: (name, unit, acting)."""
    with services.session() as session:
        utama = agency_store.default_agency(session).id or 0
        roster = official_store.roster(session, now=clock.now, agency_id=utama)
    return [(h.name, h.unit, h.acting) for h in roster.get(position, ())]


def test_an_administrator_sets_a_plt_and_cancelling_changes_nothing(
    office: Services, clock: FakeClock
) -> None:
    unchanged = state(office)
    period_id = propose(office, ADMIN, "kabid ekonomi Rina 2026-12-04", kind="Plt.")
    acting.cancel(office, telegram_id=ADMIN, period_id=period_id)
    periods, held = state(office)
    assert held == unchanged[1]
    assert [p["status"] for p in periods] == ["dibatalkan"]
    with pytest.raises(InvalidInput, match="sudah ditetapkan atau dibatalkan"):
        acting.confirm(office, telegram_id=ADMIN, period_id=period_id)

    period_id = propose(office, ADMIN, "kabid ekonomi Rina 2026-12-04", kind="Plt.")
    acting.confirm(office, telegram_id=ADMIN, period_id=period_id)
    (view,) = acting.periods(office)
    assert (view.acting, view.position, view.official.name, view.holder.name) == (
        "Plt.",
        "Kepala Bidang (Bidang Ekonomi)",
        "Rina Kasubbag",
        "Citra Kabid Ekonomi",
    )
    # Friday 4 December closes at 16:30 WIB.
    assert view.valid_until.astimezone(WIB).strftime("%A %H:%M") == "Friday 16:30"
    assert holding(office, "kepala_bidang", clock) == [
        ("Dodi Kabid Infrastruktur", "Bidang Infrastruktur", None),
        ("Rina Kasubbag", "Bidang Ekonomi", "Plt."),
    ]


def refused(services: Services, telegram_id: int, text: str, kind: str = "Plh.") -> str:
    before = state(services)
    with pytest.raises(InvalidInput) as error:
        acting.propose(
            services, telegram_id=telegram_id, acting=kind, words=text.split(), chat_id=1
        )
    assert state(services) == before
    return str(error.value)


def test_every_refusal_changes_nothing(office: Services, clock: FakeClock) -> None:
    assert refused(office, EKA, "sekretaris Citra").startswith(
        "Cara pakai: /plh <jabatan> <nama> <sampai>, misalnya /plh sekretaris Citra 2026-12-04."
    )
    assert refused(office, EKA, "x y", kind="Plt.").startswith("Cara pakai: /plt <jabatan>")
    assert refused(office, EKA, "bendahara Citra 2026-12-04").startswith(
        "Jabatan tidak dikenal di “bendahara Citra”: tulis jabatan dahulu, lalu nama dan "
        "tanggal. Jabatan: Kepala Badan (kaban), Sekretaris (sekban), Kasubbag. Renja & Monev"
    )
    assert refused(office, RINA, "sekretaris Citra 2026-12-04") == (
        "Hanya admin atau atasan Sekretaris (Kepala Badan) yang dapat menetapkan Plh. "
        "Sekretaris. Tidak ada yang berubah."
    )
    assert refused(office, BUDI, "kaban Budi 2026-12-04") == (
        "Hanya admin yang dapat menetapkan Plh. Kepala Badan. Tidak ada yang berubah."
    )
    with pytest.raises(NotRegistered):
        acting.propose(office, telegram_id=555, acting="Plh.", words=["a", "b", "c"], chat_id=1)
    assert refused(office, BUDI, "kabid Rina 2026-12-04") == (
        "Kepala Bidang dipegang per unit: sebutkan unitnya sesudah jabatan, misalnya /plh "
        "kabid ekonomi <nama> <sampai>. Unit: Bidang Ekonomi, Bidang Infrastruktur. Tidak ada "
        "yang berubah."
    )
    assert refused(office, ADMIN, "staf_umum Rina 2026-12-04").startswith(
        "Staf Umum dipegang beberapa orang: Plh. ditetapkan untuk jabatan yang dipegang satu orang"
    )
    assert refused(office, ADMIN, "kasubbag_umum Rina 2026-12-04") == (
        "Belum ada pejabat yang memegang Kasubbag. Umum, jadi tidak ada yang digantikan. "
        "Tidak ada yang berubah."
    )
    assert refused(office, EKA, "sekretaris Citra besok") == (
        "Tanggal “besok” tidak dipahami. Tulis YYYY-MM-DD atau DD-MM-YYYY, misalnya "
        "2026-12-04 atau 04-12-2026. Tidak ada yang berubah."
    )
    assert refused(office, EKA, "sekretaris Citra 31-11-2026").startswith("Tanggal “31-11")
    assert refused(office, EKA, "sekretaris Citra 2026-11-27") == (
        "Jumat, 27 November 2026 sudah lewat: Plh. berlaku sampai akhir hari kerja tanggal "
        "itu, dan hari kerja itu sudah berakhir. Sebutkan tanggal sesudahnya. Tidak ada yang "
        "berubah."
    )
    clock.advance(hours=8)  # 16:00 WIB: today's working day is over
    assert "Senin, 30 November 2026 sudah lewat" in refused(
        office, EKA, "sekretaris Citra 2026-11-30"
    )
    assert refused(office, EKA, "sekretaris Hadi 2026-12-04") == (
        "Tidak ada pejabat terdaftar bernama “Hadi”. Pejabat kantor: Budi Sekretaris, Citra "
        "Kabid Ekonomi, Dodi Kabid Infrastruktur, Eka Kepala Badan, Rina Kasubbag. Tidak ada "
        "yang berubah."
    )
    assert refused(office, EKA, "sekretaris Fajar 2026-12-04").startswith(
        "Tidak ada pejabat terdaftar bernama “Fajar”"  # an outside party's participant
    )
    assert refused(office, EKA, "sekretaris kabid 2026-12-04") == (
        "“kabid” cocok dengan beberapa pejabat: Citra Kabid Ekonomi, Dodi Kabid "
        "Infrastruktur. Tulis nama lengkapnya. Tidak ada yang berubah."
    )
    assert refused(office, EKA, "sekretaris budi sekretaris 2026-12-04") == (
        "Budi Sekretaris adalah pemegang jabatan Sekretaris itu sendiri: Plh. menggantikan "
        "pemegang jabatan, jadi sebutkan pejabat lain. Tidak ada yang berubah."
    )
    period_id = propose(office, EKA, "sekretaris Citra 2026-12-04")
    acting.confirm(office, telegram_id=EKA, period_id=period_id)
    assert refused(office, ADMIN, "sekban Dodi 2026-12-07") == (
        "Sudah ada Plh. Sekretaris pada masa itu: Citra Kabid Ekonomi, sampai Jumat, 4 "
        "Desember 2026 16:30 WIB. Masa Plh. tidak boleh bertumpuk. Tidak ada yang berubah."
    )


def test_only_the_proposer_sets_a_proposal_once(office: Services) -> None:
    period_id = propose(office, EKA, "sekretaris Citra 2026-12-04")
    before = state(office)
    with pytest.raises(InvalidInput, match="Hanya pengusul penetapan ini"):
        acting.confirm(office, telegram_id=ADMIN, period_id=period_id)
    with pytest.raises(InvalidInput, match="Hanya pengusul penetapan ini"):
        acting.cancel(office, telegram_id=CITRA, period_id=period_id)
    with pytest.raises(InvalidInput, match="Tombol ini sudah tidak berlaku"):
        acting.confirm(office, telegram_id=EKA, period_id=period_id + 1)
    assert state(office) == before
    acting.confirm(office, telegram_id=EKA, period_id=period_id)
    after = state(office)
    with pytest.raises(InvalidInput, match="sudah ditetapkan atau dibatalkan"):
        acting.confirm(office, telegram_id=EKA, period_id=period_id)
    assert state(office) == after


def test_a_proposal_is_checked_again_when_it_is_set(office: Services) -> None:
    first = propose(office, EKA, "sekretaris Citra 2026-12-04")
    second = propose(office, ADMIN, "sekretaris Dodi 2026-12-02")
    acting.confirm(office, telegram_id=ADMIN, period_id=second)
    before = state(office)
    with pytest.raises(InvalidInput, match=r"Sudah ada Plh\. Sekretaris pada masa itu: Dodi"):
        acting.confirm(office, telegram_id=EKA, period_id=first)
    assert state(office) == before
    with office.session() as session:
        assert [p.status for p in acting_store.periods(session)] == ["usulan", "ditetapkan"]


def test_the_period_end_is_the_alarm(office: Services, clock: FakeClock) -> None:
    assert reminders.next_reminder_at(office) is None
    period_id = propose(office, EKA, "sekretaris Citra 2026-11-30")
    assert reminders.next_reminder_at(office) is None  # a proposal ends nothing
    moved = acting.confirm(office, telegram_id=EKA, period_id=period_id)
    end = clock.now + timedelta(hours=8)  # 16:00 WIB
    assert moved.next_alarm_at == end == reminders.next_reminder_at(office)
    assert (moved.left, moved.gained) == ((), ())


def test_a_task_decided_while_the_period_is_set_is_not_moved(office: Services) -> None:
    """A decision that holds its draft while ✅ Tetapkan runs (its transaction not yet
    committed): the period waits for the draft, sees the task closed, and neither moves it
    nor writes a move into its trail; the other draft's task moves."""
    decided = to_review(office, "Renja 2027")
    waiting = to_review(office, "Renja Perubahan 2027")
    period_id = propose(office, EKA, "sekretaris citra 30-11-2026")
    done: dict[str, acting.Moved] = {}

    def set_period() -> None:
        done["moved"] = acting.confirm(office, telegram_id=EKA, period_id=period_id)

    setting = threading.Thread(target=set_period)
    with office.engine.connect() as decision:
        transaction = decision.begin()  # SQLite: the write lock; PostgreSQL: the draft's row
        decision.execute(select(Draft.id).where(col(Draft.id) == decided).with_for_update()).one()
        decision.execute(
            update(DraftTask)
            .where(col(DraftTask.draft_id) == decided, col(DraftTask.is_open).is_(True))
            .values(is_open=False, outcome="setujui")
        )
        setting.start()
        time.sleep(1.0)  # it reads the open tasks, then waits for the draft
        transaction.commit()
    setting.join(timeout=60)
    assert not setting.is_alive()

    assert [t.draft.id for t in done["moved"].gained] == [waiting]
    for draft_id, moves in ((decided, 0), (waiting, 1)):
        _, lines = reading.history(office, scope=EVERY_AGENCY, draft_id=draft_id)
        assert [line.action for line in lines].count("tugas_dialihkan") == moves
    with office.reading() as session:
        assert audit_store.verify(session, files_dir=office.files_dir).entry_problems == []
