"""The SOP AP flowchart: its arrows, and a picture that fits a phone however the SOP runs."""

from __future__ import annotations

import copy
import io
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import yaml
from matplotlib import image

from tests.conftest import office_organisation
from workflow.flowchart import (
    END,
    MAX_WIDTH,
    MIN_WIDTH,
    PNG_SIGNATURE,
    START,
    Arrow,
    arrows,
    draw_flowchart,
    png_size,
)
from workflow.organisation import parse_organisation
from workflow.sop import Sop, load_sop, parse_sop

ROOT = Path(__file__).resolve().parents[2]
SURAT_KELUAR = ROOT / "tests" / "data" / "sop-surat-keluar.yaml"
ORGANISATION = ROOT / "config" / "organisasi.yaml"
OFFICE = office_organisation()


def surat_keluar(rows: int = 2, activity: str | None = None, positions: int = 0) -> Sop:
    """The small SOP, with `rows` rows (the first one repeated), a longer first activity, or
    more pelaksana columns."""
    data: dict[str, Any] = yaml.safe_load(SURAT_KELUAR.read_text(encoding="utf-8"))
    first, last = data["langkah"]
    extra = []
    for number in range(rows - 2):
        row = copy.deepcopy(first)
        row["tugas"][0]["id"] = f"konsep_{number}"
        extra.append(row)
    data["langkah"] = [first, *extra, last]
    for number, row in enumerate(data["langkah"], 1):
        row["nomor"] = number
    if activity is not None:
        first["aktivitas"] = activity
    office: dict[str, Any] = yaml.safe_load(ORGANISATION.read_text(encoding="utf-8"))
    for number in range(positions):
        office["jabatan"][f"saksi_{number}"] = {"nama": f"Pejabat Pengawas Nomor {number}"}
        data["pelaksana"].append(f"saksi_{number}")
    data.pop("jumlah_waktu", None)
    return parse_sop(data, organisation=parse_organisation(office))


def test_the_renja_flow_goes_down_and_returns_go_back() -> None:
    found = arrows(load_sop(ROOT / "sops" / "menyusun-rencana-kerja.yaml", organisation=OFFICE))
    assert found[0] == Arrow(START, "konsep_pendahuluan")
    assert Arrow("konsep_pendahuluan", "konsultasi_sekretaris") in found
    assert Arrow("konsultasi_sekretaris", "nota_dinas", "Ya") in found
    assert Arrow("konsultasi_sekretaris", "konsep_pendahuluan", "Tidak") in found
    assert Arrow("teruskan_hasil_forum", "forum_skpd", "Tidak") in found
    assert Arrow("keputusan_kepala_badan", END, "Ya") in found
    assert Arrow("keputusan_kepala_badan", "penyempurnaan", "Tidak") in found
    assert [a for a in found if a.target == END] == [Arrow("keputusan_kepala_badan", END, "Ya")]
    assert len(found) == 1 + 10 + 4  # the start, one out of every task, four returns


def test_named_outcomes_of_format_2_are_arrows_with_their_names() -> None:
    """Format 2's `pilihan` (read when the model has it): a task, a row, or the end."""

    def task(id: str, jenis: str, **more: Any) -> SimpleNamespace:
        return SimpleNamespace(id=id, jenis=jenis, oleh=("staf",), judul=id, **more)

    def choice(label: str, ke: str) -> SimpleNamespace:
        return SimpleNamespace(label=label, ke=ke)

    periksa = task(
        "periksa",
        "keputusan",
        pilihan=(choice("Sesuai", "disposisi"), choice("Salah alamat", "selesai")),
    )
    ulang = task("ulang", "keputusan", pilihan=(choice("Ulangi", "langkah 1"),))
    sop = SimpleNamespace(
        langkah=(
            SimpleNamespace(label="1", tugas=(task("terima", "unggah"), periksa)),
            SimpleNamespace(label="2a", tugas=(task("disposisi", "serah"), ulang)),
        )
    )
    assert arrows(cast(Sop, sop)) == [
        Arrow(START, "terima"),
        Arrow("terima", "periksa"),
        Arrow("periksa", "disposisi", "Sesuai"),
        Arrow("periksa", END, "Salah alamat"),
        Arrow("disposisi", "ulang"),
        Arrow("ulang", "terima", "Ulangi"),
    ]


def test_the_picture_is_a_png_as_wide_as_a_phone_can_zoom_and_grows_with_its_rows() -> None:
    pictures = [draw_flowchart(surat_keluar(rows)) for rows in (2, 4, 8)]
    sizes = [png_size(picture) for picture in pictures]
    for picture, (width, height) in zip(pictures, sizes, strict=True):
        assert picture.startswith(PNG_SIGNATURE)
        pixels = image.imread(io.BytesIO(picture), format="png")
        assert pixels.shape[:2] == (height, width)
        assert MIN_WIDTH <= width <= MAX_WIDTH
    heights = [height for _, height in sizes]
    assert heights[0] < heights[1] < heights[2]
    assert heights[2] - heights[1] >= 4 * 100  # a symbol's height for every row at least


def test_a_long_activity_is_cut_and_many_positions_still_fit() -> None:
    """The Aktivitas cell holds at most a few lines ("…" after them), and ten pelaksana
    columns narrow rather than widen the picture past what a phone can show."""
    sentence = "Memeriksa kelengkapan berkas surat keluar beserta lampirannya. "
    _, some = png_size(draw_flowchart(surat_keluar(activity=sentence * 12)))
    _, very = png_size(draw_flowchart(surat_keluar(activity=sentence * 60)))
    assert some == very
    width, _ = png_size(draw_flowchart(surat_keluar(positions=8)))
    assert width <= MAX_WIDTH
