"""The one codec for callback data: a version, a verb, and ids — 64 bytes at most."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

VERSION = "1"
MAX_BYTES = 64


class Verb(StrEnum):
    SETUJUI = "ap"
    KEMBALIKAN = "rt"
    KIRIM = "sb"
    PILIH_OUTPUT = "up"


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


def decode(data: str | None) -> Press | None:
    """The press behind callback data, or None for data of another version or shape."""
    if not data:
        return None
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != VERSION:
        return None
    try:
        return Press(Verb(parts[1]), int(parts[2]), int(parts[3]))
    except ValueError:
        return None
