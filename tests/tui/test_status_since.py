"""The header counts the status from its change, not from the declaration (issue 12 item 4)."""

from __future__ import annotations

from cockpit.journal.projection import fold
from cockpit.model import Event, parse_ts
from cockpit.panes.status import render_status

INC = "INC-S"


def _event(seq: int, clock: str, kind: str, **data: str) -> Event:
    ts = f"2026-12-02T{clock}.000Z"
    return Event(seq, f"e{seq}", INC, seq, ts, "alice", kind, 1, data, {}, "", "")


def test_identified_for_counts_from_the_status_change() -> None:
    state = fold(
        [
            _event(1, "11:00:00", "session.started", mode="live", session="s1"),
            _event(2, "11:01:00", "incident.declared", title="checkout 5xx"),
            _event(3, "11:10:00", "status.changed", status="identified"),
        ]
    )
    now = parse_ts("2026-12-02T11:17:00.000Z").timestamp()
    line = render_status(state, "alice", [], now).plain
    assert "identified for 7m" in line  # not 16m since the declaration


def test_investigating_counts_from_the_start() -> None:
    state = fold([_event(1, "11:00:00", "incident.declared", title="x")])
    now = parse_ts("2026-12-02T11:03:00.000Z").timestamp()
    assert "investigating for 3m" in render_status(state, "alice", [], now).plain
