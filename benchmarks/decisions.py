"""Decisions per second: Setujui presses on real task messages, 1 and 16 in flight.

Our bot is the real `build_application`, polling the emulator, with many drafts waiting at
the Sekretaris's review (Telaah Konsep pendahuluan Renja), held by one official or, with
acting officials (Plt., Plh.), by three. Every press is a real transition: the pressed
message is rewritten, the next holder (the Kasubbag) gets the task Terbitkan Nota Dinas.

The baseline is a bare python-telegram-bot bot on the project's emulator in the same run:
the default `Application`, polled by the same loop, whose handler only answers the press
and sends one message to the next holder (`benchmarks/botprocess.py`).

A decision is in flight from its press until the next holder's message has arrived; the
officials keep 1 (or 16) in flight. Decisions per second are the presses divided by the
time from the first press to the last next-holder message; latencies come from the
emulator's log. The two bots run at the same time, each in a process of its own with an
emulator of its own, and take turns: a quarter of the decisions on one, then on the other,
and so on, so that what else the machine does at that moment weighs on both alike. The
officials are played from this process, so what that costs is charged to neither bot. The
emulators' flood limits are off and our bot's pacing is set high: this measures the bot,
not Telegram's limits.
"""

from __future__ import annotations

import asyncio
import math
import re
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from benchmarks.common import (
    KASUBBAG,
    SEKRETARIS,
    START,
    Emulator,
    bot_process,
    count_as_delivered,
    emulator_process,
    new_file,
    office,
    percentile,
)
from bot.usecases import drafts, officials
from bot.usecases.base import Services
from emulator import EmulatorClient, LogEntry, SimulatedUser
from workflow.engine import Submit, Upload

NEXT_HOLDER = KASUBBAG
ACTING = [(121, "Plt Sekretaris", "Plt."), (122, "Plh Sekretaris", "Plh.")]
"""Acting Sekretaris: with them, every review task is held by three officials."""
OUR_NOTICE = re.compile(r"\(#(\d+), tahun")
"""The next holder's task message names its draft: "📋 Renja 7 (#12, tahun 2027)"."""
BARE_NOTICE = re.compile(r"^#(\d+) disetujui")
WARM_UP = 3
"""Decisions before each measured run, not counted (first-use costs of both bots)."""
CHUNKS = 4
"""The decisions of a measure are made in this many turns, alternating the two bots."""
LONGEST = 120.0
"""Seconds a run may take before the benchmark gives up."""


@dataclass(frozen=True)
class Press:
    """One Setujui button, on one holder's copy of a task message."""

    key: int
    """The draft id (our bot) or the message number (the bare bot)."""
    user: SimulatedUser
    message_id: int
    label: str


@dataclass(frozen=True)
class Run:
    """What runs of decisions measured, pooled."""

    decisions: int
    seconds: float
    """From the first press to the last next-holder message, summed over the runs."""
    to_next_holder: list[float]
    """Seconds from each press to the next holder's message."""
    to_answer: list[float]
    """Seconds from each press to its answer (the spinner stops)."""

    @property
    def per_second(self) -> float:
        return self.decisions / self.seconds

    @property
    def median(self) -> float:
        return percentile(self.to_next_holder, 50)

    @property
    def p99(self) -> float:
        return percentile(self.to_next_holder, 99)

    def __add__(self, other: Run) -> Run:
        return Run(
            self.decisions + other.decisions,
            self.seconds + other.seconds,
            self.to_next_holder + other.to_next_holder,
            self.to_answer + other.to_answer,
        )


NO_RUN = Run(0, 0.0, [], [])


@dataclass
class Contestant:
    """A bot under measurement: its emulator, the presses left to make, how its next-holder
    messages name their decision."""

    control: EmulatorClient
    presses: list[Press]
    notice: re.Pattern[str]

    def take(self, count: int) -> list[Press]:
        taken, self.presses = self.presses[:count], self.presses[count:]
        if len(taken) < count:
            raise RuntimeError("not enough task messages prepared")
        return taken

    async def measure(self, count: int, in_flight: int) -> Run:
        return await measure(self.control, self.take(count), in_flight, self.notice)


async def drive(control: EmulatorClient, presses: list[Press], in_flight: int) -> dict[int, float]:
    """Press, keeping `in_flight` decisions open; the wall time of each press, by key.

    A decision closes when a message reaches the next holder (their count in the emulator's
    statistics): which decision it closed does not matter here, only how many are open.
    """
    await control.reset_stats()
    slots = asyncio.Semaphore(in_flight)
    closed = 0

    async def watch() -> None:
        nonlocal closed
        deadline = time.monotonic() + LONGEST
        while closed < len(presses):
            arrived = (await control.stats()).chat(NEXT_HOLDER).accepted
            for _ in range(arrived - closed):
                slots.release()
            closed = arrived
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(presses) - closed} decisions never reached the holder")
            await asyncio.sleep(0.001)

    watcher = asyncio.create_task(watch())
    pressed: dict[int, float] = {}
    for press in presses:
        acquiring = asyncio.create_task(slots.acquire())
        await asyncio.wait([acquiring, watcher], return_when=asyncio.FIRST_COMPLETED)
        if not acquiring.done():
            acquiring.cancel()
            await watcher  # it failed: raise its error
        pressed[press.key] = time.time()
        await press.user.press(press.message_id, press.label)
    await watcher
    return pressed


def read_log(
    log: list[LogEntry], presses: list[Press], pressed: dict[int, float], notice: re.Pattern[str]
) -> tuple[dict[int, float], dict[int, float]]:
    """When each press was answered, and when its next-holder message was sent (wall time)."""
    by_message = {(press.user.id, press.message_id): press.key for press in presses}
    answered: dict[int, float] = {}
    arrived: dict[int, float] = {}
    for entry in log:
        if not entry.ok:
            continue
        if entry.method == "answerCallbackQuery":
            key = by_message.get((entry.chat_id or 0, entry.message_id or 0))
            if key is not None:
                answered.setdefault(key, entry.time)
        elif entry.method == "sendMessage" and entry.chat_id == NEXT_HOLDER:
            found = notice.search(entry.text or "")
            key = int(found.group(1)) if found else 0  # keys start at 1
            # The first message naming the draft after its press (it had others before).
            if key in pressed and key not in arrived and entry.time >= pressed[key]:
                arrived[key] = entry.time
    for name, found_times in (("answer", answered), ("next-holder message", arrived)):
        if missing := set(pressed) - set(found_times):
            raise RuntimeError(f"no {name} for {sorted(missing)[:5]} in the emulator's log")
    return answered, arrived


async def measure(
    control: EmulatorClient, presses: list[Press], in_flight: int, notice: re.Pattern[str]
) -> Run:
    pressed = await drive(control, presses, in_flight)
    answered, arrived = read_log(await control.log(), presses, pressed, notice)
    return Run(
        decisions=len(presses),
        seconds=max(arrived.values()) - min(pressed.values()),
        to_next_holder=[arrived[key] - began for key, began in pressed.items()],
        to_answer=[answered[key] - began for key, began in pressed.items()],
    )


async def compare(
    ours: Contestant, bare: Contestant, sizes: list[tuple[int, int]]
) -> dict[int, tuple[Run, Run]]:
    """For each (in flight, decisions): both bots warm up, then run in turns, a chunk of the
    decisions each, so that whatever else the machine does weighs on both alike."""
    results: dict[int, tuple[Run, Run]] = {}
    for in_flight, count in sizes:
        for each in (ours, bare):
            await each.measure(WARM_UP, 1)
        chunk = max(math.ceil(count / CHUNKS), 2 * in_flight)
        pooled = {id(ours): NO_RUN, id(bare): NO_RUN}
        for turn, done in enumerate(range(0, count, chunk)):
            for each in (ours, bare) if turn % 2 else (bare, ours):
                pooled[id(each)] += await each.measure(min(chunk, count - done), in_flight)
        results[in_flight] = (pooled[id(ours)], pooled[id(bare)])
    return results


async def phones(control: EmulatorClient, ids: list[int]) -> list[SimulatedUser]:
    """Users who have started the bot (so it may write to them)."""
    users = []
    for telegram_id in ids:
        user = await control.user(telegram_id, f"Pejabat{telegram_id}")
        await user.send_text("/start")
        users.append(user)
    return users


def setup_bot(emulator: Emulator) -> Bot:
    """A client of the bot's account, to put things on the phones before a run."""
    return Bot(emulator.token, base_url=emulator.base_url, base_file_url=emulator.base_file_url)


async def bare_presses(control: EmulatorClient, emulator: Emulator, count: int) -> list[Press]:
    """`count` messages with a Setujui button on the reviewer's phone, from the bare bot."""
    await control.reset()
    _, reviewer = await phones(control, [NEXT_HOLDER, SEKRETARIS])
    presses = []
    async with setup_bot(emulator) as setup:
        for number in range(1, count + 1):
            keyboard = InlineKeyboardMarkup(
                [[InlineKeyboardButton("✅ Setujui", callback_data=str(number))]]
            )
            sent = await setup.send_message(SEKRETARIS, f"Draft #{number}", reply_markup=keyboard)
            presses.append(Press(number, reviewer, sent.message_id, "✅ Setujui"))
    return presses


def seed_reviews(services: Services, count: int, file_id: str) -> None:
    """`count` drafts, each sent by the Kasubbag to the Sekretaris's review."""
    for number in range(count):
        draft = drafts.start_draft(services, telegram_id=KASUBBAG, title=f"Renja {number}")
        draft_id = draft.draft.id
        drafts.act(
            services,
            telegram_id=KASUBBAG,
            draft_id=draft_id,
            action=Upload("konsep_pendahuluan"),
            new_file=new_file(f"konsep-{draft_id}.pdf", file_id),
        )
        drafts.act(services, telegram_id=KASUBBAG, draft_id=draft_id, action=Submit())


async def review_presses(
    reviewers: list[SimulatedUser], count: int, seconds: float
) -> dict[int, dict[int, Press]]:
    """Wait until every reviewer has the task message of `count` drafts; their Setujui."""
    deadline = time.monotonic() + seconds
    while True:
        by_draft: dict[int, dict[int, Press]] = {}
        for user in reviewers:
            for message in await user.messages():
                found = OUR_NOTICE.search(message.body.split("\n")[0])
                buttons = [button for row in message.buttons for button in row]
                if found and buttons and (buttons[0].callback_data or "").startswith("1:ap:"):
                    key = int(found.group(1))
                    press = Press(key, user, message.message_id, buttons[0].text)
                    by_draft.setdefault(key, {})[user.id] = press
        if sum(len(copies) for copies in by_draft.values()) == count * len(reviewers):
            return by_draft
        if time.monotonic() > deadline:
            raise TimeoutError("the review tasks did not all reach the reviewers")
        await asyncio.sleep(0.25)


@asynccontextmanager
async def our_bot(
    emulator: Emulator, control: EmulatorClient, holders: int, count: int
) -> AsyncIterator[list[Press]]:
    """Our bot running over `count` drafts at the review held by `holders` officials; the
    Setujui of each draft, on the phone of the reviewer whose turn it is."""
    with tempfile.TemporaryDirectory(prefix="renja-bench-") as folder:
        root = Path(folder)
        services = office(root, lambda: START)
        ids = [SEKRETARIS]
        for telegram_id, name, acting in ACTING[: holders - 1]:
            officials.register_official(
                services, telegram_id=telegram_id, name=name, position="sekretaris", acting=acting
            )
            ids.append(telegram_id)
        await control.reset()
        next_holder, *reviewers = await phones(control, [NEXT_HOLDER, *ids])
        async with setup_bot(emulator) as setup:
            sent = await setup.send_document(KASUBBAG, b"%PDF-1.4 konsep", filename="k.pdf")
            assert sent.document is not None
        await asyncio.to_thread(seed_reviews, services, count, sent.document.file_id)
        # What the seeding owes the Kasubbag went out when each draft was made; the
        # reviewers' task messages go out now, for real: they are what is pressed.
        await asyncio.to_thread(count_as_delivered, services, chat_id=KASUBBAG)
        services.engine.dispose()
        async with bot_process(emulator, "ours", root):
            by_draft = await review_presses(reviewers, count, seconds=60 + count)
            # Nothing but the decisions may reach the next holder once the runs start.
            await next_holder.wait_for_messages(lambda m: "Selamat datang" in m.body, 60)
            # Reviewers take turns: draft n is pressed by reviewer n mod holders.
            yield [
                copies[ids[index % holders]]
                for index, (_, copies) in enumerate(sorted(by_draft.items()))
            ]


async def run(
    emulator: Emulator,
    holders: tuple[int, ...],
    sizes: list[tuple[int, int]],
    *,
    latency: float = 0.0,
) -> dict[int, dict[int, tuple[Run, Run]]]:
    """By holders, by in flight: (our bot, the bare bot).

    The bare bot runs on `emulator` for the whole time; our bot, on an emulator of its own,
    once for each number of holders. `latency`: seconds every Bot API call of both bots
    waits during the measures (the network between a bot and Telegram's servers); the
    set-up runs without.
    """
    count = sum(WARM_UP + decisions for _, decisions in sizes)
    results: dict[int, dict[int, tuple[Run, Run]]] = {}
    async with (
        emulator_process() as ours_emulator,
        EmulatorClient(emulator.control_url) as bare_control,
        EmulatorClient(ours_emulator.control_url) as ours_control,
    ):
        presses = await bare_presses(bare_control, emulator, count * len(holders))
        bare = Contestant(bare_control, presses, BARE_NOTICE)
        async with bot_process(emulator, "bare"):
            for each in holders:
                async with our_bot(ours_emulator, ours_control, each, count) as ours_presses:
                    ours = Contestant(ours_control, ours_presses, OUR_NOTICE)
                    try:
                        for control in (ours_control, bare_control):
                            await control.set_latency(latency)
                        results[each] = await compare(ours, bare, sizes)
                    finally:
                        for control in (ours_control, bare_control):
                            await control.set_latency(0)
    return results
