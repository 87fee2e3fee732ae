"""Why a use case refused: each error carries what a handler needs to say so."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class NotRegistered(Exception):
    """The Telegram account belongs to no active official."""


class DraftNotFound(Exception):
    def __init__(self, draft_id: int) -> None:
        super().__init__(draft_id)
        self.draft_id = draft_id


class InvalidInput(Exception):
    """Input an administrator or official must correct; the message says how."""


class NotAdmin(Exception):
    """Only an administrator may do this."""


class InviteProblem(StrEnum):
    TIDAK_DIKENAL = "tidak_dikenal"
    KEDALUWARSA = "kedaluwarsa"
    SUDAH_DIPAKAI = "sudah_dipakai"
    SUDAH_TERDAFTAR = "sudah_terdaftar"
    INSTANSI_LAIN = "instansi_lain"
    """The opener is registered in another agency (an official belongs to one)."""


class InviteRefused(Exception):
    def __init__(self, problem: InviteProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class StaleTask(Exception):
    """A button for a task that is no longer open: who handled it and when."""

    def __init__(
        self,
        *,
        task_title: str,
        handled_by: str | None,
        handled_at: datetime | None,
        outcome: str | None,
    ) -> None:
        super().__init__(task_title)
        self.task_title = task_title
        self.handled_by = handled_by
        self.handled_at = handled_at
        self.outcome = outcome


class AlreadyHandled(Exception):
    """The same Telegram update came again (after a restart): it was acted on already."""
