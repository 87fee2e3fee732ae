"""SOP files: the Renja transcription, and every kind of bad file refused clearly."""

from __future__ import annotations

import ast
import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import office_organisation
from workflow.sop import SopFileError, TaskKind, load_sop, load_sops, parse_sop

ROOT = Path(__file__).resolve().parents[2]
RENJA = ROOT / "sops" / "menyusun-rencana-kerja.yaml"
OFFICE = office_organisation()

ENGLISH = (
    "Input should",
    "Field required",
    "Extra inputs",
    "valid integer",
    "String should",
    "should have at least",
    "Value error",
)


def renja_data() -> dict[str, Any]:
    data = yaml.safe_load(RENJA.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_renja_transcribes_the_seed() -> None:
    sop = load_sop(RENJA, organisation=OFFICE)
    identity = sop.identitas
    assert identity.judul == "MENYUSUN RENCANA KERJA"
    assert len(identity.dasar_hukum) == 6
    assert identity.dasar_hukum[5] == "Peraturan Gubernur Nomor 10 Tahun 2010"
    assert identity.kualifikasi_pelaksana == (
        "Pendidikan Minimal S1",
        "Memiliki Pengetahuan Perencanaan",
    )
    assert identity.keterkaitan == ("SOP Penyusunan RKA",)
    assert identity.peralatan == ("Alat tulis kantor, komputer dan printer",)
    assert identity.peringatan.startswith("Untuk menghindari duplikasi, inkonsistensi")
    assert [p.nama for p in sop.pelaksana.values()] == [
        "Kasubbag. Rencana Kerja dan Monev",
        "Sekretaris",
        "Kepala Bidang",
        "Kepala Badan",
        "Forum SKPD",
    ]
    assert [row.persyaratan for row in sop.langkah] == [
        ("Konsep pendahuluan Renja",),
        ("Undangan Rapat",),
        ("Koreksian/perbaikan",),
        (),
        ("Disposisi",),
    ]
    assert [row.output for row in sop.langkah] == [
        ("Nota Dinas",),
        ("Draft Rancangan awal Renja", "Hasil Kesepakatan"),
        ("Rancangan awal Renja",),
        ("Rancangan awal Renja",),
        ("Rancangan awal Renja",),
    ]
    assert sop.langkah[0].aktivitas.startswith("Melakukan konsultasi kepada Sekretaris")
    assert "b. Jika belum sempurna" in sop.langkah[4].aktivitas
    decision = sop.task("keputusan_kepala_badan")
    assert decision.jenis == TaskKind.KEPUTUSAN
    assert sop.row_of(decision.kembali_ke or "").nomor == 3


def test_positions_come_from_the_organisation() -> None:
    sop = load_sop(RENJA, organisation=OFFICE)
    assert list(sop.pelaksana) == [
        "kasubbag_renja",
        "sekretaris",
        "kepala_bidang",
        "kepala_badan",
        "forum_skpd",
    ]
    assert sop.position("kasubbag_renja") is OFFICE.position("kasubbag_renja")
    assert sop.position("kasubbag_renja").atasan == "sekretaris"
    assert sop.pelaksana["kepala_bidang"].per_unit
    forum = sop.pelaksana["forum_skpd"]
    assert forum.eksternal and forum.diundang and forum.pemegang == "banyak"
    # A superior who is not a column of this SOP is still a position of the office.
    assert sop.position("kasubbag_umum").nama == "Kasubbag. Umum dan Kepegawaian"
    assert sop.organisation is OFFICE


def test_every_activity_text_is_verbatim_from_the_seed() -> None:
    seed = next((ROOT.parent / "shared" / "seed").glob("*.txt"), None)
    if seed is None:
        pytest.skip("the seed document is not beside this checkout")
    words = " ".join(seed.read_text(encoding="utf-8").split())
    # The seed has two spacing slips ("Rencana Kerjamasing-masing", "Kerjadan") we mend.
    words = words.replace("Kerjamasing", "Kerja masing").replace("Kerjadan", "Kerja dan")
    for row in load_sop(RENJA, organisation=OFFICE).langkah:
        assert " ".join(row.aktivitas.split()) in words


def test_all_shipped_sops_load() -> None:
    assert "menyusun-rencana-kerja" in load_sops(ROOT / "sops", organisation=OFFICE)


def problem(data: dict[str, Any]) -> str:
    with pytest.raises(SopFileError) as error:
        parse_sop(data, organisation=OFFICE, source="contoh.yaml")
    message = str(error.value)
    assert message.startswith("contoh.yaml: ")
    for english in ENGLISH:
        assert english not in message, message
    return message


def test_unknown_position_of_a_task() -> None:
    data = renja_data()
    data["langkah"][0]["tugas"][1]["oleh"] = "kepala_seksi"
    message = problem(data)
    assert message.startswith("contoh.yaml: SOP tidak valid")
    assert (
        "langkah 1, tugas 'konsultasi_sekretaris', kolom 'oleh': jabatan 'kepala_seksi' "
        "tidak dikenal: tidak ada di organisasi kantor"
    ) in message


def test_unknown_pelaksana_column() -> None:
    data = renja_data()
    data["pelaksana"] = ["kasubbag_renja", "sekretaris", "kabid", "kepala_badan", "forum"]
    message = problem(data)
    assert "kolom 'pelaksana': jabatan 'kabid', 'forum' tidak ada di organisasi kantor" in message


def test_a_position_of_the_office_that_is_not_a_column() -> None:
    data = renja_data()
    data["langkah"][3]["tugas"][0]["oleh"] = "kasubbag_umum"
    assert (
        "langkah 4, tugas 'telaah_sekretaris', kolom 'oleh': jabatan 'kasubbag_umum' bukan "
        "kolom pelaksana SOP ini (tambahkan ke 'pelaksana')"
    ) in problem(data)


def test_format_1_is_refused_with_how_to_move_it() -> None:
    data = renja_data()
    data["format"] = 1
    data["pelaksana"] = {"kasubbag_renja": {"nama": "Kasubbag"}}
    message = problem(data)
    assert "format 1 tidak lagi dibaca" in message
    assert "config/organisasi.yaml" in message
    assert "format: 2" in message
    del data["format"]
    assert "format 1 tidak lagi dibaca" in problem(data)
    data["format"] = 2
    assert "kolom 'pelaksana': tulis daftar kunci jabatan" in problem(data)


def test_return_to_a_task_that_does_not_exist() -> None:
    data = renja_data()
    data["langkah"][4]["tugas"][0]["kembali_ke"] = "perbaikan_akhir"
    assert (
        "langkah 5, tugas 'keputusan_kepala_badan', kolom 'kembali_ke': tugas "
        "'perbaikan_akhir' tidak ada"
    ) in problem(data)


def test_missing_waktu_names_the_row() -> None:
    data = renja_data()
    del data["langkah"][2]["waktu"]
    assert "langkah 3, kolom 'waktu': wajib diisi" in problem(data)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (0, "waktu harus lebih dari nol (tertulis: 0)"),
        ("2 hr", "satuan waktu 'hr' tidak dikenal; tulis angka dan satuannya"),
        ("sebentar", "waktu tidak dapat dibaca; tulis angka dan satuannya"),
        ("1,5 hari", "hari dan minggu dihitung utuh"),
        ([60], "waktu tidak dapat dibaca"),
    ],
)
def test_waktu_as_written_or_refused(written: object, expected: str) -> None:
    data = renja_data()
    data["langkah"][1]["waktu"] = written
    assert f"langkah 2, kolom 'waktu': {expected}" in problem(data)


def test_a_cycle_with_no_exit() -> None:
    data = renja_data()
    data["langkah"][3]["tugas"][0]["lanjut_ke"] = "penyempurnaan"
    message = problem(data)
    assert "alur berputar tanpa jalan keluar" in message
    assert "'telaah_sekretaris'" in message


def test_unknown_document() -> None:
    data = renja_data()
    data["langkah"][0]["tugas"][0]["dokumen"] = ["konsep_akhir"]
    assert (
        "langkah 1, tugas 'konsep_pendahuluan', kolom 'dokumen': dokumen 'konsep_akhir' "
        "tidak dikenal"
    ) in problem(data)


def test_unknown_field() -> None:
    data = renja_data()
    data["langkah"][0]["tugas"][0]["batas"] = 3
    assert "langkah 1, tugas 'konsep_pendahuluan', kolom 'batas': kolom tidak dikenal" in (
        problem(data)
    )


def test_review_without_a_return_target() -> None:
    data = renja_data()
    del data["langkah"][3]["tugas"][0]["kembali_ke"]
    assert "harus menyebut 'kembali_ke'" in problem(data)


def test_total_must_match_the_rows() -> None:
    data = renja_data()
    data["jumlah_waktu"] = 240
    assert (
        "kolom 'jumlah_waktu': tertulis 240 menit, padahal waktu semua langkah berjumlah 230 menit"
    ) in problem(data)
    data["jumlah_waktu"] = "4 jam"
    assert "tertulis 4 jam, padahal waktu semua langkah berjumlah 230 menit" in problem(data)


def test_a_total_in_days_is_kept_as_written() -> None:
    data = renja_data()
    data["langkah"][1]["waktu"] = "2 hari"
    data["jumlah_waktu"] = "3 hari"  # a working day has no fixed minutes: not checked
    sop = parse_sop(data, organisation=OFFICE)
    assert sop.total_text == "3 hari"
    del data["jumlah_waktu"]
    assert parse_sop(data, organisation=OFFICE).total_text == "2 hari + 110 menit"


def test_duplicate_task_ids_and_row_numbers() -> None:
    data = renja_data()
    data["langkah"][1]["tugas"].append(copy.deepcopy(data["langkah"][1]["tugas"][0]))
    data["langkah"][2]["nomor"] = 2
    message = problem(data)
    assert "tugas 'rencana_kerja_unit' ditulis lebih dari sekali" in message
    assert "langkah 2: nomor ini ditulis lebih dari sekali" in message


def test_rows_numbered_as_the_document_numbers_them() -> None:
    data = renja_data()
    for row, label in zip(data["langkah"], (1, "2", "2a", "3", 4), strict=True):
        row["nomor"] = label
    data["langkah"][3]["output"] = []
    data["langkah"][4]["output"] = "-"
    data["langkah"][2]["keterangan"] = "Dibahas bersama Sekretaris"
    sop = parse_sop(data, organisation=OFFICE)
    assert [row.label for row in sop.langkah] == ["1", "2", "2a", "3", "4"]
    assert [row.nomor for row in sop.langkah] == [1, 2, 3, 4, 5]  # what drafts store
    assert sop.row(3).label == "2a" == sop.row_label(3)
    assert sop.row_labelled("2a") is sop.langkah[2]
    assert sop.row_of("penyempurnaan").nomor == 3
    assert sop.langkah[3].output == () == sop.langkah[4].output
    assert sop.langkah[2].keterangan == "Dibahas bersama Sekretaris"


def test_identity_dates_are_text() -> None:
    data = renja_data()
    data["identitas"]["tanggal_pembuatan"] = date(2012, 3, 5)
    data["identitas"]["tanggal_efektif"] = "1 April 2012"
    data["identitas"]["nomor"] = 12
    identity = parse_sop(data, organisation=OFFICE).identitas
    assert identity.tanggal_pembuatan == "5 Maret 2012"
    assert identity.tanggal_efektif == "1 April 2012"
    assert identity.nomor == "12"


def test_many_problems_at_once_each_in_indonesian() -> None:
    data = renja_data()
    data["id"] = "Menyusun Renja"
    del data["identitas"]["judul"]
    data["dokumen"]["nota_dinas"]["bernomor"] = "mungkin"
    data["dokumen"]["Nota Akhir"] = {"nama": "Nota akhir"}
    data["langkah"][0]["tugas"][0]["jenis"] = "unduh"
    data["langkah"][1]["aktivitas"] = ""
    data["langkah"][1]["pelaksana"] = []
    data["langkah"][2]["tugas"] = []
    data["langkah"][3]["pengingat"] = {"ulangi_setiap_menit": "sejam"}
    data["pengingat"]["ingatkan_pada_persen"] = 120
    message = problem(data)
    for expected in (
        "kolom 'id': harus huruf kecil, angka dan tanda hubung (misalnya surat-masuk) "
        "(tertulis: 'Menyusun Renja')",
        "identitas, kolom 'judul': wajib diisi",
        "dokumen 'nota_dinas', kolom 'bernomor': harus true atau false (tertulis: 'mungkin')",
        "dokumen 'Nota Akhir', nama kuncinya: harus kunci dari huruf kecil",
        "langkah 1, tugas 'konsep_pendahuluan', kolom 'jenis': harus salah satu dari: "
        "'unggah', 'unggah_paralel', 'telaah', 'keputusan', 'rapat' atau 'serah' "
        "(tertulis: 'unduh')",
        "langkah 2, kolom 'aktivitas': tidak boleh kosong",
        "langkah 2, kolom 'pelaksana': tidak boleh kosong",
        "langkah 3, kolom 'tugas': tidak boleh kosong",
        "langkah 4, pengingat, kolom 'ulangi_setiap_menit': harus bilangan bulat "
        "(tertulis: 'sejam')",
        "pengingat, kolom 'ingatkan_pada_persen': paling besar 99 (tertulis: 120)",
    ):
        assert expected in message, message


def test_a_row_reminder_policy_over_the_sops() -> None:
    data = renja_data()
    data["langkah"][1]["pengingat"] = {"ulangi_setiap_menit": 15, "eskalasi": False}
    sop = parse_sop(data, organisation=OFFICE)
    own = sop.reminder_policy(2)
    assert (own.ulangi_setiap_menit, own.eskalasi, own.ingatkan_pada_persen) == (15, False, 80)
    assert own.eskalasi_setelah_menit == 0  # the SOP's, not written on the row
    assert sop.reminder_policy(1) == sop.pengingat


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(SopFileError, match="tidak dapat dibaca"):
        load_sop(tmp_path / "tidak-ada.yaml", organisation=OFFICE)
    broken = tmp_path / "rusak.yaml"
    broken.write_text("id: [tidak ditutup\n", encoding="utf-8")
    with pytest.raises(SopFileError, match=r"rusak\.yaml: bukan YAML yang benar"):
        load_sop(broken, organisation=OFFICE)
    listed = tmp_path / "daftar.yaml"
    listed.write_text("- satu\n- dua\n", encoding="utf-8")
    with pytest.raises(SopFileError, match="pemetaan"):
        load_sop(listed, organisation=OFFICE)


def test_workflow_imports_neither_telegram_nor_the_database() -> None:
    forbidden = {"telegram", "sqlalchemy", "sqlmodel", "alembic", "storage", "handlers", "bot"}
    for path in (ROOT / "workflow").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{path.name} imports {name}"
