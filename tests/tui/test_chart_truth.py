"""The terminal chart does not lie (issue 12 item 6): no line across a Prometheus outage and
the outage named under the chart; actions numbered by their journal row, clustered ones
sharing one label instead of running together ('acksilpinned')."""

from __future__ import annotations

from pathlib import Path

from cockpit.journal.gaps import Outage
from cockpit.model import Panel, PanelSeries
from cockpit.screens.chart import ChartMarker, ChartScreen, cluster, group_label

from .harness import (
    demo_app,
    refresh_sources,
    wait_for,
    wait_for_row,
    wait_for_text,
)

T0 = 1_795_892_700.0  # 19:05:00Z


def test_close_markers_share_one_label_far_ones_do_not() -> None:
    marks = [
        ChartMarker(T0 + 1, 41, "alice", "acknowledged alert X"),
        ChartMarker(T0 + 2, 42, "alice", "silenced alert X for 1h"),
        ChartMarker(T0 + 3, 43, "alice", "pinned alerts: X"),
        ChartMarker(T0 + 600, 44, "bob", "note: looking"),
    ]
    groups = cluster(marks, 900)
    assert [group_label(g) for g in groups] == ["#41-43", "#44"]


async def test_chart_breaks_the_line_over_an_outage_and_names_the_markers(
    tmp_path: Path,
) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await pilot.press("1", "a", "p")  # two actions in the same second
        ack = await wait_for_row(pilot, "alert.acknowledged")
        pin = await wait_for_row(pilot, "evidence.pinned")
        await pilot.press("2", "enter")
        chart = await wait_for(pilot, lambda: isinstance(app.screen, ChartScreen) and app.screen)
        text = await wait_for_text(pilot, f"#{ack.seq} ", f"#{pin.seq} ")
        assert f"#{ack.seq} {ack.ts[11:19]} alice: acknowledged alert" in text
        assert "acksilpinned" not in text and "acknowledgedpinned" not in text
        labels = [group_label(g) for g in cluster(chart.markers, 900)]
        assert f"#{ack.seq}-{pin.seq}" in labels  # one label for the cluster, on the chart
        await pilot.press("escape")

        # a series across an outage: two separate plots, and the outage listed
        panel = Panel("5xx rate", "q", "req/s")
        points = tuple((T0 + 15 * k, 2.0) for k in range(61))
        down = Outage("prometheus", T0 + 300, T0 + 480, "connection refused")
        screen = ChartScreen(PanelSeries(panel, points), [], [down])
        await app.push_screen(screen)
        await wait_for_text(pilot, "prometheus down 19:10:00–19:13:00: connection refused")
        from textual_plotext import PlotextPlot

        plt = screen.query_one(PlotextPlot).plt
        monitor = plt._active.monitor  # plotext keeps each plot() call's points
        # fillx is False for a line, the level filled down to (0) for a band
        runs = [xs for xs, fill in zip(monitor.x, monitor.fillx, strict=True) if fill is False]
        assert len(runs) == 2  # before and after the outage: nothing drawn across it
        assert sum(f is not False for f in monitor.fillx) == 1  # the outage, shaded
