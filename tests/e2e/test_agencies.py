"""Two agencies on one bot, over HTTP: BAPPEDA (the default agency) and Dinas Kesehatan each
write their Renja side by side. Each Sekretaris gets their own agency's task only; /status,
/tugas and /riwayat show their own; reminders and escalations stay in the draft's agency;
a forged button or `/riwayat` of the other agency's draft reveals nothing; the province's
administrator sees both, each named; an agency's administrator invites into their agency."""

from __future__ import annotations

import pytest

from bot import texts
from bot.callbacks import Press, Verb
from bot.sample_office import SECOND_AGENCY, SECOND_OFFICIALS, register_second_agency
from bot.usecases import officials, reading
from bot.usecases.base import EVERY_AGENCY
from emulator import BotMessage, SimulatedUser
from storage import drafts as draft_store
from tests.e2e.conftest import ADMIN_ID, Office

PDF = "application/pdf"
DINKES = SECOND_AGENCY[1]
OURS, THEIRS = "Renja BAPPEDA 2027", "Renja Dinkes 2027"


async def quiet(*phones: SimulatedUser) -> None:
    """Nothing new arrives on these phones."""
    for phone in phones:
        with pytest.raises(TimeoutError):
            await phone.wait_for_messages(1, timeout=0.4)


async def ask(phone: SimulatedUser, text: str) -> BotMessage:
    await phone.send_text(text)
    (reply,) = await phone.wait_for_messages(1)
    return reply


async def answer_text(phone: SimulatedUser, query_id: str) -> str:
    answer = await phone.callback_answer(query_id)
    assert answer is not None
    return answer.text or ""


async def second_agency(office: Office) -> None:
    """Dinas Kesehatan's officials registered (Tono administers it), and their phones."""
    register_second_agency(office.services)
    for official in SECOND_OFFICIALS:
        phone = await office.phone(official.telegram_id, official.name)
        await phone.send_text("/start")
        await phone.wait_for_messages(lambda m: "Selamat datang" in m.body)


async def send_konsep(kasubbag: SimulatedUser) -> None:
    await kasubbag.send_document("konsep.pdf", b"%PDF-1.4 konsep", PDF)
    (*_, received) = await kasubbag.wait_for_messages(lambda m: m.body.startswith("✅ Diterima"))
    await kasubbag.press(received, "📤 Kirim")


def bodies(messages: list[BotMessage]) -> str:
    return "\n".join(m.body for m in messages)


async def test_two_agencies_write_their_renja_side_by_side(office: Office) -> None:
    await second_agency(office)
    rina, budi, eka = office.phones[101], office.phones[102], office.phones[105]
    sari, tono, vera = office.phones[201], office.phones[202], office.phones[204]
    kabid = [office.phones[i] for i in (103, 104, 203)]

    await rina.send_text(f"/renja_baru {OURS}")
    await rina.wait_for_messages(lambda m: "Langkah 1" in m.body)
    await sari.send_text(f"/renja_baru {THEIRS}")
    await sari.wait_for_messages(lambda m: "Langkah 1" in m.body)

    # Senin 08:48: each Kasubbag is reminded of their own draft, nobody else hears of it.
    await office.tick(minutes=48)
    (reminded,) = await rina.wait_for_messages(1)
    assert reminded.body.startswith(f"📋 {OURS} (#1") and "⏰ Pengingat" in reminded.body
    (reminded,) = await sari.wait_for_messages(1)
    assert reminded.body.startswith(f"📋 {THEIRS} (#2") and "⏰ Pengingat" in reminded.body
    await quiet(budi, tono, eka, vera, *kabid)
    # 09:00, due: each escalates to the Sekretaris of its own agency.
    await office.tick(minutes=12)
    (escalated,) = await budi.wait_for_messages(1)
    assert escalated.body.startswith(f"📋 {OURS} (#1") and "🔺 Eskalasi" in escalated.body
    assert "Pemegang tugas: Rina Kasubbag." in escalated.body
    (escalated,) = await tono.wait_for_messages(1)
    assert escalated.body.startswith(f"📋 {THEIRS} (#2") and "🔺 Eskalasi" in escalated.body
    assert "Pemegang tugas: Sari Kasubbag Dinkes." in escalated.body
    await rina.wait_for_messages(lambda m: "⏰ Batas waktu sudah tiba" in m.body)
    await sari.wait_for_messages(lambda m: "⏰ Batas waktu sudah tiba" in m.body)
    await quiet(eka, vera, *kabid)

    # Each konsep goes to the Sekretaris of its own agency.
    await send_konsep(rina)
    (review, _) = await budi.wait_for_messages(2)  # the review, and the konsep
    assert review.body.startswith(f"📋 {OURS} (#1") and "Telaah Konsep" in review.body
    await send_konsep(sari)
    (their_review, _) = await tono.wait_for_messages(2)
    assert their_review.body.startswith(f"📋 {THEIRS} (#2")
    await quiet(budi, tono)
    assert THEIRS not in bodies(await budi.messages())
    assert OURS not in bodies(await tono.messages())

    # /status and /tugas: each their own.
    status = await ask(budi, "/status")
    assert f"{OURS} (#1" in status.body and THEIRS not in status.body
    assert "Instansi:" not in status.body
    status = await ask(tono, "/status")
    assert f"{THEIRS} (#2" in status.body and OURS not in status.body
    await budi.send_text("/tugas")
    (task, _) = await budi.wait_for_messages(2)
    assert task.body.startswith(f"📋 {OURS} (#1") and "Telaah Konsep" in task.body
    await tono.send_text("/tugas")
    (task, _) = await tono.wait_for_messages(2)
    assert task.body.startswith(f"📋 {THEIRS} (#2")
    await quiet(budi, tono)

    # The other agency's draft, asked for by number, is one that does not exist.
    missing = texts.DRAFT_NOT_FOUND.format(id=99)
    assert (await ask(budi, "/riwayat 99")).body == missing
    assert (await ask(budi, "/riwayat 2")).body == texts.DRAFT_NOT_FOUND.format(id=2)
    assert (await ask(budi, "/status 2")).body == texts.DRAFT_NOT_FOUND.format(id=2)
    assert (await ask(tono, "/riwayat 1")).body == texts.DRAFT_NOT_FOUND.format(id=1)
    assert (await ask(budi, "/riwayat 1")).body.startswith(f"🗂 Riwayat {OURS} (#1)")

    # Forged buttons on Budi's own message, for Dinas Kesehatan's draft and task: refused as
    # for a draft or a task that does not exist, and nothing changes.
    with office.services.reading() as session:
        their_task = draft_store.open_task(session, draft_id=2)
    assert their_task is not None and their_task.id is not None
    _, before = reading.history(office.services, scope=EVERY_AGENCY, draft_id=2)
    forged = {
        Press(Verb.SETUJUI, 2, their_task.id): texts.DRAFT_NOT_FOUND.format(id=2),
        Press(Verb.SETUJUI, 99, their_task.id): missing,
        Press(Verb.KEMBALIKAN, 2, their_task.id): texts.DRAFT_NOT_FOUND.format(id=2),
        Press(Verb.PILIH, their_task.id, 0): texts.DRAFT_NOT_FOUND.format(id=0),
        Press(Verb.PILIH, 99_999, 0): texts.DRAFT_NOT_FOUND.format(id=0),
        Press(Verb.RAPAT_JADWAL, 2, their_task.id): texts.DRAFT_NOT_FOUND.format(id=2),
    }
    for press, expected in forged.items():
        query = await budi.press_forged(review, press.encode())
        assert await answer_text(budi, query) == expected
    _, after = reading.history(office.services, scope=EVERY_AGENCY, draft_id=2)
    assert after == before
    (still,) = [m for m in await tono.messages() if m.message_id == their_review.message_id]
    assert still.button_texts() == ["✅ Setujui", "↩️ Kembalikan"]
    (mine,) = [m for m in await budi.messages() if m.message_id == review.message_id]
    assert mine.button_texts() == ["✅ Setujui", "↩️ Kembalikan"]
    await quiet(tono, sari)

    # The province's administrator sees both, each named with its agency.
    admin = await office.phone(ADMIN_ID, "Admin Provinsi")
    status = await ask(admin, "/status")
    assert f"{OURS} (#1" in status.body and f"{THEIRS} (#2" in status.body
    assert "Instansi: Instansi utama" in status.body
    assert f"Instansi: {DINKES}" in status.body
    trail = await ask(admin, "/riwayat 2")
    assert trail.body.splitlines()[:2] == [f"🗂 Riwayat {THEIRS} (#2)", f"Instansi: {DINKES}"]


async def test_an_agencys_administrator_invites_into_their_agency(office: Office) -> None:
    await second_agency(office)
    rina, budi, sari, tono = (office.phones[i] for i in (101, 102, 201, 202))
    await rina.send_text(f"/renja_baru {OURS}")
    await rina.wait_for_messages(lambda m: "Langkah 1" in m.body)
    await sari.send_text(f"/renja_baru {THEIRS}")
    await sari.wait_for_messages(lambda m: "Langkah 1" in m.body)

    help_text = (await ask(tono, "/bantuan")).body
    assert "/undang" in help_text and "/kotak_keluar" not in help_text
    assert "undang" in [c.command for c in await tono.menu_commands()]
    assert (await ask(tono, "/kotak_keluar")).body == texts.ONLY_ADMIN
    assert (await ask(budi, "/undang sekretaris")).body == texts.ONLY_ADMIN
    refused = await ask(tono, "/undang utama sekretaris")
    assert refused.body == f"Bapak/Ibu hanya mengelola instansi {DINKES} (dinkes)."

    link = await ask(tono, "/undang kepala_bidang Bidang Ekonomi")
    assert f"Tautan undangan untuk Kepala Bidang (Bidang Ekonomi), {DINKES}" in link.body
    token = link.body.split("?start=")[1].split()[0]
    newcomer = await office.phone(301, "Wati")
    await newcomer.send_text(f"/start {token}")
    await newcomer.wait_for_messages(lambda m: "Selamat datang" in m.body)
    status = await ask(newcomer, "/status")
    assert f"{THEIRS} (#2" in status.body and OURS not in status.body
    (joined,) = [v for v in officials.officials(office.services) if v.person.telegram_id == 301]
    assert joined.agency_key == "dinkes"

    # The province's administrator names the agency, once there are several.
    admin = await office.phone(ADMIN_ID, "Admin Provinsi")
    asked = await ask(admin, "/undang sekretaris")
    assert asked.body == "Sebutkan instansinya (kunci): utama, dinkes."
    link = await ask(admin, "/undang dinkes kepala_bidang Bidang Infrastruktur")
    assert DINKES in link.body and "?start=" in link.body
    assert "/kotak_keluar" in (await ask(admin, "/bantuan")).body
