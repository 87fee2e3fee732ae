"""Every message the bot shows, in Indonesian, in one place (HTML parse mode)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.limits import MESSAGE_LIMIT, clip, fit_html, visible_len
from bot.usecases.errors import InviteProblem, StaleTask
from bot.usecases.report_views import DraftTimeView, ReportView, RowLine
from bot.usecases.views import (
    ActingView,
    AuditLine,
    DocumentView,
    DossierSummary,
    DraftLine,
    DraftStatusView,
    DraftView,
    InviteeView,
    ListFilter,
    ListPage,
    MeetingReport,
    MeetingView,
    OutboxReport,
    ReminderNotice,
    RowTime,
    TaskBriefing,
    UploadOption,
)
from storage.audit import Check, EntryProblem, FileProblem, Flaw
from storage.backup import BackupMade, Restored
from workflow.engine import ActionRefused, AuditAction, Refusal
from workflow.reminders import ReminderKind
from workflow.report import Period
from workflow.sop import Sop, TaskKind

# Button labels ---------------------------------------------------------------------------

SETUJUI = "✅ Setujui"
KEMBALIKAN = "↩️ Kembalikan"
KIRIM = "📤 Kirim"
BATAL = "✖️ Batal"
LEWATI = "⏭ Lewati"
SUDAH_DISERAHKAN = "✅ Sudah diserahkan"
TANPA_CATATAN = "➡️ Tanpa catatan"

PERSETUJUAN_INTERNAL = "Persetujuan internal, bukan TTE (tanda tangan elektronik)."


def approve_label(briefing: TaskBriefing) -> str:
    if briefing.task.label_setujui:
        return f"✅ {briefing.task.label_setujui}"
    return SETUJUI


def handover_label(briefing: TaskBriefing) -> str:
    """A hand-over's one button (serah)."""
    if briefing.task.label_setujui:
        return f"✅ {briefing.task.label_setujui}"
    return SUDAH_DISERAHKAN


# Time ------------------------------------------------------------------------------------


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz)


def date_text(moment: datetime, tz: ZoneInfo) -> str:
    """'Senin, 30 November 2026'."""
    return format_date(local(moment, tz).date(), "EEEE, d MMMM y", locale="id")


def time_text(moment: datetime, tz: ZoneInfo) -> str:
    """'08:00 WIB' (the zone's own abbreviation)."""
    at = local(moment, tz)
    return f"{at:%H:%M} {at.tzname() or ''}".strip()


def short_date_text(day: date) -> str:
    """'Sen, 30 Nov' (a day button)."""
    return format_date(day, "EEE, d MMM", locale="id")


def when_text(moment: datetime, tz: ZoneInfo) -> str:
    return f"{date_text(moment, tz)} {time_text(moment, tz)}"


def minutes_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} jam {rest} menit"
    if hours:
        return f"{hours} jam"
    return f"{rest} menit"


# People and positions ---------------------------------------------------------------------


def sapaan(name: str) -> str:
    return f"Bapak/Ibu {escape(name)}"


def short_hash(sha256: str) -> str:
    return sha256[:12]


# Messages --------------------------------------------------------------------------------


def draft_label(draft: DraftView) -> str:
    """'#1, tahun 2027' (a draft of an SOP without years: '#1')."""
    return f"#{draft.id}, tahun {draft.year}" if draft.year else f"#{draft.id}"


def draft_heading(briefing: TaskBriefing) -> str:
    draft = briefing.draft
    return f"📋 <b>{escape(draft.title)}</b> ({draft_label(draft)})"


def task_message(briefing: TaskBriefing, sop: Sop, tz: ZoneInfo) -> str:
    """What the holder of a task receives: what to do, with what, by when."""
    task = briefing.task
    lines = [
        draft_heading(briefing),
        f"<b>Langkah {escape(briefing.row_label)}: {escape(task.judul)}</b>",
        f"<i>{escape(_shorten(briefing.activity, 300))}</i>",
        "",
    ]
    if task.petunjuk:
        lines.append(f"Yang perlu dilakukan: {escape(task.petunjuk)}")
    if briefing.persyaratan:
        lines.append(f"Persyaratan: {escape(', '.join(briefing.persyaratan))}")
    lines.append(f"Output: {escape(', '.join(briefing.outputs) or '-')}")
    if task.is_upload:
        names = ", ".join(sop.document(key).nama for key in task.dokumen)
        lines.append(f"Dokumen yang diunggah: {escape(names)}")
        for key in task.dokumen:
            if sop.document(key).bernomor:
                name = escape(sop.document(key).nama)
                lines.append(
                    f"Tulis nomor resminya di keterangan berkas, misalnya: "
                    f"“{name} Nomor: 050/117/BAPPEDA”."
                )
    if briefing.due_at is not None:
        lines.append(
            f"Batas waktu: {when_text(briefing.due_at, tz)} — "
            f"{escape(briefing.standard_text)} kerja"
        )
    if briefing.return_note:
        lines.append("")
        lines.append(f"↩️ <b>Dikembalikan dengan catatan:</b> {escape(briefing.return_note)}")
    if briefing.pending_units and task.jenis == TaskKind.UNGGAH_PARALEL:
        lines.append(f"Belum masuk: {escape(', '.join(briefing.pending_units))}")
    if task.bersama is not None:
        together = ", ".join(sop.position(key).label for key in task.oleh)
        every = "setiap jabatan" if task.is_joint else "salah satu jabatan"
        lines.append(f"Dikerjakan bersama: {escape(together)} ({every} menyelesaikannya).")
        if briefing.pending_units and task.is_joint:
            lines.append(f"Menunggu: {escape(', '.join(briefing.pending_units))}")
    if briefing.acting_for:
        parties = escape(", ".join(briefing.acting_for))
        lines.append(
            f"Langkah ini milik {parties}: Bapak/Ibu mencatat hasilnya atas nama {parties}."
        )
    lines.append("")
    if task.jenis == TaskKind.RAPAT:
        if briefing.meeting_at is None:
            lines.append(
                f"Tekan {JADWALKAN} untuk menentukan waktu, tempat dan agenda; bot mengirim "
                "undangan kepada setiap peserta. Waktu menunggu rapat tidak dihitung."
            )
        else:
            lines.append(
                f"Rapat: {when_text(briefing.meeting_at, tz)} (lihat /rapat {briefing.draft.id}). "
                "Waktu menunggu rapat tidak dihitung."
            )
        lines.append("Setelah rapat, kirim berkas hasilnya ke obrolan ini, lalu tekan Kirim.")
    elif task.is_upload:
        lines.append(
            "Kirim berkas (PDF, DOC/DOCX, XLS/XLSX, ODT/ODS, atau foto hasil pindai) ke obrolan "
            "ini; tulis nama output di keterangan berkas. Setelah lengkap, tekan Kirim."
        )
    elif task.jenis == TaskKind.SERAH:
        lines.append(f"Setelah diserahkan, tekan {escape(handover_label(briefing))}.")
    elif task.pilihan:
        labels = " / ".join(f"“{escape(choice.label)}”" for choice in task.pilihan)
        lines.append(f"Pilih salah satu: {labels}.")
        if any(choice.tanda_tangan for choice in task.pilihan):
            lines.append(PERSETUJUAN_INTERNAL)
    elif task.jenis == TaskKind.KEPUTUSAN:
        lines.append(
            f"Setujui & tandatangani, atau Kembalikan dengan arahan. {PERSETUJUAN_INTERNAL}"
        )
    else:
        lines.append("Setujui untuk meneruskan, atau Kembalikan dengan catatan.")
    if task.opsional:
        lines.append(f"Langkah ini boleh dilewati: tekan {LEWATI} dan tulis alasannya.")
    return "\n".join(lines)


def document_caption(document: DocumentView) -> str:
    unit = f" — {escape(document.share)}" if document.share else ""
    number = f" Nomor {escape(document.number)}," if document.number else ""
    return (
        f"{escape(document.name)}{unit},{number} versi {document.version} "
        f"(diunggah {escape(document.uploaded_by)}, SHA-256 {short_hash(document.sha256)})"
    )


def notice_message(briefing_title: str, draft_id: int, what: str) -> str:
    return f"ℹ️ <b>{escape(briefing_title)}</b> (#{draft_id})\n{what}"


def task_done_notice(
    task_title: str, actor: str, choice: str | None = None, result: str | None = None
) -> str:
    """What a task's `beritahu` positions read: done, or the outcome chosen and the result
    it ended with."""
    if choice is None:
        text = f"{escape(task_title)} telah diselesaikan oleh {escape(actor)}."
    else:
        text = f"{escape(task_title)}: “{escape(choice)}” dipilih oleh {escape(actor)}."
    if result:
        text += f"\nHasil: {escape(result)}."
    return text


def skipped_notice(task_title: str, actor: str, note: str | None) -> str:
    reason = f": “{escape(note)}”" if note else "."
    return f"⏭ {escape(task_title)} dilewati oleh {escape(actor)}{reason}"


def joint_waiting_notice(task_title: str, actor: str, waiting: tuple[str, ...]) -> str:
    """A joint step: one position has acted; the others are asked to act too."""
    text = f"{escape(actor)} telah menyelesaikan bagiannya pada {escape(task_title)}."
    if waiting:
        text += f" Menunggu: {escape(', '.join(waiting))}."
    return text + " Lihat /tugas."


def signed_notice(actor: str) -> str:
    return (
        f"✍️ Draft telah disetujui dan ditandatangani oleh {escape(actor)}. {PERSETUJUAN_INTERNAL}"
    )


def outcome_line(
    action: str,
    actor: str,
    moment: datetime,
    tz: ZoneInfo,
    *,
    choice: str | None = None,
    on_behalf_of: str | None = None,
    acting_as: str | None = None,
) -> str:
    """The decision as the pressed message shows it: what, by whom (for whom), when.

    `acting_as`: the acting official's title ('Plh. Sekretaris')."""
    verbs = {
        AuditAction.SETUJUI.value: "✅ Disetujui",
        AuditAction.TANDATANGANI.value: "✍️ Disetujui & ditandatangani",
        AuditAction.KEMBALIKAN.value: "↩️ Dikembalikan",
        AuditAction.KIRIM.value: "📤 Dikirim",
        AuditAction.LEWATI.value: "⏭ Dilewati",
        AuditAction.SERAHKAN.value: "🤝 Diserahkan",
    }
    what = verbs.get(action, action)
    if action == AuditAction.PILIH.value and choice:
        what = f"☑️ Dipilih “{escape(choice)}”"
    elif choice:
        what += f" (“{escape(choice)}”)"
    who = escape(actor)
    if acting_as:
        who += f" ({escape(acting_as)})"
    if on_behalf_of:
        who += f" atas nama {escape(on_behalf_of)}"
    return f"{what} oleh {who}, {when_text(moment, tz)}."


def upload_received(document: DocumentView, missing: tuple[str, ...]) -> str:
    lines = [f"✅ Diterima: {document_caption(document)}."]
    if missing:
        lines.append(f"Masih diperlukan: {escape(', '.join(missing))}.")
    else:
        lines.append("Dokumen sudah lengkap. Tekan Kirim untuk meneruskan.")
    return "\n".join(lines)


def which_output() -> str:
    return "Berkas ini untuk output yang mana? Pilih di bawah."


def option_label(option: UploadOption, many_drafts: bool) -> str:
    label = option.name
    if many_drafts:
        label = f"#{option.draft.id} {label}"
    return label[:60]


def ask_return_reason(briefing: TaskBriefing) -> str:
    noun = "arahan" if briefing.task.jenis == TaskKind.KEPUTUSAN else "alasan pengembalian"
    return (
        f"↩️ Tulis {noun} untuk <b>{escape(briefing.task.judul)}</b> "
        f"(#{briefing.draft.id}) pada pesan berikutnya. Ketik /batal untuk membatalkan."
    )


def ask_choice_note(briefing: TaskBriefing, label: str, required: bool) -> str:
    """An outcome that asks for a note: required, or welcome (with a button to go on)."""
    task = f"<b>{escape(briefing.task.judul)}</b> (#{briefing.draft.id})"
    if required:
        return (
            f"☑️ “{escape(label)}” untuk {task}: tulis catatannya pada pesan berikutnya. "
            "Ketik /batal untuk membatalkan."
        )
    return (
        f"☑️ “{escape(label)}” untuk {task}: tulis catatan pada pesan berikutnya, atau tekan "
        f"{TANPA_CATATAN}. Ketik /batal untuk membatalkan."
    )


def ask_skip_reason(briefing: TaskBriefing) -> str:
    return (
        f"{LEWATI} <b>{escape(briefing.task.judul)}</b> (#{briefing.draft.id}): tulis "
        "alasannya pada pesan berikutnya. Ketik /batal untuk membatalkan."
    )


def returned_to_you(briefing: TaskBriefing) -> str:
    return f"↩️ Draft dikembalikan kepada Bapak/Ibu: {escape(briefing.task.judul)}."


NAME_THE_DRAFT = (
    "Ada banyak draft yang menunggu unggahan Bapak/Ibu. Kirim ulang berkasnya dengan nomor "
    "draft dan nama output di keterangan, misalnya: #12 Nota Dinas. Berkas tidak disimpan."
)
CHOICE_EXPIRED = "Pilihan ini sudah tidak berlaku. Kirim ulang berkasnya."
CHOICE_EXPIRED_NOTE = "Pilihan ini sudah tidak berlaku. Lihat /tugas."
FILE_NOT_FOUND = "Berkas ini tidak ditemukan."
EMPTY_FILE = "Berkasnya kosong (0 byte). Mohon kirim berkas yang benar. Berkas tidak disimpan."


def output_chosen(file_name: str, output: str) -> str:
    return f"Berkas {escape(file_name)}: {escape(output)}."


NOTE_TOO_LONG = (
    "Catatannya terlalu panjang ({length} huruf; paling banyak {limit}). Mohon ringkas dan "
    "kirim lagi. Belum ada yang berubah."
)
READY_TO_SUBMIT = "Dokumen sudah lengkap. Tekan Kirim untuk meneruskan."
TITLE_TOO_SHORT = "Judul draft terlalu pendek: tulis paling sedikit 3 huruf atau angka."
TITLE_TOO_LONG = "Judul draft terlalu panjang (paling banyak {limit} huruf)."


def returned_echo(line: str, note: str) -> str:
    """What the official who returned a task reads: the decision and their own note."""
    return f"{line}\nCatatan: {escape(note)}"


def draft_started(title: str, draft_id: int) -> str:
    return f"📋 Draft <b>{escape(title)}</b> dibuat (#{draft_id})."


def draft_finished(title: str, draft_id: int, result: str | None = None) -> str:
    if result:
        return f"🏁 Draft <b>{escape(title)}</b> (#{draft_id}) selesai: {escape(result)}."
    return f"🎉 Draft <b>{escape(title)}</b> (#{draft_id}) selesai."


# Reminders -------------------------------------------------------------------------------


def reminder_message(notice: ReminderNotice, tz: ZoneInfo) -> str:
    briefing = notice.briefing
    when = when_text(notice.due_at, tz)
    late = minutes_text(notice.late_minutes)
    lines = [
        draft_heading(briefing),
        f"<b>Langkah {escape(briefing.row_label)}: {escape(briefing.task.judul)}</b>",
    ]
    if notice.kind is ReminderKind.HAMPIR:
        lines.append(
            f"⏰ Pengingat: sisa waktu {minutes_text(notice.left_minutes)} kerja. "
            f"Batas waktu: {when}."
        )
    elif notice.kind is ReminderKind.JATUH_TEMPO:
        lines.append(f"⏰ Batas waktu sudah tiba ({when}). Mohon segera diselesaikan.")
    elif notice.kind is ReminderKind.TERLAMBAT:
        lines.append(
            f"⚠️ Terlambat {late} kerja dari batas waktu {when}. Mohon segera diselesaikan."
        )
    else:
        holders = ", ".join(p.name for p in briefing.holders) or "belum ada pemegang"
        lateness_text = f" dan sudah terlambat {late} kerja" if notice.late_minutes else ""
        lines.append(
            f"🔺 Eskalasi: batas waktu {when} terlewati{lateness_text}. "
            f"Pemegang tugas: {escape(holders)}."
        )
        return "\n".join(lines)
    lines.append("Lihat /tugas.")
    return "\n".join(lines)


# Status and history ----------------------------------------------------------------------


def status_message(
    views: list[DraftStatusView], tz: ZoneInfo, sop_titles: Mapping[str, str] | None = None
) -> str:
    """Where each draft stands; `sop_titles` (SOP id → title) names each draft's SOP. Each
    draft gets an equal share of one message, so that every one of them shows."""
    if not views:
        return NO_ACTIVE_DRAFTS
    share = MESSAGE_LIMIT // len(views) - 2
    blocks = []
    for view in views:
        draft = view.draft
        lines = [f"📋 <b>{escape(draft.title)}</b> ({draft_label(draft)})"]
        if view.agency is not None:
            lines.append(f"Instansi: {escape(view.agency)}")
        if sop_titles is not None:
            lines.append(f"SOP: {escape(sop_titles.get(draft.sop_id, draft.sop_id))}")
        if view.briefing is None:
            finished = f", {when_text(draft.finished_at, tz)}" if draft.finished_at else ""
            lines.append(f"Selesai{finished}.")
            if draft.result:
                lines.append(f"Hasil: {escape(draft.result)}")
        else:
            briefing = view.briefing
            holders = ", ".join(p.name for p in briefing.holders) or "belum ada pemegang"
            lines.append(f"Langkah {escape(briefing.row_label)}: {escape(briefing.task.judul)}")
            lines.append(f"Pemegang: {escape(holders)}")
            if briefing.pending_units:
                lines.append(f"Belum masuk: {escape(', '.join(briefing.pending_units))}")
            if briefing.meeting_at is not None:
                lines.append(
                    f"⏸ Rapat: {when_text(briefing.meeting_at, tz)} — waktu menunggu rapat "
                    "tidak dihitung"
                )
            if briefing.due_at is not None:
                lines.append(f"Batas waktu: {when_text(briefing.due_at, tz)}")
                lines.append(lateness(view))
        blocks.append(fit_html("\n".join(lines), share))
    return "\n\n".join(blocks)


def lateness(view: DraftStatusView) -> str:
    if view.minutes_late:
        return f"⚠️ Terlambat {minutes_text(view.minutes_late)} kerja"
    return f"⏳ Sisa waktu: {minutes_text(view.minutes_left)} kerja"


# Lists: /status and /tugas, summarised and paged ----------------------------------------

NO_ACTIVE_DRAFTS = "Tidak ada draft yang aktif."
NO_LATE_DRAFTS = "Tidak ada draft yang terlambat. 👍"
NO_LATE_TASKS = "Tidak ada tugas Bapak/Ibu yang terlambat. 👍"
STATUS_IN_FULL = 5
"""/status shows this many drafts (or fewer) each in full; more are summarised and paged."""
TASKS_ONE_BY_ONE = 5
"""/tugas sends this many tasks (or fewer) each as its own message with its buttons; more
are summarised and paged, each page with a button per task."""
FILTER_WORDS = {"terlambat": ListFilter.TERLAMBAT}
"""What may follow /status and /tugas besides a draft's number."""
ROW_LINES = 10
"""Rows of a summary (per SOP and row) named one by one; the rest are counted."""
LIST_TITLE = 60
LIST_NAMES = 40
"""Characters of a title, and of a task's title or holders' names, in a list's item."""
PAGE_FIRST = "⏮ {page}"
PAGE_BACK = "◀ {page}"
PAGE_NEXT = "{page} ▶"
PAGE_LAST = "{page} ⏭"
OPEN_TASK = "#{id}"
"""The button under a /tugas page that opens one draft's task with its buttons."""
LIST_NOT_YOURS = (
    "Daftar ini milik orang lain. Ketik /tugas atau /status untuk daftar Bapak/Ibu sendiri."
)


def number_text(number: int) -> str:
    """'2.010', as Indonesian writes thousands."""
    return f"{number:,}".replace(",", ".")


def bad_list_argument(command: str, text: str) -> str:
    """The refusal of what follows /status or /tugas (plain text: it is escaped later)."""
    return (
        f"“{clip(text, 20)}” bukan nomor draft. Contoh: /{command} 12, atau "
        f"/{command} terlambat untuk yang terlambat saja."
    )


def too_many_list_arguments(command: str) -> str:
    return (
        f"Sebutkan satu saja: nomor draft (/{command} 12) atau “terlambat” (/{command} terlambat)."
    )


def not_waiting_for_you(draft_id: int) -> str:
    return (
        f"Draft #{draft_id} tidak sedang menunggu tindakan Bapak/Ibu. "
        f"Lihat /status {draft_id} atau /tugas."
    )


def status_overview(found: ListPage, tz: ZoneInfo, sop_titles: Mapping[str, str]) -> str:
    """/status of many drafts: the counts per row, the most overdue, then one page."""
    if not found.matching:
        return NO_LATE_DRAFTS if found.total else NO_ACTIVE_DRAFTS
    heading = f"📊 <b>Draft aktif: {number_text(found.total)}</b>"
    items = [_status_item(line, tz) for line in found.items]
    what = "Draft terlambat" if found.filter is ListFilter.TERLAMBAT else "Draft"
    hint = "Rincian satu draft: /status &lt;nomor&gt;."
    return _overview(found, heading, sop_titles, what, items, hint)


def tasks_overview(found: ListPage, tz: ZoneInfo, sop_titles: Mapping[str, str]) -> str:
    """/tugas of many tasks: the counts per row, the most overdue, then one page."""
    if not found.matching:
        return NO_LATE_TASKS if found.total else NO_TASKS
    heading = f"📥 <b>Tugas yang menunggu Bapak/Ibu: {number_text(found.total)}</b>"
    items = [_task_item(line, tz) for line in found.items]
    what = "Tugas terlambat" if found.filter is ListFilter.TERLAMBAT else "Tugas"
    hint = (
        "Tekan nomor draft di bawah (atau ketik /tugas &lt;nomor&gt;) untuk membuka tugasnya "
        "dengan tombolnya."
    )
    return _overview(found, heading, sop_titles, what, items, hint)


def _overview(
    found: ListPage,
    heading: str,
    sop_titles: Mapping[str, str],
    what: str,
    items: list[str],
    hint: str,
) -> str:
    """The summary, then the page. Titles and names are cut short, so that it fits in one
    message; with very many SOPs and rows the summary names fewer rows until it does."""
    late = f"⚠️ Terlambat: {number_text(found.late)}" if found.late else "Tidak ada yang terlambat."
    first = found.first_number
    last = first + len(found.items) - 1
    span = number_text(first) if first == last else f"{number_text(first)}–{number_text(last)}"
    page = [
        "",
        f"<b>{what} {span} dari {number_text(found.matching)}</b>",
        *items,
        "",
        f"Halaman {number_text(found.page)}/{number_text(found.pages)}. {hint}",
    ]
    worst: list[str] = []
    if found.worst:
        worst = ["", "<b>Paling terlambat</b>"]
        worst += [f"• {_item_heading(line)} — {_late_text(line)}" for line in found.worst]
    for rows in (ROW_LINES, 3, 0):
        text = "\n".join([heading, late, "", *_tallies(found, sop_titles, rows), *worst, *page])
        if visible_len(text) <= MESSAGE_LIMIT:
            return text
    return fit_html(text)


def _tallies(found: ListPage, sop_titles: Mapping[str, str], most: int) -> list[str]:
    """Per SOP, each row's count (and late ones), `most` rows; then a count of the rest."""
    lines: list[str] = []
    shown = 0
    sop_id = None
    for tally in found.rows[:most]:
        if tally.sop_id != sop_id:
            sop_id = tally.sop_id
            title = clip(sop_titles.get(sop_id, sop_id), LIST_TITLE)
            lines.append(f"<b>{escape(title)}</b>")
        late = f" (⚠️ {number_text(tally.late)} terlambat)" if tally.late else ""
        lines.append(
            f"• Langkah {escape(clip(tally.row_label, 10))}: {number_text(tally.total)}{late}"
        )
        shown += 1
    if len(found.rows) > shown:
        rest = sum(t.total for t in found.rows[shown:])
        other = " lain" if shown else ""
        lines.append(
            f"• {number_text(len(found.rows) - shown)} langkah{other}: {number_text(rest)}"
        )
    return lines


def _item_heading(line: DraftLine) -> str:
    title = clip(line.draft.title, LIST_TITLE)
    return f"#{line.draft.id} {escape(title)}, L{escape(clip(line.row_label, 10))}"


def _late_text(line: DraftLine) -> str:
    if line.minutes_late:
        return f"⚠️ terlambat {minutes_text(line.minutes_late)} kerja"
    return "⚠️ lewat batas waktu"  # past it, but in no working minute yet (a weekend)


def _time_text(line: DraftLine, tz: ZoneInfo) -> str:
    if line.due_at is None:
        return "tanpa batas waktu"
    if line.late:
        return _late_text(line)
    if line.meeting_at is not None:
        return f"⏸ rapat {when_text(line.meeting_at, tz)}"
    return f"⏳ sisa {minutes_text(line.minutes_left)} kerja"


def _status_item(line: DraftLine, tz: ZoneInfo) -> str:
    task = escape(clip(line.task_title, LIST_NAMES))
    holders = escape(clip(", ".join(line.holders) or "belum ada pemegang", LIST_NAMES))
    return f"• {_item_heading(line)}: {task} · {holders} · {_time_text(line, tz)}"


def _task_item(line: DraftLine, tz: ZoneInfo) -> str:
    task = escape(clip(line.task_title, LIST_NAMES))
    return f"• {_item_heading(line)}: {task} · {_time_text(line, tz)}"


AUDIT_VERBS = {
    AuditAction.DIBUAT.value: "membuat draft",
    AuditAction.UNGGAH.value: "mengunggah",
    AuditAction.KIRIM.value: "mengirim",
    AuditAction.SETUJUI.value: "menyetujui",
    AuditAction.KEMBALIKAN.value: "mengembalikan",
    AuditAction.TANDATANGANI.value: "menyetujui & menandatangani",
    AuditAction.PILIH.value: "memilih",
    AuditAction.LEWATI.value: "melewati langkah ini",
    AuditAction.SERAHKAN.value: "menyerahkan",
    # A meeting's own actions (bot/usecases/meetings.py), and its participants' answers.
    "rapat_dijadwalkan": "menjadwalkan rapat",
    "rapat_diubah": "mengubah jadwal rapat",
    "rapat_dibatalkan": "membatalkan rapat",
    "hadir": "akan hadir di rapat",
    "tidak_hadir": "tidak akan hadir di rapat",
    "diwakilkan": "diwakilkan di rapat",
    "kehadiran": "tercatat dalam daftar hadir",
    # An acting period's start and end move open tasks (bot/usecases/acting.py).
    "tugas_dialihkan": "mengalihkan tugas",
    "tugas_kembali": "mengembalikan tugas",
}
"""What each action of the audit trail says, after the official's name."""

AUDIT_DECISIONS = frozenset(
    {
        AuditAction.SETUJUI.value,
        AuditAction.TANDATANGANI.value,
        AuditAction.KEMBALIKAN.value,
        AuditAction.PILIH.value,
    }
)
"""Decisions: an acting official takes them "a.n." (atas nama) the position."""


def acting_who(actor: str, acting: str | None, position: str) -> str:
    """Who acted, as the trail names them (plain text): 'Plh. Sekretaris, Citra' for an
    acting official, else the name."""
    return f"{acting} {position}, {actor}" if acting else actor


def trail_action(action: str, acting: str | None, position: str) -> str:
    """What the trail says was done (plain text); an acting official's decision is taken
    a.n. (on behalf of) the position: 'menyetujui a.n. Sekretaris'."""
    said = AUDIT_VERBS.get(action, action)
    if acting and action in AUDIT_DECISIONS:
        said += f" a.n. {position}"
    return said


def history_message(
    title: str,
    draft_id: int,
    lines: list[AuditLine],
    rows: tuple[RowTime, ...],
    tz: ZoneInfo,
    *,
    sop_title: str | None = None,
    chain_head: str | None = None,
    agency: str | None = None,
) -> str:
    out = [f"🗂 Riwayat <b>{escape(title)}</b> (#{draft_id})"]
    if agency is not None:
        out.append(f"Instansi: {escape(agency)}")
    if sop_title:
        out.append(f"SOP: {escape(sop_title)}")
    for line in lines:
        who = escape(acting_who(line.actor, line.acting, line.position_name))
        if line.on_behalf_of:
            who += f" atas nama {escape(line.on_behalf_of)}"
        entry = (
            f"• {when_text(line.at, tz)} — L{escape(line.row_label or str(line.row_no))} {who} "
        )
        entry += AUDIT_VERBS.get(line.action, line.action)
        if line.acting and line.action in AUDIT_DECISIONS:
            entry += f" a.n. {escape(line.position_name)}"
        if line.choice:
            entry += f" “{escape(line.choice)}”"
        if line.document is not None:
            entry += f" {document_caption(line.document)}"
        if line.note:
            entry += f": “{escape(line.note)}”"
        out.append(entry)
    if chain_head:
        out.append(chain_line(chain_head))
    if rows:
        out.append("")
        out.append("<b>Waktu per langkah</b> (menit kerja terpakai / mutu baku):")
        out.extend(row_time_line(row, tz) for row in rows)
    return "\n".join(out)


CHAIN_SHOWN = 16
"""How many hex digits of a trail's head hash /riwayat shows (64 bits: enough to compare)."""


def chain_line(head: str) -> str:
    """The head of the trail's hash chain: whoever notes it can later see the trail is the
    same (renja-bot audit verify)."""
    return f"🔗 Rantai jejak: <code>{escape(head[:CHAIN_SHOWN])}</code>"


def row_time_line(row: RowTime, tz: ZoneInfo) -> str:
    if row.left_at is None or row.minutes_used is None:
        line = f"• L{escape(row.row_label)}: berjalan, batas waktu {when_text(row.due_at, tz)}"
        if row.waiting_until is not None:
            line += f"; menunggu rapat sampai {when_text(row.waiting_until, tz)} (tidak dihitung)"
        return line
    how = "selesai" if row.completed else "dikembalikan"
    # "50 / 60 menit", or for a row written in other units "500 menit / 1 hari".
    used = (
        f"{row.minutes_used}"
        if row.standard_text.endswith(" menit")
        else (f"{row.minutes_used} menit")
    )
    line = f"• L{escape(row.row_label)}: {used} / {escape(row.standard_text)}, {how}"
    if row.minutes_used > row.standard_minutes:
        line += f" (lewat {row.minutes_used - row.standard_minutes} menit)"
    if row.waited_minutes:
        line += f"; menunggu rapat {row.waited_minutes} menit kerja, tidak dihitung"
    return line


def sop_message(sop: Sop) -> str:
    """The SOP as text: its identity, then row by row the pelaksana and the mutu baku."""
    ident = sop.identitas
    lines = [f"📘 <b>SOP {escape(ident.judul)}</b>"]
    for label, value in (
        ("Nomor", ident.nomor),
        ("Tanggal pembuatan", ident.tanggal_pembuatan),
        ("Tanggal revisi", ident.tanggal_revisi),
        ("Tanggal efektif", ident.tanggal_efektif),
        ("Disahkan oleh", ident.disahkan_oleh),
    ):
        if value:
            lines.append(f"{label}: {escape(value)}")
    for row in sop.langkah:
        who = ", ".join(sop.position(key).label for key in row.pelaksana)
        lines.append("")
        lines.append(f"<b>{escape(row.label)}. {escape(_shorten(row.aktivitas, 220))}</b>")
        lines.append(f"Pelaksana: {escape(who)}")
        if row.persyaratan:
            lines.append(f"Persyaratan: {escape(', '.join(row.persyaratan))}")
        outputs = ", ".join(row.output) or "-"
        lines.append(f"Waktu: {escape(row.waktu.text)} · Output: {escape(outputs)}")
        if row.keterangan:
            lines.append(f"Keterangan: {escape(_shorten(row.keterangan, 220))}")
    lines.append("")
    lines.append(f"<b>Jumlah waktu: {escape(sop.total_text)}</b>")
    return "\n".join(lines)


def sop_picture_caption(sop: Sop) -> str:
    return (
        f"🗺 Bagan alir SOP <b>{escape(sop.identitas.judul)}</b>\n"
        "Kapsul: mulai/selesai · persegi: proses · belah ketupat: keputusan · "
        "panah merah: dikembalikan. Ketuk gambar untuk memperbesar."
    )


NO_SOP_FOR_AGENCY = "Belum ada SOP yang dijalankan di instansi Bapak/Ibu."


def unknown_sop(sop_id: str, known: list[str]) -> str:
    """Plain text: shown on the command line, and escaped in a chat."""
    return f"SOP '{sop_id}' tidak ada. Pilihan: {', '.join(known)}."


# Refusals and hints -----------------------------------------------------------------------

REFUSALS = {
    Refusal.DRAFT_SELESAI: "Draft ini sudah selesai; tidak ada lagi yang dapat diubah.",
    Refusal.BUKAN_PEMEGANG: "Tugas ini untuk {jabatan}, bukan untuk Bapak/Ibu.",
    Refusal.AKSI_TIDAK_SESUAI: "Tindakan ini tidak sesuai dengan tugas “{tugas}”.",
    Refusal.DOKUMEN_TIDAK_DIMINTA: "{dokumen} tidak diminta pada tugas “{tugas}”.",
    Refusal.DOKUMEN_BELUM_LENGKAP: "Dokumen belum lengkap: {dokumen}.",
    Refusal.CATATAN_WAJIB: (
        "Catatan pengembalian wajib diisi (paling sedikit 3 huruf). Tulis alasannya, atau /batal."
    ),
    Refusal.UNIT_SUDAH_KIRIM: "{unit} sudah mengirim bagiannya.",
    Refusal.UNIT_TIDAK_JELAS: "Bapak/Ibu memegang beberapa unit ({unit}); hubungi admin.",
    Refusal.TIDAK_ADA_PEMEGANG: (
        "Belum ada pejabat terdaftar sebagai {jabatan}, jadi draft belum dapat diteruskan. "
        "Mohon minta admin mendaftarkannya."
    ),
    Refusal.RAPAT_BELUM_DIJADWALKAN: (
        "Rapat belum dijadwalkan. Tekan 📅 Jadwalkan rapat pada pesan tugas (/tugas); "
        "hasil rapat dikirim setelah rapat berlangsung."
    ),
    Refusal.RAPAT_BELUM_DIMULAI: (
        "Rapat belum berlangsung (lihat /rapat). Kirim hasilnya setelah rapat dimulai."
    ),
    Refusal.SUDAH_DILAKUKAN: (
        "Bagian {jabatan} pada tugas ini sudah tercatat. Menunggu: {menunggu}."
    ),
}


def refusal(error: ActionRefused) -> str:
    return REFUSALS[error.code].format(**{k: escape(v) for k, v in error.detail.items()})


def stale(error: StaleTask, tz: ZoneInfo) -> str:
    who = error.handled_by or "pejabat lain"
    when = f" pada {when_text(error.handled_at, tz)}" if error.handled_at else ""
    return f"Tugas “{error.task_title}” sudah ditangani oleh {who}{when}."


NOT_REGISTERED = (
    "Mohon maaf, Bapak/Ibu belum terdaftar di Renja Bot. Mohon hubungi admin BAPPEDA "
    "(Subbag. Rencana Kerja dan Monev) dan sebutkan ID Telegram Bapak/Ibu: <code>{id}</code>."
)
_ASK_NEW_LINK = "Mohon minta tautan baru ke admin."
NOT_REGISTERED_SHORT = "Bapak/Ibu belum terdaftar di Renja Bot. Hubungi admin BAPPEDA (ID: {id})."
INVITE_PROBLEMS = {
    InviteProblem.TIDAK_DIKENAL: f"Tautan undangan tidak dikenal. {_ASK_NEW_LINK}",
    InviteProblem.KEDALUWARSA: f"Tautan undangan sudah kedaluwarsa. {_ASK_NEW_LINK}",
    InviteProblem.SUDAH_DIPAKAI: f"Tautan undangan ini sudah dipakai. {_ASK_NEW_LINK}",
    InviteProblem.SUDAH_TERDAFTAR: "Bapak/Ibu sudah terdaftar pada jabatan ini.",
    InviteProblem.INSTANSI_LAIN: (
        "Bapak/Ibu sudah terdaftar di instansi lain, dan seorang pejabat terdaftar di satu "
        "instansi saja. Mohon hubungi admin."
    ),
}
DRAFT_NOT_FOUND = "Draft #{id} tidak ditemukan. Lihat /status untuk daftar draft."
NO_UPLOAD_EXPECTED = (
    "Saat ini tidak ada dokumen yang diminta dari Bapak/Ibu, jadi berkas tidak disimpan. "
    "Lihat /tugas."
)
WRONG_FILE_TYPE = (
    "Jenis berkas “{name}” tidak diterima. Kirim PDF, DOC/DOCX, XLS/XLSX, ODT/ODS, atau foto "
    "hasil pindai. Berkas tidak disimpan."
)
FILE_TOO_LARGE = "Berkas terlalu besar ({size}); batasnya {limit}. Berkas tidak disimpan."
DOWNLOAD_FAILED = (
    "Berkas tidak dapat diunduh dari Telegram saat ini, jadi belum disimpan. Mohon kirim "
    "ulang berkasnya sebentar lagi."
)
RETURN_CANCELLED = "Dibatalkan. Tidak ada yang berubah."
NOTHING_TO_CANCEL = "Tidak ada yang sedang menunggu. Tidak ada yang berubah."
UNKNOWN_COMMAND = "Perintah tidak dikenal. Ketik /bantuan untuk daftar perintah."
TEXT_HINT = "Renja Bot bekerja dengan tombol dan perintah. Ketik /tugas atau /bantuan."


def need_title(command: str, sop: Sop) -> str:
    example = sop.contoh_judul or f"{sop.identitas.judul.capitalize()} 2027"
    return f"Tulis judulnya: /{command} {escape(example)}"


NOTHING_TO_START = (
    "Tidak ada SOP yang dapat Bapak/Ibu mulai: draft dimulai oleh pemegang langkah pertamanya."
)
CHOOSE_SOP = "Draft SOP mana yang akan dimulai? Pilih di bawah."


def sop_of_other_agency(title: str) -> str:
    return f"SOP {escape(title)} tidak dijalankan di instansi Bapak/Ibu."


def cannot_start(title: str) -> str:
    return f"Draft SOP {escape(title)} dimulai oleh pemegang langkah pertamanya, bukan Bapak/Ibu."


def ask_title(sop: Sop) -> str:
    example = f", misalnya: {escape(sop.contoh_judul)}" if sop.contoh_judul else ""
    return (
        f"📋 <b>{escape(sop.identitas.judul)}</b>\nTulis judul draft{example}. "
        "/batal untuk membatalkan."
    )


NEED_DRAFT_ID = "Sebutkan nomor draft, misalnya: /riwayat 1"
NOT_A_NUMBER = "“{text}” bukan nomor draft. Contoh: /status 1"
NO_TASKS = "Tidak ada tugas yang menunggu Bapak/Ibu saat ini. 👍"
ONLY_ADMIN = "Perintah ini hanya untuk admin."
INVITE_USAGE = (
    "Cara pakai: /undang [instansi] &lt;jabatan&gt; [unit]. Instansi hanya disebut admin "
    "provinsi (kuncinya, misalnya dinkes). Jabatan: {positions}"
)
BUTTON_EXPIRED = "Tombol ini sudah tidak berlaku."
SOMETHING_WENT_WRONG = (
    "⚠️ Maaf, terjadi gangguan di Renja Bot. Mohon coba lagi sebentar lagi; bila terus "
    "terjadi, hubungi admin."
)
RECORDED = "Tercatat."
EDIT_IGNORED = (
    "Pesan yang diubah tidak diproses, jadi tidak ada yang berubah. Kirim pesan atau berkas "
    "baru bila perlu."
)
UNSUPPORTED_CONTENT = (
    "Renja Bot hanya menerima teks, perintah, berkas dokumen, dan foto hasil pindai. "
    "Ketik /bantuan."
)


def invite_created(link: str, label: str, expires: str, agency: str) -> str:
    return (
        f"🔗 Tautan undangan untuk <b>{escape(label)}</b>, {escape(agency)} (sekali pakai, "
        f"berlaku sampai {expires}):\n{escape(link)}"
    )


def welcome(name: str, positions: list[str]) -> str:
    held = ", ".join(positions) or "belum ada jabatan aktif"
    return (
        f"Selamat datang, {sapaan(name)}. Jabatan: {escape(held)}.\n"
        "Renja Bot akan memberi tahu bila ada tugas untuk Bapak/Ibu. Ketik /bantuan."
    )


@dataclass(frozen=True)
class CommandText:
    """One command as officials see it: in the menu, and in /bantuan."""

    name: str
    menu: str
    help: str
    who: str
    """'umum' (everyone, also before registering), 'pejabat' (every official),
    'pemrakarsa' (who may start a draft), 'pimpinan' (who may ask for reports), 'atasan'
    (administrators, and who holds a position's superior: they may set its acting official),
    'admin' (an agency's administrators and the province-level ones) or 'admin_provinsi'
    (only the province-level ones)."""


COMMANDS = (
    CommandText("start", "Mulai / daftar", "mulai, atau daftar dengan tautan undangan", "umum"),
    CommandText(
        "baru",
        "Mulai draft baru",
        "/baru — mulai draft baru dari SOP yang dapat Bapak/Ibu mulai",
        "pemrakarsa",
    ),
    CommandText(
        "tugas",
        "Tugas saya yang menunggu",
        "/tugas [nomor | terlambat] — tugas saya yang menunggu; satu draft dengan tombolnya, "
        "atau yang terlambat saja",
        "pejabat",
    ),
    CommandText(
        "status",
        "Posisi setiap draft",
        "/status [nomor | terlambat] — posisi setiap draft dan batas waktunya; satu draft, "
        "atau yang terlambat saja",
        "pejabat",
    ),
    CommandText(
        "riwayat", "Jejak audit draft", "/riwayat &lt;nomor&gt; — jejak audit draft", "pejabat"
    ),
    CommandText(
        "rapat",
        "Rapat dan jawaban peserta",
        "/rapat [nomor] — jadwal rapat dan jawaban setiap peserta",
        "pejabat",
    ),
    CommandText(
        "sop",
        "Bagan alir dan tabel SOP",
        "/sop [id] — bagan alir (gambar) dan tabel SOP",
        "pejabat",
    ),
    CommandText(
        "laporan",
        "Laporan kinerja (grafik, Excel)",
        "/laporan [sop] [periode] — laporan kinerja: waktu kerja per langkah terhadap mutu "
        "baku, grafik dan lembar kerja Excel",
        "pimpinan",
    ),
    CommandText(
        "batal", "Batalkan isian", "/batal — batalkan isian yang sedang ditunggu", "pejabat"
    ),
    CommandText(
        "plh",
        "Tetapkan Plh. suatu jabatan",
        "/plh &lt;jabatan&gt; &lt;nama&gt; &lt;sampai&gt; — tetapkan Plh. (pelaksana harian) "
        "yang menggantikan pemegang jabatan sampai akhir hari kerja tanggal itu, misalnya "
        "/plh sekretaris Citra 2026-12-04 (admin, atau atasan jabatan itu)",
        "atasan",
    ),
    CommandText(
        "plt",
        "Tetapkan Plt. suatu jabatan",
        "/plt &lt;jabatan&gt; &lt;nama&gt; &lt;sampai&gt; — sama, untuk Plt. (pelaksana tugas)",
        "atasan",
    ),
    CommandText("bantuan", "Bantuan", "/bantuan — bantuan ini", "umum"),
    CommandText(
        "undang",
        "Tautan pendaftaran pejabat",
        "/undang [instansi] &lt;jabatan&gt; [unit] — buat tautan pendaftaran pejabat",
        "admin",
    ),
    CommandText(
        "forum_grup",
        "Daftarkan grup forum",
        "/forum_grup [jabatan] [instansi] — (di grup) daftarkan grup Telegram Forum SKPD",
        "admin",
    ),
    CommandText(
        "kotak_keluar",
        "Pesan tertunda atau gagal",
        "/kotak_keluar — pesan yang menunggu atau gagal terkirim",
        "admin_provinsi",
    ),
)


def shortcut_command(name: str, sop: Sop) -> CommandText:
    """An SOP's own command that starts a draft of it (`perintah` in its file)."""
    title = sop.identitas.judul.capitalize()
    return CommandText(
        name, f"Mulai draft {title}", f"/{name} &lt;judul&gt; — mulai draft {escape(title)}", ""
    )


def commands_for(
    *,
    registered: bool,
    can_start: bool,
    is_admin: bool,
    shortcuts: Sequence[CommandText] = (),
    can_appoint: bool = False,
    is_province_admin: bool = False,
    can_report: bool = False,
) -> list[CommandText]:
    """The commands one person may use, in the order of the table; the SOPs' own starting
    commands (`shortcuts`) follow /baru for whoever may start. `can_appoint`: they hold the
    superior (atasan) of some position, and may set its acting official."""
    allowed = {"umum"}
    if registered:
        allowed.add("pejabat")
    if can_start:
        allowed.add("pemrakarsa")
    if is_admin or is_province_admin:
        allowed.update(("admin", "atasan"))
    if is_province_admin:
        allowed.add("admin_provinsi")
    if can_appoint:
        allowed.add("atasan")
    if can_report or is_admin or is_province_admin:
        allowed.add("pimpinan")
    found: list[CommandText] = []
    for command in COMMANDS:
        if command.who in allowed:
            found.append(command)
            if command.name == "baru":
                found.extend(shortcuts)
    return found


def help_message(
    can_start: bool,
    is_admin: bool,
    shortcuts: Sequence[CommandText] = (),
    *,
    can_appoint: bool = False,
    is_province_admin: bool = False,
    can_report: bool = False,
) -> str:
    lines = ["<b>Renja Bot</b> — SOP sebagai alur kerja Telegram"]
    commands = commands_for(
        registered=True,
        can_start=can_start,
        is_admin=is_admin,
        shortcuts=shortcuts,
        can_appoint=can_appoint,
        is_province_admin=is_province_admin,
        can_report=can_report,
    )
    for command in commands:
        if command.name not in ("start", "bantuan"):
            lines.append(command.help)
    lines.append("")
    lines.append("Dokumen dikirim sebagai berkas; keputusan diambil dengan tombol.")
    return "\n".join(lines)


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(1, size // 1024)} KB"


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# Delivery --------------------------------------------------------------------------------


def delivery_failed(name: str, chat_id: int, reason: str) -> str:
    """To the administrators: someone cannot be reached (told once, not per message)."""
    return (
        f"⚠️ Pesan untuk <b>{escape(name)}</b> (ID {chat_id}) tidak dapat dikirim: "
        f"{escape(_delivery_reason(reason))}\n"
        "Pesan berikutnya untuknya juga tertahan sampai ia membuka bot lagi (/start). "
        "Lihat /kotak_keluar."
    )


def _delivery_reason(reason: str) -> str:
    lowered = reason.lower()
    if "blocked" in lowered:
        return "bot diblokir oleh pengguna."
    if "deactivated" in lowered:
        return "akun Telegram-nya sudah dinonaktifkan."
    if "initiate" in lowered:
        return "ia belum pernah membuka bot (belum menekan Start)."
    if "chat not found" in lowered:
        return "obrolan tidak ditemukan."
    return reason


def outbox_report(report: OutboxReport, tz: ZoneInfo) -> str:
    """/kotak_keluar: how many messages wait or failed, and the newest of them."""
    waiting = report.counts.get("menunggu", 0)
    failed = report.counts.get("gagal", 0)
    sent = report.counts.get("terkirim", 0)
    lines = [
        f"📮 <b>Kotak keluar</b>: {waiting} menunggu, {failed} gagal, {sent} terkirim.",
    ]
    for line in report.lines:
        who = escape(line.recipient or str(line.chat_id))
        status = "⏳ menunggu" if line.status == "menunggu" else "❌ gagal"
        reason = f" — {escape(_delivery_reason(line.last_error))}" if line.last_error else ""
        lines.append(
            f"#{line.id} {status} untuk {who} ({when_text(line.created_at, tz)}, "
            f"{line.attempts} kali dicoba){reason}"
        )
    if failed:
        lines.append("Kirim ulang yang gagal dengan: renja-bot outbox retry ID")
    return "\n".join(lines)


# Meetings (rapat) --------------------------------------------------------------------------

HADIR = "✅ Hadir"
TIDAK_HADIR = "❌ Tidak hadir"
DIWAKILKAN = "👥 Diwakilkan"
JADWALKAN = "📅 Jadwalkan rapat"
UBAH_JADWAL = "🔁 Ubah jadwal"
BATALKAN_RAPAT = "🚫 Batalkan rapat"
KIRIM_UNDANGAN = "✅ Kirim undangan"
SIMPAN_JADWAL = "✅ Simpan jadwal baru"
YA_BATALKAN = "🚫 Ya, batalkan rapat"
TIDAK_JADI = "Tidak jadi"
TANPA_LAMPIRAN = "Tanpa lampiran"

ANSWER_LABELS = {
    "hadir": "✅ Hadir",
    "tidak_hadir": "❌ Tidak hadir",
    "diwakilkan": "👥 Diwakilkan",
}
NO_ANSWER = "⏳ Belum menjawab"
UNREACHABLE = "📵 Tidak dapat dihubungi"

TIME_EXAMPLES = "15/12/2026 09:00, 15-12-2026 9.00 atau besok 09:00"
WHEN_PROBLEMS = {
    "tidak_dipahami": f"Tanggal dan jam tidak dipahami. Tulis seperti {TIME_EXAMPLES}.",
    "tanggal_tidak_ada": "Tanggal atau jam itu tidak ada. Periksa lagi, misalnya 15/12/2026.",
    "sudah_lewat": "Waktu itu sudah lewat. Pilih waktu yang akan datang.",
    "bukan_hari_kerja": "{tanggal} bukan hari kerja{libur}. Pilih hari kerja.",
    "di_luar_jam_kerja": "Jam itu di luar jam kerja kantor ({jam_kerja}). Pilih jam kerja.",
}
TRY_AGAIN = "Silakan coba lagi, atau /batal untuk membatalkan."

MEETING_NOT_A_MEETING = "Tugas ini bukan rapat."
MEETING_NOT_ORGANISER = "Hanya pemegang tugas rapat ({jabatan}) yang dapat mengatur rapat ini."
MEETING_REPORT_INTERNAL = (
    "Ringkasan jawaban peserta hanya untuk pejabat penyelenggara. Jawaban Bapak/Ibu sendiri "
    "ada pada pesan undangan."
)
MEETING_NOT_INVITED = "Bapak/Ibu tidak termasuk peserta rapat ini."
MEETING_STARTED = "Rapat sudah dimulai; jadwal dan jawaban tidak dapat diubah lagi."
MEETING_CANCELLED_ALREADY = "Rapat ini sudah dibatalkan."
MEETING_DONE_ALREADY = "Rapat ini sudah selesai."
MEETING_NO_PARTICIPANTS = (
    "Belum ada peserta {jabatan} yang terdaftar. Daftarkan peserta dengan "
    '/undang {kunci} "nama instansi", lalu jadwalkan lagi.'
)
MEETING_NONE = "Belum ada rapat yang dijadwalkan. Lihat /tugas untuk menjadwalkan."
MEETING_USE_BUTTONS = "Pilih dengan tombol pada pesan di atas, atau /batal untuk membatalkan."
MEETING_INPUT_CANCELLED = "Pengaturan rapat dibatalkan. Tidak ada yang berubah."
MEETING_TEXT_TOO_SHORT = "Terlalu pendek: tulis paling sedikit 3 huruf atau angka. " + TRY_AGAIN
MEETING_TEXT_TOO_LONG = "Terlalu panjang (paling banyak {limit} huruf). " + TRY_AGAIN
GROUP_ONLY = "Kirim perintah ini di grup Telegram forum, bukan di obrolan pribadi."
NOTHING_CHANGED = "Tidak ada yang berubah."
CHOICE_GONE = "Pilihan ini sudah tidak berlaku. Mulai lagi dari /tugas atau /rapat."


def meeting_results_notice(task_title: str) -> str:
    return f"Hasil {escape(task_title)} telah dikirim. Terlampir dokumennya."


def when_refused(code: str, detail: dict[str, str]) -> str:
    libur = f" ({detail['libur']})" if detail.get("libur") else ""
    template = WHEN_PROBLEMS.get(code, WHEN_PROBLEMS["tidak_dipahami"])
    tanggal = detail.get("tanggal", "")
    if tanggal:  # an ISO date: shown as every other date, "Sabtu, 5 Desember 2026"
        tanggal = format_date(date.fromisoformat(tanggal), "EEEE, d MMMM y", locale="id")
    text = template.format(
        tanggal=escape(tanggal),
        libur=escape(libur),
        jam_kerja=escape(detail.get("jam_kerja", "")),
    )
    return f"{text} {TRY_AGAIN}"


def ask_meeting_time(task_title: str, current: str | None) -> str:
    lines = [f"📅 <b>{escape(task_title)}</b>"]
    if current:
        lines.append(f"Jadwal sekarang: {escape(current)}.")
    lines.append(
        f"Kapan rapat dimulai? Ketik tanggal dan jam, misalnya {TIME_EXAMPLES}, "
        "atau pilih hari di bawah. /batal untuk membatalkan."
    )
    return "\n".join(lines)


def ask_time_of_day(day: str) -> str:
    return f"Pukul berapa rapat dimulai pada {escape(day)}? Pilih jam, atau ketik tanggal dan jam."


ASK_PLACE = "Di mana rapat diadakan? Ketik tempatnya, misalnya: Aula BAPPEDA Lt. 2."
ASK_AGENDA = "Apa agenda rapat? Ketik agendanya (satu pesan)."


def ask_undangan(document: DocumentView) -> str:
    return (
        f"Lampirkan Undangan yang sudah diunggah ({document_caption(document)}) "
        "ke setiap undangan?"
    )


def meeting_details(view: MeetingView, tz: ZoneInfo) -> list[str]:
    start, end = local(view.starts_at, tz), local(view.ends_at, tz)
    return [
        f"🗓 {date_text(view.starts_at, tz)}",
        f"🕘 {start:%H:%M}–{end:%H:%M} {start.tzname() or ''}".rstrip(),
        f"📍 {escape(view.place)}",
        f"📝 Agenda: {escape(view.agenda)}",
        f"Penyelenggara: {escape(view.organiser)}, {escape(view.organiser_position)}",
    ]


def _meeting_heading(view: MeetingView) -> str:
    return f"<b>{escape(view.task_title)}</b>\n📋 {escape(view.draft.title)} (#{view.draft.id})"


def meeting_confirm(view: MeetingView, tz: ZoneInfo, participants: int, change: bool) -> str:
    what = "Jadwal baru" if change else "Undangan rapat"
    lines = [f"Periksa {what.lower()}:", _meeting_heading(view), *meeting_details(view, tz)]
    if view.undangan is not None and not change:
        lines.append(f"📎 {document_caption(view.undangan)}")
    lines.append("")
    lines.append(f"Akan dikirim kepada {participants} peserta. Kirim sekarang?")
    return "\n".join(lines)


def answer_line(answer: str | None, deputy: str | None, reconfirm: bool) -> str:
    if answer is None:
        return "Mohon konfirmasi kehadiran sebelum rapat dimulai."
    label = ANSWER_LABELS.get(answer, answer)
    if deputy:
        label += f": {escape(deputy)}"
    if reconfirm:
        return f"Jawaban Bapak/Ibu sebelumnya: {label}. Jadwal berubah: mohon konfirmasi ulang."
    return f"Jawaban Bapak/Ibu: {label}. Dapat diubah sampai rapat dimulai."


def invitation(
    view: MeetingView, tz: ZoneInfo, answer: str | None, deputy: str | None, reconfirm: bool
) -> str:
    return "\n".join(
        [
            "📨 <b>Undangan Rapat</b>",
            _meeting_heading(view),
            *meeting_details(view, tz),
            "",
            "Berkas kalender (.ics) terlampir: buka untuk menambahkannya ke kalender.",
            answer_line(answer, deputy, reconfirm),
        ]
    )


def meeting_changed(
    view: MeetingView, tz: ZoneInfo, answer: str | None, deputy: str | None
) -> str:
    return "\n".join(
        [
            "🔁 <b>Jadwal rapat diubah</b>",
            _meeting_heading(view),
            *meeting_details(view, tz),
            "",
            "Berkas kalender terlampir memperbarui jadwal di kalender Bapak/Ibu.",
            answer_line(answer, deputy, reconfirm=answer is not None),
        ]
    )


def meeting_cancelled(view: MeetingView, tz: ZoneInfo) -> str:
    return "\n".join(
        [
            "🚫 <b>Rapat dibatalkan</b>",
            _meeting_heading(view),
            f"Semula: {when_text(view.starts_at, tz)}, {escape(view.place)}.",
            "Berkas kalender terlampir menghapusnya dari kalender Bapak/Ibu.",
        ]
    )


def meeting_reminder(
    view: MeetingView,
    tz: ZoneInfo,
    kind: str,
    answer: str | None,
    deputy: str | None = None,
    reconfirm: bool = False,
) -> str:
    soon = "satu jam lagi" if kind == "rapat_sejam" else f"pada {date_text(view.starts_at, tz)}"
    lines = [f"⏰ <b>Pengingat rapat</b> — dimulai {soon}", _meeting_heading(view)]
    lines += meeting_details(view, tz)
    lines.append("")
    if answer is None:
        lines.append("Bapak/Ibu belum menjawab undangan ini. Mohon konfirmasi kehadiran.")
    else:
        lines.append(answer_line(answer, deputy, reconfirm))
    return "\n".join(lines)


def tally_line(invitees: tuple[InviteeView, ...] | list[InviteeView]) -> str:
    counts = {"hadir": 0, "diwakilkan": 0, "tidak_hadir": 0, None: 0}
    for invitee in invitees:
        counts[invitee.answer if invitee.answer in counts else None] += 1
    return (
        f"✅ Hadir {counts['hadir']} · 👥 Diwakilkan {counts['diwakilkan']} · "
        f"❌ Tidak hadir {counts['tidak_hadir']} · ⏳ Belum menjawab {counts[None]} "
        f"(dari {len(invitees)})"
    )


def group_post(view: MeetingView, tz: ZoneInfo, invitees: list[InviteeView]) -> str:
    if view.status == "dibatalkan":
        head = "🚫 <b>DIBATALKAN</b> — Rapat"
    elif view.status == "selesai":
        head = "✔️ <b>Selesai</b> — Rapat"
    else:
        head = "📨 <b>Undangan Rapat</b>"
    return "\n".join(
        [
            head,
            _meeting_heading(view),
            *meeting_details(view, tz),
            "",
            "<b>Kehadiran</b>: " + tally_line(invitees),
            "Undangan dan konfirmasi kehadiran dikirim ke obrolan pribadi setiap peserta.",
        ]
    )


def group_changed(view: MeetingView, tz: ZoneInfo) -> str:
    return (
        f"🔁 Jadwal <b>{escape(view.task_title)}</b> diubah: "
        f"{when_text(view.starts_at, tz)}, {escape(view.place)}."
    )


def group_cancelled(view: MeetingView, tz: ZoneInfo) -> str:
    return f"🚫 <b>{escape(view.task_title)}</b> pada {when_text(view.starts_at, tz)} dibatalkan."


def group_results(view: MeetingView) -> str:
    return f"📄 Hasil <b>{escape(view.task_title)}</b> ({escape(view.draft.title)}):"


def ask_deputy(view: MeetingView) -> str:
    return (
        f"Siapa yang mewakili Bapak/Ibu di <b>{escape(view.task_title)}</b>? Ketik nama dan "
        "jabatannya, misalnya: Budi Santoso, Kepala Seksi Program. /batal untuk membatalkan."
    )


def answer_recorded(answer: str, deputy: str | None) -> str:
    label = ANSWER_LABELS.get(answer, answer)
    if deputy:
        label += f": {escape(deputy)}"
    return f"Tercatat: {label}. Jawaban dapat diubah sampai rapat dimulai."


def meeting_scheduled(view: MeetingView, tz: ZoneInfo, participants: int, change: bool) -> str:
    what = "Jadwal baru dikirim" if change else "Undangan dikirim"
    return (
        f"✅ {what} kepada {participants} peserta: {when_text(view.starts_at, tz)}, "
        f"{escape(view.place)}.\nPantau jawaban mereka dengan /rapat {view.draft.id}."
    )


def meeting_cancel_question(view: MeetingView, tz: ZoneInfo) -> str:
    return (
        f"Batalkan <b>{escape(view.task_title)}</b> pada {when_text(view.starts_at, tz)}? "
        "Semua peserta akan diberi tahu."
    )


def meeting_cancelled_for_organiser(view: MeetingView) -> str:
    return (
        f"🚫 Rapat dibatalkan dan peserta diberi tahu. Jadwalkan lagi dengan tombol "
        f"{JADWALKAN} pada /rapat {view.draft.id}."
    )


def meeting_report(report: MeetingReport, tz: ZoneInfo) -> str:
    view = report.meeting
    status = {
        "dijadwalkan": "dimulai" if report.started else "terjadwal",
        "dibatalkan": "dibatalkan",
        "selesai": "selesai",
    }.get(view.status, view.status)
    lines = [
        f"🗓 <b>Rapat</b> ({status})",
        _meeting_heading(view),
        *meeting_details(view, tz),
        "",
        tally_line(report.invitees),
    ]
    groups: list[tuple[str, list[str]]] = [
        (ANSWER_LABELS["hadir"], []),
        (ANSWER_LABELS["diwakilkan"], []),
        (ANSWER_LABELS["tidak_hadir"], []),
        (NO_ANSWER, []),
        (UNREACHABLE, []),
    ]
    slots = {"hadir": 0, "diwakilkan": 1, "tidak_hadir": 2}
    for invitee in report.invitees:
        who = escape(invitee.name)
        if invitee.unit:
            who += f" — {escape(invitee.unit)}"
        if invitee.deputy:
            who += f" (diwakili {escape(invitee.deputy)})"
        if invitee.reconfirm:
            who += " (belum konfirmasi ulang)"
        if invitee.reachable is False:
            groups[4][1].append(who)
        else:
            groups[slots.get(invitee.answer or "", 3)][1].append(who)
    for label, names in groups:
        if names:
            lines.append("")
            lines.append(f"<b>{label}</b> ({len(names)})")
            lines.extend(f"• {name}" for name in names)
    if groups[4][1]:
        lines.append(
            "Telegram tidak mengizinkan bot menulis lebih dulu kepada orang yang belum pernah "
            "membuka bot atau yang memblokirnya. Kirimkan kepada mereka tautan bot (atau "
            "tautan /undang): begitu mereka menekan Start, undangan terkirim."
        )
    return "\n".join(lines)


def group_registered(title: str, position: str) -> str:
    return f"✅ Grup “{escape(title)}” terdaftar sebagai grup {escape(position)}."


# Acting officials (Plh., Plt.) ------------------------------------------------------------

TETAPKAN = "✅ Tetapkan"
BATAL_USULAN = "❌ Batal"
_NOTHING_CHANGED = "Tidak ada yang berubah."
_ACTING_NAMES = {"Plh.": "pelaksana harian", "Plt.": "pelaksana tugas"}

# Refusals are plain text (handlers/common.py escapes them).


def acting_usage(acting: str, positions: Sequence[str]) -> str:
    command = "/" + acting.lower().rstrip(".")
    return (
        f"Cara pakai: {command} <jabatan> <nama> <sampai>, misalnya {command} sekretaris "
        f"Citra 2026-12-04. Tanggal ditulis YYYY-MM-DD atau DD-MM-YYYY; {acting} berlaku "
        f"sejak ditetapkan sampai akhir hari kerja tanggal itu. Jabatan: {', '.join(positions)}."
    )


def acting_unknown_position(words: str, positions: Sequence[str]) -> str:
    return (
        f"Jabatan tidak dikenal di “{words}”: tulis jabatan dahulu, lalu nama dan tanggal. "
        f"Jabatan: {', '.join(positions)}. {_NOTHING_CHANGED}"
    )


def acting_not_allowed(acting: str, position: str, superiors: Sequence[str]) -> str:
    who = f"admin atau atasan {position} ({', '.join(superiors)})" if superiors else "admin"
    return f"Hanya {who} yang dapat menetapkan {acting} {position}. {_NOTHING_CHANGED}"


def acting_many_holders(acting: str, position: str) -> str:
    return (
        f"{position} dipegang beberapa orang: {acting} ditetapkan untuk jabatan yang dipegang "
        f"satu orang (atau satu orang per unit). {_NOTHING_CHANGED}"
    )


def acting_need_unit(acting: str, position: str, units: Sequence[str]) -> str:
    command = "/" + acting.lower().rstrip(".")
    return (
        f"{position} dipegang per unit: sebutkan unitnya sesudah jabatan, misalnya {command} "
        f"kabid ekonomi <nama> <sampai>. Unit: {', '.join(units)}. {_NOTHING_CHANGED}"
    )


def acting_no_holder(position: str, unit: str | None) -> str:
    where = f" {unit}" if unit else ""
    return (
        f"Belum ada pejabat yang memegang {position}{where}, jadi tidak ada yang digantikan. "
        f"{_NOTHING_CHANGED}"
    )


def acting_bad_day(text: str) -> str:
    return (
        f"Tanggal “{text}” tidak dipahami. Tulis YYYY-MM-DD atau DD-MM-YYYY, misalnya "
        f"2026-12-04 atau 04-12-2026. {_NOTHING_CHANGED}"
    )


def acting_past_day(day: date, acting: str) -> str:
    said = format_date(day, "EEEE, d MMMM y", locale="id")
    return (
        f"{said} sudah lewat: {acting} berlaku sampai akhir hari kerja tanggal itu, dan hari "
        f"kerja itu sudah berakhir. Sebutkan tanggal sesudahnya. {_NOTHING_CHANGED}"
    )


def acting_unknown_person(name: str, names: Sequence[str]) -> str:
    return (
        f"Tidak ada pejabat terdaftar bernama “{name}”. Pejabat kantor: {', '.join(names)}. "
        f"{_NOTHING_CHANGED}"
    )


def acting_ambiguous_person(name: str, names: Sequence[str]) -> str:
    return (
        f"“{name}” cocok dengan beberapa pejabat: {', '.join(names)}. Tulis nama lengkapnya. "
        f"{_NOTHING_CHANGED}"
    )


def acting_is_holder(name: str, acting: str, position: str) -> str:
    return (
        f"{name} adalah pemegang jabatan {position} itu sendiri: {acting} menggantikan "
        f"pemegang jabatan, jadi sebutkan pejabat lain. {_NOTHING_CHANGED}"
    )


def acting_overlap(acting: str, position: str, name: str, until: datetime, tz: ZoneInfo) -> str:
    return (
        f"Sudah ada {acting} {position} pada masa itu: {name}, sampai {when_text(until, tz)}. "
        f"Masa {acting} tidak boleh bertumpuk. {_NOTHING_CHANGED}"
    )


ACTING_NOT_PROPOSER = (
    "Hanya pengusul penetapan ini yang dapat menetapkan atau membatalkannya. " + _NOTHING_CHANGED
)
ACTING_DECIDED = "Usulan ini sudah ditetapkan atau dibatalkan. " + _NOTHING_CHANGED
ACTING_PERSON_GONE = "Pejabat yang diusulkan tidak lagi aktif. " + _NOTHING_CHANGED
ACTING_HOLDER_GONE = (
    "Pemegang jabatan yang akan digantikan sudah berubah. Usulkan lagi. " + _NOTHING_CHANGED
)
ACTING_CANCELLED_LINE = f"<b>❌ Dibatalkan.</b> {_NOTHING_CHANGED}"


def acting_title(view: ActingView) -> str:
    """'Plh. Sekretaris' (HTML)."""
    return f"{escape(view.acting)} {escape(view.position)}"


def acting_summary(view: ActingView, tz: ZoneInfo) -> str:
    """The proposal, with ✅ Tetapkan / ❌ Batal under it."""
    kind = _ACTING_NAMES.get(view.acting, view.acting)
    position = escape(view.position)
    return "\n".join(
        [
            f"👤 <b>Penetapan {acting_title(view)}</b> ({kind})",
            f"{escape(view.acting)}: {escape(view.official.name)}",
            f"Menggantikan: {escape(view.holder.name)} ({position})",
            "Mulai: saat ditetapkan",
            f"Sampai: {when_text(view.valid_until, tz)} (akhir hari kerja)",
            "",
            f"Selama itu tugas baru, pengingat dan eskalasi {position} ditujukan kepada "
            f"{escape(view.official.name)}; tugas {position} yang sedang terbuka dialihkan "
            f"kepadanya, lalu kembali kepada {escape(view.holder.name)} setelah masa itu "
            "berakhir. Tetapkan?",
        ]
    )


def acting_set_line(by: str | None, moment: datetime, tz: ZoneInfo) -> str:
    who = f" oleh {escape(by)}" if by else ""
    return f"<b>✅ Ditetapkan{who}, {when_text(moment, tz)}.</b>"


def _task_list(tasks: Sequence[TaskBriefing]) -> list[str]:
    return [f"• {escape(t.task.judul)} — {escape(t.draft.title)} (#{t.draft.id})" for t in tasks]


def _acting_notice(
    heading: str, sentence: str, tasks_heading: str, tasks: Sequence[TaskBriefing]
) -> str:
    """A notice of an acting period: its heading, what changes, and the tasks that moved."""
    lines = [f"👤 <b>{heading}</b>", sentence]
    if tasks:
        lines.append(tasks_heading)
        lines += _task_list(tasks)
    return "\n".join(lines)


def acting_moved_note(view: ActingView, set_by: str | None, tz: ZoneInfo) -> str:
    """The trail's note when a period starts (plain text): to whom the task went, until when,
    and who set the period."""
    note = (
        f"kepada {acting_who(view.official.name, view.acting, view.position)} menggantikan "
        f"{view.holder.name} sampai {when_text(view.valid_until, tz)}"
    )
    return f"{note}; ditetapkan oleh {set_by}" if set_by else note


def acting_returned_note(view: ActingView) -> str:
    """The trail's note when a period ends (plain text)."""
    who = acting_who(view.official.name, view.acting, view.position)
    return f"kepada {view.holder.name}; masa {who} berakhir"


def acting_started_for_holder(view: ActingView, left: Sequence[TaskBriefing], tz: ZoneInfo) -> str:
    """To the holder when the period starts: who acts for them, until when, what moved."""
    return _acting_notice(
        acting_title(view),
        f"{escape(view.official.name)} ditetapkan sebagai {acting_title(view)} menggantikan "
        f"Bapak/Ibu sampai {when_text(view.valid_until, tz)}. Selama itu tugas, pengingat dan "
        f"eskalasi {escape(view.position)} ditujukan kepadanya.",
        "Tugas yang dialihkan kepadanya (tombolnya di sini tidak berlaku lagi):",
        left,
    )


def acting_started_for_official(
    view: ActingView, gained: Sequence[TaskBriefing], tz: ZoneInfo
) -> str:
    """To the acting official when the period starts; the tasks' messages follow."""
    return _acting_notice(
        acting_title(view),
        f"{sapaan(view.official.name)} ditetapkan sebagai {acting_title(view)} menggantikan "
        f"{escape(view.holder.name)} sampai {when_text(view.valid_until, tz)}. Selama itu "
        f"tugas {escape(view.position)} ditujukan kepada Bapak/Ibu; keputusan Bapak/Ibu "
        f"tercatat sebagai {acting_title(view)}.",
        "Tugas yang dialihkan kepada Bapak/Ibu (pesannya menyusul):",
        gained,
    )


def acting_ended_for_holder(view: ActingView, gained: Sequence[TaskBriefing], tz: ZoneInfo) -> str:
    """To the holder when the period ends; their tasks' messages follow."""
    return _acting_notice(
        f"{acting_title(view)} berakhir",
        f"Masa {escape(view.official.name)} sebagai {acting_title(view)} berakhir "
        f"({when_text(view.valid_until, tz)}). Tugas {escape(view.position)} kembali kepada "
        "Bapak/Ibu.",
        "Tugas yang kembali kepada Bapak/Ibu (pesannya menyusul):",
        gained,
    )


def acting_ended_for_official(view: ActingView, left: Sequence[TaskBriefing], tz: ZoneInfo) -> str:
    """To the acting official when the period ends."""
    return _acting_notice(
        f"{acting_title(view)} berakhir",
        f"Masa Bapak/Ibu sebagai {acting_title(view)} berakhir "
        f"({when_text(view.valid_until, tz)}). Terima kasih.",
        f"Tugas yang kembali kepada {escape(view.holder.name)} (tombolnya di sini tidak "
        "berlaku lagi):",
        left,
    )


# The command line: the trail's check, dossiers and backups (plain text, not HTML) ----------


def _short(digest: str) -> str:
    return f"{digest[:CHAIN_SHOWN]}…" if digest else "(kosong)"


def entry_problem(problem: EntryProblem) -> str:
    """The first thing wrong in one draft's chain, named so that it can be found."""
    where = f"Draft #{problem.draft_id}, entri #{problem.entry_id}"
    before = (
        f"setelah entri #{problem.after_entry_id}"
        if problem.after_entry_id is not None
        else "di awal rantai"
    )
    if problem.flaw == Flaw.ISI_DIUBAH:
        return (
            f"{where}: isi entri diubah (hash tercatat {_short(problem.expected)}, "
            f"hash isinya sekarang {_short(problem.found)})."
        )
    if problem.flaw == Flaw.RANTAI_PUTUS and problem.found == problem.expected:
        return (
            f"{where}: rantai putus {before} — entri ini ditambahkan di luar bot, sesudah "
            f"entri terakhir yang tercatat di draft (kepala rantai {_short(problem.expected)})."
        )
    if problem.flaw == Flaw.RANTAI_PUTUS:
        return (
            f"{where}: rantai putus {before} — ada entri yang dihapus atau disisipkan "
            f"(entri ini menyambung ke {_short(problem.found)}, "
            f"seharusnya ke {_short(problem.expected)})."
        )
    if problem.after_entry_id is None:
        return (
            f"Draft #{problem.draft_id}: semua entri jejaknya hilang "
            f"(kepala rantai tercatat {_short(problem.expected)})."
        )
    return (
        f"Draft #{problem.draft_id}: rantai putus di ujung, {before} — entri terakhir dihapus "
        f"(kepala rantai tercatat {_short(problem.expected)}, "
        f"entri terakhir yang ada {_short(problem.found)})."
    )


def file_problem(problem: FileProblem) -> str:
    where = (
        f"Draft #{problem.draft_id}, berkas versi #{problem.version_id} "
        f"({problem.document} v{problem.version}, “{problem.file_name}”, {problem.stored_path})"
    )
    if problem.flaw == Flaw.BERKAS_HILANG:
        return f"{where}: berkas hilang dari arsip."
    return (
        f"{where}: isi berkas berubah (SHA-256 tercatat {_short(problem.expected)}, "
        f"berkas sekarang {_short(problem.found)})."
    )


def audit_check(check: Check) -> list[str]:
    """What `renja-bot audit verify` prints: every problem, then the verdict."""
    lines = [entry_problem(p) for p in check.entry_problems]
    lines += [file_problem(p) for p in check.file_problems]
    if check.sound:
        return [
            f"Jejak audit utuh: {check.drafts} draft, {check.entries} entri, setiap rantai "
            "bersambung.",
            f"Arsip berkas utuh: {check.files} berkas cocok dengan SHA-256 tercatat.",
        ]
    broken = len(check.entry_problems)
    files = len(check.file_problems)
    lines.append(
        f"TIDAK UTUH: {broken} rantai jejak rusak, {files} berkas tidak cocok "
        f"(diperiksa {check.drafts} draft, {check.entries} entri, {check.files} berkas)."
    )
    return lines


NOT_UP_TO_DATE = (
    "Basis data {url} belum ada atau belum diperbarui. Jalankan dulu: renja-bot db upgrade"
)
DRAFT_NOT_FOUND_CLI = "Draft #{id} tidak ada. Lihat daftar draft dengan /status di Telegram."
EXPORT_NAME = "Nama berkas dosir harus berakhiran .zip: {path}"
ALREADY_THERE = "{path} sudah ada: pilih nama lain, atau tambahkan --force."


def dossier_written(summary: DossierSummary) -> list[str]:
    lines = [
        f"Dosir draft #{summary.draft_id} tersimpan: {summary.path} — {summary.entries} entri "
        f"jejak, {summary.documents} versi dokumen, {summary.members} berkas dalam ZIP "
        f"(SHA-256 masing-masing di {summary.manifest}).",
        f"Rantai jejak: {summary.chain_head}",
    ]
    if summary.chain_problem is not None:
        lines.append(f"PERINGATAN: {entry_problem(summary.chain_problem)}")
    lines += [f"PERINGATAN: {file_problem(p)}" for p in summary.file_problems]
    return lines


NOT_SQLITE = (
    "DATABASE_URL bukan berkas SQLite ({url}). Untuk PostgreSQL gunakan pg_dump (cadangan) "
    "dan pg_restore (pemulihan), dan salin folder FILES_DIR bersama cadangannya."
)
BACKUP_NAME = "Nama berkas cadangan harus berakhiran .tar, .tar.gz, atau .tgz: {path}"
NO_DATABASE = "Basis data {path} belum ada: tidak ada yang dicadangkan."
RESTORE_TARGET_HAS_DATA = (
    "Basis data {path} sudah berisi data. Pulihkan ke lokasi lain (atur DATABASE_URL dan "
    "FILES_DIR), atau tambahkan --force untuk menimpanya."
)


def bot_running(lock: str, holder: str) -> str:
    pid = f" (PID {holder})" if holder.isdigit() else ""
    return (
        f"Bot sedang berjalan pada basis data ini{pid}: kunci {lock} sedang dipegang. "
        "Hentikan bot dulu (mis. systemctl stop renja-bot), lalu ulangi. Tidak ada yang diubah."
    )


def bot_already_running(lock: str, holder: str) -> str:
    pid = f" (PID {holder})" if holder.isdigit() else ""
    return (
        f"Bot lain atau pemulihan cadangan sedang berjalan pada basis data ini{pid}: kunci "
        f"{lock} sedang dipegang. Bot tidak dijalankan dua kali."
    )


BAD_BACKUP = {
    "bukan_cadangan": "{path} bukan berkas cadangan Renja Bot (tar) yang dapat dibaca.",
    "isi_asing": "{path} memuat “{member}”, yang bukan bagian cadangan Renja Bot.",
    "tanpa_manifest": "{path} tidak memuat MANIFEST.sha256: cadangan tidak lengkap.",
    "kurang": "{path} tidak memuat “{member}” yang tercantum di manifesnya: cadangan rusak.",
    "rusak": "Isi “{member}” di {path} tidak cocok dengan SHA-256 di manifesnya: cadangan rusak.",
    "basis_data_rusak": "Basis data di {path} rusak (integrity_check: {member}).",
}
"""Why a backup cannot be restored; nothing was changed."""


def backup_made(made: BackupMade) -> str:
    return (
        f"Cadangan tersimpan: {made.path} ({size_text(made.backup_bytes)}) — basis data "
        f"{size_text(made.database_bytes)} dan {made.files} berkas arsip, dengan "
        "MANIFEST.sha256."
    )


def restored(done: Restored) -> list[str]:
    return [
        f"Cadangan dipulihkan ke {done.database}: {done.files_written} berkas arsip ditulis, "
        f"{done.files_kept} sudah ada dan sama.",
        "Selanjutnya: renja-bot db upgrade, lalu renja-bot audit verify.",
    ]


# Performance reports -----------------------------------------------------------------------

REPORT_USAGE = (
    "Cara pakai: /laporan [sop] [periode], misalnya /laporan renja 2026 atau "
    "/laporan 2026-03. Periode: 2026, 2026-03 atau 2026-01-01..2026-06-30 "
    "(bawaan: tahun ini); SOP: id-nya atau perintahnya (bawaan: semua SOP)."
)


def report_not_allowed(positions: Sequence[str]) -> str:
    """Plain text: who may ask for /laporan (the reporting positions' names)."""
    if not positions:
        who = "admin"
    else:
        names = positions[0]
        if len(positions) > 1:
            names = f"{', '.join(positions[:-1])} dan {positions[-1]}"
        who = f"{names} (termasuk Plh./Plt.) serta admin"
    return f"Laporan kinerja hanya untuk {who}. Tidak ada yang berubah."


def unknown_report_sop(text: str, known: Sequence[str]) -> str:
    """Plain text: an SOP /laporan does not know."""
    return (
        f"SOP '{text[:40]}' tidak ada. Pilihan: {', '.join(known)}. "
        "Periode ditulis dengan angka, misalnya 2026 atau 2026-03."
    )


def decimal_text(value: float) -> str:
    """'45', '45,5' (Indonesian decimal comma)."""
    if value == int(value):
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


def percent_text(fraction: float) -> str:
    return f"{round(fraction * 100)}%"


def period_text(period: Period) -> str:
    """'1 Januari 2026 – 31 Desember 2026' (one day: '15 Maret 2026')."""
    start = format_date(period.start, "d MMMM y", locale="id")
    if period.start == period.end:
        return start
    return f"{start} – {format_date(period.end, 'd MMMM y', locale='id')}"


def report_title(report: ReportView) -> str:
    if len(report.sops) == 1:
        return f"SOP {report.sops[0][1]}"
    if report.sops:
        return f"{len(report.sops)} SOP"
    return "semua SOP"


def _standard(standard_text: str, minutes: int) -> str:
    """'60 menit', or for a row written otherwise '1 hari ≈ 480 menit'."""
    if standard_text == f"{minutes} menit":
        return escape(standard_text)
    return f"{escape(standard_text)} ≈ {minutes} menit"


def _row_name(line: RowLine, many: bool) -> str:
    name = f"L{escape(line.row_label)}"
    if many:
        name += f" {escape(line.sop_title)}"
    return name


def report_message(report: ReportView, tz: ZoneInfo, *, files_follow: bool = True) -> str:
    """The text of /laporan (and, without tags, of `renja-bot laporan`); `files_follow`:
    the chart and the workbook are sent after it."""
    lines = [f"📊 <b>Laporan kinerja — {escape(report_title(report))}</b>"]
    lines.append(f"Periode: {period_text(report.period)} (draft yang dimulai pada periode ini)")
    if report.empty:
        lines.append("Belum ada draft yang dimulai pada periode ini.")
        return "\n".join(lines)
    running = report.drafts - report.finished
    lines.append(f"Draft: {report.drafts} ({report.finished} selesai, {running} berjalan)")
    many = len(report.sops) > 1
    lines.append("")
    lines.append("<b>Waktu kerja per langkah</b> (menit kerja: median · p90, terhadap mutu baku):")
    if not report.rows:
        lines.append("Belum ada langkah yang selesai.")
    shown_sop = None
    for line in report.rows:
        if many and line.sop_id != shown_sop:
            shown_sop = line.sop_id
            lines.append(f"<i>{escape(line.sop_title)}</i>")
        stats = line.stats
        lines.append(
            f"• L{escape(line.row_label)} ({_standard(line.standard_text, stats.standard)}): "
            f"median {decimal_text(stats.median)} · p90 {stats.p90} — "
            f"{stats.on_time} dari {stats.count} tepat waktu "
            f"({percent_text(stats.share_on_time)})"
        )
    if report.slowest:
        lines.append("")
        lines.append("<b>Langkah paling lambat</b> (median terhadap mutu baku):")
        for number, line in enumerate(report.slowest, 1):
            stats = line.stats
            lines.append(
                f"{number}. {_row_name(line, many)} {escape(_shorten(line.activity, 60))} — "
                f"median {decimal_text(stats.median)} menit kerja = "
                f"{percent_text(stats.median_ratio)} dari {stats.standard} menit"
            )
    if report.positions:
        lines.append("")
        lines.append("<b>Jabatan paling lama</b> (median menit kerja per giliran tugas):")
        for number, position in enumerate(report.positions[:3], 1):
            figures = position.stats
            lines.append(
                f"{number}. {escape(position.label)} — {decimal_text(figures.median)} menit "
                f"({figures.count} giliran, jumlah {minutes_text(figures.total)})"
            )
    lines.append("")
    if report.open_drafts:
        lines.append(f"<b>Draft yang masih berjalan</b> ({len(report.open_drafts)}):")
        for draft in report.open_drafts:
            holders = ", ".join(draft.holders) or "belum ada pemegang"
            lines.append(
                f"• {escape(draft.title)} (#{draft.draft_id}) — L{escape(draft.row_label)}: "
                f"{escape(draft.task_title)}; pemegang: {escape(holders)}"
            )
            due = when_text(draft.due_at, tz)
            if draft.late_minutes:
                lines.append(
                    f"  ⚠️ Terlambat {minutes_text(draft.late_minutes)} kerja (batas {due})"
                )
            else:
                lines.append(
                    f"  ⏳ Sisa waktu {minutes_text(draft.left_minutes)} kerja (batas {due})"
                )
    else:
        lines.append("Tidak ada draft periode ini yang masih berjalan.")
    lines.append("")
    lines.append(
        "Median: nilai tengah. p90: peringkat terdekat, nilai ke-⌈0,9·n⌉ dari yang terkecil. "
        "Tepat waktu: menit kerja ≤ mutu baku. Waktu menunggu rapat tidak dihitung."
    )
    if files_follow:
        lines.append("📎 Grafik (PNG) dan lembar kerja Excel menyusul.")
    return "\n".join(lines)


def report_chart_caption(report: ReportView) -> str:
    return (
        f"📈 Waktu kerja per langkah — {escape(report_title(report))}, "
        f"{period_text(report.period)}. Batang: median; garis: sampai p90; "
        "garis merah: mutu baku (100%)."
    )


def report_workbook_caption(report: ReportView) -> str:
    return (
        f"📒 Lembar kerja {escape(report_title(report))}, {period_text(report.period)}: "
        "Ringkasan (per langkah), Langkah (setiap langkah setiap draft), Jejak (jejak audit)."
    )


def draft_time_message(view: DraftTimeView) -> str:
    """To the draft's creator when it is finished: its working minutes, row by row."""
    time = view.time
    lines = [
        f"⏱ <b>Ringkasan waktu</b> {escape(view.title)} (#{view.draft_id})",
        f"SOP {escape(view.sop_title)}"
        + (f" — ditandatangani oleh {escape(view.signed_by)}." if view.signed_by else "."),
    ]
    total = f"Jumlah: {time.minutes} menit kerja dari mutu baku {time.standard} menit"
    if view.total_text != f"{time.standard} menit":
        total += f" (jumlah waktu SOP: {escape(view.total_text)})"
    if time.minutes > time.standard:
        total += f" — lewat {minutes_text(time.minutes - time.standard)}."
    else:
        total += " — dalam mutu baku."
    lines.append(total)
    for (label, written), row in zip(view.rows, time.rows, strict=True):
        standard = escape(written)
        if row.standard is not None and written != f"{row.standard} menit":
            standard += f" ≈ {row.standard} menit"
        if row.minutes is None:
            lines.append(f"• L{escape(label)} ({standard}): tidak dilalui")
            continue
        line = f"• L{escape(label)} ({standard}): {row.minutes} menit kerja"
        if row.entries > 1:
            line += f", {row.entries} kali"
        if row.over:
            line += f" — lewat {minutes_text(row.over)}"
        lines.append(line)
    lines.append("Waktu menunggu rapat tidak dihitung.")
    return "\n".join(lines)
