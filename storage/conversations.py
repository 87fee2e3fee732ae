"""Queries about invitations and what the bot is waiting to hear from an official."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import Invite, PendingReply, StagedUpload


def add_invite(
    session: Session,
    *,
    token: str,
    agency_id: int,
    position: str,
    unit: str | None,
    created_by: int,
    now: datetime,
    expires_at: datetime,
) -> Invite:
    invite = Invite(
        agency_id=agency_id,
        token=token,
        position=position,
        unit=unit,
        created_by=created_by,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(invite)
    session.flush()
    return invite


def invite_by_token(session: Session, *, token: str, lock: bool = False) -> Invite | None:
    """The invitation; `lock`: locked until the commit, so that two people opening the same
    link at once are served one after the other (the second finds it used)."""
    query = select(Invite).where(Invite.token == token)
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


def pending_reply(session: Session, *, official_id: int) -> PendingReply | None:
    return session.exec(
        select(PendingReply).where(PendingReply.official_id == official_id)
    ).first()


def set_pending_reply(
    session: Session,
    *,
    official_id: int,
    draft_task_id: int,
    now: datetime,
    chat_id: int | None = None,
    message_id: int | None = None,
    choice: int | None = None,
    skip: bool = False,
) -> PendingReply:
    """Wait for this official's reason (for a return, an outcome `choice`, or a `skip`);
    replaces whatever was awaited before."""
    clear_pending_reply(session, official_id=official_id)
    reply = PendingReply(
        official_id=official_id,
        draft_task_id=draft_task_id,
        chat_id=chat_id,
        message_id=message_id,
        created_at=now,
        choice=choice,
        skip=skip,
    )
    session.add(reply)
    session.flush()
    return reply


def clear_pending_reply(session: Session, *, official_id: int) -> bool:
    found = pending_reply(session, official_id=official_id)
    if found is None:
        return False
    session.delete(found)
    session.flush()
    return True


def add_staged_upload(session: Session, *, staged: StagedUpload) -> StagedUpload:
    session.add(staged)
    session.flush()
    return staged


def staged_upload(session: Session, *, staged_id: int) -> StagedUpload | None:
    return session.get(StagedUpload, staged_id)


def unresolved_uploads(session: Session, *, official_id: int) -> list[StagedUpload]:
    return list(
        session.exec(
            select(StagedUpload)
            .where(StagedUpload.official_id == official_id, StagedUpload.resolved == False)  # noqa: E712
            .order_by(col(StagedUpload.id))
        ).all()
    )
