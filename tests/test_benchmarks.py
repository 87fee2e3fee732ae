"""The benchmarks still run (a smoke run with tiny sizes; nothing is timed here). The load
benchmark's PostgreSQL variants are marked `pg`: skipped without PostgreSQL server binaries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from benchmarks import load
from benchmarks.__main__ import main
from benchmarks.common import KASUBBAG, SEKRETARIS, START, services_at
from bot.usecases import drafts
from storage import drafts as draft_store
from tests import pg
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
        "decisions/s, 16 in flight, 1 holder, 50 ms latency",
        "press → next holder, median, 1 in flight, 1 holder, 50 ms latency",
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


LOAD_ROWS = (
    "{short}: decisions/s, 1 in flight (2 presses)",
    "{short}: decisions/s, 16 in flight (16 presses)",
    "{short}: press → next holder, median, 16 in flight",
    "{short}: press → next holder, p99, 1 in flight",
    "{short}: start-up{both} → first update handled, median of 1",
    "{short}: peak memory (VmHWM{summed}) after start-up",
    "{short}: peak memory (VmHWM{summed}) after all decisions",
)


def assert_load_rows(out: str, variant: load.Variant) -> None:
    assert f"load ({variant.name}): 50 open drafts, 200 reminders" in out
    two = variant.processes == 2
    for row in LOAD_ROWS:
        measure = row.format(
            short=f"load {variant.short}",
            both=" of both" if two else "",
            summed=", sum of 2 processes" if two else "",
        )
        assert measure in out, measure


def test_the_load_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--quick", "load", "--backend", "sqlite"])
    out = capsys.readouterr().out
    assert_load_rows(out, load.Variant("sqlite", 1))
    assert "postgresql" not in out


@pytest.mark.pg
@pytest.mark.slow
def test_the_load_benchmark_runs_on_postgresql_and_two_webhook_processes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """On a server the benchmark starts itself: one polling process, then two webhook
    processes behind the proxy, on copies of one office."""
    if pg.find_binaries() is None:
        pytest.skip(pg.MISSING)
    main(["--quick", "load", "--backend", "postgresql"])
    out = capsys.readouterr().out
    assert_load_rows(out, load.Variant("postgresql", 1))
    assert_load_rows(out, load.Variant("postgresql", 2))
    assert "skipped" not in out


def test_without_postgresql_its_variants_are_skipped_with_a_reason(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(pg, "find_binaries", lambda: None)
    main(["--quick", "load", "--backend", "postgresql"])
    out = capsys.readouterr().out
    (said,) = [line for line in out.splitlines() if "skipped" in line]
    assert "load on postgresql (1 process; 2 webhook processes) skipped" in said
    assert pg.MISSING in said and "make postgresql" in said


def test_the_variants_asked_for() -> None:
    sqlite, postgresql, two = load.ALL
    assert load.variants(None, None) == [sqlite, postgresql, two]
    assert load.variants(None, 1) == [sqlite, postgresql]
    assert load.variants(None, 2) == [two]
    assert load.variants(None, None, "sqlite") == [sqlite]
    assert load.variants("sqlite:///renja.db", None) == [sqlite]
    server = "postgresql+psycopg://renja@127.0.0.1/postgres"
    assert load.variants(server, None) == [postgresql, two]
    assert load.variants(server, 3) == [load.Variant("postgresql", 3)]


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["--processes", "2", "--backend", "sqlite"], "PostgreSQL"),
        (["--processes", "2", "--database-url", "sqlite:///renja.db"], "PostgreSQL"),
        (["--processes", "0"], "1 or more"),
        (["--database-url", "mysql://renja@127.0.0.1/renja"], "no such backend"),
    ],
)
def test_what_the_load_benchmark_cannot_measure_is_refused(
    arguments: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["load", *arguments])
    assert stopped.value.code == 2
    assert said in capsys.readouterr().err


def test_the_load_benchmark_makes_no_database_over_an_existing_file(tmp_path: Path) -> None:
    existing = tmp_path / "renja.db"
    existing.write_bytes(b"kept")
    with pytest.raises(FileExistsError):
        load.backend_for(f"sqlite:///{existing}", tmp_path)
    assert existing.read_bytes() == b"kept"


@pytest.fixture
def load_backend(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[load.Backend]:
    """Where the load office is made: a SQLite file, or a PostgreSQL server (its copies
    dropped at the end)."""
    if backend == "sqlite":
        yield load.backend_for(None, tmp_path)
        return
    server: pg.PostgresServer = request.getfixturevalue("postgres")
    made = load.backend_for(server.url("postgres"), tmp_path)
    yield made
    made.drop_copies()


def test_the_load_office_is_consistent(tmp_path: Path, load_backend: load.Backend) -> None:
    """The copied drafts hold together as the use cases would have written them, and an
    official can act on one (on PostgreSQL too: the id sequences were moved past the
    copies)."""
    sizes = load.LoadSizes(drafts=30, reminders=120, decisions=[(1, 2)], starts=1)
    backend = load_backend
    made = load.prepare(backend, tmp_path, sizes)
    assert (made.drafts, made.open_drafts, made.waiting_reminders) == (30, 30, 120)
    services = services_at(tmp_path, lambda: START, backend.office_url)
    sqlite = backend.name == "sqlite"
    moment = f"{START:%Y-%m-%d %H:%M}" if sqlite else START.isoformat()
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
        assert number(f"SELECT count(*) FROM reminder WHERE due_at <= '{moment}'") == 0
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
    # New rows take ids after the copies'.
    started = drafts.start_draft(services, telegram_id=KASUBBAG, title="Renja baru")
    assert started.draft.id == made.drafts + 1
    services.engine.dispose()
