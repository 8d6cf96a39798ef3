"""Plain `cockpit` starts on one journal (issue 12 item 1): never a silent merge.

Real processes in a private tmux server, live mode (a config whose Prometheus is down: the
cockpit runs, its source says so). Two plain starts in the same minute make two incidents,
or the second joins the first because its operator chose that in the chooser.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from .test_demo_in_tmux import cockpit_cmd
from .test_pairing import wait_gone
from .tmux import Tmux

pytestmark = pytest.mark.e2e


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    # port 9: nothing listens there, the source is down and says so; the cockpit still runs
    path.write_text('[prometheus]\nurl = "http://127.0.0.1:9"\ntimeout = 1\n')
    return path


def _sessions(journal: Path) -> list[tuple[str, str]]:
    """(incident, operator) of every session.started, in journal order."""
    with sqlite3.connect(journal) as conn:
        rows = conn.execute(
            "SELECT incident, actor FROM events WHERE kind = 'session.started' ORDER BY seq"
        ).fetchall()
    return [(r[0], r[1]) for r in rows]


def _start(tmux: Tmux, name: str, journal: Path, config: Path, *extra: str) -> None:
    cmd = cockpit_cmd(
        "--journal", str(journal), "--config", str(config), "--operator", name, *extra
    )
    tmux.new_session(name, cmd, width=140, height=40)


def test_two_plain_starts_make_two_incidents_or_an_explicit_join(
    tmux: Tmux, tmp_path: Path
) -> None:
    journal, config = tmp_path / "journal.sqlite", _config(tmp_path)
    _start(tmux, "alice", journal, config)
    tmux.wait_for("alice", lambda s: "joined the incident" in s)
    [(first, _)] = _sessions(journal)
    tmux.send_keys("alice", "i")
    tmux.wait_for("alice", lambda s: "Declare the incident" in s)
    tmux.type("alice", "checkout 5xx")
    tmux.send_keys("alice", "Enter")
    tmux.wait_for("alice", lambda s: "declared incident: checkout 5xx" in s)

    # bob, seconds later: the chooser names alice's incident; he starts a new one
    _start(tmux, "bob", journal, config)
    screen = tmux.wait_for("bob", lambda s: "Active incidents in" in s)
    assert f"join {first} SEV? checkout 5xx (alice, 0 min)" in screen
    assert "n  start a new incident" in screen
    tmux.send_keys("bob", "n")
    tmux.wait_for("bob", lambda s: "joined the incident" in s)
    sessions = _sessions(journal)
    assert len(sessions) == 2
    second = sessions[1][0]
    assert second != first, "bob's plain start joined alice's incident without asking"
    assert sessions[1] == (second, "bob")

    # carol chooses alice's incident (the first line): an explicit join
    _start(tmux, "carol", journal, config)
    tmux.wait_for("carol", lambda s: "Active incidents in" in s and second in s)
    screen = tmux.screen("carol")
    # the most recently active first: bob's is 1, alice's 2
    assert screen.index(second) < screen.index(first)
    tmux.send_keys("carol", "2")
    tmux.wait_for("carol", lambda s: "checkout 5xx" in s and "joined the incident" in s)
    assert _sessions(journal)[2] == (first, "carol")

    # --new skips the chooser
    _start(tmux, "dave", journal, config, "--new")
    tmux.wait_for("dave", lambda s: "joined the incident" in s)
    assert "Active incidents in" not in tmux.screen("dave")
    fourth = _sessions(journal)[3]
    assert fourth[0] not in (first, second) and fourth[1] == "dave"

    for name in ("alice", "bob", "carol", "dave"):
        tmux.send_keys(name, "q")
        wait_gone(tmux, name)


def test_quitting_the_chooser_starts_nothing(tmux: Tmux, tmp_path: Path) -> None:
    journal, config = tmp_path / "journal.sqlite", _config(tmp_path)
    _start(tmux, "alice", journal, config)
    tmux.wait_for("alice", lambda s: "joined the incident" in s)
    _start(tmux, "bob", journal, config)
    tmux.wait_for("bob", lambda s: "Active incidents in" in s)
    tmux.send_keys("bob", "q")
    wait_gone(tmux, "bob")
    assert [who for _, who in _sessions(journal)] == ["alice"]
    tmux.send_keys("alice", "q")
    wait_gone(tmux, "alice")


def test_read_only_watches_the_most_recent_active_incident(tmux: Tmux, tmp_path: Path) -> None:
    journal, config = tmp_path / "journal.sqlite", _config(tmp_path)
    _start(tmux, "alice", journal, config)
    tmux.wait_for("alice", lambda s: "joined the incident" in s)
    [(incident, _)] = _sessions(journal)
    tmux.send_keys("alice", "n")
    tmux.wait_for("alice", lambda s: "Add to the journal" in s)
    tmux.type("alice", "payments client times out")
    tmux.send_keys("alice", "Enter")
    tmux.wait_for("alice", lambda s: "journaled #" in s)

    _start(tmux, "watcher", journal, config, "--read-only")
    # no chooser, no new empty incident: alice's incident, her note on the screen
    screen = tmux.wait_for("watcher", lambda s: "payments client times out" in s)
    assert incident in screen and "READ-ONLY" in screen
    for name in ("alice", "watcher"):
        tmux.send_keys(name, "q")
        wait_gone(tmux, name)


def test_read_only_without_an_active_incident_says_so(tmp_path: Path) -> None:
    import subprocess
    import sys

    journal, config = tmp_path / "journal.sqlite", _config(tmp_path)
    argv = ["-m", "cockpit", "--read-only", "--journal", str(journal), "--config", str(config)]
    out = subprocess.run(
        [sys.executable, *argv],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 2
    assert out.stderr.startswith(
        f"cockpit: no active incident in {journal} to watch: pass --incident ID"
    )
    assert "Traceback" not in out.stderr


def test_new_and_incident_together_is_one_clear_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    journal, config = tmp_path / "journal.sqlite", _config(tmp_path)
    argv = ["-m", "cockpit", "--new", "--incident", "INC-X", "--journal", str(journal)]
    out = subprocess.run(
        [sys.executable, *argv, "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (out.returncode, out.stderr) == (
        2,
        "cockpit: --new starts a new incident and --incident joins one: pass one of them\n",
    )
