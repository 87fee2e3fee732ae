"""The benchmarks still run (a smoke run with tiny sizes; nothing is timed here)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import text

from benchmarks import load
from benchmarks.__main__ import main
from benchmarks.common import SEKRETARIS, START, services_at
from bot.usecases import drafts
from storage import drafts as draft_store
from workflow.engine import Approve


def test_the_benchmarks_run(capsys: pytest.CaptureFixture[str]) -> None:
    rows = main(
        [
            "--quick",
            "calendar",
            "actions",
            "lists",
            "decisions",
            "uploads",
            "sending",
            "invitations",
        ]
    )
    out = capsys.readouterr().out
    for measure in (
        "calendar:",
        "use case:",
        "memory:",
        "decisions/s, 1 in flight, 3 holders",
        "decisions/s, 16 in flight, 3 holders",
        "press → next holder, p99, 16 in flight, 3 holders",
        "upload → receipt, median, 20 drafts",
        "SQL statements per approval",
        "sender: 10 chats, flood limits on",
        "sender: 10 chats: 429 answers",
        "invitations: 10 participants, flood limits on",
        "invitations: 10 participants: 429 answers",
        "/status, page 1, 60 drafts",
        "/tugas of the Sekretaris, page 1, 60 drafts",
    ):
        assert measure in out
    # Counts, not timings: an approval runs as many statements in a bigger office.
    (statements,) = [row for row in rows if row[0].startswith("SQL statements per approval")]
    _, value, baseline, _ = statements
    assert int(value) == int(baseline) > 0
    # ...and /status and /tugas as many with 60 drafts as with 30.
    for name in ("/status", "/tugas"):
        (listed,) = [row for row in rows if row[0].startswith(f"SQL statements of {name},")]
        assert int(listed[1]) == int(listed[2]) > 0


def test_the_load_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--quick", "load"])
    out = capsys.readouterr().out
    for measure in (
        "load (sqlite, 1 process): 50 open drafts, 200 reminders",
        "load: decisions/s, 1 in flight (2 presses)",
        "load: decisions/s, 16 in flight (16 presses)",
        "load: press → next holder, median, 16 in flight",
        "load: press → next holder, p99, 1 in flight",
        "load: start-up → first update handled, median of 1",
        "load: peak memory (VmHWM) after start-up",
        "load: peak memory (VmHWM) after all decisions",
    ):
        assert measure in out


@pytest.mark.parametrize(
    ("arguments", "missing"),
    [
        (["--database-url", "postgresql://renja@127.0.0.1/renja"], "PostgreSQL"),
        (["--processes", "2"], "--processes 1"),
    ],
)
def test_what_the_load_benchmark_cannot_measure_yet_is_said(
    arguments: list[str], missing: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if missing == "PostgreSQL" and importlib.util.find_spec("psycopg") is not None:
        pytest.skip("the PostgreSQL driver is installed: the benchmark can run on it")
    with pytest.raises(SystemExit) as stopped:
        main(["load", *arguments])
    assert stopped.value.code == 2
    said = capsys.readouterr().err
    assert "not available yet" in said
    assert missing in said


def test_the_load_benchmark_makes_no_database_over_an_existing_file(tmp_path: Path) -> None:
    existing = tmp_path / "renja.db"
    existing.write_bytes(b"kept")
    with pytest.raises(FileExistsError):
        load.backend_for(f"sqlite:///{existing}", tmp_path)
    assert existing.read_bytes() == b"kept"


def test_the_load_office_is_consistent(tmp_path: Path) -> None:
    """The copied drafts hold together as the use cases would have written them, and an
    official can act on one."""
    sizes = load.LoadSizes(drafts=30, reminders=120, decisions=[(1, 2)], starts=1)
    backend = load.backend_for(None, tmp_path)
    made = load.prepare(backend, tmp_path, sizes)
    assert (made.drafts, made.open_drafts, made.waiting_reminders) == (30, 30, 120)
    services = services_at(tmp_path, lambda: START, backend.office_url)
    with services.engine.connect() as connection:

        def number(sql: str) -> int:
            return int(connection.execute(text(sql)).scalar_one())

        # Every row of a draft refers to rows of the same draft.
        for sql in (
            "SELECT count(*) FROM documentversion v JOIN drafttask t ON t.id = v.draft_task_id"
            " WHERE t.draft_id != v.draft_id",
            "SELECT count(*) FROM reminder r JOIN rowclock c ON c.id = r.row_clock_id"
            " WHERE c.draft_id != r.draft_id",
            "SELECT count(*) FROM auditentry a JOIN documentversion v"
            " ON v.id = a.document_version_id WHERE v.draft_id != a.draft_id",
            "SELECT count(*) FROM outbox o JOIN outbox e ON e.id = o.edit_of"
            " WHERE e.chat_id != o.chat_id",
        ):
            assert number(sql) == 0, sql
        # One open task and one tagged task message per draft; no reminder due yet.
        assert number("SELECT count(*) FROM drafttask WHERE is_open") == 30
        assert number("SELECT count(DISTINCT tag) FROM outbox WHERE tag LIKE 'tugas:%'") == 30
        assert (
            number(
                "SELECT count(*) FROM outbox o JOIN drafttask t ON o.tag = 'tugas:' || t.id"
                " WHERE t.is_open"
            )
            == 30
        )
        assert (
            number(f"SELECT count(*) FROM reminder WHERE due_at <= '{START:%Y-%m-%d %H:%M}'") == 0
        )
        # Owed: only the reviewer's task messages of the drafts made through the use cases.
        assert number("SELECT count(*) FROM outbox WHERE status = 'menunggu'") == sizes.pressed
    copied = 2  # the first copy of draft 1
    with services.reading() as session:
        task = draft_store.open_task(session, draft_id=copied)
    assert task is not None and task.task_id == "konsultasi_sekretaris"
    outcome = drafts.act(
        services, telegram_id=SEKRETARIS, draft_id=copied, action=Approve(), draft_task_id=task.id
    )
    assert outcome.draft.id == copied
    services.engine.dispose()
