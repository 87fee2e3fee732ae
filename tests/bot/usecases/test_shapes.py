"""The shapes of real SOPs through the use cases: named outcomes with and without notes, a
stated result, hand-overs, skipping an optional step, a joint step and an outside party
acted for — what is recorded, shown and sent."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot import notify, texts
from bot.callbacks import Press, Verb, decode
from bot.usecases import decisions, drafts, officials, reading, returns, uploads
from bot.usecases.base import EVERY_AGENCY, Origin, Services
from bot.usecases.errors import InvalidInput
from bot.usecases.views import Outcome, RowTime, TaskBriefing
from storage import reminders as reminder_store
from storage.db import make_engine
from storage.models import OutboxMessage, RowClock
from tests.bot.usecases.files import new_file
from tests.conftest import MAX_UPLOAD_BYTES, FakeClock, shapes_organisation
from workflow.calendar import OfficeCalendar
from workflow.engine import ActionRefused, Approve, Refusal, Submit, Upload
from workflow.sop import load_sop

DATA = Path(__file__).resolve().parents[3] / "tests" / "data"
OFFICE = shapes_organisation()
TZ = ZoneInfo("Asia/Pontianak")

# Telegram ids of the officials of the three SOPs.
ANI, BAYU, CAHYA, DEWI = 201, 202, 203, 204  # incoming mail
EKO, FITRI, GILANG, HANA, IRWAN, LINA = 211, 212, 213, 214, 215, 216  # LAKIP, SPM
STAFF = (
    (ANI, "Ani Persuratan", "petugas_persuratan"),
    (BAYU, "Bayu Persuratan", "petugas_persuratan"),
    (CAHYA, "Cahya Kasubbag TU", "kasubbag_tu"),
    (DEWI, "Dewi Kabag Umum", "kepala_bagian_umum"),
    (EKO, "Eko Kasubbag Program", "kasubbag_program"),
    (FITRI, "Fitri JFU", "jfu_program"),
    (GILANG, "Gilang JFU", "jfu_program"),
    (HANA, "Hana Sekretaris", "sekretaris_dinas"),
    (IRWAN, "Irwan Kepala Dinas", "kepala_dinas"),
    (LINA, "Lina Pengelola SPM", "pengelola_spm"),
)


@pytest.fixture
def shapes(tmp_path: Path, database_url: str, clock: FakeClock) -> Services:
    """The three SOPs of tests/data, and an office holding every position they name."""
    sops = {
        sop.id: sop
        for sop in (
            load_sop(DATA / "sop-surat-masuk.yaml", organisation=OFFICE),
            load_sop(DATA / "sop-lakip.yaml", organisation=OFFICE),
            load_sop(DATA / "sop-laporan-spm.yaml", organisation=OFFICE),
        )
    }
    services = Services(
        engine=make_engine(database_url),
        sops=sops,
        calendar=OfficeCalendar.default(),
        clock=clock,
        files_dir=tmp_path / "files",
        max_upload_bytes=MAX_UPLOAD_BYTES,
    )
    for telegram_id, name, position in STAFF:
        officials.register_official(
            services, telegram_id=telegram_id, name=name, position=position
        )
    return services


def send(services: Services, telegram_id: int, draft_id: int, document: str) -> Outcome:
    """Upload one document and press Kirim."""
    drafts.act(
        services,
        telegram_id=telegram_id,
        draft_id=draft_id,
        action=Upload(document),
        new_file=new_file(f"{document}.pdf"),
    )
    return drafts.act(services, telegram_id=telegram_id, draft_id=draft_id, action=Submit())


def task_of(services: Services, telegram_id: int) -> TaskBriefing:
    """The one open task of an official, as /tugas shows it to them."""
    (found,) = reading.open_tasks_for(services, telegram_id=telegram_id)
    return found.for_holder(officials.person(services, telegram_id=telegram_id).official_id)


def buttons(found: TaskBriefing) -> list[tuple[str, Press | None]]:
    keyboard = notify.task_keyboard(found)
    assert keyboard is not None
    return [
        (button.text, decode(str(button.callback_data)))
        for row in keyboard.inline_keyboard
        for button in row
    ]


def texts_to(services: Services, telegram_id: int) -> list[str]:
    with services.reading() as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == telegram_id)
            .order_by(col(OutboxMessage.id))
        ).all()
    return [str(row.payload["text"]) for row in rows if "text" in row.payload]


def history(services: Services, draft_id: int) -> str:
    draft, lines = reading.history(services, scope=EVERY_AGENCY, draft_id=draft_id)
    return texts.history_message(draft.title, draft.id, lines, (), TZ)


def mail_at_the_address_check(services: Services) -> TaskBriefing:
    drafts.start_draft(
        services, telegram_id=ANI, title="Surat dari Dinas PU", sop_id="surat-masuk"
    )
    send(services, ANI, 1, "surat_masuk")
    return task_of(services, CAHYA)


def test_wrong_address_asks_the_note_then_ends_with_the_result(shapes: Services) -> None:
    check = mail_at_the_address_check(shapes)
    assert buttons(check) == [
        ("Sesuai", Press(Verb.PILIH, check.draft_task_id, 0)),
        ("Salah alamat", Press(Verb.PILIH, check.draft_task_id, 1)),
    ]
    assert "Pilih salah satu: “Sesuai” / “Salah alamat”." in texts.task_message(
        check, shapes.sops["surat-masuk"], TZ
    )
    asked = decisions.choose(
        shapes, telegram_id=CAHYA, draft_task_id=check.draft_task_id, choice=1
    )
    assert isinstance(asked, TaskBriefing)
    assert texts_to(shapes, CAHYA)[-1].startswith("☑️ “Salah alamat” untuk <b>Periksa alamat")
    assert returns.awaited_return(shapes, telegram_id=CAHYA) is not None

    outcome = returns.complete_return(
        shapes, telegram_id=CAHYA, note="Ditujukan kepada Fakultas Teknik"
    )
    assert outcome.draft.status == "selesai"
    assert returns.awaited_return(shapes, telegram_id=CAHYA) is None
    sent = texts_to(shapes, CAHYA)
    assert sent[-2].startswith("☑️ Dipilih “Salah alamat” oleh Cahya Kasubbag TU")
    assert sent[-2].endswith("\nCatatan: Ditujukan kepada Fakultas Teknik")
    assert sent[-1] == (
        "🏁 Draft <b>Surat dari Dinas PU</b> (#1) selesai: Surat dikembalikan ke pengirim."
    )
    # The Petugas are told, with the result.
    told = texts_to(shapes, BAYU)[-1]
    assert "Periksa alamat surat: “Salah alamat” dipilih oleh Cahya Kasubbag TU." in told
    assert "Hasil: Surat dikembalikan ke pengirim." in told

    (status,) = reading.draft_status(shapes, scope=EVERY_AGENCY, draft_id=1)
    assert status.draft.result == "Surat dikembalikan ke pengirim"
    assert "Hasil: Surat dikembalikan ke pengirim" in texts.status_message([status], TZ)
    trail = history(shapes, 1)
    assert "Cahya Kasubbag TU memilih “Salah alamat”: “Ditujukan kepada Fakultas Teknik”" in trail
    assert "menandatangani" not in trail


def test_three_way_branch_and_the_hand_over(shapes: Services) -> None:
    check = mail_at_the_address_check(shapes)
    chosen = decisions.choose(
        shapes, telegram_id=CAHYA, draft_task_id=check.draft_task_id, choice=0
    )
    assert isinstance(chosen, Outcome)  # no note asked
    sort = task_of(shapes, CAHYA)
    assert [label for label, _ in buttons(sort)] == ["Dinas", "Pribadi", "Undangan"]

    # Pribadi welcomes a note: asked, with a button to go on without one.
    asked = decisions.choose(shapes, telegram_id=CAHYA, draft_task_id=sort.draft_task_id, choice=1)
    assert isinstance(asked, TaskBriefing)
    with shapes.reading() as session:
        question = session.exec(
            select(OutboxMessage).order_by(col(OutboxMessage.id).desc())
        ).first()
    assert question is not None and question.tag == notify.task_tag(sort.draft_task_id)
    (row,) = question.payload["reply_markup"]["inline_keyboard"]
    assert row[0]["text"] == texts.TANPA_CATATAN
    assert decode(row[0]["callback_data"]) == Press(Verb.TANPA_CATATAN, sort.draft_task_id, 1)
    with pytest.raises(InvalidInput):  # another outcome's button is not the one awaited
        returns.complete_without_note(
            shapes, telegram_id=CAHYA, draft_task_id=sort.draft_task_id, choice=2
        )
    returns.complete_without_note(
        shapes, telegram_id=CAHYA, draft_task_id=sort.draft_task_id, choice=1
    )

    hand_over = task_of(shapes, ANI)
    assert hand_over.task.id == "serahkan_surat"
    assert buttons(hand_over) == [
        ("✅ Sudah diserahkan", Press(Verb.KIRIM, 1, hand_over.draft_task_id))
    ]
    outcome = drafts.act(
        shapes,
        telegram_id=BAYU,
        draft_id=1,
        action=Submit(),
        draft_task_id=hand_over.draft_task_id,
    )
    assert outcome.draft.status == "selesai"
    assert texts_to(shapes, BAYU)[-1] == "🎉 Draft <b>Surat dari Dinas PU</b> (#1) selesai."
    trail = history(shapes, 1)
    assert "Cahya Kasubbag TU memilih “Sesuai”" in trail
    assert "L3 Cahya Kasubbag TU memilih “Pribadi”\n" in trail
    assert "L6 Bayu Persuratan menyerahkan" in trail


def test_joint_step_optional_step_and_an_outside_party(shapes: Services) -> None:
    drafts.start_draft(shapes, telegram_id=FITRI, title="LAKIP 2026", sop_id="penyusunan-lakip")
    gather = task_of(shapes, EKO)
    assert "Dikerjakan bersama: Kasubbag. Program, JFU Perencanaan (setiap jabatan" in (
        texts.task_message(gather, shapes.sops["penyusunan-lakip"], TZ)
    )
    send(shapes, FITRI, 1, "data_kinerja")
    # The JFU's part is in: neither JFU has it any more; the Kasubbag is told, with Kirim.
    assert reading.open_tasks_for(shapes, telegram_id=FITRI) == []
    assert reading.open_tasks_for(shapes, telegram_id=GILANG) == []
    told = texts_to(shapes, EKO)
    assert any(
        "Fitri JFU telah menyelesaikan bagiannya pada Kumpulkan data capaian kinerja. "
        "Menunggu: Kasubbag. Perencanaan dan Program." in text
        for text in told
    )
    assert told[-1] == texts.READY_TO_SUBMIT
    assert task_of(shapes, EKO).ready_to_submit
    with pytest.raises(ActionRefused) as refused:
        drafts.act(shapes, telegram_id=GILANG, draft_id=1, action=Submit())
    assert refused.value.code == Refusal.SUDAH_DILAKUKAN
    drafts.act(shapes, telegram_id=EKO, draft_id=1, action=Submit())

    send(shapes, GILANG, 1, "draft_lakip")  # either of the two
    optional = task_of(shapes, EKO)
    assert buttons(optional) == [("⏭ Lewati", Press(Verb.LEWATI, 1, optional.draft_task_id))]
    returns.begin_return(
        shapes, telegram_id=EKO, draft_id=1, draft_task_id=optional.draft_task_id, skip=True
    )
    assert texts_to(shapes, EKO)[-1].startswith("⏭ Lewati <b>Unggah masukan unit kerja</b>")
    returns.complete_return(shapes, telegram_id=EKO, note="Tidak ada masukan unit")

    # Nobody holds the Bagian Organisasi: the Kasubbag records its result.
    on_behalf = task_of(shapes, EKO)
    assert on_behalf.task.id == "asistensi"
    assert on_behalf.acting_for == ("Bagian Organisasi Setda",)
    assert "atas nama Bagian Organisasi Setda" in texts.task_message(
        on_behalf, shapes.sops["penyusunan-lakip"], TZ
    )
    options = uploads.upload_options(shapes, telegram_id=EKO)
    assert [o.name for o in options] == ["Berita acara asistensi"]
    drafts.act(
        shapes,
        telegram_id=EKO,
        draft_id=1,
        action=Upload("hasil_asistensi"),
        new_file=new_file("asistensi.pdf"),
    )
    pressed = Origin(chat_id=EKO, message_id=77, message_html="Berkas lengkap.")
    drafts.act(shapes, telegram_id=EKO, draft_id=1, action=Submit(), origin=pressed)
    assert any(
        text.startswith(
            "Berkas lengkap.\n\n<b>📤 Dikirim oleh Eko Kasubbag Program atas nama "
            "Bagian Organisasi Setda, Senin"
        )
        for text in texts_to(shapes, EKO)
    )
    verify = task_of(shapes, EKO)
    assert [label for label, _ in buttons(verify)] == ["✅ Terverifikasi", "↩️ Kembalikan"]

    trail = history(shapes, 1)
    assert "L1 Fitri JFU mengirim" in trail and "L1 Eko Kasubbag Program mengirim" in trail
    assert "L3 Eko Kasubbag Program melewati langkah ini: “Tidak ada masukan unit”" in trail
    assert (
        "L4 Eko Kasubbag Program atas nama Bagian Organisasi Setda mengunggah "
        "Berita acara asistensi"
    ) in trail


def test_a_named_review_loops_back_and_signs_with_a_note(shapes: Services) -> None:
    drafts.start_draft(shapes, telegram_id=LINA, title="Laporan SPM 2026", sop_id="laporan-spm")
    send(shapes, LINA, 1, "data_spm")
    send(shapes, EKO, 1, "laporan_spm")
    review = task_of(shapes, HANA)
    assert [label for label, _ in buttons(review)] == ["Sempurna", "Belum sempurna", "Data kurang"]
    decisions.choose(shapes, telegram_id=HANA, draft_task_id=review.draft_task_id, choice=1)
    with pytest.raises(ActionRefused) as refused:
        returns.complete_return(shapes, telegram_id=HANA, note="ok")
    assert refused.value.code == Refusal.CATATAN_WAJIB
    returns.complete_return(shapes, telegram_id=HANA, note="Tabel capaian belum lengkap")
    again = task_of(shapes, EKO)
    assert (again.task.id, again.return_note) == ("susun_laporan", "Tabel capaian belum lengkap")

    send(shapes, EKO, 1, "laporan_spm")
    review = task_of(shapes, HANA)
    decisions.choose(shapes, telegram_id=HANA, draft_task_id=review.draft_task_id, choice=0)
    sign = task_of(shapes, IRWAN)
    assert texts.PERSETUJUAN_INTERNAL in texts.task_message(sign, shapes.sops["laporan-spm"], TZ)
    decisions.choose(shapes, telegram_id=IRWAN, draft_task_id=sign.draft_task_id, choice=0)
    returns.complete_return(shapes, telegram_id=IRWAN, note="Segera disampaikan")
    hand_over = task_of(shapes, EKO)
    assert [label for label, _ in buttons(hand_over)] == ["✅ Sudah disampaikan"]
    drafts.act(shapes, telegram_id=EKO, draft_id=1, action=Submit())
    trail = history(shapes, 1)
    assert "Hana Sekretaris memilih “Belum sempurna”: “Tabel capaian belum lengkap”" in trail
    assert (
        "Irwan Kepala Dinas menyetujui & menandatangani “Tandatangani”: “Segera disampaikan”"
        in trail
    )
    assert "L5 Eko Kasubbag Program menyerahkan" in trail


# Time as the documents write it: the LAKIP rows in working days, the SPM report's in hours.
WIB = ZoneInfo("Asia/Jakarta")


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of December 2026, WIB (the office's zone, Asia/Pontianak, is WIB too)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=WIB)


def running_row(services: Services, draft_id: int) -> RowTime:
    (status,) = reading.draft_status(services, scope=EVERY_AGENCY, draft_id=draft_id)
    (running,) = [row for row in status.rows if row.left_at is None]
    return running


def planned_reminders(
    services: Services, draft_id: int, row_no: int
) -> list[tuple[str, datetime]]:
    with services.reading() as session:
        clock = session.exec(
            select(RowClock).where(RowClock.draft_id == draft_id, RowClock.row_no == row_no)
        ).one()
        return [
            (reminder.kind, reminder.due_at.astimezone(WIB))
            for reminder in reminder_store.reminders_of(session, draft_id=draft_id)
            if reminder.row_clock_id == clock.id
        ]


def lakip_to_the_signing_row(services: Services, clock: FakeClock, entered: datetime) -> None:
    """Take a LAKIP draft through rows 1 to 4; row 5 ("1 hari") is entered at `entered`."""
    drafts.start_draft(services, telegram_id=FITRI, title="LAKIP 2026", sop_id="penyusunan-lakip")
    send(services, FITRI, 1, "data_kinerja")
    drafts.act(services, telegram_id=EKO, draft_id=1, action=Submit())
    send(services, GILANG, 1, "draft_lakip")
    optional = task_of(services, EKO)
    returns.begin_return(
        services, telegram_id=EKO, draft_id=1, draft_task_id=optional.draft_task_id, skip=True
    )
    returns.complete_return(services, telegram_id=EKO, note="Tidak ada masukan unit")
    send(services, EKO, 1, "hasil_asistensi")
    clock.now = entered.astimezone(UTC)
    drafts.act(services, telegram_id=EKO, draft_id=1, action=Approve())
    assert task_of(services, EKO).task.id == "finalisasi"


def test_a_day_entered_on_friday_afternoon_is_due_on_monday(
    shapes: Services, clock: FakeClock
) -> None:
    friday = wib(4, 15)  # Jumat 4 Desember 2026, not a holiday
    assert friday.weekday() == 4
    lakip_to_the_signing_row(shapes, clock, friday)

    row = running_row(shapes, 1)
    assert (row.row_label, row.standard_text) == ("5", "1 hari")
    assert row.entered_at == friday
    assert row.due_at == wib(7, 15)  # Senin 7 Desember 15:00, past the weekend
    # The working minutes of that day: Friday 15:00-16:30, Monday 07:30-12:00 and 13:00-15:00.
    assert row.standard_minutes == 90 + 270 + 120

    # The default reminders, scaled with the day: at 80% of its 480 working minutes
    # (384: 90 on Friday, then 294 on Monday, over the lunch break), at the due time, and the
    # superior once the row is late by 10% of it (48 minutes).
    assert planned_reminders(shapes, 1, 5) == [
        ("hampir", wib(7, 13, 24)),
        ("jatuh_tempo", wib(7, 15)),
        ("eskalasi", wib(7, 15, 48)),
    ]
    # /status: the due date on the calendar, and the working time left (the day's 480 minutes).
    (status,) = reading.draft_status(shapes, scope=EVERY_AGENCY, draft_id=1)
    shown = texts.status_message([status], TZ)
    assert "Batas waktu: Senin, 7 Desember 2026 15:00 WIB" in shown
    assert "Sisa waktu: 8 jam kerja" in shown

    clock.now = wib(7, 10).astimezone(UTC)
    send(shapes, EKO, 1, "lakip_final")
    sign = task_of(shapes, IRWAN)
    drafts.act(
        shapes, telegram_id=IRWAN, draft_id=1, action=Approve(), draft_task_id=sign.draft_task_id
    )
    (status,) = reading.draft_status(shapes, scope=EVERY_AGENCY, draft_id=1)
    assert status.draft.status == "selesai"
    draft, lines = reading.history(shapes, scope=EVERY_AGENCY, draft_id=1)
    trail = texts.history_message(draft.title, draft.id, lines, status.rows, TZ)
    # Entered Friday 15:00, done Monday 10:00: 90 + 150 working minutes of the written day.
    assert "• L5: 240 menit / 1 hari, selesai" in trail
    assert "• L1: " in trail and " / 5 hari, selesai" in trail
    assert "menit / 6 hari, selesai" in trail


def test_hours_are_working_time_over_the_lunch_break_and_the_night(
    shapes: Services, clock: FakeClock
) -> None:
    clock.now = wib(1, 10).astimezone(UTC)  # Selasa 1 Desember 10:00
    drafts.start_draft(shapes, telegram_id=LINA, title="Laporan SPM 2026", sop_id="laporan-spm")
    row = running_row(shapes, 1)
    # "4 jam" from 10:00: two hours to noon, then 13:00 to 15:00.
    assert (row.standard_text, row.standard_minutes) == ("4 jam", 240)
    assert row.due_at == wib(1, 15)
    assert planned_reminders(shapes, 1, 1) == [
        ("hampir", wib(1, 14, 12)),  # 80% of 240 = 192 working minutes
        ("jatuh_tempo", wib(1, 15)),
        ("eskalasi", wib(1, 15, 24)),  # late by 10% of 240
    ]

    clock.now = wib(1, 15, 30).astimezone(UTC)
    send(shapes, LINA, 1, "data_spm")
    row = running_row(shapes, 1)
    # "2 jam" from 15:30: half an hour that day, then 07:30 to 09:00 the next morning.
    assert (row.row_label, row.standard_text, row.standard_minutes) == ("2", "2 jam", 120)
    assert row.due_at == wib(2, 9)
    assert planned_reminders(shapes, 1, 2) == [
        ("hampir", wib(2, 8, 36)),  # 96 working minutes
        ("jatuh_tempo", wib(2, 9)),
        ("eskalasi", wib(2, 9, 15)),  # 10% is 12 minutes: at least 15
    ]

    (status,) = reading.draft_status(shapes, scope=EVERY_AGENCY, draft_id=1)
    draft, lines = reading.history(shapes, scope=EVERY_AGENCY, draft_id=1)
    trail = texts.history_message(draft.title, draft.id, lines, status.rows, TZ)
    assert "• L1: 270 menit / 4 jam, selesai (lewat 30 menit)" in trail
