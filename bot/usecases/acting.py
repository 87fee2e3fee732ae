"""Acting officials (Plh., Plt.) from the chat: proposing one (/plh, /plt), setting it with
✅ Tetapkan, and the end of its period, when the holder gets their tasks back.

While a period lasts, the roster has the acting official in the holder's place
(storage/officials.py): new tasks, reminders and escalations of the position go to them.
What is open when the period starts moves to them, and back to the holder when it ends:
whoever gains a task gets its message with its buttons, whoever loses it sees the buttons
go, and both are told. A period's end is a row the scheduler claims once (the alarm clock
of handlers/reminders.py), so it is acted on after a restart too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import notify, texts
from bot.callbacks import Press, Verb
from bot.usecases import views
from bot.usecases.base import Origin, Services, mark_handled, require_actor
from bot.usecases.errors import InvalidInput
from bot.usecases.views import ActingView, Person, TaskBriefing
from storage import acting as acting_store
from storage import agencies as agency_store
from storage import audit as audit_store
from storage import drafts as draft_store
from storage import officials as official_store
from storage import reminders as reminder_store
from storage.db import locks_rows
from storage.models import ActingPeriod, Assignment, DraftTask, Official
from storage.officials import Staff
from workflow.acting import (
    PLH,
    PLT,
    Unread,
    parse_day,
    people_named,
    period_end,
    read_request,
)
from workflow.engine import holders_to_act
from workflow.sop import Sop

KINDS = (PLH, PLT)


@dataclass(frozen=True)
class Moved:
    """What a period's start (or end) moved: the open tasks that left one official, and of
    them those the other must now act on."""

    view: ActingView
    ended: bool
    left: tuple[TaskBriefing, ...]
    gained: tuple[TaskBriefing, ...]
    next_alarm_at: datetime | None = None
    """The scheduler's next alarm, read in the same transaction (after a start)."""


@dataclass(frozen=True)
class _Checked:
    """A request that passed every check: what a period needs."""

    acting: str
    position: str
    unit: str | None
    official: Official
    holder: Official
    replaces: Assignment
    valid_until: datetime


def propose(
    services: Services,
    *,
    telegram_id: int,
    acting: str,
    words: Sequence[str],
    chat_id: int,
    origin: Origin | None = None,
) -> ActingView:
    """Check a /plh (or /plt) request and owe its summary with ✅ Tetapkan / ❌ Batal; a
    refusal (InvalidInput) changes nothing."""
    assert acting in KINDS
    now = services.clock()
    with services.session() as session:
        mark_handled(session, origin, now)
        agency_id = _agency_of(session, telegram_id)
        staff = official_store.staff(session, now=now, agency_id=agency_id)
        if telegram_id not in services.admins:
            require_actor(session, telegram_id=telegram_id, now=now, staff=staff)
        request = read_request(services.organisation, words)
        if isinstance(request, Unread):
            raise InvalidInput(_unread(services, acting, request))
        _require_authority(services, session, staff, telegram_id, acting, request.position, now)
        holder_row = _holder(
            services, session, agency_id, acting, request.position, request.unit, now
        )
        day = parse_day(request.day)
        if day is None:
            raise InvalidInput(texts.acting_bad_day(request.day))
        until = period_end(services.calendar, day)
        if until is None or until <= now:
            raise InvalidInput(texts.acting_past_day(day, acting))
        official = _person(services, staff, request.name, holder_row[1])
        checked = _check(services, session, acting, holder_row, official, until, now)
        period = acting_store.propose(
            session,
            acting=acting,
            position=checked.position,
            unit=checked.unit,
            official_id=official.id or 0,
            holder_id=checked.holder.id or 0,
            replaces_id=checked.replaces.id or 0,
            valid_until=until,
            proposed_by=telegram_id,
            now=now,
        )
        view = _view(services, period, official, checked.holder)
        summary = notify.text(
            chat_id,
            texts.acting_summary(view, services.tz),
            keyboard=_confirm_keyboard(period.id or 0),
        )
        notify.write(session, [summary])
        session.commit()
        return view


def confirm(
    services: Services, *, telegram_id: int, period_id: int, origin: Origin | None = None
) -> Moved:
    """✅ Tetapkan: the period starts now. Every check is made again; the holder's open
    tasks move to the acting official, and both are told."""
    now = services.clock()
    with services.session() as session:
        mark_handled(session, origin, now)
        period = _proposal(session, telegram_id, period_id)
        _end_due(services, session, now)  # a period that has ended makes room first
        holder_row = _replaced(session, period, now)
        official = official_store.official_by_id(session, official_id=period.official_id)
        agency_id = holder_row[1].agency_id
        staff = official_store.staff(session, now=now, agency_id=agency_id)
        _require_authority(
            services, session, staff, telegram_id, period.acting, period.position, now
        )
        if official is None or not official.active:
            raise InvalidInput(texts.ACTING_PERSON_GONE)
        checked = _check(
            services, session, period.acting, holder_row, official, period.valid_until, now
        )
        if not acting_store.decide(session, period_id=period_id, status=acting_store.SET, now=now):
            raise InvalidInput(texts.ACTING_DECIDED)
        session.refresh(period)
        assignment = official_store.assign_position(
            session,
            official_id=official.id or 0,
            position=checked.position,
            unit=checked.unit,
            acting=checked.acting,
            valid_from=now,
            valid_until=period.valid_until,
            replaces_id=checked.replaces.id,
        )
        period.assignment_id = assignment.id
        session.add(period)
        after = official_store.staff(session, now=now, agency_id=agency_id)
        view = _view(services, period, official, checked.holder)
        left, gained = _moves(services, session, staff, after, view.holder, view.official, now)
        messages: list[notify.Outgoing] = []
        requester = staff.actor(telegram_id)  # None: an administrator who holds nothing
        set_by = requester.name if requester else None
        if origin is not None and origin.chat_id and origin.message_id:
            line = texts.acting_set_line(set_by, now, services.tz)
            summary = texts.acting_summary(view, services.tz)
            messages.append(notify.edit(origin.chat_id, origin.message_id, f"{summary}\n\n{line}"))
        notify.write(session, messages)
        _tell(services, session, view, left, gained, ended=False)
        _record_moves(
            session, view, left, note=texts.acting_moved_note(view, set_by, services.tz), now=now
        )
        moved = Moved(view, False, left, gained, reminder_store.next_alarm(session))
        session.commit()
        return moved


def cancel(
    services: Services, *, telegram_id: int, period_id: int, origin: Origin | None = None
) -> None:
    """❌ Batal: the proposal is dropped; nothing else changes."""
    now = services.clock()
    with services.session() as session:
        mark_handled(session, origin, now)
        period = _proposal(session, telegram_id, period_id)
        if not acting_store.decide(
            session, period_id=period_id, status=acting_store.CANCELLED, now=now
        ):
            raise InvalidInput(texts.ACTING_DECIDED)
        if origin is not None and origin.chat_id and origin.message_id:
            official = official_store.official_by_id(session, official_id=period.official_id)
            holder = official_store.official_by_id(session, official_id=period.holder_id)
            assert official is not None and holder is not None
            view = _view(services, period, official, holder)
            summary = texts.acting_summary(view, services.tz)
            notify.write(
                session,
                [
                    notify.edit(
                        origin.chat_id,
                        origin.message_id,
                        f"{summary}\n\n{texts.ACTING_CANCELLED_LINE}",
                    )
                ],
            )
        session.commit()


def end_due_periods(services: Services) -> list[Moved]:
    """Claim every period whose end has come, give the holders their open tasks back, and
    owe the messages in the same commit."""
    now = services.clock()
    with services.session() as session:
        ended = _end_due(services, session, now)
        session.commit()
        return ended


def periods(services: Services) -> list[ActingView]:
    """Every period set, oldest first (for the command line and the tests)."""
    with services.reading() as session:
        found: list[ActingView] = []
        for period in acting_store.periods(session):
            if period.status != acting_store.SET:
                continue
            people = official_store.officials_by_ids(
                session, ids={period.official_id, period.holder_id}
            )
            found.append(
                _view(services, period, people[period.official_id], people[period.holder_id])
            )
        return found


# Checks ----------------------------------------------------------------------------------


def _unread(services: Services, acting: str, request: Unread) -> str:
    positions = _position_list(services)
    if request.too_few:
        return texts.acting_usage(acting, positions)
    return texts.acting_unknown_position(request.words, positions)


def _position_list(services: Services) -> list[str]:
    """The office's positions as a command may name them: 'Sekretaris (sekban)'."""
    found = []
    for jabatan in services.organisation.jabatan.values():
        label = jabatan.singkat or jabatan.nama
        found.append(f"{label} ({', '.join(jabatan.alias)})" if jabatan.alias else label)
    return found


def _require_authority(
    services: Services,
    session: Session,
    staff: Staff,
    telegram_id: int,
    acting: str,
    position: str,
    now: datetime,
) -> None:
    """An administrator, or whoever holds one of the position's superiors now (its atasan,
    the atasan's atasan, ...; acting officials included); anyone else is refused (a
    stranger as not registered)."""
    if telegram_id in services.admins:
        return
    actor = require_actor(session, telegram_id=telegram_id, now=now, staff=staff)
    superiors = _superiors(services, position)
    if any(h.position in superiors for h in actor.holdings):
        return
    organisation = services.organisation
    raise InvalidInput(
        texts.acting_not_allowed(
            acting,
            organisation.position(position).label,
            [organisation.position(key).label for key in superiors],
        )
    )


def _agency_of(session: Session, telegram_id: int) -> int:
    """The agency a /plh or /plt is about: the requester's; an administrator registered
    nowhere sets acting officials of the default agency."""
    official = official_store.official_by_telegram_id(session, telegram_id=telegram_id)
    if official is not None:
        return official.agency_id
    return agency_store.default_agency(session).id or 0


def _superiors(services: Services, position: str) -> list[str]:
    """The position's atasan, its atasan, and so on up (the file allows no loop of one; a
    longer loop stops where it closes)."""
    found: list[str] = []
    key = services.organisation.position(position).atasan
    while key is not None and key not in found and key != position:
        found.append(key)
        key = services.organisation.position(key).atasan
    return found


def _holder(
    services: Services,
    session: Session,
    agency_id: int,
    acting: str,
    position: str,
    unit: str | None,
    now: datetime,
) -> tuple[Assignment, Official]:
    """The one official who holds the position (for the unit) in their own right now."""
    organisation = services.organisation
    jabatan = organisation.jabatan[position]
    name = organisation.position(position).label
    if jabatan.pemegang == "banyak" and not jabatan.per_unit:
        raise InvalidInput(texts.acting_many_holders(acting, name))
    found = acting_store.holders(session, agency_id=agency_id, position=position, now=now)
    if unit is not None:
        found = [(a, o) for a, o in found if a.unit == unit]
    if len(found) > 1 and jabatan.per_unit:
        units = sorted({a.unit or "" for a, _ in found})
        raise InvalidInput(texts.acting_need_unit(acting, name, units))
    if len(found) != 1:
        if found:
            raise InvalidInput(texts.acting_many_holders(acting, name))
        raise InvalidInput(texts.acting_no_holder(name, unit))
    return found[0]


def _person(services: Services, staff: Staff, name: str, holder: Official) -> Official:
    """The registered official `name` means: among the office's officials (and the
    holder), case-insensitively; none or several are refused with the candidates."""
    people: dict[int, Official] = {}
    for official_id, official in staff.officials.items():
        held = staff.holdings.get(official_id, ())
        if any(not services.organisation.position(h.position).eksternal for h in held):
            people[official_id] = official
    if holder.id is not None:
        people[holder.id] = holder
    found = people_named(name, {key: official.name for key, official in people.items()})
    if len(found) == 1:
        return people[found[0]]
    if found:
        raise InvalidInput(texts.acting_ambiguous_person(name, [people[k].name for k in found]))
    names = sorted(official.name for official in people.values())
    raise InvalidInput(texts.acting_unknown_person(name, names))


def _check(
    services: Services,
    session: Session,
    acting: str,
    holder_row: tuple[Assignment, Official],
    official: Official,
    until: datetime,
    now: datetime,
) -> _Checked:
    """The person is not the holder, and no period set for the position shares a moment
    with this one."""
    replaces, holder = holder_row
    name = services.organisation.position(replaces.position).label
    if official.id == holder.id:
        raise InvalidInput(texts.acting_is_holder(official.name, acting, name))
    for other in acting_store.overlapping(
        session,
        agency_id=holder.agency_id,
        position=replaces.position,
        unit=replaces.unit,
        start=now,
        end=until,
    ):
        someone = official_store.official_by_id(session, official_id=other.official_id)
        raise InvalidInput(
            texts.acting_overlap(
                other.acting,
                name,
                someone.name if someone else "?",
                other.valid_until,
                services.tz,
            )
        )
    return _Checked(acting, replaces.position, replaces.unit, official, holder, replaces, until)


def _proposal(session: Session, telegram_id: int, period_id: int) -> ActingPeriod:
    """The proposal pressed on: still open, and pressed by whoever made it."""
    period = acting_store.period(session, period_id=period_id)
    if period is None:
        raise InvalidInput(texts.BUTTON_EXPIRED)
    if period.proposed_by != telegram_id:
        raise InvalidInput(texts.ACTING_NOT_PROPOSER)
    if period.status != acting_store.PROPOSED:
        raise InvalidInput(texts.ACTING_DECIDED)
    return period


def _replaced(
    session: Session, period: ActingPeriod, now: datetime
) -> tuple[Assignment, Official]:
    """The holder's assignment the proposal names, if it is still in force."""
    replaces = session.get(Assignment, period.replaces_id)
    holder = official_store.official_by_id(session, official_id=period.holder_id)
    current = (
        acting_store.holders(
            session, agency_id=holder.agency_id, position=period.position, now=now
        )
        if holder is not None
        else []
    )
    if replaces is None or holder is None or replaces.id not in {a.id for a, _ in current}:
        raise InvalidInput(texts.ACTING_HOLDER_GONE)
    return replaces, holder


# Moving tasks ------------------------------------------------------------------------------


def _end_due(services: Services, session: Session, now: datetime) -> list[Moved]:
    ended: list[Moved] = []
    for period in acting_store.due_ends(session, now=now):
        if not acting_store.claim_end(session, period_id=period.id or 0, now=now):
            continue  # another process got there first
        people = official_store.officials_by_ids(
            session, ids={period.official_id, period.holder_id}
        )
        view = _view(services, period, people[period.official_id], people[period.holder_id])
        agency_id = people[period.holder_id].agency_id
        during = official_store.staff(
            session, now=period.valid_until - timedelta(microseconds=1), agency_id=agency_id
        )
        after = official_store.staff(session, now=now, agency_id=agency_id)
        left, gained = _moves(services, session, during, after, view.official, view.holder, now)
        _tell(services, session, view, left, gained, ended=True)
        _record_moves(
            session, view, left, note=texts.acting_returned_note(view), now=now, ended=True
        )
        ended.append(Moved(view, True, left, gained))
    return ended


def _moves(
    services: Services,
    session: Session,
    before: Staff,
    after: Staff,
    losing: Person,
    gaining: Person,
    now: datetime,
) -> tuple[tuple[TaskBriefing, ...], tuple[TaskBriefing, ...]]:
    """The open tasks `losing` had to act on under `before` and no longer has under
    `after`, and of them those `gaining` must now act on."""
    lock = locks_rows(session)
    left: list[TaskBriefing] = []
    gained: list[TaskBriefing] = []

    def moving(sop: Sop, task: DraftTask) -> bool:
        was, is_now = _to_act(sop, task, before), _to_act(sop, task, after)
        return losing.official_id in was and losing.official_id not in is_now

    for task in draft_store.open_tasks(session, agency_id=after.agency_id):
        draft = draft_store.get_draft(session, draft_id=task.draft_id)
        sop = services.sops.get(draft.sop_id) if draft is not None else None
        if draft is None or sop is None or not moving(sop, task):
            continue
        if lock:
            # The draft is locked before any of its messages changes, as a decision locks
            # it (PostgreSQL), and its task read again: one a decision closed (or changed)
            # meanwhile is seen as it is now.
            draft_store.get_draft(session, draft_id=task.draft_id, lock=True)
            session.refresh(task)
            if not task.is_open or not moving(sop, task):
                continue
        briefing = views.briefing(session, sop, draft, task, now=now, staff=after)
        left.append(briefing)
        if gaining.official_id in _to_act(sop, task, after):
            gained.append(briefing)
    return tuple(left), tuple(gained)


def _to_act(sop: Sop, task: DraftTask, staff: Staff) -> set[int]:
    """Who must still act on an open task, with this staff."""
    holders = holders_to_act(
        sop.task(task.task_id), staff.roster, sop, shares=task.shares, submitted=task.submitted
    )
    return {holder.official_id for holder in holders}


AUDIT_MOVED = "tugas_dialihkan"
"""In a draft's trail: its open task moved to an acting official when the period started."""
AUDIT_RETURNED = "tugas_kembali"
"""In a draft's trail: its open task went back to the holder when the period ended."""


def _record_moves(
    session: Session,
    view: ActingView,
    moved: tuple[TaskBriefing, ...],
    *,
    note: str,
    now: datetime,
    ended: bool = False,
) -> None:
    """A line in the trail of each draft whose open task moved: the bot moved it (no actor),
    and the note says to whom and why."""
    for briefing in moved:
        audit_store.add_entry(
            session,
            draft_id=briefing.draft.id,
            at=now,
            action=AUDIT_RETURNED if ended else AUDIT_MOVED,
            task_id=briefing.task.id,
            row_no=briefing.row_no,
            note=note,
        )


def _tell(
    services: Services,
    session: Session,
    view: ActingView,
    left: tuple[TaskBriefing, ...],
    gained: tuple[TaskBriefing, ...],
    *,
    ended: bool,
) -> None:
    """Owe what a period's start (or end) tells: to the one who loses the tasks a notice,
    then their tasks' buttons go; to the one who gains them a notice, then the messages of
    the tasks gained, with their buttons."""
    tz = services.tz
    if ended:
        losing, gaining = view.official, view.holder
        to_losing = texts.acting_ended_for_official(view, left, tz)
        to_gaining = texts.acting_ended_for_holder(view, gained, tz)
    else:
        losing, gaining = view.holder, view.official
        to_losing = texts.acting_started_for_holder(view, left, tz)
        to_gaining = texts.acting_started_for_official(view, gained, tz)
    notify.write(
        session, [notify.text(losing.telegram_id, to_losing, official_id=losing.official_id)]
    )
    for briefing in left:
        notify.drop_task_buttons(
            session, draft_task_id=briefing.draft_task_id, chat_id=losing.telegram_id
        )
    messages = [notify.text(gaining.telegram_id, to_gaining, official_id=gaining.official_id)]
    for briefing in gained:
        messages += notify.briefing(gaining, briefing, services.sops[briefing.draft.sop_id], tz)
    notify.write(session, messages)


def _view(
    services: Services,
    period: ActingPeriod,
    official: Official,
    holder: Official,
) -> ActingView:
    position = services.organisation.position(period.position).label
    if period.unit and services.organisation.jabatan[period.position].per_unit:
        position = f"{position} ({period.unit})"
    return ActingView(
        period_id=period.id or 0,
        acting=period.acting,
        position=position,
        official=views.person_view(official),
        holder=views.person_view(holder),
        valid_until=period.valid_until,
        valid_from=period.valid_from,
    )


def _confirm_keyboard(period_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.TETAPKAN, callback_data=Press(Verb.PLH_TETAPKAN, period_id, 0).encode()
                ),
                InlineKeyboardButton(
                    texts.BATAL_USULAN, callback_data=Press(Verb.PLH_BATAL, period_id, 0).encode()
                ),
            ]
        ]
    )
