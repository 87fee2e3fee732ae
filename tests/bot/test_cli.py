"""The administrator's command line, run in-process as `renja-bot ...` would run it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from matplotlib import image
from openpyxl import load_workbook

from bot.cli import main
from bot.usecases.base import Services
from storage.db import make_engine, upgrade
from tests.bot.usecases.renja_year import play_year
from tests.conftest import (
    FakeClock,
    office_organisation,
    shapes_organisation,
    shapes_organisation_data,
)
from workflow.calendar import OfficeCalendar
from workflow.sop import load_sop, load_sops

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'data' / 'renja.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_db_upgrade_creates_the_database_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0
    assert "Basis data siap" in out
    assert (tmp_path / "data" / "renja.db").exists()


def test_sop_show_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sop", "show", "menyusun-rencana-kerja")
    assert code == 0
    assert out.startswith("MENYUSUN RENCANA KERJA")
    assert "P1 = Kasubbag. Rencana Kerja dan Monev" in out
    for minutes in ("60 menit", "120 menit", "30 menit", "10 menit"):
        assert minutes in out
    assert "Jumlah waktu 230 menit" in out
    assert "Peraturan Gubernur Nomor 10 Tahun 2010" in out


def test_sop_show_unknown_id(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "sop", "show", "cuti")
    assert code == 1
    assert "SOP 'cuti' tidak ada" in err


SOP_FILES = sorted([*(ROOT / "sops").glob("*.yaml"), *(ROOT / "tests" / "data").glob("*.yaml")])


@pytest.mark.parametrize("source", SOP_FILES, ids=[path.stem for path in SOP_FILES])
def test_sop_gambar_draws_every_sop_as_a_png(
    source: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "sops"
    folder.mkdir()
    (folder / source.name).write_bytes(source.read_bytes())
    organisation = tmp_path / "organisasi.yaml"
    organisation.write_text(yaml.safe_dump(shapes_organisation_data()), encoding="utf-8")
    monkeypatch.setenv("SOPS_DIR", str(folder))
    monkeypatch.setenv("ORGANIZATION_FILE", str(organisation))
    sop = load_sop(source, organisation=shapes_organisation())
    target = tmp_path / f"{sop.id}.png"
    code, out, _ = run(capsys, "sop", "gambar", sop.id, str(target))
    assert code == 0
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    height, width = image.imread(target).shape[:2]
    assert f"Bagan alir SOP '{sop.id}' tersimpan: {target} ({width}×{height} piksel)." in out
    assert 1600 <= width <= 2400
    assert height >= 400 + 150 * len(sop.langkah)  # the header, and a symbol a row at least


def test_sop_gambar_refuses_an_unknown_id_or_a_name_without_png(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "sop", "gambar", "cuti", str(tmp_path / "cuti.png"))
    assert code == 1
    assert err.strip() == "Galat: SOP 'cuti' tidak ada. Pilihan: menyusun-rencana-kerja."
    code, _, err = run(capsys, "sop", "gambar", "menyusun-rencana-kerja", "renja.jpg")
    assert code == 1
    assert "harus berakhiran .png" in err
    assert not (tmp_path / "cuti.png").exists() and not (tmp_path / "renja.jpg").exists()


def test_sop_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sop", "check", str(ROOT / "sops" / "menyusun-rencana-kerja.yaml"))
    assert code == 0
    assert "valid — 5 langkah, 10 tugas, 230 menit" in out
    bad = tmp_path / "rusak.yaml"
    bad.write_text(
        (ROOT / "tests" / "data" / "sop-surat-keluar.yaml")
        .read_text(encoding="utf-8")
        .replace("oleh: kasubbag_umum", "oleh: direktur"),
        encoding="utf-8",
    )
    code, _, err = run(capsys, "sop", "check", str(bad))
    assert code == 1
    assert "rusak.yaml: SOP tidak valid" in err
    assert "jabatan 'direktur' tidak dikenal" in err


def test_user_add_and_list(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "db", "upgrade")
    code, out, _ = run(
        capsys,
        "user",
        "add",
        "--telegram-id",
        "101",
        "--name",
        "Rina",
        "--position",
        "kasubbag_renja",
    )
    assert (code, out.strip()) == (0, "Terdaftar: Rina (101) sebagai Kasubbag. Renja & Monev.")
    code, out, _ = run(
        capsys,
        "user",
        "add",
        "--telegram-id",
        "103",
        "--name",
        "Citra",
        "--position",
        "kepala_bidang",
        "--unit",
        "Bidang Ekonomi",
    )
    assert code == 0
    code, out, _ = run(capsys, "user", "list")
    assert code == 0
    assert "Rina" in out and "Kasubbag. Renja & Monev" in out
    assert "Kepala Bidang (Bidang Ekonomi)" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--position", "direktur"], "Jabatan 'direktur' tidak dikenal"),
        (["--position", "kepala_bidang"], "dipegang per unit: sebutkan unitnya"),
        (["--position", "sekretaris", "--name", "  "], "Nama pejabat wajib diisi"),
    ],
)
def test_user_add_refusals_change_nothing(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    run(capsys, "db", "upgrade")
    base = ["user", "add", "--telegram-id", "200", "--name", "Seseorang"]
    code, _, err = run(capsys, *base, *argv)
    assert code == 1
    assert message in err
    _, out, _ = run(capsys, "user", "list")
    assert "Belum ada pejabat terdaftar" in out


def test_run_refuses_a_missing_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "ganti-dengan-token-bot")
    code, _, err = run(capsys, "run")
    assert code == 1
    assert "TELEGRAM_BOT_TOKEN belum diisi" in err


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"WEBHOOK_SECRET_TOKEN": ""}, "WEBHOOK_SECRET_TOKEN belum diisi atau masih contoh"),
        ({"WEBHOOK_SECRET_TOKEN": "ganti-dengan-rahasia-acak"}, "masih contoh"),
        ({"WEBHOOK_SECRET_TOKEN": "rahasia+kita/123456789="}, "hanya boleh berisi huruf"),
        ({"WEBHOOK_SECRET_TOKEN": "a" * 257}, "paling banyak 256 karakter"),
        ({"WEBHOOK_SECRET_TOKEN": "pendek"}, "terlalu pendek (6 karakter"),
        ({"WEBHOOK_URL": ""}, "WEBHOOK_URL belum diisi"),
        ({"WEBHOOK_URL": "renja.example.go.id/telegram"}, "WEBHOOK_URL belum diisi"),
        ({"WEBHOOK_HEALTH_PATH": "/telegram"}, "harus berbeda"),
        # Telegram's own Bot API posts to HTTPS only, on ports 443, 80, 88 and 8443.
        ({"WEBHOOK_URL": "http://renja.example.go.id/telegram"}, "tidak diterima Telegram"),
        ({"WEBHOOK_URL": "https://renja.example.go.id:8080/telegram"}, "di port 443, 80, 88"),
        ({"WEBHOOK_URL": "https://renja.example.go.id:99999/t"}, "tidak diterima Telegram"),
    ],
)
def test_run_webhook_refuses_what_cannot_work(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    variables: dict[str, str],
    message: str,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABC-contoh-yang-bukan-placeholder")
    monkeypatch.setenv("WEBHOOK_URL", "https://renja.example.go.id/telegram")
    monkeypatch.setenv("WEBHOOK_SECRET_TOKEN", "k" * 32)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    code, _, err = run(capsys, "run", "--webhook")
    assert code == 1
    assert message in err
    assert not (tmp_path / "data").exists()  # refused before the database was touched


def test_a_webhook_path_must_be_a_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from bot.config import Settings

    with pytest.raises(ValidationError, match="harus diawali '/'"):
        Settings(_env_file=None, webhook_path="telegram")
    settings = Settings(
        _env_file=None,
        webhook_url="https://renja.example.go.id/telegram",
        webhook_secret_token="Ab0_-" * 4,
    )
    config = settings.webhook()
    assert (config.listen_host, config.port, config.path, config.health_path) == (
        "127.0.0.1",
        8080,
        "/telegram",
        "/sehat",
    )


def test_an_acting_official_until_a_date(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "db", "upgrade")
    base = ["user", "add", "--telegram-id", "300", "--name", "Hadi", "--position", "kepala_badan"]
    code, out, _ = run(capsys, *base, "--acting", "Plh.", "--until", "2099-12-31")
    assert (code, out.strip()) == (
        0,
        "Terdaftar: Hadi (300) sebagai Plh. Kepala Badan sampai 31-12-2099.",
    )
    _, out, _ = run(capsys, "user", "list")
    assert "Plh. Kepala Badan" in out
    code, _, err = run(capsys, *base, "--telegram-id", "301", "--until", "2020-01-01")
    assert code == 1
    assert "Tanggal --until 01-01-2020 sudah lewat." in err


def test_outbox_list_shows_what_failed_and_retry_sends_it_again(
    environment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime

    from sqlmodel import Session

    from storage import outbox as outbox_store
    from storage.db import make_engine

    run(capsys, "db", "upgrade")
    run(
        capsys,
        "user",
        "add",
        "--telegram-id",
        "101",
        "--name",
        "Rina",
        "--position",
        "sekretaris",
        "--unit",
        "Sekretariat",
    )
    engine = make_engine(environment)
    with Session(engine) as session:
        row = outbox_store.enqueue(
            session,
            chat_id=101,
            kind=outbox_store.MESSAGE,
            payload={"text": "x"},
            now=datetime.now(UTC),
            official_id=1,
        )
        row.status = outbox_store.FAILED
        row.last_error = "Forbidden: bot was blocked by the user"
        session.add(row)
        session.commit()
        row_id = row.id

    code, out, _ = run(capsys, "outbox", "list")
    assert code == 0
    assert "Menunggu: 0, gagal: 1, terkirim: 0." in out
    assert "Rina" in out and "bot was blocked by the user" in out

    code, out, _ = run(capsys, "outbox", "retry", str(row_id))
    assert code == 0 and f"Pesan #{row_id} akan dikirim ulang" in out
    code, out, _ = run(capsys, "outbox", "list")
    assert "Menunggu: 1, gagal: 0" in out

    code, _, err = run(capsys, "outbox", "retry", str(row_id))  # it is waiting, not failed
    assert code == 1 and "tidak berstatus gagal" in err


def test_sop_import_writes_a_draft_whose_questions_check_lists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = ROOT / "tests" / "data" / "sop-renja-seed.txt"
    draft = tmp_path / "renja.yaml"
    code, out, _ = run(capsys, "sop", "import", str(seed), "-o", str(draft))
    assert code == 0
    assert f"Draf SOP ditulis ke {draft}: 5 langkah, 5 pelaksana, 15 pertanyaan" in out
    assert f"renja-bot sop check {draft}" in out
    assert 'pelaksana: ["?"]' in draft.read_text(encoding="utf-8")

    code, _, err = run(capsys, "sop", "check", str(draft))
    assert code == 1
    assert f"{draft}: SOP belum lengkap, 15 pertanyaan belum dijawab" in err
    assert "  - belum diisi: langkah 2, pelaksana\n" in err
    assert "  - belum diisi: langkah 5, tugas 'langkah_5', jenis\n" in err

    draft.write_text("jangan ditimpa", encoding="utf-8")
    code, _, err = run(capsys, "sop", "import", str(seed), "-o", str(draft))
    assert code == 1
    assert "sudah ada" in err and "--force" in err
    assert draft.read_text(encoding="utf-8") == "jangan ditimpa"
    code, _, _ = run(capsys, "sop", "import", str(seed), "-o", str(draft), "--force")
    assert code == 0
    assert draft.read_text(encoding="utf-8").startswith("# Draf SOP format 2")


def test_sop_import_prints_the_draft_without_output_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "sop", "import", str(ROOT / "tests" / "data" / "sop-renja-seed.txt")
    )
    assert code == 0
    assert "id: menyusun-rencana-kerja" in out
    assert "jumlah_waktu: 230 menit" in out
    assert "5 langkah, 5 pelaksana, 15 pertanyaan belum dijawab" in err
    not_sop = tmp_path / "surat.txt"
    not_sop.write_text("\tJudul SOP\n\tCUTI PEGAWAI\n", encoding="utf-8")
    code, _, err = run(capsys, "sop", "import", str(not_sop))
    assert code == 1
    assert "surat.txt: tabel bagan alir tidak ditemukan" in err


def test_laporan_prints_the_summary_and_writes_the_chart_and_the_workbook(
    tmp_path: Path, environment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(environment)
    clock = FakeClock()
    services = Services(
        engine=make_engine(environment),
        sops=load_sops(ROOT / "sops", organisation=office_organisation()),
        calendar=OfficeCalendar.default(),
        clock=clock,
        files_dir=tmp_path / "files",
        max_upload_bytes=1024,
    )
    play_year(services, clock)
    chart, book = tmp_path / "laporan.png", tmp_path / "laporan.xlsx"

    code, out, _ = run(
        capsys,
        "laporan",
        "--sop",
        "renja",
        "--dari",
        "2026-01-01",
        "--sampai",
        "2026-06-30",
        "--xlsx",
        str(book),
        "--png",
        str(chart),
    )

    assert code == 0
    lines = out.splitlines()
    assert lines[:3] == [
        "📊 Laporan kinerja — SOP MENYUSUN RENCANA KERJA",
        "Periode: 1 Januari 2026 – 30 Juni 2026 (draft yang dimulai pada periode ini)",
        "Draft: 3 (3 selesai, 0 berjalan)",
    ]
    # Drafts 1 to 3: row 1 took 50, 70 and 60 minutes.
    assert "• L1 (60 menit): median 60 · p90 70 — 2 dari 3 tepat waktu (67%)" in lines
    assert "<b>" not in out and "Grafik (PNG) dan lembar kerja Excel menyusul" not in out
    assert lines[-2].startswith(f"Grafik: {chart} (") and lines[-1].startswith(
        f"Lembar kerja: {book} ("
    )
    assert image.imread(chart).shape[1] > 800
    workbook = load_workbook(book)
    assert workbook.sheetnames == ["Ringkasan", "Langkah", "Jejak"]
    assert workbook["Ringkasan"]["E2"].value == 3


def test_laporan_refusals(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "laporan", "--sop", "cuti")
    assert (code, err.strip()) == (
        1,
        "Galat: SOP 'cuti' tidak ada. Pilihan: menyusun-rencana-kerja.",
    )
    code, _, err = run(capsys, "laporan", "--dari", "2026-07-01", "--sampai", "2026-06-30")
    assert code == 1 and "--dari 2026-07-01 sesudah --sampai 2026-06-30" in err
    code, _, err = run(capsys, "laporan", "--xlsx", str(tmp_path / "laporan.csv"))
    assert code == 1 and "Nama berkas harus berakhiran .xlsx" in err
    with pytest.raises(SystemExit):
        main(["laporan", "--dari", "1 Januari"])
    assert "tanggal '1 Januari' tidak dapat dibaca: tulis YYYY-MM-DD" in capsys.readouterr().err
    upgrade_code, _, _ = run(capsys, "db", "upgrade")
    code, out, _ = run(capsys, "laporan", "--dari", "2001-01-01", "--sampai", "2001-12-31")
    assert (upgrade_code, code) == (0, 0)
    assert "Belum ada draft yang dimulai pada periode ini." in out
