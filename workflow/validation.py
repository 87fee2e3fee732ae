"""What the office's YAML files share: their field types, and problems told in Indonesian.

An administrator writes the SOP files and the organisation file by hand. When one is wrong,
the message must say where (the row, the task, the field) and what is wrong, in Indonesian:
pydantic's own English ("Input should be a valid integer", "Field required") never reaches
them. `explain` turns a `ValidationError` into such lines.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
SOP_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"

PROBLEMS = "masalah_referensi"
"""The error type that carries several sentences at once (`problems`): broken references."""

_MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def date_text(day: date) -> str:
    """'2 Januari 2024'."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def as_list(value: Any) -> Any:
    """Accept a single string where a list of strings is expected, and nothing for none."""
    if value is None:
        return ()
    if isinstance(value, str):
        return [value]
    return value


def as_text(value: Any) -> Any:
    """A number or a date written without quotes is still text ('2a', 12, 2024-01-02)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, date):
        return date_text(value)
    return value


class Model(BaseModel):
    """A part of a hand-written file: unknown fields refused, values frozen and stripped."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


StrList = Annotated[tuple[str, ...], BeforeValidator(as_list)]
Key = Annotated[str, Field(pattern=KEY_PATTERN)]
KeyList = Annotated[tuple[Key, ...], BeforeValidator(as_list)]
Text = Annotated[str, BeforeValidator(as_text)]


def problems(lines: list[str]) -> PydanticCustomError:
    """Several problems found at once, each to be reported on its own line."""
    return PydanticCustomError(PROBLEMS, "{problems}", {"problems": lines})


# Messages ---------------------------------------------------------------------------------

_MESSAGES = {
    "missing": "wajib diisi",
    "extra_forbidden": "kolom tidak dikenal (salah ketik, atau bukan kolom di tempat ini)",
    "int_type": "harus bilangan bulat",
    "int_parsing": "harus bilangan bulat",
    "int_from_float": "harus bilangan bulat (tanpa pecahan)",
    "float_type": "harus angka",
    "float_parsing": "harus angka",
    "bool_type": "harus true atau false",
    "bool_parsing": "harus true atau false",
    "string_type": "harus teks",
    "list_type": "harus berupa daftar, misalnya [a, b]",
    "tuple_type": "harus berupa daftar, misalnya [a, b]",
    "set_type": "harus berupa daftar, misalnya [a, b]",
    "dict_type": "harus berupa pemetaan (kunci: nilai)",
    "model_type": "harus berupa pemetaan (kunci: nilai)",
    "model_attributes_type": "harus berupa pemetaan (kunci: nilai)",
    "dataclass_type": "harus berupa pemetaan (kunci: nilai)",
    "date_type": "harus tanggal YYYY-MM-DD",
    "date_parsing": "harus tanggal YYYY-MM-DD",
    "date_from_datetime_parsing": "harus tanggal YYYY-MM-DD",
    "none_required": "harus dikosongkan",
    "greater_than": "harus lebih dari {gt}",
    "greater_than_equal": "paling kecil {ge}",
    "less_than": "harus kurang dari {lt}",
    "less_than_equal": "paling besar {le}",
    "multiple_of": "harus kelipatan {multiple_of}",
    "string_too_long": "paling banyak {max_length} huruf",
    "too_long": "paling banyak {max_length} isian",
    "enum": "harus salah satu dari: {expected}",
    "literal_error": "harus salah satu dari: {expected}",
}

_PATTERNS = {
    KEY_PATTERN: (
        "harus kunci dari huruf kecil, angka dan garis bawah, diawali huruf "
        "(misalnya kepala_bidang)"
    ),
    SOP_ID_PATTERN: "harus huruf kecil, angka dan tanda hubung (misalnya surat-masuk)",
}

_SCALARS = (str, int, float, bool, date)


def message(error: ErrorDetails) -> list[str]:
    """What is wrong, in Indonesian (several sentences for a list of problems)."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == PROBLEMS:
        return [str(line) for line in ctx.get("problems", ())]
    if kind in ("value_error", "assertion_error"):
        # Our own validators' messages, already in Indonesian.
        text = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    elif kind in ("string_too_short", "too_short"):
        least = ctx.get("min_length", 1)
        unit = "huruf" if kind == "string_too_short" else "isian"
        text = "tidak boleh kosong" if least == 1 else f"paling sedikit {least} {unit}"
    elif kind == "string_pattern_mismatch":
        text = _PATTERNS.get(str(ctx.get("pattern")), "bentuknya tidak sesuai")
    elif kind in _MESSAGES:
        values = {key: str(value).replace(" or ", " atau ") for key, value in ctx.items()}
        text = _MESSAGES[kind].format_map(_Defaulting(values))
    else:
        text = "nilainya tidak sesuai"
    given = error.get("input")
    if kind not in ("missing", "extra_forbidden") and isinstance(given, _SCALARS) and given != "":
        text += f" (tertulis: {given!r})"
    return [text]


class _Defaulting(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


# Where ------------------------------------------------------------------------------------

_KEYED = {"dokumen": "dokumen", "jabatan": "jabatan", "pihak_luar": "pihak luar"}
"""Fields that map the file's own keys to entries: an entry is named by its key."""


def _child(node: Any, item: int | str) -> Any:
    if isinstance(item, int):
        return node[item] if isinstance(node, list) and 0 <= item < len(node) else None
    return node.get(item) if isinstance(node, dict) else None


def _named(entry: Any, field: str, index: int) -> str:
    """A list entry as a person would name it: a row by its number, a task by its id."""
    if isinstance(entry, dict):
        if field == "langkah" and entry.get("nomor") not in (None, ""):
            return f"langkah {as_text(entry['nomor'])}"
        if field == "tugas" and isinstance(entry.get("id"), str):
            return f"tugas '{entry['id']}'"
        if field == "pilihan" and isinstance(entry.get("label"), str):
            return f"pilihan '{entry['label']}'"
    if field in ("langkah", "tugas", "pilihan"):
        return f"{field} ke-{index + 1}"
    return f"kolom '{field}' (isian ke-{index + 1})"


def location(loc: tuple[int | str, ...], data: Any) -> str:
    """Where a problem is, in words: 'langkah 2a, tugas 'periksa', kolom 'oleh''."""
    parts: list[str] = []
    node = data
    items = [item for item in loc if not str(item).startswith("function-")]
    index = 0
    while index < len(items):
        item = items[index]
        following = items[index + 1] if index + 1 < len(items) else None
        if isinstance(item, int):
            parts.append(f"isian ke-{item + 1}")
            node = _child(node, item)
            index += 1
            continue
        if item == "[key]":
            parts.append("nama kuncinya")
            index += 1
            continue
        child = _child(node, item)
        if isinstance(following, int):
            parts.append(_named(_child(child, following), item, following))
            node = _child(child, following)
            index += 2
            continue
        if item in _KEYED and isinstance(following, str) and following != "[key]":
            parts.append(f"{_KEYED[item]} '{following}'")
            node = _child(child, following)
            index += 2
            continue
        last = index == len(items) - 1
        parts.append(f"kolom '{item}'" if last else item)
        node = child
        index += 1
    return ", ".join(parts) or "isi berkas"


def explain(error: ValidationError, data: Any) -> list[str]:
    """Every problem of a validation error as 'where: what', in Indonesian."""
    lines: list[str] = []
    for item in error.errors():
        where = location(tuple(item["loc"]), data)
        bare = item["type"] == PROBLEMS and not item["loc"]
        lines.extend(text if bare else f"{where}: {text}" for text in message(item))
    return lines
