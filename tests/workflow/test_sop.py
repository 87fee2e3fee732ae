"""SOP files: the Renja transcription, and every kind of bad file refused clearly."""

from __future__ import annotations

import ast
import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from workflow.sop import SopFileError, TaskKind, load_sop, load_sops, parse_sop

ROOT = Path(__file__).resolve().parents[2]
RENJA = ROOT / "sops" / "menyusun-rencana-kerja.yaml"


def renja_data() -> dict[str, Any]:
    data = yaml.safe_load(RENJA.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_renja_transcribes_the_seed() -> None:
    sop = load_sop(RENJA)
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


def test_every_activity_text_is_verbatim_from_the_seed() -> None:
    seed = next((ROOT.parent / "shared" / "seed").glob("*.txt"), None)
    if seed is None:
        pytest.skip("the seed document is not beside this checkout")
    words = " ".join(seed.read_text(encoding="utf-8").split())
    # The seed has two spacing slips ("Rencana Kerjamasing-masing", "Kerjadan") we mend.
    words = words.replace("Kerjamasing", "Kerja masing").replace("Kerjadan", "Kerja dan")
    for row in load_sop(RENJA).langkah:
        assert " ".join(row.aktivitas.split()) in words


def test_all_shipped_sops_load() -> None:
    assert "menyusun-rencana-kerja" in load_sops(ROOT / "sops")


def problem(data: dict[str, Any]) -> str:
    with pytest.raises(SopFileError) as error:
        parse_sop(data, source="contoh.yaml")
    return str(error.value)


def test_unknown_position() -> None:
    data = renja_data()
    data["langkah"][0]["tugas"][1]["oleh"] = "kepala_seksi"
    message = problem(data)
    assert message.startswith("contoh.yaml: SOP tidak valid")
    assert "tugas 'konsultasi_sekretaris'.oleh: jabatan 'kepala_seksi' tidak dikenal" in message


def test_return_to_a_task_that_does_not_exist() -> None:
    data = renja_data()
    data["langkah"][4]["tugas"][0]["kembali_ke"] = "perbaikan_akhir"
    assert "kembali_ke: tugas 'perbaikan_akhir' tidak ada" in problem(data)


def test_missing_waktu_names_the_row() -> None:
    data = renja_data()
    del data["langkah"][2]["waktu"]
    assert "langkah[3] (nomor 3).waktu: wajib diisi" in problem(data)


def test_waktu_must_be_positive() -> None:
    data = renja_data()
    data["langkah"][1]["waktu"] = 0
    assert "langkah[2] (nomor 2).waktu" in problem(data)


def test_a_cycle_with_no_exit() -> None:
    data = renja_data()
    data["langkah"][3]["tugas"][0]["lanjut_ke"] = "penyempurnaan"
    message = problem(data)
    assert "alur berputar tanpa jalan keluar" in message
    assert "'telaah_sekretaris'" in message


def test_unknown_document() -> None:
    data = renja_data()
    data["langkah"][0]["tugas"][0]["dokumen"] = ["konsep_akhir"]
    assert "dokumen 'konsep_akhir' tidak dikenal" in problem(data)


def test_unknown_field() -> None:
    data = renja_data()
    data["langkah"][0]["tugas"][0]["batas"] = 3
    message = problem(data)
    assert (
        "langkah[1] (nomor 1).tugas[1] (id 'konsep_pendahuluan').batas: kolom tidak dikenal"
        in (message)
    )


def test_review_without_a_return_target() -> None:
    data = renja_data()
    del data["langkah"][3]["tugas"][0]["kembali_ke"]
    assert "harus menyebut 'kembali_ke'" in problem(data)


def test_total_must_match_the_rows() -> None:
    data = renja_data()
    data["jumlah_waktu"] = 240
    assert "tertulis 240 menit, padahal waktu semua langkah berjumlah 230 menit" in problem(data)


def test_duplicate_task_ids_and_row_numbers() -> None:
    data = renja_data()
    data["langkah"][1]["tugas"].append(copy.deepcopy(data["langkah"][1]["tugas"][0]))
    data["langkah"][2]["nomor"] = 7
    message = problem(data)
    assert "tugas 'rencana_kerja_unit' ditulis lebih dari sekali" in message
    assert "nomor harus berurutan" in message


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(SopFileError, match="tidak dapat dibaca"):
        load_sop(tmp_path / "tidak-ada.yaml")
    broken = tmp_path / "rusak.yaml"
    broken.write_text("id: [tidak ditutup\n", encoding="utf-8")
    with pytest.raises(SopFileError, match=r"rusak\.yaml: bukan YAML yang benar"):
        load_sop(broken)
    listed = tmp_path / "daftar.yaml"
    listed.write_text("- satu\n- dua\n", encoding="utf-8")
    with pytest.raises(SopFileError, match="pemetaan"):
        load_sop(listed)


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
