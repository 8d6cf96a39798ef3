"""A healthy Kubernetes watch is fresh however long ago its last event came (issue 11 item 2)."""

from __future__ import annotations

from pathlib import Path

from cockpit.model import PodHealth, Snapshot, SourceHealth
from cockpit.panes.kubernetes import KubernetesPane
from tests.tui.harness import demo_app, panes_mounted, show_health, show_snapshot, wait_for


def pods_line(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.main.query_one(KubernetesPane)._pods_line().plain)


async def test_watch_that_is_up_is_not_called_stale(tmp_path: Path) -> None:
    app, clock = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(120, 36)) as pilot:
        await panes_mounted(app)
        pod = PodHealth("shop", "checkout-1", "Running", ready=True, restarts=0)
        show_snapshot(app, Snapshot(source="kubernetes", at=clock(), events=(), pods=(pod,)))
        await wait_for(pilot, lambda: "pods 1/1 ready" in pods_line(app))
        # the watch delivered its last event 40 s ago and is still connected: no news is
        # the news of a watch, not staleness
        show_health(app, SourceHealth("kubernetes", up=True, last_ok=clock() - 40, started=True))
        app.main.tick()
        await pilot.pause()
        assert "stale" not in pods_line(app)
        # the same watch down: what it showed last is stale, with its age
        show_health(
            app,
            SourceHealth("kubernetes", up=False, last_ok=clock() - 40, error="gone", started=True),
        )
        app.main.tick()
        await wait_for(pilot, lambda: "stale 40s" in pods_line(app))
