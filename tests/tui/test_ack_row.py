"""An acknowledged alert says so on its row at the widths responders use (issue 12 item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.model import Ack, Alert, Snapshot
from cockpit.panes.alerts import AlertsPane
from tests.tui.harness import demo_app, panes_mounted, show_snapshot, wait_for
from tests.tui.screen import screen_text

ALERT = Alert(
    "fp1",
    "HighErrorRate",
    "critical",
    "firing",
    {"alertname": "HighErrorRate", "service": "checkout", "namespace": "shop"},
    {},
    "2026-12-02T11:50:00Z",
)


def alert_row(app) -> str:  # type: ignore[no-untyped-def]
    return next(line for line in screen_text(app).splitlines() if "HighErrorRate" in line)


@pytest.mark.parametrize("size", [(120, 36), (80, 24), (160, 48)])
async def test_ack_is_on_the_row_at_every_width(tmp_path: Path, size: tuple[int, int]) -> None:
    app, clock = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=size) as pilot:
        await panes_mounted(app)
        show_snapshot(app, Snapshot(source="alertmanager", at=clock(), alerts=(ALERT,)))
        await wait_for(pilot, lambda: "HighErrorRate" in screen_text(app))
        assert "ack" not in alert_row(app)
        pane = app.main.query_one(AlertsPane)
        pane.show_acks({"fp1": Ack("HighErrorRate", "alice", "2026-12-02T11:55:07.000Z")})
        await wait_for(pilot, lambda: "ack alice 11:55" in alert_row(app))
