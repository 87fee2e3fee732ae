"""Queries about meetings: the scheduled meeting of a task, its invitees and their answers,
what the bot waits to hear while scheduling, and the groups it posts in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import (
    Draft,
    Meeting,
    MeetingInput,
    MeetingInvitee,
    Official,
    OutboxMessage,
    PositionGroup,
    Reminder,
)

SCHEDULED = "dijadwalkan"
CANCELLED = "dibatalkan"
DONE = "selesai"


def add_meeting(
    session: Session,
    *,
    draft_id: int,
    draft_task_id: int,
    organiser_id: int,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    agenda: str,
    undangan_version_id: int | None,
    now: datetime,
) -> Meeting:
    meeting = Meeting(
        draft_id=draft_id,
        draft_task_id=draft_task_id,
        organiser_id=organiser_id,
        status=SCHEDULED,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        agenda=agenda,
        undangan_version_id=undangan_version_id,
        created_at=now,
        updated_at=now,
    )
    session.add(meeting)
    session.flush()
    return meeting


def meeting(session: Session, *, meeting_id: int) -> Meeting | None:
    return session.get(Meeting, meeting_id)


def scheduled_for_task(session: Session, *, draft_task_id: int) -> Meeting | None:
    """The meeting of a task entry that is still on (scheduled, not cancelled or done)."""
    return session.exec(
        select(Meeting)
        .where(Meeting.draft_task_id == draft_task_id, Meeting.status == SCHEDULED)
        .order_by(col(Meeting.id).desc())
    ).first()


def meetings_of_draft(session: Session, *, draft_id: int) -> list[Meeting]:
    return list(
        session.exec(
            select(Meeting).where(Meeting.draft_id == draft_id).order_by(col(Meeting.id))
        ).all()
    )


def latest_meetings(session: Session, *, agency_id: int | None) -> list[Meeting]:
    """Meetings of drafts still running (of one agency; None: of every agency), oldest
    first."""
    query = (
        select(Meeting)
        .join(Draft, col(Draft.id) == col(Meeting.draft_id))
        .where(Draft.status == "aktif")
    )
    if agency_id is not None:
        query = query.where(Draft.agency_id == agency_id)
    return list(session.exec(query.order_by(col(Meeting.id))).all())


def add_invitee(
    session: Session, *, meeting_id: int, official_id: int, unit: str | None
) -> MeetingInvitee:
    invitee = MeetingInvitee(meeting_id=meeting_id, official_id=official_id, unit=unit)
    session.add(invitee)
    session.flush()
    return invitee


def invitees(session: Session, *, meeting_id: int) -> list[tuple[MeetingInvitee, Official]]:
    """Every participant with their answer, in the order they were invited."""
    rows = session.exec(
        select(MeetingInvitee, Official)
        .join(Official, col(Official.id) == col(MeetingInvitee.official_id))
        .where(MeetingInvitee.meeting_id == meeting_id)
        .order_by(col(MeetingInvitee.id))
    ).all()
    return [(invitee, official) for invitee, official in rows]


def invitee(session: Session, *, meeting_id: int, official_id: int) -> MeetingInvitee | None:
    return session.exec(
        select(MeetingInvitee).where(
            MeetingInvitee.meeting_id == meeting_id, MeetingInvitee.official_id == official_id
        )
    ).first()


def move_invitation(session: Session, *, old_id: int, new_id: int) -> None:
    """An invitation owed again as a new outbox row: its delivery is now that row's."""
    session.execute(
        update(MeetingInvitee)
        .where(col(MeetingInvitee.invitation_id) == old_id)
        .values(invitation_id=new_id)
    )


def delivery_status(session: Session, *, outbox_ids: set[int]) -> dict[int, str]:
    """The outbox status of each of these rows (whether an invitation arrived)."""
    if not outbox_ids:
        return {}
    rows = session.exec(
        select(OutboxMessage.id, OutboxMessage.status).where(col(OutboxMessage.id).in_(outbox_ids))
    ).all()
    return {row_id: status for row_id, status in rows if row_id is not None}


# What the bot waits to hear -------------------------------------------------------------


def pending_input(session: Session, *, official_id: int) -> MeetingInput | None:
    return session.exec(
        select(MeetingInput).where(MeetingInput.official_id == official_id)
    ).first()


def set_input(
    session: Session,
    *,
    official_id: int,
    kind: str,
    step: str,
    now: datetime,
    draft_task_id: int | None = None,
    meeting_id: int | None = None,
    data: dict[str, Any] | None = None,
    chat_id: int | None = None,
) -> MeetingInput:
    """Wait for this official's next answer; replaces whatever was awaited before."""
    clear_input(session, official_id=official_id)
    pending = MeetingInput(
        official_id=official_id,
        kind=kind,
        step=step,
        draft_task_id=draft_task_id,
        meeting_id=meeting_id,
        data=data or {},
        chat_id=chat_id,
        created_at=now,
    )
    session.add(pending)
    session.flush()
    return pending


def clear_input(session: Session, *, official_id: int) -> bool:
    found = pending_input(session, official_id=official_id)
    if found is None:
        return False
    session.delete(found)
    session.flush()
    return True


# Groups -----------------------------------------------------------------------------


def groups_of(session: Session, *, positions: set[str], agency_id: int) -> list[PositionGroup]:
    """The active groups of these positions' holders in one agency."""
    return list(
        session.exec(
            select(PositionGroup)
            .where(
                col(PositionGroup.position).in_(positions),
                col(PositionGroup.active),
                PositionGroup.agency_id == agency_id,
            )
            .order_by(col(PositionGroup.id))
        ).all()
    )


def register_group(
    session: Session,
    *,
    position: str,
    agency_id: int,
    chat_id: int,
    title: str,
    registered_by: int,
    now: datetime,
) -> PositionGroup:
    """Register (or re-register, for another position, agency or title) a group chat."""
    group = session.exec(select(PositionGroup).where(PositionGroup.chat_id == chat_id)).first()
    if group is None:
        group = PositionGroup(
            position=position,
            agency_id=agency_id,
            chat_id=chat_id,
            title=title,
            registered_by=registered_by,
            registered_at=now,
        )
    group.position, group.agency_id, group.title, group.active = position, agency_id, title, True
    group.registered_by, group.registered_at = registered_by, now
    session.add(group)
    session.flush()
    return group


# Reminders ----------------------------------------------------------------------------


def add_reminder(
    session: Session,
    *,
    meeting: Meeting,
    row_clock_id: int,
    kind: str,
    due_at: datetime,
) -> Reminder:
    reminder = Reminder(
        draft_id=meeting.draft_id,
        row_clock_id=row_clock_id,
        meeting_id=meeting.id,
        kind=kind,
        due_at=due_at,
    )
    session.add(reminder)
    session.flush()
    return reminder


def cancel_reminders(session: Session, *, meeting_id: int, now: datetime) -> None:
    """The meeting moved or was called off: its waiting reminders will not go out."""
    session.execute(
        update(Reminder)
        .where(
            col(Reminder.meeting_id) == meeting_id,
            col(Reminder.sent_at).is_(None),
            col(Reminder.cancelled_at).is_(None),
        )
        .values(cancelled_at=now, outcome="dibatalkan")
    )


def cancel_row_reminders(session: Session, *, row_clock_id: int, now: datetime) -> None:
    """A row's own reminders (not its meetings') are planned again: these will not go out."""
    session.execute(
        update(Reminder)
        .where(
            col(Reminder.row_clock_id) == row_clock_id,
            col(Reminder.meeting_id).is_(None),
            col(Reminder.sent_at).is_(None),
            col(Reminder.cancelled_at).is_(None),
        )
        .values(cancelled_at=now, outcome="dibatalkan")
    )
