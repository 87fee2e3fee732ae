"""What an uploaded file is, from its bytes; and the sender's name as a safe label.

Every accepted file below is built here, small but in its real layout: a PDF with its
cross-reference table, OOXML and ODF packages written with zipfile, compound files (DOC,
XLS) with a header, a FAT and a directory tree, and a PNG with valid chunks. The JPEG is
only its start (SOI and a JFIF APP0 segment) and end marker, which is all `detect` reads.
"""

from __future__ import annotations

import io
import struct
import unicodedata
import zipfile
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.filetypes import (
    ACCEPTED,
    DOC,
    DOCX,
    JPEG,
    ODS,
    ODT,
    PDF,
    PNG,
    XLS,
    XLSX,
    FileType,
    detect,
    display_name,
    extension_mismatch,
)

# Builders ------------------------------------------------------------------------------------


def pdf(prefix: bytes = b"") -> bytes:
    """A one-page PDF whose xref offsets are right (`prefix` is junk before the header)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(prefix + b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out) - len(prefix))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out) - len(prefix)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{part}" ContentType="{content_type}"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="{part}"/></Relationships>'
)


def zip_of(members: list[tuple[str, str, int]]) -> bytes:
    """A ZIP of (name, text, compression) members, in that order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text, compression in members:
            archive.writestr(name, text, compress_type=compression)
    return buffer.getvalue()


def docx(extra: list[tuple[str, str, int]] | None = None) -> bytes:
    part = "word/document.xml"
    content_type = (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    )
    body = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>Rencana Kerja</w:t></w:r></w:p></w:body></w:document>"
    )
    return zip_of(
        [
            ("[Content_Types].xml", CONTENT_TYPES.format(part=part, content_type=content_type), 8),
            ("_rels/.rels", RELS.format(part=part), 8),
            (part, body, 8),
            *(extra or []),
        ]
    )


def xlsx() -> bytes:
    part = "xl/workbook.xml"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    workbook = (
        f'<workbook xmlns="{main}" xmlns:r="{relationships}">'
        '<sheets><sheet name="Renja" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    sheet_rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{relationships}/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    )
    return zip_of(
        [
            ("[Content_Types].xml", CONTENT_TYPES.format(part=part, content_type=content_type), 8),
            ("_rels/.rels", RELS.format(part=part), 8),
            (part, workbook, 8),
            ("xl/_rels/workbook.xml.rels", sheet_rels, 8),
            ("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{main}"><sheetData/></worksheet>', 8),
        ]
    )


def odf(mimetype: str, *, mimetype_first: bool = True, compression: int = 0) -> bytes:
    """An OpenDocument package: `mimetype` first and stored, as the ODF spec requires."""
    manifest = (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        f'manifest:media-type="{mimetype}"/></manifest:manifest>'
    )
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:'
        '1.0" office:version="1.2"><office:body/></office:document-content>'
    )
    members = [("content.xml", content, 8), ("META-INF/manifest.xml", manifest, 8)]
    first = ("mimetype", mimetype, compression)
    return zip_of([first, *members] if mimetype_first else [*members, first])


NOSTREAM = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
FREESECT = 0xFFFFFFFF
Tree = dict[str, "Tree | None"]  # a storage's members: a stream is None, a storage a Tree


def compound_file(root: Tree) -> bytes:
    """A version 3 compound file (512-byte sectors) with these storages and empty streams.

    Siblings form a binary search tree in the CFB order (shorter names first, then
    case-insensitive), as Office writes them, though not coloured as a red-black tree.
    The directory's sectors are written in reverse order, so a reader must follow the FAT
    chain rather than read them as one block. While this was written, olefile 0.47 (not a
    dependency) listed these files' streams and storages and reported no defect.
    """
    entries: list[bytearray] = []

    def add(name: str, kind: int) -> int:
        entry = bytearray(128)
        encoded = name.encode("utf-16-le")
        entry[: len(encoded)] = encoded
        struct.pack_into("<HBB", entry, 64, len(encoded) + 2, kind, 1)
        struct.pack_into("<III", entry, 68, NOSTREAM, NOSTREAM, NOSTREAM)
        struct.pack_into("<IQ", entry, 116, ENDOFCHAIN, 0)
        entries.append(entry)
        return len(entries) - 1

    def tree(members: Tree) -> int:
        ids = []
        for name, sub in sorted(members.items(), key=lambda item: (len(item[0]), item[0].upper())):
            sid = add(name, 2 if sub is None else 1)
            if sub is not None:
                struct.pack_into("<I", entries[sid], 76, tree(sub))
            ids.append(sid)
        return link(ids)

    def link(ids: list[int]) -> int:
        if not ids:
            return NOSTREAM
        middle = len(ids) // 2
        struct.pack_into(
            "<II", entries[ids[middle]], 68, link(ids[:middle]), link(ids[middle + 1 :])
        )
        return ids[middle]

    add("Root Entry", 5)
    struct.pack_into("<I", entries[0], 76, tree(root))
    while len(entries) % 4:
        unused = bytearray(128)
        struct.pack_into("<III", unused, 68, NOSTREAM, NOSTREAM, NOSTREAM)
        entries.append(unused)
    chunks = [b"".join(entries[i : i + 4]) for i in range(0, len(entries), 4)]

    # Sector 0 is the FAT; the directory's chunks sit in sectors n..1, first chunk last.
    count = len(chunks)
    fat = [FATSECT] + [FREESECT] * 127
    for chunk_index in range(count):
        sector = count - chunk_index
        fat[sector] = sector - 1 if chunk_index < count - 1 else ENDOFCHAIN
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    # Minor and major version, byte order, sector and mini-sector shifts (2**9, 2**6).
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    # Directory sectors (0 in version 3), FAT sectors, first directory sector, transaction,
    # mini-stream cutoff, first mini-FAT sector and count, first DIFAT sector and count.
    struct.pack_into(
        "<IIIIIIIII", header, 0x28, 0, 1, count, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0
    )
    struct.pack_into("<109I", header, 0x4C, 0, *[FREESECT] * 108)
    sectors = [struct.pack("<128I", *fat), *reversed(chunks)]
    return bytes(header) + b"".join(sectors)


SUMMARY = {"\x05SummaryInformation": None, "\x05DocumentSummaryInformation": None}
WORD_FILE: Tree = {"WordDocument": None, "1Table": None, "\x01CompObj": None, **SUMMARY}
EXCEL_FILE: Tree = {"Workbook": None, "\x01CompObj": None, **SUMMARY}


def png() -> bytes:
    """A real 1×1 white PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff"))
        + chunk(b"IEND", b"")
    )


JPEG_START = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


# Accepted kinds ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (pdf(), PDF),
        (pdf(prefix=b"\x00" * 900), PDF),  # readers look for the header in the first KB
        (docx(), DOCX),
        (xlsx(), XLSX),
        (odf("application/vnd.oasis.opendocument.text"), ODT),
        (odf("application/vnd.oasis.opendocument.spreadsheet"), ODS),
        (compound_file(WORD_FILE), DOC),
        (compound_file(EXCEL_FILE), XLS),
        (compound_file({"Book": None}), XLS),  # Excel 5/95
        (compound_file({"WORKBOOK": None}), XLS),  # CFB names compare without case
        (JPEG_START + b"\xff\xd9", JPEG),
        (png(), PNG),
    ],
    ids=lambda value: value.key if isinstance(value, FileType) else None,
)
def test_accepted_kinds_are_told_from_their_bytes(data: bytes, expected: FileType) -> None:
    assert detect(data) == expected


def test_the_compound_file_builder_is_read_through_its_fat_chain() -> None:
    # Six entries need two directory sectors; the builder writes them in reverse order.
    data = compound_file(WORD_FILE)
    assert len(data) == 512 * 4
    assert detect(data) == DOC


def test_a_word_document_embedded_in_a_workbook_is_still_a_workbook() -> None:
    embedded: Tree = {"MBD00000001": {"WordDocument": None, "1Table": None}}
    assert detect(compound_file({**EXCEL_FILE, **embedded})) == XLS


@pytest.mark.parametrize(
    "root",
    [
        {"PowerPoint Document": None, "Current User": None},
        {"WordDocument": None, "Workbook": None},
        {"Storage": {"Workbook": None}},
        {},
    ],
    ids=["powerpoint", "both", "only-nested", "empty"],
)
def test_a_compound_file_neither_word_nor_excel_is_refused(root: Tree) -> None:
    assert detect(compound_file(root)) is None


def test_a_truncated_compound_file_is_refused() -> None:
    data = compound_file(WORD_FILE)
    assert detect(data[:512]) is None
    assert detect(data[:1024]) is None  # the FAT, but no directory


# Refusals ------------------------------------------------------------------------------------

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56,  # program.exe, whatever its name
        b"MZ\x90\x00" + b"%PDF-1.4\n",  # a program with a PDF header inside
        b"MZ\x90\x00" + docx(),  # a self-extractor carrying a document
        ELF,
        b"\xcf\xfa\xed\xfe\x07\x00\x00\x01",  # Mach-O
        b"#!/bin/sh\nrm -rf /\n",
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        b"Rar!\x1a\x07\x01\x00" + b"\x00" * 20,
        b"\x00" * 1020 + b"%PDF-1.4\n",  # header beyond the first 1024 bytes
        b"\x89PNG\r\n",  # a PNG signature cut short
        b"Rencana kerja, teks biasa.\n",
        b"\x00" * 100,
    ],
    ids=[
        "empty",
        "mz",
        "mz-with-pdf",
        "mz-with-zip",
        "elf",
        "macho",
        "script",
        "html",
        "rar",
        "pdf-too-late",
        "png-cut",
        "text",
        "zeros",
    ],
)
def test_anything_else_is_refused(data: bytes) -> None:
    assert detect(data) is None


def test_the_pdf_header_must_end_within_the_first_1024_bytes() -> None:
    assert detect(b"\x00" * 1019 + b"%PDF-1.4") == PDF
    assert detect(b"\x00" * 1020 + b"%PDF-1.4") is None


@pytest.mark.parametrize(
    "data",
    [
        zip_of([("laporan.txt", "bukan dokumen kantor", 8)]),
        zip_of([("word/document.xml", "<w:document/>", 8)]),  # no [Content_Types].xml
        docx(extra=[("word/vbaProject.bin", "macro", 8)]),  # a .docm is not a .docx
        b"junk" + docx(),  # data before the archive
        docx()[:-10],  # cut inside the end record
        odf("application/vnd.oasis.opendocument.text", mimetype_first=False),
        odf("application/vnd.oasis.opendocument.text", compression=8),  # must be stored
        odf("application/vnd.oasis.opendocument.presentation"),
        odf("application/x-ms-dos-executable"),
    ],
    ids=[
        "plain-zip",
        "no-content-types",
        "macros",
        "prefixed",
        "truncated",
        "mimetype-not-first",
        "mimetype-compressed",
        "odp",
        "odf-claiming-exe",
    ],
)
def test_a_zip_that_is_not_an_accepted_package_is_refused(data: bytes) -> None:
    assert detect(data) is None


# Hostile bytes never raise -------------------------------------------------------------------

SIGNATURES = [
    b"%PDF-",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"PK\x03\x04",
    b"\xff\xd8\xff",
    b"\x89PNG\r\n\x1a\n",
    b"MZ",
    b"\x7fELF",
]


@given(st.binary(max_size=4096))
def test_detect_never_raises_on_arbitrary_bytes(data: bytes) -> None:
    assert detect(data) in (*ACCEPTED, None)


@given(
    st.sampled_from(SIGNATURES),
    st.binary(max_size=2048),
    st.booleans(),
    st.binary(max_size=64),
)
def test_detect_never_raises_on_arbitrary_bytes_after_a_signature(
    signature: bytes, body: bytes, with_zip_end: bool, tail: bytes
) -> None:
    data = signature + body + (b"PK\x05\x06" + tail if with_zip_end else b"")
    assert detect(data) in (*ACCEPTED, None)


VALID_FILES = [
    compound_file(WORD_FILE),
    compound_file({**EXCEL_FILE, "MBD00000001": {"WordDocument": None}}),
    docx(),
    odf("application/vnd.oasis.opendocument.text"),
]


@given(
    st.sampled_from(VALID_FILES),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=16),
)
def test_detect_never_raises_on_corrupted_documents(
    original: bytes, changes: list[tuple[int, int]]
) -> None:
    # Corrupting real structures reaches the sector chains and directory records that
    # random bytes rarely do.
    data = bytearray(original)
    for position, value in changes:
        data[position % len(data)] = value
    assert detect(bytes(data)) in (*ACCEPTED, None)


def test_a_self_referencing_sector_chain_ends() -> None:
    data = bytearray(compound_file(WORD_FILE))
    fat = 512
    struct.pack_into("<I", data, fat + 4 * 1, 2)  # the last directory sector points back
    struct.pack_into("<III", data, 0x44, 1, 1, 0)  # and a DIFAT chain that loops on itself
    assert detect(bytes(data)) in (DOC, None)


# The sender's name ---------------------------------------------------------------------------


def test_a_right_to_left_override_cannot_disguise_the_extension() -> None:
    # "invoice\u202efdp.exe" shows as "invoiceexe.pdf"; without the override, honestly .exe.
    name = display_name("invoice\u202efdp.exe", PDF)
    assert name == "invoicefdp.exe"
    assert extension_mismatch("invoice\u202efdp.exe", PDF)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Renja Bappeda 2026.pdf", "Renja Bappeda 2026.pdf"),
        ("Laporan\x00Renja.pdf", "LaporanRenja.pdf"),
        ("Laporan\nRenja\t2026.pdf", "Laporan Renja 2026.pdf"),
        ("  Renja   final  .pdf ", "Renja final .pdf"),
        ("\ufeffRenja\u200b\u200d\u2066.pdf", "Renja.pdf"),
        ("../../etc/passwd", ".._.._etc_passwd"),
        ("C:\\Users\\rina\\renja.pdf", "C:_Users_rina_renja.pdf"),
        ("Pe\u0301mda.pdf", "Pémda.pdf"),  # NFC: one precomposed é
        ("Pe\u200b\u0301mda.pdf", "Pémda.pdf"),
        ("Rencana\u2028Kerja.pdf", "Rencana Kerja.pdf"),
        ("Renja\ud800.pdf", "Renja.pdf"),  # a lone surrogate cannot even be encoded
    ],
)
def test_display_name_keeps_only_what_reads_as_written(name: str, expected: str) -> None:
    assert display_name(name, PDF) == expected


@pytest.mark.parametrize("name", [None, "", "   ", "\u202e\u200b", "\x00\n", ".."])
def test_an_empty_name_becomes_berkas_with_the_detected_extension(name: str | None) -> None:
    assert display_name(name, DOCX) == "berkas.docx"
    assert display_name(name) == "berkas"


def test_a_long_name_is_cut_in_the_stem_and_keeps_its_extension() -> None:
    name = display_name("Rencana Kerja Badan Perencanaan Pembangunan Daerah " * 5 + ".xlsx")
    assert len(name) == 80
    assert name.endswith("….xlsx")
    assert name.startswith("Rencana Kerja Badan Perencanaan")


def test_a_cut_never_separates_a_letter_from_its_accent() -> None:
    # Character 75 is the second accent on "é" (no precomposed form has both), right where
    # the cut would fall: the whole letter goes rather than leave a lone accent.
    name = display_name("a" * 74 + "é\u0301" + "b" * 20 + ".pdf")
    assert name == "a" * 74 + "….pdf"


@pytest.mark.parametrize(
    ("name", "file_type", "mismatch"),
    [
        ("renja.pdf", PDF, False),
        ("RENJA.PDF", PDF, False),
        ("foto.jpeg", JPEG, False),
        ("foto.JPG", JPEG, False),
        ("program.exe", PDF, True),
        ("tabel.xls", XLSX, True),
        ("laporan", PDF, False),  # no extension claims nothing
        ("Laporan v1.2", PDF, False),  # a version, not an extension
        (".pdf", PDF, False),  # a hidden-file name, not an extension
        (None, PNG, False),  # photos arrive without a name
    ],
)
def test_extension_mismatch(name: str | None, file_type: FileType, mismatch: bool) -> None:
    assert extension_mismatch(name, file_type) is mismatch


@given(st.one_of(st.none(), st.text()), st.sampled_from([*ACCEPTED, None]))
def test_display_name_is_always_a_clean_short_single_line(
    name: str | None, file_type: FileType | None
) -> None:
    shown = display_name(name, file_type)
    assert 0 < len(shown) <= 80
    assert shown == shown.strip()
    assert "  " not in shown
    assert "/" not in shown and "\\" not in shown
    assert all(unicodedata.category(c) not in ("Cc", "Cf", "Cs") for c in shown)
    assert all(not c.isspace() or c == " " for c in shown)
    assert unicodedata.is_normalized("NFC", shown)
    assert display_name(shown, file_type) == shown  # cleaning twice changes nothing
