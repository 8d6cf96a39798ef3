"""A journal fault found only by opening it (after the first frame) still ends in one line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from .test_demo_in_tmux import cockpit_cmd
from .tmux import Tmux

pytestmark = pytest.mark.e2e


def test_a_journal_from_a_newer_cockpit_ends_the_demo_with_one_line(
    tmux: Tmux, tmp_path: Path
) -> None:
    journal = tmp_path / "newer.sqlite"
    with sqlite3.connect(journal) as conn:
        conn.execute("PRAGMA user_version = 99")  # SQLite, but a schema this cockpit predates
    before = journal.read_bytes()
    command = cockpit_cmd("demo", "--seed", "7", "--journal", str(journal))
    # the shell stays after the cockpit ends, so its last words and exit code can be read
    tmux.new_session("demo", f"{command}; echo exit=$?; sleep 30", width=400)
    screen = tmux.wait_for("demo", lambda s: "exit=" in s, timeout=20)
    lines = [line for line in screen.splitlines() if line.strip()]
    assert lines[-1] == "exit=2"
    assert lines[-2].startswith("cockpit: ") and "newer than this cockpit" in lines[-2]
    assert "Traceback" not in screen
    assert journal.read_bytes() == before  # nothing written to a journal it cannot read


def test_a_damaged_journal_ends_the_demo_with_one_line_and_exit_1(
    tmux: Tmux, tmp_path: Path
) -> None:
    """Issue 16 (5): the schema text holds a byte that is not UTF-8. The open failed with a
    UnicodeDecodeError that left aiosqlite's thread running; now it is one line, exit 1 (a
    failure found, as verify says), and the file is left as it was."""
    journal = tmp_path / "damaged.sqlite"
    with sqlite3.connect(journal) as conn:
        conn.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY)")
    conn.close()
    data = bytearray(journal.read_bytes())
    data[data.index(b"CREATE TABLE events (") + len("CREATE TABLE events ")] = 0xF6
    journal.write_bytes(bytes(data))
    command = cockpit_cmd("demo", "--seed", "7", "--journal", str(journal))
    tmux.new_session("demo", f"{command}; echo exit=$?; sleep 30", width=400)
    screen = tmux.wait_for("demo", lambda s: "exit=" in s, timeout=20)
    lines = [line for line in screen.splitlines() if line.strip()]
    assert lines[-1] == "exit=1"
    assert lines[-2].startswith("cockpit: journal ") and " is damaged (" in lines[-2]
    assert "Traceback" not in screen
    assert journal.read_bytes() == bytes(data)
