"""A Plh. Sekretaris over HTTP: the Kepala Badan sets one with /plh and confirms; the open
review moves to the Plh. and back when the period ends; meanwhile new tasks, reminders and
escalations follow the Plh., whose approval the trail records as "Plh. Sekretaris"."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import select

from emulator import BotMessage, SimulatedUser
from storage.models import ActingPeriod, Assignment
from tests.e2e.conftest import ADMIN_ID, Office

PDF = "application/pdf"
RINA, BUDI, CITRA, EKA = 101, 102, 103, 105


async def ask(phone: SimulatedUser, text: str) -> BotMessage:
    await phone.send_text(text)
    (reply,) = await phone.wait_for_messages(1)
    return reply


def rows(office: Office) -> tuple[int, int]:
    """How many periods (proposals too) and assignments there are."""
    with office.services.session() as session:
        periods = session.exec(select(ActingPeriod)).all()
        assignments = session.exec(select(Assignment)).all()
    return len(periods), len(assignments)


async def konsep_sent(office: Office, title: str) -> None:
    """Rina starts a draft and sends its konsep: the Sekretaris's review opens."""
    kasubbag = office.phones[RINA]
    await kasubbag.send_text(f"/renja_baru {title}")
    await kasubbag.wait_for_messages(lambda m: "Langkah 1" in m.body)
    await kasubbag.send_document("konsep.pdf", f"%PDF-1.4 {title}".encode(), PDF)
    (*_, received) = await kasubbag.wait_for_messages(lambda m: m.body.startswith("✅ Diterima"))
    await kasubbag.press(received, "📤 Kirim")
    await kasubbag.wait_until(
        lambda ms: any(m.message_id == received.message_id and not m.buttons for m in ms)
    )


def review_of(title: str) -> Callable[[BotMessage], bool]:
    return lambda m: "Telaah Konsep" in m.body and title in m.body


async def test_a_plh_sekretaris_for_a_day(office: Office) -> None:
    budi, citra, eka = office.phones[BUDI], office.phones[CITRA], office.phones[EKA]
    stranger = await office.phone(801, "Tamu")
    admin = await office.phone(ADMIN_ID, "Admin")
    # Monday 30 November 2026, 08:00 WIB.
    await konsep_sent(office, "Renja 2027")
    (*_, budi_review) = await budi.wait_for_messages(lambda m: "Telaah Konsep" in m.body)
    await budi.wait_for_messages(1)  # the konsep

    assert "/plh" not in (await ask(office.phones[RINA], "/bantuan")).body
    assert "/plh <jabatan> <nama> <sampai>" in (await ask(eka, "/bantuan")).body

    # Every refusal says why, in Indonesian, and changes nothing.
    before = rows(office)
    refusals = {
        (RINA, "/plh sekretaris Citra 2026-11-30"): (
            "Hanya admin atau atasan Sekretaris (Kepala Badan) yang dapat menetapkan Plh. "
            "Sekretaris. Tidak ada yang berubah."
        ),
        (EKA, "/plh"): "Cara pakai: /plh <jabatan> <nama> <sampai>, misalnya",
        (EKA, "/plh bendahara Citra 2026-11-30"): "Jabatan tidak dikenal di “bendahara Citra”",
        (EKA, "/plh sekretaris Hadi 2026-11-30"): "Tidak ada pejabat terdaftar bernama “Hadi”",
        (EKA, "/plh sekretaris kabid 2026-11-30"): (
            "“kabid” cocok dengan beberapa pejabat: Citra Kabid Ekonomi, Dodi Kabid "
            "Infrastruktur. Tulis nama lengkapnya."
        ),
        (EKA, "/plh sekretaris Budi Sekretaris 2026-11-30"): (
            "Budi Sekretaris adalah pemegang jabatan Sekretaris itu sendiri"
        ),
        (EKA, "/plh sekretaris Citra 2026-11-27"): "Jumat, 27 November 2026 sudah lewat",
        (EKA, "/plh sekretaris Citra besok"): "Tanggal “besok” tidak dipahami.",
        (EKA, "/plt kabid Citra 2026-11-30"): "Kepala Bidang dipegang per unit: sebutkan",
        (CITRA, "/plt kabid ekonomi Rina 2026-11-30"): (
            "Hanya admin atau atasan Kepala Bidang (Sekretaris, Kepala Badan) yang dapat "
            "menetapkan Plt. Kepala Bidang."
        ),
        (801, "/plh sekretaris Citra 2026-11-30"): "Bapak/Ibu belum terdaftar di Renja Bot",
    }
    for (who, command), said in refusals.items():
        phone = stranger if who == 801 else office.phones[who]
        reply = await ask(phone, command)
        assert reply.body.startswith(said) or said in reply.body, (command, reply.body)
        assert not reply.buttons
    assert rows(office) == before

    # The Kepala Badan proposes Citra as Plh. Sekretaris until the end of today.
    summary = await ask(eka, "/plh sekretaris citra 30-11-2026")
    assert summary.body.splitlines()[:5] == [
        "👤 Penetapan Plh. Sekretaris (pelaksana harian)",
        "Plh.: Citra Kabid Ekonomi",
        "Menggantikan: Budi Sekretaris (Sekretaris)",
        "Mulai: saat ditetapkan",
        "Sampai: Senin, 30 November 2026 16:00 WIB (akhir hari kerja)",
    ]
    assert summary.button_texts() == ["✅ Tetapkan", "❌ Batal"]
    # Forwarded to someone else, the button sets nothing.
    proposed = rows(office)
    query = await office.phones[RINA].press_forwarded(eka, summary, "✅ Tetapkan")
    answer = await office.phones[RINA].callback_answer(query)
    assert answer is not None and (answer.text or "").startswith("Hanya pengusul penetapan ini")
    assert rows(office) == proposed

    query = await eka.press(summary, "✅ Tetapkan")
    answer = await eka.callback_answer(query)
    assert answer is not None and answer.text == "Tercatat."
    await eka.wait_until(
        lambda ms: any(
            m.message_id == summary.message_id
            and "✅ Ditetapkan oleh Eka" in m.body
            and not m.buttons
            for m in ms
        )
    )
    # The open review moves: a notice to both, Budi's buttons go, Citra gets the task.
    (notice,) = await budi.wait_for_messages(1)
    assert notice.body.startswith("👤 Plh. Sekretaris\nCitra Kabid Ekonomi ditetapkan sebagai")
    assert "• Telaah Konsep pendahuluan Renja — Renja 2027 (#1)" in notice.body
    await budi.wait_until(
        lambda ms: any(m.message_id == budi_review.message_id and not m.buttons for m in ms)
    )
    told, review, konsep = await citra.wait_for_messages(3)
    assert "Bapak/Ibu Citra Kabid Ekonomi ditetapkan sebagai Plh. Sekretaris" in told.body
    assert "Langkah 1: Telaah Konsep pendahuluan Renja" in review.body
    assert review.button_texts() == ["✅ Setujui", "↩️ Kembalikan"]
    assert konsep.document is not None
    # A second period over the first is refused, even to an administrator.
    overlap = await ask(admin, "/plh sekban Dodi Kabid Infrastruktur 2026-12-01")
    assert overlap.body.startswith("Sudah ada Plh. Sekretaris pada masa itu: Citra")
    assert rows(office) == (proposed[0], proposed[1] + 1)

    # A new draft's review goes to the Plh.
    await konsep_sent(office, "Renja Perubahan 2027")
    (*_, second) = await citra.wait_for_messages(review_of("Renja Perubahan 2027"))
    assert second.button_texts() == ["✅ Setujui", "↩️ Kembalikan"]
    await citra.wait_for_messages(1)  # its konsep

    # 09:00: the rows are due; the reminders go to the Plh., the escalation names her.
    await office.tick(minutes=60)
    await citra.wait_for_messages(lambda m: "⏰ Batas waktu sudah tiba" in m.body)
    (*_, escalation) = await eka.wait_for_messages(lambda m: "🔺 Eskalasi" in m.body)
    assert "Pemegang tugas: Citra Kabid Ekonomi." in escalation.body

    # The Plh. approves the first draft: the trail names her as the Plh. Sekretaris.
    query = await citra.press(review, "✅ Setujui")
    await citra.wait_until(
        lambda ms: any(
            m.message_id == review.message_id
            and "Disetujui oleh Citra Kabid Ekonomi (Plh. Sekretaris)" in m.body
            for m in ms
        )
    )
    await office.phones[RINA].wait_for_messages(lambda m: "Terbitkan Nota Dinas" in m.body)
    await eka.send_text("/riwayat 1")
    (*_, trail) = await eka.wait_for_messages(lambda m: m.body.startswith("🗂 Riwayat"))
    assert "L1 Plh. Sekretaris, Citra Kabid Ekonomi menyetujui a.n. Sekretaris" in trail.body
    assert "L1 Rina Kasubbag mengirim" in trail.body
    assert not [m for m in await budi.messages() if m.buttons]

    # 16:00 WIB: the period ends, and the second draft's review returns to Budi.
    await office.tick(hours=7)
    (*_, back) = await budi.wait_for_messages(lambda m: "Plh. Sekretaris berakhir" in m.body)
    assert "Masa Citra Kabid Ekonomi sebagai Plh. Sekretaris berakhir" in back.body
    assert "Renja Perubahan 2027 (#2)" in back.body
    (*_, returned) = await budi.wait_for_messages(review_of("Renja Perubahan 2027"))
    assert returned.button_texts() == ["✅ Setujui", "↩️ Kembalikan"]
    (*_, ended) = await citra.wait_for_messages(lambda m: "berakhir" in m.body)
    assert ended.body.startswith("👤 Plh. Sekretaris berakhir\nMasa Bapak/Ibu sebagai")
    await citra.wait_until(
        lambda ms: any(m.message_id == second.message_id and not m.buttons for m in ms)
    )
    query = await budi.press(returned, "✅ Setujui")
    answer = await budi.callback_answer(query)
    assert answer is not None and answer.text == "Tercatat."


async def test_a_period_that_ended_while_the_bot_was_down_ends_at_start_up(
    office: Office,
) -> None:
    budi, citra, eka = office.phones[BUDI], office.phones[CITRA], office.phones[EKA]
    await konsep_sent(office, "Renja 2027")
    (*_, budi_review) = await budi.wait_for_messages(lambda m: "Telaah Konsep" in m.body)
    summary = await ask(eka, "/plt sekretaris Citra Kabid Ekonomi 2026-11-30")
    assert summary.body.startswith("👤 Penetapan Plt. Sekretaris (pelaksana tugas)")
    await eka.press(summary, "✅ Tetapkan")
    (*_, review) = await citra.wait_for_messages(lambda m: "Telaah Konsep" in m.body)
    await budi.wait_until(
        lambda ms: any(m.message_id == budi_review.message_id and not m.buttons for m in ms)
    )
    # Who may set one has /plh and /plt in their menu (set when they opened the bot).
    assert {"plh", "plt"} <= {c.command for c in await eka.menu_commands()}
    assert "plh" not in {c.command for c in await office.phones[RINA].menu_commands()}
    await office.stop()
    office.clock.advance(days=1)  # Tuesday 08:00: the period ended at Monday 16:00
    await office.start()
    (*_, back) = await budi.wait_for_messages(lambda m: "Plt. Sekretaris berakhir" in m.body)
    assert "Senin, 30 November 2026 16:00 WIB" in back.body
    (*_, returned) = await budi.wait_for_messages(lambda m: "Telaah Konsep" in m.body)
    assert returned.button_texts() == ["✅ Setujui", "↩️ Kembalikan"]
    await citra.wait_until(
        lambda ms: any(m.message_id == review.message_id and not m.buttons for m in ms)
    )
    with office.services.session() as session:
        (period,) = session.exec(select(ActingPeriod)).all()
        assert period.ended_at == office.clock.now
