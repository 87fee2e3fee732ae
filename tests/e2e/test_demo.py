"""`make demo` (bot.demo) plays the whole SOP in-process, and says clearly when it cannot."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest

from bot import demo


async def test_the_demo_takes_the_draft_to_the_signature() -> None:
    out = io.StringIO()

    assert await demo.run(out) == 0

    text = out.getvalue()
    for moment in (
        "── Rina (Kasubbag. Renja & Monev) mengetik: /renja_baru Renja BAPPEDA Tahun 2027",
        "📱 Budi menerima berkas 📎 konsep-v1.pdf",
        "[tombol: ✅ Setujui | ↩️ Kembalikan]",
        "⏰ Pengingat: sisa waktu 12 menit kerja.",
        "⏰ Batas waktu sudah tiba",
        "📱 Eka menerima:\n   │ 📋 Renja BAPPEDA Tahun 2027 (#1, tahun 2027)\n"
        "   │ Langkah 1: Telaah Konsep pendahuluan Renja\n   │ 🔺 Eskalasi: batas waktu",
        "Budi mengembalikan: “Tambahkan rujukan RENSTRA 2025-2029”",
        "📱 Gita menerima berkas 📎 undangan-forum.pdf",
        "[tombol: Hasil Kesepakatan | Draft Rancangan awal Renja]",
        "Eka mengembalikan: “Lengkapi indikator kinerja per program”",
        "👆 Eka (Kepala Badan) menekan ✅ Setujui & tandatangani",
        "✍️ Disetujui & ditandatangani oleh Eka",
        "Selesai: draft ditandatangani oleh Eka (Kepala Badan).",
    ):
        assert moment in text, moment
    # Every edit is shown once, and the story never shows a stale message twice.
    assert text.count("✍️ Disetujui & ditandatangani oleh Eka") == 1


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
