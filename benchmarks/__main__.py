"""`make bench`: speed and memory of the hot paths, as ratios against same-run baselines.

- calendar: `add_working_minutes` (walks working intervals) against stepping minute by
  minute with `is_working_time` (the obvious implementation);
- use case: one official's action (load the draft, run the engine, write the rows, commit)
  against one bare SQLite INSERT + COMMIT on the same disk;
- memory: the peak of running one whole draft against the peak of reading one draft's
  audit trail (/riwayat);
- decisions per second, 1 and 16 in flight, review held by 1 and by 3 officials, and the
  latency from a press to the next holder's task message: our bot against a bare
  python-telegram-bot bot on the same emulator (benchmarks/decisions.py); then again with
  every Bot API call 50 ms away, as Telegram's servers are across the internet;
- upload latency with 2,000 drafts against 100, and SQL statements per approval at both
  (benchmarks/uploads.py);
- the sender to 200 chats under Telegram's flood limits, against Telegram's 30 messages a
  second, and the 429s it met (benchmarks/sending.py);
- invitations to a meeting of 200 participants (three messages each) under the same
  limits, against the same 30 a second, and the 429s (benchmarks/invitations.py);
- load: an office of 10,000 open drafts and 50,000 waiting reminders: decisions per
  second, press → next holder, start-up and peak memory, against a bare python-telegram-bot
  bot, on SQLite, on PostgreSQL (a server started for the run) and on two webhook processes
  on PostgreSQL (benchmarks/load.py); `--backend`, `--database-url URL` and
  `--processes N` choose among them.

The bots and the emulator run in processes of their own, on 127.0.0.1. Absolute times
depend on the machine (and on what else it runs); the ratios are what to compare between
runs. `--quick` runs every measure with tiny sizes (the smoke test). Names run only those
measures: `python -m benchmarks decisions` (calendar, actions, decisions, uploads, sending,
invitations, load).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from benchmarks import decisions, invitations, lists, load, sending, uploads
from benchmarks.common import (
    START,
    Emulator,
    MovableClock,
    emulator_process,
    new_file,
    office,
    percentile,
    schedule_meeting,
)
from bot.usecases import drafts, reading
from bot.usecases.base import EVERY_AGENCY, Services
from workflow.calendar import OfficeCalendar
from workflow.engine import Approve, Submit, Upload

Row = tuple[str, str, str, str]
"""measure, value, baseline, ratio"""


def timed(action: Callable[[], object], repeat: int) -> float:
    """Seconds per call, best of three rounds."""
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        for _ in range(repeat):
            action()
        best = min(best, (time.perf_counter() - began) / repeat)
    return best


def naive_add(calendar: OfficeCalendar, start: datetime, minutes: int) -> datetime:
    moment = calendar.next_working_moment(start)
    while minutes:
        if calendar.is_working_time(moment):
            minutes -= 1
        moment += timedelta(minutes=1)
    return moment


def bench_calendar(samples: int) -> tuple[float, float]:
    calendar = OfficeCalendar.default()
    rng = random.Random(7)
    cases = [
        (START + timedelta(minutes=rng.randrange(0, 60 * 24 * 30)), 230) for _ in range(samples)
    ]
    for start, minutes in cases[:5]:  # same answers, or the comparison means nothing
        assert calendar.add_working_minutes(start, minutes) == naive_add(calendar, start, minutes)
    fast = timed(lambda: [calendar.add_working_minutes(s, m) for s, m in cases], 1)
    slow = timed(lambda: [naive_add(calendar, s, m) for s, m in cases], 1)
    return fast / samples, slow / samples


BEFORE_MEETING = 11
"""The steps of `run_draft` up to the Forum SKPD meeting, which is scheduled and held
before its results can be uploaded."""


def run_draft(services: Services, clock: MovableClock, number: int) -> int:
    """One draft from start to signature (the meeting scheduled an hour ahead, then the
    clock moved to its start); returns how many actions it took."""
    draft = drafts.start_draft(services, telegram_id=101, title=f"Renja {number}").draft.id
    steps: list[tuple[int, object]] = [
        (101, Upload("konsep_pendahuluan")),
        (101, Submit()),
        (102, Approve()),
        (101, Upload("nota_dinas")),
        (101, Submit()),
        (103, Upload("rencana_kerja_unit")),
        (103, Submit()),
        (102, Upload("rencana_kerja_unit")),
        (102, Submit()),
        (101, Upload("undangan_rapat")),
        (101, Submit()),
        (101, Upload("draft_rancangan_awal")),
        (101, Upload("hasil_kesepakatan")),
        (101, Submit()),
        (102, Approve()),
        (101, Upload("rancangan_awal")),
        (101, Submit()),
        (102, Approve()),
        (105, Approve()),
    ]
    scheduling = 0
    for index, (who, action) in enumerate(steps):
        if index == BEFORE_MEETING:
            starts = clock() + timedelta(hours=1)
            scheduling = schedule_meeting(services, draft_id=draft, starts=starts)
            clock.now = starts
        upload = isinstance(action, Upload)
        drafts.act(
            services,
            telegram_id=who,
            draft_id=draft,
            action=action,  # type: ignore[arg-type]
            new_file=new_file(f"{number}-{index}.pdf") if upload else None,
        )
    return len(steps) + 1 + scheduling


def bare_commit(connection: sqlite3.Connection, counter: list[int]) -> None:
    counter[0] += 1
    connection.execute("INSERT INTO t (v) VALUES (?)", (counter[0],))
    connection.commit()


def bench_actions(drafts: int) -> tuple[float, float, int, int]:
    with tempfile.TemporaryDirectory(prefix="renja-bench-") as folder:
        root = Path(folder)
        clock = MovableClock()
        services = office(root, clock)
        began = time.perf_counter()
        actions = sum(run_draft(services, clock, n) for n in range(drafts))
        per_action = (time.perf_counter() - began) / actions

        connection = sqlite3.connect(root / "bare.db")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)")
        counter = [0]
        per_commit = timed(lambda: bare_commit(connection, counter), actions)
        connection.close()

        tracemalloc.start()
        run_draft(services, clock, drafts + 1)
        _, draft_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        tracemalloc.start()
        reading.history(services, scope=EVERY_AGENCY, draft_id=1)
        _, trail_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        services.engine.dispose()
    return per_action, per_commit, draft_peak, max(trail_peak, 1)


@dataclass(frozen=True)
class Sizes:
    samples: int
    """Calendar cases."""
    drafts: int
    """Whole drafts run for the use-case measure."""
    decisions: list[tuple[int, int]]
    """(in flight, decisions measured)."""
    holders: tuple[int, ...]
    offices: tuple[int, int]
    """Drafts in the small and in the large office (uploads, statements)."""
    uploads: int
    chats: int


FULL = Sizes(200, 10, [(1, 40), (16, 160)], (1, 3), (100, 2000), 50, 200)
QUICK = Sizes(5, 1, [(1, 2), (16, 16)], (3,), (5, 20), 2, 10)


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:9.2f} ms"


def progress(what: str) -> None:
    """What runs now (the whole takes minutes), on stderr, away from the table."""
    print(f"… {what}", file=sys.stderr, flush=True)


def decision_rows(
    holders: int, runs: dict[int, tuple[decisions.Run, decisions.Run]], latency: float = 0.0
) -> list[Row]:
    officials = "1 holder" if holders == 1 else f"{holders} holders"
    network = f", {latency * 1e3:.0f} ms latency" if latency else ""
    rows: list[Row] = []
    for in_flight, (run, base) in runs.items():
        where = f"{in_flight} in flight, {officials}{network}"
        rows += [
            (
                f"decisions/s, {where}",
                f"{run.per_second:9.1f} /s",
                f"{base.per_second:9.1f} /s",
                f"{run.per_second / base.per_second:6.2f}× a bare PTB bot",
            ),
            (
                f"press → next holder, median, {where}",
                ms(run.median),
                ms(base.median),
                f"{run.median / base.median:6.1f}× the bare bot's",
            ),
            (
                f"press → next holder, p99, {where}",
                ms(run.p99),
                ms(base.p99),
                f"{run.p99 / base.p99:6.1f}× the bare bot's",
            ),
        ]
        if in_flight > 1:
            answer, bare_answer = (percentile(r.to_answer, 50) for r in (run, base))
            rows.append(
                (
                    f"press → answer, median, {where}",
                    ms(answer),
                    ms(bare_answer),
                    f"{answer / bare_answer:6.1f}× the bare bot's",
                )
            )
    return rows


LATENCY = 0.05
"""Seconds each Bot API call waits in the decisions measured as across the internet: a round
trip from an office in Indonesia to Telegram's Bot API servers takes tens to hundreds of
milliseconds; 50 is at the short end."""

MEASURES = (
    "calendar",
    "actions",
    "lists",
    "decisions",
    "uploads",
    "sending",
    "invitations",
    "load",
)
"""What `python -m benchmarks NAME...` can run alone (all of them by default)."""


async def live(sizes: Sizes, only: set[str]) -> list[Row]:
    """The measures that run the bot against the emulator."""
    rows: list[Row] = []
    if not only & {"decisions", "uploads", "sending", "invitations"}:
        return rows
    async with emulator_process() as emulator:
        if "decisions" in only:
            rows += await live_decisions(emulator, sizes)
        if "uploads" in only:
            rows += await live_uploads(sizes)
        if "sending" in only:
            rows += await live_sending(emulator, sizes)
        if "invitations" in only:
            rows += await live_invitations(emulator, sizes)
    return rows


async def live_decisions(emulator: Emulator, sizes: Sizes) -> list[Row]:
    progress("decisions: our bot and a bare PTB bot, in turns")
    rows: list[Row] = []
    compared = await decisions.run(emulator, sizes.holders, sizes.decisions)
    for holders, runs in compared.items():
        rows += decision_rows(holders, runs)
    progress(f"decisions with {LATENCY * 1e3:.0f} ms per Bot API call, as across the internet")
    far = await decisions.run(emulator, (1,), sizes.decisions, latency=LATENCY)
    rows += decision_rows(1, far[1], LATENCY)
    return rows


async def live_uploads(sizes: Sizes) -> list[Row]:
    progress(f"uploads: offices of {sizes.offices[0]:,} and {sizes.offices[1]:,} drafts")
    small, large = await uploads.run(sizes.offices, sizes.uploads)
    return [
        (f"upload → receipt, median, {small.drafts:,} drafts", ms(small.median), "", ""),
        (
            f"upload → receipt, median, {large.drafts:,} drafts",
            ms(large.median),
            ms(small.median),
            f"{large.median / small.median:6.2f}× at {small.drafts:,} drafts",
        ),
        (
            f"SQL statements per approval, {large.drafts:,} drafts",
            f"{large.statements:9d}",
            f"{small.statements:9d}",
            f"{large.statements / small.statements:6.2f}× at {small.drafts:,} drafts",
        ),
    ]


async def live_invitations(emulator: Emulator, sizes: Sizes) -> list[Row]:
    progress(f"invitations to {sizes.chats} participants, flood limits on")
    invited = await invitations.run(emulator, sizes.chats)
    return rate_rows(
        f"invitations: {invited.chats} participants",
        invited.per_second,
        invited.too_many_requests,
    )


async def live_sending(emulator: Emulator, sizes: Sizes) -> list[Row]:
    progress(f"the sender to {sizes.chats} chats, flood limits on")
    sent = await sending.run(emulator, sizes.chats)
    return rate_rows(f"sender: {sent.chats} chats", sent.per_second, sent.too_many_requests)


def rate_rows(what: str, per_second: float, too_many_requests: int) -> list[Row]:
    """A rate against Telegram's overall limit, and the 429 answers it met."""
    limit = sending.TELEGRAM_PER_SECOND
    return [
        (
            f"{what}, flood limits on",
            f"{per_second:9.1f} /s",
            f"{limit:9.1f} /s",
            f"{per_second / limit:6.0%} of Telegram's limit",
        ),
        (f"{what}: 429 answers", f"{too_many_requests:9d}", "0", ""),
    ]


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description="Renja Bot benchmarks (ratios to baselines)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    parser.add_argument(
        "measures", nargs="*", metavar="NAME", help=f"run only these: {', '.join(MEASURES)}"
    )
    parser.add_argument(
        "--backend",
        choices=[load.SQLITE, load.POSTGRESQL],
        help="load: only this backend (default: both; PostgreSQL on a server started for the "
        "run, as the tests start theirs)",
    )
    parser.add_argument(
        "--database-url",
        help="load: the database to prepare the office in instead (a new SQLite file, or a "
        "PostgreSQL server: postgresql+psycopg://USER@HOST/postgres); it is copied for each "
        "bot start measured",
    )
    parser.add_argument(
        "--processes",
        type=int,
        help="load: only with this many bot processes: 1 (polling), or 2 or more (webhook "
        "processes behind a proxy, on PostgreSQL); default: 1 on each backend, and 2 on "
        "PostgreSQL",
    )
    args = parser.parse_args(argv)
    if unknown := set(args.measures) - set(MEASURES):
        parser.error(f"no such measure: {', '.join(sorted(unknown))}")
    sizes = QUICK if args.quick else FULL
    only = set(args.measures or MEASURES)
    if "load" in only:  # what cannot be measured stops before anything runs
        try:
            load.variants(args.database_url, args.processes, args.backend)
            with tempfile.TemporaryDirectory() as folder:
                if args.database_url is not None:
                    load.backend_for(args.database_url, Path(folder))
        except (load.NotAvailable, FileExistsError) as error:
            parser.exit(2, f"{error}\n")

    rows: list[Row] = []
    if "calendar" in only:
        progress("calendar")
        fast, slow = bench_calendar(sizes.samples)
        rows.append(
            (
                "calendar: add 230 working minutes",
                f"{fast * 1e6:9.1f} µs",
                f"{slow * 1e6:9.1f} µs",
                f"{slow / fast:6.1f}× faster",
            )
        )
    if "actions" in only:
        progress("use case, memory")
        per_action, per_commit, draft_peak, trail_peak = bench_actions(sizes.drafts)
        rows += [
            (
                "use case: one action, committed",
                ms(per_action),
                ms(per_commit),
                f"{per_action / per_commit:6.1f}× a bare commit",
            ),
            (
                "memory: peak of one whole draft",
                f"{draft_peak / 1024:9.0f} KiB",
                f"{trail_peak / 1024:9.0f} KiB",
                f"{draft_peak / trail_peak:6.1f}× reading its trail",
            ),
        ]
    if "lists" in only:
        progress("/status and /tugas with many drafts")
        rows += lists.measure(quick=args.quick)
    rows += asyncio.run(live(sizes, only))
    skipped: list[str] = []
    if "load" in only:
        load_sizes = load.QUICK if args.quick else load.FULL
        results, skipped = asyncio.run(
            load.run(load_sizes, args.database_url, args.processes, args.backend)
        )
        for result in results:
            rows += load.rows(result)
    if rows:
        width = max(len(name) for name, *_ in rows) + 2
        print(f"{'measure':<{width}}{'value':>14}{'baseline':>14}  ratio")
        for name, value, baseline, ratio in rows:
            print(f"{name:<{width}}{value:>14}{baseline:>14}  {ratio}".rstrip())
    for line in skipped:
        print(line)
    return rows


if __name__ == "__main__":
    main()
