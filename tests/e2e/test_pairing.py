"""Pairing as people do it: two cockpits on one journal, viewers in one tmux session, watchers."""

from __future__ import annotations

import getpass
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_demo_in_tmux import cockpit_cmd
from .tmux import Tmux

pytestmark = pytest.mark.e2e


def export(journal: Path, incident: str) -> list[dict]:  # type: ignore[type-arg]
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "cockpit",
            "export",
            incident,
            "--format",
            "jsonl",
            "--journal",
            str(journal),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    # CloudEvents lines, the manifest last; kind is the type without its io.cockpit. prefix
    events = [json.loads(line) for line in out.stdout.splitlines()][:-1]
    return [{**e, "kind": e["type"].removeprefix("io.cockpit.")} for e in events]


def active_in(journal: Path, incident: str) -> list[str]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "cockpit",
            "incidents",
            "--format",
            "json",
            "--journal",
            str(journal),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = {row["id"]: row for row in json.loads(out.stdout)}
    return rows[incident]["active"]


def committed_at(journal: Path, text: str, timeout: float = 5.0) -> float:
    """time.monotonic() when a note with `text` is first seen committed in the journal."""
    deadline = time.monotonic() + timeout
    with sqlite3.connect(f"file:{journal}?mode=ro", uri=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT 1 FROM events WHERE kind = 'note.added' AND data LIKE ?", (f"%{text}%",)
            ).fetchone()
            if row:
                return time.monotonic()
            time.sleep(0.005)
    raise AssertionError(f"note {text!r} was not committed within {timeout} s")


def wait_gone(tmux: Tmux, target: str) -> None:
    deadline = time.monotonic() + 15
    while tmux.alive(target) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not tmux.alive(target)


def test_two_processes_see_each_other_within_a_second(tmux: Tmux, tmp_path: Path) -> None:
    journal = tmp_path / "shared.sqlite"
    common = ("--seed", "5", "--journal", str(journal), "--incident", "INC-PAIR")
    tmux.new_session("alice", cockpit_cmd("demo", *common, "--operator", "alice"))
    tmux.wait_for("alice", lambda s: "Timeline" in s and "joined the incident" in s)
    tmux.new_session("bob", cockpit_cmd("demo", *common, "--operator", "bob"))
    tmux.wait_for("bob", lambda s: "Timeline" in s and "bob" in s)

    tmux.send_keys("alice", "n")
    tmux.wait_for("alice", lambda s: "Add to the journal" in s)
    tmux.type("alice", "alice looks at the payments client")
    tmux.send_keys("alice", "Enter")
    # from alice's commit (her fsync depends on the disk, not on pairing) to bob's screen
    started = committed_at(journal, "alice looks at the payments client")
    tmux.wait_for("bob", lambda s: "alice looks at the payments client" in s, timeout=5)
    seen_after = time.monotonic() - started
    assert seen_after < 1.0, f"bob saw alice's note {seen_after:.2f} s after she committed it"

    tmux.send_keys("bob", "n")
    tmux.wait_for("bob", lambda s: "Add to the journal" in s)
    tmux.type("bob", "bob checks the rollout")
    tmux.send_keys("bob", "Enter")
    tmux.wait_for("alice", lambda s: "bob checks the rollout" in s, timeout=5)
    assert active_in(journal, "INC-PAIR") == ["alice", "bob"]
    for name in ("alice", "bob"):
        tmux.send_keys(name, "q")
        wait_gone(tmux, name)
    assert active_in(journal, "INC-PAIR") == []

    events = export(journal, "INC-PAIR")
    assert [e["version"] for e in events] == list(range(1, len(events) + 1))
    notes = {e["actor"]: e["data"]["text"] for e in events if e["kind"] == "note.added"}
    assert notes == {
        "alice": "alice looks at the payments client",
        "bob": "bob checks the rollout",
    }
    # both cockpits saw the same alerts fire: each change is in the journal once
    keys = [e["data"]["key"] for e in events if e["kind"].startswith("system.")]
    assert len(keys) == len(set(keys))
    verify = subprocess.run(
        [sys.executable, "-m", "cockpit", "verify", "--journal", str(journal)],
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_viewers_joining_and_leaving_are_journaled(tmux: Tmux, tmp_path: Path) -> None:
    journal = tmp_path / "j.sqlite"
    tmux.new_session(
        "incident",
        cockpit_cmd(
            "demo",
            "--seed",
            "5",
            "--journal",
            str(journal),
            "--incident",
            "INC-VIEW",
            "--operator",
            "alice",
        ),
    )
    tmux.wait_for("incident", lambda s: "Timeline" in s)
    # a second person attaches to the same tmux session from their own terminal
    guest = Tmux()
    try:
        guest.new_session(
            "terminal", f"tmux -L {tmux.socket} attach-session -t incident", width=160, height=48
        )
        # the viewer is named where the status bar has room, counted where it has not
        # (it stays one line: issue 11 item 9)
        viewer = f"(tmux: {getpass.getuser()}@pts/"
        tmux.wait_for("incident", lambda s: viewer in s or "(tmux: 1)" in s, timeout=10)
        guest.kill()
        tmux.wait_for("incident", lambda s: "(tmux:" not in s, timeout=10)
    finally:
        guest.kill()
    tmux.send_keys("incident", "q")
    wait_gone(tmux, "incident")
    kinds = [(e["kind"], e["data"].get("tty", "")) for e in export(journal, "INC-VIEW")]
    joined = [tty for kind, tty in kinds if kind == "session.viewer.joined"]
    left = [tty for kind, tty in kinds if kind == "session.viewer.left"]
    assert len(joined) == 1, kinds
    assert left == joined and joined[0].startswith("/dev/")


def test_read_only_watcher_is_refused_and_writes_nothing(tmux: Tmux, tmp_path: Path) -> None:
    journal = tmp_path / "j.sqlite"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cockpit",
            "note",
            "first",
            "--incident",
            "INC-RO",
            "--journal",
            str(journal),
            "--operator",
            "alice",
        ],
        check=True,
        capture_output=True,
    )
    tmux.new_session(
        "watch",
        cockpit_cmd(
            "demo",
            "--read-only",
            "--journal",
            str(journal),
            "--incident",
            "INC-RO",
            "--operator",
            "watcher",
        ),
    )
    tmux.wait_for("watch", lambda s: "READ-ONLY" in s and "note: first" in s)
    tmux.send_keys("watch", "s")
    tmux.wait_for("watch", lambda s: "SEV5" in s)
    tmux.send_keys("watch", "1")
    tmux.wait_for("watch", lambda s: "read-only session" in s)
    tmux.send_keys("watch", "q")
    wait_gone(tmux, "watch")
    events = export(journal, "INC-RO")
    # nothing but the watcher's coming and going (issue 12 item 4: the postmortem lists who
    # watched); the refused keys left no trace
    assert [e["kind"] for e in events] == ["note.added", "session.started", "session.ended"]
    assert {e["actor"] for e in events[1:]} == {"watcher"}
    assert all(e["data"]["read_only"] is True for e in events[1:])


def test_closing_the_terminal_still_ends_the_session(tmux: Tmux, tmp_path: Path) -> None:
    journal = tmp_path / "j.sqlite"
    tmux.new_session(
        "gone",
        cockpit_cmd(
            "demo", "--journal", str(journal), "--incident", "INC-HUP", "--operator", "alice"
        ),
    )
    tmux.wait_for("gone", lambda s: "joined the incident" in s)
    assert active_in(journal, "INC-HUP") == ["alice"]
    tmux.run("kill-session", "-t", "gone")  # the terminal goes away: SIGHUP
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and active_in(journal, "INC-HUP"):
        time.sleep(0.2)
    events = export(journal, "INC-HUP")
    assert events[-1]["kind"] == "session.ended"
    assert events[-1]["data"]["reason"] == "hangup"
    assert active_in(journal, "INC-HUP") == []
