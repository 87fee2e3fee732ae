"""/status and /tugas as use cases: whose tasks a list holds, its pages, and what it costs."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlmodel import col

from benchmarks.lists import fill
from bot.usecases import drafts, officials, reading
from bot.usecases.base import Scope, Services
from bot.usecases.errors import DraftNotFound, InvalidInput, NotRegistered
from bot.usecases.views import ListFilter
from storage.db import statements_of
from storage.models import Draft
from tests.bot.usecases.test_briefing import RK, submit, up_to_the_units, upload
from workflow.engine import Return

SEKRETARIS, KABID_EKONOMI, KABID_INFRA = 102, 103, 104


def _scope(services: Services) -> Scope:
    """What the Sekretaris sees: their agency's drafts."""
    return officials.scope(services, telegram_id=SEKRETARIS)


def test_a_parallel_task_leaves_the_list_of_a_unit_whose_part_is_in(office: Services) -> None:
    up_to_the_units(office)
    for telegram_id in (SEKRETARIS, KABID_EKONOMI, KABID_INFRA):
        found = reading.task_list(office, telegram_id=telegram_id, briefings_up_to=5)
        assert found.total == 1 and [b.task.id for b in found.briefings] == [RK]

    upload(office, KABID_EKONOMI, RK, "rk-ekonomi.pdf")
    submit(office, KABID_EKONOMI)
    assert reading.task_list(office, telegram_id=KABID_EKONOMI).total == 0
    assert reading.open_tasks_for(office, telegram_id=KABID_EKONOMI) == []
    assert reading.task_list(office, telegram_id=SEKRETARIS).total == 1
    (line,) = reading.task_list(office, telegram_id=KABID_INFRA).items
    assert (line.draft.id, line.row_label, line.task_title) == (
        1,
        "2",
        "Unggah Rencana Kerja unit",
    )


def test_pages_are_clamped_to_those_there_are(office: Services) -> None:
    fill(office, 25, tasks=("konsultasi_sekretaris",))
    first = reading.status_list(office, scope=_scope(office), page=0)
    assert (first.page, first.pages, first.first_number) == (1, 3, 1)
    assert [line.draft.id for line in first.items] == list(range(1, 11))
    last = reading.status_list(office, scope=_scope(office), page=2**31 - 1)
    assert (last.page, last.first_number) == (3, 21)
    assert [line.draft.id for line in last.items] == list(range(21, 26))
    # Late: the turns 0, 2, 4, ... of one task each, that is drafts 1, 3, 5, ..., 25.
    late = reading.status_list(office, scope=_scope(office), filter=ListFilter.TERLAMBAT)
    assert (late.total, late.late, late.matching, late.pages) == (25, 13, 13, 2)
    assert [line.draft.id for line in late.items] == list(range(25, 6, -2))  # most overdue
    assert all(line.late and line.minutes_late > 0 for line in late.items)
    assert late.worst == ()  # the page is the most overdue already
    assert [line.draft.id for line in first.worst] == [25, 23, 21]
    on_time = [line for line in first.items if not line.late]
    assert on_time and all(line.minutes_left > 0 for line in on_time)
    assert {line.holders for line in first.items} == {("Budi Sekretaris",)}


def test_a_few_come_whole_and_more_are_summarised(office: Services) -> None:
    fill(office, 5, tasks=("konsultasi_sekretaris",))
    few = reading.status_list(office, scope=_scope(office), details_up_to=5)
    assert [view.draft.id for view in few.details] == [1, 2, 3, 4, 5]
    tasks = reading.task_list(office, telegram_id=SEKRETARIS, briefings_up_to=5)
    assert [b.draft.id for b in tasks.briefings] == [1, 2, 3, 4, 5]
    assert all(b.task.id == "konsultasi_sekretaris" for b in tasks.briefings)

    fill(office, 1, tasks=("konsultasi_sekretaris",))
    more = reading.status_list(office, scope=_scope(office), details_up_to=5)
    assert more.details == () and more.total == 6
    assert reading.task_list(office, telegram_id=SEKRETARIS, briefings_up_to=5).briefings == ()
    with office.session() as session:
        session.execute(update(Draft).values(status="selesai"))
        session.commit()
    empty = reading.status_list(office, scope=_scope(office), details_up_to=5)
    assert (empty.total, empty.matching, empty.pages, empty.items) == (0, 0, 1, ())


def test_one_drafts_task_only_for_who_may_act_on_it(office: Services) -> None:
    fill(office, 2, tasks=("konsultasi_sekretaris", "konsep_pendahuluan"))
    found = reading.task_of_draft(office, telegram_id=SEKRETARIS, draft_id=1)
    assert (found.draft.id, found.task.id) == (1, "konsultasi_sekretaris")
    with pytest.raises(InvalidInput, match="Draft #2 tidak sedang menunggu tindakan"):
        reading.task_of_draft(office, telegram_id=SEKRETARIS, draft_id=2)
    with pytest.raises(DraftNotFound):
        reading.task_of_draft(office, telegram_id=SEKRETARIS, draft_id=3)
    with pytest.raises(NotRegistered):
        reading.task_of_draft(office, telegram_id=999, draft_id=1)
    with pytest.raises(NotRegistered):
        officials.scope(office, telegram_id=999)

    drafts.start_draft(office, telegram_id=101, title="Renja 2028")  # draft 3, then done
    with office.session() as session:
        session.execute(update(Draft).where(col(Draft.id) == 3).values(status="selesai"))
        session.commit()
    with pytest.raises(InvalidInput, match="Draft #3 tidak sedang menunggu tindakan"):
        reading.task_of_draft(office, telegram_id=101, draft_id=3)


def test_a_task_opened_from_the_list_can_be_acted_on_and_leaves_it(office: Services) -> None:
    fill(office, 8, tasks=("konsultasi_sekretaris",))
    found = reading.task_of_draft(office, telegram_id=SEKRETARIS, draft_id=3)
    drafts.act(
        office,
        telegram_id=SEKRETARIS,
        draft_id=3,
        action=Return("Lengkapi datanya"),
        draft_task_id=found.draft_task_id,
    )
    listed = reading.task_list(office, telegram_id=SEKRETARIS)
    assert listed.total == 7 and 3 not in [line.draft.id for line in listed.items]
    (back,) = reading.task_list(office, telegram_id=101).items  # the konsep, to redo
    assert (back.draft.id, back.row_label) == (3, "1")


def test_a_list_costs_as_many_statements_with_2010_drafts_as_with_30(office: Services) -> None:
    fill(office, 30)
    few = [
        statements_of(office.engine, lambda: reading.status_list(office, scope=_scope(office))),
        statements_of(office.engine, lambda: reading.task_list(office, telegram_id=SEKRETARIS)),
        statements_of(office.engine, lambda: reading.task_list(office, telegram_id=KABID_EKONOMI)),
    ]
    fill(office, 1_980)
    many = [
        statements_of(
            office.engine, lambda: reading.status_list(office, scope=_scope(office), page=90)
        ),
        statements_of(
            office.engine, lambda: reading.task_list(office, telegram_id=SEKRETARIS, page=90)
        ),
        statements_of(office.engine, lambda: reading.task_list(office, telegram_id=KABID_EKONOMI)),
    ]
    assert many == few and all(count <= 10 for count in few)
