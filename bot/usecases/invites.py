"""Invitations: an administrator's one-time link that registers whoever opens it, in the
administrator's agency (a province-level administrator names the agency)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from bot.usecases import agencies, officials, views
from bot.usecases.base import Services
from bot.usecases.errors import InviteProblem, InviteRefused
from bot.usecases.views import OfficialView
from storage import conversations as conversation_store
from storage import officials as official_store
from storage.db import locks_rows


@dataclass(frozen=True)
class InviteLink:
    token: str
    expires_at: datetime
    agency_name: str
    """The agency whoever opens it joins."""


def create_invite(
    services: Services,
    *,
    admin_telegram_id: int,
    position: str,
    unit: str | None,
    agency_key: str | None = None,
) -> InviteLink:
    """A one-time token registering whoever opens it in `position` (and `unit`) of the
    administrator's agency (`agency_key`'s, named by a province-level administrator)."""
    now = services.clock()
    with services.session() as session:
        agency = agencies.administered(
            session, services, telegram_id=admin_telegram_id, agency_key=agency_key
        )
        assert agency.id is not None
        unit = officials.check_position(services, position=position, unit=unit)
        token = secrets.token_urlsafe(18)
        expires_at = now + services.invite_valid
        conversation_store.add_invite(
            session,
            token=token,
            agency_id=agency.id,
            position=position,
            unit=unit,
            created_by=admin_telegram_id,
            now=now,
            expires_at=expires_at,
        )
        session.commit()
    return InviteLink(token, expires_at, agency.name)


def redeem_invite(
    services: Services, *, token: str, telegram_id: int, name: str, username: str | None
) -> OfficialView:
    """Register the opener of an invitation in its agency; each link works once, within
    its time."""
    now = services.clock()
    with services.session() as session:
        invite = conversation_store.invite_by_token(session, token=token, lock=locks_rows(session))
        if invite is None:
            raise InviteRefused(InviteProblem.TIDAK_DIKENAL)
        if invite.used_at is not None:
            raise InviteRefused(InviteProblem.SUDAH_DIPAKAI)
        if invite.expires_at <= now:
            raise InviteRefused(InviteProblem.KEDALUWARSA)
        official = official_store.official_by_telegram_id(session, telegram_id=telegram_id)
        if official is None:
            official = official_store.add_official(
                session,
                telegram_id=telegram_id,
                name=name,
                username=username,
                now=now,
                agency_id=invite.agency_id,
            )
        elif official.agency_id != invite.agency_id:
            raise InviteRefused(InviteProblem.INSTANSI_LAIN)
        assert official.id is not None
        actor = official_store.actor(session, telegram_id=telegram_id, now=now)
        if actor and any(
            h.position == invite.position and h.unit == invite.unit for h in actor.holdings
        ):
            raise InviteRefused(InviteProblem.SUDAH_TERDAFTAR)
        official_store.assign_position(
            session,
            official_id=official.id,
            position=invite.position,
            unit=invite.unit,
            valid_from=now,
        )
        invite.used_by = official.id
        invite.used_at = now
        session.add(invite)
        session.commit()
        return views.official_view(session, official, now)
