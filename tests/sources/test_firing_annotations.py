"""system.alert.firing keeps what the alert said about itself (issue 12 item 5): the
description, the runbook and the other annotations, and the generator URL, for the export."""

from __future__ import annotations

from cockpit.model import Alert, Snapshot
from cockpit.sources.changes import ChangeTracker


def test_firing_change_carries_annotations_and_generator_url() -> None:
    alert = Alert(
        "fp1",
        "HighErrorRate",
        "critical",
        "firing",
        {"alertname": "HighErrorRate"},
        {"summary": "5xx", "description": "checkout 5xx", "runbook_url": "https://rb/x"},
        "2026-11-28T19:01:00.000Z",
        generator_url="http://prometheus:9090/graph?g0.expr=x",
    )
    tracker = ChangeTracker("alertmanager")
    tracker.observe(Snapshot("alertmanager", 0.0, alerts=()))
    (change,) = tracker.observe(Snapshot("alertmanager", 1.0, alerts=(alert,)))
    assert change.kind == "system.alert.firing"
    assert change.data["summary"] == "5xx"
    assert change.data["annotations"] == {
        "description": "checkout 5xx",
        "runbook_url": "https://rb/x",
    }
    assert change.data["generator_url"] == "http://prometheus:9090/graph?g0.expr=x"
