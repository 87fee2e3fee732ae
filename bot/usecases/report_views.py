"""What a performance report holds: plain values for the text, the chart and the workbook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from workflow.report import DraftTime, Period, PositionStats, RowStats


@dataclass(frozen=True)
class RowLine:
    """One SOP row's figures over the period (a line of the Ringkasan sheet)."""

    sop_id: str
    sop_title: str
    row_label: str
    activity: str
    standard_text: str
    """The row's time as the SOP writes it now ('60 menit', '1 hari')."""
    stats: RowStats


@dataclass(frozen=True)
class PositionLine:
    position: str
    label: str
    stats: PositionStats


@dataclass(frozen=True)
class EntryLine:
    """One row entry of one draft (a line of the Langkah sheet)."""

    draft_id: int
    draft_title: str
    sop_id: str
    row_no: int
    row_label: str
    holders: str
    """Who acted in the row during this entry: 'Budi (Sekretaris); Dewi (Plh. Kepala Badan)';
    for an entry still running where nobody has acted yet, who must."""
    entered_at: datetime
    due_at: datetime
    left_at: datetime | None
    minutes: int | None
    """Working minutes used (meeting waits excluded); None while the entry runs."""
    standard: int
    standard_text: str
    on_time: bool | None
    result: str
    """'selesai', 'dikembalikan' (the draft went back to an earlier row) or 'berjalan'."""
    waited: int
    """Working minutes spent waiting for a meeting, not counted."""


@dataclass(frozen=True)
class TrailLine:
    """One line of a draft's audit trail (the Jejak sheet)."""

    draft_id: int
    sop_id: str
    at: datetime
    row_no: int
    row_label: str
    task_title: str
    actor: str
    position: str
    """The position's name, with 'Plh.'/'Plt.' for an acting official."""
    action: str
    choice: str | None
    note: str | None
    document: str | None
    """'konsep-v2.pdf (Konsep pendahuluan Renja, versi 2)'."""
    on_behalf_of: str | None


@dataclass(frozen=True)
class OpenDraftLine:
    """A draft of the period still running, and how late its row is."""

    draft_id: int
    title: str
    sop_id: str
    row_label: str
    task_title: str
    holders: tuple[str, ...]
    due_at: datetime
    late_minutes: int
    """Working minutes past the due time, on the office calendar (0 before it)."""
    left_minutes: int


@dataclass(frozen=True)
class ReportView:
    """The performance report of some SOPs over a period."""

    period: Period
    sops: tuple[tuple[str, str], ...]
    """(id, title) of the SOPs reported on, in order."""
    made_at: datetime
    drafts: int
    finished: int
    rows: tuple[RowLine, ...]
    slowest: tuple[RowLine, ...]
    positions: tuple[PositionLine, ...]
    entries: tuple[EntryLine, ...]
    trail: tuple[TrailLine, ...]
    open_drafts: tuple[OpenDraftLine, ...]

    @property
    def empty(self) -> bool:
        return self.drafts == 0

    @property
    def sop_id(self) -> str | None:
        """The one SOP reported on, if only one."""
        return self.sops[0][0] if len(self.sops) == 1 else None


@dataclass(frozen=True)
class DraftTimeView:
    """A finished draft's working minutes, row by row, against the SOP's standard."""

    title: str
    draft_id: int
    sop_title: str
    total_text: str
    """The SOP's 'Jumlah waktu' as written ('230 menit')."""
    rows: tuple[tuple[str, str], ...]
    """(row label, its time as written) of every row, in the order of `time.rows`."""
    time: DraftTime
    signed_by: str | None
