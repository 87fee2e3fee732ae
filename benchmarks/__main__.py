"""`make bench`: speed and memory of the hot paths, as ratios against same-run baselines.

- calendar: `add_working_minutes` (walks working intervals) against stepping minute by
  minute with `is_working_time` (the obvious implementation);
- use case: one official's action (load the draft, run the engine, write the rows, commit)
  against one bare SQLite INSERT + COMMIT on the same disk;
- memory: the peak of running one whole draft against the peak of reading one draft's
  audit trail (/riwayat).

Absolute times depend on the machine; the ratios are what to compare between runs.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sqlite3
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.usecases import drafts, officials, reading
from bot.usecases.base import Services
from storage.db import make_engine, upgrade
from storage.drafts import NewFile
from workflow.calendar import OfficeCalendar
from workflow.engine import Approve, Submit, Upload
from workflow.sop import load_sops

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
OFFICIALS = [
    (101, "Kasubbag", "kasubbag_renja", None),
    (102, "Sekretaris", "sekretaris", "Sekretariat"),
    (103, "Kabid Ekonomi", "kepala_bidang", "Bidang Ekonomi"),
    (105, "Kepala Badan", "kepala_badan", None),
    (106, "Forum", "forum_skpd", "Dinas PU"),
]


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


def new_file(name: str) -> NewFile:
    digest = hashlib.sha256(name.encode()).hexdigest()
    return NewFile(name, "application/pdf", 10, digest, f"id-{digest[:8]}", digest[:8], name)


def office(folder: Path, clock: Callable[[], datetime]) -> Services:
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    services = Services(
        engine=make_engine(url),
        sops=load_sops(ROOT / "sops"),
        calendar=OfficeCalendar.twenty_four_hours(),
        clock=clock,
        files_dir=folder / "files",
        max_upload_bytes=20 * 1024 * 1024,
    )
    for telegram_id, name, position, unit in OFFICIALS:
        officials.register_official(
            services, telegram_id=telegram_id, name=name, position=position, unit=unit
        )
    return services


def run_draft(services: Services, number: int) -> int:
    """One draft from start to signature; returns how many actions it took."""
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
    for index, (who, action) in enumerate(steps):
        upload = isinstance(action, Upload)
        drafts.act(
            services,
            telegram_id=who,
            draft_id=draft,
            action=action,  # type: ignore[arg-type]
            new_file=new_file(f"{number}-{index}.pdf") if upload else None,
        )
    return len(steps) + 1


def bare_commit(connection: sqlite3.Connection, counter: list[int]) -> None:
    counter[0] += 1
    connection.execute("INSERT INTO t (v) VALUES (?)", (counter[0],))
    connection.commit()


def bench_actions(drafts: int) -> tuple[float, float, int, int]:
    with tempfile.TemporaryDirectory(prefix="renja-bench-") as folder:
        root = Path(folder)
        services = office(root, lambda: START)
        began = time.perf_counter()
        actions = sum(run_draft(services, n) for n in range(drafts))
        per_action = (time.perf_counter() - began) / actions

        connection = sqlite3.connect(root / "bare.db")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)")
        counter = [0]
        per_commit = timed(lambda: bare_commit(connection, counter), actions)
        connection.close()

        tracemalloc.start()
        run_draft(services, drafts + 1)
        _, draft_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        tracemalloc.start()
        reading.history(services, draft_id=1)
        _, trail_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        services.engine.dispose()
    return per_action, per_commit, draft_peak, max(trail_peak, 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Renja Bot benchmarks (ratios to baselines)")
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    args = parser.parse_args(argv)
    samples, drafts = (5, 1) if args.quick else (200, 10)

    fast, slow = bench_calendar(samples)
    per_action, per_commit, draft_peak, trail_peak = bench_actions(drafts)
    rows = [
        (
            "calendar: add 230 working minutes",
            f"{fast * 1e6:9.1f} µs",
            f"{slow * 1e6:9.1f} µs",
            f"{slow / fast:6.1f}× faster",
        ),
        (
            "use case: one action, committed",
            f"{per_action * 1e3:9.2f} ms",
            f"{per_commit * 1e3:9.2f} ms",
            f"{per_action / per_commit:6.1f}× a bare commit",
        ),
        (
            "memory: peak of one whole draft",
            f"{draft_peak / 1024:9.0f} KiB",
            f"{trail_peak / 1024:9.0f} KiB",
            f"{draft_peak / trail_peak:6.1f}× reading its trail",
        ),
    ]
    print(f"{'measure':<36}{'value':>14}{'baseline':>14}  ratio")
    for name, value, baseline, ratio in rows:
        print(f"{name:<36}{value:>14}{baseline:>14}  {ratio}")


if __name__ == "__main__":
    main()
