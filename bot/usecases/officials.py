"""Officials: who holds which position, registering them, and what each may start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from bot.usecases import agencies, views
from bot.usecases.base import EVERY_AGENCY, Scope, Services, require_official
from bot.usecases.errors import InvalidInput, NotRegistered
from bot.usecases.views import OfficialView, Person
from storage import agencies as agency_store
from storage import officials as official_store
from storage.models import Official
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
    agency_key: str | None = None,
    agency_admin: bool = False,
) -> OfficialView:
    """Register an official (or add a position to one already registered) in an agency:
    `agency_key`'s, else the one they belong to, else the default agency. `agency_admin`:
    they administer it."""
    name = name.strip()
    if not name:
        raise InvalidInput("Nama pejabat wajib diisi.")
    if telegram_id <= 0:
        raise InvalidInput("ID Telegram harus bilangan bulat positif.")
    unit = check_position(services, position=position, unit=unit)
    now = services.clock()
    with services.session() as session:
        official = official_store.official_by_telegram_id(session, telegram_id=telegram_id)
        if agency_key is not None:
            agency = agencies.require_agency(session, key=agency_key)
        elif official is not None:
            found = agency_store.agency_by_id(session, agency_id=official.agency_id)
            assert found is not None
            agency = found
        else:
            agency = agency_store.default_agency(session)
        assert agency.id is not None
        if official is None:
            official = official_store.add_official(
                session,
                telegram_id=telegram_id,
                name=name,
                username=username,
                now=now,
                agency_id=agency.id,
            )
        elif official.agency_id != agency.id:
            raise InvalidInput(
                f"{official.name} sudah terdaftar di instansi lain; seorang pejabat terdaftar "
                "di satu instansi saja."
            )
        assert official.id is not None
        made_admin = agency_admin and not official.agency_admin
        if made_admin:
            official_store.make_agency_admin(session, official=official)
        held = official_store.actor(session, telegram_id=telegram_id, now=now)
        if held and any(
            h.position == position and h.unit == (unit or None) for h in held.holdings
        ):
            if made_admin:  # only the administration is new
                session.commit()
                return views.official_view(session, official, now)
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


def officials(services: Services, *, agency_key: str | None = None) -> list[OfficialView]:
    """Every official (of one agency, when named), with their positions now."""
    now = services.clock()
    with services.session() as session:
        agency_id = None
        if agency_key is not None:
            agency_id = agencies.require_agency(session, key=agency_key).id
        return [
            views.official_view(session, official, now)
            for official, _ in official_store.list_officials(session, agency_id=agency_id)
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


class AdminLevel(IntEnum):
    """How far an account administers: none, its own agency, or every agency."""

    NONE = 0
    INSTANSI = 1
    """An administrator of their agency (registered with `--admin`)."""
    PROVINSI = 2
    """A deployment's administrator (ADMIN_TELEGRAM_IDS): every agency."""


def is_province_admin(services: Services, *, telegram_id: int) -> bool:
    """A deployment's administrator (ADMIN_TELEGRAM_IDS), who sees every agency."""
    return telegram_id in services.admins


def admin_level(services: Services, *, telegram_id: int) -> AdminLevel:
    if is_province_admin(services, telegram_id=telegram_id):
        return AdminLevel.PROVINSI
    with services.reading() as session:
        official = official_store.official_by_telegram_id(session, telegram_id=telegram_id)
    return _level(services, telegram_id, official)


def _level(services: Services, telegram_id: int, official: Official | None) -> AdminLevel:
    if is_province_admin(services, telegram_id=telegram_id):
        return AdminLevel.PROVINSI
    if official is not None and official.active and official.agency_admin:
        return AdminLevel.INSTANSI
    return AdminLevel.NONE


@dataclass(frozen=True)
class Rights:
    """What an account may do, for its menu and /bantuan."""

    can_start: bool
    admin: AdminLevel
    can_appoint: bool = False
    """Holds the superior (atasan) of a position, and so may set its acting official."""


def rights(services: Services, *, telegram_id: int) -> Rights:
    """Whether the account may start a draft, and how far it administers (one read)."""
    now = services.clock()
    with services.reading() as session:
        official = official_store.official_by_telegram_id(session, telegram_id=telegram_id)
        level = _level(services, telegram_id, official)
        if official is None or not official.active:
            return Rights(False, level)
        found = official_store.actor_of(session, official=official, now=now)
        sops = agencies.offered(
            session, list(services.sops.values()), agency_id=official.agency_id
        )
    firsts = [sop.first_task() for sop in sops]
    can_start = any(h.position in first.oleh for first in firsts for h in found.holdings)
    return Rights(can_start, level, _superior(services, found))


def is_admin(services: Services, *, telegram_id: int) -> bool:
    """An administrator of their agency, or of every agency."""
    return admin_level(services, telegram_id=telegram_id) is not AdminLevel.NONE


def scope(services: Services, *, telegram_id: int) -> Scope:
    """Whose drafts this account sees: a province-level administrator every agency's, an
    official their agency's; a stranger is refused."""
    if is_province_admin(services, telegram_id=telegram_id):
        return EVERY_AGENCY
    with services.reading() as session:
        return Scope(require_official(session, telegram_id=telegram_id).agency_id)


def can_start_draft(services: Services, *, telegram_id: int) -> bool:
    """Whether this official holds the first task of any SOP their agency runs (and so may
    start one)."""
    return rights(services, telegram_id=telegram_id).can_start


def can_appoint_acting(services: Services, *, telegram_id: int) -> bool:
    """Whether this official holds the superior (atasan) of a position, and so may set its
    acting official (/plh, /plt); administrators may anyway."""
    try:
        found = actor(services, telegram_id=telegram_id)
    except NotRegistered:
        return False
    return _superior(services, found)


def _superior(services: Services, found: Actor) -> bool:
    """Whether the official holds the superior (atasan) of some position."""
    superiors = {
        position.atasan
        for position in services.organisation.positions.values()
        if position.atasan is not None
    }
    return any(h.position in superiors for h in found.holdings)
