"""A draft's dossier in one ZIP file, for an auditor or the office's own archive.

    dokumen/<document>/v<N>-<original name>          every version of every document
    dokumen/<document>/<unit>/v<N>-<original name>   a unit's share of a document
    jejak.csv                                        the audit trail, one row an entry
    jejak.html                                       the same, readable, with the documents
    MANIFEST.sha256                                  the SHA-256 of every other file in the ZIP,
                                                     as `sha256sum -c` checks it

Versions are kept apart, each under the name it was uploaded with. The trail carries each
entry's hash and link, and the page the chain's head: the dossier can be held against the
database later (`renja-bot audit verify`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path, PurePosixPath
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bot import texts
from bot.usecases import reading, views
from bot.usecases.base import Services, require_draft
from bot.usecases.errors import InvalidInput
from bot.usecases.views import AuditLine, DocumentView, DossierSummary, DraftView
from storage import audit as audit_store
from storage import drafts as draft_store
from storage import officials as official_store
from storage.models import AuditEntry

MANIFEST = "MANIFEST.sha256"
TRAIL_CSV = "jejak.csv"
TRAIL_HTML = "jejak.html"
DOCUMENTS = "dokumen"
NAME_MAX = 100


def safe_name(name: str, fallback: str) -> str:
    """A name that is one plain path part on every system: letters, digits and a few marks;
    no separators, control characters or leading dots."""
    cleaned = "".join(
        c if c.isalnum() or c in " .-_()+,&" else "_" for c in unicodedata.normalize("NFC", name)
    ).strip(" .")
    if len(cleaned) > NAME_MAX:
        stem, dot, suffix = cleaned.rpartition(".")
        if dot and 0 < len(suffix) <= 8:
            cleaned = f"{stem[: NAME_MAX - len(suffix) - 1]}.{suffix}"
        else:
            cleaned = cleaned[:NAME_MAX]
    return cleaned or fallback


def document_path(document: DocumentView) -> str:
    """Where a version goes in the ZIP."""
    parts = [DOCUMENTS, safe_name(document.document, "dokumen")]
    if document.share:
        parts.append(safe_name(document.share, "unit"))
    parts.append(f"v{document.version}-{safe_name(document.file_name, 'berkas')}")
    return str(PurePosixPath(*parts))


@dataclass(frozen=True)
class _Read:
    """Everything the dossier holds, read in one session."""

    draft: DraftView
    sop_title: str
    entries: list[AuditEntry]
    lines: list[AuditLine]
    documents: list[DocumentView]
    chain_problem: audit_store.EntryProblem | None
    positions: dict[str, str]
    """The name of each position key the trail names."""

    def position(self, key: str) -> str:
        return self.positions.get(key, key)


def _read(services: Services, draft_id: int) -> _Read:
    with services.reading() as session:
        draft = require_draft(session, sops=services.sops, draft_id=draft_id, agency_id=None)
        sop = services.sops[draft.sop_id]
        entries = draft_store.audit_trail(session, draft_id=draft_id)
        people = official_store.officials_by_ids(
            session, ids={e.actor_id for e in entries if e.actor_id is not None}
        )
        lines = [reading.audit_line(session, sop, entry, people) for entry in entries]
        versions = draft_store.document_versions(session, draft_id=draft_id)
        documents = [views.document_view(session, sop, v) for v in versions]
        problem = audit_store.check_chain(draft_id, entries, draft.audit_head)
        positions: dict[str, str] = {}
        for key in {line.position for line in lines if line.position}:
            try:
                positions[key] = sop.position(key).nama
            except KeyError:
                positions[key] = key
        return _Read(
            views.draft_view(draft),
            sop.identitas.judul,
            entries,
            lines,
            documents,
            problem,
            positions,
        )


def _zip_time(moment: datetime, tz: ZoneInfo) -> tuple[int, int, int, int, int, int]:
    local = moment.astimezone(tz)
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)


def export(
    services: Services, *, draft_id: int, target: Path, force: bool = False
) -> DossierSummary:
    """Write the draft's dossier to `target` (a .zip), whole or not at all."""
    if target.suffix.lower() != ".zip":
        raise InvalidInput(texts.EXPORT_NAME.format(path=target))
    if target.exists() and not force:
        raise InvalidInput(texts.ALREADY_THERE.format(path=target))
    read = _read(services, draft_id)
    now = services.clock()
    tz = services.tz
    sums: list[tuple[str, str]] = []
    problems: list[audit_store.FileProblem] = []
    in_zip: dict[int, str] = {}
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:

            def add(name: str, data: bytes, moment: datetime) -> None:
                archive.writestr(zipfile.ZipInfo(name, _zip_time(moment, tz)), data)
                sums.append((hashlib.sha256(data).hexdigest(), name))

            for document in read.documents:
                stored = services.files_dir / document.stored_path
                if not stored.is_file():
                    problems.append(_file_problem(read.draft.id, document, ""))
                    continue
                name = document_path(document)
                info = zipfile.ZipInfo(name, _zip_time(document.uploaded_at, tz))
                info.compress_type = zipfile.ZIP_DEFLATED
                digest = hashlib.sha256()
                with stored.open("rb") as source, archive.open(info, "w") as out:
                    while block := source.read(1 << 20):
                        digest.update(block)
                        out.write(block)
                sums.append((digest.hexdigest(), name))
                in_zip[document.version_id] = name
                if digest.hexdigest() != document.sha256:
                    problems.append(_file_problem(read.draft.id, document, digest.hexdigest()))
            add(TRAIL_CSV, _trail_csv(read, in_zip, tz), now)
            add(TRAIL_HTML, _trail_html(read, in_zip, problems, tz, now).encode(), now)
            manifest = "".join(f"{digest}  {name}\n" for digest, name in sums)
            archive.writestr(zipfile.ZipInfo(MANIFEST, _zip_time(now, tz)), manifest)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return DossierSummary(
        draft_id=read.draft.id,
        path=target,
        entries=len(read.entries),
        documents=len(read.documents),
        members=len(sums),
        manifest=MANIFEST,
        chain_head=read.draft.chain_head,
        chain_problem=read.chain_problem,
        file_problems=problems,
    )


def _file_problem(draft_id: int, document: DocumentView, found: str) -> audit_store.FileProblem:
    """A version whose file is missing (`found` empty) or holds other bytes."""
    return audit_store.FileProblem(
        draft_id=draft_id,
        version_id=document.version_id,
        document=document.document,
        version=document.version,
        file_name=document.file_name,
        stored_path=document.stored_path,
        flaw=audit_store.Flaw.BERKAS_BERUBAH if found else audit_store.Flaw.BERKAS_HILANG,
        expected=document.sha256,
        found=found,
    )


TRAIL_COLUMNS = (
    "no",
    "id_entri",
    "waktu_utc",
    "waktu",
    "langkah",
    "tugas",
    "pelaku",
    "jabatan",
    "plh_plt",
    "atas_nama",
    "aksi",
    "uraian",
    "pilihan",
    "catatan",
    "unit",
    "dokumen",
    "versi",
    "nama_berkas",
    "sha256_berkas",
    "berkas_di_zip",
    "prev_hash",
    "entry_hash",
)


def _trail_csv(read: _Read, in_zip: dict[int, str], tz: ZoneInfo) -> bytes:
    """The trail as CSV (UTF-8 with a byte order mark, which spreadsheets need to read it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TRAIL_COLUMNS)
    for number, (entry, line) in enumerate(zip(read.entries, read.lines, strict=True), 1):
        document = line.document
        writer.writerow(
            (
                number,
                entry.id,
                entry.at.astimezone(UTC).isoformat(timespec="seconds"),
                texts.when_text(entry.at, tz),
                line.row_label or line.row_no,
                line.task_id,
                line.actor,
                read.position(line.position),
                line.acting or "",
                line.on_behalf_of or "",
                line.action,
                texts.AUDIT_VERBS.get(line.action, line.action),
                line.choice or "",
                line.note or "",
                entry.share,
                document.name if document else "",
                document.version if document else "",
                document.file_name if document else "",
                document.sha256 if document else "",
                in_zip.get(document.version_id, "") if document else "",
                entry.prev_hash,
                entry.entry_hash,
            )
        )
    return out.getvalue().encode("utf-8-sig")


STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; width: 100%; margin-bottom: 2em; }
th, td { border: 1px solid #bbb; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #eee; }
code { font-size: 90%; word-break: break-all; }
.masalah { color: #a00; font-weight: bold; }
"""


def _trail_html(
    read: _Read,
    in_zip: dict[int, str],
    problems: list[audit_store.FileProblem],
    tz: ZoneInfo,
    now: datetime,
) -> str:
    draft = read.draft
    title = f"Dosir {escape(draft.title)} (#{draft.id})"
    facts = [
        ("SOP", escape(read.sop_title)),
        ("Tahun", str(draft.year)),
        ("Status", escape(draft.status)),
        ("Dimulai", escape(texts.when_text(draft.created_at, tz))),
    ]
    if draft.finished_at is not None:
        facts.append(("Selesai", escape(texts.when_text(draft.finished_at, tz))))
    if draft.result:
        facts.append(("Hasil", escape(draft.result)))
    chain = (
        "utuh: setiap entri cocok dengan hash-nya dan bersambung ke entri sebelumnya"
        if read.chain_problem is None
        else f'<span class="masalah">{escape(texts.entry_problem(read.chain_problem))}</span>'
    )
    facts.append(("Rantai jejak (kepala)", f"<code>{escape(draft.chain_head)}</code>"))
    facts.append(("Pemeriksaan rantai", chain))
    out = [
        "<!DOCTYPE html>",
        '<html lang="id">',
        f'<head><meta charset="utf-8"><title>{title}</title><style>{STYLE}</style></head>',
        "<body>",
        f"<h1>{title}</h1>",
        "<table>",
        *(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in facts),
        "</table>",
        f"<h2>Jejak audit ({len(read.lines)} entri)</h2>",
        "<table>",
        "<tr><th>No</th><th>Waktu</th><th>Langkah</th><th>Pelaku</th><th>Aksi</th>"
        "<th>Dokumen</th><th>Catatan</th><th>Hash entri</th></tr>",
    ]
    for number, (entry, line) in enumerate(zip(read.entries, read.lines, strict=True), 1):
        who = escape(line.actor)
        if line.position:
            who += f"<br><small>{escape(read.position(line.position))}</small>"
        if line.acting:
            who = f"{escape(line.acting)} a.n. {who}"
        if line.on_behalf_of:
            who += f"<br>atas nama {escape(line.on_behalf_of)}"
        action = escape(texts.AUDIT_VERBS.get(line.action, line.action))
        if line.choice:
            action += f" “{escape(line.choice)}”"
        out.append(
            f"<tr><td>{number}</td><td>{escape(texts.when_text(entry.at, tz))}</td>"
            f"<td>{escape(line.row_label or str(line.row_no))}</td><td>{who}</td>"
            f"<td>{action}</td><td>{_document_cell(line.document, in_zip)}</td>"
            f"<td>{escape(line.note or '')}</td>"
            f"<td><code>{escape(entry.entry_hash[: texts.CHAIN_SHOWN])}…</code></td></tr>"
        )
    out += [
        "</table>",
        f"<h2>Dokumen ({len(read.documents)} versi)</h2>",
        "<table>",
        "<tr><th>Dokumen</th><th>Unit</th><th>Versi</th><th>Nama asli</th><th>Nomor</th>"
        "<th>Diunggah</th><th>Ukuran</th><th>SHA-256</th><th>Berkas</th></tr>",
    ]
    missing = {p.version_id: p for p in problems}
    for document in read.documents:
        problem = missing.get(document.version_id)
        cell = _document_link(document, in_zip)
        if problem is not None:
            cell += f'<br><span class="masalah">{escape(texts.file_problem(problem))}</span>'
        out.append(
            f"<tr><td>{escape(document.name)}</td><td>{escape(document.share)}</td>"
            f"<td>{document.version}</td><td>{escape(document.file_name)}</td>"
            f"<td>{escape(document.number or '')}</td>"
            f"<td>{escape(texts.when_text(document.uploaded_at, tz))}<br>"
            f"{escape(document.uploaded_by)}</td><td>{document.size}</td>"
            f"<td><code>{escape(document.sha256)}</code></td><td>{cell}</td></tr>"
        )
    out += [
        "</table>",
        f"<p>Diekspor {escape(texts.when_text(now, tz))} dengan <code>renja-bot draft "
        f"export</code>. SHA-256 setiap berkas dalam ZIP ini tercantum di {MANIFEST} "
        f"(periksa dengan <code>sha256sum -c {MANIFEST}</code>); rantai jejak diperiksa "
        "terhadap basis data dengan <code>renja-bot audit verify</code>.</p>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(out)


def _document_link(document: DocumentView, in_zip: dict[int, str]) -> str:
    name = in_zip.get(document.version_id)
    if name is None:
        return "(tidak ada di arsip)"
    return f'<a href="{escape(quote(name))}">{escape(name)}</a>'


def _document_cell(document: DocumentView | None, in_zip: dict[int, str]) -> str:
    if document is None:
        return ""
    unit = f" — {escape(document.share)}" if document.share else ""
    return (
        f"{escape(document.name)}{unit}, versi {document.version}<br>"
        f"{_document_link(document, in_zip)}"
    )
