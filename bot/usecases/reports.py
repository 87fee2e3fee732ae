"""Performance reports (/laporan, `renja-bot laporan`): each SOP row's working minutes
against its standard over a period, as a text, a chart (PNG) and a workbook (XLSX); and a
draft's own time, row by row, when it is finished.

A report covers the drafts *started* in the period (whole days in the office's time zone):
every row entry of those drafts, finished or not, and their whole audit trail. The figures
(median, p90, share on time) are those of workflow/report.py, over the row entries that
have left their row.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlmodel import Session

from bot import notify, texts
from bot.limits import chunks
from bot.usecases import officials
from bot.usecases.base import Services, require_member
from bot.usecases.errors import InvalidInput
from bot.usecases.report_views import (
    DraftTimeView,
    EntryLine,
    OpenDraftLine,
    PositionLine,
    ReportView,
    RowLine,
    TrailLine,
)
from storage import drafts as draft_store
from storage import files
from storage import officials as official_store
from storage import reports as report_store
from storage.models import AuditEntry, Draft, DraftTask, Official, RowClock
from storage.officials import Staff
from workflow.engine import AuditAction, DraftStatus, holders_of, share_for
from workflow.report import (
    Period,
    PeriodError,
    RowStats,
    Sample,
    Turn,
    draft_time,
    parse_period,
    position_stats,
    row_stats,
    slowest_rows,
    year_period,
)
from workflow.sop import Sop, TaskKind

TURN_ACTIONS = frozenset(
    {
        AuditAction.KIRIM.value,
        AuditAction.SETUJUI.value,
        AuditAction.KEMBALIKAN.value,
        AuditAction.TANDATANGANI.value,
        AuditAction.PILIH.value,
        AuditAction.LEWATI.value,
        AuditAction.SERAHKAN.value,
    }
)
"""The actions that end a holder's turn at a task (an upload alone does not)."""

SLOWEST = 3
"""The text names this many of the slowest rows, and of the slowest positions."""

_drawing = threading.Lock()
"""One chart drawn at a time: matplotlib keeps some state (its font cache) per process."""


# Who may, and what they asked for -------------------------------------------------------


def may_report(services: Services, *, telegram_id: int) -> bool:
    """Administrators, and the holders (acting ones too) of the reporting positions."""
    if telegram_id in services.admins:
        return True
    with services.reading() as session:
        actor = official_store.actor(session, telegram_id=telegram_id, now=services.clock())
    return actor is not None and any(
        holding.position in services.report_positions for holding in actor.holdings
    )


def _require_allowed(services: Services, telegram_id: int) -> int | None:
    """The agency whose drafts the asker may see reported (None: every agency's, for the
    province-level administrators); anyone else is refused."""
    if telegram_id in services.admins:
        return None
    with services.reading() as session:
        member = require_member(session, telegram_id=telegram_id, now=services.clock())
    if any(h.position in services.report_positions for h in member.actor.holdings):
        return member.agency_id
    names = [
        officials.position_label(services, position=key)
        for key in services.organisation.positions
        if key in services.report_positions
    ]
    raise InvalidInput(texts.report_not_allowed(names))


def resolve_sop(services: Services, text: str) -> Sop | None:
    """The SOP named by its id or by its own command ('renja_baru', or 'renja' without
    the '_baru'), case aside; None when none is."""
    wanted = text.strip().lower().removeprefix("/")
    for key in sorted(services.sops):
        sop = services.sops[key]
        names = {sop.id}
        if sop.perintah:
            names |= {sop.perintah, sop.perintah.removesuffix("_baru")}
        if wanted in names:
            return sop
    return None


def read_args(services: Services, args: Sequence[str]) -> tuple[str | None, Period]:
    """/laporan [sop] [periode], either order: the SOP (None: every SOP with drafts) and
    the period (the current year unless given)."""
    if len(args) > 2:
        raise InvalidInput(texts.REPORT_USAGE)
    sop: Sop | None = None
    period: Period | None = None
    for arg in args:
        found = resolve_sop(services, arg)
        if found is not None:
            if sop is not None:
                raise InvalidInput(texts.REPORT_USAGE)
            sop = found
        elif arg[:1].isascii() and arg[:1].isdigit():
            if period is not None:
                raise InvalidInput(texts.REPORT_USAGE)
            period = _period(arg)
        else:
            raise InvalidInput(texts.unknown_report_sop(arg, _sop_names(services)))
    return (sop.id if sop else None), period or current_year(services)


def _period(text: str) -> Period:
    try:
        return parse_period(text[:64])
    except PeriodError as error:
        raise InvalidInput(str(error)) from None


def current_year(services: Services) -> Period:
    return year_period(services.clock().astimezone(services.tz).year)


def _sop_names(services: Services) -> list[str]:
    names = []
    for key in sorted(services.sops):
        sop = services.sops[key]
        short = sop.perintah.removesuffix("_baru") if sop.perintah else None
        names.append(f"{key} ({short})" if short and short != key else key)
    return names


# The report --------------------------------------------------------------------------------


def request(
    services: Services, *, telegram_id: int, chat_id: int, args: Sequence[str]
) -> ReportView:
    """/laporan: the report as a text, then its chart and its workbook as documents; all
    written to the outbox in one commit. Refused (nothing written) for who may not, or for
    arguments that cannot be read."""
    agency_id = _require_allowed(services, telegram_id)
    sop_id, period = read_args(services, args)
    report = build(services, sop_id=sop_id, period=period, agency_id=agency_id)
    text = texts.report_message(report, services.tz)
    messages = [notify.text(chat_id, part) for part in chunks(text)]
    if not report.empty:
        png, xlsx = render(services, report)
        from bot import report_files  # matplotlib: only once a report is drawn

        name = report_files.file_stem(report)
        messages += [
            notify.kept_document(
                chat_id, png, file_name=f"{name}.png", caption=texts.report_chart_caption(report)
            ),
            notify.kept_document(
                chat_id,
                xlsx,
                file_name=f"{name}.xlsx",
                caption=texts.report_workbook_caption(report),
            ),
        ]
    with services.session() as session:
        notify.write(session, messages)
        session.commit()
    return report


def render(services: Services, report: ReportView) -> tuple[Path, Path]:
    """The chart and the workbook, kept under FILES_DIR/laporan/ (named by content)."""
    # Imported here: the bot starts without matplotlib, and loads it for the first report.
    from bot import report_files

    with _drawing:
        png = report_files.chart_png(report, services.tz)
    xlsx = report_files.workbook_xlsx(report, services.tz)
    return (
        files.keep_report(services.files_dir, data=png, suffix=".png"),
        files.keep_report(services.files_dir, data=xlsx, suffix=".xlsx"),
    )


def bounds(services: Services, period: Period) -> tuple[datetime, datetime]:
    """The period as instants: from its first day's midnight to the midnight after its
    last, in the office's time zone."""
    tz = services.tz
    start = datetime.combine(period.start, time(), tzinfo=tz)
    end = datetime.combine(period.end + timedelta(days=1), time(), tzinfo=tz)
    return start, end


def build(
    services: Services, *, sop_id: str | None, period: Period, agency_id: int | None = None
) -> ReportView:
    """The report of one SOP, or (None) of every SOP with drafts started in the period: of
    one agency's drafts, or (None) of every agency's."""
    if sop_id is not None and sop_id not in services.sops:
        raise InvalidInput(texts.unknown_report_sop(sop_id, _sop_names(services)))
    start, end = bounds(services, period)
    now = services.clock()
    with services.reading() as session:
        if sop_id is not None:
            sop_ids = [sop_id]
        else:
            sop_ids = report_store.sops_with_drafts(
                session, sop_ids=list(services.sops), start=start, end=end, agency_id=agency_id
            )
        drafts = report_store.drafts_started(
            session, sop_ids=sop_ids, start=start, end=end, agency_id=agency_id
        )
        clocks = report_store.row_clocks(
            session, sop_ids=sop_ids, start=start, end=end, agency_id=agency_id
        )
        tasks = report_store.draft_tasks(
            session, sop_ids=sop_ids, start=start, end=end, agency_id=agency_id
        )
        trail = report_store.audit_entries(
            session, sop_ids=sop_ids, start=start, end=end, agency_id=agency_id
        )
        versions = report_store.versions_named(
            session, sop_ids=sop_ids, start=start, end=end, agency_id=agency_id
        )
        staffs = {
            agency: official_store.staff(session, now=now, agency_id=agency)
            for agency in {d.agency_id for d in drafts}
        }
        people = official_store.officials_by_ids(
            session, ids={e.actor_id for e in trail if e.actor_id is not None}
        )
    return _assemble(
        services, period, sop_ids, now, drafts, clocks, tasks, trail, versions, staffs, people
    )


def _assemble(
    services: Services,
    period: Period,
    sop_ids: list[str],
    now: datetime,
    drafts: list[Draft],
    clocks: list[RowClock],
    tasks: list[DraftTask],
    trail: list[AuditEntry],
    versions: dict[int, tuple[str, str, int]],
    staffs: Mapping[int, Staff],
    people: dict[int, Official],
) -> ReportView:
    by_id = {draft.id: draft for draft in drafts if draft.id is not None}
    sop_of = {draft_id: services.sops[draft.sop_id] for draft_id, draft in by_id.items()}
    calendar = services.calendar

    def position_label(position: str, acting: str | None = None) -> str:
        return officials.position_label(services, position=position, acting=acting)

    def actor_name(entry: AuditEntry) -> str:
        official = people.get(entry.actor_id) if entry.actor_id is not None else None
        return official.name if official else "sistem"

    # Turns: each holder's decisive action at a task, timed from the task's opening.
    opened: dict[tuple[int, str], list[DraftTask]] = defaultdict(list)
    for each_task in tasks:
        opened[(each_task.draft_id, each_task.task_id)].append(each_task)
    clocks_of: dict[tuple[int, int], list[RowClock]] = defaultdict(list)
    for each_clock in clocks:
        clocks_of[(each_clock.draft_id, each_clock.row_no)].append(each_clock)
    turns: list[Turn] = []
    acted: dict[int, list[str]] = defaultdict(list)
    """Row clock id → who acted in that entry ('Name (Position)'), in order."""
    for entry in trail:
        if entry.action not in TURN_ACTIONS or entry.draft_id not in sop_of:
            continue
        sop = sop_of[entry.draft_id]
        in_row = _containing_clock(clocks_of[(entry.draft_id, entry.row_no)], entry.at)
        if in_row is not None and in_row.id is not None:
            who = f"{actor_name(entry)} ({position_label(entry.position, entry.acting)})"
            if who not in acted[in_row.id]:
                acted[in_row.id].append(who)
        at_task = _containing_task(opened[(entry.draft_id, entry.task_id)], entry.at)
        if at_task is None or not entry.position:
            continue
        minutes = calendar.working_minutes_between(at_task.entered_at, entry.at)
        if in_row is not None and _is_meeting(sop, at_task.task_id):
            minutes -= draft_store.waited_minutes(
                in_row, entry.at, calendar.working_minutes_between
            )
        turns.append(Turn(entry.position, max(0, minutes)))

    open_task = {task.draft_id: task for task in tasks if task.is_open}
    samples: list[Sample] = []
    entries: list[EntryLine] = []
    open_drafts: list[OpenDraftLine] = []
    for clock in clocks:
        draft = by_id[clock.draft_id]
        sop = sop_of[clock.draft_id]
        finished = clock.left_at is not None and clock.minutes_used is not None
        if finished and clock.minutes_used is not None:
            samples.append(
                Sample(sop.id, clock.row_no, clock.minutes_used, clock.standard_minutes)
            )
        holders = acted.get(clock.id or 0, [])
        running = open_task.get(clock.draft_id) if not finished else None
        waiting_for = (
            _holders_now(sop, running, staffs[draft.agency_id]) if running is not None else ()
        )
        if not holders and running is not None:
            holders = list(waiting_for)
        result = "berjalan"
        if finished:
            result = "selesai" if clock.completed else "dikembalikan"
        entries.append(
            EntryLine(
                draft_id=clock.draft_id,
                draft_title=draft.title,
                sop_id=sop.id,
                row_no=clock.row_no,
                row_label=sop.row_label(clock.row_no),
                holders="; ".join(holders),
                entered_at=clock.entered_at,
                due_at=clock.due_at,
                left_at=clock.left_at,
                minutes=clock.minutes_used if finished else None,
                standard=clock.standard_minutes,
                standard_text=clock.standard_text or f"{clock.standard_minutes} menit",
                on_time=(
                    clock.minutes_used <= clock.standard_minutes
                    if finished and clock.minutes_used is not None
                    else None
                ),
                result=result,
                waited=(
                    clock.waited_minutes
                    if finished
                    else draft_store.waited_minutes(clock, now, calendar.working_minutes_between)
                ),
            )
        )
        if running is not None and draft.status == DraftStatus.AKTIF.value:
            open_drafts.append(
                OpenDraftLine(
                    draft_id=clock.draft_id,
                    title=draft.title,
                    sop_id=sop.id,
                    row_label=sop.row_label(clock.row_no),
                    task_title=_task_title(sop, running.task_id),
                    holders=waiting_for,
                    due_at=clock.due_at,
                    late_minutes=calendar.working_minutes_between(clock.due_at, now),
                    left_minutes=calendar.working_minutes_between(now, clock.due_at),
                )
            )

    stats = row_stats(samples)
    rows = tuple(_row_line(services.sops[s.sop_id], s) for s in stats)
    slow = {(s.sop_id, s.row_no) for s in slowest_rows(stats, SLOWEST)}
    slowest = tuple(
        sorted(
            (line for line in rows if (line.sop_id, line.stats.row_no) in slow),
            key=lambda line: (-line.stats.median_ratio, -line.stats.p90),
        )
    )
    positions = tuple(
        PositionLine(s.position, position_label(s.position), s) for s in position_stats(turns)
    )
    trail_lines = tuple(
        _trail_line(entry, sop_of[entry.draft_id], actor_name(entry), versions, position_label)
        for entry in trail
        if entry.draft_id in sop_of
    )
    return ReportView(
        period=period,
        sops=tuple((key, services.sops[key].identitas.judul) for key in sop_ids),
        made_at=now,
        drafts=len(drafts),
        finished=sum(d.status == DraftStatus.SELESAI.value for d in drafts),
        rows=rows,
        slowest=slowest,
        positions=positions,
        entries=tuple(entries),
        trail=trail_lines,
        open_drafts=tuple(sorted(open_drafts, key=lambda d: (-d.late_minutes, d.draft_id))),
    )


def _containing_clock(clocks: list[RowClock], at: datetime) -> RowClock | None:
    """The row entry that was running at `at` (the latest entered, if two touch)."""
    found = None
    for clock in clocks:
        if clock.entered_at <= at and (clock.left_at is None or at <= clock.left_at):
            found = clock
    return found


def _containing_task(tasks: list[DraftTask], at: datetime) -> DraftTask | None:
    found = None
    for task in tasks:
        if task.entered_at <= at and (task.closed_at is None or at <= task.closed_at):
            found = task
    return found


def _is_meeting(sop: Sop, task_id: str) -> bool:
    try:
        return sop.task(task_id).jenis == TaskKind.RAPAT
    except KeyError:
        return False


def _task_title(sop: Sop, task_id: str) -> str:
    try:
        return sop.task(task_id).judul
    except KeyError:
        return task_id


def _holders_now(sop: Sop, task: DraftTask, staff: Staff) -> tuple[str, ...]:
    """Who must act on an open task now: 'Name (Position)'."""
    try:
        definition = sop.task(task.task_id)
    except KeyError:
        return ()
    pending = set(task.shares) - set(task.submitted)
    found: list[str] = []
    for holder in holders_of(definition, staff.roster, sop):
        if task.shares and share_for(sop, definition, holder) not in pending:
            continue  # their unit (or part of a joint step) is in already
        label = sop.position(holder.position).label
        if holder.acting:
            label = f"{holder.acting} {label}"
        text = f"{holder.name} ({label})"
        if text not in found:
            found.append(text)
    return tuple(found)


def _row_line(sop: Sop, stats: RowStats) -> RowLine:
    try:
        row = sop.row(stats.row_no)
        activity, written = row.aktivitas, row.waktu.text
    except KeyError:
        activity, written = "", f"{stats.standard} menit"
    return RowLine(
        sop_id=sop.id,
        sop_title=sop.identitas.judul,
        row_label=sop.row_label(stats.row_no),
        activity=" ".join(activity.split()),
        standard_text=written,
        stats=stats,
    )


def _trail_line(
    entry: AuditEntry,
    sop: Sop,
    actor: str,
    versions: dict[int, tuple[str, str, int]],
    position_label: Callable[[str, str | None], str],
) -> TrailLine:
    document = None
    if entry.document_version_id is not None and entry.document_version_id in versions:
        key, file_name, number = versions[entry.document_version_id]
        name = sop.dokumen[key].nama if key in sop.dokumen else key
        document = f"{file_name} ({name}, versi {number})"
    party = entry.on_behalf_of
    if party is not None and party in sop.pelaksana:
        party = sop.position(party).nama
    return TrailLine(
        draft_id=entry.draft_id,
        sop_id=sop.id,
        at=entry.at,
        row_no=entry.row_no,
        row_label=sop.row_label(entry.row_no),
        task_title=_task_title(sop, entry.task_id),
        actor=actor,
        position=position_label(entry.position, entry.acting) if entry.position else "",
        action=texts.AUDIT_VERBS.get(entry.action, entry.action),
        choice=entry.choice,
        note=entry.note,
        document=document,
        on_behalf_of=party,
    )


# One draft, when it is finished -------------------------------------------------------------


def draft_time_view(session: Session, sop: Sop, draft: Draft, staff: Staff) -> DraftTimeView:
    """A finished draft's working minutes row by row (read in the caller's session)."""
    assert draft.id is not None
    clocks = draft_store.row_clocks(session, draft_id=draft.id)
    standards = [
        (row.nomor, None if row.waktu.is_days else -(-row.waktu.seconds // 60))
        for row in sop.langkah
    ]
    finished = [
        (c.row_no, c.minutes_used, c.standard_minutes)
        for c in clocks
        if c.left_at is not None and c.minutes_used is not None
    ]
    signer = staff.officials.get(draft.signed_by) if draft.signed_by is not None else None
    return DraftTimeView(
        title=draft.title,
        draft_id=draft.id,
        sop_title=sop.identitas.judul,
        total_text=sop.total_text,
        rows=tuple((row.label, row.waktu.text) for row in sop.langkah),
        time=draft_time(standards, finished),
        signed_by=signer.name if signer else None,
    )


def finished_summary(
    services: Services, session: Session, sop: Sop, draft: Draft, staff: Staff
) -> list[notify.Outgoing]:
    """The message owed when a draft is finished: its time row by row, to its creator (the
    holder of its first step), or to whoever holds that step now if the creator no longer
    holds a position."""
    view = draft_time_view(session, sop, draft, staff)
    text = texts.draft_time_message(view)
    creator = staff.officials.get(draft.created_by)
    if creator is not None:
        return [notify.text(creator.telegram_id, text, official_id=creator.id)]
    recipients = {
        holder.official_id: staff.officials[holder.official_id]
        for holder in holders_of(sop.first_task(), staff.roster, sop)
        if holder.official_id in staff.officials
    }
    return [
        notify.text(official.telegram_id, text, official_id=official_id)
        for official_id, official in recipients.items()
    ]


def default_period(services: Services, *, start: date | None, end: date | None) -> Period:
    """The CLI's --dari/--sampai: each defaults to the current year's first or last day."""
    year = current_year(services)
    period = Period(start or year.start, end or year.end)
    if period.start > period.end:
        raise InvalidInput(
            f"--dari {period.start:%Y-%m-%d} sesudah --sampai {period.end:%Y-%m-%d}."
        )
    return period
