"""`make demo`: the whole SOP "Menyusun Rencana Kerja" played by seven simulated officials.

The real application polls the project's Bot API emulator on 127.0.0.1; the officials'
phones are :class:`emulator.SimulatedUser`. No token, no configuration: the database and
the archived files live in a temporary directory that is removed at the end.

The Forum SKPD step is a meeting: the officials' group is registered, Rina schedules it,
the participants answer, and the demo's clock moves to the hour before it (a reminder) and
then to its start, since results are refused before the meeting has begun.

Besides the SOPs of sops/ the demo loads one SOP of its own (:data:`DEMO_SOP`, not an SOP
of the office), whose first step Rina holds too: so /baru offers her a choice of two.

The flow is a plain list of steps (:data:`STEPS`). Each step acts on one phone, waits for
the bot's answer, waits until the bot is idle, then prints what every phone received.
To show something new (a reminder, an escalation), add a step class with ``describe`` and
``run`` methods and put it in the list.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import sys
import tempfile
import textwrap
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol, TextIO

from openpyxl import load_workbook

from bot import texts
from bot.app import build_application
from bot.config import PROJECT_ROOT, Settings
from bot.local import FAST_PACING, emulated, emulator_services, polling
from bot.sample_office import OFFICIALS, SampleOfficial, register_officials
from bot.usecases import meetings, officials, reading
from bot.usecases.base import EVERY_AGENCY, Services, load_office_sops
from emulator import (
    BotMessage,
    EmulatorClient,
    MessageVersion,
    SimulatedGroup,
    SimulatedUser,
)
from handlers.context import BotApplication
from handlers.reminders import arm
from workflow.calendar import OfficeCalendar
from workflow.organisation import load_organisation
from workflow.sop import Sop, load_sop

TOKEN = "123456789:DEMO-emulator-token"
TITLE = "Renja BAPPEDA Tahun 2027"
PDF = "application/pdf"
TIMEOUT = 10.0
"""Seconds a step may wait for the bot before the demo gives up."""
IDLE = 0.03
"""The bot counts as idle when it made no Bot API call for this long."""
WIDTH = 100
"""Message text is wrapped to this many columns."""
GROUP_EDIT_SECONDS = 1.0
"""The group's attendance summary is edited at most once a second (10 s in the bot)."""
ORGANISER = 101
"""Rina: the Kasubbag holds the Forum SKPD meeting, and administers the bot."""
DEMO_SOP = Path(__file__).resolve().with_name("demo_sop.yaml")
"""The demo's own SOP (a quarterly monitoring report), loaded beside sops/ so that /baru
has two SOPs to offer; it is not an SOP of the office."""
RENJA = "MENYUSUN RENCANA KERJA"
"""The Renja SOP's title: its button in /baru."""


# -- phones ---------------------------------------------------------------------------------


@dataclass
class Phone:
    """One official's phone, remembering which messages (and edits) were already shown."""

    official: SampleOfficial
    role: str
    user: SimulatedUser
    shown: dict[int, tuple[int, bool]] = field(default_factory=dict)
    """message_id -> (versions already printed, shown as deleted)."""

    @property
    def who(self) -> str:
        unit = self.official.unit
        role = f"{self.role}, {unit}" if unit and unit != self.role else self.role
        return f"{self.official.first_name} ({role})"

    async def snapshot(self) -> dict[int, int]:
        return {m.message_id: _versions(m) for m in await self.user.messages()}

    async def wait_for(self, since: dict[int, int], text: str) -> BotMessage:
        """A message that is new or edited since ``since`` and contains ``text``."""
        return await _wait_for(self.user, self.official.first_name, since, text)

    async def with_button(self, label: str) -> BotMessage:
        """The newest message that shows a button with this label (waiting for it)."""

        def has(m: BotMessage) -> bool:
            return not m.deleted and label in m.button_texts()

        try:
            messages = await self.user.wait_until(lambda ms: any(map(has, ms)), TIMEOUT)
        except TimeoutError:
            raise TimeoutError(
                f"{self.official.first_name} tidak melihat tombol {label!r} "
                f"dalam {TIMEOUT:g} detik"
            ) from None
        return [m for m in messages if has(m)][-1]


@dataclass
class Group:
    """A Telegram group as its members see it: only the bot's messages are printed."""

    title: str
    chat: SimulatedGroup
    shown: dict[int, tuple[int, bool]] = field(default_factory=dict)

    @property
    def who(self) -> str:
        return f"Grup “{self.title}”"

    async def snapshot(self) -> dict[int, int]:
        return {m.message_id: _versions(m) for m in await self.chat.messages()}

    async def wait_for(self, since: dict[int, int], text: str) -> BotMessage:
        """A bot message that is new or edited since ``since`` and contains ``text``."""
        return await _wait_for(self.chat, self.who, since, text)


async def _wait_for(
    chat: SimulatedUser | SimulatedGroup, name: str, since: dict[int, int], text: str
) -> BotMessage:
    def match(m: BotMessage) -> bool:
        return _versions(m) > since.get(m.message_id, 0) and text in m.body

    try:
        messages = await chat.wait_until(lambda ms: any(map(match, ms)), TIMEOUT)
    except TimeoutError:
        raise TimeoutError(
            f"{name} tidak menerima pesan berisi {text!r} dalam {TIMEOUT:g} detik"
        ) from None
    return [m for m in messages if match(m)][-1]


def _versions(message: BotMessage) -> int:
    return len(message.history) + 1


def _version(message: BotMessage, versions: int) -> BotMessage | MessageVersion:
    """The message as it was when it had ``versions`` versions."""
    return message.history[versions - 1] if versions <= len(message.history) else message


def _changed_lines(old: str, new: str) -> list[str]:
    """The lines of ``new`` that ``old`` did not have, when most of it stayed (else none)."""
    kept = set(old.splitlines())
    lines = new.splitlines()
    changed = [line for line in lines if line not in kept]
    return changed if changed and len(changed) * 2 < len(lines) else []


def _first_line(text: str) -> str:
    line = text.split("\n", 1)[0]
    return line if len(line) <= 60 else line[:59] + "…"


# -- the demo -------------------------------------------------------------------------------


@dataclass
class DemoClock:
    """Real time, plus the working minutes the demo skips ahead."""

    offset: timedelta = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


class Demo:
    """The running office: emulator, application, phones, and the printer."""

    def __init__(
        self,
        out: TextIO,
        control: EmulatorClient,
        services: Services,
        application: BotApplication,
        clock: DemoClock,
        phones: list[Phone],
    ) -> None:
        self.out = out
        self.control = control
        self.services = services
        self.application = application
        self.updates = application.update_queue
        self.clock = clock
        self.phones = {phone.official.key: phone for phone in phones}
        self.groups: dict[str, Group] = {}

    def say(self, line: str = "") -> None:
        print(line.rstrip(), file=self.out, flush=True)

    async def settle(self) -> None:
        """Wait until the bot has fetched and handled every update, then is quiet a moment."""
        try:
            async with asyncio.timeout(TIMEOUT):
                calls = -1
                while True:
                    await self.updates.join()  # every update the bot fetched is handled
                    pending = await self.control.pending_updates()  # none left to fetch
                    before, calls = calls, len(await self.control.log())
                    if not pending and calls == before:  # and no Bot API call for a moment
                        return
                    await asyncio.sleep(IDLE)
        except TimeoutError:
            raise TimeoutError(f"bot masih sibuk setelah {TIMEOUT:g} detik") from None

    async def show(self, first: Phone | None = None) -> None:
        """Print every message and edit the phones got since the last call."""
        order = list(self.phones.values())
        if first is not None:
            order.remove(first)
            order.insert(0, first)
        for phone in order:
            for message in await phone.user.messages():
                self._show_message("📱", phone.official.first_name, phone.shown, message)
        for group in self.groups.values():
            for message in await group.chat.messages():
                self._show_message("👥", group.who, group.shown, message)

    def _show_message(
        self, icon: str, name: str, shown: dict[int, tuple[int, bool]], message: BotMessage
    ) -> None:
        state = (_versions(message), message.deleted)
        before = shown.get(message.message_id)
        if before == state:
            return
        shown[message.message_id] = state
        if message.deleted:
            self.say(f"🗑️  {name}: pesan dihapus")
            return
        body, buttons_removed = message.body, False
        if before is None:
            if message.document is not None:
                document = message.document
                size = texts.size_text(document.file_size)
                self.say(f"{icon} {name} menerima berkas 📎 {document.file_name} ({size})")
            else:
                self.say(f"{icon} {name} menerima:")
        else:
            self.say(f"✏️  {name}: pesan diubah:")
            old = _version(message, before[0])
            old_body = old.text if old.text is not None else (old.caption or "")
            if old_body and body == old_body:  # only the buttons went
                self.say(f"   │ [isi tetap: {_first_line(old_body)}]")
                body = ""
            elif old_body and body.startswith(old_body):  # the usual edit: a line appended
                self.say(f"   │ [isi sebelumnya tetap: {_first_line(old_body)}]")
                body = body[len(old_body) :].lstrip("\n")
            elif changed := _changed_lines(old_body, body):  # a line rewritten in place
                self.say(f"   │ [isi lain tetap: {_first_line(old_body)}]")
                body = "\n".join(changed)
            buttons_removed = bool(old.buttons) and not message.buttons
        if body:
            self.bubble(body)
        if message.buttons:
            self.say(f"   [tombol: {' | '.join(message.button_texts())}]")
        if buttons_removed:
            self.say("   [tombol hilang]")
        if message.force_reply:
            self.say("   [menunggu balasan]")

    def bubble(self, body: str) -> None:
        """Message text as on the phone, wrapped for the terminal."""
        for line in body.splitlines() or [""]:
            wrapped = textwrap.wrap(line, WIDTH - 5, break_long_words=False) or [""]
            for part in wrapped:
                self.say(f"   │ {part}")

    async def finish(self) -> None:
        """The audit trail, and a check that the draft really is signed."""
        await self.settle()
        await self.show()
        draft, trail = reading.history(self.services, scope=EVERY_AGENCY, draft_id=1)
        sop = self.services.sops[draft.sop_id]
        tz = self.services.calendar.tz
        self.say()
        self.say(f"═══ Jejak audit (workflow.history): {draft.title} (#{draft.id})")
        day: date | None = None
        for line in trail:
            at = line.at.astimezone(tz)
            if at.date() != day:  # the demo's clock skips to the day of the meeting
                day = at.date()
                self.say(f"   ── {texts.date_text(at, tz)}")
            who = texts.acting_who(line.actor, line.acting, line.position_name)
            text = f"{at:%H:%M:%S} · L{line.row_label} {sop.task(line.task_id).judul}: {who} "
            text += texts.trail_action(line.action, line.acting, line.position_name)
            if line.document is not None:
                text += f" {line.document.file_name} (versi {line.document.version})"
            if line.note:
                text += f": “{line.note}”"
            self.say(f"   {text}")
        signers = [line.actor for line in trail if line.action == "tandatangani"]
        if draft.status != "selesai" or not signers:
            raise RuntimeError(f"draft belum ditandatangani (status: {draft.status})")
        self.say()
        self.say(f"Selesai: draft ditandatangani oleh {signers[-1]} (Kepala Badan).")


# -- steps ----------------------------------------------------------------------------------


class Step(Protocol):
    def describe(self, demo: Demo) -> str: ...

    async def run(self, demo: Demo) -> Phone | None:
        """Act and wait for the bot's answer; returns the phone that acted."""
        ...


@dataclass(frozen=True)
class Heading:
    """A title between parts of the story."""

    title: str

    def describe(self, demo: Demo) -> str:
        return f"═══ {self.title}"

    async def run(self, demo: Demo) -> Phone | None:
        return None


@dataclass(frozen=True)
class Note:
    """A line of narration: what the phones just showed, and why."""

    text: str

    def describe(self, demo: Demo) -> str:
        return f"ℹ️  {self.text}"

    async def run(self, demo: Demo) -> Phone | None:
        return None


@dataclass(frozen=True)
class Type:
    """An official types a message (or a command) and waits for an answer containing ``expect``.

    With ``group`` the message is written in that group, and the answer awaited there.
    """

    who: str
    text: str
    expect: str
    group: str | None = None

    def describe(self, demo: Demo) -> str:
        where = f" di {demo.groups[self.group].who}" if self.group else ""
        return f"── {demo.phones[self.who].who} mengetik{where}: {self.text}"

    async def run(self, demo: Demo) -> Phone | None:
        phone = demo.phones[self.who]
        if self.group is not None:
            group = demo.groups[self.group]
            since = await group.snapshot()
            await phone.user.send_text(self.text, group=group.chat)
            await group.wait_for(since, self.expect)
            return phone
        since = await phone.snapshot()
        await phone.user.send_text(self.text)
        await phone.wait_for(since, self.expect)
        return phone


@dataclass(frozen=True)
class OpenGroup:
    """An official creates a Telegram group of some officials and adds the bot to it."""

    key: str
    title: str
    by: str
    members: tuple[str, ...]
    chat_id: int = -100200300

    def describe(self, demo: Demo) -> str:
        names = ", ".join(demo.phones[key].official.first_name for key in self.members)
        return (
            f"── {demo.phones[self.by].who} membuat grup Telegram “{self.title}” "
            f"bersama {names}, lalu menambahkan Renja Bot"
        )

    async def run(self, demo: Demo) -> Phone | None:
        creator = demo.phones[self.by]
        users = [creator.user, *(demo.phones[key].user for key in self.members)]
        chat = await demo.control.group(self.chat_id, self.title, users, admins=[creator.user])
        await chat.add_bot(by=creator.user)
        demo.groups[self.key] = Group(self.title, chat)
        return creator


@dataclass(frozen=True)
class GroupSummary:
    """The group post's attendance summary is edited (not at every answer: at most once in
    GROUP_EDIT_SECONDS), and shows ``expect``."""

    group: str
    expect: str

    def describe(self, demo: Demo) -> str:
        return (
            f"⏱️  Ringkasan kehadiran di {demo.groups[self.group].who} diperbarui "
            f"(paling sering sekali per {GROUP_EDIT_SECONDS:g} detik)"
        )

    async def run(self, demo: Demo) -> Phone | None:
        group = demo.groups[self.group]
        printed = {message_id: versions for message_id, (versions, _) in group.shown.items()}
        for message in await group.chat.messages():
            if self.expect in message.body and printed.get(message.message_id) == _versions(
                message
            ):
                return None  # the edit came early, and a step before this one showed it
        await group.wait_for(printed, self.expect)  # maybe there already, not yet printed
        return None


@dataclass(frozen=True)
class Upload:
    """An official sends a file (a small fake PDF) and waits for the bot's answer."""

    who: str
    file_name: str
    caption: str | None = None
    expect: str = "✅ Diterima"

    def describe(self, demo: Demo) -> str:
        caption = f" dengan keterangan “{self.caption}”" if self.caption else ""
        return f"── {demo.phones[self.who].who} mengirim berkas {self.file_name}{caption}"

    async def run(self, demo: Demo) -> Phone | None:
        phone = demo.phones[self.who]
        since = await phone.snapshot()
        content = f"%PDF-1.4 demo {self.file_name}\n".encode()
        await phone.user.send_document(self.file_name, content, PDF, caption=self.caption)
        await phone.wait_for(since, self.expect)
        return phone


@dataclass(frozen=True)
class Press:
    """An official presses a button on the newest message that shows it.

    Without ``expect`` the step waits until that message is edited and loses its buttons.
    """

    who: str
    label: str
    expect: str | None = None

    def describe(self, demo: Demo) -> str:
        return f"👆 {demo.phones[self.who].who} menekan {self.label}"

    async def run(self, demo: Demo) -> Phone | None:
        phone = demo.phones[self.who]
        message = await phone.with_button(self.label)
        since = await phone.snapshot()
        query_id = await phone.user.press(message, self.label)
        answer = await phone.user.callback_answer(query_id, wait=TIMEOUT)
        if answer is not None and answer.text:
            demo.say(f"   💬 {phone.official.first_name} melihat notifikasi: {answer.text}")
        if self.expect is not None:
            await phone.wait_for(since, self.expect)
            return phone

        def done(ms: list[BotMessage]) -> bool:
            return any(m.message_id == message.message_id and not m.buttons for m in ms)

        try:
            await phone.user.wait_until(done, TIMEOUT)
        except TimeoutError:
            raise TimeoutError(
                f"pesan {phone.official.first_name} masih menampilkan tombol "
                f"setelah {self.label!r}"
            ) from None
        return phone


@dataclass(frozen=True)
class Elapse:
    """Time passes (the demo skips ahead); the reminders it brings are awaited.

    ``expect`` pairs an official with text their phone must receive.
    """

    minutes: int
    expect: tuple[tuple[str, str], ...]

    def describe(self, demo: Demo) -> str:
        return f"⏳ {self.minutes} menit berlalu (jam demo dipercepat)"

    async def run(self, demo: Demo) -> Phone | None:
        since = {key: await demo.phones[key].snapshot() for key, _ in self.expect}
        demo.clock.offset += timedelta(minutes=self.minutes)
        await arm(demo.application)  # what real time passing does: the alarm goes off
        for key, text in self.expect:
            await demo.phones[key].wait_for(since[key], text)
        return None


@dataclass(frozen=True)
class UntilMeeting:
    """The demo's clock moves to ``before`` the Forum SKPD meeting's start; the reminders it
    brings are awaited (``expect`` pairs an official with text their phone must receive)."""

    before: timedelta
    label: str
    expect: tuple[tuple[str, str], ...] = ()

    def target(self, demo: Demo) -> datetime:
        found = meetings.report(demo.services, telegram_id=ORGANISER, draft_id=1)
        return found.meeting.starts_at - self.before

    def describe(self, demo: Demo) -> str:
        when = texts.when_text(self.target(demo), demo.services.tz)
        return f"⏳ Jam demo maju ke {when}: {self.label}"

    async def run(self, demo: Demo) -> Phone | None:
        since = {key: await demo.phones[key].snapshot() for key, _ in self.expect}
        demo.clock.offset += max(timedelta(), self.target(demo) - demo.clock())
        await arm(demo.application)  # what real time passing does: the alarm goes off
        for key, text in self.expect:
            await demo.phones[key].wait_for(since[key], text)
        return None


@dataclass(frozen=True)
class AskReport:
    """An official asks for the performance report of the year the demo's draft was started
    in, and waits for its text."""

    who: str

    def command(self, demo: Demo) -> str:
        (draft,) = reading.draft_status(demo.services, scope=EVERY_AGENCY, draft_id=1)
        year = draft.draft.created_at.astimezone(demo.services.tz).year
        return f"/laporan renja {year}"

    def describe(self, demo: Demo) -> str:
        return f"── {demo.phones[self.who].who} mengetik: {self.command(demo)}"

    async def run(self, demo: Demo) -> Phone | None:
        phone = demo.phones[self.who]
        since = await phone.snapshot()
        await phone.user.send_text(self.command(demo))
        await phone.wait_for(since, "Laporan kinerja")
        return phone


@dataclass(frozen=True)
class ReadWorkbook:
    """The official opens the workbook the bot sent (once the chart and it have arrived):
    its Ringkasan sheet, row by row, as openpyxl reads it."""

    who: str

    def describe(self, demo: Demo) -> str:
        return f"📒 {demo.phones[self.who].who} membuka lembar kerja laporan, lembar Ringkasan"

    async def run(self, demo: Demo) -> Phone | None:
        phone = demo.phones[self.who]

        def has(suffix: str, messages: list[BotMessage]) -> bool:
            return any(
                m.document is not None and (m.document.file_name or "").endswith(suffix)
                for m in messages
            )

        try:
            messages = await phone.user.wait_until(
                lambda ms: has(".png", ms) and has(".xlsx", ms), TIMEOUT
            )
        except TimeoutError:
            raise TimeoutError(
                f"{phone.official.first_name} tidak menerima grafik dan lembar kerja "
                f"dalam {TIMEOUT:g} detik"
            ) from None
        await demo.show(first=phone)
        book = [
            m for m in messages if m.document and (m.document.file_name or "").endswith(".xlsx")
        ]
        document = book[-1].document
        assert document is not None
        data = await phone.user.download(document)
        sheet = load_workbook(io.BytesIO(data), read_only=True)["Ringkasan"]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        wanted = ("Langkah", "Jumlah", "Median", "P90", "Mutu baku", "Persen tepat waktu")
        header = [str(cell) for cell in rows[0]]
        columns = [i for i, name in enumerate(header) if name.startswith(wanted)]
        table = [[header[i].split(" (")[0] for i in columns]]
        for row in rows[1:]:
            table.append([_cell(row[i], header[i]) for i in columns])
        widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
        demo.say(f"   {document.file_name} ({texts.size_text(len(data))}), lembar Ringkasan:")
        for line in table:
            demo.say("   │ " + "  ".join(v.rjust(w) for v, w in zip(line, widths, strict=True)))
        return None


def _cell(value: object, header: str) -> str:
    """A workbook value as the sheet shows it: a share as a percentage, a median with one
    decimal (Indonesian comma)."""
    if isinstance(value, int | float) and header.startswith("Persen"):
        return f"{round(value * 100)}%"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return texts.decimal_text(float(value))
    return "" if value is None else str(value)


def _unit_uploads() -> list[Step]:
    steps: list[Step] = []
    for who, file_name in (
        ("citra", "renja-bidang-ekonomi.pdf"),
        ("dodi", "renja-bidang-infrastruktur.pdf"),
        ("budi", "renja-sekretariat.pdf"),
    ):
        steps += [Upload(who, file_name), Press(who, "📤 Kirim")]
    return steps


STEPS: Sequence[Step] = [
    Heading("Persiapan: setiap pejabat membuka Renja Bot"),
    *[Type(o.key, "/start", expect="Selamat datang") for o in OFFICIALS],
    Heading("Langkah 1: konsep pendahuluan dan Nota Dinas"),
    Type("rina", "/baru", expect=texts.CHOOSE_SOP),
    Note(
        "Rina memegang langkah pertama dua SOP: /baru menawarkan keduanya "
        f"(“{RENJA}” dan SOP contoh demo “LAPORAN MONEV TRIWULAN”); ia memilih Renja."
    ),
    Press("rina", RENJA, expect="Tulis judul draft"),
    Type("rina", TITLE, expect="Unggah Konsep pendahuluan Renja"),
    Upload("rina", "konsep-v1.pdf"),
    Press("rina", "📤 Kirim"),
    Heading("Waktu berjalan: pengingat dan eskalasi (langkah 1: 60 menit)"),
    Elapse(48, expect=(("budi", "⏰ Pengingat"),)),
    Elapse(12, expect=(("budi", "⏰ Batas waktu sudah tiba"), ("eka", "🔺 Eskalasi"))),
    Press("budi", "↩️ Kembalikan", expect="Tulis alasan"),
    Type("budi", "Tambahkan rujukan RENSTRA 2025-2029", expect="↩️ Dikembalikan oleh"),
    Upload("rina", "konsep-v2.pdf"),
    Press("rina", "📤 Kirim"),
    Press("budi", "✅ Setujui"),
    Upload("rina", "nota-dinas.pdf"),
    Press("rina", "📤 Kirim"),
    Heading("Langkah 2: rencana kerja unit dan undangan Forum SKPD"),
    *_unit_uploads(),
    Upload("rina", "undangan-forum.pdf"),
    Press("rina", "📤 Kirim"),
    Heading("Forum SKPD: grup Telegram, jadwal rapat, undangan"),
    OpenGroup("forum", "Forum SKPD Kalbar", by="rina", members=("fajar", "gita")),
    Type("rina", "/forum_grup", expect="terdaftar", group="forum"),
    Press("rina", texts.JADWALKAN, expect="Kapan rapat dimulai"),
    Type("rina", "besok 09:00", expect="Di mana rapat diadakan"),
    Type("rina", "Aula BAPPEDA Lt. 2", expect="Apa agenda rapat"),
    Type("rina", "Pembahasan Rancangan awal Renja 2027", expect="Lampirkan Undangan"),
    Press("rina", "📎 Undangan Rapat v1", expect="Periksa undangan"),
    Press("rina", texts.KIRIM_UNDANGAN, expect="✅ Undangan dikirim"),
    Heading("Jawaban peserta dan ringkasan kehadiran di grup"),
    Press("fajar", texts.HADIR, expect="Jawaban Bapak/Ibu: ✅ Hadir"),
    GroupSummary("forum", expect="✅ Hadir 1 · 👥 Diwakilkan 0"),
    Press("gita", texts.DIWAKILKAN, expect="Siapa yang mewakili"),
    Type("gita", "Hendra Wijaya, Sekretaris Dinas Pendidikan", expect="Tercatat: 👥 Diwakilkan"),
    GroupSummary("forum", expect="✅ Hadir 1 · 👥 Diwakilkan 1"),
    Heading("Waktu berjalan: pengingat rapat, lalu rapat dimulai"),
    UntilMeeting(
        timedelta(hours=1),
        "satu jam sebelum rapat",
        expect=(("fajar", "⏰ Pengingat rapat"), ("gita", "⏰ Pengingat rapat")),
    ),
    UntilMeeting(timedelta(), "rapat dimulai"),
    Upload("rina", "draft-rancangan.pdf", caption="Draft Rancangan awal Renja"),
    Upload("rina", "kesepakatan.pdf", expect="Berkas ini untuk output yang mana?"),
    Press("rina", "Hasil Kesepakatan", expect="✅ Diterima"),
    Press("rina", "📤 Kirim"),
    Heading("Langkah 3–5: penyempurnaan, telaah, keputusan Kepala Badan"),
    Press("budi", "✅ Teruskan"),
    Upload("rina", "rancangan-v1.pdf"),
    Press("rina", "📤 Kirim"),
    Press("budi", "✅ Teruskan ke Kepala Badan"),
    Press("eka", "↩️ Kembalikan", expect="Tulis arahan"),
    Type("eka", "Lengkapi indikator kinerja per program", expect="↩️ Dikembalikan oleh"),
    Upload("rina", "rancangan-v2.pdf"),
    Press("rina", "📤 Kirim"),
    Press("budi", "✅ Teruskan ke Kepala Badan"),
    Press("eka", "✅ Setujui & tandatangani"),
]

ENDING: Sequence[Step] = [
    Heading("Laporan kinerja: Kepala Badan meminta /laporan"),
    AskReport("eka"),
    ReadWorkbook("eka"),
]
"""After the signature (and the audit trail): the report, its chart and its workbook."""


# -- running --------------------------------------------------------------------------------


def quiet_logging() -> None:
    """Only the story: no HTTP request lines, no library chatter."""
    for name in ("httpx", "httpcore", "telegram", "apscheduler", "aiohttp", "alembic"):
        logging.getLogger(name).setLevel(logging.ERROR)


def demo_sops(settings: Settings) -> dict[str, Sop]:
    """The office's SOPs (sops/) and the demo's own (:data:`DEMO_SOP`)."""
    sops = load_office_sops(settings)
    extra = load_sop(DEMO_SOP, organisation=load_organisation(settings.organization_file))
    assert extra.id not in sops, f"id SOP demo '{extra.id}' sudah dipakai di sops/"
    return {**sops, extra.id: extra}


async def play(
    out: TextIO, steps: Sequence[Step], root: Path, ending: Sequence[Step] = ()
) -> None:
    clock = DemoClock()
    async with emulated(
        root,
        TOKEN,
        sops_dir=PROJECT_ROOT / "sops",
        admin_telegram_ids=[ORGANISER],
        send_group_per_minute=6000,
        group_edit_seconds=GROUP_EDIT_SECONDS,
        **FAST_PACING,  # the demo's emulator enforces no flood limits
    ) as (_, control, settings):
        services = emulator_services(
            settings,
            sops=demo_sops(settings),
            calendar=OfficeCalendar.twenty_four_hours(),
            clock=clock,
        )
        register_officials(services, first_names=True)  # the story speaks of first names
        phones = []
        for official in OFFICIALS:
            role = officials.position_label(services, position=official.position)
            user = await control.user(official.telegram_id, official.first_name)
            phones.append(Phone(official, role, user))
        application = build_application(settings, services=services)
        demo = Demo(out, control, services, application, clock, phones)
        async with polling(application) as running:
            await perform(demo, steps, running)
            await demo.finish()
            await perform(demo, ending, running, offset=len(steps))


async def perform(
    demo: Demo, steps: Sequence[Step], running: asyncio.Task[None], *, offset: int = 0
) -> None:
    """Each step in turn: describe it, run it, wait for the bot, show what it sent."""
    total = offset + len(steps)
    for number, step in enumerate(steps, start=offset + 1):
        demo.say()
        demo.say(step.describe(demo))
        try:
            acted = await step.run(demo)
            await demo.settle()
        except Exception as error:
            raise StepFailed(number, total, step.describe(demo), error) from error
        await demo.show(first=acted)
        if running.done():
            raise RuntimeError("bot berhenti di tengah demo")


class StepFailed(Exception):
    """A step of the demo did not get the answer it waited for."""

    def __init__(self, number: int, total: int, step: str, error: Exception) -> None:
        super().__init__(
            f"tahap {number} dari {total} ({step.strip()}): {type(error).__name__}: {error}"
        )


async def run(
    out: TextIO | None = None,
    steps: Sequence[Step] = STEPS,
    ending: Sequence[Step] = ENDING,
    *,
    keep: Path | None = None,
) -> int:
    """Play the demo; 0 when the draft ends signed (and the `ending` steps, the report,
    went through), 1 (with the reason on stderr) if not.

    `keep`: an empty folder (absolute) to play in, kept afterwards with the office's
    database (`renja.db`) and files (`files/`); by default a temporary folder, removed at
    the end."""
    out = out or sys.stdout
    quiet_logging()
    started = time.monotonic()
    print(
        "Renja Bot — demo SOP “Menyusun Rencana Kerja” di emulator Bot API (127.0.0.1).\n"
        "Tujuh pejabat simulasi; basis data sementara; tanpa token.",
        file=out,
        flush=True,
    )
    try:
        if keep is not None:
            await play(out, steps, keep, ending)
        else:
            with tempfile.TemporaryDirectory(prefix="renja-demo-") as root:
                await play(out, steps, Path(root), ending)
    except Exception as error:
        reason = error if isinstance(error, StepFailed) else f"{type(error).__name__}: {error}"
        print(f"\n❌ Demo gagal pada {reason}", file=sys.stderr, flush=True)
        return 1
    print(f"(demo selesai dalam {time.monotonic() - started:.1f} detik)", file=out, flush=True)
    if keep is not None:
        print(
            f"Basis data demo disimpan: sqlite:///{keep / 'renja.db'} "
            f"(berkas di {keep / 'files'}).",
            file=out,
            flush=True,
        )
    return 0


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.demo",
        description="Demo SOP Menyusun Rencana Kerja di emulator Bot API (127.0.0.1).",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="FOLDER",
        help="folder baru tempat demo berjalan dan yang disimpan sesudahnya: basis data "
        "renja.db dan berkas (files/), misalnya untuk `renja-bot db copy`",
    )
    args = parser.parse_args(argv)
    keep: Path | None = args.keep
    if keep is not None:
        if keep.exists():
            parser.error(f"{keep} sudah ada: sebutkan folder baru")
        keep = keep.resolve()
        keep.mkdir(parents=True)
    try:
        return asyncio.run(run(out, keep=keep))
    except KeyboardInterrupt:
        print("\nDemo dihentikan.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
