"""The one codec for callback data: a version, a verb, and ids — 64 bytes at most.

Callback data comes back from any client, so it is parsed strictly: anything that is not
exactly what `encode` writes, with ids in the database's range, is no press at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

VERSION = "1"
MAX_BYTES = 64
MAX_ID = 2**31 - 1
"""Row ids (and choices) fit a signed 32-bit integer, in SQLite and PostgreSQL alike."""

_ID = re.compile(r"(?:0|[1-9][0-9]{0,9})")


class Verb(StrEnum):
    SETUJUI = "ap"
    KEMBALIKAN = "rt"
    KIRIM = "sb"
    """draft id, draft task id (also a hand-over's button)"""
    PILIH = "ch"
    """draft task id, the outcome's index (a decision with named outcomes)"""
    TANPA_CATATAN = "cn"
    """draft task id, the outcome's index: chosen without the note it may have"""
    LEWATI = "sk"
    """draft id, draft task id: skip an optional step (its reason is asked)"""
    PILIH_OUTPUT = "up"
    BARU = "nb"
    """/baru: the chosen SOP's place among the loaded SOPs, sorted by id; 0"""
    # Meetings: scheduling (on a draft task), then changes and answers (on a meeting).
    RAPAT_JADWAL = "mj"
    """draft id, draft task id"""
    RAPAT_HARI = "md"
    """draft task id, the day's ordinal (date.toordinal)"""
    RAPAT_JAM = "mt"
    """draft task id, the start in minutes since the epoch (UTC)"""
    RAPAT_LAMPIRAN = "ml"
    """draft task id, the Undangan's version id (0: none)"""
    RAPAT_KIRIM = "mk"
    """draft task id, 0"""
    RAPAT_UBAH = "mr"
    RAPAT_BATAL = "mc"
    RAPAT_BATAL_YA = "mx"
    RAPAT_TIDAK_JADI = "mn"
    HADIR = "ah"
    TIDAK_HADIR = "an"
    DIWAKILKAN = "aw"
    """meeting id, 0"""
    # Acting officials (/plh, /plt): the proposal's summary.
    PLH_TETAPKAN = "pt"
    """acting period id, 0: set it"""
    PLH_BATAL = "pb"
    """acting period id, 0: drop the proposal"""
    # Lists: a page of /status or /tugas (edits the list in place), a task opened from it.
    HALAMAN_STATUS = "ls"
    HALAMAN_TUGAS = "lt"
    """the list's filter (views.ListFilter), the page (1-based)"""
    BUKA_TUGAS = "lo"
    """draft id, 0: send that draft's task with its buttons, as /tugas <nomor> does"""


@dataclass(frozen=True)
class Press:
    """A button: what it does, on which draft and task (or staged file and choice)."""

    verb: Verb
    first: int
    second: int

    def encode(self) -> str:
        data = f"{VERSION}:{self.verb.value}:{self.first}:{self.second}"
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data}")
        return data


def parse_id(text: str) -> int | None:
    """A draft or row number typed or pressed ("12", "#12"), or None if it is not one.

    Only ASCII digits count ("²" and "١٢" are digits to Python, not to the database),
    and only numbers a row id can have.
    """
    cleaned = text.strip().removeprefix("#")
    if not _ID.fullmatch(cleaned):
        return None
    number = int(cleaned)
    return number if number <= MAX_ID else None


def decode(data: str | None) -> Press | None:
    """The press behind callback data, or None for data of another version or shape."""
    if not data or len(data) > MAX_BYTES:
        return None
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != VERSION:
        return None
    try:
        verb = Verb(parts[1])
    except ValueError:
        return None
    if not (_ID.fullmatch(parts[2]) and _ID.fullmatch(parts[3])):
        return None
    first, second = int(parts[2]), int(parts[3])
    if first > MAX_ID or second > MAX_ID:
        return None
    return Press(verb, first, second)
