"""Queries of the performance reports: the drafts of some SOPs started in a period, with
their row clocks, tasks, audit trails and document versions, each in one statement."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from storage.models import AuditEntry, DocumentVersion, Draft, DraftTask, RowClock


def _of_drafts(
    sop_ids: Collection[str], start: datetime, end: datetime, agency_id: int | None
) -> list[ColumnElement[bool]]:
    """Drafts of these SOPs started from `start` (included) to `end` (excluded), of one
    agency (None: of every agency)."""
    found = [
        col(Draft.sop_id).in_(sop_ids),
        col(Draft.created_at) >= start,
        col(Draft.created_at) < end,
    ]
    if agency_id is not None:
        found.append(col(Draft.agency_id) == agency_id)
    return found


def drafts_started(
    session: Session,
    *,
    sop_ids: Collection[str],
    start: datetime,
    end: datetime,
    agency_id: int | None = None,
) -> list[Draft]:
    """The drafts of these SOPs started in [start, end), oldest first."""
    query = (
        select(Draft).where(*_of_drafts(sop_ids, start, end, agency_id)).order_by(col(Draft.id))
    )
    return list(session.exec(query).all())


def sops_with_drafts(
    session: Session,
    *,
    sop_ids: Collection[str],
    start: datetime,
    end: datetime,
    agency_id: int | None = None,
) -> list[str]:
    """Which of these SOPs have drafts started in [start, end)."""
    query = select(Draft.sop_id).where(*_of_drafts(sop_ids, start, end, agency_id)).distinct()
    return sorted(session.exec(query).all())


def row_clocks(
    session: Session,
    *,
    sop_ids: Collection[str],
    start: datetime,
    end: datetime,
    agency_id: int | None = None,
) -> list[RowClock]:
    """Every row entry of those drafts, by draft and in the order entered."""
    query = (
        select(RowClock)
        .join(Draft, col(Draft.id) == col(RowClock.draft_id))
        .where(*_of_drafts(sop_ids, start, end, agency_id))
        .order_by(col(RowClock.draft_id), col(RowClock.id))
    )
    return list(session.exec(query).all())


def draft_tasks(
    session: Session,
    *,
    sop_ids: Collection[str],
    start: datetime,
    end: datetime,
    agency_id: int | None = None,
) -> list[DraftTask]:
    """Every task entry of those drafts, by draft and in the order opened."""
    query = (
        select(DraftTask)
        .join(Draft, col(Draft.id) == col(DraftTask.draft_id))
        .where(*_of_drafts(sop_ids, start, end, agency_id))
        .order_by(col(DraftTask.draft_id), col(DraftTask.id))
    )
    return list(session.exec(query).all())


def audit_entries(
    session: Session,
    *,
    sop_ids: Collection[str],
    start: datetime,
    end: datetime,
    agency_id: int | None = None,
) -> list[AuditEntry]:
    """The whole audit trail of those drafts, by draft and in the order written."""
    query = (
        select(AuditEntry)
        .join(Draft, col(Draft.id) == col(AuditEntry.draft_id))
        .where(*_of_drafts(sop_ids, start, end, agency_id))
        .order_by(col(AuditEntry.draft_id), col(AuditEntry.id))
    )
    return list(session.exec(query).all())


def versions_named(
    session: Session,
    *,
    sop_ids: Collection[str],
    start: datetime,
    end: datetime,
    agency_id: int | None = None,
) -> dict[int, tuple[str, str, int]]:
    """The document versions of those drafts: id → (document, file name, version)."""
    query = (
        select(
            DocumentVersion.id,
            DocumentVersion.document,
            DocumentVersion.file_name,
            DocumentVersion.version,
        )
        .join(Draft, col(Draft.id) == col(DocumentVersion.draft_id))
        .where(*_of_drafts(sop_ids, start, end, agency_id))
    )
    return {
        version_id: (document, file_name, version)
        for version_id, document, file_name, version in session.exec(query).all()
        if version_id is not None
    }
