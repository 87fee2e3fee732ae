"""Officials: who holds which position, registering them, and what each may start."""

from __future__ import annotations

from datetime import datetime

from bot.usecases import views
from bot.usecases.base import Services
from bot.usecases.errors import InvalidInput, NotRegistered
from bot.usecases.views import OfficialView, Person
from storage import officials as official_store
from workflow.engine import Actor


def position_names(services: Services) -> dict[str, str]:
    """Every position and outside party of the office, with its display name."""
    return {key: position.label for key, position in services.organisation.positions.items()}


def holdable_positions(services: Services) -> list[str]:
    """The keys an official can be registered on: the office's positions, and the outside
    parties whose people are invited (the others are acted for by an official)."""
    return [
        key
        for key, position in services.organisation.positions.items()
        if not position.eksternal or position.diundang
    ]


def position_label(
    services: Services, *, position: str, unit: str | None = None, acting: str | None = None
) -> str:
    label = position_names(services).get(position, position)
    if unit and unit != label:
        label = f"{label} ({unit})"
    return f"{acting} {label}" if acting else label


def check_position(services: Services, *, position: str, unit: str | None) -> str | None:
    """Refuse a position the office does not have, or a unit it needs and lacks; the unit
    as the organisation file writes it."""
    organisation = services.organisation
    if position not in organisation.positions:
        known = ", ".join(sorted(holdable_positions(services)))
        raise InvalidInput(f"Jabatan '{position}' tidak dikenal. Pilihan: {known}.")
    held = organisation.position(position)
    if held.eksternal:
        if not held.diundang:
            deputies = ", ".join(organisation.position(key).label for key in held.diwakili_oleh)
            raise InvalidInput(
                f"{held.nama} adalah pihak luar yang tidak diundang: hasilnya dicatat "
                f"oleh {deputies or 'pejabat kantor'} atas nama mereka."
            )
        if not unit:
            raise InvalidInput(
                f"Jabatan '{position}' dari luar kantor: sebutkan instansinya "
                '(misalnya --unit "Dinas Pendidikan", atau /undang '
                f'{position} "Dinas Pendidikan").'
            )
        return unit
    if held.per_unit and not unit:
        raise InvalidInput(
            f"Jabatan '{position}' dipegang per unit: sebutkan unitnya "
            '(misalnya --unit "Bidang Ekonomi").'
        )
    if not unit or not organisation.unit:
        return unit or None
    named = organisation.unit_named(unit)
    if named is None:
        raise InvalidInput(
            f"Unit '{unit}' tidak ada di organisasi kantor. Pilihan: "
            f"{', '.join(organisation.unit)}."
        )
    return named


def register_official(
    services: Services,
    *,
    telegram_id: int,
    name: str,
    position: str,
    unit: str | None = None,
    username: str | None = None,
    acting: str | None = None,
    valid_until: datetime | None = None,
) -> OfficialView:
    """Register an official (or add a position to one already registered)."""
    name = name.strip()
    if not name:
        raise InvalidInput("Nama pejabat wajib diisi.")
    if telegram_id <= 0:
        raise InvalidInput("ID Telegram harus bilangan bulat positif.")
    unit = check_position(services, position=position, unit=unit)
    now = services.clock()
    with services.session() as session:
        official = official_store.official_by_telegram_id(session, telegram_id=telegram_id)
        if official is None:
            official = official_store.add_official(
                session, telegram_id=telegram_id, name=name, username=username, now=now
            )
        assert official.id is not None
        held = official_store.actor(session, telegram_id=telegram_id, now=now)
        if held and any(
            h.position == position and h.unit == (unit or None) for h in held.holdings
        ):
            raise InvalidInput(f"{official.name} sudah memegang jabatan ini.")
        official_store.assign_position(
            session,
            official_id=official.id,
            position=position,
            unit=unit or None,
            acting=acting,
            valid_from=now,
            valid_until=valid_until,
        )
        session.commit()
        return views.official_view(session, official, now)


def officials(services: Services) -> list[OfficialView]:
    now = services.clock()
    with services.session() as session:
        return [
            views.official_view(session, official, now)
            for official, _ in official_store.list_officials(session)
        ]


def person(services: Services, *, telegram_id: int) -> Person:
    with services.session() as session:
        official = official_store.official_by_telegram_id(session, telegram_id=telegram_id)
        if official is None:
            raise NotRegistered(telegram_id)
        return views.person_view(official)


def actor(services: Services, *, telegram_id: int) -> Actor:
    with services.session() as session:
        found = official_store.actor(session, telegram_id=telegram_id, now=services.clock())
    if found is None:
        raise NotRegistered(telegram_id)
    return found


def is_admin(services: Services, *, telegram_id: int) -> bool:
    return telegram_id in services.admins


def can_start_draft(services: Services, *, telegram_id: int) -> bool:
    """Whether this official holds the first task of any SOP (and so may start one)."""
    try:
        found = actor(services, telegram_id=telegram_id)
    except NotRegistered:
        return False
    firsts = [sop.first_task() for sop in services.sops.values()]
    return any(h.position in first.oleh for first in firsts for h in found.holdings)


def can_appoint_acting(services: Services, *, telegram_id: int) -> bool:
    """Whether this official holds the superior (atasan) of a position, and so may set its
    acting official (/plh, /plt); administrators may anyway."""
    try:
        found = actor(services, telegram_id=telegram_id)
    except NotRegistered:
        return False
    superiors = {
        position.atasan
        for position in services.organisation.positions.values()
        if position.atasan is not None
    }
    return any(h.position in superiors for h in found.holdings)
