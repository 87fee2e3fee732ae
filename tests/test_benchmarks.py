"""The benchmarks still run (a smoke run with tiny sizes; nothing is timed here)."""

from __future__ import annotations

import pytest

from benchmarks.__main__ import main


def test_the_benchmarks_run(capsys: pytest.CaptureFixture[str]) -> None:
    rows = main(["--quick"])
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
