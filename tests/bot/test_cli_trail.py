"""`renja-bot audit verify`, `draft export`, `db backup` and `db restore`, run in-process as the
administrator would run them, on a database with a draft and its archived files."""

from __future__ import annotations

import csv
import hashlib
import io
import sqlite3
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from bot.cli import main
from bot.sample_office import register_officials
from bot.usecases.base import Services
from storage import audit as audit_store
from storage.backup import bot_lock
from storage.db import make_engine, upgrade
from tests.conftest import MAX_UPLOAD_BYTES, FakeClock
from tests.storage.test_audit import konsep_returned, tamper
from workflow.calendar import OfficeCalendar
from workflow.sop import Sop

V1 = hashlib.sha256(b"%PDF-1.4 konsep v1").hexdigest()
V2 = hashlib.sha256(b"%PDF-1.4 konsep v2").hexdigest()


@pytest.fixture
def office(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sops: dict[str, Sop], clock: FakeClock
) -> Iterator[Services]:
    """DATABASE_URL and FILES_DIR set for the command line; a draft with six entries and two
    versions of its konsep in them."""
    url = f"sqlite:///{tmp_path / 'data' / 'renja.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("FILES_DIR", str(tmp_path / "data" / "files"))
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    upgrade(url)
    services = Services(
        engine=make_engine(url),
        sops=sops,
        calendar=OfficeCalendar.default(),
        clock=clock,
        files_dir=tmp_path / "data" / "files",
        max_upload_bytes=MAX_UPLOAD_BYTES,
    )
    register_officials(services)
    konsep_returned(services, clock)
    yield services
    services.engine.dispose()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def head(services: Services) -> str:
    with Session(services.engine) as session:
        found = audit_store.chain_head(session, draft_id=1)
    assert found is not None
    return found


# audit verify -------------------------------------------------------------------------------


def test_verify_an_untouched_database(
    office: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0
    assert out.splitlines() == [
        "Jejak audit utuh: 1 draft, 6 entri, setiap rantai bersambung.",
        "Arsip berkas utuh: 2 berkas cocok dengan SHA-256 tercatat.",
    ]


def test_verify_names_an_edited_entry(
    office: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(office, "UPDATE auditentry SET note = 'Sudah sesuai' WHERE id = 4")
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 1
    first, verdict = out.splitlines()
    assert first.startswith("Draft #1, entri #4: isi entri diubah (hash tercatat ")
    assert verdict == (
        "TIDAK UTUH: 1 rantai jejak rusak, 0 berkas tidak cocok "
        "(diperiksa 1 draft, 6 entri, 2 berkas)."
    )


def test_verify_names_a_deleted_entry(
    office: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(office, "DELETE FROM auditentry WHERE id = 3")
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 1
    assert out.splitlines()[0].startswith(
        "Draft #1, entri #4: rantai putus setelah entri #2 — ada entri yang dihapus atau "
        "disisipkan (entri ini menyambung ke "
    )


def test_verify_names_a_deleted_last_entry(
    office: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(office, "DELETE FROM auditentry WHERE id = 6")
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 1
    assert out.splitlines()[0].startswith(
        "Draft #1: rantai putus di ujung, setelah entri #5 — entri terakhir dihapus "
        f"(kepala rantai tercatat {head(office)[:16]}…"
    )


def test_verify_names_a_changed_file(office: Services, capsys: pytest.CaptureFixture[str]) -> None:
    changed = hashlib.sha256(b"lain").hexdigest()
    (office.files_dir / "1" / f"{V2}.pdf").write_bytes(b"lain")
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 1
    assert out.splitlines() == [
        f"Draft #1, berkas versi #2 (konsep_pendahuluan v2, “konsep-v2.pdf”, 1/{V2}.pdf): "
        f"isi berkas berubah (SHA-256 tercatat {V2[:16]}…, berkas sekarang {changed[:16]}…).",
        "TIDAK UTUH: 0 rantai jejak rusak, 1 berkas tidak cocok "
        "(diperiksa 1 draft, 6 entri, 2 berkas).",
    ]


def test_verify_names_a_missing_file(office: Services, capsys: pytest.CaptureFixture[str]) -> None:
    (office.files_dir / "1" / f"{V1}.pdf").unlink()
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 1
    assert out.splitlines()[0] == (
        f"Draft #1, berkas versi #1 (konsep_pendahuluan v1, “konsep-v1.pdf”, 1/{V1}.pdf): "
        "berkas hilang dari arsip."
    )


def test_verify_refuses_a_database_not_brought_up_to_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'kosong' / 'renja.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "audit", "verify")
    assert code == 1
    assert err.strip() == (
        f"Galat: Basis data {url} belum ada atau belum diperbarui. Jalankan dulu: "
        "renja-bot db upgrade"
    )
    assert not (tmp_path / "kosong" / "renja.db").exists()  # asking created nothing


# draft export -------------------------------------------------------------------------------


def test_export_writes_the_dossier_with_a_matching_manifest(
    office: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "dosir-1.zip"
    code, out, _ = run(capsys, "draft", "export", "1", str(target))
    assert code == 0
    assert out.splitlines() == [
        f"Dosir draft #1 tersimpan: {target} — 6 entri jejak, 2 versi dokumen, 4 berkas dalam "
        "ZIP (SHA-256 masing-masing di MANIFEST.sha256).",
        f"Rantai jejak: {head(office)}",
    ]
    with zipfile.ZipFile(target) as dossier:
        names = dossier.namelist()
        manifest = dossier.read("MANIFEST.sha256").decode()
        contents = {name: dossier.read(name) for name in names}
    assert sorted(names) == [
        "MANIFEST.sha256",
        "dokumen/konsep_pendahuluan/v1-konsep-v1.pdf",
        "dokumen/konsep_pendahuluan/v2-konsep-v2.pdf",
        "jejak.csv",
        "jejak.html",
    ]
    listed = {}
    for line in manifest.splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert listed == {
        name: hashlib.sha256(data).hexdigest()
        for name, data in contents.items()
        if name != "MANIFEST.sha256"
    }
    assert contents["dokumen/konsep_pendahuluan/v2-konsep-v2.pdf"] == b"%PDF-1.4 konsep v2"

    rows = list(csv.DictReader(io.StringIO(contents["jejak.csv"].decode("utf-8-sig"))))
    assert [row["aksi"] for row in rows] == [
        "dibuat",
        "unggah",
        "kirim",
        "kembalikan",
        "unggah",
        "kirim",
    ]
    assert rows[3]["pelaku"] == "Budi Sekretaris" and rows[3]["catatan"] == "Tambahkan RENSTRA"
    assert rows[4]["berkas_di_zip"] == "dokumen/konsep_pendahuluan/v2-konsep-v2.pdf"
    assert rows[4]["sha256_berkas"] == V2
    assert rows[0]["prev_hash"] == "0" * 64 and rows[-1]["entry_hash"] == head(office)
    assert rows[0]["waktu_utc"] == "2026-11-30T01:00:00+00:00"
    assert rows[0]["waktu"] == "Senin, 30 November 2026 08:00 WIB"

    page = contents["jejak.html"].decode()
    assert "<h1>Dosir Renja 2027 (#1)</h1>" in page
    assert f"<code>{head(office)}</code>" in page
    assert "utuh: setiap entri cocok dengan hash-nya" in page
    assert 'href="dokumen/konsep_pendahuluan/v1-konsep-v1.pdf"' in page
    assert "mengembalikan" in page and "Tambahkan RENSTRA" in page


def test_export_says_what_is_missing_or_broken(
    office: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (office.files_dir / "1" / f"{V1}.pdf").unlink()
    tamper(office, "UPDATE auditentry SET note = 'x' WHERE id = 2")
    target = tmp_path / "dosir.zip"
    code, out, _ = run(capsys, "draft", "export", "1", str(target))
    assert code == 0
    lines = out.splitlines()
    assert lines[2].startswith("PERINGATAN: Draft #1, entri #2: isi entri diubah")
    assert lines[3].startswith("PERINGATAN: Draft #1, berkas versi #1 ")
    assert lines[3].endswith("berkas hilang dari arsip.")
    with zipfile.ZipFile(target) as dossier:
        assert "dokumen/konsep_pendahuluan/v1-konsep-v1.pdf" not in dossier.namelist()
        page = dossier.read("jejak.html").decode()
    assert "(tidak ada di arsip)" in page and "isi entri diubah" in page


def test_export_refuses_an_unknown_draft_a_wrong_name_and_an_existing_file(
    office: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "draft", "export", "7", str(tmp_path / "dosir.zip"))
    assert code == 1
    assert (
        err.strip() == "Galat: Draft #7 tidak ada. Lihat daftar draft dengan /status di Telegram."
    )
    code, _, err = run(capsys, "draft", "export", "1", str(tmp_path / "dosir.tar"))
    assert code == 1
    assert err.strip() == f"Galat: Nama berkas dosir harus berakhiran .zip: {tmp_path}/dosir.tar"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # nothing written
    (tmp_path / "ada.zip").write_bytes(b"lama")
    code, _, err = run(capsys, "draft", "export", "1", str(tmp_path / "ada.zip"))
    assert code == 1
    assert "ada.zip sudah ada: pilih nama lain, atau tambahkan --force." in err
    assert (tmp_path / "ada.zip").read_bytes() == b"lama"


# db backup and db restore -------------------------------------------------------------------


def test_backup_and_restore_into_a_scratch_place(
    office: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "cadangan" / "renja-2026-11-30.tar.gz"
    code, out, _ = run(capsys, "db", "backup", str(target))
    assert code == 0
    assert out.startswith(f"Cadangan tersimpan: {target} (")
    assert "dan 2 berkas arsip, dengan MANIFEST.sha256." in out
    with tarfile.open(target) as backup:
        names = backup.getnames()
        manifest = backup.extractfile("MANIFEST.sha256").read().decode()  # type: ignore[union-attr]
        assert sorted(names) == [
            "MANIFEST.sha256",
            f"berkas/1/{V1}.pdf",
            f"berkas/1/{V2}.pdf",
            "renja.db",
        ]
        for line in manifest.splitlines():
            digest, name = line.split("  ", 1)
            data = backup.extractfile(name).read()  # type: ignore[union-attr]
            assert hashlib.sha256(data).hexdigest() == digest

    scratch = tmp_path / "cek"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{scratch / 'renja.db'}")
    monkeypatch.setenv("FILES_DIR", str(scratch / "files"))
    assert run(capsys, "db", "upgrade")[0] == 0  # a database without data is no obstacle
    code, out, _ = run(capsys, "db", "restore", str(target))
    assert code == 0
    assert out.splitlines() == [
        f"Cadangan dipulihkan ke {scratch / 'renja.db'}: 2 berkas arsip ditulis, 0 sudah ada "
        "dan sama.",
        "Selanjutnya: renja-bot db upgrade, lalu renja-bot audit verify.",
    ]
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0, out
    assert out.startswith("Jejak audit utuh: 1 draft, 6 entri")
    assert (scratch / "files" / "1" / f"{V2}.pdf").read_bytes() == b"%PDF-1.4 konsep v2"


def test_backup_refuses_postgresql_and_points_to_pg_dump(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://renja@127.0.0.1/renja"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    for command in ("backup", "restore"):
        code, _, err = run(capsys, "db", command, str(tmp_path / "cadangan.tar"))
        assert code == 1
        assert err.strip() == (
            f"Galat: DATABASE_URL bukan berkas SQLite ({url}). Untuk PostgreSQL gunakan pg_dump "
            "(cadangan) dan pg_restore (pemulihan), dan salin folder FILES_DIR bersama "
            "cadangannya."
        )
    assert list(tmp_path.iterdir()) == []


def test_backup_refuses_a_wrong_name_and_an_existing_file(
    office: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "db", "backup", str(tmp_path / "cadangan.zip"))
    assert code == 1
    assert err.strip() == (
        f"Galat: Nama berkas cadangan harus berakhiran .tar, .tar.gz, atau .tgz: "
        f"{tmp_path}/cadangan.zip"
    )
    (tmp_path / "ada.tar").write_bytes(b"lama")
    code, _, err = run(capsys, "db", "backup", str(tmp_path / "ada.tar"))
    assert code == 1
    assert "ada.tar sudah ada: pilih nama lain, atau tambahkan --force." in err
    assert (tmp_path / "ada.tar").read_bytes() == b"lama"
    code, _, _ = run(capsys, "db", "backup", "--force", str(tmp_path / "ada.tar"))
    assert code == 0 and tarfile.is_tarfile(tmp_path / "ada.tar")


def test_restore_refuses_while_a_bot_runs(
    office: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "cadangan.tar"
    assert run(capsys, "db", "backup", str(target))[0] == 0
    tamper(office, "UPDATE draft SET title = 'Sesudah cadangan'")
    database = tmp_path / "data" / "renja.db"
    with bot_lock(f"sqlite:///{database}"):  # what `renja-bot run` holds
        code, _, err = run(capsys, "db", "restore", "--force", str(target))
    assert code == 1
    assert err.strip().startswith("Galat: Bot sedang berjalan pada basis data ini (PID ")
    assert err.strip().endswith(
        f"kunci {database}.lock sedang dipegang. Hentikan bot dulu (mis. systemctl stop "
        "renja-bot), lalu ulangi. Tidak ada yang diubah."
    )
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT title FROM draft").fetchone() == ("Sesudah cadangan",)
    # Once the bot has stopped, the restore goes ahead (over data: only with --force).
    code, _, err = run(capsys, "db", "restore", str(target))
    assert code == 1
    assert err.strip() == (
        f"Galat: Basis data {database} sudah berisi data. Pulihkan ke lokasi lain (atur "
        "DATABASE_URL dan FILES_DIR), atau tambahkan --force untuk menimpanya."
    )
    code, _, _ = run(capsys, "db", "restore", "--force", str(target))
    assert code == 0
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT title FROM draft").fetchone() == ("Renja 2027",)


def test_a_second_bot_refuses_to_run_on_the_same_database(
    office: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:token-yang-bukan-contoh")
    database = tmp_path / "data" / "renja.db"
    with bot_lock(f"sqlite:///{database}"):
        code, _, err = run(capsys, "run")
    assert code == 1
    assert "Galat: Bot lain atau pemulihan cadangan sedang berjalan pada basis data ini" in err
    assert "Bot tidak dijalankan dua kali." in err


def test_restore_refuses_a_damaged_backup_and_changes_nothing(
    office: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    good = tmp_path / "cadangan.tar"
    assert run(capsys, "db", "backup", str(good))[0] == 0
    damaged = tmp_path / "rusak.tar"
    with tarfile.open(good) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.endswith(f"{V2}.pdf"):
                data = b"%PDF-1.4 diganti"
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    not_a_backup = tmp_path / "bukan.tar"
    not_a_backup.write_bytes(b"ini bukan tar")
    scratch = tmp_path / "cek"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{scratch / 'renja.db'}")
    monkeypatch.setenv("FILES_DIR", str(scratch / "files"))
    code, _, err = run(capsys, "db", "restore", str(damaged))
    assert code == 1
    assert err.strip() == (
        f"Galat: Isi “berkas/1/{V2}.pdf” di {damaged} tidak cocok dengan SHA-256 di "
        "manifesnya: cadangan rusak."
    )
    code, _, err = run(capsys, "db", "restore", str(not_a_backup))
    assert code == 1
    assert (
        err.strip()
        == f"Galat: {not_a_backup} bukan berkas cadangan Renja Bot (tar) yang dapat dibaca."
    )
    assert not (scratch / "files").exists()
    assert not (scratch / "renja.db").exists() or (scratch / "renja.db").stat().st_size == 0
