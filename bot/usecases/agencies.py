"""Agencies (instansi): one bot for every SKPD of a region, each running its own drafts.

Every official, draft and invitation belongs to one agency. The organisation file is the
shape of every agency: an official holds one of its positions within their agency, and a
draft's tasks go to the holders in the draft's agency only. An SOP file may name the one
agency that runs it (`instansi: dinkes`); one that names none is every agency's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session

from bot.usecases.base import Services
from bot.usecases.errors import InvalidInput, NotAdmin
from storage import agencies as agency_store
from storage import drafts as draft_store
from storage import officials as official_store
from storage.models import Agency
from workflow.sop import Sop
from workflow.validation import KEY_PATTERN

NAME_MAX = 200


@dataclass(frozen=True)
class AgencyView:
    id: int
    key: str
    name: str
    officials: int = 0
    """Active officials registered in it."""
    active_drafts: int = 0
    own_sops: tuple[str, ...] = ()
    """Ids of the SOPs only it runs (the SOP files that name it)."""


def offers(session: Session, sop: Sop, *, agency_id: int) -> bool:
    """Whether officials of the agency may run this SOP: it names no agency, or theirs."""
    if sop.instansi is None:
        return True
    agency = agency_store.agency_by_id(session, agency_id=agency_id)
    return agency is not None and agency.key == sop.instansi


def offered(session: Session, sops: list[Sop], *, agency_id: int) -> list[Sop]:
    """Of these SOPs, those the agency's officials may run (one query, whatever their
    number)."""
    if all(sop.instansi is None for sop in sops):
        return list(sops)
    agency = agency_store.agency_by_id(session, agency_id=agency_id)
    key = agency.key if agency is not None else None
    return [sop for sop in sops if sop.instansi is None or sop.instansi == key]


def add_agency(services: Services, *, key: str, name: str) -> AgencyView:
    """A new agency, whose officials are then registered with its key."""
    key = key.strip()
    name = " ".join(name.split())
    if not re.fullmatch(KEY_PATTERN, key):
        raise InvalidInput(
            f"Kunci instansi '{key}' tidak sah: pakai huruf kecil, angka dan garis bawah, "
            "diawali huruf (misalnya dinkes)."
        )
    if not name:
        raise InvalidInput("Nama instansi wajib diisi.")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"Nama instansi paling banyak {NAME_MAX} huruf.")
    with services.session() as session:
        if agency_store.agency_by_key(session, key=key) is not None:
            raise InvalidInput(f"Instansi '{key}' sudah ada.")
        agency = agency_store.add_agency(session, key=key, name=name, now=services.clock())
        session.commit()
        return _view(agency)


def agencies(services: Services) -> list[AgencyView]:
    """Every agency, the default one first, with its officials, drafts and own SOPs."""
    with services.reading() as session:
        found = []
        for agency in agency_store.agencies(session):
            assert agency.id is not None
            members = official_store.list_officials(session, agency_id=agency.id)
            found.append(
                _view(
                    agency,
                    officials=sum(1 for official, _ in members if official.active),
                    active_drafts=len(draft_store.drafts(session, agency_id=agency.id)),
                    own_sops=tuple(
                        sorted(
                            key for key, sop in services.sops.items() if sop.instansi == agency.key
                        )
                    ),
                )
            )
        return found


def unknown_agencies(services: Services) -> dict[str, str]:
    """SOPs that name an agency the bot does not have (nobody can run them): id → key."""
    with services.reading() as session:
        keys = {agency.key for agency in agency_store.agencies(session)}
    return {
        key: sop.instansi
        for key, sop in sorted(services.sops.items())
        if sop.instansi is not None and sop.instansi not in keys
    }


def require_agency(session: Session, *, key: str) -> Agency:
    """The agency with this key; an unknown key is refused with the keys there are."""
    agency = agency_store.agency_by_key(session, key=key)
    if agency is None:
        known = ", ".join(a.key for a in agency_store.agencies(session))
        raise InvalidInput(f"Instansi '{key}' tidak dikenal. Pilihan: {known}.")
    return agency


def _view(
    agency: Agency, *, officials: int = 0, active_drafts: int = 0, own_sops: tuple[str, ...] = ()
) -> AgencyView:
    assert agency.id is not None
    return AgencyView(agency.id, agency.key, agency.name, officials, active_drafts, own_sops)


def administered(
    session: Session, services: Services, *, telegram_id: int, agency_key: str | None
) -> Agency:
    """The agency an administrator acts for: an agency's administrator their own; a
    province-level administrator the one they name (with one agency, that one)."""
    if telegram_id in services.admins:
        if agency_key is not None:
            return require_agency(session, key=agency_key)
        every = agency_store.agencies(session)
        if len(every) == 1:
            return every[0]
        known = ", ".join(agency.key for agency in every)
        raise InvalidInput(f"Sebutkan instansinya (kunci): {known}.")
    official = official_store.official_by_telegram_id(session, telegram_id=telegram_id)
    if official is None or not official.active or not official.agency_admin:
        raise NotAdmin(telegram_id)
    agency = agency_store.agency_by_id(session, agency_id=official.agency_id)
    assert agency is not None
    if agency_key is not None and agency_key != agency.key:
        require_agency(session, key=agency_key)  # a word that names no agency is told so
        raise InvalidInput(f"Bapak/Ibu hanya mengelola instansi {agency.name} ({agency.key}).")
    return agency
