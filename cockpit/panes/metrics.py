"""Golden-signal panels: title, 15-minute sparkline, current value coloured by threshold."""

from __future__ import annotations

from cockpit.model import PanelSeries
from cockpit.panes.freshness import freshen
from cockpit.panes.render import level_value, panel_problem, sparkline
from cockpit.panes.table import TablePane
from cockpit.text import inert

# panel + sparkline + value fit a half-screen pane at 120 columns: 18 cells hold the 16 one-
# minute points of 15 minutes and leave the value 20 ("✖ 4.66 GiB 2 series", "stale 35s ...")
SPARK_WIDTH = 18


class MetricsPane(TablePane):
    # "Now" is the last column: as wide as the pane allows (a query error's text, N series)
    COLUMNS = (("Panel", 15), ("Last 15 min", SPARK_WIDTH), ("Now", 120))

    def __init__(self, **kwargs: object) -> None:
        super().__init__("2 Metrics", id="metrics", classes="pane", **kwargs)  # type: ignore[arg-type]

    def show(
        self,
        panels: tuple[PanelSeries, ...],
        clock_now: float | None = None,
        stale_after: float | None = None,
    ) -> None:
        """`clock_now`, `stale_after`: a value older than that says `stale <age>` (freshness)."""
        rows = []
        for series in panels:
            problem = panel_problem(series)
            if problem is not None:
                now = problem
            else:
                now = freshen(series, level_value(series), clock_now, stale_after)
                if series.partial:
                    now.append(" (partial)", style="yellow")
            rows.append(
                (
                    series.panel.title,
                    series,
                    [
                        inert(series.panel.title, limit=40),
                        sparkline(series, SPARK_WIDTH),
                        now,
                    ],
                )
            )
        self.sync(rows)
