"""What the running bot imports: libraries it needs only for rare commands are left out of
its start-up (each costs time and memory in every bot process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_bot_starts_without_matplotlib_and_alembic() -> None:
    # A process of its own: this one has long imported everything.
    script = (
        "import sys, bot.app, bot.cli\n"
        "print(sorted({'matplotlib', 'alembic'} & {m.split('.')[0] for m in sys.modules}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
