"""`renja-bot`: the administrator's command line (database and its backups, the audit trail,
dossiers, SOPs, officials, running)."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path

import yaml
from sqlmodel import Session

from bot import dossier, texts
from bot.config import ConfigError, Settings
from bot.limits import plain_text
from bot.usecases import agencies, delivery, officials, reports
from bot.usecases.base import Services, build_services, load_office_sops
from bot.usecases.errors import DraftNotFound, InvalidInput
from storage import audit as audit_store
from storage import backup as backup_store
from storage import copy as copying
from storage.backup import (
    AlreadyThere,
    BadBackup,
    BadName,
    BotRunning,
    NoDatabase,
    NotSqlite,
    bot_lock,
)
from storage.db import is_up_to_date, make_engine, reader, upgrade
from workflow.calendar import CalendarConfigError
from workflow.flowchart import draw_flowchart, png_size
from workflow.organisation import OrganisationFileError, load_organisation
from workflow.sop import Sop, SopFileError, load_sop
from workflow.sop_import import SopImportError, import_file, open_questions


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(paragraph, width) or [""])
    return lines


def render_sop(sop: Sop, *, width: int = 120) -> str:
    """The SOP as a readable text table, laid out like the SOP document."""
    ident = sop.identitas
    out = [ident.judul, "=" * len(ident.judul)]
    if ident.instansi:
        out.append(ident.instansi)
    for label, value in (
        ("Nomor", ident.nomor),
        ("Tanggal pembuatan", ident.tanggal_pembuatan),
        ("Tanggal revisi", ident.tanggal_revisi),
        ("Tanggal efektif", ident.tanggal_efektif),
        ("Disahkan oleh", ident.disahkan_oleh),
    ):
        if value:
            out.append(f"{label}: {value}")
    sections = [
        ("DASAR HUKUM", ident.dasar_hukum),
        ("KUALIFIKASI PELAKSANA", ident.kualifikasi_pelaksana),
        ("KETERKAITAN", ident.keterkaitan),
        ("PERALATAN/PERLENGKAPAN", ident.peralatan),
        ("PERINGATAN", (ident.peringatan,) if ident.peringatan else ()),
        (
            "PENCATATAN DAN PENDATAAN",
            (ident.pencatatan_dan_pendataan,) if ident.pencatatan_dan_pendataan else (),
        ),
    ]
    for title, items in sections:
        out.append("")
        out.append(title)
        if not items:
            out.append("  -")
        for number, item in enumerate(items, 1):
            prefix = f"  {number}. " if len(items) > 1 else "  "
            wrapped = _wrap(item, width - len(prefix))
            out.append(prefix + wrapped[0])
            out.extend(" " * len(prefix) + line for line in wrapped[1:])
    keys = list(sop.pelaksana)
    codes = {key: f"P{index}" for index, key in enumerate(keys, 1)}
    out.append("")
    out.append("PELAKSANA")
    for key in keys:
        position = sop.pelaksana[key]
        outside = " (pihak luar)" if position.eksternal else ""
        out.append(f"  {codes[key]} = {position.nama}{outside}")
    number_width = max(4, *(len(row.label) + 2 for row in sop.langkah))
    time_width = max(8, *(len(row.waktu.text) + 2 for row in sop.langkah))
    activity_width = max(24, width - number_width - 4 * len(keys) - 24 - time_width - 22)
    header = (
        f"{'NO':<{number_width}}{'AKTIVITAS':<{activity_width}}"
        + "".join(f"{codes[key]:<4}" for key in keys)
        + f"{'PERSYARATAN':<24}{'WAKTU':<{time_width}}OUTPUT"
    )
    out.append("")
    out.append(header)
    out.append("-" * len(header))
    for row in sop.langkah:
        activity = _wrap(row.aktivitas, activity_width - 2)
        needs = [line for item in row.persyaratan for line in _wrap(item, 22)] or ["-"]
        outputs = [line for item in row.output for line in _wrap(f"• {item}", 20)] or ["-"]
        marks = "".join(f"{'X' if key in row.pelaksana else '.':<4}" for key in keys)
        height = max(len(activity), len(needs), len(outputs))
        for index in range(height):
            first = index == 0
            out.append(
                f"{(row.label + '.') if first else '':<{number_width}}"
                f"{activity[index] if index < len(activity) else '':<{activity_width}}"
                f"{marks if first else ' ' * len(marks)}"
                f"{needs[index] if index < len(needs) else '':<24}"
                f"{row.waktu.text if first else '':<{time_width}}"
                f"{outputs[index] if index < len(outputs) else ''}".rstrip()
            )
        if row.keterangan:
            note = _wrap(f"Keterangan: {row.keterangan}", width - number_width)
            out.extend(" " * number_width + line for line in note)
        out.append("")
    label = "Jumlah waktu"
    pad = number_width + activity_width + 4 * len(keys) + 24
    out.append(f"{label:>{pad - 1}} {sop.total_text}")
    return "\n".join(out)


def _end_of(day: date, services: Services) -> datetime:
    """The first moment after `day` in the office's time zone."""
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=services.calendar.tz)
    if end <= services.clock():
        raise InvalidInput(f"Tanggal --until {day:%d-%m-%Y} sudah lewat.")
    return end


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"tanggal '{text}' tidak dapat dibaca: tulis YYYY-MM-DD, misalnya 2026-01-01"
        ) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="renja-bot", description="Renja Bot: SOP pemerintah sebagai alur kerja Telegram."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    db = commands.add_parser("db", help="basis data").add_subparsers(dest="db", required=True)
    db.add_parser("upgrade", help="buat atau perbarui basis data (data tetap utuh)")
    backup = db.add_parser(
        "backup",
        help="cadangkan basis data SQLite dan arsip berkas ke satu berkas tar (boleh saat bot "
        "berjalan)",
    )
    backup.add_argument("file", type=Path, metavar="FILE", help="berkas .tar, .tar.gz atau .tgz")
    backup.add_argument("--force", action="store_true", help="timpa berkas yang sudah ada")
    restore = db.add_parser(
        "restore",
        help="pulihkan cadangan ke DATABASE_URL dan FILES_DIR (bot harus berhenti)",
    )
    restore.add_argument("file", type=Path, metavar="FILE", help="berkas cadangan")
    restore.add_argument(
        "--force", action="store_true", help="timpa basis data yang sudah berisi data"
    )

    audit = commands.add_parser("audit", help="jejak audit").add_subparsers(
        dest="audit", required=True
    )
    audit.add_parser(
        "verify",
        help="periksa rantai hash setiap jejak audit dan SHA-256 setiap berkas arsip",
    )

    draft = commands.add_parser("draft", help="draft").add_subparsers(dest="draft", required=True)
    export = draft.add_parser(
        "export", help="tulis dosir draft (dokumen, jejak CSV dan HTML, manifes SHA-256) ke ZIP"
    )
    export.add_argument("id", type=int, help="nomor draft")
    export.add_argument("file", type=Path, metavar="FILE.zip", help="berkas ZIP yang ditulis")
    export.add_argument("--force", action="store_true", help="timpa berkas yang sudah ada")

    copy = db.add_parser(
        "copy",
        help="salin seluruh isi basis data ke basis data lain yang kosong (mis. SQLite ke "
        "PostgreSQL), lalu cocokkan jumlah baris tiap tabel",
    )
    copy.add_argument("--from", dest="source", required=True, help="URL basis data sumber")
    copy.add_argument("--to", dest="target", required=True, help="URL basis data tujuan")

    sop = commands.add_parser("sop", help="berkas SOP").add_subparsers(dest="sop", required=True)
    show = sop.add_parser("show", help="tampilkan SOP sebagai tabel")
    show.add_argument("id", nargs="?", help="id SOP (bawaan: semua)")
    check = sop.add_parser(
        "check", help='periksa berkas SOP (dan sebutkan setiap isian "?" yang belum diisi)'
    )
    check.add_argument("file", type=Path)
    check.add_argument(
        "--organisasi",
        type=Path,
        help="berkas organisasi yang jabatannya dirujuk SOP (bawaan: ORGANIZATION_FILE)",
    )
    imported = sop.add_parser(
        "import", help="buat draf berkas SOP (format 2) dari dokumen SOP Word atau teksnya"
    )
    imported.add_argument("file", type=Path, help="dokumen SOP AP: .docx, atau ekspor teksnya")
    imported.add_argument(
        "-o", "--output", type=Path, help="berkas YAML tujuan (bawaan: tampilkan di layar)"
    )
    imported.add_argument(
        "--force", action="store_true", help="timpa berkas tujuan yang sudah ada"
    )
    picture = sop.add_parser("gambar", help="gambar bagan alir SOP (format SOP AP) sebagai PNG")
    picture.add_argument("id", help="id SOP")
    picture.add_argument("file", type=Path, metavar="FILE.png", help="berkas PNG yang ditulis")

    user = commands.add_parser("user", help="pejabat").add_subparsers(dest="user", required=True)
    add = user.add_parser("add", help="daftarkan pejabat dan jabatannya")
    add.add_argument("--telegram-id", type=int, required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--position", required=True, help="kunci jabatan, mis. kasubbag_renja")
    add.add_argument("--unit", help="unit, mis. 'Bidang Ekonomi' (untuk Kepala Bidang)")
    add.add_argument("--username", help="nama pengguna Telegram (tanpa @)")
    add.add_argument("--acting", choices=["Plh.", "Plt."], help="pejabat pelaksana harian/tugas")
    add.add_argument(
        "--until",
        type=date.fromisoformat,
        help="jabatan berlaku sampai tanggal ini (YYYY-MM-DD, termasuk), mis. untuk Plh.",
    )
    add.add_argument(
        "--instansi",
        metavar="KUNCI",
        help="instansi pejabat (kunci, lihat 'instansi list'; bawaan: instansi utama)",
    )
    add.add_argument(
        "--admin", action="store_true", help="pejabat ini admin instansinya (/undang, /forum_grup)"
    )
    listed = user.add_parser("list", help="daftar pejabat")
    listed.add_argument("--instansi", metavar="KUNCI", help="hanya pejabat instansi ini")

    agency = commands.add_parser("instansi", help="instansi (SKPD) yang dilayani bot")
    agency_commands = agency.add_subparsers(dest="instansi", required=True)
    agency_add = agency_commands.add_parser("add", help="tambah instansi")
    agency_add.add_argument("key", metavar="KUNCI", help="kunci instansi, mis. dinkes")
    agency_add.add_argument("name", metavar="NAMA", help='nama instansi, mis. "Dinas Kesehatan"')
    agency_commands.add_parser("list", help="daftar instansi")

    outbox = commands.add_parser("outbox", help="pesan yang tertunda atau gagal terkirim")
    outbox_commands = outbox.add_subparsers(dest="outbox", required=True)
    listing = outbox_commands.add_parser("list", help="pesan yang menunggu atau gagal")
    listing.add_argument("--limit", type=int, default=50, help="paling banyak sekian baris")
    retry = outbox_commands.add_parser("retry", help="kirim ulang pesan yang gagal")
    retry.add_argument("id", type=int, help="nomor pesan (kolom ID pada outbox list)")

    report = commands.add_parser(
        "laporan", help="laporan kinerja: waktu kerja per langkah terhadap mutu baku"
    )
    report.add_argument(
        "--sop", help="id SOP atau perintahnya, mis. renja (bawaan: semua SOP yang punya draft)"
    )
    report.add_argument(
        "--dari", type=_day, help="draft yang dimulai sejak tanggal ini (bawaan: 1 Januari ini)"
    )
    report.add_argument(
        "--sampai", type=_day, help="sampai tanggal ini, termasuk (bawaan: 31 Desember ini)"
    )
    report.add_argument("--xlsx", type=Path, metavar="FILE.xlsx", help="tulis lembar kerja")
    report.add_argument("--png", type=Path, metavar="FILE.png", help="tulis grafik")

    run_command = commands.add_parser("run", help="jalankan bot (long polling, atau --webhook)")
    run_command.add_argument(
        "--webhook",
        action="store_true",
        help="terima update lewat webhook (WEBHOOK_* di .env) alih-alih long polling",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `renja-bot` console script."""
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except (
        ConfigError,
        SopFileError,
        SopImportError,
        OrganisationFileError,
        CalendarConfigError,
        InvalidInput,
    ) as error:
        print(f"Galat: {error}", file=sys.stderr)
        return 1
    except (
        DraftNotFound,
        NotSqlite,
        BotRunning,
        NoDatabase,
        BadName,
        AlreadyThere,
        BadBackup,
    ) as error:
        print(f"Galat: {_refusal(args, error)}", file=sys.stderr)
        return 1


def _refusal(args: argparse.Namespace, error: Exception) -> str:
    """The Indonesian words for a refusal of the trail, export and backup commands."""
    match error:
        case DraftNotFound():
            return texts.DRAFT_NOT_FOUND_CLI.format(id=error.draft_id)
        case NotSqlite():
            return texts.NOT_SQLITE.format(url=error.url)
        case BotRunning() if args.command == "run":
            return texts.bot_already_running(str(error.lock), error.holder)
        case BotRunning():
            return texts.bot_running(str(error.lock), error.holder)
        case NoDatabase():
            return texts.NO_DATABASE.format(path=error.path)
        case BadName():
            return texts.BACKUP_NAME.format(path=error.path)
        case AlreadyThere() if args.command == "db" and args.db == "restore":
            return texts.RESTORE_TARGET_HAS_DATA.format(path=error.path)
        case AlreadyThere():
            return texts.ALREADY_THERE.format(path=error.path)
        case BadBackup():
            return texts.BAD_BACKUP[error.reason].format(path=error.path, member=error.member)
    raise AssertionError(error)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "sop" and args.sop == "import":
        return _import(args)
    if args.command == "db" and args.db == "copy":
        return _copy(args.source, args.target)
    settings = Settings()
    if args.command == "sop" and args.sop == "check":
        questions = _open_questions(args.file)
        if questions:
            listed = "\n".join(f"  - {line}" for line in questions)
            raise SopFileError(
                f"{args.file}: SOP belum lengkap, {len(questions)} pertanyaan belum dijawab "
                f'(nilai "?"; lihat komentar # PERTANYAAN: di berkas):\n{listed}'
            )
        organisation = load_organisation(args.organisasi or settings.organization_file)
        sop = load_sop(args.file, organisation=organisation)
        print(
            f"{args.file}: SOP '{sop.id}' valid — {len(sop.langkah)} langkah, "
            f"{len(sop.tasks)} tugas, {sop.total_text}."
        )
        return 0
    if args.command == "db":
        return _db(args, settings)
    if args.command == "audit":
        _require_up_to_date(settings)
        return _verify(settings)
    if args.command == "draft":
        _require_up_to_date(settings)
        summary = dossier.export(
            build_services(settings), draft_id=args.id, target=args.file, force=args.force
        )
        print("\n".join(texts.dossier_written(summary)))
        return 0
    if args.command == "instansi":
        return _agencies(args, build_services(settings))
    if args.command == "sop":
        sops = load_office_sops(settings)
        if args.id and args.id not in sops:
            raise InvalidInput(texts.unknown_sop(args.id, sorted(sops)))
        if args.sop == "gambar":
            return _picture(sops[args.id], args.file)
        chosen = [sops[args.id]] if args.id else list(sops.values())
        print("\n\n".join(render_sop(sop) for sop in chosen))
        return 0
    if args.command == "user":
        services = build_services(settings)
        if args.user == "add":
            view = officials.register_official(
                services,
                telegram_id=args.telegram_id,
                name=args.name,
                position=args.position,
                unit=args.unit,
                username=args.username,
                acting=args.acting,
                valid_until=_end_of(args.until, services) if args.until else None,
                agency_key=args.instansi,
                agency_admin=args.admin,
            )
            label = officials.position_label(
                services, position=args.position, unit=args.unit, acting=args.acting
            )
            until = f" sampai {args.until:%d-%m-%Y}" if args.until else ""
            who = f"{view.person.name} ({view.person.telegram_id})"
            where = f", {view.agency_name}" if args.instansi else ""
            admin = " (admin instansi)" if view.agency_admin else ""
            print(f"Terdaftar: {who} sebagai {label}{until}{where}{admin}.")
            return 0
        views = officials.officials(services, agency_key=args.instansi)
        if not views:
            print("Belum ada pejabat terdaftar. Tambahkan dengan: renja-bot user add ...")
        for view in views:
            positions = (
                "; ".join(
                    officials.position_label(services, position=key, unit=unit, acting=acting)
                    for key, unit, acting in view.positions
                )
                or "(tanpa jabatan aktif)"
            )
            admin = " [admin]" if view.agency_admin else ""
            print(
                f"{view.person.telegram_id:>12}  {view.agency_key:<12} {view.person.name:<28} "
                f"{positions}{admin}"
            )
        return 0
    if args.command == "outbox":
        return _outbox(args, build_services(settings))
    if args.command == "laporan":
        return _report(args, build_services(settings))
    if args.command == "run":
        settings.bot_token()  # refuse a missing or placeholder token before anything starts
        if args.webhook:
            settings.webhook()  # and a missing URL or secret token
        # Held until the bot ends: a restore refuses while it is taken (`db restore`).
        with bot_lock(settings.database_url):
            # A bot never runs on an outdated schema.
            upgrade(settings.database_url, agency_name=_agency_name(settings))
            from bot.app import run

            run(settings, webhook=args.webhook)
        return 0
    raise AssertionError(args)


def _db(args: argparse.Namespace, settings: Settings) -> int:
    if args.db == "backup":
        made = backup_store.backup(
            settings.database_url,
            files_dir=settings.files_dir,
            target=args.file,
            force=args.force,
        )
        print(texts.backup_made(made))
        return 0
    if args.db == "restore":
        done = backup_store.restore(
            settings.database_url,
            files_dir=settings.files_dir,
            source=args.file,
            force=args.force,
        )
        print("\n".join(texts.restored(done)))
        return 0
    upgrade(settings.database_url, agency_name=_agency_name(settings))
    print(f"Basis data siap: {settings.database_url}")
    return 0


def _require_up_to_date(settings: Settings) -> None:
    if not is_up_to_date(settings.database_url):
        raise InvalidInput(texts.NOT_UP_TO_DATE.format(url=settings.database_url))


def _verify(settings: Settings) -> int:
    """`renja-bot audit verify`: 0 when every chain and file checks out, 1 otherwise."""
    engine = make_engine(settings.database_url)
    try:
        with Session(reader(engine)) as session:
            check = audit_store.verify(session, files_dir=settings.files_dir)
    finally:
        engine.dispose()
    print("\n".join(texts.audit_check(check)))
    return 0 if check.sound else 1


def _agency_name(settings: Settings) -> str | None:
    """The default agency's name, should the upgrade create it: the organisation's (a
    broken organisation file is reported when the bot loads it, not here)."""
    try:
        return load_organisation(settings.organization_file).instansi or None
    except OrganisationFileError:
        return None


def _agencies(args: argparse.Namespace, services: Services) -> int:
    if args.instansi == "add":
        view = agencies.add_agency(services, key=args.key, name=args.name)
        print(
            f"Instansi ditambahkan: {view.key} — {view.name}. Daftarkan pejabatnya dengan: "
            f"renja-bot user add ... --instansi {view.key}"
        )
        return 0
    print(f"{'KUNCI':<12} {'PEJABAT':>7} {'DRAFT AKTIF':>11}  NAMA")
    for view in agencies.agencies(services):
        own = f" (SOP sendiri: {', '.join(view.own_sops)})" if view.own_sops else ""
        print(f"{view.key:<12} {view.officials:>7} {view.active_drafts:>11}  {view.name}{own}")
    for sop_id, key in agencies.unknown_agencies(services).items():
        print(f"Peringatan: SOP '{sop_id}' menyebut instansi '{key}' yang belum ada.")
    return 0


def _copy(source: str, target: str) -> int:
    """`db copy`: every table, then the rows counted on both sides; 1 when they differ."""
    print(f"Menyalin {copying.shown(source)} ke {copying.shown(target)} ...")
    try:
        report = copying.copy_database(source, target)
    except copying.CopyRefused as refused:
        print(f"Galat: {refused}", file=sys.stderr)
        return 1
    width = max(len(count.table) for count in report.counts)
    print(f"{'tabel':<{width}}  {'sumber':>8}  {'tujuan':>8}")
    for count in report.counts:
        mark = "" if count.matches else "  BEDA"
        print(f"{count.table:<{width}}  {count.source:>8}  {count.target:>8}{mark}")
    if not report.ok:
        for problem in report.problems:
            print(f"Galat: {problem}", file=sys.stderr)
        return 1
    print(f"Selesai: {sum(count.target for count in report.counts)} baris disalin, cocok.")
    return 0


def _open_questions(path: Path) -> list[str]:
    """The "?" an imported SOP file still holds; a file that is no YAML is left to load_sop."""
    try:
        return open_questions(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []


def _import(args: argparse.Namespace) -> int:
    draft = import_file(args.file)
    questions = len(draft.questions)
    summary = (
        f"{len(draft.sop.langkah)} langkah, {len(draft.sop.pelaksana)} pelaksana, "
        f"{questions} pertanyaan belum dijawab"
    )
    if args.output is None:
        sys.stdout.write(draft.text)
        print(f"Draf SOP dari {args.file}: {summary}.", file=sys.stderr)
        return 0
    if args.output.exists() and not args.force:
        raise InvalidInput(f"{args.output} sudah ada: pilih nama lain, atau tambahkan --force.")
    try:
        args.output.write_text(draft.text, encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"{args.output}: tidak dapat ditulis ({error.strerror}).") from None
    print(f"Draf SOP ditulis ke {args.output}: {summary}.")
    if questions:
        print(
            f'Isi setiap "?" (lihat komentar # PERTANYAAN:), lalu periksa dengan: '
            f"renja-bot sop check {args.output}"
        )
    return 0


def _picture(sop: Sop, target: Path) -> int:
    if target.suffix.lower() != ".png":
        raise InvalidInput(f"Nama berkas gambar harus berakhiran .png: {target}")
    data = draw_flowchart(sop)
    try:
        target.write_bytes(data)
    except OSError as error:
        raise InvalidInput(f"{target}: tidak dapat ditulis ({error.strerror})") from None
    width, height = png_size(data)
    print(f"Bagan alir SOP '{sop.id}' tersimpan: {target} ({width}×{height} piksel).")
    return 0


def _report(args: argparse.Namespace, services: Services) -> int:
    for target, suffix in ((args.xlsx, ".xlsx"), (args.png, ".png")):
        if target is not None and target.suffix.lower() != suffix:
            raise InvalidInput(f"Nama berkas harus berakhiran {suffix}: {target}")
    sop_id = None
    if args.sop:
        sop = reports.resolve_sop(services, args.sop)
        if sop is None:
            raise InvalidInput(texts.unknown_sop(args.sop, sorted(services.sops)))
        sop_id = sop.id
    period = reports.default_period(services, start=args.dari, end=args.sampai)
    found = reports.build(services, sop_id=sop_id, period=period)
    from bot import report_files  # matplotlib: for this command only

    written = []
    if found.empty and (args.png or args.xlsx):
        written.append("Tidak ada berkas yang ditulis: belum ada data pada periode ini.")
    elif args.png is not None:
        written.append(_write(args.png, report_files.chart_png(found, services.tz), "Grafik"))
    if args.xlsx is not None and not found.empty:
        data = report_files.workbook_xlsx(found, services.tz)
        written.append(_write(args.xlsx, data, "Lembar kerja"))
    print(plain_text(texts.report_message(found, services.tz, files_follow=False)))
    for line in written:
        print(line)
    return 0


def _write(target: Path, data: bytes, what: str) -> str:
    try:
        target.write_bytes(data)
    except OSError as error:
        raise InvalidInput(f"{target}: tidak dapat ditulis ({error.strerror}).") from None
    return f"{what}: {target} ({texts.size_text(len(data))})"


def _outbox(args: argparse.Namespace, services: Services) -> int:
    if args.outbox == "retry":
        if not delivery.retry(services, row_id=args.id):
            raise InvalidInput(f"Pesan #{args.id} tidak ada atau tidak berstatus gagal.")
        print(f"Pesan #{args.id} akan dikirim ulang oleh bot yang berjalan.")
        return 0
    report = delivery.report(services, limit=max(1, args.limit))
    counts = report.counts
    print(
        f"Menunggu: {counts.get('menunggu', 0)}, gagal: {counts.get('gagal', 0)}, "
        f"terkirim: {counts.get('terkirim', 0)}."
    )
    if report.lines:
        print(f"{'ID':>6}  {'STATUS':<9} {'COBA':>4}  {'DIBUAT (WIB)':<17} {'PENERIMA':<24} GALAT")
    for line in report.lines:
        created = line.created_at.astimezone(services.tz).strftime("%d-%m-%Y %H:%M")
        who = (line.recipient or str(line.chat_id))[:24]
        error = (line.last_error or "")[:80]
        print(
            f"{line.id:>6}  {line.status:<9} {line.attempts:>4}  {created:<17} {who:<24} {error}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
