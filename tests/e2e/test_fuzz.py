"""Random updates and button payloads thrown at the running bot, through the emulator.

One bot runs for each property (the `office` fixture, shared by all of its examples).
Before each example the holder of an open task does what it asks (`advance`), so that
across the examples drafts walk through every row of the SOP, one after another. Then
strangers and officials send random texts, commands with random arguments, documents,
photos, stickers, edits, and presses with random callback data on real messages (their
own, or a holder's live task message forwarded to them).

- Every press is answered, and no exception escapes to the error handler.
- Whoever may not act now changes nothing: the office's state is the same after.
- When anyone acts, the audit trail and the document versions only grow.
"""

from __future__ import annotations

import os
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.callbacks import Press, Verb
from bot.limits import MESSAGE_LIMIT, chunks, plain_text, visible_len
from bot.sample_office import OFFICIALS
from bot.usecases import reading
from emulator import BotMessage, EmulatorError, SimulatedUser
from emulator.client import LogEntry
from tests.e2e.conftest import Office
from tests.e2e.probes import failures, forget_throttle, settle, snapshot

PDF = "application/pdf"
STRANGERS = (801, 802, 803)
OFFICIAL_IDS = tuple(official.telegram_id for official in OFFICIALS)
EVERYONE = OFFICIAL_IDS + STRANGERS
KASUBBAG = 101  # she may always start a draft: never an outsider
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
"""Examples of the first property (the second runs two thirds as many), each of up to
MOVES acts: FUZZ_EXAMPLES=2000 for a long run."""
MOVES = 10

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    # One running bot for every example is the point: it is set up once per property.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Act:
    """One thing a user does on their phone; `pick` chooses among what is there."""

    kind: str
    text: str = ""
    data: bytes = b""
    pick: int = 0


@dataclass
class Stage:
    """The running office, and where its work stands."""

    office: Office
    uploads: int = 0
    drafts: int = 0
    live: tuple[SimulatedUser, BotMessage] | None = None
    """A holder's newest message with buttons: what outsiders press, forwarded to them."""
    outsiders: list[int] = field(default_factory=list)
    """Who holds no open task now and may not start a draft."""

    @property
    def phones(self) -> dict[int, SimulatedUser]:
        return self.office.phones

    def __repr__(self) -> str:  # what Hypothesis prints with a failing example
        return f"Stage(drafts={self.drafts}, uploads={self.uploads}, outsiders={self.outsiders})"


# Strategies ---------------------------------------------------------------------------------

COMMANDS = (
    "start",
    "bantuan",
    "help",
    "renja_baru",
    "baru",
    "rapat",
    "forum_grup",
    "tugas",
    "status",
    "riwayat",
    "sop",
    "laporan",
    "batal",
    "plh",
    "plt",
    "undang",
    "kotak_keluar",
    "tidak_ada",
    "start@renja_bot",
)
VERBS = (*(verb.value for verb in Verb), "zz", "")
"""Every button the bot makes (meetings', outcomes', /baru's too), and two it never does."""
HOSTILE_CHARS = "\u202e\u200b\ufeff\x00\n\r\t<>&\"'²١👍🏽é\u0301 "

words = st.text(
    alphabet=st.one_of(st.characters(codec="utf-8"), st.sampled_from(HOSTILE_CHARS)),
    min_size=1,
    max_size=200,
).filter(lambda text: text.strip() != "")
numbers = st.one_of(
    st.integers(0, 12).map(str),
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["", "01", "²", "١٢", "#1", "1e3", " 1", "0x1"]),
)
arguments = st.lists(st.one_of(numbers, words.map(lambda t: t.replace("\n", " "))), max_size=3)
commands = st.builds(
    lambda name, args: " ".join([f"/{name}", *args]), st.sampled_from(COMMANDS), arguments
)
payloads = st.one_of(
    st.builds(
        lambda version, verb, first, second: f"{version}:{verb}:{first}:{second}",
        st.sampled_from(["1", "0", "2", ""]),
        st.sampled_from(VERBS),
        numbers,
        numbers,
    ),
    st.text(min_size=1, max_size=64),
)
MAGIC = (b"", b"%PDF-1.4\n", b"MZ", b"PK\x03\x04", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
contents = st.builds(
    lambda magic, rest: magic + rest, st.sampled_from(MAGIC), st.binary(max_size=600)
)
names = st.one_of(
    st.sampled_from(["konsep.pdf", "program.exe", "laporan\u202efdp.exe", "a\nb.pdf", ".."]),
    st.text(alphabet=st.sampled_from(string.ascii_letters + HOSTILE_CHARS + "./\\"), max_size=90),
)
picks = st.integers(0, 50)

acts = st.one_of(
    st.builds(Act, st.just("text"), words),
    st.builds(Act, st.just("text"), commands),
    st.builds(Act, st.just("press"), payloads, pick=picks),
    st.builds(Act, st.just("press_live"), payloads),
    st.builds(Act, st.just("press_button"), pick=picks),
    st.builds(Act, st.just("press_live_button"), pick=picks),
    st.builds(Act, st.just("document"), names, contents, picks),
    st.builds(Act, st.just("photo"), st.one_of(st.just(""), words), contents),
    st.builds(Act, st.sampled_from(["sticker", "voice", "location", "contact"])),
    st.builds(Act, st.just("edit"), words, pick=picks),
)
helpful = st.one_of(
    st.builds(Act, st.just("upload"), data=st.binary(max_size=40), pick=picks),
    st.builds(Act, st.just("press_button"), pick=picks),
    st.builds(Act, st.just("text"), st.sampled_from(["/tugas", "/renja_baru Renja 2028"])),
    st.builds(Act, st.just("text"), st.just("Mohon dilengkapi datanya.")),
)
"""What moves a draft along (or back): for the property in which anyone may act."""
moves = st.lists(st.tuples(st.integers(0, len(EVERYONE) - 1), acts), max_size=MOVES)


# Playing the acts ---------------------------------------------------------------------------


async def perform(stage: Stage, phone: SimulatedUser, act: Act) -> str | None:
    """Do one act on a phone; returns the callback query id of a press."""
    try:
        return await _perform(stage, phone, act)
    except EmulatorError:
        return None  # what a phone could not send (a text too long, no such message...)


async def _perform(stage: Stage, phone: SimulatedUser, act: Act) -> str | None:
    if act.kind == "text":
        await phone.send_text(act.text)
    elif act.kind == "press":
        own = await phone.messages()
        if own:
            return await phone.press_forged(own[act.pick % len(own)], act.text)
        if stage.live is not None:
            owner, message = stage.live
            return await phone.press_forged(message, act.text, owner=owner)
    elif act.kind == "press_live" and stage.live is not None:
        owner, message = stage.live
        return await phone.press_forged(message, act.text, owner=owner)
    elif act.kind == "press_button":
        with_buttons = [m for m in await phone.messages() if m.buttons]
        if with_buttons:
            message = with_buttons[-1 - act.pick % len(with_buttons)]  # the newest, mostly
            labels = message.button_texts()
            return await phone.press(message, labels[act.pick % len(labels)])
    elif act.kind == "press_live_button" and stage.live is not None:
        owner, message = stage.live
        labels = message.button_texts()
        return await phone.press_forwarded(owner, message, labels[act.pick % len(labels)])
    elif act.kind == "document":
        caption = ("Konsep pendahuluan Renja", "#1", "Nomor: 1/2/3", None)[act.pick % 4]
        await phone.send_document(act.text, act.data, PDF, caption=caption)
    elif act.kind == "upload":
        sop = stage.office.services.sops[stage.office.services.default_sop]
        outputs = [document.nama for document in sop.dokumen.values()]
        caption = outputs[act.pick % len(outputs)] if act.pick < 3 * len(outputs) else None
        await phone.send_document("dokumen.pdf", b"%PDF-1.4\n" + act.data, PDF, caption=caption)
    elif act.kind == "photo":
        await phone.send_photo(act.data or b"\xff\xd8\xff", caption=act.text or None)
    elif act.kind == "sticker":
        await phone.send_sticker()
    elif act.kind == "voice":
        await phone.send_voice()
    elif act.kind == "location":
        await phone.send_location(-0.03, 109.34)
    elif act.kind == "contact":
        await phone.send_contact("+62812", "Budi", user_id=102)
    elif act.kind == "edit":
        # The user's own messages lie between the bot's: try an id near the end.
        mine = await phone.messages()
        newest = mine[-1].message_id if mine else 1
        await phone.edit_text(max(1, newest - act.pick % 5), act.text)
    return None


async def advance(stage: Stage) -> None:
    """One holder of an open task does what it asks, over HTTP: the workflow walks on.

    Presses Setujui, or Kirim once a receipt offers it, else uploads one of the task's
    documents; with no open task, the Kasubbag starts a new draft. Then notes who holds
    nothing, and a holder's live message for outsiders to press.
    """
    await _advance(stage)
    await settle(stage.office, deliver=True)
    services = stage.office.services
    holders = {t for t in OFFICIAL_IDS if reading.open_tasks_for(services, telegram_id=t)}
    stage.outsiders = [t for t in EVERYONE if t not in holders and t != KASUBBAG]
    stage.live = None
    for telegram_id in sorted(holders):
        phone = stage.phones[telegram_id]
        live = [m for m in await phone.messages() if m.buttons]
        if live:
            stage.live = (phone, live[-1])
            return


async def _advance(stage: Stage) -> None:
    services = stage.office.services
    sop = services.sops[services.default_sop]
    for telegram_id in OFFICIAL_IDS:
        briefings = reading.open_tasks_for(services, telegram_id=telegram_id)
        if not briefings:
            continue
        found, phone = briefings[0], stage.phones[telegram_id]
        verb = Verb.KIRIM if found.task.is_upload else Verb.SETUJUI
        data = Press(verb, found.draft.id, found.draft_task_id).encode()
        for message in reversed(await phone.messages()):
            labels = [b.text for row in message.buttons for b in row if b.callback_data == data]
            if labels:
                await phone.press(message, labels[0])
                return
        if not found.task.is_upload:
            # Its buttons went (a stale copy): ask for that draft's task again.
            await phone.send_text(f"/tugas {found.draft.id}")
            return
        # A briefing's missing documents are the whole task's, every unit's, so they cannot
        # say what this official still owes: the task's documents are sent in turn.
        documents = [sop.document(key).nama for key in found.task.dokumen]
        stage.uploads += 1
        name = documents[stage.uploads % len(documents)]
        content = b"%PDF-1.4 " + str(stage.uploads).encode()
        await phone.send_document("unggah.pdf", content, PDF, caption=f"#{found.draft.id} {name}")
        return
    stage.drafts += 1
    await stage.phones[KASUBBAG].send_text(f"/renja_baru Renja Fuzz {stage.drafts}")


async def play(
    stage: Stage,
    people: list[int],
    chosen: list[tuple[int, Act]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Play the acts, each by one of `people`; let the bot handle them; check every press
    was answered and nothing was logged as an error."""
    presses: list[tuple[SimulatedUser, str]] = []
    for who, act in chosen:
        phone = stage.phones[people[who % len(people)]]
        query = await perform(stage, phone, act)
        if query is not None:
            presses.append((phone, query))
    await settle(stage.office, deliver=False)  # what the bot owes goes out meanwhile
    for phone, query in presses:
        assert await phone.callback_answer(query, wait=5) is not None, f"press {query} unanswered"
    assert failures(caplog) == []


@pytest.fixture(autouse=True)
def fresh_throttle() -> Iterator[None]:
    forget_throttle()
    yield
    forget_throttle()


@pytest.fixture
async def stage(office: Office) -> Stage:
    """The office, with a few strangers' phones."""
    for telegram_id in STRANGERS:
        await office.phone(telegram_id, "Tamu")
    return Stage(office)


# Properties ---------------------------------------------------------------------------------


@FUZZ
@given(chosen=moves)
async def test_people_who_may_not_act_change_nothing(
    stage: Stage, chosen: list[tuple[int, Act]], caplog: pytest.LogCaptureFixture
) -> None:
    await advance(stage)
    before = snapshot(stage.office.services)
    await play(stage, stage.outsiders, chosen, caplog)
    assert snapshot(stage.office.services) == before
    if stage.live is not None:
        owner, message = stage.live
        (now,) = [m for m in await owner.messages() if m.message_id == message.message_id]
        assert now.buttons == message.buttons and now.body == message.body


@settings(FUZZ, max_examples=EXAMPLES * 2 // 3)
@given(chosen=st.lists(st.tuples(picks, st.one_of(helpful, helpful, acts)), max_size=MOVES))
async def test_anyone_acting_at_random_leaves_an_append_only_record(
    stage: Stage, chosen: list[tuple[int, Act]], caplog: pytest.LogCaptureFixture
) -> None:
    await advance(stage)
    before = snapshot(stage.office.services)
    await play(stage, list(OFFICIAL_IDS), chosen, caplog)
    await settle(stage.office, deliver=True)
    after = snapshot(stage.office.services)
    for table in ("AuditEntry", "DocumentVersion", "Official"):
        assert after[table][: len(before[table])] == before[table], table
    assert len(after["Draft"]) >= len(before["Draft"])
    open_rows = [t for t in after["DraftTask"] if t["is_open"]]
    assert len({t["draft_id"] for t in open_rows}) == len(open_rows)  # one open task a draft
    assert refused_sends(await stage.office.control.log()) == []


def refused_sends(log: list[LogEntry]) -> list[str]:
    """What Telegram refused the bot, but edits that changed nothing (stale buttons) and
    answers to presses already answered."""
    harmless = ("message is not modified", "query is too old")
    return [
        f"{entry.method}: {entry.error}"
        for entry in log
        if entry.error and not any(text in entry.error for text in harmless)
    ]


@settings(max_examples=100, deadline=None, database=None)
@given(
    st.lists(
        st.one_of(
            words.map(lambda text: f"• {escape(text, quote=False)}"),
            st.just("<b>Waktu per langkah</b>"),
            # A line longer than a message on its own, of what HTML escapes or Telegram
            # counts twice (built, not drawn character by character: it is cheaper).
            st.builds(
                lambda unit, count: f"• catatan: “{escape(unit * count, quote=False)}”",
                st.sampled_from(["<", "&", ">", "👍", "é\u0301", "ab "]),
                st.integers(1000, 5000),
            ),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_history_parts_fit_telegram_and_lose_no_line(lines: list[str]) -> None:
    html = "\n".join(line.replace("\n", " ") for line in lines)
    parts = chunks(html)
    assert all(visible_len(part) <= MESSAGE_LIMIT for part in parts)
    if all(visible_len(line) <= MESSAGE_LIMIT for line in html.split("\n")):
        assert plain_text("\n".join(parts)) == plain_text(html)
