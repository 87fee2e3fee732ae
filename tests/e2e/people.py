"""Officials who act as soon as the bot lets them, and cope with a bad network as people do.

The delivery tests run the whole Renja SOP with these people, on a bot paced at Telegram's
rates and an emulator that enforces them, or that injects faults into every kind of call.

A person reads the bot's messages in their chat as *units*: a message, or an album. A unit
the same as the one before it is a repeat (a send carried out but answered as failed, then
made again): they pass over it, as one passes over a message shown twice. They never send a
file again while its receipt may still come; they press a button again only when the press
was never answered, nothing came of it for a while, and the button is still there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from bot.sample_office import OFFICIALS
from emulator import BotMessage, CallbackAnswer, SimulatedUser
from tests.e2e.conftest import Office
from tests.e2e.meeting import reach_meeting

PDF = "application/pdf"
RECEIVED = "✅ Diterima"
DOWNLOAD_FAILED = "Berkas tidak dapat diunduh dari Telegram"
Predicate = Callable[[BotMessage], bool]


# Reading a chat ---------------------------------------------------------------------------


def first_body(message: BotMessage) -> str:
    """The text or caption the message had when it arrived, before any edit."""
    if not message.history:
        return message.body
    first = message.history[0]
    return first.text if first.text is not None else (first.caption or "")


@dataclass(frozen=True)
class Unit:
    """What a person sees as one thing: a message, or an album."""

    messages: tuple[BotMessage, ...]

    @property
    def first(self) -> BotMessage:
        return self.messages[0]

    def signature(self) -> tuple[tuple[str, str | None], ...]:
        """The content as it arrived: a repeat of a send has the same."""
        return tuple(
            (first_body(m), m.document.file_unique_id if m.document else None)
            for m in self.messages
        )

    def shown(self) -> tuple[str, ...]:
        """What the person reads now (after edits), one line per message."""
        return tuple(
            f"[berkas {m.document.file_name}] {m.body}" if m.document else m.body
            for m in self.messages
        )


def units(messages: list[BotMessage]) -> list[Unit]:
    """The chat as units: the messages of one album together."""
    found: list[list[BotMessage]] = []
    for message in messages:
        previous = found[-1][-1] if found else None
        if (
            previous is not None
            and message.media_group_id is not None
            and message.media_group_id == previous.media_group_id
        ):
            found[-1].append(message)
        else:
            found.append([message])
    return [Unit(tuple(group)) for group in found]


def bot_units(messages: list[BotMessage]) -> list[tuple[Unit, bool]]:
    """The bot's units, each with whether it repeats the bot's unit before it."""
    result: list[tuple[Unit, bool]] = []
    previous: Unit | None = None
    for unit in units([m for m in messages if m.from_bot]):
        result.append((unit, previous is not None and unit.signature() == previous.signature()))
        previous = unit
    return result


def transcript(messages: list[BotMessage]) -> list[tuple[str, ...]]:
    """The bot's units as read now, each repeat folded into the unit it repeats.

    Of a unit and its repeats, the one that was edited (a pressed copy) stands for all.
    """
    lines: list[tuple[str, ...]] = []
    last: Unit | None = None
    for unit, repeat in bot_units(messages):
        if repeat and last is not None:
            if any(m.edited for m in unit.messages) and not any(m.edited for m in last.messages):
                lines[-1] = unit.shown()
                last = unit
            continue
        lines.append(unit.shown())
        last = unit
    return lines


def stray_buttons(messages: list[BotMessage]) -> list[BotMessage]:
    """Messages still showing buttons, but for copies of a unit the bot sent twice.

    Of a unit sent twice, the bot knows only the copy whose answer it got; the other keeps
    its buttons (pressing one says the task was handled).
    """
    found = bot_units(messages)
    twice = {
        index
        for index, (_, repeat) in enumerate(found)
        for index in ((index - 1, index) if repeat else ())
    }
    return [
        message
        for index, (unit, _) in enumerate(found)
        if index not in twice
        for message in unit.messages
        if message.buttons
    ]


def repeats(messages: list[BotMessage]) -> int:
    """How many of the bot's units repeat the one before them."""
    return sum(repeat for _, repeat in bot_units(messages))


# A person -----------------------------------------------------------------------------------


@dataclass
class Patience:
    """How long people wait. Generous: waiting too long costs nothing when all goes well."""

    message: float = 45.0
    """For a message they need (a task, a receipt): the bot owes it, it will come."""
    answer: float = 6.0
    """For a press to be answered or to show its effect, before looking at it again."""
    silence: float = 15.0
    """After choosing the output of a file, for its receipt (or a refusal)."""


AGAIN = "again"
"""A file sent again because the bot said it could not download it."""
SILENCE = "silence"
"""A file sent again because, after its output was chosen, the bot said nothing more."""
PRESS = "press"
"""A button pressed again: no answer, no effect, and the button still there."""


@dataclass(frozen=True)
class Retry:
    """Something an official did again, and why."""

    name: str
    kind: str
    detail: str


@dataclass
class Official:
    """One official on their phone, reading new units from a cursor."""

    phone: SimulatedUser
    name: str
    patience: Patience
    journal: list[Retry] = field(default_factory=list)
    cursor: int = 0
    """Bot units already read."""

    async def begin(self) -> None:
        """Start reading from now on (the welcome has been read)."""
        self.cursor = len(bot_units(await self.phone.messages()))

    def note(self, kind: str, detail: str) -> None:
        self.journal.append(Retry(self.name, kind, detail))

    def retries(self, kind: str) -> int:
        return sum(1 for retry in self.journal if retry.name == self.name and retry.kind == kind)

    def _find(self, messages: list[BotMessage], wanted: Predicate) -> int | None:
        found = bot_units(messages)
        for index in range(self.cursor, len(found)):
            unit, repeat = found[index]
            if not repeat and any(wanted(m) for m in unit.messages):
                return index
        return None

    async def next(self, wanted: Predicate, what: str, within: float | None = None) -> BotMessage:
        """The next unit (not a repeat) with a message that matches; read up to it."""
        try:
            messages = await self.phone.wait_until(
                lambda ms: self._find(ms, wanted) is not None, within or self.patience.message
            )
        except TimeoutError:
            unread = [u.shown() for u, _ in bot_units(await self.phone.messages())][self.cursor :]
            raise TimeoutError(f"{self.name} waited in vain for {what}; new: {unread}") from None
        index = self._find(messages, wanted)
        assert index is not None
        self.cursor = index + 1
        unit = bot_units(messages)[index][0]
        return next(m for m in unit.messages if wanted(m))

    async def task(
        self, title: str, *, containing: str = "", within: float | None = None
    ) -> BotMessage:
        """The next task message for this task (its second line names it)."""

        def wanted(m: BotMessage) -> bool:
            lines = first_body(m).split("\n")
            return len(lines) > 1 and lines[1].endswith(f": {title}") and containing in m.body

        return await self.next(wanted, f"the task {title!r}", within)

    async def say(self, text: str) -> None:
        await self.phone.send_text(text)

    async def upload(self, name: str, content: bytes, caption: str | None = None) -> BotMessage:
        """Send a file and wait for its receipt; send it again only when the bot asks to."""
        while True:
            answer = await self._send_file(name, content, caption, (RECEIVED, DOWNLOAD_FAILED))
            if not answer.body.startswith(DOWNLOAD_FAILED):
                assert answer.body.startswith(RECEIVED), (self.name, name, answer.body)
                return answer
            self.note(AGAIN, f"{name}: {answer.body}")

    async def send_unnamed(self, name: str, content: bytes, question: str) -> BotMessage:
        """Send a file the bot will ask about; the question (or a failure) is the answer."""
        return await self._send_file(name, content, None, (question,))

    async def _send_file(
        self, name: str, content: bytes, caption: str | None, answers: tuple[str, ...]
    ) -> BotMessage:
        """Send a file; the bot's first message after it that starts with one of `answers`.

        An answer that repeats the bot's message before it may be the answer to this file
        (the same refusal again) or a repeat of the answer to the last one: the person
        waits a while for another answer before taking it as this file's.
        """
        sent = await self.phone.send_document(name, content, PDF, caption=caption)

        def answers_after(messages: list[BotMessage]) -> list[tuple[int, Unit, bool]]:
            return [
                (index, unit, repeat)
                for index, (unit, repeat) in enumerate(bot_units(messages))
                if unit.first.message_id > sent and unit.first.body.startswith(answers)
            ]

        def clear(messages: list[BotMessage]) -> bool:
            return any(not repeat for _, _, repeat in answers_after(messages))

        try:
            messages = await self.phone.wait_until(
                lambda ms: bool(answers_after(ms)), self.patience.message
            )
        except TimeoutError:
            raise TimeoutError(f"{self.name} waited in vain for the answer to {name}") from None
        if not clear(messages):
            with suppress(TimeoutError):
                messages = await self.phone.wait_until(clear, self.patience.answer)
        found = answers_after(messages)
        index, unit, _ = next((a for a in found if not a[2]), found[0])
        self.cursor = index + 1
        return unit.first

    async def press(
        self, message: BotMessage, label: str, done: Callable[[list[BotMessage]], bool]
    ) -> CallbackAnswer | None:
        """Press a button until the press counts: it was answered, or `done` shows its effect.

        Pressed again only if neither came in a while and the button is still there; the
        answer that came (None if none did) is returned.
        """
        while True:
            query = await self.phone.press(message, label)
            answer, came = await self._answer_or_effect(query, done)
            if answer is not None or came:
                return answer
            pressed = [
                m for m in await self.phone.messages() if m.message_id == message.message_id
            ]
            if label not in pressed[0].button_texts():
                if not await self._effect(done, self.patience.message):
                    raise TimeoutError(f"{self.name} pressed {label!r}: nothing came of it")
                return None
            self.note(PRESS, label)

    async def _answer_or_effect(
        self, query: str, done: Callable[[list[BotMessage]], bool]
    ) -> tuple[CallbackAnswer | None, bool]:
        """Whichever comes first within a while: the press's answer, or its effect."""
        answered = asyncio.create_task(self.phone.callback_answer(query, self.patience.answer))
        effect = asyncio.create_task(self._effect(done, self.patience.answer))
        waiting: set[asyncio.Task[Any]] = {answered, effect}
        try:
            while waiting:
                finished, waiting = await asyncio.wait(
                    waiting, return_when=asyncio.FIRST_COMPLETED
                )
                if answered in finished and answered.result() is not None:
                    return answered.result(), effect in finished and effect.result()
                if effect in finished and effect.result():
                    return None, True
            return None, False
        finally:
            for task in waiting:
                task.cancel()

    async def _effect(self, done: Callable[[list[BotMessage]], bool], seconds: float) -> bool:
        try:
            await self.phone.wait_until(done, seconds)
        except TimeoutError:
            return False
        return True

    def edited(self, message: BotMessage, outcome: str) -> Callable[[list[BotMessage]], bool]:
        """The effect of a press: the pressed message now says `outcome`."""
        return lambda ms: any(m.message_id == message.message_id and outcome in m.body for m in ms)

    def new(self, wanted: Predicate) -> Callable[[list[BotMessage]], bool]:
        """The effect of a press: a new unit that matches has come."""
        return lambda ms: self._find(ms, wanted) is not None


# The SOP ------------------------------------------------------------------------------------


KIRIM = "📤 Kirim"
ASKED_FOR_REASON = "↩️ Tulis"
QUESTION = "Berkas ini untuk output yang mana?"


@dataclass
class Renja:
    """The seven officials of `test_renja_flow`, each running their part of the SOP."""

    office: Office
    kasubbag: Official
    sekretaris: Official
    kabid_eko: Official
    kabid_infra: Official
    kepala_badan: Official
    forum_a: Official
    forum_b: Official

    @classmethod
    async def of(cls, office: Office, patience: Patience | None = None) -> Renja:
        journal: list[Retry] = []
        found = []
        for official in OFFICIALS:
            phone = office.phones[official.telegram_id]
            person = Official(phone, official.name, patience or Patience(), journal)
            await person.begin()
            found.append(person)
        return cls(office, *found)

    def __iter__(self) -> Iterator[Official]:
        return iter(
            (
                self.kasubbag,
                self.sekretaris,
                self.kabid_eko,
                self.kabid_infra,
                self.kepala_badan,
                self.forum_a,
                self.forum_b,
            )
        )

    @property
    def journal(self) -> list[Retry]:
        return self.kasubbag.journal

    async def run(self, *, absent: frozenset[int] = frozenset()) -> None:
        """Everyone acts at once, each as soon as what they need arrives; `absent` officials
        (by Telegram id) do nothing at all."""
        parts = [
            (self.kasubbag, self._kasubbag()),
            (self.sekretaris, self._sekretaris()),
            (self.kabid_eko, self._kabid(self.kabid_eko, "eko")),
            (self.kabid_infra, self._kabid(self.kabid_infra, "infra")),
            (self.kepala_badan, self._kepala_badan()),
            (self.forum_a, self._forum(self.forum_a)),
            (self.forum_b, self._forum(self.forum_b)),
        ]
        async with asyncio.TaskGroup() as everyone:
            for person, part in parts:
                if person.phone.id in absent:
                    part.close()
                else:
                    everyone.create_task(part, name=person.name)

    async def _kasubbag(self) -> None:
        k = self.kasubbag
        await k.say("/renja_baru Renja BAPPEDA Tahun 2027")
        await k.task("Unggah Konsep pendahuluan Renja")
        await send(k, "konsep-v1.pdf", b"%PDF-1.4 konsep v1")
        await k.task("Unggah Konsep pendahuluan Renja", containing="Dikembalikan dengan catatan")
        await send(k, "konsep-v2.pdf", b"%PDF-1.4 konsep v2")
        await k.task("Terbitkan Nota Dinas")
        caption = "Nota Dinas Nomor: 050/117/BAPPEDA"
        await send(k, "nota-dinas.pdf", b"%PDF-1.4 nota dinas", caption)
        await k.task("Kirim Undangan Rapat Forum SKPD")
        await send(k, "undangan-forum.pdf", b"%PDF-1.4 undangan")
        await self._schedule_meeting()
        await reach_meeting(self.office)
        await k.upload("draft-rancangan.pdf", b"%PDF-1.4 draft", "Draft Rancangan awal Renja")
        received = await choose(k, "kesepakatan.pdf", b"%PDF-1.4 kesepakatan", "Hasil Kesepakatan")
        await k.press(received, KIRIM, k.edited(received, "Dikirim oleh"))
        await k.task("Sempurnakan Rancangan awal Renja")
        await send(k, "rancangan-v1.pdf", b"%PDF-1.4 rancangan v1")
        await k.task("Sempurnakan Rancangan awal Renja", containing="Lengkapi indikator kinerja")
        await send(k, "rancangan-v2.pdf", b"%PDF-1.4 rancangan v2")
        await k.next(lambda m: "ditandatangani oleh Eka" in m.body, "the signature")

    async def _schedule_meeting(self) -> None:
        """The Forum SKPD: typed time, place, agenda, the Undangan attached, sent."""
        k = self.kasubbag
        task = await k.task("Rapat Forum SKPD")
        asked = k.new(lambda m: "Kapan rapat dimulai" in m.body)
        await k.press(task, "📅 Jadwalkan rapat", asked)
        await k.next(lambda m: "Kapan rapat dimulai" in m.body, "the time question")
        for typed, next_question in (
            ("02/12/2026 09:00", "Di mana rapat diadakan"),
            ("Aula BAPPEDA Lt. 2", "Apa agenda rapat"),
            ("Pembahasan Rancangan awal Renja", "Lampirkan Undangan"),
        ):
            await k.say(typed)
            attach = await k.next(asking(next_question), repr(next_question))
        checked = k.new(lambda m: m.body.startswith("Periksa undangan"))
        await k.press(attach, attach.button_texts()[0], checked)
        check = await k.next(lambda m: m.body.startswith("Periksa undangan"), "the check")
        sent = k.new(lambda m: m.body.startswith("✅ Undangan dikirim"))
        await k.press(check, "✅ Kirim undangan", sent)
        await k.next(lambda m: m.body.startswith("✅ Undangan dikirim"), "the confirmation")

    async def _sekretaris(self) -> None:
        s = self.sekretaris
        review = await s.task("Telaah Konsep pendahuluan Renja")
        await give_back(s, review, "Tambahkan rujukan RENSTRA 2025-2029")
        review = await s.task("Telaah Konsep pendahuluan Renja")
        await s.press(review, "✅ Setujui", s.edited(review, "Disetujui oleh"))
        await s.task("Unggah Rencana Kerja unit")
        await send(s, "renja-sekretariat.pdf", b"%PDF-1.4 renja sekretariat")
        forward = await s.task("Teruskan hasil Forum SKPD", within=3 * s.patience.message)
        await s.press(forward, "✅ Teruskan", s.edited(forward, "oleh Budi Sekretaris"))
        for _ in range(2):  # the Kepala Badan returns it once
            review = await s.task("Telaah Rancangan awal Renja")
            label = "✅ Teruskan ke Kepala Badan"
            await s.press(review, label, s.edited(review, "oleh Budi Sekretaris"))
        await s.next(lambda m: "ditandatangani oleh Eka" in m.body, "the signature")

    async def _kabid(self, kabid: Official, unit: str) -> None:
        await kabid.task("Unggah Rencana Kerja unit")
        await send(kabid, f"renja-{unit}.pdf", f"%PDF-1.4 renja {unit}".encode())
        await kabid.next(invitation, "the invitation to the Forum SKPD")

    async def _kepala_badan(self) -> None:
        kb = self.kepala_badan
        # Their first task comes after most of the SOP: they wait the longest.
        decision = await kb.task("Keputusan Kepala Badan", within=4 * kb.patience.message)
        await give_back(kb, decision, "Lengkapi indikator kinerja per program")
        decision = await kb.task("Keputusan Kepala Badan")
        label = "✅ Setujui & tandatangani"
        await kb.press(decision, label, kb.edited(decision, "ditandatangani oleh Eka"))
        await kb.next(lambda m: m.body.startswith("🎉"), "the end of the draft")

    async def _forum(self, member: Official) -> None:
        within = 3 * member.patience.message  # it comes after rows 1 and 2
        await member.next(invitation, "the invitation to the Forum SKPD", within)


def asking(question: str) -> Predicate:
    return lambda message: question in message.body


def invitation(message: BotMessage) -> bool:
    return message.document is not None and message.document.file_name == "undangan-forum.pdf"


async def send(
    official: Official, name: str, content: bytes, caption: str | None = None
) -> BotMessage:
    """Upload the file, then press Kirim on its receipt."""
    received = await official.upload(name, content, caption)
    await official.press(received, KIRIM, official.edited(received, "Dikirim oleh"))
    return received


async def choose(official: Official, name: str, content: bytes, output: str) -> BotMessage:
    """Send a file without a caption, say which output it is; its receipt."""
    while True:
        question = await official.send_unnamed(name, content, QUESTION)
        await official.press(question, output, official.edited(question, f": {output}."))
        answered = lambda m: m.body.startswith((RECEIVED, DOWNLOAD_FAILED))  # noqa: E731
        try:
            answer = await official.next(answered, name, official.patience.silence)
        except TimeoutError:
            # The question says the file is taken, and then nothing: see
            # test_a_refusal_after_the_output_was_chosen_reaches_the_official.
            official.note(SILENCE, name)
            continue
        if answer.body.startswith(RECEIVED):
            return answer
        official.note(AGAIN, f"{name}: {answer.body}")


async def give_back(official: Official, task: BotMessage, note: str) -> None:
    """Press Kembalikan, write the reason when asked, and see it recorded."""
    asked: Predicate = lambda m: m.body.startswith(ASKED_FOR_REASON)  # noqa: E731
    await official.press(task, "↩️ Kembalikan", official.new(asked))
    await official.next(asked, "the question for a reason")
    await official.say(note)
    await official.next(lambda m: m.body.startswith("↩️ Dikembalikan oleh"), "the echo")
