"""A multi-line paste into the note prompt, as a terminal sends it (bracketed paste through a
real tmux): every line reaches the journal's note and the screen (issue 16 item 9)."""

from __future__ import annotations

import json
import shlex
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from .tmux import Tmux

pytestmark = pytest.mark.e2e

LINES = ["kubectl get pods -n shop", "payments-7f9  0/1  OOMKilled  3", "cart-5c2  1/1  Running  0"]


def cockpit_cmd(*args: str) -> str:
    return " ".join(shlex.quote(a) for a in (sys.executable, "-m", "cockpit", *args))


def notes(journal: Path) -> list[dict[str, str]]:
    """The note rows in the journal file itself."""
    with sqlite3.connect(f"file:{journal}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT data FROM events WHERE kind = 'note.added' ORDER BY seq")
        return [json.loads(data) for (data,) in rows]


def test_multi_line_paste_keeps_every_line(tmux: Tmux, tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite"
    command = cockpit_cmd(
        "demo", "--seed", "3", "--journal", str(journal), "--incident", "INC-PASTE"
    )
    tmux.new_session("demo", command)
    tmux.wait_for("demo", lambda s: "firing" in s and "Timeline" in s)
    tmux.send_keys("demo", "n")
    tmux.wait_for("demo", lambda s: "Add to the journal" in s)
    clip = tmp_path / "clipboard.txt"
    clip.write_text("\n".join(LINES) + "\n")  # as copied from a terminal: a final newline
    tmux.run("load-buffer", "-b", "clip", str(clip))
    tmux.run("paste-buffer", "-p", "-d", "-b", "clip", "-t", "demo")  # -p: bracketed
    # the prompt grows to show every line; nothing was saved by the pasted newlines
    tmux.wait_for("demo", lambda s: all(line in s for line in LINES))
    assert notes(journal) == []
    tmux.send_keys("demo", "Enter")
    deadline = time.monotonic() + 15
    while not notes(journal) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [n["text"] for n in notes(journal)] == ["\n".join(LINES)]
    # one timeline row, the lines separated by inert marks
    screen = tmux.wait_for("demo", lambda s: "Add to the journal" not in s and "⏎" in s)
    rows = [line for line in screen.splitlines() if "│" in line and "note: kubectl" in line]
    assert any("note: kubectl get pods -n shop⏎payments-7f9" in r for r in rows), screen
    # its detail (5, end, enter) shows the note line by line
    tmux.send_keys("demo", "5")
    tmux.send_keys("demo", "End")
    tmux.send_keys("demo", "Enter")
    screen = tmux.wait_for("demo", lambda s: "text: |" in s)
    shown = [line.strip(" │") for line in screen.splitlines()]
    assert all(any(s.strip() == line for s in shown) for line in LINES), screen
    tmux.send_keys("demo", "Escape")
    tmux.send_keys("demo", "q")


def test_text_and_enter_in_one_read_save_the_whole_text(tmux: Tmux, tmp_path: Path) -> None:
    """A fast typist (or a terminal's send) delivers "text\\r" in one read: enter saves after
    every key before it, never half the text or an empty note."""
    journal = tmp_path / "journal.sqlite"
    command = cockpit_cmd(
        "demo", "--seed", "3", "--journal", str(journal), "--incident", "INC-FAST"
    )
    tmux.new_session("demo", command)
    tmux.wait_for("demo", lambda s: "firing" in s and "Timeline" in s)
    for n, text in enumerate(("first note typed fast", "second one, fast too"), start=1):
        tmux.send_keys("demo", "n")
        tmux.wait_for("demo", lambda s: "Add to the journal" in s)
        tmux.type("demo", text + "\r")
        deadline = time.monotonic() + 15
        while len(notes(journal)) < n and time.monotonic() < deadline:
            time.sleep(0.1)
        tmux.wait_for("demo", lambda s: "Add to the journal" not in s)
    assert [n["text"] for n in notes(journal)] == ["first note typed fast", "second one, fast too"]
    tmux.send_keys("demo", "q")


def test_text_never_journaled_is_printed_when_the_cockpit_ends(tmux: Tmux, tmp_path: Path) -> None:
    """A read-only cockpit refuses a note; quitting with it still kept prints it, every line,
    so it can be pasted elsewhere: the terminal is its last chance."""
    journal = tmp_path / "journal.sqlite"
    command = cockpit_cmd(
        "demo", "--seed", "3", "--journal", str(journal), "--incident", "INC-RO", "--read-only"
    )
    tmux.new_session("demo", f"{command}; echo EXITED $?; sleep 60")
    tmux.wait_for("demo", lambda s: "READ-ONLY" in s)
    tmux.send_keys("demo", "n")
    tmux.wait_for("demo", lambda s: "Add to the journal" in s)
    clip = tmp_path / "clipboard.txt"
    clip.write_text("db pool exhausted\nsince 19:02")
    tmux.run("load-buffer", "-b", "clip", str(clip))
    tmux.run("paste-buffer", "-p", "-d", "-b", "clip", "-t", "demo")
    tmux.send_keys("demo", "Enter")
    tmux.wait_for("demo", lambda s: "n brings it back" in s)
    tmux.send_keys("demo", "q")
    screen = tmux.wait_for("demo", lambda s: "EXITED" in s)
    assert "not journaled (read-only session: cannot add a note" in screen
    assert "note: db pool exhausted\nsince 19:02" in screen, screen


def test_a_paste_with_colour_codes_stays_one_note(tmux: Tmux, tmp_path: Path) -> None:
    """A log copied with its colours: every line in the note, the colours gone, no pasted
    letter acting as a cockpit key (a `q` in it does not quit), nothing driving the terminal."""
    journal = tmp_path / "journal.sqlite"
    command = cockpit_cmd("demo", "--seed", "3", "--journal", str(journal), "--incident", "INC-C")
    tmux.new_session("demo", command)
    tmux.wait_for("demo", lambda s: "firing" in s and "Timeline" in s)
    tmux.send_keys("demo", "n")
    tmux.wait_for("demo", lambda s: "Add to the journal" in s)
    clip = tmp_path / "clipboard.bin"
    clip.write_bytes(b"pod \x1b[31mOOMKilled\x1b[0m x3\n\x1b]2;PWNED\x07restarts q r x\nlast line")
    tmux.run("load-buffer", "-b", "clip", str(clip))
    tmux.run("paste-buffer", "-p", "-d", "-b", "clip", "-t", "demo")
    tmux.wait_for("demo", lambda s: "last line" in s and "Add to the journal" in s)
    assert notes(journal) == [] and tmux.alive("demo")
    tmux.send_keys("demo", "Enter")
    deadline = time.monotonic() + 15
    while not notes(journal) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [n["text"] for n in notes(journal)] == [
        "pod OOMKilled x3\n␛]2;PWNED␇restarts q r x\nlast line"
    ]
    title = tmux.run("display", "-p", "-t", "demo", "#{pane_title}")
    assert "PWNED" not in title
    tmux.send_keys("demo", "q")
