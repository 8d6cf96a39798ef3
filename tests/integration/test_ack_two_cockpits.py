"""An acknowledgement is seen by everyone on the incident (issue 12 item 2): two cockpit
processes on one journal, against real Prometheus and Alertmanager, in a private tmux server.
Alice acknowledges the alert; both screens show `ack alice HH:MM` on its row."""

from __future__ import annotations

import json
import re
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from servers import Stack, http_json

from cockpit.model import format_ts, parse_ts
from tests.e2e.tmux import Tmux

pytestmark = pytest.mark.integration

INC = "INC-20261202-110512-k3f9"


def _cockpit(config: Path, journal: Path, operator: str) -> str:
    argv = [sys.executable, "-m", "cockpit", "--config", str(config), "--journal", str(journal)]
    argv += ["--incident", INC, "--operator", operator]
    return " ".join(shlex.quote(a) for a in argv)


def _alert_row(screen: str) -> str:
    return next((line for line in screen.splitlines() if "CockpitTestHigh" in line), "")


def test_the_ack_row_shows_in_both_cockpits(stack: Stack, tmux: Tmux, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[prometheus]\nurl = "{stack.prometheus.url}"\ninterval = 1\n'
        f'[alertmanager]\nurl = "{stack.alertmanager.url}"\ninterval = 1\n'
    )
    journal = tmp_path / "journal.sqlite"
    for name in ("alice", "bob"):
        tmux.new_session(name, _cockpit(config, journal, name), width=160, height=40)
    for name in ("alice", "bob"):
        tmux.wait_for(name, lambda s: "CockpitTestHigh" in s, timeout=40)
    assert "ack " not in _alert_row(tmux.screen("bob"))

    tmux.send_keys("alice", "1")
    tmux.send_keys("alice", "a")
    tmux.wait_for("alice", lambda s: "acknowledged alert CockpitTestHigh" in s, timeout=30)
    with sqlite3.connect(journal) as conn:
        (ts,) = conn.execute(
            "SELECT ts FROM events WHERE kind = 'alert.acknowledged' AND actor = 'alice'"
        ).fetchone()
    hhmm = ts[11:16]  # the ack's UTC time, as the row shows it
    for name in ("alice", "bob"):
        screen = tmux.wait_for(name, lambda s: f"ack alice {hhmm}" in _alert_row(s), timeout=10)
        assert re.search(rf"CockpitTestHigh.*ack alice {hhmm}", screen)
    for name in ("alice", "bob"):
        tmux.send_keys(name, "q")

    # the journaled firing carries Alertmanager's startsAt, and the postmortem counts from it
    [am_alert] = [
        a
        for a in http_json(f"{stack.alertmanager.url}/api/v2/alerts")
        if a["labels"]["alertname"] == "CockpitTestHigh"
    ]
    started = format_ts(parse_ts(re.sub(r"(\.\d{6})\d+", r"\1", am_alert["startsAt"])))
    with sqlite3.connect(journal) as conn:
        (data,) = conn.execute(
            "SELECT data FROM events WHERE kind = 'system.alert.firing'"
        ).fetchone()
    assert json.loads(data)["starts_at"] == started
    export = ["export", INC, "--journal", str(journal), "--format", "md"]
    md = subprocess.run(
        [sys.executable, "-m", "cockpit", *export],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"| Impact started | {started} |" in md
    assert "| Time to acknowledge | —" not in md
