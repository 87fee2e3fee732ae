"""The office written once: config/organisasi.yaml, and its problems told in Indonesian."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from workflow.organisation import (
    OrganisationFileError,
    load_organisation,
    parse_organisation,
)

ROOT = Path(__file__).resolve().parents[2]
FILE = ROOT / "config" / "organisasi.yaml"


def office_data() -> dict[str, Any]:
    data = yaml.safe_load(FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_shipped_office() -> None:
    office = load_organisation(FILE)
    assert office.instansi.startswith("Badan Perencanaan Pembangunan Daerah")
    assert list(office.positions)[:3] == ["kepala_badan", "sekretaris", "kasubbag_renja"]
    assert office.position("kasubbag_renja").label == "Kasubbag. Renja & Monev"
    assert office.position("kepala_bidang").per_unit
    forum = office.position("forum_skpd")
    assert (forum.eksternal, forum.diundang, forum.pemegang) == (True, True, "banyak")
    organisasi = office.position("bagian_organisasi")
    assert (organisasi.eksternal, organisasi.diundang) == (True, False)
    assert organisasi.diwakili_oleh == ("kasubbag_renja",)
    assert office.unit_named("  bidang   EKONOMI ") == "Bidang Ekonomi"
    assert office.unit_named("Bidang Kelautan") is None


def problem(data: dict[str, Any]) -> str:
    with pytest.raises(OrganisationFileError) as error:
        parse_organisation(data, source="organisasi.yaml")
    message = str(error.value)
    assert message.startswith("organisasi.yaml: berkas organisasi tidak valid:")
    assert "Input should" not in message and "Field required" not in message
    return message


def test_references_within_the_office() -> None:
    data = office_data()
    data["jabatan"]["sekretaris"]["atasan"] = "gubernur"
    data["jabatan"]["kepala_badan"]["atasan"] = "kepala_badan"
    data["pihak_luar"]["bagian_organisasi"]["diwakili_oleh"] = ["kasubbag_renja", "biro"]
    data["pihak_luar"]["sekretaris"] = {"nama": "Sekretaris DPRD"}
    data["unit"].append("bidang ekonomi")
    message = problem(data)
    for expected in (
        "jabatan 'sekretaris', kolom 'atasan': jabatan 'gubernur' tidak ada di daftar jabatan",
        "jabatan 'kepala_badan', kolom 'atasan': jabatan tidak dapat menjadi atasannya sendiri",
        "pihak luar 'bagian_organisasi', kolom 'diwakili_oleh': jabatan 'biro' tidak ada",
        "kunci 'sekretaris' dipakai di jabatan dan di pihak_luar sekaligus",
        "kolom 'unit': 'bidang ekonomi' ditulis lebih dari sekali",
    ):
        assert expected in message, message


def test_fields_in_indonesian() -> None:
    data = office_data()
    data["jabatan"]["sekretaris"]["pemegang"] = "dua"
    data["jabatan"]["kepala_badan"]["per_unit"] = "ya"
    data["jabatan"]["Kepala Seksi"] = {"nama": "Kepala Seksi"}
    data["jabatan"]["kasubbag_umum"]["jabatan"] = "Kasubbag"
    del data["pihak_luar"]["forum_skpd"]["nama"]
    message = problem(data)
    for expected in (
        "jabatan 'sekretaris', kolom 'pemegang': harus salah satu dari: 'satu' atau 'banyak' "
        "(tertulis: 'dua')",
        "jabatan 'kepala_badan', kolom 'per_unit': harus true atau false (tertulis: 'ya')",
        "jabatan 'Kepala Seksi', nama kuncinya: harus kunci dari huruf kecil",
        "jabatan 'kasubbag_umum', kolom 'jabatan': kolom tidak dikenal",
        "pihak luar 'forum_skpd', kolom 'nama': wajib diisi",
    ):
        assert expected in message, message


def test_an_office_needs_positions(tmp_path: Path) -> None:
    assert "kolom 'jabatan': wajib diisi" in problem({"instansi": "Dinas"})
    assert "kolom 'jabatan': tidak boleh kosong" in problem({"jabatan": {}})
    with pytest.raises(OrganisationFileError, match="tidak dapat dibaca"):
        load_organisation(tmp_path / "tidak-ada.yaml")
    broken = tmp_path / "rusak.yaml"
    broken.write_text("jabatan: [\n", encoding="utf-8")
    with pytest.raises(OrganisationFileError, match="bukan YAML yang benar"):
        load_organisation(broken)
