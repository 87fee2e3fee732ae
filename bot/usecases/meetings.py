"""Meetings (rapat): scheduling from the chat, invitations with calendar files, answers,
changes, reminders, the group's live summary, and the attendance in the audit trail.

A `rapat` task's holder (the organiser) schedules step by step: time (typed or picked),
place, agenda, the Undangan to attach, then a confirmation. Every participant then gets an
invitation with an `.ics` file and answer buttons; a registered group gets one post whose
attendance summary is edited as answers come in, at most once every few seconds. While the
draft waits for the meeting, its row's clock stands still. Every message goes through the
outbox, in the same transaction as the change that caused it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import ics, notify, texts
from bot.callbacks import Press, Verb
from bot.usecases import agencies, views
from bot.usecases.base import (
    Origin,
    Services,
    mark_handled,
    require_actor,
    require_draft,
    require_member,
    require_open,
    require_party,
)
from bot.usecases.errors import InvalidInput
from bot.usecases.views import InviteeView, MeetingReport, MeetingView
from storage import audit as audit_store
from storage import conversations as conversation_store
from storage import drafts as draft_store
from storage import meetings as meeting_store
from storage import officials as official_store
from storage import outbox as outbox_store
from storage import reminders as reminder_store
from storage.db import locks_rows
from storage.models import (
    Draft,
    DraftTask,
    Meeting,
    MeetingInput,
    MeetingInvitee,
    Reminder,
    RowClock,
)
from workflow import reminders
from workflow.engine import Actor, Holder, Roster, holders_of, participants_of
from workflow.meeting import (
    Answer,
    WhenRefused,
    check_when,
    day_choices,
    meeting_reminders,
    schedule_when,
    time_choices,
)
from workflow.sop import Sop, Task, TaskKind

SCHEDULE = "jadwal"
RESCHEDULE = "ubah"
DEPUTY = "wakil"
"""What the bot waits for (MeetingInput.kind)."""

STEP_TIME = "waktu"
STEP_PLACE = "tempat"
STEP_AGENDA = "agenda"
STEP_UNDANGAN = "undangan"
STEP_CONFIRM = "konfirmasi"

PLACE_MAX = 200
AGENDA_MAX = 500
DEPUTY_MAX = 200

# Audit actions of a meeting (the engine's own are in workflow.engine.AuditAction).
AUDIT_SCHEDULED = "rapat_dijadwalkan"
AUDIT_RESCHEDULED = "rapat_diubah"
AUDIT_CANCELLED = "rapat_dibatalkan"
AUDIT_ATTENDANCE = "kehadiran"
"""Written for every participant when the results are sent: how they ended up."""


# Scheduling -----------------------------------------------------------------------------


def begin_scheduling(
    services: Services,
    *,
    telegram_id: int,
    draft_id: int,
    draft_task_id: int,
    origin: Origin | None = None,
) -> None:
    """📅 Jadwalkan rapat: ask the organiser when the meeting starts."""
    now = services.clock()
    with services.session() as session:
        mark_handled(session, origin, now)
        party = require_party(
            session, sops=services.sops, draft_id=draft_id, telegram_id=telegram_id, now=now
        )
        draft, actor, roster = party.draft, party.actor, party.staff.roster
        sop = services.sops[draft.sop_id]
        require_open(session, sop=sop, draft_task_id=draft_task_id, draft_id=draft_id)
        entry = _entry(session, draft_task_id)
        task = _meeting_task(sop, entry)
        _require_organiser(sop, task, actor, roster)
        _require_participants(sop, task, roster)
        scheduled = meeting_store.scheduled_for_task(session, draft_task_id=draft_task_id)
        if scheduled is not None:
            view = _view(session, sop, scheduled)
            raise InvalidInput(
                f"Rapat sudah dijadwalkan: {texts.when_text(view.starts_at, services.tz)}. "
                f"Ubah atau batalkan lewat /rapat {draft_id}."
            )
        _start_input(session, actor, SCHEDULE, entry, None, now, telegram_id)
        _prompt(
            session, telegram_id, [_ask_time(services, telegram_id, task.judul, entry, None, now)]
        )
        session.commit()


def begin_reschedule(
    services: Services, *, telegram_id: int, meeting_id: int, origin: Origin | None = None
) -> None:
    """🔁 Ubah jadwal: ask the organiser for the new start."""
    now = services.clock()
    with services.session() as session:
        mark_handled(session, origin, now)
        member = require_member(session, telegram_id=telegram_id, now=now)
        actor = member.actor
        meeting, _sop, task = _changeable(
            services, session, meeting_id, actor, now, agency_id=member.agency_id
        )
        entry = _entry(session, meeting.draft_task_id)
        _start_input(session, actor, RESCHEDULE, entry, meeting, now, telegram_id)
        current = texts.when_text(meeting.starts_at, services.tz)
        _prompt(
            session,
            telegram_id,
            [_ask_time(services, telegram_id, task.judul, entry, current, now)],
        )
        session.commit()


def pick_day(services: Services, *, telegram_id: int, draft_task_id: int, ordinal: int) -> None:
    """A day was picked: offer its start times."""
    now = services.clock()
    with services.session() as session:
        actor = require_actor(session, telegram_id=telegram_id, now=now)
        pending = _awaited(session, actor, draft_task_id, STEP_TIME)
        try:
            day = date.fromordinal(ordinal)
        except (ValueError, OverflowError):
            raise InvalidInput(texts.CHOICE_GONE) from None
        times = time_choices(services.calendar, day, now=now)
        if not times:
            raise InvalidInput(texts.when_refused("sudah_lewat", {}))
        buttons = [
            (
                f"{start.astimezone(services.tz):%H:%M}",
                Press(Verb.RAPAT_JAM, pending.draft_task_id or 0, _epoch_minutes(start)),
            )
            for start in times
        ]
        shown = texts.date_text(times[0], services.tz)
        _prompt(
            session,
            telegram_id,
            [notify.text(telegram_id, texts.ask_time_of_day(shown), keyboard=_grid(buttons, 4))],
        )
        session.commit()


def pick_time(
    services: Services,
    *,
    telegram_id: int,
    draft_task_id: int,
    minutes: int,
    origin: Origin | None = None,
) -> None:
    """A start time was picked from the buttons."""
    now = services.clock()
    with services.session() as session:
        mark_handled(session, origin, now)
        actor = require_actor(session, telegram_id=telegram_id, now=now)
        pending = _awaited(session, actor, draft_task_id, STEP_TIME)
        starts = datetime.fromtimestamp(minutes * 60, UTC)
        _check(services, starts, now)
        _take_time(services, session, pending, starts, telegram_id)
        session.commit()


def take_text(
    services: Services, *, telegram_id: int, text: str, origin: Origin | None = None
) -> bool:
    """Typed text the bot waits for in a meeting (a time, place, agenda or deputy).

    False when the bot waits for nothing of this official about a meeting.
    """
    now = services.clock()
    with services.session() as session:
        actor = require_actor(session, telegram_id=telegram_id, now=now)
        pending = meeting_store.pending_input(session, official_id=actor.official_id)
        if pending is None or pending.kind not in (SCHEDULE, RESCHEDULE, DEPUTY):
            return False
        mark_handled(session, origin, now)
        if pending.kind == DEPUTY:
            deputy = _clean(text, DEPUTY_MAX)
            meeting = _meeting(session, pending.meeting_id or 0, agency_id=None)  # awaited
            pressed = pending.data.get("message_id")
            invitation = Origin(chat_id=telegram_id, message_id=int(pressed)) if pressed else None
            given = Answer.DIWAKILKAN
            _record_answer(services, session, meeting, actor, given, deputy, invitation, now)
            if invitation is not None:  # the edit says it too; the typed name gets an answer
                recorded = texts.answer_recorded(given.value, deputy)
                notify.write(session, [notify.text(telegram_id, recorded)])
            meeting_store.clear_input(session, official_id=actor.official_id)
        elif pending.step == STEP_TIME:
            try:
                starts = schedule_when(text, now=now, calendar=services.calendar)
            except WhenRefused as refused:
                raise InvalidInput(
                    texts.when_refused(refused.code.value, refused.detail)
                ) from None
            _take_time(services, session, pending, starts, telegram_id)
        elif pending.step == STEP_PLACE:
            _set(session, pending, STEP_AGENDA, place=_clean(text, PLACE_MAX))
            _prompt(session, telegram_id, [notify.text(telegram_id, texts.ASK_AGENDA)])
        elif pending.step == STEP_AGENDA:
            _set(session, pending, pending.step, agenda=_clean(text, AGENDA_MAX))
            _after_agenda(services, session, pending, telegram_id)
        else:
            raise InvalidInput(texts.MEETING_USE_BUTTONS)
        session.commit()
        return True


def choose_undangan(
    services: Services, *, telegram_id: int, draft_task_id: int, version_id: int
) -> None:
    """Attach the uploaded Undangan (or none) to the invitations."""
    now = services.clock()
    with services.session() as session:
        actor = require_actor(session, telegram_id=telegram_id, now=now)
        pending = _awaited(session, actor, draft_task_id, STEP_UNDANGAN)
        offered = pending.data.get("undangan_offered")
        if version_id not in (0, offered):
            raise InvalidInput(texts.CHOICE_GONE)
        _set(session, pending, STEP_CONFIRM, undangan=version_id or None)
        _prompt(session, telegram_id, [_confirmation(services, session, pending, telegram_id)])
        session.commit()


def confirm(
    services: Services, *, telegram_id: int, draft_task_id: int, origin: Origin | None = None
) -> MeetingView:
    """✅ Kirim undangan / Simpan jadwal baru: the meeting is scheduled or moved."""
    now = services.clock()
    with services.session() as session:
        mark_handled(session, origin, now)
        actor = require_actor(session, telegram_id=telegram_id, now=now)
        pending = _awaited(session, actor, draft_task_id, STEP_CONFIRM)
        starts = datetime.fromisoformat(str(pending.data["starts_at"]))
        _check(services, starts, now)  # the time may have passed while they confirmed
        if pending.kind == RESCHEDULE:
            view = _reschedule(services, session, pending, actor, starts, now, telegram_id)
        else:
            view = _schedule(services, session, pending, actor, starts, now, telegram_id)
        meeting_store.clear_input(session, official_id=actor.official_id)
        session.commit()
        return view


def _tell_organiser(
    services: Services,
    session: Session,
    telegram_id: int,
    view: MeetingView,
    count: int,
    change: bool,
) -> None:
    """The organiser hears first that the invitations are on their way: written before them,
    it is not sent after a large forum's hundreds of messages."""
    _end_prompts(session, telegram_id)
    scheduled = texts.meeting_scheduled(view, services.tz, count, change)
    notify.write(session, [notify.text(telegram_id, scheduled)])


def dismiss(services: Services, *, origin: Origin) -> None:
    """Tidak jadi: the question's buttons go, nothing else changes."""
    if origin.chat_id is None or origin.message_id is None:
        return
    with services.session() as session:
        notify.write(session, [notify.drop_buttons(origin.chat_id, origin.message_id)])
        session.commit()


def cancel_input(services: Services, *, telegram_id: int) -> str | None:
    """/batal: forget the scheduling, the deputy's name or the draft's title the bot waits
    for; which of them it was (None: nothing)."""
    now = services.clock()
    with services.session() as session:
        actor = require_actor(session, telegram_id=telegram_id, now=now)
        pending = meeting_store.pending_input(session, official_id=actor.official_id)
        kind = pending.kind if pending is not None else None
        meeting_store.clear_input(session, official_id=actor.official_id)
        _end_prompts(session, telegram_id)
        session.commit()
        return kind


def _start_input(
    session: Session,
    actor: Actor,
    kind: str,
    entry: DraftTask,
    meeting: Meeting | None,
    now: datetime,
    chat_id: int,
) -> None:
    conversation_store.clear_pending_reply(session, official_id=actor.official_id)
    meeting_store.set_input(
        session,
        official_id=actor.official_id,
        kind=kind,
        step=STEP_TIME,
        now=now,
        draft_task_id=entry.id,
        meeting_id=meeting.id if meeting is not None else None,
        data={"draft_id": entry.draft_id},
        chat_id=chat_id,
    )


def _ask_time(
    services: Services,
    telegram_id: int,
    title: str,
    entry: DraftTask,
    current: str | None,
    now: datetime,
) -> notify.Outgoing:
    days = day_choices(services.calendar, now=now)
    buttons = [
        (
            texts.short_date_text(day),
            Press(Verb.RAPAT_HARI, entry.id or 0, day.toordinal()),
        )
        for day in days
    ]
    return notify.text(
        telegram_id, texts.ask_meeting_time(title, current), keyboard=_grid(buttons, 2)
    )


def _take_time(
    services: Services,
    session: Session,
    pending: MeetingInput,
    starts: datetime,
    telegram_id: int,
) -> None:
    if pending.kind == RESCHEDULE:
        _set(session, pending, STEP_CONFIRM, starts_at=starts.isoformat())
        _prompt(session, telegram_id, [_confirmation(services, session, pending, telegram_id)])
        return
    _set(session, pending, STEP_PLACE, starts_at=starts.isoformat())
    _prompt(session, telegram_id, [notify.text(telegram_id, texts.ASK_PLACE)])


def _after_agenda(
    services: Services, session: Session, pending: MeetingInput, telegram_id: int
) -> None:
    """Offer the Undangan uploaded earlier, if the task names one and it exists."""
    entry = _entry(session, pending.draft_task_id or 0)
    # The draft of the awaited scheduling, checked when it began.
    draft = require_draft(session, sops=services.sops, draft_id=entry.draft_id, agency_id=None)
    sop = services.sops[draft.sop_id]
    undangan = _undangan_version(session, sop, draft, entry)
    if undangan is None:
        _set(session, pending, STEP_CONFIRM, undangan=None)
        _prompt(session, telegram_id, [_confirmation(services, session, pending, telegram_id)])
        return
    _set(session, pending, STEP_UNDANGAN, undangan_offered=undangan.version_id)
    buttons = [
        (
            f"📎 {undangan.name} v{undangan.version}",
            Press(Verb.RAPAT_LAMPIRAN, entry.id or 0, undangan.version_id),
        ),
        (texts.TANPA_LAMPIRAN, Press(Verb.RAPAT_LAMPIRAN, entry.id or 0, 0)),
    ]
    _prompt(
        session,
        telegram_id,
        [
            notify.text(
                telegram_id, texts.ask_undangan(undangan), keyboard=notify.keyboard(buttons)
            )
        ],
    )


def _undangan_version(
    session: Session, sop: Sop, draft: Draft, entry: DraftTask
) -> views.DocumentView | None:
    task = sop.task(entry.task_id)
    if task.undangan is None:
        return None
    assert draft.id is not None
    versions = draft_store.latest_versions(session, draft_id=draft.id, documents=(task.undangan,))
    return views.document_view(session, sop, versions[-1]) if versions else None


def _confirmation(
    services: Services, session: Session, pending: MeetingInput, telegram_id: int
) -> notify.Outgoing:
    """The meeting as it will be sent, with the button that sends it."""
    entry = _entry(session, pending.draft_task_id or 0)
    draft = require_draft(session, sops=services.sops, draft_id=entry.draft_id, agency_id=None)
    sop = services.sops[draft.sop_id]
    task = sop.task(entry.task_id)
    starts = datetime.fromisoformat(str(pending.data["starts_at"]))
    if pending.kind == RESCHEDULE:
        meeting = _meeting(session, pending.meeting_id or 0, agency_id=None)
        base = _view(session, sop, meeting)
        view = _moved(base, starts, services)
        label = texts.SIMPAN_JADWAL
    else:
        undangan_id = pending.data.get("undangan")
        undangan = None
        if undangan_id:
            version = draft_store.document_version(session, version_id=int(undangan_id))
            undangan = views.document_view(session, sop, version) if version else None
        organiser = official_store.official_by_id(session, official_id=pending.official_id)
        view = MeetingView(
            id=0,
            draft=views.draft_view(draft),
            draft_task_id=entry.id or 0,
            task_title=task.judul,
            status=meeting_store.SCHEDULED,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=services.meeting_minutes),
            place=str(pending.data.get("place", "")),
            agenda=str(pending.data.get("agenda", "")),
            organiser=organiser.name if organiser else "",
            organiser_position=sop.position(task.holder).label,
            sequence=0,
            undangan=undangan,
        )
        label = texts.KIRIM_UNDANGAN
    roster = official_store.roster(session, now=services.clock(), agency_id=draft.agency_id)
    count = len(participants_of(task, roster))
    buttons = [(label, Press(Verb.RAPAT_KIRIM, entry.id or 0, 0))]
    return notify.text(
        telegram_id,
        texts.meeting_confirm(view, services.tz, count, pending.kind == RESCHEDULE),
        keyboard=notify.keyboard(buttons),
    )


def _schedule(
    services: Services,
    session: Session,
    pending: MeetingInput,
    actor: Actor,
    starts: datetime,
    now: datetime,
    telegram_id: int,
) -> MeetingView:
    entry = _entry(session, pending.draft_task_id or 0)
    draft = require_draft(session, sops=services.sops, draft_id=entry.draft_id, agency_id=None)
    sop = services.sops[draft.sop_id]
    assert draft.id is not None and entry.id is not None
    require_open(session, sop=sop, draft_task_id=entry.id, draft_id=draft.id)
    task = _meeting_task(sop, entry)
    roster = official_store.roster(session, now=now, agency_id=draft.agency_id)
    _require_organiser(sop, task, actor, roster)
    if meeting_store.scheduled_for_task(session, draft_task_id=entry.id) is not None:
        raise InvalidInput(texts.CHOICE_GONE)
    undangan = pending.data.get("undangan")
    meeting = meeting_store.add_meeting(
        session,
        draft_id=draft.id,
        draft_task_id=entry.id,
        organiser_id=actor.official_id,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=services.meeting_minutes),
        place=str(pending.data.get("place", "")),
        agenda=str(pending.data.get("agenda", "")),
        undangan_version_id=int(undangan) if undangan else None,
        now=now,
    )
    assert meeting.id is not None
    for holder in _require_participants(sop, task, roster):
        meeting_store.add_invitee(
            session, meeting_id=meeting.id, official_id=holder.official_id, unit=holder.unit
        )
    view = _view(session, sop, meeting)
    invitees = _invitees(session, meeting)
    _tell_organiser(services, session, telegram_id, view, len(invitees), change=False)
    calendar_file = _ics(services, view, cancelled=False)
    for invitee in invitees:
        message = notify.text(
            invitee.telegram_id,
            texts.invitation(view, services.tz, None, None, False),
            keyboard=_answer_keyboard(meeting.id),
            official_id=invitee.official_id,
            tag=_tag(meeting.id),
        )
        files = _files(invitee, view, calendar_file, with_undangan=True)
        (invitation_id, *_) = notify.write_each(session, [message, *files])
        found = meeting_store.invitee(
            session, meeting_id=meeting.id, official_id=invitee.official_id
        )
        assert found is not None
        found.invitation_id = invitation_id
        session.add(found)
    groups = meeting_store.groups_of(
        session, positions=set(task.peserta), agency_id=draft.agency_id
    )
    for group in groups:
        (post_id,) = notify.write_each(
            session,
            [notify.text(group.chat_id, texts.group_post(view, services.tz, invitees))],
        )
        if meeting.group_post_id is None:
            meeting.group_chat_id, meeting.group_post_id = group.chat_id, post_id
    session.add(meeting)
    _plan_reminders(services, session, meeting, now)
    _pause_clock(services, session, sop, draft.id, starts, now)
    note = f"{texts.when_text(starts, services.tz)}, {meeting.place}"
    _audit(session, meeting, entry, actor, sop, AUDIT_SCHEDULED, note, now)
    return view


def _reschedule(
    services: Services,
    session: Session,
    pending: MeetingInput,
    actor: Actor,
    starts: datetime,
    now: datetime,
    telegram_id: int,
) -> MeetingView:
    meeting, sop, _task = _changeable(
        services,
        session,
        pending.meeting_id or 0,
        actor,
        now,
        agency_id=None,  # awaited
    )
    assert meeting.id is not None
    before = texts.when_text(meeting.starts_at, services.tz)
    meeting.starts_at = starts
    meeting.ends_at = starts + timedelta(minutes=services.meeting_minutes)
    meeting.sequence += 1
    meeting.updated_at = now
    session.add(meeting)
    view = _view(session, sop, meeting)
    calendar_file = _ics(services, view, cancelled=False)
    for invitee, _official in meeting_store.invitees(session, meeting_id=meeting.id):
        if invitee.answer is not None:
            invitee.reconfirm = True
            session.add(invitee)
    everyone = _invitees(session, meeting)
    _tell_organiser(services, session, telegram_id, view, len(everyone), change=True)
    for person in everyone:
        message = notify.text(
            person.telegram_id,
            texts.meeting_changed(view, services.tz, person.answer, person.deputy),
            keyboard=_answer_keyboard(meeting.id),
            official_id=person.official_id,
            tag=_tag(meeting.id),
        )
        notify.write(session, [message, *_files(person, view, calendar_file, False)])
    if meeting.group_chat_id is not None:
        notify.write(
            session, [notify.text(meeting.group_chat_id, texts.group_changed(view, services.tz))]
        )
    _refresh_group(services, session, meeting, view, now)
    meeting_store.cancel_reminders(session, meeting_id=meeting.id, now=now)
    _plan_reminders(services, session, meeting, now)
    _pause_clock(services, session, sop, meeting.draft_id, starts, now)
    entry = _entry(session, meeting.draft_task_id)
    note = f"{before} → {texts.when_text(starts, services.tz)}"
    _audit(session, meeting, entry, actor, sop, AUDIT_RESCHEDULED, note, now)
    return view


# Cancelling -----------------------------------------------------------------------------


def ask_cancel(
    services: Services, *, telegram_id: int, meeting_id: int, origin: Origin | None = None
) -> None:
    """🚫 Batalkan rapat: ask once more, since every participant will be told."""
    now = services.clock()
    with services.session() as session:
        member = require_member(session, telegram_id=telegram_id, now=now)
        actor = member.actor
        meeting, sop, _task = _changeable(
            services, session, meeting_id, actor, now, agency_id=member.agency_id
        )
        view = _view(session, sop, meeting)
        buttons = [
            (texts.YA_BATALKAN, Press(Verb.RAPAT_BATAL_YA, meeting_id, 0)),
            (texts.TIDAK_JADI, Press(Verb.RAPAT_TIDAK_JADI, meeting_id, 0)),
        ]
        _prompt(
            session,
            telegram_id,
            [
                notify.text(
                    telegram_id,
                    texts.meeting_cancel_question(view, services.tz),
                    keyboard=notify.keyboard(buttons),
                )
            ],
        )
        session.commit()


def cancel_meeting(
    services: Services, *, telegram_id: int, meeting_id: int, origin: Origin | None = None
) -> MeetingView:
    """The meeting is called off: everyone is told, with a calendar file that removes it."""
    now = services.clock()
    with services.session() as session:
        mark_handled(session, origin, now)
        member = require_member(session, telegram_id=telegram_id, now=now)
        actor = member.actor
        meeting, sop, _task = _changeable(
            services, session, meeting_id, actor, now, agency_id=member.agency_id
        )
        meeting.status = meeting_store.CANCELLED
        meeting.sequence += 1
        meeting.updated_at = now
        session.add(meeting)
        view = _view(session, sop, meeting)
        calendar_file = _ics(services, view, cancelled=True)
        notify.drop_tagged_buttons(session, tag=_tag(meeting_id))
        for person in _invitees(session, meeting):
            message = notify.text(
                person.telegram_id,
                texts.meeting_cancelled(view, services.tz),
                official_id=person.official_id,
            )
            notify.write(session, [message, *_files(person, view, calendar_file, False)])
        if meeting.group_chat_id is not None:
            notify.write(
                session,
                [notify.text(meeting.group_chat_id, texts.group_cancelled(view, services.tz))],
            )
        _refresh_group(services, session, meeting, view, now, at_once=True)
        meeting_store.cancel_reminders(session, meeting_id=meeting_id, now=now)
        _resume_clock(services, session, sop, meeting.draft_id, now)
        entry = _entry(session, meeting.draft_task_id)
        _audit(session, meeting, entry, actor, sop, AUDIT_CANCELLED, None, now)
        _end_prompts(session, telegram_id)
        notify.write(
            session, [notify.text(telegram_id, texts.meeting_cancelled_for_organiser(view))]
        )
        session.commit()
        return view


# Answers --------------------------------------------------------------------------------


def answer(
    services: Services,
    *,
    telegram_id: int,
    meeting_id: int,
    given: Answer,
    origin: Origin | None = None,
) -> None:
    """✅ Hadir / ❌ Tidak hadir / 👥 Diwakilkan (which then asks for the deputy's name)."""
    now = services.clock()
    with services.session() as session:
        mark_handled(session, origin, now)
        member = require_member(session, telegram_id=telegram_id, now=now)
        actor = member.actor
        meeting = _meeting(session, meeting_id, agency_id=member.agency_id)
        _require_answerable(session, meeting, actor, now)
        if given is Answer.DIWAKILKAN:
            conversation_store.clear_pending_reply(session, official_id=actor.official_id)
            meeting_store.set_input(
                session,
                official_id=actor.official_id,
                kind=DEPUTY,
                step=DEPUTY,
                now=now,
                meeting_id=meeting_id,
                chat_id=telegram_id,
                # The pressed invitation, rewritten with the answer once the name comes.
                data={"message_id": origin.message_id} if origin and origin.message_id else {},
            )
            sop = services.sops[_draft(services, session, meeting).sop_id]
            _prompt(
                session,
                telegram_id,
                [notify.text(telegram_id, texts.ask_deputy(_view(session, sop, meeting)))],
            )
        else:
            _record_answer(services, session, meeting, actor, given, None, origin, now)
        session.commit()


def _record_answer(
    services: Services,
    session: Session,
    meeting: Meeting,
    actor: Actor,
    given: Answer,
    deputy: str | None,
    origin: Origin | None,
    now: datetime,
) -> None:
    invitee = _require_answerable(session, meeting, actor, now)
    invitee.answer = given.value
    invitee.deputy = deputy
    invitee.answered_at = now
    invitee.reconfirm = False
    session.add(invitee)
    sop = services.sops[_draft(services, session, meeting).sop_id]
    view = _view(session, sop, meeting)
    entry = _entry(session, meeting.draft_task_id)
    audit_store.add_entry(
        session,
        draft_id=meeting.draft_id,
        at=now,
        actor_id=actor.official_id,
        position=_participant_position(sop, entry, actor),
        action=given.value,
        task_id=entry.task_id,
        row_no=entry.row_no,
        note=deputy,
        share=invitee.unit or "",
    )
    assert meeting.id is not None
    if origin is not None and origin.chat_id and origin.message_id:
        # The pressed invitation shows the answer and keeps its buttons (it may change).
        rewritten = texts.invitation(view, services.tz, given.value, deputy, False)
        notify.write(
            session,
            [
                notify.edit(
                    origin.chat_id,
                    origin.message_id,
                    rewritten,
                    keyboard=_answer_keyboard(meeting.id),
                )
            ],
        )
    else:
        notify.write(
            session,
            [notify.text(_actor_chat(session, actor), texts.answer_recorded(given.value, deputy))],
        )
    _refresh_group(services, session, meeting, view, now)


def _actor_chat(session: Session, actor: Actor) -> int:
    official = official_store.official_by_id(session, official_id=actor.official_id)
    assert official is not None
    return official.telegram_id


def _require_answerable(
    session: Session, meeting: Meeting, actor: Actor, now: datetime
) -> MeetingInvitee:
    assert meeting.id is not None
    invitee = meeting_store.invitee(session, meeting_id=meeting.id, official_id=actor.official_id)
    if invitee is None:
        raise InvalidInput(texts.MEETING_NOT_INVITED)
    _require_on(meeting, now)
    return invitee


def _require_on(meeting: Meeting, now: datetime) -> None:
    if meeting.status == meeting_store.CANCELLED:
        raise InvalidInput(texts.MEETING_CANCELLED_ALREADY)
    if meeting.status == meeting_store.DONE:
        raise InvalidInput(texts.MEETING_DONE_ALREADY)
    if now >= meeting.starts_at:
        raise InvalidInput(texts.MEETING_STARTED)


# The organiser's view, the group --------------------------------------------------------


def report(services: Services, *, telegram_id: int, draft_id: int | None) -> MeetingReport:
    """/rapat: the latest meeting of a draft (or of any active draft), and every answer."""
    now = services.clock()
    with services.reading() as session:
        member = require_member(session, telegram_id=telegram_id, now=now)
        actor = member.actor
        if draft_id is not None:
            draft = require_draft(
                session, sops=services.sops, draft_id=draft_id, agency_id=member.agency_id
            )
            meetings = meeting_store.meetings_of_draft(session, draft_id=draft_id)
        else:
            meetings = meeting_store.latest_meetings(session, agency_id=member.agency_id)
            draft = None
        if not meetings:
            raise InvalidInput(texts.MEETING_NONE)
        meeting = meetings[-1]
        draft = draft or _draft(services, session, meeting)
        sop = services.sops[draft.sop_id]
        entry = _entry(session, meeting.draft_task_id)
        task = sop.task(entry.task_id)
        internal = any(
            not sop.position(h.position).eksternal
            for h in actor.holdings
            if h.position in sop.pelaksana
        )
        if not internal and telegram_id not in services.admins:
            raise InvalidInput(texts.MEETING_REPORT_INTERNAL)
        organiser = any(h.position in task.oleh for h in actor.holdings)
        on = meeting.status == meeting_store.SCHEDULED
        return MeetingReport(
            meeting=_view(session, sop, meeting),
            invitees=tuple(_invitees(session, meeting)),
            can_change=organiser and on and now < meeting.starts_at,
            started=now >= meeting.starts_at,
        )


def report_keyboard(found: MeetingReport) -> InlineKeyboardMarkup | None:
    meeting = found.meeting
    if found.can_change:
        return notify.keyboard(
            [
                (texts.UBAH_JADWAL, Press(Verb.RAPAT_UBAH, meeting.id, 0)),
                (texts.BATALKAN_RAPAT, Press(Verb.RAPAT_BATAL, meeting.id, 0)),
            ]
        )
    if meeting.status == meeting_store.CANCELLED:
        return notify.keyboard(
            [(texts.JADWALKAN, Press(Verb.RAPAT_JADWAL, meeting.draft.id, meeting.draft_task_id))]
        )
    return None


def register_group(
    services: Services,
    *,
    telegram_id: int,
    chat_id: int,
    title: str,
    position: str | None = None,
    agency_key: str | None = None,
) -> str:
    """/forum_grup in a group (administrators): the bot posts the meetings of the
    administrator's agency (`agency_key`'s, named by a province-level administrator) there.

    The position is the participants' of the SOPs' meetings when not named. Returns its
    label.
    """
    now = services.clock()
    with services.session() as session:
        agency = agencies.administered(
            session, services, telegram_id=telegram_id, agency_key=agency_key
        )
        assert agency.id is not None
        key = position or _participant_position_key(services)
        labels = {k: p.label for sop in services.sops.values() for k, p in sop.pelaksana.items()}
        if key not in labels:
            raise InvalidInput(f"Jabatan '{key}' tidak dikenal.")
        meeting_store.register_group(
            session,
            position=key,
            agency_id=agency.id,
            chat_id=chat_id,
            title=title,
            registered_by=telegram_id,
            now=now,
        )
        notify.write(session, [notify.text(chat_id, texts.group_registered(title, labels[key]))])
        session.commit()
    return labels[key]


def _participant_position_key(services: Services) -> str:
    for key in (services.default_sop, *services.sops):
        for task in services.sops[key].tasks:
            if task.jenis == TaskKind.RAPAT:
                return task.peserta[0]
    raise InvalidInput("SOP tidak memiliki rapat.")


def _refresh_group(
    services: Services,
    session: Session,
    meeting: Meeting,
    view: MeetingView,
    now: datetime,
    *,
    at_once: bool = False,
) -> None:
    """The group post shows the new summary: one waiting edit takes the newest text, and it
    goes out `group_edit_seconds` after the first answer it carries (not one per answer)."""
    if meeting.group_chat_id is None or meeting.group_post_id is None:
        return
    payload = {
        "text": texts.group_post(view, services.tz, _invitees(session, meeting)),
        "parse_mode": "HTML",
    }
    real_now = datetime.now(UTC)  # delivery runs on real time
    waiting = outbox_store.waiting_edit(session, edit_of=meeting.group_post_id, now=real_now)
    if waiting is not None:
        waiting.payload = payload
        if at_once:
            waiting.next_attempt_at = real_now
        session.add(waiting)
        return
    delay = 0.0 if at_once else services.group_edit_seconds
    outbox_store.enqueue(
        session,
        chat_id=meeting.group_chat_id,
        kind=outbox_store.EDIT_TEXT,
        payload=payload,
        now=real_now,
        edit_of=meeting.group_post_id,
        not_before=real_now + timedelta(seconds=delay),
    )


# Reminders and results -------------------------------------------------------------------


def due_reminders(
    services: Services, session: Session, due: Sequence[Reminder], now: datetime
) -> list[notify.Outgoing]:
    """Claim a meeting's due reminders (only the newest of one meeting goes out) and owe
    them to everyone who will come, sent a deputy, or has not answered."""
    by_meeting: dict[int, list[Reminder]] = {}
    for reminder in due:
        by_meeting.setdefault(reminder.meeting_id or 0, []).append(reminder)
    messages: list[notify.Outgoing] = []
    for meeting_id, items in by_meeting.items():
        meeting = meeting_store.meeting(session, meeting_id=meeting_id)
        live = meeting is not None and meeting.status == meeting_store.SCHEDULED
        newest = items[-1]
        for reminder in items:
            outcome = reminder_store.SKIPPED if live else reminder_store.CANCELLED
            if reminder is newest and live and meeting is not None and now < meeting.starts_at:
                outcome = reminder_store.SENT
            claimed = reminder_store.claim(
                session, reminder_id=reminder.id or 0, now=now, outcome=outcome
            )
            if claimed and outcome == reminder_store.SENT and meeting is not None:
                messages += _reminder_messages(services, session, meeting, reminder.kind)
    return messages


def _reminder_messages(
    services: Services, session: Session, meeting: Meeting, kind: str
) -> list[notify.Outgoing]:
    assert meeting.id is not None
    sop = services.sops[_draft(services, session, meeting).sop_id]
    view = _view(session, sop, meeting)
    messages = []
    for person in _invitees(session, meeting):
        if person.answer == Answer.TIDAK_HADIR.value or person.reachable is False:
            continue
        nudge = person.answer is None or person.reconfirm
        messages.append(
            notify.text(
                person.telegram_id,
                texts.meeting_reminder(
                    view, services.tz, kind, person.answer, person.deputy, person.reconfirm
                ),
                keyboard=_answer_keyboard(meeting.id) if nudge else None,
                official_id=person.official_id,
                tag=_tag(meeting.id) if nudge else None,
            )
        )
    return messages


def results_sent(
    services: Services, session: Session, sop: Sop, draft_task_id: int, now: datetime
) -> list[notify.Outgoing]:
    """The meeting's results were submitted: it is over. Its attendance goes into the audit
    trail (every participant, the deputies, who never answered), the invitations lose their
    buttons, and the group gets the shared documents."""
    meeting = meeting_store.scheduled_for_task(session, draft_task_id=draft_task_id)
    if meeting is None or meeting.id is None:
        return []
    meeting.status = meeting_store.DONE
    meeting.updated_at = now
    session.add(meeting)
    entry = _entry(session, draft_task_id)
    task = sop.task(entry.task_id)
    for invitee, _official in meeting_store.invitees(session, meeting_id=meeting.id):
        audit_store.add_entry(
            session,
            draft_id=meeting.draft_id,
            at=now,
            actor_id=invitee.official_id,
            position=task.peserta[0],
            action=AUDIT_ATTENDANCE,
            task_id=entry.task_id,
            row_no=entry.row_no,
            note=_attendance_note(invitee.answer, invitee.deputy),
            share=invitee.unit or "",
        )
    notify.drop_tagged_buttons(session, tag=_tag(meeting.id))
    view = _view(session, sop, meeting)
    _refresh_group(services, session, meeting, view, now, at_once=True)
    if meeting.group_chat_id is None:
        return []
    versions = draft_store.latest_versions(
        session, draft_id=meeting.draft_id, documents=task.shared_with_participants
    )
    group = views.Person(0, meeting.group_chat_id, "grup")
    shared = [views.document_view(session, sop, v) for v in versions]
    return [
        notify.text(meeting.group_chat_id, texts.group_results(view)),
        # A group is no official: its rows name none (0 would break the foreign key).
        *(replace(m, official_id=None) for m in notify.documents(group, shared)),
    ]


def _attendance_note(answer: str | None, deputy: str | None) -> str:
    if answer is None:
        return "tidak menjawab"
    label = {"hadir": "hadir", "tidak_hadir": "tidak hadir", "diwakilkan": "diwakilkan"}
    note = label.get(answer, answer)
    return f"{note}: {deputy}" if deputy else note


# The row's clock ------------------------------------------------------------------------


def _pause_clock(
    services: Services, session: Session, sop: Sop, draft_id: int, until: datetime, now: datetime
) -> None:
    """The row's minutes stand still from now (or the first scheduling) to the meeting: its
    due time moves by the wait, and its reminders with it."""
    clock = draft_store.running_clock(session, draft_id=draft_id)
    if clock is None:
        return
    calendar = services.calendar
    if clock.wait_from is None:
        clock.wait_from = now
    clock.wait_until = until
    used = max(
        0,
        calendar.working_minutes_between(clock.entered_at, clock.wait_from) - clock.waited_minutes,
    )
    clock.due_at = calendar.add_working_minutes(until, max(0, clock.standard_minutes - used))
    session.add(clock)
    _replan_row(services, session, sop, clock, resume_at=until, used=used, now=now)


def _resume_clock(
    services: Services, session: Session, sop: Sop, draft_id: int, now: datetime
) -> None:
    """The meeting was called off: the wait ends now and the row counts again."""
    clock = draft_store.running_clock(session, draft_id=draft_id)
    if clock is None or clock.wait_from is None:
        return
    calendar = services.calendar
    clock.waited_minutes = draft_store.waited_minutes(clock, now, calendar.working_minutes_between)
    clock.wait_from = clock.wait_until = None
    used = max(0, calendar.working_minutes_between(clock.entered_at, now) - clock.waited_minutes)
    clock.due_at = calendar.add_working_minutes(now, max(0, clock.standard_minutes - used))
    session.add(clock)
    _replan_row(services, session, sop, clock, resume_at=now, used=used, now=now)


def _replan_row(
    services: Services,
    session: Session,
    sop: Sop,
    clock: RowClock,
    *,
    resume_at: datetime,
    used: int,
    now: datetime,
) -> None:
    assert clock.id is not None
    meeting_store.cancel_row_reminders(session, row_clock_id=clock.id, now=now)
    planned = reminders.plan(
        sop.reminder_policy(clock.row_no),
        services.calendar,
        entered_at=resume_at,
        due_at=clock.due_at,
        minutes=clock.standard_minutes,
        superior=True,
        used=used,
    )
    for reminder in planned:
        reminder_store.add_reminder(
            session,
            draft_id=clock.draft_id,
            row_clock_id=clock.id,
            kind=reminder.kind.value,
            due_at=reminder.at,
        )


def _plan_reminders(services: Services, session: Session, meeting: Meeting, now: datetime) -> None:
    clock = draft_store.running_clock(session, draft_id=meeting.draft_id)
    if clock is None or clock.id is None:
        return
    for kind, at in meeting_reminders(services.calendar, start=meeting.starts_at, now=now):
        meeting_store.add_reminder(
            session, meeting=meeting, row_clock_id=clock.id, kind=kind.value, due_at=at
        )


# Shared pieces --------------------------------------------------------------------------


def _entry(session: Session, draft_task_id: int) -> DraftTask:
    """The task entry; in a session that writes, with its draft locked first, then read
    afresh (as `_meeting`)."""
    entry = draft_store.draft_task(session, draft_task_id=draft_task_id)
    if entry is None:
        raise InvalidInput(texts.CHOICE_GONE)
    if locks_rows(session) and draft_store.lock_draft(session, draft_id=entry.draft_id):
        session.refresh(entry)
    return entry


def _meeting(session: Session, meeting_id: int, *, agency_id: int | None) -> Meeting:
    """A meeting of the agency's drafts (None: the one the bot's own rows name); one of
    another agency is refused as one that does not exist. In a session that writes, its
    draft is locked first (a meeting changes with its draft: one lock orders the changes of
    both), then the meeting read afresh."""
    found = meeting_store.meeting(session, meeting_id=meeting_id)
    if found is None:
        raise InvalidInput(texts.CHOICE_GONE)
    if locks_rows(session) and draft_store.lock_draft(session, draft_id=found.draft_id):
        session.refresh(found)
    if agency_id is not None:
        draft = draft_store.get_draft(session, draft_id=found.draft_id)
        if draft is None or draft.agency_id != agency_id:
            raise InvalidInput(texts.CHOICE_GONE)
    return found


def _draft(services: Services, session: Session, meeting: Meeting) -> Draft:
    """The draft of a meeting already found (and checked, `_meeting`)."""
    return require_draft(session, sops=services.sops, draft_id=meeting.draft_id, agency_id=None)


def _meeting_task(sop: Sop, entry: DraftTask) -> Task:
    task = sop.task(entry.task_id)
    if task.jenis != TaskKind.RAPAT:
        raise InvalidInput(texts.MEETING_NOT_A_MEETING)
    return task


def _holder_label(sop: Sop, task: Task) -> str:
    return ", ".join(sop.position(key).label for key in task.oleh)


def _require_organiser(sop: Sop, task: Task, actor: Actor, roster: Roster) -> None:
    """The actor holds the meeting's task in the draft's agency (`roster`: its)."""
    holders = holders_of(task, roster)
    if actor.official_id not in {h.official_id for h in holders}:
        raise InvalidInput(texts.MEETING_NOT_ORGANISER.format(jabatan=_holder_label(sop, task)))


def _require_participants(sop: Sop, task: Task, roster: Roster) -> tuple[Holder, ...]:
    """The meeting's participants in the draft's agency (`roster`: its)."""
    found = participants_of(task, roster)
    if not found:
        key = task.peserta[0]
        raise InvalidInput(
            texts.MEETING_NO_PARTICIPANTS.format(jabatan=sop.position(key).label, kunci=key)
        )
    return found


def _changeable(
    services: Services,
    session: Session,
    meeting_id: int,
    actor: Actor,
    now: datetime,
    *,
    agency_id: int | None,
) -> tuple[Meeting, Sop, Task]:
    """A meeting (of the agency's drafts) its organiser may still move or cancel."""
    meeting = _meeting(session, meeting_id, agency_id=agency_id)
    draft = _draft(services, session, meeting)
    sop = services.sops[draft.sop_id]
    task = sop.task(_entry(session, meeting.draft_task_id).task_id)
    roster = official_store.roster(session, now=now, agency_id=draft.agency_id)
    _require_organiser(sop, task, actor, roster)
    _require_on(meeting, now)
    return meeting, sop, task


def _awaited(session: Session, actor: Actor, draft_task_id: int, step: str) -> MeetingInput:
    """The scheduling this press belongs to, at the step it answers; else it is stale."""
    pending = meeting_store.pending_input(session, official_id=actor.official_id)
    if (
        pending is None
        or pending.kind == DEPUTY
        or pending.draft_task_id != draft_task_id
        or pending.step != step
    ):
        raise InvalidInput(texts.CHOICE_GONE)
    return pending


def _set(session: Session, pending: MeetingInput, step: str, **values: object) -> None:
    pending.step = step
    pending.data = {**pending.data, **values}  # a new dict: JSON columns track assignment
    session.add(pending)


def _check(services: Services, starts: datetime, now: datetime) -> None:
    try:
        check_when(starts, now=now, calendar=services.calendar)
    except WhenRefused as refused:
        raise InvalidInput(texts.when_refused(refused.code.value, refused.detail)) from None


def _clean(text: str, limit: int) -> str:
    """Typed text as it will be shown: one line, no invisible characters, not too long."""
    visible = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf"))
    cleaned = " ".join(visible.split())
    if sum(c.isalnum() for c in cleaned) < 3:
        raise InvalidInput(texts.MEETING_TEXT_TOO_SHORT)
    if len(cleaned) > limit:
        raise InvalidInput(texts.MEETING_TEXT_TOO_LONG.format(limit=limit))
    return cleaned


def _view(session: Session, sop: Sop, meeting: Meeting) -> MeetingView:
    assert meeting.id is not None
    draft = draft_store.get_draft(session, draft_id=meeting.draft_id)
    assert draft is not None
    entry = _entry(session, meeting.draft_task_id)
    task = sop.task(entry.task_id)
    organiser = official_store.official_by_id(session, official_id=meeting.organiser_id)
    undangan = None
    if meeting.undangan_version_id is not None:
        version = draft_store.document_version(session, version_id=meeting.undangan_version_id)
        undangan = views.document_view(session, sop, version) if version else None
    return MeetingView(
        id=meeting.id,
        draft=views.draft_view(draft),
        draft_task_id=meeting.draft_task_id,
        task_title=task.judul,
        status=meeting.status,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        place=meeting.place,
        agenda=meeting.agenda,
        organiser=organiser.name if organiser else "",
        organiser_position=sop.position(task.holder).label,
        sequence=meeting.sequence,
        undangan=undangan,
    )


def _moved(view: MeetingView, starts: datetime, services: Services) -> MeetingView:
    return replace(
        view, starts_at=starts, ends_at=starts + timedelta(minutes=services.meeting_minutes)
    )


def _invitees(session: Session, meeting: Meeting) -> list[InviteeView]:
    assert meeting.id is not None
    rows = meeting_store.invitees(session, meeting_id=meeting.id)
    status = meeting_store.delivery_status(
        session, outbox_ids={i.invitation_id for i, _ in rows if i.invitation_id is not None}
    )
    found = []
    for invitee, official in rows:
        delivered = status.get(invitee.invitation_id or 0)
        assert official.id is not None
        found.append(
            InviteeView(
                official_id=official.id,
                telegram_id=official.telegram_id,
                name=official.name,
                unit=invitee.unit,
                answer=invitee.answer,
                deputy=invitee.deputy,
                reconfirm=invitee.reconfirm,
                reachable=None
                if delivered is None or delivered == outbox_store.WAITING
                else delivered == outbox_store.SENT,
            )
        )
    return found


def _ics(services: Services, view: MeetingView, *, cancelled: bool) -> dict[str, str]:
    event = ics.MeetingEvent(
        uid=f"rapat-{view.id}@renja-bot",
        sequence=view.sequence,
        start=view.starts_at,
        end=view.ends_at,
        summary=f"{view.task_title} — {view.draft.title}",
        location=view.place,
        description=f"Agenda: {view.agenda}\nPenyelenggara: {view.organiser}, "
        f"{view.organiser_position}",
        organizer_name=view.organiser,
        organizer_email=services.meeting_organizer_email,
        stamp=datetime.now(UTC),
        tz=services.tz,
    )
    content = ics.cancel(event) if cancelled else ics.request(event)
    return {
        "content": content.decode(),
        "file_name": ics.file_name(event, cancelled=cancelled),
    }


def _files(
    person: InviteeView, view: MeetingView, calendar_file: dict[str, str], with_undangan: bool
) -> list[notify.Outgoing]:
    """The calendar file, with the Undangan before it when there is one (one album)."""
    items: list[dict[str, str]] = []
    if with_undangan and view.undangan is not None and view.undangan.media != "foto":
        items.append({"file_id": view.undangan.telegram_file_id, "caption": ""})
    items.append(dict(calendar_file))
    if len(items) == 1:
        return [
            notify.Outgoing(
                person.telegram_id, outbox_store.DOCUMENT, items[0], person.official_id
            )
        ]
    return [
        notify.Outgoing(
            person.telegram_id,
            outbox_store.ALBUM,
            {"items": items, "media": outbox_store.DOCUMENT},
            person.official_id,
        )
    ]


def _answer_keyboard(meeting_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.HADIR, callback_data=Press(Verb.HADIR, meeting_id, 0).encode()
                ),
                InlineKeyboardButton(
                    texts.TIDAK_HADIR,
                    callback_data=Press(Verb.TIDAK_HADIR, meeting_id, 0).encode(),
                ),
            ],
            [
                InlineKeyboardButton(
                    texts.DIWAKILKAN, callback_data=Press(Verb.DIWAKILKAN, meeting_id, 0).encode()
                )
            ],
        ]
    )


def _grid(buttons: Sequence[tuple[str, Press]], per_row: int) -> InlineKeyboardMarkup:
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=press.encode()) for label, press in row]
            for row in rows
        ]
    )


def _prompt(session: Session, chat_id: int, messages: list[notify.Outgoing]) -> None:
    """A question with buttons: the buttons of the one before it go (one question open)."""
    _end_prompts(session, chat_id)
    tag = _prompt_tag(chat_id)
    notify.write(
        session,
        [replace(m, tag=tag) if m.payload.get("reply_markup") else m for m in messages],
    )


def _end_prompts(session: Session, chat_id: int) -> None:
    notify.drop_tagged_buttons(session, tag=_prompt_tag(chat_id))


def _prompt_tag(chat_id: int) -> str:
    return f"tanya:{chat_id}"


def _tag(meeting_id: int) -> str:
    return f"rapat:{meeting_id}"


def _epoch_minutes(moment: datetime) -> int:
    return int(moment.timestamp()) // 60


def _participant_position(sop: Sop, entry: DraftTask, actor: Actor) -> str:
    task = sop.task(entry.task_id)
    for holding in actor.holdings:
        if holding.position in task.peserta:
            return holding.position
    return task.peserta[0]


def _audit(
    session: Session,
    meeting: Meeting,
    entry: DraftTask,
    actor: Actor,
    sop: Sop,
    action: str,
    note: str | None,
    now: datetime,
) -> None:
    task = sop.task(entry.task_id)
    audit_store.add_entry(
        session,
        draft_id=meeting.draft_id,
        at=now,
        actor_id=actor.official_id,
        position=task.holder,
        action=action,
        task_id=entry.task_id,
        row_no=entry.row_no,
        note=note,
    )
