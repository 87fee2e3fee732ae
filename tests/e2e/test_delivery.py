"""Delivery, end to end: the whole Renja SOP through Telegram's flood limits, through faults
of every kind, past an official who blocked the bot, and with a button pressed twice at once.

The real application (`build_application`) polls the emulator over HTTP; the officials
(tests/e2e/people.py) act as soon as the message they need arrives. What each of them
received is compared with a reference run: the same SOP on an emulator without limits or
faults, the sender unpaced.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import Session

from bot import notify
from bot.local import FAST_PACING
from bot.usecases import reading
from bot.usecases.base import EVERY_AGENCY
from emulator import LogEntry
from storage import outbox as outbox_store
from storage.models import OutboxMessage
from tests.e2e.conftest import ADMIN_ID, Office, running_office
from tests.e2e.people import (
    AGAIN,
    DOWNLOAD_FAILED,
    PRESS,
    QUESTION,
    SILENCE,
    Patience,
    Renja,
    repeats,
    send,
    stray_buttons,
    transcript,
)
from workflow.sop import Sop

Transcripts = dict[int, list[tuple[str, ...]]]

SENDS = {"sendMessage", "sendDocument", "sendPhoto", "sendMediaGroup"}
"""Bot API methods that add messages to a chat (an album is one call)."""
SENT_KINDS = {outbox_store.MESSAGE, outbox_store.DOCUMENT, outbox_store.PHOTO, outbox_store.ALBUM}
BOT_LOGGERS = ("bot", "handlers", "storage", "workflow")
FAJAR = 106
"""A Forum SKPD member: only invited, never needed for a next step."""

_reference: Transcripts = {}


async def reference(root: Path, sops: dict[str, Sop]) -> Transcripts:
    """What everyone receives when nothing limits or disturbs delivery (run once)."""
    if not _reference:
        async with running_office(root, sops, pacing=FAST_PACING) as office:
            people = await Renja.of(office)
            await people.run()
            await drain(office)
            assert people.journal == []
            _reference.update(await transcripts(office))
    return _reference


async def transcripts(office: Office) -> Transcripts:
    return {
        telegram_id: transcript(await phone.messages())
        for telegram_id, phone in office.phones.items()
        if telegram_id != ADMIN_ID
    }


async def drain(office: Office, seconds: float = 30.0) -> None:
    """Wait until the sender owes nothing more that is due."""
    assert office.application is not None and office.application.bot_data.sender is not None
    await office.application.bot_data.sender.drain(seconds)


def outbox(office: Office) -> list[OutboxMessage]:
    statuses = (outbox_store.WAITING, outbox_store.SENT, outbox_store.FAILED)
    with Session(office.services.engine) as session:
        return [row for row, _ in outbox_store.listing(session, statuses=statuses, limit=10_000)]


def audit_actions(office: Office) -> list[str]:
    """The actions of the draft's audit trail, once it is signed."""
    (status,) = reading.draft_status(office.services, scope=EVERY_AGENCY, draft_id=1)
    assert status.draft.status == "selesai"
    _, trail = reading.history(office.services, scope=EVERY_AGENCY, draft_id=1)
    return [line.action for line in trail]


# 1. Telegram's flood limits -----------------------------------------------------------------


async def test_under_telegrams_flood_limits_everyone_receives_everything_in_order(
    tmp_path: Path, sops: dict[str, Sop], database_url: str
) -> None:
    expected = await reference(tmp_path / "referensi", sops)
    # The Kasubbag's and the Sekretaris's chats are the busiest: 26 sends and edits each,
    # at one a second after a burst of three, while the others wait for them. About 25 s.
    async with running_office(
        tmp_path / "batas", sops, database_url=database_url
    ) as office:  # Telegram's pacing
        await office.control.set_flood_limits()  # and Telegram's limits
        await office.control.reset_stats()
        people = await Renja.of(office)
        started = time.monotonic()
        await people.run()
        await drain(office, 60)
        took = time.monotonic() - started
        stats = await office.control.stats()
        log = await office.control.log()

        assert audit_actions(office).count("kembalikan") == 2
        assert await transcripts(office) == expected
        assert people.journal == []  # every press was answered at once
        assert {row.status for row in outbox(office)} == {outbox_store.SENT}
        refused = [entry for entry in log if entry.error and "Too Many Requests" in entry.error]
        for refusal in refused:  # no 429 unhandled: each call refused was made again, and done
            assert any(
                later.seq > refusal.seq and later.ok and later.method == refusal.method
                for later in log
                if later.chat_id == refusal.chat_id
            ), refusal
        # And the sender keeps the limits, so there is none to handle.
        assert stats.too_many_requests == 0, [(e.method, e.chat_id, e.time) for e in refused]
        busiest = max(stats.chats.values(), key=lambda chat: chat.accepted)
        assert busiest.accepted >= 20
        assert took < 45


async def test_an_album_larger_than_a_chats_burst_is_not_followed_by_a_429(
    tmp_path: Path, sops: dict[str, Sop], database_url: str
) -> None:
    async with running_office(tmp_path, sops, database_url=database_url) as office:
        sekretaris = office.phones[102]
        assert office.application is not None and office.application.bot_data.sender
        files = []
        for n in range(4):  # files Telegram holds, sent before the limits are on
            sent = await office.application.bot.send_document(
                sekretaris.id, f"%PDF-1.4 lampiran {n}".encode(), filename=f"lampiran-{n}.pdf"
            )
            assert sent.document is not None
            files.append(sent.document.file_id)
        await office.control.set_flood_limits()
        await office.control.reset_stats()
        album = notify.Outgoing(
            sekretaris.id,
            outbox_store.ALBUM,
            {"items": [{"file_id": f} for f in files], "media": "dokumen"},
        )
        after = [notify.text(sekretaris.id, f"pesan {n}") for n in range(2)]
        with office.services.session() as session:
            notify.write(session, [album, *after])
            session.commit()
        office.application.bot_data.sender.wake()
        await drain(office)
        stats = await office.control.stats()
        assert stats.too_many_requests == 0, stats.chat(sekretaris.id)
        bodies = [m.body for m in await sekretaris.messages()][-2:]
        assert bodies == [f"pesan {n}" for n in range(2)]


# 2. Faults of every kind ---------------------------------------------------------------------

FAULT_SEED = 20261130
SLOW_SECONDS = 2.0
"""Below every timeout (PTB's 5 s to read an answer, getUpdates 5 s beyond its long poll;
the sender's own 30 s): a slow call is late, but the bot hears that it was done, so every
duplicate comes from a `done_but_failed`. Beyond 5 s, getFile and answerCallbackQuery would
time out (a refused download, a lost answer: both covered here by other faults), and each
slow getUpdates would hold up every official for as long: the run would take minutes. A send
answered late is the next test's."""


def duplicates(log: list[LogEntry], rows: list[OutboxMessage]) -> Counter[int]:
    """Per chat: messages (albums) the emulator took beyond the rows the bot sent."""
    taken = Counter(e.chat_id for e in log if e.method in SENDS and e.ok and e.chat_id)
    owed = Counter(r.chat_id for r in rows if r.kind in SENT_KINDS and r.status == "terkirim")
    return Counter({chat: taken[chat] - owed[chat] for chat in taken | owed})


def difference(name: str, received: list[tuple[str, ...]], expected: list[tuple[str, ...]]) -> str:
    lines = difflib.unified_diff(
        ["\n".join(unit) for unit in expected], ["\n".join(unit) for unit in received], lineterm=""
    )
    return f"{name}:\n" + "\n".join(lines)


def extra_units(
    received: list[tuple[str, ...]], expected: list[tuple[str, ...]]
) -> list[tuple[str, ...]] | None:
    """What `received` holds beyond `expected`, if all `expected` is in it in order."""
    extra: list[tuple[str, ...]] = []
    position = 0
    for unit in received:
        if position < len(expected) and unit == expected[position]:
            position += 1
        else:
            extra.append(unit)
    return extra if position == len(expected) else None


async def test_through_faults_of_every_kind_the_draft_is_signed_and_nothing_is_lost(
    tmp_path: Path,
    sops: dict[str, Sop],
    caplog: pytest.LogCaptureFixture,
    database_url: str,
) -> None:
    expected = await reference(tmp_path / "referensi", sops)
    caplog.clear()
    async with running_office(
        tmp_path / "gangguan", sops, pacing=FAST_PACING, database_url=database_url
    ) as office:
        people = await Renja.of(office, Patience(message=90))
        await office.control.reset_stats()
        # A fifth of all calls, getUpdates, getFile and answerCallbackQuery included.
        await office.control.set_faults(0.2, seed=FAULT_SEED, slow_seconds=SLOW_SECONDS)
        await people.run()
        await drain(office, 60)
        await office.control.clear_faults()
        stats = await office.control.stats()
        log = await office.control.log()
        rows = outbox(office)
        chats = {person.phone.id: await person.phone.messages() for person in people}
        actions = audit_actions(office)

    assert actions.count("kembalikan") == 2 and actions.count("tandatangani") == 1
    assert {row.status for row in rows} == {outbox_store.SENT}
    # Everyone received all they receive without faults, in the same order. Beyond it only
    # what answers a file sent again: the bot's "cannot download it" and its question.
    lost_answers = Counter(
        e.chat_id for e in log if e.method in SENDS and e.fault == "done_but_failed"
    )
    for person in people:
        chat = person.phone.id
        extra = extra_units(transcript(chats[chat]), expected[chat])
        assert extra is not None, difference(person.name, transcript(chats[chat]), expected[chat])
        allowed = (DOWNLOAD_FAILED, QUESTION, "Berkas kesepakatan.pdf:", "↩️ Tulis")
        assert all(unit[0].startswith(allowed) for unit in extra), (
            person.name,
            "\n".join(u[0][:200] for u in extra),
        )
        failures = sum(m.body.startswith(DOWNLOAD_FAILED) for m in chats[chat])
        assert person.retries(AGAIN) <= failures <= person.retries(AGAIN) + lost_answers[chat]
        # A repeat where a send was carried out but answered as failed; or where the
        # official did something again and was answered the same.
        retried = sum(person.retries(kind) for kind in (AGAIN, SILENCE, PRESS))
        assert repeats(chats[chat]) <= lost_answers[chat] + retried, person.name
        # Buttons are left only on a copy the bot never heard of, so cannot edit.
        assert stray_buttons(chats[chat]) == [], person.name

    # The bot sent each row until it heard it had arrived: one more time for each lost answer.
    assert +duplicates(log, rows) == +lost_answers
    assert sum(duplicates(log, rows).values()) <= stats.faults.get("done_but_failed", 0)
    # A file is sent again only after its download failed. When its output had been chosen,
    # the bot said nothing (see the next test): the Kasubbag sent it again after a while.
    downloads_failed = [e for e in log if e.method == "getFile" and (e.error or not e.ok)]
    retried = sum(person.retries(AGAIN) for person in people) + people.kasubbag.retries(SILENCE)
    assert retried <= len(downloads_failed)
    assert {kind for kind in stats.faults} >= {"500", "502", "429", "drop", "done_but_failed"}
    errors = [
        record
        for record in caplog.records
        if record.levelno >= logging.ERROR and record.name.split(".")[0] in BOT_LOGGERS
    ]
    assert errors == [], [(r.name, r.getMessage()) for r in errors]


async def test_a_send_answered_after_ptbs_default_timeout_arrives_once_and_in_order(
    tmp_path: Path, sops: dict[str, Sop], database_url: str
) -> None:
    async with running_office(
        tmp_path, sops, pacing=FAST_PACING, database_url=database_url
    ) as office:
        gita = office.phones[107]
        assert office.application is not None and office.application.bot_data.sender
        sender = office.application.bot_data.sender

        async def owe(text: str) -> None:
            with office.services.session() as session:
                notify.write(session, [notify.text(gita.id, text)])
                session.commit()
            sender.wake()

        # Carried out 7 s after it was asked for: beyond PTB's 5 s, as Telegram sometimes is.
        await office.control.set_faults(1.0, ["slow"], methods=["sendMessage"], slow_seconds=7)
        asked = time.monotonic()
        await owe("pertama")
        await asyncio.sleep(1)  # on its way
        await office.control.clear_faults()
        await owe("kedua")
        await drain(office)
        await asyncio.sleep(max(0.0, asked + 7.5 - time.monotonic()))  # the slow one is done
        assert [m.body for m in await gita.messages()][1:] == ["pertama", "kedua"]


async def test_a_refusal_after_the_output_was_chosen_reaches_the_official(office: Office) -> None:
    people = await Renja.of(office)
    kasubbag = people.kasubbag
    for title in ("Renja A", "Renja B"):  # two drafts: a file without caption is asked about
        await kasubbag.say(f"/renja_baru {title}")
        await kasubbag.task("Unggah Konsep pendahuluan Renja", containing=f"{title} (#")
    # Not a PDF: the bot asks which output it is, and refuses it once downloaded.
    question = await kasubbag.send_unnamed("konsep.pdf", b"bukan PDF", QUESTION)
    await kasubbag.press(question, question.button_texts()[0], lambda _: True)
    refused = "Jenis berkas “konsep.pdf” tidak diterima"
    await kasubbag.next(lambda m: m.body.startswith(refused), "the refusal", within=3)


# 3. An official who blocked the bot ------------------------------------------------------------


async def test_an_official_who_blocked_the_bot_fails_alone_and_the_admin_is_told_once(
    tmp_path: Path, sops: dict[str, Sop], database_url: str
) -> None:
    expected = await reference(tmp_path / "referensi", sops)
    async with running_office(
        tmp_path / "blokir", sops, pacing=FAST_PACING, database_url=database_url
    ) as office:
        await office.phones[FAJAR].block()
        people = await Renja.of(office)
        await people.run(absent=frozenset({FAJAR}))
        await drain(office)

        assert audit_actions(office).count("tandatangani") == 1
        received = await transcripts(office)
        assert received.pop(FAJAR) == expected[FAJAR][:1]  # his welcome, and nothing since
        assert received == {chat: lines for chat, lines in expected.items() if chat != FAJAR}
        rows = outbox(office)
        welcome, *fajar = sorted(
            (row for row in rows if row.chat_id == FAJAR), key=lambda r: r.id or 0
        )
        assert welcome.status == outbox_store.SENT  # before he blocked the bot
        # The meeting's invitation with its files, then the results with their document.
        assert [row.kind for row in fajar] == ["pesan", "album", "pesan", "dokumen"]
        assert {row.status for row in fajar} == {outbox_store.FAILED}
        assert all(row.last_error == "Forbidden: bot was blocked by the user" for row in fajar)
        assert {row.status for row in rows if row.chat_id != FAJAR} == {outbox_store.SENT}
        notices = [
            m.body
            for m in await office.phones[ADMIN_ID].messages()
            if "tidak dapat dikirim" in m.body
        ]
        assert len(notices) == 1 and f"(ID {FAJAR})" in notices[0], notices
        assert "Fajar Dinas PU" in notices[0]


# 4. One button pressed twice at once -------------------------------------------------------------


@pytest.mark.parametrize("copies", [1, 2], ids=["same-message", "two-copies"])
async def test_a_button_pressed_twice_at_once_acts_once(office: Office, copies: int) -> None:
    people = await Renja.of(office)
    kasubbag, sekretaris = people.kasubbag, people.sekretaris
    await kasubbag.say("/renja_baru Renja BAPPEDA Tahun 2027")
    await kasubbag.task("Unggah Konsep pendahuluan Renja")
    await send(kasubbag, "konsep-v1.pdf", b"%PDF-1.4 konsep v1")
    tasks = [await sekretaris.task("Telaah Konsep pendahuluan Renja")]
    if copies == 2:
        await sekretaris.say("/tugas")  # the same task again, with its buttons
        tasks.append(await sekretaris.task("Telaah Konsep pendahuluan Renja"))
    pressed = [tasks[0], tasks[-1]]

    queries = await asyncio.gather(*(sekretaris.phone.press(m, "✅ Setujui") for m in pressed))
    answers = [await sekretaris.phone.callback_answer(query) for query in queries]
    await drain(office)

    shown = sorted((a.text or "", a.show_alert) for a in answers if a is not None)
    assert len(shown) == 2
    assert shown[0] == ("Tercatat.", False)
    assert shown[1][0].startswith("Tugas “Telaah Konsep pendahuluan Renja” sudah ditangani oleh")
    assert shown[1][1] is True
    _, trail = reading.history(office.services, scope=EVERY_AGENCY, draft_id=1)
    assert [line.action for line in trail].count("setujui") == 1
    # The transition happened once: the Kasubbag's next task came once.
    await kasubbag.task("Terbitkan Nota Dinas")
    later = [m for m in await kasubbag.phone.messages() if "Terbitkan Nota Dinas" in m.body]
    assert len(later) == 1
    # The pressed message says who approved it; no copy keeps its buttons.
    messages = {m.message_id: m for m in await sekretaris.phone.messages()}
    now = [messages[task.message_id] for task in tasks]
    assert all(m.buttons == [] for m in now)
    assert sum("Disetujui oleh Budi Sekretaris" in m.body for m in now) == 1
