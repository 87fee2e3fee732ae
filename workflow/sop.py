"""SOP definitions: the standard Indonesian SOP format (Permenpan RB 35/2012) as data.

An SOP file is YAML. It has the SOP's identity (header), its pelaksana (positions), the
documents its rows produce, and its rows (langkah) with their mutu baku and the tasks each
row breaks into. `load_sop` reads and validates a file; every problem is reported with the
file, the field and what is wrong, in Indonesian, so an administrator can fix it.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Self

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
SOP_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


def _as_list(value: Any) -> Any:
    """Accept a single string where a list of strings is expected."""
    if isinstance(value, str):
        return [value]
    return value


StrList = Annotated[tuple[str, ...], BeforeValidator(_as_list)]
Key = Annotated[str, Field(pattern=KEY_PATTERN)]
KeyList = Annotated[tuple[Key, ...], BeforeValidator(_as_list)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


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
    nomor: str = ""
    tanggal_pembuatan: str = ""
    tanggal_revisi: str = ""
    tanggal_efektif: str = ""
    disahkan_oleh: str = ""
    dasar_hukum: StrList = ()
    kualifikasi_pelaksana: StrList = ()
    keterkaitan: StrList = ()
    peralatan: StrList = ()
    peringatan: str = ""
    pencatatan_dan_pendataan: str = ""


class Position(_Model):
    """A pelaksana: an actor by position, not by person."""

    nama: str = Field(min_length=1)
    singkat: str = ""
    pemegang: str = Field(default="satu", pattern="^(satu|banyak)$")
    """'satu': one person holds it (Kepala Badan); 'banyak': several (each Kepala Bidang)."""
    per_unit: bool = False
    """Each holder acts for a unit (Bidang), named when the official is registered."""
    eksternal: bool = False
    """Outside the agency (Forum SKPD participants): reached by invitation."""
    atasan: Key | None = None
    """The superior who is told when a task of this position is overdue."""
    diwakili_oleh: KeyList = ()
    """An outside party without an account: holders of these positions record its result
    on its behalf ("atas nama"), unless someone holds this position themselves."""
    diundang: bool = False
    """An outside party whose people are invited (registered) and act themselves."""

    @property
    def label(self) -> str:
        return self.singkat or self.nama


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


class Row(_Model):
    """A row of the SOP's flowchart table with its mutu baku."""

    nomor: int = Field(ge=1)
    aktivitas: str = Field(min_length=1)
    pelaksana: KeyList = Field(min_length=1)
    persyaratan: StrList = ()
    waktu: int = Field(gt=0, description="Waktu (mutu baku), in working minutes")
    output: StrList = Field(min_length=1)
    keterangan: str = ""
    tugas: tuple[Task, ...] = Field(min_length=1)


class ReminderPolicy(_Model):
    """When the holder of a task is reminded, and when the superior is told."""

    ingatkan_pada_persen: int = Field(default=80, ge=1, le=99)
    ingatkan_saat_jatuh_tempo: bool = True
    ulangi_setiap_menit: int = Field(default=60, ge=1)
    """Overdue reminders repeat at this interval (working minutes)."""
    eskalasi: bool = True


class Sop(_Model):
    """A whole SOP: identity, positions, documents, rows."""

    format: int = Field(default=1, ge=1, le=1)
    id: str = Field(pattern=SOP_ID_PATTERN)
    identitas: Identity
    pelaksana: dict[Key, Position] = Field(min_length=1)
    dokumen: dict[Key, Document] = Field(default_factory=dict)
    langkah: tuple[Row, ...] = Field(min_length=1)
    pengingat: ReminderPolicy = ReminderPolicy()
    jumlah_waktu: int | None = None
    """The table's 'Jumlah waktu'; when given it must equal the sum of the rows' waktu."""
    perintah: Key | None = None
    """A command that starts a draft of this SOP at once (`renja_baru`), besides /baru."""
    tahun: bool = False
    """Each draft is for a year (the next one, unless its starter names another)."""
    contoh_judul: str = ""
    """An example title, shown when the bot asks for one."""

    @model_validator(mode="after")
    def _check_references(self) -> Self:
        problems = list(_reference_problems(self))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def tasks(self) -> tuple[Task, ...]:
        return tuple(task for row in self.langkah for task in row.tugas)

    @property
    def total_minutes(self) -> int:
        return sum(row.waktu for row in self.langkah)

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
        for row in self.langkah:
            if row.nomor == no:
                return row
        raise KeyError(no)

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
                if str(row.nomor) == label:
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
        return self.pelaksana[key]

    def document(self, key: str) -> Document:
        return self.dokumen[key]


def _reference_problems(sop: Sop) -> Iterator[str]:
    """Every broken reference, duplicate or dead end in an SOP, as readable sentences."""
    positions = set(sop.pelaksana)
    documents = set(sop.dokumen)
    for key, position in sop.pelaksana.items():
        if position.atasan is not None and position.atasan not in positions:
            yield f"pelaksana.{key}.atasan: jabatan '{position.atasan}' tidak dikenal"
        for agent in position.diwakili_oleh:
            if agent not in positions:
                yield f"pelaksana.{key}.diwakili_oleh: jabatan '{agent}' tidak dikenal"
            elif agent == key or sop.pelaksana[agent].diwakili_oleh:
                yield (
                    f"pelaksana.{key}.diwakili_oleh: '{agent}' harus jabatan yang bertindak "
                    "sendiri"
                )
    numbers = [row.nomor for row in sop.langkah]
    if numbers != list(range(1, len(numbers) + 1)):
        yield f"langkah: nomor harus berurutan 1, 2, 3, ... (tertulis {numbers})"
    task_ids = [task.id for task in sop.tasks]
    seen: set[str] = set()
    for task_id in task_ids:
        if task_id in seen:
            yield f"tugas '{task_id}' ditulis lebih dari sekali"
        seen.add(task_id)
    for row in sop.langkah:
        for key in row.pelaksana:
            if key not in positions:
                yield f"langkah {row.nomor}.pelaksana: jabatan '{key}' tidak dikenal"
        for task in row.tugas:
            where = f"langkah {row.nomor}, tugas '{task.id}'"
            for field, keys in (("oleh", task.oleh), ("peserta", task.peserta)):
                for key in keys:
                    if key not in positions:
                        yield f"{where}.{field}: jabatan '{key}' tidak dikenal"
            for key in task.beritahu:
                if key not in positions:
                    yield f"{where}.beritahu: jabatan '{key}' tidak dikenal"
            if task.undangan is not None and task.undangan not in documents:
                yield f"{where}.undangan: dokumen '{task.undangan}' tidak dikenal"
            for field, keys in (("dokumen", task.dokumen), ("telaah", task.telaah)):
                for key in keys:
                    if key not in documents:
                        yield f"{where}.{field}: dokumen '{key}' tidak dikenal"
            for field, target in (("kembali_ke", task.kembali_ke), ("lanjut_ke", task.lanjut_ke)):
                if target is not None and target not in seen:
                    yield f"{where}.{field}: tugas '{target}' tidak ada"
            for number, choice in enumerate(task.pilihan, start=1):
                yield from _choice_problems(sop, task, choice, f"{where}.pilihan[{number}]")
            if task.jenis == TaskKind.UNGGAH_PARALEL:
                for key in task.oleh:
                    if key in positions and sop.pelaksana[key].eksternal:
                        yield f"{where}.oleh: jabatan eksternal '{key}' tidak dapat mengunggah"
    if sop.jumlah_waktu is not None and sop.jumlah_waktu != sop.total_minutes:
        yield (
            f"jumlah_waktu: tertulis {sop.jumlah_waktu} menit, "
            f"padahal waktu semua langkah berjumlah {sop.total_minutes} menit"
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


def _location(loc: tuple[int | str, ...], data: Any) -> str:
    """Turn a pydantic error location into a readable path with row and task numbers."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            label = f"[{item + 1}]"
            if isinstance(node, list) and 0 <= item < len(node):
                node = node[item]
                if isinstance(node, dict) and "id" in node:
                    label = f"[{item + 1}] (id '{node['id']}')"
                elif isinstance(node, dict) and "nomor" in node:
                    label = f"[{item + 1}] (nomor {node['nomor']})"
            else:
                node = None
            parts.append(label)
        else:
            node = node.get(item) if isinstance(node, dict) else None
            parts.append(("." if parts else "") + item)
    return "".join(parts) or "(berkas)"


def _explain(error: ValidationError, data: Any) -> list[str]:
    lines = []
    for item in error.errors():
        loc = tuple(part for part in item["loc"] if not str(part).startswith("function-"))
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "wajib diisi"
        elif item["type"] == "extra_forbidden":
            message = "kolom tidak dikenal"
        lines.append(f"{_location(loc, data)}: {message}")
    return lines


def parse_sop(data: Any, *, source: str = "<data>") -> Sop:
    """Validate already-parsed YAML data as an SOP."""
    if not isinstance(data, dict):
        raise SopFileError(f"{source}: isi berkas harus berupa pemetaan (mapping) YAML")
    try:
        return Sop.model_validate(data)
    except ValidationError as error:
        details = "\n".join(f"  - {line}" for line in _explain(error, data))
        raise SopFileError(f"{source}: SOP tidak valid:\n{details}") from None


def load_sop(path: Path | str) -> Sop:
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
    return parse_sop(data, source=str(path))


def load_sops(directory: Path | str) -> dict[str, Sop]:
    """Every SOP file (*.yaml) in a folder, by id; two files with one id are refused."""
    sops: dict[str, Sop] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        sop = load_sop(path)
        if sop.id in sops:
            raise SopFileError(f"{path}: id '{sop.id}' sudah dipakai berkas lain")
        sops[sop.id] = sop
    return sops
