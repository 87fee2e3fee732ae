"""The queries behind /status and /tugas: counts per row in SQL, pages by LIMIT/OFFSET."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import update
from sqlmodel import col

from benchmarks.lists import RENJA, SPREAD, fill
from bot.usecases.base import Services
from storage import drafts as draft_store
from storage.drafts import OpenScope
from storage.models import Draft

EVERY = OpenScope({RENJA: None})


def test_counts_per_row_and_the_late_ones(office: Services) -> None:
    fill(office, 120)
    now = office.clock()
    with office.reading() as session:
        counts = draft_store.open_row_counts(session, scope=EVERY, now=now)
    total: Counter[int] = Counter()
    late: Counter[int] = Counter()
    sop = office.sops[RENJA]
    for n in range(120):
        row = sop.row_of(SPREAD[n % len(SPREAD)]).nomor
        total[row] += 1
        late[row] += (n // len(SPREAD)) % 2 == 0
    assert [(c.sop_id, c.row_no, c.total, c.late) for c in counts] == [
        (RENJA, row, total[row], late[row]) for row in sorted(total)
    ]


def test_pages_in_order_without_gaps_or_repeats(office: Services) -> None:
    ids = fill(office, 47)
    now = office.clock()
    with office.reading() as session:
        pages = [
            draft_store.open_page(
                session, scope=EVERY, now=now, late_only=False, order="draft", limit=10, offset=o
            )
            for o in range(0, 50, 10)
        ]
        late = draft_store.open_page(
            session, scope=EVERY, now=now, late_only=True, order="due", limit=100
        )
    assert [len(page) for page in pages] == [10, 10, 10, 10, 7]
    assert [entry.draft.id for page in pages for entry in page] == ids
    assert all(entry.task.is_open and entry.clock is not None for p in pages for entry in p)
    dues = [entry.clock.due_at for entry in late if entry.clock is not None]
    assert len(dues) == len(late) and dues == sorted(dues)  # the most overdue first
    assert all(due < now for due in dues)
    assert {entry.draft.id for entry in late} == {
        ids[n] for n in range(47) if (n // len(SPREAD)) % 2 == 0
    }


def test_a_scope_covers_its_tasks_and_only_active_drafts(office: Services) -> None:
    ids = fill(office, 12)
    now = office.clock()
    with office.session() as session:
        session.execute(update(Draft).where(col(Draft.id) == ids[0]).values(status="selesai"))
        session.commit()
    reviews = OpenScope(
        {RENJA: frozenset({"konsultasi_sekretaris", "telaah_sekretaris"})}, but=frozenset({10})
    )
    with office.reading() as session:

        def listed(scope: OpenScope) -> list[int]:
            return [
                e.draft.id or 0
                for e in draft_store.open_page(
                    session, scope=scope, now=now, late_only=False, order="task", limit=50
                )
            ]

        # Drafts 1, 4, 7 and 10 wait on the Sekretaris's reviews (1 is finished); task 10
        # (draft 10's) is left out by its id.
        assert listed(reviews) == [4, 7]
        assert listed(OpenScope({})) == []
        assert listed(OpenScope({"cuti": None})) == []
        assert listed(EVERY) == ids[1:]
        shared = draft_store.open_shared(
            session,
            tasks={RENJA: frozenset({"rencana_kerja_unit"}), "cuti": frozenset()},
            agency_id=None,
        )
    assert [(s.id, s.task_id, s.shares, s.submitted) for s in shared] == [
        (2, "rencana_kerja_unit", ["Bidang Ekonomi", "Bidang Infrastruktur", "Sekretariat"], []),
        (
            8,
            "rencana_kerja_unit",
            ["Bidang Ekonomi", "Bidang Infrastruktur", "Sekretariat"],
            ["Sekretariat"],
        ),
    ]
