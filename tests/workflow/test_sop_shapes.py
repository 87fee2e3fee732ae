"""The new task fields of SOP files (pilihan, opsional, bersama, serah, diwakili_oleh):
the three SOPs of tests/data load, and every misuse is refused in Indonesian."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import shapes_organisation, shapes_organisation_data
from workflow.organisation import OrganisationFileError, parse_organisation
from workflow.sop import Joint, NoteRule, SopFileError, TaskKind, load_sop, parse_sop

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
OFFICE = shapes_organisation()


def data_of(name: str) -> dict[str, Any]:
    found = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    assert isinstance(found, dict)
    return copy.deepcopy(found)


def problem(data: dict[str, Any]) -> str:
    with pytest.raises(SopFileError) as error:
        parse_sop(data, organisation=OFFICE, source="contoh.yaml")
    return str(error.value)


def test_the_three_shapes_load() -> None:
    mail = load_sop(DATA / "sop-surat-masuk.yaml", organisation=OFFICE)
    assert mail.task("serahkan_surat").jenis == TaskKind.SERAH
    assert mail.task("golongkan").pilihan[1].catatan == NoteRule.BOLEH
    lakip = load_sop(DATA / "sop-lakip.yaml", organisation=OFFICE)
    assert lakip.task("kumpulkan_data").bersama == Joint.SEMUA
    assert lakip.task("susun_draft").bersama == Joint.SALAH_SATU
    assert lakip.task("masukan_unit").opsional
    assert lakip.position("bagian_organisasi").diwakili_oleh == ("kasubbag_program",)
    spm = load_sop(DATA / "sop-laporan-spm.yaml", organisation=OFFICE)
    assert spm.task("pengesahan").pilihan[0].tanda_tangan


def test_an_outcome_to_nowhere() -> None:
    data = data_of("sop-surat-masuk.yaml")
    choices = data["langkah"][2]["tugas"][0]["pilihan"]
    choices[0]["ke"] = "langkah 9"
    choices[1]["ke"] = "arsipkan"
    message = problem(data)
    assert "tugas 'golongkan'.pilihan[1].ke: langkah 9 tidak ada" in message
    assert "tugas 'golongkan'.pilihan[2].ke: tugas 'arsipkan' tidak ada" in message


def test_an_outcome_back_needs_a_required_note() -> None:
    data = data_of("sop-laporan-spm.yaml")
    del data["langkah"][2]["tugas"][0]["pilihan"][1]["catatan"]
    assert (
        "pilihan[2].catatan: pilihan yang mengembalikan ke langkah sebelumnya wajib bercatatan"
        in problem(data)
    )


def test_an_outcome_to_itself() -> None:
    data = data_of("sop-laporan-spm.yaml")
    data["langkah"][2]["tugas"][0]["pilihan"][1]["ke"] = "reviu"
    assert "pilihan[2].ke: tidak dapat kembali ke tugas ini sendiri" in problem(data)


def test_a_result_only_at_the_end() -> None:
    data = data_of("sop-surat-masuk.yaml")
    data["langkah"][1]["tugas"][0]["pilihan"][0]["hasil"] = "Surat diterima"
    assert "pilihan 'Sesuai': 'hasil' hanya untuk ke: selesai" in problem(data)


def test_outcomes_are_not_mixed_with_the_shorthand() -> None:
    data = data_of("sop-surat-masuk.yaml")
    data["langkah"][1]["tugas"][0]["kembali_ke"] = "terima_surat"
    assert "dengan 'pilihan', setiap pilihan menyebut tujuannya" in problem(data)
    data = data_of("sop-surat-masuk.yaml")
    data["langkah"][0]["tugas"][0]["pilihan"] = [{"label": "Ya", "ke": "selesai"}] * 2
    assert "'pilihan' hanya untuk keputusan" in problem(data)


def test_outcomes_need_two_distinct_labels_and_a_known_note_rule() -> None:
    data = data_of("sop-surat-masuk.yaml")
    choices = data["langkah"][2]["tugas"][0]["pilihan"]
    choices[2]["label"] = "Dinas"
    assert "label 'pilihan' tidak boleh kembar" in problem(data)
    data = data_of("sop-surat-masuk.yaml")
    data["langkah"][2]["tugas"][0]["pilihan"] = data["langkah"][2]["tugas"][0]["pilihan"][:1]
    assert "'pilihan' paling sedikit dua" in problem(data)
    data = data_of("sop-surat-masuk.yaml")
    data["langkah"][2]["tugas"][0]["pilihan"][1]["catatan"] = "mungkin"
    assert "tugas 'golongkan', pilihan 'Pribadi', kolom 'catatan'" in problem(data)


def test_joint_steps() -> None:
    data = data_of("sop-lakip.yaml")
    data["langkah"][0]["tugas"][0]["oleh"] = ["kasubbag_program"]
    assert "'bersama' perlu dua jabatan atau lebih" in problem(data)
    data = data_of("sop-lakip.yaml")
    del data["langkah"][0]["tugas"][0]["bersama"]
    assert "atau tulis 'bersama: semua' / 'bersama: salah_satu'" in problem(data)
    data = data_of("sop-surat-masuk.yaml")
    task = data["langkah"][2]["tugas"][0]
    task["oleh"] = ["kasubbag_tu", "kepala_bagian_umum"]
    task["bersama"] = "semua"
    assert "tidak dapat 'bersama: semua'" in problem(data)


def test_only_uploads_and_hand_overs_are_optional() -> None:
    data = data_of("sop-laporan-spm.yaml")
    data["langkah"][2]["tugas"][0]["opsional"] = True
    assert "hanya unggah dan serah yang dapat 'opsional'" in problem(data)


def test_a_hand_over_has_no_documents() -> None:
    data = data_of("sop-surat-masuk.yaml")
    data["langkah"][5]["tugas"][0]["dokumen"] = ["surat_masuk"]
    assert "berjenis serah tidak mengunggah 'dokumen'" in problem(data)


def test_who_acts_for_an_outside_party_must_be_known_and_act_themselves() -> None:
    """The organisation names them (format 2): positions of the office, never outside
    parties, and the SOP finds them there."""
    office = shapes_organisation_data()
    office["pihak_luar"]["bagian_organisasi"]["diwakili_oleh"] = ["kabag_umum"]
    with pytest.raises(OrganisationFileError) as error:
        parse_organisation(office)
    assert (
        "pihak luar 'bagian_organisasi', kolom 'diwakili_oleh': jabatan 'kabag_umum' tidak "
        "ada di daftar jabatan"
    ) in str(error.value)
    office["pihak_luar"]["bagian_organisasi"]["diwakili_oleh"] = ["forum_skpd"]
    with pytest.raises(OrganisationFileError) as error:
        parse_organisation(office)
    assert "harus jabatan kantor yang bertindak sendiri" in str(error.value)
    lakip = load_sop(DATA / "sop-lakip.yaml", organisation=OFFICE)
    assert lakip.acting_positions(lakip.task("asistensi")) == (
        "bagian_organisasi",
        "kasubbag_program",
    )


def test_a_branch_can_still_loop_forever() -> None:
    data = data_of("sop-laporan-spm.yaml")
    pilihan = data["langkah"][3]["tugas"][0]["pilihan"]
    pilihan[0]["ke"] = "susun_laporan"
    pilihan[0]["catatan"] = "wajib"
    del pilihan[0]["tanda_tangan"]
    assert "alur berputar tanpa jalan keluar" in problem(data)
