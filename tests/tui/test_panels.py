"""Metric panels on the screen (issue 11 items 5-8): a broken query, no series and a breach
look different; units are humanised; lower-is-worse thresholds; several series."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual_plotext import PlotextPlot

from cockpit.app import CockpitApp
from cockpit.model import Panel, PanelSeries, SeriesLine, Snapshot, SourceHealth
from cockpit.screens.chart import ChartScreen

from .harness import demo_app, panes_mounted, wait_for, wait_for_row, wait_for_text
from .screen import screen_text

PARSE_ERROR = "1:16: parse error: unclosed left parenthesis in sum(rate(x[1m])"
STEP = 15.0


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.sqlite"


def grid(now: float, *values: float | None) -> tuple[tuple[float, float | None], ...]:
    """Samples one step apart, the last one at `now` (fresh: not stale)."""
    return tuple((now - (len(values) - 1 - i) * STEP, v) for i, v in enumerate(values))


def panels(now: float) -> tuple[PanelSeries, ...]:
    free = Panel("free disk", "node_filesystem_avail_bytes", "bytes", 20e9, 10e9, "below")
    return (
        PanelSeries(Panel("bad query", "sum(rate(x[1m])"), error=PARSE_ERROR, query_error=True),
        PanelSeries(Panel("absent", "rate(no_such_total[5m])"), series_count=0),
        PanelSeries(Panel("5xx rate", "q", "req/s", 1.0, 5.0), points=grid(now, 2.0, 7.2)),
        PanelSeries.of_lines(
            free,
            (
                SeriesLine({"mountpoint": "/"}, grid(now, 83e9, 83e9)),
                SeriesLine({"mountpoint": "/data"}, grid(now, 9e9, 5e9)),
            ),
        ),
        PanelSeries(Panel("success", "q", "ratio", 0.99, 0.95, "below"), points=grid(now, 0.999)),
        PanelSeries(Panel("p99", "q", "seconds", 0.5, 1.0), points=grid(now, 0.12, 0.25)),
    )


async def show_panels(app: CockpitApp) -> None:
    await panes_mounted(app)
    now = app.session.wall_clock()  # the moment the pane judges freshness by
    # a source that is up with fresh samples: the rows show levels, not `stale`
    app.main.on_health(SourceHealth("prometheus", up=True, last_ok=now, started=True))
    app.main.on_snapshot(Snapshot(source="prometheus", at=now, panels=panels(now)))


def plot_text(app: CockpitApp) -> str:
    """The chart's plot area only (axis labels, legend), as on the screen."""
    region = app.screen.query_one(PlotextPlot).region
    lines = screen_text(app).splitlines()[region.y : region.y + region.height]
    return "\n".join(line[region.x : region.x + region.width] for line in lines)


def row_of(screen: str, title: str) -> str:
    return next(line for line in screen.splitlines() if title in line)


async def test_query_error_no_series_and_breach_look_different(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(200, 50)) as pilot:
        await show_panels(app)
        text = await wait_for_text(pilot, "bad query", "absent", "free disk")
        bad, absent = row_of(text, "bad query"), row_of(text, "absent")
        rate, free = row_of(text, "5xx rate"), row_of(text, "free disk")
        assert "⊘ query error" in bad and "parse error" in bad
        assert "✖" not in bad and "▲" not in bad
        assert "∅ no series" in absent and "no_such_total" in absent
        assert "✖" not in absent and "▲" not in absent
        assert "✖ 7.20 req/s" in rate
        # lower is worse: 5 GB free is past crit 10 GB; humanised, worst of two series
        assert "✖ 4.66 GiB" in free and "2 series" in free
        assert "✓ 99.9%" in row_of(text, "success")
        assert "✓ 250 ms" in row_of(text, "p99")


async def test_the_count_and_a_stale_age_fit_a_half_width_pane(journal_path: Path) -> None:
    # at 120 columns the metrics pane is half the screen: the value cell must still hold
    # "✖ 4.66 GiB 2 series" whole, not "✖ 4.66 GiB 2 se…"
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await show_panels(app)
        text = await wait_for_text(pilot, "free disk")
        assert "✖ 4.66 GiB 2 series" in row_of(text, "free disk")


async def test_query_error_chart_shows_the_full_message(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(200, 50)) as pilot:
        await show_panels(app)
        await pilot.press("2", "home", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChartScreen), what="the chart")
        text = await wait_for_text(pilot, "query error", flat=True)
        assert PARSE_ERROR in " ".join(text.split())


async def test_no_series_chart_hints_at_the_metric(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(200, 50)) as pilot:
        await show_panels(app)
        await pilot.press("2", "home", "down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChartScreen), what="the chart")
        await wait_for_text(pilot, "no series", "no_such_total", flat=True)


async def test_two_series_chart_has_a_legend_units_and_labels(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(200, 50)) as pilot:
        await show_panels(app)
        await pilot.press("2", "home", "down", "down", "down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChartScreen), what="the chart")
        text = await wait_for_text(pilot, "free disk", "2 series", flat=True)
        flat = " ".join(text.split())
        assert "warn ≤ 18.6 GiB crit ≤ 9.31 GiB" in flat  # lower is worse, said in the title
        assert 'mountpoint="/data"' in flat and 'mountpoint="/"' in flat
        axis = plot_text(app)
        # the y axis is humanised, in round steps of the unit
        assert "20.0 GiB" in axis and "40.0 GiB" in axis and "60.0 GiB" in axis
        assert "e+10" not in axis and "83000000000" not in axis.replace(",", "")
        assert 'mountpoint="/data"' in axis  # plotext's legend names each series


async def test_seconds_axis_is_humanised(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(200, 50)) as pilot:
        await show_panels(app)
        await pilot.press("2", "end", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChartScreen), what="the chart")
        await wait_for_text(pilot, "p99", "now")
        axis = plot_text(app)
        assert "500 ms" in axis and "1.00 s" in axis, axis


async def test_a_replayed_panel_of_several_series_still_draws_its_line(
    journal_path: Path,
) -> None:
    # replay records the row's line and the count, not each series: draw what there is
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(200, 50)) as pilot:
        now = app.session.wall_clock()
        app.main.on_health(SourceHealth("prometheus", up=True, last_ok=now, started=True))
        series = PanelSeries(
            Panel("replayed", "q", "bytes"), points=grid(now, 1e9, 2e9, 3e9), series_count=3
        )
        app.main.on_snapshot(Snapshot(source="prometheus", at=now, panels=(series,)))
        await wait_for_text(pilot, "replayed")
        await pilot.press("2", "home", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChartScreen), what="the chart")
        await wait_for_text(pilot, "3 series", "not recorded", flat=True)
        assert any("\u2800" < ch <= "\u28ff" for ch in plot_text(app)), "no line drawn"


async def test_pinned_metric_is_humanised_evidence(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(200, 50)) as pilot:
        await show_panels(app)
        await pilot.press("2", "home", "down", "down", "down", "p")
        pinned = await wait_for_row(pilot, "evidence.pinned")
        assert pinned.data["item"] == "free disk = 4.66 GiB (worst of 2 series)"
