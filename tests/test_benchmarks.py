"""The benchmarks still run (a smoke run with tiny sizes; nothing is timed here)."""

from __future__ import annotations

import pytest

from benchmarks.__main__ import main


def test_the_benchmarks_run(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--quick"])
    out = capsys.readouterr().out
    for measure in ("calendar:", "use case:", "memory:"):
        assert measure in out
