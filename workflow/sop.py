"""SOP definitions: the standard Indonesian SOP format (Permenpan RB 35/2012) as data.

An SOP file is YAML (format 2, sops/README.md). It has the SOP's identity (header), its
pelaksana columns (keys of the office's positions in `config/organisasi.yaml`), the
documents its rows produce, and its rows (langkah) with their mutu baku and the tasks each
row breaks into. `load_sop` reads and validates a file against the organisation; every
problem is reported with the file, the row or task, the field and what is wrong, in
Indonesian, so an administrator can fix it.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import yaml
from pydantic import (
    BeforeValidator,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from workflow.organisation import Organisation, Position
from workflow.validation import (
    SOP_ID_PATTERN,
    Key,
    KeyList,
    StrList,
    Text,
    as_list,
    as_text,
    explain,
    problems,
)
from workflow.validation import Model as _Model
from workflow.waktu import WaktuField, sums_to, total_text

__all__ = [
    "Document",
    "Identity",
    "Position",
    "ReminderPolicy",
    "Row",
    "Sop",
    "SopFileError",
    "Task",
    "TaskKind",
    "load_sop",
    "load_sops",
    "parse_sop",
]

FORMAT = 2
"""The SOP file format this loader reads (sops/README.md)."""

CONTEXT_KEY = "organisasi"
"""Where the organisation is passed to validation (`Sop.model_validate(..., context=)`)."""


class TaskKind(StrEnum):
    """What the holder of a task does."""

    UNGGAH = "unggah"
    """Upload the named documents, then submit (Kirim)."""
    UNGGAH_PARALEL = "unggah_paralel"
    """Every unit holding the positions uploads its own document; done when all are in."""
    TELAAH = "telaah"
    """Review: approve (forward) or return with a note."""
    KEPUTUSAN = "keputusan"
    """The final decision: approve ends the SOP (signature), or return with an arahan."""
    RAPAT = "rapat"
    """A meeting with participants; the holder uploads its results, then submits."""
    SERAH = "serah"
    """A hand-over: one button ("Sudah diserahkan"), no document."""


class NoteRule(StrEnum):
    """Whether an outcome of a decision asks for a note (catatan)."""

    WAJIB = "wajib"
    BOLEH = "boleh"
    TIDAK = "tidak"


class Joint(StrEnum):
    """How a step held by two or more positions is done (bersama)."""

    SEMUA = "semua"
    """Every position's holder acts before the step moves on."""
    SALAH_SATU = "salah_satu"
    """Any one of them acts for all."""


END = "selesai"
"""An outcome's `ke` that ends the procedure."""
NEXT = "berikutnya"
"""The `ke` of the shorthand's approve outcome: the task that follows in order."""
ROW_TARGET_PREFIX = "langkah "
"""An outcome's `ke` of the form "langkah N": the first task of row N."""


class Identity(_Model):
    """The SOP's header (identitas)."""

    judul: str = Field(min_length=1)
    instansi: str = ""
    nomor: Text = ""
    tanggal_pembuatan: Text = ""
    tanggal_revisi: Text = ""
    tanggal_efektif: Text = ""
    disahkan_oleh: str = ""
    dasar_hukum: StrList = ()
    kualifikasi_pelaksana: StrList = ()
    keterkaitan: StrList = ()
    peralatan: StrList = ()
    peringatan: str = ""
    pencatatan_dan_pendataan: str = ""


class Document(_Model):
    """A document (output) the SOP's tasks upload."""

    nama: str = Field(min_length=1)
    per_unit: bool = False
    bernomor: bool = False
    """Carries an official document number (Nota Dinas), asked for at upload."""


class Choice(_Model):
    """A named outcome of a decision (pilihan): its button, and where it leads."""

    label: str = Field(min_length=1, max_length=40)
    """The button's text, in the document's words ("Sesuai", "Salah alamat")."""
    ke: str = Field(pattern=r"^(selesai|langkah [0-9A-Za-z]+|[a-z][a-z0-9_]*)$")
    """A task id, "langkah N" (the first task of row N), or "selesai" (the end)."""
    hasil: str = ""
    """The stated result when the outcome ends the procedure."""
    catatan: NoteRule = NoteRule.TIDAK
    tanda_tangan: bool = False
    """Choosing it is a signature (persetujuan internal)."""

    @model_validator(mode="after")
    def _check_result(self) -> Self:
        if self.hasil and self.ke != END:
            raise ValueError(f"pilihan '{self.label}': 'hasil' hanya untuk ke: selesai")
        return self

    @property
    def ends(self) -> bool:
        return self.ke == END


class Task(_Model):
    """One step of a row, held by a position."""

    id: Key
    jenis: TaskKind
    oleh: KeyList = Field(min_length=1)
    judul: str = Field(min_length=1)
    petunjuk: str = ""
    dokumen: KeyList = ()
    """Documents the holder uploads (unggah, unggah_paralel, rapat)."""
    telaah: KeyList = ()
    """Documents under review (telaah, keputusan); they must exist to approve."""
    kembali_ke: Key | None = None
    """Where a return sends the draft (telaah, keputusan)."""
    lanjut_ke: Key | None = None
    """The next task when this one is done; by default the next task in order."""
    peserta: KeyList = ()
    """Meeting participants (rapat): invited, reminded, and given the results."""
    bagikan: KeyList = ()
    """Documents of a rapat the participants receive when it is done (all of them if empty)."""
    undangan: Key | None = None
    """A rapat's invitation letter (a document an earlier task uploads), offered to attach
    to the invitations."""
    beritahu: KeyList = ()
    """Positions told (without buttons) when this task is done."""
    label_setujui: str = ""
    """The approve button's text (telaah, keputusan), or the hand-over's (serah)."""
    pilihan: tuple[Choice, ...] = ()
    """Named outcomes of a decision (telaah, keputusan), one button each; instead of
    `kembali_ke` / `label_setujui`, which are shorthand for two outcomes."""
    opsional: bool = False
    """The holder may skip the step, with a reason (unggah, serah)."""
    bersama: Joint | None = None
    """A step held by two or more positions (`oleh`): all of them act, or any one."""

    @model_validator(mode="after")
    def _check_kind(self) -> Self:
        kind = self.jenis
        decision = kind in (TaskKind.TELAAH, TaskKind.KEPUTUSAN)
        uploads = kind in (TaskKind.UNGGAH, TaskKind.UNGGAH_PARALEL, TaskKind.RAPAT)
        if uploads and not self.dokumen:
            raise ValueError(f"tugas '{self.id}' berjenis {kind} harus menyebut 'dokumen'")
        if not uploads and self.dokumen:
            raise ValueError(f"tugas '{self.id}' berjenis {kind} tidak mengunggah 'dokumen'")
        if self.pilihan and not decision:
            raise ValueError(f"tugas '{self.id}' berjenis {kind}: 'pilihan' hanya untuk keputusan")
        if self.pilihan:
            if len(self.pilihan) < 2:
                raise ValueError(f"tugas '{self.id}': 'pilihan' paling sedikit dua")
            labels = [choice.label for choice in self.pilihan]
            if len(set(labels)) != len(labels):
                raise ValueError(f"tugas '{self.id}': label 'pilihan' tidak boleh kembar")
            if self.kembali_ke is not None or self.lanjut_ke is not None or self.label_setujui:
                raise ValueError(
                    f"tugas '{self.id}': dengan 'pilihan', setiap pilihan menyebut tujuannya "
                    "('ke'); 'kembali_ke', 'lanjut_ke' dan 'label_setujui' tidak dipakai"
                )
        elif decision and self.kembali_ke is None:
            raise ValueError(
                f"tugas '{self.id}' berjenis {kind} harus menyebut 'kembali_ke' atau 'pilihan'"
            )
        if not decision and self.kembali_ke is not None:
            raise ValueError(f"tugas '{self.id}' berjenis {kind} tidak dapat mengembalikan")
        if kind == TaskKind.SERAH and self.telaah:
            raise ValueError(f"tugas '{self.id}' berjenis serah tidak menelaah dokumen")
        if self.opsional and kind not in (TaskKind.UNGGAH, TaskKind.SERAH):
            raise ValueError(
                f"tugas '{self.id}' berjenis {kind}: hanya unggah dan serah yang dapat 'opsional'"
            )
        if kind == TaskKind.RAPAT and not self.peserta:
            raise ValueError(f"tugas '{self.id}' berjenis rapat harus menyebut 'peserta'")
        if kind != TaskKind.RAPAT and (self.peserta or self.bagikan or self.undangan):
            raise ValueError(
                f"tugas '{self.id}' berjenis {kind}: 'peserta', 'bagikan' dan 'undangan' "
                "hanya untuk rapat"
            )
        if not set(self.bagikan) <= set(self.dokumen):
            raise ValueError(f"tugas '{self.id}': 'bagikan' harus dokumen dari 'dokumen'")
        if self.bersama is not None:
            if kind in (TaskKind.UNGGAH_PARALEL, TaskKind.RAPAT):
                raise ValueError(f"tugas '{self.id}' berjenis {kind} tidak dapat 'bersama'")
            if len(set(self.oleh)) < 2:
                raise ValueError(f"tugas '{self.id}': 'bersama' perlu dua jabatan atau lebih")
            if self.bersama == Joint.SEMUA and self.pilihan:
                raise ValueError(
                    f"tugas '{self.id}': keputusan dengan 'pilihan' tidak dapat 'bersama: semua' "
                    "(gunakan salah_satu)"
                )
        elif kind != TaskKind.UNGGAH_PARALEL and len(self.oleh) != 1:
            raise ValueError(
                f"tugas '{self.id}' hanya boleh dipegang satu jabatan "
                "(atau tulis 'bersama: semua' / 'bersama: salah_satu')"
            )
        if kind == TaskKind.KEPUTUSAN and self.lanjut_ke is not None:
            raise ValueError(f"tugas '{self.id}' adalah keputusan akhir: tanpa 'lanjut_ke'")
        return self

    @property
    def holder(self) -> str:
        """The position that holds a single-holder task."""
        return self.oleh[0]

    @property
    def is_review(self) -> bool:
        return self.jenis in (TaskKind.TELAAH, TaskKind.KEPUTUSAN)

    @property
    def is_joint(self) -> bool:
        """Every position of `oleh` must act (bersama: semua)."""
        return self.bersama == Joint.SEMUA

    @property
    def outcomes(self) -> tuple[Choice, ...]:
        """A decision's outcomes: its `pilihan`, or the two of the shorthand (approve, and
        return to `kembali_ke` with a required note)."""
        if self.pilihan or not self.is_review or self.kembali_ke is None:
            return self.pilihan
        final = self.jenis == TaskKind.KEPUTUSAN
        approve = Choice(
            label=self.label_setujui or ("Setujui & tandatangani" if final else "Setujui"),
            ke=END if final else (self.lanjut_ke or NEXT),
            tanda_tangan=final,
        )
        back = Choice(label="Kembalikan", ke=self.kembali_ke, catatan=NoteRule.WAJIB)
        return (approve, back)

    @property
    def is_upload(self) -> bool:
        return self.jenis in (TaskKind.UNGGAH, TaskKind.UNGGAH_PARALEL, TaskKind.RAPAT)

    @property
    def shared_with_participants(self) -> tuple[str, ...]:
        """The documents a meeting's participants receive once its results are sent."""
        return tuple(self.bagikan or self.dokumen)


RowLabel = Annotated[str, BeforeValidator(as_text), Field(min_length=1, max_length=12)]
"""A row number as the document writes it: 3, '2a'."""


EMPTY = ("", "-")
"""How a document leaves a cell empty."""


def _outputs(value: Any) -> Any:
    """An empty Output cell may be left empty, or written '-' as documents do."""
    items = as_list(value)
    if isinstance(items, list | tuple):
        return [item for item in items if not (isinstance(item, str) and item.strip() in EMPTY)]
    return items


class ReminderPolicy(_Model):
    """When the holder of a task is reminded, and when the superior is told.

    What is not written scales with the row's time (`standard`, its working minutes): the
    overdue reminder repeats every 10% of it but at most every 30 working minutes, and the
    superior hears of a row only once it is late by 10% of its time, at least 15 minutes.
    A row of 1 minute does not escalate a minute after it starts, and a row of 10 days does
    not nag every hour.
    """

    ingatkan_pada_persen: int = Field(default=80, ge=1, le=99)
    ingatkan_saat_jatuh_tempo: bool = True
    ulangi_setiap_menit: int | None = Field(default=None, ge=1)
    """Overdue reminders repeat at this interval (working minutes); by default 10% of the
    row's time, at least 30."""
    eskalasi: bool = True
    eskalasi_setelah_menit: int | None = Field(default=None, ge=0)
    """The superior is told once the row is late by this many working minutes; by default
    10% of the row's time, at least 15."""

    def repeat_minutes(self, standard: int) -> int:
        if self.ulangi_setiap_menit is not None:
            return self.ulangi_setiap_menit
        return max(standard // 10, 30)

    def escalate_after(self, standard: int) -> int:
        if self.eskalasi_setelah_menit is not None:
            return self.eskalasi_setelah_menit
        return max(standard // 10, 15)

    def overridden_by(self, other: ReminderPolicy | None) -> ReminderPolicy:
        """This policy with what `other` writes (a row's own `pengingat`) in its place."""
        if other is None:
            return self
        written = {name: getattr(other, name) for name in other.model_fields_set}
        return self.model_copy(update=written)


class Row(_Model):
    """A row of the SOP's flowchart table with its mutu baku.

    `label` is the number as the document writes it ("2a"), read from the file's `nomor`
    and shown to people; `nomor` is the row's place in the table (1, 2, 3, ...), which
    drafts store and the engine counts with.
    """

    label: RowLabel = Field(validation_alias="nomor")
    nomor: int = Field(default=0, validation_alias="_urutan")
    aktivitas: str = Field(min_length=1)
    pelaksana: KeyList = Field(min_length=1)
    persyaratan: StrList = ()
    waktu: WaktuField
    """Waktu (mutu baku) as written: '60 menit', '2 jam', '1 hari'."""
    output: Annotated[tuple[str, ...], BeforeValidator(_outputs)] = ()
    keterangan: str = ""
    pengingat: ReminderPolicy | None = None
    """This row's own reminders, over the SOP's."""
    tugas: tuple[Task, ...] = Field(min_length=1)


def _resolve_positions(value: Any, info: ValidationInfo) -> Any:
    """The pelaksana columns: keys of the organisation, resolved to their positions."""
    organisation = (info.context or {}).get(CONTEXT_KEY)
    if not isinstance(organisation, Organisation):
        raise ValueError("organisasi kantor tidak diberikan (config/organisasi.yaml)")
    if isinstance(value, dict):
        raise ValueError(
            "tulis daftar kunci jabatan, misalnya [kasubbag_renja, sekretaris]; nama, "
            "pemegang dan atasan jabatan kini ditulis sekali di config/organisasi.yaml"
        )
    keys = as_list(value)
    if not isinstance(keys, list | tuple) or not all(isinstance(key, str) for key in keys):
        raise ValueError("tulis daftar kunci jabatan, misalnya [kasubbag_renja, sekretaris]")
    unknown = [key for key in keys if key not in organisation.positions]
    if unknown:
        names = ", ".join(f"'{key}'" for key in unknown)
        raise ValueError(
            f"jabatan {names} tidak ada di organisasi kantor (config/organisasi.yaml, "
            "bagian jabatan atau pihak_luar)"
        )
    doubled = sorted({key for key in keys if keys.count(key) > 1})
    if doubled:
        raise ValueError(f"jabatan '{doubled[0]}' ditulis lebih dari sekali")
    return {key: organisation.position(key) for key in keys}


class Sop(_Model):
    """A whole SOP: identity, pelaksana (positions of the organisation), documents, rows."""

    format: Literal[2]
    id: str = Field(pattern=SOP_ID_PATTERN)
    identitas: Identity
    pelaksana: Annotated[dict[Key, Position], BeforeValidator(_resolve_positions)] = Field(
        min_length=1
    )
    """The table's Pelaksana columns, in order, resolved from the organisation."""
    dokumen: dict[Key, Document] = Field(default_factory=dict)
    langkah: tuple[Row, ...] = Field(min_length=1)
    pengingat: ReminderPolicy = ReminderPolicy()
    jumlah_waktu: WaktuField | None = None
    """The table's 'Jumlah waktu' as written; checked against the rows' sum when every row
    counts in working time (a working day is not a fixed number of minutes)."""
    perintah: Key | None = None
    """A command that starts a draft of this SOP at once (`renja_baru`), besides /baru."""
    tahun: bool = False
    """Each draft is for a year (the next one, unless its starter names another)."""
    contoh_judul: str = ""
    """An example title, shown when the bot asks for one."""
    instansi: Key | None = None
    """The key of the one agency (instansi) whose officials run this SOP; without it, every
    agency the bot serves may (the Renja SOP, which every SKPD writes)."""
    _organisation: Organisation | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _number_rows(cls, data: Any) -> Any:
        """Each row learns its place in the table (what drafts store)."""
        if isinstance(data, dict) and isinstance(data.get("langkah"), list):
            rows = [
                {**row, "_urutan": place} if isinstance(row, dict) else row
                for place, row in enumerate(data["langkah"], 1)
            ]
            data = {**data, "langkah": rows}
        return data

    @model_validator(mode="after")
    def _check_references(self, info: ValidationInfo) -> Self:
        self._organisation = (info.context or {}).get(CONTEXT_KEY)
        found = list(_reference_problems(self))
        if found:
            raise problems(found)
        return self

    @property
    def organisation(self) -> Organisation:
        """The office whose positions this SOP names."""
        assert self._organisation is not None
        return self._organisation

    @property
    def tasks(self) -> tuple[Task, ...]:
        return tuple(task for row in self.langkah for task in row.tugas)

    @property
    def total_text(self) -> str:
        """'Jumlah waktu' as the document writes it, or else the rows' sum."""
        if self.jumlah_waktu is not None:
            return self.jumlah_waktu.text
        return total_text([row.waktu for row in self.langkah])

    def task(self, task_id: str) -> Task:
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(task_id)

    def row_of(self, task_id: str) -> Row:
        for row in self.langkah:
            if any(task.id == task_id for task in row.tugas):
                return row
        raise KeyError(task_id)

    def row(self, no: int) -> Row:
        """The row at place `no` (1, 2, 3, ...), as drafts store it."""
        if 1 <= no <= len(self.langkah):
            return self.langkah[no - 1]
        raise KeyError(no)

    def row_labelled(self, label: str) -> Row:
        """The row the document numbers `label` ('2a')."""
        for row in self.langkah:
            if row.label == label:
                return row
        raise KeyError(label)

    def row_label(self, no: int) -> str:
        """How the document numbers the row at place `no` (its place, if there is none)."""
        return self.row(no).label if 1 <= no <= len(self.langkah) else str(no)

    def reminder_policy(self, no: int) -> ReminderPolicy:
        """The reminders of the row at place `no`: its own `pengingat` over the SOP's."""
        return self.pengingat.overridden_by(self.row(no).pengingat)

    def first_task(self) -> Task:
        return self.langkah[0].tugas[0]

    def next_task(self, task_id: str) -> Task | None:
        """The task after `task_id` when it is done, or None when the SOP ends."""
        task = self.task(task_id)
        if task.jenis == TaskKind.KEPUTUSAN and not task.pilihan:
            return None
        if task.lanjut_ke is not None:
            return self.task(task.lanjut_ke)
        tasks = self.tasks
        index = tasks.index(task)
        return tasks[index + 1] if index + 1 < len(tasks) else None

    def target(self, task_id: str, ke: str) -> Task | None:
        """Where an outcome of task `task_id` leads: a task, or None at the end."""
        if ke == END:
            return None
        if ke == NEXT:
            return self.next_task(task_id)
        if ke.startswith(ROW_TARGET_PREFIX):
            label = ke.removeprefix(ROW_TARGET_PREFIX)
            for row in self.langkah:
                if row.label == label:
                    return row.tugas[0]
            raise KeyError(ke)
        return self.task(ke)

    def goes_back(self, task_id: str, target: Task | None) -> bool:
        """Whether moving from `task_id` to `target` returns to it or to an earlier task."""
        if target is None:
            return False
        ids = [task.id for task in self.tasks]
        return ids.index(target.id) <= ids.index(task_id)

    def successors(self, task_id: str) -> set[str | None]:
        """Every task that can follow `task_id` (None: the end of the SOP)."""
        task = self.task(task_id)
        if task.is_review:
            found = {self.target(task_id, choice.ke) for choice in task.outcomes}
            return {None if nxt is None else nxt.id for nxt in found}
        nxt = self.next_task(task_id)
        return {None if nxt is None else nxt.id}

    def acting_positions(self, task: Task) -> tuple[str, ...]:
        """Positions whose holders may act on a task: its `oleh`, and the positions that
        act for an outside party among them (diwakili_oleh)."""
        keys = list(task.oleh)
        for key in task.oleh:
            position = self.pelaksana.get(key)
            if position is not None:
                keys.extend(position.diwakili_oleh)
        return tuple(dict.fromkeys(keys))

    def position(self, key: str) -> Position:
        """A position of this SOP's columns, or else of its organisation (a superior)."""
        found = self.pelaksana.get(key)
        if found is None and self._organisation is not None:
            return self._organisation.position(key)
        if found is None:
            raise KeyError(key)
        return found

    def document(self, key: str) -> Document:
        return self.dokumen[key]


def _reference_problems(sop: Sop) -> Iterator[str]:
    """Every broken reference, duplicate or dead end in an SOP, as readable sentences."""
    positions = set(sop.pelaksana)
    documents = set(sop.dokumen)
    organisation = sop._organisation
    known = set(organisation.positions) if organisation is not None else positions

    def not_a_column(key: str) -> str:
        if key not in known:
            return f"jabatan '{key}' tidak dikenal: tidak ada di organisasi kantor"
        return f"jabatan '{key}' bukan kolom pelaksana SOP ini (tambahkan ke 'pelaksana')"

    for key, position in sop.pelaksana.items():
        for agent in position.diwakili_oleh:
            where = f"pihak luar '{key}', kolom 'diwakili_oleh'"
            if agent not in known:
                yield f"{where}: {not_a_column(agent)}"
            elif agent == key or sop.position(agent).eksternal:
                yield f"{where}: '{agent}' harus jabatan kantor yang bertindak sendiri"
    labels = [row.label for row in sop.langkah]
    for label in sorted({label for label in labels if labels.count(label) > 1}):
        yield f"langkah {label}: nomor ini ditulis lebih dari sekali"
    task_ids = [task.id for task in sop.tasks]
    seen: set[str] = set()
    for task_id in task_ids:
        if task_id in seen:
            yield f"tugas '{task_id}' ditulis lebih dari sekali"
        seen.add(task_id)
    for row in sop.langkah:
        for key in row.pelaksana:
            if key not in positions:
                yield f"langkah {row.label}, kolom 'pelaksana': {not_a_column(key)}"
        for task in row.tugas:
            where = f"langkah {row.label}, tugas '{task.id}'"
            for field, keys in (("oleh", task.oleh), ("peserta", task.peserta)):
                for key in keys:
                    if key not in positions:
                        yield f"{where}, kolom '{field}': {not_a_column(key)}"
            for key in task.beritahu:
                if key not in known:
                    yield f"{where}, kolom 'beritahu': {not_a_column(key)}"
            if task.undangan is not None and task.undangan not in documents:
                yield f"{where}, kolom 'undangan': dokumen '{task.undangan}' tidak dikenal"
            for field, keys in (("dokumen", task.dokumen), ("telaah", task.telaah)):
                for key in keys:
                    if key not in documents:
                        yield f"{where}, kolom '{field}': dokumen '{key}' tidak dikenal"
            for field, target in (("kembali_ke", task.kembali_ke), ("lanjut_ke", task.lanjut_ke)):
                if target is not None and target not in task_ids:
                    yield f"{where}, kolom '{field}': tugas '{target}' tidak ada"
            for number, choice in enumerate(task.pilihan, start=1):
                yield from _choice_problems(sop, task, choice, f"{where}.pilihan[{number}]")
            if task.jenis == TaskKind.UNGGAH_PARALEL:
                for key in task.oleh:
                    if key in positions and sop.pelaksana[key].eksternal:
                        yield (
                            f"{where}, kolom 'oleh': pihak luar '{key}' tidak dapat mengunggah "
                            "bagian unit"
                        )
    if sop.jumlah_waktu is not None:
        rows = [row.waktu for row in sop.langkah]
        if sums_to(sop.jumlah_waktu, rows) is False:
            yield (
                f"kolom 'jumlah_waktu': tertulis {sop.jumlah_waktu}, padahal waktu semua "
                f"langkah berjumlah {total_text(rows)}"
            )
    if (
        len(seen) == len(task_ids)
        and all(
            target is None or target in seen
            for t in sop.tasks
            for target in (t.lanjut_ke, t.kembali_ke)
        )
        and not any(
            _target_problem(sop, task, choice) for task in sop.tasks for choice in task.pilihan
        )
    ):
        yield from _dead_ends(sop)


def _target_problem(sop: Sop, task: Task, choice: Choice) -> str | None:
    try:
        target = sop.target(task.id, choice.ke)
    except KeyError:
        if choice.ke.startswith(ROW_TARGET_PREFIX):
            return f"ke: {choice.ke} tidak ada"
        return f"ke: tugas '{choice.ke}' tidak ada"
    if target is not None and target.id == task.id:
        return "ke: tidak dapat kembali ke tugas ini sendiri"
    return None


def _choice_problems(sop: Sop, task: Task, choice: Choice, where: str) -> Iterator[str]:
    problem = _target_problem(sop, task, choice)
    if problem is not None:
        yield f"{where}.{problem}"
    elif sop.goes_back(task.id, sop.target(task.id, choice.ke)) and (
        choice.catatan != NoteRule.WAJIB
    ):
        yield f"{where}.catatan: pilihan yang mengembalikan ke langkah sebelumnya wajib bercatatan"


def _dead_ends(sop: Sop) -> Iterator[str]:
    """Tasks from which the SOP can never finish: a cycle with no exit."""
    successors = {task.id: sop.successors(task.id) for task in sop.tasks}
    finishing: set[str] = set()
    changed = True
    while changed:
        changed = False
        for task_id, following in successors.items():
            if task_id not in finishing and any(
                nxt is None or nxt in finishing for nxt in following
            ):
                finishing.add(task_id)
                changed = True
    for task in sop.tasks:
        if task.id not in finishing:
            yield (
                f"tugas '{task.id}': alur berputar tanpa jalan keluar "
                "(SOP tidak pernah selesai dari tugas ini)"
            )


class SopFileError(Exception):
    """An SOP file that cannot be used; the message names the file, field and problem."""


_FORMAT_1 = (
    "format 1 tidak lagi dibaca. Untuk memindahkannya ke format 2: (1) pindahkan setiap "
    "jabatan di bawah 'pelaksana' (nama, singkat, pemegang, per_unit, atasan) ke bagian "
    "'jabatan' di config/organisasi.yaml, dan pihak luar (eksternal: true) ke 'pihak_luar' "
    "dengan 'diundang: true'; (2) tulis 'pelaksana' sebagai daftar kunci, misalnya "
    "pelaksana: [kasubbag_renja, sekretaris]; (3) tulis 'format: 2'. Waktu boleh tetap angka "
    "menit, atau ditulis dengan satuannya ('60 menit', '1 hari'). Lihat sops/README.md."
)


def parse_sop(data: Any, *, organisation: Organisation, source: str = "<data>") -> Sop:
    """Validate already-parsed YAML data as an SOP of `organisation`."""
    if not isinstance(data, dict):
        raise SopFileError(f"{source}: isi berkas harus berupa pemetaan (kunci: nilai) YAML")
    written = data.get("format")
    if written == 1 or (written is None and isinstance(data.get("pelaksana"), dict)):
        raise SopFileError(f"{source}: {_FORMAT_1}")
    if written is None:
        raise SopFileError(f"{source}: kolom 'format' wajib diisi: tulis 'format: {FORMAT}'")
    try:
        return Sop.model_validate(data, context={CONTEXT_KEY: organisation})
    except ValidationError as error:
        details = "\n".join(f"  - {line}" for line in explain(error, data))
        raise SopFileError(f"{source}: SOP tidak valid:\n{details}") from None


def load_sop(path: Path | str, *, organisation: Organisation) -> Sop:
    """Read and validate one SOP file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SopFileError(f"{path}: tidak dapat dibaca ({error.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SopFileError(f"{path}: bukan YAML yang benar: {error}") from None
    return parse_sop(data, organisation=organisation, source=str(path))


def load_sops(directory: Path | str, *, organisation: Organisation) -> dict[str, Sop]:
    """Every SOP file (*.yaml) in a folder, by id; two files with one id are refused."""
    sops: dict[str, Sop] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        sop = load_sop(path, organisation=organisation)
        if sop.id in sops:
            raise SopFileError(f"{path}: id '{sop.id}' sudah dipakai berkas lain")
        sops[sop.id] = sop
    return sops
