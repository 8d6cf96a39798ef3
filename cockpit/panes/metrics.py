"""Golden-signal panels: title, 15-minute sparkline, current value coloured by threshold."""

from __future__ import annotations

from cockpit.model import PanelSeries
from cockpit.panes.render import level_value, panel_problem, sparkline
from cockpit.panes.table import TablePane
from cockpit.text import inert

SPARK_WIDTH = 22  # panel + sparkline + value fit a half-screen pane at 120 columns


class MetricsPane(TablePane):
    # "Now" is the last column: as wide as the pane allows (a query error's text, N series)
    COLUMNS = (("Panel", 15), ("Last 15 min", SPARK_WIDTH), ("Now", 120))

    def __init__(self, **kwargs: object) -> None:
        super().__init__("2 Metrics", id="metrics", classes="pane", **kwargs)  # type: ignore[arg-type]

    def show(self, panels: tuple[PanelSeries, ...]) -> None:
        rows = []
        for series in panels:
            problem = panel_problem(series)
            if problem is not None:
                now = problem
            else:
                now = level_value(series)
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
