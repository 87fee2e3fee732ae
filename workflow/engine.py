"""The workflow engine: a draft's state, the actions officials take, and what follows.

Pure functions over plain values. Given an SOP, a draft's state, the acting official with
the positions they hold, the roster of who holds which position now, and an action, the
engine returns the new state and the effects: who must act next, who is told, what goes
into the audit trail and which row's clock starts or stops. It never touches Telegram or
the database; refusals are raised as `ActionRefused` with a code and the facts needed to
explain them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from workflow.sop import NoteRule, Sop, Task, TaskKind
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
    on_behalf_of: str | None = None
    """The outside party (position key) this holder records a task for ("atas nama");
    set by `holders_of`, never in the roster itself."""


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
    """Units that must each submit (parallel uploads), or positions that must each act (a
    joint step, bersama: semua); empty for a single holder."""
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


@dataclass(frozen=True)
class Choose:
    """One of a decision's outcomes (`Task.outcomes`, by index), with its note if any."""

    choice: int
    note: str | None = None


@dataclass(frozen=True)
class Skip:
    """⏭ Lewati: an optional step is skipped, with a reason."""

    note: str


Action = Upload | Submit | Approve | Return | Choose | Skip


# Effects -------------------------------------------------------------------------------


class AuditAction(StrEnum):
    DIBUAT = "dibuat"
    UNGGAH = "unggah"
    KIRIM = "kirim"
    SETUJUI = "setujui"
    KEMBALIKAN = "kembalikan"
    TANDATANGANI = "tandatangani"
    PILIH = "pilih"
    """A named outcome of a decision was chosen (its label is the audit's `choice`)."""
    LEWATI = "lewati"
    SERAHKAN = "serahkan"


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
    on_behalf_of: str | None = None
    """The outside party the official acted for (position key)."""
    choice: str | None = None
    """The label of the named outcome chosen (PILIH, or a signature by a named outcome)."""


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
    DILEWATI = "dilewati"
    """An optional step was skipped."""
    MENUNGGU_BERSAMA = "menunggu_bersama"
    """A joint step: one position has acted, these holders must still act."""


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
    result: str | None = None
    """The stated result of the outcome that ended it ("Surat dikembalikan ke pengirim")."""


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
    SUDAH_DILAKUKAN = "sudah_dilakukan"
    """A joint step: the actor's position has already acted."""


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


class _Next:
    """The default successor: the task that follows in the SOP (see `Sop.next_task`)."""


_NEXT = _Next()


def share_of(sop: Sop, holder: Holder) -> str:
    """The unit a holder submits for in a parallel task: their unit, else the position."""
    return holder.unit or sop.position(holder.position).nama


def joint_share(sop: Sop, holder: Holder) -> str:
    """The part a holder acts for in a joint step: their position (or the outside party
    they act for)."""
    return sop.position(holder.on_behalf_of or holder.position).nama


def share_for(sop: Sop, task: Task, holder: Holder) -> str:
    """The share a holder acts for in a task: a unit in a parallel upload, a position in a
    joint step, none otherwise."""
    if task.jenis == TaskKind.UNGGAH_PARALEL:
        return share_of(sop, holder)
    if task.is_joint:
        return joint_share(sop, holder)
    return NO_SHARE


def holders_of(task: Task, roster: Roster, sop: Sop | None = None) -> tuple[Holder, ...]:
    """Everyone who may act on a task now.

    With the SOP given, an outside party that nobody holds is acted for by the holders of
    its `diwakili_oleh` positions (marked `on_behalf_of`); someone who holds the outside
    position (an invited person) acts themselves.
    """
    found: list[Holder] = []
    for key in task.oleh:
        own = roster.get(key, ())
        found.extend(own)
        if own or sop is None or key not in sop.pelaksana:
            continue
        for agent in sop.position(key).diwakili_oleh:
            found.extend(replace(holder, on_behalf_of=key) for holder in roster.get(agent, ()))
    return tuple(found)


def holders_to_act(
    task: Task,
    roster: Roster,
    sop: Sop,
    *,
    shares: Sequence[str] = (),
    submitted: Collection[str] = (),
) -> tuple[Holder, ...]:
    """Who must still act on an open task: its holders (`holders_of`), and in a parallel
    task or a joint step (`shares`) only those whose share is not yet in (`submitted`)."""
    holders = holders_of(task, roster, sop)
    if shares:
        waiting = set(shares) - set(submitted)
        holders = tuple(h for h in holders if share_for(sop, task, h) in waiting)
    return holders


def holding_for(sop: Sop, task: Task, actor: Actor, roster: Roster) -> Holder | None:
    """The actor's holding that may act on a task now, if any (see `holders_of`)."""
    mine = holdings_for(sop, task, actor, roster)
    return mine[0] if mine else None


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


def holdings_for(sop: Sop, task: Task, actor: Actor, roster: Roster) -> list[Holder]:
    """Every holding by which the actor may act on a task: their own positions first, then
    outside parties they act for (only while nobody holds the party's position)."""
    mine = [holding for holding in actor.holdings if holding.position in task.oleh]
    for key in task.oleh:
        if roster.get(key) or key not in sop.pelaksana:
            continue
        agents = sop.position(key).diwakili_oleh
        mine.extend(
            replace(holding, on_behalf_of=key)
            for holding in actor.holdings
            if holding.position in agents
        )
    return mine


def start_draft(sop: Sop, *, actor: Actor, roster: Roster, now: datetime) -> Transition:
    """Open a new draft at the SOP's first task; only its holder may start one."""
    first = sop.first_task()
    holding = holding_for(sop, first, actor, roster)
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
        on_behalf_of=holding.on_behalf_of,
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
    holding = holding_for(sop, task, actor, roster)
    if holding is None:
        raise ActionRefused(Refusal.BUKAN_PEMEGANG, jabatan=_positions_label(sop, task))
    match action:
        case Upload():
            return _upload(sop, state, task, actor, holding, action)
        case Submit():
            return _submit(sop, state, task, actor, holding, action, roster, now)
        case Approve():
            if task.pilihan:  # named outcomes are chosen by name
                raise ActionRefused(Refusal.AKSI_TIDAK_SESUAI, tugas=task.judul)
            return _choose(sop, state, task, actor, holding, 0, None, roster, now)
        case Return():
            if not task.is_review or task.pilihan:
                raise ActionRefused(Refusal.AKSI_TIDAK_SESUAI, tugas=task.judul)
            return _choose(sop, state, task, actor, holding, 1, action.note, roster, now)
        case Choose():
            return _choose(
                sop, state, task, actor, holding, action.choice, action.note, roster, now
            )
        case Skip():
            return _skip(sop, state, task, holding, action, roster, now)


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
    """Units of a parallel task (or positions of a joint step) that have not acted yet."""
    if state.task is None:
        return []
    return [share for share in state.task.shares if share not in state.task.submitted]


# Internals -----------------------------------------------------------------------------


def _positions_label(sop: Sop, task: Task) -> str:
    return " / ".join(sop.position(key).label for key in task.oleh)


def _clean_note(note: str | None) -> str:
    return " ".join((note or "").split())


def _says_something(note: str) -> bool:
    return sum(char.isalnum() for char in note) >= MIN_NOTE_LETTERS


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
    choice: str | None = None,
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
        on_behalf_of=holding.on_behalf_of,
        choice=choice,
    )


def _joint_part(
    sop: Sop, open_task: OpenTask, task: Task, actor: Actor, roster: Roster
) -> tuple[Holder, str]:
    """The actor's holding and position in a joint step that has not acted yet."""
    mine = [(h, joint_share(sop, h)) for h in holdings_for(sop, task, actor, roster)]
    waiting = [(h, share) for h, share in mine if share not in open_task.submitted]
    if not waiting:
        raise ActionRefused(
            Refusal.SUDAH_DILAKUKAN,
            jabatan=mine[0][1] if mine else _positions_label(sop, task),
            menunggu=", ".join(s for s in open_task.shares if s not in open_task.submitted),
        )
    return waiting[0]


def _joint_progress(
    sop: Sop,
    state: DraftState,
    task: Task,
    audit: Audit,
    share: str,
    roster: Roster,
) -> tuple[DraftState, Transition | None]:
    """Record one position's part of a joint step; a Transition while others must still
    act (they are told), None once every position has."""
    open_task = state.task
    assert open_task is not None
    submitted = open_task.submitted | {share}
    state = replace(state, task=replace(open_task, submitted=submitted))
    if not set(open_task.shares) - submitted:
        return state, None
    waiting = tuple(
        holder
        for holder in holders_of(task, roster, sop)
        if joint_share(sop, holder) not in submitted
    )
    notice = Notice(waiting, NoticeReason.MENUNGGU_BERSAMA, task.id)
    return state, Transition(state, (audit, notice) if waiting else (audit,))


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
    if not (task.is_upload or task.jenis == TaskKind.SERAH):
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
        return _complete(
            sop, state, task, (audit,), roster, now, outcome=AuditAction.KIRIM, signed_by=None
        )
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
    outcome = AuditAction.SERAHKAN if task.jenis == TaskKind.SERAH else AuditAction.KIRIM
    if task.is_joint:
        holding, share = _joint_part(sop, open_task, task, actor, roster)
        audit = _audit(outcome, task, open_task.row_no, holding)
        state, waiting = _joint_progress(sop, state, task, audit, share, roster)
        if waiting is not None:
            return waiting
    else:
        audit = _audit(outcome, task, open_task.row_no, holding)
    return _complete(sop, state, task, (audit,), roster, now, outcome=outcome, signed_by=None)


def _decision_action(task: Task, index: int) -> AuditAction:
    """How the trail names an outcome: the shorthand's approve, sign and return, or the
    choice of a named outcome (a signature when it signs)."""
    choice = task.outcomes[index]
    if choice.tanda_tangan:
        return AuditAction.TANDATANGANI
    if task.pilihan:
        return AuditAction.PILIH
    return AuditAction.SETUJUI if index == 0 else AuditAction.KEMBALIKAN


def _choose(
    sop: Sop,
    state: DraftState,
    task: Task,
    actor: Actor,
    holding: Holder,
    index: int,
    note: str | None,
    roster: Roster,
    now: datetime,
) -> Transition:
    """A decision: the chosen outcome leads forward, back (with its note), or to the end."""
    open_task = state.task
    assert open_task is not None
    outcomes = task.outcomes
    if not task.is_review or not 0 <= index < len(outcomes):
        raise ActionRefused(Refusal.AKSI_TIDAK_SESUAI, tugas=task.judul)
    choice = outcomes[index]
    target = sop.target(task.id, choice.ke)
    back = sop.goes_back(task.id, target)
    cleaned = _clean_note(note)
    if choice.catatan == NoteRule.WAJIB and not _says_something(cleaned):
        raise ActionRefused(Refusal.CATATAN_WAJIB)
    kept = cleaned if cleaned and choice.catatan != NoteRule.TIDAK else None
    if not back:
        missing = missing_documents(sop, state)
        if missing:
            raise ActionRefused(
                Refusal.DOKUMEN_BELUM_LENGKAP, dokumen=_document_names(sop, missing)
            )
    action = _decision_action(task, index)
    label = choice.label if task.pilihan else None
    if task.is_joint and index == 0:  # everyone approves; one return is enough
        holding, share = _joint_part(sop, open_task, task, actor, roster)
        audit = _audit(action, task, open_task.row_no, holding, note=kept, choice=label)
        state, waiting = _joint_progress(sop, state, task, audit, share, roster)
        if waiting is not None:
            return waiting
    else:
        audit = _audit(action, task, open_task.row_no, holding, note=kept, choice=label)
    if back:
        assert target is not None
        return _go_back(sop, state, task, audit, target, kept, roster, now, outcome=action)
    return _complete(
        sop,
        state,
        task,
        (audit,),
        roster,
        now,
        outcome=action,
        nxt=target,
        signed_by=holding.official_id if choice.tanda_tangan else None,
        result=choice.hasil or None,
    )


def _skip(
    sop: Sop,
    state: DraftState,
    task: Task,
    holding: Holder,
    action: Skip,
    roster: Roster,
    now: datetime,
) -> Transition:
    """An optional step is left out, with its reason; the draft moves on."""
    assert state.task is not None
    if not task.opsional:
        raise ActionRefused(Refusal.AKSI_TIDAK_SESUAI, tugas=task.judul)
    note = _clean_note(action.note)
    if not _says_something(note):
        raise ActionRefused(Refusal.CATATAN_WAJIB)
    audit = _audit(AuditAction.LEWATI, task, state.task.row_no, holding, note=note)
    return _complete(
        sop, state, task, (audit,), roster, now, outcome=AuditAction.LEWATI, signed_by=None
    )


def _go_back(
    sop: Sop,
    state: DraftState,
    task: Task,
    audit: Audit,
    target: Task,
    note: str | None,
    roster: Roster,
    now: datetime,
    *,
    outcome: AuditAction,
) -> Transition:
    """Send the draft back to an earlier task with the note; the row clock stops unless the
    target is in the same row."""
    open_task = state.task
    assert open_task is not None
    target_row = sop.row_of(target.id).nomor
    effects: list[Effect] = [audit, TaskClosed(task.id, open_task.row_no, outcome)]
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
    outcome: AuditAction,
    signed_by: int | None,
    nxt: Task | _Next | None = _NEXT,
    result: str | None = None,
) -> Transition:
    """Close the open task, tell whoever must know, and move to `nxt` (by default the task
    that follows) or finish."""
    open_task = state.task
    assert open_task is not None
    done: list[Effect] = [*effects]
    if isinstance(nxt, _Next):
        nxt = sop.next_task(task.id)
    next_row = sop.row_of(nxt.id).nomor if nxt is not None else None
    # Check the next task has someone to act before changing anything.
    if nxt is not None:
        _require_holders(sop, nxt, roster)
    done.append(TaskClosed(task.id, open_task.row_no, outcome))
    told = tuple(holder for key in task.beritahu for holder in roster.get(key, ()))
    if told:
        reason = NoticeReason.TUGAS_SELESAI
        if signed_by is not None:
            reason = NoticeReason.DITANDATANGANI
        elif outcome == AuditAction.LEWATI:
            reason = NoticeReason.DILEWATI
        done.append(Notice(told, reason, task.id))
    if task.jenis == TaskKind.RAPAT:
        participants = participants_of(task, roster)
        if participants:
            done.append(Notice(participants, NoticeReason.HASIL_RAPAT, task.id))
    if next_row != open_task.row_no:
        done.append(RowLeft(open_task.row_no, completed=True))
    if nxt is None:
        finished = replace(state, status=DraftStatus.SELESAI, task=None)
        done.append(DraftFinished(signed_by=signed_by, result=result))
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
    """Everyone who may act on a task; refused when nobody may (in a joint step, when one
    of its positions has nobody)."""
    holders = holders_of(task, roster, sop)
    if not holders:
        raise ActionRefused(Refusal.TIDAK_ADA_PEMEGANG, jabatan=_positions_label(sop, task))
    if task.is_joint:
        covered = {joint_share(sop, holder) for holder in holders}
        for key in task.oleh:
            if sop.position(key).nama not in covered:
                raise ActionRefused(Refusal.TIDAK_ADA_PEMEGANG, jabatan=sop.position(key).label)
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
    elif task.is_joint:
        shares = tuple(dict.fromkeys(sop.position(key).nama for key in task.oleh))
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
