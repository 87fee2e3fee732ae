"""What an uploaded file is, told from its bytes; and its sender's name, kept only as a label.

The sender's file name and claimed MIME type are never trusted: `program.exe` claimed as
application/pdf, or MZ bytes named `.pdf`, must not be archived as documents. Parsing is
bounded and never decompresses anything, since the bytes may be hostile.
"""

from __future__ import annotations

import re
import struct
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    key: str
    extension: str
    mime_type: str
    label: str


PDF = FileType("pdf", ".pdf", "application/pdf", "PDF")
DOC = FileType("doc", ".doc", "application/msword", "DOC")
XLS = FileType("xls", ".xls", "application/vnd.ms-excel", "XLS")
DOCX = FileType(
    "docx",
    ".docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "DOCX",
)
XLSX = FileType(
    "xlsx", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"
)
ODT = FileType("odt", ".odt", "application/vnd.oasis.opendocument.text", "ODT")
ODS = FileType("ods", ".ods", "application/vnd.oasis.opendocument.spreadsheet", "ODS")
JPEG = FileType("jpeg", ".jpg", "image/jpeg", "JPEG")
PNG = FileType("png", ".png", "image/png", "PNG")
ACCEPTED = (PDF, DOC, XLS, DOCX, XLSX, ODT, ODS, JPEG, PNG)

# A PDF reader accepts `%PDF-` anywhere in the first 1024 bytes, so we do too; but a file
# that starts as a program is refused even if a PDF header follows (a polyglot).
PDF_WINDOW = 1024
EXECUTABLES = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O, both word sizes and byte orders, and universal binaries
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",  # scripts
)
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_LOCAL = b"PK\x03\x04"


def detect(data: bytes) -> FileType | None:
    """The accepted kind these bytes are, or None for anything else (never raises)."""
    if data.startswith(EXECUTABLES):
        return None
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(OLE_SIGNATURE):
        return _ole_kind(data)
    if data.startswith(ZIP_LOCAL):
        return _zip_kind(data)
    if b"%PDF-" in data[:PDF_WINDOW]:
        return PDF
    return None


# OLE2 compound files (DOC, XLS) --------------------------------------------------------------

ENDOFCHAIN = 0xFFFFFFFE
MAX_REGULAR_SECTOR = 0xFFFFFFFA
NOSTREAM = 0xFFFFFFFF
DIR_ENTRY = 128
STREAM_OBJECT = 2
WORD_STREAMS = {"worddocument"}
EXCEL_STREAMS = {"workbook", "book"}  # "Book" is Excel 5/95


def _ole_kind(data: bytes) -> FileType | None:
    """DOC or XLS by the streams at the top of the compound file's directory tree.

    Only the root storage's own children count: an Excel file holding an embedded Word
    document has a WordDocument stream too, but inside a sub-storage.
    """
    names = {name.lower() for name in _ole_root_streams(data)}
    word, excel = bool(names & WORD_STREAMS), bool(names & EXCEL_STREAMS)
    if word and not excel:
        return DOC
    if excel and not word:
        return XLS
    return None


def _u32(data: bytes, offset: int) -> int | None:
    if offset < 0 or offset + 4 > len(data):
        return None
    value: int = struct.unpack_from("<I", data, offset)[0]
    return value


def _ole_root_streams(data: bytes) -> list[str]:
    if len(data) < 512:
        return []
    (sector_shift,) = struct.unpack_from("<H", data, 0x1E)
    if sector_shift not in (9, 12):  # version 3 and 4 files; anything else is malformed
        return []
    size = 1 << sector_shift
    max_sectors = len(data) // size  # every chain is bounded by the sectors present

    def sector(number: int) -> bytes:
        start = (number + 1) * size  # the header takes the place of sector -1
        return data[start : start + size]

    # The FAT sectors are listed in the header (109 entries) and then in a chain of DIFAT
    # sectors, each ending with the number of the next one.
    fat_sectors: list[int] = list(struct.unpack_from("<109I", data, 0x4C))
    difat, seen = _u32(data, 0x44), set[int]()
    while difat is not None and difat <= MAX_REGULAR_SECTOR and difat not in seen:
        seen.add(difat)
        block = sector(difat)
        if len(block) < size or len(seen) > max_sectors:
            break
        fat_sectors += struct.unpack_from(f"<{size // 4}I", block)
        difat = fat_sectors.pop()

    def next_sector(number: int) -> int | None:
        per_sector = size // 4
        index = number // per_sector
        if index >= len(fat_sectors) or fat_sectors[index] > MAX_REGULAR_SECTOR:
            return None
        return _u32(sector(fat_sectors[index]), (number % per_sector) * 4)

    # The directory is a chain of sectors of 128-byte entries.
    directory = bytearray()
    current, visited = _u32(data, 0x30), set[int]()
    while current is not None and current <= MAX_REGULAR_SECTOR and current not in visited:
        visited.add(current)
        block = sector(current)
        if len(block) < size:
            break
        directory += block
        current = next_sector(current)

    def entry(sid: int) -> tuple[str, int, int, int, int] | None:
        """Name, object type, left sibling, right sibling, child of directory entry `sid`."""
        raw = directory[sid * DIR_ENTRY : (sid + 1) * DIR_ENTRY]
        if len(raw) < DIR_ENTRY:
            return None
        (name_bytes,) = struct.unpack_from("<H", raw, 64)
        name = raw[: min(max(name_bytes - 2, 0), 62)].decode("utf-16-le", errors="replace")
        left, right, child = struct.unpack_from("<III", raw, 68)
        return name, raw[66], left, right, child

    # The root's children form a binary tree through the left and right sibling links.
    root = entry(0)
    if root is None:
        return []
    streams: list[str] = []
    pending, walked = [root[4]], set[int]()
    while pending:
        sid = pending.pop()
        if sid == NOSTREAM or sid in walked:
            continue
        walked.add(sid)
        found = entry(sid)
        if found is None:
            continue
        name, kind, left, right, _child = found
        if kind == STREAM_OBJECT:
            streams.append(name)
        pending += (left, right)
    return streams


# ZIP packages (DOCX, XLSX, ODT, ODS) ---------------------------------------------------------

ZIP_END = b"PK\x05\x06"
ZIP_CENTRAL = b"PK\x01\x02"
END_SIZE = 22
CENTRAL_SIZE = 46
LOCAL_SIZE = 30
MAX_COMMENT = 0xFFFF
ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": ODT,
    b"application/vnd.oasis.opendocument.spreadsheet": ODS,
}


@dataclass(frozen=True)
class _Member:
    name: bytes
    method: int
    compressed_size: int
    local_offset: int


def _zip_kind(data: bytes) -> FileType | None:
    members = _zip_members(data)
    if not members:
        return None
    names = {member.name for member in members}
    if any(name.lower().endswith(b"vbaproject.bin") for name in names):
        return None  # macros: a .docm/.xlsm is not the DOCX/XLSX we would archive it as
    if b"[Content_Types].xml" in names:
        word, excel = b"word/document.xml" in names, b"xl/workbook.xml" in names
        if word != excel:
            return DOCX if word else XLSX
        return None
    first = min(members, key=lambda member: member.local_offset)
    if first.local_offset == 0 and first.name == b"mimetype" and b"content.xml" in names:
        return ODF_MIMETYPES.get(_stored_content(data, first))
    return None


def _zip_members(data: bytes) -> list[_Member]:
    """The central directory's entries, read without touching any member's data."""
    end = data.rfind(ZIP_END, max(0, len(data) - END_SIZE - MAX_COMMENT))
    if end < 0 or end + END_SIZE > len(data):
        return []
    count, cd_size, cd_offset = struct.unpack_from("<HII", data, end + 10)
    # Data before the archive (a self-extractor) or ZIP64 would put entries elsewhere;
    # neither is a document we accept.
    if cd_offset + cd_size != end:
        return []
    members: list[_Member] = []
    pos = cd_offset
    for _ in range(count):
        if data[pos : pos + 4] != ZIP_CENTRAL or pos + CENTRAL_SIZE > end:
            return []
        (method,) = struct.unpack_from("<H", data, pos + 10)
        (compressed,) = struct.unpack_from("<I", data, pos + 20)
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, pos + 28)
        (local,) = struct.unpack_from("<I", data, pos + 42)
        start = pos + CENTRAL_SIZE
        pos = start + name_len + extra_len + comment_len
        if pos > end:
            return []
        members.append(_Member(bytes(data[start : start + name_len]), method, compressed, local))
    return members


def _stored_content(data: bytes, member: _Member) -> bytes:
    """The bytes of a small uncompressed member; empty for anything else."""
    if member.method != 0 or member.compressed_size > 200:
        return b""
    header = member.local_offset
    if data[header : header + 4] != ZIP_LOCAL or header + LOCAL_SIZE > len(data):
        return b""
    name_len, extra_len = struct.unpack_from("<HH", data, header + 26)
    start = header + LOCAL_SIZE + name_len + extra_len
    return bytes(data[start : start + member.compressed_size])


# The sender's name, as a label only ----------------------------------------------------------

MAX_NAME = 80
FALLBACK_STEM = "berkas"
# Control (Cc), format (Cf: bidi overrides, zero-width, BOM) and lone surrogates (Cs) can
# hide or reorder what the reader sees, e.g. "invoice\u202efdp.exe" shows as "invoiceexe.pdf".
HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs"}
# "Laporan v1.2" has a version, not an extension: an extension has a letter in it.
EXTENSION = re.compile(r"\.(?=[0-9A-Za-z]*[A-Za-z])[0-9A-Za-z]{1,10}\Z")
SAME_EXTENSIONS = {".jpeg": ".jpg"}


def display_name(name: str | None, file_type: FileType | None = None) -> str:
    """The sender's file name made safe to show: visible characters, one line, 80 at most."""
    text = "".join(_visible(char) for char in name or "")
    # Normalised after the removal: a hidden character can stand between a letter and its
    # accent, and the label should not change when cleaned twice.
    text = unicodedata.normalize("NFC", text).replace("/", "_").replace("\\", "_")
    text = " ".join(text.split())
    if not text.strip("."):
        return FALLBACK_STEM + (file_type.extension if file_type else "")
    if len(text) <= MAX_NAME:
        return text
    match = EXTENSION.search(text)
    extension = match.group() if match and match.start() > 0 else ""
    stem = text[: len(text) - len(extension)]
    cut = MAX_NAME - len(extension) - 1
    while cut > 0 and unicodedata.category(stem[cut]).startswith("M"):
        cut -= 1  # keep a letter with its combining marks
    return stem[:cut].rstrip() + "…" + extension


def _visible(char: str) -> str:
    """A line break or tab becomes a space, so words stay apart; hidden characters go."""
    if char.isspace():
        return " "
    return "" if unicodedata.category(char) in HIDDEN_CATEGORIES else char


def extension_mismatch(name: str | None, file_type: FileType) -> bool:
    """True when the name claims another extension than what the bytes are.

    A name without an extension claims nothing, so it is no mismatch.
    """
    match = EXTENSION.search(display_name(name))
    if match is None or match.start() == 0:
        return False
    claimed = match.group().lower()
    return SAME_EXTENSIONS.get(claimed, claimed) != file_type.extension
