"""The pure engine on the Renja SOP and on a second, unrelated SOP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import office_organisation
from workflow.engine import (
    Action,
    ActionRefused,
    Actor,
    Approve,
    Audit,
    AuditAction,
    DraftFinished,
    DraftState,
    DraftStatus,
    Holder,
    Notice,
    NoticeReason,
    OpenTask,
    Refusal,
    Return,
    RowEntered,
    RowLeft,
    Submit,
    TaskClosed,
    TaskOpened,
    Transition,
    Upload,
    apply,
    missing_documents,
    pending_shares,
    start_draft,
)
from workflow.sop import Sop, load_sop
from workflow.waktu import Waktu

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)

KASUBBAG = Holder(1, "Rina", "kasubbag_renja")
SEKRETARIS = Holder(2, "Budi", "sekretaris", unit="Sekretariat")
KABID_EKO = Holder(3, "Citra", "kepala_bidang", unit="Bidang Ekonomi")
KABID_INFRA = Holder(4, "Dodi", "kepala_bidang", unit="Bidang Infrastruktur")
KABAN = Holder(5, "Eka", "kepala_badan")
FORUM_A = Holder(6, "Fajar", "forum_skpd", unit="Dinas PU")
FORUM_B = Holder(7, "Gita", "forum_skpd", unit="Dinas Pendidikan")

ROSTER = {
    "kasubbag_renja": [KASUBBAG],
    "sekretaris": [SEKRETARIS],
    "kepala_bidang": [KABID_EKO, KABID_INFRA],
    "kepala_badan": [KABAN],
    "forum_skpd": [FORUM_A, FORUM_B],
}


def actor(*holdings: Holder) -> Actor:
    return Actor(holdings[0].official_id, holdings[0].name, holdings)


@pytest.fixture(scope="module")
def renja() -> Sop:
    return load_sop(
        ROOT / "sops" / "menyusun-rencana-kerja.yaml", organisation=office_organisation()
    )


class Run:
    """Drives one draft through the engine, keeping every effect in order."""

    def __init__(self, sop: Sop) -> None:
        self.sop = sop
        self.now = NOW
        first = start_draft(sop, actor=actor(KASUBBAG), roster=ROSTER, now=self.now)
        self.state = first.state
        self.effects = list(first.effects)

    def do(self, who: Holder, action: Action) -> Transition:
        self.now += timedelta(minutes=5)
        result = apply(
            self.sop, self.state, actor=actor(who), action=action, roster=ROSTER, now=self.now
        )
        self.state = result.state
        self.effects.extend(result.effects)
        return result

    @property
    def task_id(self) -> str | None:
        return self.state.task.task_id if self.state.task else None


def opened(effects: Sequence[object]) -> list[tuple[str, tuple[int, ...]]]:
    return [
        (e.task_id, tuple(h.official_id for h in e.holders))
        for e in effects
        if isinstance(e, TaskOpened)
    ]


def test_renja_minutes_add_up_to_230(renja: Sop) -> None:
    assert [row.waktu.text for row in renja.langkah] == [
        "60 menit",
        "120 menit",
        "30 menit",
        "10 menit",
        "10 menit",
    ]
    assert renja.total_text == "230 menit" == str(renja.jumlah_waktu)


def test_renja_from_start_to_signature_with_one_return(renja: Sop) -> None:
    run = Run(renja)
    assert run.effects == [
        Audit(AuditAction.DIBUAT, "konsep_pendahuluan", 1, 1, "kasubbag_renja"),
        RowEntered(1, Waktu.minutes(60)),
        TaskOpened("konsep_pendahuluan", 1, (KASUBBAG,)),
    ]

    # Row 1: konsep, review by the Sekretaris, Nota Dinas to every unit.
    run.do(KASUBBAG, Upload("konsep_pendahuluan"))
    run.do(KASUBBAG, Submit())
    assert run.task_id == "konsultasi_sekretaris"
    run.do(SEKRETARIS, Approve())
    assert run.task_id == "nota_dinas"
    result = run.do(KASUBBAG, Upload("nota_dinas"))
    assert result.effects == (
        Audit(AuditAction.UNGGAH, "nota_dinas", 1, 1, "kasubbag_renja", document="nota_dinas"),
    )
    result = run.do(KASUBBAG, Submit())
    assert result.effects == (
        Audit(AuditAction.KIRIM, "nota_dinas", 1, 1, "kasubbag_renja"),
        TaskClosed("nota_dinas", 1, AuditAction.KIRIM),
        Notice((KABID_EKO, KABID_INFRA, SEKRETARIS), NoticeReason.TUGAS_SELESAI, "nota_dinas"),
        RowLeft(1, completed=True),
        RowEntered(2, Waktu.minutes(120)),
        TaskOpened("rencana_kerja_unit", 2, (KABID_EKO, KABID_INFRA, SEKRETARIS)),
    )

    # Row 2: every unit in parallel; the row waits for the last one.
    assert pending_shares(run.state) == [
        "Bidang Ekonomi",
        "Bidang Infrastruktur",
        "Sekretariat",
    ]
    run.do(KABID_INFRA, Upload("rencana_kerja_unit"))
    run.do(KABID_INFRA, Submit())
    run.do(SEKRETARIS, Upload("rencana_kerja_unit"))
    run.do(SEKRETARIS, Submit())
    assert run.task_id == "rencana_kerja_unit"
    assert pending_shares(run.state) == ["Bidang Ekonomi"]
    run.do(KABID_EKO, Upload("rencana_kerja_unit"))
    result = run.do(KABID_EKO, Submit())
    assert opened(list(result.effects)) == [("undangan_forum", (1,))]
    assert ("rencana_kerja_unit", "Bidang Ekonomi") in run.state.documents

    run.do(KASUBBAG, Upload("undangan_rapat"))
    result = run.do(KASUBBAG, Submit())
    notices = [e for e in result.effects if isinstance(e, Notice)]
    assert [h.official_id for h in notices[0].holders] == [3, 4, 2]
    # The Forum: its results only after a meeting that has begun; then every participant
    # receives them.
    run.do(KASUBBAG, Upload("draft_rancangan_awal"))
    run.do(KASUBBAG, Upload("hasil_kesepakatan"))
    with pytest.raises(ActionRefused) as refused:
        run.do(KASUBBAG, Submit())
    assert refused.value.code == Refusal.RAPAT_BELUM_DIJADWALKAN
    assert run.state.task is not None
    meeting_at = run.now + timedelta(days=2)
    run.state = replace(run.state, task=replace(run.state.task, meeting_at=meeting_at))
    with pytest.raises(ActionRefused) as refused:
        run.do(KASUBBAG, Submit())
    assert refused.value.code == Refusal.RAPAT_BELUM_DIMULAI
    run.now = meeting_at
    result = run.do(KASUBBAG, Submit())
    assert Notice((FORUM_A, FORUM_B), NoticeReason.HASIL_RAPAT, "forum_skpd") in result.effects

    # Rows 3 and 4: forwarded, refined, forwarded to the Kepala Badan.
    assert run.task_id == "teruskan_hasil_forum"
    run.do(SEKRETARIS, Approve())
    run.do(KASUBBAG, Upload("rancangan_awal"))
    run.do(KASUBBAG, Submit())
    run.do(SEKRETARIS, Approve())
    assert run.task_id == "keputusan_kepala_badan"

    # Row 5: the Kepala Badan returns with an arahan: back to row 3.
    result = run.do(KABAN, Return("  Lengkapi indikator kinerja  "))
    assert result.effects == (
        Audit(
            AuditAction.KEMBALIKAN,
            "keputusan_kepala_badan",
            5,
            5,
            "kepala_badan",
            note="Lengkapi indikator kinerja",
        ),
        TaskClosed("keputusan_kepala_badan", 5, AuditAction.KEMBALIKAN),
        RowLeft(5, completed=False),
        RowEntered(3, Waktu.minutes(30)),
        TaskOpened("penyempurnaan", 3, (KASUBBAG,), "Lengkapi indikator kinerja"),
    )
    # The old version does not count: a new one must be uploaded.
    with pytest.raises(ActionRefused) as refused:
        run.do(KASUBBAG, Submit())
    assert refused.value.code == Refusal.DOKUMEN_BELUM_LENGKAP
    run.do(KASUBBAG, Upload("rancangan_awal"))
    run.do(KASUBBAG, Submit())
    run.do(SEKRETARIS, Approve())
    result = run.do(KABAN, Approve())
    assert result.effects == (
        Audit(AuditAction.TANDATANGANI, "keputusan_kepala_badan", 5, 5, "kepala_badan"),
        TaskClosed("keputusan_kepala_badan", 5, AuditAction.TANDATANGANI),
        Notice((KASUBBAG, SEKRETARIS), NoticeReason.DITANDATANGANI, "keputusan_kepala_badan"),
        RowLeft(5, completed=True),
        DraftFinished(signed_by=5),
    )
    assert run.state.status == DraftStatus.SELESAI

    # Every task holder, in order, over the whole run.
    assert opened(run.effects) == [
        ("konsep_pendahuluan", (1,)),
        ("konsultasi_sekretaris", (2,)),
        ("nota_dinas", (1,)),
        ("rencana_kerja_unit", (3, 4, 2)),
        ("undangan_forum", (1,)),
        ("forum_skpd", (1,)),
        ("teruskan_hasil_forum", (2,)),
        ("penyempurnaan", (1,)),
        ("telaah_sekretaris", (2,)),
        ("keputusan_kepala_badan", (5,)),
        ("penyempurnaan", (1,)),
        ("telaah_sekretaris", (2,)),
        ("keputusan_kepala_badan", (5,)),
    ]
    rows = [
        (type(e).__name__, e.row_no) for e in run.effects if isinstance(e, RowEntered | RowLeft)
    ]
    assert rows == [
        ("RowEntered", 1),
        ("RowLeft", 1),
        ("RowEntered", 2),
        ("RowLeft", 2),
        ("RowEntered", 3),
        ("RowLeft", 3),
        ("RowEntered", 4),
        ("RowLeft", 4),
        ("RowEntered", 5),
        ("RowLeft", 5),
        ("RowEntered", 3),
        ("RowLeft", 3),
        ("RowEntered", 4),
        ("RowLeft", 4),
        ("RowEntered", 5),
        ("RowLeft", 5),
    ]


def test_return_within_a_row_keeps_the_row_clock(renja: Sop) -> None:
    run = Run(renja)
    run.do(KASUBBAG, Upload("konsep_pendahuluan"))
    run.do(KASUBBAG, Submit())
    result = run.do(SEKRETARIS, Return("Tambahkan rujukan RENSTRA"))
    assert not any(isinstance(e, RowEntered | RowLeft) for e in result.effects)
    assert run.state.task is not None
    assert run.state.task.task_id == "konsep_pendahuluan"
    assert run.state.task.return_note == "Tambahkan rujukan RENSTRA"


def refusal(run: Run, who: Holder, action: Action) -> ActionRefused:
    before = run.state
    with pytest.raises(ActionRefused) as refused:
        run.do(who, action)
    assert run.state == before
    return refused.value


def test_only_the_holder_may_act(renja: Sop) -> None:
    run = Run(renja)
    error = refusal(run, SEKRETARIS, Upload("konsep_pendahuluan"))
    assert error.code == Refusal.BUKAN_PEMEGANG
    assert error.detail == {"jabatan": "Kasubbag. Renja & Monev"}
    with pytest.raises(ActionRefused) as refused:
        start_draft(renja, actor=actor(KABAN), roster=ROSTER, now=NOW)
    assert refused.value.code == Refusal.BUKAN_PEMEGANG


def test_approval_refused_while_a_document_is_missing(renja: Sop) -> None:
    state = DraftState(
        status=DraftStatus.AKTIF,
        task=OpenTask("telaah_sekretaris", 4, NOW),
        documents=frozenset({("konsep_pendahuluan", "")}),
    )
    with pytest.raises(ActionRefused) as refused:
        apply(renja, state, actor=actor(SEKRETARIS), action=Approve(), roster=ROSTER, now=NOW)
    assert refused.value.code == Refusal.DOKUMEN_BELUM_LENGKAP
    assert refused.value.detail == {"dokumen": "Rancangan awal Renja"}
    assert missing_documents(renja, state) == ["rancangan_awal"]


def test_submit_refused_without_the_upload(renja: Sop) -> None:
    run = Run(renja)
    error = refusal(run, KASUBBAG, Submit())
    assert error.code == Refusal.DOKUMEN_BELUM_LENGKAP
    assert error.detail["dokumen"] == "Konsep pendahuluan Renja"


def test_return_without_a_note_is_refused(renja: Sop) -> None:
    run = Run(renja)
    run.do(KASUBBAG, Upload("konsep_pendahuluan"))
    run.do(KASUBBAG, Submit())
    assert refusal(run, SEKRETARIS, Return("   ")).code == Refusal.CATATAN_WAJIB
    assert refusal(run, SEKRETARIS, Return(" ?! ")).code == Refusal.CATATAN_WAJIB


def test_wrong_action_for_the_task(renja: Sop) -> None:
    run = Run(renja)
    assert refusal(run, KASUBBAG, Approve()).code == Refusal.AKSI_TIDAK_SESUAI
    assert refusal(run, KASUBBAG, Return("x")).code == Refusal.AKSI_TIDAK_SESUAI
    error = refusal(run, KASUBBAG, Upload("nota_dinas"))
    assert error.code == Refusal.DOKUMEN_TIDAK_DIMINTA
    assert error.detail["dokumen"] == "Nota Dinas"


def test_a_unit_submits_once(renja: Sop) -> None:
    state = DraftState(
        status=DraftStatus.AKTIF,
        task=OpenTask(
            "rencana_kerja_unit",
            2,
            NOW,
            shares=("Bidang Ekonomi", "Sekretariat"),
            submitted=frozenset({"Bidang Ekonomi"}),
        ),
    )
    with pytest.raises(ActionRefused) as refused:
        apply(
            renja,
            state,
            actor=actor(KABID_EKO),
            action=Upload("rencana_kerja_unit"),
            roster=ROSTER,
            now=NOW,
        )
    assert refused.value.code == Refusal.UNIT_SUDAH_KIRIM
    # A Kepala Bidang whose unit was not expected (registered later) is not a holder here.
    with pytest.raises(ActionRefused) as refused:
        apply(
            renja,
            state,
            actor=actor(KABID_INFRA),
            action=Upload("rencana_kerja_unit"),
            roster=ROSTER,
            now=NOW,
        )
    assert refused.value.code == Refusal.BUKAN_PEMEGANG


def test_no_action_on_a_finished_draft(renja: Sop) -> None:
    state = DraftState(status=DraftStatus.SELESAI, task=None)
    with pytest.raises(ActionRefused) as refused:
        apply(renja, state, actor=actor(KABAN), action=Approve(), roster=ROSTER, now=NOW)
    assert refused.value.code == Refusal.DRAFT_SELESAI


def test_nobody_to_hand_over_to_changes_nothing(renja: Sop) -> None:
    run = Run(renja)
    run.do(KASUBBAG, Upload("konsep_pendahuluan"))
    before = run.state
    roster = {key: value for key, value in ROSTER.items() if key != "sekretaris"}
    with pytest.raises(ActionRefused) as refused:
        apply(renja, before, actor=actor(KASUBBAG), action=Submit(), roster=roster, now=NOW)
    assert refused.value.code == Refusal.TIDAK_ADA_PEMEGANG
    assert refused.value.detail == {"jabatan": "Sekretaris"}


def test_acting_official_is_recorded(renja: Sop) -> None:
    plh = Holder(9, "Hadi", "kepala_badan", acting="Plh.")
    state = DraftState(
        status=DraftStatus.AKTIF,
        task=OpenTask("keputusan_kepala_badan", 5, NOW),
        documents=frozenset({("rancangan_awal", "")}),
    )
    roster = {**ROSTER, "kepala_badan": [plh]}
    result = apply(renja, state, actor=actor(plh), action=Approve(), roster=roster, now=NOW)
    audit = result.effects[0]
    assert isinstance(audit, Audit)
    assert (audit.actor_id, audit.acting, audit.action) == (9, "Plh.", AuditAction.TANDATANGANI)


def test_a_second_sop_runs_on_the_same_engine() -> None:
    sop = load_sop(
        ROOT / "tests" / "data" / "sop-surat-keluar.yaml", organisation=office_organisation()
    )
    staf_a = Holder(11, "Ani", "staf_umum")
    staf_b = Holder(12, "Bayu", "staf_umum")
    kasubbag = Holder(13, "Cahya", "kasubbag_umum")
    roster = {"staf_umum": [staf_a, staf_b], "kasubbag_umum": [kasubbag]}

    def do(state: DraftState, who: Holder, action: Action) -> Transition:
        return apply(sop, state, actor=actor(who), action=action, roster=roster, now=NOW)

    first = start_draft(sop, actor=actor(staf_b), roster=roster, now=NOW)
    assert opened(list(first.effects)) == [("konsep", (11, 12))]
    state = do(first.state, staf_a, Upload("konsep_surat")).state
    state = do(state, staf_b, Submit()).state
    returned = do(state, kasubbag, Return("Perbaiki perihal"))
    assert opened(list(returned.effects)) == [("konsep", (11, 12))]
    state = do(returned.state, staf_a, Upload("konsep_surat")).state
    state = do(state, staf_a, Submit()).state
    signed = do(state, kasubbag, Approve())
    assert signed.state.status == DraftStatus.SELESAI
    assert signed.effects[-1] == DraftFinished(signed_by=13)
    assert Notice((staf_a, staf_b), NoticeReason.DITANDATANGANI, "tanda_tangan") in signed.effects
