"""What the fold says about timings and acknowledgements (issue 12 items 2 and 4)."""

from __future__ import annotations

from typing import Any

from cockpit.journal.projection import fold
from cockpit.model import Ack, Event, IncidentState

INC = "INC-T"


def _events(*steps: tuple[str, str, str, dict[str, Any]]) -> list[Event]:
    return [
        Event(i, f"id{i}", INC, i, f"2026-12-02T{clock}.000Z", actor, kind, 1, data, {}, "", "")
        for i, (clock, actor, kind, data) in enumerate(steps, 1)
    ]


STEPS = (
    ("11:00:00", "alice", "session.started", {"mode": "live", "session": "s1"}),
    (
        "11:00:05",
        "alertmanager",
        "system.alert.firing",
        {
            "alert": "HighErrorRate",
            "fingerprint": "f1",
            "starts_at": "2026-12-02T10:52:30Z",
        },
    ),
    (
        "11:00:06",
        "alertmanager",
        "system.alert.firing",
        {
            "alert": "HighLatency",
            "fingerprint": "f2",
            "starts_at": "2026-12-02T10:49:00.250Z",
        },
    ),
    ("11:02:00", "alice", "incident.declared", {"title": "checkout 5xx"}),
    ("11:03:00", "alice", "note.added", {"type": "note", "text": "looking"}),
    ("11:04:00", "bob", "alert.acknowledged", {"alert": "HighErrorRate", "fingerprint": "f1"}),
    ("11:05:00", "alice", "alert.acknowledged", {"alert": "HighErrorRate", "fingerprint": "f1"}),
    ("11:06:00", "alice", "status.changed", {"status": "identified"}),
    ("11:07:00", "alice", "status.changed", {"status": "identified"}),
)


def test_acknowledged_is_the_first_alert_acknowledgement() -> None:
    state = fold(_events(*STEPS))
    # not the declaration (11:02) nor the first note: bob's ack of 11:04
    assert state.acknowledged == "2026-12-02T11:04:00.000Z"
    assert state.acks == {"f1": Ack("HighErrorRate", "bob", "2026-12-02T11:04:00.000Z")}
    assert state.ack_of("f1") == state.acks["f1"]
    assert state.ack_of("f2", "HighLatency") is None


def test_timings_count_from_the_earliest_alert_start() -> None:
    state = fold(_events(*STEPS))
    assert state.started == "2026-12-02T11:00:00.000Z"  # the first session, not the impact
    assert state.impact_started == "2026-12-02T10:49:00.250Z"  # HighLatency's startsAt
    assert state.detected == "2026-12-02T11:00:00.000Z"
    assert state.time_to_detect == 659.75
    assert state.time_to_declare == 779.75
    assert state.time_to_acknowledge == 899.75


def test_status_since_is_the_status_change_not_the_declaration() -> None:
    state = fold(_events(*STEPS))
    # set again to the same status: still identified since 11:06
    assert (state.status, state.status_since) == ("identified", "2026-12-02T11:06:00.000Z")


def test_without_alerts_the_timings_count_from_the_first_entry() -> None:
    state = fold(_events(*STEPS[3:4]))
    assert state.impact_started is None and state.impact == state.started
    assert state.time_to_declare == 0.0


def test_a_garbage_starts_at_falls_back_to_the_entry() -> None:
    state = fold(
        _events(("11:00:05", "am", "system.alert.firing", {"alert": "A", "starts_at": "soon"}))
    )
    assert state.impact_started == "2026-12-02T11:00:05.000Z"


def test_the_state_survives_a_snapshot() -> None:
    state = fold(_events(*STEPS))
    assert IncidentState.from_dict(state.to_dict()) == state
