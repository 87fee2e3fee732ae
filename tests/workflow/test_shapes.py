"""The shapes of real SOPs on the pure engine: named outcomes (an end without a signature, a
three-way branch, loops back), hand-overs, optional, joint and outside-party steps.

Each SOP of tests/data is run to every end it has, by every branch, and the trail checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import shapes_organisation
from workflow.engine import (
    Action,
    ActionRefused,
    Actor,
    Approve,
    Audit,
    AuditAction,
    Choose,
    DraftFinished,
    DraftStatus,
    Holder,
    Notice,
    NoticeReason,
    Refusal,
    Return,
    RowEntered,
    RowLeft,
    Skip,
    Submit,
    TaskClosed,
    TaskOpened,
    Transition,
    Upload,
    apply,
    holders_of,
    pending_shares,
    start_draft,
)
from workflow.sop import END, Sop, load_sop
from workflow.waktu import parse_waktu

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
OFFICE = shapes_organisation()
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def actor(*holdings: Holder) -> Actor:
    return Actor(holdings[0].official_id, holdings[0].name, holdings)


class Run:
    """Drives one draft through the engine, keeping every effect in order."""

    def __init__(self, sop: Sop, roster: Mapping[str, Sequence[Holder]], starter: Holder) -> None:
        self.sop = sop
        self.roster = roster
        self.now = NOW
        first = start_draft(sop, actor=actor(starter), roster=roster, now=self.now)
        self.state = first.state
        self.effects = list(first.effects)

    def do(self, who: Holder, action: Action) -> Transition:
        self.now += timedelta(minutes=5)
        result = apply(
            self.sop,
            self.state,
            actor=actor(who),
            action=action,
            roster=self.roster,
            now=self.now,
        )
        self.state = result.state
        self.effects.extend(result.effects)
        return result

    def refused(self, who: Holder, action: Action) -> ActionRefused:
        before = self.state
        with pytest.raises(ActionRefused) as refused:
            self.do(who, action)
        assert self.state == before
        return refused.value

    def send(self, who: Holder, document: str) -> Transition:
        """Upload a document and press Kirim."""
        self.do(who, Upload(document))
        return self.do(who, Submit())

    @property
    def task_id(self) -> str | None:
        return self.state.task.task_id if self.state.task else None

    def trail(self) -> list[tuple[str, str, int, str | None, str | None]]:
        """(action, task, actor, outcome label, note) of every audit line but uploads."""
        return [
            (e.action.value, e.task_id, e.actor_id, e.choice, e.note)
            for e in self.effects
            if isinstance(e, Audit) and e.action != AuditAction.UNGGAH
        ]

    def rows(self) -> list[tuple[str, int]]:
        return [
            (type(e).__name__.removeprefix("Row"), e.row_no)
            for e in self.effects
            if isinstance(e, RowEntered | RowLeft)
        ]

    def finished(self) -> DraftFinished:
        assert self.state.status == DraftStatus.SELESAI
        (done,) = [e for e in self.effects if isinstance(e, DraftFinished)]
        return done


# The incoming-mail SOP: an end without a signature, a three-way branch, a hand-over. -------

PETUGAS_A = Holder(21, "Ani", "petugas_persuratan")
PETUGAS_B = Holder(22, "Bayu", "petugas_persuratan")
KASUBBAG_TU = Holder(23, "Cahya", "kasubbag_tu")
KABAG = Holder(24, "Dewi", "kepala_bagian_umum")
MAIL_ROSTER = {
    "petugas_persuratan": [PETUGAS_A, PETUGAS_B],
    "kasubbag_tu": [KASUBBAG_TU],
    "kepala_bagian_umum": [KABAG],
}


@pytest.fixture(scope="module")
def mail() -> Sop:
    return load_sop(DATA / "sop-surat-masuk.yaml", organisation=OFFICE)


def mail_checked(sop: Sop) -> Run:
    """The mail is recorded and its address found right: the draft waits at the branch."""
    run = Run(sop, MAIL_ROSTER, PETUGAS_A)
    run.send(PETUGAS_A, "surat_masuk")
    assert run.task_id == "periksa_alamat"
    run.do(KASUBBAG_TU, Choose(0))
    assert run.task_id == "golongkan"
    return run


def test_the_outcomes_are_the_documents_words(mail: Sop) -> None:
    assert [c.label for c in mail.task("periksa_alamat").outcomes] == ["Sesuai", "Salah alamat"]
    assert [c.label for c in mail.task("golongkan").outcomes] == ["Dinas", "Pribadi", "Undangan"]
    assert mail.target("golongkan", "langkah 4") == mail.task("disposisi")
    assert mail.target("periksa_alamat", END) is None


def test_wrong_address_ends_without_a_signature(mail: Sop) -> None:
    run = Run(mail, MAIL_ROSTER, PETUGAS_A)
    run.send(PETUGAS_B, "surat_masuk")
    # The result is stated and needs its note; the shorthand's buttons do not apply here.
    assert run.refused(KASUBBAG_TU, Choose(1)).code == Refusal.CATATAN_WAJIB
    assert run.refused(KASUBBAG_TU, Choose(1, " ?! ")).code == Refusal.CATATAN_WAJIB
    assert run.refused(KASUBBAG_TU, Approve()).code == Refusal.AKSI_TIDAK_SESUAI
    assert run.refused(KASUBBAG_TU, Return("salah alamat")).code == Refusal.AKSI_TIDAK_SESUAI
    assert run.refused(KASUBBAG_TU, Choose(2)).code == Refusal.AKSI_TIDAK_SESUAI
    assert run.refused(PETUGAS_A, Choose(0)).code == Refusal.BUKAN_PEMEGANG

    result = run.do(KASUBBAG_TU, Choose(1, "  Ditujukan ke   Fakultas Teknik "))
    assert result.effects == (
        Audit(
            AuditAction.PILIH,
            "periksa_alamat",
            2,
            23,
            "kasubbag_tu",
            note="Ditujukan ke Fakultas Teknik",
            choice="Salah alamat",
        ),
        TaskClosed("periksa_alamat", 2, AuditAction.PILIH),
        Notice((PETUGAS_A, PETUGAS_B), NoticeReason.TUGAS_SELESAI, "periksa_alamat"),
        RowLeft(2, completed=True),
        DraftFinished(signed_by=None, result="Surat dikembalikan ke pengirim"),
    )
    assert run.finished().signed_by is None
    assert not any(action == "tandatangani" for action, *_ in run.trail())
    assert run.rows() == [("Entered", 1), ("Left", 1), ("Entered", 2), ("Left", 2)]


def test_official_mail_goes_through_the_disposition(mail: Sop) -> None:
    run = mail_checked(mail)
    result = run.do(KASUBBAG_TU, Choose(0, "tidak dicatat"))  # Dinas: a note is not asked
    assert result.effects[0] == Audit(
        AuditAction.PILIH, "golongkan", 3, 23, "kasubbag_tu", choice="Dinas"
    )
    assert [e for e in result.effects if isinstance(e, TaskOpened)] == [
        TaskOpened("disposisi", 4, (KABAG,))
    ]
    run.send(KABAG, "lembar_disposisi")
    assert run.task_id == "serahkan_surat"
    # A hand-over has no document: one press, by any holder.
    result = run.do(PETUGAS_B, Submit())
    assert result.effects[:2] == (
        Audit(AuditAction.SERAHKAN, "serahkan_surat", 6, 22, "petugas_persuratan"),
        TaskClosed("serahkan_surat", 6, AuditAction.SERAHKAN),
    )
    assert Notice((KASUBBAG_TU,), NoticeReason.TUGAS_SELESAI, "serahkan_surat") in result.effects
    assert run.finished() == DraftFinished(signed_by=None, result=None)
    assert run.trail() == [
        ("dibuat", "terima_surat", 21, None, None),
        ("kirim", "terima_surat", 21, None, None),
        ("pilih", "periksa_alamat", 23, "Sesuai", None),
        ("pilih", "golongkan", 23, "Dinas", None),
        ("kirim", "disposisi", 24, None, None),
        ("serahkan", "serahkan_surat", 22, None, None),
    ]
    assert [no for kind, no in run.rows() if kind == "Entered"] == [1, 2, 3, 4, 6]


def test_private_mail_is_handed_over_at_once(mail: Sop) -> None:
    run = mail_checked(mail)
    run.do(KASUBBAG_TU, Choose(1, "Untuk Pak Ahmad, rahasia"))  # a note is welcome here
    assert run.task_id == "serahkan_surat"
    run.do(PETUGAS_A, Submit())
    run.finished()
    assert run.trail()[-2:] == [
        ("pilih", "golongkan", 23, "Pribadi", "Untuk Pak Ahmad, rahasia"),
        ("serahkan", "serahkan_surat", 21, None, None),
    ]
    assert run.rows()[-3:] == [("Left", 3), ("Entered", 6), ("Left", 6)]


def test_private_mail_without_a_note(mail: Sop) -> None:
    run = mail_checked(mail)
    result = run.do(KASUBBAG_TU, Choose(1, "   "))
    assert result.effects[0] == Audit(
        AuditAction.PILIH, "golongkan", 3, 23, "kasubbag_tu", choice="Pribadi"
    )


def test_an_invitation_goes_into_the_agenda_first(mail: Sop) -> None:
    run = mail_checked(mail)
    run.do(KASUBBAG_TU, Choose(2))
    assert run.task_id == "catat_undangan"
    assert run.refused(PETUGAS_A, Submit()).code == Refusal.DOKUMEN_BELUM_LENGKAP
    run.send(PETUGAS_B, "agenda_kegiatan")
    run.do(PETUGAS_B, Submit())
    run.finished()
    assert [step for _, step, *_ in run.trail()] == [
        "terima_surat",
        "terima_surat",
        "periksa_alamat",
        "golongkan",
        "catat_undangan",
        "serahkan_surat",
    ]
    assert [no for kind, no in run.rows() if kind == "Entered"] == [1, 2, 3, 5, 6]


def test_a_hand_over_takes_no_upload(mail: Sop) -> None:
    run = mail_checked(mail)
    run.do(KASUBBAG_TU, Choose(1))
    error = run.refused(PETUGAS_A, Upload("surat_masuk"))
    assert error.code == Refusal.AKSI_TIDAK_SESUAI
    assert run.refused(PETUGAS_A, Approve()).code == Refusal.AKSI_TIDAK_SESUAI
    assert run.refused(PETUGAS_A, Skip("tidak perlu")).code == Refusal.AKSI_TIDAK_SESUAI


# The LAKIP SOP: a joint step, either of two, an optional step, an outside party. ----------

KASUBBAG_P = Holder(31, "Eko", "kasubbag_program")
JFU_A = Holder(32, "Fitri", "jfu_program")
JFU_B = Holder(33, "Gilang", "jfu_program")
SEKDIS = Holder(34, "Hana", "sekretaris_dinas")
KADIS = Holder(35, "Irwan", "kepala_dinas")
LAKIP_ROSTER = {
    "kasubbag_program": [KASUBBAG_P],
    "jfu_program": [JFU_A, JFU_B],
    "sekretaris_dinas": [SEKDIS],
    "kepala_dinas": [KADIS],
}
ON_BEHALF = Holder(31, "Eko", "kasubbag_program", on_behalf_of="bagian_organisasi")
KASUBBAG_NAME = "Kasubbag. Perencanaan dan Program"


@pytest.fixture(scope="module")
def lakip() -> Sop:
    return load_sop(DATA / "sop-lakip.yaml", organisation=OFFICE)


def lakip_drafted(sop: Sop) -> Run:
    """Rows 1 and 2: the data gathered by both positions, the draft by either."""
    run = Run(sop, LAKIP_ROSTER, JFU_B)
    assert run.effects[-1] == TaskOpened("kumpulkan_data", 1, (KASUBBAG_P, JFU_A, JFU_B))
    assert pending_shares(run.state) == [KASUBBAG_NAME, "JFU Perencanaan"]
    run.do(JFU_A, Upload("data_kinerja"))
    result = run.do(JFU_A, Submit())
    # One position has acted: the step waits for the other, who is told.
    assert result.effects == (
        Audit(AuditAction.KIRIM, "kumpulkan_data", 1, 32, "jfu_program"),
        Notice((KASUBBAG_P,), NoticeReason.MENUNGGU_BERSAMA, "kumpulkan_data"),
    )
    assert run.task_id == "kumpulkan_data"
    assert pending_shares(run.state) == [KASUBBAG_NAME]
    error = run.refused(JFU_B, Submit())
    assert error.code == Refusal.SUDAH_DILAKUKAN
    assert error.detail == {"jabatan": "JFU Perencanaan", "menunggu": KASUBBAG_NAME}
    result = run.do(KASUBBAG_P, Submit())
    assert TaskOpened("susun_draft", 2, (KASUBBAG_P, JFU_A, JFU_B)) in result.effects
    assert pending_shares(run.state) == []  # either of the two: no parts
    run.send(JFU_B, "draft_lakip")
    assert run.task_id == "masukan_unit"
    return run


def test_lakip_skipping_the_optional_step_and_one_return(lakip: Sop) -> None:
    run = lakip_drafted(lakip)
    assert run.refused(JFU_A, Skip("tidak ada")).code == Refusal.BUKAN_PEMEGANG
    assert run.refused(KASUBBAG_P, Skip("  ")).code == Refusal.CATATAN_WAJIB
    result = run.do(KASUBBAG_P, Skip("Tidak ada masukan unit"))
    assert result.effects == (
        Audit(
            AuditAction.LEWATI,
            "masukan_unit",
            3,
            31,
            "kasubbag_program",
            note="Tidak ada masukan unit",
        ),
        TaskClosed("masukan_unit", 3, AuditAction.LEWATI),
        RowLeft(3, completed=True),
        RowEntered(4, parse_waktu("6 hari")),
        TaskOpened("asistensi", 4, (ON_BEHALF,)),
    )

    # Nobody holds the Bagian Organisasi: the Kasubbag records its result on its behalf.
    assert run.refused(JFU_A, Upload("hasil_asistensi")).code == Refusal.BUKAN_PEMEGANG
    result = run.do(KASUBBAG_P, Upload("hasil_asistensi"))
    assert result.effects == (
        Audit(
            AuditAction.UNGGAH,
            "asistensi",
            4,
            31,
            "kasubbag_program",
            document="hasil_asistensi",
            on_behalf_of="bagian_organisasi",
        ),
    )
    run.do(KASUBBAG_P, Submit())
    result = run.do(KASUBBAG_P, Return("Capaian IKU 2 belum dijelaskan"))
    assert result.effects[0] == Audit(
        AuditAction.KEMBALIKAN,
        "verifikasi",
        4,
        31,
        "kasubbag_program",
        note="Capaian IKU 2 belum dijelaskan",
        on_behalf_of="bagian_organisasi",
    )
    assert run.task_id == "susun_draft"

    # Back at row 2: the optional step is done this time.
    run.send(JFU_A, "draft_lakip")
    run.send(KASUBBAG_P, "masukan_unit")
    run.send(KASUBBAG_P, "hasil_asistensi")
    run.do(KASUBBAG_P, Approve())
    run.send(KASUBBAG_P, "lakip_final")
    result = run.do(KADIS, Approve())
    assert run.finished() == DraftFinished(signed_by=35)
    notice = Notice((KASUBBAG_P, SEKDIS), NoticeReason.DITANDATANGANI, "tandatangani")
    assert notice in result.effects

    on_behalf = [
        (e.action.value, e.task_id)
        for e in run.effects
        if isinstance(e, Audit) and e.on_behalf_of == "bagian_organisasi"
    ]
    assert on_behalf == [
        ("unggah", "asistensi"),
        ("kirim", "asistensi"),
        ("kembalikan", "verifikasi"),
        ("unggah", "asistensi"),
        ("kirim", "asistensi"),
        ("setujui", "verifikasi"),
    ]
    assert [(a, t) for a, t, *_ in run.trail()] == [
        ("dibuat", "kumpulkan_data"),
        ("kirim", "kumpulkan_data"),
        ("kirim", "kumpulkan_data"),
        ("kirim", "susun_draft"),
        ("lewati", "masukan_unit"),
        ("kirim", "asistensi"),
        ("kembalikan", "verifikasi"),
        ("kirim", "susun_draft"),
        ("kirim", "masukan_unit"),
        ("kirim", "asistensi"),
        ("setujui", "verifikasi"),
        ("kirim", "finalisasi"),
        ("tandatangani", "tandatangani"),
    ]
    assert run.rows() == [
        ("Entered", 1),
        ("Left", 1),
        ("Entered", 2),
        ("Left", 2),
        ("Entered", 3),
        ("Left", 3),
        ("Entered", 4),
        ("Left", 4),
        ("Entered", 2),
        ("Left", 2),
        ("Entered", 3),
        ("Left", 3),
        ("Entered", 4),
        ("Left", 4),
        ("Entered", 5),
        ("Left", 5),
    ]


def test_lakip_signed_and_returned_at_the_end(lakip: Sop) -> None:
    run = lakip_drafted(lakip)
    run.send(KASUBBAG_P, "masukan_unit")
    run.send(KASUBBAG_P, "hasil_asistensi")
    run.do(KASUBBAG_P, Approve())
    run.send(KASUBBAG_P, "lakip_final")
    run.do(KADIS, Return("Perbaiki kata pengantar"))
    assert run.task_id == "finalisasi"
    run.send(KASUBBAG_P, "lakip_final")
    run.do(KADIS, Choose(0))  # the shorthand's approve, chosen by index
    assert run.finished() == DraftFinished(signed_by=35)


def test_an_invited_outside_person_acts_themselves(lakip: Sop) -> None:
    invited = Holder(36, "Joko", "bagian_organisasi", unit="Setda Kabupaten")
    roster = {**LAKIP_ROSTER, "bagian_organisasi": [invited]}
    run = lakip_drafted(lakip)
    run.roster = roster
    result = run.do(KASUBBAG_P, Skip("Tidak ada masukan"))
    assert result.effects[-1] == TaskOpened("asistensi", 4, (invited,))
    assert run.refused(KASUBBAG_P, Upload("hasil_asistensi")).code == Refusal.BUKAN_PEMEGANG
    result = run.do(invited, Upload("hasil_asistensi"))
    audit = result.effects[0]
    assert isinstance(audit, Audit)
    assert (audit.actor_id, audit.position, audit.on_behalf_of) == (36, "bagian_organisasi", None)
    run.do(invited, Submit())
    run.do(invited, Approve())
    assert run.task_id == "finalisasi"


def test_holders_of_an_outside_party(lakip: Sop) -> None:
    task = lakip.task("asistensi")
    assert holders_of(task, LAKIP_ROSTER) == ()  # without the SOP, nobody acts for it
    assert holders_of(task, LAKIP_ROSTER, lakip) == (ON_BEHALF,)
    assert lakip.acting_positions(task) == ("bagian_organisasi", "kasubbag_program")


def test_a_joint_step_needs_someone_in_every_position(lakip: Sop) -> None:
    roster = {key: value for key, value in LAKIP_ROSTER.items() if key != "jfu_program"}
    with pytest.raises(ActionRefused) as refused:
        start_draft(lakip, actor=actor(KASUBBAG_P), roster=roster, now=NOW)
    assert refused.value.code == Refusal.TIDAK_ADA_PEMEGANG
    assert refused.value.detail == {"jabatan": "JFU Perencanaan"}


def test_one_official_holding_both_joint_positions_acts_twice(lakip: Sop) -> None:
    both = (Holder(37, "Kurnia", "kasubbag_program"), Holder(37, "Kurnia", "jfu_program"))
    roster = {**LAKIP_ROSTER, "kasubbag_program": [both[0]], "jfu_program": [both[1]]}
    first = start_draft(lakip, actor=actor(*both), roster=roster, now=NOW)
    kurnia = actor(*both)
    state = apply(
        lakip, first.state, actor=kurnia, action=Upload("data_kinerja"), roster=roster, now=NOW
    ).state
    once = apply(lakip, state, actor=kurnia, action=Submit(), roster=roster, now=NOW)
    assert once.state.task is not None and once.state.task.task_id == "kumpulkan_data"
    twice = apply(lakip, once.state, actor=kurnia, action=Submit(), roster=roster, now=NOW)
    assert twice.state.task is not None and twice.state.task.task_id == "susun_draft"


# The SPM report SOP: a review with named outcomes that loop back; a signature mid-way. -----

PENGELOLA = Holder(41, "Lina", "pengelola_spm")
KASUBBAG_S = Holder(42, "Made", "kasubbag_program")
SEKDIS_S = Holder(43, "Nur", "sekretaris_dinas")
KADIS_S = Holder(44, "Oka", "kepala_dinas")
SPM_ROSTER = {
    "pengelola_spm": [PENGELOLA],
    "kasubbag_program": [KASUBBAG_S],
    "sekretaris_dinas": [SEKDIS_S],
    "kepala_dinas": [KADIS_S],
}


@pytest.fixture(scope="module")
def spm() -> Sop:
    return load_sop(DATA / "sop-laporan-spm.yaml", organisation=OFFICE)


def spm_reviewed(sop: Sop, run: Run | None = None) -> Run:
    run = run or Run(sop, SPM_ROSTER, PENGELOLA)
    if run.task_id == "data_spm":
        run.send(PENGELOLA, "data_spm")
    run.send(KASUBBAG_S, "laporan_spm")
    assert run.task_id == "reviu"
    return run


def test_spm_every_loop_then_signed_and_handed_over(spm: Sop) -> None:
    run = spm_reviewed(spm)
    # Data kurang: back to row 1, with the note for the data manager.
    assert run.refused(SEKDIS_S, Choose(2)).code == Refusal.CATATAN_WAJIB
    result = run.do(SEKDIS_S, Choose(2, "Data Puskesmas Sungai Raya belum masuk"))
    assert result.effects == (
        Audit(
            AuditAction.PILIH,
            "reviu",
            3,
            43,
            "sekretaris_dinas",
            note="Data Puskesmas Sungai Raya belum masuk",
            choice="Data kurang",
        ),
        TaskClosed("reviu", 3, AuditAction.PILIH),
        RowLeft(3, completed=False),
        RowEntered(1, parse_waktu("4 jam")),
        TaskOpened("data_spm", 1, (PENGELOLA,), "Data Puskesmas Sungai Raya belum masuk"),
    )
    spm_reviewed(spm, run)
    # Belum sempurna: back to row 2.
    run.do(SEKDIS_S, Choose(1, "Tabel capaian tidak lengkap"))
    assert run.task_id == "susun_laporan"
    spm_reviewed(spm, run)
    run.do(SEKDIS_S, Choose(0))
    assert run.task_id == "pengesahan"
    # The Kepala Dinas asks for a repair: back to row 2, then the review again.
    run.do(KADIS_S, Choose(1, "Tambahkan analisis"))
    spm_reviewed(spm, run)
    run.do(SEKDIS_S, Choose(0))
    # Signing is one outcome that goes on to the hand-over, with a note if one is given.
    result = run.do(KADIS_S, Choose(0, "Segera kirim"))
    assert result.effects[:2] == (
        Audit(
            AuditAction.TANDATANGANI,
            "pengesahan",
            4,
            44,
            "kepala_dinas",
            note="Segera kirim",
            choice="Tandatangani",
        ),
        TaskClosed("pengesahan", 4, AuditAction.TANDATANGANI),
    )
    assert not any(isinstance(e, DraftFinished) for e in result.effects)
    assert run.task_id == "sampaikan"
    result = run.do(KASUBBAG_S, Submit())
    assert run.finished() == DraftFinished(signed_by=None)
    assert Notice((SEKDIS_S, KADIS_S), NoticeReason.TUGAS_SELESAI, "sampaikan") in result.effects
    decisions = [(a, c) for a, t, _, c, _ in run.trail() if t in ("reviu", "pengesahan")]
    assert decisions == [
        ("pilih", "Data kurang"),
        ("pilih", "Belum sempurna"),
        ("pilih", "Sempurna"),
        ("pilih", "Perbaiki"),
        ("pilih", "Sempurna"),
        ("tandatangani", "Tandatangani"),
    ]
    entered = [no for kind, no in run.rows() if kind == "Entered"]
    assert entered == [1, 2, 3, 1, 2, 3, 2, 3, 4, 2, 3, 4, 5]


def test_a_review_refused_while_its_document_is_missing(spm: Sop) -> None:
    run = spm_reviewed(spm)
    run.do(SEKDIS_S, Choose(1, "Ulangi"))
    # A return needs no document; going forward does.
    assert run.state.task is not None
    bare = replace(run.state, task=replace(run.state.task, task_id="reviu", row_no=3))
    bare = replace(bare, documents=frozenset())
    with pytest.raises(ActionRefused) as refused:
        apply(spm, bare, actor=actor(SEKDIS_S), action=Choose(0), roster=SPM_ROSTER, now=NOW)
    assert refused.value.code == Refusal.DOKUMEN_BELUM_LENGKAP
    back = apply(
        spm,
        bare,
        actor=actor(SEKDIS_S),
        action=Choose(2, "Data ulang"),
        roster=SPM_ROSTER,
        now=NOW,
    )
    assert back.state.task is not None and back.state.task.task_id == "data_spm"


def test_the_shorthand_is_two_outcomes() -> None:
    renja = load_sop(ROOT / "sops" / "menyusun-rencana-kerja.yaml", organisation=OFFICE)
    decision = renja.task("keputusan_kepala_badan")
    approve, back = decision.outcomes
    assert (approve.label, approve.ke, approve.tanda_tangan) == (
        "Setujui & tandatangani",
        END,
        True,
    )
    assert (back.label, back.ke, back.catatan) == ("Kembalikan", "penyempurnaan", "wajib")
    review = renja.task("konsultasi_sekretaris")
    assert [c.label for c in review.outcomes] == ["Setujui", "Kembalikan"]
    assert renja.target(review.id, review.outcomes[0].ke) == renja.task("nota_dinas")
