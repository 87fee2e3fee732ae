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
    """Every position key of every loaded SOP, with its display name."""
    names: dict[str, str] = {}
    for sop in services.sops.values():
        for key, position in sop.pelaksana.items():
            names.setdefault(key, position.label)
    return names


def position_label(
    services: Services, *, position: str, unit: str | None = None, acting: str | None = None
) -> str:
    label = position_names(services).get(position, position)
    if unit and unit != label:
        label = f"{label} ({unit})"
    return f"{acting} {label}" if acting else label


def check_position(services: Services, *, position: str, unit: str | None) -> None:
    for sop in services.sops.values():
        if position in sop.pelaksana:
            if sop.pelaksana[position].per_unit and not unit:
                raise InvalidInput(
                    f"Jabatan '{position}' dipegang per unit: sebutkan unitnya "
                    '(misalnya --unit "Bidang Ekonomi").'
                )
            if sop.pelaksana[position].eksternal and not unit:
                raise InvalidInput(
                    f"Jabatan '{position}' dari luar BAPPEDA: sebutkan instansinya "
                    '(misalnya --unit "Dinas Pendidikan", atau /undang '
                    f'{position} "Dinas Pendidikan").'
                )
            return
    known = ", ".join(sorted(position_names(services)))
    raise InvalidInput(f"Jabatan '{position}' tidak dikenal. Pilihan: {known}.")


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
    check_position(services, position=position, unit=unit)
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
