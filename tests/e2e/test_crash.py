"""Killed with SIGKILL at random moments and restarted, the bot loses and doubles nothing.

The Renja SOP is played twice by the same script (`crashrun.play_renja`): once against an
uninterrupted `renja-bot run`, once against one killed at random moments and restarted at
once on the same database. Both must end in the same state, and every official must have
received the same messages, allowing at most one repeated message per kill.

The slow tests are marked `slow` (`pytest -m slow` selects them) and run in `make test`.
The seed comes from `CRASH_SEED` and is printed with every failure, so that a failing run
can be played again; the bot's log and both runs, message by message and call by call, are
left in the test's temporary folder.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tests.e2e.crashrun import (
    Received,
    Run,
    compare,
    compare_chat,
    describe,
    dump,
    play,
    prepare_database,
)

KILLS = 12
SEED = int(os.environ.get("CRASH_SEED", "20261130"))
THINK = (0.0, 0.3)
"""An official's pause before acting, in the killed run."""


pytestmark = pytest.mark.xdist_group("crash")  # its module fixture is built once


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated, with the seven officials registered by `renja-bot user add`."""
    return asyncio.run(prepare_database(tmp_path_factory.mktemp("template")))


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory, database: Path) -> Run:
    return asyncio.run(play(tmp_path_factory.mktemp("uninterrupted"), database))


@pytest.mark.slow
def test_uninterrupted_run_reaches_the_signature(uninterrupted: Run) -> None:
    """The reference: the script completes without any official having to insist."""
    run = uninterrupted
    assert (run.failures, run.lost, run.notes) == ([], [], [])
    ((title, year, status, _, signed),) = run.state["draft"]
    assert (title, year, status, signed) == ("Renja BAPPEDA Tahun 2027", 2027, "selesai", 1)
    assert len(run.state["documentversion"]) == 11
    assert all(row[-1] == "file ok" for row in run.state["documentversion"])
    assert [row[0] for row in run.state["auditentry"]].count("kembalikan") == 2
    for chat, messages in run.chats.items():
        assert messages, chat
        assert not [m.final for m in messages if "[tombol:" in m.final], chat


@pytest.mark.slow
def test_kills_lose_and_double_nothing(tmp_path: Path, database: Path, uninterrupted: Run) -> None:
    killed = asyncio.run(
        play(
            tmp_path,
            database,
            kills=KILLS,
            steps=len(uninterrupted.steps),
            seed=SEED,
            think=THINK,
        )
    )
    assert_same_as_uninterrupted(tmp_path, uninterrupted, killed, f"CRASH_SEED={SEED}")


@pytest.mark.slow
def test_kills_behind_a_webhook_lose_and_double_nothing(
    tmp_path: Path, database: Path, uninterrupted: Run
) -> None:
    """The same, with `renja-bot run --webhook`: an update answered 200 by a process that is
    then killed is handled by the next one, from the inbox."""
    killed = asyncio.run(
        play(
            tmp_path,
            database,
            kills=KILLS,
            steps=len(uninterrupted.steps),
            seed=SEED + 1,
            think=THINK,
            webhook=True,
        )
    )
    seed = f"CRASH_SEED={SEED} (+1, webhook)"
    assert_same_as_uninterrupted(tmp_path, uninterrupted, killed, seed)


def assert_same_as_uninterrupted(folder: Path, uninterrupted: Run, killed: Run, seed: str) -> None:
    """Both runs written to `folder`, their story printed, and no difference but those
    allowed (see crashrun.compare)."""
    (folder / "uninterrupted.txt").write_text("\n".join(dump(uninterrupted)), encoding="utf-8")
    (folder / "killed.txt").write_text("\n".join(dump(killed)), encoding="utf-8")
    story = describe(uninterrupted, killed)
    print(story)
    problems = compare(uninterrupted, killed)
    assert not problems, f"{seed}; bot log and both runs in {folder}\n{story}\n\n" + "\n".join(
        problems
    )


def test_comparison_tells_a_repeat_from_a_loss() -> None:
    offered = "✅ Diterima: Konsep, versi 1. [tombol: 📤 Kirim]"
    sent = Received(offered, offered)
    done = Received("✅ Diterima: Konsep, versi 1. 📤 Dikirim oleh Rina.", offered)
    task = Received("📋 Langkah 1: Telaah Konsep", "📋 Langkah 1: Telaah Konsep")
    calm = [done, task]

    # Sent twice (the copy keeps its button): one repeat, nothing lost.
    diff = compare_chat("Rina", calm, [done, sent, task])
    assert diff.repeated == [offered]
    assert (diff.missing, diff.unexpected, diff.changed) == ([], [], [])

    # The outcome was never written into the message, and the next task never came.
    diff = compare_chat("Rina", calm, [sent])
    assert diff.changed == [(done.final, offered)]
    assert (diff.missing, diff.unexpected, diff.repeated) == ([task.final], [], [])

    # A message no calm run shows is unexpected, not a repeat.
    diff = compare_chat("Rina", calm, [done, Received("Gunakan tombol", "Gunakan tombol"), task])
    assert (diff.unexpected, diff.repeated) == (["Gunakan tombol"], [])
