"""The office, written once: its positions (jabatan), its units, and the outside parties
(pihak luar) its SOPs name.

An agency runs hundreds of SOPs over the same positions. They are described in one file,
`config/organisasi.yaml`, and an SOP file only lists the keys of the positions that are its
pelaksana columns. So "kasubbag_umum" means the same person in every SOP, and an official
holds a position of the office, not of a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, Self

import yaml
from pydantic import Field, PrivateAttr, ValidationError, model_validator

from workflow.validation import Key, KeyList, Model, StrList, explain, problems


class Position(Model):
    """A pelaksana as the SOPs see it: a position of the office, or an outside party."""

    nama: str = Field(min_length=1)
    singkat: str = ""
    pemegang: Literal["satu", "banyak"] = "satu"
    """'satu': one person holds it (Kepala Badan); 'banyak': several (each Kepala Bidang)."""
    per_unit: bool = False
    """Each holder acts for a unit (Bidang), named when the official is registered."""
    atasan: Key | None = None
    """The superior who is told when a task of this position is overdue."""
    eksternal: bool = False
    """An outside party (pihak luar): not part of the office, needs no account."""
    diundang: bool = False
    """An outside party whose people are invited (registered with the bot) and act
    themselves, like the Forum SKPD's participants."""
    diwakili_oleh: KeyList = ()
    """Positions of the office that record an outside party's result on its behalf."""

    @property
    def label(self) -> str:
        return self.singkat or self.nama


class Jabatan(Model):
    """A position of the office, as written in the organisation file."""

    nama: str = Field(min_length=1)
    singkat: str = ""
    pemegang: Literal["satu", "banyak"] = "satu"
    per_unit: bool = False
    atasan: Key | None = None
    alias: StrList = ()
    """Other names officials call it by in commands ('kaban', 'kabid'), besides its key,
    nama and singkat."""

    def names(self, key: str) -> tuple[str, ...]:
        """Every name it is known by, folded (`fold`)."""
        return tuple(dict.fromkeys(fold(n) for n in (key, self.nama, self.singkat, *self.alias)))

    def position(self) -> Position:
        return Position(
            nama=self.nama,
            singkat=self.singkat,
            pemegang=self.pemegang,
            per_unit=self.per_unit,
            atasan=self.atasan,
        )


class PihakLuar(Model):
    """An outside party (the applicant, another agency, a forum), as written in the file."""

    nama: str = Field(min_length=1)
    singkat: str = ""
    pemegang: Literal["satu", "banyak"] = "banyak"
    diundang: bool = False
    diwakili_oleh: KeyList = ()

    def position(self) -> Position:
        return Position(
            nama=self.nama,
            singkat=self.singkat,
            pemegang=self.pemegang,
            eksternal=True,
            diundang=self.diundang,
            diwakili_oleh=self.diwakili_oleh,
        )


class Organisation(Model):
    """The office: `config/organisasi.yaml`."""

    format: Literal[1] = 1
    instansi: str = ""
    jabatan: dict[Key, Jabatan] = Field(min_length=1)
    unit: StrList = ()
    """The office's units (Sekretariat, the Bidang); when listed, an official of a position
    held per unit must name one of them."""
    pihak_luar: dict[Key, PihakLuar] = Field(default_factory=dict)
    _positions: dict[str, Position] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> Self:
        found = list(_problems(self))
        if found:
            raise problems(found)
        self._positions = {key: item.position() for key, item in self.jabatan.items()}
        self._positions.update((key, item.position()) for key, item in self.pihak_luar.items())
        return self

    @property
    def positions(self) -> Mapping[str, Position]:
        """Every position and outside party, by key: the jabatan first, in file order."""
        return self._positions

    def position(self, key: str) -> Position:
        return self._positions[key]

    def unit_named(self, name: str) -> str | None:
        """The unit as the file writes it, matched without regard to case or spacing."""
        wanted = " ".join(name.split()).casefold()
        return next((unit for unit in self.unit if unit.casefold() == wanted), None)

    def jabatan_named(self, name: str) -> str | None:
        """The key of the office's position called `name` (its key, nama, singkat or an
        alias), without regard to case, spacing or punctuation; None if none is."""
        wanted = fold(name)
        if not wanted:
            return None
        return next(
            (key for key, jabatan in self.jabatan.items() if wanted in jabatan.names(key)), None
        )


def fold(name: str) -> str:
    """A name as matched: lower case, punctuation and underscores as spaces, spaces single
    ('Kasubbag. Renja & Monev' and 'kasubbag_renja monev' fold alike)."""
    return " ".join(re.sub(r"[\W_]+", " ", name.casefold()).split())


def _problems(organisation: Organisation) -> Iterator[str]:
    for key in organisation.jabatan.keys() & organisation.pihak_luar.keys():
        yield f"kunci '{key}' dipakai di jabatan dan di pihak_luar sekaligus"
    for key, jabatan in organisation.jabatan.items():
        if jabatan.atasan == key:
            yield f"jabatan '{key}', kolom 'atasan': jabatan tidak dapat menjadi atasannya sendiri"
        elif jabatan.atasan is not None and jabatan.atasan not in organisation.jabatan:
            yield (
                f"jabatan '{key}', kolom 'atasan': jabatan '{jabatan.atasan}' tidak ada "
                "di daftar jabatan"
            )
    for key, party in organisation.pihak_luar.items():
        for deputy in party.diwakili_oleh:
            if deputy in organisation.pihak_luar:
                yield (
                    f"pihak luar '{key}', kolom 'diwakili_oleh': '{deputy}' harus jabatan "
                    "kantor yang bertindak sendiri, bukan pihak luar"
                )
            elif deputy not in organisation.jabatan:
                yield (
                    f"pihak luar '{key}', kolom 'diwakili_oleh': jabatan '{deputy}' tidak ada "
                    "di daftar jabatan"
                )
    named: dict[str, str] = {}
    for key, jabatan in organisation.jabatan.items():
        for name in jabatan.names(key):
            if name and named.setdefault(name, key) != key:
                yield (
                    f"jabatan '{key}': nama atau alias '{name}' juga dipakai jabatan "
                    f"'{named[name]}'"
                )
    seen: set[str] = set()
    for unit in organisation.unit:
        folded = " ".join(unit.split()).casefold()
        if folded in seen:
            yield f"kolom 'unit': '{unit}' ditulis lebih dari sekali"
        seen.add(folded)


class OrganisationFileError(Exception):
    """The organisation file cannot be used; the message names the file, field and problem."""


def parse_organisation(data: Any, *, source: str = "<data>") -> Organisation:
    """Validate already-parsed YAML data as the organisation."""
    if not isinstance(data, dict):
        raise OrganisationFileError(f"{source}: isi berkas harus berupa pemetaan (kunci: nilai)")
    try:
        return Organisation.model_validate(data)
    except ValidationError as error:
        details = "\n".join(f"  - {line}" for line in explain(error, data))
        raise OrganisationFileError(
            f"{source}: berkas organisasi tidak valid:\n{details}"
        ) from None


def load_organisation(path: Path | str) -> Organisation:
    """Read and validate the organisation file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise OrganisationFileError(
            f"{path}: berkas organisasi tidak dapat dibaca ({error.strerror}). Berkas ini "
            "memuat jabatan kantor yang dirujuk setiap SOP (lihat sops/README.md)."
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise OrganisationFileError(f"{path}: bukan YAML yang benar: {error}") from None
    return parse_organisation(data, source=str(path))
