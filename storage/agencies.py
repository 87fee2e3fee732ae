"""Queries about agencies (instansi): the SKPD one bot serves side by side."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import Agency

DEFAULT_KEY = "utama"
"""The key of the agency every database starts with (migration 0011)."""


def add_agency(session: Session, *, key: str, name: str, now: datetime) -> Agency:
    agency = Agency(key=key, name=name, created_at=now)
    session.add(agency)
    session.flush()
    return agency


def agency_by_key(session: Session, *, key: str) -> Agency | None:
    return session.exec(select(Agency).where(Agency.key == key)).first()


def agency_by_id(session: Session, *, agency_id: int) -> Agency | None:
    return session.get(Agency, agency_id)


def agencies(session: Session) -> list[Agency]:
    """Every agency, oldest first (the default one first)."""
    return list(session.exec(select(Agency).order_by(col(Agency.id))).all())


def default_agency(session: Session) -> Agency:
    """The agency officials join when none is named: the one the database started with."""
    found = (
        agency_by_key(session, key=DEFAULT_KEY)
        or session.exec(select(Agency).order_by(col(Agency.id))).first()
    )
    assert found is not None, "every database has an agency (migration 0011)"
    return found


def agency_names(session: Session, *, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    found = session.exec(select(Agency).where(col(Agency.id).in_(ids))).all()
    return {agency.id: agency.name for agency in found if agency.id is not None}
