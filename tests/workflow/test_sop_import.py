"""Importing an SOP AP document: the Renja seed's text export, and Word files built from it."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from docx.table import Table, _Cell

from tests.conftest import office_organisation
from workflow.sop import parse_sop
from workflow.sop_import import (
    QUESTION,
    Draft,
    SopImportError,
    cells_from_docx,
    cells_from_text,
    decode_text,
    dump_commented,
    import_cells,
    import_file,
    import_text,
    list_items,
    open_questions,
    read_time,
    slug,
)

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "data" / "sop-renja-seed.txt"

POSITIONS = [
    "Kasubbag. Rencana Kerja dan Monev",
    "Sekretaris",
    "Kepala Bidang",
    "Kepala Badan",
    "Forum SKPD",
]
KEYS = [
    "kasubbag_rencana_kerja_dan_monev",
    "sekretaris",
    "kepala_bidang",
    "kepala_badan",
    "forum_skpd",
]
DASAR_HUKUM = [
    "Undang-undang Nomor 25 Tahun 2004",
    "Undang-undang Nomor 32 Tahun 2004 tentang Pemerintahan Daerah",
    "Peraturan Daerah Provinsi Kalimantan Barat Nomor 9 Tahun 2009",
    "Peraturan Daerah Nomor 10 Tahun 2008 tentang Susunan Organisasi Perangkat Daerah "
    "Provinsi Kalimantan Barat",
    "Peraturan Gubernur Nomor 58 Tahun 2008 tentang Tugas Pokok, Fungsi dan Tata Kerja Badan "
    "Perencanaan Pembangunan Daerah Provinsi Kalimantan Barat",
    "Peraturan Gubernur Nomor 10 Tahun 2010",
]
PERINGATAN = (
    "Untuk menghindari duplikasi, inkonsistensi dan ketidak efektifan dalam perencanaan program"
)
# The seed's own words, slips included ("RENJA  melalui", "Rencana Kerjamasing-masing").
ACTIVITIES = [
    "Melakukan konsultasi kepada Sekretaris terkait penyusunan Rencana Kerja dan memprakarsai "
    "penyusunan RENJA  melalui tahapan awal berupa penyampaian informasi kepada Bidang dan "
    "Sekretariat untuk membuat Rencana Kerjamasing-masing dengan mempedomani Rencana Strategis "
    "(RENSTRA BAPPEDA).",
    "Rencana Kerja yang telah dibuat, dibahas bersama (Sekretariat dan Bidang), kemudian hasil "
    "pembahasan dikomunikasikan dalam Forum SKPD",
    "Hasil pembahasan dari Forum SKPD dikembalikan kepada Kasubbag. Rencana Kerjadan Monitoring, "
    "Evaluasi melalui Sekretaris untuk disempurnakan kembali.",
    "Rencana Kerja yang telah disempurnakan, dikomunikasikan kepada Kepala Badan melalui "
    "Sekretaris.",
    "Kepala Badan menelaah, mempertimbangkan kembali, selanjutnya membuat keputusan :\n"
    "a. Jika telah sempurna, maka Kepala Badan akan menandatangani Rencana Kerja.\n"
    "b. Jika belum sempurna, maka Kepala Badan akan memberikan arahan lebih lanjut untuk "
    "disempurnakan.",
]
PERSYARATAN = [
    ["Konsep pendahuluan Renja"],
    ["Undangan Rapat"],
    ["Koreksian/perbaikan"],
    [],
    ["Disposisi"],
]
WAKTU = ["60 menit", "120 menit", "30 menit", "10 menit", "10 menit"]
OUTPUT = [
    ["Nota Dinas"],
    ["Draft Rancangan awal Renja", "Hasil Kesepakatan"],
    ["Rancangan awal Renja"],
    ["Rancangan awal Renja"],
    ["Rancangan awal Renja"],
]
# Who acts in each row, as DOMAIN.md reads the flowchart (column indexes into POSITIONS).
ACTING = [[0, 1], [0, 1, 2, 4], [0, 1], [0, 1], [3]]


def seed_draft() -> Draft:
    return import_file(SEED)


def assert_renja_rows(draft: Draft) -> None:
    rows = draft.data["langkah"]
    assert [row["nomor"] for row in rows] == [1, 2, 3, 4, 5]
    assert [row["aktivitas"] for row in rows] == ACTIVITIES
    assert [row["persyaratan"] for row in rows] == PERSYARATAN
    assert [row["waktu"] for row in rows] == WAKTU
    assert [row["output"] for row in rows] == OUTPUT
    assert [row["keterangan"] for row in rows] == [""] * 5
    assert draft.data["jumlah_waktu"] == "230 menit"
    assert draft.data["pelaksana"] == KEYS


def assert_renja_identity(draft: Draft) -> None:
    identity = draft.data["identitas"]
    assert identity["judul"] == "MENYUSUN RENCANA KERJA"
    assert identity["dasar_hukum"] == DASAR_HUKUM
    assert identity["kualifikasi_pelaksana"] == [
        "Pendidikan Minimal S1",
        "Memiliki Pengetahuan Perencanaan",
    ]
    assert identity["keterkaitan"] == ["SOP Penyusunan RKA"]
    assert identity["peralatan"] == ["Alat tulis kantor, komputer dan printer"]
    assert identity["peringatan"] == PERINGATAN
    assert identity["pencatatan_dan_pendataan"] == ""


# ---------------------------------------------------------------------------------------
# The seed's plain-text export


def test_the_seed_text_is_imported_verbatim() -> None:
    draft = seed_draft()
    assert draft.data["format"] == 2
    assert draft.data["id"] == "menyusun-rencana-kerja"
    assert_renja_identity(draft)
    assert_renja_rows(draft)
    assert len(draft.data["identitas"]["dasar_hukum"]) == 6
    assert "\na. Jika telah sempurna" in draft.data["langkah"][4]["aktivitas"]


def test_the_seed_text_leaves_who_acts_and_how_as_questions() -> None:
    draft = seed_draft()
    for row in draft.data["langkah"]:
        assert row["pelaksana"] == [QUESTION]
        (task,) = row["tugas"]
        assert task["id"] == f"langkah_{row['nomor']}"
        assert (task["jenis"], task["oleh"]) == (QUESTION, QUESTION)
    assert draft.questions == [
        line
        for n in range(1, 6)
        for line in (
            f"belum diisi: langkah {n}, pelaksana",
            f"belum diisi: langkah {n}, tugas 'langkah_{n}', jenis",
            f"belum diisi: langkah {n}, tugas 'langkah_{n}', oleh",
        )
    ]


def test_each_question_is_marked_in_the_yaml_above_its_value() -> None:
    lines = seed_draft().text.splitlines()
    asked = [n for n, line in enumerate(lines) if line.endswith(('"?"', '["?"]'))]
    assert len(asked) == 15
    for n in asked:
        above = n - 1
        while lines[above].lstrip().startswith("#") and not lines[above].lstrip().startswith(
            "# PERTANYAAN:"
        ):
            above -= 1  # a question's comment may run over several lines
        assert lines[above].lstrip().startswith("# PERTANYAAN:"), lines[n]
    assert 'pelaksana: ["?"]' in lines[asked[0]]
    text = "\n".join(lines)
    assert "# PERTANYAAN: siapa pelaksana langkah 1?" in text
    assert "- kasubbag_rencana_kerja_dan_monev  # Kasubbag. Rencana Kerja dan Monev" in text


def test_the_yaml_reads_back_as_the_draft_data() -> None:
    draft = seed_draft()
    assert yaml.safe_load(draft.text) == draft.data
    assert all(len(line) <= 99 for line in draft.text.splitlines() if "b. Jika" not in line)


def test_tasks_take_their_documents_from_the_outputs() -> None:
    draft = seed_draft()
    assert draft.data["dokumen"] == {
        "konsep_pendahuluan_renja": {"nama": "Konsep pendahuluan Renja"},
        "nota_dinas": {"nama": "Nota Dinas"},
        "undangan_rapat": {"nama": "Undangan Rapat"},
        "draft_rancangan_awal_renja": {"nama": "Draft Rancangan awal Renja"},
        "hasil_kesepakatan": {"nama": "Hasil Kesepakatan"},
        "koreksian_perbaikan": {"nama": "Koreksian/perbaikan"},
        "rancangan_awal_renja": {"nama": "Rancangan awal Renja"},
        "disposisi": {"nama": "Disposisi"},
    }
    tasks = [row["tugas"][0] for row in draft.data["langkah"]]
    assert tasks[0]["dokumen"] == ["nota_dinas"]
    assert tasks[1]["dokumen"] == ["draft_rancangan_awal_renja", "hasil_kesepakatan"]
    assert tasks[2]["dokumen"] == ["rancangan_awal_renja"]
    # Rows 4 and 5 pass on what row 3 made: most likely a review, so it is written as one.
    assert tasks[3]["telaah"] == tasks[4]["telaah"] == ["rancangan_awal_renja"]
    assert "dokumen" not in tasks[3]
    assert tasks[4]["judul"] == "Kepala Badan menelaah"
    assert all(len(task["judul"]) <= 60 for task in tasks)


def test_the_header_repeated_on_a_second_page_is_skipped() -> None:
    cells = cells_from_text(SEED.read_text(encoding="utf-8"))
    header = cells[cells.index("NO.") : cells.index("1.")]
    row_3 = cells.index("3.")
    split = [*cells[:row_3], "", *header, *cells[row_3:]]
    assert import_cells(split).data["langkah"] == seed_draft().data["langkah"]


def test_an_export_that_stops_after_the_last_filled_cell_loses_no_row() -> None:
    cells = cells_from_text(SEED.read_text(encoding="utf-8"))
    last_row = cells[: cells.index("Jumlah waktu") - 1]
    while not last_row[-1]:
        last_row.pop()
    assert import_cells(last_row).data["langkah"] == seed_draft().data["langkah"]


def test_a_row_with_a_missing_cell_is_refused_with_its_place() -> None:
    cells = cells_from_text(SEED.read_text(encoding="utf-8"))
    del cells[cells.index("30 menit")]
    with pytest.raises(SopImportError, match="sesudah langkah 3"):
        import_cells(cells)


def test_a_document_without_the_flowchart_table_is_refused() -> None:
    with pytest.raises(SopImportError, match="tabel bagan alir tidak ditemukan"):
        import_text("\tJudul SOP\n\tCUTI\n\tDASAR HUKUM\n\tUU 5/2014\n")


def test_text_exports_in_other_encodings_are_read() -> None:
    assert decode_text("\tÖ · é".encode("utf-16")) == "\tÖ · é"
    assert decode_text("\ufeff\tJudul".encode()) == "\tJudul"
    assert decode_text("\t· Nota".encode("cp1252")) == "\t· Nota"


# ---------------------------------------------------------------------------------------
# Cells, lists, times


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("60 menit", "60 menit"),
        ("1 hari", "1 hari"),
        ("2  Jam", "2 jam"),
        ("30 detik", "30 detik"),
        ("1 minggu", "1 minggu"),
        ("15'", "15 menit"),
        ("5 mnt", "5 menit"),
        ("3 hari kerja", "3 hari"),
        ("45", 45),
        ("sesuai jadwal", None),
        ("", None),
    ],
)
def test_times_keep_their_unit(written: str, read: str | int | None) -> None:
    assert read_time(written) == read


def test_a_bare_number_takes_the_unit_of_the_column() -> None:
    cells = cells_from_text(SEED.read_text(encoding="utf-8"))
    cells[cells.index("Waktu")] = "Waktu (jam)"
    cells[cells.index("60 menit")] = "2"
    assert import_cells(cells).data["langkah"][0]["waktu"] == "2 jam"


def test_lists_lose_their_markers_and_separators() -> None:
    assert list_items("1. Satu;\n2. Dua; dan\n3. Tiga") == ("Satu", "Dua", "Tiga")
    assert list_items("· A\n· B") == ("A", "B")
    assert list_items("a) panjang\nsekali\nb) pendek") == ("panjang sekali", "pendek")
    assert list_items("Komputer\nPrinter") == ("Komputer", "Printer")
    assert list_items("-") == ()
    assert list_items("") == ()


def test_slugs_are_keys() -> None:
    assert slug("Kasubbag. Rencana Kerja dan Monev") == "kasubbag_rencana_kerja_dan_monev"
    assert slug("Koreksian/perbaikan") == "koreksian_perbaikan"
    assert slug("Bagian Organisasi Setda (Pemprov)") == "bagian_organisasi_setda_pemprov"
    assert slug("MENYUSUN RENCANA KERJA", "-") == "menyusun-rencana-kerja"


def test_awkward_strings_survive_the_yaml() -> None:
    data: dict[str, Any] = {
        "a": "key: value # not a comment",
        "b": "- looks like a list",
        "c": "  leading spaces\nand a second line  ",
        "d": ["?", "yes", "no", "123", "x, y", "[z]"],
        "e": "'quoted' \"twice\"",
        "f": "panjang " * 40,
        "g": "",
        "h": {},
        "i": "garis\n\n  menjorok\n",
        "j": "tab\there",
    }
    assert yaml.safe_load(dump_commented(data)) == data


def test_open_questions_name_their_place() -> None:
    data = {
        "id": "?",
        "identitas": {"judul": "?"},
        "pelaksana": ["sekretaris", "?"],
        "dokumen": {"nota": {"nama": "?"}},
        "langkah": [
            {"nomor": "2a", "pelaksana": ["?"], "waktu": "?", "tugas": [{"id": "?"}]},
        ],
    }
    assert open_questions(data) == [
        "belum diisi: id",
        "belum diisi: identitas, judul",
        "belum diisi: pelaksana",
        "belum diisi: dokumen 'nota', nama",
        "belum diisi: langkah 2a, pelaksana",
        "belum diisi: langkah 2a, waktu",
        "belum diisi: langkah 2a, tugas 1, id",
    ]
    assert (
        open_questions(
            yaml.safe_load(
                (ROOT / "sops" / "menyusun-rencana-kerja.yaml").read_text(encoding="utf-8")
            )
        )
        == []
    )


# ---------------------------------------------------------------------------------------
# Word files built from the seed's content


def _merge(table: Table, row: int, first: int, last: int, text: str) -> None:
    table.cell(row, first).merge(table.cell(row, last)).text = text


def _paragraphs(cell: _Cell, lines: Sequence[str], style: str | None = None) -> None:
    """Write `lines` as the cell's paragraphs (a new cell holds one empty paragraph)."""
    cell.paragraphs[0].text = lines[0] if lines else ""
    if style and lines:
        cell.paragraphs[0].style = style
    for line in lines[1:]:
        cell.add_paragraph(line, style)


def build_renja_docx(path: Path, *, marks: bool) -> Path:
    """The Renja SOP as a Word file: identity tables and the flowchart table, from the seed.

    The header of the identity sits in a table nested in a layout table; Dasar Hukum is an
    automatically numbered list and row 2's outputs a bulleted one (numbering, not text).
    With `marks`, the acting pelaksana columns hold a "√" instead of a drawing.
    """
    document = docx.Document()
    document.add_paragraph("STANDAR OPERASIONAL PROSEDUR")
    layout = document.add_table(rows=1, cols=2)
    _paragraphs(
        layout.cell(0, 0),
        ["PEMERINTAH PROVINSI KALIMANTAN BARAT", "BADAN PERENCANAAN PEMBANGUNAN DAERAH"],
    )
    header = layout.cell(0, 1).add_table(rows=6, cols=2)
    for n, (label, value) in enumerate(
        [
            ("Nomor SOP", "050/123/BAPPEDA-A"),
            ("Tgl. Pembuatan", "2 Januari 2012"),
            ("Tgl. Revisi", ""),
            ("Tgl. Efektif", "2 Januari 2012"),
            ("Disahkan oleh", "Kepala Badan Perencanaan Pembangunan Daerah\nttd\nIr. Contoh"),
            ("Judul SOP", "MENYUSUN RENCANA KERJA"),
        ]
    ):
        header.cell(n, 0).text = label
        _paragraphs(header.cell(n, 1), value.split("\n") if value else [])

    sections = document.add_table(rows=6, cols=3)
    for n, (left, right) in enumerate(
        [
            ("DASAR HUKUM", "KUALIFIKASI PELAKSANA"),
            ("KETERKAITAN", "PERALATAN/PERLENGKAPAN"),
            ("PERINGATAN", "PENCATATAN DAN PENDATAAN"),
        ]
    ):
        sections.cell(2 * n, 0).text = left
        sections.cell(2 * n, 2).text = right
    _paragraphs(sections.cell(1, 0), DASAR_HUKUM, style="List Number")
    _paragraphs(
        sections.cell(1, 2), ["1. Pendidikan Minimal S1", "2. Memiliki Pengetahuan Perencanaan"]
    )
    _paragraphs(sections.cell(3, 0), ["1. SOP Penyusunan RKA"])
    _paragraphs(sections.cell(3, 2), ["Alat tulis kantor, komputer dan printer;"])
    _paragraphs(sections.cell(5, 0), [PERINGATAN])

    document.add_paragraph("")
    columns = 2 + len(POSITIONS) + 4
    flow = document.add_table(rows=3 + len(ACTIVITIES) + 1, cols=columns)
    flow.cell(0, 0).merge(flow.cell(1, 0)).text = "NO."
    flow.cell(0, 1).merge(flow.cell(1, 1)).text = "AKTIVITAS"
    _merge(flow, 0, 2, 1 + len(POSITIONS), "PELAKSANA")
    _merge(flow, 0, 2 + len(POSITIONS), 4 + len(POSITIONS), "MUTU BAKU")
    flow.cell(0, columns - 1).merge(flow.cell(1, columns - 1)).text = "KET."
    for n, name in enumerate([*POSITIONS, "Persyaratan/ kelengkapan", "Waktu", "Output"]):
        flow.cell(1, 2 + n).text = name
    for n in range(columns):
        flow.cell(2, n).text = str(n + 1)
    mutu = 2 + len(POSITIONS)
    for n, activity in enumerate(ACTIVITIES):
        row = 3 + n
        flow.cell(row, 0).text = f"{n + 1}."
        _paragraphs(flow.cell(row, 1), activity.split("\n"))
        if marks:
            for column in ACTING[n]:
                flow.cell(row, 2 + column).text = "√"
        _paragraphs(flow.cell(row, mutu), PERSYARATAN[n])
        flow.cell(row, mutu + 1).text = WAKTU[n]
        bullets = "List Bullet" if len(OUTPUT[n]) > 1 else None
        _paragraphs(flow.cell(row, mutu + 2), OUTPUT[n], style=bullets)
    total = 3 + len(ACTIVITIES)
    _merge(flow, total, 0, 1, "Jumlah waktu")
    _merge(flow, total, 2, mutu, "")
    flow.cell(total, mutu + 1).text = "230 menit"
    document.save(str(path))
    return path


def test_a_word_file_is_imported_like_its_text(tmp_path: Path) -> None:
    draft = import_file(build_renja_docx(tmp_path / "renja.docx", marks=False))
    assert_renja_identity(draft)
    assert_renja_rows(draft)
    identity = draft.data["identitas"]
    assert identity["nomor"] == "050/123/BAPPEDA-A"
    assert identity["tanggal_pembuatan"] == identity["tanggal_efektif"] == "2 Januari 2012"
    assert identity["tanggal_revisi"] == ""
    assert identity["disahkan_oleh"] == (
        "Kepala Badan Perencanaan Pembangunan Daerah\nttd\nIr. Contoh"
    )
    assert [row["pelaksana"] for row in draft.data["langkah"]] == [[QUESTION]] * 5
    assert len(draft.questions) == 15
    assert yaml.safe_load(draft.text) == draft.data


def test_word_list_numbering_is_written_out(tmp_path: Path) -> None:
    cells = cells_from_docx(build_renja_docx(tmp_path / "renja.docx", marks=False))
    listed = next(cell for cell in cells if DASAR_HUKUM[0] in cell).split("\n")
    assert listed == [f"{n}. {law}" for n, law in enumerate(DASAR_HUKUM, 1)]
    assert "· Draft Rancangan awal Renja\n· Hasil Kesepakatan" in cells


def test_columns_marked_with_text_are_the_rows_pelaksana(tmp_path: Path) -> None:
    draft = import_file(build_renja_docx(tmp_path / "renja.docx", marks=True))
    assert_renja_rows(draft)
    rows = draft.data["langkah"]
    assert [row["pelaksana"] for row in rows] == [
        [KEYS[column] for column in acting] for acting in ACTING
    ]
    # One column marked: that position holds the task; several: the question stays.
    assert rows[4]["tugas"][0]["oleh"] == "kepala_badan"
    assert rows[0]["tugas"][0]["oleh"] == QUESTION
    assert "belum diisi: langkah 1, pelaksana" not in draft.questions
    assert "belum diisi: langkah 5, tugas 'langkah_5', oleh" not in draft.questions
    assert "belum diisi: langkah 1, tugas 'langkah_1', oleh" in draft.questions
    assert len(draft.questions) == 5 + 4
    assert "# PERTANYAAN: jabatan mana yang mengerjakan tugas ini? Tulis salah satu dari" in (
        draft.text
    )


def test_a_file_that_is_no_word_document_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "rusak.docx"
    broken.write_bytes(b"PK\x03\x04 bukan zip")
    with pytest.raises(SopImportError, match=r"rusak\.docx: bukan berkas Word \.docx"):
        import_file(broken)
    old = tmp_path / "lama.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 64)
    with pytest.raises(SopImportError, match=r"simpan ulang sebagai \.docx"):
        import_file(old)
    with pytest.raises(SopImportError, match="tidak dapat dibaca"):
        import_file(tmp_path / "tidak-ada.txt")


# ---------------------------------------------------------------------------------------
# After the questions are answered, the file runs


def answer_questions(data: dict[str, Any]) -> dict[str, Any]:
    """Answer the seed's questions as DOMAIN.md reads the flowchart, with the office's keys."""
    answered = copy.deepcopy(data)
    office = ["kasubbag_renja", "sekretaris", "kepala_bidang", "kepala_badan", "forum_skpd"]
    answered["pelaksana"] = office
    how = [
        ("unggah", "kasubbag_renja"),
        ("unggah", "kasubbag_renja"),
        ("unggah", "kasubbag_renja"),
        ("telaah", "sekretaris"),
        ("keputusan", "kepala_badan"),
    ]
    for row, acting, (kind, holder) in zip(answered["langkah"], ACTING, how, strict=True):
        row["pelaksana"] = [office[column] for column in acting]
        (task,) = row["tugas"]
        task["jenis"], task["oleh"] = kind, holder
        if kind in ("telaah", "keputusan"):
            task["kembali_ke"] = "langkah_3"
    assert open_questions(answered) == []
    return answered


def test_after_filling_the_questions_the_file_runs() -> None:
    draft = seed_draft()
    sop = parse_sop(
        answer_questions(draft.data), organisation=office_organisation(), source="impor"
    )
    assert sop.id == "menyusun-rencana-kerja"
    assert len(sop.langkah) == 5
    assert [task.id for task in sop.tasks] == [f"langkah_{n}" for n in range(1, 6)]
    assert sop.next_task("langkah_5") is None
