"""The status bar says where the team journal stands, at every width."""

from __future__ import annotations

import time

import pytest

from cockpit.journal.team_status import TeamStatus
from cockpit.model import IncidentState, SourceHealth
from cockpit.panes.status import render_status


def test_offline_with_the_queue_and_since_when() -> None:
    since = time.time() - 300
    status = TeamStatus(url="postgresql://c:***@db/x", queued=3, offline_since=since)
    hhmm = time.strftime("%H:%M", time.localtime(since))
    assert status.bar() == f"team: offline, 3 queued (since {hhmm})"
    assert TeamStatus(url="u").bar() == "team: connecting"
    assert TeamStatus(url="u", online=True).bar() == "team: online"


@pytest.mark.parametrize("width", [80, 120, 160])
def test_the_team_state_is_kept_when_the_bar_shortens(width: int) -> None:
    state = IncidentState(id="INC-20261202-120000-team", title="checkout 5xx " * 4)
    health = [SourceHealth(name="alertmanager", up=True, started=True, last_ok=time.time())]
    bar = "team: offline, 12 queued (since 12:01)"
    line = render_status(state, "alice", health, time.time(), width=width, team=bar).plain
    assert bar in line and len(line) <= width
    assert "team:" not in render_status(state, "alice", health, time.time(), width=width).plain
