"""The workflow engine: a draft's state, the actions officials take, and what follows.

Pure functions over plain values. Given an SOP, a draft's state, the acting official with
the positions they hold, the roster of who holds which position now, and an action, the
engine returns the new state and the effects: who must act next, who is told, what goes
into the audit trail and which row's clock starts or stops. It never touches Telegram or
the database; refusals are raised as `ActionRefused` with a code and the facts needed to
explain them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from workflow.sop import Sop, Task, TaskKind
from workflow.waktu import Waktu

MIN_NOTE_LETTERS = 3
"""A return's note must say something: at least this many letters or digits."""

NO_SHARE = ""
"""The share of a task (or document) that is not split by unit."""


@dataclass(frozen=True)
class Holder:
    """One official holding one position (for one unit, for a period)."""

    official_id: int
    name: str
    position: str
    unit: str | None = None
    acting: str | None = None
    """'Plh.' or 'Plt.' when the official acts for the position."""


Roster = Mapping[str, Sequence[Holder]]
"""Who holds each position now: position key → holders."""


@dataclass(frozen=True)
class Actor:
    """The official who acts, with every position they hold now."""

    official_id: int
    name: str
    holdings: tuple[Holder, ...]


class DraftStatus(StrEnum):
    AKTIF = "aktif"
    SELESAI = "selesai"


@dataclass(frozen=True)
class OpenTask:
    """The task a draft waits on, with what has happened in it since it was entered."""

    task_id: str
    row_no: int
    entered_at: datetime
    shares: tuple[str, ...] = ()
    """Units that must each submit (parallel uploads); empty for a single holder."""
    submitted: frozenset[str] = frozenset()
    uploaded: frozenset[tuple[str, str]] = frozenset()
    """(document, share) uploaded since the task was entered."""
    return_note: str | None = None
    """The note of the return that sent the draft here, if one did."""
    meeting_at: datetime | None = None
    """For a meeting (rapat): when the scheduled meeting starts; None if none is scheduled."""


@dataclass(frozen=True)
class DraftState:
    status: DraftStatus
    task: OpenTask | None
    documents: frozenset[tuple[str, str]] = frozenset()
    """(document, share) that have at least one version."""


# Actions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A new version of a document of the open task."""

    document: str
    unit: str | None = None


@dataclass(frozen=True)
class Submit:
    """Kirim: the holder's uploads are complete."""

    unit: str | None = None


@dataclass(frozen=True)
class Approve:
    """Setujui: forward a reviewed draft, or sign it at the final decision."""


@dataclass(frozen=True)
class Return:
    """Kembalikan: send the draft back with a note (at the final decision, an arahan)."""

    note: str


Action = Upload | Submit | Approve | Return


# Effects -------------------------------------------------------------------------------


class AuditAction(StrEnum):
    DIBUAT = "dibuat"
    UNGGAH = "unggah"
    KIRIM = "kirim"
    SETUJUI = "setujui"
    KEMBALIKAN = "kembalikan"
    TANDATANGANI = "tandatangani"


@dataclass(frozen=True)
class Audit:
    """One line of the audit trail."""

    action: AuditAction
    task_id: str
    row_no: int
    actor_id: int
    position: str
    acting: str | None = None
    note: str | None = None
    document: str | None = None
    share: str = NO_SHARE


@dataclass(frozen=True)
class TaskOpened:
    """These holders must now act on the task."""

    task_id: str
    row_no: int
    holders: tuple[Holder, ...]
    return_note: str | None = None


@dataclass(frozen=True)
class TaskClosed:
    task_id: str
    row_no: int
    outcome: AuditAction


class NoticeReason(StrEnum):
    TUGAS_SELESAI = "tugas_selesai"
    DITANDATANGANI = "ditandatangani"
    HASIL_RAPAT = "hasil_rapat"
    """A meeting's participants receive its results."""


@dataclass(frozen=True)
class Notice:
    """People who only need to know (no buttons)."""

    holders: tuple[Holder, ...]
    reason: NoticeReason
    task_id: str


@dataclass(frozen=True)
class RowEntered:
    """A row's clock starts: its waktu counts from now (working time, or working days)."""

    row_no: int
    waktu: Waktu


@dataclass(frozen=True)
class RowLeft:
    """A row's clock stops: done, or the draft was returned to an earlier row."""

    row_no: int
    completed: bool


@dataclass(frozen=True)
class DraftFinished:
    signed_by: int | None
    """The official who signed at the final decision (None when the SOP just ends)."""


Effect = Audit | TaskOpened | TaskClosed | Notice | RowEntered | RowLeft | DraftFinished


@dataclass(frozen=True)
class Transition:
    state: DraftState
    effects: tuple[Effect, ...] = field(default_factory=tuple)


# Refusals ------------------------------------------------------------------------------


class Refusal(StrEnum):
    DRAFT_SELESAI = "draft_selesai"
    BUKAN_PEMEGANG = "bukan_pemegang"
    AKSI_TIDAK_SESUAI = "aksi_tidak_sesuai"
    DOKUMEN_TIDAK_DIMINTA = "dokumen_tidak_diminta"
    DOKUMEN_BELUM_LENGKAP = "dokumen_belum_lengkap"
    CATATAN_WAJIB = "catatan_wajib"
    UNIT_SUDAH_KIRIM = "unit_sudah_kirim"
    UNIT_TIDAK_JELAS = "unit_tidak_jelas"
    TIDAK_ADA_PEMEGANG = "tidak_ada_pemegang"
    RAPAT_BELUM_DIJADWALKAN = "rapat_belum_dijadwalkan"
    RAPAT_BELUM_DIMULAI = "rapat_belum_dimulai"


class ActionRefused(Exception):
    """The action is not allowed; `code` says why and `detail` holds the facts."""

    def __init__(self, code: Refusal, **detail: str) -> None:
        super().__init__(code.value, detail)
        self.code = code
        self.detail = detail

    def __str__(self) -> str:
        facts = ", ".join(f"{key}={value}" for key, value in self.detail.items())
        return f"{self.code.value}({facts})"


# The engine ----------------------------------------------------------------------------


def share_of(sop: Sop, holder: Holder) -> str:
    """The unit a holder submits for in a parallel task: their unit, else the position."""
    return holder.unit or sop.position(holder.position).nama


def holders_of(task: Task, roster: Roster) -> tuple[Holder, ...]:
    """Everyone who may act on a task now."""
    return tuple(holder for key in task.oleh for holder in roster.get(key, ()))


def participants_of(task: Task, roster: Roster) -> tuple[Holder, ...]:
    """A meeting's participants now: every holder of its `peserta` positions, once each."""
    seen: set[int] = set()
    found: list[Holder] = []
    for key in task.peserta:
        for holder in roster.get(key, ()):
            if holder.official_id not in seen:
                seen.add(holder.official_id)
                found.append(holder)
    return tuple(found)


def start_draft(sop: Sop, *, actor: Actor, roster: Roster, now: datetime) -> Transition:
    """Open a new draft at the SOP's first task; only its holder may start one."""
    first = sop.first_task()
    holding = _holding_for(first, actor)
    if holding is None:
        raise ActionRefused(Refusal.BUKAN_PEMEGANG, jabatan=_positions_label(sop, first))
    state = DraftState(status=DraftStatus.AKTIF, task=None)
    audit = Audit(
        action=AuditAction.DIBUAT,
        task_id=first.id,
        row_no=sop.row_of(first.id).nomor,
        actor_id=actor.official_id,
        position=holding.position,
        acting=holding.acting,
    )
    state, effects = _enter(sop, state, first, roster=roster, now=now, return_note=None)
    return Transition(state, (audit, *effects))


def apply(
    sop: Sop,
    state: DraftState,
    *,
    actor: Actor,
    action: Action,
    roster: Roster,
    now: datetime,
) -> Transition:
    """Apply one official's action to a draft, or raise ActionRefused."""
    if state.status == DraftStatus.SELESAI or state.task is None:
        raise ActionRefused(Refusal.DRAFT_SELESAI)
    open_task = state.task
    task = sop.task(open_task.task_id)
    holding = _holding_for(task, actor)
    if holding is None:
        raise ActionRefused(Refusal.BUKAN_PEMEGANG, jabatan=_positions_label(sop, task))
    match action:
        case Upload():
            return _upload(sop, state, task, actor, holding, action)
        case Submit():
            return _submit(sop, state, task, actor, holding, action, roster, now)
        case Approve():
            return _approve(sop, state, task, holding, roster, now)
        case Return():
            return _return(sop, state, task, holding, action, roster, now)


def missing_documents(sop: Sop, state: DraftState, *, share: str | None = None) -> list[str]:
    """Documents of the open task still to be uploaded (for one share in a parallel task)."""
    if state.task is None:
        return []
    task = sop.task(state.task.task_id)
    if task.is_review:
        return [key for key in task.telaah if not _has_any_version(state, key)]
    wanted_share = share if task.jenis == TaskKind.UNGGAH_PARALEL else None
    return [
        key
        for key in task.dokumen
        if (key, _document_share(sop, key, wanted_share)) not in state.task.uploaded
    ]


def pending_shares(state: DraftState) -> list[str]:
    """Units of a parallel task that have not submitted yet."""
    if state.task is None:
        return []
    return [share for share in state.task.shares if share not in state.task.submitted]


# Internals -----------------------------------------------------------------------------


def _positions_label(sop: Sop, task: Task) -> str:
    return " / ".join(sop.position(key).label for key in task.oleh)


def _holding_for(task: Task, actor: Actor) -> Holder | None:
    for holding in actor.holdings:
        if holding.position in task.oleh:
            return holding
    return None


def _document_share(sop: Sop, document: str, share: str | None) -> str:
    return share if sop.document(document).per_unit and share else NO_SHARE


def _has_any_version(state: DraftState, document: str) -> bool:
    return any(key == document for key, _ in state.documents)


def _audit(
    action: AuditAction,
    task: Task,
    row_no: int,
    holding: Holder,
    *,
    note: str | None = None,
    document: str | None = None,
    share: str = NO_SHARE,
) -> Audit:
    return Audit(
        action=action,
        task_id=task.id,
        row_no=row_no,
        actor_id=holding.official_id,
        position=holding.position,
        acting=holding.acting,
        note=note,
        document=document,
        share=share,
    )


def _share_for(
    sop: Sop, open_task: OpenTask, actor: Actor, task: Task, unit: str | None
) -> tuple[Holder, str]:
    """The actor's holding and unit in a parallel task, refusing when unclear or done."""
    mine = [
        (holding, share_of(sop, holding))
        for holding in actor.holdings
        if holding.position in task.oleh and share_of(sop, holding) in open_task.shares
    ]
    if unit is not None:
        mine = [(holding, share) for holding, share in mine if share == unit]
    if not mine:
        raise ActionRefused(Refusal.BUKAN_PEMEGANG, jabatan=_positions_label(sop, task))
    open_mine = [(holding, share) for holding, share in mine if share not in open_task.submitted]
    if not open_mine:
        raise ActionRefused(Refusal.UNIT_SUDAH_KIRIM, unit=mine[0][1])
    if len(open_mine) > 1:
        raise ActionRefused(
            Refusal.UNIT_TIDAK_JELAS, unit=", ".join(share for _, share in open_mine)
        )
    return open_mine[0]


def _upload(
    sop: Sop, state: DraftState, task: Task, actor: Actor, holding: Holder, action: Upload
) -> Transition:
    assert state.task is not None
    if not task.is_upload:
        raise ActionRefused(Refusal.AKSI_TIDAK_SESUAI, tugas=task.judul)
    if action.document not in task.dokumen:
        raise ActionRefused(
            Refusal.DOKUMEN_TIDAK_DIMINTA,
            dokumen=sop.dokumen[action.document].nama
            if action.document in sop.dokumen
            else action.document,
            tugas=task.judul,
        )
    share_unit: str | None = None
    if task.jenis == TaskKind.UNGGAH_PARALEL:
        holding, share_unit = _share_for(sop, state.task, actor, task, action.unit)
    share = _document_share(sop, action.document, share_unit)
    key = (action.document, share)
    new_state = replace(
        state,
        task=replace(state.task, uploaded=state.task.uploaded | {key}),
        documents=state.documents | {key},
    )
    audit = _audit(
        AuditAction.UNGGAH,
        task,
        state.task.row_no,
        holding,
        document=action.document,
        share=share,
    )
    return Transition(new_state, (audit,))


def _submit(
    sop: Sop,
    state: DraftState,
    task: Task,
    actor: Actor,
    holding: Holder,
    action: Submit,
    roster: Roster,
    now: datetime,
) -> Transition:
    open_task = state.task
    assert open_task is not None
    if not task.is_upload:
        raise ActionRefused(Refusal.AKSI_TIDAK_SESUAI, tugas=task.judul)
    if task.jenis == TaskKind.UNGGAH_PARALEL:
        unit_holding, share = _share_for(sop, open_task, actor, task, action.unit)
        missing = missing_documents(sop, state, share=share)
        if missing:
            raise ActionRefused(
                Refusal.DOKUMEN_BELUM_LENGKAP, dokumen=_document_names(sop, missing)
            )
        audit = _audit(AuditAction.KIRIM, task, open_task.row_no, unit_holding, share=share)
        submitted = open_task.submitted | {share}
        state = replace(state, task=replace(open_task, submitted=submitted))
        if set(open_task.shares) - submitted:
            return Transition(state, (audit,))
        return _complete(sop, state, task, (audit,), roster, now, signed_by=None)
    if task.jenis == TaskKind.RAPAT:
        # A meeting's results come after the meeting: it must be scheduled and have begun.
        if open_task.meeting_at is None:
            raise ActionRefused(Refusal.RAPAT_BELUM_DIJADWALKAN, tugas=task.judul)
        if now < open_task.meeting_at:
            raise ActionRefused(
                Refusal.RAPAT_BELUM_DIMULAI, mulai=open_task.meeting_at.isoformat()
            )
    missing = missing_documents(sop, state)
    if missing:
        raise ActionRefused(Refusal.DOKUMEN_BELUM_LENGKAP, dokumen=_document_names(sop, missing))
    audit = _audit(AuditAction.KIRIM, task, open_task.row_no, holding)
    return _complete(sop, state, task, (audit,), roster, now, signed_by=None)


def _approve(
    sop: Sop, state: DraftState, task: Task, holding: Holder, roster: Roster, now: datetime
) -> Transition:
    assert state.task is not None
    if not task.is_review:
        raise ActionRefused(Refusal.AKSI_TIDAK_SESUAI, tugas=task.judul)
    missing = missing_documents(sop, state)
    if missing:
        raise ActionRefused(Refusal.DOKUMEN_BELUM_LENGKAP, dokumen=_document_names(sop, missing))
    final = task.jenis == TaskKind.KEPUTUSAN
    action = AuditAction.TANDATANGANI if final else AuditAction.SETUJUI
    audit = _audit(action, task, state.task.row_no, holding)
    signed_by = holding.official_id if final else None
    return _complete(sop, state, task, (audit,), roster, now, signed_by=signed_by)


def _return(
    sop: Sop,
    state: DraftState,
    task: Task,
    holding: Holder,
    action: Return,
    roster: Roster,
    now: datetime,
) -> Transition:
    open_task = state.task
    assert open_task is not None
    if not task.is_review or task.kembali_ke is None:
        raise ActionRefused(Refusal.AKSI_TIDAK_SESUAI, tugas=task.judul)
    note = " ".join(action.note.split())
    if sum(char.isalnum() for char in note) < MIN_NOTE_LETTERS:
        raise ActionRefused(Refusal.CATATAN_WAJIB)
    target = sop.task(task.kembali_ke)
    target_row = sop.row_of(target.id).nomor
    effects: list[Effect] = [
        _audit(AuditAction.KEMBALIKAN, task, open_task.row_no, holding, note=note),
        TaskClosed(task.id, open_task.row_no, AuditAction.KEMBALIKAN),
    ]
    if target_row != open_task.row_no:
        effects.append(RowLeft(open_task.row_no, completed=False))
    new_state, entered = _enter(
        sop,
        state,
        target,
        roster=roster,
        now=now,
        return_note=note,
        same_row=target_row == open_task.row_no,
    )
    return Transition(new_state, (*effects, *entered))


def _complete(
    sop: Sop,
    state: DraftState,
    task: Task,
    effects: tuple[Effect, ...],
    roster: Roster,
    now: datetime,
    *,
    signed_by: int | None,
) -> Transition:
    """Close the open task, tell whoever must know, and move to the next task or finish."""
    open_task = state.task
    assert open_task is not None
    done: list[Effect] = [*effects]
    outcome = AuditAction.TANDATANGANI if signed_by is not None else AuditAction.KIRIM
    if task.is_review and signed_by is None:
        outcome = AuditAction.SETUJUI
    nxt = sop.next_task(task.id)
    next_row = sop.row_of(nxt.id).nomor if nxt is not None else None
    # Check the next task has someone to act before changing anything.
    if nxt is not None:
        _require_holders(sop, nxt, roster)
    done.append(TaskClosed(task.id, open_task.row_no, outcome))
    told = tuple(holder for key in task.beritahu for holder in roster.get(key, ()))
    if told:
        reason = (
            NoticeReason.DITANDATANGANI if signed_by is not None else NoticeReason.TUGAS_SELESAI
        )
        done.append(Notice(told, reason, task.id))
    if task.jenis == TaskKind.RAPAT:
        participants = participants_of(task, roster)
        if participants:
            done.append(Notice(participants, NoticeReason.HASIL_RAPAT, task.id))
    if next_row != open_task.row_no:
        done.append(RowLeft(open_task.row_no, completed=True))
    if nxt is None:
        finished = replace(state, status=DraftStatus.SELESAI, task=None)
        done.append(DraftFinished(signed_by=signed_by))
        return Transition(finished, tuple(done))
    new_state, entered = _enter(
        sop,
        state,
        nxt,
        roster=roster,
        now=now,
        return_note=None,
        same_row=next_row == open_task.row_no,
    )
    return Transition(new_state, (*done, *entered))


def _require_holders(sop: Sop, task: Task, roster: Roster) -> tuple[Holder, ...]:
    holders = holders_of(task, roster)
    if not holders:
        raise ActionRefused(Refusal.TIDAK_ADA_PEMEGANG, jabatan=_positions_label(sop, task))
    return holders


def _enter(
    sop: Sop,
    state: DraftState,
    task: Task,
    *,
    roster: Roster,
    now: datetime,
    return_note: str | None,
    same_row: bool = False,
) -> tuple[DraftState, tuple[Effect, ...]]:
    holders = _require_holders(sop, task, roster)
    row = sop.row_of(task.id)
    shares: tuple[str, ...] = ()
    if task.jenis == TaskKind.UNGGAH_PARALEL:
        shares = tuple(dict.fromkeys(share_of(sop, holder) for holder in holders))
    open_task = OpenTask(
        task_id=task.id,
        row_no=row.nomor,
        entered_at=now,
        shares=shares,
        return_note=return_note,
    )
    effects: list[Effect] = []
    if not same_row:
        effects.append(RowEntered(row.nomor, row.waktu))
    effects.append(TaskOpened(task.id, row.nomor, holders, return_note))
    return replace(state, status=DraftStatus.AKTIF, task=open_task), tuple(effects)


def _document_names(sop: Sop, keys: Sequence[str]) -> str:
    return ", ".join(sop.document(key).nama for key in keys)
