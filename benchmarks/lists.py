"""/status and /tugas with 10,000 active drafts, against /status of a single draft.

What is timed is what the bot does for the command before Telegram is called: the use case
(counts per row in one GROUP BY, the most overdue, one page by LIMIT/OFFSET), the text and
its buttons, and the answer written to the outbox. The drafts are written straight into the
tables (`fill`), in a few statements: building 10,000 through the use cases would take
minutes and measure nothing of the lists. Half of them are past their row's due time.

The SQL statements of one answer are counted too: they must not grow with the drafts.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import select

from benchmarks.common import SEKRETARIS, START, office
from bot import notify, texts
from bot.callbacks import Verb
from bot.usecases import delivery, officials, reading
from bot.usecases.base import Services
from bot.usecases.views import ListFilter
from storage import officials as official_store
from storage.copy import reset_sequences
from storage.db import statements_of
from storage.models import Draft, DraftTask, RowClock
from workflow.engine import DraftStatus
from workflow.sop import TaskKind

RENJA = "menyusun-rencana-kerja"
SPREAD = (
    "konsultasi_sekretaris",
    "rencana_kerja_unit",
    "teruskan_hasil_forum",
    "telaah_sekretaris",
    "konsep_pendahuluan",
    "keputusan_kepala_badan",
)
"""The tasks the filled drafts wait on, in turn: four of them the Sekretaris's (one of
those a parallel upload, where the Sekretariat is one unit of three)."""
UNITS = ("Bidang Ekonomi", "Bidang Infrastruktur", "Sekretariat")

Row = tuple[str, str, str, str]
"""measure, value, baseline, ratio (as benchmarks/__main__.py prints them)"""


def fill(
    services: Services,
    count: int,
    *,
    tasks: Sequence[str] = SPREAD,
    late_every: int = 2,
    title: str = "Renja Kecamatan",
    creator_telegram_id: int = 101,
) -> list[int]:
    """`count` active Renja drafts written straight into the tables; their ids.

    Draft n waits on `tasks[n % len(tasks)]`, in its turn n // len(tasks): a parallel upload
    on every unit, in one turn of three with the Sekretariat's part already in. Each entered
    its row an hour before its due time; in every `late_every`-th turn it is past that time
    by n + 1 minutes, in the others due in n + 1 minutes.
    """
    sop = services.sops[RENJA]
    now = services.clock()
    with services.session() as session:
        creator = official_store.official_by_telegram_id(session, telegram_id=creator_telegram_id)
        assert creator is not None and creator.id is not None
        first = (session.exec(select(func.max(Draft.id))).one() or 0) + 1
        drafts: list[dict[str, Any]] = []
        open_tasks: list[dict[str, Any]] = []
        clocks: list[dict[str, Any]] = []
        for n in range(count):
            draft_id = first + n
            task = sop.task(tasks[n % len(tasks)])
            row = sop.row_of(task.id)
            turn = n // len(tasks)
            late = turn % late_every == 0
            due = now + timedelta(minutes=-(n + 1) if late else n + 1)
            entered = due - timedelta(hours=1)
            drafts.append(
                {
                    "id": draft_id,
                    "sop_id": sop.id,
                    "title": f"{title} {draft_id}",
                    "year": 2027,
                    "status": DraftStatus.AKTIF.value,
                    "revision": 0,
                    "created_by": creator.id,
                    "created_at": entered,
                    "agency_id": creator.agency_id,
                }
            )
            parallel = task.jenis == TaskKind.UNGGAH_PARALEL
            open_tasks.append(
                {
                    "draft_id": draft_id,
                    "task_id": task.id,
                    "row_no": row.nomor,
                    "is_open": True,
                    "entered_at": entered,
                    "shares": list(UNITS) if parallel else [],
                    "submitted": ["Sekretariat"] if parallel and turn % 3 == 1 else [],
                }
            )
            clocks.append(
                {
                    "draft_id": draft_id,
                    "row_no": row.nomor,
                    "standard_minutes": 60,
                    "standard_text": row.waktu.text,
                    "entered_at": entered,
                    "due_at": due,
                    "waited_minutes": 0,
                }
            )
        if drafts:
            session.execute(insert(Draft), drafts)
            session.execute(insert(DraftTask), open_tasks)
            session.execute(insert(RowClock), clocks)
            if session.get_bind().dialect.name == "postgresql":
                # The drafts' ids were written here: PostgreSQL's next ones follow them.
                reset_sequences(session.connection())
        session.commit()
    return [first + n for n in range(count)]


def answer_status(services: Services, filter: ListFilter, page: int) -> None:
    """What /status (or one of its page buttons) does before Telegram: read, write, owe."""
    found = reading.status_list(
        services,
        scope=officials.scope(services, telegram_id=SEKRETARIS),
        filter=filter,
        page=page,
        details_up_to=texts.STATUS_IN_FULL if page == 1 else 0,
    )
    titles = {key: sop.identitas.judul for key, sop in services.sops.items()}
    if found.details:
        html = texts.status_message(list(found.details), services.tz, titles)
        keyboard = None
    else:
        html = texts.status_overview(found, services.tz, titles)
        keyboard = notify.list_keyboard(Verb.HALAMAN_STATUS, found.filter, found.page, found.pages)
    delivery.owe(services, messages=[notify.text(SEKRETARIS, html, keyboard=keyboard)])


def answer_tasks(services: Services, filter: ListFilter, page: int) -> None:
    """What the Sekretaris's /tugas (or a page of it) does before Telegram."""
    found = reading.task_list(services, telegram_id=SEKRETARIS, filter=filter, page=page)
    titles = {key: sop.identitas.judul for key, sop in services.sops.items()}
    html = texts.tasks_overview(found, services.tz, titles)
    keyboard = notify.list_keyboard(
        Verb.HALAMAN_TUGAS,
        found.filter,
        found.page,
        found.pages,
        open_drafts=[line.draft.id for line in found.items],
    )
    delivery.owe(services, messages=[notify.text(SEKRETARIS, html, keyboard=keyboard)])


def timed(action: Callable[[], object], repeat: int) -> float:
    """Seconds per call, best of three rounds."""
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        for _ in range(repeat):
            action()
        best = min(best, (time.perf_counter() - began) / repeat)
    return best


@dataclass(frozen=True)
class Sizes:
    drafts: int
    repeat: int


SOME = 30
"""Drafts of the office whose statements are the baseline: enough to be summarised."""
FULL = Sizes(10_000, 10)
QUICK = Sizes(60, 2)


def measure(*, quick: bool = False) -> list[Row]:
    """The rows of `make bench`: each answer at the size, against one draft's /status."""
    sizes = QUICK if quick else FULL
    with tempfile.TemporaryDirectory(prefix="renja-bench-") as folder:
        roots = [Path(folder) / name for name in ("one", "some", "many")]
        for root in roots:
            root.mkdir()
        small, some, large = (office(root, lambda: START) for root in roots)
        fill(small, 1)
        fill(some, SOME)
        fill(large, sizes.drafts)
        last = -(-sizes.drafts // reading.PAGE_SIZE)
        baseline = timed(lambda: answer_status(small, ListFilter.SEMUA, 1), sizes.repeat)
        measured = {
            "/status, page 1": lambda: answer_status(large, ListFilter.SEMUA, 1),
            f"/status, page {last:,} (the last)": lambda: answer_status(
                large, ListFilter.SEMUA, last
            ),
            "/status terlambat, page 1": lambda: answer_status(large, ListFilter.TERLAMBAT, 1),
            "/tugas of the Sekretaris, page 1": lambda: answer_tasks(large, ListFilter.SEMUA, 1),
            "/tugas of the Sekretaris, page 100": lambda: answer_tasks(
                large, ListFilter.SEMUA, 100
            ),
        }
        rows: list[Row] = []
        for name, action in measured.items():
            seconds = timed(action, sizes.repeat)
            rows.append(
                (
                    f"{name}, {sizes.drafts:,} drafts",
                    f"{seconds * 1e3:9.2f} ms",
                    f"{baseline * 1e3:9.2f} ms",
                    f"{seconds / baseline:6.1f}× /status of one draft",
                )
            )
        for name, answer in (("/status", answer_status), ("/tugas", answer_tasks)):
            many = statements_of(large.engine, partial(answer, large, ListFilter.SEMUA, 1))
            few = statements_of(some.engine, partial(answer, some, ListFilter.SEMUA, 1))
            rows.append(
                (
                    f"SQL statements of {name}, {sizes.drafts:,} drafts",
                    f"{many:9d}",
                    f"{few:9d}",
                    f"{many / few:6.2f}× at {SOME} drafts",
                )
            )
        for services in (small, some, large):
            services.engine.dispose()
    return rows
