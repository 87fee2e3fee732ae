"""Import an SOP AP document (Permenpan RB 35/2012) as a draft SOP file in format 2.

An agency's SOP lives in a Word document: an identity table (Judul, Nomor, dates, Dasar
Hukum, ...) and the flowchart table (No | Aktivitas | one column per Pelaksana | Mutu Baku:
Persyaratan/kelengkapan, Waktu, Output | Keterangan). The import reads both from the
document's cells and writes what they hold, verbatim, as a draft SOP file. What the text
cannot tell is written as a question: the value "?" with a `# PERTANYAAN:` comment above
it. The flowchart symbols that show who acts in a row are drawings, lost to the text, so
every row's pelaksana is such a question unless the document marks the column with text
("X", "√", ...); so is how the bot runs the row (its task's kind and holder).

The document reaches the parser as one sequence of cell texts in reading order:
`cells_from_text` reads the plain-text export (each cell starts with a tab, as in
`tests/data/sop-renja-seed.txt`), `cells_from_docx` reads a .docx the same way (merged
cells once, the continuation of a vertical merge as an empty cell, nested tables after
their cell, list numbering written out). Everything after that is pure:
`parse_document` finds the tables' content, `build_draft` writes the draft as data and as
commented YAML, and `open_questions` lists the "?" left in a file's data.
"""

from __future__ import annotations

import json
import re
import textwrap
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml

QUESTION = "?"
"""The value of everything the document could not tell."""

WIDTH = 99
"""Lines of the written YAML are kept within this width where the text allows."""

TASK_KINDS = "unggah, unggah_paralel, rapat, telaah, keputusan atau serah"


class SopImportError(Exception):
    """A document that cannot be imported; the message says why, in Indonesian."""


# ---------------------------------------------------------------------------------------
# Reading: the document as a sequence of cell texts


def _clean_cell(text: str) -> str:
    """A cell's text without trailing spaces and the empty lines around it."""
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def cells_from_text(text: str) -> list[str]:
    """The cells of a plain-text export in which every table cell begins with a tab.

    A cell's paragraphs are its lines; the blank lines that end a row (or stand for an empty
    paragraph) are dropped, so the rows are found later from the columns, not from here.
    Text before the first tab (a title above the tables) is not a cell and is left out.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    return [_clean_cell(piece) for piece in text.split("\t")[1:]]


def decode_text(raw: bytes) -> str:
    """A text export's characters: UTF-8 or UTF-16 (with a BOM), else Windows-1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


_ROMAN = (
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)


def _number_text(value: int, fmt: str) -> str:
    """A list counter as Word shows it in the given numFmt."""
    if fmt in ("lowerLetter", "upperLetter"):
        letters = ""
        while value > 0:
            value, rest = divmod(value - 1, 26)
            letters = chr(ord("a") + rest) + letters
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("lowerRoman", "upperRoman"):
        roman = ""
        for amount, digits in _ROMAN:
            while value >= amount:
                roman += digits
                value -= amount
        return roman.upper() if fmt == "upperRoman" else roman
    return str(value)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _val(element: Any, *path: str) -> str | None:
    """The w:val of the element at `path` below `element` ("pPr", "numPr", "numId")."""
    for tag in path:
        element = None if element is None else element.find(_W + tag)
    value = None if element is None else element.get(_W + "val")
    return None if value is None else str(value)


def _child(element: Any, tag: str, attribute: str, value: str) -> Any:
    """The child `tag` of `element` whose w:`attribute` is `value`, or None."""
    for child in element.iterfind(_W + tag):
        if child.get(_W + attribute) == value:
            return child
    return None


class _ListNumbers:
    """Writes out Word's automatic list numbers and bullets ("1. ", "a. ", "· ").

    In a .docx the "1." of a Dasar Hukum list or the "a." of an activity's cases are not
    text but numbering; the plain-text export shows them, and so does this reader.
    """

    def __init__(self, document: Any) -> None:
        try:
            self._numbering: Any = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            self._numbering = None
        self._counters: dict[str, dict[int, int]] = {}

    def _level(self, num_id: str, ilvl: int) -> tuple[str, str, int] | None:
        """(numFmt, lvlText, start) of a list's level, or None if the document has none."""
        if self._numbering is None:
            return None
        num = _child(self._numbering, "num", "numId", num_id)
        abstract_id = _val(num, "abstractNumId")
        if abstract_id is None:
            return None
        abstract = _child(self._numbering, "abstractNum", "abstractNumId", abstract_id)
        level = None if abstract is None else _child(abstract, "lvl", "ilvl", str(ilvl))
        if level is None:
            return None
        fmt = _val(level, "numFmt") or "decimal"
        pattern = _val(level, "lvlText")
        start = _val(level, "start") or "1"
        return fmt, f"%{ilvl + 1}." if pattern is None else pattern, int(start)

    def prefix(self, paragraph: Any) -> str:
        """The number or bullet Word shows before this paragraph, with a space; or ""."""
        num_id = _val(paragraph._p, "pPr", "numPr", "numId")
        ilvl = _val(paragraph._p, "pPr", "numPr", "ilvl")
        style = paragraph.style if num_id is None else None
        while style is not None and num_id is None:  # the numbering of a list style
            num_id = _val(style.element, "pPr", "numPr", "numId")
            ilvl = _val(style.element, "pPr", "numPr", "ilvl")
            style = style.base_style
        if num_id is None or num_id == "0":
            return ""
        depth = int(ilvl) if ilvl else 0
        level = self._level(num_id, depth)
        if level is None:
            return ""
        fmt, pattern, start = level
        if fmt == "bullet":
            return "· "
        if fmt == "none":
            return ""
        counters = self._counters.setdefault(num_id, {})
        counters[depth] = counters.get(depth, start - 1) + 1
        for deeper in [key for key in counters if key > depth]:
            del counters[deeper]

        def counter(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            shown = self._level(num_id, index)
            value = counters.get(index, shown[2] if shown else 1)
            return _number_text(value, shown[0] if shown else "decimal")

        return re.sub(r"%(\d)", counter, pattern).strip() + " "


def _paragraph_text(paragraph: Any, numbers: _ListNumbers) -> str:
    return numbers.prefix(paragraph) + str(paragraph.text)


def _table_cells(table: Any, numbers: _ListNumbers) -> Iterator[str]:
    """A table's cells row by row, laid out on its grid like the plain-text export.

    A cell merged across columns is read once and its other grid columns as empty cells, so
    every row has one cell per column; the rows below a vertical merge read as empty.
    """
    above: list[object] = []
    for row in table.rows:
        current: list[object] = []
        grid: list[Any] = [None] * row.grid_cols_before + list(row.cells)
        grid += [None] * row.grid_cols_after
        nested: list[Any] = []
        for column, cell in enumerate(grid):
            # python-docx gives a merged cell once per grid column it covers; its element
            # (`_tc`) is the same object, which is how a merge is told from a copy.
            element = None if cell is None else cell._tc
            current.append(element)
            left = current[column - 1] if column else None
            up = above[column] if column < len(above) else None
            if element is None or element is left or element is up:
                yield ""
                continue
            texts: list[str] = []
            for block in cell.iter_inner_content():
                if hasattr(block, "rows"):
                    nested.append(block)
                else:
                    texts.append(_paragraph_text(block, numbers))
            yield _clean_cell("\n".join(texts))
        for inner in nested:  # a table inside a cell is read after its row
            yield from _table_cells(inner, numbers)
        above = current


def _blocks_cells(blocks: Iterable[Any], numbers: _ListNumbers) -> Iterator[str]:
    for block in blocks:
        if hasattr(block, "rows"):
            yield from _table_cells(block, numbers)
        else:
            text = _paragraph_text(block, numbers).strip()
            if text:
                yield text


def cells_from_docx(source: str | Path | IO[bytes]) -> list[str]:
    """The cells (and the paragraphs outside tables) of a Word .docx, in reading order.

    The page header of the first section is read first: some SOPs keep their identity table
    there, repeated on every page.
    """
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(source) if isinstance(source, Path) else source)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise SopImportError(
            f"bukan berkas Word .docx yang dapat dibaca ({error}); "
            "dokumen .doc lama harus disimpan ulang sebagai .docx"
        ) from None
    numbers = _ListNumbers(document)
    cells: list[str] = []
    if document.sections:
        cells.extend(_blocks_cells(document.sections[0].header.iter_inner_content(), numbers))
    cells.extend(_blocks_cells(document.iter_inner_content(), numbers))
    return cells


# ---------------------------------------------------------------------------------------
# Parsing: what the cells say


@dataclass(frozen=True)
class ImportedRow:
    """One row of the flowchart table, as the document writes it."""

    nomor: int | str
    aktivitas: str
    pelaksana: tuple[str, ...]
    """Keys of the pelaksana columns marked with text in this row; empty when none is."""
    persyaratan: tuple[str, ...]
    waktu: str | int | None
    """The time as written ("60 menit"), a bare number (minutes), or None if unreadable."""
    waktu_tertulis: str
    output: tuple[str, ...]
    keterangan: str


@dataclass(frozen=True)
class ImportedSop:
    """An SOP document's content: identity, pelaksana columns, rows, total time."""

    identitas: dict[str, str | tuple[str, ...]]
    """Only the fields the document has."""
    pelaksana: tuple[tuple[str, str], ...]
    """(key, the column's header text) in column order."""
    langkah: tuple[ImportedRow, ...]
    jumlah_waktu: str | int | None = None
    jumlah_waktu_tertulis: str = ""


def _normal(text: str) -> str:
    """Lowercase, single-spaced, without a trailing colon: for recognising labels."""
    return " ".join(text.lower().split()).rstrip(":").strip()


def slug(text: str, separator: str = "_") -> str:
    """An ASCII key from a text: "Kasubbag. Rencana Kerja dan Monev" → kasubbag_rencana_..."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", separator, ascii_text.lower()).strip(separator)


def _key(text: str, fallback: str, taken: set[str]) -> str:
    """A position or document key: a slug starting with a letter, unique among `taken`."""
    key = slug(text) or fallback
    if not key[0].isalpha():
        key = f"{fallback}_{key}"
    unique, n = key, 2
    while unique in taken:
        unique, n = f"{key}_{n}", n + 1
    taken.add(unique)
    return unique


_LABELS: tuple[tuple[str, str], ...] = (
    ("judul", r"(judul|nama)( sop)?"),
    ("nomor", r"(nomor|no\.?) sop|nomor"),
    ("tanggal_pembuatan", r"(tanggal|tgl\.?) ?pembuatan"),
    ("tanggal_revisi", r"(tanggal|tgl\.?) ?revisi"),
    ("tanggal_efektif", r"(tanggal|tgl\.?) ?efektif"),
    ("disahkan_oleh", r"disahkan oleh"),
    ("dasar_hukum", r"dasar hukum"),
    ("kualifikasi_pelaksana", r"(kualifikasi|kualitas) pelaksana"),
    ("keterkaitan", r"keterkaitan"),
    ("peralatan", r"peralatan ?(/|dan|&) ?perlengkapan|peralatan|perlengkapan"),
    ("peringatan", r"peringatan"),
    ("pencatatan_dan_pendataan", r"pencatatan ?(dan|&|/) ?pendataan"),
)
IDENTITY_FIELDS = tuple(key for key, _ in _LABELS)
LIST_FIELDS = frozenset({"dasar_hukum", "kualifikasi_pelaksana", "keterkaitan", "peralatan"})
ONE_LINE_FIELDS = frozenset(
    {"judul", "nomor", "tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif"}
)
# In SOP AP these sit two by two: a row of two labels, then a row of their two contents.
_SECTION_FIELDS = LIST_FIELDS | {"peringatan", "pencatatan_dan_pendataan"}


def _label(cell: str) -> tuple[str, str | None] | None:
    """(field, the text after the label in the same cell, or None) for an identity label."""
    first, _, rest = cell.partition("\n")
    normal = _normal(first)
    for key, pattern in _LABELS:
        if re.fullmatch(pattern, normal):
            return key, (rest.strip() or None)
        inline = re.fullmatch(rf"({pattern}) ?: ?(.+)", " ".join(first.lower().split()))
        if inline:
            value = first.split(":", 1)[1].strip()
            return key, "\n".join(part for part in (value, rest.strip()) if part)
    return None


_MARKER = re.compile(r"^\s*(?:[·•●▪■◦‣*\-–—\uf0b7\uf0a7]|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)])\s+")
_EMPTY = frozenset({"", "-", "–", "—"})


def list_items(text: str) -> tuple[str, ...]:
    """A cell's list: "1. a\\n2. b" or "· a\\n· b" → (a, b); unmarked lines are items too."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) == 1 and lines[0] in _EMPTY:
        return ()
    marked = any(_MARKER.match(line) for line in lines)
    items: list[str] = []
    for line in lines:
        if _MARKER.match(line) or not marked or not items:
            items.append(_MARKER.sub("", line, count=1))
        else:  # a list item that goes on over a second paragraph
            items[-1] += " " + line
    cleaned = (re.sub(r"\s*[;,]\s*(dan|atau)?$", "", item).strip() for item in items)
    return tuple(item for item in cleaned if item)


def _identity_value(key: str, text: str) -> str | tuple[str, ...]:
    text = re.sub(r"^:\s*", "", text.strip())
    if key in LIST_FIELDS:
        return list_items(text)
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return (" " if key in ONE_LINE_FIELDS else "\n").join(lines)


def parse_identity(cells: Sequence[str]) -> dict[str, str | tuple[str, ...]]:
    """The identity table's fields, found by their labels."""
    found: dict[str, str | tuple[str, ...]] = {}

    def keep(key: str, text: str) -> None:
        found.setdefault(key, _identity_value(key, text))

    def next_filled(start: int, limit: int) -> int | None:
        for index in range(start, min(start + limit, len(cells))):
            if cells[index].strip() and cells[index].strip() != ":":
                return index
        return None

    i = 0
    while i < len(cells):
        label = _label(cells[i])
        if label is None:
            i += 1
            continue
        key, inline = label
        if inline is not None:
            keep(key, inline)
            i += 1
            continue
        j = next_filled(i + 1, 4)
        partner = _label(cells[j]) if j is not None else None
        if (
            key in _SECTION_FIELDS
            and j is not None
            and partner is not None
            and partner[0] in _SECTION_FIELDS
            and partner[1] is None
        ):
            width = j - i  # the contents sit in the next row, under their labels
            for field_key, index in ((key, j + 1), (partner[0], j + 1 + width)):
                if index < len(cells) and _label(cells[index]) is None:
                    keep(field_key, cells[index])
                else:
                    keep(field_key, "")
            i = j + 1 + width + 1
            continue
        if j is not None and partner is None:
            keep(key, cells[j])
            i = j + 1
        else:
            keep(key, "")
            i += 1
    return found


_UNITS = {
    "detik": "detik",
    "dtk": "detik",
    "menit": "menit",
    "mnt": "menit",
    "'": "menit",
    "jam": "jam",
    "hari": "hari",
    "hr": "hari",
    "hari kerja": "hari",
    "minggu": "minggu",
    "mgg": "minggu",
}


def read_time(text: str, unit: str | None = None) -> str | int | None:
    """ "60 menit", "1 Hari", "15'" → "60 menit", "1 hari", "15 menit"; a bare number takes
    the unit of the column's header ("Waktu (jam)"), else stays a number (minutes)."""
    written = " ".join(text.split())
    if re.fullmatch(r"\d+", written):
        return f"{int(written)} {unit}" if unit else int(written)
    match = re.fullmatch(r"(\d+)\s*([a-z']+(?: kerja)?)\.?", written.lower())
    if match and match.group(2) in _UNITS:
        return f"{int(match.group(1))} {_UNITS[match.group(2)]}"
    return None


_NUMBER = re.compile(r"\(?(\d{1,3})\.?([a-z])?\)?\.?", re.IGNORECASE)
_HEADER_WORDS = re.compile(
    r"(no|no\.|nomor|aktivitas|kegiatan|pelaksana|mutu baku|ket\.?|keterangan)"
)


def _row_number(cell: str) -> int | str | None:
    match = _NUMBER.fullmatch(cell.strip())
    if match is None:
        return None
    number, letter = int(match.group(1)), match.group(2)
    return f"{number}{letter.lower()}" if letter else number


@dataclass(frozen=True)
class _Layout:
    """Where the flowchart table's columns are, found from its header rows."""

    start: int
    """Index of the first cell of the header's second row (the pelaksana names)."""
    width: int
    pelaksana: tuple[str, ...]
    persyaratan: int | None
    waktu: int | None
    output: int | None
    keterangan: int | None
    unit: str | None
    body: int
    """Index of the first cell after the header (and the row of column numbers)."""


def _find_layout(cells: Sequence[str], after: int = 0) -> _Layout | None:
    """The flowchart table's header at or after `after`: its pelaksana and mutu baku."""
    heading = next(
        (i for i in range(after, len(cells)) if _normal(cells[i]) in ("aktivitas", "kegiatan")),
        None,
    )
    if heading is None:
        return None
    needs = re.compile(r"(persyaratan|kelengkapan|syarat)\b.*")
    first_mutu = next(
        (i for i in range(heading + 1, len(cells)) if needs.fullmatch(_normal(cells[i]))), None
    )
    if first_mutu is None:
        first_mutu = next(
            (i for i in range(heading + 1, len(cells)) if _normal(cells[i]).startswith("waktu")),
            None,
        )
    if first_mutu is None:
        return None
    names: list[str] = []
    index = first_mutu - 1
    while index > heading and cells[index].strip():
        if _HEADER_WORDS.fullmatch(_normal(cells[index])) or _normal(cells[index]) == "mutu baku":
            break
        names.insert(0, " ".join(cells[index].split()))
        index -= 1
    if not names:
        return None
    start = first_mutu - len(names) - 2  # the No and Aktivitas columns come first
    columns: dict[str, int] = {}
    unit = None
    index = first_mutu
    patterns = (
        ("persyaratan", needs),
        ("waktu", re.compile(r"waktu.*")),
        ("output", re.compile(r"(output|hasil|keluaran).*")),
        ("keterangan", re.compile(r"ket\.?|keterangan")),
    )
    while index < len(cells):
        name = _normal(cells[index])
        matched = next((key for key, pattern in patterns if pattern.fullmatch(name)), None)
        if matched is None or matched in columns:
            break
        columns[matched] = index - start
        if matched == "waktu":
            unit_match = re.search(r"\((\w+)\)", name)
            unit = _UNITS.get(unit_match.group(1)) if unit_match else None
        index += 1
    has_ket = "keterangan" in columns or any(
        re.fullmatch(r"ket\.?|keterangan", _normal(cell)) for cell in cells[heading:start]
    )
    width = index - start
    if has_ket and "keterangan" not in columns:
        columns["keterangan"] = width
        width += 1
    body = start + width
    if [cell.strip("(). ") for cell in cells[body : body + width]] == [
        str(n) for n in range(1, width + 1)
    ]:
        body += width  # the row of column numbers under the header
    return _Layout(
        start=start,
        width=width,
        pelaksana=tuple(names),
        persyaratan=columns.get("persyaratan"),
        waktu=columns.get("waktu"),
        output=columns.get("output"),
        keterangan=columns.get("keterangan"),
        unit=unit,
        body=body,
    )


_TOTAL = re.compile(r"(jumlah|total)( waktu)?( pelaksanaan)?")


def parse_document(cells: Sequence[str]) -> ImportedSop:
    """The SOP a document's cells hold: identity, pelaksana columns, rows, total time."""
    layout = _find_layout(cells)
    if layout is None:
        raise SopImportError(
            "tabel bagan alir tidak ditemukan: dicari kolom AKTIVITAS, kolom-kolom PELAKSANA "
            "dan MUTU BAKU (Persyaratan/kelengkapan, Waktu, Output)"
        )
    taken: set[str] = set()
    positions = tuple((_key(name, "jabatan", taken), name) for name in layout.pelaksana)
    identity_end = layout.start
    while identity_end > 0 and (
        not cells[identity_end - 1].strip()
        or _HEADER_WORDS.fullmatch(_normal(cells[identity_end - 1]))
        or _normal(cells[identity_end - 1]) == "mutu baku"
    ):
        identity_end -= 1
    identity = parse_identity(cells[:identity_end])

    rows: list[ImportedRow] = []
    total: str | int | None = None
    total_written = ""
    index = layout.body
    while index < len(cells):
        chunk = list(cells[index : index + layout.width])
        if any(_TOTAL.fullmatch(_normal(cell)) for cell in chunk[:2]):
            label_at = next(
                i for i, cell in enumerate(chunk[:2]) if _TOTAL.fullmatch(_normal(cell))
            )
            values = [cell for cell in chunk[label_at + 1 :] if cell.strip()]
            if layout.waktu is not None and layout.waktu < len(chunk) and chunk[layout.waktu]:
                values.insert(0, chunk[layout.waktu])
            if values:
                total_written = " ".join(values[0].split())
                total = read_time(values[0], layout.unit)
            break
        nomor = _row_number(chunk[0]) if chunk else None
        if nomor is not None and index + len(chunk) == len(cells):
            chunk += [""] * (layout.width - len(chunk))  # the export ends without empty cells
        if nomor is None or len(chunk) < layout.width:
            again = _find_layout(cells, index) if chunk else None
            if (
                again is not None
                and again.pelaksana == layout.pelaksana
                and again.start <= index + 2 * layout.width
            ):
                index = again.body  # the header repeated on the next page
                continue
            if any(_TOTAL.fullmatch(_normal(cell)) for cell in cells[index:]) and rows:
                shown = " | ".join(" ".join(cell.split())[:30] for cell in chunk[:3])
                raise SopImportError(
                    f"baris tabel sesudah langkah {rows[-1].nomor} tidak dapat dibaca "
                    f"(sel: {shown}): jumlah selnya tidak sesuai dengan {layout.width} kolom"
                )
            break
        rows.append(_read_row(chunk, nomor, layout, positions))
        index += layout.width
    if not rows:
        raise SopImportError("tabel bagan alir ditemukan, tetapi tidak ada baris aktivitasnya")
    return ImportedSop(
        identitas=identity,
        pelaksana=positions,
        langkah=tuple(rows),
        jumlah_waktu=total,
        jumlah_waktu_tertulis=total_written,
    )


def _read_row(
    chunk: Sequence[str], nomor: int | str, layout: _Layout, positions: Sequence[tuple[str, str]]
) -> ImportedRow:
    def column(index: int | None) -> str:
        return chunk[index] if index is not None and index < len(chunk) else ""

    marked = tuple(key for n, (key, _) in enumerate(positions) if chunk[2 + n].strip())
    written = " ".join(column(layout.waktu).split())
    return ImportedRow(
        nomor=nomor,
        aktivitas=chunk[1],
        pelaksana=marked,
        persyaratan=list_items(column(layout.persyaratan)),
        waktu=read_time(written, layout.unit),
        waktu_tertulis=written,
        output=list_items(column(layout.output)),
        keterangan=column(layout.keterangan),
    )


# ---------------------------------------------------------------------------------------
# The draft: data with "?" where the document is silent, and its YAML with comments

PathKey = tuple[str | int, ...]


@dataclass
class _Comments:
    above: dict[PathKey, list[str]] = field(default_factory=dict)
    after: dict[PathKey, str] = field(default_factory=dict)
    blank_before: set[PathKey] = field(default_factory=set)

    def ask(self, path: PathKey, question: str) -> None:
        self.above.setdefault(path, []).append(f"PERTANYAAN: {question}")

    def note(self, path: PathKey, text: str) -> None:
        self.above.setdefault(path, []).append(text)


@dataclass(frozen=True)
class Draft:
    """An imported SOP: the document's content, the draft file's data and its YAML text."""

    sop: ImportedSop
    data: dict[str, Any]
    text: str

    @property
    def questions(self) -> list[str]:
        return open_questions(self.data)


def _short_title(activity: str, limit: int = 60) -> str:
    """A task's title from its row's activity: the first clause, or the first words."""
    first = " ".join(activity.split("\n")[0].split())
    clause = re.split(r"[,:;]", first)[0].strip()
    if 15 <= len(clause) <= limit:
        return clause
    if len(first) <= limit:
        return first.rstrip(".")
    return textwrap.shorten(first, limit, placeholder="…")


def build_draft(sop: ImportedSop, *, source: str = "") -> Draft:
    """The draft SOP file (format 2) for an imported document."""
    notes = _Comments()
    keys = [key for key, _ in sop.pelaksana]
    choices = ", ".join(keys)
    intro = [
        "Draf SOP format 2 hasil `renja-bot sop import`" + (f" dari {source}." if source else "."),
        "Aktivitas, persyaratan, waktu dan output disalin apa adanya dari dokumen.",
        'Yang tidak terbaca dari dokumen bernilai "?" dengan komentar PERTANYAAN di atasnya:',
        'isi setiap "?", lalu periksa dengan `renja-bot sop check BERKAS`.',
        "Format berkas: sops/README.md.",
    ]
    notes.above[("format",)] = intro
    data: dict[str, Any] = {"format": 2}

    judul = sop.identitas.get("judul")
    if isinstance(judul, str) and slug(judul, "-"):
        data["id"] = slug(judul, "-")
    else:
        data["id"] = QUESTION
        notes.ask(("id",), "id SOP (huruf kecil, angka dan tanda -), mis. menyusun-rencana-kerja.")

    identity: dict[str, Any] = {}
    for key in IDENTITY_FIELDS:
        if key in sop.identitas:
            value = sop.identitas[key]
            identity[key] = list(value) if isinstance(value, tuple) else value
        elif key == "judul":
            identity[key] = QUESTION
            notes.ask(("identitas", "judul"), "judul SOP tidak ditemukan dalam dokumen.")
        else:
            identity[key] = [] if key in LIST_FIELDS else ""
            notes.after[("identitas", key)] = "tidak ditemukan dalam dokumen"
    data["identitas"] = identity
    notes.blank_before.add(("identitas",))

    data["pelaksana"] = keys
    notes.blank_before.add(("pelaksana",))
    notes.note(
        ("pelaksana",),
        "Kolom Pelaksana pada tabel, berurutan; kuncinya dibuat dari judul kolom. Setiap kunci "
        "harus ada di config/organisasi.yaml (jabatan atau pihak_luar): ganti bila berbeda.",
    )
    for index, (_, header) in enumerate(sop.pelaksana):
        notes.after[("pelaksana", index)] = header

    documents: dict[str, dict[str, str]] = {}
    by_name: dict[str, str] = {}
    taken: set[str] = set()

    def document_key(name: str) -> str:
        normal = _normal(name)
        if normal not in by_name:
            key = _key(name, "dokumen", taken)
            by_name[normal] = key
            documents[key] = {"nama": name}
        return by_name[normal]

    for row in sop.langkah:
        for name in (*row.persyaratan, *row.output):
            document_key(name)
    data["dokumen"] = documents
    notes.blank_before.add(("dokumen",))
    notes.note(
        ("dokumen",),
        "Dokumen dari kolom Output dan Persyaratan/kelengkapan. Hapus yang tidak diunggah atau "
        "ditelaah lewat bot; tambahkan bernomor: true, per_unit: true bila perlu.",
    )

    rows: list[dict[str, Any]] = []
    produced: set[str] = set()
    task_ids: set[str] = set()
    for n, row in enumerate(sop.langkah):
        here: PathKey = ("langkah", n)
        entry: dict[str, Any] = {"nomor": row.nomor}
        if row.aktivitas.strip():
            entry["aktivitas"] = row.aktivitas
        else:
            entry["aktivitas"] = QUESTION
            notes.ask((*here, "aktivitas"), f"aktivitas langkah {row.nomor} kosong di dokumen.")
        if row.pelaksana:
            entry["pelaksana"] = list(row.pelaksana)
            notes.after[(*here, "pelaksana")] = "dari tanda pada kolom Pelaksana"
        else:
            entry["pelaksana"] = [QUESTION]
            notes.ask(
                (*here, "pelaksana"),
                f"siapa pelaksana langkah {row.nomor}? Simbol bagan alir berupa gambar, tidak "
                f"terbaca dari teks. Pilih satu atau lebih: {choices}.",
            )
        entry["persyaratan"] = list(row.persyaratan)
        if row.waktu is None:
            entry["waktu"] = QUESTION
            written = f'tertulis "{row.waktu_tertulis}"' if row.waktu_tertulis else "kosong"
            notes.ask(
                (*here, "waktu"),
                f'waktu langkah {row.nomor} tidak terbaca ({written}). Tulis mis. "60 menit", '
                '"2 jam", "1 hari".',
            )
        else:
            entry["waktu"] = row.waktu
            if str(row.waktu) != row.waktu_tertulis:
                notes.after[(*here, "waktu")] = f'tertulis "{row.waktu_tertulis}"'
        entry["output"] = list(row.output)
        entry["keterangan"] = row.keterangan
        task_id = _key(f"langkah_{row.nomor}", "langkah", task_ids)
        entry["tugas"] = [_placeholder_task(row, task_id, document_key, produced, notes, here)]
        produced.update(document_key(name) for name in row.output)
        rows.append(entry)
        if n:
            notes.blank_before.add(here)
    data["langkah"] = rows
    notes.blank_before.add(("langkah",))
    notes.note(
        ("langkah",),
        "Baris tabel bagan alir. 'tugas' adalah cara bot menjalankan langkah itu: dari impor "
        "satu tugas sementara per langkah; pecah menjadi beberapa tugas bila perlu. 'dokumen' "
        "diunggah (unggah, unggah_paralel, rapat), 'telaah' ditelaah (telaah, keputusan; "
        "keduanya juga perlu kembali_ke). Output yang sudah dibuat langkah sebelumnya ditulis "
        "sebagai 'telaah'.",
    )

    if sop.jumlah_waktu_tertulis:
        notes.blank_before.add(("jumlah_waktu",))
        if sop.jumlah_waktu is None:
            data["jumlah_waktu"] = QUESTION
            notes.ask(
                ("jumlah_waktu",),
                f'jumlah waktu tidak terbaca (tertulis "{sop.jumlah_waktu_tertulis}"). '
                'Tulis mis. "230 menit", atau hapus baris ini.',
            )
        else:
            data["jumlah_waktu"] = sop.jumlah_waktu
    return Draft(sop=sop, data=data, text=dump_commented(data, notes))


def _placeholder_task(
    row: ImportedRow,
    task_id: str,
    document_key: Callable[[str], str],
    produced: set[str],
    notes: _Comments,
    here: PathKey,
) -> dict[str, Any]:
    """A minimal task for a row: its title and documents; kind and holder are questions."""
    at: PathKey = (*here, "tugas", 0)
    task: dict[str, Any] = {"id": task_id, "jenis": QUESTION}
    notes.ask((*at, "jenis"), f"jenis tugas: {TASK_KINDS}?")
    if len(row.pelaksana) == 1:
        task["oleh"] = row.pelaksana[0]
    else:
        task["oleh"] = QUESTION
        among = (
            f"salah satu dari {', '.join(row.pelaksana)}"
            if row.pelaksana
            else ("salah satu pelaksana langkah ini")
        )
        notes.ask((*at, "oleh"), f"jabatan mana yang mengerjakan tugas ini? Tulis {among}.")
    task["judul"] = (
        _short_title(row.aktivitas) if row.aktivitas.strip() else f"Langkah {row.nomor}"
    )
    outputs = [document_key(name) for name in row.output]
    new = [key for key in outputs if key not in produced]
    earlier = [key for key in outputs if key in produced]
    if new:
        task["dokumen"] = new
    if earlier:  # an output an earlier row made is, here, most likely reviewed
        task["telaah"] = earlier
    return task


# ---------------------------------------------------------------------------------------
# Writing YAML with comments (PyYAML writes none)


def _loads_as(text: str, value: Any) -> bool:
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return (
        isinstance(loaded, dict) and loaded.get("k") == value and type(loaded["k"]) is type(value)
    )


def _plain(value: Any) -> str:
    """One value on one line, quoted only where YAML needs it; "?" always as "?"."""
    if value == QUESTION:
        return '"?"'
    if value == "":
        return '""'
    dumped = yaml.safe_dump(value, allow_unicode=True, width=float("inf"))
    line = dumped.removesuffix("\n").removesuffix("\n...").removesuffix("...").rstrip("\n")
    if "\n" in line or not _loads_as(f"k: {line}", value):
        return json.dumps(value, ensure_ascii=False)
    return line


def _scalar(value: Any, indent: int, room: int) -> list[str]:
    """A scalar's lines: the first follows `key:`; the rest are whole lines at `indent`."""
    pad = " " * indent
    if isinstance(value, str) and "\n" in value:
        lines = ["|-", *(pad + line if line else "" for line in value.split("\n"))]
        if _loads_as("k: " + "\n".join(lines), value):
            return lines
        return [json.dumps(value, ensure_ascii=False)]
    plain = _plain(value)
    if isinstance(value, str) and len(plain) > room and value == plain:
        wrapped = textwrap.wrap(
            value, WIDTH - indent, break_long_words=False, break_on_hyphens=False
        )
        lines = [">-", *(pad + line for line in wrapped)]
        if _loads_as("k: " + "\n".join(lines), value):
            return lines
    return [plain]


def _comment_lines(text: str, pad: str) -> list[str]:
    width = max(40, WIDTH - len(pad) - 2)
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]
    follow = "  " if text.startswith("PERTANYAAN:") else ""
    return [f"{pad}# {lines[0]}", *(f"{pad}# {follow}{line}" for line in lines[1:])]


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def _with_after(line: str, notes: _Comments, path: PathKey) -> str:
    after = notes.after.get(path)
    return f"{line}  # {after}" if after else line


def _emit_value(head: str, value: Any, notes: _Comments, path: PathKey, indent: int) -> list[str]:
    """`head` ("key:" or "- key:") followed by the value, at `indent` for its children."""
    if isinstance(value, dict):
        if not value:
            return [_with_after(f"{head} {{}}", notes, path)]
        return [_with_after(head, notes, path), *_emit_mapping(value, notes, path, indent + 2)]
    if isinstance(value, list):
        if not value:
            return [_with_after(f"{head} []", notes, path)]
        items_quiet = all((*path, n) not in notes.after for n in range(len(value)))
        if items_quiet and all(_is_scalar(item) and "\n" not in str(item) for item in value):
            flow = f"{head} [{', '.join(_flow(item) for item in value)}]"
            if len(flow) <= WIDTH and _loads_as("k: " + flow[len(head) + 1 :], value):
                return [_with_after(flow, notes, path)]
        lines = [_with_after(head, notes, path)]
        pad = " " * (indent + 2)
        for n, item in enumerate(value):
            item_path = (*path, n)
            if item_path in notes.blank_before:
                lines.append("")
            for text in notes.above.get(item_path, []):
                lines.extend(_comment_lines(text, pad))
            if isinstance(item, dict) and item:
                lines.extend(_emit_mapping(item, notes, item_path, indent + 4, first=f"{pad}- "))
            else:
                lines.extend(_emit_value(f"{pad}-", item, notes, item_path, indent + 2))
        return lines
    room = WIDTH - len(head) - 1
    first, *rest = _scalar(value, indent + 2, room)
    return [_with_after(f"{head} {first}", notes, path), *rest]


def _flow(value: Any) -> str:
    if value == QUESTION:
        return '"?"'
    dumped = yaml.safe_dump(
        [value], allow_unicode=True, width=float("inf"), default_flow_style=True
    )
    return dumped.strip()[1:-1]


def _emit_mapping(
    mapping: dict[str, Any], notes: _Comments, path: PathKey, indent: int, first: str = ""
) -> list[str]:
    lines: list[str] = []
    pad = " " * indent
    for n, (key, value) in enumerate(mapping.items()):
        child = (*path, key)
        if child in notes.blank_before and lines:
            lines.append("")
        lead = first if first and n == 0 else pad
        comment_pad = " " * (len(first) - 2) if first and n == 0 else pad
        for text in notes.above.get(child, []):
            lines.extend(_comment_lines(text, comment_pad))
        lines.extend(_emit_value(f"{lead}{key}:", value, notes, child, indent))
    return lines


def dump_commented(data: dict[str, Any], notes: _Comments | None = None) -> str:
    """YAML for `data` with comments; `yaml.safe_load` of it gives `data` back."""
    return "\n".join(_emit_mapping(data, notes or _Comments(), (), 0)) + "\n"


# ---------------------------------------------------------------------------------------
# Entry points


def import_cells(cells: Sequence[str], *, source: str = "") -> Draft:
    """The draft for a document already read into cells."""
    return build_draft(parse_document(cells), source=source)


def import_text(text: str, *, source: str = "") -> Draft:
    """The draft for a plain-text export of an SOP document."""
    return import_cells(cells_from_text(text), source=source)


def import_file(path: Path | str) -> Draft:
    """The draft for an SOP document file: .docx, or its plain-text export (.txt)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SopImportError(f"{path}: tidak dapat dibaca ({error.strerror})") from None
    try:
        if raw.startswith(b"PK"):  # a .docx is a zip archive, whatever its name
            import io

            cells = cells_from_docx(io.BytesIO(raw))
        elif path.suffix.lower() == ".doc" or raw.startswith(b"\xd0\xcf\x11\xe0"):
            raise SopImportError(
                "dokumen Word lama (.doc) tidak dapat dibaca: simpan ulang sebagai .docx"
            )
        else:
            cells = cells_from_text(decode_text(raw))
        return import_cells(cells, source=path.name)
    except SopImportError as error:
        raise SopImportError(f"{path}: {error}") from None


# ---------------------------------------------------------------------------------------
# The questions left in a file


def _question_paths(node: Any, path: PathKey) -> Iterator[PathKey]:
    if isinstance(node, str) and node.strip() == QUESTION:
        yield path
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _question_paths(value, (*path, str(key)))
    elif isinstance(node, list):
        if any(isinstance(item, str) and item.strip() == QUESTION for item in node):
            yield path
        for n, item in enumerate(node):
            if isinstance(item, dict | list):
                yield from _question_paths(item, (*path, n))


def _place(data: Any, path: PathKey) -> str:
    """A readable place: ("langkah", 1, "tugas", 0, "jenis") → "langkah 2, tugas 'x', jenis"."""
    parts: list[str] = []
    node = data
    for step in path:
        if isinstance(step, int):
            node = node[step] if isinstance(node, list) and step < len(node) else None
            container = parts.pop() if parts else ""
            if container == "langkah" and isinstance(node, dict) and "nomor" in node:
                parts.append(f"langkah {node['nomor']}")
            elif isinstance(node, dict) and isinstance(node.get("id"), str) and node["id"] != "?":
                parts.append(f"{container} '{node['id']}'")
            else:
                parts.append(f"{container} {step + 1}".strip())
            continue
        if parts and parts[-1] == "dokumen" and len(parts) == 1:
            parts[-1] = f"dokumen '{step}'"
        else:
            parts.append(step)
        node = node.get(step) if isinstance(node, dict) else None
    return ", ".join(parts)


def open_questions(data: Any) -> list[str]:
    """Every "?" left in an SOP file's data, as "belum diisi: langkah 2, pelaksana"."""
    return [f"belum diisi: {_place(data, path)}" for path in _question_paths(data, ())]
