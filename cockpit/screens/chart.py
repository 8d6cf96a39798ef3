"""`enter` on a metric: a braille line chart of its range, with deploy and action markers.

Several series: the worst five are drawn, each in the legend, and every kept series is
listed below with its labels. A refused query or an empty result says so in full instead.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static
from textual_plotext import PlotextPlot

from cockpit.model import PanelSeries
from cockpit.panes.render import level_value, panel_problem
from cockpit.text import inert
from cockpit.units import axis_ticks, fmt_unit

CHART_SERIES = 5  # drawn with a legend; more are listed, not drawn


class ChartScreen(ModalScreen[None]):
    BINDINGS = [("escape,q,enter", "dismiss", "Close")]
    DEFAULT_CSS = """
    ChartScreen { align: center middle; }
    ChartScreen > Vertical { width: 95%; height: 90%; border: round $accent;
        background: $surface; }
    ChartScreen PlotextPlot { height: 1fr; }
    ChartScreen #chart-problem { padding: 1 2; }
    ChartScreen #chart-series { max-height: 12; }
    """

    def __init__(self, series: PanelSeries, markers: list[tuple[float, str]]) -> None:
        super().__init__()
        self.series = series
        self.markers = markers  # (epoch seconds, label): deploys and operator actions

    def compose(self) -> ComposeResult:
        panel = self.series.panel
        with Vertical():
            title = inert(panel.title, limit=80, style="bold")
            problem = panel_problem(self.series)
            if problem is None:
                title.append("  now ").append_text(level_value(self.series))
            title.append(threshold_text(self.series), style="dim")
            yield Label(title)
            if problem is not None:
                yield Static(self.problem_text(problem), id="chart-problem")
            yield PlotextPlot()
            if self.series.series_count > 1:
                yield Static(self.series_list(), id="chart-series")
            legend = "  ".join(f"│{label}" for _, label in self.markers[-6:])
            yield Label(inert(f"markers: {legend}" if legend else "no markers", limit=300))

    def problem_text(self, problem: Text) -> Text:
        """The whole message (the row cuts it) and the query it is about."""
        text = problem.copy()
        if self.series.query_error:
            text = Text("⊘ query error: Prometheus refused the query\n", style="bold magenta")
            text.append_text(inert(self.series.error or "", limit=4000, multiline=True))
        text.append("\nquery: ", style="dim")
        text.append_text(inert(self.series.panel.query, limit=2000, multiline=True))
        return text

    def series_list(self) -> Text:
        """Every kept series, worst first: its value now and its labels."""
        s, unit = self.series, self.series.panel.unit
        text = Text(f"{s.series_count} series, worst first", style="bold")
        if not s.series:  # a replay: only the line shown in the row was recorded
            return text.append(" (each series' labels were not recorded)", style="dim")
        if s.series_count > len(s.series):
            text.append(f" ({len(s.series)} listed)", style="dim")
        for i, line in enumerate(s.series):
            mark = "●" if i < CHART_SERIES else " "
            text.append(f"\n{mark} {fmt_unit(line.latest, unit):>12}  ")
            text.append_text(inert(line.label_text or "{}", limit=200))
        return text

    def on_mount(self) -> None:
        plt = self.query_one(PlotextPlot).plt
        plt.clear_figure()
        plt.date_form("H:M:S")
        panel, s = self.series.panel, self.series
        lines = (
            [(line.label_text or "{}", line.points) for line in s.series[:CHART_SERIES]]
            if s.series_count > 1 and s.series
            else [("", s.points)]
        )
        drawn: list[tuple[float, float]] = []
        for label, raw in lines:
            points = [(t, v) for t, v in raw if v is not None]
            if not points:
                continue
            drawn += points
            xs = [_clock(t) for t, _ in points]
            # the legend is plotext's own: a label per drawn series
            plt.plot(xs, [v for _, v in points], marker="braille", label=label[:40] or None)
        levels = [v for _, v in drawn]
        levels += [t for t in (panel.warn, panel.crit) if t is not None and drawn]
        if drawn:
            start, end = min(t for t, _ in drawn), max(t for t, _ in drawn)
            for moment, label in self.markers:
                if start <= moment <= end:
                    plt.vline(_clock(moment), "orange")
                    plt.text(label[:12], _clock(moment), max(v for _, v in drawn))
            if panel.crit is not None:
                plt.hline(panel.crit, "red")
            if panel.warn is not None:
                plt.hline(panel.warn, "yellow")
            # round values in the unit's own scale: 20 GiB, 40 GiB; 500 ms, 1.00 s
            ticks = axis_ticks(min(levels), max(levels), panel.unit)
            plt.yticks(ticks, [fmt_unit(v, panel.unit) for v in ticks])


def threshold_text(series: PanelSeries) -> str:
    """'  warn ≤ 18.6 GiB  crit ≤ 9.31 GiB': the lines drawn, with the side that is bad."""
    panel = series.panel
    side = "≤" if panel.direction == "below" else "≥"
    return "".join(
        f"  {name} {side} {fmt_unit(level, panel.unit)}"
        for name, level in (("warn", panel.warn), ("crit", panel.crit))
        if level is not None
    )


def _clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M:%S")
