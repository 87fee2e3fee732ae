"""`make demo` (bot.demo) plays the whole SOP in-process, and says clearly when it cannot."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import demo
from bot.cli import main
from tests import pg

pytestmark = pytest.mark.xdist_group("demo")  # the demo is played once for the module


@dataclass(frozen=True)
class Played:
    """What the demo printed, and the folder it kept (its database and files)."""

    text: str
    folder: Path


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Played:
    """`python -m bot.demo --keep FOLDER`, played once for the module's tests."""
    folder = tmp_path_factory.mktemp("demo") / "kantor"
    out = io.StringIO()
    assert demo.main(["--keep", str(folder)], out=out) == 0
    return Played(out.getvalue(), folder)


def test_the_demo_takes_the_draft_to_the_signature(played: Played) -> None:
    text = played.text
    for moment in (
        # /baru: Rina holds the first step of the Renja and of the demo's own SOP.
        "── Rina (Kasubbag. Renja & Monev) mengetik: /baru",
        "📱 Rina menerima:\n   │ Draft SOP mana yang akan dimulai? Pilih di bawah.\n"
        "   [tombol: LAPORAN MONEV TRIWULAN (CONTOH DEMO) | MENYUSUN RENCANA KERJA]",
        "👆 Rina (Kasubbag. Renja & Monev) menekan MENYUSUN RENCANA KERJA",
        "Tulis judul draft, misalnya: Renja BAPPEDA Tahun 2027.",
        "── Rina (Kasubbag. Renja & Monev) mengetik: Renja BAPPEDA Tahun 2027",
        "📋 Draft Renja BAPPEDA Tahun 2027 dibuat (#1).",
        "📱 Budi menerima berkas 📎 konsep-v1.pdf",
        "[tombol: ✅ Setujui | ↩️ Kembalikan]",
        "⏰ Pengingat: sisa waktu 12 menit kerja.",
        "⏰ Batas waktu sudah tiba",
        "📱 Eka menerima:\n   │ 📋 Renja BAPPEDA Tahun 2027 (#1, tahun 2027)\n"
        "   │ Langkah 1: Telaah Konsep pendahuluan Renja\n   │ 🔺 Eskalasi: batas waktu",
        "Budi mengembalikan: “Tambahkan rujukan RENSTRA 2025-2029”",
        # The Forum SKPD meeting: a group, the scheduling, invitations, answers, a reminder.
        "── Rina (Kasubbag. Renja & Monev) mengetik di Grup “Forum SKPD Kalbar”: /forum_grup",
        "✅ Grup “Forum SKPD Kalbar” terdaftar sebagai grup Forum SKPD.",
        "── Rina (Kasubbag. Renja & Monev) mengetik: besok 09:00",
        "👆 Rina (Kasubbag. Renja & Monev) menekan ✅ Kirim undangan",
        "✅ Undangan dikirim kepada 2 peserta",
        "📱 Fajar menerima:\n   │ 📨 Undangan Rapat\n   │ Rapat Forum SKPD",
        "[tombol: ✅ Hadir | ❌ Tidak hadir | 👥 Diwakilkan]",
        "📱 Gita menerima berkas 📎 undangan-forum.pdf",
        "📱 Gita menerima berkas 📎 undangan-rapat-",
        "👆 Fajar (Forum SKPD, Dinas PU) menekan ✅ Hadir",
        "Jawaban Bapak/Ibu: ✅ Hadir. Dapat diubah sampai rapat dimulai.",
        "Tercatat: 👥 Diwakilkan: Hendra Wijaya, Sekretaris Dinas Pendidikan.",
        "✏️  Grup “Forum SKPD Kalbar”: pesan diubah:\n   │ [isi lain tetap: 📨 Undangan Rapat]\n"
        "   │ Kehadiran: ✅ Hadir 1 · 👥 Diwakilkan 1 · ❌ Tidak hadir 0 · ⏳ Belum menjawab 0 "
        "(dari 2)",
        "📱 Gita menerima:\n   │ ⏰ Pengingat rapat — dimulai satu jam lagi",
        "Jawaban Bapak/Ibu: 👥 Diwakilkan: Hendra Wijaya, Sekretaris Dinas Pendidikan.",
        "👥 Grup “Forum SKPD Kalbar” menerima berkas 📎 kesepakatan.pdf",
        "Gita tercatat dalam daftar hadir: “diwakilkan: Hendra Wijaya, Sekretaris Dinas "
        "Pendidikan”",
        "[tombol: Hasil Kesepakatan | Draft Rancangan awal Renja]",
        "Eka mengembalikan: “Lengkapi indikator kinerja per program”",
        "👆 Eka (Kepala Badan) menekan ✅ Setujui & tandatangani",
        "✍️ Disetujui & ditandatangani oleh Eka",
        "Selesai: draft ditandatangani oleh Eka (Kepala Badan).",
        # Signed: the Kasubbag gets its time row by row, against the SOP's 230 minutes.
        "📱 Rina menerima:\n   │ ⏱ Ringkasan waktu Renja BAPPEDA Tahun 2027 (#1)",
        "menit kerja dari mutu baku 230 menit",
        # It ends with /laporan: the text, the chart and the workbook, read back.
        "═══ Laporan kinerja: Kepala Badan meminta /laporan",
        "── Eka (Kepala Badan) mengetik: /laporan renja 20",
        "📱 Eka menerima:\n   │ 📊 Laporan kinerja — SOP MENYUSUN RENCANA KERJA",
        "   │ Draft: 1 (1 selesai, 0 berjalan)",
        "📱 Eka menerima berkas 📎 laporan-menyusun-rencana-kerja-20",
        "📒 Eka (Kepala Badan) membuka lembar kerja laporan, lembar Ringkasan",
        "lembar Ringkasan:\n   │ Langkah  Jumlah  Median  P90  Mutu baku  Persen tepat waktu",
    ):
        assert moment in text, moment
    assert "/renja_baru" not in text
    # Every edit is shown once, and the story never shows a stale message twice.
    assert text.count("✍️ Disetujui & ditandatangani oleh Eka") == 1
    assert text.count("⏳ Belum menjawab 1 (dari 2)") == 1
    # The chart is a file received, with its size; the workbook's Ringkasan has five rows.
    assert re.search(r"📎 laporan-menyusun-rencana-kerja-\d{4}\.png \(\d+ KB\)", text)
    summary = text.split("lembar Ringkasan:\n", 1)[1].splitlines()[1:6]
    assert [line.split()[1] for line in summary] == ["1", "2", "3", "4", "5"]
    assert all(line.endswith("%") for line in summary)
    assert text.index("Selesai: draft ditandatangani") < text.index("mengetik: /laporan")
    # The meeting is held after the reminder, on the day the demo's clock moved to.
    assert text.index("⏰ Pengingat rapat") < text.index("mengirim berkas draft-rancangan.pdf")


@dataclass(frozen=True)
class Stuck:
    """A step whose answer never comes."""

    def describe(self, office: demo.Demo) -> str:
        return "── Rina menunggu jawaban"

    async def run(self, office: demo.Demo) -> demo.Phone | None:
        raise TimeoutError("Rina tidak menerima pesan berisi 'Langkah 1'")


async def test_a_failed_step_exits_non_zero_and_says_which(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = io.StringIO()
    steps: list[demo.Step] = [demo.Type("rina", "/start", expect="Selamat datang"), Stuck()]

    assert await demo.run(out, steps) == 1

    assert "📱 Rina menerima:" in out.getvalue()
    assert "Selesai" not in out.getvalue()
    error = capsys.readouterr().err
    assert "❌ Demo gagal pada tahap 2 dari 2 (── Rina menunggu jawaban): TimeoutError" in error
    assert "Rina tidak menerima pesan berisi 'Langkah 1'" in error


def test_keep_names_a_new_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        demo.main(["--keep", str(tmp_path)])
    assert exited.value.code == 2
    assert "sudah ada: sebutkan folder baru" in capsys.readouterr().err


@pytest.mark.pg
def test_the_demos_database_moves_to_postgresql_with_equal_counts_and_sound_chains(
    played: Played,
    postgres: pg.PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What the README shows: the demo's office copied with `db copy`, then `audit verify`
    on the copy."""
    database = played.folder / "renja.db"
    assert f"Basis data demo disimpan: sqlite:///{database}" in played.text
    name = postgres.new_database(migrated=False)
    target = postgres.url(name)
    monkeypatch.chdir(played.folder)  # no stray .env is read

    assert main(["db", "copy", "--from", f"sqlite:///{database}", "--to", target]) == 0
    copied = capsys.readouterr().out
    assert "BEDA" not in copied and "baris disalin, cocok." in copied
    counts = {}
    for table in ("draft", "auditentry", "documentversion", "outbox", "meeting"):
        line = next(line for line in copied.splitlines() if line.startswith(f"{table} "))
        source, target_rows = line.split()[1:3]
        assert source == target_rows and int(source) > 0, line
        counts[table] = int(source)

    monkeypatch.setenv("DATABASE_URL", target)
    monkeypatch.setenv("FILES_DIR", str(played.folder / "files"))
    assert main(["audit", "verify"]) == 0
    verified = capsys.readouterr().out
    entries = f"{counts['draft']} draft, {counts['auditentry']} entri, setiap rantai bersambung"
    assert f"Jejak audit utuh: {entries}" in verified, verified
    files = f"Arsip berkas utuh: {counts['documentversion']} berkas cocok"
    assert files in verified, verified
    postgres.drop_database(name)
