"""Two cockpit processes on two "machines" (different local journal files) sharing one team
store, in a private tmux server, against a real Alertmanager and a real PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from cockpit.journal.postgres import schema_sql
from tests.e2e.test_demo_in_tmux import cockpit_cmd
from tests.e2e.tmux import Tmux
from tests.team import pgcluster

sys.path.insert(0, str(Path(__file__).parents[1] / "integration"))
from servers import ALERTMANAGER_BINARIES, AlertmanagerServer, find_binary

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

INC = "INC-20261202-120000-team"


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[AlertmanagerServer]:
    if find_binary(ALERTMANAGER_BINARIES) is None:
        pytest.skip("alertmanager not installed (apt-get install prometheus-alertmanager)")
    am = AlertmanagerServer(tmp_path).start()
    now = datetime.now(UTC).isoformat()
    body = json.dumps(
        [
            {
                "labels": {"alertname": "TeamTestHigh", "severity": "critical"},
                "annotations": {"summary": "the team test alert"},
                "startsAt": now,
            }
        ]
    ).encode()
    req = urllib.request.Request(
        f"{am.url}/api/v2/alerts", body, {"Content-Type": "application/json"}
    )
    urllib.request.urlopen(req, timeout=5).read()
    try:
        yield am
    finally:
        am.stop()


def _config(tmp_path: Path, am: AlertmanagerServer, url: str) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[alertmanager]\nurl = "{am.url}"\ninterval = 1\n[team]\nurl = "{url}"\n')
    return config


def _start(tmux: Tmux, config: Path, tmp_path: Path, name: str) -> Path:
    journal = tmp_path / f"{name}.sqlite"  # each on its own machine: its own local file
    argv = ["--config", str(config), "--journal", str(journal), "--incident", INC]
    tmux.new_session(name, cockpit_cmd(*argv, "--operator", name), width=160, height=40)
    return journal


def _note(tmux: Tmux, who: str, text: str) -> None:
    tmux.send_keys(who, "n")
    tmux.wait_for(who, lambda s: "Add to the journal" in s)
    tmux.type(who, text)
    tmux.send_keys(who, "Enter")


def _committed_at(journal: Path, text: str, timeout: float = 5.0) -> float:
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


def _local(journal: Path, kind: str) -> list[Any]:
    with sqlite3.connect(f"file:{journal}?mode=ro", uri=True) as conn:
        return conn.execute(
            "SELECT id, data FROM events WHERE kind = ? ORDER BY seq", (kind,)
        ).fetchall()


def _team(url: str, kind: str) -> list[Any]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT id, data FROM events WHERE kind = %s ORDER BY seq", (kind,)
        ).fetchall()


def _verify(*args: str) -> str:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "cockpit", "verify", *args], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _quit(tmux: Tmux, *names: str) -> None:
    for name in names:
        tmux.send_keys(name, "q")
    deadline = time.monotonic() + 20
    while any(tmux.alive(n) for n in names) and time.monotonic() < deadline:
        time.sleep(0.1)


def test_a_note_reaches_the_other_machine_within_a_second(
    env: dict[str, str],
    tmux: Tmux,
    alertmanager: AlertmanagerServer,
    team_url: str,
    tmp_path: Path,
) -> None:
    config = _config(tmp_path, alertmanager, team_url)
    journals = {name: _start(tmux, config, tmp_path, name) for name in ("alice", "bob")}
    for name in journals:
        tmux.wait_for(name, lambda s: "TeamTestHigh" in s and "team: online" in s, timeout=40)
    _note(tmux, "alice", "alice fails over the primary")
    started = _committed_at(journals["alice"], "alice fails over the primary")
    tmux.wait_for("bob", lambda s: "alice fails over the primary" in s, timeout=5)
    seen_after = time.monotonic() - started
    assert seen_after < 1.0, f"bob saw alice's note {seen_after:.2f} s after she committed it"
    _note(tmux, "bob", "bob drains the old primary")
    tmux.wait_for("alice", lambda s: "bob drains the old primary" in s, timeout=5)
    _quit(tmux, "alice", "bob")

    # two cockpits watched one Alertmanager: one firing in the team record, one per local file
    assert len(_team(team_url, "system.alert.firing")) == 1
    for journal in journals.values():
        assert len(_local(journal, "system.alert.firing")) == 1
        # both machines hold both notes, with the same ids as the team store
        assert sorted(i for i, _ in _local(journal, "note.added")) == sorted(
            i for i, _ in _team(team_url, "note.added")
        )
        assert _verify("--journal", str(journal)).startswith("ok: ")
    assert _verify("--journal", team_url).startswith("ok: ")


@pytest.fixture
def own_pg() -> Iterator[pgcluster.Cluster]:
    """A cluster of this test's own, to stop and start mid-incident."""
    if (reason := pgcluster.available()) is not None:
        pytest.skip(reason)
    with pgcluster.cluster() as c:
        db = c.new_database()
        with psycopg.connect(c.url(db), autocommit=True) as conn:
            conn.execute(schema_sql(pgcluster.COCKPIT_ROLE))  # type: ignore[arg-type]
        c.db = db  # type: ignore[attr-defined]
        yield c


def test_the_team_store_stopped_mid_incident(
    env: dict[str, str],
    tmux: Tmux,
    alertmanager: AlertmanagerServer,
    own_pg: pgcluster.Cluster,
    tmp_path: Path,
) -> None:
    url = own_pg.cockpit_url(own_pg.db)  # type: ignore[attr-defined]
    config = _config(tmp_path, alertmanager, url)
    journals = {name: _start(tmux, config, tmp_path, name) for name in ("alice", "bob")}
    for name in journals:
        tmux.wait_for(name, lambda s: "team: online" in s, timeout=40)
    _note(tmux, "alice", "before the outage")
    tmux.wait_for("bob", lambda s: "before the outage" in s, timeout=5)

    own_pg.stop("fast")
    for name in journals:
        _note(tmux, name, f"{name} during the outage")
    for name in journals:
        # the cockpit goes on, on its local journal, and says so
        screen = tmux.wait_for(name, lambda s: "team: offline, 1 queued (since " in s, timeout=20)
        assert f"{name} during the outage" in screen
    own_pg.start()
    tmux.wait_for("alice", lambda s: "bob during the outage" in s, timeout=20)
    tmux.wait_for("bob", lambda s: "alice during the outage" in s, timeout=20)
    for name in journals:
        tmux.wait_for(name, lambda s: "team: online" in s, timeout=20)
    _quit(tmux, "alice", "bob")

    texts = [json.loads(d)["text"] for _, d in _team(url, "note.added")]
    assert sorted(texts) == sorted(
        ["before the outage", "alice during the outage", "bob during the outage"]
    )  # each exactly once
    for journal in journals.values():
        local = sorted(json.loads(d)["text"] for _, d in _local(journal, "note.added"))
        assert local == sorted(texts)
        assert _verify("--journal", str(journal)).startswith("ok: ")
    assert _verify("--journal", url).startswith("ok: ")


def test_replay_reads_the_team_store(
    env: dict[str, str], tmux: Tmux, team_url: str, tmp_path: Path
) -> None:
    import subprocess

    env["COCKPIT_TEAM_URL"] = team_url
    note = [sys.executable, "-m", "cockpit", "note", "replayed from the team store"]
    local = str(tmp_path / "local.sqlite")
    done = subprocess.run([*note, "--journal", local, "--incident", INC], env=env, timeout=60)
    assert done.returncode == 0
    tmux.new_session("replay", cockpit_cmd("replay", INC, "--journal", team_url), 160, 40)
    tmux.wait_for("replay", lambda s: "replayed from the team store" in s, timeout=30)
    tmux.send_keys("replay", "q")
